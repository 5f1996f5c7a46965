"""`khuyenhoc branches import`: create branches (chi hội) from a CSV file, all or none."""

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
    translator_for,
)
from bot.config import Settings
from bot.services import hierarchy
from bot.services.hierarchy import HierarchyError


async def _branches_import(args: argparse.Namespace, settings: Settings) -> int:
    async with database(settings) as db:
        try:
            created = await hierarchy.import_branches_csv(db, args.file, actor_id=None)
        except HierarchyError as error:
            return fail(hierarchy_error(settings, error))
        print(translator_for(settings).gettext("Created {count} branches.").format(count=created))
    return 0


def add_parsers(branches_commands: Subcommands) -> None:
    add_command(
        branches_commands,
        "import",
        Command(_branches_import),
        help="create branches from a CSV: commune_code, branch_name, branch_kind",
    ).add_argument("file", type=Path)
