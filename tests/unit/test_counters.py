"""Statistics counters: names, a mixed day of reporting counted by hand at every level, the
consistency check, atomicity, and random sequences of operations."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.services import counters, funds, members, nominations, report_access
from bot.services.counters import Mismatch
from bot.services.reporting import ReportError
from bot.storage import people
from bot.storage.db import Database
from bot.storage.records import (
    Campaign,
    DonorKind,
    Fund,
    NominationKind,
    NominationStatus,
    ReportKind,
)
from tests.unit.reporting_helpers import (
    ADMIN,
    CHAIR,
    DISTRICT_CHAIR,
    FAR_VOLUNTEER,
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


@pytest.fixture
async def world(db: Database) -> World:
    return await make_world(db)


def test_indicator_names() -> None:
    names = counters.all_indicators()
    assert len(names) == len(set(names)) == 1 + 6 * 2 + 1 + 5 + 6 + 3
    assert {"members_new", "fund_raised", "fund_awarded", "contributions", "awards"} <= set(names)
    assert "title:learning_unit:recognised" in names
    assert "title:citizen:pending" in names
    assert "fund_raised:campaign:pig_raising" in names
    assert "fund_raised:donor:collective" in names
    with pytest.raises(ValueError):
        counters.title(NominationKind.CLAN, NominationStatus.REJECTED)


def held(kind: NominationKind) -> str:
    return counters.title(kind, NominationStatus.RECOGNISED)


def awaited(kind: NominationKind) -> str:
    return counters.title(kind, NominationStatus.PENDING)


def merged(*parts: dict[str, int]) -> dict[str, int]:
    total: dict[str, int] = {}
    for part in parts:
        for indicator, value in part.items():
            total[indicator] = total.get(indicator, 0) + value
    return {indicator: value for indicator, value in total.items() if value}


async def test_a_mixed_day_counted_by_hand(db: Database, world: World) -> None:
    async def member(actor: int, unit: Any, **changes: Any) -> int:
        data = member_data(unit, **changes)
        made = await members.create_member(db, actor, data, idempotency_key=key(), now=NOW)
        return ok(made).id

    async def nominate(actor: int, unit: Any, **changes: Any) -> int:
        data = nomination_data(unit, **changes)
        made = await nominations.create_nomination(db, actor, data, idempotency_key=key(), now=NOW)
        return ok(made).id

    async def give(actor: int, fund: Fund, **changes: Any) -> int:
        data = contribution_data(fund, **changes)
        made = await funds.create_contribution(db, actor, data, idempotency_key=key(), now=NOW)
        return ok(made).id

    async def pay(actor: int, fund: Fund, **changes: Any) -> int:
        data = award_data(fund, **changes)
        return ok(await funds.create_award(db, actor, data, idempotency_key=key(), now=NOW)).id

    def succeeded(result: object) -> None:
        assert not isinstance(result, ReportError), result

    # Members: two on b1 (one joined in 2025), one on b2 withdrawn, one on b3.
    await member(VOLUNTEER, world.b1)
    await member(VOLUNTEER, world.b1, full_name="Lê Thị Cúc", joined_on=date(2025, 6, 1))
    withdrawn = await member(NEIGHBOUR, world.b2)
    succeeded(await report_access.withdraw(db, NEIGHBOUR, ReportKind.MEMBER, withdrawn, now=NOW))
    await member(FAR_VOLUNTEER, world.b3)

    # Titles: a family recognised, a citizen pending, a clan rejected, a citizen moved to
    # 2025 by its reporter, an agency on b3 recognised by the district.
    family = await nominate(VOLUNTEER, world.b1)
    succeeded(await nominations.decide(db, family, CHAIR, recognise=True, reason=None, now=NOW))
    await nominate(VOLUNTEER, world.b1, kind="citizen", subject="Ông Phạm Văn Đức")
    clan = await nominate(VOLUNTEER, world.b1, kind="clan", subject="Dòng họ Vũ")
    succeeded(await nominations.decide(db, clan, CHAIR, recognise=False, reason="Thiếu", now=NOW))
    moved = await nominate(VOLUNTEER, world.b1, kind="citizen", subject="Bà Đỗ Thị Én")
    succeeded(await report_access.edit_nomination(db, VOLUNTEER, moved, {"year": 2025}, now=NOW))
    agency = await nominate(FAR_VOLUNTEER, world.b3, kind="learning_unit", subject="Trường Mầm non")
    succeeded(
        await nominations.decide(db, agency, DISTRICT_CHAIR, recognise=True, reason=None, now=NOW)
    )

    # Money.
    b1_fund, b3_fund = await fund_of(db, world.b1), await fund_of(db, world.b3)
    commune_fund = await fund_of(db, world.commune)
    await give(VOLUNTEER, b1_fund)  # 5M, Tháng Khuyến học, enterprise
    small = await give(
        VOLUNTEER, b1_fund, amount=2_000_000, campaign="xuan_khuyen_hoc", donor_kind="individual"
    )
    succeeded(
        await report_access.edit_contribution(db, VOLUNTEER, small, {"amount": 3_000_000}, now=NOW)
    )
    await give(
        CHAIR,
        commune_fund,
        amount=10_000_000,
        campaign="one_day_salary",
        donor_kind="organisation",
    )
    pig = await give(
        FAR_VOLUNTEER, b3_fund, amount=1_000_000, campaign="pig_raising", donor_kind="family"
    )
    succeeded(await report_access.withdraw(db, OTHER_CHAIR, ReportKind.CONTRIBUTION, pig, now=NOW))
    await pay(VOLUNTEER, b1_fund)  # 1M
    prize = await pay(CHAIR, commune_fund, amount=4_000_000)
    succeeded(
        await report_access.edit_award(
            db, CHAIR, prize, {"awarded_on": date(2025, 12, 20)}, now=NOW + timedelta(days=30)
        )
    )

    b1_2026 = {
        counters.MEMBERS_NEW: 1,
        held(NominationKind.FAMILY): 1,
        awaited(NominationKind.CITIZEN): 1,
        counters.FUND_RAISED: 8_000_000,
        counters.raised_by_campaign(Campaign.THANG_KHUYEN_HOC): 5_000_000,
        counters.raised_by_campaign(Campaign.XUAN_KHUYEN_HOC): 3_000_000,
        counters.raised_by_donor(DonorKind.ENTERPRISE): 5_000_000,
        counters.raised_by_donor(DonorKind.INDIVIDUAL): 3_000_000,
        counters.CONTRIBUTIONS: 2,
        counters.FUND_AWARDED: 1_000_000,
        counters.AWARDS: 1,
    }
    b1_2025 = {counters.MEMBERS_NEW: 1, awaited(NominationKind.CITIZEN): 1}
    commune_own_2026 = {
        counters.FUND_RAISED: 10_000_000,
        counters.raised_by_campaign(Campaign.ONE_DAY_SALARY): 10_000_000,
        counters.raised_by_donor(DonorKind.ORGANISATION): 10_000_000,
        counters.CONTRIBUTIONS: 1,
    }
    commune_own_2025 = {counters.FUND_AWARDED: 4_000_000, counters.AWARDS: 1}
    b3_2026 = {counters.MEMBERS_NEW: 1, held(NominationKind.LEARNING_UNIT): 1}

    expected = {
        (world.b1, 2026): b1_2026,
        (world.b1, 2025): b1_2025,
        (world.b2, 2026): {},
        (world.commune, 2026): merged(b1_2026, commune_own_2026),
        (world.commune, 2025): merged(b1_2025, commune_own_2025),
        (world.b3, 2026): b3_2026,
        (world.other_commune, 2026): b3_2026,
        (world.district, 2026): merged(b1_2026, commune_own_2026, b3_2026),
        (world.district, 2025): merged(b1_2025, commune_own_2025),
        (world.province, 2026): merged(b1_2026, commune_own_2026, b3_2026),
        (world.province, 2025): merged(b1_2025, commune_own_2025),
        (world.other_district, 2026): {},
        (world.b4, 2026): {},
        (world.province, 2024): {},
    }
    for (level, year), values in expected.items():
        assert await counters.values(db, level.id, year) == values, (level.name, year)
    await clean(db)


async def test_recompute_finds_and_rebuild_repairs_drift(db: Database, world: World) -> None:
    fund = await fund_of(db, world.b1)
    data = contribution_data(fund)
    ok(await funds.create_contribution(db, VOLUNTEER, data, idempotency_key=key(), now=NOW))
    await clean(db)
    await db.execute(
        "UPDATE stat_counter SET value = value + 1 WHERE unit_id = ? AND indicator = ?",
        (world.commune.id, counters.CONTRIBUTIONS),
    )
    await db.execute(
        "DELETE FROM stat_counter WHERE unit_id = ? AND indicator = ?",
        (world.province.id, counters.FUND_RAISED),
    )
    await db.execute(
        "INSERT INTO stat_counter VALUES (?, 2020, ?, 3)", (world.b2.id, counters.MEMBERS_NEW)
    )
    drift = [
        Mismatch(world.province.id, 2026, counters.FUND_RAISED, 0, 5_000_000),
        Mismatch(world.commune.id, 2026, counters.CONTRIBUTIONS, 2, 1),
        Mismatch(world.b2.id, 2020, counters.MEMBERS_NEW, 3, 0),
    ]
    assert await counters.recompute(db) == sorted(
        drift, key=lambda m: (m.unit_id, m.year, m.indicator)
    )
    assert sorted(await counters.rebuild(db), key=repr) == sorted(drift, key=repr)
    await clean(db)


async def test_a_failed_save_leaves_no_counts(
    db: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken_audit(*_: object, **__: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(people, "audit", broken_audit)
    with pytest.raises(RuntimeError):
        await members.create_member(
            db, VOLUNTEER, member_data(world.b1), idempotency_key=key(), now=NOW
        )
    assert await db.fetchone("SELECT 1 FROM member") is None
    assert await db.fetchone("SELECT 1 FROM stat_counter") is None


# --- Random sequences -------------------------------------------------------------------------

# The province admin may do anything, so a third of the steps get past the scope checks.
ACTORS = (
    ADMIN,
    ADMIN,
    ADMIN,
    VOLUNTEER,
    NEIGHBOUR,
    FAR_VOLUNTEER,
    CHAIR,
    OTHER_CHAIR,
    DISTRICT_CHAIR,
)
actors = st.sampled_from(ACTORS)
years = st.integers(min_value=2024, max_value=2026)
amounts = st.integers(min_value=1, max_value=10**9)
refs = st.integers(min_value=0, max_value=10**6)
operations = st.one_of(
    st.tuples(st.just("member"), actors, st.integers(0, 3), years),
    st.tuples(
        st.just("nominate"),
        actors,
        st.integers(0, 4),
        st.sampled_from(NominationKind),
        st.sampled_from(("Hộ ông An", "Hộ bà Bình")),
        years,
    ),
    st.tuples(
        st.just("give"),
        actors,
        st.integers(0, 4),
        amounts,
        st.sampled_from(Campaign),
        st.sampled_from(DonorKind),
        years,
    ),
    st.tuples(st.just("pay"), actors, st.integers(0, 4), amounts, years),
    st.tuples(st.just("edit"), actors, refs, st.integers(0, 4), refs),
    st.tuples(st.just("withdraw"), actors, refs),
    st.tuples(st.just("decide"), actors, refs, st.booleans()),
    st.tuples(st.just("wait"), st.integers(1, 72)),
)
_runs = itertools.count()


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(operations, max_size=30))
async def test_random_sequences_keep_counters_consistent(
    db: Database, world: World, steps: list[tuple[Any, ...]]
) -> None:
    run = next(_runs)
    branches = [world.b1, world.b2, world.b3, world.b4]
    places = [*branches, world.commune]
    fund_list = [await fund_of(db, unit) for unit in (*branches[:3], world.commune, world.district)]
    made: list[tuple[ReportKind, int]] = []
    now = NOW

    def day(year: int, seed: int = 0) -> date:
        return date(year, 1 + seed % 11, 1 + seed % 28)

    def edit_for(kind: ReportKind, field: int, value: int) -> dict[str, Any]:
        choices: dict[ReportKind, list[dict[str, Any]]] = {
            ReportKind.MEMBER: [
                {"joined_on": day(2024 + value % 3, value)},
                {"unit_id": branches[value % 4].id},
                {"full_name": ("Nguyễn Văn An", "Trần Thị Bình")[value % 2]},
            ],
            ReportKind.NOMINATION: [
                {"year": 2024 + value % 3},
                {"kind": list(NominationKind)[value % 6]},
                {"unit_id": places[value % 5].id},
                {"subject": ("Hộ ông An", "Hộ bà Bình")[value % 2]},
            ],
            ReportKind.CONTRIBUTION: [
                {"amount": 1 + value},
                {"fund_id": fund_list[value % 5].id},
                {"contributed_on": day(2024 + value % 3, value)},
                {"campaign": list(Campaign)[value % 5]},
                {"donor_kind": list(DonorKind)[value % 6]},
            ],
            ReportKind.AWARD: [
                {"amount": 1 + value},
                {"fund_id": fund_list[value % 5].id},
                {"awarded_on": day(2024 + value % 3, value)},
            ],
        }
        options = choices[kind]
        return options[field % len(options)]

    for number, step in enumerate(steps):
        draft = f"run{run}-{number}"
        result: object = None
        match step:
            case ("member", actor, where, year):
                data = member_data(branches[where], joined_on=day(year, number))
                result = await members.create_member(
                    db, actor, data, idempotency_key=draft, now=now
                )
            case ("nominate", actor, where, kind, subject, year):
                data = nomination_data(places[where], kind=kind, subject=subject, year=year)
                result = await nominations.create_nomination(
                    db, actor, data, idempotency_key=draft, now=now
                )
            case ("give", actor, which, amount, campaign, donor, year):
                data = contribution_data(
                    fund_list[which],
                    amount=amount,
                    campaign=campaign,
                    donor_kind=donor,
                    contributed_on=day(year, number),
                )
                result = await funds.create_contribution(
                    db, actor, data, idempotency_key=draft, now=now
                )
            case ("pay", actor, which, amount, year):
                data = award_data(fund_list[which], amount=amount, awarded_on=day(year, number))
                result = await funds.create_award(db, actor, data, idempotency_key=draft, now=now)
            case ("edit", actor, ref, field, value) if made:
                kind, record_id = made[ref % len(made)]
                changes = edit_for(kind, field, value)
                editor = {
                    ReportKind.MEMBER: report_access.edit_member,
                    ReportKind.NOMINATION: report_access.edit_nomination,
                    ReportKind.CONTRIBUTION: report_access.edit_contribution,
                    ReportKind.AWARD: report_access.edit_award,
                }[kind]
                result = await editor(db, actor, record_id, changes, now=now)
            case ("withdraw", actor, ref) if made:
                kind, record_id = made[ref % len(made)]
                result = await report_access.withdraw(db, actor, kind, record_id, now=now)
            case ("decide", actor, ref, recognise) if titles := [
                record_id for kind, record_id in made if kind is ReportKind.NOMINATION
            ]:
                result = await nominations.decide(
                    db,
                    titles[ref % len(titles)],
                    actor,
                    recognise=recognise,
                    reason="Chưa đạt",
                    now=now,
                )
            case ("wait", hours):
                now += timedelta(hours=hours)
        if isinstance(result, tuple):
            record = result[0]
            made.append((record.KIND, record.id))
        if result is not None:
            event(f"{step[0]}: {result.value if isinstance(result, ReportError) else 'done'}")
    assert await counters.recompute(db) == []
