"""What a statistics answer is made of on the chosen map: its lines and whose counters each adds.

A view of a scope over a period is a scope line and one line per sub-unit, each the sum of the
counters of its `sources`:

* **today's map** (`MapChoice.TODAY`): the scope and its children in force, each with the
  ended units that went to it (`Regrouping.sources`); structure and figures are today's, the
  figures of a unit for a year before it existed those of its sources.
* **the map of the year** (`MapChoice.OF_THE_YEAR`, the default before the year today's map
  began): the units of that map that made the scope up, `parts`. One part (the scope itself,
  or old Thái Bình for today's province) is shown as it was, with its sub-units of that map;
  several (a commune formed from three) are added up, each part a sub-unit. An ended unit is
  always shown on its own map.

`stats.compute` reads the counters of the sources; `stats.full_scan` counts the raw rows of
every unit whose ancestors, on the map of each record's year, include a source (`mapping`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from bot.dates import EARLIEST_DATE
from bot.services import figures
from bot.services.derived import Derived
from bot.services.figures import Resolved
from bot.services.regroup import (
    MapChoice,
    Regrouping,
    Split,
    in_force_on,
    on_map_during,
    year_end,
)
from bot.storage import statistics
from bot.storage import units as unit_store
from bot.storage.db import Database, Tx
from bot.storage.models import Level, Unit, UnitKind
from bot.storage.revisions import Revision
from bot.storage.statistics import Shape, shape_key
from bot.text import vi_sort_key


@dataclass(frozen=True)
class MapView:
    """Which map an answer is on, and what a reader must be told about it."""

    choice: MapChoice
    home: Unit
    """The unit asked about (in force, or an ended unit shown on its own map)."""
    parts: tuple[Unit, ...] = ()
    """On the map of the year: the units of that map that made `home` up (`home` itself when
    it was on it); () on today's map."""
    other: MapChoice | None = None
    """The map a button may switch to; None when both would show the same."""
    successor: Unit | None = None
    """For an ended `home`: the unit in force its figures went to."""
    splits: tuple[Split, ...] = ()
    """Split units whose figures are counted by the rule (stated with the answer)."""
    began: date | None = None
    """The day today's map began."""
    regrouped: bool = False
    """On today's map, figures of ended units are part of the answer."""

    @property
    def year_map(self) -> bool:
        """The answer is on the map of its year, as the button's other side says."""
        return self.choice is MapChoice.OF_THE_YEAR


@dataclass(frozen=True)
class Line:
    unit: Unit
    """What the line is about (its name, level, figures)."""
    sources: tuple[Unit, ...]
    """Whose counters add up to it."""


@dataclass(frozen=True)
class Plan:
    view: MapView
    scope: Line
    subs: tuple[Line, ...]
    today: bool
    """Structure and figures of today's map (else of the map of the end year)."""

    @property
    def lines(self) -> tuple[Line, ...]:
        return (self.scope, *self.subs)


async def plan(
    db: Database | Tx,
    maps: Regrouping,
    unit: Unit,
    start_year: int,
    end_year: int,
    choice: MapChoice | None,
) -> Plan:
    """The lines of `unit`'s statistics over the period on `choice`'s map (None: the default,
    `Regrouping.default_choice`)."""
    if not unit.in_force:
        successor = maps.dest(unit)
        view = MapView(
            MapChoice.OF_THE_YEAR,
            unit,
            parts=(unit,),
            other=MapChoice.TODAY if successor is not None else None,
            successor=successor,
            began=maps.began,
        )
        return await _as_it_was(db, maps, view, unit, start_year, end_year)
    change = maps.change_year
    before_change = change is not None and end_year < change and not maps.trivial
    regrouped = not maps.trivial and maps.regroups_within(unit)
    parts = tuple(u for u in (unit, *maps.sources(unit)) if on_map_during(u, start_year, end_year))
    differs = before_change and regrouped and bool(parts)
    splits = maps.splits_within(unit) if regrouped else ()
    if (choice or maps.default_choice(end_year)) is MapChoice.OF_THE_YEAR and differs:
        view = MapView(
            MapChoice.OF_THE_YEAR,
            unit,
            parts=parts,
            other=MapChoice.TODAY,
            splits=splits,
            began=maps.began,
        )
        if len(parts) == 1:
            return await _as_it_was(db, maps, view, parts[0], start_year, end_year)
        return Plan(view, Line(unit, parts), tuple(Line(p, (p,)) for p in parts), today=False)
    # A unit that came into force after the period (a branch created this year) is no line of
    # it; today's map's own units stand for their ground in the years before it began.
    children = [
        child
        for child in await unit_store.children(db, unit.id, limit=1_000_000)
        if on_map_during(child, start_year, end_year) or _of_today_s_map(maps, child)
    ]
    # A branch closed since (by its chair: ended, its figures going nowhere else) is still a
    # line of a period it was in force at the end of, as the structure still counts it.
    closed = [
        kid
        for kid in maps.units.values()  # every ended unit is one of them
        if kid.parent_id == unit.id
        and kid.level is Level.BRANCH
        and not kid.in_force
        and maps.dest(kid) is None
        and in_force_on(kid, year_end(end_year))
    ]
    if closed:
        children = sorted([*children, *closed], key=lambda u: (vi_sort_key(u.name), u.id))
    view = MapView(
        MapChoice.TODAY,
        unit,
        other=MapChoice.OF_THE_YEAR if differs else None,
        splits=splits,
        began=maps.began,
        regrouped=regrouped,
    )
    return Plan(
        view,
        Line(unit, (unit, *maps.sources(unit))),
        tuple(Line(child, (child, *maps.sources(child))) for child in children),
        today=True,
    )


def _of_today_s_map(maps: Regrouping, unit: Unit) -> bool:
    """In force since today's map began (or before): one of its units, not one added since."""
    began = maps.began
    return bool(maps.sources(unit)) or (
        began is not None and unit.valid_from is not None and unit.valid_from <= began
    )


async def _as_it_was(
    db: Database | Tx, maps: Regrouping, view: MapView, unit: Unit, start_year: int, end_year: int
) -> Plan:
    """`unit` on the map of the period, with its sub-units of that map."""
    kids = [
        kid
        for kid in await children_on_map(db, maps, [unit], end_year)
        if on_map_during(kid, start_year, end_year)
    ]
    return Plan(view, Line(unit, (unit,)), tuple(Line(k, (k,)) for k in kids), today=False)


async def children_on_map(
    db: Database | Tx, maps: Regrouping, parents: Sequence[Unit], year: int
) -> list[Unit]:
    """Units whose parent on the map of `year` is one of `parents` (in force or ended, moved
    away since or not), alphabetical."""
    ids = {parent.id for parent in parents}
    found = {u.id: u for u in await statistics.units_by_parent(db, sorted(ids))}
    for parent_id in ids:
        for moved in maps.moved_from(parent_id):
            found.setdefault(moved.id, moved)
    kept = [u for u in found.values() if maps.parent_at(u, year) in ids]
    return sorted(kept, key=lambda u: (vi_sort_key(u.name), u.id))


# --- structure --------------------------------------------------------------------------------

_SHAPES: Final = Derived[list[Shape]]((Revision.MAPS,), size=128)
_FIGURES: Final = Derived[list[Resolved]]((Revision.MAPS, Revision.FIGURES), size=128)
"""Kept between answers (`derived`): neither changes with a report. 128 scopes and years
(the province and its 104 communes: 5 MB measured on the province demo)."""


def _kept_as(plan: Plan, year: int) -> tuple[object, ...]:
    """What a plan's structure and figures depend on besides the maps: its lines and year."""
    lines = tuple((line.unit.id, tuple(s.id for s in line.sources)) for line in plan.lines)
    return (plan.today, year, lines)


async def shapes(db: Database | Tx, maps: Regrouping, plan: Plan, year: int) -> list[Shape]:
    """`_shapes`, kept while the maps are unchanged."""
    return await _SHAPES.get(db, _kept_as(plan, year), lambda: _shapes(db, maps, plan, year))


async def _shapes(db: Database | Tx, maps: Regrouping, plan: Plan, year: int) -> list[Shape]:
    """Districts or areas, communes and branches beneath each line (a unit counts itself):
    on the map at the end of `year`, or, on today's map of a year since it began, today's in
    force.

    Today's map of a year before it began counts the units of that year's map regrouped into
    each line (old Thái Bình's 260 communes of 2023 for today's province, the three former
    communes for a commune formed of three): the commune learning community title of 2023 is
    a share of 2023's communes, not of today's 104. Their districts are left out: today's map
    has none, and its areas did not exist yet."""
    regrouped_past = plan.today and not maps.trivial and _before_the_change(maps, year)
    if plan.today and not regrouped_past:
        found = await statistics.structure(db, plan.scope.unit.id, year_end(year))
        return [found.get(line.unit.id, {}) for line in plan.lines]
    tops = {source.id for line in plan.lines for source in line.sources}
    counted = await _shapes_on_map(db, maps, plan.scope.sources, tops, year)
    result = []
    for line in plan.lines:
        total: Counter[str] = Counter()
        for source in line.sources:
            total.update(counted.get(source.id, {}))
        if regrouped_past:
            total.pop(Level.DISTRICT.value, None)
            total.pop(shape_key(Level.DISTRICT, UnitKind.AREA), None)
        result.append(dict(total))
    return result


def _before_the_change(maps: Regrouping, year: int) -> bool:
    change = maps.change_year
    return change is not None and year < change


def _on_map_at(unit: Unit, day: date) -> bool:
    return in_force_on(unit, day) and (unit.active or not unit.in_force)


async def _shapes_on_map(
    db: Database | Tx, maps: Regrouping, roots: Sequence[Unit], tops: set[int], year: int
) -> dict[int, Shape]:
    """The shape beneath each of `tops` (units among or beneath `roots`) on the map at the end
    of `year`: one walk down from the roots, one read a level."""
    day = year_end(year)
    owners: dict[int, tuple[int, ...]] = {}
    counts: dict[int, Counter[str]] = {top: Counter() for top in tops}
    frontier: list[Unit] = []

    def reached(unit: Unit, above: tuple[int, ...]) -> None:
        owners[unit.id] = (*above, unit.id) if unit.id in tops else above
        for owner in owners[unit.id]:
            counts[owner][shape_key(unit.level, unit.kind)] += 1
        frontier.append(unit)

    for root in roots:
        if root.id not in owners and _on_map_at(root, day):
            reached(root, ())
    while frontier:
        parents = [u for u in frontier if u.level is not Level.BRANCH]
        frontier = []
        for kid in await children_on_map(db, maps, parents, year):
            parent = maps.parent_at(kid, year)
            if kid.id in owners or parent not in owners or not _on_map_at(kid, day):
                continue
            reached(kid, owners[parent])
    return {top: dict(found) for top, found in counts.items()}


# --- figures ----------------------------------------------------------------------------------


async def resolved(db: Database | Tx, maps: Regrouping, plan: Plan, year: int) -> list[Resolved]:
    """The figures of each line for `year` on the plan's map, kept while the maps and the
    figures are unchanged."""
    return await _FIGURES.get(db, _kept_as(plan, year), lambda: _resolved(db, maps, plan, year))


async def _resolved(db: Database | Tx, maps: Regrouping, plan: Plan, year: int) -> list[Resolved]:
    scope = plan.scope.unit
    if plan.today:
        children = [line.unit for line in plan.subs]
        if maps.trivial:
            found = await figures.resolve_children(db, scope, children, year)
        else:
            found = await figures.resolve_today(db, maps, scope, children, year)
        return [found[line.unit.id] for line in plan.lines]
    units = {source.id: source for line in plan.lines for source in line.sources}
    found = await figures.resolve_on_map(db, maps, list(units.values()), year)
    return [
        found[line.unit.id]
        if line.sources == (line.unit,)
        else figures.combined([found[source.id] for source in line.sources])
        for line in plan.lines
    ]


# --- raw rows (full_scan) ---------------------------------------------------------------------


async def mapping(
    db: Database | Tx, maps: Regrouping, plan: Plan, max_year: int
) -> list[tuple[int, int, int, int]]:
    """(unit id, first year, last year, line index): every unit whose records of those years
    count in a line, because the unit or one of its ancestors on the map of their year is one
    of the line's sources."""
    line_of: dict[int, list[int]] = {}
    for index, line in enumerate(plan.lines):
        for source in line.sources:
            line_of.setdefault(source.id, []).append(index)
    paths = [source.path for line in plan.lines for source in line.sources]
    parents = dict(await statistics.units_under(db, paths))
    for moved in maps.moved_from_within(paths):
        parents.setdefault(moved.id, moved.parent_id)
    bounds = sorted({year for year in maps.move_years() if year <= max_year})
    starts = [EARLIEST_DATE.year, *bounds]
    entries: list[tuple[int, int, int, int]] = []
    for unit_id, parent_id in parents.items():
        previous: tuple[int, ...] | None = None
        for index, first in enumerate(starts):
            last = starts[index + 1] - 1 if index + 1 < len(starts) else max_year
            if last < first:
                continue
            chain = [unit_id, *maps.ancestor_ids_at(unit_id, parent_id, first)]
            lines = tuple(sorted({i for holder in chain for i in line_of.get(holder, ())}))
            if lines and previous == lines and entries and entries[-1][0] == unit_id:
                entries[-len(lines) :] = [
                    (unit_id, e[1], last, e[3]) for e in entries[-len(lines) :]
                ]
            else:
                entries += [(unit_id, first, last, i) for i in lines]
            previous = lines
    return entries
