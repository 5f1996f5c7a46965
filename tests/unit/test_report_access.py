"""My reports, the 48-hour window for reporters, chairs' corrections, edits and withdrawals."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from bot.services import counters, funds, members, nominations, report_access
from bot.services.reporting import ReportError
from bot.storage.db import Database
from bot.storage.models import Unit
from bot.storage.records import (
    Award,
    Contribution,
    FieldCode,
    Fund,
    Member,
    Nomination,
    NominationKind,
    NominationStatus,
    RecordStatus,
    ReportKind,
    field_problems,
)
from tests.unit.reporting_helpers import (
    BRANCH_HEAD,
    CHAIR,
    DISTRICT_CHAIR,
    NEIGHBOUR,
    NOW,
    OTHER_CHAIR,
    VOLUNTEER,
    World,
    award_data,
    clean,
    contribution_data,
    fund_of,
    key,
    make_world,
    member_data,
    nomination_data,
    ok,
)

HOUR = timedelta(hours=1)


@pytest.fixture
async def world(db: Database) -> World:
    return await make_world(db)


async def new_member(db: Database, unit: Unit, actor: int = VOLUNTEER, **changes: Any) -> Member:
    data = member_data(unit, **changes)
    return ok(await members.create_member(db, actor, data, idempotency_key=key(), now=NOW))


async def new_nomination(
    db: Database, unit: Unit, actor: int = VOLUNTEER, **changes: Any
) -> Nomination:
    data = nomination_data(unit, **changes)
    return ok(await nominations.create_nomination(db, actor, data, idempotency_key=key(), now=NOW))


async def new_contribution(
    db: Database, fund: Fund, actor: int = VOLUNTEER, **changes: Any
) -> Contribution:
    data = contribution_data(fund, **changes)
    return ok(await funds.create_contribution(db, actor, data, idempotency_key=key(), now=NOW))


async def new_award(db: Database, fund: Fund, actor: int = VOLUNTEER, **changes: Any) -> Award:
    data = award_data(fund, **changes)
    return ok(await funds.create_award(db, actor, data, idempotency_key=key(), now=NOW))


async def test_my_reports_newest_first(db: Database, world: World) -> None:
    fund = await fund_of(db, world.b1)
    minute = timedelta(minutes=1)
    member = ok(
        await members.create_member(
            db, VOLUNTEER, member_data(world.b1), idempotency_key=key(), now=NOW
        )
    )
    nomination = ok(
        await nominations.create_nomination(
            db, VOLUNTEER, nomination_data(world.b1), idempotency_key=key(), now=NOW + minute
        )
    )
    contribution = ok(
        await funds.create_contribution(
            db, VOLUNTEER, contribution_data(fund), idempotency_key=key(), now=NOW + 2 * minute
        )
    )
    award = ok(
        await funds.create_award(
            db, VOLUNTEER, award_data(fund), idempotency_key=key(), now=NOW + 3 * minute
        )
    )
    made = [
        (ReportKind.MEMBER, member.id),
        (ReportKind.NOMINATION, nomination.id),
        (ReportKind.CONTRIBUTION, contribution.id),
        (ReportKind.AWARD, award.id),
    ]
    await new_member(db, world.b2, actor=NEIGHBOUR)
    await report_access.withdraw(db, VOLUNTEER, ReportKind.MEMBER, made[0][1], now=NOW)

    mine = await report_access.my_reports(db, VOLUNTEER)
    assert [(s.kind, s.id) for s in mine] == made[::-1]
    paid, given, nominated, joined = mine
    assert (paid.label, paid.category, paid.amount) == (
        "Trần Thị Bình",
        "poor_overcoming",
        1_000_000,
    )
    assert (given.category, given.amount) == ("thang_khuyen_hoc", 5_000_000)
    assert (nominated.category, nominated.status) == ("family", "pending")
    assert (joined.label, joined.status, joined.amount) == ("Nguyễn Văn An", "withdrawn", None)
    assert joined.created_at == NOW and joined.unit_id == world.b1.id
    assert len(await report_access.my_reports(db, VOLUNTEER, limit=2)) == 2
    assert len(await report_access.my_reports(db, NEIGHBOUR)) == 1
    assert await report_access.my_reports(db, CHAIR) == []


@pytest.mark.parametrize(
    ("actor", "after", "allowed"),
    [
        (VOLUNTEER, timedelta(0), True),
        (VOLUNTEER, 48 * HOUR, True),
        (VOLUNTEER, 48 * HOUR + timedelta(seconds=1), False),
        (NEIGHBOUR, timedelta(0), False),
        (BRANCH_HEAD, timedelta(0), False),
        (CHAIR, 48 * HOUR + timedelta(seconds=1), True),
        (CHAIR, timedelta(days=400), True),
        (OTHER_CHAIR, timedelta(0), False),
        (DISTRICT_CHAIR, timedelta(days=400), True),
    ],
)
async def test_who_may_edit_and_until_when(
    db: Database, world: World, actor: int, after: timedelta, allowed: bool
) -> None:
    member = await new_member(db, world.b1)
    assert await report_access.can_edit(db, actor, member, NOW + after) is allowed
    result = await report_access.edit_member(
        db, actor, member.id, {"full_name": "Nguyễn Văn Ân"}, now=NOW + after
    )
    assert isinstance(result, Member) is allowed
    if allowed:
        assert result == member.model_copy(
            update={"full_name": "Nguyễn Văn Ân", "updated_at": NOW + after}
        )
    elif actor == VOLUNTEER:
        assert result is ReportError.EDIT_WINDOW_CLOSED
    else:
        assert result is ReportError.OUT_OF_SCOPE


async def test_an_edit_is_audited_and_validated(db: Database, world: World) -> None:
    member = await new_member(db, world.b1)
    with pytest.raises(ValidationError) as caught:
        await report_access.edit_member(
            db, VOLUNTEER, member.id, {"birth_year": 1700, "phone": "abc"}, now=NOW
        )
    assert field_problems(caught.value) == [
        ("birth_year", FieldCode.OUT_OF_RANGE),
        ("phone", FieldCode.INVALID),
    ]
    edited = await report_access.edit_member(
        db, VOLUNTEER, member.id, {"phone": "0987654321"}, now=NOW + HOUR
    )
    assert isinstance(edited, Member) and edited.phone == "+84987654321"
    row = await db.fetchone(
        "SELECT actor_id, before, after FROM audit_log WHERE entity = 'member' AND action = 'edit'"
    )
    assert row is not None and row["actor_id"] == VOLUNTEER
    assert json.loads(row["before"])["phone"] is None
    assert json.loads(row["after"])["phone"] == "+84987654321"
    assert await report_access.edit_member(db, VOLUNTEER, 55555, {}, now=NOW) is (
        ReportError.NOT_FOUND
    )


async def test_moving_a_member_between_branches(db: Database, world: World) -> None:
    member = await new_member(db, world.b1)
    moved = {"unit_id": world.b2.id}
    refused = await report_access.edit_member(db, VOLUNTEER, member.id, moved, now=NOW)
    assert refused is ReportError.OUT_OF_SCOPE
    wrong = await report_access.edit_member(
        db, CHAIR, member.id, {"unit_id": world.commune.id}, now=NOW
    )
    assert wrong is ReportError.NOT_A_BRANCH
    far = await report_access.edit_member(db, CHAIR, member.id, {"unit_id": world.b3.id}, now=NOW)
    assert far is ReportError.OUT_OF_SCOPE
    edited = await report_access.edit_member(
        db, CHAIR, member.id, {**moved, "joined_on": date(2025, 12, 1)}, now=NOW
    )
    assert isinstance(edited, Member) and edited.unit_id == world.b2.id
    assert await counters.values(db, world.b1.id, 2026) == {}
    assert await counters.values(db, world.b2.id, 2026) == {}
    assert await counters.values(db, world.b2.id, 2025) == {counters.MEMBERS_NEW: 1}
    assert await counters.values(db, world.commune.id, 2025) == {counters.MEMBERS_NEW: 1}
    assert await counters.values(db, world.commune.id, 2026) == {}
    await clean(db)


async def test_edits_move_money_counters(db: Database, world: World) -> None:
    b1_fund, b3_fund = await fund_of(db, world.b1), await fund_of(db, world.b3)
    contribution = await new_contribution(db, b1_fund)
    award = await new_award(db, b1_fund)
    changes = {
        "amount": 7_000_000,
        "campaign": "xuan_khuyen_hoc",
        "donor_kind": "clan",
        "contributed_on": date(2025, 2, 1),
    }
    edited = await report_access.edit_contribution(db, VOLUNTEER, contribution.id, changes, now=NOW)
    assert isinstance(edited, Contribution)
    assert await counters.values(db, world.district.id, 2026) == {
        counters.FUND_AWARDED: 1_000_000,
        counters.AWARDS: 1,
    }
    assert await counters.values(db, world.district.id, 2025) == {
        counters.FUND_RAISED: 7_000_000,
        "fund_raised:campaign:xuan_khuyen_hoc": 7_000_000,
        "fund_raised:donor:clan": 7_000_000,
        counters.CONTRIBUTIONS: 1,
    }
    # Into another commune's fund: the volunteer may not, the district chair may.
    into_b3 = {"fund_id": b3_fund.id}
    assert (
        await report_access.edit_award(db, VOLUNTEER, award.id, into_b3, now=NOW)
        is ReportError.OUT_OF_SCOPE
    )
    moved = await report_access.edit_award(
        db, DISTRICT_CHAIR, award.id, {**into_b3, "amount": 2_500_000}, now=NOW
    )
    assert isinstance(moved, Award) and moved.unit_id == world.b3.id
    assert await counters.values(db, world.commune.id, 2026) == {}
    paid = {counters.FUND_AWARDED: 2_500_000, counters.AWARDS: 1}
    for level in (world.b3, world.other_commune, world.district, world.province):
        assert await counters.values(db, level.id, 2026) == paid
    assert await funds.balance(db, b3_fund.id) == -2_500_000
    await clean(db)


async def test_nomination_edits(db: Database, world: World) -> None:
    family = await new_nomination(db, world.b1)
    renamed = await report_access.edit_nomination(
        db, VOLUNTEER, family.id, {"subject": "Hộ ông Nguyễn Văn Ân"}, now=NOW
    )
    assert isinstance(renamed, Nomination)
    other = await new_nomination(db, world.b1, subject="Hộ bà Lê Thị Hoa")
    clash = await report_access.edit_nomination(
        db, VOLUNTEER, other.id, {"subject": "ho ong nguyen van an"}, now=NOW
    )
    assert clash is ReportError.DUPLICATE
    # A commune chair may not turn a title into one only a district decides.
    upgrade = {"kind": "learning_unit"}
    assert (
        await report_access.edit_nomination(db, CHAIR, other.id, upgrade, now=NOW)
        is ReportError.OUT_OF_SCOPE
    )
    agency = await new_nomination(db, world.b1, kind="learning_unit", subject="Trạm y tế xã")
    assert (
        await report_access.edit_nomination(db, CHAIR, agency.id, {"year": 2025}, now=NOW)
        is ReportError.OUT_OF_SCOPE
    )
    # Once decided, the reporter can no longer change it; the chair still can.
    await nominations.decide(db, family.id, CHAIR, recognise=True, reason=None, now=NOW)
    assert (
        await report_access.edit_nomination(db, VOLUNTEER, family.id, {"year": 2025}, now=NOW)
        is ReportError.ALREADY_DECIDED
    )
    corrected = await report_access.edit_nomination(db, CHAIR, family.id, {"year": 2025}, now=NOW)
    assert isinstance(corrected, Nomination)
    assert corrected.status is NominationStatus.RECOGNISED
    recognised = counters.title(NominationKind.FAMILY, NominationStatus.RECOGNISED)
    pending = counters.title(NominationKind.FAMILY, NominationStatus.PENDING)
    unit_pending = counters.title(NominationKind.LEARNING_UNIT, NominationStatus.PENDING)
    assert await counters.values(db, world.commune.id, 2025) == {recognised: 1}
    assert await counters.values(db, world.commune.id, 2026) == {pending: 1, unit_pending: 1}
    await clean(db)


async def test_withdrawing_keeps_the_row_and_takes_the_counts(db: Database, world: World) -> None:
    fund = await fund_of(db, world.b1)
    member = await new_member(db, world.b1)
    contribution = await new_contribution(db, fund)
    award = await new_award(db, fund)
    for kind, record_id in (
        (ReportKind.MEMBER, member.id),
        (ReportKind.CONTRIBUTION, contribution.id),
        (ReportKind.AWARD, award.id),
    ):
        withdrawn = await report_access.withdraw(db, VOLUNTEER, kind, record_id, now=NOW + HOUR)
        assert not isinstance(withdrawn, ReportError)
        assert withdrawn.status is RecordStatus.WITHDRAWN
        assert withdrawn.updated_at == NOW + HOUR
        again = await report_access.withdraw(db, CHAIR, kind, record_id, now=NOW)
        assert again is ReportError.WITHDRAWN
        stored = await report_access.get_record(db, kind, record_id)
        assert stored == withdrawn
    assert await counters.values(db, world.province.id, 2026) == {}
    assert (
        await report_access.edit_contribution(db, CHAIR, contribution.id, {"amount": 1}, now=NOW)
        is ReportError.WITHDRAWN
    )
    stored_member = await report_access.get_record(db, ReportKind.MEMBER, member.id)
    assert stored_member is not None
    assert not await report_access.can_edit(db, CHAIR, stored_member, NOW)
    actions = await db.fetchall(
        "SELECT entity, action FROM audit_log WHERE action = 'withdraw' ORDER BY id"
    )
    assert [tuple(r) for r in actions] == [
        ("member", "withdraw"),
        ("contribution", "withdraw"),
        ("award", "withdraw"),
    ]
    await clean(db)


async def test_withdrawing_nominations(db: Database, world: World) -> None:
    pending = await new_nomination(db, world.b1, subject="Hộ ông A Ba")
    recognised = await new_nomination(db, world.b1, subject="Hộ ông Bốn")
    rejected = await new_nomination(db, world.b1, subject="Hộ ông Năm")
    await nominations.decide(db, recognised.id, CHAIR, recognise=True, reason=None, now=NOW)
    await nominations.decide(db, rejected.id, CHAIR, recognise=False, reason="Trùng", now=NOW)
    kind = ReportKind.NOMINATION
    title_pending = counters.title(NominationKind.FAMILY, NominationStatus.PENDING)
    title_held = counters.title(NominationKind.FAMILY, NominationStatus.RECOGNISED)
    assert await counters.values(db, world.b1.id, 2026) == {title_pending: 1, title_held: 1}

    assert await report_access.withdraw(db, VOLUNTEER, kind, recognised.id, now=NOW) is (
        ReportError.ALREADY_DECIDED
    )
    assert await report_access.withdraw(db, CHAIR, kind, rejected.id, now=NOW) is (
        ReportError.ALREADY_DECIDED
    )
    assert not isinstance(
        await report_access.withdraw(db, VOLUNTEER, kind, pending.id, now=NOW), ReportError
    )
    assert await counters.values(db, world.b1.id, 2026) == {title_held: 1}
    assert not isinstance(
        await report_access.withdraw(db, CHAIR, kind, recognised.id, now=NOW), ReportError
    )
    assert await counters.values(db, world.province.id, 2026) == {}
    # A withdrawn title no longer blocks a new nomination of the same subject.
    await new_nomination(db, world.b1, subject="Hộ ông Bốn")
    await clean(db)


async def test_an_edit_that_changes_nothing_writes_nothing(db: Database, world: World) -> None:
    member = await new_member(db, world.b1)
    same = await report_access.edit_member(
        db, VOLUNTEER, member.id, {"full_name": " Nguyễn  Văn An "}, now=NOW + HOUR
    )
    assert same == member
    audit = await db.fetchall("SELECT action FROM audit_log WHERE entity = 'member'")
    assert [row[0] for row in audit] == ["create"]


async def test_a_closed_branch_keeps_its_records_but_takes_no_new_ones(
    db: Database, world: World
) -> None:
    member = await new_member(db, world.b1)
    await db.execute("UPDATE unit SET active = 0 WHERE id = ?", (world.b1.id,))
    refused = await members.create_member(
        db, CHAIR, member_data(world.b1), idempotency_key=key(), now=NOW
    )
    assert refused is ReportError.UNKNOWN_UNIT
    edited = await report_access.edit_member(db, CHAIR, member.id, {"birth_year": 1961}, now=NOW)
    assert isinstance(edited, Member) and edited.birth_year == 1961
    moved_back = await report_access.edit_member(
        db, CHAIR, member.id, {"unit_id": world.b2.id}, now=NOW
    )
    assert isinstance(moved_back, Member)
    returning = await report_access.edit_member(
        db, CHAIR, member.id, {"unit_id": world.b1.id}, now=NOW
    )
    assert returning is ReportError.UNKNOWN_UNIT
    await clean(db)
