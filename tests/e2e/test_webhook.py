"""Webhook mode: Telegram (here the fake) posts updates to the bot instead of being polled."""

from __future__ import annotations

import shutil
import socket
from datetime import datetime
from pathlib import Path

import aiohttp
import pytest

from bot.fake_bot_api import FakeBotApi
from bot.storage import update_journal
from bot.storage.db import Database
from tests.e2e.conftest import BotUnderTest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_updates_arrive_on_the_webhook(
    fake: FakeBotApi, tmp_path: Path, units_template: Path
) -> None:
    port = free_port()
    shutil.copyfile(units_template, tmp_path / "bot.sqlite3")
    bot = BotUnderTest(fake, tmp_path / "bot.sqlite3")
    bot.settings = bot.settings.model_copy(
        update={
            "webhook_url": f"http://127.0.0.1:{port}",
            "webhook_port": port,
        }
    )
    await bot.start()
    try:
        assert fake.webhook_url == f"http://127.0.0.1:{port}/telegram"
        assert fake.webhook_secret  # a secret is always set, random when none is configured
        user = fake.user(6001)
        await user.send("/start")
        assert "họ và tên" in user.last_text
        assert fake.stats.polls_started == 0  # nothing polled

        async with aiohttp.ClientSession() as session:  # a forger without the secret
            forged = {
                "update_id": 999,
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": {"id": 6002, "type": "private"},
                    "text": "/start",
                },
            }
            async with session.post(fake.webhook_url, json=forged) as answer:
                assert answer.status == 403
        assert fake.user(6002).messages == []
    finally:
        await bot.stop()


async def test_a_webhook_update_is_written_down_before_the_200(
    fake: FakeBotApi, tmp_path: Path, units_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Telegram forgets an update once it got the 200: by then it must be in the journal. And
    Telegram posting the same update again (it missed our 200) is handled once."""
    port = free_port()
    shutil.copyfile(units_template, tmp_path / "bot.sqlite3")
    bot = BotUnderTest(fake, tmp_path / "bot.sqlite3")
    bot.settings = bot.settings.model_copy(
        update={"webhook_url": f"http://127.0.0.1:{port}", "webhook_port": port}
    )
    recorded_while_unconfirmed: list[bool] = []
    record = update_journal.record

    async def watched(db: Database, update_id: int, payload: str, now: datetime) -> bool:
        fresh = await record(db, update_id, payload, now)
        recorded_while_unconfirmed.append(not fake.is_confirmed(update_id))
        return fresh

    monkeypatch.setattr(update_journal, "record", watched)
    await bot.start()
    try:
        user = fake.user(6003)
        mark = fake.mark()
        update_id = user.send_nowait("/start")
        await fake.settle_all()
        assert recorded_while_unconfirmed == [True]
        fake.redeliver(update_id)
        await fake.settle_all()
        assert fake.handed_out(update_id) == 2
        assert recorded_while_unconfirmed == [True, True]
        welcomes = [m for m in fake.new_messages(user.id, mark) if "họ và tên" in m.content]
        assert len(welcomes) == 1
    finally:
        await bot.stop()
