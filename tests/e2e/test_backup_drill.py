"""The restore drill: volunteers keep reporting through the bot while a backup is made; the
backup is restored; every report committed before the backup began is there, the copy is
sound and consistent, and the bot works on it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.delivery import LEASE
from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.services import backups, counters
from bot.services.backups import (
    BackupChecked,
    Kept,
    NoBotRunning,
    Restored,
    RestoreProblem,
    RestoreRefused,
    RestoreStep,
)
from bot.storage import backup as store
from bot.storage.db import LATEST_VERSION, Database, utc_now
from bot.storage.models import Role
from tests.conftest import person
from tests.e2e.conftest import BotUnderTest, World

WRITERS = 8
FIRST_ID = 7100


LETTERS = "ABCDEGHIKLMNOPQRSTUVXY"


def spelled(number: int) -> str:
    """A name has no digits: 0 → "A", 21 → "Y", 22 → "Ba", 23 → "Bb"."""
    word = LETTERS[number % len(LETTERS)]
    while number := number // len(LETTERS):
        word = LETTERS[number % len(LETTERS)] + word.lower()
    return word


async def file_member(user: FakeUser, name: str) -> None:
    await user.send("/member")
    await user.send(name)
    await user.press("Nữ")
    await user.send("1962")
    await user.press("📅 Hôm nay")
    await user.press("⏭")
    await user.press("💾 Lưu")


async def member_ids(db: Database) -> set[int]:
    """The members committed so far (the read connection sees committed data only)."""
    return {int(row["id"]) for row in await db.fetchall("SELECT id FROM member")}


async def grows(db: Database, beyond: int) -> None:
    """Wait (up to a minute) until more than `beyond` members are committed."""
    async with asyncio.timeout(60):
        while True:
            if len(await member_ids(db)) >= beyond:
                return
            await asyncio.sleep(0.05)


async def test_backup_while_reporting_then_restore(
    fake: FakeBotApi, bot: BotUnderTest, world: World, tmp_path: Path
) -> None:
    people = []
    for n in range(WRITERS):
        await person(bot.db, FIRST_ID + n, Role.VOLUNTEER, world.branch, f"Tình Nguyện {n}")
        people.append(fake.user(FIRST_ID + n))
    stop = asyncio.Event()

    async def keep_reporting(user: FakeUser, n: int) -> int:
        filed = 0
        while not stop.is_set():
            await file_member(user, f"Hội Viên {LETTERS[n]} {spelled(filed)}")
            filed += 1
        return filed

    writers = [asyncio.create_task(keep_reporting(u, n)) for n, u in enumerate(people)]
    try:
        await grows(bot.db, WRITERS)  # reporting is under way

        committed_before = await member_ids(bot.db)
        target = tmp_path / "backups" / backups.backup_name(bot.db.path, utc_now())
        made = await backups.back_up(bot.db.path, target)
        await grows(bot.db, len(committed_before) + WRITERS)  # and went on past the backup

        # The bot is running: its deliverer holds the lease, so a restore is refused.
        refused_steps: list[RestoreStep] = []
        with pytest.raises(RestoreRefused) as refused:
            await backups.restore(
                target, bot.db.path, lease=LEASE, now=utc_now(), step=refused_steps.append
            )
        assert refused.value.problem is RestoreProblem.BOT_RUNNING
        assert [type(step) for step in refused_steps] == [BackupChecked]  # checked first
    finally:
        stop.set()
        filed = await asyncio.gather(*writers)
    assert all(count >= 1 for count in filed)
    committed_after = await member_ids(bot.db)
    assert len(committed_after) == sum(filed)
    await bot.stop()

    steps: list[RestoreStep] = []
    await backups.restore(target, bot.db.path, lease=LEASE, now=utc_now(), step=steps.append)
    assert [type(step) for step in steps] == [BackupChecked, NoBotRunning, Kept, Restored]
    kept = steps[2]
    assert isinstance(kept, Kept)

    checked = store.check(bot.db.path)  # integrity_check passes
    assert checked.version == LATEST_VERSION
    assert set(checked.tables) == set(made.checked.tables) == set(store.check(kept.kept).tables)
    async with Database(kept.kept) as replaced:
        assert await member_ids(replaced) == committed_after  # nothing lost by replacing it
    async with Database(bot.db.path) as restored:
        present = await member_ids(restored)
        # one committed state: the counters agree with the rows
        assert await counters.recompute(restored) == []
    assert committed_before <= present <= committed_after

    # The bot runs on the restored database: a volunteer reports again. (The writers' own
    # conversations are back where they were at the backup: a form half filled.)
    await bot.start()
    assert bot.application is not None
    runtime = bot.application.bot_data["runtime"]
    assert runtime.deliverer.holds_lease  # the backup's lease was dropped: no wait for it
    await person(bot.db, FIRST_ID + WRITERS, Role.VOLUNTEER, world.branch, "Người Mới")
    await file_member(fake.user(FIRST_ID + WRITERS), "Sau Khôi Phục")
    assert len(await member_ids(bot.db)) == len(present) + 1
    rows = await bot.db.fetchall("SELECT full_name FROM member WHERE full_name = 'Sau Khôi Phục'")
    assert len(rows) == 1


async def test_daily_backup_job_writes_in_the_backup_folder(
    bot: BotUnderTest, tmp_path: Path
) -> None:
    """The job the bot runs each day at KHUYENHOC_BACKUP_TIME, run now."""
    assert bot.application is not None and bot.application.job_queue is not None
    jobs = bot.application.job_queue.get_jobs_by_name("backup")
    assert len(jobs) == 1
    folder = bot.settings.backup_folder
    assert folder == bot.db.path.parent / "backups"
    await jobs[0].run(bot.application)
    made = backups.backups_in(folder, bot.db.path)
    assert len(made) == 1
    (path,) = made
    assert store.verify(path, tmp_path).version == LATEST_VERSION
