"""Webhook mode: Telegram (here the fake) posts updates to the bot instead of being polled."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import aiohttp

from bot.fake_bot_api import FakeBotApi
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
