"""What the `khuyenhoc` subcommands share: how one is declared (`Command`, `add_command`,
`group`), the operator's language, a refusal as one line on stderr (`fail`), and the words for
a file that cannot be used, so every command explains a problem the same way."""

from __future__ import annotations

import argparse
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeAlias

from bot.config import Settings, parse_iso_day
from bot.i18n import N_, Translator, translator
from bot.services.hierarchy import HierarchyError, UnitsFileUnreadable
from bot.storage.db import Database, DatabaseProblem, DatabaseUnusable, utc_now

Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


@dataclass(frozen=True)
class Command:
    """How `main` runs a subcommand; `add_command` puts it on the subcommand's parser."""

    run: Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]]
    # Warnings only in the log: the console, and commands whose output is their progress.
    quiet: bool = False
    # The settings this command runs with, from the configured ones (the demo database...).
    prepare: Callable[[argparse.Namespace, Settings], Settings] | None = None
    # What runs instead when TELEGRAM_BOT_TOKEN is not set (`run` opens the console).
    without_token: Command | None = None


def add_command(
    commands: Subcommands, name: str, command: Command, *, help: str
) -> argparse.ArgumentParser:
    """A subcommand's parser, which runs `command`; add its arguments to what this returns."""
    parser = commands.add_parser(name, help=help)
    parser.set_defaults(cli_command=command)
    return parser


def group(commands: Subcommands, name: str, help: str) -> Subcommands:
    """A subcommand made of subcommands (`khuyenhoc units load`): add them to what this returns."""
    parent = commands.add_parser(name, help=help)
    return parent.add_subparsers(dest=f"{name}_command", required=True)


def translator_for(settings: Settings) -> Translator:
    """The office's language, which the command line speaks."""
    return translator(settings.default_language)


def fail(message: str, code: int = 1) -> int:
    """Say why nothing was done, on stderr, and give the exit code to return."""
    print(message, file=sys.stderr)
    return code


@asynccontextmanager
async def database(settings: Settings, *, configured_units: bool = True) -> AsyncIterator[Database]:
    """The configured database, created or upgraded, closed afterwards. A new one gets the
    configured units (as `run` does) unless `configured_units` is false: a command that loads
    a units file of its own."""
    if configured_units:
        from bot.app import open_database  # the bot's modules load only for what needs them

        db = await open_database(settings)
    else:
        db = await Database(settings.database).open()
    try:
        yield db
    finally:
        await db.close()


def iso_day(text: str) -> date:
    """An argument's day, YYYY-MM-DD."""
    day = parse_iso_day(text)
    if day is None:
        raise argparse.ArgumentTypeError(
            f"expected a day as YYYY-MM-DD, such as 2025-07-01: {text}"
        )
    return day


def backup_name(path: Path) -> Path:
    """NAME.<UTC time>.bak.sqlite3 beside the database: where a copy or the old file goes."""
    stamp = utc_now().strftime("%Y%m%d-%H%M%S")
    return path.with_name(f"{path.stem}.{stamp}.bak{path.suffix}")


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


def unusable_file(settings: Settings, error: DatabaseUnusable | UnitsFileUnreadable) -> str:
    """One line for the operator instead of a traceback: which file, and what to do."""
    t = translator_for(settings)
    if isinstance(error, DatabaseUnusable):
        text = DATABASE_PROBLEMS[error.problem]
    else:
        text = UNITS_FILE_MISSING if error.missing else UNITS_FILE_UNREADABLE
    return t.gettext(text).format(path=error.path, detail=error.detail)


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


def hierarchy_error(settings: Settings, error: HierarchyError) -> str:
    """What is wrong in a units or branches file, and where; nothing of it was loaded."""
    t = translator_for(settings)
    problem = t.gettext(HIERARCHY_PROBLEMS.get(error.code, error.code))
    if not error.line:
        return t.gettext("Nothing was loaded: {problem} {value}").format(
            problem=problem, value=error.value
        )
    return t.gettext("Nothing was loaded: line {line}: {problem} {value}").format(
        line=error.line, problem=problem, value=error.value
    )
