"""Every role against its own unit and against a foreign one."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.services import scopes
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import Role, Unit
from tests.conftest import branch, person, unit


@dataclass
class World:
    province: Unit
    district: Unit
    other_district: Unit
    commune: Unit
    other_commune: Unit
    same_district_commune: Unit
    branch: Unit
    other_branch: Unit
    foreign_branch: Unit


@pytest.fixture
async def world(db: Database) -> World:
    province = await unit_store.root(db)
    assert province is not None
    district = await unit(db, "Đông Hưng")
    other_district = await unit(db, "Kiến Xương")
    communes = await unit_store.children(db, district.id)
    commune, same_district_commune = communes[0], communes[1]
    other_commune = (await unit_store.children(db, other_district.id))[0]
    return World(
        province=province,
        district=district,
        other_district=other_district,
        commune=commune,
        other_commune=other_commune,
        same_district_commune=same_district_commune,
        branch=await branch(db, commune, "Thôn Đông"),
        other_branch=await branch(db, same_district_commune, "Thôn Nam"),
        foreign_branch=await branch(db, other_commune, "Thôn Tây"),
    )


ROLE_HOME = {
    Role.VOLUNTEER: "branch",
    Role.BRANCH_HEAD: "branch",
    Role.COMMUNE_CHAIR: "commune",
    Role.DISTRICT_CHAIR: "district",
    Role.PROVINCE_ADMIN: "province",
}

# (role, unit attribute, covered?)
CASES = [
    (Role.VOLUNTEER, "branch", True),
    (Role.VOLUNTEER, "other_branch", False),
    (Role.VOLUNTEER, "commune", False),
    (Role.BRANCH_HEAD, "branch", True),
    (Role.BRANCH_HEAD, "foreign_branch", False),
    (Role.COMMUNE_CHAIR, "commune", True),
    (Role.COMMUNE_CHAIR, "branch", True),
    (Role.COMMUNE_CHAIR, "other_branch", False),
    (Role.COMMUNE_CHAIR, "same_district_commune", False),
    (Role.COMMUNE_CHAIR, "district", False),
    (Role.DISTRICT_CHAIR, "district", True),
    (Role.DISTRICT_CHAIR, "same_district_commune", True),
    (Role.DISTRICT_CHAIR, "other_branch", True),
    (Role.DISTRICT_CHAIR, "other_commune", False),
    (Role.DISTRICT_CHAIR, "foreign_branch", False),
    (Role.DISTRICT_CHAIR, "province", False),
    (Role.PROVINCE_ADMIN, "province", True),
    (Role.PROVINCE_ADMIN, "foreign_branch", True),
    (Role.PROVINCE_ADMIN, "other_district", True),
]


@pytest.mark.parametrize(("role", "target", "expected"), CASES)
async def test_scope(db: Database, world: World, role: Role, target: str, expected: bool) -> None:
    await person(db, 500, role, getattr(world, ROLE_HOME[role]))
    grants = await people.grants_of(db, 500)
    assert scopes.covers(grants, getattr(world, target)) is expected


async def test_approval_needs_a_chair_over_the_branch(db: Database, world: World) -> None:
    await person(db, 1, Role.VOLUNTEER, world.branch)
    await person(db, 2, Role.COMMUNE_CHAIR, world.commune)
    await person(db, 3, Role.COMMUNE_CHAIR, world.other_commune)
    await person(db, 4, Role.DISTRICT_CHAIR, world.district)
    assert not scopes.can_approve_registration(await people.grants_of(db, 1), world.branch)
    assert scopes.can_approve_registration(await people.grants_of(db, 2), world.branch)
    assert not scopes.can_approve_registration(await people.grants_of(db, 3), world.branch)
    assert scopes.can_approve_registration(await people.grants_of(db, 4), world.branch)


async def test_invites_go_below_own_role_and_inside_scope(db: Database, world: World) -> None:
    await person(db, 2, Role.COMMUNE_CHAIR, world.commune)
    await person(db, 4, Role.DISTRICT_CHAIR, world.district)
    await person(db, 9, Role.PROVINCE_ADMIN, world.province)
    await person(db, 1, Role.VOLUNTEER, world.branch)
    commune_chair = await people.grants_of(db, 2)
    district_chair = await people.grants_of(db, 4)
    admin = await people.grants_of(db, 9)
    volunteer = await people.grants_of(db, 1)

    assert scopes.invitable_roles(volunteer) == []
    assert scopes.invitable_roles(commune_chair) == [Role.VOLUNTEER, Role.BRANCH_HEAD]
    assert Role.PROVINCE_ADMIN not in scopes.invitable_roles(admin)

    assert scopes.can_invite(commune_chair, Role.VOLUNTEER, world.branch)
    assert not scopes.can_invite(commune_chair, Role.VOLUNTEER, world.other_branch)
    assert not scopes.can_invite(commune_chair, Role.COMMUNE_CHAIR, world.commune)
    assert not scopes.can_invite(commune_chair, Role.VOLUNTEER, world.commune)  # wrong level
    assert scopes.can_invite(district_chair, Role.COMMUNE_CHAIR, world.same_district_commune)
    assert not scopes.can_invite(district_chair, Role.COMMUNE_CHAIR, world.other_commune)
    assert not scopes.can_invite(district_chair, Role.DISTRICT_CHAIR, world.district)
    assert scopes.can_invite(admin, Role.DISTRICT_CHAIR, world.other_district)
    assert not scopes.can_invite(volunteer, Role.VOLUNTEER, world.branch)


async def test_branch_management(db: Database, world: World) -> None:
    await person(db, 2, Role.COMMUNE_CHAIR, world.commune)
    await person(db, 5, Role.BRANCH_HEAD, world.branch)
    assert scopes.can_manage_branches(await people.grants_of(db, 2), world.commune)
    assert not scopes.can_manage_branches(await people.grants_of(db, 2), world.other_commune)
    assert not scopes.can_manage_branches(await people.grants_of(db, 5), world.commune)
