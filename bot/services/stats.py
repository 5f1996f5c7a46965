"""Statistics of a scope (province, district, commune or branch) over a period of years.

`compute` reads only `stat_counter` rows of the scope and of its children (primary-key reads),
a small read of figures and one of the structure; `full_scan` derives the same numbers from
the raw report and baseline tables, for the benchmark and as the tests' cross-check. Both feed
one assembly, so they differ only in where the numbers come from.

**Either map** (docs/map-change.md, `map_views`): a period before the year today's map began
is shown by default on the map of its year (today's province for 2023 is old Thái Bình by its
old districts, a commune its former communes), and on request on today's map, each unit of
today with the counters of the ended units that went to it (`regroup`); later periods are on
today's map. `ScopeStats.map` says which, and which split communes were counted by the rule.

Definitions, for a period `start_year..end_year`:

* **Members at the end of the period**: the scope's latest members baseline in a year
  B ≤ end_year (the sum of its units' year-end totals for B), plus the members reported in the
  bot who joined after B and no later than end_year (all of them when there is no baseline).
  Import members baselines for the same year across a scope: units on older baselines are
  left out of the scope's B. **New in the period**: members reported who joined in the period.
* **Titles** are annual recognitions, so a period reports its last year: recognised = baseline
  for end_year + recognised in the bot for end_year; pending is counted apart; withdrawn and
  rejected nominations count nowhere. The denominator is the figure of `DENOMINATORS` (the
  communes of the hierarchy for the commune learning community title).
* **Funds** add up every year of the period, baselines included (`baseline_raised` and
  `baseline_awarded` say how much came from them; campaigns and donor kinds cover the bot's
  records only, so their sums plus the baseline equal `raised`). Balance = raised − awarded
  over the period.
* Percentages are floats, 0..100 (or above when counts outrun an old denominator), None when
  the denominator is unknown or zero.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Final

from bot.services import counters, hierarchy, map_views, national_targets, regroup, scopes
from bot.services.figures import MEMBERS_SHARE, Figure, Resolved, target, target_percent
from bot.services.map_views import MapView, Plan
from bot.services.national_targets import NationalTarget
from bot.services.regroup import MapChoice, Regrouping
from bot.storage import statistics
from bot.storage import units as unit_store
from bot.storage.db import Database, Tx
from bot.storage.models import Grant, Level, Unit
from bot.storage.records import Campaign, DonorKind, NominationKind, NominationStatus
from bot.storage.statistics import Shape, Values
from bot.text import fold

AREA: Final = "area"
"""The shape key of middle-level units that are areas (cụm), not districts."""

DENOMINATORS: Final[Mapping[NominationKind, Figure | None]] = {
    NominationKind.CITIZEN: Figure.CITIZENS,
    NominationKind.FAMILY: Figure.HOUSEHOLDS,
    NominationKind.CLAN: Figure.CLANS,
    NominationKind.VILLAGE_COMMUNITY: Figure.VILLAGES,
    NominationKind.LEARNING_UNIT: Figure.AGENCIES,
    NominationKind.COMMUNE_COMMUNITY: None,
}
"""What each title is a percentage of; None: the number of communes in the hierarchy."""

_RECOGNISED: Final = {
    kind: counters.title(kind, NominationStatus.RECOGNISED) for kind in NominationKind
}
_PENDING: Final = {kind: counters.title(kind, NominationStatus.PENDING) for kind in NominationKind}
_MEMBERS_BASELINE: Final = counters.baseline(counters.MEMBERS_TOTAL)
_MEMBERS_BASELINE_UNITS: Final = counters.baseline_units(counters.MEMBERS_TOTAL)
_RAISED_BASELINE: Final = counters.baseline(counters.FUND_RAISED)
_AWARDED_BASELINE: Final = counters.baseline(counters.FUND_AWARDED)

# What a line of the sub-unit table shows, so only these are read for it: members (every
# year, for the latest baseline and who joined since), titles of the last year, money.
_SUB_UNIT_EVERY_YEAR: Final = (counters.MEMBERS_NEW, _MEMBERS_BASELINE, _MEMBERS_BASELINE_UNITS)
_SUB_UNIT_LAST_YEAR: Final = (
    *_RECOGNISED.values(),
    *_PENDING.values(),
    *(counters.baseline(name) for name in _RECOGNISED.values()),
)
_SUB_UNIT_IN_PERIOD: Final = (
    counters.FUND_RAISED,
    counters.FUND_AWARDED,
    _RAISED_BASELINE,
    _AWARDED_BASELINE,
)


@dataclass(frozen=True)
class MemberStats:
    total: int
    """Members at the end of the period."""
    baseline_year: int | None
    """The year of the members baseline `total` starts from (None: no baseline)."""
    baseline: int
    new_in_period: int
    """Members reported in the bot who joined within the period."""
    population: int | None
    share: float | None
    """`total` as a percentage of the population."""
    target_share: float | None


@dataclass(frozen=True)
class TitleStats:
    kind: NominationKind
    year: int
    """The period's last year: titles are recognised year by year."""
    recognised: int
    """Baseline plus bot."""
    baseline: int
    pending: int
    denominator: int | None
    percent: float | None
    target: float | None
    """Planned percentage, if set."""
    national: NationalTarget | None = None
    """The national programme's target for the year (`national_targets`), if there is one."""


@dataclass(frozen=True)
class FundStats:
    raised: int
    awarded: int
    balance: int
    baseline_raised: int
    baseline_awarded: int
    raised_by_campaign: Mapping[Campaign, int]
    """Bot records only; every campaign, zeros included."""
    raised_by_donor: Mapping[DonorKind, int]
    contributions: int
    awards: int


@dataclass(frozen=True)
class SubUnitStats:
    """One line of the sub-unit table: a child's core figures over the same period."""

    unit: Unit
    members: MemberStats
    branches: int
    titles: Mapping[NominationKind, TitleStats]
    raised: int
    awarded: int


@dataclass(frozen=True)
class Coverage:
    """How many of the scope's sub-units a number covers, when it covers only some."""

    covered: int
    of: int


@dataclass(frozen=True)
class ScopeStats:
    unit: Unit
    start_year: int
    end_year: int
    members: MemberStats
    districts: int
    areas: int
    """Middle-level units that are areas (cụm) on a map without districts."""
    communes: int
    branches: int
    """Units of each level under the scope (a unit counts itself): today's in force, or
    those of the map of `end_year` when the answer is on that map."""
    titles: Mapping[NominationKind, TitleStats]
    funds: FundStats
    figures: Mapping[str, int | None]
    """The scope's figures resolved for end_year (see `figures`)."""
    sub_units: tuple[SubUnitStats, ...]
    """Children in force (on the map of the year: the children of that map, or the parts),
    alphabetical; rank them with `ranked`."""
    map: MapView
    """Which map the answer is on (see `map_views`)."""
    reported: Coverage | None = None
    """Sub-units with records in the period, when some have none ("38/104 xã")."""
    population_covers: Coverage | None = None
    """Sub-units whose population is known, when the scope's is only theirs added up: the
    members' share is then of those sub-units' members."""
    denominators_cover: Mapping[NominationKind, Coverage] = field(default_factory=dict)
    """Likewise for each title's denominator: the rate is of those sub-units' titles."""


def percent(count: int, denominator: int | None) -> float | None:
    if not denominator:
        return None
    return 100 * count / denominator


def _check_period(start_year: int, end_year: int) -> None:
    if start_year > end_year:
        raise ValueError(f"empty period {start_year}..{end_year}")


def _sum(values: Values, indicator: str, start_year: int, end_year: int) -> int:
    return sum(values.get((year, indicator), 0) for year in range(start_year, end_year + 1))


def _members(values: Values, resolved: Resolved, start_year: int, end_year: int) -> MemberStats:
    baseline_year = max(
        (year for year, name in values if name == _MEMBERS_BASELINE_UNITS and year <= end_year),
        default=None,
    )
    baseline = 0 if baseline_year is None else values.get((baseline_year, _MEMBERS_BASELINE), 0)
    joined_after = sum(
        value
        for (year, name), value in values.items()
        if name == counters.MEMBERS_NEW
        and year <= end_year
        and (baseline_year is None or year > baseline_year)
    )
    total = baseline + joined_after
    population = resolved[Figure.POPULATION]
    return MemberStats(
        total=total,
        baseline_year=baseline_year,
        baseline=baseline,
        new_in_period=_sum(values, counters.MEMBERS_NEW, start_year, end_year),
        population=population,
        share=percent(total, population),
        target_share=target_percent(resolved[target(MEMBERS_SHARE)]),
    )


def _titles(
    values: Values, resolved: Resolved, communes: int | None, year: int
) -> dict[NominationKind, TitleStats]:
    found = {}
    for kind in NominationKind:
        baseline = values.get((year, counters.baseline(_RECOGNISED[kind])), 0)
        recognised = baseline + values.get((year, _RECOGNISED[kind]), 0)
        figure = DENOMINATORS[kind]
        denominator = communes if figure is None else resolved[figure]
        found[kind] = TitleStats(
            kind=kind,
            year=year,
            recognised=recognised,
            baseline=baseline,
            pending=values.get((year, _PENDING[kind]), 0),
            denominator=denominator,
            percent=percent(recognised, denominator),
            target=target_percent(resolved[target(kind)]),
            national=national_targets.for_year(kind, year) if denominator else None,
        )
    return found


def _raised_awarded(values: Values, start_year: int, end_year: int) -> tuple[int, int]:
    """Raised and awarded over the period, baselines included: all a sub-unit line shows."""
    raised = _sum(values, counters.FUND_RAISED, start_year, end_year)
    awarded = _sum(values, counters.FUND_AWARDED, start_year, end_year)
    return (
        raised + _sum(values, _RAISED_BASELINE, start_year, end_year),
        awarded + _sum(values, _AWARDED_BASELINE, start_year, end_year),
    )


def _funds(values: Values, start_year: int, end_year: int) -> FundStats:
    def total(indicator: str) -> int:
        return _sum(values, indicator, start_year, end_year)

    baseline_raised, baseline_awarded = total(_RAISED_BASELINE), total(_AWARDED_BASELINE)
    raised = total(counters.FUND_RAISED) + baseline_raised
    awarded = total(counters.FUND_AWARDED) + baseline_awarded
    return FundStats(
        raised=raised,
        awarded=awarded,
        balance=raised - awarded,
        baseline_raised=baseline_raised,
        baseline_awarded=baseline_awarded,
        raised_by_campaign={c: total(counters.raised_by_campaign(c)) for c in Campaign},
        raised_by_donor={d: total(counters.raised_by_donor(d)) for d in DonorKind},
        contributions=total(counters.CONTRIBUTIONS),
        awards=total(counters.AWARDS),
    )


def _communes(unit: Unit, shape: Shape) -> int | None:
    """Denominator of the commune title: none below a commune."""
    return None if unit.level is Level.BRANCH else shape.get(Level.COMMUNE, 0)


def _merged(parts: Sequence[Values]) -> Values:
    """The counters of several units added up."""
    if len(parts) == 1:
        return parts[0]
    total: Values = {}
    for part in parts:
        for key, value in part.items():
            total[key] = total.get(key, 0) + value
    return {key: value for key, value in total.items() if value}


async def _assemble(
    db: Database | Tx,
    maps: Regrouping,
    plan: Plan,
    values: Sequence[Values],
    start_year: int,
    end_year: int,
) -> ScopeStats:
    """One statistic from the counters of each line of `plan` (the scope's first)."""
    resolved = await map_views.resolved(db, maps, plan, end_year)
    shapes = await map_views.shapes(db, maps, plan, end_year)
    sub_units = []
    for line, own, figured, shape in zip(
        plan.subs, values[1:], resolved[1:], shapes[1:], strict=True
    ):
        raised, awarded = _raised_awarded(own, start_year, end_year)
        sub_units.append(
            SubUnitStats(
                unit=line.unit,
                members=_members(own, figured, start_year, end_year),
                branches=shape.get(Level.BRANCH, 0),
                titles=_titles(own, figured, _communes(line.unit, shape), end_year),
                raised=raised,
                awarded=awarded,
            )
        )
    unit, own, figured, shape = plan.scope.unit, values[0], resolved[0], shapes[0]
    members = _members(own, figured, start_year, end_year)
    titles = _titles(own, figured, _communes(unit, shape), end_year)
    population_covers = _partly(figured, resolved[1:], Figure.POPULATION)
    if population_covers is not None:
        with_population = [
            sub
            for sub, r in zip(sub_units, resolved[1:], strict=True)
            if r[Figure.POPULATION] is not None
        ]
        covered_members = sum(sub.members.total for sub in with_population)
        members = replace(members, share=percent(covered_members, members.population))
    denominators_cover = {}
    for kind, title in titles.items():
        figure = DENOMINATORS[kind]
        covers = None if figure is None else _partly(figured, resolved[1:], figure)
        if covers is None:
            continue
        denominators_cover[kind] = covers
        counted = sum(
            sub.titles[kind].recognised
            for sub, r in zip(sub_units, resolved[1:], strict=True)
            if figure is not None and r[figure] is not None
        )
        titles[kind] = replace(title, percent=percent(counted, title.denominator))
    reported = sum(1 for part in values[1:] if _has_records(part, start_year, end_year))
    return ScopeStats(
        unit=unit,
        start_year=start_year,
        end_year=end_year,
        members=members,
        districts=shape.get(Level.DISTRICT, 0),
        areas=shape.get(AREA, 0),
        communes=shape.get(Level.COMMUNE, 0),
        branches=shape.get(Level.BRANCH, 0),
        titles=titles,
        funds=_funds(own, start_year, end_year),
        figures=figured,
        sub_units=tuple(sub_units),
        map=plan.view,
        reported=Coverage(reported, len(sub_units)) if 0 < len(sub_units) != reported else None,
        population_covers=population_covers,
        denominators_cover=denominators_cover,
    )


def _partly(scope: Resolved, parts: Sequence[Resolved], figure: str) -> Coverage | None:
    """The sub-units that know `figure`, when the scope's value is only theirs added up (it
    has none of its own) and some do not know it."""
    known = [value for part in parts if (value := part[figure]) is not None]
    if not parts or len(known) == len(parts) or not known or scope[figure] != sum(known):
        return None
    return Coverage(len(known), len(parts))


_EVERY_YEAR_OR_PERIOD: Final = frozenset((*_SUB_UNIT_EVERY_YEAR, *_SUB_UNIT_IN_PERIOD))
_LAST_YEAR: Final = frozenset(_SUB_UNIT_LAST_YEAR)


def _has_records(values: Values, start_year: int, end_year: int) -> bool:
    """Something of the period among what a sub-unit line shows (both ways of reading the
    counters hold these): members and money of the period, titles of its last year."""
    return any(
        value
        and (
            (name in _EVERY_YEAR_OR_PERIOD and start_year <= year <= end_year)
            or (name in _LAST_YEAR and year == end_year)
        )
        for (year, name), value in values.items()
    )


async def _plan(
    db: Database | Tx, unit: Unit, start_year: int, end_year: int, map_choice: MapChoice | None
) -> tuple[Regrouping, Plan]:
    _check_period(start_year, end_year)
    maps = await regroup.load(db)
    if not maps.trivial:  # as the maps hold it, with its dates
        unit = maps.units.get(unit.id) or await unit_store.get(db, unit.id) or unit
    return maps, await map_views.plan(db, maps, unit, start_year, end_year, map_choice)


async def compute(
    db: Database | Tx,
    unit: Unit,
    *,
    start_year: int,
    end_year: int,
    map_choice: MapChoice | None = None,
) -> ScopeStats:
    """The scope's statistics from the counters of its lines' sources (no scan of records),
    on `map_choice`'s map (None: the default for the period, see `regroup`)."""
    maps, plan = await _plan(db, unit, start_year, end_year, map_choice)
    whole, lines = await statistics.line_counters(
        db,
        [source.id for source in plan.scope.sources],
        [source.id for line in plan.subs for source in line.sources],
        start_year,
        end_year,
        flow=counters.MEMBERS_NEW,
        stock_units=_MEMBERS_BASELINE_UNITS,
        every_year=_SUB_UNIT_EVERY_YEAR,
        last_year=_SUB_UNIT_LAST_YEAR,
        in_period=_SUB_UNIT_IN_PERIOD,
    )
    values = [
        _merged([whole[s.id] for s in plan.scope.sources]),
        *(_merged([lines[s.id] for s in line.sources]) for line in plan.subs),
    ]
    return await _assemble(db, maps, plan, values, start_year, end_year)


async def sub_units_of(
    db: Database | Tx,
    unit: Unit,
    *,
    start_year: int,
    end_year: int,
    map_choice: MapChoice | None = None,
) -> tuple[Unit, tuple[Unit, ...]]:
    """The unit an answer is about (old Thái Bình for today's province on the map of 2023) and
    its sub-units on that map, alphabetical: what a list of them offers."""
    _, plan = await _plan(db, unit, start_year, end_year, map_choice)
    return plan.scope.unit, tuple(line.unit for line in plan.subs)


async def full_scan(
    db: Database | Tx,
    unit: Unit,
    *,
    start_year: int,
    end_year: int,
    map_choice: MapChoice | None = None,
) -> ScopeStats:
    """`compute`'s result derived from the raw report and baseline tables: by path prefix on a
    map that never changed, else through the ancestors of each record's unit on the map of the
    record's year (`map_views.mapping`)."""
    maps, plan = await _plan(db, unit, start_year, end_year, map_choice)
    if maps.trivial:
        index = {line.unit.id: number for number, line in enumerate(plan.lines)}
        scanned = await statistics.scan(db, unit.id, unit.path, end_year)
        scanned = {
            kind: [(index[int(row[0])], *row[1:]) for row in rows if int(row[0]) in index]
            for kind, rows in scanned.items()
        }
    else:
        mapped = await map_views.mapping(db, maps, plan, end_year)
        scanned = await statistics.scan_mapped(db, mapped, end_year)
    values: list[Values] = [{} for _ in plan.lines]

    def add(line: object, year: object, indicator: str, amount: object) -> None:
        if amount:
            own = values[int(str(line))]
            key = (int(str(year)), indicator)
            own[key] = own.get(key, 0) + int(str(amount))

    for line, year, count in scanned["member"]:
        add(line, year, counters.MEMBERS_NEW, count)
    for line, year, kind, status, count in scanned["nomination"]:
        name = counters.title(NominationKind(kind), NominationStatus(status))
        add(line, year, name, count)
    for line, year, campaign, donor_kind, amount, count in scanned["contribution"]:
        add(line, year, counters.FUND_RAISED, amount)
        add(line, year, counters.raised_by_campaign(Campaign(campaign)), amount)
        add(line, year, counters.raised_by_donor(DonorKind(donor_kind)), amount)
        add(line, year, counters.CONTRIBUTIONS, count)
    for line, year, amount, count in scanned["award"]:
        add(line, year, counters.FUND_AWARDED, amount)
        add(line, year, counters.AWARDS, count)
    for line, year, indicator, amount, count in scanned["baseline"]:
        add(line, year, counters.baseline(indicator), amount)
        if indicator in counters.STOCK_BASELINES:
            add(line, year, counters.baseline_units(indicator), count)
    values = [{key: value for key, value in own.items() if value} for own in values]
    return await _assemble(db, maps, plan, values, start_year, end_year)


# --- Ranking ----------------------------------------------------------------------------------


class RankBy(StrEnum):
    MEMBERS = "members"
    MEMBER_SHARE = "member_share"
    RAISED = "raised"
    AWARDED = "awarded"


def _metric(by: RankBy | NominationKind) -> Callable[[SubUnitStats], float | None]:
    if isinstance(by, NominationKind):
        return lambda line: line.titles[by].percent
    metrics: dict[RankBy, Callable[[SubUnitStats], float | None]] = {
        RankBy.MEMBERS: lambda line: line.members.total,
        RankBy.MEMBER_SHARE: lambda line: line.members.share,
        RankBy.RAISED: lambda line: line.raised,
        RankBy.AWARDED: lambda line: line.awarded,
    }
    return metrics[by]


def ranked(sub_units: Sequence[SubUnitStats], by: RankBy | NominationKind) -> list[SubUnitStats]:
    """Best first by a count, a share or a title's percentage (`NominationKind`); lines whose
    percentage is unknown are left out. Ties keep the alphabetical order."""
    metric = _metric(by)
    known = [(value, line) for line in sub_units if (value := metric(line)) is not None]
    return [line for _, line in sorted(known, key=lambda pair: -pair[0])]


# --- Finding a scope by name ------------------------------------------------------------------

CHOICES: Final = 8
"""At most this many units are offered to choose among."""


@dataclass(frozen=True)
class UnitSearch:
    """What `/stats <name or code>` found."""

    choices: tuple[Unit, ...]
    """Units of the person's scope it names: one is the answer; several are to choose among
    (exact codes and names first, units in force before ended ones). Empty: none."""
    outside: Unit | None = None
    """When none is in scope: the first unit it names outside it."""


def _last_year(unit: Unit) -> int:
    """The last year an ended unit was on a map (at a year's end)."""
    last = regroup.last_map_year(unit)
    assert last is not None
    return last


async def find_units(db: Database | Tx, grants: Sequence[Grant], query: str) -> UnitSearch:
    """Units in force (by name, code or a former name) and ended ones (by name, code or an
    alias), each in the person's scope on the map of its time. An ended unit and one in force
    that both answer are both offered: "Liên Giang" is the old commune until 30 June 2025 and
    the commune of today that took it. A leading type word ("xã Đông Hưng") keeps the units of
    that type, when there are any (else the word is part of the name): the township of the
    same name that ended is then left out.
    The one unit named exactly is the answer among units in force that contain its name
    ("Đông Hưng" before "Bắc Đông Hưng")."""
    maps = await regroup.load(db)
    name, kind = hierarchy.split_kind_word(query)
    live_all = await unit_store.search(db, name)
    ended_all = await unit_store.find_ended(db, name)
    if kind is not None and any(u.kind is kind for u in (*live_all, *ended_all)):
        live_all = [u for u in live_all if u.kind is kind]
        ended_all = [u for u in ended_all if u.kind is kind]
        query = name
    elif kind is not None:  # the word may be part of a name ("Cụm dân cư số 1")
        whole = await unit_store.search(db, query), await unit_store.find_ended(db, query)
        if any(whole):
            live_all, ended_all = whole
        else:
            query = name
    live = [u for u in live_all if scopes.covers(grants, u)]
    ended = [u for u in ended_all if maps.may_see(grants, u, _last_year(u))]
    found = live + ended
    if not found:
        outside = next(iter(live_all or ended_all), None)
        return UnitSearch((), outside)
    code, folded = query.strip(), fold(query)
    exact_code = [u for u in found if u.code == code]
    named: list[Unit] = []
    if exact_code:
        found = exact_code
    else:
        named = [u for u in found if fold(u.name) == folded]
        found = named + [u for u in found if u not in named]
    mixed = any(u.in_force for u in found) and any(not u.in_force for u in found)
    if mixed or (len(found) > 1 and found[0].level is found[1].level and len(named) != 1):
        return UnitSearch(tuple(found[:CHOICES]))
    return UnitSearch((found[0],))
