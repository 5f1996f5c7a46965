"""What each commune of a demo province gets, worked out before anything is written (no
database).

`plan_province` splits the totals of `published.Targets` over the communes: population and
every title's denominator as figures, members, recognised titles, branches ("Thôn 3", a
school, a clan …), so that the province's counts and one-decimal percentages, and those of
the districts the report names, come out exactly as published. `allocate` does every split:
whole numbers that always add up to the total. The writers (`history.py`, `today.py`) turn
the plans into rows.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from bot.services.demo_data.names import Names
from bot.services.demo_data.published import Targets, shows_as
from bot.services.figures import Figure
from bot.storage.models import UnitKind
from bot.storage.records import NominationKind
from bot.text import fold


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
