"""Old Thái Bình with a year of figures, baselines and reports filed in 2023 through the services
while its map was in force; then ended on 1 July 2025 and today's map (Hưng Yên, optionally
grouped into areas by former district) loaded with the successors. Built once per test module
into a template file (`build`), copied for each test."""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from bot.services import figures, funds, hierarchy, imports, members, nominations
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import Level, Role, Unit, UnitKind
from bot.storage.records import NominationKind
from tests.conftest import (
    NEW_MAP_CSV,
    NEW_MAP_DAY,
    branch,
    end_thai_binh_2024,
    load_new_map,
    name_successors,
    person,
)

FILED_2023 = datetime(2023, 12, 20, 3, 0, tzinfo=UTC)
FILED_2024 = datetime(2024, 6, 10, 3, 0, tzinfo=UTC)
FILED_2026 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)

OLD_ADMIN = 101
"""Province administrator of old Thái Bình (34), kept on it after the change."""
ADMIN = 102
"""Province administrator of today's Hưng Yên (33)."""
DISTRICT_CHAIR = 103
"""Chair of old Đông Hưng district: the grant stays on the ended district."""
AREA_CHAIR = 104
"""A DISTRICT_CHAIR grant on an area of today's map (when it has areas)."""
CHAIR = 105
"""Chair of the new commune that took old Đông Hưng's first commune."""
VOLUNTEER = 106
"""Volunteer of a branch of old Đông Hưng's first commune."""

FIGURE_NAMES = ("population", "citizens", "households", "clans", "villages", "agencies")
BASELINE_NAMES = ("members_total", "title_citizen", "title_family", "fund_raised", "fund_awarded")


def figure_values(index: int) -> dict[str, int]:
    """The 2023 figures of the old commune number `index` (in code order)."""
    return {
        "population": 5_000 + 37 * index,
        "citizens": 3_000 + 19 * index,
        "households": 1_200 + 11 * index,
        "clans": 10 + index % 5,
        "villages": 5 + index % 7,
        "agencies": 3 + index % 4,
    }


def baseline_values(index: int) -> dict[str, int]:
    """The 2023 year-end totals of the old commune number `index`."""
    return {
        "members_total": 1_500 + 7 * index,
        "title_citizen": 800 + 3 * index,
        "title_family": 300 + index,
        "fund_raised": 100_000_000 + 1_000_000 * index,
        "fund_awarded": 50_000_000 + 500_000 * index,
    }


def _csv(header: list[str], rows: list[list[object]]) -> bytes:
    lines = [",".join(header), *(",".join(str(v) for v in row) for row in rows)]
    return ("\n".join(lines) + "\n").encode()


def areas_csv(folder: Path) -> Path:
    """Today's map with its communes grouped into areas ("cụm") by their former district."""
    with NEW_MAP_CSV.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    names = sorted({row["former_district"] for row in rows})
    codes = {name: f"A{number:02d}" for number, name in enumerate(names, start=1)}
    path = folder / "hung_yen_2025_areas.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        fields = ["area_code", "area_name", "commune_code", "commune_name", "commune_type"]
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {
                    "area_code": codes[row["former_district"]],
                    "area_name": row["former_district"],
                    "commune_code": row["commune_code"],
                    "commune_name": row["commune_name"],
                    "commune_type": row["commune_type"],
                }
            )
    return path


async def old_communes(db: Database) -> list[Unit]:
    """Old Thái Bình's communes, in code order (as they were filed)."""
    rows = await db.fetchall(
        "SELECT c.id FROM unit c JOIN unit p ON c.path LIKE p.path || '%' "
        "WHERE p.code = '34' AND p.parent_id IS NULL AND c.level = 'commune' ORDER BY c.code"
    )
    found = [await unit_store.get(db, int(row["id"])) for row in rows]
    return [unit for unit in found if unit is not None]


@dataclass(frozen=True)
class Filed:
    """What was filed on the old map, for the tests to find it again."""

    first_commune: Unit
    """Old Đông Hưng's first commune (alphabetically): branches, people, reports."""
    other_commune: Unit
    branch: Unit


async def file_old_map(db: Database) -> Filed:
    """Figures and baselines for every old commune for 2023, and reports in the bot in 2023 and
    2024, all through the services while the old map is in force."""
    communes = await old_communes(db)
    figure_rows = [[c.code, 2023, *figure_values(i).values()] for i, c in enumerate(communes)]
    province = await unit_store.root(db)
    assert province is not None
    figures_file = _csv(["unit_code", "year", *FIGURE_NAMES], figure_rows)
    done = await imports.import_figures(db, figures_file, "f.csv", actor_id=None, now=FILED_2023)
    assert isinstance(done, imports.ImportResult), done
    assert (
        await figures.set_figure(
            db, OLD_ADMIN, province, 2023, figures.target(NominationKind.CITIZEN), 268, FILED_2023
        )
        is None
    )
    baseline_rows = [[c.code, 2023, *baseline_values(i).values()] for i, c in enumerate(communes)]
    baseline_file = _csv(["unit_code", "year", *BASELINE_NAMES], baseline_rows)
    done = await imports.import_baseline(db, baseline_file, "b.csv", actor_id=None, now=FILED_2023)
    assert isinstance(done, imports.ImportResult), done

    district = (await unit_store.search(db, "Đông Hưng", levels=[Level.DISTRICT]))[0]
    first, other = (await unit_store.children(db, district.id))[:2]
    thon_dong = await branch(db, first, "Thôn Đông")
    await branch(db, first, "Thôn Tây")
    await branch(db, other, "Thôn Nam")
    await person(db, OLD_ADMIN, Role.PROVINCE_ADMIN, province, "Quản Trị Cũ")
    await person(db, DISTRICT_CHAIR, Role.DISTRICT_CHAIR, district, "Chủ Tịch Huyện")
    await person(db, VOLUNTEER, Role.VOLUNTEER, thon_dong, "Lê Thị Cúc")
    for number, (name, joined, now) in enumerate(
        (
            ("Nguyễn Văn An", date(2023, 3, 1), FILED_2023),
            ("Trần Thị Bình", date(2023, 10, 2), FILED_2023),
            ("Phạm Văn Cường", date(2024, 5, 1), FILED_2024),
        )
    ):
        made = await members.create_member(
            db,
            VOLUNTEER,
            {
                "full_name": name,
                "gender": "male",
                "birth_year": 1970,
                "joined_on": joined,
                "unit_id": thon_dong.id,
            },
            idempotency_key=f"old-m{number}",
            now=now,
        )
        assert not isinstance(made, str), made
    for number, subject in enumerate(("Hộ ông A", "Hộ ông B", "Hộ ông C")):
        nominated = await nominations.create_nomination(
            db,
            VOLUNTEER,
            {"kind": "family", "subject": subject, "unit_id": thon_dong.id, "year": 2023},
            idempotency_key=f"old-n{number}",
            now=FILED_2023,
        )
        assert isinstance(nominated, tuple), nominated
        if number < 2:
            decided = await nominations.decide(
                db, nominated[0].id, OLD_ADMIN, recognise=True, reason=None, now=FILED_2023
            )
            assert not isinstance(decided, str), decided
    fund = await funds.unit_fund(db, thon_dong)
    given = await funds.create_contribution(
        db,
        VOLUNTEER,
        {
            "donor_name": "Công ty Minh Phát",
            "donor_kind": "enterprise",
            "amount": 7_000_000,
            "fund_id": fund.id,
            "campaign": "thang_khuyen_hoc",
            "contributed_on": date(2023, 10, 5),
        },
        idempotency_key="old-c1",
        now=FILED_2023,
    )
    assert not isinstance(given, str), given
    paid = await funds.create_award(
        db,
        VOLUNTEER,
        {
            "recipient_name": "Đỗ Văn F",
            "reason": "excellent_student",
            "amount": 2_000_000,
            "fund_id": fund.id,
            "awarded_on": date(2023, 11, 1),
        },
        idempotency_key="old-a1",
        now=FILED_2023,
    )
    assert not isinstance(paid, str), paid
    return Filed(first, other, thon_dong)


async def change_map(db: Database, *, areas: Path | None = None) -> None:
    """Old Thái Bình ends on 1 July 2025; today's map comes in with the successors."""
    await end_thai_binh_2024(db)
    if areas is None:
        await load_new_map(db)
    else:
        await hierarchy.load_units_csv(
            db, areas, province_code="33", province_name="Hưng Yên", valid_from=NEW_MAP_DAY
        )
    await name_successors(db)


async def new_commune_of(db: Database, old: Unit) -> Unit:
    """The unit of today's map that took an old commune."""
    found = await unit_store.successors(db, old)
    assert len(found) == 1, found
    return found[0][0]


async def after_the_change(db: Database, filed: Filed) -> None:
    """People on today's map, and a branch of today with a member of 2026."""
    province = await unit_store.in_force_by_code(db, "33")
    assert province is not None
    await person(db, ADMIN, Role.PROVINCE_ADMIN, province, "Quản Trị Mới")
    commune = await new_commune_of(db, filed.first_commune)
    await person(db, CHAIR, Role.COMMUNE_CHAIR, commune, "Chủ Tịch Xã Mới")
    if commune.parent_id != province.id:
        area = await unit_store.get(db, commune.parent_id or 0)
        assert area is not None and area.kind is UnitKind.AREA
        await person(db, AREA_CHAIR, Role.DISTRICT_CHAIR, area, "Điều Phối Cụm")
    today = await branch(db, commune, "Tổ dân phố 1")
    made = await members.create_member(
        db,
        CHAIR,
        {
            "full_name": "Vũ Văn Mới",
            "gender": "male",
            "birth_year": 1980,
            "joined_on": date(2026, 3, 1),
            "unit_id": today.id,
        },
        idempotency_key="new-m1",
        now=FILED_2026,
    )
    assert not isinstance(made, str), made


async def build(
    path: Path, template: Path, *, areas: Path | None = None, before: Path | None = None
) -> Filed:
    """The whole story into `path`, from the old map's template; `before`: a copy of the
    database as it was filed, before the change."""
    shutil.copyfile(template, path)
    async with Database(path) as db:
        filed = await file_old_map(db)
    if before is not None:
        shutil.copyfile(path, before)
    async with Database(path) as db:
        await change_map(db, areas=areas)
        await after_the_change(db, filed)
    return filed
