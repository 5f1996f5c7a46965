"""`khuyenhoc migrate`: create or upgrade the database, loading the configured units into a new
one, and say its schema version."""

from __future__ import annotations

import argparse

from bot.cli.common import Command, Subcommands, add_command, database, translator_for
from bot.config import Settings


async def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    async with database(settings) as db:
        print(
            translator_for(settings)
            .gettext("Database {path} is at version {version}.")
            .format(path=settings.database, version=await db.version())
        )
    return 0


def add_parsers(commands: Subcommands) -> None:
    add_command(
        commands,
        "migrate",
        Command(_migrate),
        help="create or upgrade the database and load the units",
    )
