"""Title nominations: duplicates, who may decide which title where, and the chairs' queues."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from bot.services import counters, nominations
from bot.services.reporting import ReportError
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import Role, Unit
from bot.storage.records import (
    FieldCode,
    Nomination,
    NominationInput,
    NominationKind,
    NominationStatus,
    field_problems,
    validate_input,
)
from tests.conftest import person, unit
from tests.unit.reporting_helpers import (
    ADMIN,
    BRANCH_HEAD,
    CHAIR,
    DISTRICT_CHAIR,
    FAR_VOLUNTEER,
    NOW,
    OTHER_CHAIR,
    OTHER_DISTRICT_CHAIR,
    TODAY,
    VOLUNTEER,
    World,
    clean,
    key,
    make_world,
    nomination_data,
    ok,
)


@pytest.fixture
async def world(db: Database) -> World:
    return await make_world(db)


async def nominate(db: Database, unit: Unit, actor: int = VOLUNTEER, **changes: Any) -> Nomination:
    data = nomination_data(unit, **changes)
    return ok(await nominations.create_nomination(db, actor, data, idempotency_key=key(), now=NOW))


def pending(kind: NominationKind) -> str:
    return counters.title(kind, NominationStatus.PENDING)


def recognised(kind: NominationKind) -> str:
    return counters.title(kind, NominationStatus.RECOGNISED)


async def test_a_nomination_starts_pending(db: Database, world: World) -> None:
    nomination = await nominate(db, world.b1, note="  Ba con   đỗ đại học ")
    assert nomination.status is NominationStatus.PENDING
    assert nomination.note == "Ba con đỗ đại học"
    for level in (world.b1, world.commune, world.district, world.province):
        values = await counters.values(db, level.id, 2026)
        assert values == {pending(NominationKind.FAMILY): 1}
    assert await counters.values(db, world.b2.id, 2026) == {}
    await clean(db)


async def test_same_subject_cannot_be_nominated_twice(db: Database, world: World) -> None:
    first = await nominate(db, world.b1)
    draft = key()
    twice = nomination_data(world.b1, subject="HO ONG NGUYEN VAN AN")
    refused = await nominations.create_nomination(
        db, VOLUNTEER, twice, idempotency_key=draft, now=NOW
    )
    assert refused is ReportError.DUPLICATE
    # Another year, another title or another unit is another nomination.
    await nominate(db, world.b1, year=2025)
    await nominate(db, world.b1, kind="citizen")
    await nominate(db, world.b2, actor=CHAIR)
    # Once recognised it still blocks; once rejected it no longer does.
    assert not isinstance(
        await nominations.decide(db, first.id, CHAIR, recognise=True, reason=None, now=NOW),
        ReportError,
    )
    assert (
        await nominations.create_nomination(db, VOLUNTEER, twice, idempotency_key=key(), now=NOW)
        is ReportError.DUPLICATE
    )
    other = await nominate(db, world.b1, subject="Hộ bà Lê Thị Hoa")
    await nominations.decide(db, other.id, CHAIR, recognise=False, reason="Thiếu hồ sơ", now=NOW)
    await nominate(db, world.b1, subject="Hộ bà Lê Thị Hoa")
    await clean(db)


async def test_saving_the_same_draft_twice_is_not_a_duplicate(db: Database, world: World) -> None:
    draft = key()
    data = nomination_data(world.b1)
    first = await nominations.create_nomination(db, VOLUNTEER, data, idempotency_key=draft, now=NOW)
    again = await nominations.create_nomination(db, VOLUNTEER, data, idempotency_key=draft, now=NOW)
    assert not isinstance(first, ReportError) and not isinstance(again, ReportError)
    assert (first[0].id, first[1], again[1]) == (again[0].id, True, False)
    assert await counters.values(db, world.b1.id, 2026) == {pending(NominationKind.FAMILY): 1}


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"year": 2027}, ("year", FieldCode.FUTURE)),
        ({"year": 1944}, ("year", FieldCode.TOO_OLD)),
        ({"subject": "A"}, ("subject", FieldCode.TOO_SHORT)),
        ({"subject": "x" * 101}, ("subject", FieldCode.TOO_LONG)),
        ({"note": "x" * 501}, ("note", FieldCode.TOO_LONG)),
        ({"kind": "school"}, ("kind", FieldCode.INVALID_CHOICE)),
    ],
)
async def test_limits(world: World, changes: dict[str, Any], problem: tuple[str, str]) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_input(NominationInput, nomination_data(world.b1, **changes), today=TODAY)
    assert field_problems(caught.value) == [problem]


COMMUNE_KINDS = ("citizen", "family", "clan", "village_community")
DISTRICT_KINDS = ("learning_unit", "commune_community")
# Who decides a nomination made on branch b1 (commune `commune`, district `district`).
DECIDERS = {
    VOLUNTEER: (),
    BRANCH_HEAD: (),
    CHAIR: COMMUNE_KINDS,
    OTHER_CHAIR: (),
    DISTRICT_CHAIR: COMMUNE_KINDS + DISTRICT_KINDS,
    OTHER_DISTRICT_CHAIR: (),
    ADMIN: COMMUNE_KINDS + DISTRICT_KINDS,
}


@pytest.mark.parametrize("actor", list(DECIDERS))
async def test_who_decides_what(db: Database, world: World, actor: int) -> None:
    made = {kind: await nominate(db, world.b1, kind=kind) for kind in NominationKind}
    allowed = [made[NominationKind(kind)].id for kind in DECIDERS[actor]]
    assert sorted(n.id for n in await nominations.pending_for(db, actor)) == sorted(allowed)
    for kind, nomination in made.items():
        result = await nominations.decide(
            db, nomination.id, actor, recognise=True, reason=None, now=NOW
        )
        if kind in DECIDERS[actor]:
            assert isinstance(result, Nomination), kind
            assert result.status is NominationStatus.RECOGNISED
            assert (result.decided_by, result.decided_at) == (actor, NOW)
        else:
            assert result is ReportError.OUT_OF_SCOPE, kind
    assert await nominations.pending_for(db, actor) == []
    await clean(db)


async def test_commune_title_on_the_commune_itself(db: Database, world: World) -> None:
    nomination = await nominate(db, world.commune, actor=CHAIR, kind="commune_community")
    assert (
        await nominations.decide(db, nomination.id, CHAIR, recognise=True, reason=None, now=NOW)
        is ReportError.OUT_OF_SCOPE
    )
    decided = await nominations.decide(
        db, nomination.id, DISTRICT_CHAIR, recognise=True, reason=None, now=NOW
    )
    assert isinstance(decided, Nomination)


async def test_queues_show_what_each_chair_may_decide(db: Database, world: World) -> None:
    family = await nominate(db, world.b1)
    agency = await nominate(db, world.b1, kind="learning_unit", subject="Trường Tiểu học")
    far = await nominate(db, world.b3, actor=FAR_VOLUNTEER, kind="citizen")

    async def queue(actor: int) -> list[int]:
        return [n.id for n in await nominations.pending_for(db, actor)]

    assert await queue(VOLUNTEER) == []
    assert await queue(BRANCH_HEAD) == []
    assert await queue(CHAIR) == [family.id]
    assert await queue(OTHER_CHAIR) == [far.id]
    assert await queue(DISTRICT_CHAIR) == [family.id, agency.id, far.id]
    assert await queue(OTHER_DISTRICT_CHAIR) == []
    assert await queue(ADMIN) == [family.id, agency.id, far.id]
    await nominations.decide(db, family.id, CHAIR, recognise=True, reason=None, now=NOW)
    assert await queue(DISTRICT_CHAIR) == [agency.id, far.id]


async def test_rejecting_needs_a_reason(db: Database, world: World) -> None:
    nomination = await nominate(db, world.b1)
    for reason in (None, "", "  \n "):
        result = await nominations.decide(
            db, nomination.id, CHAIR, recognise=False, reason=reason, now=NOW
        )
        assert result is ReportError.REASON_REQUIRED
    too_long = await nominations.decide(
        db, nomination.id, CHAIR, recognise=False, reason="x" * 501, now=NOW
    )
    assert too_long is ReportError.REASON_TOO_LONG
    rejected = await nominations.decide(
        db, nomination.id, CHAIR, recognise=False, reason=" Chưa đủ\ntiêu chí ", now=NOW
    )
    assert isinstance(rejected, Nomination)
    assert rejected.status is NominationStatus.REJECTED
    assert rejected.reject_reason == "Chưa đủ tiêu chí"
    assert await counters.values(db, world.province.id, 2026) == {}
    await clean(db)


async def test_only_pending_nominations_are_decided(db: Database, world: World) -> None:
    nomination = await nominate(db, world.b1)
    first = await nominations.decide(db, nomination.id, CHAIR, recognise=True, reason=None, now=NOW)
    assert isinstance(first, Nomination)
    again = await nominations.decide(
        db, nomination.id, DISTRICT_CHAIR, recognise=False, reason="Sai", now=NOW
    )
    assert again is ReportError.ALREADY_DECIDED
    missing = await nominations.decide(db, 424242, CHAIR, recognise=True, reason=None, now=NOW)
    assert missing is ReportError.NOT_FOUND
    for level in (world.b1, world.commune, world.district, world.province):
        values = await counters.values(db, level.id, 2026)
        assert values == {recognised(NominationKind.FAMILY): 1}
    audit = await db.fetchall(
        "SELECT action, actor_id, before, after FROM audit_log WHERE entity = 'nomination' "
        "ORDER BY id"
    )
    assert [(r["action"], r["actor_id"]) for r in audit] == [
        ("create", VOLUNTEER),
        ("recognise", CHAIR),
    ]
    assert json.loads(audit[1]["before"])["status"] == "pending"
    assert json.loads(audit[1]["after"])["status"] == "recognised"
    await clean(db)


# ---------------------------------------------------------------- who decides, asked first


@pytest.mark.parametrize("actor", list(DECIDERS))
async def test_decidable_answers_as_decide_would(db: Database, world: World, actor: int) -> None:
    """The reason question is asked only when a rejection could be saved: `decidable` refuses
    exactly what `decide` refuses, before any reason, and changes nothing."""
    made = {kind: await nominate(db, world.b1, kind=kind) for kind in NominationKind}
    before = await counters.values(db, world.province.id, 2026)
    for kind, nomination in made.items():
        found = await nominations.decidable(db, actor, nomination.id)
        if kind in DECIDERS[actor]:
            assert isinstance(found, Nomination) and found.id == nomination.id, kind
        else:
            assert found is ReportError.OUT_OF_SCOPE, kind
            decided = await nominations.decide(
                db, nomination.id, actor, recognise=False, reason="Sai", now=NOW
            )
            assert decided is found, kind
    assert await counters.values(db, world.province.id, 2026) == before
    assert await nominations.decidable(db, actor, 424242) is ReportError.NOT_FOUND
    await clean(db)


async def test_a_decided_nomination_is_not_decidable(db: Database, world: World) -> None:
    nomination = await nominate(db, world.b1)
    assert isinstance(await nominations.decidable(db, DISTRICT_CHAIR, nomination.id), Nomination)
    await nominations.decide(db, nomination.id, CHAIR, recognise=False, reason="Sai", now=NOW)
    for actor in (CHAIR, DISTRICT_CHAIR, ADMIN):
        assert await nominations.decidable(db, actor, nomination.id) is ReportError.ALREADY_DECIDED
    # Someone who never could decide it is told that, not that it is decided.
    assert await nominations.decidable(db, OTHER_CHAIR, nomination.id) is ReportError.OUT_OF_SCOPE


# Who is told "the district chair recognises this" instead of "out of your reach", for a
# nomination on b1: people of its commune who may not decide a district title.
ABOVE = {VOLUNTEER, BRANCH_HEAD, CHAIR}


@pytest.mark.parametrize("actor", list(DECIDERS))
async def test_decided_above(db: Database, world: World, actor: int) -> None:
    for kind in NominationKind:
        nomination = await nominate(db, world.b1, kind=kind)
        expected = actor in ABOVE and kind.value in DISTRICT_KINDS
        assert await nominations.decided_above(db, actor, nomination) is expected, kind
    on_commune = await nominate(db, world.commune, actor=CHAIR, kind="commune_community")
    assert await nominations.decided_above(db, CHAIR, on_commune) is True
    assert await nominations.decided_above(db, OTHER_CHAIR, on_commune) is False


async def test_deciders_are_the_nearest_chairs(db: Database, world: World) -> None:
    """A commune's title goes to its commune chairs; a learning unit's or a commune's to the
    district; where nobody holds the role, to the next level up."""

    async def deciders(on: Unit, kind: NominationKind) -> list[int]:
        return sorted(await nominations.deciders_for(db, on, kind))

    assert await deciders(world.b1, NominationKind.FAMILY) == [CHAIR]
    assert await deciders(world.commune, NominationKind.CITIZEN) == [CHAIR]
    assert await deciders(world.b3, NominationKind.CLAN) == [OTHER_CHAIR]
    assert await deciders(world.b1, NominationKind.LEARNING_UNIT) == [DISTRICT_CHAIR]
    assert await deciders(world.commune, NominationKind.COMMUNE_COMMUNITY) == [DISTRICT_CHAIR]
    # No commune chair in the foreign commune: its district chair decides.
    assert await deciders(world.b4, NominationKind.FAMILY) == [OTHER_DISTRICT_CHAIR]
    # Every chair of the commune is asked.
    await person(db, 22, Role.COMMUNE_CHAIR, world.commune)
    assert await deciders(world.b1, NominationKind.FAMILY) == [CHAIR, 22]
    # A district with no chair at all: the province.
    lonely = await unit(db, "Vũ Thư")
    commune = (await unit_store.children(db, lonely.id))[0]
    assert await deciders(commune, NominationKind.CITIZEN) == [ADMIN]
    assert await deciders(commune, NominationKind.LEARNING_UNIT) == [ADMIN]
    # A district title never goes to a commune chair, even with no district chair above.
    await person(db, 23, Role.COMMUNE_CHAIR, commune)
    assert await deciders(commune, NominationKind.CITIZEN) == [23]
    assert await deciders(commune, NominationKind.LEARNING_UNIT) == [ADMIN]
