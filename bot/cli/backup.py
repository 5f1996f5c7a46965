"""`khuyenhoc backup [PATH]` and `khuyenhoc restore FILE`: a checked, compressed copy of the
database made while the bot runs, and putting one back once the bot is stopped (the rules are
`bot.services.backups`; the copying `bot.storage.backup`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.common import Command, Subcommands, add_command, fail, translator_for
from bot.config import Settings
from bot.i18n import N_, Translator
from bot.services import backups
from bot.services.backups import (
    BackupChecked,
    Kept,
    NoBotRunning,
    RestoreProblem,
    RestoreRefused,
    RestoreStep,
    RunningUnknown,
)
from bot.storage.backup import BackupFailed, BackupProblem
from bot.storage.db import LATEST_VERSION, utc_now

BACKUP_PROBLEMS = {
    BackupProblem.MISSING: N_("There is no file {path}."),
    BackupProblem.NOT_A_BACKUP: N_(
        "{path} is not a backup: neither a SQLite database nor a gzip file of one."
    ),
    BackupProblem.TRUNCATED: N_(
        "{path} is incomplete or damaged (the gzip data ends early or fails its checksum): {detail}"
    ),
    BackupProblem.DAMAGED: N_("{path} fails SQLite's integrity check: {detail}"),
    BackupProblem.CANNOT_WRITE: N_("{path} cannot be written: {detail}"),
    BackupProblem.CANNOT_READ: N_("{path} cannot be read: {detail}"),
}
NOTHING_BACKED_UP = N_("Nothing was backed up.")
NOTHING_CHANGED = N_("Nothing was changed.")


def _problem(t: Translator, error: BackupFailed, outcome: str) -> str:
    text = t.gettext(BACKUP_PROBLEMS[error.problem]).format(path=error.path, detail=error.detail)
    return f"{text} {t.gettext(outcome)}"


def _megabytes(t: Translator, size: int) -> str:
    if size < 1_000_000:
        return t.gettext("{size} kB").format(size=t.number(max(1, round(size / 1000))))
    return t.gettext("{size} MB").format(size=t.number(round(size / 1_000_000, 1)))


async def _backup(args: argparse.Namespace, settings: Settings) -> int:
    t = translator_for(settings)
    target = backups.target_for(settings.database, args.path, settings.backup_folder, utc_now())
    try:
        made = await backups.back_up(settings.database, target)
    except BackupFailed as error:
        return fail(_problem(t, error, NOTHING_BACKED_UP))
    checked = made.checked
    print(
        t.gettext(
            "Copied {database} with SQLite's online backup ({size}); the bot may run meanwhile."
        ).format(database=settings.database, size=_megabytes(t, checked.database_bytes))
    )
    print(
        t.gettext(
            "Checked the copy: integrity_check ok, version {version}, {tables} tables."
        ).format(version=checked.version, tables=t.number(len(checked.tables)))
    )
    print(
        t.gettext("Compressed (gzip) and written to {path} ({size}).").format(
            path=made.path, size=_megabytes(t, made.compressed_bytes)
        )
    )
    return 0


def _step_line(t: Translator, step: RestoreStep) -> str:
    """One line per step of a restore, as it is done."""
    if isinstance(step, BackupChecked):
        return t.gettext(
            "Checked the backup {backup}: integrity_check ok, version {version}, {tables} tables."
        ).format(
            backup=step.backup,
            version=step.checked.version,
            tables=t.number(len(step.checked.tables)),
        )
    if isinstance(step, NoBotRunning):
        return t.gettext("No bot runs on {database}: nobody holds its outbox lease.").format(
            database=step.database
        )
    if isinstance(step, RunningUnknown):
        return t.gettext(
            "Cannot tell whether a bot runs on {database} ({detail}); going on because of --force."
        ).format(database=step.database, detail=step.detail)
    if isinstance(step, Kept):
        return t.gettext("Kept the database it replaces as {kept}.").format(kept=step.kept)
    if step.checked.version < LATEST_VERSION:
        return t.gettext(
            "Restored {database} (version {version}; the bot upgrades it to {latest} when it "
            "starts). Start the bot again."
        ).format(database=step.database, version=step.checked.version, latest=LATEST_VERSION)
    return t.gettext("Restored {database}. Start the bot again.").format(database=step.database)


def _refusal(t: Translator, refused: RestoreRefused, database: Path) -> str:
    if refused.problem is RestoreProblem.BOT_RUNNING:
        text = t.gettext(
            "A bot runs on {database} ({holder} holds its outbox lease): stop it first, then "
            "restore. A bot that was killed lets go of the lease within 30 seconds."
        )
    elif refused.problem is RestoreProblem.CANNOT_TELL:
        text = t.gettext(
            "{database} cannot be read to tell whether a bot runs on it ({detail}). Make sure "
            "no bot runs on it, then restore with --force."
        )
    else:
        text = t.gettext(
            "The backup is at version {version}, made by a newer bot than this one "
            "({latest}): restore it with that version."
        )
    line = text.format(
        database=database,
        holder=refused.detail,
        detail=refused.detail,
        version=refused.detail,
        latest=LATEST_VERSION,
    )
    return f"{line} {t.gettext(NOTHING_CHANGED)}"


async def _restore(args: argparse.Namespace, settings: Settings) -> int:
    from bot.delivery import LEASE  # the lease every running bot's deliverer holds

    t = translator_for(settings)

    def step(done: RestoreStep) -> None:
        print(_step_line(t, done), flush=True)

    try:
        await backups.restore(
            args.file,
            settings.database,
            lease=LEASE,
            now=utc_now(),
            step=step,
            force=args.force,
        )
    except BackupFailed as error:
        return fail(_problem(t, error, NOTHING_CHANGED))
    except RestoreRefused as refused:
        return fail(_refusal(t, refused, settings.database))
    return 0


def add_parsers(commands: Subcommands) -> None:
    backup = add_command(
        commands,
        "backup",
        Command(_backup, quiet=True),
        help="a checked, gzipped copy of the database, made while the bot may run; by default "
        "a timestamped file in KHUYENHOC_BACKUP_DIR",
    )
    backup.add_argument(
        "path",
        nargs="?",
        type=Path,
        default=None,
        help="the file to write (.gz is added), or a folder for the timestamped file",
    )
    restore = add_command(
        commands,
        "restore",
        Command(_restore, quiet=True),
        help="replace the database by a backup once the bot is stopped (the backup is checked "
        "first; the replaced database is kept, renamed with the time)",
    )
    restore.add_argument("file", type=Path, help="a backup: .sqlite3.gz or a plain SQLite file")
    restore.add_argument(
        "--force",
        action="store_true",
        help="restore even when the current database cannot be read to tell whether a bot "
        "runs on it (never while a bot holds its lease)",
    )
