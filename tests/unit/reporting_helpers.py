"""A small world for the reporting tests: branches in two communes of one district and one
branch elsewhere, a person of every role, and drafts of each kind of record."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from bot.services import counters, funds
from bot.services.reporting import ReportError
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import Role, Unit
from bot.storage.records import Fund
from tests.conftest import branch, person, unit

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
"""10:00 on 28 November 2026 in Vietnam."""
TODAY = date(2026, 11, 28)

VOLUNTEER = 10
"""Volunteer on branch `b1`."""
NEIGHBOUR = 11
"""Volunteer on branch `b2`, same commune as `b1`."""
BRANCH_HEAD = 12
"""Branch head of `b1`."""
FAR_VOLUNTEER = 13
"""Volunteer on branch `b3`, in the other commune of the district."""
CHAIR = 20
"""Commune chair of `commune` (holds `b1`, `b2`)."""
OTHER_CHAIR = 21
"""Commune chair of `other_commune` (holds `b3`), same district."""
DISTRICT_CHAIR = 30
OTHER_DISTRICT_CHAIR = 31
ADMIN = 40

_keys = itertools.count(1)
T = TypeVar("T")


def key() -> str:
    """A fresh draft key."""
    return f"draft-{next(_keys)}"


@dataclass
class World:
    province: Unit
    district: Unit
    other_district: Unit
    commune: Unit
    other_commune: Unit
    foreign_commune: Unit
    b1: Unit
    b2: Unit
    b3: Unit
    b4: Unit
    """In `foreign_commune`, another district."""


async def make_world(db: Database) -> World:
    province = await unit_store.root(db)
    assert province is not None
    district = await unit(db, "Đông Hưng")
    other_district = await unit(db, "Kiến Xương")
    communes = await unit_store.children(db, district.id)
    commune, other_commune = communes[0], communes[1]
    foreign_commune = (await unit_store.children(db, other_district.id))[0]
    world = World(
        province=province,
        district=district,
        other_district=other_district,
        commune=commune,
        other_commune=other_commune,
        foreign_commune=foreign_commune,
        b1=await branch(db, commune, "Thôn Đông"),
        b2=await branch(db, commune, "Thôn Tây"),
        b3=await branch(db, other_commune, "Thôn Nam"),
        b4=await branch(db, foreign_commune, "Thôn Bắc"),
    )
    await person(db, VOLUNTEER, Role.VOLUNTEER, world.b1)
    await person(db, NEIGHBOUR, Role.VOLUNTEER, world.b2)
    await person(db, BRANCH_HEAD, Role.BRANCH_HEAD, world.b1)
    await person(db, FAR_VOLUNTEER, Role.VOLUNTEER, world.b3)
    await person(db, CHAIR, Role.COMMUNE_CHAIR, commune)
    await person(db, OTHER_CHAIR, Role.COMMUNE_CHAIR, other_commune)
    await person(db, DISTRICT_CHAIR, Role.DISTRICT_CHAIR, district)
    await person(db, OTHER_DISTRICT_CHAIR, Role.DISTRICT_CHAIR, other_district)
    await person(db, ADMIN, Role.PROVINCE_ADMIN, province)
    return world


def member_data(unit: Unit, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "full_name": "Nguyễn Văn An",
        "gender": "male",
        "birth_year": 1960,
        "joined_on": date(2026, 10, 2),
        "unit_id": unit.id,
    }
    return {**data, **changes}


def nomination_data(unit: Unit, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "family",
        "subject": "Hộ ông Nguyễn Văn An",
        "unit_id": unit.id,
        "year": 2026,
    }
    return {**data, **changes}


def contribution_data(fund: Fund, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "donor_name": "Công ty TNHH Minh Phát",
        "donor_kind": "enterprise",
        "amount": 5_000_000,
        "fund_id": fund.id,
        "campaign": "thang_khuyen_hoc",
        "contributed_on": date(2026, 10, 5),
    }
    return {**data, **changes}


def award_data(fund: Fund, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "recipient_name": "Trần Thị Bình",
        "school": "Trường THCS Đông Hợp",
        "class_name": "8A",
        "reason": "poor_overcoming",
        "amount": 1_000_000,
        "fund_id": fund.id,
        "awarded_on": date(2026, 11, 20),
    }
    return {**data, **changes}


async def fund_of(db: Database, unit: Unit) -> Fund:
    return await funds.unit_fund(db, unit)


def ok(result: tuple[T, bool] | ReportError) -> T:
    """The record of a create call that must have succeeded."""
    assert not isinstance(result, ReportError), result
    return result[0]


async def clean(db: Database) -> None:
    """The counters agree with the raw rows."""
    assert await counters.recompute(db) == []
