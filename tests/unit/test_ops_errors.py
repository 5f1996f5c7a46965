"""The operators' error summary: nothing a person typed, fits one message, repeats counted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from telegram import Update

from bot.config import SettingsError, load_settings
from bot.i18n import translator
from handlers.failure_report import (
    MASKED,
    REMOVED,
    TELEGRAM_LIMIT,
    Failure,
    Repeats,
    exception_line,
    frames_of,
    redact,
    render,
    summarize,
    update_kind,
    update_texts,
)


def _update(**fields: Any) -> Update:
    person = {"id": 40, "is_bot": False, "first_name": "Cúc"}
    chat = {"id": 40, "type": "private"}
    if "message" in fields:
        fields["message"] = {
            "message_id": 1,
            "date": 0,
            "chat": chat,
            "from": person,
            **fields["message"],
        }
    if "callback_query" in fields:
        fields["callback_query"] = {
            "id": "1",
            "from": person,
            "chat_instance": "1",
            **fields["callback_query"],
        }
    return Update.de_json({"update_id": 5, **fields}, None)


def test_redact_removes_the_typed_text_in_every_form_and_masks_numbers() -> None:
    typed = "0912 345 678"
    message = (
        f"invalid literal for int() with base 10: {typed!r}; also +84912345678 and 0912.345.678"
    )
    redacted = redact(message, [typed])
    assert (
        redacted
        == f"invalid literal for int() with base 10: '{REMOVED}'; also {MASKED} and {MASKED}"
    )
    assert (
        redact("name 'Nguyễn Thị\\nHoa' is bad", ["Nguyễn Thị\nHoa"]) == f"name '{REMOVED}' is bad"
    )
    assert redact("Hello nguyễn thị hoa!", ["Nguyễn  Thị Hoa "]) == f"Hello {REMOVED}!"
    assert redact("KeyError: 'Hoa'", ["hoa"]) == f"KeyError: '{REMOVED}'"
    # a short answer goes only as a word of its own, so the message still reads
    assert redact("invalid answer: 'a'", ["a"]) == f"invalid answer: '{REMOVED}'"
    # five digits, a year, a time: kept
    assert redact("line 12345 in 1962 at 10:00", []) == "line 12345 in 1962 at 10:00"


def test_the_exception_line_is_type_and_redacted_message() -> None:
    error = ValueError("bad phone 0912345678 from 'An Bình'")
    assert exception_line(error, ["An Bình"]) == f"ValueError: bad phone {MASKED} from '{REMOVED}'"
    assert exception_line(KeyError(), []) == "KeyError"
    assert len(exception_line(RuntimeError("x" * 5000), [])) < 1000


def test_frames_are_places_only_never_values() -> None:
    def fails(phone: str) -> None:
        secret = phone * 2
        raise ValueError(f"cannot read {secret}")

    try:
        fails("0912345678")
    except ValueError as error:
        frames = frames_of(error)
        failure = summarize(error, None, None)
    assert str(frames[-1]).startswith("tests/unit/test_ops_errors.py:")
    assert str(frames[-1]).endswith(":test_frames_are_places_only_never_values.<locals>.fails")
    assert failure.key[0] == "ValueError" and failure.key[1] == str(frames[-1])
    text = render(translator("en"), failure)
    assert "0912345678" not in text and MASKED in text
    assert failure.flow == "—" and failure.kind == "—" and failure.user_id is None


def test_causes_are_summarised_too() -> None:
    try:
        try:
            int("0912 345 678")
        except ValueError as inner:
            raise RuntimeError("saving failed") from inner
    except RuntimeError as error:
        failure = summarize(error, _update(message={"text": "0912 345 678"}), None)
    assert (
        failure.causes[0][0] == f"ValueError: invalid literal for int() with base 10: '{REMOVED}'"
    )
    text = render(translator("en"), failure)
    assert "Caused by: ValueError" in text and "345 678" not in text


def test_what_an_update_was_without_its_text() -> None:
    assert update_kind(_update(message={"text": "Nguyễn Thị Hoa"})) == "message (text)"
    command = {
        "text": "/start ABC123",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
    }
    assert update_kind(_update(message=command)) == "message /start"
    assert update_kind(_update(message={"text": "/0912345678"})) == f"message /{MASKED}"
    assert update_kind(_update(message={"text": "👤 Hội viên mới"})) == "message (menu member)"
    contact = {"contact": {"phone_number": "+84912345678", "first_name": "Cúc"}}
    assert update_kind(_update(message=contact)) == "message (contact)"
    assert "+84912345678" in update_texts(_update(message=contact))
    assert update_kind(_update(callback_query={"data": "member:7:o:2"})) == "callback_query member"
    assert update_kind(_update(callback_query={"data": "0912345678"})) == "callback_query ?"
    assert update_kind(None) == "—"


def _failure(frames: int) -> Failure:
    return Failure(
        flow="member",
        kind="message (text)",
        user_id=40,
        update_id=5,
        job=None,
        error="ValueError: " + "x" * 700,
        frames=tuple(f"bot/module_{i}.py:{i}:function_{i}" for i in range(frames)),
    )


def test_a_long_traceback_is_cut_to_one_message_keeping_the_innermost_frames() -> None:
    text = render(translator("vi"), _failure(500))
    assert len(text.encode("utf-16-le")) // 2 <= TELEGRAM_LIMIT
    assert text.splitlines()[-1] == "bot/module_499.py:499:function_499"
    assert "bot/module_0.py:0:function_0" not in text
    assert "… lược bớt" in text and "Luồng: member" in text
    short = render(translator("en"), _failure(3))
    assert "frames left out" not in short and short.count("\nbot/module_") == 3


def test_repeats_within_ten_minutes_are_counted_and_reported_with_the_next_post() -> None:
    repeats = Repeats()
    start = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
    key = ("ValueError", "handlers/answers.py:86:phone")
    assert repeats.note(key, start).post
    assert not repeats.note(key, start + timedelta(minutes=1)).post
    assert not repeats.note(key, start + timedelta(minutes=9)).post
    assert repeats.note(("KeyError", "x"), start + timedelta(minutes=2)).post  # another error
    later = repeats.note(key, start + timedelta(minutes=10))
    assert later.post and later.count == 3 and later.since == start
    text = render(translator("vi"), _failure(1), later, ZoneInfo("Asia/Ho_Chi_Minh"))
    assert text.endswith("(× 3 lần kể từ 10:00 28/11/2026)")
    quiet = repeats.note(key, start + timedelta(minutes=30))
    assert quiet.post and quiet.count == 0  # nothing held back since the last post


@pytest.mark.parametrize(
    ("value", "expected"),
    [("123456789", 123456789), (" -1001234567890 ", -1001234567890), ("", None)],
)
def test_ops_chat_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str, expected: int | None
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KHUYENHOC_OPS_CHAT_ID", value)
    assert load_settings().ops_chat_id == expected


@pytest.mark.parametrize("value", ["abc", "12.5", "0", "+12", "--5", "1" * 17, "١٢"])
def test_a_bad_ops_chat_stops_start_up_with_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KHUYENHOC_OPS_CHAT_ID", value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith("KHUYENHOC_OPS_CHAT_ID: expected a Telegram chat id")
    assert "\n" not in message


def test_no_ops_chat_by_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KHUYENHOC_OPS_CHAT_ID", raising=False)
    assert load_settings().ops_chat_id is None
