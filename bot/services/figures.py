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

Targets are stored as integers **per mille** of the denominator (268 = 26.8 %), exact and
with the one decimal of a percent the association publishes; `target_percent` converts.
Branches hold no figures: they are association cells, not administrative units.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from bot.dates import EARLIEST_DATE
from bot.money import MAX_AMOUNT
from bot.services import scopes
from bot.services.reporting import local_today
from bot.storage import figures as figure_store
from bot.storage import people
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
    """Figures of one subtree and its ancestors, loaded in two reads and resolved in memory."""

    def __init__(self, nodes: Sequence[_Node], rows: Sequence[FigureRow], lineage: Sequence[int]):
        self._levels = {node.id: node.level for node in nodes}
        self._children: dict[int, list[int]] = defaultdict(list)
        for node in nodes:
            if node.parent_id is not None:
                self._children[node.parent_id].append(node.id)
        latest: dict[tuple[int, str], tuple[int, int]] = {}
        for row in rows:
            key = (row.unit_id, row.figure)
            if key not in latest or latest[key][0] < row.year:
                latest[key] = (row.year, row.value)
        self._own = {key: value for key, (_, value) in latest.items()}
        self._lineage = list(lineage)
        self._memo: dict[tuple[int, str], int | None] = {}

    def value(self, unit_id: int, figure: str, ancestors: Sequence[int]) -> int | None:
        if is_target(figure):
            for holder in (unit_id, *reversed(ancestors)):
                if (holder, figure) in self._own:
                    return self._own[(holder, figure)]
            return None
        return self._summed(unit_id, figure)

    def _summed(self, unit_id: int, figure: str) -> int | None:
        key = (unit_id, figure)
        if key in self._own:
            return self._own[key]
        if key not in self._memo:
            parts = [
                self._summed(child, figure)
                for child in self._children.get(unit_id, [])
                if self._levels[child] in (Level.DISTRICT, Level.COMMUNE)
            ]
            known = [part for part in parts if part is not None]
            self._memo[key] = sum(known) if known else None
        return self._memo[key]

    def resolve(self, unit_id: int, ancestors: Sequence[int]) -> Resolved:
        return {figure: self.value(unit_id, figure, ancestors) for figure in ALL_FIGURES}


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
    lineage = _lineage(unit)
    rows = await figure_store.figures_near(db, unit.path, lineage, year)
    return _Resolver(nodes, rows, lineage)


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
