"""The real Application, built by the project's factory, polling a fake Bot API over HTTP."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import (
    BotApplication,
    build_application,
    open_database,
    start_bot,
    stop_bot,
)
from bot.config import Settings
from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.rate_limit import Limits
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import Role, Unit
from bot.updates import PerChatUpdateProcessor
from tests.conftest import branch, person

TOKEN = "123456:test-token"
SCRIPTED_PACE = Limits(private_chat=(), group_chat=())
"""A script types faster than any person, and Telegram's one message a second per chat would
make every step of these tests wait. The fake here enforces no limits; the limiter's pacing
per chat is tested in tests/unit/test_rate_limit.py and measured against a fake that enforces
Telegram's limits in benchmarks/load.py. The overall pace and the lanes stay as in production."""


class BotUnderTest:
    """Starts, stops and restarts the bot on one database file; the clock is ours to move."""

    def __init__(self, fake: FakeBotApi, database: Path, *, ops_chat_id: int | None = None) -> None:
        self.fake = fake
        self.settings = Settings(
            telegram_bot_token=TOKEN,
            telegram_api_base_url=fake.base_url,
            telegram_api_base_file_url=fake.base_file_url,
            database=database,
            ops_chat_id=ops_chat_id,
        )
        self.now = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
        self.application: BotApplication | None = None
        self._db: Database | None = None

    @property
    def db(self) -> Database:
        assert self._db is not None
        return self._db

    def advance(self, delta: timedelta) -> None:
        self.now += delta

    async def start(self) -> None:
        self._db = await open_database(self.settings)
        application = build_application(
            self.settings, self._db, clock=lambda: self.now, rate_limits=SCRIPTED_PACE
        )
        await start_bot(application)
        self.fake.idle_hook = application.update_queue.join
        self.application = application

    async def tell_waiting(self) -> None:
        """Send the notices of changes a test made straight through a service (the bot sends
        them with the next update, or within half a minute)."""
        assert self.application is not None
        processor = self.application.update_processor
        assert isinstance(processor, PerChatUpdateProcessor)
        await processor.flush_notices()

    async def stop(self) -> None:
        application = self.application
        if application is None:
            return
        self.fake.idle_hook = None
        await stop_bot(application)
        await self.db.close()
        self.application = None


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as api:
        yield api


@pytest.fixture
async def bot(
    fake: FakeBotApi, tmp_path: Path, units_template: Path
) -> AsyncIterator[BotUnderTest]:
    shutil.copyfile(units_template, tmp_path / "bot.sqlite3")
    under_test = BotUnderTest(fake, tmp_path / "bot.sqlite3")
    await under_test.start()
    yield under_test
    await under_test.stop()


class World:
    """Đông Hưng district, two of its communes with branches, and the people in charge."""

    province: Unit
    district: Unit
    commune: Unit
    other_commune: Unit
    branch: Unit
    other_branch: Unit

    ADMIN, DISTRICT_CHAIR, CHAIR, OTHER_CHAIR = 10, 20, 30, 31


@pytest.fixture
async def world(bot: BotUnderTest) -> World:
    db = bot.db
    w = World()
    root = await unit_store.root(db)
    assert root is not None
    w.province = root
    w.district = (await unit_store.search(db, "dong hung"))[0]
    communes = await unit_store.children(db, w.district.id)
    w.commune, w.other_commune = communes[0], communes[1]
    w.branch = await branch(db, w.commune, "Thôn Đông")
    await branch(db, w.commune, "Thôn Tây")
    w.other_branch = await branch(db, w.other_commune, "Thôn Bắc")
    await person(db, World.ADMIN, Role.PROVINCE_ADMIN, w.province, "Quản Trị")
    await person(db, World.DISTRICT_CHAIR, Role.DISTRICT_CHAIR, w.district, "Chủ Tịch Huyện")
    await person(db, World.CHAIR, Role.COMMUNE_CHAIR, w.commune, "Chủ Tịch Xã")
    await person(db, World.OTHER_CHAIR, Role.COMMUNE_CHAIR, w.other_commune, "Chủ Tịch Xã Khác")
    return w


VOLUNTEER = 40


@pytest.fixture
async def volunteer(fake: FakeBotApi, bot: BotUnderTest, world: World) -> FakeUser:
    """A volunteer of the world's first branch (Thôn Đông), already registered."""
    await person(bot.db, VOLUNTEER, Role.VOLUNTEER, world.branch, "Lê Thị Cúc")
    return fake.user(VOLUNTEER)


def step_prefix(user: FakeUser, message_id: int | None = None) -> str:
    """`name:step` of the dialog question on screen (the latest message with buttons, or
    `message_id`): what a forged or repeated press must carry to reach that question."""
    messages = [m for m in user.messages if m.inline_buttons]
    if message_id is not None:
        messages = [m for m in messages if m.message_id == message_id]
    assert messages, "no message with buttons"
    data = str(messages[-1].inline_buttons[0]["callback_data"])
    name, step = data.split(":")[:2]
    return f"{name}:{step}"
