"""Moving a live database onto a new map (issue 9, item 3): counters on the map of each
year, the plan, the change in one transaction, a rerun, placing a provisional branch, and the
chairs told.

A small synthetic map has every case: two communes merged, one split over two new ones, one
mapped one-to-one onto a new unit reusing its code, and a fifth merged with part of the split
one. The shipped Thái Bình → Hưng Yên files are run on the 2024 map too.
"""

from __future__ import annotations

import csv
import itertools
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.services import (
    branch_placing,
    counters,
    funds,
    hierarchy,
    invites,
    map_change,
    members,
    nominations,
    scope_notices,
    stats,
)
from bot.services.branch_placing import Placed, PlaceProblem
from bot.services.counters import BaselineChange
from bot.services.map_change import MapChangeError, MapProblem
from bot.storage import figures as figure_store
from bot.storage import map_changes as map_store
from bot.storage import notice_events, people
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.figures import BaselineRow
from bot.storage.models import Level, Role, Unit
from bot.storage.notice_events import NoticeKind
from tests.conftest import NEW_MAP_CSV, OLD_TO_NEW_CSV, branch, person
from tests.unit.reporting_helpers import (
    award_data,
    contribution_data,
    member_data,
    nomination_data,
    ok,
)

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
EFFECTIVE = date(2025, 7, 1)
_keys = itertools.count(1)

OLD_MAP = """district_code,district_name,district_type,commune_code,commune_name,commune_type
901,Đông,Huyện,90001,An Bình,Xã
901,Đông,Huyện,90002,An Hòa,Xã
901,Đông,Huyện,90003,Lạc Đạo,Xã
902,Tây,Huyện,90004,Bình Minh,Xã
902,Tây,Huyện,90005,Tân Tiến,Xã
"""
NEW_MAP = """commune_code,commune_name,commune_type,former_communes
90101,An Bình,Xã,An Bình|An Hòa
90102,Lạc Hồng,Xã,Lạc Đạo*|Tân Tiến
90103,Minh Châu,Phường,Lạc Đạo*
90004,Bình Minh,Xã,Bình Minh
"""
MAPPING = """legacy_province,legacy_district_code,legacy_district,legacy_commune_code,\
legacy_commune,legacy_commune_type,new_commune_codes,partly
Hải Đông,901,Đông,90001,An Bình,Xã,90101,0
Hải Đông,901,Đông,90002,An Hòa,Xã,90101,0
Hải Đông,901,Đông,90003,Lạc Đạo,Xã,90102|90103,1
Hải Đông,902,Tây,90004,Bình Minh,Xã,90004,0
Hải Đông,902,Tây,90005,Tân Tiến,Xã,90102,0
Sơn Nam,999,Khác,99999,Khác,Xã,90101,0
"""

ADMIN, AN_BINH_CHAIR, AN_HOA_CHAIR, LAC_DAO_CHAIR, BINH_MINH_CHAIR, TAN_TIEN_CHAIR = range(1, 7)
EAST_CHAIR, WEST_CHAIR, VOLUNTEER, SPLIT_VOLUNTEER, HEAD = 7, 8, 9, 10, 11


def key() -> str:
    return f"map-{next(_keys)}"


class Old:
    """The synthetic old map's units and branches, by name."""

    province: Unit
    east: Unit
    west: Unit
    communes: dict[str, Unit]
    branches: dict[str, Unit]


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    old, new, mapping = tmp_path / "old.csv", tmp_path / "new.csv", tmp_path / "mapping.csv"
    old.write_text(OLD_MAP, encoding="utf-8")
    new.write_text(NEW_MAP, encoding="utf-8")
    mapping.write_text(MAPPING, encoding="utf-8")
    return old, new, mapping


@pytest.fixture
async def small(tmp_path: Path, files: tuple[Path, Path, Path]) -> Any:
    database = await Database(tmp_path / "small.sqlite3").open()
    await hierarchy.load_units_csv(database, files[0], province_code="90", province_name="Hải Đông")
    yield database
    await database.close()


async def seed(db: Database) -> Old:
    """Branches, people of every role, reports of 2023 and 2025, baselines, an invite."""
    old = Old()
    root = await unit_store.root(db)
    assert root is not None
    old.province = root
    old.east = await _code(db, "901")
    old.west = await _code(db, "902")
    old.communes = {
        name: await _code(db, code)
        for code, name in (
            ("90001", "An Bình"),
            ("90002", "An Hòa"),
            ("90003", "Lạc Đạo"),
            ("90004", "Bình Minh"),
            ("90005", "Tân Tiến"),
        )
    }
    c = old.communes
    old.branches = {
        "ab1": await branch(db, c["An Bình"], "Thôn 1"),
        "ab2": await branch(db, c["An Bình"], "Thôn 2"),
        "ah1": await branch(db, c["An Hòa"], "Thôn 1"),
        "ld": await branch(db, c["Lạc Đạo"], "Thôn Lạc"),
        "bm1": await branch(db, c["Bình Minh"], "Thôn 1"),
        "tt": await branch(db, c["Tân Tiến"], "Xóm Mới"),
    }
    b = old.branches
    await person(db, ADMIN, Role.PROVINCE_ADMIN, old.province, "Quản Trị")
    for who, name in (
        (AN_BINH_CHAIR, "An Bình"),
        (AN_HOA_CHAIR, "An Hòa"),
        (LAC_DAO_CHAIR, "Lạc Đạo"),
        (BINH_MINH_CHAIR, "Bình Minh"),
        (TAN_TIEN_CHAIR, "Tân Tiến"),
    ):
        await person(db, who, Role.COMMUNE_CHAIR, c[name], f"Chủ tịch {name}")
    await person(db, EAST_CHAIR, Role.DISTRICT_CHAIR, old.east, "Chủ tịch Đông")
    await person(db, WEST_CHAIR, Role.DISTRICT_CHAIR, old.west, "Chủ tịch Tây")
    await person(db, VOLUNTEER, Role.VOLUNTEER, b["ab1"], "Cộng Tác Viên")
    await person(db, SPLIT_VOLUNTEER, Role.VOLUNTEER, b["ld"], "Người Lạc Đạo")
    await person(db, HEAD, Role.BRANCH_HEAD, b["bm1"], "Trưởng Chi Hội")
    for name, who in (("ab1", VOLUNTEER), ("ld", SPLIT_VOLUNTEER)):
        for day in (date(2023, 3, 1), date(2025, 8, 1)):
            await report(db, who, b[name], day, chair=AN_BINH_CHAIR if name == "ab1" else ADMIN)
    async with db.transaction() as tx:
        rows = [
            BaselineRow(c["An Bình"].id, 2023, "fund_raised", 7_000_000),
            BaselineRow(old.west.id, 2023, "members_total", 120),
            BaselineRow(b["bm1"].id, 2023, "members_total", 15),
        ]
        await figure_store.put_baselines(tx, rows, NOW)
        await counters.move_baselines(
            tx, [BaselineChange(r.unit_id, r.year, r.indicator, None, r.value) for r in rows]
        )
    invite = await invites.create_invite(
        db, ADMIN, Role.COMMUNE_CHAIR, c["An Hòa"], NOW, ttl_days=7
    )
    assert not isinstance(invite, invites.InviteProblem)
    assert await counters.recompute(db) == []
    return old


async def _code(db: Database, code: str) -> Unit:
    unit = await unit_store.in_force_by_code(db, code)
    assert unit is not None, code
    return unit


async def report(db: Database, who: int, unit: Unit, day: date, *, chair: int) -> None:
    """A member, a recognised nomination, a contribution and an award of `day`'s year."""
    ok(
        await members.create_member(
            db, who, member_data(unit, joined_on=day), idempotency_key=key(), now=NOW
        )
    )
    made = await nominations.create_nomination(
        db,
        who,
        nomination_data(unit, year=day.year, subject=f"Hộ {key()}"),
        idempotency_key=key(),
        now=NOW,
    )
    await nominations.decide(db, ok(made).id, chair, recognise=True, reason=None, now=NOW)
    fund = await funds.unit_fund(db, unit)
    ok(
        await funds.create_contribution(
            db,
            who,
            contribution_data(fund, contributed_on=day, campaign="other"),
            idempotency_key=key(),
            now=NOW,
        )
    )
    ok(
        await funds.create_award(
            db, who, award_data(fund, awarded_on=day), idempotency_key=key(), now=NOW
        )
    )


async def totals(db: Database, units: list[Unit], year: int) -> dict[str, dict[str, int]]:
    return {unit.code: await counters.values(db, unit.id, year) for unit in units}


async def plan_of(db: Database, files: tuple[Path, Path, Path]) -> map_change.MapChangePlan:
    return await map_change.plan(
        db, files[1], files[2], EFFECTIVE, province_code="91", province_name="Hải Tây", now=NOW
    )


async def snapshot(db: Database) -> list[tuple[Any, ...]]:
    """Everything a plan must leave as it was."""
    found: list[tuple[Any, ...]] = []
    tables = ("unit", "role_grant", "stat_counter", "unit_move", "map_change", "notice_event")
    for table in (*tables, "invite"):
        found += [(table, *row) for row in await db.fetchall(f"SELECT * FROM {table}")]
    return sorted(found, key=repr)


# ---------------------------------------------------------------- the plan


async def test_the_plan_says_everything_and_changes_nothing(
    small: Database, files: tuple[Path, Path, Path]
) -> None:
    old = await seed(small)
    before = await snapshot(small)
    planned = await plan_of(small, files)
    assert await snapshot(small) == before
    assert planned.units_created == 5 and planned.units_ended == 8
    assert planned.skipped_rows == 1  # Sơn Nam's row
    assert [d.code for d in planned.districts] == ["901", "902"]
    moves = {m.branch.id: m for m in planned.branches}
    b = old.branches
    assert moves[b["ab1"].id].name == "Thôn 1 (An Bình)"
    assert moves[b["ah1"].id].name == "Thôn 1 (An Hòa)"
    assert moves[b["ab2"].id].name == "Thôn 2" and moves[b["bm1"].id].name == "Thôn 1"
    assert [m.branch.id for m in planned.provisional] == [b["ld"].id]
    assert planned.provisional[0].candidates == ("90102", "90103")
    moved = {(g.grant.telegram_id, g.to_code) for g in planned.grants_moved}
    assert moved == {(ADMIN, "91"), (BINH_MINH_CHAIR, "90004")}
    kept = {g.grant.telegram_id for g in planned.grants_kept}
    assert kept == {
        AN_BINH_CHAIR,
        AN_HOA_CHAIR,
        LAC_DAO_CHAIR,
        TAN_TIEN_CHAIR,
        EAST_CHAIR,
        WEST_CHAIR,
    }
    assert [i.unit_id for i in planned.invites] == [old.communes["An Hòa"].id]  # to revoke
    assert planned.former_districts == {
        "90101": "Đông",
        "90102": "Đông",  # as many from Đông as from Tây: the mapping's first
        "90103": "Đông",
        "90004": "Tây",
    }
    assert planned.records == {"member": 4, "nomination": 4, "contribution": 4, "award": 4}


async def test_problems_with_the_files_are_one_clear_error(
    small: Database, files: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    await seed(small)

    async def problem(units: Path, mapping: Path, **kwargs: Any) -> MapChangeError:
        with pytest.raises(MapChangeError) as caught:
            await map_change.plan(small, units, mapping, EFFECTIVE, now=NOW, **kwargs)
        return caught.value

    province = {"province_code": "91", "province_name": "Hải Tây"}
    missing = await problem(files[1], tmp_path / "nowhere.csv", **province)
    assert missing.problem is MapProblem.MISSING_FILE and "nowhere.csv" in missing.value
    assert (await problem(files[1], files[2])).problem is MapProblem.PROVINCE_NEEDED
    short = tmp_path / "short.csv"
    short.write_text("\n".join(MAPPING.splitlines()[:-2]) + "\n", encoding="utf-8")
    uncovered = await problem(files[1], short, **province)
    assert uncovered.problem is MapProblem.UNCOVERED and "90005 Tân Tiến" in uncovered.value
    wrong = tmp_path / "wrong.csv"
    wrong.write_text(MAPPING.replace("90004,Bình Minh,Xã,90004", "90009,Bình Minh,Xã,90004"))
    unknown = await problem(files[1], wrong, **province)
    assert unknown.problem is MapProblem.NOT_IN_DATABASE and unknown.line == 5
    assert "90009" in unknown.value
    absent = tmp_path / "absent.csv"
    absent.write_text(MAPPING.replace("90102|90103", "90102|90199"), encoding="utf-8")
    new_code = await problem(files[1], absent, **province)
    assert new_code.problem is MapProblem.NOT_IN_UNITS_FILE and new_code.value == "90199"
    bad = tmp_path / "bad.csv"
    bad.write_text("old,new\n1,2\n", encoding="utf-8")
    assert (await problem(files[1], bad, **province)).problem is MapProblem.MAPPING_COLUMNS
    twice = tmp_path / "twice.csv"
    twice.write_text(MAPPING + MAPPING.splitlines()[1] + "\n", encoding="utf-8")
    assert (await problem(files[1], twice, **province)).problem is MapProblem.MAPPING_DUPLICATE


async def test_the_shipped_legacy_mapping_does_not_fit_the_2024_map(db: Database) -> None:
    """Its codes are those of early 2025: 18 communes of 2024 had merged by then."""
    legacy = OLD_TO_NEW_CSV.with_name("hung_yen_2025_from_legacy.csv")
    with pytest.raises(MapChangeError) as caught:
        await map_change.plan(db, NEW_MAP_CSV, legacy, EFFECTIVE, now=NOW)
    assert caught.value.problem is MapProblem.UNCOVERED and caught.value.count == 18


# ---------------------------------------------------------------- the change


async def test_the_change_moves_branches_and_grants_and_keeps_the_history(
    small: Database, files: tuple[Path, Path, Path]
) -> None:
    old = await seed(small)
    b, c = old.branches, old.communes
    old_units = [old.province, old.east, old.west, *c.values()]
    before_2023 = await totals(small, old_units, 2023)
    before_2025 = await counters.values(small, old.province.id, 2025)
    assert before_2023["90"]["members_new"] == 2 and before_2025["members_new"] == 2

    result = await map_change.apply(small, await plan_of(small, files), now=NOW)
    assert result.applied and result.mismatches == 0
    assert await counters.recompute(small) == []

    # The new map: province 91 and its four communes; the old units ended, with successors.
    new = await _code(small, "91")
    assert new.level is Level.PROVINCE and new.valid_from == EFFECTIVE
    an_binh, lac_hong, minh_chau, binh_minh = [
        await _code(small, code) for code in ("90101", "90102", "90103", "90004")
    ]
    assert binh_minh.id != c["Bình Minh"].id  # the code is reused by a new unit
    for unit in old_units:
        ended = await unit_store.get(small, unit.id)
        assert ended is not None and ended.valid_to == EFFECTIVE and not ended.active
    assert await map_store.successor_ids(small, c["Lạc Đạo"].id) == [
        (lac_hong.id, True),
        (minh_chau.id, True),
    ]
    assert await map_store.successor_ids(small, old.east.id) == [(new.id, False)]
    assert await map_store.successor_ids(small, old.province.id) == [(new.id, False)]

    # Branches: under their new commune, renamed where two met; the split one provisional.
    moved = {key: await unit_store.get(small, unit.id) for key, unit in b.items()}
    assert moved["ab1"] and moved["ab1"].parent_id == an_binh.id
    assert (
        moved["ab1"].name == "Thôn 1 (An Bình)"
        and moved["ab1"].path == f"{an_binh.path}{b['ab1'].id}/"
    )
    assert moved["ld"] and moved["ld"].parent_id == lac_hong.id
    assert moved["bm1"] and moved["bm1"].parent_id == binh_minh.id and moved["bm1"].name == "Thôn 1"
    move = await map_store.latest_move(small, b["ld"].id)
    assert move is not None and not move.settled and move.from_parent_id == c["Lạc Đạo"].id
    settled = await map_store.latest_move(small, b["ab1"].id)
    assert settled is not None and settled.settled

    # Grants: the admin follows the province, Bình Minh's chair the one-to-one commune.
    def grant_units(rows: list[Any]) -> dict[int, int]:
        return {int(row[0]): int(row[1]) for row in rows}

    held = grant_units(await small.fetchall("SELECT telegram_id, unit_id FROM role_grant"))
    assert held[ADMIN] == new.id and held[BINH_MINH_CHAIR] == binh_minh.id
    assert held[AN_BINH_CHAIR] == c["An Bình"].id and held[EAST_CHAIR] == old.east.id
    assert held[VOLUNTEER] == b["ab1"].id  # branch roles stay on their branch

    # Records keep their unit; 2023 stays on the old map, 2025 moved to the new one.
    units_of = await small.fetchall("SELECT DISTINCT unit_id FROM member ORDER BY unit_id")
    assert [row[0] for row in units_of] == sorted([b["ab1"].id, b["ld"].id])
    assert await totals(small, old_units, 2023) == before_2023
    assert await counters.values(small, old.province.id, 2025) == {}
    assert await counters.values(small, new.id, 2025) == before_2025
    assert (await counters.values(small, an_binh.id, 2025))["members_new"] == 1
    assert "members_new" not in await counters.values(small, an_binh.id, 2023)
    assert (await counters.values(small, new.id, 2023)) == {}

    # The change is recorded once, with its summary; the chairs are told.
    changes = await map_store.map_changes(small)
    assert [change.id for change in changes] == [result.change_id]
    summary = changes[0].summary
    assert summary["branches_provisional"] == [b["ld"].id]
    assert summary["records"] == {"member": 4, "nomination": 4, "contribution": 4, "award": 4}
    events = [e for e in await notice_events.pending(small) if e.kind is NoticeKind.MAP_CHANGED]
    assert [e.record_id for e in events] == [result.change_id]  # one event for the change
    assert len(await scope_notices.scope_notices(small, result.change_id)) == 8

    # The unused invite to An Hòa, which ended, is revoked; whoever opens it is told it expired.
    assert result.invites_revoked == 1 and summary["invites_revoked"] == 1
    [invite] = result.plan.invites
    assert summary["invites"] == [invite.code]
    assert await invites.check_invite(small, invite.code, NOW) is invites.InviteProblem.EXPIRED
    revoked = await small.fetchone(
        "SELECT count(*) FROM audit_log WHERE action = 'revoke' AND entity_id = ?", (invite.code,)
    )
    assert revoked is not None and revoked[0] == 1

    # The new map names no former district: each commune gets its former communes' district.
    districts = {u.code: u.former_district for u in (an_binh, lac_hong, minh_chau, binh_minh)}
    assert districts == {"90101": "Đông", "90102": "Đông", "90103": "Đông", "90004": "Tây"}


async def test_a_rerun_changes_nothing(small: Database, files: tuple[Path, Path, Path]) -> None:
    await seed(small)
    first = await map_change.apply(small, await plan_of(small, files), now=NOW)
    before = await snapshot(small)
    again = await plan_of(small, files)
    assert again.done is not None and again.done.id == first.change_id
    assert again.units_created == again.units_ended == 0
    result = await map_change.apply(small, again, now=NOW)
    assert not result.applied and result.change_id == first.change_id
    assert await snapshot(small) == before


async def test_counters_follow_the_map_of_the_year_after_the_change(
    small: Database, files: tuple[Path, Path, Path]
) -> None:
    old = await seed(small)
    await map_change.apply(small, await plan_of(small, files), now=NOW)
    ab1 = await unit_store.get(small, old.branches["ab1"].id)
    assert ab1 is not None
    an_binh, new = await _code(small, "90101"), await _code(small, "91")
    lineage_2024 = [old.communes["An Bình"], old.east, old.province]
    before = {u.id: await counters.values(small, u.id, 2024) for u in [*lineage_2024, an_binh, new]}
    ok(
        await members.create_member(
            small,
            VOLUNTEER,
            member_data(ab1, joined_on=date(2024, 12, 1)),
            idempotency_key=key(),
            now=NOW,
        )
    )
    for unit in lineage_2024:
        assert (await counters.values(small, unit.id, 2024)).get("members_new", 0) == (
            before[unit.id].get("members_new", 0) + 1
        )
    assert await counters.values(small, an_binh.id, 2024) == before[an_binh.id]
    assert await counters.values(small, new.id, 2024) == before[new.id]
    ok(
        await members.create_member(
            small,
            VOLUNTEER,
            member_data(ab1, joined_on=date(2026, 1, 5)),
            idempotency_key=key(),
            now=NOW,
        )
    )
    assert (await counters.values(small, an_binh.id, 2026))["members_new"] == 1
    assert await counters.values(small, old.province.id, 2026) == {}
    # Rebuilt from scratch, the counters are the same.
    assert await counters.rebuild(small) == []


async def test_a_failing_counter_check_rolls_everything_back(
    small: Database, files: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed(small)
    before = await snapshot(small)

    async def broken(tx: Any) -> tuple[list[Any], list[Any]]:
        return [], [counters.Mismatch(1, 2023, "members_new", 1, 2)]

    monkeypatch.setattr(counters, "rebuild_checked", broken)
    with pytest.raises(MapChangeError) as caught:
        await map_change.apply(small, await plan_of(small, files), now=NOW)
    assert caught.value.problem is MapProblem.COUNTERS
    assert await snapshot(small) == before


# ---------------------------------------------------------------- placing, and the notices


async def test_the_province_admin_places_a_provisional_branch(
    small: Database, files: tuple[Path, Path, Path]
) -> None:
    old = await seed(small)
    await map_change.apply(small, await plan_of(small, files), now=NOW)
    ld = old.branches["ld"]
    lac_hong, minh_chau, an_binh = [await _code(small, c) for c in ("90102", "90103", "90101")]
    waiting = await branch_placing.provisional(small, ADMIN)
    assert [(p.branch.id, p.commune.id) for p in waiting] == [(ld.id, lac_hong.id)]
    assert [u.id for u in waiting[0].candidates] == [lac_hong.id, minh_chau.id]
    assert await branch_placing.provisional(small, AN_BINH_CHAIR) == []
    before_2023 = await totals(small, [old.province, old.east, old.communes["Lạc Đạo"]], 2023)
    assert await branch_placing.place(small, AN_BINH_CHAIR, ld.id, minh_chau.id, now=NOW) is (
        PlaceProblem.NOT_ALLOWED
    )
    assert await branch_placing.place(small, ADMIN, ld.id, an_binh.id, now=NOW) is (
        PlaceProblem.NOT_A_CANDIDATE
    )
    placed = await branch_placing.place(small, ADMIN, ld.id, minh_chau.id, now=NOW)
    assert isinstance(placed, Placed) and placed.moved and placed.counters_changed > 0
    assert placed.branch.parent_id == minh_chau.id
    assert placed.branch.path == f"{minh_chau.path}{ld.id}/"
    assert (await counters.values(small, minh_chau.id, 2025))["members_new"] == 1
    assert "members_new" not in await counters.values(small, lac_hong.id, 2025)
    assert (
        await totals(small, [old.province, old.east, old.communes["Lạc Đạo"]], 2023) == before_2023
    )
    assert await counters.recompute(small) == []
    move = await map_store.latest_move(small, ld.id)
    assert move is not None and move.settled and move.to_parent_id == minh_chau.id
    assert await branch_placing.provisional(small, ADMIN) == []
    assert await branch_placing.place(small, ADMIN, ld.id, lac_hong.id, now=NOW) is (
        PlaceProblem.NOT_PROVISIONAL
    )


async def test_what_each_chair_is_told(small: Database, files: tuple[Path, Path, Path]) -> None:
    from bot.i18n import translator
    from handlers import map_notices

    old = await seed(small)
    c = old.communes
    # Tân Tiến's chair chairs An Hòa too (both end, both grants stay); Bình Minh's chairs
    # Lạc Đạo too (that grant stays, the other moves with Bình Minh).
    await person(small, TAN_TIEN_CHAIR, Role.COMMUNE_CHAIR, c["An Hòa"])
    await person(small, BINH_MINH_CHAIR, Role.COMMUNE_CHAIR, c["Lạc Đạo"])
    result = await map_change.apply(small, await plan_of(small, files), now=NOW)
    t = translator("vi")
    [event] = [e for e in await notice_events.pending(small) if e.kind is NoticeKind.MAP_CHANGED]
    assert event.record_id == result.change_id
    notices = await scope_notices.scope_notices(small, event.record_id)
    said = {notice.telegram_id: map_notices.text(t, notice) for notice in notices}
    assert len(said) == len(notices)  # one notice per person
    assert set(said) == {ADMIN, *range(AN_BINH_CHAIR, TAN_TIEN_CHAIR + 1), EAST_CHAIR, WEST_CHAIR}
    assert "tỉnh Hải Đông" in said[ADMIN] and "tỉnh Hải Tây" in said[ADMIN]
    assert "📍 1 chi hội" in said[ADMIN]  # the one branch of Lạc Đạo, to place
    assert "xã Lạc Hồng" in said[LAC_DAO_CHAIR] and "phường Minh Châu" in said[LAC_DAO_CHAIR]
    assert "01/07/2025" in said[EAST_CHAIR] and "2025" in said[EAST_CHAIR]

    both = said[TAN_TIEN_CHAIR]
    assert both.startswith("🗺 Từ ngày 01/07/2025, địa giới hành chính thay đổi. Với các vai trò")
    assert "• xã Tân Tiến không còn nữa" in both and "• xã An Hòa không còn nữa" in both
    assert both.count("xã An Bình") == 1 and "gửi lời mời" in both
    mixed = said[BINH_MINH_CHAIR]
    assert "• xã Bình Minh nay thuộc xã Bình Minh" in mixed
    assert "• xã Lạc Đạo không còn nữa" in mixed and "gửi lời mời" in mixed
    [moved_and_kept] = [n for n in notices if n.telegram_id == BINH_MINH_CHAIR]
    assert [s.moved for s in moved_and_kept.scopes] == [True, False]
    single = said[AN_BINH_CHAIR]
    assert "•" not in single and single.startswith("🗺 Từ ngày 01/07/2025, địa giới hành chính")


# ---------------------------------------------------------------- the shipped files


async def test_thai_binh_onto_hung_yen_keeps_2023_totals(db: Database) -> None:
    """The shipped files on the 2024 map with reports, grants and baselines: the old
    province's and districts' 2023 figures stay exactly what they were."""
    province = await unit_store.root(db)
    assert province is not None
    districts = await unit_store.children(db, province.id)
    picked = []
    for number, district in enumerate(districts):
        communes = await unit_store.children(db, district.id)
        for commune in communes[:2]:
            made = await branch(db, commune, "Thôn 1")
            picked.append(made)
            await person(db, 5000 + len(picked), Role.VOLUNTEER, made)
            await person(db, 6000 + len(picked), Role.COMMUNE_CHAIR, commune)
        await person(db, 7000 + number, Role.DISTRICT_CHAIR, district)
    await person(db, 1, Role.PROVINCE_ADMIN, province)
    for index, unit in enumerate(picked):
        await report(db, 5001 + index, unit, date(2023, 5, 2), chair=1)
    old_units = [province, *districts]
    before = await totals(db, old_units, 2023)
    planned = await map_change.plan(db, NEW_MAP_CSV, OLD_TO_NEW_CSV, EFFECTIVE, now=NOW)
    assert planned.units_created == 105 and planned.units_ended == 269
    assert len(planned.branches) == len(picked) and not planned.provisional
    assert [g.grant.telegram_id for g in planned.grants_moved] == [1]
    result = await map_change.apply(db, planned, now=NOW)
    assert result.applied
    assert await totals(db, old_units, 2023) == before
    assert await counters.recompute(db) == []
    hung_yen = await _code(db, "33")
    assert await counters.values(db, hung_yen.id, 2023) == {}
    with OLD_TO_NEW_CSV.open(encoding="utf-8") as handle:
        targets = Counter(row["unit_code_jul2025"] for row in csv.DictReader(handle))
    assert len(targets) == 65


async def test_old_hung_yen_onto_todays_map_lists_its_split_communes(tmp_path: Path) -> None:
    """Old Hưng Yên (province 33, its 10 districts, 139 communes from the shipped legacy
    rows) moved onto today's Hưng Yên, the same province: its districts end, the province
    stays, and the branches of its 3 split communes are listed for the admin to place."""
    legacy = OLD_TO_NEW_CSV.with_name("hung_yen_2025_from_legacy.csv")
    with legacy.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["legacy_province"] == "Hưng Yên"]
    old_map = tmp_path / "old_hung_yen.csv"
    with old_map.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(hierarchy.UNITS_CSV_COLUMNS)
        for row in rows:
            kind = {"Hưng Yên": "Thành phố", "Mỹ Hào": "Thị xã"}.get(
                row["legacy_district"], "Huyện"
            )
            writer.writerow(
                [
                    row["legacy_district_code"],
                    row["legacy_district"],
                    kind,
                    row["legacy_commune_code"],
                    row["legacy_commune"],
                    row["legacy_commune_type"],
                ]
            )
    async with Database(tmp_path / "hung_yen.sqlite3") as db:
        await hierarchy.load_units_csv(db, old_map, province_code="33", province_name="Hưng Yên")
        province = await unit_store.root(db)
        assert province is not None
        split = [r for r in rows if r["partly"] == "1"]
        assert len(split) == 3
        for row in split:
            await branch(db, await _code(db, row["legacy_commune_code"]), "Thôn Giữa")
        await branch(db, await _code(db, rows[0]["legacy_commune_code"]), "Thôn Đầu")
        await person(db, 1, Role.PROVINCE_ADMIN, province)
        planned = await map_change.plan(db, NEW_MAP_CSV, legacy, EFFECTIVE, now=NOW)
        assert planned.same_province and not planned.creates_province
        assert planned.skipped_rows == 242  # old Thái Bình's rows
        assert planned.units_created == 104 and planned.units_ended == 10 + 139
        assert {m.old_commune.code for m in planned.provisional} == {
            r["legacy_commune_code"] for r in split
        }
        lac_dao = next(m for m in planned.provisional if m.old_commune.name == "Lạc Đạo")
        assert lac_dao.candidates == ("11992", "11995")
        result = await map_change.apply(db, planned, now=NOW)
        assert result.applied and await counters.recompute(db) == []
        still = await unit_store.root(db)
        assert still is not None and still.id == province.id and still.in_force
        assert len(await branch_placing.provisional(db, 1)) == 3
        city = await unit_store.by_code(db, "323")
        assert city is not None and not city.in_force
        assert await map_store.successor_ids(db, city.id) == [(province.id, False)]


# ---------------------------------------------------------------- after the change


async def test_a_grant_s_unit_says_when_it_ended(
    small: Database, files: tuple[Path, Path, Path]
) -> None:
    await seed(small)
    await map_change.apply(small, await plan_of(small, files), now=NOW)
    [kept] = await people.grants_of(small, EAST_CHAIR)
    assert kept.unit.valid_to == EFFECTIVE and not kept.unit.in_force
    [moved] = await people.grants_of(small, ADMIN)
    assert moved.unit.code == "91" and moved.unit.valid_from == EFFECTIVE and moved.unit.in_force


async def test_a_name_finds_ended_units_and_units_in_force(
    small: Database, files: tuple[Path, Path, Path]
) -> None:
    old = await seed(small)
    await map_change.apply(small, await plan_of(small, files), now=NOW)
    an_binh = await _code(small, "90101")
    admin = await people.grants_of(small, ADMIN)
    # An Hòa ended; today's An Bình took it (a former name): both are offered, the exact name
    # first, then those in force (its branch renamed "Thôn 1 (An Hòa)" in An Bình too).
    found = await stats.find_units(small, admin, "an hoa")
    expected = [old.communes["An Hòa"].id, old.branches["ah1"].id, an_binh.id]
    assert [u.id for u in found.choices] == expected
    # A code held by an ended unit and by the one in force that reuses it: both.
    found = await stats.find_units(small, admin, "90004")
    assert [(u.code, u.in_force) for u in found.choices] == [("90004", True), ("90004", False)]
    # The old district's chair sees only the old map: An Bình as it was, directly.
    east = await people.grants_of(small, EAST_CHAIR)
    found = await stats.find_units(small, east, "an binh")
    assert [u.id for u in found.choices] == [old.communes["An Bình"].id]
    assert (await stats.find_units(small, east, "binh minh")).outside is not None
    assert await stats.find_units(small, east, "nowhere") == stats.UnitSearch(())
