"""Domain records as pydantic models: what the storage returns and the services pass around."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Level(StrEnum):
    """The tiers of a map. `DISTRICT` is the middle one: a district (huyện, thành phố…) on the
    map until 30 June 2025, an optional area (cụm, kind `AREA`) on today's, where a province
    may have none; then a commune's parent is the province."""

    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"
    BRANCH = "branch"


LEVEL_ORDER = (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE, Level.BRANCH)
"""The levels from the top down. A map need not have all of them (no `DISTRICT` on today's),
so a unit's children are asked of the database, never taken to be of the next level here."""


class UnitKind(StrEnum):
    """What a unit is, independent of the language it is shown in."""

    PROVINCE = "province"
    CITY = "city"
    TOWN = "town"
    URBAN_DISTRICT = "urban_district"
    RURAL_DISTRICT = "rural_district"
    COMMUNE = "commune"
    WARD = "ward"
    TOWNSHIP = "township"
    VILLAGE = "village"
    RESIDENTIAL_GROUP = "residential_group"
    SCHOOL = "school"
    CLAN = "clan"
    AGENCY = "agency"
    AREA = "area"
    """A group of communes at the middle level of a map without districts (cụm)."""


BRANCH_KINDS = (
    UnitKind.VILLAGE,
    UnitKind.RESIDENTIAL_GROUP,
    UnitKind.SCHOOL,
    UnitKind.CLAN,
    UnitKind.AGENCY,
)


class Role(StrEnum):
    VOLUNTEER = "volunteer"
    BRANCH_HEAD = "branch_head"
    COMMUNE_CHAIR = "commune_chair"
    DISTRICT_CHAIR = "district_chair"
    PROVINCE_ADMIN = "province_admin"


ROLE_RANK = {
    Role.VOLUNTEER: 0,
    Role.BRANCH_HEAD: 1,
    Role.COMMUNE_CHAIR: 2,
    Role.DISTRICT_CHAIR: 3,
    Role.PROVINCE_ADMIN: 4,
}

ROLE_LEVEL = {
    Role.VOLUNTEER: Level.BRANCH,
    Role.BRANCH_HEAD: Level.BRANCH,
    Role.COMMUNE_CHAIR: Level.COMMUNE,
    Role.DISTRICT_CHAIR: Level.DISTRICT,
    Role.PROVINCE_ADMIN: Level.PROVINCE,
}

CHAIR_ROLES = (Role.COMMUNE_CHAIR, Role.DISTRICT_CHAIR, Role.PROVINCE_ADMIN)


class Unit(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    parent_id: int | None
    level: Level
    code: str
    name: str = Field(min_length=1, max_length=120)
    kind: UnitKind
    path: str
    active: bool = True
    valid_from: date | None = None
    """The day it came into force; None: unknown, or always."""
    valid_to: date | None = None
    """The first day it is no longer in force; None: in force. An ended unit is not active."""
    lat: float | None = None
    lon: float | None = None
    area_km2: float | None = None
    former_district: str | None = None
    """The district a commune of a map without districts was formed from, most of it (as the
    units file names it, "Đông Hưng"); None on a map with districts."""

    @property
    def in_force(self) -> bool:
        return self.valid_to is None

    def covers(self, other: Unit) -> bool:
        """True when `other` is this unit or lies anywhere beneath it."""
        return other.path.startswith(self.path)


class User(BaseModel):
    telegram_id: int
    full_name: str | None = None
    language: str = "vi"
    reachable: bool = True
    reminders: bool = True


class Grant(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    telegram_id: int
    role: Role
    unit: Unit

    @property
    def rank(self) -> int:
        return ROLE_RANK[self.role]


class Invite(BaseModel):
    code: str
    role: Role
    unit_id: int
    created_by: int
    created_at: datetime
    expires_at: datetime
    used_by: int | None = None
    used_at: datetime | None = None
    full_name: str | None = None
    """The person it is for, as the province office's rollout sheet names them; None: an
    invite made with /invite, for whoever gets the link."""


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # by the person who asked (or replaced by one for another branch)


class RegistrationRequest(BaseModel):
    id: int
    telegram_id: int
    full_name: str
    unit_id: int
    status: RequestStatus
    requested_at: datetime
    decided_by: int | None = None
    decided_at: datetime | None = None
    proposed_branch_name: str | None = None
    """A branch the newcomer asked for that is not in the list (migration 017); while such a
    request waits, `unit_id` is the commune the branch would belong to."""
    proposed_branch_kind: UnitKind | None = None
    branch_created: bool = False
    """Approving it created its branch from the proposal (undoing removes it, if unused)."""

    @property
    def proposes(self) -> bool:
        """Waiting with a branch to add: `unit_id` is a commune, the branch is the proposal."""
        return self.status is RequestStatus.PENDING and self.proposed_branch_name is not None
