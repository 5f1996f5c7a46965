"""`khuyenhoc units migrate`: move a live database onto a new map (backed up first), or with
`--dry-run` print what that would do; both print the same plan (map_plan.py)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bot.cli.common import (
    Command,
    Subcommands,
    add_command,
    backup_name,
    database,
    fail,
    hierarchy_error,
    iso_day,
    translator_for,
)
from bot.cli.map_plan import print_map_plan
from bot.config import Settings
from bot.i18n import N_, Translator
from bot.services import map_change
from bot.services.hierarchy import HierarchyError
from bot.services.map_change import MapChangeError, MapProblem
from bot.storage import map_changes as map_store
from bot.storage.db import Database, utc_now

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


def _refusal(settings: Settings, args: argparse.Namespace, error: Exception) -> str:
    """The one line said when planning or carrying out the move stops: nothing was changed."""
    if isinstance(error, MapChangeError):
        return _map_problem(translator_for(settings), error)
    assert isinstance(error, HierarchyError)
    return f"{args.to}: {hierarchy_error(settings, error)}"


async def _units_migrate(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.database.is_file():
        return fail(
            translator_for(settings)
            .gettext("Nothing was changed: there is no database at {path}.")
            .format(path=settings.database)
        )
    async with database(settings, configured_units=False) as db:
        return await _move(args, settings, db)


async def _move(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    """Plan (and without --dry-run carry out) the move onto a new map; one line on a problem."""
    t = translator_for(settings)
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
    except (MapChangeError, HierarchyError) as error:
        return fail(_refusal(settings, args, error))
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
        print_map_plan(t, planned)
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
    backup = backup_name(settings.database)
    await map_store.backup(db, backup)
    print(t.gettext("Backed the database up to {backup}.").format(backup=backup))
    try:
        result = await map_change.apply(db, planned, now=utc_now())
    except (MapChangeError, HierarchyError) as error:
        return fail(_refusal(settings, args, error))
    print_map_plan(t, result.plan)
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


def add_parsers(units_commands: Subcommands) -> None:
    migrate_units = add_command(
        units_commands,
        "migrate",
        Command(_units_migrate),
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
        type=iso_day,
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
