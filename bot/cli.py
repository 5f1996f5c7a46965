"""`khuyenhoc`: run the bot, open the offline console, and the office's maintenance commands."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.config import Settings, SettingsError, load_settings
from bot.i18n import N_, Translator, translator
from bot.services import hierarchy, registration
from bot.services.hierarchy import HierarchyError
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import ROLE_LEVEL, Level, Role

DEMO_DATABASE = Path("khuyenhoc-demo.sqlite3")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="khuyenhoc", description="Khuyến học Telegram bot")
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("run", help="run the bot (polling); without a token, the offline console")

    shell = commands.add_parser("shell", help="chat with the bot in this terminal, no Telegram")
    shell.add_argument("--as", dest="as_user", type=int, default=None, help="Telegram user id")

    commands.add_parser("migrate", help="create or upgrade the database and load the units")

    admin = commands.add_parser("admin", help="grant roles")
    admin_commands = admin.add_subparsers(dest="admin_command", required=True)
    add = admin_commands.add_parser("add", help="give a Telegram user a role on a unit")
    add.add_argument("telegram_id", type=int)
    add.add_argument("--role", required=True, choices=[role.value for role in Role])
    add.add_argument("--unit", help="unit code (GSO code; branch code); default: the province")
    add.add_argument("--name", help="the person's full name")

    units = commands.add_parser("units", help="administrative units")
    units_commands = units.add_subparsers(dest="units_command", required=True)
    load = units_commands.add_parser("load", help="load a GSO-style district/commune CSV")
    load.add_argument("file", type=Path)
    load.add_argument("--province-code")
    load.add_argument("--province-name")

    branches = commands.add_parser("branches", help="branches (chi hội)")
    branches_commands = branches.add_subparsers(dest="branches_command", required=True)
    import_ = branches_commands.add_parser(
        "import", help="create branches from a CSV: commune_code, branch_name, branch_kind"
    )
    import_.add_argument("file", type=Path)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(
            translator("vi").gettext("Configuration error: {detail}").format(detail=error),
            file=sys.stderr,
        )
        return 2
    quiet = args.command == "shell" or (args.command == "run" and settings.token is None)
    logging.basicConfig(
        level="WARNING" if quiet else settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    without_token = args.command == "run" and settings.token is None
    if without_token:
        args.command, args.as_user = "shell", None
    if args.command == "shell":
        if "database" not in settings.model_fields_set:
            # The console seeds demo people; keep them out of the real database.
            settings = settings.model_copy(update={"database": DEMO_DATABASE})
        t = _t(settings)
        first_line = (
            t.gettext(
                "No TELEGRAM_BOT_TOKEN: opening the offline console on {path} (no Telegram needed)."
            )
            if without_token
            else t.gettext("Offline console on {path} (no Telegram needed).")
        )
        print(first_line.format(path=settings.database), flush=True)
    try:
        return asyncio.run(_dispatch(args, settings))
    except KeyboardInterrupt:
        return 130


def _t(settings: Settings) -> Translator:
    return translator(settings.default_language)


async def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_database, serve

    if args.command == "shell":
        from bot.console import run_console

        return await run_console(settings, as_user=args.as_user)
    db = await open_database(settings)
    try:
        if args.command == "run":
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError):
                    loop.add_signal_handler(signum, stop.set)
            await serve(settings, db, stop)
            return 0
        if args.command == "migrate":
            print(
                _t(settings)
                .gettext("Database {path} is at version {version}.")
                .format(path=settings.database, version=await db.version())
            )
            return 0
        if args.command == "admin":
            return await _admin_add(args, settings, db)
        if args.command == "units":
            return await _units_load(args, settings, db)
        if args.command == "branches":
            return await _branches_import(args, settings, db)
    finally:
        await db.close()
    return 1


async def _admin_add(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    t = _t(settings)
    role = Role(args.role)
    unit = await unit_store.by_code(db, args.unit) if args.unit else await unit_store.root(db)
    if unit is None:
        print(t.gettext("No unit has the code {code}.").format(code=args.unit), file=sys.stderr)
        return 1
    if unit.level is not ROLE_LEVEL[role]:
        print(
            t.gettext("The role {role} is held on a unit of level {level}; {code} is not.").format(
                role=role.value, level=ROLE_LEVEL[role].value, code=unit.code
            ),
            file=sys.stderr,
        )
        return 1
    grant = await registration.grant_role(db, args.telegram_id, role, unit, full_name=args.name)
    print(
        t.gettext("User {user} is now {role} of {unit} ({code}).").format(
            user=args.telegram_id, role=grant.role.value, unit=unit.name, code=unit.code
        )
    )
    return 0


HIERARCHY_PROBLEMS = {
    "missing_columns": N_("missing columns:"),
    "unknown_district_type": N_("unknown district type:"),
    "unknown_commune_type": N_("unknown commune type:"),
    "missing_code": N_("a unit code is missing"),
    "unknown_commune": N_("no commune has the code"),
    "unknown_branch_kind": N_("unknown branch kind:"),
    "bad_branch": N_("a branch name has 2 to 120 characters:"),
}


def _hierarchy_error(settings: Settings, error: HierarchyError) -> str:
    t = _t(settings)
    problem = t.gettext(HIERARCHY_PROBLEMS.get(error.code, error.code))
    return t.gettext("Nothing was loaded: line {line}: {problem} {value}").format(
        line=error.line, problem=problem, value=error.value
    )


async def _units_load(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    try:
        result = await hierarchy.load_units_csv(
            db,
            args.file,
            province_code=args.province_code or settings.province_code,
            province_name=args.province_name or settings.province_name,
        )
    except HierarchyError as error:
        print(_hierarchy_error(settings, error), file=sys.stderr)
        return 1
    counts = await unit_store.count_by_level(db)
    print(
        _t(settings)
        .gettext("Loaded {districts} districts and {communes} communes ({added} new units).")
        .format(
            districts=counts.get(Level.DISTRICT, 0),
            communes=counts.get(Level.COMMUNE, 0),
            added=result.added,
        )
    )
    return 0


async def _branches_import(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    try:
        created = await hierarchy.import_branches_csv(db, args.file, actor_id=None)
    except HierarchyError as error:
        print(_hierarchy_error(settings, error), file=sys.stderr)
        return 1
    print(_t(settings).gettext("Created {count} branches.").format(count=created))
    return 0


if __name__ == "__main__":
    sys.exit(main())
