"""Log lines: human text by default, one JSON object per line on demand, never a phone number,
and the libraries that log what people sent held back whatever the level."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator

import pytest

from bot import logs


def _record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("bot.updates", logging.WARNING, __file__, 1, message, args, None)
    record.__dict__.update(extra)
    return record


def test_json_is_one_object_per_line_with_the_extra_fields() -> None:
    record = _record("Update %s was delivered again\nsecond line", 42, update_id=42, chat="x")
    line = logs.JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "bot.updates"
    assert entry["message"] == "Update 42 was delivered again\nsecond line"
    assert entry["update_id"] == 42 and entry["chat"] == "x"
    assert entry["time"].endswith("+00:00") and "T" in entry["time"]
    assert set(entry) == {"time", "level", "logger", "message", "update_id", "chat"}


def test_json_carries_the_exception_inside_its_one_line() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord(
            "bot.delivery", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    line = logs.JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["exception"].startswith("Traceback") and "ValueError: boom" in entry["exception"]


def test_text_stays_the_human_line() -> None:
    line = logs.TextFormatter().format(_record("Took over the outbox lease"))
    assert line.endswith(" WARNING bot.updates: Took over the outbox lease")


@pytest.mark.parametrize(
    "phone", ["+84912345678", "0912345678", "0912 345 678", "091.234.5678", "0084912345678"]
)
def test_a_phone_number_never_reaches_a_line(phone: str) -> None:
    for formatter in (logs.TextFormatter(), logs.JsonFormatter()):
        line = formatter.format(_record("Could not send an answer: %s", f"call {phone} now"))
        assert phone not in line and logs.PHONE_MASK in line


@pytest.mark.parametrize(
    "kept",
    ["chat -1001234567890", "user 7000000001", "2026-12-01 14:22:05,419", "127.0.0.1:8443"],
)
def test_ids_times_and_addresses_are_not_taken_for_phones(kept: str) -> None:
    assert logs.mask_phones(kept) == kept


@pytest.fixture
def library_levels() -> Iterator[None]:
    saved = {name: logging.getLogger(name).level for name in logs.LIBRARY_FLOORS}
    yield
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


@pytest.mark.usefixtures("library_levels")
def test_debug_does_not_open_the_libraries_that_log_what_people_sent() -> None:
    logs.configure("DEBUG", "json")
    # python-telegram-bot logs every call's parameters (the texts) and every update at DEBUG
    assert not logging.getLogger("telegram.ext.ExtBot").isEnabledFor(logging.DEBUG)
    assert not logging.getLogger("telegram.ext.Updater").isEnabledFor(logging.DEBUG)
    # aiosqlite logs every statement with its values at DEBUG
    assert not logging.getLogger("aiosqlite").isEnabledFor(logging.DEBUG)
    # httpx logs each URL, the token in it, at INFO
    assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
    assert logging.getLogger("telegram.ext.Application").isEnabledFor(logging.INFO)


@pytest.mark.usefixtures("library_levels")
def test_quiet_commands_keep_the_libraries_quiet_too() -> None:
    logs.configure("WARNING")
    assert not logging.getLogger("telegram.ext.Application").isEnabledFor(logging.INFO)
