"""`khuyenhoc units load`: load a units file (a map with districts, or communes under the
province or under areas) into the database, all or none."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.common import (
    Command,
    Subcommands,
    add_command,
    database,
    fail,
    hierarchy_error,
    iso_day,
    translator_for,
)
from bot.config import Settings, shipped_map
from bot.services import hierarchy
from bot.services.hierarchy import HierarchyError
from bot.storage import units as unit_store


async def _units_load(args: argparse.Namespace, settings: Settings) -> int:
    t = translator_for(settings)
    shipped = shipped_map(args.file)
    code = args.province_code or (shipped.province_code if shipped else settings.province_code)
    known = [(settings.province_code, settings.province_name)]
    if shipped is not None:
        known.insert(0, (shipped.province_code, shipped.province_name))
    name = args.province_name or next((n for c, n in known if c == code), "")
    # Only the file given: a new database does not get the configured map first.
    async with database(settings, configured_units=False) as db:
        if not name and await unit_store.in_force_by_code(db, code) is None:
            return fail(t.gettext("Give the new province's name too: --province-name."), 2)
        try:
            result = await hierarchy.load_units_csv(
                db,
                args.file,
                province_code=code,
                province_name=name,
                valid_from=args.effective or (shipped.valid_from if shipped else None),
            )
        except HierarchyError as error:
            return fail(hierarchy_error(settings, error))
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


def add_parsers(units_commands: Subcommands) -> None:
    load = add_command(
        units_commands,
        "load",
        Command(_units_load),
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
        type=iso_day,
        metavar="YYYY-MM-DD",
        help="the day the units loaded came into force; default: the shipped map's "
        "(2025-07-01 for data/hung_yen_2025_units.csv), else unknown",
    )
