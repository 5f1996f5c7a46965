"""Demo data: the province plan adds up to the published 2023 figures (checked without a
database); the small scale builds on today's map; a province scaled down to 1/100, built by
the command line, moves onto today's map and still reports the published 2023 on the old one,
with 2025–2026 on today's; the command line's demo-data and import commands."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import functools
import io
import random
import shutil
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from bot.cli import main
from bot.config import DATA_DIR, THAI_BINH_2024
from bot.i18n import translator
from bot.services import annual_report, counters, demo_data, nominations, stats
from bot.services.demo_data import DemoDataError, DemoDataProblem, Scale, published
from bot.services.demo_data.names import Names
from bot.services.demo_data.plan import (
    DENOMINATOR_FIGURES,
    Commune,
    CommunePlan,
    allocate,
    plan_province,
)
from bot.services.demo_data.published import Targets
from bot.services.figures import Figure
from bot.services.regroup import MapChoice
from bot.storage import notice_events, people
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import Level, Role, UnitKind
from bot.storage.records import NominationKind
from bot.text import fold

PUBLISHED = published.load_published()
TODAY = date(2026, 11, 28)
_KINDS = {"Xã": UnitKind.COMMUNE, "Phường": UnitKind.WARD, "Thị trấn": UnitKind.TOWNSHIP}


def shipped_communes() -> list[Commune]:
    """The 260 communes of data/thai_binh_2024_units.csv, with made-up ids and paths."""
    with (DATA_DIR / "thai_binh_2024_units.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    districts = {
        name: 2 + n for n, name in enumerate(dict.fromkeys(r["district_name"] for r in rows))
    }
    return [
        Commune(
            id=100 + n,
            code=row["commune_code"],
            name=row["commune_name"],
            kind=_KINDS[row["commune_type"]],
            district=row["district_name"],
            path=f"/1/{districts[row['district_name']]}/{100 + n}/",
        )
        for n, row in enumerate(rows)
    ]


@pytest.fixture(scope="module")
def plan() -> tuple[Targets, list[CommunePlan]]:
    goal = published.targets(PUBLISHED)
    return goal, plan_province(shipped_communes(), goal, Names.load(), random.Random(7))


def one_decimal(count: int, denominator: int) -> float:
    return round(100 * count / denominator, 1)


# --- Splitting totals -------------------------------------------------------------------------


def test_allocate_splits_exactly() -> None:
    assert allocate(10, [1, 1, 1]) == [4, 3, 3]
    assert allocate(10, [1, 100], caps=[8, 8]) == [2, 8]
    assert allocate(10, [0, 1], minimum=3) == [3, 7]
    assert allocate(5, [0, 0]) == [3, 2]
    assert allocate(0, [1, 2]) == [0, 0]
    with pytest.raises(ValueError):
        allocate(10, [1, 1], caps=[4, 5])
    with pytest.raises(ValueError):
        allocate(5, [1, 1, 1], minimum=2)


@given(
    total=st.integers(0, 10**7),
    shape=st.lists(st.tuples(st.floats(0, 1000), st.integers(0, 10**6)), min_size=1, max_size=30),
)
def test_allocate_respects_caps_and_total(total: int, shape: list[tuple[float, int]]) -> None:
    weights = [w for w, _ in shape]
    caps = [c for _, c in shape]
    if sum(caps) < total:
        with pytest.raises(ValueError):
            allocate(total, weights, caps=caps)
        return
    parts = allocate(total, weights, caps=caps)
    assert sum(parts) == total
    assert all(0 <= part <= cap for part, cap in zip(parts, caps, strict=True))


# --- The plan, without a database -------------------------------------------------------------


def test_targets_are_the_published_figures() -> None:
    goal = published.targets(PUBLISHED)
    for kind, (count, percent, implied) in PUBLISHED.titles.items():
        assert (goal.titles[kind], goal.denominators[kind]) == (count, implied)
        assert one_decimal(count, implied) == percent
    assert (goal.members, goal.population) == (670_479, 1_904_770)
    assert one_decimal(goal.members, goal.population) == 35.2
    assert (goal.branches, goal.villages, goal.committees) == (2554, 1809, 6337)
    assert goal.raised >= 443 * 10**9 and goal.awarded >= 397 * 10**9
    t = translator("vi")
    assert (t.money_short(goal.raised), t.money_short(goal.awarded)) == ("443 tỷ ₫", "397 tỷ ₫")

    small = published.targets(PUBLISHED, 0.01)
    assert small.members == 6705 and one_decimal(small.members, small.population) == 35.2
    for kind, (_, percent, _) in PUBLISHED.titles.items():
        assert one_decimal(small.titles[kind], small.denominators[kind]) == percent, kind
    assert small.titles[NominationKind.CLAN] == 4581  # structure is not scaled
    assert small.raised >= 443 * 10**7


def test_province_plan_adds_up_to_the_published_figures(
    plan: tuple[Targets, list[CommunePlan]],
) -> None:
    goal, plans = plan
    assert len(plans) == 260
    total: Counter[str] = Counter()
    for line in plans:
        total.update({figure.value: value for figure, value in line.figures.items()})
        total.update({kind.value: count for kind, count in line.titles.items()})
        total["members"] += line.members
        total["branches"] += len(line.branches)
        total["branch members"] += sum(b.members for b in line.branches)
        for kind, figure in DENOMINATOR_FIGURES.items():
            assert line.titles[kind] <= line.figures[figure]
        assert line.titles[NominationKind.COMMUNE_COMMUNITY] == 1
        villages = [
            b for b in line.branches if b.kind in (UnitKind.VILLAGE, UnitKind.RESIDENTIAL_GROUP)
        ]
        assert len(villages) == line.figures[Figure.VILLAGES] >= 2
        assert len({fold(b.name) for b in line.branches}) == len(line.branches)
        assert {b.clan for b in line.branches if b.clan} <= set(line.clans)
        assert len(line.clans) == line.figures[Figure.CLANS]
        assert len(line.agencies) == line.figures[Figure.AGENCIES]
        assert line.members <= line.figures[Figure.POPULATION]
    assert total["population"] == goal.population == 1_904_770
    assert total["members"] == total["branch members"] == 670_479
    assert total["branches"] == 2554 and total["committees"] == 6337
    for kind, (count, percent, _) in PUBLISHED.titles.items():
        of = DENOMINATOR_FIGURES.get(kind)
        denominator = total[of.value] if of else len(plans)
        assert total[kind.value] == count, kind
        assert one_decimal(count, denominator) == percent, kind

    for district, percent in PUBLISHED.district_percent.items():
        mine = [line for line in plans if line.commune.district == district]
        members = sum(line.members for line in mine)
        population = sum(line.figures[Figure.POPULATION] for line in mine)
        assert one_decimal(members, population) == percent, district
    assert one_decimal(total["members"], total["population"]) == 35.2


def test_the_plan_depends_only_on_the_seed() -> None:
    goal = published.targets(PUBLISHED, 0.1)
    communes = shipped_communes()
    made = [plan_province(communes, goal, Names.load(), random.Random(seed)) for seed in (1, 1, 2)]
    assert made[0] == made[1] != made[2]


# --- Today's map, small --------------------------------------------------------------------


def test_a_place_without_a_history_is_planned_like_the_province() -> None:
    """39 communes of 33,000 people each: the published shares, the structure in
    proportion, and a plan that adds up to it."""
    names = Names.load()
    goal = published.targets_for(PUBLISHED, 39 * 33_000, 39, names)
    assert one_decimal(goal.members, goal.population) == 35.2
    assert goal.district_percent == {}
    for kind, (_, percent, _) in PUBLISHED.titles.items():
        assert abs(100 * goal.titles[kind] / goal.denominators[kind] - percent) < 0.5, kind
    assert goal.denominators[NominationKind.COMMUNE_COMMUNITY] == 39
    assert goal.denominators[NominationKind.LEARNING_UNIT] <= 39 * len(names.agencies)
    communes = [
        Commune(
            id=10 + n,
            code=str(20_000 + n),
            name=f"Xã {n}",
            kind=UnitKind.COMMUNE,
            district="",
            path=f"/1/{10 + n}/",
        )
        for n in range(39)
    ]
    plans = plan_province(communes, goal, names, random.Random(3))
    assert sum(p.members for p in plans) == goal.members
    assert sum(p.figures[Figure.POPULATION] for p in plans) == goal.population
    assert sum(len(p.branches) for p in plans) == goal.branches
    assert all(len(p.agencies) == p.figures[Figure.AGENCIES] for p in plans)


async def _roles(db: Database) -> dict[int, list[tuple[Role, str]]]:
    """Users 1–20's grants in force: (role, unit code; a branch: its commune's code)."""
    found: dict[int, list[tuple[Role, str]]] = {}
    for telegram_id in range(1, 21):
        for grant in await people.grants_of(db, telegram_id):
            unit = await unit_store.get(db, grant.unit.id)
            assert unit is not None
            if not unit.in_force:
                continue
            if unit.level is Level.BRANCH:
                parent = await unit_store.get(db, unit.parent_id or 0)
                assert parent is not None
                unit = parent
            found.setdefault(telegram_id, []).append((grant.role, unit.code))
    return found


def expected_roles() -> dict[int, list[tuple[Role, str]]]:
    """`SMALL_PEOPLE` with the codes of `SMALL_COMMUNES` (the province: Hưng Yên, 33)."""
    return {
        telegram_id: [(role, "33" if index is None else demo_data.SMALL_COMMUNES[index])]
        for telegram_id, role, index in demo_data.SMALL_PEOPLE
    }


async def test_small_scale_is_a_few_communes_of_todays_map(new_map_db: Database) -> None:
    db = new_map_db
    summary = await demo_data.build(db, Scale.SMALL, today=TODAY)
    assert await counters.recompute(db) == []
    assert await db.fetchall("PRAGMA foreign_key_check") == []
    assert [step for step, _ in summary.steps] == [demo_data.Step.TODAY]
    assert summary.map_change is None
    records = summary.members + summary.nominations + summary.contributions + summary.awards
    assert summary.people == 20 and 200 <= records <= 600
    assert await _roles(db) == expected_roles()
    levels = await unit_store.count_by_level(db)
    assert Level.DISTRICT not in levels
    with_branches = await db.fetchall(
        "SELECT DISTINCT c.code FROM unit b JOIN unit c ON c.id = b.parent_id "
        "WHERE b.level = 'branch'"
    )
    assert {row[0] for row in with_branches} == set(demo_data.SMALL_COMMUNES)
    assert summary.branches > 100
    user = await people.get_user(db, 10)
    assert user is not None and user.full_name and len(user.full_name.split()) == 3
    assert await nominations.pending_for(db, 2)  # the chair has a queue to work through
    assert await nominations.pending_for(db, 1)  # agencies wait for the province
    for table, day in (("member", "joined_on"), ("contribution", "contributed_on")):
        row = await db.fetchone(f"SELECT min({day}), max({day}) FROM {table}")
        assert row is not None
        assert "2025-07-01" <= row[0] <= row[1] <= TODAY.isoformat(), table
    totals = await db.fetchall(
        "SELECT year, count(*) FROM baseline WHERE indicator = 'members_total' GROUP BY year"
    )
    assert [tuple(row) for row in totals] == [(2025, 6)]  # as they reported it

    province = await unit_store.root(db)
    commune = await unit_store.in_force_by_code(db, demo_data.SMALL_COMMUNES[0])
    assert province is not None and commune is not None
    for unit in (province, commune):
        for start, end in ((2023, 2023), (2025, TODAY.year), (TODAY.year, TODAY.year)):
            fast = await stats.compute(db, unit, start_year=start, end_year=end)
            assert fast == await stats.full_scan(db, unit, start_year=start, end_year=end)
    scope = await stats.compute(db, commune, start_year=TODAY.year, end_year=TODAY.year)
    assert scope.members.baseline_year == 2025 and scope.members.new_in_period > 0
    assert scope.members.share is not None and 30 < scope.members.share < 45

    with pytest.raises(DemoDataError) as refused:
        await demo_data.build(db, Scale.SMALL, today=TODAY)
    assert refused.value.problem is DemoDataProblem.OCCUPIED


async def test_the_province_needs_thai_binhs_map(new_map_db: Database) -> None:
    with pytest.raises(DemoDataError) as refused:
        await demo_data.build(new_map_db, Scale.PROVINCE, today=TODAY, fraction=0.01)
    assert refused.value.problem is DemoDataProblem.NOT_THAI_BINH
    assert not await demo_data.occupied(new_map_db)


async def test_nothing_before_todays_map_began(new_map_db: Database) -> None:
    with pytest.raises(DemoDataError) as refused:
        await demo_data.build(new_map_db, Scale.SMALL, today=date(2025, 6, 30))
    assert refused.value.problem is DemoDataProblem.TOO_EARLY


async def _dump(path: Path, seed: int) -> list[tuple[object, ...]]:
    async with Database(path) as db:
        await demo_data.build(db, Scale.SMALL, seed=seed, today=TODAY)
        rows = []
        for table in ("unit", "app_user", "member", "nomination", "contribution", "award"):
            rows += [tuple(r) for r in await db.fetchall(f"SELECT * FROM {table} ORDER BY 1")]
        return rows


async def test_same_seed_same_database(tmp_path: Path, new_map_template: Path) -> None:
    paths = [tmp_path / f"{n}.sqlite3" for n in range(3)]
    for path in paths:
        shutil.copyfile(new_map_template, path)
    first, again, other = [
        await _dump(path, seed) for path, seed in zip(paths, (5, 5, 6), strict=True)
    ]
    assert first == again != other


# --- The province: its history, the move, today's map ---------------------------------------

FRACTION = 0.01


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """`khuyenhoc demo-data --scale province` on a new demo database, scaled down to
    `FRACTION` (and `TODAY`): the database and what the command printed."""
    folder = tmp_path_factory.mktemp("province")
    built = demo_data.build
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        for name in ("TELEGRAM_BOT_TOKEN", "KHUYENHOC_DEFAULT_LANGUAGE", "KHUYENHOC_UNITS_CSV"):
            patch.delenv(name, raising=False)
        patch.delenv("KHUYENHOC_DATABASE", raising=False)
        patch.setattr(
            demo_data,
            "build",
            functools.partial(built, fraction=FRACTION, today=TODAY),
        )
        patch.setattr("bot.cli.demo.local_today", lambda _: TODAY)
        with contextlib.redirect_stdout(out):
            assert main(["demo-data", "--scale", "province"]) == 0
    return folder / "khuyenhoc-demo.sqlite3", out.getvalue()


@pytest.fixture
async def province_db(province: tuple[Path, str]) -> AsyncIterator[Database]:
    async with Database(province[0]) as db:
        yield db


def test_the_province_command_says_what_it_did(province: tuple[Path, str]) -> None:
    out = province[1]
    for line in (
        "Thái Bình 2019–2024 trên bản đồ có các huyện, đúng quy mô đã công bố năm 2023",
        "Đang chuyển sang bản đồ hiện nay ngày 1 tháng 7 năm 2025",
        "104 xã, phường của Hưng Yên từ đó",
        "Đã ghi dữ liệu mẫu (quy mô province, seed 2023)",
        "Các bước:",
        "Bản đồ hiện nay từ 01/07/2025: tạo 105 đơn vị và kết thúc 269 đơn vị",
        "người dùng 2-7 là chủ tịch hội cấp xã",
    ):
        assert line in out, line


async def test_the_old_province_still_states_its_published_2023(province_db: Database) -> None:
    db = province_db
    assert await counters.recompute(db) == []
    assert await db.fetchall("PRAGMA foreign_key_check") == []  # written unchecked
    goal = published.targets(PUBLISHED, FRACTION)
    old = await unit_store.by_code(db, "34")
    today = await unit_store.root(db)
    assert old is not None and not old.in_force
    assert today is not None and (today.code, today.in_force) == ("33", True)

    for unit in (old, today):  # today's province shows 2023 on the map of 2023 by default
        report = await annual_report.build(db, unit, 2023)
        for line in report.titles:
            _, percent, _ = PUBLISHED.titles[line.kind]
            assert line.count == goal.titles[line.kind]
            assert line.percent is not None and round(line.percent, 1) == percent, line.kind
        assert (report.members, report.population) == (goal.members, goal.population)
        assert report.member_share is not None and round(report.member_share, 1) == 35.2
        assert (report.districts, report.communes, report.branches) == (8, 260, 2554)
        assert report.committees == 6337
        shares = {line.unit.name: line.share for line in report.sub_unit_shares}
        for district, percent in PUBLISHED.district_percent.items():
            share = shares[district]
            assert share is not None and round(share, 1) == percent, district

    term = await annual_report.build(db, old, 2024, funds_since=2019)
    assert (term.raised, term.awarded) == (goal.raised, goal.awarded)
    overdrawn = await db.fetchall(
        "SELECT f.id FROM fund f WHERE (SELECT coalesce(sum(amount), 0) FROM award a "
        "WHERE a.fund_id = f.id) > (SELECT coalesce(sum(amount), 0) FROM contribution c "
        "WHERE c.fund_id = f.id)"
    )
    assert overdrawn == []
    scope = await stats.compute(db, old, start_year=2019, end_year=2024)
    assert all(scope.funds.raised_by_campaign.values())
    assert all(scope.funds.raised_by_donor.values())

    from_thai_binh = {
        row[0]
        for row in await db.fetchall(
            "SELECT DISTINCT successor_id FROM unit_successor s JOIN unit u ON u.id = s.unit_id "
            "WHERE u.level = 'commune'"
        )
    }
    assert len(from_thai_binh) == 65
    members = 0
    for commune_id in from_thai_binh:
        commune = await unit_store.get(db, commune_id)
        assert commune is not None
        regrouped = await stats.compute(
            db, commune, start_year=2023, end_year=2023, map_choice=MapChoice.TODAY
        )
        members += regrouped.members.total
    assert members == goal.members


async def test_todays_map_has_its_own_years(province_db: Database) -> None:
    db = province_db
    province = await unit_store.root(db)
    assert province is not None
    changes = await db.fetchall("SELECT effective FROM map_change")
    assert [row[0] for row in changes] == ["2025-07-01"]
    assert await notice_events.pending(db) == []  # told in July 2025
    communes = await db.fetchall(
        "SELECT c.id, (SELECT count(*) FROM unit b WHERE b.parent_id = c.id "
        "AND b.valid_to IS NULL), (SELECT count(*) FROM role_grant g WHERE g.unit_id = c.id "
        "AND g.role = 'commune_chair') FROM unit c WHERE c.level = 'commune' "
        "AND c.valid_to IS NULL"
    )
    assert len(communes) == 104
    assert all(branches >= 2 and chairs >= 1 for _, branches, chairs in communes)
    lonely = await db.fetchall(
        "SELECT b.id FROM unit b WHERE b.level = 'branch' AND b.valid_to IS NULL AND NOT EXISTS "
        "(SELECT 1 FROM role_grant g WHERE g.unit_id = b.id AND g.role = 'volunteer')"
    )
    assert lonely == []
    totals = await db.fetchone(
        "SELECT count(*) FROM baseline WHERE indicator = 'members_total' AND year = 2025"
    )
    assert totals is not None and totals[0] == 104
    assert await _roles(db) == expected_roles()  # the history's grants on ended units aside

    for year in (2025, 2026):
        scope = await stats.compute(db, province, start_year=year, end_year=year)
        assert scope.communes == 104 and scope.districts == 0
        assert scope.members.new_in_period > 0
        assert scope.members.share is not None and 30 < scope.members.share < 45
        for kind, line in scope.titles.items():
            assert line.recognised > 0, (year, kind)
            assert line.percent is not None and line.percent <= 100, (year, kind)
        assert scope.funds.raised > scope.funds.awarded > 0
        assert scope.funds.contributions > 0 and scope.funds.awards > 0
        assert scope == await stats.full_scan(db, province, start_year=year, end_year=year)
    now = await stats.compute(db, province, start_year=2026, end_year=2026)
    assert sum(line.pending for line in now.titles.values()) > 0
    assert await nominations.pending_for(db, 1)  # agencies and communes wait for the province
    assert await nominations.pending_for(db, 2)
    late = await db.fetchone(
        "SELECT count(*) FROM member WHERE joined_on >= '2025-07-01' AND unit_id IN "
        "(SELECT id FROM unit WHERE valid_to IS NOT NULL)"
    )
    assert late is not None and late[0] == 0  # since July 2025, only units in force


# --- Command line -----------------------------------------------------------------------------


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "KHUYENHOC_DEFAULT_LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "cli.sqlite3"
    monkeypatch.setenv("KHUYENHOC_DATABASE", str(path))
    monkeypatch.setenv("KHUYENHOC_UNITS_CSV", str(THAI_BINH_2024.path))  # the codes used below
    return path


@pytest.fixture
def demo_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """As `database`, with the map a new database gets by default (today's)."""
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "KHUYENHOC_DEFAULT_LANGUAGE", "KHUYENHOC_UNITS_CSV"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "cli.sqlite3"
    monkeypatch.setenv("KHUYENHOC_DATABASE", str(path))
    return path


def test_cli_demo_data_small_is_on_todays_map(
    demo_database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo-data", "--scale", "small"]) == 0
    out = capsys.readouterr().out
    assert "Đã ghi dữ liệu mẫu (quy mô small, seed 2023)" in out
    assert "người dùng 2-7 là chủ tịch hội cấp xã" in out and "Các bước" not in out
    levels = {
        str(level): count
        for level, count in _values(demo_database, "SELECT level, count(*) FROM unit GROUP BY 1")
    }
    assert "district" not in levels and levels["commune"] == 104
    province = _values(demo_database, "SELECT code, name FROM unit WHERE level = 'province'")
    assert province == [("33", "Hưng Yên")]
    assert main(["demo-data", "--scale", "small", "--seed", "4"]) == 1
    assert "--force" in capsys.readouterr().err
    assert main(["demo-data", "--scale", "small", "--force"]) == 0
    out = capsys.readouterr().out
    backups = list(tmp_path.glob("cli.*.bak.sqlite3"))
    assert len(backups) == 1 and f"Đã đổi tên cơ sở dữ liệu cũ thành {backups[0]}" in out


def test_cli_demo_data_uses_the_demo_database_by_default(
    demo_database: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("KHUYENHOC_DATABASE")
    assert main(["demo-data", "--scale", "small"]) == 0
    assert (tmp_path / "khuyenhoc-demo.sqlite3").exists()
    assert not (tmp_path / "khuyenhoc.sqlite3").exists()


def _values(path: Path, sql: str) -> list[tuple[object, ...]]:
    async def read() -> list[tuple[object, ...]]:
        async with Database(path) as db:
            return [tuple(row) for row in await db.fetchall(sql)]

    return asyncio.run(read())


def test_cli_imports_figures_and_baselines(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "figures.xlsx"
    book = Workbook()
    page = book.active
    assert page is not None
    for row in (
        ["Mã đơn vị", "Năm", "Dân số", "Chỉ tiêu công dân học tập"],
        ["12688", 2023, 20_000, "30"],
        ["12691", 2023, None, None],
    ):
        page.append(row)
    book.save(sheet)
    assert main(["import", "figures", str(sheet)]) == 0
    out = capsys.readouterr().out
    assert "Đã nhập 2 số liệu cho 1 đơn vị từ 1 dòng" in out
    assert "Đã bỏ qua 1 dòng không có số liệu nào." in out
    figures = _values(database, "SELECT figure, value FROM unit_figure ORDER BY figure")
    assert figures == [("population", 20_000), ("target:citizen", 300)]

    baseline = tmp_path / "baseline.csv"
    baseline.write_text("unit_code,year,members_total\n12688,2023,7.000\n", encoding="utf-8")
    assert main(["import", "baseline", str(baseline)]) == 0
    assert "Đã nhập 1 số liệu nền cho 1 đơn vị" in capsys.readouterr().out
    stored = _values(
        database,
        "SELECT value FROM stat_counter WHERE unit_id = 1 AND year = 2023 "
        "AND indicator = 'baseline:members_total'",
    )
    assert stored == [(7000,)]


def test_cli_import_errors_import_nothing(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "bad.csv"
    sheet.write_text(
        "unit_code,year,population\n12688,2023,100\n99999,2023,10\n12691,20x3,5\n",
        encoding="utf-8",
    )
    assert main(["import", "figures", str(sheet)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"Chưa nhập gì từ {sheet}:",
        "Dòng 3: không có đơn vị nào mang mã này (unit_code, 99999)",
        "Dòng 4: không phải là năm (year, 20x3)",
    ]
    assert _values(database, "SELECT count(*) FROM unit_figure") == [(0,)]

    wrong = tmp_path / "notes.txt"
    wrong.write_text("x", encoding="utf-8")
    assert main(["import", "baseline", str(wrong)]) == 1
    assert "Tệp: tệp phải có đuôi .csv hoặc .xlsx (notes.txt)" in capsys.readouterr().err
