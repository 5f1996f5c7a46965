"""Backups: retention by a table of cases, copies that hold every table, restoring safely."""

from __future__ import annotations

import gzip
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.services import backups
from bot.services.backups import (
    BackupChecked,
    Kept,
    NoBotRunning,
    Restored,
    RestoreProblem,
    RestoreRefused,
    RestoreStep,
    Retention,
    to_keep,
)
from bot.storage import backup as store
from bot.storage import leases
from bot.storage.backup import BackupFailed, BackupProblem
from bot.storage.db import LATEST_VERSION, Database

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
LEASE = "outbox"
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


def local(text: str) -> datetime:
    """'2026-12-10 02:30' in the bot's zone."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=TZ)


def nightly(last: str, days: int) -> list[datetime]:
    """One backup a night at 02:30 for `days` nights up to the night of `last`."""
    end = local(f"{last} 02:30")
    return [end - timedelta(days=n) for n in range(days)]


def days_of(moments: set[datetime]) -> list[str]:
    return sorted(m.astimezone(TZ).strftime("%Y-%m-%d %H:%M") for m in moments)


RETENTION_CASES = [
    pytest.param([], Retention(), [], id="nothing"),
    pytest.param([local("2026-12-01 02:30")], Retention(), ["2026-12-01 02:30"], id="one"),
    pytest.param(
        [local("2026-12-01 02:30"), local("2026-12-01 14:00"), local("2026-11-30 02:30")],
        Retention(daily=7, weekly=0, monthly=0),
        ["2026-11-30 02:30", "2026-12-01 14:00"],
        id="the newest of a day is its daily backup",
    ),
    pytest.param(
        nightly("2026-12-10", 10),
        Retention(daily=7, weekly=0, monthly=0),
        [f"2026-12-{day:02d} 02:30" for day in range(4, 11)],
        id="seven days",
    ),
    pytest.param(
        # 2026-12-10 is a Thursday: its ISO week began on Monday 7 December.
        nightly("2026-12-10", 30),
        Retention(daily=0, weekly=4, monthly=0),
        ["2026-11-22 02:30", "2026-11-29 02:30", "2026-12-06 02:30", "2026-12-10 02:30"],
        id="four weeks: the Sunday of each past week, and today",
    ),
    pytest.param(
        nightly("2026-12-10", 400),
        Retention(),
        [
            *(
                f"2026-{m:02d}-{d} 02:30"
                for m, d in zip(range(1, 11), (31, 28, 31, 30, 31, 30, 31, 31, 30, 31), strict=True)
            ),
            "2026-11-22 02:30",
            "2026-11-29 02:30",
            "2026-11-30 02:30",
            *(f"2026-12-{day:02d} 02:30" for day in range(4, 11)),
        ],
        id="400 nights: 7 daily, 4 weekly, 12 monthly, overlapping",
    ),
    pytest.param(
        [local("2026-12-10 02:30"), local("2026-11-20 02:30"), local("2026-10-01 02:30")],
        Retention(daily=7, weekly=0, monthly=0),
        ["2026-10-01 02:30", "2026-11-20 02:30", "2026-12-10 02:30"],
        id="days without a backup do not count: a stopped bot keeps its last backups",
    ),
    pytest.param(
        # 18:00 UTC on 30 November is 01:00 on 1 December in Hà Nội: the same day as 02:30.
        [datetime(2026, 11, 30, 18, 0, tzinfo=UTC), local("2026-12-01 02:30")],
        Retention(daily=7, weekly=0, monthly=0),
        ["2026-12-01 02:30"],
        id="days are the bot's local days",
    ),
    pytest.param(
        [local("2026-12-10 02:30"), local("2026-12-09 02:30")],
        Retention(daily=0, weekly=0, monthly=0),
        ["2026-12-10 02:30"],
        id="the newest is always kept",
    ),
]


@pytest.mark.parametrize(("moments", "retention", "kept"), RETENTION_CASES)
def test_retention(moments: list[datetime], retention: Retention, kept: list[str]) -> None:
    assert days_of(to_keep(moments, TZ, retention)) == kept


def test_names_and_pruning(tmp_path: Path) -> None:
    database = tmp_path / "khuyenhoc.sqlite3"
    moment = datetime(2026, 11, 30, 19, 30, 5, tzinfo=UTC)
    name = backups.backup_name(database, moment)
    assert name == "khuyenhoc-20261130-193005Z.sqlite3.gz"
    assert backups.taken_at(database, name) == moment
    assert backups.taken_at(tmp_path / "other.sqlite3", name) is None
    folder = tmp_path / "backups"
    folder.mkdir()
    for night in nightly("2026-12-10", 40):
        (folder / backups.backup_name(database, night)).write_bytes(b"x")
    strangers = [folder / "notes.txt", folder / "other-20261201-000000Z.sqlite3.gz"]
    for stranger in strangers:
        stranger.write_bytes(b"keep me")
    removed = backups.prune(folder, database, TZ)
    left = backups.backups_in(folder, database)
    assert days_of(set(left.values())) == days_of(to_keep(nightly("2026-12-10", 40), TZ))
    assert len(removed) == 40 - len(left)
    assert all(stranger.exists() for stranger in strangers)


def test_target_of_the_backup_command(tmp_path: Path) -> None:
    database = tmp_path / "khuyenhoc.sqlite3"
    folder = tmp_path / "backups"
    expected = folder / "khuyenhoc-20261201-030000Z.sqlite3.gz"
    assert backups.target_for(database, None, folder, NOW) == expected
    assert backups.target_for(database, tmp_path, folder, NOW) == tmp_path / expected.name
    assert backups.target_for(database, tmp_path / "a.gz", folder, NOW) == tmp_path / "a.gz"
    assert backups.target_for(database, tmp_path / "a.sqlite3", folder, NOW) == (
        tmp_path / "a.sqlite3.gz"
    )


def names(folder: Path, prefix: str = "") -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(prefix))


def tables_and_columns(path: Path) -> dict[str, list[str]]:
    with closing(sqlite3.connect(path)) as conn:
        names = [
            str(row[0])
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {
            name: [str(row[1]) for row in conn.execute(f"PRAGMA table_info({name})")]
            for name in names
        }


async def test_a_copy_holds_every_table_and_row(db: Database, tmp_path: Path) -> None:
    await db.execute(
        "INSERT INTO lease (name, holder, expires_at) VALUES ('x', 'y', '2026-01-01T00:00:00Z')"
    )
    target = tmp_path / "out" / "copy.sqlite3.gz"
    made = await backups.back_up(db.path, target)
    assert made.path == target and target.is_file()
    assert [p.name for p in target.parent.iterdir()] == ["copy.sqlite3.gz"]  # no leftovers
    assert made.checked.version == LATEST_VERSION
    unpacked = tmp_path / "unpacked.sqlite3"
    unpacked.write_bytes(gzip.decompress(target.read_bytes()))
    source = tables_and_columns(db.path)
    assert tables_and_columns(unpacked) == source
    assert set(made.checked.tables) == set(source)
    # the tables of migrations 010-013, and their new columns
    for table in ("notice_event", "unit_successor", "unit_alias", "unit_move", "map_change"):
        assert table in made.checked.tables
    assert "former_district" in source["unit"] and "rank" in source["unit_successor"]
    with closing(sqlite3.connect(db.path)) as a, closing(sqlite3.connect(unpacked)) as b:
        for table in source:
            query = f"SELECT * FROM {table}"
            assert sorted(a.execute(query), key=repr) == sorted(b.execute(query), key=repr), table
        assert b.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file


async def test_bad_backups_are_named_for_what_is_wrong(db: Database, tmp_path: Path) -> None:
    good = tmp_path / "good.sqlite3.gz"
    await backups.back_up(db.path, good)
    truncated = tmp_path / "truncated.sqlite3.gz"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    stranger = tmp_path / "notes.txt"
    stranger.write_text("not a database", encoding="utf-8")
    damaged = tmp_path / "damaged.sqlite3"
    plain = gzip.decompress(good.read_bytes())
    damaged.write_bytes(plain[:8192] + b"\x00" * 4096 + plain[12288:])
    cases = {
        truncated: BackupProblem.TRUNCATED,
        stranger: BackupProblem.NOT_A_BACKUP,
        damaged: BackupProblem.DAMAGED,
        tmp_path / "missing.gz": BackupProblem.MISSING,
    }
    for path, problem in cases.items():
        with pytest.raises(BackupFailed) as failed:
            store.verify(path, tmp_path)
        assert failed.value.problem is problem, path
        assert failed.value.path == path
    assert store.verify(good, tmp_path).version == LATEST_VERSION
    assert names(tmp_path, ".") == []  # no temporary files left


async def test_a_missing_database_is_not_created_by_a_backup(tmp_path: Path) -> None:
    with pytest.raises(BackupFailed) as failed:
        await backups.back_up(tmp_path / "none.sqlite3", tmp_path / "b.gz")
    assert failed.value.problem is BackupProblem.MISSING
    assert names(tmp_path) == []


async def restore(backup: Path, database: Path, **options: bool) -> list[RestoreStep]:
    steps: list[RestoreStep] = []
    await backups.restore(backup, database, lease=LEASE, now=NOW, step=steps.append, **options)
    return steps


async def test_restore_keeps_the_replaced_database(db: Database, tmp_path: Path) -> None:
    backup = tmp_path / "b.sqlite3.gz"
    await backups.back_up(db.path, backup)
    await db.execute("INSERT INTO lease (name, holder, expires_at) VALUES ('after', 'b', 'c')")
    await db.close()
    steps = await restore(backup, db.path)
    kept = db.path.with_name("test.20261201-030000.replaced.sqlite3")
    assert [type(step) for step in steps] == [BackupChecked, NoBotRunning, Kept, Restored]
    assert steps[2] == Kept(kept)
    with closing(sqlite3.connect(kept)) as old, closing(sqlite3.connect(db.path)) as new:
        query = "SELECT name FROM lease WHERE name = 'after'"
        assert old.execute(query).fetchall() == [("after",)]
        assert new.execute(query).fetchall() == []
    async with Database(db.path) as reopened:  # the bot opens it as always
        assert await reopened.version() == LATEST_VERSION
    assert names(tmp_path, ".") == []


async def test_restore_into_a_new_place(db: Database, tmp_path: Path) -> None:
    backup = tmp_path / "b.sqlite3.gz"
    await backups.back_up(db.path, backup)
    target = tmp_path / "new" / "bot.sqlite3"
    steps = await restore(backup, target)
    assert [type(step) for step in steps] == [BackupChecked, Restored]
    assert store.check(target).version == LATEST_VERSION


async def test_restore_refuses_while_a_bot_holds_the_lease(db: Database, tmp_path: Path) -> None:
    backup = tmp_path / "b.sqlite3.gz"
    await backups.back_up(db.path, backup)
    assert await leases.acquire(db, LEASE, "host:123:ab", NOW, timedelta(seconds=30))
    with pytest.raises(RestoreRefused) as refused:
        await restore(backup, db.path)
    assert refused.value.problem is RestoreProblem.BOT_RUNNING
    assert refused.value.detail == "host:123:ab"
    assert not db.path.with_name("test.20261201-030000.replaced.sqlite3").exists()
    with pytest.raises(RestoreRefused):  # force is for an unreadable database, not a live bot
        await restore(backup, db.path, force=True)
    await leases.release(db, LEASE, "host:123:ab")
    await db.close()
    steps = await restore(backup, db.path)
    assert isinstance(steps[1], NoBotRunning)


async def test_a_lease_that_ran_out_is_no_running_bot(db: Database, tmp_path: Path) -> None:
    """A bot killed outright keeps its lease until it runs out (30 s), not longer."""
    backup = tmp_path / "b.sqlite3.gz"
    await backups.back_up(db.path, backup)
    assert await leases.acquire(
        db, LEASE, "dead", NOW - timedelta(minutes=1), timedelta(seconds=30)
    )
    await db.close()
    assert await backups.bot_running(db.path, LEASE, NOW) is None
    assert isinstance((await restore(backup, db.path))[1], NoBotRunning)


async def test_restore_of_a_damaged_database_needs_force(db: Database, tmp_path: Path) -> None:
    backup = tmp_path / "b.sqlite3.gz"
    await backups.back_up(db.path, backup)
    await db.close()
    db.path.write_bytes(b"garbage" * 1000)
    with pytest.raises(RestoreRefused) as refused:
        await restore(backup, db.path)
    assert refused.value.problem is RestoreProblem.CANNOT_TELL
    assert db.path.read_bytes().startswith(b"garbage")
    steps = await restore(backup, db.path, force=True)
    assert [type(step).__name__ for step in steps] == [
        "BackupChecked",
        "RunningUnknown",
        "Kept",
        "Restored",
    ]
    assert store.check(db.path).version == LATEST_VERSION


async def test_restore_refuses_a_bad_or_newer_backup(db: Database, tmp_path: Path) -> None:
    bad = tmp_path / "bad.gz"
    bad.write_bytes(gzip.compress(b"not sqlite at all"))
    with pytest.raises(BackupFailed) as failed:
        await restore(bad, db.path)
    assert failed.value.problem is BackupProblem.NOT_A_BACKUP
    newer = tmp_path / "newer.sqlite3.gz"
    await backups.back_up(db.path, newer)
    plain = tmp_path / "newer.sqlite3"
    plain.write_bytes(gzip.decompress(newer.read_bytes()))
    with closing(sqlite3.connect(plain)) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    with pytest.raises(RestoreRefused) as refused:
        await restore(plain, db.path)
    assert refused.value.problem is RestoreProblem.NEWER_VERSION
    assert await db.version() == LATEST_VERSION  # untouched, still open
    assert [name for name in names(tmp_path) if ".replaced." in name] == []
