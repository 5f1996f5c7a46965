"""New members: idempotent saving, field limits and their codes, scope, likely duplicates."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from bot.services import counters, members, report_access
from bot.services.reporting import ReportError
from bot.storage.db import Database
from bot.storage.records import (
    FieldCode,
    FieldProblem,
    Member,
    MemberInput,
    ReportKind,
    field_problem,
    field_problems,
    validate_input,
)
from tests.unit.reporting_helpers import (
    CHAIR,
    FAR_VOLUNTEER,
    NEIGHBOUR,
    NOW,
    TODAY,
    VOLUNTEER,
    World,
    clean,
    key,
    make_world,
    member_data,
    ok,
)


@pytest.fixture
async def world(db: Database) -> World:
    return await make_world(db)


async def test_same_draft_twice_is_one_member(db: Database, world: World) -> None:
    draft = key()
    data = member_data(world.b1, full_name="  nguyễn   văn  an ", phone="0912 345 678")
    first = await members.create_member(db, VOLUNTEER, data, idempotency_key=draft, now=NOW)
    second = await members.create_member(db, VOLUNTEER, data, idempotency_key=draft, now=NOW)
    assert not isinstance(first, ReportError) and not isinstance(second, ReportError)
    assert first[1] is True and second[1] is False
    assert first[0] == second[0]
    member = first[0]
    assert member.full_name == "Nguyễn Văn An"  # tidied and capitalised
    assert member.phone == "+84912345678"
    assert member.reporter_id == VOLUNTEER and member.created_at == NOW
    row = await db.fetchone("SELECT count(*), min(name_folded) FROM member")
    assert row is not None and tuple(row) == (1, "nguyen van an")
    audit = await db.fetchall("SELECT action, after FROM audit_log WHERE entity = 'member'")
    assert [r["action"] for r in audit] == ["create"]
    assert json.loads(audit[0]["after"])["full_name"] == "Nguyễn Văn An"
    assert await counters.values(db, world.b1.id, 2026) == {counters.MEMBERS_NEW: 1}
    await clean(db)


async def test_someone_elses_key_is_refused(db: Database, world: World) -> None:
    draft = key()
    ok(
        await members.create_member(
            db, VOLUNTEER, member_data(world.b1), idempotency_key=draft, now=NOW
        )
    )
    again = await members.create_member(
        db, NEIGHBOUR, member_data(world.b2), idempotency_key=draft, now=NOW
    )
    assert again is ReportError.KEY_CONFLICT


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"full_name": "A"}, ("full_name", FieldCode.TOO_SHORT)),
        ({"full_name": "   "}, ("full_name", FieldCode.TOO_SHORT)),
        ({"full_name": "Nguyễn " * 20}, ("full_name", FieldCode.TOO_LONG)),
        ({"full_name": "Nguyễn Văn 2"}, ("full_name", FieldCode.NOT_A_NAME)),
        ({"full_name": None}, ("full_name", FieldCode.INVALID)),
        ({"gender": "other"}, ("gender", FieldCode.INVALID_CHOICE)),
        ({"birth_year": 1899}, ("birth_year", FieldCode.OUT_OF_RANGE)),
        ({"birth_year": 2027}, ("birth_year", FieldCode.OUT_OF_RANGE)),
        ({"birth_year": "1960"}, ("birth_year", FieldCode.INVALID)),
        ({"joined_on": date(2026, 11, 29)}, ("joined_on", FieldCode.FUTURE)),
        ({"joined_on": date(1944, 12, 31)}, ("joined_on", FieldCode.TOO_OLD)),
        ({"joined_on": "2026-02-30"}, ("joined_on", FieldCode.INVALID)),
        ({"joined_on": date(1950, 1, 1)}, ("joined_on", FieldCode.BEFORE_BIRTH)),
        ({"phone": "0227 3 123 456"}, ("phone", FieldCode.NOT_MOBILE)),
        ({"phone": "12345"}, ("phone", FieldCode.INVALID)),
        ({"surname": "Nguyễn"}, ("surname", FieldCode.INVALID)),
    ],
)
async def test_limits_have_stable_codes(
    world: World, changes: dict[str, Any], problem: tuple[str, FieldCode]
) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_input(MemberInput, member_data(world.b1, **changes), today=TODAY)
    assert field_problems(caught.value) == [FieldProblem(*problem)]


def test_one_answer_is_checked_as_it_is_typed() -> None:
    def check(field: str, value: object) -> FieldCode | None:
        return field_problem(MemberInput, field, value, today=TODAY)

    assert check("full_name", "  Lê  Thị Cúc ") is None
    assert check("full_name", "Lê 3") is FieldCode.NOT_A_NAME
    assert check("birth_year", 2027) is FieldCode.OUT_OF_RANGE
    assert check("joined_on", date(2026, 11, 29)) is FieldCode.FUTURE
    assert check("joined_on", "2026-11-28") is None
    assert check("phone", "") is None
    assert check("phone", "0227 3 123 456") is FieldCode.NOT_MOBILE
    assert check("gender", "x") is FieldCode.INVALID_CHOICE


async def test_missing_fields_are_required(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_input(MemberInput, {"gender": "female", "unit_id": world.b1.id}, today=TODAY)
    assert field_problems(caught.value) == [
        ("full_name", FieldCode.REQUIRED),
        ("birth_year", FieldCode.REQUIRED),
        ("joined_on", FieldCode.REQUIRED),
    ]


async def test_bounds_that_need_no_today_hold_without_one(world: World) -> None:
    far = MemberInput.model_validate(member_data(world.b1, joined_on=date(2099, 1, 1)))
    assert far.joined_on.year == 2099  # only a validation with `today` knows it is future
    with pytest.raises(ValidationError):
        MemberInput.model_validate(member_data(world.b1, joined_on=date(1944, 1, 1)))


async def test_service_checks_against_the_local_date(db: Database, world: World) -> None:
    data = member_data(world.b1, joined_on=date(2026, 11, 29))
    with pytest.raises(ValidationError) as caught:
        await members.create_member(db, VOLUNTEER, data, idempotency_key=key(), now=NOW)
    assert field_problems(caught.value) == [("joined_on", FieldCode.FUTURE)]
    # 18:30 UTC on the 28th is already 01:30 on the 29th in Vietnam.
    evening = datetime(2026, 11, 28, 18, 30, tzinfo=UTC)
    ok(await members.create_member(db, VOLUNTEER, data, idempotency_key=key(), now=evening))
    assert await db.fetchone("SELECT 1 FROM member") is not None


async def test_where_a_member_may_be_recorded(db: Database, world: World) -> None:
    async def create(actor: int, unit_id: int) -> object:
        data = member_data(world.b1, unit_id=unit_id)
        result = await members.create_member(db, actor, data, idempotency_key=key(), now=NOW)
        return result if isinstance(result, ReportError) else "ok"

    assert await create(VOLUNTEER, world.b1.id) == "ok"
    assert await create(VOLUNTEER, world.b2.id) is ReportError.OUT_OF_SCOPE
    assert await create(CHAIR, world.b2.id) == "ok"
    assert await create(CHAIR, world.b3.id) is ReportError.OUT_OF_SCOPE
    assert await create(CHAIR, world.commune.id) is ReportError.NOT_A_BRANCH
    assert await create(CHAIR, 999_999) is ReportError.UNKNOWN_UNIT
    assert await create(999, world.b1.id) is ReportError.OUT_OF_SCOPE  # not registered
    row = await db.fetchone("SELECT count(*) FROM member")
    assert row is not None and row[0] == 2


async def test_likely_duplicates_within_the_commune(db: Database, world: World) -> None:
    async def create(actor: int, data: dict[str, Any]) -> Member:
        return ok(await members.create_member(db, actor, data, idempotency_key=key(), now=NOW))

    an = await create(VOLUNTEER, member_data(world.b1))
    await create(VOLUNTEER, member_data(world.b1, birth_year=1961))
    await create(FAR_VOLUNTEER, member_data(world.b3))

    typed = MemberInput.model_validate(member_data(world.b2, full_name="NGUYEN van  an"))
    assert [m.id for m in await members.likely_duplicates(db, typed, world.b2)] == [an.id]
    assert await members.likely_duplicates(db, typed, world.b2, excluding_id=an.id) == []
    elsewhere = MemberInput.model_validate(member_data(world.b3))
    assert len(await members.likely_duplicates(db, elsewhere, world.b3)) == 1
    assert await members.likely_duplicates(db, typed, world.b4) == []

    withdrawn = await report_access.withdraw(db, VOLUNTEER, ReportKind.MEMBER, an.id, now=NOW)
    assert not isinstance(withdrawn, ReportError)
    assert await members.likely_duplicates(db, typed, world.b2) == []
