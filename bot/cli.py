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
from bot.services import demo_data, hierarchy, imports, map_change, registration
from bot.services.demo_data import DemoDataError, DemoDataProblem, Scale
from bot.services.hierarchy import HierarchyError, UnitsFileUnreadable
from bot.services.imports import ImportRejected
from bot.services.map_change import MapChangeError, MapChangePlan, MapProblem
from bot.services.reporting import local_today
from bot.storage import map_changes as map_store
from bot.storage import units as unit_store
from bot.storage.db import Database, DatabaseProblem, DatabaseUnusable, utc_now
from bot.storage.map_changes import GrantRow
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

    migrate_units = units_commands.add_parser(
        "migrate",
        help="move this database onto a new map: the new units created, the old ones ended, "
        "branches and grants moved, counters rebuilt on the map of each year (backed up first)",
    )
    migrate_units.add_argument(
        "--to", dest="to", required=True, type=Path, help="the new map's units CSV"
    )
    migrate_units.add_argument(
        "--mapping",
        required=True,
        type=Path,
        help="old commune → new unit(s): commune_code_2024, unit_code_jul2025, or "
        "legacy_province, legacy_commune_code, new_commune_codes (|-separated), partly",
    )
    migrate_units.add_argument(
        "--effective",
        required=True,
        type=_iso_day,
        metavar="YYYY-MM-DD",
        help="the day the new map came into force",
    )
    migrate_units.add_argument(
        "--dry-run", action="store_true", help="print what would happen, change nothing"
    )
    migrate_units.add_argument(
        "--province-code", help="the new map's province; default: the shipped map's"
    )
    migrate_units.add_argument("--province-name")

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
        help="province: Thái Bình's 2019-2024 on its map with districts at its published "
        "2023 size, moved onto today's map on 1 July 2025, and Hưng Yên's activity since "
        "(about two minutes); small: a few communes of today's map and people with ids 1-20, "
        "for `khuyenhoc shell`",
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
    if (
        args.command == "demo-data"
        and args.scale == Scale.PROVINCE.value
        and "units_csv" not in settings.model_fields_set
    ):
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
    """The province demo starts on Thái Bình's 2024 map, and moves onto today's; the small one
    and the console are on today's map (the default)."""
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
    if (
        args.command == "units"
        and args.units_command == "migrate"
        and not settings.database.is_file()
    ):
        t = _t(settings)
        print(
            t.gettext("Nothing was changed: there is no database at {path}.").format(
                path=settings.database
            ),
            file=sys.stderr,
        )
        return 1
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
        if args.command == "units" and args.units_command == "migrate":
            return await _units_migrate(args, settings, db)
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


# --- Moving onto a new map ------------------------------------------------------------------

MAP_PROBLEMS = {
    MapProblem.MISSING_FILE: N_("The file {value} does not exist."),
    MapProblem.UNREADABLE_FILE: N_("A file cannot be read: {value}."),
    MapProblem.MAPPING_NOT_CSV: N_("The mapping file is not a CSV file in UTF-8: {value}"),
    MapProblem.MAPPING_COLUMNS: N_(
        "The mapping file has neither format's columns; it needs {value}."
    ),
    MapProblem.MAPPING_NO_CODE: N_("The mapping file's line {line} has no old or no new code."),
    MapProblem.MAPPING_DUPLICATE: N_(
        "The mapping file names the commune {value} twice (or a new code twice), line {line}."
    ),
    MapProblem.MAPPING_BAD_PARTLY: N_(
        "The mapping file's line {line}: partly is 0 or 1, not {value}."
    ),
    MapProblem.NO_PROVINCE: N_("The database has no province in force to move."),
    MapProblem.PROVINCE_NEEDED: N_(
        "Which province is the new map's? Give --province-code and --province-name ({value})."
    ),
    MapProblem.NO_ROWS: N_("The mapping file has no commune of {value}."),
    MapProblem.NOT_IN_DATABASE: N_(
        "{count} communes of the mapping are not in force in the database (from line {line}): "
        "{value}."
    ),
    MapProblem.ALREADY_ENDED: N_(
        "{count} communes of the mapping have ended already (from line {line}): {value}. The "
        "database was moved onto another map; nothing was changed."
    ),
    MapProblem.NOT_IN_UNITS_FILE: N_(
        "{count} new codes of the mapping are not in the units file (from line {line}): {value}."
    ),
    MapProblem.UNCOVERED: N_(
        "The mapping does not say where {count} communes of the database go: {value}."
    ),
    MapProblem.CODE_TAKEN: N_(
        "{count} codes of the new map belong to units in force that do not end: {value}."
    ),
    MapProblem.TOO_EARLY: N_(
        "{count} units would end before they began (they came into force on or after the "
        "effective day): {value}."
    ),
    MapProblem.COUNTERS: N_(
        "The counters did not match the records after the rebuild ({value} differ); everything "
        "was rolled back."
    ),
}


def _map_problem(t: Translator, error: MapChangeError) -> str:
    text = t.gettext(MAP_PROBLEMS[error.problem]).format(
        value=error.value, line=error.line, count=t.number(error.count)
    )
    return t.gettext("Nothing was changed: {problem}").format(problem=text)


def _backup_path(path: Path) -> Path:
    stamp = utc_now().strftime("%Y%m%d-%H%M%S")
    return path.with_name(f"{path.stem}.{stamp}.bak{path.suffix}")


async def _units_migrate(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    """Plan (and without --dry-run carry out) the move onto a new map; one line on a problem."""
    t = _t(settings)
    started = time.perf_counter()
    try:
        planned = await map_change.plan(
            db,
            args.to,
            args.mapping,
            args.effective,
            province_code=args.province_code,
            province_name=args.province_name,
            now=utc_now(),
        )
    except MapChangeError as error:
        print(_map_problem(t, error), file=sys.stderr)
        return 1
    except HierarchyError as error:
        print(f"{args.to}: {_hierarchy_error(settings, error)}", file=sys.stderr)
        return 1
    if planned.done is not None:
        print(
            t.gettext(
                "This database was moved onto this map on {effective} already (map change "
                "#{id}, carried out {applied}); nothing was changed."
            ).format(
                effective=t.date(planned.effective),
                id=planned.done.id,
                applied=t.datetime(planned.done.applied_at, settings.tz),
            )
        )
        return 0
    heading = (
        t.gettext(
            "Dry run, nothing is changed: moving {database} onto the map of {units} from "
            "{effective}, through {mapping}."
        )
        if args.dry_run
        else t.gettext(
            "Moving {database} onto the map of {units} from {effective}, through {mapping}."
        )
    )
    print(
        heading.format(
            database=settings.database,
            units=args.to,
            effective=t.date(args.effective),
            mapping=args.mapping,
        )
    )
    if args.dry_run:
        _print_map_plan(t, planned)
        print(
            t.gettext(
                "Counters: rebuilt on the map of each year and checked with counters.recompute "
                "when the change is carried out."
            )
        )
        print(
            t.gettext(
                "Planned in {seconds} s. Run it again without --dry-run to carry it out (the "
                "database is backed up first)."
            ).format(seconds=t.number(round(time.perf_counter() - started, 1)))
        )
        return 0
    backup = _backup_path(settings.database)
    await map_store.backup(db, backup)
    print(t.gettext("Backed the database up to {backup}.").format(backup=backup))
    try:
        result = await map_change.apply(db, planned, now=utc_now())
    except MapChangeError as error:
        print(_map_problem(t, error), file=sys.stderr)
        return 1
    except HierarchyError as error:
        print(f"{args.to}: {_hierarchy_error(settings, error)}", file=sys.stderr)
        return 1
    _print_map_plan(t, result.plan)
    print(
        t.gettext(
            "Counters rebuilt on the map of each year: {changed} changed; counters.recompute "
            "finds {mismatches} mismatches."
        ).format(changed=t.number(result.counters_changed), mismatches=t.number(result.mismatches))
    )
    print(
        t.gettext(
            "Done in {seconds} s (map change #{id}). The chairs concerned are told when the bot "
            "runs."
        ).format(seconds=t.number(round(time.perf_counter() - started, 1)), id=result.change_id)
    )
    return 0


def _print_map_plan(t: Translator, planned: MapChangePlan) -> None:
    """Every line `units migrate` prints about what is (or would be) done."""
    from handlers.common import role_label, unit_title

    province = planned.new_province_name
    communes, middles = t.number(len(planned.new_units)), t.number(planned.middles)
    if not planned.creates_province:
        created = (
            t.gettext(
                "Units created: {count}: {middles} districts or areas and {communes} communes and "
                "wards under {province}."
            )
            if planned.middles
            else t.gettext(
                "Units created: {count}: {communes} communes and wards under {province}."
            )
        )
    else:
        created = (
            t.gettext(
                "Units created: {count}: the province {province}, {middles} districts or areas "
                "and {communes} communes and wards."
            )
            if planned.middles
            else t.gettext(
                "Units created: {count}: the province {province} and its {communes} communes "
                "and wards."
            )
        )
    print(
        created.format(
            count=t.number(planned.units_created),
            middles=middles,
            communes=communes,
            province=province,
        )
    )
    ended = (
        t.gettext(
            "Units ended on {effective}: {count}: {districts} districts and {communes} communes."
        )
        if planned.same_province
        else t.gettext(
            "Units ended on {effective}: {count}: the province {province}, {districts} districts "
            "and {communes} communes."
        )
    )
    print(
        ended.format(
            effective=t.date(planned.effective),
            count=t.number(planned.units_ended),
            province=planned.province.name,
            districts=t.number(len(planned.districts)),
            communes=t.number(len(planned.communes)),
        )
    )
    if planned.skipped_rows:
        print(
            t.gettext("{count} rows of the mapping are of another province, left aside.").format(
                count=t.number(planned.skipped_rows)
            )
        )
    settled = len(planned.branches) - len(planned.provisional)
    print(
        t.gettext("Branches moved to the commune that took theirs: {count}.").format(
            count=t.number(settled)
        )
    )
    if planned.renamed:
        examples = ", ".join(move.name for move in planned.renamed[:3])
        print(
            t.gettext(
                "Of the branches moved, {count} take their old commune's name after their own, "
                "to stay distinct in the new commune (such as {examples})."
            ).format(count=t.number(len(planned.renamed)), examples=examples)
        )
    print(
        t.gettext(
            "Branches placed provisionally (their commune was split; the province admin "
            "confirms or moves them in /branches): {count}."
        ).format(count=t.number(len(planned.provisional)))
    )
    for move in planned.provisional:
        print(
            "  - "
            + t.gettext("{branch} (of {old}): placed in {first}; may go to {candidates}").format(
                branch=unit_title(t, move.branch),
                old=unit_title(t, move.old_commune),
                first=unit_title(t, planned.new_unit(move.to_code)),
                candidates=", ".join(
                    unit_title(t, planned.new_unit(code)) for code in move.candidates
                ),
            )
        )
    print(
        t.gettext("Grants moved with their unit: {count}.").format(
            count=t.number(len(planned.grants_moved))
        )
    )
    for change in planned.grants_moved:
        target = unit_title(t, planned.new_unit(change.to_code or ""))
        print(
            "  - "
            + t.gettext("{person}: {role}, {old} → {new}").format(
                person=_person(change.grant),
                role=role_label(t, change.grant.role),
                old=unit_title(t, change.unit),
                new=target,
            )
        )
    print(
        t.gettext(
            "Grants kept on the ended unit (its holder reads it for the years before): {count}."
        ).format(count=t.number(len(planned.grants_kept)))
    )
    for change in planned.grants_kept:
        print(
            "  - "
            + t.gettext("{person}: {role}, {unit}").format(
                person=_person(change.grant),
                role=role_label(t, change.grant.role, change.unit),
                unit=unit_title(t, change.unit),
            )
        )
    print(
        t.gettext("Unused invites to ended units: {count}.").format(
            count=t.number(len(planned.invites))
        )
    )
    ended_units = {c.unit.id: c.unit for c in planned.communes}
    ended_units.update({d.id: d for d in planned.districts})
    ended_units[planned.province.id] = planned.province
    for invite in planned.invites:
        unit = ended_units.get(invite.unit_id)
        print(
            "  - "
            + t.gettext("{code}: {role}, {unit}, valid until {until}").format(
                code=invite.code,
                role=role_label(t, invite.role),
                unit=unit_title(t, unit) if unit else invite.unit_id,
                until=t.date(invite.expires_at.date()),
            )
        )
    records = planned.records
    print(
        t.gettext(
            "Records untouched, each on the unit it was filed under: {members} members, "
            "{nominations} title nominations, {contributions} contributions, {awards} awards."
        ).format(
            members=t.number(records.get("member", 0)),
            nominations=t.number(records.get("nomination", 0)),
            contributions=t.number(records.get("contribution", 0)),
            awards=t.number(records.get("award", 0)),
        )
    )


def _person(grant: GrantRow) -> str:
    return f"{grant.full_name} ({grant.telegram_id})" if grant.full_name else str(grant.telegram_id)


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
    DemoDataProblem.NO_UNITS: N_("{path} has no province and communes to fill."),
    DemoDataProblem.TOO_EARLY: N_(
        "The computer's date is not after 1 July 2025, when today's map came into force; "
        "nothing was generated."
    ),
    DemoDataProblem.NOT_THAI_BINH: N_(
        "{path} is not on Thái Bình's map of 2024 (data/thai_binh_2024_units.csv), which the "
        "province demo starts from; nothing was generated. Leave KHUYENHOC_UNITS_CSV unset, or "
        "use --force for a new database."
    ),
}
DEMO_STEPS = {
    demo_data.Step.HISTORY: N_(
        "Thái Bình 2019–2024 on its map with districts, at its published 2023 size…"
    ),
    demo_data.Step.MAP_CHANGE: N_(
        "Moving it onto today's map on 1 July 2025, as `khuyenhoc units migrate` does…"
    ),
    demo_data.Step.TODAY: N_("Hưng Yên's 104 communes since then, on today's map…"),
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
        scale = Scale(args.scale)

        def step(which: demo_data.Step) -> None:
            if scale is Scale.PROVINCE:
                print(t.gettext(DEMO_STEPS[which]), flush=True)

        try:
            summary = await demo_data.build(
                db, scale, seed=args.seed, today=local_today(utc_now()), started=step
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
    _print_demo_steps(t, summary)
    print(
        t.gettext(
            "Try it with `khuyenhoc shell --as 1` (the province administrator); users 2-7 chair "
            "communes, 8 and 9 head branches, 10-20 are volunteers."
        )
    )
    if summary.map_change is not None:
        print(
            t.gettext(
                "Until 30 June 2025 the province was Thái Bình with its districts (users 3 and 4 "
                "chaired two of them); /stats and /report for 2024 and earlier show that map."
            )
        )
    return 0


def _print_demo_steps(t: Translator, summary: demo_data.Summary) -> None:
    """How long the province's steps took, and what moving onto today's map did."""
    took = dict(summary.steps)
    moved = summary.map_change
    if moved is None or demo_data.Step.HISTORY not in took:
        return
    print(
        t.gettext(
            "Steps: {history} s for the history, {move} s to move it onto today's map, {today} s "
            "since."
        ).format(
            history=t.number(round(took[demo_data.Step.HISTORY], 1)),
            move=t.number(round(took.get(demo_data.Step.MAP_CHANGE, 0.0), 1)),
            today=t.number(round(took.get(demo_data.Step.TODAY, 0.0), 1)),
        )
    )
    done = moved.plan
    print(
        t.gettext(
            "Today's map since {effective}: {created} units created and {ended} ended, "
            "{branches} branches moved to today's communes, {moved} grants moved with their unit "
            "and {kept} kept on the ended units, counters rebuilt on the map of each year "
            "({changed} changed, {mismatches} mismatches)."
        ).format(
            effective=t.date(done.effective),
            created=t.number(done.units_created),
            ended=t.number(done.units_ended),
            branches=t.number(len(done.branches)),
            moved=t.number(len(done.grants_moved)),
            kept=t.number(len(done.grants_kept)),
            changed=t.number(moved.counters_changed),
            mismatches=t.number(moved.mismatches),
        )
    )


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
