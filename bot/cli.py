"""`khuyenhoc`: run the bot, open the offline console, and the office's maintenance commands.

`demo-data` and `shell` use the demo database (`DEMO_DATABASE`) unless KHUYENHOC_DATABASE is
set, so demo people and reports stay out of the real one by default.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from bot import import_problems
from bot.config import (
    THAI_BINH_2024,
    Settings,
    SettingsError,
    load_settings,
    parse_iso_day,
    shipped_map,
)
from bot.i18n import N_, Translator, translator
from bot.services import demo_data, hierarchy, imports, registration
from bot.services.demo_data import DemoDataError, DemoDataProblem, Scale
from bot.services.hierarchy import HierarchyError, UnitsFileUnreadable
from bot.services.imports import ImportRejected
from bot.services.reporting import local_today
from bot.storage import units as unit_store
from bot.storage.db import Database, DatabaseProblem, DatabaseUnusable, utc_now
from bot.storage.models import ROLE_LEVEL, Role

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
    load = units_commands.add_parser(
        "load",
        help="load a units CSV: district_code, district_name, district_type, commune_code, "
        "commune_name, commune_type (a map with districts), or commune_code, commune_name, "
        "commune_type with optional former_communes, lat, lon, area_km2, area_code, area_name "
        "(communes under the province, or under areas)",
    )
    load.add_argument("file", type=Path)
    load.add_argument(
        "--province-code",
        help="the province above the file's units; default: the shipped map's, else "
        "KHUYENHOC_PROVINCE_CODE",
    )
    load.add_argument("--province-name")
    load.add_argument(
        "--effective",
        type=_iso_day,
        metavar="YYYY-MM-DD",
        help="the day the units loaded came into force; default: the shipped map's "
        "(2025-07-01 for data/hung_yen_2025_units.csv), else unknown",
    )

    branches = commands.add_parser("branches", help="branches (chi hội)")
    branches_commands = branches.add_subparsers(dest="branches_command", required=True)
    import_ = branches_commands.add_parser(
        "import", help="create branches from a CSV: commune_code, branch_name, branch_kind"
    )
    import_.add_argument("file", type=Path)

    demo = commands.add_parser(
        "demo-data",
        help="fill an unused database with demo data (the demo database unless "
        "KHUYENHOC_DATABASE is set)",
    )
    demo.add_argument(
        "--scale",
        required=True,
        choices=[scale.value for scale in Scale],
        help="province: Thái Bình's published 2023 size (about a minute); small: two "
        "districts and people with ids 1-20, for `khuyenhoc shell`",
    )
    demo.add_argument("--seed", type=int, default=demo_data.DEFAULT_SEED)
    demo.add_argument(
        "--force",
        action="store_true",
        help="if the database is in use, rename it to NAME.<time>.bak.sqlite3 and start anew",
    )

    import_files = commands.add_parser("import", help="import figures or baselines (CSV or XLSX)")
    import_commands = import_files.add_subparsers(dest="import_command", required=True)
    for name, what in (
        ("figures", "denominators and targets per unit and year"),
        ("baseline", "totals from before the bot per unit and year"),
    ):
        import_commands.add_parser(name, help=what).add_argument("file", type=Path)
    return parser


def _iso_day(text: str) -> date:
    day = parse_iso_day(text)
    if day is None:
        raise argparse.ArgumentTypeError(
            f"expected a day as YYYY-MM-DD, such as 2025-07-01: {text}"
        )
    return day


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
    quiet = args.command in ("shell", "demo-data") or (
        args.command == "run" and settings.token is None
    )
    logging.basicConfig(
        level="WARNING" if quiet else settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    without_token = args.command == "run" and settings.token is None
    if without_token:
        args.command, args.as_user = "shell", None
    if args.command in ("shell", "demo-data") and "database" not in settings.model_fields_set:
        # Demo people and reports stay out of the real database.
        settings = settings.model_copy(update={"database": DEMO_DATABASE})
    if args.command in ("shell", "demo-data") and "units_csv" not in settings.model_fields_set:
        settings = demo_map(settings)
    if args.command == "shell":
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
    except (DatabaseUnusable, UnitsFileUnreadable) as error:
        print(_unusable_file(settings, error), file=sys.stderr)
        return 1
    except HierarchyError as error:  # the configured units file is malformed
        print(f"{settings.units_csv}: {_hierarchy_error(settings, error)}", file=sys.stderr)
        return 1


def demo_map(settings: Settings) -> Settings:
    """The demo database is on Thái Bình's 2024 map for now: the demo data and the console's
    seed are built on districts (a later step moves them onto today's map)."""
    return settings.model_copy(
        update={
            "units_csv": THAI_BINH_2024.path,
            "province_code": THAI_BINH_2024.province_code,
            "province_name": THAI_BINH_2024.province_name,
            "units_valid_from": THAI_BINH_2024.valid_from,
        }
    )


def _t(settings: Settings) -> Translator:
    return translator(settings.default_language)


DATABASE_PROBLEMS = {
    DatabaseProblem.DAMAGED: N_(
        "The database {path} is damaged or is not a SQLite file. Restore it from a backup, or "
        "move it aside to start a new one."
    ),
    DatabaseProblem.DIRECTORY: N_(
        "The database {path} is a folder, not a file. Choose another KHUYENHOC_DATABASE."
    ),
    DatabaseProblem.NOT_A_FOLDER: N_(
        "The database {path} cannot be created: {detail} is a file, not a folder. Choose "
        "another KHUYENHOC_DATABASE."
    ),
    DatabaseProblem.CANNOT_OPEN: N_(
        "The database {path} cannot be opened: {detail}. Check that the bot may read and write "
        "it and its folder."
    ),
}
UNITS_FILE_MISSING = N_(
    "The units file {path} does not exist. Set KHUYENHOC_UNITS_CSV to the province's list of "
    "districts and communes (CSV)."
)
UNITS_FILE_UNREADABLE = N_(
    "The units file {path} cannot be read: {detail}. Check KHUYENHOC_UNITS_CSV."
)


def _unusable_file(settings: Settings, error: DatabaseUnusable | UnitsFileUnreadable) -> str:
    """One line for the operator instead of a traceback: which file, and what to do."""
    t = _t(settings)
    if isinstance(error, DatabaseUnusable):
        text = DATABASE_PROBLEMS[error.problem]
    else:
        text = UNITS_FILE_MISSING if error.missing else UNITS_FILE_UNREADABLE
    return t.gettext(text).format(path=error.path, detail=error.detail)


async def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_database, serve

    if args.command == "shell":
        from bot.console import run_console

        return await run_console(settings, as_user=args.as_user)
    if args.command == "demo-data":
        return await _demo_data(args, settings)
    if args.command == "units":
        # Only the file given: a new database does not get the configured map first.
        db = await Database(settings.database).open()
    else:
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
        if args.command == "import":
            return await _import(args, settings, db)
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
    "bad_name": N_("a unit name has 1 to 120 characters:"),
    "bad_number": N_(
        "not a decimal number in range (lat -90 to 90, lon -180 to 180, area above 0):"
    ),
    "duplicate_code": N_("this code is in the file twice:"),
    "duplicate_name": N_("two units with the same parent have this name:"),
    "two_middle_levels": N_(
        "a file has either district columns or area columns, not both; remove these:"
    ),
    "code_taken": N_(
        "this code belongs to another unit in force (another province or level); a new map is "
        "loaded once the old one has ended:"
    ),
    "name_taken": N_("another unit in force under the same parent has this name:"),
    "province_code_taken": N_("the province code belongs to a unit that is not a province:"),
    "not_csv": N_("this is not a CSV file in UTF-8:"),
    "extra_fields": N_("this line has more fields than the header (quote a value with a comma):"),
}


def _hierarchy_error(settings: Settings, error: HierarchyError) -> str:
    t = _t(settings)
    problem = t.gettext(HIERARCHY_PROBLEMS.get(error.code, error.code))
    if not error.line:
        return t.gettext("Nothing was loaded: {problem} {value}").format(
            problem=problem, value=error.value
        )
    return t.gettext("Nothing was loaded: line {line}: {problem} {value}").format(
        line=error.line, problem=problem, value=error.value
    )


async def _units_load(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    t = _t(settings)
    shipped = shipped_map(args.file)
    code = args.province_code or (shipped.province_code if shipped else settings.province_code)
    known = [(settings.province_code, settings.province_name)]
    if shipped is not None:
        known.insert(0, (shipped.province_code, shipped.province_name))
    name = args.province_name or next((n for c, n in known if c == code), "")
    if not name and await unit_store.in_force_by_code(db, code) is None:
        print(t.gettext("Give the new province's name too: --province-name."), file=sys.stderr)
        return 2
    try:
        result = await hierarchy.load_units_csv(
            db,
            args.file,
            province_code=code,
            province_name=name,
            valid_from=args.effective or (shipped.valid_from if shipped else None),
        )
    except HierarchyError as error:
        print(_hierarchy_error(settings, error), file=sys.stderr)
        return 1
    province = result.province.name if result.province else name
    if result.districts:
        text = t.gettext(
            "Loaded {districts} districts and {communes} communes ({added} new units)."
        )
    elif result.areas:
        text = t.gettext("Loaded {areas} areas and {communes} communes ({added} new units).")
    else:
        text = t.gettext(
            "Loaded {communes} communes directly under {province} ({added} new units)."
        )
    print(
        text.format(
            districts=t.number(result.districts),
            areas=t.number(result.areas),
            communes=t.number(result.communes),
            province=province,
            added=t.number(result.added),
        )
    )
    if result.aliases:
        print(
            t.gettext("Recorded {count} former names to find them by.").format(
                count=t.number(result.aliases)
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


# --- Demo data --------------------------------------------------------------------------------

DEMO_PROBLEMS = {
    DemoDataProblem.OCCUPIED: N_(
        "{path} already holds people, branches or reports, so nothing was generated. Add "
        "--force to rename it and start a new database."
    ),
    DemoDataProblem.NO_UNITS: N_("{path} has no province, districts and communes to fill."),
    DemoDataProblem.TOO_EARLY: N_(
        "The computer's date is before the end of the published years; nothing was generated."
    ),
}


def _set_aside(path: Path) -> Path:
    """Rename a database (and its WAL files) to NAME.<UTC time>.bak.sqlite3; returns the name."""
    stamp = utc_now().strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.stem}.{stamp}.bak{path.suffix}")
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{path}{suffix}")
        if source.exists():
            source.rename(Path(f"{backup}{suffix}"))
    return backup


async def _demo_data(args: argparse.Namespace, settings: Settings) -> int:
    """Only an unused database is filled; `--force` renames a used one and starts anew."""
    from bot.app import open_database

    t = _t(settings)
    path = settings.database
    db = await open_database(settings)
    try:
        if await demo_data.occupied(db):
            if not args.force:
                problem = t.gettext(DEMO_PROBLEMS[DemoDataProblem.OCCUPIED])
                print(problem.format(path=path), file=sys.stderr)
                return 1
            await db.close()
            backup = _set_aside(path)
            print(t.gettext("Renamed the old database to {backup}.").format(backup=backup))
            db = await open_database(settings)
        started = time.perf_counter()
        try:
            summary = await demo_data.build(
                db, Scale(args.scale), seed=args.seed, today=local_today(utc_now())
            )
        except DemoDataError as error:
            print(t.gettext(DEMO_PROBLEMS[error.problem]).format(path=path), file=sys.stderr)
            return 1
        seconds = time.perf_counter() - started
    finally:
        await db.close()
    print(
        t.gettext(
            "Demo data ({scale}, seed {seed}) written to {path} in {seconds} s: {branches} "
            "branches, {people} people, {members} members, {nominations} title nominations, "
            "{contributions} contributions, {awards} awards, {figures} figures and {baselines} "
            "baseline values."
        ).format(
            scale=summary.scale.value,
            seed=summary.seed,
            path=path,
            seconds=t.number(round(seconds, 1)),
            branches=t.number(summary.branches),
            people=t.number(summary.people),
            members=t.number(summary.members),
            nominations=t.number(summary.nominations),
            contributions=t.number(summary.contributions),
            awards=t.number(summary.awards),
            figures=t.number(summary.figures),
            baselines=t.number(summary.baselines),
        )
    )
    print(
        t.gettext(
            "Try it with `khuyenhoc shell --as 1` (the province administrator); users 2 and 5-7 "
            "chair communes, 3 and 4 districts, 10-20 are volunteers."
        )
    )
    return 0


# --- Importing figures and baselines ----------------------------------------------------------


async def _import(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    t = _t(settings)
    path: Path = args.file
    importer = (
        imports.import_figures if args.import_command == "figures" else imports.import_baseline
    )
    result = await importer(db, path, path.name, actor_id=None, now=utc_now())
    if isinstance(result, ImportRejected):
        print(t.gettext("Nothing was imported from {file}:").format(file=path), file=sys.stderr)
        for error in result.errors:
            print(import_problems.describe(t, error), file=sys.stderr)
        return 1
    done = (
        t.gettext("Imported {values} figures for {units} units from {rows} rows of {file}.")
        if args.import_command == "figures"
        else t.gettext(
            "Imported {values} baseline values for {units} units from {rows} rows of {file}; "
            "the statistics include them now."
        )
    )
    print(
        done.format(
            values=t.number(result.values),
            units=t.number(result.units),
            rows=t.number(result.rows),
            file=path,
        )
    )
    if result.skipped:
        print(
            t.gettext("Skipped {count} rows without any value.").format(
                count=t.number(result.skipped)
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
