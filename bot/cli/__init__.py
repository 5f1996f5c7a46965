"""`khuyenhoc`: run the bot, open the offline console, and the office's maintenance commands.

One module per feature, named after its command: `run` (run.py), `shell` and `demo-data`
(demo.py), `migrate` (migrate.py), `admin add` (admin.py), `units load` (units.py), `units
migrate` (map_migration.py, its printed plan in map_plan.py), `branches import` (branches.py),
`import figures|baseline` (imports.py), `backup` and `restore` (backup.py), `check`
(check.py); what they share is in common.py. A module declares its parsers in `add_parsers`
with `common.add_command`, which names the coroutine that runs the command; `_parser` below
lists them in the order `--help` shows them, and `main` runs the one chosen.

`demo-data` and `shell` use the demo database (`DEMO_DATABASE`) unless KHUYENHOC_DATABASE is
set, so demo people and reports stay out of the real one by default.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence

from bot import logs
from bot.cli import (
    admin,
    backup,
    branches,
    check,
    demo,
    imports,
    map_migration,
    migrate,
    rollout,
    run,
    units,
)
from bot.cli.common import Command, fail, group, hierarchy_error, unusable_file
from bot.cli.demo import DEMO_DATABASE, demo_map
from bot.config import SettingsError, load_settings
from bot.i18n import N_, translator
from bot.services.hierarchy import HierarchyError, UnitsFileUnreadable
from bot.storage.db import DatabaseUnusable

__all__ = ["DEMO_DATABASE", "demo_map", "main"]

FILE_UNREADABLE = N_(
    "A file the bot needs cannot be read: {path} ({detail}). Reinstall the package, or check "
    "the path you gave."
)
"""Any other file a command could not open (a shipped data file gone from a broken install,
a path given to it): one line, not a traceback."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="khuyenhoc", description="Khuyến học Telegram bot")
    commands = parser.add_subparsers(dest="command", required=True)
    run.add_parsers(commands)
    demo.add_shell(commands)
    migrate.add_parsers(commands)
    admin.add_parsers(group(commands, "admin", help="grant roles"))
    units_commands = group(commands, "units", help="administrative units")
    units.add_parsers(units_commands)
    map_migration.add_parsers(units_commands)
    branches.add_parsers(group(commands, "branches", help="branches (chi hội)"))
    rollout.add_parsers(commands)
    demo.add_demo_data(commands)
    imports.add_parsers(group(commands, "import", help="import figures or baselines (CSV or XLSX)"))
    backup.add_parsers(commands)
    check.add_parsers(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        return fail(
            translator("vi").gettext("Configuration error: {detail}").format(detail=error), 2
        )
    command: Command = args.cli_command
    if command.without_token is not None and settings.token is None:
        command = command.without_token
    logs.configure("WARNING" if command.quiet else settings.log_level, settings.log_format)
    if command.prepare is not None:
        settings = command.prepare(args, settings)
    try:
        return asyncio.run(command.run(args, settings))
    except KeyboardInterrupt:
        return 130
    except (DatabaseUnusable, UnitsFileUnreadable) as error:
        return fail(unusable_file(settings, error))
    except HierarchyError as error:  # the configured units file is malformed
        return fail(f"{settings.units_csv}: {hierarchy_error(settings, error)}")
    except (FileNotFoundError, PermissionError, IsADirectoryError) as error:
        if error.filename is None:
            raise
        return fail(
            translator(settings.default_language)
            .gettext(FILE_UNREADABLE)
            .format(path=error.filename, detail=error.strerror or error)
        )
