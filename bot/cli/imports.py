"""`khuyenhoc import figures|baseline`: import denominators and targets, or the totals from
before the bot, from a CSV or XLSX file, all or none."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot import import_problems
from bot.cli.common import Command, Subcommands, add_command, database, fail, translator_for
from bot.config import Settings
from bot.services import imports
from bot.services.imports import ImportRejected
from bot.storage.db import utc_now


async def _import(args: argparse.Namespace, settings: Settings) -> int:
    t = translator_for(settings)
    path: Path = args.file
    importer = (
        imports.import_figures if args.import_command == "figures" else imports.import_baseline
    )
    async with database(settings) as db:
        result = await importer(db, path, path.name, actor_id=None, now=utc_now())
    if isinstance(result, ImportRejected):
        heading = t.gettext("Nothing was imported from {file}:").format(file=path)
        problems = [import_problems.describe(t, error) for error in result.errors]
        return fail("\n".join([heading, *problems]))
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


def add_parsers(import_commands: Subcommands) -> None:
    for name, what in (
        ("figures", "denominators and targets per unit and year"),
        ("baseline", "totals from before the bot per unit and year"),
    ):
        add_command(import_commands, name, Command(_import), help=what).add_argument(
            "file", type=Path
        )
