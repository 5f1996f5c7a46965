"""Reads behind the statistics screens: counters of a scope and its children, the structure
(districts or areas, communes, branches) under them, and the same aggregates from the raw
tables; and the maps behind `bot/services/regroup.py` (ended units, successors, moves).

`Values` maps (year, indicator) → amount for one unit; zeros are left out, so a missing key
and a counter at 0 mean the same.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.storage.db import Database, Tx
from bot.storage.figures import FigureRow, subtree_bounds
from bot.storage.models import Level, Unit, UnitKind

Values = dict[tuple[int, str], int]


async def counters_of(
    db: Database | Tx, unit_ids: Sequence[int], max_year: int
) -> dict[int, Values]:
    """Non-zero counters up to `max_year` of the given units: primary-key range reads."""
    found: dict[int, Values] = {unit_id: {} for unit_id in unit_ids}
    if not unit_ids:
        return found
    rows = await db.fetchall(
        "SELECT unit_id, year, indicator, value FROM stat_counter "
        f"WHERE unit_id IN ({','.join('?' * len(unit_ids))}) AND year <= ? AND value <> 0",
        (*unit_ids, max_year),
    )
    for unit_id, year, indicator, value in rows:
        found[int(unit_id)][(int(year), str(indicator))] = int(value)
    return found


Shape = dict[str, int]
"""Units beneath one unit by what they are: `district`, `area` (a middle-level unit of kind
area), `commune`, `branch`."""


def shape_key(level: Level, kind: UnitKind) -> str:
    return "area" if level is Level.DISTRICT and kind is UnitKind.AREA else level.value


async def structure(db: Database | Tx, unit_id: int, day: date) -> dict[int, Shape]:
    """Districts or areas, communes and branches in force on `day` under the unit and under
    each of its children (a unit counts itself): one indexed range join. A branch created in
    the bot came into force the day it was created, so it never changes a past year; one
    closed (ended) still counts in the years it was in force.

    The unit's own shape is its children's added up, and itself: their subtrees are all of
    its own but itself, so its subtree is not walked a second time (half the rows)."""
    counted = (
        "(u.active = 1 OR u.valid_to IS NOT NULL) "
        "AND (u.valid_from IS NULL OR u.valid_from <= ?2) "
        "AND (u.valid_to IS NULL OR u.valid_to > ?2) "
        "AND u.level IN ('district', 'commune', 'branch')"
    )
    rows = await db.fetchall(
        "SELECT c.id, u.level, u.kind = 'area', count(*) FROM unit c JOIN unit u "
        "ON u.path >= c.path AND u.path < substr(c.path, 1, length(c.path) - 1) || '0' "
        f"WHERE c.parent_id = ?1 AND {counted} GROUP BY 1, 2, 3 "
        f"UNION ALL SELECT u.id, u.level, u.kind = 'area', 1 FROM unit u WHERE u.id = ?1 "
        f"AND {counted}",
        (unit_id, day.isoformat()),
    )
    found: dict[int, Shape] = defaultdict(dict)
    whole = found[unit_id]
    for target, level, area, count in rows:
        key = "area" if level == Level.DISTRICT.value and area else str(level)
        if int(target) != unit_id:
            found[int(target)][key] = int(count)
        whole[key] = whole.get(key, 0) + int(count)
    return found


# --- Raw scans --------------------------------------------------------------------------------

# The scope (?1) and its active children (parent ?1), each with the subtree its records come
# from; records are limited to the scope's subtree [?2, ?3) and to years up to ?4.
_TARGETS = (
    "WITH t(id, path, high) AS (SELECT id, path, substr(path, 1, length(path) - 1) || '0' "
    "FROM unit WHERE id = ?1 OR (parent_id = ?1 AND active = 1)) "
)
_JOIN = "JOIN unit u ON u.id = r.unit_id JOIN t ON u.path >= t.path AND u.path < t.high "
_WITHIN = "u.path >= ?2 AND u.path < ?3"

_SCANS = {
    "member": (
        f"{_TARGETS}SELECT t.id, CAST(substr(r.joined_on, 1, 4) AS INTEGER) AS year, count(*) "
        f"FROM member r {_JOIN}WHERE {_WITHIN} AND r.status = 'active' "
        "AND r.joined_on < printf('%04d-', ?4 + 1) GROUP BY 1, 2"
    ),
    "nomination": (
        f"{_TARGETS}SELECT t.id, r.year, r.kind, r.status, count(*) "
        f"FROM nomination r {_JOIN}WHERE {_WITHIN} AND r.status IN ('pending', 'recognised') "
        "AND r.year <= ?4 GROUP BY 1, 2, 3, 4"
    ),
    "contribution": (
        f"{_TARGETS}SELECT t.id, CAST(substr(r.contributed_on, 1, 4) AS INTEGER) AS year, "
        "r.campaign, r.donor_kind, sum(r.amount), count(*) "
        f"FROM contribution r {_JOIN}WHERE {_WITHIN} AND r.status = 'active' "
        "AND r.contributed_on < printf('%04d-', ?4 + 1) GROUP BY 1, 2, 3, 4"
    ),
    "award": (
        f"{_TARGETS}SELECT t.id, CAST(substr(r.awarded_on, 1, 4) AS INTEGER) AS year, "
        f"sum(r.amount), count(*) FROM award r {_JOIN}WHERE {_WITHIN} AND r.status = 'active' "
        "AND r.awarded_on < printf('%04d-', ?4 + 1) GROUP BY 1, 2"
    ),
    "baseline": (
        f"{_TARGETS}SELECT t.id, r.year, r.indicator, sum(r.value), count(*) "
        f"FROM baseline r {_JOIN}WHERE {_WITHIN} AND r.year <= ?4 GROUP BY 1, 2, 3"
    ),
}


ScanKind = str
"""A key of `_SCANS`: member, nomination, contribution, award or baseline."""


async def scan(
    db: Database | Tx, unit_id: int, path: str, max_year: int
) -> dict[ScanKind, list[tuple[Any, ...]]]:
    """Raw-table aggregates for the unit and each active child, up to `max_year`, grouped by
    everything an indicator depends on (see `_SCANS` for each kind's columns, the target unit
    first). Statuses are filtered here, in plain SQL, independently of `counters`.
    """
    low, high = subtree_bounds(path)
    params = (unit_id, low, high, max_year)
    return {
        kind: [tuple(row) for row in await db.fetchall(sql, params)] for kind, sql in _SCANS.items()
    }


# --- The maps: ended units, successors, moves (bot/services/regroup.py) ------------------------


def _day(text: object) -> date | None:
    return date.fromisoformat(str(text)) if text else None


def _unit(row: Any) -> Unit:
    """A unit from a whole row (`SELECT *`): every column the model knows, whatever it has."""
    return Unit.model_validate({key: row[key] for key in row.keys()})  # noqa: SIM118


@dataclass(frozen=True)
class SuccessorRow:
    unit_id: int
    successor_id: int
    partly: bool
    rank: int


@dataclass(frozen=True)
class MoveRow:
    unit_id: int
    from_parent_id: int
    to_parent_id: int
    effective: date


@dataclass(frozen=True)
class MapState:
    """A summary of the maps a database holds, in one read."""

    fingerprint: str
    """Changes whenever what `map_units`, `successor_rows` or `move_rows` return may have."""
    ended: int
    """Units no longer in force."""
    moves: int
    began: date | None
    """The day today's map began: the latest map change carried out, else the latest day a
    province, district, area or commune in force came into force (None: never said)."""


async def map_state(db: Database | Tx) -> MapState:
    row = await db.fetchone(
        "SELECT u.fingerprint, u.ended, u.began, "
        "(SELECT count(*) || ':' || total((unit_id * 7 + successor_id * 13) * (rank + 1) "
        "* (partly + 2)) FROM unit_successor), "
        "(SELECT count(*) || ':' || total(unit_id * (from_parent_id * 5 + to_parent_id * 11 "
        "+ julianday(effective))) FROM unit_move), "
        "(SELECT count(*) FROM unit_move), "
        "(SELECT count(*) || ':' || coalesce(max(effective), '') FROM map_change), "
        "coalesce((SELECT max(effective) FROM map_change), u.began) "
        "FROM (SELECT sum(level <> 'branch' OR valid_to IS NOT NULL) || ':' "
        "|| max(CASE WHEN level <> 'branch' OR valid_to IS NOT NULL THEN id END) || ':' "
        "|| total(CASE WHEN valid_to IS NOT NULL THEN id * 31 + julianday(valid_to) END) || ':' "
        "|| total(CASE WHEN valid_from IS NOT NULL AND level <> 'branch' "
        "THEN id * 7 + julianday(valid_from) END) AS fingerprint, "
        "total(valid_to IS NOT NULL) AS ended, "
        "max(CASE WHEN valid_to IS NULL AND level <> 'branch' THEN valid_from END) AS began "
        "FROM unit) u"
    )
    assert row is not None
    return MapState(
        fingerprint="|".join(str(row[i]) for i in (0, 3, 4, 6)),
        ended=int(row[1]),
        moves=int(row[5]),
        began=_day(row[7]),
    )


async def map_units(db: Database | Tx) -> list[Unit]:
    """Every unit but the branches in force that neither took an ended unit over, nor were
    moved, nor are the parent of an ended unit: the provinces, districts or areas and communes
    of every map, and every ended unit."""
    rows = await db.fetchall(
        "SELECT * FROM unit WHERE level <> 'branch' OR valid_to IS NOT NULL "
        "OR id IN (SELECT successor_id FROM unit_successor) "
        "OR id IN (SELECT unit_id FROM unit_move) "
        "OR id IN (SELECT parent_id FROM unit WHERE valid_to IS NOT NULL)"
    )
    return [_unit(row) for row in rows]


async def successor_rows(db: Database | Tx) -> list[SuccessorRow]:
    rows = await db.fetchall(
        "SELECT unit_id, successor_id, partly, rank FROM unit_successor "
        "ORDER BY unit_id, rank, successor_id"
    )
    return [SuccessorRow(int(r[0]), int(r[1]), bool(r[2]), int(r[3])) for r in rows]


async def move_rows(db: Database | Tx) -> list[MoveRow]:
    rows = await db.fetchall(
        "SELECT unit_id, from_parent_id, to_parent_id, effective FROM unit_move "
        "ORDER BY unit_id, effective"
    )
    return [MoveRow(int(r[0]), int(r[1]), int(r[2]), date.fromisoformat(str(r[3]))) for r in rows]


async def units_by_parent(db: Database | Tx, parent_ids: Sequence[int]) -> list[Unit]:
    """Every unit, in force or ended, whose parent is one of these, alphabetical."""
    if not parent_ids:
        return []
    rows = await db.fetchall(
        f"SELECT * FROM unit WHERE parent_id IN "
        f"({','.join('?' * len(parent_ids))}) ORDER BY name_folded, id",
        list(parent_ids),
    )
    return [_unit(row) for row in rows]


async def units_under(db: Database | Tx, paths: Sequence[str]) -> list[tuple[int, int | None]]:
    """(id, parent id) of every unit under any of these paths, the units themselves included:
    one indexed range read per path."""
    found: dict[int, int | None] = {}
    for path in sorted(set(paths)):
        low, high = subtree_bounds(path)
        rows = await db.fetchall(
            "SELECT id, parent_id FROM unit WHERE path >= ? AND path < ?", (low, high)
        )
        for row in rows:
            found[int(row[0])] = None if row[1] is None else int(row[1])
    return list(found.items())


async def line_counters(
    db: Database | Tx,
    whole: Sequence[int],
    lines: Sequence[int],
    start_year: int,
    end_year: int,
    *,
    flow: str,
    stock_units: str,
    every_year: Sequence[str],
    last_year: Sequence[str],
    in_period: Sequence[str],
) -> tuple[dict[int, Values], dict[int, Values]]:
    """In one read: every counter up to `end_year` of the units `whole` (the scope's), and of
    the units `lines` (the sub-unit table's) only what a line shows: `every_year` indicators
    up to `end_year`, `last_year` ones of `end_year`, `in_period` ones of the period.

    `flow` (new members) is needed year by year only from the first year the scope has a
    `stock_units` row (a members baseline) or from the period's start, whichever is earlier;
    before that its years are added up into one row at the year before, which is all a line's
    members and newcomers depend on. So a commune's decades of joiners are one row, not forty.
    """
    full: dict[int, Values] = {unit_id: {} for unit_id in whole}
    shown: dict[int, Values] = {unit_id: {} for unit_id in lines}
    whole_ids, line_ids = sorted(set(whole)), sorted(set(lines))
    if not whole_ids:
        return full, shown
    params: list[object] = [start_year, end_year, flow, stock_units]

    def marks(values: Sequence[object]) -> str:
        first = len(params) + 1
        params.extend(values)
        return ",".join(f"?{number}" for number in range(first, first + len(values))) or "NULL"

    scope, parts = marks(whole_ids), [marks(line_ids) for _ in range(4)]
    every, last, money = marks(every_year), marks(last_year), marks(in_period)
    cut = (
        f"(SELECT min(?1, coalesce((SELECT min(year) FROM stat_counter WHERE unit_id IN "
        f"({scope}) AND indicator = ?4 AND year <= ?2 AND value <> 0), ?1)))"
    )
    sql = (
        f"SELECT unit_id, year, indicator, value, 1 FROM stat_counter "
        f"WHERE unit_id IN ({scope}) AND year <= ?2 AND value <> 0 "
        f"UNION ALL SELECT unit_id, {cut} - 1, indicator, sum(value), 0 FROM stat_counter "
        f"WHERE unit_id IN ({parts[0]}) AND year < {cut} AND indicator = ?3 "
        "GROUP BY unit_id HAVING sum(value) <> 0 "
        f"UNION ALL SELECT unit_id, year, indicator, value, 0 FROM stat_counter "
        f"WHERE unit_id IN ({parts[1]}) AND year >= {cut} AND year <= ?2 "
        f"AND indicator IN ({every}) AND value <> 0 "
        f"UNION ALL SELECT unit_id, year, indicator, value, 0 FROM stat_counter "
        f"WHERE unit_id IN ({parts[2]}) AND year = ?2 AND indicator IN ({last}) AND value <> 0 "
        f"UNION ALL SELECT unit_id, year, indicator, value, 0 FROM stat_counter "
        f"WHERE unit_id IN ({parts[3]}) AND year BETWEEN ?1 AND ?2 AND indicator IN ({money}) "
        "AND value <> 0"
    )
    for unit_id, year, indicator, value, in_whole in await db.fetchall(sql, params):
        target = full if in_whole else shown
        target[int(unit_id)][(int(year), str(indicator))] = int(value)
    return full, shown


async def figure_rows(db: Database | Tx, unit_ids: Sequence[int], year: int) -> list[FigureRow]:
    """Every figure row up to `year` of these units: primary-key reads."""
    ids = sorted(set(unit_ids))
    if not ids:
        return []
    rows = await db.fetchall(
        "SELECT unit_id, year, figure, value FROM unit_figure "
        f"WHERE unit_id IN ({','.join('?' * len(ids))}) AND year <= ?",
        (*ids, year),
    )
    return [FigureRow(int(r[0]), int(r[1]), str(r[2]), int(r[3])) for r in rows]


LineMapping = Sequence[tuple[int, int, int, int]]
"""(unit id, first year, last year, line): a unit's records of those years count in the line."""

_MAPPED = (
    "WITH m(unit_id, lo, hi, line) AS (SELECT json_extract(value, '$[0]'), "
    "json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]') "
    "FROM json_each(?1)) "
)

_MAPPED_SCANS = {
    "member": (
        f"{_MAPPED}SELECT m.line, CAST(substr(r.joined_on, 1, 4) AS INTEGER) AS year, count(*) "
        "FROM m JOIN member r ON r.unit_id = m.unit_id WHERE r.status = 'active' "
        "AND r.joined_on < printf('%04d-', ?2 + 1) "
        "AND CAST(substr(r.joined_on, 1, 4) AS INTEGER) BETWEEN m.lo AND m.hi GROUP BY 1, 2"
    ),
    "nomination": (
        f"{_MAPPED}SELECT m.line, r.year, r.kind, r.status, count(*) "
        "FROM m JOIN nomination r ON r.unit_id = m.unit_id "
        "WHERE r.status IN ('pending', 'recognised') AND r.year <= ?2 "
        "AND r.year BETWEEN m.lo AND m.hi GROUP BY 1, 2, 3, 4"
    ),
    "contribution": (
        f"{_MAPPED}SELECT m.line, CAST(substr(r.contributed_on, 1, 4) AS INTEGER) AS year, "
        "r.campaign, r.donor_kind, sum(r.amount), count(*) "
        "FROM m JOIN contribution r ON r.unit_id = m.unit_id WHERE r.status = 'active' "
        "AND r.contributed_on < printf('%04d-', ?2 + 1) "
        "AND CAST(substr(r.contributed_on, 1, 4) AS INTEGER) BETWEEN m.lo AND m.hi "
        "GROUP BY 1, 2, 3, 4"
    ),
    "award": (
        f"{_MAPPED}SELECT m.line, CAST(substr(r.awarded_on, 1, 4) AS INTEGER) AS year, "
        "sum(r.amount), count(*) FROM m JOIN award r ON r.unit_id = m.unit_id "
        "WHERE r.status = 'active' AND r.awarded_on < printf('%04d-', ?2 + 1) "
        "AND CAST(substr(r.awarded_on, 1, 4) AS INTEGER) BETWEEN m.lo AND m.hi GROUP BY 1, 2"
    ),
    "baseline": (
        f"{_MAPPED}SELECT m.line, r.year, r.indicator, sum(r.value), count(*) "
        "FROM m JOIN baseline r ON r.unit_id = m.unit_id WHERE r.year <= ?2 "
        "AND r.year BETWEEN m.lo AND m.hi GROUP BY 1, 2, 3"
    ),
}


async def scan_mapped(
    db: Database | Tx, mapping: LineMapping, max_year: int
) -> dict[ScanKind, list[tuple[Any, ...]]]:
    """`scan`'s aggregates, each record counted in the lines `mapping` gives its unit for its
    year (the line first instead of the target unit): raw rows read through each unit's index,
    whatever its path is now."""
    params = (json.dumps([list(entry) for entry in mapping]), max_year)
    return {
        kind: [tuple(row) for row in await db.fetchall(sql, params)]
        for kind, sql in _MAPPED_SCANS.items()
    }
