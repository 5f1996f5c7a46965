"""Scope statistics on a hand-made district (two communes with data, three branches), worked
out by hand here; `compute` against `full_scan`, also after random operations; the yearly
report against the province's published 2023 figures."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import DATA_DIR
from bot.services import (
    annual_report,
    funds,
    hierarchy,
    imports,
    members,
    national_targets,
    nominations,
    report_access,
    stats,
)
from bot.services.figures import MEMBERS_SHARE, Figure, set_figure, target
from bot.services.imports import ImportResult
from bot.services.stats import FundStats, MemberStats, RankBy, TitleStats
from bot.storage import people, statistics
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import Unit, UnitKind
from bot.storage.records import Campaign, DonorKind, NominationKind, ReportKind
from bot.text import fold
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

M = 1_000_000
FAMILY = NominationKind.FAMILY


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


async def figure(db: Database, unit: Unit, year: int, name: str, value: int) -> None:
    assert await set_figure(db, ADMIN, unit, year, name, value, NOW) is None


async def baseline(db: Database, *lines: str) -> None:
    result = await imports.import_baseline(db, csv_bytes(*lines), "b.csv", actor_id=ADMIN, now=NOW)
    assert isinstance(result, ImportResult), result


@pytest.fixture
async def world(db: Database) -> World:
    return await make_world(db)


@dataclass
class Data:
    world: World
    communes: int
    """Communes of the district in the hierarchy."""


async def nominate(db: Database, actor: int, unit: Unit, **changes: Any) -> int:
    data = nomination_data(unit, **changes)
    made = await nominations.create_nomination(db, actor, data, idempotency_key=key(), now=NOW)
    return ok(made).id


async def decide(db: Database, nomination_id: int, actor: int, recognise: bool = True) -> None:
    decided = await nominations.decide(
        db, nomination_id, actor, recognise=recognise, reason="Chưa đạt", now=NOW
    )
    assert not isinstance(decided, str), decided


async def withdraw(db: Database, actor: int, kind: ReportKind, record_id: int) -> None:
    done = await report_access.withdraw(db, actor, kind, record_id, now=NOW)
    assert not isinstance(done, str), done


@pytest.fixture
async def data(db: Database) -> Data:
    world = await make_world(db)
    commune, other = world.commune, world.other_commune

    # Figures: the commune's population changes in 2026; the district sets its agencies.
    for name, value in (("population", 10_000), ("households", 2_500), ("citizens", 6_000)):
        await figure(db, commune, 2024, name, value)
    await figure(db, commune, 2024, "clans", 40)
    await figure(db, commune, 2026, "population", 10_400)
    await figure(db, commune, 2025, "agencies", 10)
    await figure(db, other, 2025, "population", 5_000)
    await figure(db, other, 2025, "households", 1_000)
    await figure(db, world.district, 2026, "agencies", 60)
    await figure(db, world.province, 2025, target(FAMILY), 800)
    await figure(db, world.district, 2026, target(FAMILY), 850)
    await figure(db, commune, 2025, target(MEMBERS_SHARE), 400)

    # Baselines: year-end 2025 for both communes, and paper titles of 2026 in one.
    await baseline(
        db,
        "unit_code,year,members_total,title_family,fund_raised,fund_awarded",
        f"{commune.code},2025,3000,1500,100000000,40000000",
        f"{other.code},2025,1000,600,,",
        f"{commune.code},2026,,1700,,",
    )

    # Members: m1, m2 in 2026, m3 in 2025, m6 in 2024 on b1; m4 withdrawn; m5 on b3.
    for name, joined in (
        ("Nguyễn Văn An", date(2026, 10, 2)),
        ("Lê Thị Cúc", date(2026, 3, 1)),
        ("Phạm Văn Đức", date(2025, 6, 1)),
        ("Vũ Thị Hoa", date(2024, 5, 1)),
    ):
        data = member_data(world.b1, full_name=name, joined_on=joined)
        ok(await members.create_member(db, VOLUNTEER, data, idempotency_key=key(), now=NOW))
    m4 = member_data(world.b2)
    made = ok(await members.create_member(db, NEIGHBOUR, m4, idempotency_key=key(), now=NOW))
    await withdraw(db, NEIGHBOUR, ReportKind.MEMBER, made.id)
    m5 = member_data(world.b3)
    ok(await members.create_member(db, FAR_VOLUNTEER, m5, idempotency_key=key(), now=NOW))

    # Titles of 2026 on b1: A, B recognised, C pending, D withdrawn while pending, E withdrawn
    # after recognition, a clan rejected, a citizen pending; F recognised on b3; G of 2025;
    # the commune recognised as a learning community by the district.
    for subject in ("Hộ A", "Hộ B", "Hộ E"):
        await decide(db, await nominate(db, VOLUNTEER, world.b1, subject=subject), CHAIR)
    await nominate(db, VOLUNTEER, world.b1, subject="Hộ C")
    pending = await nominate(db, VOLUNTEER, world.b1, subject="Hộ D")
    await withdraw(db, VOLUNTEER, ReportKind.NOMINATION, pending)
    recognised_e = await db.fetchone("SELECT id FROM nomination WHERE subject = 'Hộ E'")
    assert recognised_e is not None
    await withdraw(db, CHAIR, ReportKind.NOMINATION, recognised_e[0])
    clan = await nominate(db, VOLUNTEER, world.b1, kind="clan", subject="Dòng họ Vũ")
    await decide(db, clan, CHAIR, recognise=False)
    await nominate(db, VOLUNTEER, world.b1, kind="citizen", subject="Ông Phạm Văn Đức")
    await decide(db, await nominate(db, FAR_VOLUNTEER, world.b3, subject="Hộ F"), OTHER_CHAIR)
    await decide(db, await nominate(db, VOLUNTEER, world.b1, subject="Hộ G", year=2025), CHAIR)
    learning = await nominate(db, CHAIR, commune, kind="commune_community", subject=commune.name)
    await decide(db, learning, DISTRICT_CHAIR)

    # Money.
    b1_fund, b3_fund = await fund_of(db, world.b1), await fund_of(db, world.b3)
    commune_fund, other_fund = await fund_of(db, commune), await fund_of(db, other)

    async def give(actor: int, fund: Any, **changes: Any) -> int:
        entry = contribution_data(fund, **changes)
        made = await funds.create_contribution(db, actor, entry, idempotency_key=key(), now=NOW)
        return ok(made).id

    await give(VOLUNTEER, b1_fund)  # 5M, Tháng Khuyến học, enterprise, 2026
    await give(
        CHAIR,
        commune_fund,
        amount=10 * M,
        campaign="xuan_khuyen_hoc",
        donor_kind="individual",
        contributed_on=date(2025, 9, 1),
    )
    await give(
        FAR_VOLUNTEER,
        b3_fund,
        amount=2 * M,
        campaign="pig_raising",
        donor_kind="family",
        contributed_on=date(2026, 2, 1),
    )
    gone = await give(VOLUNTEER, b1_fund, amount=7 * M)
    await withdraw(db, VOLUNTEER, ReportKind.CONTRIBUTION, gone)
    ok(await funds.create_award(db, VOLUNTEER, award_data(b1_fund), idempotency_key=key(), now=NOW))
    paid = award_data(other_fund, amount=3 * M, awarded_on=date(2025, 12, 1))
    ok(await funds.create_award(db, OTHER_CHAIR, paid, idempotency_key=key(), now=NOW))

    communes = await unit_store.count_children(db, world.district.id)
    return Data(world=world, communes=communes)


def members_line(**fields: Any) -> MemberStats:
    defaults: dict[str, Any] = {"baseline_year": None, "baseline": 0, "target_share": None}
    line = {**defaults, **fields}
    line.setdefault("share", None)
    return MemberStats(**line)


def pct(count: int, denominator: int) -> float:
    return 100 * count / denominator


async def test_district_counted_by_hand(db: Database, data: Data) -> None:
    world = data.world
    got = await stats.compute(db, world.district, start_year=2025, end_year=2026)
    assert got.unit == world.district and (got.start_year, got.end_year) == (2025, 2026)
    assert (got.districts, got.communes, got.branches) == (1, data.communes, 3)

    # Baseline 2025 (3000 + 1000) plus m1, m2, m5 who joined in 2026; m3 joined in 2025 and
    # is in the baseline; m4 was withdrawn. Population: 10 400 (2026) + 5 000 (2025).
    assert got.members == members_line(
        total=4003,
        baseline_year=2025,
        baseline=4000,
        new_in_period=4,
        population=15_400,
        share=pct(4003, 15_400),
    )

    titles = got.titles
    assert list(titles) == list(NominationKind)
    # 1700 on paper + A, B, F; C pending; D, E withdrawn; G is 2025's.
    assert titles[FAMILY] == TitleStats(
        kind=FAMILY,
        year=2026,
        recognised=1703,
        baseline=1700,
        pending=1,
        denominator=3_500,
        percent=pct(1703, 3_500),
        target=85.0,
        national=national_targets.for_year(FAMILY, 2026),  # 70% by 2025 (387/QĐ-TTg)
    )
    clan = titles[NominationKind.CLAN]
    assert (clan.recognised, clan.pending, clan.denominator, clan.percent) == (0, 0, 40, 0.0)
    citizen = titles[NominationKind.CITIZEN]
    assert (citizen.recognised, citizen.pending, citizen.denominator) == (0, 1, 6_000)
    assert titles[NominationKind.LEARNING_UNIT].denominator == 60  # the district's own
    village = titles[NominationKind.VILLAGE_COMMUNITY]
    assert (village.denominator, village.percent, village.target) == (None, None, None)
    community = titles[NominationKind.COMMUNE_COMMUNITY]
    assert (community.recognised, community.denominator) == (1, data.communes)
    assert community.percent == pct(1, data.communes)

    campaigns = dict.fromkeys(Campaign, 0)
    campaigns |= {
        Campaign.THANG_KHUYEN_HOC: 5 * M,
        Campaign.XUAN_KHUYEN_HOC: 10 * M,
        Campaign.PIG_RAISING: 2 * M,
    }
    donors = dict.fromkeys(DonorKind, 0)
    donors |= {DonorKind.ENTERPRISE: 5 * M, DonorKind.INDIVIDUAL: 10 * M, DonorKind.FAMILY: 2 * M}
    assert got.funds == FundStats(
        raised=100 * M + 5 * M + 10 * M + 2 * M,
        awarded=40 * M + 1 * M + 3 * M,
        balance=117 * M - 44 * M,
        baseline_raised=100 * M,
        baseline_awarded=40 * M,
        raised_by_campaign=campaigns,
        raised_by_donor=donors,
        contributions=3,
        awards=2,
    )
    assert got.figures[Figure.POPULATION] == 15_400


async def test_sub_units_and_ranking(db: Database, data: Data) -> None:
    world = data.world
    got = await stats.compute(db, world.district, start_year=2025, end_year=2026)
    assert [line.unit for line in got.sub_units] == await unit_store.children(db, world.district.id)
    lines = {line.unit.id: line for line in got.sub_units}
    one, two = lines[world.commune.id], lines[world.other_commune.id]
    assert one.members == members_line(
        total=3002,
        baseline_year=2025,
        baseline=3000,
        new_in_period=3,
        population=10_400,
        share=pct(3002, 10_400),
        target_share=40.0,
    )
    family = one.titles[FAMILY]
    assert (family.recognised, family.pending, family.denominator) == (1702, 1, 2_500)
    assert family.percent == pct(1702, 2_500) and family.target == 85.0  # the district's
    assert (one.branches, one.raised, one.awarded) == (2, 115 * M, 41 * M)
    assert (two.members.total, two.members.share) == (1001, pct(1001, 5_000))
    assert (two.titles[FAMILY].recognised, two.titles[FAMILY].percent) == (1, pct(1, 1_000))
    assert (two.branches, two.raised, two.awarded) == (1, 2 * M, 3 * M)
    assert two.titles[NominationKind.COMMUNE_COMMUNITY].denominator == 1
    rest = [line for line in got.sub_units if line.unit.id not in (one.unit.id, two.unit.id)]
    assert all(line.members.total == 0 and line.members.share is None for line in rest)

    assert stats.ranked(got.sub_units, RankBy.MEMBER_SHARE) == [one, two]
    assert stats.ranked(got.sub_units, FAMILY) == [one, two]
    assert stats.ranked(got.sub_units, RankBy.AWARDED)[:2] == [one, two]
    by_raised = stats.ranked(got.sub_units, RankBy.RAISED)
    assert by_raised[:2] == [one, two] and len(by_raised) == len(got.sub_units)
    assert by_raised[2:] == rest  # ties keep the alphabetical order
    assert stats.ranked(got.sub_units, RankBy.MEMBERS)[-1] == rest[-1]


async def test_commune_and_branch_scopes(db: Database, data: Data) -> None:
    world = data.world
    commune = await stats.compute(db, world.commune, start_year=2026, end_year=2026)
    assert (commune.districts, commune.communes, commune.branches) == (0, 1, 2)
    assert [line.unit for line in commune.sub_units] == [world.b1, world.b2]
    b1, b2 = commune.sub_units
    # No baseline on the branch: every member who joined up to 2026 (m1, m2, m3, m6).
    assert b1.members == members_line(
        total=4,
        new_in_period=2,
        population=None,
        target_share=40.0,  # the commune's
    )
    assert (b1.titles[FAMILY].recognised, b1.titles[FAMILY].pending) == (2, 1)
    assert b1.titles[FAMILY].denominator is None and b1.titles[FAMILY].target == 85.0
    assert (b1.raised, b1.awarded, b1.branches) == (5 * M, 1 * M, 1)
    assert (b2.members.total, b2.raised) == (0, 0)
    community = commune.titles[NominationKind.COMMUNE_COMMUNITY]
    assert (community.recognised, community.denominator, community.percent) == (1, 1, 100.0)
    assert commune.funds.raised == 5 * M and commune.funds.baseline_raised == 0

    branch = await stats.compute(db, world.b1, start_year=2026, end_year=2026)
    assert (branch.communes, branch.branches, branch.sub_units) == (0, 1, ())
    assert branch.titles[NominationKind.COMMUNE_COMMUNITY].denominator is None
    assert branch.members.total == 4


async def test_year_and_range_filters(db: Database, data: Data) -> None:
    world = data.world

    async def period(start: int, end: int) -> stats.ScopeStats:
        return await stats.compute(db, world.district, start_year=start, end_year=end)

    last = await period(2026, 2026)
    assert (last.members.total, last.members.new_in_period) == (4003, 3)
    assert (last.funds.raised, last.funds.awarded, last.funds.balance) == (7 * M, 1 * M, 6 * M)

    year_2025 = await period(2025, 2025)
    assert year_2025.members == members_line(
        total=4000,
        baseline_year=2025,
        baseline=4000,
        new_in_period=1,
        population=10_000 + 5_000,  # the commune's 2026 population is not used for 2025
        share=pct(4000, 15_000),
    )
    family = year_2025.titles[FAMILY]
    assert (family.recognised, family.baseline, family.pending) == (1500 + 600 + 1, 2100, 0)
    assert family.target == 80.0  # the province's: the district's own starts in 2026
    assert year_2025.titles[NominationKind.LEARNING_UNIT].denominator == 10
    assert (year_2025.funds.raised, year_2025.funds.awarded) == (110 * M, 43 * M)

    # Before any baseline: the members reported with joined year ≤ 2024 (m6).
    early = await period(2020, 2024)
    assert early.members == members_line(
        total=1, new_in_period=1, population=10_000, share=pct(1, 10_000)
    )
    assert early.titles[FAMILY].recognised == 0 and early.funds.raised == 0

    province = await stats.compute(db, world.province, start_year=2025, end_year=2026)
    assert province.members.total == 4003 and province.communes == 260
    assert province.titles[FAMILY].target == 80.0
    assert province.titles[NominationKind.COMMUNE_COMMUNITY].denominator == 260
    assert province.funds == (await period(2025, 2026)).funds
    with pytest.raises(ValueError):
        await period(2026, 2025)


async def test_compute_reads_counters_only(
    db: Database, data: Data, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    for name in ("fetchall", "fetchone"):
        original = getattr(db, name)

        def spy(sql: str, params: Any = (), original: Any = original) -> Any:
            seen.append(sql)
            return original(sql, params)

        monkeypatch.setattr(db, name, spy)
    await stats.compute(db, data.world.province, start_year=2020, end_year=2026)
    read = [sql for sql in seen if "data_revision" not in sql]
    assert len(read) <= 6
    raw = ("member", "nomination", "contribution", "award", "baseline")
    assert not [sql for sql in read if any(f"FROM {table} " in sql + " " for table in raw)]

    # Asked again with nothing changed: the structure, the figures and the maps are kept
    # (bot/services/derived.py); the counters are read again, and the scope's children.
    seen.clear()
    again = await stats.compute(db, data.world.province, start_year=2020, end_year=2026)
    read = [sql for sql in seen if "data_revision" not in sql]
    assert len(read) == 2 and "FROM stat_counter" in read[1], read
    assert " FROM unit WHERE parent_id" in read[0] and "JOIN" not in read[0], read
    assert again == await stats.full_scan(db, data.world.province, start_year=2020, end_year=2026)


async def test_compute_equals_full_scan(db: Database, data: Data) -> None:
    world = data.world
    for unit in (world.province, world.district, world.commune, world.other_commune, world.b1):
        for start, end in ((2020, 2026), (2025, 2026), (2026, 2026), (2025, 2025), (2024, 2024)):
            fast = await stats.compute(db, unit, start_year=start, end_year=end)
            slow = await stats.full_scan(db, unit, start_year=start, end_year=end)
            assert fast == slow, (unit.name, start, end)
    await clean(db)


# --- The published 2023 figures ---------------------------------------------------------------

_PUBLISHED_TITLES = {
    "cong_dan_hoc_tap": (NominationKind.CITIZEN, "citizens"),
    "gia_dinh_hoc_tap": (NominationKind.FAMILY, "households"),
    "dong_ho_hoc_tap": (NominationKind.CLAN, "clans"),
    "cong_dong_hoc_tap_thon": (NominationKind.VILLAGE_COMMUNITY, "villages"),
    "don_vi_hoc_tap": (NominationKind.LEARNING_UNIT, "agencies"),
    "cong_dong_hoc_tap_xa": (NominationKind.COMMUNE_COMMUNITY, None),
}


async def test_annual_report_reproduces_the_2023_figures(db: Database) -> None:
    published = json.loads((DATA_DIR / "thai_binh_2023_figures.json").read_text("utf-8"))
    province = await unit_store.root(db)
    assert province is not None
    association = published["association"]
    figure_columns = {"population": association["implied_population"]}
    figure_columns["committees"] = association["committees"]
    baseline_columns = {"members_total": association["members"]}
    for key_name, (kind, column) in _PUBLISHED_TITLES.items():
        entry = published["titles"][key_name]
        baseline_columns[f"title_{kind.value}"] = entry["count"]
        if column is not None:
            figure_columns[column] = entry["implied_denominator"]

    def sheet(columns: dict[str, int], year: int) -> bytes:
        header = ",".join(["unit_code", "year", *columns])
        row = ",".join([province.code, str(year), *(str(v) for v in columns.values())])
        return csv_bytes(header, row)

    for importer, columns in (
        (imports.import_figures, figure_columns),
        (imports.import_baseline, baseline_columns),
    ):
        result = await importer(db, sheet(columns, 2023), "2023.csv", actor_id=ADMIN, now=NOW)
        assert isinstance(result, ImportResult), result
    funds_csv = csv_bytes("unit_code,year,fund_raised,fund_awarded", f"34,2024,{443 * 10**9},0")
    await imports.import_baseline(db, funds_csv, "f.csv", actor_id=ADMIN, now=NOW)

    report = await annual_report.build(db, province, 2023)
    assert [line.kind for line in report.titles] == list(NominationKind)
    for key_name, (kind, _) in _PUBLISHED_TITLES.items():
        line = next(line for line in report.titles if line.kind is kind)
        entry = published["titles"][key_name]
        assert line.count == entry["count"]
        assert line.percent is not None and round(line.percent, 1) == entry["percent"], kind
    assert report.members == association["members"]
    assert report.member_share is not None
    assert round(report.member_share, 1) == association["members_percent_of_population"]
    assert report.districts == association["district_associations"] == 8
    assert report.committees == association["committees"]
    assert (report.communes, report.branches) == (260, 0)
    assert (report.raised, report.awarded) == (0, 0)
    assert len(report.sub_unit_shares) == 8
    assert all(line.share is None for line in report.sub_unit_shares)

    term = await annual_report.build(db, province, 2024, funds_since=2019)
    assert (term.funds_start_year, term.funds_end_year, term.raised) == (2019, 2024, 443 * 10**9)
    assert term.members == association["members"]  # the 2023 baseline still holds
    assert all(line.count == 0 for line in term.titles[:5])  # titles are per year
    # The published paragraph: 2023's titles with the 2019–2024 term's funds.
    published = await annual_report.build(db, province, 2023, funds_since=2019, funds_until=2024)
    assert published.titles[0].count == report.titles[0].count
    assert (published.funds_start_year, published.funds_end_year) == (2019, 2024)
    assert published.raised == 443 * 10**9
    await clean(db)


# --- Random operations ------------------------------------------------------------------------

years = st.integers(min_value=2023, max_value=2026)
values = st.integers(min_value=0, max_value=10**6)
BASELINE_COLUMNS = list(imports.BASELINE_COLUMNS)
FIGURES = ["population", "households", "citizens", "agencies", target(FAMILY)]
operations = st.one_of(
    st.tuples(st.just("member"), st.integers(0, 3), years),
    st.tuples(
        st.just("nominate"),
        st.integers(0, 4),
        st.sampled_from(NominationKind),
        st.sampled_from(("Hộ ông An", "Hộ bà Bình")),
        years,
    ),
    st.tuples(st.just("decide"), st.integers(0, 10**6), st.booleans()),
    st.tuples(st.just("withdraw"), st.integers(0, 10**6)),
    st.tuples(
        st.just("give"),
        st.integers(0, 4),
        st.integers(1, 10**9),
        st.sampled_from(Campaign),
        st.sampled_from(DonorKind),
        years,
    ),
    st.tuples(st.just("pay"), st.integers(0, 4), st.integers(1, 10**9), years),
    st.tuples(
        st.just("baseline"), st.integers(0, 5), years, st.sampled_from(BASELINE_COLUMNS), values
    ),
    st.tuples(st.just("clear"), st.integers(0, 5), years),
    st.tuples(st.just("figure"), st.integers(0, 4), years, st.sampled_from(FIGURES), values),
)
_runs = itertools.count()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(operations, max_size=20),
    start=years,
    length=st.integers(0, 2),
)
async def test_random_operations_compute_equals_full_scan(
    db: Database, world: World, steps: list[tuple[Any, ...]], start: int, length: int
) -> None:
    run = next(_runs)
    branches = [world.b1, world.b2, world.b3, world.b4]
    places = [*branches, world.commune]
    holders = [world.province, world.district, world.commune, world.other_commune]
    holders += [world.b1, world.b3]
    figure_units = [*holders[:4], world.foreign_commune]
    fund_list = [await fund_of(db, unit) for unit in (*branches[:3], world.commune, world.district)]
    made: list[tuple[ReportKind, int]] = []

    def day(year: int, seed: int) -> date:
        return date(year, 1 + seed % 11, 1 + seed % 28)

    for number, step in enumerate(steps):
        draft = f"stats-{run}-{number}"
        result: Any = None
        match step:
            case ("member", where, year):
                entry = member_data(branches[where], joined_on=day(year, number))
                result = await members.create_member(
                    db, ADMIN, entry, idempotency_key=draft, now=NOW
                )
            case ("nominate", where, kind, subject, year):
                entry = nomination_data(places[where], kind=kind, subject=subject, year=year)
                result = await nominations.create_nomination(
                    db, ADMIN, entry, idempotency_key=draft, now=NOW
                )
            case ("decide", ref, recognise) if titles := [
                i for kind, i in made if kind is ReportKind.NOMINATION
            ]:
                await nominations.decide(
                    db, titles[ref % len(titles)], ADMIN, recognise=recognise, reason="x", now=NOW
                )
            case ("withdraw", ref) if made:
                kind, record_id = made[ref % len(made)]
                await report_access.withdraw(db, ADMIN, kind, record_id, now=NOW)
            case ("give", which, amount, campaign, donor, year):
                entry = contribution_data(
                    fund_list[which],
                    amount=amount,
                    campaign=campaign,
                    donor_kind=donor,
                    contributed_on=day(year, number),
                )
                result = await funds.create_contribution(
                    db, ADMIN, entry, idempotency_key=draft, now=NOW
                )
            case ("pay", which, amount, year):
                entry = award_data(fund_list[which], amount=amount, awarded_on=day(year, number))
                result = await funds.create_award(db, ADMIN, entry, idempotency_key=draft, now=NOW)
            case ("baseline", where, year, column, value):
                sheet = csv_bytes(
                    f"unit_code,year,{column}", f"{holders[where].code},{year},{value}"
                )
                await imports.import_baseline(db, sheet, "b.csv", actor_id=ADMIN, now=NOW)
            case ("clear", where, year):
                await imports.clear_baselines(db, holders[where], year, actor_id=ADMIN)
            case ("figure", where, year, name, value):
                await set_figure(db, ADMIN, figure_units[where], year, name, value % 1001, NOW)
        if isinstance(result, tuple):
            made.append((result[0].KIND, result[0].id))

    end = min(start + length, 2026)
    for unit in (world.province, world.district, world.commune, world.b1):
        fast = await stats.compute(db, unit, start_year=start, end_year=end)
        assert fast == await stats.full_scan(db, unit, start_year=start, end_year=end)
    await clean(db)


async def test_a_unit_named_with_its_type(db: Database, world: World) -> None:
    """A chair types the type as they say it ("xã …"); a name that only starts with such a
    word ("Cụm dân cư …") is still found by its whole name."""
    admin = await people.grants_of(db, ADMIN)
    commune = world.commune
    found = await stats.find_units(db, admin, f"xa {fold(commune.name)}")
    assert found.choices == (commune,)
    branch = await hierarchy.create_branch(
        db, commune, "Cụm dân cư Bắc Sơn", UnitKind.VILLAGE, actor_id=ADMIN, since=None
    )
    assert (await stats.find_units(db, admin, "cum dan cu bac son")).choices == (branch,)
    # The wrong type word: what the rest names.
    assert (await stats.find_units(db, admin, "huyện Cụm dân cư Bắc Sơn")).choices == (branch,)
    assert (await stats.find_units(db, admin, f"phường {commune.name}")).choices == (commune,)


async def test_the_structure_counts_each_line_s_units_as_a_walk_would(
    db: Database, world: World
) -> None:
    """`statistics.structure` adds the scope's shape up from its children's: checked against
    counting every unit's ancestors, with a branch closed and one that came into force later."""
    early = await hierarchy.create_branch(
        db, world.commune, "Thôn Đã Đóng", UnitKind.VILLAGE, actor_id=ADMIN, since=date(2024, 1, 1)
    )
    async with db.transaction() as tx:
        await unit_store.end(tx, early, date(2025, 6, 1))
    await hierarchy.create_branch(
        db, world.commune, "Thôn Mới", UnitKind.VILLAGE, actor_id=ADMIN, since=date(2026, 3, 1)
    )
    rows = await db.fetchall(
        "SELECT id, parent_id, path, level, active, valid_from, valid_to FROM unit"
    )
    for day in (date(2024, 12, 31), date(2025, 12, 31), date(2026, 12, 31)):
        counted = [
            (str(r["path"]), str(r["level"]))
            for r in rows
            if r["level"] in ("district", "commune", "branch")
            and (r["active"] or r["valid_to"] is not None)
            and (r["valid_from"] is None or r["valid_from"] <= day.isoformat())
            and (r["valid_to"] is None or r["valid_to"] > day.isoformat())
        ]
        for scope in (world.province, world.district, world.commune):
            found = await statistics.structure(db, scope.id, day)
            lines = [(scope.id, scope.path)] + [
                (int(r["id"]), str(r["path"])) for r in rows if r["parent_id"] == scope.id
            ]  # the scope, and every child, closed ones too
            assert len(lines) > 1
            for line_id, line_path in lines:
                expected: dict[str, int] = {}
                for path, level in counted:
                    if path.startswith(line_path):
                        expected[level] = expected.get(level, 0) + 1
                assert found.get(line_id, {}) == expected, (day, scope.name, line_path)
