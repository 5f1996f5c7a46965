"""An unexpected error reaches the operators' chat, without what the person typed."""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.fake_bot_api import FakeBotApi, FakeUser
from handlers import answers, members
from tests.e2e.conftest import VOLUNTEER, BotUnderTest

OPS = 777
TYPED = "0912 345 678"
APOLOGY = "Xin lỗi, hệ thống vừa gặp sự cố."
# What must never reach the operators or the log: the typed text and its digits in any form.
LEAKS = (TYPED, "345 678", "0912345678", "912345678", "Nguyễn Thị Hoa")


def broken_phone(answer: str) -> str:
    """Fails the way a careless parser would: quoting the answer and the number it made."""
    raise ValueError(f"invalid literal for int() with base 10: {answer!r} (+84912345678)")


@pytest.fixture
def ops_chat_id() -> int | None:
    return OPS


@pytest.fixture
async def bot(
    fake: FakeBotApi, tmp_path: Path, units_template: Path, ops_chat_id: int | None
) -> AsyncIterator[BotUnderTest]:
    shutil.copyfile(units_template, tmp_path / "bot.sqlite3")
    under_test = BotUnderTest(fake, tmp_path / "bot.sqlite3", ops_chat_id=ops_chat_id)
    await under_test.start()
    yield under_test
    await under_test.stop()


async def up_to_the_phone(volunteer: FakeUser) -> None:
    await volunteer.send("/member")
    await volunteer.send("Nguyễn Thị Hoa")
    await volunteer.press("Nữ")
    await volunteer.send("1962")
    await volunteer.press("📅 Hôm nay")
    assert "điện thoại" in volunteer.last_text


def assert_redacted(text: str) -> None:
    for leak in LEAKS:
        assert leak not in text, (leak, text)


async def test_an_error_is_posted_once_redacted_then_counted(
    volunteer: FakeUser,
    fake: FakeBotApi,
    bot: BotUnderTest,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ops = fake.user(OPS)
    await up_to_the_phone(volunteer)
    monkeypatch.setattr(answers, "normalize_phone", broken_phone)
    caplog.set_level(logging.INFO)

    await volunteer.send(TYPED)
    assert APOLOGY in volunteer.last_text
    assert len(ops.texts) == 1
    post = ops.texts[0]
    assert post.startswith("⚠️ Lỗi ngoài dự kiến")
    assert "Luồng: member" in post
    assert "message (text)" in post
    assert f"Người dùng: {VOLUNTEER}" in post
    assert "ValueError: invalid literal for int() with base 10: '‹…›' (‹#›)" in post
    assert "tests/e2e/test_ops_errors.py:" in post and ":broken_phone" in post
    assert "handlers/answers.py:" in post
    assert_redacted(post)

    logged = [r.getMessage() for r in caplog.records if r.name == "handlers.errors"]
    assert len(logged) == 1
    assert "⚠️ Unexpected error" in logged[0] and "Flow: member" in logged[0]
    assert "ValueError: invalid literal for int() with base 10: '‹…›' (‹#›)" in logged[0]
    assert ":broken_phone" in logged[0]
    assert all(r.exc_info is None for r in caplog.records if r.name == "handlers.errors")
    for record in caplog.records:
        assert_redacted(record.getMessage())

    await volunteer.send(TYPED)  # the same error a minute later: counted, not posted
    assert APOLOGY in volunteer.last_text
    assert len(ops.texts) == 1
    assert len([r for r in caplog.records if r.name == "handlers.errors"]) == 2

    bot.advance(timedelta(minutes=11))
    await volunteer.send(TYPED)
    assert len(ops.texts) == 2
    assert "(× 2 lần kể từ 10:00 28/11/2026)" in ops.texts[1]
    assert_redacted(ops.texts[1])


async def test_a_command_is_named_and_a_job_error_is_posted(
    volunteer: FakeUser, fake: FakeBotApi, bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    ops = fake.user(OPS)

    async def broken_begin(*_: object) -> None:
        raise RuntimeError("no form today")

    monkeypatch.setattr(members.FLOW, "begin", broken_begin)
    await volunteer.send("/member 0912345678")
    assert APOLOGY in volunteer.last_text
    post = ops.last_text
    assert "message /member" in post and "RuntimeError: no form today" in post
    assert ":test_a_command_is_named_and_a_job_error_is_posted.<locals>.broken_begin" in post
    assert "0912345678" not in post

    async def broken_job(_: object) -> None:
        raise KeyError("nothing")

    assert bot.application is not None and bot.application.job_queue is not None
    bot.application.job_queue.run_once(broken_job, 0, name="nightly")
    for _ in range(200):  # a job's error is posted at once, not after an update
        if len(ops.texts) == 2:
            break
        await asyncio.sleep(0.01)
    assert "Tác vụ: nightly" in ops.last_text and "KeyError: 'nothing'" in ops.last_text
    assert "Người dùng: —" in ops.last_text


@pytest.mark.parametrize("ops_chat_id", [None])
async def test_without_an_ops_chat_nothing_is_posted(
    volunteer: FakeUser, fake: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    await up_to_the_phone(volunteer)
    monkeypatch.setattr(answers, "normalize_phone", broken_phone)
    await volunteer.send(TYPED)
    assert APOLOGY in volunteer.last_text
    assert OPS not in fake.users or not fake.user(OPS).texts
    assert all(not m.content.startswith("⚠️") for m in volunteer.messages)
