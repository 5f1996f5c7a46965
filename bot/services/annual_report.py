"""The numbers of the province's yearly report paragraph (`/report [year]`), as data.

The published report reads, e.g., "322.726 Công dân học tập (26,8 %) … 670.479 hội viên,
35,2 % dân số, 2.554 chi hội, 6.337 ban khuyến học; 2019–2024 huy động 443 tỷ, chi 397 tỷ".
The handler phrases it through gettext; this module only gathers the numbers, from
`stats.compute` (so from counters, baselines and figures), on the map `stats` chooses for the
year or the one asked for: `/report 2023` of today's province is old Thái Bình's published
paragraph by default, and the same figures regrouped on today's map on request.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.services import stats
from bot.services.figures import Figure
from bot.services.map_views import MapView
from bot.services.national_targets import NationalTarget
from bot.services.regroup import MapChoice
from bot.storage.db import Database, Tx
from bot.storage.models import Unit
from bot.storage.records import NominationKind


@dataclass(frozen=True)
class TitleLine:
    kind: NominationKind
    count: int
    """Recognised for the report's year, baselines included."""
    denominator: int | None
    percent: float | None
    target: float | None
    """The province's own target for the year, if it set one."""
    national: NationalTarget | None = None
    """The national programme's target the rate is measured against, if any."""


@dataclass(frozen=True)
class UnitShare:
    """A sub-unit's membership, for "Đông Hưng 38,4 %"."""

    unit: Unit
    members: int
    share: float | None


@dataclass(frozen=True)
class AnnualReport:
    unit: Unit
    year: int
    titles: tuple[TitleLine, ...]
    """Every title kind, in `NominationKind` order (as the report lists them)."""
    members: int
    """At the end of `year`."""
    population: int | None
    member_share: float | None
    districts: int
    communes: int
    branches: int
    committees: int | None
    """Ban khuyến học, when the figure is known."""
    funds_start_year: int
    funds_end_year: int
    raised: int
    awarded: int
    sub_unit_shares: tuple[UnitShare, ...]
    map: MapView
    """The map of the year's figures (`unit` is the one shown: old Thái Bình for today's
    province on the map of 2023)."""


async def build(
    db: Database | Tx,
    unit: Unit,
    year: int,
    *,
    funds_since: int | None = None,
    funds_until: int | None = None,
    map_choice: MapChoice | None = None,
) -> AnnualReport:
    """The report of `unit` for `year`; funds over `funds_since..funds_until` (default: that
    year; a term report gives the term, which may end after `year`, e.g. 2019–2024). The
    funds follow the map of the year's figures, so one answer is on one map."""
    start = year if funds_since is None else funds_since
    end = year if funds_until is None else funds_until
    scope = await stats.compute(
        db, unit, start_year=min(start, year), end_year=year, map_choice=map_choice
    )
    money = scope.funds
    if (start, end) != (scope.start_year, scope.end_year):
        money = (
            await stats.compute(
                db, unit, start_year=start, end_year=end, map_choice=scope.map.choice
            )
        ).funds
    return AnnualReport(
        unit=scope.unit,
        year=year,
        titles=tuple(
            TitleLine(
                kind=line.kind,
                count=line.recognised,
                denominator=line.denominator,
                percent=line.percent,
                target=line.target,
                national=line.national,
            )
            for line in scope.titles.values()
        ),
        members=scope.members.total,
        population=scope.members.population,
        member_share=scope.members.share,
        districts=scope.districts,
        communes=scope.communes,
        branches=scope.branches,
        committees=scope.figures[Figure.COMMITTEES],
        funds_start_year=start,
        funds_end_year=end,
        raised=money.raised,
        awarded=money.awarded,
        sub_unit_shares=tuple(
            UnitShare(unit=line.unit, members=line.members.total, share=line.members.share)
            for line in scope.sub_units
        ),
        map=scope.map,
    )
