"""Reads behind the statistics screens: counters of a scope and its children, the structure
(districts, communes, branches) under them, and the same aggregates from the raw tables.

`Values` maps (year, indicator) → amount for one unit; zeros are left out, so a missing key
and a counter at 0 mean the same.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from bot.storage.db import Database, Tx
from bot.storage.figures import subtree_bounds
from bot.storage.models import Level

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


async def structure(db: Database | Tx, unit_id: int) -> dict[int, dict[Level, int]]:
    """Active districts, communes and branches under the unit and under each of its children
    (a unit counts itself): one indexed range join."""
    rows = await db.fetchall(
        "SELECT c.id, u.level, count(*) FROM unit c JOIN unit u "
        "ON u.path >= c.path AND u.path < substr(c.path, 1, length(c.path) - 1) || '0' "
        "WHERE (c.id = ? OR c.parent_id = ?) AND u.active = 1 "
        "AND u.level IN ('district', 'commune', 'branch') GROUP BY c.id, u.level",
        (unit_id, unit_id),
    )
    found: dict[int, dict[Level, int]] = defaultdict(dict)
    for target, level, count in rows:
        found[int(target)][Level(level)] = int(count)
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
