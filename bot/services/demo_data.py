"""Demo databases: Thái Bình at its published 2023 size, or two districts for the console.

`province` writes the plan of `demo_plan` (the published 2023 counts and one-decimal
percentages, exactly) as rows: 2,554 branches, 670,479 members, every recognised title of 2023
as a nomination with a few rejected and pending ones, a fund for every unit, and gifts and
awards over 2019–2024 adding up to the published 443 and 397 billion đồng; so /stats and
/report are measured and checked at the real orders of magnitude. `small` writes Đông Hưng
and Kiến Xương from the same plan as 2023 baselines, plus a few hundred reports of the last
two years by chairs and volunteers at Telegram ids 1–20 (`SMALL_PEOPLE`, in both scales), for
trying the bot in `khuyenhoc shell`.

Rows go in with `executemany` inside one transaction, and the counters are rolled up once from
them at the end (what `counters.rebuild` does, in the same transaction): one service call per
record would take hours for a province. The same seed gives the same database (for `small`,
the same seed and `today`, which its report dates follow).

Only a database holding nothing but the administrative units is filled (`occupied`): demo
people, branches and reports must never mix with real ones.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import Final

from bot.services import campaign_calendar, campaigns, counters
from bot.services.demo_plan import (
    GENDERS,
    MONEY_STEP,
    BranchPlan,
    Commune,
    CommunePlan,
    Names,
    Targets,
    allocate,
    jittered,
    load_published,
    plan_province,
    targets,
)
from bot.services.figures import Figure
from bot.storage import campaigns as campaign_store
from bot.storage import people, reports
from bot.storage.db import Database, Tx
from bot.storage.models import Level, Role, UnitKind
from bot.storage.records import (
    AwardReason,
    Campaign,
    DonorKind,
    FundKind,
    NominationKind,
    NominationStatus,
)
from bot.text import fold

DEFAULT_SEED: Final = 2023
SMALL_DISTRICTS: Final = ("Đông Hưng", "Kiến Xương")
"""The two districts of `small`, and those whose people get ids 1–20 (the first two districts
of the hierarchy when these are missing)."""
MEMBERS_SINCE: Final = 1996
"""The association's founding year: the earliest year a generated member joined."""
_AS_OF: Final = "2025-01-15T02:00:00Z"
"""When people, grants, figures and funds were set up; fixed, so a seed gives the same file."""


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
    """`today` is not after the published years."""


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


async def _units(db: Database | Tx) -> list[_Unit]:
    """Active units, province first, then districts, communes, each alphabetical."""
    rows = await db.fetchall(
        "SELECT id, parent_id, level, code, name, kind, path FROM unit WHERE active = 1 "
        "ORDER BY length(path) - length(replace(path, '/', '')), name_folded, id"
    )
    return [
        _Unit(int(r[0]), r[1], Level(r[2]), str(r[3]), str(r[4]), UnitKind(r[5]), str(r[6]))
        for r in rows
    ]


def _communes(units: Sequence[_Unit]) -> list[Commune]:
    names = {unit.id: unit.name for unit in units}
    return [
        Commune(u.id, u.code, u.name, u.kind, names.get(u.parent_id or 0, ""), u.path)
        for u in units
        if u.level is Level.COMMUNE
    ]


# --- Writing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
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

SMALL_PEOPLE: Final = (
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
"""(Telegram id, role, level, which of the two districts, which of its first two communes):
the province admin (1), a commune chair (2, as the console's own demo), the two district
chairs (3, 4), three more commune chairs, two branch heads and eleven volunteers (10–20), each
volunteer on the next branch of their commune."""
FIRST_EXTRA_ID: Final = 100_001
"""The province's other chairs and one volunteer per branch are numbered from here."""


CACHE_KIB: Final = 1_000_000
"""SQLite page cache during a build (KiB): the indexes of a million rows stay in memory."""


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


def _days(first: date, last: date) -> list[str]:
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


class _Writer:
    def __init__(
        self, tx: Tx, world: _World, names: Names, rng: random.Random, today: date
    ) -> None:
        self.tx = tx
        self.world = world
        self.names = names
        self.rng = rng
        self.today = today
        self.keys = 0
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

    def key(self, kind: str) -> str:
        self.keys += 1
        return f"demo-{kind}-{self.keys:07d}"

    def span(self, first: date, last: date) -> list[str]:
        """The ISO days of [first, last] up to `today` (just `today` when all are later)."""
        wanted = (first, last)
        if wanted not in self._spans:
            last = min(last, self.today)
            self._spans[wanted] = _days(min(first, last), last)
        return self._spans[wanted]

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

    async def branches(self) -> None:
        row = await self.tx.fetchone("SELECT coalesce(max(id), 0) FROM unit")
        next_id = int(row[0]) + 1 if row else 1
        rows = []
        for plan in self.world.plans:
            mine = self.world.branches.setdefault(plan.commune.id, [])
            for number, branch in enumerate(plan.branches, start=1):
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
                        _AS_OF,
                    )
                )
                next_id += 1
        await self.tx.executemany(
            "INSERT INTO unit (id, parent_id, level, code, name, name_folded, kind, path, "
            "created_at) VALUES (?, ?, 'branch', ?, ?, ?, ?, ?, ?)",
            rows,
        )
        self.summary["branches"] = len(rows)

    def _person(self, telegram_id: int, role: Role, unit_id: int) -> None:
        name, _ = self.names.person(self.rng, self.gender())
        self.world.people.append((telegram_id, name, role, unit_id))

    def named_people(self) -> None:
        """Ids 1–20 (`SMALL_PEOPLE`), on the first two communes of the two named districts."""
        districts = _pick_districts(self.world.districts)
        for telegram_id, role, level, which, commune_index in SMALL_PEOPLE:
            district = districts[which]
            communes = [p for p in self.world.plans if p.commune.district == district.name]
            plan = communes[min(commune_index, len(communes) - 1)]
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
        people_rows = {tid: name for tid, name, _, _ in self.world.people}
        await self.tx.executemany(
            "INSERT INTO app_user (telegram_id, full_name, created_at) VALUES (?, ?, ?)",
            [(tid, name, _AS_OF) for tid, name in people_rows.items()],
        )
        await self.tx.executemany(
            "INSERT INTO role_grant (telegram_id, role, unit_id, granted_at) VALUES (?, ?, ?, ?)",
            [(tid, role.value, unit_id, _AS_OF) for tid, _, role, unit_id in self.world.people],
        )
        self.summary["people"] = len(people_rows)

    async def figures(self, year: int) -> None:
        rows = [
            (plan.commune.id, year, figure.value, value, _AS_OF)
            for plan in self.world.plans
            for figure, value in plan.figures.items()
        ]
        await self.tx.executemany(
            "INSERT INTO unit_figure (unit_id, year, figure, value, set_at) VALUES (?, ?, ?, ?, ?)",
            rows,
        )
        self.summary["figures"] = len(rows)

    # Members and titles.

    def chair_of(self, unit_id: int) -> int:
        return self.world.chairs.get(unit_id) or self.world.chairs[self.world.province.id]

    def district_of(self, plan: CommunePlan) -> int:
        return int(plan.commune.path.strip("/").split("/")[1])

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
        district_chair = self.chair_of(self.district_of(plan))
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
            [(f.id, f.unit_id, f.kind.value, f.name, fold(f.name), _AS_OF) for f in world.funds],
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
        kind = self.rng.choices(table.kinds, cum_weights=table.cumulative)[0]
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

    def contribution_day(self, campaign: Campaign, year: int) -> str:
        if campaign is Campaign.XUAN_KHUYEN_HOC:
            window = self.xuan(year)
            return self.day_in(window.start, window.end)
        if campaign is Campaign.THANG_KHUYEN_HOC:
            return self.day_in(date(year, 10, 1), date(year, 10, 31))
        if campaign is Campaign.ONE_DAY_SALARY:
            return self.day_in(date(year, 9, 1), date(year, 11, 30))
        days = self.year_days(year)
        return days[self.below(len(days))]

    def contribution_row(self, fund: _Fund, year: int, amount: int) -> tuple[object, ...]:
        kind, donor = self.donor(fund)
        campaign = self.rng.choices(_CAMPAIGNS, _CAMPAIGN_WEIGHTS)[0]
        day = self.contribution_day(campaign, year)
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
        low, high, skew = _GIFT_STEPS[fund.level]
        spread: float = (high / low) ** (self.rng.random() ** skew)
        return max(1, round(low * spread))

    def contributions(self, total: int, years: Sequence[int]) -> Iterator[tuple[object, ...]]:
        """Gifts to the funds until they add up to `total` đồng exactly, year by year."""
        year_totals = allocate(total // MONEY_STEP, _year_weights(years))
        funds = self.world.funds
        weights = [_FUND_WEIGHT[f.level] * (0.6 if f.kind is FundKind.CLAN else 1.0) for f in funds]
        cumulative = list(itertools.accumulate(weights))
        for year, left in zip(years, year_totals, strict=True):
            while left > 0:
                fund = self.rng.choices(funds, cum_weights=cumulative)[0]
                amount = min(self.gift_size(fund), left)
                left -= amount
                yield self.contribution_row(fund, year, amount * MONEY_STEP)

    def award_row(self, fund: _Fund, year: int, amount: int) -> tuple[object, ...]:
        raw = self.names.raw
        name, _ = self.names.person(self.rng, self.gender())
        reason = self.rng.choices(_REASONS, _REASON_WEIGHTS)[0]
        window = self.random()
        if window < 0.4:
            day = self.day_in(date(year, 8, 1), date(year, 9, 30))
        elif window < 0.7:
            day = self.day_in(date(year, 10, 1), date(year, 10, 31))
        elif window < 0.9:
            day = self.day_in(date(year, 5, 15), date(year, 6, 30))
        else:
            xuan = self.xuan(year)
            day = self.day_in(xuan.start, xuan.end)
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

    def awards(self, total: int, years: Sequence[int]) -> Iterator[tuple[object, ...]]:
        """Scholarships and prizes adding up to `total` đồng, each fund paying out less than it
        received, year by year."""
        funds = [f for f in self.world.funds if f.raised > 0]
        budgets = allocate(
            total // MONEY_STEP,
            [f.raised for f in funds],
            caps=[f.raised // MONEY_STEP for f in funds],
        )
        for fund, budget in zip(funds, budgets, strict=True):
            yearly = allocate(budget, _year_weights(years))
            for year, left in zip(years, yearly, strict=True):
                while left > 0:
                    size = self.rng.choices(_AWARD_STEPS, _AWARD_WEIGHTS)[0]
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
"""Scholarships and prizes, in `MONEY_STEP`s: 500 000 đồng to 10 million."""
_AWARD_WEIGHTS: Final = [15, 25, 25, 15, 12, 8]


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


# --- The two scales ---------------------------------------------------------------------------


async def _province(writer: _Writer, goal: Targets) -> None:
    writer.everyone_else()
    await writer.write_people()
    await writer.figures(goal.year)
    await writer.tx.executemany(_MEMBER_SQL, writer.province_members(goal.year))
    await writer.tx.executemany(_NOMINATION_SQL, writer.province_titles(goal.year))
    await writer.unit_funds()
    first, last = goal.funds_years
    years = list(range(first, last + 1))
    await writer.tx.executemany(_CONTRIBUTION_SQL, writer.contributions(goal.raised, years))
    await writer.tx.executemany(_AWARD_SQL, writer.awards(goal.awarded, years))


async def _small(writer: _Writer, goal: Targets) -> None:
    """The plan's 2023 as baselines (members, titles, funds since 2019) and, on top, a few
    hundred reports of last year and this one by the people of `SMALL_PEOPLE`."""
    world, rng = writer.world, writer.rng
    await writer.write_people()
    await writer.figures(goal.year)
    first, last = goal.funds_years
    last = min(last, goal.year)
    years = list(range(first, last + 1))
    share = sum(p.figures[Figure.POPULATION] for p in world.plans) / goal.population
    raised = allocate(round(goal.raised * share) // MONEY_STEP, _year_weights(years))
    awarded = allocate(round(goal.awarded * share) // MONEY_STEP, _year_weights(years))
    population = [float(p.figures[Figure.POPULATION]) for p in world.plans]
    rows: list[tuple[int, int, str, int, str]] = []
    for plan in world.plans:
        rows.append((plan.commune.id, goal.year, counters.MEMBERS_TOTAL, plan.members, _AS_OF))
        for kind, count in plan.titles.items():
            indicator = counters.title(kind, NominationStatus.RECOGNISED)
            rows.append((plan.commune.id, goal.year, indicator, count, _AS_OF))
    for year, up, out in zip(years, raised, awarded, strict=True):
        ups = allocate(up, jittered(rng, population, 0.8, 1.2))
        outs = allocate(out, [float(u) for u in ups], caps=ups)
        for plan, gift, paid in zip(world.plans, ups, outs, strict=True):
            rows.append((plan.commune.id, year, counters.FUND_RAISED, gift * MONEY_STEP, _AS_OF))
            rows.append((plan.commune.id, year, counters.FUND_AWARDED, paid * MONEY_STEP, _AS_OF))
    await writer.tx.executemany(
        "INSERT INTO baseline (unit_id, year, indicator, value, imported_at) "
        "VALUES (?, ?, ?, ?, ?)",
        rows,
    )
    writer.summary["baselines"] = len(rows)
    await _small_reports(writer)


async def _small_reports(writer: _Writer) -> None:
    """Each volunteer's 20 new members and six titles (last year's recognised; this year's
    recognised, pending or rejected), and two agencies per commune chair awaiting the district
    chair's decision."""
    world, rng, today = writer.world, writer.rng, writer.today
    years = [today.year - 1, today.year]
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
    await writer.tx.executemany(_MEMBER_SQL, members)
    await writer.tx.executemany(_NOMINATION_SQL, titles)
    await _small_money(writer, years, {tid for tid, _ in volunteers})


async def _small_money(writer: _Writer, years: Sequence[int], volunteers: set[int]) -> None:
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
        [(f.id, f.unit_id, f.kind.value, f.name, "", _AS_OF) for f in world.funds],
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
    await writer.tx.executemany(_CONTRIBUTION_SQL, gifts)
    await writer.tx.executemany(_AWARD_SQL, awards)


async def build(
    db: Database,
    scale: Scale,
    *,
    seed: int = DEFAULT_SEED,
    today: date,
    fraction: float = 1.0,
) -> Summary:
    """Fill an unused database (see `occupied`; raises `DemoDataError` otherwise) and roll up
    its counters. `today` bounds every date (`small` reports fall in its year and the last);
    `fraction` scales the province down for tests."""
    if await occupied(db):
        raise DemoDataError(DemoDataProblem.OCCUPIED)
    units = await _units(db)
    province = next((u for u in units if u.level is Level.PROVINCE), None)
    communes = _communes(units)
    if province is None or not communes:
        raise DemoDataError(DemoDataProblem.NO_UNITS)
    names = Names.load()
    rng = random.Random(seed)
    goal = targets(load_published(), fraction)
    plans = plan_province(communes, goal, names, rng)
    districts = [u for u in units if u.level is Level.DISTRICT]
    if scale is Scale.SMALL:
        kept = {d.name for d in _pick_districts(districts)}
        plans = [p for p in plans if p.commune.district in kept]
        districts = [d for d in districts if d.name in kept]
    if scale is Scale.PROVINCE and today.year <= goal.funds_years[1]:
        raise DemoDataError(DemoDataProblem.TOO_EARLY)
    first_year = min(goal.funds_years[0], today.year - 1)
    world = _World(province=province, districts=districts, plans=plans)
    world.campaign_days = await _campaign_days(db, date(first_year, 1, 1), today)
    async with _big_cache(db), db.transaction() as tx:
        writer = _Writer(tx, world, names, rng, today)
        await writer.branches()
        writer.named_people()
        if scale is Scale.PROVINCE:
            await _province(writer, goal)
        else:
            await _small(writer, goal)
        expected = await counters.expected_counters(tx)
        await reports.bump_counters(tx, sorted(expected.items()))
        await people.audit(
            tx,
            actor_id=None,
            action="generate",
            entity="demo_data",
            entity_id=scale.value,
            after={"seed": seed, "fraction": fraction, "today": today.isoformat()},
        )
    done = writer.summary
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
    )
