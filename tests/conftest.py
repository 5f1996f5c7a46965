"""Shared fixtures: a fresh database with Thái Bình's units, and a few people in it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import DATA_DIR
from bot.services import hierarchy, registration
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import Role, Unit, UnitKind

UNITS_CSV = DATA_DIR / "thai_binh_2024_units.csv"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database(tmp_path / "test.sqlite3").open()
    await hierarchy.load_units_csv(
        database, UNITS_CSV, province_code="34", province_name="Thái Bình"
    )
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
