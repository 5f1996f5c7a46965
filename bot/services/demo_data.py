"""Demo databases: Thái Bình's history and today's Hưng Yên, or a few communes for the console.

`province` starts from Thái Bình's 2024 map (districts) and writes the plan of `demo_plan`
(the published 2023 counts and one-decimal percentages, exactly) as rows: 2,554 branches,
670,479 members, every recognised title of 2023 as a nomination with a few rejected and
pending ones, a fund for every unit, and gifts and awards over 2019–2024 adding up to the
published 443 and 397 billion đồng. Then it moves the database onto today's map on 1 July 2025
with `map_change` (as `khuyenhoc units migrate` does: the 2024 units ended, branches moved to
Hưng Yên's communes, counters rebuilt) and adds the activity since on today's map, at the
published province's rates: members, nominations and their decisions (citizens and households
mostly as each year's review, a baseline), gifts and awards in all 104 communes, the 39 of old
Hưng Yên (which the database knew nothing of) with branches, chairs, volunteers and figures,
and every commune's members at the end of 2025 as it reported them (docs/map-change.md, "The
demo database"). So /stats and /report are measured and checked at the real orders of
magnitude, on both maps.

`small` is a few communes of today's map (`SMALL_COMMUNES`) with a few hundred reports since
1 July 2025 by chairs and volunteers at Telegram ids 1–20 (`SMALL_PEOPLE`; the province has
them too, on the same communes), for trying the bot in `khuyenhoc shell`.

Rows go in with `executemany` inside one transaction per step, and the counters are rolled up
from them at the end of it (what `counters.rebuild` does): one service call per record would
take hours for a province. The same seed gives the same database (for `small`, the same seed
and `today`, which its report dates follow).

Only a database holding nothing but the administrative units is filled (`occupied`): demo
people, branches and reports must never mix with real ones.
"""

from __future__ import annotations

import bisect
import itertools
import random
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Final, TypeVar

from bot.config import DATA_DIR, HUNG_YEN_2025
from bot.services import campaign_calendar, campaigns, counters, map_change
from bot.services.demo_plan import (
    DENOMINATOR_FIGURES,
    GENDERS,
    MONEY_STEP,
    BranchPlan,
    Commune,
    CommunePlan,
    Names,
    Published,
    Targets,
    allocate,
    load_published,
    plan_province,
    targets,
    targets_for,
    type_word,
)
from bot.services.figures import Figure
from bot.services.map_change import MapChangeError, MapChangeResult
from bot.storage import campaigns as campaign_store
from bot.storage import notice_events, people, reports
from bot.storage.db import Database, Tx
from bot.storage.models import Level, Role, UnitKind
from bot.storage.notice_events import NoticeKind
from bot.storage.records import (
    AwardReason,
    Campaign,
    DonorKind,
    FundKind,
    NominationKind,
    NominationStatus,
    RecordStatus,
)
from bot.storage.reports import CounterKey
from bot.text import fold

T = TypeVar("T")
DEFAULT_SEED: Final = 2023
SMALL_DISTRICTS: Final = ("Đông Hưng", "Kiến Xương")
"""The two districts of the province's history whose people get ids 1–20 (the first two
districts of the hierarchy when these are missing)."""
MEMBERS_SINCE: Final = 1996
"""The association's founding year: the earliest year a generated member joined."""
_AS_OF: Final = "2025-01-15T02:00:00Z"
"""When people, grants, figures and funds were set up; fixed, so a seed gives the same file."""

TODAY_UNITS: Final = HUNG_YEN_2025.path
MAPPING_FILE: Final = DATA_DIR / "thai_binh_units_2024_to_2025.csv"
MAP_CHANGE_DAY: Final = date(2025, 7, 1)
"""When the province moves onto today's map (`HUNG_YEN_2025.valid_from`)."""
_MAP_CHANGE_AT: Final = datetime(2025, 7, 1, 1, 0, tzinfo=UTC)
_MAP_AS_OF: Final = "2025-07-01T01:00:00Z"
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


# --- Reading the hierarchy --------------------------------------------------------------------

_RECORD_TABLES: Final = (
    "member",
    "nomination",
    "contribution",
    "award",
    "fund",
    "baseline",
    "unit_figure",
    "stat_counter",
    "app_user",
    "role_grant",
    "invite",
    "registration_request",
)


async def occupied(db: Database | Tx) -> bool:
    """True unless the database holds nothing but administrative units (no people, branches,
    reports, figures or baselines): demo data is never mixed with real data."""
    for table in _RECORD_TABLES:
        if await db.fetchone(f"SELECT 1 FROM {table} LIMIT 1"):
            return True
    return bool(await db.fetchone("SELECT 1 FROM unit WHERE level = 'branch' LIMIT 1"))


@dataclass(frozen=True)
class _Unit:
    id: int
    parent_id: int | None
    level: Level
    code: str
    name: str
    kind: UnitKind
    path: str
    area_km2: float | None = None
    former_district: str | None = None


async def _units(db: Database | Tx) -> list[_Unit]:
    """Active units above the branches (those in force), province first, then districts,
    communes, each alphabetical."""
    rows = await db.fetchall(
        "SELECT id, parent_id, level, code, name, kind, path, area_km2, former_district "
        "FROM unit WHERE active = 1 AND level <> 'branch' "
        "ORDER BY length(path) - length(replace(path, '/', '')), name_folded, id"
    )
    return [
        _Unit(
            int(r[0]),
            r[1],
            Level(r[2]),
            str(r[3]),
            str(r[4]),
            UnitKind(r[5]),
            str(r[6]),
            float(r[7]) if r[7] is not None else None,
            str(r[8]) if r[8] else None,
        )
        for r in rows
    ]


def _communes(units: Sequence[_Unit]) -> list[Commune]:
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


# --- Writing ----------------------------------------------------------------------------------


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


@dataclass
class _Branch:
    id: int
    commune: CommunePlan
    plan: BranchPlan
    reporter: int = 0


@dataclass
class _Fund:
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
class _World:
    """What the writer has created so far, for the rows that refer to it."""

    province: _Unit
    districts: list[_Unit]
    plans: list[CommunePlan]
    branches: dict[int, list[_Branch]] = field(default_factory=dict)
    """By commune id, in plan order."""
    chairs: dict[int, int] = field(default_factory=dict)
    """Commune or district id → the Telegram id of its chair (province: its admin)."""
    people: list[tuple[int, str, Role, int]] = field(default_factory=list)
    """(telegram id, name, role, unit id)."""
    funds: list[_Fund] = field(default_factory=list)
    campaign_days: dict[str, int] = field(default_factory=dict)
    """ISO day → the id of the campaign running that day (the earliest-starting one)."""
    next_codes: Mapping[str, str] = field(default_factory=dict)
    """Old commune code → the code of today's commune it went to (the history's map)."""


_MEMBER_SQL: Final = (
    "INSERT INTO member (full_name, name_folded, gender, birth_year, joined_on, phone, unit_id, "
    "reporter_id, created_at, updated_at, status, idempotency_key, campaign_id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)"
)
_NOMINATION_SQL: Final = (
    "INSERT INTO nomination (kind, subject, subject_folded, unit_id, year, reporter_id, "
    "created_at, updated_at, status, decided_by, decided_at, reject_reason, idempotency_key, "
    "campaign_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_CONTRIBUTION_SQL: Final = (
    "INSERT INTO contribution (donor_name, donor_kind, amount, in_kind, in_kind_description, "
    "fund_id, campaign, contributed_on, unit_id, reporter_id, created_at, updated_at, status, "
    "idempotency_key, campaign_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)"
)
_AWARD_SQL: Final = (
    "INSERT INTO award (recipient_name, school, class_name, reason, amount, fund_id, awarded_on, "
    "unit_id, reporter_id, created_at, updated_at, status, idempotency_key, campaign_id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)"
)

OLD_MAP_PEOPLE: Final = (
    (1, Role.PROVINCE_ADMIN, "province", 0, 0),
    (2, Role.COMMUNE_CHAIR, "commune", 0, 0),
    (3, Role.DISTRICT_CHAIR, "district", 0, 0),
    (4, Role.DISTRICT_CHAIR, "district", 1, 0),
    (5, Role.COMMUNE_CHAIR, "commune", 0, 1),
    (6, Role.COMMUNE_CHAIR, "commune", 1, 0),
    (7, Role.COMMUNE_CHAIR, "commune", 1, 1),
    (8, Role.BRANCH_HEAD, "branch", 0, 0),
    (9, Role.BRANCH_HEAD, "branch", 1, 0),
    *((telegram_id, Role.VOLUNTEER, "branch", 0, 0) for telegram_id in range(10, 14)),
    *((telegram_id, Role.VOLUNTEER, "branch", 0, 1) for telegram_id in range(14, 16)),
    *((telegram_id, Role.VOLUNTEER, "branch", 1, 0) for telegram_id in range(16, 19)),
    *((telegram_id, Role.VOLUNTEER, "branch", 1, 1) for telegram_id in range(19, 21)),
)
"""Ids 1–20 in the province's history (Telegram id, role, level, which of the two districts,
which of its communes): the province admin (1), the two district chairs (3, 4), four commune
chairs (2, 5–7), two branch heads and eleven volunteers (10–20), each volunteer on the next
branch of their commune. Commune n of district d is the first whose commune of today's map is
`SMALL_COMMUNES[2d + n]`, so that after the move they are where `SMALL_PEOPLE` has them."""
SMALL_COMMUNES: Final = ("12688", "12754", "13075", "13096", "12694", "13141")
"""Today's communes of ids 1–20, by code: xã Đông Hưng, Tiên Hưng (from huyện Đông Hưng), Kiến
Xương, Bình Nguyên (from huyện Kiến Xương), Bắc Đông Hưng and Vũ Quý; the first communes of
the map when these are missing. `small` is these communes."""
SMALL_PEOPLE: Final = (
    (1, Role.PROVINCE_ADMIN, None),
    (2, Role.COMMUNE_CHAIR, 0),
    (3, Role.COMMUNE_CHAIR, 4),
    (4, Role.COMMUNE_CHAIR, 5),
    (5, Role.COMMUNE_CHAIR, 1),
    (6, Role.COMMUNE_CHAIR, 2),
    (7, Role.COMMUNE_CHAIR, 3),
    (8, Role.BRANCH_HEAD, 0),
    (9, Role.BRANCH_HEAD, 2),
    *((telegram_id, Role.VOLUNTEER, 0) for telegram_id in range(10, 14)),
    *((telegram_id, Role.VOLUNTEER, 1) for telegram_id in range(14, 16)),
    *((telegram_id, Role.VOLUNTEER, 2) for telegram_id in range(16, 19)),
    *((telegram_id, Role.VOLUNTEER, 3) for telegram_id in range(19, 21)),
)
"""Ids 1–20 on today's map (Telegram id, role, which of `SMALL_COMMUNES`; None: the
province): the province admin (1), six commune chairs (2–7), two branch heads (8, 9) and
eleven volunteers (10–20), each volunteer on the next branch of their commune. In the
province, users 3 and 4 chaired districts until the map changed."""
FIRST_EXTRA_ID: Final = 100_001
"""The province's other chairs and one volunteer per branch are numbered from here."""


CACHE_KIB: Final = 1_000_000
"""SQLite page cache during a build (KiB): the indexes of a million rows stay in memory."""


@asynccontextmanager
async def _unchecked(db: Database) -> AsyncIterator[None]:
    """Foreign keys not checked row by row while a million rows go in (a third of the time
    SQLite spends on them): the writer makes every row refer to what it wrote before, and the
    tests check the result with `PRAGMA foreign_key_check`."""
    await db.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        await db.execute("PRAGMA foreign_keys = ON")


@asynccontextmanager
async def _big_cache(db: Database) -> AsyncIterator[None]:
    """A large page cache for the build, then the connection's own again."""
    row = await db.fetchone("PRAGMA cache_size")
    before = int(row[0]) if row else -2000
    await db.execute(f"PRAGMA cache_size = {-CACHE_KIB}")
    try:
        yield
    finally:
        await db.execute(f"PRAGMA cache_size = {before}")


_BULK_TABLES: Final = ("member", "nomination", "contribution", "award")


@asynccontextmanager
async def _indexes_set_aside(tx: Tx) -> AsyncIterator[None]:
    """The report tables' indexes dropped while a million rows go in, and built again from
    the finished tables in the same transaction: several times faster than keeping them up to
    date row by row. (The unique keys of the tables' own definitions stay.)"""
    marks = ", ".join("?" for _ in _BULK_TABLES)
    rows = await tx.fetchall(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks}) ORDER BY name",
        _BULK_TABLES,
    )
    for row in rows:
        await tx.execute(f'DROP INDEX "{row["name"]}"')
    yield
    for row in rows:
        await tx.execute(str(row["sql"]))


CHUNK: Final = 20_000


async def _bulk(tx: Tx, sql: str, rows: Iterable[tuple[object, ...]]) -> None:
    """`executemany` a chunk of rows at a time, each made before it is handed over: made
    while SQLite pulls them one by one (in the connection's thread) they take half as long
    again."""
    found = iter(rows)
    while chunk := list(itertools.islice(found, CHUNK)):
        await tx.executemany(sql, chunk)


def _days(first: date, last: date) -> list[str]:
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


class _Writer:
    """Rows of one step; every date falls in [`start`, `today`]."""

    def __init__(
        self,
        tx: Tx,
        world: _World,
        names: Names,
        rng: random.Random,
        today: date,
        *,
        start: date = date.min,
        keys: str = "demo",
    ) -> None:
        self.tx = tx
        self.world = world
        self.names = names
        self.rng = rng
        self.today = today
        self.start = start
        self.as_of = _AS_OF if start == date.min else _MAP_AS_OF
        """When the people, branches, figures and funds of this step were set up."""
        self.tally = _Tally()
        self.gift_steps: Mapping[Level, tuple[int, int, float]] = _GIFT_STEPS
        self.fund_weights: Mapping[Level, float] = _FUND_WEIGHT
        self.award_steps: Sequence[int] = _AWARD_STEPS
        self.keys = 0
        self._key_prefix = keys
        self.summary: dict[str, int] = dict.fromkeys(
            (
                "branches",
                "people",
                "members",
                "nominations",
                "contributions",
                "awards",
                "figures",
                "baselines",
            ),
            0,
        )
        self.random = rng.random
        self._spans: dict[tuple[date, date], list[str]] = {}
        self._xuan: dict[int, campaign_calendar.CampaignWindow] = {}
        self._donors: dict[int, _DonorTable] = {}
        self._schools: dict[int, list[str]] = {}
        raw = names.raw
        self._enterprises = [
            template.format(word=word)
            for template in raw["donors"]["enterprise"]
            for word in raw["donors"]["enterprise_words"]
        ]

    # Small helpers: a million rows each, so no date arithmetic, regex or sorting per row.

    def below(self, limit: int) -> int:
        """0 <= n < limit (`randrange` costs several times more)."""
        return int(self.random() * limit)

    def pick(self, items: Sequence[T], cumulative: Sequence[float]) -> T:
        """`rng.choices(items, cum_weights=cumulative)[0]`, without its checks."""
        return items[bisect.bisect_right(cumulative, self.random() * cumulative[-1])]

    def key(self, kind: str) -> str:
        self.keys += 1
        return f"{self._key_prefix}-{kind}-{self.keys:07d}"

    def span(self, first: date, last: date) -> list[str]:
        """The ISO days of [first, last] within [`start`, `today`] (the nearest of those when
        none is: `opens` tells)."""
        wanted = (first, last)
        if wanted not in self._spans:
            low, high = max(first, self.start), min(last, self.today)
            if low > high:
                low = high = min(low, self.today)
            self._spans[wanted] = _days(low, high)
        return self._spans[wanted]

    def opens(self, first: date, last: date) -> bool:
        """Whether some day of [first, last] lies within [`start`, `today`]."""
        return max(first, self.start) <= min(last, self.today)

    def day_in(self, first: date, last: date) -> str:
        days = self.span(first, last)
        return days[self.below(len(days))]

    def year_days(self, year: int) -> list[str]:
        return self.span(date(year, 1, 1), date(year, 12, 31))

    def xuan(self, year: int) -> campaign_calendar.CampaignWindow:
        if year not in self._xuan:
            self._xuan[year] = campaign_calendar.xuan_khuyen_hoc(year)
        return self._xuan[year]

    def stamp(self, day: str, *, late: bool = False) -> str:
        """A time of `day` (UTC), in the afternoon (Vietnam) when `late`: decisions come after
        the nomination."""
        return day + (_LATE if late else _EARLY)[self.below(len(_EARLY))]

    def campaign(self, day: str) -> int | None:
        return self.world.campaign_days.get(day)

    def gender(self) -> str:
        return GENDERS[self.rng.random() < 0.52]

    def words(self, plan: CommunePlan) -> dict[str, str]:
        return {
            "commune": plan.commune.name,
            "type": self.names.types[plan.type_word],
            "district": plan.commune.district,
        }

    # Structure and people.

    async def branches(self, plans: Sequence[CommunePlan] | None = None) -> None:
        """The branches of `plans` (all of the world's by default), numbered within their
        commune past the codes in force (a commune of today's map may have taken the code of
        one whose branches moved to it)."""
        row = await self.tx.fetchone("SELECT coalesce(max(id), 0) FROM unit")
        next_id = int(row[0]) + 1 if row else 1
        taken = {
            str(r[0])
            for r in await self.tx.fetchall(
                "SELECT code FROM unit WHERE level = 'branch' AND valid_to IS NULL"
            )
        }
        rows = []
        for plan in self.world.plans if plans is None else plans:
            mine = self.world.branches.setdefault(plan.commune.id, [])
            number = 0
            for branch in plan.branches:
                number += 1
                while f"{plan.commune.code}-{number:03d}" in taken:
                    number += 1
                mine.append(_Branch(next_id, plan, branch))
                rows.append(
                    (
                        next_id,
                        plan.commune.id,
                        f"{plan.commune.code}-{number:03d}",
                        branch.name,
                        fold(branch.name),
                        branch.kind.value,
                        f"{plan.commune.path}{next_id}/",
                        self.as_of,
                    )
                )
                next_id += 1
        await self.tx.executemany(
            "INSERT INTO unit (id, parent_id, level, code, name, name_folded, kind, path, "
            "created_at) VALUES (?, ?, 'branch', ?, ?, ?, ?, ?, ?)",
            rows,
        )
        self.summary["branches"] += len(rows)

    def _person(self, telegram_id: int, role: Role, unit_id: int) -> None:
        name, _ = self.names.person(self.rng, self.gender())
        self.world.people.append((telegram_id, name, role, unit_id))

    def named_people(self) -> None:
        """Ids 1–20 of the history (`OLD_MAP_PEOPLE`), in the two named districts."""
        districts = _pick_districts(self.world.districts)
        for telegram_id, role, level, which, commune_index in OLD_MAP_PEOPLE:
            district = districts[which]
            communes = [p for p in self.world.plans if p.commune.district == district.name]
            wanted = SMALL_COMMUNES[2 * which + commune_index]
            going = [p for p in communes if self.world.next_codes.get(p.commune.code) == wanted]
            plan = (going or communes)[0 if going else min(commune_index, len(communes) - 1)]
            if level == "province":
                unit_id = self.world.province.id
            elif level == "district":
                unit_id = district.id
            elif level == "commune":
                unit_id = plan.commune.id
            else:
                mine = self.world.branches[plan.commune.id]
                taken = sum(
                    1
                    for other, other_role, _, other_unit in self.world.people
                    if other_role is role and any(b.id == other_unit for b in mine)
                )
                branch = mine[min(taken, len(mine) - 1)]
                unit_id = branch.id
                if role is Role.VOLUNTEER and not branch.reporter:
                    branch.reporter = telegram_id
            if role in (Role.COMMUNE_CHAIR, Role.DISTRICT_CHAIR, Role.PROVINCE_ADMIN):
                self.world.chairs.setdefault(unit_id, telegram_id)
            self._person(telegram_id, role, unit_id)

    def everyone_else(self) -> None:
        """A chair for every district and commune and a volunteer for every branch."""
        telegram_id = FIRST_EXTRA_ID
        for district in self.world.districts:
            if district.id not in self.world.chairs:
                self.world.chairs[district.id] = telegram_id
                self._person(telegram_id, Role.DISTRICT_CHAIR, district.id)
                telegram_id += 1
        for plan in self.world.plans:
            if plan.commune.id not in self.world.chairs:
                self.world.chairs[plan.commune.id] = telegram_id
                self._person(telegram_id, Role.COMMUNE_CHAIR, plan.commune.id)
                telegram_id += 1
            for branch in self.world.branches[plan.commune.id]:
                if not branch.reporter:
                    branch.reporter = telegram_id
                    self._person(telegram_id, Role.VOLUNTEER, branch.id)
                    telegram_id += 1

    async def write_people(self) -> None:
        """The grants of `world.people`, and the people not in the database yet."""
        people_rows = {tid: name for tid, name, _, _ in self.world.people}
        known = {
            int(r[0])
            for r in await self.tx.fetchall("SELECT telegram_id FROM app_user")
            if int(r[0]) in people_rows
        }
        await self.tx.executemany(
            "INSERT INTO app_user (telegram_id, full_name, created_at) VALUES (?, ?, ?)",
            [(tid, name, self.as_of) for tid, name in people_rows.items() if tid not in known],
        )
        await self.tx.executemany(
            "INSERT INTO role_grant (telegram_id, role, unit_id, granted_at) VALUES (?, ?, ?, ?)",
            [(tid, role.value, unit_id, self.as_of) for tid, _, role, unit_id in self.world.people],
        )
        self.summary["people"] += len(people_rows) - len(known)

    async def figures(self, year: int, plans: Sequence[CommunePlan] | None = None) -> None:
        rows = [
            (plan.commune.id, year, figure.value, value, self.as_of)
            for plan in (self.world.plans if plans is None else plans)
            for figure, value in plan.figures.items()
        ]
        await self.tx.executemany(
            "INSERT INTO unit_figure (unit_id, year, figure, value, set_at) VALUES (?, ?, ?, ?, ?)",
            rows,
        )
        self.summary["figures"] += len(rows)

    # Members and titles.

    def chair_of(self, unit_id: int) -> int:
        return self.world.chairs.get(unit_id) or self.world.chairs[self.world.province.id]

    def above(self, plan: CommunePlan) -> int:
        """The commune's parent: its district, or the province on a map without one."""
        return int(plan.commune.path.strip("/").split("/")[-2])

    def member_row(self, branch: _Branch, day: str, age: int) -> tuple[object, ...]:
        gender = self.gender()
        name, folded = self.names.person(self.rng, gender)
        phone = None
        if self.random() < 0.3:
            phone = f"+84{'35789'[self.below(5)]}{self.below(10**8):08d}"
        created = self.stamp(day)
        return (
            name,
            folded,
            gender,
            int(day[:4]) - age,
            day,
            phone,
            branch.id,
            branch.reporter,
            created,
            created,
            self.key("member"),
            self.campaign(day),
        )

    def province_members(self, last_year: int) -> Iterator[tuple[object, ...]]:
        """Every branch's members, joined 1996..`last_year`, more of them in recent years."""
        years = list(range(MEMBERS_SINCE, last_year + 1))
        weights = [1.0 + 0.12 * n for n in range(len(years))]
        for plan in self.world.plans:
            for branch in self.world.branches[plan.commune.id]:
                for year in self.rng.choices(years, weights, k=branch.plan.members):
                    days = self.year_days(year)
                    day = days[self.below(len(days))]
                    yield self.member_row(branch, day, 18 + self.below(53))
                    self.summary["members"] += 1

    def nomination(
        self,
        kind: NominationKind,
        subject: str,
        folded: str,
        unit_id: int,
        year: int,
        reporter: int,
        status: NominationStatus,
        decider: int | None,
    ) -> tuple[object, ...]:
        days = self.span(date(year, 9, 1), date(year, 12, 31))
        index = self.below(min(len(days), 91))  # made in September to November
        day = days[index]
        created = self.stamp(day)
        decided = None
        if status is not NominationStatus.PENDING:
            later = min(index + 3 + self.below(23), len(days) - 1)
            decided = self.stamp(days[later], late=True)
        self.summary["nominations"] += 1
        return (
            kind.value,
            subject,
            folded,
            unit_id,
            year,
            reporter,
            created,
            decided or created,
            status.value,
            decider,
            decided,
            self.names.raw["reject_reason"] if status is NominationStatus.REJECTED else None,
            self.key("title"),
            self.campaign(day),
        )

    def person_subject(self, kind: NominationKind, taken: set[str]) -> tuple[str, str]:
        """A citizen ("Phạm Thị Hương") or a household ("Hộ bà Phạm Thị Hương") not yet used
        in `taken` (folded subjects of the same unit and year)."""
        while True:
            gender = self.gender()
            name, folded = self.names.person(self.rng, gender)
            if kind is NominationKind.FAMILY:
                name = self.names.raw["family_subjects"][gender].format(name=name)
                folded = f"{self.names.household_prefix[gender]} {folded}"
            if folded not in taken:
                taken.add(folded)
                return name, folded

    def branch_titles(
        self,
        plan: CommunePlan,
        year: int,
        kind: NominationKind,
        count: int,
        status: NominationStatus,
    ) -> Iterator[tuple[object, ...]]:
        branches = self.world.branches[plan.commune.id]
        shares = allocate(count, [b.plan.members + 1.0 for b in branches])
        chair = self.chair_of(plan.commune.id)
        decider = None if status is NominationStatus.PENDING else chair
        for branch, share in zip(branches, shares, strict=True):
            taken: set[str] = set()
            for _ in range(share):
                subject, folded = self.person_subject(kind, taken)
                yield self.nomination(
                    kind, subject, folded, branch.id, year, branch.reporter, status, decider
                )

    def commune_titles(
        self, plan: CommunePlan, year: int, recognised: Mapping[NominationKind, int]
    ) -> Iterator[tuple[object, ...]]:
        """Clans (on a village branch), villages, agencies and the commune itself (on the
        commune), chosen among the commune's own, recognised for `year`."""
        chair = self.chair_of(plan.commune.id)
        district_chair = self.chair_of(self.above(plan))
        branches = self.world.branches[plan.commune.id]
        villages = [
            b for b in branches if b.plan.kind in (UnitKind.VILLAGE, UnitKind.RESIDENTIAL_GROUP)
        ]
        homes = villages or branches
        recognised_status = NominationStatus.RECOGNISED
        for clan in self.rng.sample(plan.clans, recognised[NominationKind.CLAN]):
            home = homes[self.below(len(homes))]
            subject = self.names.raw["clan_subject"].format(clan=clan)
            yield self.nomination(
                NominationKind.CLAN,
                subject,
                fold(subject),
                home.id,
                year,
                home.reporter,
                recognised_status,
                chair,
            )
        for village in self.rng.sample(villages, recognised[NominationKind.VILLAGE_COMMUNITY]):
            yield self.nomination(
                NominationKind.VILLAGE_COMMUNITY,
                village.plan.name,
                fold(village.plan.name),
                plan.commune.id,
                year,
                chair,
                recognised_status,
                chair,
            )
        for agency in self.rng.sample(plan.agencies, recognised[NominationKind.LEARNING_UNIT]):
            yield self.nomination(
                NominationKind.LEARNING_UNIT,
                agency,
                fold(agency),
                plan.commune.id,
                year,
                chair,
                recognised_status,
                district_chair,
            )
        if recognised[NominationKind.COMMUNE_COMMUNITY]:
            yield self.nomination(
                NominationKind.COMMUNE_COMMUNITY,
                plan.commune.name,
                fold(plan.commune.name),
                plan.commune.id,
                year,
                chair,
                recognised_status,
                district_chair,
            )

    def province_titles(self, year: int) -> Iterator[tuple[object, ...]]:
        """The report year's recognised titles of every commune, a few rejected ones, and a few
        of the next year still pending."""
        for plan in self.world.plans:
            for kind in (NominationKind.CITIZEN, NominationKind.FAMILY):
                yield from self.branch_titles(
                    plan, year, kind, plan.titles[kind], NominationStatus.RECOGNISED
                )
            yield from self.commune_titles(plan, year, plan.titles)
            branches = self.world.branches[plan.commune.id]
            if self.rng.random() < 0.1:
                branch = branches[self.below(len(branches))]
                subject, folded = self.person_subject(NominationKind.CITIZEN, set())
                yield self.nomination(
                    NominationKind.CITIZEN,
                    subject,
                    folded,
                    branch.id,
                    year,
                    branch.reporter,
                    NominationStatus.REJECTED,
                    self.chair_of(plan.commune.id),
                )
            for kind in (NominationKind.CITIZEN, NominationKind.FAMILY):
                yield from self.branch_titles(
                    plan, year + 1, kind, self.rng.randint(0, 2), NominationStatus.PENDING
                )

    # Funds and money.

    async def unit_funds(self) -> None:
        """A fund for every unit, and a clan fund for every clan branch."""
        row = await self.tx.fetchone("SELECT coalesce(max(id), 0) FROM fund")
        next_id = int(row[0]) + 1 if row else 1
        world = self.world
        province_words = {"commune": "", "type": "", "district": world.province.name}
        world.funds.append(
            _Fund(
                next_id,
                world.province.id,
                Level.PROVINCE,
                FundKind.UNIT,
                "",
                self.chair_of(world.province.id),
                province_words,
            )
        )
        next_id += 1
        for district in world.districts:
            words = {"commune": "", "type": "", "district": district.name}
            world.funds.append(
                _Fund(
                    next_id,
                    district.id,
                    Level.DISTRICT,
                    FundKind.UNIT,
                    "",
                    self.chair_of(district.id),
                    words,
                )
            )
            next_id += 1
        for plan in world.plans:
            words = self.words(plan)
            world.funds.append(
                _Fund(
                    next_id,
                    plan.commune.id,
                    Level.COMMUNE,
                    FundKind.UNIT,
                    "",
                    self.chair_of(plan.commune.id),
                    words,
                )
            )
            next_id += 1
            for branch in world.branches[plan.commune.id]:
                world.funds.append(
                    _Fund(
                        next_id, branch.id, Level.BRANCH, FundKind.UNIT, "", branch.reporter, words
                    )
                )
                next_id += 1
                if branch.plan.clan:
                    clan = branch.plan.clan
                    world.funds.append(
                        _Fund(
                            next_id,
                            branch.id,
                            Level.BRANCH,
                            FundKind.CLAN,
                            clan,
                            branch.reporter,
                            {**words, "clan": clan},
                        )
                    )
                    next_id += 1
        await self.tx.executemany(
            "INSERT INTO fund (id, unit_id, kind, name, name_folded, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (f.id, f.unit_id, f.kind.value, f.name, fold(f.name), self.as_of)
                for f in world.funds
            ],
        )

    def donor_table(self, fund: _Fund) -> _DonorTable:
        """Who gives to this fund, and the names of the organisations and groups around it."""
        if fund.id not in self._donors:
            kinds, weights = _DONORS[FundKind.CLAN if fund.kind is FundKind.CLAN else fund.level]
            donors = self.names.raw["donors"]
            named = {
                kind: [t.format(**fund.words) for t in donors[kind.value] if _fits(t, fund.words)]
                for kind in (DonorKind.ORGANISATION, DonorKind.COLLECTIVE)
            }
            if fund.words.get("clan"):
                named[DonorKind.CLAN] = [donors["clan"].format(clan=fund.words["clan"])]
            named[DonorKind.ENTERPRISE] = self._enterprises
            self._donors[fund.id] = _DonorTable(kinds, list(itertools.accumulate(weights)), named)
        return self._donors[fund.id]

    def donor(self, fund: _Fund) -> tuple[DonorKind, str]:
        table = self.donor_table(fund)
        kind = self.pick(table.kinds, table.cumulative)
        choices = table.named.get(kind)
        if choices:
            return kind, choices[self.below(len(choices))]
        if kind is DonorKind.CLAN:
            clans = self.names.clan_picker
            clan = clans.words[clans.index(self.rng)]
            return kind, self.names.raw["donors"]["clan"].format(clan=clan)
        gender = self.gender()
        name, _ = self.names.person(self.rng, gender)
        return kind, self.names.raw["donors"][kind.value][gender].format(name=name)

    def campaign_window(self, campaign: Campaign, year: int) -> tuple[date, date]:
        """When the gifts of a drive are given: Tết, October, September to November, or any
        time of the year."""
        if campaign is Campaign.XUAN_KHUYEN_HOC:
            window = self.xuan(year)
            return window.start, window.end
        if campaign is Campaign.THANG_KHUYEN_HOC:
            return date(year, 10, 1), date(year, 10, 31)
        if campaign is Campaign.ONE_DAY_SALARY:
            return date(year, 9, 1), date(year, 11, 30)
        return date(year, 1, 1), date(year, 12, 31)

    def drive(self, year: int) -> Campaign:
        """A drive whose days of `year` are among those generated (Tết 2025 is not, when
        today's map starts in July)."""
        for _ in range(4):
            campaign = self.pick(_CAMPAIGNS, _CAMPAIGN_CUMULATIVE)
            if self.opens(*self.campaign_window(campaign, year)):
                return campaign
        return Campaign.OTHER

    def contribution_row(self, fund: _Fund, year: int, amount: int) -> tuple[object, ...]:
        kind, donor = self.donor(fund)
        campaign = self.drive(year)
        day = self.day_in(*self.campaign_window(campaign, year))
        in_kind = kind is not DonorKind.CLAN and self.random() < 0.04
        gifts = self.names.raw["in_kind"]
        description = gifts[self.below(len(gifts))] if in_kind else None
        created = self.stamp(day)
        fund.raised += amount
        self.summary["contributions"] += 1
        return (
            donor,
            kind.value,
            amount,
            int(in_kind),
            description,
            fund.id,
            campaign.value,
            day,
            fund.unit_id,
            fund.reporter,
            created,
            created,
            self.key("gift"),
            self.campaign(day),
        )

    def gift_size(self, fund: _Fund) -> int:
        """A plausible gift, in `MONEY_STEP`s: a few hundred thousand đồng from a person, tens
        of millions from a business, more at the district and province."""
        low, high, skew = self.gift_steps[fund.level]
        spread: float = (high / low) ** (self.rng.random() ** skew)
        return max(1, round(low * spread))

    def contributions(
        self, total: int, years: Sequence[int], weights: Sequence[float] | None = None
    ) -> Iterator[tuple[object, ...]]:
        """Gifts to the funds until they add up to `total` đồng exactly, year by year (in
        proportion to `weights`, by default `_year_weights`)."""
        year_totals = allocate(total // MONEY_STEP, weights or _year_weights(years))
        funds = self.world.funds
        chances = [
            self.fund_weights[f.level] * (0.6 if f.kind is FundKind.CLAN else 1.0) for f in funds
        ]
        cumulative = list(itertools.accumulate(chances))
        for year, left in zip(years, year_totals, strict=True):
            while left > 0:
                fund = self.pick(funds, cumulative)
                amount = min(self.gift_size(fund), left)
                left -= amount
                yield self.contribution_row(fund, year, amount * MONEY_STEP)

    def award_row(self, fund: _Fund, year: int, amount: int) -> tuple[object, ...]:
        raw = self.names.raw
        name, _ = self.names.person(self.rng, self.gender())
        reason = self.pick(_REASONS, _REASON_CUMULATIVE)
        window = self.random()
        if window < 0.4:
            first, last = date(year, 8, 1), date(year, 9, 30)
        elif window < 0.7:
            first, last = date(year, 10, 1), date(year, 10, 31)
        elif window < 0.9:
            first, last = date(year, 5, 15), date(year, 6, 30)
        else:
            xuan = self.xuan(year)
            first, last = xuan.start, xuan.end
        if not self.opens(first, last):  # before today's map began, or not yet come
            first, last = date(year, 1, 1), date(year, 12, 31)
        day = self.day_in(first, last)
        if fund.id not in self._schools:
            self._schools[fund.id] = [
                t.format(**fund.words) for t in raw["schools"] if _fits(t, fund.words)
            ]
        schools, classes = self._schools[fund.id], raw["classes"]
        created = self.stamp(day)
        self.summary["awards"] += 1
        return (
            name,
            schools[self.below(len(schools))] if schools else None,
            classes[self.below(len(classes))],
            reason.value,
            amount,
            fund.id,
            day,
            fund.unit_id,
            fund.reporter,
            created,
            created,
            self.key("award"),
            self.campaign(day),
        )

    def awards(
        self, total: int, years: Sequence[int], weights: Sequence[float] | None = None
    ) -> Iterator[tuple[object, ...]]:
        """Scholarships and prizes adding up to `total` đồng, each fund paying out less than it
        received, year by year (as `contributions`)."""
        funds = [f for f in self.world.funds if f.raised > 0]
        budgets = allocate(
            total // MONEY_STEP,
            [f.raised for f in funds],
            caps=[f.raised // MONEY_STEP for f in funds],
        )
        for fund, budget in zip(funds, budgets, strict=True):
            yearly = allocate(budget, weights or _year_weights(years))
            for year, left in zip(years, yearly, strict=True):
                while left > 0:
                    size = self.pick(self.award_steps, _AWARD_CUMULATIVE)
                    amount = min(size, left)
                    left -= amount
                    yield self.award_row(fund, year, amount * MONEY_STEP)


@dataclass(frozen=True)
class _DonorTable:
    kinds: list[DonorKind]
    cumulative: list[float]
    named: Mapping[DonorKind, list[str]]
    """Ready names for the kinds that do not need a person's name."""


_EARLY: Final = [f"T0{hour}:{minute:02d}:00Z" for hour in range(5) for minute in range(60)]
"""Times of day (UTC) for records: 7:00 to 11:59 in Vietnam."""
_LATE: Final = [f"T0{hour}:{minute:02d}:00Z" for hour in range(5, 10) for minute in range(60)]
"""…and for decisions, 12:00 to 16:59."""

_DONORS: Final[Mapping[Level | FundKind, tuple[list[DonorKind], list[float]]]] = {
    Level.BRANCH: (
        [
            DonorKind.INDIVIDUAL,
            DonorKind.FAMILY,
            DonorKind.CLAN,
            DonorKind.COLLECTIVE,
            DonorKind.ENTERPRISE,
        ],
        [50, 25, 10, 8, 7],
    ),
    FundKind.CLAN: ([DonorKind.FAMILY, DonorKind.INDIVIDUAL, DonorKind.CLAN], [45, 40, 15]),
    Level.COMMUNE: (
        [
            DonorKind.INDIVIDUAL,
            DonorKind.FAMILY,
            DonorKind.ENTERPRISE,
            DonorKind.ORGANISATION,
            DonorKind.COLLECTIVE,
            DonorKind.CLAN,
        ],
        [20, 10, 25, 15, 20, 10],
    ),
    Level.DISTRICT: (
        [DonorKind.ENTERPRISE, DonorKind.ORGANISATION, DonorKind.COLLECTIVE],
        [50, 30, 20],
    ),
    Level.PROVINCE: (
        [DonorKind.ENTERPRISE, DonorKind.ORGANISATION, DonorKind.COLLECTIVE],
        [50, 30, 20],
    ),
}
_GIFT_STEPS: Final = {
    Level.BRANCH: (1, 100, 2.0),
    Level.COMMUNE: (2, 500, 2.0),
    Level.DISTRICT: (20, 2_000, 1.6),
    Level.PROVINCE: (50, 5_000, 1.6),
}
"""(smallest, largest, skew) of a gift in `MONEY_STEP`s at each level; the larger the skew,
the likelier small gifts (about 1.3 million đồng on average to a branch, 5 to a commune)."""
_FUND_WEIGHT: Final = {
    Level.BRANCH: 1.0,
    Level.COMMUNE: 3.0,
    Level.DISTRICT: 6.0,
    Level.PROVINCE: 10.0,
}
_CAMPAIGNS: Final = list(Campaign)
_CAMPAIGN_WEIGHTS: Final = [
    {
        Campaign.XUAN_KHUYEN_HOC: 30,
        Campaign.THANG_KHUYEN_HOC: 35,
        Campaign.ONE_DAY_SALARY: 15,
        Campaign.PIG_RAISING: 8,
        Campaign.OTHER: 12,
    }[c]
    for c in _CAMPAIGNS
]
_REASONS: Final = list(AwardReason)
_REASON_WEIGHTS: Final = [
    {
        AwardReason.POOR_OVERCOMING: 35,
        AwardReason.EXCELLENT_STUDENT: 35,
        AwardReason.COMPETITION_PRIZE: 12,
        AwardReason.UNIVERSITY_ENTRANCE: 12,
        AwardReason.OTHER: 6,
    }[r]
    for r in _REASONS
]
_AWARD_STEPS: Final = [5, 10, 20, 30, 50, 100]
"""Scholarships and prizes, in `MONEY_STEP`s: 500 000 đồng to 10 million (on today's map,
twice as much: a commune of today is as large as a district was, and gives and pays out as
one did)."""
_AWARD_WEIGHTS: Final = [15, 25, 25, 15, 12, 8]
_CAMPAIGN_CUMULATIVE: Final = list(itertools.accumulate(_CAMPAIGN_WEIGHTS))
_REASON_CUMULATIVE: Final = list(itertools.accumulate(_REASON_WEIGHTS))
_AWARD_CUMULATIVE: Final = list(itertools.accumulate(_AWARD_WEIGHTS))


def _fits(template: str, words: Mapping[str, str]) -> bool:
    """Whether every placeholder of `template` has a non-empty word."""
    return all(words.get(name) for name in re.findall(r"\{(\w+)\}", template))


def _year_weights(years: Sequence[int]) -> list[float]:
    """Money grows year by year, with a dip in 2020–2021 (schools shut by Covid)."""
    return [0.7 if year in (2020, 2021) else 1.0 + 0.05 * n for n, year in enumerate(years)]


def _pick_districts(districts: Sequence[_Unit]) -> list[_Unit]:
    named = [
        next((d for d in districts if fold(d.name) == fold(name)), None) for name in SMALL_DISTRICTS
    ]
    found = [d for d in named if d is not None]
    if len(found) < len(SMALL_DISTRICTS):
        found = list(districts[: len(SMALL_DISTRICTS)])
    if not found:
        raise DemoDataError(DemoDataProblem.NO_UNITS)
    return found * (len(SMALL_DISTRICTS) // len(found))


async def _campaign_days(db: Database, first: date, last: date) -> dict[str, int]:
    """Seed the default campaigns of the years and map each day to its campaign's id."""
    await campaigns.ensure_defaults(db, range(first.year, last.year + 1))
    days: dict[str, int] = {}
    for period in await campaign_store.between(db, first, last):
        for day in _days(max(period.start_on, first), min(period.end_on, last)):
            days.setdefault(day, period.id)
    return days


# --- The province's history, on the map with districts -----------------------------------------


async def _history(writer: _Writer, goal: Targets) -> None:
    writer.everyone_else()
    await writer.write_people()
    await writer.figures(goal.year)
    tx, tally = writer.tx, writer.tally
    async with _indexes_set_aside(tx):
        await _bulk(tx, _MEMBER_SQL, tally.members(writer.province_members(goal.year)))
        await _bulk(tx, _NOMINATION_SQL, tally.titles(writer.province_titles(goal.year)))
        await writer.unit_funds()
        first, last = goal.funds_years
        years = list(range(first, last + 1))
        await _bulk(tx, _CONTRIBUTION_SQL, tally.gifts(writer.contributions(goal.raised, years)))
        await _bulk(tx, _AWARD_SQL, tally.awards(writer.awards(goal.awarded, years)))
    await tally.roll_up(tx)


def _next_codes() -> dict[str, str]:
    """Old commune code → today's (the first listed), from `MAPPING_FILE`."""
    try:
        return {row.old_code: row.new_codes[0] for row in map_change.read_mapping(MAPPING_FILE)}
    except MapChangeError:
        return {}


async def _check_old_map(db: Database) -> None:
    """The province starts from the map `MAPPING_FILE` maps from (Thái Bình's of 2024)."""
    try:
        await map_change.plan(db, TODAY_UNITS, MAPPING_FILE, MAP_CHANGE_DAY, now=_MAP_CHANGE_AT)
    except MapChangeError as error:
        raise DemoDataError(DemoDataProblem.NOT_THAI_BINH) from error


async def _move_to_today(db: Database) -> MapChangeResult:
    """What `khuyenhoc units migrate --to data/hung_yen_2025_units.csv --mapping
    data/thai_binh_units_2024_to_2025.csv --effective 2025-07-01` does (without the backup),
    as if run that day. Its notices to the chairs were delivered then: they are not left to
    send."""
    planned = await map_change.plan(
        db, TODAY_UNITS, MAPPING_FILE, MAP_CHANGE_DAY, now=_MAP_CHANGE_AT
    )
    result = await map_change.apply(db, planned, now=_MAP_CHANGE_AT)
    told = [e.id for e in await notice_events.pending(db) if e.kind is NoticeKind.MAP_CHANGED]
    async with db.transaction() as tx:
        await notice_events.delete(tx, told)
    return result


# --- Today's map --------------------------------------------------------------------------------

JOIN_RATE: Final = 0.05
"""New members in a year, as a share of the members at its start (the history's last years)."""
TITLE_GROWTH: Final = 0.5
"""Points a title's share grows by each year after the published one."""
BOT_TITLE_SHARE: Final = 0.025
"""Of the citizens and households recognised in a year on today's map, the share nominated
one by one in the bot; the rest come with the communes' year-end review, imported as a
baseline once it is held (`REVIEW_DAY`). Clans, villages, agencies and communes are all
nominated in the bot."""
REVIEW_DAY: Final = (12, 1)
"""(month, day) by which a year's review is imported."""
REJECTED_SHARE: Final = 0.03
MONEY_GROWTH: Final = 1.1
"""Đồng raised per head in a year on today's map, against the published years' average."""
AWARDED_SHARE: Final = 0.9
DENSITY: Final = 1_220
"""People per km² of a commune the database knows nothing earlier of (old Hưng Yên: 1.29
million people on 1,058 km²); `AREA` km² when its area is unknown."""
AREA: Final = 25.0


@dataclass
class _Today:
    """Today's communes as the database holds them before the step (after the move, or on a
    new database), for planning the rest."""

    province: _Unit
    communes: list[_Unit]
    branches: dict[int, list[tuple[int, str, UnitKind]]]
    """Commune id → its branches in force (id, name, kind), by name."""
    members: dict[int, int]
    """Branch id → its members who joined before today's map's first year."""
    reporters: dict[int, int]
    """Branch id → a volunteer of it."""
    chairs: dict[int, list[int]]
    """Unit id → the chairs (province: admins) holding a grant on it."""
    before: dict[int, list[int]]
    """Commune id → the ended communes whose figures go to it (rank 0), by id."""
    figures: dict[int, dict[Figure, int]]
    """Unit id → its latest figures (ended communes included)."""
    former: dict[int, list[str]]
    """Commune id → its former names."""
    funds: list[tuple[int, int, FundKind, str]]
    """(id, unit id, kind, name) of the funds on today's units."""
    grants: set[tuple[int, Role, int]]
    """(telegram id, role, unit id) of every grant."""
    last_person: int


def _grouped(rows: Iterable[Sequence[object]]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for key, value in rows:
        found.setdefault(int(str(key)), []).append(int(str(value)))
    return found


async def _read_today(tx: Tx, province: _Unit, communes: list[_Unit]) -> _Today:
    ids = [c.id for c in communes]
    marks = ",".join("?" * len(ids))
    branches: dict[int, list[tuple[int, str, UnitKind]]] = {}
    for r in await tx.fetchall(
        "SELECT parent_id, id, name, kind FROM unit WHERE level = 'branch' AND valid_to IS NULL "
        f"AND parent_id IN ({marks}) ORDER BY parent_id, name_folded, id",
        ids,
    ):
        branches.setdefault(int(r[0]), []).append((int(r[1]), str(r[2]), UnitKind(r[3])))
    branch_ids = [b[0] for mine in branches.values() for b in mine]
    members: dict[int, int] = {}
    reporters: dict[int, int] = {}
    if branch_ids:
        first_day = date(MAP_CHANGE_DAY.year, 1, 1).isoformat()
        for r in await tx.fetchall(
            "SELECT unit_id, count(*) FROM member WHERE status = 'active' AND joined_on < ? "
            "GROUP BY unit_id",
            (first_day,),
        ):
            members[int(r[0])] = int(r[1])
        for r in await tx.fetchall(
            "SELECT unit_id, min(telegram_id) FROM role_grant WHERE role = 'volunteer' "
            "GROUP BY unit_id"
        ):
            reporters[int(r[0])] = int(r[1])
    chairs = _grouped(
        await tx.fetchall(
            "SELECT unit_id, telegram_id FROM role_grant WHERE role IN (?, ?, ?) "
            "ORDER BY unit_id, id",
            [role.value for role in (Role.COMMUNE_CHAIR, Role.DISTRICT_CHAIR, Role.PROVINCE_ADMIN)],
        )
    )
    before = _grouped(
        await tx.fetchall(
            f"SELECT successor_id, unit_id FROM unit_successor WHERE successor_id IN ({marks}) "
            "AND rank = 0 ORDER BY successor_id, unit_id",
            ids,
        )
    )
    latest: dict[tuple[int, str], tuple[int, int]] = {}
    for r in await tx.fetchall("SELECT unit_id, year, figure, value FROM unit_figure"):
        key = (int(r[0]), str(r[2]))
        if key not in latest or latest[key][0] < int(r[1]):
            latest[key] = (int(r[1]), int(r[3]))
    figures: dict[int, dict[Figure, int]] = {}
    known = {figure.value: figure for figure in Figure}
    for (unit_id, name), (_, value) in latest.items():
        if name in known:
            figures.setdefault(unit_id, {})[known[name]] = value
    former: dict[int, list[str]] = {}
    for r in await tx.fetchall(
        f"SELECT unit_id, name FROM unit_alias WHERE unit_id IN ({marks}) "
        "ORDER BY unit_id, name_folded",
        ids,
    ):
        former.setdefault(int(r[0]), []).append(str(r[1]))
    funds = [
        (int(r[0]), int(r[1]), FundKind(r[2]), str(r[3]))
        for r in await tx.fetchall(
            "SELECT f.id, f.unit_id, f.kind, f.name FROM fund f JOIN unit u ON u.id = f.unit_id "
            "WHERE u.valid_to IS NULL ORDER BY f.id"
        )
    ]
    grants = {
        (int(r[0]), Role(r[1]), int(r[2]))
        for r in await tx.fetchall("SELECT telegram_id, role, unit_id FROM role_grant")
    }
    row = await tx.fetchone("SELECT coalesce(max(telegram_id), 0) FROM app_user")
    return _Today(
        province=province,
        communes=communes,
        branches=branches,
        members=members,
        reporters=reporters,
        chairs=chairs,
        before=before,
        figures=figures,
        former=former,
        funds=funds,
        grants=grants,
        last_person=int(row[0]) if row else 0,
    )


def _agencies(names: Names, commune: Commune, former: Sequence[str], count: int) -> tuple[str, ...]:
    """`count` agencies of a commune: those named after it, then after the communes it was
    formed from (a school keeps its name when its commune merges)."""
    kind = names.types[type_word(commune.kind)]
    found: dict[str, str] = {}
    for place in (commune.name, *former):
        for template in names.agencies:
            name = template.format(commune=place, type=kind)
            found.setdefault(fold(name), name)
    return tuple(found.values())[:count]


def _known_plan(today: _Today, commune: Commune, names: Names, rng: random.Random) -> CommunePlan:
    """A commune whose branches came from the old map: its figures are those of the communes
    it was formed from, its members those of its branches."""
    figures: Counter[Figure] = Counter()
    for old in today.before.get(commune.id, []) or [commune.id]:
        figures.update(today.figures.get(old, {}))
    branches = tuple(
        BranchPlan(name=name, kind=kind, members=today.members.get(branch_id, 0))
        for branch_id, name, kind in today.branches.get(commune.id, [])
    )
    clans = min(figures.get(Figure.CLANS, 0), len(names.clan_weights))
    return CommunePlan(
        commune=commune,
        figures=dict(figures),
        members=sum(b.members for b in branches),
        titles={},
        branches=branches,
        clans=tuple(names.clans(rng, clans)),
        agencies=_agencies(
            names, commune, today.former.get(commune.id, []), figures.get(Figure.AGENCIES, 0)
        ),
    )


def _new_plans(
    communes: Sequence[_Unit],
    published: Published,
    names: Names,
    rng: random.Random,
    fraction: float,
) -> list[CommunePlan]:
    """Communes the database knows nothing earlier of, planned like the published province:
    as many people as their area holds (`DENSITY`)."""
    people = round(sum((c.area_km2 or AREA) * DENSITY for c in communes))
    goal = targets_for(published, people, len(communes), names, fraction)
    return plan_province(_communes(communes), goal, names, rng)


async def _members_reported(writer: _TodayWriter) -> None:
    """Every commune's members at the end of today's map's first year, as it reported them (a
    baseline): its branches' members before that year and those who joined in it; a commune
    new to the database, the plan's members and those who joined. The years before are known
    only as far as the database knew the communes then (old Thái Bình's)."""
    world, year = writer.world, MAP_CHANGE_DAY.year
    commune_of = {b.id: commune for commune, mine in world.branches.items() for b in mine}
    joined: Counter[int] = Counter()
    for (unit_id, when), count in writer.tally.joined().items():
        if when == year:
            joined[commune_of.get(unit_id, unit_id)] += count
    rows = [
        (p.commune.id, year, counters.MEMBERS_TOTAL, p.members + joined[p.commune.id])
        for p in world.plans
    ]
    await _baselines(writer, rows)


async def _baselines(writer: _TodayWriter, rows: Sequence[tuple[int, int, str, int]]) -> None:
    await writer.tx.executemany(
        "INSERT INTO baseline (unit_id, year, indicator, value, imported_at) "
        "VALUES (?, ?, ?, ?, ?)",
        [(*row, writer.as_of) for row in rows],
    )
    writer.summary["baselines"] += len(rows)
    for unit_id, year, indicator, value in rows:
        writer.tally.baseline(unit_id, year, indicator, value)


class _Tally:
    """The counters the rows of a step add, counted as they are generated and rolled up once
    at its end. Each rolls up along its unit's path now: in the history nothing has moved yet,
    and on today's map a unit moved at most when it began, so the years since follow the path
    now (as `counters` rolls up on the map of each year)."""

    def __init__(self) -> None:
        self.facts: Counter[CounterKey] = Counter()
        self._members: Counter[tuple[int, int]] = Counter()
        self._titles: Counter[tuple[int, int, str, str]] = Counter()
        self._gifts: Counter[tuple[int, int, str, str]] = Counter()
        self._gift_amounts: Counter[tuple[int, int, str, str]] = Counter()
        self._awards: Counter[tuple[int, int]] = Counter()
        self._award_amounts: Counter[tuple[int, int]] = Counter()

    def members(self, rows: Iterable[tuple[object, ...]]) -> Iterator[tuple[object, ...]]:
        for row in rows:  # _MEMBER_SQL: joined_on 4, unit_id 6
            self._members[(int(str(row[6])), int(str(row[4])[:4]))] += 1
            yield row

    def titles(self, rows: Iterable[tuple[object, ...]]) -> Iterator[tuple[object, ...]]:
        for row in rows:  # _NOMINATION_SQL: kind 0, unit_id 3, year 4, status 8
            self._titles[(int(str(row[3])), int(str(row[4])), str(row[0]), str(row[8]))] += 1
            yield row

    def gifts(self, rows: Iterable[tuple[object, ...]]) -> Iterator[tuple[object, ...]]:
        for row in rows:  # _CONTRIBUTION_SQL: donor_kind 1, amount 2, campaign 6, day 7, unit 8
            key = (int(str(row[8])), int(str(row[7])[:4]), str(row[6]), str(row[1]))
            self._gifts[key] += 1
            self._gift_amounts[key] += int(str(row[2]))
            yield row

    def awards(self, rows: Iterable[tuple[object, ...]]) -> Iterator[tuple[object, ...]]:
        for row in rows:  # _AWARD_SQL: amount 4, awarded_on 6, unit_id 7
            key = (int(str(row[7])), int(str(row[6])[:4]))
            self._awards[key] += 1
            self._award_amounts[key] += int(str(row[4]))
            yield row

    def joined(self) -> Mapping[tuple[int, int], int]:
        """New members counted so far, by (unit id, year joined)."""
        return self._members

    def baseline(self, unit_id: int, year: int, indicator: str, value: int) -> None:
        for fact_year, name, amount in counters.baseline_facts(year, indicator, value):
            self.facts[(unit_id, fact_year, name)] += amount

    def _add(self, unit_id: int, facts: Iterable[counters.Fact]) -> None:
        for year, indicator, amount in facts:
            self.facts[(unit_id, year, indicator)] += amount

    async def roll_up(self, tx: Tx) -> None:
        active = RecordStatus.ACTIVE
        for (unit_id, year), n in self._members.items():
            self._add(unit_id, counters.member_facts(active, year, n))
        for (unit_id, year, kind, status), n in self._titles.items():
            facts = counters.nomination_facts(
                NominationStatus(status), NominationKind(kind), year, n
            )
            self._add(unit_id, facts)
        for key, n in self._gifts.items():
            unit_id, year, campaign, donor = key
            amount = self._gift_amounts[key]
            facts = counters.contribution_facts(
                active, year, Campaign(campaign), DonorKind(donor), amount, n
            )
            self._add(unit_id, facts)
        for award_key, n in self._awards.items():
            unit_id, year = award_key
            self._add(
                unit_id, counters.award_facts(active, year, self._award_amounts[award_key], n)
            )
        paths = await reports.unit_paths(tx, {unit_id for unit_id, _, _ in self.facts})
        spread: Counter[CounterKey] = Counter()
        for (unit_id, year, indicator), amount in self.facts.items():
            for above in paths[unit_id].strip("/").split("/"):
                spread[(int(above), year, indicator)] += amount
        await reports.bump_counters(tx, sorted(spread.items()))


def _pick_communes(communes: Sequence[_Unit]) -> list[_Unit]:
    """The communes of `SMALL_COMMUNES`, in its order; the first others when some are
    missing."""
    by_code = {c.code: c for c in communes}
    found = [by_code[code] for code in SMALL_COMMUNES if code in by_code]
    for commune in communes:
        if len(found) >= len(SMALL_COMMUNES):
            break
        if commune not in found:
            found.append(commune)
    return found


def _coverage(writer: _Writer, year: int) -> float:
    """The share of `year` within the days generated."""
    if not writer.opens(date(year, 1, 1), date(year, 12, 31)):
        return 0.0
    return len(writer.year_days(year)) / ((date(year, 12, 31) - date(year, 1, 1)).days + 1)


class _TodayWriter(_Writer):
    """The activity on today's map: the named people in place, a chair for every commune and a
    volunteer for every new branch, figures and funds, then members, nominations, gifts and
    awards from `start` to `today`. A commune of today is about as large as a district was,
    and its fund receives and pays out as a district's did."""

    def __init__(
        self,
        tx: Tx,
        world: _World,
        names: Names,
        rng: random.Random,
        today: date,
        known: _Today,
        goal: Targets,
    ) -> None:
        super().__init__(tx, world, names, rng, today, start=MAP_CHANGE_DAY, keys="demo-map")
        self.known = known
        self.goal = goal
        """The published province's (shares of titles, money per head)."""
        self.gift_steps = {**_GIFT_STEPS, Level.COMMUNE: _GIFT_STEPS[Level.DISTRICT]}
        self.fund_weights = {**_FUND_WEIGHT, Level.COMMUNE: _FUND_WEIGHT[Level.DISTRICT]}
        self.award_steps = [2 * step for step in _AWARD_STEPS]
        self._next_person = max(known.last_person + 1, FIRST_EXTRA_ID)
        self._seated: set[tuple[int, Role, int]] = set()

    def new_person(self) -> int:
        telegram_id = self._next_person
        self._next_person += 1
        return telegram_id

    def years(self) -> list[int]:
        return [y for y in range(self.start.year, self.today.year + 1) if _coverage(self, y)]

    def holds(self, telegram_id: int, role: Role, unit_id: int) -> bool:
        grant = (telegram_id, role, unit_id)
        return grant in self.known.grants or grant in self._seated

    def seat(self, telegram_id: int, role: Role, unit_id: int) -> None:
        """A grant (and the person, if new) unless they hold it already."""
        if not self.holds(telegram_id, role, unit_id):
            self._seated.add((telegram_id, role, unit_id))
            self._person(telegram_id, role, unit_id)

    def place_people(self, chosen: Sequence[CommunePlan], *, everyone: bool) -> None:
        """Ids 1–20 where `SMALL_PEOPLE` has them (the history's are there already but for
        the chairs, whose communes ended); with `everyone`, a chair for every commune without
        one (the chair of the first commune it was formed from, else someone new) and a
        volunteer for every branch without one."""
        world, known = self.world, self.known
        province = world.province.id
        admins = known.chairs.get(province, [])
        world.chairs[province] = admins[0] if admins else SMALL_PEOPLE[0][0]
        for telegram_id, role, index in SMALL_PEOPLE:
            if index is None or not chosen:
                self.seat(telegram_id, role, province)
                world.chairs[province] = telegram_id
                continue
            plan = chosen[min(index, len(chosen) - 1)]
            if role is Role.COMMUNE_CHAIR:
                self.seat(telegram_id, role, plan.commune.id)
                world.chairs.setdefault(plan.commune.id, telegram_id)
                continue
            mine = world.branches.get(plan.commune.id, [])
            if not mine:
                continue
            held = [b for b in mine if self.holds(telegram_id, role, b.id)]
            taken = {u for _, r, u in known.grants if r is role}
            taken |= {u for _, _, r, u in world.people if r is role}
            free = [b for b in mine if b.id not in taken]
            branch = (held or free or mine)[0]
            self.seat(telegram_id, role, branch.id)
            if role is Role.VOLUNTEER and (not branch.reporter or held):
                branch.reporter = telegram_id
        if not everyone:
            return
        for plan in world.plans:
            commune = plan.commune.id
            if commune not in world.chairs:
                earlier = [
                    t for old in known.before.get(commune, []) for t in known.chairs.get(old, [])
                ]
                chair = (known.chairs.get(commune) or earlier)[:1]
                telegram_id = chair[0] if chair else self.new_person()
                self.seat(telegram_id, Role.COMMUNE_CHAIR, commune)
                world.chairs[commune] = telegram_id
            for branch in world.branches.get(commune, []):
                if not branch.reporter:
                    branch.reporter = self.new_person()
                    self.seat(branch.reporter, Role.VOLUNTEER, branch.id)

    async def funds(self, new_branches: set[int]) -> None:
        """A fund for the province, every commune and every new branch (and its clan), the
        history's funds for the branches that moved."""
        world = self.world
        row = await self.tx.fetchone("SELECT coalesce(max(id), 0) FROM fund")
        next_id = int(row[0]) + 1 if row else 1
        plan_of = {b.id: b for mine in world.branches.values() for b in mine}
        plans = {p.commune.id: p for p in world.plans}
        have = {(unit_id, kind, name) for _, unit_id, kind, name in self.known.funds}
        for fund_id, unit_id, kind, name in self.known.funds:
            if unit_id in plan_of:
                branch = plan_of[unit_id]
                words = {**self.words(branch.commune), "clan": name}
                world.funds.append(
                    _Fund(fund_id, unit_id, Level.BRANCH, kind, name, branch.reporter, words)
                )
        new: list[_Fund] = []

        def add(
            unit_id: int, level: Level, kind: FundKind, name: str, by: int, words: dict[str, str]
        ) -> None:
            nonlocal next_id
            if (unit_id, kind, name) in have:
                return
            new.append(_Fund(next_id, unit_id, level, kind, name, by, words))
            next_id += 1

        province = world.province
        add(
            province.id,
            Level.PROVINCE,
            FundKind.UNIT,
            "",
            self.chair_of(province.id),
            {"commune": "", "type": "", "district": province.name},
        )
        for plan in plans.values():
            add(
                plan.commune.id,
                Level.COMMUNE,
                FundKind.UNIT,
                "",
                self.chair_of(plan.commune.id),
                self.words(plan),
            )
        for branch_id in sorted(new_branches):
            branch = plan_of[branch_id]
            words = self.words(branch.commune)
            add(branch_id, Level.BRANCH, FundKind.UNIT, "", branch.reporter, words)
            if branch.plan.clan:
                clan = branch.plan.clan
                add(
                    branch_id,
                    Level.BRANCH,
                    FundKind.CLAN,
                    clan,
                    branch.reporter,
                    {**words, "clan": clan},
                )
        await self.tx.executemany(
            "INSERT INTO fund (id, unit_id, kind, name, name_folded, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(f.id, f.unit_id, f.kind.value, f.name, fold(f.name), self.as_of) for f in new],
        )
        world.funds.extend(new)

    def new_members(self) -> Iterator[tuple[object, ...]]:
        """Every commune's members grow by `JOIN_RATE` a year, over its branches by size."""
        for year in self.years():
            days = self.year_days(year)
            share = JOIN_RATE * _coverage(self, year)
            for plan in self.world.plans:
                branches = self.world.branches.get(plan.commune.id, [])
                if not branches:
                    continue
                joined = round(plan.members * share)
                weights = [b.plan.members + 1.0 for b in branches]
                for branch, count in zip(branches, allocate(joined, weights), strict=True):
                    for _ in range(count):
                        day = days[self.below(len(days))]
                        yield self.member_row(branch, day, 18 + self.below(53))
                        self.summary["members"] += 1

    def open_nomination(
        self,
        kind: NominationKind,
        subject: str,
        folded: str,
        unit_id: int,
        year: int,
        reporter: int,
        decider: int,
        *,
        rejected: bool = False,
    ) -> tuple[tuple[object, ...], NominationStatus]:
        """Made in September to November and decided 3 to 25 days later: pending when that
        is after `today`."""
        days = self.span(date(year, 9, 1), date(year, 12, 31))
        index = self.below(min(len(days), 91))
        later = index + 3 + self.below(23)
        day = days[index]
        created = self.stamp(day)
        if later >= len(days):
            status, decided, by = NominationStatus.PENDING, None, None
        else:
            status = NominationStatus.REJECTED if rejected else NominationStatus.RECOGNISED
            decided, by = self.stamp(days[later], late=True), decider
        self.summary["nominations"] += 1
        row = (
            kind.value,
            subject,
            folded,
            unit_id,
            year,
            reporter,
            created,
            decided or created,
            status.value,
            by,
            decided,
            self.names.raw["reject_reason"] if status is NominationStatus.REJECTED else None,
            self.key("title"),
            self.campaign(day),
        )
        return row, status

    def share(self, kind: NominationKind, year: int) -> float:
        """The share of a title's denominator recognised in `year`, jittered per commune."""
        published = self.goal.percents[kind]
        grown = min(100.0, published + TITLE_GROWTH * max(0, year - self.goal.year))
        return min(1.0, grown / 100 * self.rng.uniform(0.95, 1.05))

    def titles(self, reviews: list[tuple[int, int, str, int]]) -> Iterator[tuple[object, ...]]:
        """Each year's titles of every commune (`share`): all of them nominated in the bot but
        citizens and households, of which `BOT_TITLE_SHARE`, the rest going to `reviews`."""
        for year in self.years():
            if not self.opens(date(year, 9, 1), date(year, 11, 30)):
                continue
            reviewed = self.today >= date(year, *REVIEW_DAY)
            for plan in self.world.plans:
                branches = self.world.branches.get(plan.commune.id, [])
                if not branches:
                    continue
                chair = self.chair_of(plan.commune.id)
                above = self.chair_of(self.above(plan))
                for kind, figure in (
                    (NominationKind.CITIZEN, Figure.CITIZENS),
                    (NominationKind.FAMILY, Figure.HOUSEHOLDS),
                ):
                    wanted = round(plan.figures.get(figure, 0) * self.share(kind, year))
                    in_bot = round(wanted * BOT_TITLE_SHARE)
                    shares = allocate(in_bot, [b.plan.members + 1.0 for b in branches])
                    recognised = 0
                    for branch, count in zip(branches, shares, strict=True):
                        taken: set[str] = set()
                        for _ in range(count):
                            subject, folded = self.person_subject(kind, taken)
                            row, status = self.open_nomination(
                                kind,
                                subject,
                                folded,
                                branch.id,
                                year,
                                branch.reporter,
                                chair,
                                rejected=self.random() < REJECTED_SHARE,
                            )
                            recognised += status is NominationStatus.RECOGNISED
                            yield row
                    if reviewed and wanted > recognised:
                        indicator = counters.title(kind, NominationStatus.RECOGNISED)
                        reviews.append((plan.commune.id, year, indicator, wanted - recognised))
                yield from self.commune_level_titles(plan, year, chair, above, branches)

    def commune_level_titles(
        self, plan: CommunePlan, year: int, chair: int, above: int, branches: Sequence[_Branch]
    ) -> Iterator[tuple[object, ...]]:
        """Clans (on a village branch), villages, agencies and the commune itself; a clan or
        village by the commune chair, an agency or the commune above it."""
        villages = [
            b for b in branches if b.plan.kind in (UnitKind.VILLAGE, UnitKind.RESIDENTIAL_GROUP)
        ]
        homes = villages or list(branches)
        figures = plan.figures
        clans = round(
            min(figures.get(Figure.CLANS, 0), len(plan.clans))
            * self.share(NominationKind.CLAN, year)
        )
        for clan in self.rng.sample(plan.clans, clans):
            home = homes[self.below(len(homes))]
            subject = self.names.raw["clan_subject"].format(clan=clan)
            yield self.open_nomination(
                NominationKind.CLAN, subject, fold(subject), home.id, year, home.reporter, chair
            )[0]
        count = round(
            min(figures.get(Figure.VILLAGES, 0), len(villages))
            * self.share(NominationKind.VILLAGE_COMMUNITY, year)
        )
        for village in self.rng.sample(villages, count):
            name = village.plan.name
            yield self.open_nomination(
                NominationKind.VILLAGE_COMMUNITY,
                name,
                fold(name),
                plan.commune.id,
                year,
                chair,
                chair,
            )[0]
        count = round(
            min(figures.get(Figure.AGENCIES, 0), len(plan.agencies))
            * self.share(NominationKind.LEARNING_UNIT, year)
        )
        for agency in self.rng.sample(plan.agencies, count):
            yield self.open_nomination(
                NominationKind.LEARNING_UNIT,
                agency,
                fold(agency),
                plan.commune.id,
                year,
                chair,
                above,
            )[0]
        if self.rng.random() < self.share(NominationKind.COMMUNE_COMMUNITY, year):
            name = plan.commune.name
            yield self.open_nomination(
                NominationKind.COMMUNE_COMMUNITY,
                name,
                fold(name),
                plan.commune.id,
                year,
                chair,
                above,
            )[0]

    def money(self) -> tuple[int, list[int], list[float]]:
        """(đồng raised on today's map, its years, their weights): as much per head as in
        the published years (`MONEY_GROWTH` more), for the part of each year generated."""
        goal = self.goal
        first, last = goal.funds_years
        per_head = goal.raised / goal.population / (last - first + 1) * MONEY_GROWTH
        people = sum(p.figures.get(Figure.POPULATION, 0) for p in self.world.plans)
        years = self.years()
        weights = [people * per_head * _coverage(self, year) for year in years]
        return round(sum(weights)), years, weights


async def _today(
    db: Database,
    scale: Scale,
    *,
    names: Names,
    rng: random.Random,
    today: date,
    fraction: float,
    campaign_days: dict[str, int],
) -> Mapping[str, int]:
    """The step on today's map; returns what it wrote (`_Writer.summary`)."""
    units = await _units(db)
    province = next((u for u in units if u.level is Level.PROVINCE), None)
    communes = [u for u in units if u.level is Level.COMMUNE]
    if province is None or not communes:
        raise DemoDataError(DemoDataProblem.NO_UNITS)
    if scale is Scale.SMALL:
        communes = _pick_communes(communes)
    published = load_published()
    async with _big_cache(db), _unchecked(db), db.transaction() as tx:
        known = await _read_today(tx, province, communes)
        world = _World(province=province, districts=[], plans=[], campaign_days=campaign_days)
        writer = _TodayWriter(tx, world, names, rng, today, known, targets(published, fraction))
        if scale is Scale.SMALL:
            await _today_small(writer, published)
        else:
            await _today_province(writer, published, fraction)
        await writer.tally.roll_up(tx)
        await people.audit(
            tx,
            actor_id=None,
            action="generate",
            entity="demo_data",
            entity_id=f"{scale.value}:today",
            after={"fraction": fraction, "today": today.isoformat()},
        )
    return writer.summary


async def _place(
    writer: _TodayWriter, published: Published, fraction: float, *, everyone: bool
) -> tuple[list[CommunePlan], set[int]]:
    """Plans for today's communes (`_known_plan` for those with branches, `_new_plans` for the
    others, whose branches are written), their people; returns the new plans and branches."""
    world, known = writer.world, writer.known
    unknown = [c for c in known.communes if not known.branches.get(c.id)]
    plans: dict[int, CommunePlan] = {}
    new_plans: list[CommunePlan] = []
    if unknown:
        new_plans = _new_plans(unknown, published, writer.names, writer.rng, fraction)
        plans.update({p.commune.id: p for p in new_plans})
    for commune in _communes(known.communes):
        if commune.id not in plans:
            plan = _known_plan(known, commune, writer.names, writer.rng)
            plans[commune.id] = plan
            world.branches[commune.id] = [
                _Branch(branch_id, plan, branch_plan, known.reporters.get(branch_id, 0))
                for (branch_id, _, _), branch_plan in zip(
                    known.branches[commune.id], plan.branches, strict=True
                )
            ]
    world.plans = [plans[c.id] for c in known.communes]
    await writer.branches(new_plans)
    new_ids = {p.commune.id for p in new_plans}
    new_branches = {b.id for c in new_ids for b in world.branches.get(c, [])}
    by_code = {p.commune.code: p for p in world.plans}
    chosen = [by_code[c.code] for c in _pick_communes(known.communes)]
    writer.place_people(chosen, everyone=everyone)
    await writer.write_people()
    await writer.figures(MAP_CHANGE_DAY.year, new_plans)
    return new_plans, new_branches


async def _today_province(writer: _TodayWriter, published: Published, fraction: float) -> None:
    """Today's map after the move: the communes of old Hưng Yên get branches and figures;
    every commune a chair, volunteers, funds and the activity since, at the volumes of the
    published province, and its members at the end of 2025 as it reported them."""
    _, new_branches = await _place(writer, published, fraction, everyone=True)
    await writer.funds(new_branches)
    tx, tally = writer.tx, writer.tally
    await _bulk(tx, _MEMBER_SQL, tally.members(writer.new_members()))
    await _members_reported(writer)
    reviews: list[tuple[int, int, str, int]] = []
    await _bulk(tx, _NOMINATION_SQL, tally.titles(writer.titles(reviews)))
    total, years, weights = writer.money()
    await _bulk(tx, _CONTRIBUTION_SQL, tally.gifts(writer.contributions(total, years, weights)))
    awarded = round(total * AWARDED_SHARE)
    await _bulk(tx, _AWARD_SQL, tally.awards(writer.awards(awarded, years, weights)))
    await _baselines(writer, reviews)


async def _today_small(writer: _TodayWriter, published: Published) -> None:
    """`SMALL_COMMUNES` with ids 1–20 only: a few hundred reports since today's map began, by
    them, and the communes' members at the end of 2025 as they reported them."""
    await _place(writer, published, 1.0, everyone=False)
    await _small_reports(writer)
    await _members_reported(writer)
    await _baselines(writer, _reviewed(writer))


def _reviewed(writer: _TodayWriter) -> list[tuple[int, int, str, int]]:
    """The titles of each year reviewed since today's map began (`REVIEW_DAY`), at the
    published shares: baselines of a commune that files few nominations one by one."""
    rows = []
    for year in writer.years():
        if writer.today < date(year, *REVIEW_DAY):
            continue
        for plan in writer.world.plans:
            for kind in NominationKind:
                figure = DENOMINATOR_FIGURES.get(kind)
                of = plan.figures.get(figure, 0) if figure is not None else 1
                count = round(of * writer.share(kind, year))
                if count:
                    indicator = counters.title(kind, NominationStatus.RECOGNISED)
                    rows.append((plan.commune.id, year, indicator, count))
    return rows


async def _small_reports(writer: _TodayWriter) -> None:
    """Each volunteer's 20 new members and six titles (last year's recognised; this year's
    recognised, pending or rejected), and two agencies per commune chair awaiting the decision
    above it, all since today's map began."""
    world, rng, today = writer.world, writer.rng, writer.today
    years = [year for year in (today.year - 1, today.year) if year >= writer.start.year]
    volunteers = [
        (tid, unit_id) for tid, _, role, unit_id in world.people if role is Role.VOLUNTEER
    ]
    branch_of = {b.id: b for mine in world.branches.values() for b in mine}
    plan_of = {b.id: b.commune for b in branch_of.values()}
    members: list[tuple[object, ...]] = []
    titles: list[tuple[object, ...]] = []
    # Subjects nominated on a branch for a year: a subject holds or awaits a title once.
    taken: dict[tuple[int, int], set[str]] = {}
    for telegram_id, branch_id in volunteers:
        branch = replace(branch_of[branch_id], reporter=telegram_id)
        for _ in range(20):
            day = writer.day_in(date(years[0], 1, 1), today)
            members.append(writer.member_row(branch, day, rng.randint(18, 70)))
            writer.summary["members"] += 1
        chair = writer.chair_of(plan_of[branch_id].commune.id)
        for year in years:
            for number in range(3):
                kind = (NominationKind.CITIZEN, NominationKind.FAMILY)[number % 2]
                if year < today.year or number == 0:
                    status = NominationStatus.RECOGNISED
                elif number == 1:
                    status = NominationStatus.PENDING
                else:
                    status = rng.choice([NominationStatus.PENDING, NominationStatus.REJECTED])
                decider = None if status is NominationStatus.PENDING else chair
                used = taken.setdefault((branch_id, year), set())
                subject, folded = writer.person_subject(kind, used)
                titles.append(
                    writer.nomination(
                        kind, subject, folded, branch_id, year, telegram_id, status, decider
                    )
                )
    for telegram_id, _, role, unit_id in world.people:
        if role is not Role.COMMUNE_CHAIR:
            continue
        plan = next(p for p in world.plans if p.commune.id == unit_id)
        for agency in plan.agencies[:2]:
            titles.append(
                writer.nomination(
                    NominationKind.LEARNING_UNIT,
                    agency,
                    fold(agency),
                    unit_id,
                    today.year,
                    telegram_id,
                    NominationStatus.PENDING,
                    None,
                )
            )
    await writer.tx.executemany(_MEMBER_SQL, writer.tally.members(members))
    await writer.tx.executemany(_NOMINATION_SQL, writer.tally.titles(titles))
    await _small_money(writer, years, {tid for tid, _ in volunteers})


async def _small_money(writer: _TodayWriter, years: Sequence[int], volunteers: set[int]) -> None:
    """A fund for the unit of each chair and volunteer of ids 1–20, a few gifts to each, and
    up to three awards paying out at most half of what the fund received."""
    world, rng = writer.world, writer.rng
    row = await writer.tx.fetchone("SELECT coalesce(max(id), 0) FROM fund")
    next_id = int(row[0]) + 1 if row else 1
    plan_of = {b.id: b.commune for mine in world.branches.values() for b in mine}
    plans = {p.commune.id: p for p in world.plans}
    for telegram_id, _, role, unit_id in world.people:
        if role is Role.BRANCH_HEAD or unit_id in {f.unit_id for f in world.funds}:
            continue
        if unit_id in plan_of:
            level, words = Level.BRANCH, writer.words(plan_of[unit_id])
        elif unit_id in plans:
            level, words = Level.COMMUNE, writer.words(plans[unit_id])
        else:
            level = Level.PROVINCE if unit_id == world.province.id else Level.DISTRICT
            name = next((d.name for d in world.districts if d.id == unit_id), "")
            words = {"commune": "", "type": "", "district": name or world.province.name}
        world.funds.append(_Fund(next_id, unit_id, level, FundKind.UNIT, "", telegram_id, words))
        next_id += 1
    await writer.tx.executemany(
        "INSERT INTO fund (id, unit_id, kind, name, name_folded, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(f.id, f.unit_id, f.kind.value, f.name, "", writer.as_of) for f in world.funds],
    )
    gifts: list[tuple[object, ...]] = []
    awards: list[tuple[object, ...]] = []
    for fund in world.funds:
        count = 4 if fund.reporter in volunteers else 3
        for _ in range(count):
            year = rng.choice(years)
            gifts.append(writer.contribution_row(fund, year, writer.gift_size(fund) * MONEY_STEP))
        budget = fund.raised // MONEY_STEP // 2
        for _ in range(3):
            if budget < 3:
                break
            size = min(rng.choices(_AWARD_STEPS, _AWARD_WEIGHTS)[0], budget)
            budget -= size
            awards.append(writer.award_row(fund, rng.choice(years), size * MONEY_STEP))
    await writer.tx.executemany(_CONTRIBUTION_SQL, writer.tally.gifts(gifts))
    await writer.tx.executemany(_AWARD_SQL, writer.tally.awards(awards))


Progress = Callable[[Step], None]
"""Told when a step begins."""


async def build(
    db: Database,
    scale: Scale,
    *,
    seed: int = DEFAULT_SEED,
    today: date,
    fraction: float = 1.0,
    started: Progress | None = None,
) -> Summary:
    """Fill an unused database (see `occupied`; raises `DemoDataError` otherwise) and roll up
    its counters. `province` needs Thái Bình's 2024 map and moves the database onto today's
    map; `small` works on the map in force (today's). `today` bounds every date (`small`
    reports fall in its year and the last); `fraction` scales the province down for tests."""
    if await occupied(db):
        raise DemoDataError(DemoDataProblem.OCCUPIED)
    units = await _units(db)
    if not any(u.level is Level.PROVINCE for u in units) or not _communes(units):
        raise DemoDataError(DemoDataProblem.NO_UNITS)
    if today <= MAP_CHANGE_DAY:
        raise DemoDataError(DemoDataProblem.TOO_EARLY)
    names = Names.load()
    rng = random.Random(seed)
    published = load_published()
    first_year = min(published.funds_years[0], today.year - 1)
    campaign_days = await _campaign_days(db, date(first_year, 1, 1), today)
    steps: list[tuple[Step, float]] = []
    done: Counter[str] = Counter()
    result: MapChangeResult | None = None

    def begin(step: Step) -> float:
        if started is not None:
            started(step)
        return time.perf_counter()

    if scale is Scale.PROVINCE:
        await _check_old_map(db)
        clock = begin(Step.HISTORY)
        done.update(await _old_map(db, units, names, rng, today, fraction, campaign_days, seed))
        steps.append((Step.HISTORY, time.perf_counter() - clock))
        clock = begin(Step.MAP_CHANGE)
        result = await _move_to_today(db)
        steps.append((Step.MAP_CHANGE, time.perf_counter() - clock))
    clock = begin(Step.TODAY)
    done.update(
        await _today(
            db,
            scale,
            names=names,
            rng=rng,
            today=today,
            fraction=fraction,
            campaign_days=campaign_days,
        )
    )
    steps.append((Step.TODAY, time.perf_counter() - clock))
    return Summary(
        scale=scale,
        seed=seed,
        branches=done["branches"],
        people=done["people"],
        members=done["members"],
        nominations=done["nominations"],
        contributions=done["contributions"],
        awards=done["awards"],
        figures=done["figures"],
        baselines=done["baselines"],
        steps=tuple(steps),
        map_change=result,
    )


async def _old_map(
    db: Database,
    units: Sequence[_Unit],
    names: Names,
    rng: random.Random,
    today: date,
    fraction: float,
    campaign_days: dict[str, int],
    seed: int,
) -> Mapping[str, int]:
    """The province's history until 2024 on the map with districts, in one transaction."""
    province = next(u for u in units if u.level is Level.PROVINCE)
    goal = targets(load_published(), fraction)
    plans = plan_province(_communes(units), goal, names, rng)
    districts = [u for u in units if u.level is Level.DISTRICT]
    world = _World(
        province=province,
        districts=districts,
        plans=plans,
        campaign_days=campaign_days,
        next_codes=_next_codes(),
    )
    async with _big_cache(db), _unchecked(db), db.transaction() as tx:
        writer = _Writer(tx, world, names, rng, today)
        await writer.branches()
        writer.named_people()
        await _history(writer, goal)
        await people.audit(
            tx,
            actor_id=None,
            action="generate",
            entity="demo_data",
            entity_id=Scale.PROVINCE.value,
            after={"seed": seed, "fraction": fraction, "today": today.isoformat()},
        )
    return writer.summary
