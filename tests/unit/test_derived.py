"""What the statistics keep between answers (bot/services/derived.py) is never stale: a new
branch, a closed one, a figure, a write by another connection (the CLI while the bot runs)
are in the next answer; a rolled back write and a report leave what is kept as it is."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import pytest

from bot.services import hierarchy, stats
from bot.services.derived import Derived
from bot.services.figures import Figure, set_figure
from bot.storage import revisions
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import Level, Unit, UnitKind
from bot.storage.revisions import Revision
from tests.unit.reporting_helpers import ADMIN, NOW, World, make_world

YEAR = NOW.year


@pytest.fixture
async def world(db: Database) -> World:
    return await make_world(db)


async def branches_of(db: Database, unit: Unit) -> int:
    return (await stats.compute(db, unit, start_year=YEAR, end_year=YEAR)).branches


def counting(value: int) -> tuple[list[int], Callable[[], Awaitable[int]]]:
    built: list[int] = []

    async def build() -> int:
        built.append(value)
        return value

    return built, build


async def test_a_new_or_closed_branch_is_in_the_next_answer(db: Database, world: World) -> None:
    before = await branches_of(db, world.province)
    assert await branches_of(db, world.province) == before  # kept: the same answer
    branch = await hierarchy.create_branch(
        db, world.commune, "Thôn Mới Lập", UnitKind.VILLAGE, actor_id=ADMIN, since=date(YEAR, 1, 2)
    )
    assert await branches_of(db, world.province) == before + 1
    assert await branches_of(db, world.commune) == (
        (await stats.full_scan(db, world.commune, start_year=YEAR, end_year=YEAR)).branches
    )
    async with db.transaction() as tx:
        await unit_store.end(tx, branch, date(YEAR, 1, 3))
    assert await branches_of(db, world.province) == before


async def test_a_figure_set_is_in_the_next_answer(db: Database, world: World) -> None:
    first = await stats.compute(db, world.commune, start_year=YEAR, end_year=YEAR)
    assert first.figures[Figure.POPULATION] is None
    assert await set_figure(db, ADMIN, world.commune, YEAR, Figure.POPULATION, 12_345, NOW) is None
    again = await stats.compute(db, world.commune, start_year=YEAR, end_year=YEAR)
    assert again.figures[Figure.POPULATION] == 12_345
    district = await stats.compute(db, world.district, start_year=YEAR, end_year=YEAR)
    assert district.figures[Figure.POPULATION] == 12_345  # the sum of its communes' known ones


async def test_another_connection_s_write_is_seen(db: Database, world: World) -> None:
    """The CLI changing the map while the bot runs is another connection, even another
    process: the revisions live in the file, not in this process."""
    before = await branches_of(db, world.province)
    async with Database(db.path) as other:
        await hierarchy.create_branch(
            other, world.commune, "Thôn Bên Kia", UnitKind.VILLAGE, actor_id=ADMIN, since=None
        )
    assert await branches_of(db, world.province) == before + 1


async def test_a_write_changes_only_its_tables_revision(db: Database, world: World) -> None:
    start = await revisions.current(db)
    assert await set_figure(db, ADMIN, world.commune, YEAR, Figure.POPULATION, 1_000, NOW) is None
    figured = await revisions.current(db)
    assert figured[Revision.MAPS] == start[Revision.MAPS]
    assert figured[Revision.FIGURES] != start[Revision.FIGURES]
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await unit_store.end(tx, world.commune, date(YEAR, 1, 3))
            assert (await revisions.current(tx))[Revision.MAPS] != start[Revision.MAPS]
            raise RuntimeError("rolled back")
    assert await revisions.current(db) == figured  # the rollback took its revision back


async def test_kept_until_its_tables_change(db: Database, world: World) -> None:
    kept = Derived[int]((Revision.MAPS,))
    built, build = counting(1)
    assert await kept.get(db, "k", build) == 1
    assert await kept.get(db, "k", build) == 1
    assert len(built) == 1
    assert await set_figure(db, ADMIN, world.commune, YEAR, Figure.POPULATION, 5, NOW) is None
    await kept.get(db, "k", build)
    assert len(built) == 1  # a figure is not a map
    await hierarchy.create_branch(
        db, world.commune, "Thôn Thứ Ba", UnitKind.VILLAGE, actor_id=ADMIN, since=None
    )
    await kept.get(db, "k", build)
    assert len(built) == 2
    await kept.get(db, "other key", build)
    assert len(built) == 3


async def test_nothing_is_kept_from_inside_a_transaction(db: Database) -> None:
    kept = Derived[int]((Revision.MAPS,))
    built, build = counting(1)
    async with db.transaction() as tx:
        await kept.get(tx, "k", build)
        await kept.get(tx, "k", build)
    assert len(built) == 2
    await kept.get(db, "k", build)
    assert len(built) == 3


async def test_nothing_is_kept_when_a_write_lands_while_it_is_built(
    db: Database, world: World
) -> None:
    """A value built while another coroutine's write commits may mix both states."""
    kept = Derived[int]((Revision.MAPS,))
    built: list[int] = []

    async def build() -> int:
        built.append(1)
        if len(built) == 1:
            await hierarchy.create_branch(
                db, world.commune, "Thôn Giữa Chừng", UnitKind.VILLAGE, actor_id=ADMIN, since=None
            )
        return len(built)

    assert await kept.get(db, "k", build) == 1
    assert await kept.get(db, "k", build) == 2  # the first was not kept
    assert await kept.get(db, "k", build) == 2


async def test_a_report_keeps_the_structure(
    db: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Members, titles and money write no table the kept values derive from."""
    await stats.compute(db, world.province, start_year=YEAR, end_year=YEAR)
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO stat_counter (unit_id, year, indicator, value) VALUES (?, ?, ?, 1)",
            (world.commune.id, YEAR, "members_new"),
        )
    seen: list[str] = []
    original = db.fetchall

    def spy(sql: str, params: Any = ()) -> Any:
        seen.append(sql)
        return original(sql, params)

    monkeypatch.setattr(db, "fetchall", spy)
    await stats.compute(db, world.province, start_year=YEAR, end_year=YEAR)
    assert not [sql for sql in seen if "JOIN unit u" in sql or "FROM unit_figure" in sql]
    levels = {unit.level for unit in await unit_store.children(db, world.province.id)}
    assert levels == {Level.DISTRICT}
