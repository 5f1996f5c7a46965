"""What a demo province is made of, worked out before anything is written (no database).

From the province's published 2023 report (data/thai_binh_2023_figures.json, `Published`)
come the totals to reach (`Targets`, optionally scaled down for tests); `plan_province` splits
them over the communes: population and every title's denominator as figures, members,
recognised titles, branches ("Thôn 3", a school, a clan …), so that the province's counts and
one-decimal percentages, and those of the districts the report names, come out exactly as
published. `allocate` does every split: whole numbers that always add up to the total.
Names of people, clans, agencies and donors come from data/demo_names.json (`Names`).
`targets_for` sizes a place without a history (a commune of today's map the database knows
nothing earlier of) the same way: at the published shares, with its structure in proportion to
its people. `bot/services/demo_data.py` writes the plans into a database.
"""

from __future__ import annotations

import bisect
import json
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from bot.config import DATA_DIR
from bot.services.figures import Figure
from bot.storage.models import UnitKind
from bot.storage.records import NominationKind
from bot.text import fold

PUBLISHED_FILE: Final = DATA_DIR / "thai_binh_2023_figures.json"
NAMES_FILE: Final = DATA_DIR / "demo_names.json"
SAFE_GAP: Final = 0.045
"""A generated share is within this many points of the published one-decimal percentage, so
it shows as published whichever way it is rounded."""
MONEY_STEP: Final = 100_000
"""Generated amounts are whole hundreds of thousands of đồng, as people give and pay them."""

_TITLE_KEYS: Final = {
    "cong_dan_hoc_tap": NominationKind.CITIZEN,
    "gia_dinh_hoc_tap": NominationKind.FAMILY,
    "dong_ho_hoc_tap": NominationKind.CLAN,
    "cong_dong_hoc_tap_thon": NominationKind.VILLAGE_COMMUNITY,
    "don_vi_hoc_tap": NominationKind.LEARNING_UNIT,
    "cong_dong_hoc_tap_xa": NominationKind.COMMUNE_COMMUNITY,
}
"""The published file's title keys."""
_FUNDS_KEY: Final = re.compile(r"funds_(\d{4})_(\d{4})")
_SCALED_TITLES: Final = (NominationKind.CITIZEN, NominationKind.FAMILY)
"""Titles counted in people or households, which `fraction` scales; the others are counted in
clans, villages, agencies and communes, which it keeps, like the branches."""


# --- Published figures and what to generate ---------------------------------------------------


@dataclass(frozen=True)
class Published:
    """The province's 2023 report, as data/thai_binh_2023_figures.json gives it."""

    year: int
    population: int
    """Implied by the members and their share."""
    members: int
    member_percent: float
    district_percent: Mapping[str, float]
    titles: Mapping[NominationKind, tuple[int, float, int]]
    """Recognised count, percentage, implied denominator."""
    branches: int
    committees: int
    funds_years: tuple[int, int]
    raised: int
    """At least this many đồng over `funds_years`."""
    awarded: int


def load_published(path: Path = PUBLISHED_FILE) -> Published:
    raw = json.loads(path.read_text("utf-8"))
    association = raw["association"]
    titles = {}
    for key, kind in _TITLE_KEYS.items():
        entry = raw["titles"][key]
        titles[kind] = (
            int(entry["count"]),
            float(entry["percent"]),
            int(entry["implied_denominator"]),
        )
    funds_key = next(key for key in raw if _FUNDS_KEY.fullmatch(key))
    matched = _FUNDS_KEY.fullmatch(funds_key)
    assert matched is not None
    return Published(
        year=int(str(raw["as_of"])[:4]),
        population=int(association["implied_population"]),
        members=int(association["members"]),
        member_percent=float(association["members_percent_of_population"]),
        district_percent={str(k): float(v) for k, v in raw["district_membership_percent"].items()},
        titles=titles,
        branches=int(association["branches"]),
        committees=int(association["committees"]),
        funds_years=(int(matched.group(1)), int(matched.group(2))),
        raised=int(raw[funds_key]["raised_vnd_at_least"]),
        awarded=int(raw[funds_key]["awarded_vnd_at_least"]),
    )


@dataclass(frozen=True)
class Targets:
    """What the generated province must add up to (the published figures, maybe scaled)."""

    year: int
    population: int
    members: int
    member_percent: float
    district_percent: Mapping[str, float]
    titles: Mapping[NominationKind, int]
    denominators: Mapping[NominationKind, int]
    """The province's sum of each title's denominator figure (communes: their number)."""
    percents: Mapping[NominationKind, float]
    branches: int
    villages: int
    committees: int
    funds_years: tuple[int, int]
    raised: int
    awarded: int


def shows_as(count: int, denominator: int, percent: float) -> bool:
    """Whether count/denominator reads as `percent` with one decimal, whatever the rounding."""
    return denominator > 0 and abs(100 * count / denominator - percent) < SAFE_GAP


def denominator_for(count: int, percent: float, near: int) -> int:
    """The denominator nearest `near` that makes `count` show as `percent`."""
    for step in range(max(near, 1) + 1):
        for candidate in (near + step, near - step):
            if shows_as(count, candidate, percent):
                return candidate
    raise ValueError(f"no denominator shows {count} as {percent} %")


def _money_total(at_least: float) -> int:
    """Just above `at_least`, a whole `MONEY_STEP`, and still read as the same billions with one
    decimal (443 000 000 000 → 443 022 200 000: "443 tỷ")."""
    steps = -(-round(at_least * 1.00005) // MONEY_STEP)
    return int(steps * MONEY_STEP)


def targets(published: Published, fraction: float = 1.0) -> Targets:
    """The published figures; `fraction` < 1 scales what is counted in people, households and
    đồng (for quick tests), keeping the structure: branches, clans, villages, agencies."""
    if not 0 < fraction <= 1:
        raise ValueError("fraction must be in (0, 1]")
    members = round(published.members * fraction)
    population = denominator_for(
        members, published.member_percent, round(published.population * fraction)
    )
    titles, denominators, percents = {}, {}, {}
    for kind, (count, percent, implied) in published.titles.items():
        scale = fraction if kind in _SCALED_TITLES else 1.0
        titles[kind] = round(count * scale)
        denominators[kind] = denominator_for(titles[kind], percent, round(implied * scale))
        percents[kind] = percent
    first, last = published.funds_years
    return Targets(
        year=published.year,
        population=population,
        members=members,
        member_percent=published.member_percent,
        district_percent=published.district_percent,
        titles=titles,
        denominators=denominators,
        percents=percents,
        branches=published.branches,
        villages=denominators[NominationKind.VILLAGE_COMMUNITY],
        committees=published.committees,
        funds_years=(first, last),
        raised=_money_total(published.raised * fraction),
        awarded=_money_total(published.awarded * fraction),
    )


def targets_for(
    published: Published, population: int, communes: int, names: Names, fraction: float = 1.0
) -> Targets:
    """A place of `population` people in `communes` communes that looks like the published
    province: members and every title at the published shares, branches, villages, clans,
    agencies and committees in proportion to its people (no more than `names` can name), as
    much money per head. `fraction` scales what is counted in people, households and đồng, as
    for `targets`; no district shares are imposed."""
    if not 0 < fraction <= 1 or population <= 0 or communes <= 0:
        raise ValueError("fraction in (0, 1], population and communes > 0")
    ratio = population / published.population
    members = max(1, round(published.members * ratio * fraction))
    people = denominator_for(members, published.member_percent, round(population * fraction))
    caps = {
        NominationKind.CLAN: len(names.clan_weights) * communes,
        NominationKind.LEARNING_UNIT: len(names.agencies) * communes,
    }
    titles, denominators, percents = {}, {}, {}
    for kind, (_, percent, implied) in published.titles.items():
        if kind is NominationKind.COMMUNE_COMMUNITY:
            denominator = communes
        else:
            scale = ratio * (fraction if kind in _SCALED_TITLES else 1.0)
            denominator = min(max(1, round(implied * scale)), caps.get(kind, implied))
        if kind is NominationKind.VILLAGE_COMMUNITY:
            denominator = max(2 * communes, denominator)  # every commune has villages
        titles[kind] = min(denominator, round(denominator * percent / 100))
        denominators[kind] = denominator
        percents[kind] = percent
    villages = denominators[NominationKind.VILLAGE_COMMUNITY]
    published_villages = published.titles[NominationKind.VILLAGE_COMMUNITY][2]
    others = round((published.branches - published_villages) * ratio)
    first, last = published.funds_years
    return Targets(
        year=published.year,
        population=people,
        members=members,
        member_percent=published.member_percent,
        district_percent={},
        titles=titles,
        denominators=denominators,
        percents=percents,
        branches=villages + min(others, len(names.other_branches) * communes),
        villages=villages,
        committees=max(communes, round(published.committees * ratio)),
        funds_years=(first, last),
        raised=_money_total(published.raised * ratio * fraction),
        awarded=_money_total(published.awarded * ratio * fraction),
    )


# --- Splitting totals -------------------------------------------------------------------------


def allocate(
    total: int,
    weights: Sequence[float],
    *,
    caps: Sequence[int] | None = None,
    minimum: int = 0,
) -> list[int]:
    """Split `total` into whole parts proportional to `weights` (largest remainder), each at
    least `minimum` and at most its cap; the parts always add up to `total` exactly."""
    size = len(weights)
    limits = list(caps) if caps is not None else [total] * size
    if len(limits) != size or any(w < 0 for w in weights):
        raise ValueError("weights and caps must match and weights be >= 0")
    if minimum * size > total or any(cap < minimum for cap in limits):
        raise ValueError(f"cannot give each of {size} parts {minimum} out of {total}")
    if sum(limits) < total:
        raise ValueError(f"caps add up to {sum(limits)} < {total}")
    parts = [minimum] * size
    left = total - minimum * size
    room = [cap - minimum for cap in limits]
    active = [i for i in range(size) if room[i] > 0 and weights[i] > 0]
    if left and not active:  # nothing weighted has room: spread over what has room
        active = [i for i in range(size) if room[i] > 0]
        weights = [1.0] * size
    while left and active:
        mass = sum(weights[i] for i in active)
        full = [i for i in active if left * weights[i] / mass >= room[i]]
        if not full:
            break
        for i in full:
            parts[i] += room[i]
            left -= room[i]
            room[i] = 0
        active = [i for i in active if room[i] > 0]
    if left and not active:
        return allocate(total, [0.0] * size, caps=limits, minimum=minimum)  # spread evenly
    if left:
        mass = sum(weights[i] for i in active)
        quotas = {i: left * weights[i] / mass for i in active}
        floors = {i: min(int(q), room[i]) for i, q in quotas.items()}
        spare = left - sum(floors.values())
        order = sorted(active, key=lambda i: (floors[i] - quotas[i], i))
        for i in order:
            parts[i] += floors[i]
        for i in order:
            if spare <= 0:
                break
            if parts[i] < limits[i]:
                parts[i] += 1
                spare -= 1
        if spare:
            raise AssertionError("allocation lost units")  # pragma: no cover
    return parts


def _floor(wanted: int, parts: int, total: int) -> int:
    """`wanted` as a minimum per part when the total allows it, else 0."""
    return wanted if wanted * parts <= total else 0


# --- Names ------------------------------------------------------------------------------------


class Weighted:
    """Words drawn by weight, with their folded forms ready."""

    def __init__(self, weights: Mapping[str, float]) -> None:
        self.words = tuple(weights)
        self.folded = tuple(fold(word) for word in self.words)
        running, cumulative = 0.0, []
        for word in self.words:
            running += float(weights[word])
            cumulative.append(running)
        self._cumulative = cumulative
        self._total = running

    def index(self, rng: random.Random) -> int:
        return bisect.bisect_right(self._cumulative, rng.random() * self._total)


GENDERS: Final = ("male", "female")


class Names:
    """data/demo_names.json: names of people, clans, branches, agencies and donors."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self.families = Weighted(raw["family_names"])
        self.middles = {g: Weighted(raw["middle_names"][g]) for g in GENDERS}
        self.givens = {g: Weighted(dict.fromkeys(raw["given_names"][g], 1.0)) for g in GENDERS}
        clan_weights = {
            f"{family} {middle}": float(weight)
            for family, weight in raw["family_names"].items()
            for middle in raw["clan_middle_names"]
        }
        self.clan_weights: Mapping[str, float] = clan_weights
        self.clan_picker = Weighted(clan_weights)
        self.types: Mapping[str, str] = raw["commune_types"]
        self.other_branches: Sequence[Mapping[str, str]] = raw["other_branches"]
        self.agencies: Sequence[str] = raw["agencies"]
        self.household_prefix = {
            g: fold(raw["family_subjects"][g].format(name="")) for g in GENDERS
        }
        """"Hộ ông {name}" → "ho ong": a household subject folds as this plus the name."""

    @classmethod
    def load(cls, path: Path = NAMES_FILE) -> Names:
        return cls(json.loads(path.read_text("utf-8")))

    def person(self, rng: random.Random, gender: str) -> tuple[str, str]:
        """(full name, folded) such as ("Phạm Thị Hương", "pham thi huong")."""
        f = self.families.index(rng)
        middle, given = self.middles[gender], self.givens[gender]
        m, g = middle.index(rng), given.index(rng)
        return (
            f"{self.families.words[f]} {middle.words[m]} {given.words[g]}",
            f"{self.families.folded[f]} {middle.folded[m]} {given.folded[g]}",
        )

    def clans(self, rng: random.Random, count: int) -> list[str]:
        """`count` different clans, common family names more likely (weighted sampling)."""
        keyed = sorted(
            self.clan_weights, key=lambda clan: -(rng.random() ** (1 / self.clan_weights[clan]))
        )
        return keyed[:count]


# --- The plan: what each commune gets ---------------------------------------------------------


@dataclass(frozen=True)
class Commune:
    id: int
    code: str
    name: str
    kind: UnitKind
    district: str
    path: str


@dataclass(frozen=True)
class BranchPlan:
    name: str
    kind: UnitKind
    members: int
    clan: str = ""
    """A clan branch's clan ("Nguyễn Đình"), which also keeps a clan fund."""


@dataclass(frozen=True)
class CommunePlan:
    commune: Commune
    figures: Mapping[Figure, int]
    """For the report year: population and every title's denominator."""
    members: int
    titles: Mapping[NominationKind, int]
    """Recognised for the report year."""
    branches: tuple[BranchPlan, ...]
    clans: tuple[str, ...]
    agencies: tuple[str, ...]

    @property
    def type_word(self) -> str:
        return type_word(self.commune.kind)


def type_word(kind: UnitKind) -> str:
    """The key of data/demo_names.json's `commune_types` for a commune, ward or township."""
    return {UnitKind.WARD: "ward", UnitKind.TOWNSHIP: "township"}.get(kind, "commune")


DENOMINATOR_FIGURES: Final = {
    NominationKind.CITIZEN: Figure.CITIZENS,
    NominationKind.FAMILY: Figure.HOUSEHOLDS,
    NominationKind.CLAN: Figure.CLANS,
    NominationKind.VILLAGE_COMMUNITY: Figure.VILLAGES,
    NominationKind.LEARNING_UNIT: Figure.AGENCIES,
}
"""As `stats.DENOMINATORS`; the commune title counts communes, not a figure."""


def jittered(rng: random.Random, values: Sequence[float], low: float, high: float) -> list[float]:
    return [value * rng.uniform(low, high) for value in values]


def _district_members(
    communes: Sequence[Commune], population: Sequence[int], goal: Targets, rng: random.Random
) -> list[int]:
    """Members per commune: the districts the report names at their published share, the
    rest of the province sharing what is left."""
    published = {fold(name): percent for name, percent in goal.district_percent.items()}
    groups: dict[str, list[int]] = {}
    for index, commune in enumerate(communes):
        groups.setdefault(commune.district, []).append(index)
    members = [0] * len(communes)
    free: list[int] = []
    fixed = 0
    for district, indices in groups.items():
        percent = published.get(fold(district))
        if percent is None:
            free += indices
            continue
        people_there = sum(population[i] for i in indices)
        total = round(people_there * percent / 100)
        if not shows_as(total, people_there, percent):
            raise ValueError(f"{district} is too small to show {percent} %")
        weights = jittered(rng, [population[i] for i in indices], 0.9, 1.1)
        shares = allocate(total, weights, caps=[population[i] for i in indices])
        for i, share in zip(indices, shares, strict=True):
            members[i] = share
        fixed += total
    weights = jittered(rng, [population[i] for i in free], 0.85, 1.15)
    shares = allocate(goal.members - fixed, weights, caps=[population[i] for i in free])
    for i, share in zip(free, shares, strict=True):
        members[i] = share
    return members


def _branches(
    commune: Commune,
    words: Mapping[str, str],
    villages: int,
    others: int,
    clans: Sequence[str],
    members: int,
    names: Names,
    rng: random.Random,
) -> tuple[BranchPlan, ...]:
    """Its villages or residential groups ("Thôn 3", "Tổ dân phố 3"), then a school, a clan, …"""
    is_ward = commune.kind in (UnitKind.WARD, UnitKind.TOWNSHIP)
    village_kind = UnitKind.RESIDENTIAL_GROUP if is_ward else UnitKind.VILLAGE
    template = names.raw["residential_group_branch" if is_ward else "village_branch"]
    shapes = [(template.format(n=n), village_kind, "") for n in range(1, villages + 1)]
    clan_names = iter(clans)
    for entry in names.other_branches[:others]:
        kind = UnitKind(entry["kind"])
        clan = next(clan_names) if kind is UnitKind.CLAN else ""
        name = entry["name"].format(**words, clan=clan)
        shapes.append((name, kind, clan))
    weights = [
        (1.0 if kind is village_kind else 0.35) * rng.uniform(0.7, 1.3) for _, kind, _ in shapes
    ]
    counts = allocate(members, weights)
    return tuple(
        BranchPlan(name=name, kind=kind, members=count, clan=clan)
        for (name, kind, clan), count in zip(shapes, counts, strict=True)
    )


def plan_province(
    communes: Sequence[Commune], goal: Targets, names: Names, rng: random.Random
) -> list[CommunePlan]:
    """Every commune's figures, members, recognised titles and branches, so that the province
    (and each district the report names) adds up to `goal` exactly. No database."""
    count = len(communes)
    if goal.titles[NominationKind.COMMUNE_COMMUNITY] > count:
        raise ValueError("more commune titles than communes")
    size = [rng.uniform(0.6, 1.6) * (1.0 if c.kind is UnitKind.COMMUNE else 1.3) for c in communes]
    population = allocate(goal.population, size)
    members = _district_members(communes, population, goal, rng)
    denominators = {
        NominationKind.CITIZEN: allocate(
            goal.denominators[NominationKind.CITIZEN],
            jittered(rng, population, 0.95, 1.05),
            caps=population,
        ),
        NominationKind.FAMILY: allocate(
            goal.denominators[NominationKind.FAMILY],
            jittered(rng, population, 0.95, 1.05),
            caps=population,
        ),
    }
    clan_branches = sum(1 for entry in names.other_branches if entry["kind"] == UnitKind.CLAN)
    clan_total = goal.denominators[NominationKind.CLAN]
    clan_total = min(clan_total, len(names.clan_weights) * count)
    denominators[NominationKind.CLAN] = allocate(
        clan_total,
        size,
        minimum=_floor(clan_branches, count, clan_total),
        caps=[len(names.clan_weights)] * count,
    )
    villages = allocate(goal.villages, size, minimum=_floor(2, count, goal.villages))
    denominators[NominationKind.VILLAGE_COMMUNITY] = villages
    agency_total = min(goal.denominators[NominationKind.LEARNING_UNIT], len(names.agencies) * count)
    denominators[NominationKind.LEARNING_UNIT] = allocate(
        agency_total,
        size,
        minimum=_floor(2, count, agency_total),
        caps=[len(names.agencies)] * count,
    )
    denominators[NominationKind.COMMUNE_COMMUNITY] = [1] * count
    other_total = goal.branches - goal.villages
    if other_total < 0:
        raise ValueError("fewer branches than villages")
    other_caps = [
        min(len(names.other_branches), clans) for clans in denominators[NominationKind.CLAN]
    ]
    other_total = min(other_total, sum(other_caps))  # only ever less for a place `targets_for` made
    others = allocate(other_total, size, minimum=_floor(1, count, other_total), caps=other_caps)
    committees = allocate(goal.committees, size, minimum=_floor(1, count, goal.committees))
    titles = {
        kind: allocate(
            goal.titles[kind],
            jittered(rng, denominators[kind], 0.85, 1.15),
            caps=denominators[kind],
        )
        for kind in NominationKind
    }
    plans = []
    for i, commune in enumerate(communes):
        words = {"commune": commune.name, "type": names.types[type_word(commune.kind)]}
        clans = tuple(names.clans(rng, denominators[NominationKind.CLAN][i]))
        agencies = tuple(
            template.format(**words)
            for template in names.agencies[: denominators[NominationKind.LEARNING_UNIT][i]]
        )
        figures = {Figure.POPULATION: population[i], Figure.COMMITTEES: committees[i]}
        for kind, figure in DENOMINATOR_FIGURES.items():
            figures[figure] = denominators[kind][i]
        plans.append(
            CommunePlan(
                commune=commune,
                figures=figures,
                members=members[i],
                titles={kind: titles[kind][i] for kind in NominationKind},
                branches=_branches(
                    commune, words, villages[i], others[i], clans, members[i], names, rng
                ),
                clans=clans,
                agencies=agencies,
            )
        )
    return plans
