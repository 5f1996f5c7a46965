"""Funds created on demand, contributions and awards, balances and the overdraft warning."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from bot.money import MAX_AMOUNT
from bot.services import counters, funds, report_access
from bot.services.reporting import ReportError
from bot.storage.db import Database
from bot.storage.records import (
    Award,
    AwardInput,
    Contribution,
    ContributionInput,
    FieldCode,
    Fund,
    FundKind,
    ReportKind,
    field_problems,
    validate_input,
)
from tests.unit.reporting_helpers import (
    ADMIN,
    CHAIR,
    NOW,
    TODAY,
    VOLUNTEER,
    World,
    award_data,
    clean,
    contribution_data,
    fund_of,
    key,
    make_world,
    ok,
)


@pytest.fixture
async def world(db: Database) -> World:
    return await make_world(db)


async def give(db: Database, fund: Fund, actor: int = VOLUNTEER, **changes: Any) -> Contribution:
    data = contribution_data(fund, **changes)
    return ok(await funds.create_contribution(db, actor, data, idempotency_key=key(), now=NOW))


async def pay(db: Database, fund: Fund, actor: int = VOLUNTEER, **changes: Any) -> Award:
    data = award_data(fund, **changes)
    return ok(await funds.create_award(db, actor, data, idempotency_key=key(), now=NOW))


async def test_a_units_fund_is_created_once_on_demand(db: Database, world: World) -> None:
    assert await funds.funds_of(db, world.b1) == []
    first = await funds.unit_fund(db, world.b1, actor_id=VOLUNTEER)
    second = await funds.unit_fund(db, world.b1)
    assert first == second
    assert (first.unit_id, first.kind, first.name) == (world.b1.id, FundKind.UNIT, "")
    assert (await funds.unit_fund(db, world.commune)).id != first.id
    audit = await db.fetchall("SELECT actor_id, action FROM audit_log WHERE entity = 'fund'")
    assert [tuple(row) for row in audit] == [(VOLUNTEER, "create"), (None, "create")]


async def test_named_funds(db: Database, world: World) -> None:
    clan = await funds.named_fund(db, world.b1, FundKind.CLAN, "Quỹ khuyến học họ Nguyễn")
    same = await funds.named_fund(db, world.b1, FundKind.CLAN, " QUY KHUYEN HOC  ho nguyen ")
    assert isinstance(clan, Fund) and clan == same
    family = await funds.named_fund(db, world.commune, FundKind.FAMILY, "Quỹ gia đình ông Tư")
    assert isinstance(family, Fund) and family.unit_id == world.commune.id
    other = await funds.named_fund(db, world.b1, FundKind.FAMILY, "Quỹ khuyến học họ Nguyễn")
    assert isinstance(other, Fund) and other.id != clan.id
    refused = await funds.named_fund(db, world.district, FundKind.CLAN, "Họ Trần")
    assert refused is ReportError.WRONG_LEVEL
    with pytest.raises(ValidationError):
        await funds.named_fund(db, world.b1, FundKind.CLAN, "H")
    with pytest.raises(ValidationError):
        await funds.named_fund(db, world.b1, FundKind.UNIT, "Quỹ chi hội")
    own = await funds.unit_fund(db, world.b1)
    listed = await funds.funds_of(db, world.b1)
    assert [f.id for f in listed] == [own.id, clan.id, other.id]


async def test_contribution_counts_at_every_level(db: Database, world: World) -> None:
    fund = await fund_of(db, world.b1)
    draft = key()
    data = contribution_data(fund)
    first = await funds.create_contribution(db, VOLUNTEER, data, idempotency_key=draft, now=NOW)
    again = await funds.create_contribution(db, VOLUNTEER, data, idempotency_key=draft, now=NOW)
    assert not isinstance(first, ReportError) and not isinstance(again, ReportError)
    assert (first[1], again[1], first[0].id) == (True, False, again[0].id)
    assert first[0].unit_id == world.b1.id
    expected = {
        counters.FUND_RAISED: 5_000_000,
        "fund_raised:campaign:thang_khuyen_hoc": 5_000_000,
        "fund_raised:donor:enterprise": 5_000_000,
        counters.CONTRIBUTIONS: 1,
    }
    for level in (world.b1, world.commune, world.district, world.province):
        assert await counters.values(db, level.id, 2026) == expected
    for elsewhere in (world.b2, world.other_commune, world.other_district):
        assert await counters.values(db, elsewhere.id, 2026) == {}
    await clean(db)


async def test_who_may_record_on_which_fund(db: Database, world: World) -> None:
    commune_fund = await fund_of(db, world.commune)
    data = contribution_data(commune_fund)
    refused = await funds.create_contribution(db, VOLUNTEER, data, idempotency_key=key(), now=NOW)
    assert refused is ReportError.OUT_OF_SCOPE
    contribution = await give(db, commune_fund, actor=CHAIR)
    assert contribution.unit_id == world.commune.id
    missing = contribution_data(commune_fund, fund_id=987_654)
    assert (
        await funds.create_contribution(db, CHAIR, missing, idempotency_key=key(), now=NOW)
        is ReportError.UNKNOWN_FUND
    )
    province_fund = await fund_of(db, world.province)
    award = award_data(province_fund)
    assert (
        await funds.create_award(db, CHAIR, award, idempotency_key=key(), now=NOW)
        is ReportError.OUT_OF_SCOPE
    )
    assert (await pay(db, province_fund, actor=ADMIN)).unit_id == world.province.id


async def test_gifts_in_kind_need_a_description(world: World) -> None:
    fund = Fund(id=1, unit_id=world.b1.id, kind=FundKind.UNIT, name="")
    with pytest.raises(ValidationError) as caught:
        validate_input(ContributionInput, contribution_data(fund, in_kind=True), today=TODAY)
    assert field_problems(caught.value) == [("in_kind_description", FieldCode.REQUIRED)]
    gift = validate_input(
        ContributionInput,
        contribution_data(fund, in_kind=True, in_kind_description=" 20 chiếc xe đạp "),
        today=TODAY,
    )
    assert gift.in_kind_description == "20 chiếc xe đạp"
    cash = validate_input(
        ContributionInput, contribution_data(fund, in_kind_description="sách"), today=TODAY
    )
    assert cash.in_kind_description is None


@pytest.mark.parametrize(
    ("model", "changes", "problem"),
    [
        (ContributionInput, {"amount": 0}, ("amount", FieldCode.OUT_OF_RANGE)),
        (ContributionInput, {"amount": MAX_AMOUNT + 1}, ("amount", FieldCode.OUT_OF_RANGE)),
        (ContributionInput, {"amount": "5000"}, ("amount", FieldCode.INVALID)),
        (ContributionInput, {"donor_name": "X"}, ("donor_name", FieldCode.TOO_SHORT)),
        (ContributionInput, {"donor_kind": "bank"}, ("donor_kind", FieldCode.INVALID_CHOICE)),
        (ContributionInput, {"campaign": "tet"}, ("campaign", FieldCode.INVALID_CHOICE)),
        (
            ContributionInput,
            {"contributed_on": date(2026, 12, 1)},
            ("contributed_on", FieldCode.FUTURE),
        ),
        (AwardInput, {"amount": -5}, ("amount", FieldCode.OUT_OF_RANGE)),
        (AwardInput, {"school": "T" * 101}, ("school", FieldCode.TOO_LONG)),
        (AwardInput, {"class_name": "8" * 101}, ("class_name", FieldCode.TOO_LONG)),
        (AwardInput, {"recipient_name": "Em 12"}, ("recipient_name", FieldCode.NOT_A_NAME)),
        (AwardInput, {"reason": "sport"}, ("reason", FieldCode.INVALID_CHOICE)),
        (AwardInput, {"awarded_on": date(1900, 1, 1)}, ("awarded_on", FieldCode.TOO_OLD)),
    ],
)
async def test_limits(
    world: World, model: type[Any], changes: dict[str, Any], problem: tuple[str, str]
) -> None:
    fund = Fund(id=1, unit_id=world.b1.id, kind=FundKind.UNIT, name="")
    data = (contribution_data if model is ContributionInput else award_data)(fund, **changes)
    with pytest.raises(ValidationError) as caught:
        validate_input(model, data, today=TODAY)
    assert field_problems(caught.value) == [problem]


async def test_largest_amount_and_blank_optional_text(world: World) -> None:
    fund = Fund(id=1, unit_id=world.b1.id, kind=FundKind.UNIT, name="")
    largest = validate_input(
        AwardInput, award_data(fund, amount=MAX_AMOUNT, school="  ", class_name=None), today=TODAY
    )
    assert (largest.amount, largest.school, largest.class_name) == (MAX_AMOUNT, None, None)


async def test_balance_and_overdraft_warning(db: Database, world: World) -> None:
    fund = await fund_of(db, world.b1)
    assert await funds.balance(db, fund.id) == 0
    assert await funds.exceeds_balance(db, fund.id, 1)
    await give(db, fund, amount=5_000_000)
    gift = await give(db, fund, amount=3_000_000, in_kind=True, in_kind_description="Vở")
    award = await pay(db, fund, amount=6_000_000)
    assert await funds.balance(db, fund.id) == 2_000_000
    assert not await funds.exceeds_balance(db, fund.id, 2_000_000)
    assert await funds.exceeds_balance(db, fund.id, 2_000_001)
    # Editing the award: its own amount is not counted against itself.
    assert not await funds.exceeds_balance(db, fund.id, 8_000_000, replacing_award_id=award.id)
    assert await funds.exceeds_balance(db, fund.id, 8_000_001, replacing_award_id=award.id)

    withdrawn = await report_access.withdraw(
        db, VOLUNTEER, ReportKind.CONTRIBUTION, gift.id, now=NOW
    )
    assert not isinstance(withdrawn, ReportError)
    assert await funds.balance(db, fund.id) == -1_000_000
    # An award larger than the balance is still recorded: the handler only warns.
    await pay(db, fund, amount=4_000_000)
    assert await funds.balance(db, fund.id) == -5_000_000
    other = await fund_of(db, world.b2)
    assert await funds.balance(db, other.id) == 0
    for level in (world.b1, world.province):
        values = await counters.values(db, level.id, 2026)
        assert values[counters.FUND_RAISED] == 5_000_000
        assert values[counters.FUND_AWARDED] == 10_000_000
        assert values[counters.AWARDS] == 2
    await clean(db)
