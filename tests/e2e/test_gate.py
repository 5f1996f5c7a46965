"""The door: whoever is not registered yet gets one polite answer to every command and button.

The commands are collected from the handlers the application really registered, so a new
command is covered here without anyone remembering to add it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Iterable
from typing import Any

import pytest
from telegram.ext import BaseHandler, CommandHandler, ConversationHandler

from bot.app import COMMANDS
from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.i18n import translator
from bot.services.registration import Standing
from bot.storage import people
from bot.text import fold
from handlers.common import CANCEL_COMMANDS, HELP_COMMANDS, LANGUAGE_COMMANDS, MENU
from handlers.dialogs import DialogRouter
from handlers.privacy import MY_DATA_COMMANDS
from tests.e2e.conftest import BotUnderTest, World

VI = translator("vi")
OPEN = {"start", *HELP_COMMANDS, *LANGUAGE_COMMANDS, *CANCEL_COMMANDS, *MY_DATA_COMMANDS}
"""/mydata too: anyone may get what is stored about them (handlers/privacy.py)."""
REGISTERING_TEXT = "Bạn đang đăng ký dở. Vui lòng trả lời câu hỏi ở trên, hoặc gửi /huy"
PENDING_TEXT = "Yêu cầu đăng ký của bạn đang chờ chủ tịch hội duyệt"
UNKNOWN_TEXT = "Bạn chưa đăng ký. Gửi /start để đăng ký."
APOLOGY = "hệ thống vừa gặp sự cố"
EXPECTED = {
    Standing.REGISTERING: REGISTERING_TEXT,
    Standing.PENDING: PENDING_TEXT,
    Standing.UNKNOWN: UNKNOWN_TEXT,
}


def _walk(handlers: Iterable[BaseHandler[Any, Any, Any]]) -> set[str]:
    found: set[str] = set()
    for handler in handlers:
        if isinstance(handler, CommandHandler):
            found |= set(handler.commands)
        elif isinstance(handler, DialogRouter):
            found |= {c for dialog in handler.dialogs for c in dialog.entry.commands}
        elif isinstance(handler, ConversationHandler):
            found |= _walk(handler.entry_points)
            found |= _walk(h for hs in handler.states.values() for h in hs)
            found |= _walk(handler.fallbacks)
    return found


def every_command(bot: BotUnderTest) -> set[str]:
    """Every command some handler answers, English names and Vietnamese aliases."""
    assert bot.application is not None
    found = _walk(h for group in bot.application.handlers.values() for h in group)
    published = {name for name, _ in COMMANDS}
    assert published <= found, published - found
    return found


def gated_messages(bot: BotUnderTest) -> list[str]:
    """What a person without a role must not get a task's answer to: every command but the
    open ones (some with arguments, as people type them), an unknown one, every task button."""
    commands = sorted(every_command(bot) - OPEN)
    assert {"stats", "thongke", "report", "baocao", "myreports", "pending", "menu"} <= set(commands)
    labels = [VI.gettext(item.label) for item in MENU if item.command not in OPEN]
    return [
        *(f"/{name}" for name in commands),
        "/baocao 2025",
        "/reminders off",
        "/stats Đông Hưng 2025",
        "/xyz",
        *labels,
    ]


def _empty_keyboards(fake: FakeBotApi, since: int) -> list[Any]:
    """Reply keyboards without a button the bot asked for (Telegram refuses them). Kept for
    sending after the commit, an empty keyboard loses its rows and comes out as a force-reply,
    which the bot never sends: that counts too."""
    found = []
    for call in fake.requests[since:]:
        markup = call.params.get("reply_markup")
        if isinstance(markup, str) and markup:
            markup = json.loads(markup)
        if not isinstance(markup, dict):
            continue
        if "force_reply" in markup or ("keyboard" in markup and not any(markup["keyboard"])):
            found.append(markup)
    return found


async def one_answer(
    fake: FakeBotApi, user: FakeUser, act: Awaitable[Any], *, button: bool = False
) -> str:
    """Do `act` (a coroutine not awaited yet); the bot must answer exactly once (a message, or
    a button's notice), with no failed Bot API call and no empty keyboard. Returns the text."""
    since, answers = len(fake.requests), len(user.callback_answers)
    await act
    failed = [(c.method, c.status) for c in fake.requests[since:] if c.status != 200]
    assert not failed, failed
    assert not _empty_keyboards(fake, since)
    new_answers = [a for a in user.callback_answers[answers:] if a]
    if button:
        assert user.new_texts == [], user.new_texts
        assert len(new_answers) == 1, new_answers
        text = new_answers[0]
    else:
        assert len(user.new_texts) == 1, user.new_texts
        assert new_answers == []
        text = user.new_texts[0]
    assert APOLOGY not in text
    return text


async def all_refused(
    fake: FakeBotApi, bot: BotUnderTest, user: FakeUser, standing: Standing
) -> None:
    """Every gated command and button gets the standing's one answer."""
    expected = EXPECTED[standing]
    for text in gated_messages(bot):
        answer = await one_answer(fake, user, user.send(text))
        assert expected in answer, (text, answer)
    for data in ("st:x", "inv:r:volunteer", "regd:ok:1", "junk"):
        answer = await one_answer(fake, user, user.press_data(data), button=True)
        assert expected in answer, (data, answer)


async def open_ones_answer(fake: FakeBotApi, user: FakeUser, standing: Standing) -> None:
    """/help and /language (and their buttons) answer once and keep what is under way."""
    helped = "Gửi /start để đăng ký" if standing is Standing.UNKNOWN else EXPECTED[standing]
    for command in [*(f"/{name}" for name in HELP_COMMANDS), VI.gettext("❓ Help")]:
        answer = await one_answer(fake, user, user.send(command))
        assert helped in answer, (command, answer)
    for command in [*(f"/{name}" for name in LANGUAGE_COMMANDS), VI.gettext("🌐 Language")]:
        answer = await one_answer(fake, user, user.send(command))
        assert "Chọn ngôn ngữ" in answer
        answer = await one_answer(fake, user, user.press("🇻🇳 Tiếng Việt"))
        assert "Đã chuyển sang Tiếng Việt." in answer and EXPECTED[standing] in answer


def no_errors(caplog: pytest.LogCaptureFixture) -> None:
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []


async def test_half_registered_people_are_told_what_to_do_and_keep_their_answers(
    fake: FakeBotApi, bot: BotUnderTest, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    user = fake.user(3001)
    await user.send("/start")
    await user.press("✅ Tôi đồng ý")  # the privacy notice
    assert "họ và tên" in user.last_text
    await all_refused(fake, bot, user, Standing.REGISTERING)
    await open_ones_answer(fake, user, Standing.REGISTERING)
    await user.send("Nguyễn Văn An")  # the name question is still the one being answered
    assert "Nguyễn Văn An" in user.last_text
    assert "huyện hoặc thành phố" in user.last_text
    await user.press("Đông Hưng")
    await user.send(fold(world.commune.name))
    await user.press(world.commune.name)
    assert "chi hội nào" in user.last_text

    await all_refused(fake, bot, user, Standing.REGISTERING)
    await open_ones_answer(fake, user, Standing.REGISTERING)
    assert set(user.buttons) >= {"Thôn Đông", "Thôn Tây"}  # the question on screen stays
    await user.press("Thôn Đông")
    assert "đang chờ duyệt" in user.last_text
    chair = fake.user(World.CHAIR)
    requests = [text for text in chair.texts if "Yêu cầu đăng ký mới" in text]
    assert len(requests) == 1 and "Nguyễn Văn An" in requests[0]
    request = await people.pending_request_of(bot.db, 3001)
    assert request is not None and request.full_name == "Nguyễn Văn An"

    # (b) Waiting for the chair: the same answers, now saying so.
    await all_refused(fake, bot, user, Standing.PENDING)
    await open_ones_answer(fake, user, Standing.PENDING)
    answer = await one_answer(fake, user, user.send("xin chào"))
    assert PENDING_TEXT in answer
    answer = await one_answer(fake, user, user.press_data("registration:1:u:1"), button=True)
    assert PENDING_TEXT in answer  # an old picker button registers nothing
    answer = await one_answer(fake, user, user.send("/stats"))
    assert "Nguyễn Văn An" in answer  # their request, and what they can do with it
    assert user.buttons == ["↩ Rút lại yêu cầu", "🔁 Chọn chi hội khác"]
    for name in CANCEL_COMMANDS:
        answer = await one_answer(fake, user, user.send(f"/{name}"))
        assert "Không có việc gì đang làm dở" in answer and PENDING_TEXT in answer
    assert await people.grants_of(bot.db, 3001) == []
    no_errors(caplog)


async def test_people_never_seen_are_told_to_register(
    fake: FakeBotApi, bot: BotUnderTest, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    stranger = fake.user(3002)
    await all_refused(fake, bot, stranger, Standing.UNKNOWN)
    await open_ones_answer(fake, stranger, Standing.UNKNOWN)
    for name in CANCEL_COMMANDS:
        answer = await one_answer(fake, stranger, stranger.send(f"/{name}"))
        assert "Không có việc gì đang làm dở" in answer and UNKNOWN_TEXT in answer
    for text in ("/xyz", "xin chào", "/"):
        answer = await one_answer(fake, stranger, stranger.send(text))
        assert UNKNOWN_TEXT in answer
    answer = await one_answer(
        fake, stranger, stranger.press_data("registration:1:u:1"), button=True
    )
    assert UNKNOWN_TEXT in answer
    assert await people.grants_of(bot.db, 3002) == []
    await stranger.send("/start")  # and the way forward works
    assert "họ và tên" in stranger.last_text
    no_errors(caplog)


async def test_registration_cancelled_by_either_command_then_nothing_is_under_way(
    fake: FakeBotApi, bot: BotUnderTest, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    user = fake.user(3003)
    for name in CANCEL_COMMANDS:
        await user.send("/start")
        await user.send("Vũ Thị Lan")
        answer = await one_answer(fake, user, user.send(f"/{name}"))
        assert "Đã hủy đăng ký" in answer
        answer = await one_answer(fake, user, user.send(f"/{name}"))
        assert "Không có việc gì đang làm dở" in answer and UNKNOWN_TEXT in answer
        answer = await one_answer(fake, user, user.send("/stats"))
        assert UNKNOWN_TEXT in answer
    assert await people.pending_request_of(bot.db, 3003) is None
    no_errors(caplog)


async def test_a_registering_mark_left_without_its_conversation_is_dropped(
    fake: FakeBotApi, bot: BotUnderTest, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    user = fake.user(3004)
    await user.send("/help")
    assert bot.application is not None
    bot.application.user_data[3004]["registering"] = True  # as an older version could leave it
    answer = await one_answer(fake, user, user.send("xin chào"))
    assert UNKNOWN_TEXT in answer
    answer = await one_answer(fake, user, user.send("/stats"))
    assert UNKNOWN_TEXT in answer
    no_errors(caplog)


async def test_registered_people_keep_their_menu(
    fake: FakeBotApi, bot: BotUnderTest, volunteer: FakeUser, caplog: pytest.LogCaptureFixture
) -> None:
    for text in ("/cancel", "/huy", "/xyz", "xin chào", "/menu"):
        await one_answer(fake, volunteer, volunteer.send(text))
        assert "❓ Trợ giúp" in volunteer.reply_keyboard
    answer = await one_answer(fake, volunteer, volunteer.send("/myreports"))
    assert UNKNOWN_TEXT not in answer
    no_errors(caplog)
