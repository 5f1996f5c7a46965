"""Shared fixtures: a fresh database with Thái Bình's units, and a few people in it; and
databases on today's map (Hưng Yên since 1 July 2025), alone or after Thái Bình's ended."""

from __future__ import annotations

import asyncio
import csv
import shutil
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from bot.config import DATA_DIR
from bot.services import hierarchy, invites
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import Role, Unit, UnitKind

UNITS_CSV = DATA_DIR / "thai_binh_2024_units.csv"
NEW_MAP_CSV = DATA_DIR / "hung_yen_2025_units.csv"
OLD_TO_NEW_CSV = DATA_DIR / "thai_binh_units_2024_to_2025.csv"
NEW_MAP_DAY = date(2025, 7, 1)


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


async def load_new_map(database: Database) -> hierarchy.LoadResult:
    return await hierarchy.load_units_csv(
        database, NEW_MAP_CSV, province_code="33", province_name="Hưng Yên", valid_from=NEW_MAP_DAY
    )


async def end_thai_binh_2024(database: Database) -> None:
    """Thái Bình's 2024 units end on 1 July 2025, each commune naming the unit of today's map
    it went to (`OLD_TO_NEW_CSV`); today's map must be loaded after, the successors last."""
    async with database.transaction() as tx:
        rows = await tx.fetchall("SELECT id FROM unit WHERE valid_to IS NULL ORDER BY id")
        for row in rows:
            ended = await unit_store.get(tx, int(row["id"]))
            assert ended is not None
            await unit_store.end(tx, ended, NEW_MAP_DAY)


async def name_successors(database: Database) -> None:
    with OLD_TO_NEW_CSV.open(encoding="utf-8", newline="") as handle:
        mapping = list(csv.DictReader(handle))
    async with database.transaction() as tx:
        old_province = await tx.fetchone("SELECT id FROM unit WHERE code = '34'")
        assert old_province is not None
        for line in mapping:
            old = await tx.fetchone(
                "SELECT id FROM unit WHERE code = ? AND valid_to IS NOT NULL",
                (line["commune_code_2024"],),
            )
            assert old is not None
            ended = await unit_store.get(tx, int(old["id"]))
            successor = await unit_store.in_force_by_code(tx, line["unit_code_jul2025"])
            assert ended is not None and successor is not None, line
            await unit_store.add_successor(tx, ended, successor)


@pytest.fixture(scope="session")
def new_map_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with today's map only: Hưng Yên (33) and its 104 communes."""
    path = tmp_path_factory.mktemp("new_map") / "units.sqlite3"

    async def build() -> None:
        async with Database(path) as database:
            await load_new_map(database)

    asyncio.run(build())
    return path


@pytest.fixture(scope="session")
def succession_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Thái Bình's 2024 map, ended on 1 July 2025 with its successors, and today's map."""
    path = tmp_path_factory.mktemp("succession") / "units.sqlite3"

    async def build() -> None:
        async with Database(path) as database:
            await hierarchy.load_units_csv(
                database, UNITS_CSV, province_code="34", province_name="Thái Bình"
            )
            await end_thai_binh_2024(database)
            await load_new_map(database)
            await name_successors(database)

    asyncio.run(build())
    return path


@pytest.fixture
async def new_map_db(tmp_path: Path, new_map_template: Path) -> AsyncIterator[Database]:
    copy = tmp_path / "new_map.sqlite3"
    shutil.copyfile(new_map_template, copy)
    database = await Database(copy).open()
    yield database
    await database.close()


@pytest.fixture
async def succession_db(tmp_path: Path, succession_template: Path) -> AsyncIterator[Database]:
    copy = tmp_path / "succession.sqlite3"
    shutil.copyfile(succession_template, copy)
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
    return await hierarchy.create_branch(
        db, commune, name, UnitKind.VILLAGE, actor_id=None, since=None
    )


async def person(db: Database, telegram_id: int, role: Role, on: Unit, name: str = "") -> None:
    await invites.grant_role(db, telegram_id, role, on, full_name=name or f"Người {telegram_id}")
