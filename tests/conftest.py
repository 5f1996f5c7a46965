"""Shared fixtures: a fresh database with Thái Bình's units, and a few people in it."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import DATA_DIR
from bot.services import hierarchy, registration
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import Role, Unit, UnitKind

UNITS_CSV = DATA_DIR / "thai_binh_2024_units.csv"


@pytest.fixture(scope="session")
def units_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with the 268 units, built once and copied for each test."""
    path = tmp_path_factory.mktemp("template") / "units.sqlite3"

    async def build() -> None:
        async with Database(path) as database:
            await hierarchy.load_units_csv(
                database, UNITS_CSV, province_code="34", province_name="Thái Bình"
            )

    asyncio.run(build())
    return path


@pytest.fixture
async def db(tmp_path: Path, units_template: Path) -> AsyncIterator[Database]:
    copy = tmp_path / "test.sqlite3"
    shutil.copyfile(units_template, copy)
    database = await Database(copy).open()
    yield database
    await database.close()


async def unit(db: Database, name: str, *, within: Unit | None = None) -> Unit:
    """The one unit whose folded name is exactly `name` (within a parent if given)."""
    found = [u for u in await unit_store.search(db, name, within=within)]
    exact = [u for u in found if u.name.casefold() == name.casefold()]
    assert exact, f"no unit named {name}: {[u.name for u in found]}"
    return exact[0]


async def branch(db: Database, commune: Unit, name: str) -> Unit:
    return await hierarchy.create_branch(db, commune, name, UnitKind.VILLAGE, actor_id=None)


async def person(db: Database, telegram_id: int, role: Role, on: Unit, name: str = "") -> None:
    await registration.grant_role(
        db, telegram_id, role, on, full_name=name or f"Người {telegram_id}"
    )
