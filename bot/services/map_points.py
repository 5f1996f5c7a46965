"""The communes of a statistic and where they lie, for the map of a province, district or area.

A map shows communes, whatever the level of the answer: the sub-units of a district, area or of
a province without districts; below each district or area (or old province) otherwise, on the
same map as the answer (the map of its year or today's, `map_views`). Each commune lies where
its units file put it (`Unit.lat`, `Unit.lon`: today's file has every commune's point). The
files of older maps have none, so an ended commune lies at the point of the unit in force its
figures went to (`Regrouping.dest`, the conversion table's first successor) and says so: an
approximate place, but the right neighbourhood, and the answer's figures stay exactly its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from bot.services import regroup, stats
from bot.services.regroup import Regrouping
from bot.services.stats import ScopeStats, SubUnitStats
from bot.storage.db import Database, Tx
from bot.storage.models import Level, Unit

MAPPED_LEVELS: Final = (Level.PROVINCE, Level.DISTRICT)
"""Answers that have a map of their communes: a province, a district or an area."""
_DEPTH: Final = 3  # province → (old province) → district → commune at most


@dataclass(frozen=True)
class Placed:
    """One commune of the map: its line of figures and its point, if it has one."""

    line: SubUnitStats
    lat: float | None
    lon: float | None
    borrowed_from: Unit | None = None
    """An ended commune without a point of its own: the unit in force whose point it takes."""

    @property
    def placed(self) -> bool:
        return self.lat is not None and self.lon is not None


def mapped(scope: ScopeStats) -> bool:
    """The answer is one a map is drawn for: a province, district or area with sub-units."""
    return scope.unit.level in MAPPED_LEVELS and bool(scope.sub_units)


def _point(maps: Regrouping, unit: Unit) -> tuple[float | None, float | None, Unit | None]:
    if unit.lat is not None and unit.lon is not None:
        return unit.lat, unit.lon, None
    if not unit.in_force:
        dest = maps.dest(unit)
        if dest is not None and dest.lat is not None and dest.lon is not None:
            return dest.lat, dest.lon, dest
    return None, None, None


async def communes(db: Database | Tx, scope: ScopeStats) -> tuple[SubUnitStats, ...]:
    """The communes beneath the answer, on its map, with their figures over its period: its
    sub-units, or those of each of its sub-units above the communes (in their order)."""
    return tuple(await _communes(db, scope, _DEPTH))


async def _communes(db: Database | Tx, scope: ScopeStats, depth: int) -> list[SubUnitStats]:
    found: list[SubUnitStats] = []
    for line in scope.sub_units:
        if line.unit.level is Level.COMMUNE:
            found.append(line)
        elif line.unit.level in MAPPED_LEVELS and depth > 1:
            inner = await stats.compute(
                db,
                line.unit,
                start_year=scope.start_year,
                end_year=scope.end_year,
                map_choice=scope.map.choice,
            )
            found += await _communes(db, inner, depth - 1)
    return found


async def placed(db: Database | Tx, lines: Sequence[SubUnitStats]) -> list[Placed]:
    """Each commune with its point (an ended one's borrowed from the unit that took it)."""
    maps = await regroup.load(db)
    return [Placed(line, *_point(maps, line.unit)) for line in lines]


async def can_map(db: Database | Tx, scope: ScopeStats) -> bool:
    """Whether a map of the answer's communes can be drawn: a mapped level whose communes have
    points. Units files place all their communes or none, so the first sub-unit's communes
    stand for all (a read of one plan, not of every district's figures)."""
    if not mapped(scope):
        return False
    maps = await regroup.load(db)
    units: Sequence[Unit] = [line.unit for line in scope.sub_units]
    for _ in range(_DEPTH):
        if any(unit.level is Level.COMMUNE for unit in units):
            return any(
                _point(maps, unit)[0] is not None for unit in units if unit.level is Level.COMMUNE
            )
        above = next((unit for unit in units if unit.level in MAPPED_LEVELS), None)
        if above is None:
            return False
        _, units = await stats.sub_units_of(
            db,
            above,
            start_year=scope.start_year,
            end_year=scope.end_year,
            map_choice=scope.map.choice,
        )
    return False
