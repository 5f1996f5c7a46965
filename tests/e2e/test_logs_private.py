"""What a person types, and their phone number, never reach a log line: the bot's own log
calls do not carry them, and the libraries that do (below INFO) are held back by bot.logs."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot import logs
from bot.fake_bot_api import FakeUser
from tests.e2e.conftest import TOKEN

TYPED = ("Nguyễn Thị Hoa", "0912 345 678", "+84912345678", "0227 3831 234")
SECRETS = (*TYPED, TOKEN)
"""What was typed, and the token (httpx logs each URL, the token in it, at INFO)."""


def _floor(logger: str) -> int:
    """The least severe level bot.logs lets this logger write (none: any)."""
    floors = [
        level
        for name, level in logs.LIBRARY_FLOORS.items()
        if logger == name or logger.startswith(name + ".")
    ]
    return max(floors, default=logging.NOTSET)


@pytest.fixture
def libraries_unbridled() -> Iterator[None]:
    """The libraries at their own levels, whatever `main()` in an earlier test set."""
    saved = {name: logging.getLogger(name).level for name in logs.LIBRARY_FLOORS}
    for name in saved:
        logging.getLogger(name).setLevel(logging.NOTSET)
    yield
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


@pytest.mark.usefixtures("libraries_unbridled")
async def test_a_member_with_a_phone_leaves_no_trace_in_the_log(
    volunteer: FakeUser, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # everything, the libraries' DEBUG included
    await volunteer.send("/hoivien")
    await volunteer.send("Nguyễn Thị Hoa")
    await volunteer.press("Nữ")
    await volunteer.send("1962")
    await volunteer.press("📅 Hôm nay")
    await volunteer.send("0227 3831 234")  # a landline: refused, and asked again
    await volunteer.send("0912 345 678")
    await volunteer.press("💾 Lưu")
    assert "Đã lưu hội viên mới" in volunteer.last_text

    def carries(record: logging.LogRecord) -> bool:
        return any(text in record.getMessage() for text in SECRETS)

    leaking = [record for record in caplog.records if carries(record)]
    # The capture sees them: python-telegram-bot and aiosqlite log the texts at DEBUG...
    assert leaking, "no record carried the typed text: is the capture working?"
    for record in leaking:
        typed = any(text in record.getMessage() for text in TYPED)
        # ...never at INFO or above (the token: httpx at INFO), never the bot's own code,
        # and always below the floor bot.logs.configure sets for that library: never written.
        assert not typed or record.levelno < logging.INFO, record.getMessage()
        assert not record.name.startswith(("bot.", "handlers.")), record.name
        assert record.levelno < _floor(record.name), record.name
