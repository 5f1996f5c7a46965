"""The bot as separate processes: `kill -9` mid-conversation, and the offline console."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import open_database
from bot.config import THAI_BINH_2024, Settings
from bot.fake_bot_api import FakeBotApi
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import Role
from bot.text import fold
from tests.conftest import branch, person
from tests.e2e.conftest import TOKEN

QUIET = 1.2
"""The bot in its own process keeps Telegram's pace of one message a second per chat: the fake
waits a little longer than that before it calls the bot quiet."""


def bot_env(fake: FakeBotApi, database: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "KHUYENHOC_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=fake.base_url,
        TELEGRAM_API_BASE_FILE_URL=fake.base_file_url,
        KHUYENHOC_DATABASE=str(database),
    )
    return env


async def start_bot(fake: FakeBotApi, database: Path, cwd: Path) -> asyncio.subprocess.Process:
    polls_before = fake.stats.polls_started
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        env=bot_env(fake, database),
        cwd=cwd,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    for _ in range(300):  # up to 30 s for the interpreter to start and poll
        if fake.stats.polls_started > polls_before:
            return process
        if process.returncode is not None:
            break
        await asyncio.sleep(0.1)
    process.kill()
    raise AssertionError("the bot process did not start polling")


@pytest.fixture
async def seeded(tmp_path: Path) -> AsyncIterator[tuple[Path, str]]:
    """A database with one commune chair and two branches; yields (path, commune name)."""
    path = tmp_path / "bot.sqlite3"
    # Thái Bình's 2024 map: registration still walks district → commune → branch.
    db: Database = await open_database(Settings(database=path, units_csv=THAI_BINH_2024.path))
    district = (await unit_store.search(db, "dong hung"))[0]
    commune = (await unit_store.children(db, district.id))[0]
    await branch(db, commune, "Thôn Đông")
    await branch(db, commune, "Thôn Tây")
    await person(db, 30, Role.COMMUNE_CHAIR, commune)
    await db.close()
    yield path, commune.name


async def test_kill_9_in_the_middle_of_registration_resumes(
    tmp_path: Path, seeded: tuple[Path, str]
) -> None:
    database, commune = seeded
    async with FakeBotApi(quiet_period=QUIET) as fake:
        process = await start_bot(fake, database, tmp_path)
        try:
            user = fake.user(3001)
            await user.send("/start")
            await user.press("✅ Tôi đồng ý")  # the privacy notice
            await user.send("Nguyễn Văn Kiên")
            await user.press("Đông Hưng")
            assert "Xã, phường hoặc thị trấn nào" in user.last_text
        finally:
            process.send_signal(signal.SIGKILL)
            await process.wait()
        assert process.returncode == -signal.SIGKILL

        process = await start_bot(fake, database, tmp_path)
        try:
            await user.send(fold(commune))
            await user.press(commune)
            await user.press("Thôn Đông")
            assert "đang chờ duyệt" in user.last_text
            assert "Nguyễn Văn Kiên" in fake.user(30).last_text
        finally:
            process.terminate()
            await process.wait()
    async with Database(database) as db:
        request = await people.pending_request_of(db, 3001)
        assert request is not None and request.full_name == "Nguyễn Văn Kiên"


async def test_kill_9_in_the_middle_of_a_report_keeps_the_answers(
    tmp_path: Path, seeded: tuple[Path, str]
) -> None:
    database, _ = seeded
    async with Database(database) as db:
        branch_row = await db.fetchone("SELECT id FROM unit WHERE name = 'Thôn Đông'")
        assert branch_row is not None
        await db.execute("INSERT INTO app_user (telegram_id) VALUES (40)")
        await db.execute(
            "INSERT INTO role_grant (telegram_id, role, unit_id) VALUES (40, 'volunteer', ?)",
            (branch_row[0],),
        )
    async with FakeBotApi(quiet_period=QUIET) as fake:
        process = await start_bot(fake, database, tmp_path)
        volunteer = fake.user(40)
        try:
            await volunteer.send("/member")
            await volunteer.send("Nguyễn Thị Hằng")
            await volunteer.press("Nữ")
            assert "Năm sinh" in volunteer.last_text
        finally:
            process.send_signal(signal.SIGKILL)
            await process.wait()
        process = await start_bot(fake, database, tmp_path)
        try:
            await volunteer.send("1964")
            await volunteer.press("📅 Hôm nay")
            await volunteer.press("⏭ Bỏ qua")
            assert "Nguyễn Thị Hằng" in volunteer.last_text and "Nữ" in volunteer.last_text
            await volunteer.press("💾 Lưu")
        finally:
            process.terminate()
            await process.wait()
    async with Database(database) as db:
        rows = await db.fetchall("SELECT full_name, gender, birth_year FROM member")
        assert [tuple(row) for row in rows] == [("Nguyễn Thị Hằng", "female", 1964)]


async def test_make_run_without_token_opens_the_console(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "KHUYENHOC_"))}
    # Today's map: the province's communes, then the branches of the seeded first one.
    # The privacy notice's ✅ first.
    script = "\n".join(["/start", "1", "Nguyễn Văn An", "1", "1", ":as 2", "1", ":quit", ""])
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        env=env,
        cwd=tmp_path,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(script.encode()), timeout=60)
    text = out.decode()
    assert process.returncode == 0, err.decode()
    assert text.splitlines()[0].startswith("Chưa có TELEGRAM_BOT_TOKEN: mở bảng điều khiển")
    assert "Chào mừng bạn đến với trợ lý Hội Khuyến học" in text
    assert "người dùng 2 là chủ tịch hội xã A Sào" in text
    assert "[1] xã A Sào" in text and "Huyện" not in text
    assert "Yêu cầu đăng ký mới" in text
    assert "[→ 1001] 🤖 🎉 Yêu cầu đăng ký của bạn đã được duyệt" in text
    assert "Traceback" not in text + err.decode()
    assert (tmp_path / "khuyenhoc-demo.sqlite3").exists()


BURST = 30


async def test_kill_9_during_a_burst_loses_no_message(
    tmp_path: Path, seeded: tuple[Path, str]
) -> None:
    """30 volunteers send /member and their name at once; the bot dies mid-burst. After the
    restart every message has its answer, once: nothing acknowledged to Telegram was
    forgotten, nothing seen was shown again."""
    database, _ = seeded
    ids = [4000 + n for n in range(BURST)]
    async with Database(database) as db:
        branch_row = await db.fetchone("SELECT id FROM unit WHERE name = 'Thôn Đông'")
        assert branch_row is not None
        for telegram_id in ids:
            await db.execute("INSERT INTO app_user (telegram_id) VALUES (?)", (telegram_id,))
            await db.execute(
                "INSERT INTO role_grant (telegram_id, role, unit_id) VALUES (?, 'volunteer', ?)",
                (telegram_id, branch_row[0]),
            )
    async with FakeBotApi(quiet_period=QUIET, latency=0.02) as fake:
        process = await start_bot(fake, database, tmp_path)
        people = [fake.user(telegram_id) for telegram_id in ids]
        mark = fake.mark()
        try:
            for n, user in enumerate(people):
                user.send_nowait("/member")
                user.send_nowait(f"Nguyễn Văn {'ABCDEGHIKLMNOPQRSTUVXY'[n % 22]}{'aeiou'[n // 22]}")
            # Die once a part of them were answered: the rest are in the journal, mid-work, or
            # not fetched yet.
            await fake.wait_until(
                lambda: sum(len(fake.new_messages(i, mark)) for i in ids) >= BURST // 2,
                timeout=30,
                what="the first answers",
            )
        finally:
            process.send_signal(signal.SIGKILL)
            await process.wait()
        answered_before = sum(len(fake.new_messages(i, mark)) for i in ids)
        assert answered_before < 2 * BURST, "the kill came too late to test anything"
        process = await start_bot(fake, database, tmp_path)
        try:
            await fake.settle_all(timeout=60)
        finally:
            process.terminate()
            await process.wait()
    for user in people:
        texts = [m.content for m in fake.new_messages(user.id, mark)]
        # Exactly once: a reply on the wire at the kill is marked as having left and is not
        # sent again; one not yet handed to HTTP goes out after the restart.
        assert len(texts) == 2, (user.id, texts)
        assert "Họ và tên" in texts[0] and "Nam hay nữ" in texts[1], (user.id, texts)
