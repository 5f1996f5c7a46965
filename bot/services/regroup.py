"""Earlier years on today's map, and today's units on the map of an earlier year.

An ended unit's figures go to its rank-0 successor (`unit_successor.rank`: the order of the
official conversion table), followed until a unit in force is reached; an ended unit without
successors (a district or province whose communes were taken over) goes to the lowest unit in
force that took everything beneath it. For a unit in force U, `Regrouping.sources(U)` is S(U):
the ended units whose figures end up within U's subtree, less those whose parent (on their own
map) is itself taken within U, since the parent's counters hold theirs already: today's
province takes old Thái Bình once, not again through its districts and communes. On today's
map U counts its own counters plus those of S(U), so every sum stays exact; a commune split
over several new units (`partly`) counts wholly in the first one listed (`Split`), and no
figure is ever divided.

"The map of year Y" is the map in force at the end of Y: a unit moved by a change effective on
day E (`unit_move`) hangs under its old parent for the years before E's year, as counters roll
up (docs/map-change.md). Units "on the map of a period" were in force on some day of it.

The regrouping changes only when the map does (a migration), so it is built from a handful of
reads and kept while the maps are unchanged (`derived`, and per database state
(`statistics.map_state`) inside a transaction).
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

from bot.services import scopes
from bot.services.derived import Derived
from bot.storage import statistics
from bot.storage.db import Database, Tx
from bot.storage.models import Grant, Level, Unit
from bot.storage.revisions import Revision
from bot.storage.statistics import MoveRow, SuccessorRow
from bot.text import vi_sort_key


class MapChoice(StrEnum):
    """Which map a statistic of a period is shown on."""

    OF_THE_YEAR = "year"
    """The map in force at the end of the period (an ended unit: always its own map)."""
    TODAY = "today"
    """Today's units, each with the figures of the ended units that went to it."""


FIGURE_LEVELS: Final = (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)


def year_end(year: int) -> date:
    return date(year, 12, 31)


def in_force_on(unit: Unit, day: date) -> bool:
    return (unit.valid_from is None or unit.valid_from <= day) and (
        unit.valid_to is None or unit.valid_to > day
    )


def on_map_during(unit: Unit, start_year: int, end_year: int) -> bool:
    """In force on some day of the years `start_year..end_year` (a unit in force today must
    also be active)."""
    if unit.in_force and not unit.active:
        return False
    return (unit.valid_from is None or unit.valid_from <= year_end(end_year)) and (
        unit.valid_to is None or unit.valid_to > date(start_year, 1, 1)
    )


def last_map_year(unit: Unit) -> int | None:
    """The last year whose year-end map holds the unit; None while it is in force."""
    return None if unit.valid_to is None else unit.valid_to.year - 1


def map_year(unit: Unit, year: int) -> int:
    """The year whose map shows what lay beneath `unit` when `year` is asked: `year`, or the
    unit's last year on a map when it ended before."""
    last = last_map_year(unit)
    return year if last is None else min(year, last)


@dataclass(frozen=True)
class Split:
    """An ended unit divided over several units in force: its figures count wholly in the
    first one the conversion table lists."""

    unit: Unit
    successors: tuple[Unit, ...]
    """Units in force that took a part, in the conversion table's order."""

    @property
    def counted_in(self) -> Unit:
        return self.successors[0]


def _ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/")]


class Regrouping:
    """The maps of one database: ended units, where their figures go, moves; see the module."""

    def __init__(
        self,
        units: Iterable[Unit],
        successors: Iterable[SuccessorRow],
        moves: Iterable[MoveRow],
        began: date | None,
    ) -> None:
        self.units: dict[int, Unit] = {unit.id: unit for unit in units}
        self.began = began
        """The day today's map began (None: the database never said)."""
        self._next: dict[int, list[SuccessorRow]] = defaultdict(list)
        for row in sorted(successors, key=lambda r: (r.unit_id, r.rank, r.successor_id)):
            self._next[row.unit_id].append(row)
        self._moves: dict[int, list[MoveRow]] = defaultdict(list)
        self._moved_from: dict[int, list[int]] = defaultdict(list)
        for move in sorted(moves, key=lambda m: (m.unit_id, m.effective)):
            self._moves[move.unit_id].append(move)
            self._moved_from[move.from_parent_id].append(move.unit_id)
        self._kids: dict[int, list[Unit]] = defaultdict(list)
        for unit in sorted(self.units.values(), key=lambda u: (vi_sort_key(u.name), u.id)):
            if unit.parent_id is not None:
                self._kids[unit.parent_id].append(unit)
        self._dest: dict[int, int | None] = {}
        for unit in self.units.values():
            if not unit.in_force:
                self._follow(unit.id, set())
        self._sources: dict[int, list[Unit]] = defaultdict(list)
        for unit in self.units.values():
            self._take(unit)
        for found in self._sources.values():
            found.sort(key=lambda u: (vi_sort_key(u.name), u.id))
        self.splits = tuple(self._splits())

    # --- where figures go -----------------------------------------------------------------

    def _follow(self, unit_id: int, seen: set[int]) -> int | None:
        unit = self.units.get(unit_id)
        if unit is None or unit.in_force:
            return unit_id if unit is not None else None
        if unit_id in self._dest:
            return self._dest[unit_id]
        if unit_id in seen:
            return None
        seen.add(unit_id)
        successors = self._next.get(unit_id)
        if successors:
            found = self._follow(successors[0].successor_id, seen)
        else:
            found = self._common(unit_id, seen)
        self._dest[unit_id] = found
        return found

    def _common(self, unit_id: int, seen: set[int]) -> int | None:
        """The lowest unit in force holding where everything beneath `unit_id` went."""
        beneath = [kid.id for kid in self._kids.get(unit_id, [])]
        beneath += self._moved_from.get(unit_id, [])
        paths = []
        for kid in beneath:
            found = self._follow(kid, seen)
            if found is not None and found in self.units:
                paths.append(_ids(self.units[found].path))
        if not paths:
            return None
        common: list[int] = []
        for parts in zip(*paths, strict=False):
            if any(part != parts[0] for part in parts):
                break
            common.append(parts[0])
        while common and common[-1] not in self.units:
            common.pop()
        if not common or not self.units[common[-1]].in_force:
            return None
        return common[-1]

    def _landing(self, unit_id: int | None) -> Unit | None:
        """Where the figures of a unit end up today: itself in force, else its destination."""
        if unit_id is None:
            return None
        unit = self.units.get(unit_id)
        if unit is None or unit.in_force:
            return unit
        dest = self._dest.get(unit_id)
        return None if dest is None else self.units.get(dest)

    def _take(self, unit: Unit) -> None:
        """Add an ended unit to S(U) of every U in force that takes it (see the module)."""
        if unit.in_force:
            return
        dest = self._landing(unit.id)
        if dest is None:
            return
        parent = self._landing(unit.parent_id)
        path = "/"
        for holder in _ids(dest.path):
            path += f"{holder}/"
            if parent is not None and parent.path.startswith(path):
                continue
            if holder in self.units:
                self._sources[holder].append(unit)

    def _splits(self) -> Iterable[Split]:
        for unit_id, rows in self._next.items():
            unit = self.units.get(unit_id)
            if unit is None or unit.in_force:
                continue
            taken: list[Unit] = []
            for row in rows:
                found = self._landing(row.successor_id)
                if found is not None and found not in taken:
                    taken.append(found)
            if len(taken) > 1:
                yield Split(unit, tuple(taken))

    def dest(self, unit: Unit) -> Unit | None:
        """The unit in force an ended unit's figures go to (a unit in force: itself)."""
        return unit if unit.in_force else self._landing(unit.id)

    def sources(self, unit: Unit) -> tuple[Unit, ...]:
        """S(unit): the ended units whose counters are added to a unit in force's on today's
        map, by name; () for an ended unit."""
        return tuple(self._sources.get(unit.id, ())) if unit.in_force else ()

    def regroups_within(self, unit: Unit) -> bool:
        """True when some ended unit's figures go into `unit` or beneath it."""
        return any(
            holder == unit.id or unit.covers(self.units[holder])
            for holder in self._sources
            if holder in self.units
        )

    def splits_within(self, unit: Unit) -> tuple[Split, ...]:
        """Split units a part of which went into `unit` or beneath it, by name."""
        found = [s for s in self.splits if any(unit.covers(t) for t in s.successors)]
        return tuple(sorted(found, key=lambda s: (vi_sort_key(s.unit.name), s.unit.id)))

    @property
    def trivial(self) -> bool:
        """Nothing to regroup: no ended unit goes anywhere, and nothing was moved."""
        return not self._sources and not self._moves

    # --- the map of a year ------------------------------------------------------------------

    @property
    def change_year(self) -> int | None:
        return None if self.began is None else self.began.year

    def default_choice(self, end_year: int) -> MapChoice:
        """Years before the year today's map began: their own map; later years: today's."""
        change = self.change_year
        return (
            MapChoice.OF_THE_YEAR if change is not None and end_year < change else MapChoice.TODAY
        )

    def parent_at(self, unit: Unit, year: int) -> int | None:
        """The unit's parent on the map of `year`."""
        return self._parent_id_at(unit.id, unit.parent_id, year)

    def _parent_id_at(self, unit_id: int, parent_id: int | None, year: int) -> int | None:
        for move in self._moves.get(unit_id, ()):
            if move.effective.year > year:
                return move.from_parent_id
        return parent_id

    def ancestor_ids_at(self, unit_id: int, parent_id: int | None, year: int) -> list[int]:
        """`lineage_at` by ids, for a unit (a branch) this regrouping does not hold."""
        chain: list[int] = []
        seen = {unit_id}
        current = self._parent_id_at(unit_id, parent_id, year)
        while current is not None and current not in seen:
            chain.append(current)
            seen.add(current)
            parent = self.units.get(current)
            if parent is None:
                break
            current = self.parent_at(parent, year)
        return chain

    def move_years(self) -> set[int]:
        """The years a move took effect in: where a unit's ancestors may change."""
        return {move.effective.year for moves in self._moves.values() for move in moves}

    def moved_from_within(self, paths: Sequence[str]) -> list[Unit]:
        """Units moved away from a parent lying under one of these paths."""
        found = []
        for unit_id, moves in self._moves.items():
            unit = self.units.get(unit_id)
            if unit is None:
                continue
            for move in moves:
                parent = self.units.get(move.from_parent_id)
                if parent is not None and any(parent.path.startswith(p) for p in paths):
                    found.append(unit)
                    break
        return found

    def lineage_at(self, unit: Unit, year: int) -> list[Unit]:
        """The unit's ancestors on the map of `year`, nearest first."""
        chain: list[Unit] = []
        seen = {unit.id}
        current = unit
        while (parent_id := self.parent_at(current, year)) is not None and parent_id not in seen:
            parent = self.units.get(parent_id)
            if parent is None:
                break
            chain.append(parent)
            seen.add(parent_id)
            current = parent
        return chain

    def kids(self, unit_id: int) -> list[Unit]:
        """Known units whose parent is `unit_id` now (branches in force are not held)."""
        return self._kids.get(unit_id, [])

    def moved_from(self, parent_id: int) -> list[Unit]:
        """Units moved away from `parent_id` by a map change."""
        return [self.units[i] for i in self._moved_from.get(parent_id, ()) if i in self.units]

    def moved(self, unit_id: int) -> bool:
        return unit_id in self._moves

    def subtree(self, unit: Unit, levels: Sequence[Level] = FIGURE_LEVELS) -> list[Unit]:
        """The unit and the known units of these levels beneath it now, in force or ended."""
        found = [unit]
        stack = [unit.id]
        while stack:
            for kid in self.kids(stack.pop()):
                if kid.level in levels:
                    found.append(kid)
                    stack.append(kid.id)
        return found

    def may_see(self, grants: Sequence[Grant], unit: Unit, year: int) -> bool:
        """A grant reaches the unit, or reached it on the map of `year`, or reaches where an
        ended unit above it (or the unit itself) went: a commune chair of today sees the former
        communes of theirs, an old district's chair their old district."""
        for holder in (unit, *self.lineage_at(unit, year)):
            if scopes.covers(grants, holder):
                return True
            if not holder.in_force:
                dest = self._landing(holder.id)
                if dest is not None and scopes.covers(grants, dest):
                    return True
        return False


# --- Cache ------------------------------------------------------------------------------------

_CACHE: OrderedDict[str, Regrouping] = OrderedDict()
_CACHE_SIZE: Final = 8


_KEPT: Final = Derived[Regrouping]((Revision.MAPS,), size=2)


async def load(db: Database | Tx) -> Regrouping:
    """The regrouping of this database as it is now: kept while the maps are unchanged
    (`derived`), else one read when it is cached by the state of its maps (or when no unit
    ever ended or moved), built once per state."""
    return await _KEPT.get(db, "regrouping", lambda: _load(db))


async def _load(db: Database | Tx) -> Regrouping:
    state = await statistics.map_state(db)
    if not state.ended and not state.moves:
        return Regrouping((), (), (), state.began)
    where = str(db.path) if isinstance(db, Database) else "tx"
    key = f"{where}|{state.fingerprint}"
    found = _CACHE.get(key)
    if found is not None:
        _CACHE.move_to_end(key)
        return found
    found = Regrouping(
        await statistics.map_units(db),
        await statistics.successor_rows(db),
        await statistics.move_rows(db),
        state.began,
    )
    _CACHE[key] = found
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return found
