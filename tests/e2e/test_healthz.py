"""Webhook mode's `/healthz`: 200 with the database answering and the outbox backlog, 503 when
the database does not answer; and Telegram's updates still arrive on the same server."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot import webhook
from bot.fake_bot_api import FakeBotApi
from bot.storage import health
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import Role
from tests.conftest import person
from tests.e2e.conftest import BotUnderTest
from tests.e2e.test_webhook import free_port


@pytest.fixture
async def webhook_bot(
    fake: FakeBotApi, tmp_path: Path, units_template: Path
) -> AsyncIterator[tuple[BotUnderTest, str]]:
    """The bot on a webhook; yields it and the address of its /healthz."""
    port = free_port()
    shutil.copyfile(units_template, tmp_path / "bot.sqlite3")
    under_test = BotUnderTest(fake, tmp_path / "bot.sqlite3")
    under_test.settings = under_test.settings.model_copy(
        update={"webhook_url": f"http://127.0.0.1:{port}", "webhook_port": port}
    )
    await under_test.start()
    try:
        yield under_test, f"http://127.0.0.1:{port}/healthz"
    finally:
        await under_test.stop()


async def get(url: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session, session.get(url) as answer:
        return answer.status, await answer.json()


async def test_healthz_answers_with_the_database_and_the_backlog(
    fake: FakeBotApi, webhook_bot: tuple[BotUnderTest, str]
) -> None:
    bot, healthz = webhook_bot
    assert await get(healthz) == (200, {"database": "ok", "backlog": 0})

    # Three messages the deliverer has still to send (a retry later, not due yet).
    broadcast = await bot.db.execute(
        "INSERT INTO broadcast (kind, created_at) VALUES ('broadcast', '2026-11-28T03:00:00Z')"
    )
    await bot.db.executemany(
        "INSERT INTO outbox (broadcast_id, recipient_id, text, next_attempt_at) "
        "VALUES (?, ?, 'Xin chào', '2099-01-01T00:00:00Z')",
        [(broadcast, 9000 + n) for n in range(3)],
    )
    assert await get(healthz) == (200, {"database": "ok", "backlog": 3})

    # The same server still takes Telegram's updates.
    root = await unit_store.root(bot.db)
    assert root is not None
    await person(bot.db, 6101, Role.PROVINCE_ADMIN, root, "Quản Trị")
    user = fake.user(6101)
    mark = fake.mark()
    await user.send("/help")
    assert fake.new_messages(user.id, mark), "no answer on the webhook"
    assert fake.stats.polls_started == 0


async def test_healthz_is_503_when_the_database_does_not_answer(
    webhook_bot: tuple[BotUnderTest, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, healthz = webhook_bot

    async def broken(db: Database) -> int:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(health, "outbox_backlog", broken)
    assert await get(healthz) == (503, {"database": "unreachable"})

    async def hung(db: Database) -> int:
        await asyncio.sleep(60)
        return 0

    monkeypatch.setattr(health, "outbox_backlog", hung)
    monkeypatch.setattr(webhook, "HEALTH_TIMEOUT", 0.2)
    assert await get(healthz) == (503, {"database": "unreachable"})


async def test_a_closed_database_is_unreachable(db: Database) -> None:
    assert await webhook.database_health(db) == (200, {"database": "ok", "backlog": 0})
    await db.close()
    assert await webhook.database_health(db) == (503, {"database": "unreachable"})


async def test_telegram_posts_need_json_and_the_secret(
    fake: FakeBotApi, webhook_bot: tuple[BotUnderTest, str]
) -> None:
    update = {
        "update_id": 999,
        "message": {
            "message_id": 1,
            "date": 0,
            "text": "/start",
            "chat": {"id": 6002, "type": "private"},
        },
    }
    url = fake.webhook_url
    headers = {webhook.SECRET_HEADER: fake.webhook_secret}
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json=update) as answer:
            assert answer.status == 403
        async with session.post(url, json=update, headers={webhook.SECRET_HEADER: "wrong"}) as a:
            assert a.status == 403
        async with session.post(url, data="{}", headers=headers) as answer:  # not JSON
            assert answer.status == 403
        async with session.post(
            url, data="[1, 2", headers={**headers, "Content-Type": "application/json"}
        ) as answer:
            assert answer.status == 400
    assert fake.user(6002).messages == []
