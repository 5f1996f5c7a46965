"""Backups and restoring one: what a backup is called, which ones are kept, and when a restore
may replace the database.

The copying itself is `bot.storage.backup` (SQLite's online backup API, `integrity_check`,
gzip); here are the rules around it:

- A backup is `<database stem>-<UTC time>Z.sqlite3.gz` (`khuyenhoc-20261130-193000Z.sqlite3.gz`):
  the name says when it was taken, whatever happens to the file's own dates when it is copied.
- Retention (`to_keep`): the newest backup of each of the last 7 days that have one, of each of
  the last 4 ISO weeks and of each of the last 12 months, in the bot's time zone; and always the
  newest. Only files named as above, for this database, are ever deleted.
- A restore checks the backup first, refuses while a bot runs on the database (see
  `bot_running`), keeps the database it replaces under a timestamped name, and only then puts
  the backup in its place.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from enum import StrEnum
from pathlib import Path

from bot.storage import backup as store
from bot.storage.backup import BackupFailed, Checked, Copy
from bot.storage.db import LATEST_VERSION

SUFFIX = ".sqlite3.gz"
_STAMP = "%Y%m%d-%H%M%S"
_NAME = re.compile(r"^(?P<stem>.+)-(?P<stamp>[0-9]{8}-[0-9]{6})Z\.sqlite3\.gz$")


@dataclass(frozen=True)
class Retention:
    """How many days, ISO weeks and months keep their newest backup."""

    daily: int = 7
    weekly: int = 4
    monthly: int = 12


RETENTION = Retention()


def backup_name(database: Path, moment: datetime) -> str:
    return f"{database.stem}-{moment.astimezone(UTC).strftime(_STAMP)}Z{SUFFIX}"


def taken_at(database: Path, name: str) -> datetime | None:
    """When the backup `name` of `database` was taken; None for any other file."""
    match = _NAME.match(name)
    if match is None or match["stem"] != database.stem:
        return None
    try:
        return datetime.strptime(match["stamp"], _STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None


def default_target(database: Path, folder: Path, moment: datetime) -> Path:
    return folder / backup_name(database, moment)


def target_for(database: Path, given: Path | None, folder: Path, moment: datetime) -> Path:
    """Where `khuyenhoc backup [PATH]` writes: a timestamped file in the backup folder, or in
    the folder `given`, or the file `given` (`.gz` added: the file is always gzipped)."""
    if given is None:
        return default_target(database, folder, moment)
    if given.is_dir():
        return default_target(database, given, moment)
    return given if given.name.endswith(".gz") else given.with_name(given.name + ".gz")


def to_keep(
    moments: Iterable[datetime], tz: tzinfo, retention: Retention = RETENTION
) -> set[datetime]:
    """The backups (by the time they were taken) retention keeps; the others may go.

    Each rule walks from the newest backup back and keeps the newest one of each period until
    it has kept its count of periods; periods without a backup do not count, so a bot stopped
    for a fortnight still keeps seven daily backups.
    """
    ordered = sorted(set(moments), reverse=True)
    keep = set(ordered[:1])

    def day(moment: date) -> Hashable:
        return moment

    def week(moment: date) -> Hashable:
        iso = moment.isocalendar()
        return (iso.year, iso.week)

    def month(moment: date) -> Hashable:
        return (moment.year, moment.month)

    rules: tuple[tuple[int, Callable[[date], Hashable]], ...] = (
        (retention.daily, day),
        (retention.weekly, week),
        (retention.monthly, month),
    )
    for count, period in rules:
        seen: set[Hashable] = set()
        for moment in ordered:
            key = period(moment.astimezone(tz).date())
            if key in seen:
                continue
            if len(seen) >= count:
                break
            seen.add(key)
            keep.add(moment)
    return keep


def backups_in(folder: Path, database: Path) -> dict[Path, datetime]:
    """The backups of `database` in `folder`, by when each was taken."""
    if not folder.is_dir():
        return {}
    found = {}
    for path in folder.iterdir():
        moment = taken_at(database, path.name)
        if moment is not None and path.is_file():
            found[path] = moment
    return found


def prune(folder: Path, database: Path, tz: tzinfo, retention: Retention = RETENTION) -> list[Path]:
    """Delete the backups of `database` in `folder` that retention does not keep; returns them."""
    found = backups_in(folder, database)
    keep = to_keep(found.values(), tz, retention)
    removed = []
    for path, moment in sorted(found.items(), key=lambda item: item[1]):
        if moment not in keep:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


async def back_up(database: Path, target: Path) -> Copy:
    """A verified, compressed copy of `database` at `target`, made while the bot may write."""
    return await asyncio.to_thread(store.make_copy, database, target)


@dataclass(frozen=True)
class DailyBackup:
    copy: Copy
    removed: list[Path]


async def daily_backup(
    database: Path, folder: Path, now: datetime, tz: tzinfo, retention: Retention = RETENTION
) -> DailyBackup:
    """The daily job: a backup in the folder, then retention. A failed copy deletes nothing."""
    made = await back_up(database, default_target(database, folder, now))
    removed = await asyncio.to_thread(prune, folder, database, tz, retention)
    return DailyBackup(copy=made, removed=removed)


# --- Restoring ----------------------------------------------------------------------------


class RestoreProblem(StrEnum):
    BOT_RUNNING = "bot_running"
    """A bot holds the outbox lease of the database: `detail` names the process."""
    CANNOT_TELL = "cannot_tell"
    """The current database cannot be read to tell whether a bot runs on it (`detail`)."""
    NEWER_VERSION = "newer_version"
    """The backup was made by a newer version of the bot (`detail`: its schema version)."""


class RestoreRefused(Exception):
    def __init__(self, problem: RestoreProblem, detail: str = "") -> None:
        super().__init__(f"{problem.value}: {detail}" if detail else problem.value)
        self.problem = problem
        self.detail = detail


@dataclass(frozen=True)
class BackupChecked:
    backup: Path
    checked: Checked


@dataclass(frozen=True)
class NoBotRunning:
    database: Path


@dataclass(frozen=True)
class RunningUnknown:
    """`--force`: the current database could not be read; restoring anyway."""

    database: Path
    detail: str


@dataclass(frozen=True)
class Kept:
    kept: Path


@dataclass(frozen=True)
class Restored:
    database: Path
    checked: Checked


RestoreStep = BackupChecked | NoBotRunning | RunningUnknown | Kept | Restored


def kept_name(database: Path, moment: datetime) -> str:
    """`khuyenhoc.sqlite3` replaced at 10:15 UTC: `khuyenhoc.20261201-101500.replaced.sqlite3`."""
    stamp = moment.astimezone(UTC).strftime(_STAMP)
    return f"{database.stem}.{stamp}.replaced{database.suffix}"


async def bot_running(database: Path, lease: str, now: datetime) -> str | None:
    """Which process runs a bot on `database` (None: none does).

    The signal is the deliverer's lease: every running bot's deliverer holds it (or waits for a
    holder that does) and renews it every 10 s, and it runs out 30 s after its holder stopped
    renewing it. A stopped bot gives it up; one killed outright holds it for those 30 s at most.
    (The update journal is no such signal: an idle bot writes nothing to it for hours.)
    """
    try:
        return await store.lease_holder(database, lease, now)
    except BackupFailed as error:
        raise RestoreRefused(RestoreProblem.CANNOT_TELL, error.detail or error.problem) from error


async def restore(
    backup: Path,
    database: Path,
    *,
    lease: str,
    now: datetime,
    step: Callable[[RestoreStep], None],
    force: bool = False,
) -> None:
    """Put the database a backup holds in place of `database`, telling `step` each step.

    Order: check the backup (unpacked beside the database, `integrity_check`), make sure no bot
    runs on the database, rename the database (with its WAL) to `kept_name`, drop the copy's
    leases (its holders ran when it was made) and rename it into place. `force` restores when
    the current database cannot even be read to tell whether a bot runs on it; it never
    overrides a lease a bot holds.
    """
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupFailed(
            database, store.BackupProblem.CANNOT_WRITE, error.strerror or str(error)
        ) from error
    unpacked = store.sibling(database, "restoring")
    try:
        checked = await asyncio.to_thread(store.unpack, backup, unpacked)
        if checked.version > LATEST_VERSION:
            raise RestoreRefused(RestoreProblem.NEWER_VERSION, str(checked.version))
        step(BackupChecked(backup, checked))
        if await asyncio.to_thread(database.exists):
            try:
                holder = await bot_running(database, lease, now)
            except RestoreRefused as refused:
                if not force:
                    raise
                step(RunningUnknown(database, refused.detail))
            else:
                if holder is not None:
                    raise RestoreRefused(RestoreProblem.BOT_RUNNING, holder)
                step(NoBotRunning(database))
            step(Kept(store.set_aside(database, kept_name(database, now))))
        await asyncio.to_thread(store.forget_leases, unpacked)
        store.put_in_place(unpacked, database)
        step(Restored(database, checked))
    finally:
        store.discard(unpacked)
