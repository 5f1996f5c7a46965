"""The province's published 2023 report and the totals a demo must add up to (no database).

data/thai_binh_2023_figures.json gives the report (`Published`); `targets` turns it into what
the generated province must reach (`Targets`: the counts and one-decimal percentages exactly,
optionally scaled down for tests), and `targets_for` sizes a place without a history (a
commune of today's map the database knows nothing earlier of) the same way: at the published
shares, with its structure in proportion to its people. `plan.py` splits the totals over the
communes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bot.config import DATA_DIR
from bot.services.demo_data.names import Names
from bot.storage.records import NominationKind

PUBLISHED_FILE: Final = DATA_DIR / "thai_binh_2023_figures.json"
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
