"""What every step of a demo build shares: the scales, steps, problems and summary the command
line sees, the fixed dates the rows are stamped with, the hierarchy as read (`read_units`,
`communes_of`) and what a step has written so far (`World`, its `Branch`es and `Fund`s)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Final

from bot.config import DATA_DIR, HUNG_YEN_2025
from bot.services.demo_data.plan import BranchPlan, Commune, CommunePlan
from bot.services.map_change import MapChangeResult
from bot.storage import demo_rows
from bot.storage.db import Database, Tx
from bot.storage.demo_rows import UnitRow
from bot.storage.models import Level, Role
from bot.storage.records import FundKind

DEFAULT_SEED: Final = 2023
AS_OF: Final = "2025-01-15T02:00:00Z"
"""When people, grants, figures and funds were set up; fixed, so a seed gives the same file."""

TODAY_UNITS: Final = HUNG_YEN_2025.path
MAPPING_FILE: Final = DATA_DIR / "thai_binh_units_2024_to_2025.csv"
MAP_CHANGE_DAY: Final = date(2025, 7, 1)
"""When the province moves onto today's map (`HUNG_YEN_2025.valid_from`)."""
MAP_CHANGE_AT: Final = datetime(2025, 7, 1, 1, 0, tzinfo=UTC)
MAP_AS_OF: Final = "2025-07-01T01:00:00Z"
"""When what today's map brought (branches, people, funds) was set up."""


class Scale(StrEnum):
    PROVINCE = "province"
    SMALL = "small"


class DemoDataProblem(StrEnum):
    """Why no demo data was generated; the command line translates each one."""

    OCCUPIED = "occupied"
    """The database holds more than the administrative units (see `occupied`)."""
    NO_UNITS = "no_units"
    """No province, district or commune to put branches in."""
    TOO_EARLY = "too_early"
    """`today` is not after the day the province moves onto today's map."""
    NOT_THAI_BINH = "not_thai_binh"
    """`province` starts from Thái Bình's 2024 map, and the database holds another."""


class DemoDataError(ValueError):
    def __init__(self, problem: DemoDataProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class Summary:
    """What was written, all steps together; `steps` says how long each took (seconds), and
    `map_change` what moving onto today's map did (the province)."""

    scale: Scale
    seed: int
    branches: int
    people: int
    members: int
    nominations: int
    contributions: int
    awards: int
    figures: int
    baselines: int
    steps: tuple[tuple[Step, float], ...] = ()
    map_change: MapChangeResult | None = None


class Step(StrEnum):
    HISTORY = "history"
    """Thái Bình until 2024, on its map with districts."""
    MAP_CHANGE = "map_change"
    TODAY = "today"
    """Since 1 July 2025 on today's map (`small`: only this)."""


# --- Reading the hierarchy --------------------------------------------------------------------


async def occupied(db: Database | Tx) -> bool:
    """True unless the database holds nothing but administrative units (no people, branches,
    reports, figures or baselines): demo data is never mixed with real data."""
    return await demo_rows.occupied(db)


async def read_units(db: Database | Tx) -> list[UnitRow]:
    """Active units above the branches (those in force), province first, then districts,
    communes, each alphabetical."""
    return await demo_rows.units_above_branches(db)


def communes_of(units: Sequence[UnitRow]) -> list[Commune]:
    """Communes with the district they belong to: their parent's name on a map with
    districts, else the one they were formed from (none: the province's)."""
    by_id = {unit.id: unit for unit in units}
    found = []
    for u in units:
        if u.level is not Level.COMMUNE:
            continue
        parent = by_id.get(u.parent_id or 0)
        district = parent.name if parent and parent.level is Level.DISTRICT else ""
        if not district:
            district = u.former_district or (parent.name if parent else "")
        found.append(Commune(u.id, u.code, u.name, u.kind, district, u.path))
    return found


# --- What has been written ----------------------------------------------------------------------


@dataclass
class Branch:
    id: int
    commune: CommunePlan
    plan: BranchPlan
    reporter: int = 0


@dataclass
class Fund:
    id: int
    unit_id: int
    level: Level
    kind: FundKind
    name: str
    reporter: int
    words: Mapping[str, str]
    """Placeholders for donor names: commune, type, district, clan."""
    raised: int = 0


@dataclass
class World:
    """What the writer has created so far, for the rows that refer to it."""

    province: UnitRow
    districts: list[UnitRow]
    plans: list[CommunePlan]
    branches: dict[int, list[Branch]] = field(default_factory=dict)
    """By commune id, in plan order."""
    chairs: dict[int, int] = field(default_factory=dict)
    """Commune or district id → the Telegram id of its chair (province: its admin)."""
    people: list[tuple[int, str, Role, int]] = field(default_factory=list)
    """(telegram id, name, role, unit id)."""
    funds: list[Fund] = field(default_factory=list)
    campaign_days: dict[str, int] = field(default_factory=dict)
    """ISO day → the id of the campaign running that day (the earliest-starting one)."""
    next_codes: Mapping[str, str] = field(default_factory=dict)
    """Old commune code → the code of today's commune it went to (the history's map)."""
