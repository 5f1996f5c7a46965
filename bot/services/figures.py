"""Denominators and targets the association reports its percentages against.

A figure is set per unit and year (by a chair, or imported). Resolving a unit's figures for a
year follows three rules, applied in this order:

1. **Latest year.** A unit's own value is its value for the latest year ≤ the asked year that
   has one: population and the numbers of households, clans or villages barely change, so the
   2023 census figure still serves in 2026 until someone sets a newer one. A target likewise
   stays in force until replaced.
2. **Sum over communes.** A denominator a district or the province has not set itself is the
   sum over its communes (the province's over its districts, each resolved the same way, so a
   district's own value is used where it exists and its communes' otherwise). Units without a
   value contribute nothing; when none has one the figure is unknown (None). Only active units
   are summed, so communes merged away do not count twice.
3. **Inherited targets.** Rates do not add up: a unit without its own target takes the nearest
   ancestor's (the province's plan applies to every district that has none).
4. **Either map** (docs/map-change.md). On the map of an earlier year (`resolve_on_map`) a unit
   sums its districts or communes in force at that year's end (an ended unit: at the end of
   its last year on a map). On today's map (`resolve_today`) a unit in force takes, for a year
   before it came into force, the sum of the same figure over the ended units whose figures
   went to it (`regroup.Regrouping.sources`, each resolved on its own map), and later too
   while neither it nor its communes know a value; a target neither it nor its ancestors set
   is theirs when they agree.

Targets are stored as integers **per mille** of the denominator (268 = 26.8 %), exact and
with the one decimal of a percent the association publishes; `target_percent` converts.
Branches hold no figures: they are association cells, not administrative units.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from bot.dates import EARLIEST_DATE
from bot.money import MAX_AMOUNT
from bot.services import scopes
from bot.services.regroup import Regrouping, in_force_on, map_year, year_end
from bot.services.reporting import local_today
from bot.storage import figures as figure_store
from bot.storage import people, statistics
from bot.storage.db import Database, Tx
from bot.storage.figures import FigureRow, subtree_bounds
from bot.storage.models import Grant, Level, Role, Unit
from bot.storage.records import NominationKind


class Figure(StrEnum):
    """Counts a unit's percentages are measured against (and committees, shown when known)."""

    POPULATION = "population"
    CITIZENS = "citizens"
    """People counted for the Công dân học tập title."""
    HOUSEHOLDS = "households"
    CLANS = "clans"
    VILLAGES = "villages"
    """Thôn and tổ dân phố."""
    AGENCIES = "agencies"
    """Cơ quan and đơn vị that may become a learning unit."""
    COMMITTEES = "committees"
    """Ban khuyến học: not a denominator, a count the province report mentions."""


TARGET_PREFIX: Final = "target:"
MEMBERS_SHARE: Final = "members_share"
TARGET_MAX: Final = 1000
"""A target is per mille of its denominator: at most 100 %."""


def target(of: NominationKind | str) -> str:
    """The figure holding the target rate of a title kind, or of `MEMBERS_SHARE`."""
    if isinstance(of, NominationKind):
        return f"{TARGET_PREFIX}{of.value}"
    if of != MEMBERS_SHARE:
        raise ValueError(f"no target for {of}")
    return f"{TARGET_PREFIX}{of}"


TARGETS: Final = (*(target(kind) for kind in NominationKind), target(MEMBERS_SHARE))
ALL_FIGURES: Final = (*(figure.value for figure in Figure), *TARGETS)
_TARGET_SET: Final = frozenset(TARGETS)
FIGURE_LEVELS: Final = (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)


def is_target(figure: str) -> bool:
    return figure.startswith(TARGET_PREFIX)


def target_percent(per_mille: int | None) -> float | None:
    return None if per_mille is None else per_mille / 10


class FigureError(StrEnum):
    """Why a figure was refused; handlers translate each one."""

    UNKNOWN_FIGURE = "unknown_figure"
    WRONG_LEVEL = "wrong_level"
    """Figures belong to communes, districts and the province, not to branches."""
    YEAR_OUT_OF_RANGE = "year_out_of_range"
    NEGATIVE = "negative"
    TOO_LARGE = "too_large"
    """Beyond any plausible count, or a target above 100 %."""


def can_set_figures(grants: Sequence[Grant], unit: Unit) -> bool:
    """A chair (commune, district or province) whose scope covers the unit."""
    return scopes.covers(grants, unit, minimum=Role.COMMUNE_CHAIR)


def year_range(now: datetime) -> tuple[int, int]:
    """Years a figure or baseline may be given for: 1945 up to the current local year."""
    return EARLIEST_DATE.year, local_today(now).year


def figure_problem(
    unit: Unit, year: int, figure: str, value: int, now: datetime
) -> FigureError | None:
    """What is wrong with setting `figure` to `value` on `unit` for `year`, if anything."""
    if figure not in ALL_FIGURES:
        return FigureError.UNKNOWN_FIGURE
    if unit.level not in FIGURE_LEVELS:
        return FigureError.WRONG_LEVEL
    first, last = year_range(now)
    if not first <= year <= last:
        return FigureError.YEAR_OUT_OF_RANGE
    if value < 0:
        return FigureError.NEGATIVE
    if value > (TARGET_MAX if is_target(figure) else MAX_AMOUNT):
        return FigureError.TOO_LARGE
    return None


async def _write_figure(
    tx: Tx,
    actor_id: int | None,
    unit: Unit,
    year: int,
    figure: str,
    value: int | None,
    now: datetime,
) -> bool:
    """Store (or clear, with None) one checked figure with its audit line; False if unchanged."""
    before = (await figure_store.figures_of(tx, unit.id, year)).get(figure)
    if before == value:
        return False
    if value is None:
        await figure_store.delete_figure(tx, unit.id, year, figure)
    else:
        await figure_store.put_figure(tx, unit.id, year, figure, value, actor_id, now)
    await people.audit(
        tx,
        actor_id=actor_id,
        action="set" if value is not None else "clear",
        entity="unit_figure",
        entity_id=f"{unit.id}:{year}:{figure}",
        before=None if before is None else {"value": before},
        after=None if value is None else {"value": value},
    )
    return True


async def set_figure(
    db: Database,
    actor_id: int,
    unit: Unit,
    year: int,
    figure: str,
    value: int | None,
    now: datetime,
) -> FigureError | None:
    """Set a figure (None clears it); targets are per mille. None when stored.

    Scope is the handler's to check with `can_set_figures`.
    """
    if value is not None:
        problem = figure_problem(unit, year, figure, value, now)
        if problem is not None:
            return problem
    elif figure not in ALL_FIGURES:
        return FigureError.UNKNOWN_FIGURE
    async with db.transaction() as tx:
        await _write_figure(tx, actor_id, unit, year, figure, value, now)
    return None


# --- Resolving --------------------------------------------------------------------------------

Resolved = dict[str, int | None]
"""Every name of `ALL_FIGURES` → its resolved value (None: unknown)."""


@dataclass(frozen=True)
class _Node:
    id: int
    parent_id: int | None
    level: Level


class _Resolver:
    """Figures of some units, loaded in a read or two and resolved in memory.

    `children` are the units a unit's denominators are summed over. On today's map with
    regrouping, `sources` gives a unit in force the ended units whose figures it took (S(U)):
    for a year before the unit came into force (`before`) its denominators are their sum, and
    later too while neither it nor its children know one; a target neither it nor its
    ancestors set is theirs when they agree.
    """

    def __init__(
        self,
        children: Mapping[int, Sequence[int]],
        rows: Sequence[FigureRow],
        *,
        sources: Mapping[int, Sequence[int]] | None = None,
        before: Collection[int] = (),
        lineages: Mapping[int, Sequence[int]] | None = None,
    ):
        self._children = children
        latest: dict[tuple[int, str], tuple[int, int]] = {}
        for row in rows:
            key = (row.unit_id, row.figure)
            if key not in latest or latest[key][0] < row.year:
                latest[key] = (row.year, row.value)
        self._own = {key: value for key, (_, value) in latest.items()}
        self._sources = sources or {}
        self._before = frozenset(before)
        self._lineages = lineages or {}
        self._memo: dict[tuple[int, str], int | None] = {}
        self._targets: dict[tuple[int, str], int | None] = {}
        """Targets taken from the sources (a unit's ancestors are always the same ones)."""

    def value(self, unit_id: int, figure: str, ancestors: Sequence[int]) -> int | None:
        if not is_target(figure):
            return self._summed(unit_id, figure)
        return self._target(unit_id, figure, (unit_id, *reversed(ancestors)))

    def _target(self, unit_id: int, figure: str, holders: Sequence[int]) -> int | None:
        own = self._own
        for holder in holders:
            found = own.get((holder, figure))
            if found is not None:
                return found
        sources = self._sources.get(unit_id)
        if not sources:
            return None
        key = (unit_id, figure)
        if key not in self._targets:
            self._targets[key] = _agreed(
                self.value(source, figure, self._lineages.get(source, ())) for source in sources
            )
        return self._targets[key]

    def _sum(self, unit_ids: Iterable[int], figure: str) -> int | None:
        known = [
            part for unit_id in unit_ids if (part := self._summed(unit_id, figure)) is not None
        ]
        return sum(known) if known else None

    def _summed(self, unit_id: int, figure: str) -> int | None:
        key = (unit_id, figure)
        if key in self._own:
            return self._own[key]
        if key not in self._memo:
            sources = self._sources.get(unit_id, ())
            if unit_id in self._before and sources:
                self._memo[key] = self._sum(sources, figure)
            else:
                found = self._sum(self._children.get(unit_id, ()), figure)
                self._memo[key] = self._sum(sources, figure) if found is None else found
        return self._memo[key]

    def resolve(self, unit_id: int, ancestors: Sequence[int]) -> Resolved:
        holders = (unit_id, *reversed(ancestors))
        return {
            figure: self._target(unit_id, figure, holders)
            if figure in _TARGET_SET
            else self._summed(unit_id, figure)
            for figure in ALL_FIGURES
        }


def _agreed(values: Iterable[int | None]) -> int | None:
    """The value the known ones agree on; None when none is known or they differ."""
    known = {value for value in values if value is not None}
    return known.pop() if len(known) == 1 else None


def _lineage(unit: Unit) -> list[int]:
    """The unit's ancestors' ids, province first."""
    return [int(part) for part in unit.path.strip("/").split("/")[:-1]]


async def _resolver(db: Database | Tx, unit: Unit, year: int) -> _Resolver:
    low, high = subtree_bounds(unit.path)
    node_rows = await db.fetchall(
        "SELECT id, parent_id, level FROM unit WHERE path >= ? AND path < ? "
        "AND level IN ('province', 'district', 'commune') AND (active = 1 OR id = ?)",
        (low, high, unit.id),
    )
    nodes = [_Node(int(r[0]), r[1], Level(r[2])) for r in node_rows]
    children: dict[int, list[int]] = defaultdict(list)
    for node in nodes:
        if node.parent_id is not None and node.level in (Level.DISTRICT, Level.COMMUNE):
            children[node.parent_id].append(node.id)
    rows = await figure_store.figures_near(db, unit.path, _lineage(unit), year)
    return _Resolver(children, rows)


async def resolve(db: Database | Tx, unit: Unit, year: int) -> Resolved:
    """The unit's figures for `year` under the rules of this module's docstring."""
    return (await _resolver(db, unit, year)).resolve(unit.id, _lineage(unit))


async def resolve_children(
    db: Database | Tx, unit: Unit, children: Sequence[Unit], year: int
) -> dict[int, Resolved]:
    """Figures of the scope and of each of its `children`, by unit id, from the same two reads
    (the sub-unit table costs no query per child)."""
    resolver = await _resolver(db, unit, year)
    lineage = _lineage(unit)
    resolved = {unit.id: resolver.resolve(unit.id, lineage)}
    for child in children:
        resolved[child.id] = resolver.resolve(child.id, [*lineage, unit.id])
    return resolved


# --- On either map (bot/services/regroup.py) ----------------------------------------------------

_SUMMED_LEVELS: Final = (Level.DISTRICT, Level.COMMUNE)


def _on_its_map(maps: Regrouping, unit: Unit, year: int) -> list[int]:
    """What `unit`'s denominators are summed over on the map of `year` (an ended unit: of its
    last year): its districts or communes in force at that year's end."""
    day = year_end(map_year(unit, year))
    return [
        kid.id
        for kid in maps.kids(unit.id)
        if kid.level in _SUMMED_LEVELS
        and in_force_on(kid, day)
        and (kid.active or not kid.in_force)
    ]


async def resolve_today(
    db: Database | Tx, maps: Regrouping, unit: Unit, children: Sequence[Unit], year: int
) -> dict[int, Resolved]:
    """`resolve_children` on today's map with regrouping: a unit in force takes the figures of
    the ended units that went to it (`Regrouping.sources`) for a year before it existed, and
    later while it knows none of its own; each of those is resolved on its own map."""
    today = [u for u in maps.subtree(unit) if u.id == unit.id or (u.in_force and u.active)]
    kids: dict[int, list[int]] = {}
    sources: dict[int, list[int]] = {}
    lineages: dict[int, list[int]] = {}
    before = set()
    wanted = {unit.id, *_lineage(unit)}
    for node in today:
        kids[node.id] = [
            kid.id
            for kid in maps.kids(node.id)
            if kid.level in _SUMMED_LEVELS and kid.in_force and kid.active
        ]
        taken = maps.sources(node)
        if node.valid_from is not None and year < node.valid_from.year:
            before.add(node.id)
        if not taken:
            continue
        sources[node.id] = [source.id for source in taken]
        for source in taken:
            lineages[source.id] = _lineage(source)
            wanted.update(lineages[source.id])
            for old in maps.subtree(source):
                kids.setdefault(old.id, _on_its_map(maps, old, year))
                wanted.add(old.id)
    wanted.update(kids)
    rows = await statistics.figure_rows(db, sorted(wanted), year)
    resolver = _Resolver(kids, rows, sources=sources, before=before, lineages=lineages)
    lineage = _lineage(unit)
    resolved = {unit.id: resolver.resolve(unit.id, lineage)}
    for child in children:
        resolved[child.id] = resolver.resolve(child.id, [*lineage, unit.id])
    return resolved


async def resolve_on_map(
    db: Database | Tx, maps: Regrouping, units: Sequence[Unit], year: int
) -> dict[int, Resolved]:
    """Each unit's figures on the map of `year` (an ended unit: on its own map): its own value,
    else the sum over its districts or communes of that map; targets from its ancestors on
    that map."""
    kids: dict[int, list[int]] = {}
    lineages = {unit.id: [u.id for u in reversed(maps.lineage_at(unit, year))] for unit in units}
    wanted = {holder for lineage in lineages.values() for holder in lineage}
    for unit in units:
        wanted.add(unit.id)
        stack = [unit]
        while stack:
            node = stack.pop()
            if node.id in kids:
                continue
            kids[node.id] = _on_its_map(maps, node, year)
            stack += [maps.units[kid] for kid in kids[node.id]]
    wanted.update(kids)
    rows = await statistics.figure_rows(db, sorted(wanted), year)
    resolver = _Resolver(kids, rows)
    return {unit.id: resolver.resolve(unit.id, lineages[unit.id]) for unit in units}


def combined(parts: Sequence[Resolved]) -> Resolved:
    """The figures of several units taken together: denominators added (None when none is
    known), a target kept when the parts that have one agree."""
    found: Resolved = {}
    for figure in ALL_FIGURES:
        values = [part[figure] for part in parts]
        if is_target(figure):
            found[figure] = _agreed(values)
        else:
            known = [value for value in values if value is not None]
            found[figure] = sum(known) if known else None
    return found
