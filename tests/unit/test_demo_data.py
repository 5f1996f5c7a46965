"""Demo data: the province plan adds up to the published 2023 figures (checked without a
database); the small scale and a province scaled down to 1/100 build, pass `recompute` and
report the published shares; the command line's demo-data and import commands."""

from __future__ import annotations

import asyncio
import csv
import random
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from bot.cli import main
from bot.config import DATA_DIR, THAI_BINH_2024
from bot.i18n import translator
from bot.services import annual_report, counters, demo_data, demo_plan, nominations, stats
from bot.services.demo_data import DemoDataError, DemoDataProblem, Scale
from bot.services.demo_plan import Commune, CommunePlan, Names, Targets, allocate
from bot.services.figures import Figure
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import Level, Role, UnitKind
from bot.storage.records import NominationKind
from bot.text import fold

PUBLISHED = demo_plan.load_published()
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
    goal = demo_plan.targets(PUBLISHED)
    return goal, demo_plan.plan_province(shipped_communes(), goal, Names.load(), random.Random(7))


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
    goal = demo_plan.targets(PUBLISHED)
    for kind, (count, percent, implied) in PUBLISHED.titles.items():
        assert (goal.titles[kind], goal.denominators[kind]) == (count, implied)
        assert one_decimal(count, implied) == percent
    assert (goal.members, goal.population) == (670_479, 1_904_770)
    assert one_decimal(goal.members, goal.population) == 35.2
    assert (goal.branches, goal.villages, goal.committees) == (2554, 1809, 6337)
    assert goal.raised >= 443 * 10**9 and goal.awarded >= 397 * 10**9
    t = translator("vi")
    assert (t.money_short(goal.raised), t.money_short(goal.awarded)) == ("443 tỷ ₫", "397 tỷ ₫")

    small = demo_plan.targets(PUBLISHED, 0.01)
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
        for kind, figure in demo_plan.DENOMINATOR_FIGURES.items():
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
        of = demo_plan.DENOMINATOR_FIGURES.get(kind)
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
    goal = demo_plan.targets(PUBLISHED, 0.1)
    communes = shipped_communes()
    made = [
        demo_plan.plan_province(communes, goal, Names.load(), random.Random(seed))
        for seed in (1, 1, 2)
    ]
    assert made[0] == made[1] != made[2]


# --- Building -------------------------------------------------------------------------------


async def test_small_scale_builds_quickly_and_passes_recompute(db: Database) -> None:
    summary = await demo_data.build(db, Scale.SMALL, today=TODAY)
    assert await counters.recompute(db) == []
    records = summary.members + summary.nominations + summary.contributions + summary.awards
    assert summary.people == 20 and 200 <= records <= 600
    assert summary.branches > 500  # every commune of Đông Hưng and Kiến Xương

    roles = {tid: [g.role for g in await people.grants_of(db, tid)] for tid in range(1, 21)}
    assert roles[1] == [Role.PROVINCE_ADMIN] and roles[2] == [Role.COMMUNE_CHAIR]
    assert roles[3] == roles[4] == [Role.DISTRICT_CHAIR]
    assert all(roles[tid] == [Role.VOLUNTEER] for tid in range(10, 21))
    user = await people.get_user(db, 10)
    assert user is not None and user.full_name and len(user.full_name.split()) == 3
    assert await nominations.pending_for(db, 2)  # the chair has a queue to work through

    district = (await unit_store.search(db, "Đông Hưng", levels=[Level.DISTRICT]))[0]
    for start, end in ((2023, 2023), (2019, TODAY.year), (TODAY.year, TODAY.year)):
        fast = await stats.compute(db, district, start_year=start, end_year=end)
        assert fast == await stats.full_scan(db, district, start_year=start, end_year=end)
    scope = await stats.compute(db, district, start_year=2023, end_year=2023)
    assert scope.members.share is not None and round(scope.members.share, 1) == 38.4

    with pytest.raises(DemoDataError) as refused:
        await demo_data.build(db, Scale.SMALL, today=TODAY)
    assert refused.value.problem is DemoDataProblem.OCCUPIED


async def _dump(path: Path, seed: int) -> list[tuple[object, ...]]:
    async with Database(path) as db:
        await demo_data.build(db, Scale.SMALL, seed=seed, today=TODAY)
        rows = []
        for table in ("unit", "app_user", "member", "nomination", "contribution", "award"):
            rows += [tuple(r) for r in await db.fetchall(f"SELECT * FROM {table} ORDER BY 1")]
        return rows


async def test_same_seed_same_database(tmp_path: Path, units_template: Path) -> None:
    paths = [tmp_path / f"{n}.sqlite3" for n in range(3)]
    for path in paths:
        shutil.copyfile(units_template, path)
    first, again, other = [
        await _dump(path, seed) for path, seed in zip(paths, (5, 5, 6), strict=True)
    ]
    assert first == again != other


async def test_scaled_down_province_reports_the_published_percentages(db: Database) -> None:
    summary = await demo_data.build(db, Scale.PROVINCE, today=TODAY, fraction=0.01)
    assert summary.members == 6705 and summary.branches == 2554
    assert await counters.recompute(db) == []
    goal = demo_plan.targets(PUBLISHED, 0.01)
    province = await unit_store.root(db)
    assert province is not None

    report = await annual_report.build(db, province, 2023)
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

    term = await annual_report.build(db, province, 2024, funds_since=2019)
    assert (term.raised, term.awarded) == (goal.raised, goal.awarded)
    assert term.raised > term.awarded
    overdrawn = await db.fetchall(
        "SELECT f.id FROM fund f WHERE (SELECT coalesce(sum(amount), 0) FROM award a "
        "WHERE a.fund_id = f.id) > (SELECT coalesce(sum(amount), 0) FROM contribution c "
        "WHERE c.fund_id = f.id)"
    )
    assert overdrawn == []
    scope = await stats.compute(db, province, start_year=2019, end_year=2024)
    assert all(scope.funds.raised_by_campaign.values())
    assert all(scope.funds.raised_by_donor.values())


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


def test_cli_demo_data_refuses_a_used_database(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo-data", "--scale", "small"]) == 0
    assert "Đã ghi dữ liệu mẫu (quy mô small, seed 2023)" in capsys.readouterr().out
    assert main(["demo-data", "--scale", "small", "--seed", "4"]) == 1
    assert "--force" in capsys.readouterr().err
    assert main(["demo-data", "--scale", "small", "--force"]) == 0
    out = capsys.readouterr().out
    backups = list(tmp_path.glob("cli.*.bak.sqlite3"))
    assert len(backups) == 1 and f"Đã đổi tên cơ sở dữ liệu cũ thành {backups[0]}" in out


def test_cli_demo_data_uses_the_demo_database_by_default(
    database: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
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
