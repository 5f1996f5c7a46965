"""Figures: setting them (checks, audit, clearing), who may, and resolving them: latest year
at or before the asked one, sums over communes, inherited targets, one read for all children."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.services import figures
from bot.services.figures import (
    ALL_FIGURES,
    MEMBERS_SHARE,
    Figure,
    FigureError,
    set_figure,
    target,
    target_percent,
)
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import Unit
from bot.storage.records import NominationKind
from tests.unit.reporting_helpers import (
    ADMIN,
    CHAIR,
    DISTRICT_CHAIR,
    NOW,
    OTHER_CHAIR,
    VOLUNTEER,
    World,
    make_world,
)

POP, HOUSES = Figure.POPULATION.value, Figure.HOUSEHOLDS.value
FAMILY_TARGET = target(NominationKind.FAMILY)


@pytest.fixture
async def world(db: Database) -> World:
    return await make_world(db)


async def put(db: Database, unit: Unit, year: int, figure: str, value: int | None) -> None:
    assert await set_figure(db, ADMIN, unit, year, figure, value, NOW) is None


def test_names() -> None:
    assert len(ALL_FIGURES) == len(set(ALL_FIGURES)) == 7 + 6 + 1
    assert target(NominationKind.CLAN) == "target:clan"
    assert target(MEMBERS_SHARE) == "target:members_share"
    assert target_percent(268) == 26.8 and target_percent(None) is None
    with pytest.raises(ValueError):
        target("population")


async def test_set_refuses_what_cannot_be_stored(db: Database, world: World) -> None:
    async def refused(unit: Unit, year: int, figure: str, value: int | None) -> FigureError | None:
        return await set_figure(db, ADMIN, unit, year, figure, value, NOW)

    assert await refused(world.commune, 2026, "rainfall", 3) is FigureError.UNKNOWN_FIGURE
    assert await refused(world.commune, 2026, "rainfall", None) is FigureError.UNKNOWN_FIGURE
    assert await refused(world.b1, 2026, POP, 300) is FigureError.WRONG_LEVEL
    assert await refused(world.commune, 1944, POP, 300) is FigureError.YEAR_OUT_OF_RANGE
    assert await refused(world.commune, 2027, POP, 300) is FigureError.YEAR_OUT_OF_RANGE
    assert await refused(world.commune, 2026, POP, -1) is FigureError.NEGATIVE
    assert await refused(world.commune, 2026, POP, 10**14) is FigureError.TOO_LARGE
    assert await refused(world.commune, 2026, FAMILY_TARGET, 1001) is FigureError.TOO_LARGE
    assert await db.fetchone("SELECT 1 FROM unit_figure") is None
    assert await refused(world.commune, 2026, FAMILY_TARGET, 1000) is None
    assert await refused(world.province, 1945, POP, 0) is None


async def test_set_is_audited_and_none_clears(db: Database, world: World) -> None:
    await put(db, world.commune, 2025, POP, 9_000)
    await put(db, world.commune, 2025, POP, 9_000)  # unchanged: no second line
    await put(db, world.commune, 2025, POP, 9_100)
    await put(db, world.commune, 2025, POP, None)
    rows = await db.fetchall(
        "SELECT actor_id, action, entity_id, before, after FROM audit_log "
        "WHERE entity = 'unit_figure' ORDER BY id"
    )
    lines = [
        (r["actor_id"], r["action"], r["before"] and json.loads(r["before"]), r["after"])
        for r in rows
    ]
    assert lines == [
        (ADMIN, "set", None, '{"value": 9000}'),
        (ADMIN, "set", {"value": 9000}, '{"value": 9100}'),
        (ADMIN, "clear", {"value": 9100}, None),
    ]
    assert {r["entity_id"] for r in rows} == {f"{world.commune.id}:2025:population"}
    assert (await figures.resolve(db, world.commune, 2026))[POP] is None


async def test_who_may_set_figures(db: Database, world: World) -> None:
    async def may(person: int, unit: Unit) -> bool:
        return figures.can_set_figures(await people.grants_of(db, person), unit)

    assert await may(CHAIR, world.commune)
    assert not await may(CHAIR, world.other_commune)
    assert not await may(CHAIR, world.district)
    assert not await may(OTHER_CHAIR, world.commune)
    assert await may(DISTRICT_CHAIR, world.commune) and await may(DISTRICT_CHAIR, world.district)
    assert not await may(DISTRICT_CHAIR, world.foreign_commune)
    assert await may(ADMIN, world.province)
    assert not await may(VOLUNTEER, world.b1)


async def test_latest_year_at_or_before(db: Database, world: World) -> None:
    await put(db, world.commune, 2020, POP, 9_000)
    await put(db, world.commune, 2024, POP, 9_500)
    await put(db, world.commune, 2026, POP, 9_900)
    await put(db, world.commune, 2024, HOUSES, 2_000)

    async def population(year: int) -> Any:
        return (await figures.resolve(db, world.commune, year))[POP]

    assert [await population(y) for y in (2019, 2020, 2023, 2024, 2025, 2026)] == [
        None,
        9_000,
        9_000,
        9_500,
        9_500,
        9_900,
    ]
    resolved = await figures.resolve(db, world.commune, 2025)
    assert set(resolved) == set(ALL_FIGURES)
    assert resolved[HOUSES] == 2_000 and resolved[Figure.CLANS] is None


async def test_districts_and_province_sum_their_communes(db: Database, world: World) -> None:
    await put(db, world.commune, 2024, POP, 10_000)
    await put(db, world.other_commune, 2025, POP, 5_000)
    await put(db, world.foreign_commune, 2025, POP, 7_000)
    await put(db, world.commune, 2025, HOUSES, 2_500)

    async def value(unit: Unit, figure: str, year: int = 2026) -> Any:
        return (await figures.resolve(db, unit, year))[figure]

    # Communes without a value contribute nothing; the year falls back per commune.
    assert await value(world.district, POP) == 15_000
    assert await value(world.district, POP, 2024) == 10_000
    assert await value(world.district, POP, 2023) is None
    assert await value(world.district, HOUSES) == 2_500
    assert await value(world.district, Figure.CLANS) is None
    assert await value(world.province, POP) == 22_000
    # A district's own value replaces its communes' sum, here and in the province's.
    await put(db, world.district, 2025, POP, 250_000)
    assert await value(world.district, POP) == 250_000
    assert await value(world.district, POP, 2024) == 10_000
    assert await value(world.province, POP) == 257_000
    # The province's own value wins over everything below it.
    await put(db, world.province, 2023, POP, 1_904_770)
    assert await value(world.province, POP) == 1_904_770
    # Branches hold no figures and sum nothing.
    assert await value(world.b1, POP) is None


async def test_inactive_communes_are_not_summed(db: Database, world: World) -> None:
    await put(db, world.commune, 2025, POP, 10_000)
    await put(db, world.other_commune, 2025, POP, 5_000)
    await db.execute("UPDATE unit SET active = 0 WHERE id = ?", (world.other_commune.id,))
    assert (await figures.resolve(db, world.district, 2026))[POP] == 10_000
    assert (await figures.resolve(db, world.other_commune, 2026))[POP] == 5_000


async def test_targets_are_inherited_not_summed(db: Database, world: World) -> None:
    await put(db, world.province, 2024, FAMILY_TARGET, 800)
    await put(db, world.district, 2026, FAMILY_TARGET, 850)
    await put(db, world.commune, 2025, target(MEMBERS_SHARE), 400)
    await put(db, world.other_commune, 2025, target(MEMBERS_SHARE), 300)

    async def rate(unit: Unit, figure: str, year: int = 2026) -> Any:
        return (await figures.resolve(db, unit, year))[figure]

    assert await rate(world.province, FAMILY_TARGET) == 800
    assert await rate(world.district, FAMILY_TARGET) == 850
    assert await rate(world.district, FAMILY_TARGET, 2025) == 800
    assert await rate(world.commune, FAMILY_TARGET) == 850
    assert await rate(world.b1, FAMILY_TARGET) == 850
    assert await rate(world.foreign_commune, FAMILY_TARGET) == 800
    assert await rate(world.province, FAMILY_TARGET, 2023) is None
    assert await rate(world.district, target(MEMBERS_SHARE)) is None  # never 700
    assert await rate(world.commune, target(MEMBERS_SHARE)) == 400


async def test_children_resolved_in_two_reads(
    db: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    await put(db, world.commune, 2025, POP, 10_000)
    await put(db, world.other_commune, 2024, POP, 5_000)
    await put(db, world.district, 2025, FAMILY_TARGET, 900)
    await put(db, world.foreign_commune, 2025, POP, 7_000)
    communes = await unit_store.children(db, world.district.id)
    districts = await unit_store.children(db, world.province.id)
    reads = 0
    fetchall = db.fetchall

    async def counted(*args: Any) -> Any:
        nonlocal reads
        reads += 1
        return await fetchall(*args)

    monkeypatch.setattr(db, "fetchall", counted)
    by_commune = await figures.resolve_children(db, world.district, communes, 2026)
    assert reads == 2
    by_district = await figures.resolve_children(db, world.province, districts, 2026)
    assert reads == 4
    monkeypatch.undo()
    assert len(communes) > 10 and set(by_commune) == {world.district.id, *(c.id for c in communes)}
    for commune in communes:
        assert by_commune[commune.id] == await figures.resolve(db, commune, 2026)
    for district in districts:
        assert by_district[district.id] == await figures.resolve(db, district, 2026)
    assert by_commune[world.commune.id][FAMILY_TARGET] == 900
    assert by_district[world.district.id][POP] == 15_000
    assert by_district[world.other_district.id][POP] == 7_000
