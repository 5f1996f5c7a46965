"""Statistics on either map: old Thái Bình's 2023, filed on its own map, regrouped on today's.

The database (`tests/regroup_world.py`): every old commune has 2023 figures and year-end
baselines, one of Đông Hưng's communes has reports in the bot (2023, 2024); then the old map
ends on 1 July 2025 and today's Hưng Yên comes in, each old commune naming the unit that took
it; a branch of today gets a member in 2026.
"""

from __future__ import annotations

import asyncio
import csv
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from bot.i18n import translator
from bot.services import regroup, stats
from bot.services.figures import Figure
from bot.services.regroup import MapChoice
from bot.services.stats import ScopeStats
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import Level, Unit
from bot.storage.records import NominationKind
from tests.conftest import OLD_TO_NEW_CSV
from tests.regroup_world import (
    CHAIR,
    DISTRICT_CHAIR,
    Filed,
    areas_csv,
    baseline_values,
    build,
    figure_values,
    new_commune_of,
    old_communes,
)

PERIODS = ((2023, 2023), (2024, 2024), (2019, 2024), (2026, 2026), (2023, 2026), (2025, 2025))


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory, units_template: Path) -> tuple[Path, Filed]:
    path = tmp_path_factory.mktemp("regroup") / "story.sqlite3"
    return path, asyncio.run(build(path, units_template))


@pytest.fixture(scope="module")
def story_with_areas(
    tmp_path_factory: pytest.TempPathFactory, units_template: Path
) -> tuple[Path, Filed]:
    folder = tmp_path_factory.mktemp("regroup_areas")
    path = folder / "story.sqlite3"
    return path, asyncio.run(build(path, units_template, areas=areas_csv(folder)))


@dataclass
class Story:
    db: Database
    filed: Filed
    old: Unit
    """Old Thái Bình (34), ended."""
    new: Unit
    """Today's Hưng Yên (33)."""
    district: Unit
    """Old Đông Hưng, ended."""


async def _open(source: tuple[Path, Filed], tmp_path: Path) -> AsyncIterator[Story]:
    path, filed = source
    copy = tmp_path / "copy.sqlite3"
    shutil.copyfile(path, copy)
    db = await Database(copy).open()
    filed = Filed(
        *[await _now(db, unit) for unit in (filed.first_commune, filed.other_commune, filed.branch)]
    )
    old = await unit_store.by_code(db, "34")
    new = await unit_store.in_force_by_code(db, "33")
    district = await unit_store.get(db, filed.first_commune.parent_id or 0)
    assert old is not None and new is not None and district is not None
    yield Story(db, filed, old, new, district)
    await db.close()


@pytest.fixture
async def s(story: tuple[Path, Filed], tmp_path: Path) -> AsyncIterator[Story]:
    async for opened in _open(story, tmp_path):
        yield opened


@pytest.fixture
async def a(story_with_areas: tuple[Path, Filed], tmp_path: Path) -> AsyncIterator[Story]:
    async for opened in _open(story_with_areas, tmp_path):
        yield opened


async def _now(db: Database, unit: Unit) -> Unit:
    """The unit as the database holds it now (ended, since it was filed on)."""
    found = await unit_store.get(db, unit.id)
    assert found is not None
    return found


def _old_codes_by_new() -> dict[str, set[str]]:
    with OLD_TO_NEW_CSV.open(encoding="utf-8", newline="") as handle:
        found: dict[str, set[str]] = {}
        for row in csv.DictReader(handle):
            found.setdefault(row["unit_code_jul2025"], set()).add(row["commune_code_2024"])
    return found


async def _new_from_thai_binh(db: Database) -> list[Unit]:
    codes = sorted(_old_codes_by_new())
    found = [await unit_store.in_force_by_code(db, code) for code in codes]
    assert all(found) and len(found) == 65
    return [unit for unit in found if unit is not None]


def _totals(scope: ScopeStats) -> dict[str, int | None]:
    """Every number of a statistic that adds up across units."""
    found: dict[str, int | None] = {
        "members": scope.members.total,
        "new": scope.members.new_in_period,
        "raised": scope.funds.raised,
        "awarded": scope.funds.awarded,
        "contributions": scope.funds.contributions,
        "awards": scope.funds.awards,
        **{f"title:{k.value}": line.recognised for k, line in scope.titles.items()},
        **{f"pending:{k.value}": line.pending for k, line in scope.titles.items()},
        **{figure.value: scope.figures[figure] for figure in Figure if figure != "committees"},
    }
    return found


def _added(parts: list[ScopeStats]) -> dict[str, int | None]:
    total: dict[str, int | None] = {}
    for part in parts:
        for key, value in _totals(part).items():
            total[key] = (total.get(key) or 0) + (value or 0)
    return total


# --- where the figures go ---------------------------------------------------------------------


async def test_each_ended_unit_is_taken_once(s: Story) -> None:
    maps = await regroup.load(s.db)
    # Old Thái Bình had no successor named: it goes where all its communes went.
    assert maps.dest(s.old) == s.new and maps.dest(s.district) == s.new
    assert maps.sources(s.new) == (s.old,)
    expected = _old_codes_by_new()
    seen: list[int] = []
    for unit in await _new_from_thai_binh(s.db):
        taken = maps.sources(unit)
        assert {u.code for u in taken} == expected[unit.code], unit.name
        assert all(u.level is Level.COMMUNE and not u.in_force for u in taken)
        seen += [u.id for u in taken]
    assert len(seen) == len(set(seen)) == 260
    assert maps.sources(s.old) == ()
    assert await regroup.load(s.db) is maps  # cached while the map is unchanged


async def test_the_new_units_add_up_to_old_thai_binh(s: Story) -> None:
    old = await stats.compute(s.db, s.old, start_year=2023, end_year=2023)
    communes = await old_communes(s.db)
    baselines = [baseline_values(i) for i in range(len(communes))]
    assert old.members.total == sum(b["members_total"] for b in baselines)
    assert (
        old.titles[NominationKind.FAMILY].recognised
        == sum(b["title_family"] for b in baselines) + 2
    )
    assert old.funds.raised == sum(b["fund_raised"] for b in baselines) + 7_000_000
    assert old.figures[Figure.POPULATION] == sum(
        figure_values(i)["population"] for i in range(len(communes))
    )
    assert (old.districts, old.communes, old.branches) == (8, 260, 3)

    new_units = [
        await stats.compute(s.db, unit, start_year=2023, end_year=2023, map_choice=MapChoice.TODAY)
        for unit in await _new_from_thai_binh(s.db)
    ]
    s_maps = await regroup.load(s.db)
    assert _added(new_units) == _totals(old)
    assert all(line.titles[NominationKind.CITIZEN].target == 26.8 for line in new_units)
    today = await stats.compute(
        s.db, s.new, start_year=2023, end_year=2023, map_choice=MapChoice.TODAY
    )
    assert _totals(today) == _totals(old)
    assert today.titles[NominationKind.CITIZEN].target == 26.8
    # Structure as it stood at the end of 2023, regrouped: the commune learning community is a
    # share of 2023's 260 communes (not of today's 104), with no districts on today's map.
    assert (today.districts, today.areas, today.communes, today.branches) == (0, 0, 260, 3)
    assert today.titles[NominationKind.COMMUNE_COMMUNITY].denominator == 260
    assert all(
        line.titles[NominationKind.COMMUNE_COMMUNITY].denominator == len(s_maps.sources(line.unit))
        for line in new_units
    )
    assert sum(line.branches for line in today.sub_units) == 3
    now = await stats.compute(s.db, s.new, start_year=2026, end_year=2026)
    assert (now.communes, now.titles[NominationKind.COMMUNE_COMMUNITY].denominator) == (104, 104)
    assert today.map.choice is MapChoice.TODAY and today.map.other is MapChoice.OF_THE_YEAR
    by_line = {line.unit.id: line for line in today.sub_units}
    for line in new_units:
        assert by_line[line.unit.id].members == line.members


async def test_the_year_before_the_change_is_on_its_own_map_by_default(s: Story) -> None:
    default = await stats.compute(s.db, s.new, start_year=2023, end_year=2023)
    own = await stats.compute(s.db, s.old, start_year=2023, end_year=2023)
    assert default.map.choice is MapChoice.OF_THE_YEAR and default.map.parts == (s.old,)
    assert default.map.home == s.new and default.map.other is MapChoice.TODAY
    assert (
        default.unit == s.old
        and [line.unit.level for line in default.sub_units] == [Level.DISTRICT] * 8
    )
    assert replace(default, map=own.map) == own  # old Thái Bình exactly, by its old districts
    assert own.map.home == s.old and own.map.successor == s.new
    later = await stats.compute(s.db, s.new, start_year=2026, end_year=2026)
    assert later.map.choice is MapChoice.TODAY and later.map.other is None
    # Members at the end of 2026: the 2023 baselines, plus the joiners of 2024 and 2026.
    assert later.members.total == own.members.total + 2
    assert (later.members.baseline_year, later.members.new_in_period) == (2023, 1)
    assert later.figures[Figure.POPULATION] == own.figures[Figure.POPULATION]
    change_year = await stats.compute(s.db, s.new, start_year=2025, end_year=2025)
    assert change_year.map.choice is MapChoice.TODAY


async def test_a_merged_commune_is_the_exact_sum_of_its_former_communes(s: Story) -> None:
    merged = await new_commune_of(s.db, s.filed.first_commune)
    maps = await regroup.load(s.db)
    former = maps.sources(merged)
    assert len(former) >= 2 and s.filed.first_commune in former
    parts = [await stats.compute(s.db, u, start_year=2023, end_year=2023) for u in former]
    today = await stats.compute(
        s.db, merged, start_year=2023, end_year=2023, map_choice=MapChoice.TODAY
    )
    assert _totals(today) == _added(parts)
    of_the_year = await stats.compute(s.db, merged, start_year=2023, end_year=2023)
    assert of_the_year.map.parts == former and of_the_year.unit == merged
    assert [line.unit for line in of_the_year.sub_units] == list(former)
    assert _totals(of_the_year) == _totals(today)
    assert of_the_year.communes == len(former)
    assert [line.members for line in of_the_year.sub_units] == [p.members for p in parts]


async def _split(db: Database, old: Unit, first: Unit, second: Unit) -> None:
    """`old` divided between `first` (listed first) and `second`."""
    await db.execute("DELETE FROM unit_successor WHERE unit_id = ?", (old.id,))
    for rank, successor in enumerate((first, second)):
        await db.execute(
            "INSERT INTO unit_successor (unit_id, successor_id, partly, rank) VALUES (?, ?, 1, ?)",
            (old.id, successor.id, rank),
        )


async def test_a_split_commune_counts_wholly_in_the_first_listed(s: Story) -> None:
    split = s.filed.other_commune
    first = await new_commune_of(s.db, split)
    second = next(u for u in await _new_from_thai_binh(s.db) if u.id != first.id)
    before = {
        unit.id: await stats.compute(
            s.db, unit, start_year=2023, end_year=2023, map_choice=MapChoice.TODAY
        )
        for unit in (first, second)
    }
    alone = await stats.compute(s.db, split, start_year=2023, end_year=2023)
    await _split(s.db, split, first, second)
    maps = await regroup.load(s.db)
    assert [(x.unit, x.successors) for x in maps.splits] == [(split, (first, second))]
    assert split in maps.sources(first) and split not in maps.sources(second)
    for unit in (first, second):
        after = await stats.compute(
            s.db, unit, start_year=2023, end_year=2023, map_choice=MapChoice.TODAY
        )
        assert _totals(after) == _totals(before[unit.id])  # counted wholly where it was
        assert [x.unit for x in after.map.splits] == [split]
    assert alone.members.total > 0
    province = await stats.compute(
        s.db, s.new, start_year=2023, end_year=2023, map_choice=MapChoice.TODAY
    )
    assert [x.counted_in for x in province.map.splits] == [first]
    assert _totals(province) == _totals(
        await stats.compute(s.db, s.old, start_year=2023, end_year=2023)
    )

    t = translator("vi")
    from handlers.stats_common import split_rule

    assert split_rule(t, split, 2, first) == (
        f"Xã {split.name} (cũ) được chia cho 2 đơn vị mới; số liệu của xã được tính trọn cho "
        f"{'phường' if first.kind.value == 'ward' else 'xã'} {first.name}, "
        "theo bảng chuyển đổi chính thức."
    )
    # Listed the other way round, the other one takes it.
    await _split(s.db, split, second, first)
    maps = await regroup.load(s.db)
    assert split in maps.sources(second) and split not in maps.sources(first)
    after = await stats.compute(
        s.db, second, start_year=2023, end_year=2023, map_choice=MapChoice.TODAY
    )
    assert after.members.total == before[second.id].members.total + alone.members.total


async def test_full_scan_agrees_on_both_maps(s: Story) -> None:
    merged = await new_commune_of(s.db, s.filed.first_commune)
    await _split(
        s.db, s.filed.other_commune, await new_commune_of(s.db, s.filed.other_commune), merged
    )
    scopes = (s.new, s.old, s.district, merged, s.filed.first_commune, s.filed.branch)
    for unit in scopes:
        for start, end in PERIODS:
            for choice in (None, MapChoice.TODAY, MapChoice.OF_THE_YEAR):
                fast = await stats.compute(
                    s.db, unit, start_year=start, end_year=end, map_choice=choice
                )
                slow = await stats.full_scan(
                    s.db, unit, start_year=start, end_year=end, map_choice=choice
                )
                assert fast == slow, (unit.name, start, end, choice)


async def test_a_branch_moved_by_the_change_counts_on_the_map_of_each_year(s: Story) -> None:
    """What the migration does to a branch (docs/map-change.md): it moves to the new commune
    on 1 July 2025, its records of earlier years stay counted under its old commune."""
    old, moved = s.filed.first_commune, s.filed.branch
    merged = await new_commune_of(s.db, old)
    await s.db.execute(
        "UPDATE unit SET valid_to = NULL, active = 1, parent_id = ?, path = ? WHERE id = ?",
        (merged.id, f"{merged.path}{moved.id}/", moved.id),
    )
    await s.db.execute(
        "INSERT INTO unit_move (unit_id, from_parent_id, to_parent_id, effective) "
        "VALUES (?, ?, ?, '2025-07-01')",
        (moved.id, old.id, merged.id),
    )
    moved = await unit_store.get(s.db, moved.id) or moved
    old_year = await stats.compute(s.db, old, start_year=2023, end_year=2023)
    assert moved in [line.unit for line in old_year.sub_units] and old_year.branches == 2
    today = await stats.compute(
        s.db, merged, start_year=2023, end_year=2023, map_choice=MapChoice.TODAY
    )
    assert moved in [line.unit for line in today.sub_units]
    for unit in (s.new, s.old, s.district, old, merged, moved):
        for start, end in PERIODS:
            for choice in (None, MapChoice.TODAY):
                fast = await stats.compute(
                    s.db, unit, start_year=start, end_year=end, map_choice=choice
                )
                slow = await stats.full_scan(
                    s.db, unit, start_year=start, end_year=end, map_choice=choice
                )
                assert fast == slow, (unit.name, start, end, choice)
    maps = await regroup.load(s.db)
    chair = await people.grants_of(s.db, DISTRICT_CHAIR)
    assert maps.may_see(chair, moved, 2023) and not maps.may_see(chair, moved, 2026)


async def test_who_sees_what_on_either_map(s: Story) -> None:
    maps = await regroup.load(s.db)
    merged = await new_commune_of(s.db, s.filed.first_commune)
    elsewhere = next(u for u in await _new_from_thai_binh(s.db) if u.id != merged.id)
    district_chair = await people.grants_of(s.db, DISTRICT_CHAIR)
    assert maps.may_see(district_chair, s.district, 2023)
    assert maps.may_see(district_chair, s.filed.first_commune, 2023)
    assert not maps.may_see(district_chair, s.new, 2023)
    assert not maps.may_see(district_chair, merged, 2023)
    chair = await people.grants_of(s.db, CHAIR)
    for former in maps.sources(merged):
        assert maps.may_see(chair, former, 2023)
    assert maps.may_see(chair, merged, 2023)
    assert not maps.may_see(chair, s.district, 2023) and not maps.may_see(chair, s.old, 2023)
    assert not maps.may_see(chair, elsewhere, 2023)


async def test_an_area_of_today_with_its_communes(a: Story) -> None:
    maps = await regroup.load(a.db)
    merged = await new_commune_of(a.db, a.filed.first_commune)
    area = await unit_store.get(a.db, merged.parent_id or 0)
    assert area is not None and area.level is Level.DISTRICT
    now = await stats.compute(a.db, area, start_year=2026, end_year=2026)
    assert now.map.choice is MapChoice.TODAY
    assert {line.unit.parent_id for line in now.sub_units} == {area.id}
    assert now.communes == len(now.sub_units) and now.members.total > 0
    province = await stats.compute(a.db, a.new, start_year=2026, end_year=2026)
    assert province.districts == 0 and province.areas == len(province.sub_units) > 1
    earlier = await stats.compute(a.db, area, start_year=2023, end_year=2023)
    assert earlier.map.choice is MapChoice.OF_THE_YEAR and earlier.map.parts
    assert set(earlier.map.parts) <= set(maps.sources(area))
    today = await stats.compute(
        a.db, area, start_year=2023, end_year=2023, map_choice=MapChoice.TODAY
    )
    assert _totals(today) == _totals(earlier)
    for unit in (area, a.new, merged):
        for start, end in PERIODS:
            fast = await stats.compute(a.db, unit, start_year=start, end_year=end)
            assert fast == await stats.full_scan(a.db, unit, start_year=start, end_year=end)
