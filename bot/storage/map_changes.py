"""Moving a database onto a new map (migration 012): SQL only.

`unit_move` rows say which units were given another parent and from when, so the counters of
earlier years still roll up along the old map (`bot.services.counters`); `map_change` rows say
which map changes were carried out (`bot.services.map_change`). Besides them: the few reads
and writes the move needs on other tables (successors with their rank, grants of ended units
and their invites, revoked by the move; a unit's own counters, the file backup).
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.storage.db import Database, Tx, from_db_time, to_db_time
from bot.storage.models import Role, Unit
from bot.text import fold


@dataclass(frozen=True)
class UnitMove:
    """`unit_id` hangs under `to_parent_id` from the year of `effective` on, and counted under
    `from_parent_id` for the years before; `settled` False: placed provisionally."""

    unit_id: int
    from_parent_id: int
    to_parent_id: int
    effective: date
    settled: bool


def _move(row: Any) -> UnitMove:
    return UnitMove(
        unit_id=int(row["unit_id"]),
        from_parent_id=int(row["from_parent_id"]),
        to_parent_id=int(row["to_parent_id"]),
        effective=date.fromisoformat(row["effective"]),
        settled=bool(row["settled"]),
    )


_MOVE_COLUMNS = "unit_id, from_parent_id, to_parent_id, effective, settled"


def _marks(values: Iterable[object]) -> str:
    return ",".join("?" for _ in values)


async def moves_of(
    db: Database | Tx, unit_ids: Iterable[int] | None = None
) -> dict[int, list[UnitMove]]:
    """The moves of the given units (of every unit when None), each unit's oldest first; units
    that never moved are left out."""
    if unit_ids is None:
        rows = await db.fetchall(f"SELECT {_MOVE_COLUMNS} FROM unit_move ORDER BY effective")
    else:
        ids = sorted(set(unit_ids))
        if not ids:
            return {}
        rows = await db.fetchall(
            f"SELECT {_MOVE_COLUMNS} FROM unit_move WHERE unit_id IN ({_marks(ids)}) "
            "ORDER BY effective",
            ids,
        )
    found: dict[int, list[UnitMove]] = {}
    for row in rows:
        move = _move(row)
        found.setdefault(move.unit_id, []).append(move)
    return found


async def add_move(tx: Tx, move: UnitMove) -> None:
    """Recording the same move again (same unit and day) replaces it."""
    await tx.execute(
        f"INSERT INTO unit_move ({_MOVE_COLUMNS}) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (unit_id, effective) DO UPDATE SET from_parent_id = excluded.from_parent_id, "
        "to_parent_id = excluded.to_parent_id, settled = excluded.settled",
        (
            move.unit_id,
            move.from_parent_id,
            move.to_parent_id,
            move.effective.isoformat(),
            int(move.settled),
        ),
    )


async def unsettled(db: Database | Tx, within: Unit) -> list[UnitMove]:
    """Provisional moves of units now under `within` (a unit placed where its split commune's
    first successor is), by the name of the unit."""
    rows = await db.fetchall(
        "SELECT m.unit_id, m.from_parent_id, m.to_parent_id, m.effective, m.settled "
        "FROM unit_move m "
        "JOIN unit u ON u.id = m.unit_id WHERE m.settled = 0 AND u.valid_to IS NULL "
        "AND u.path >= ? AND u.path < ? ORDER BY u.name_folded, u.id",
        (within.path, within.path[:-1] + "0"),
    )
    return [_move(row) for row in rows]


async def latest_move(db: Database | Tx, unit_id: int) -> UnitMove | None:
    row = await db.fetchone(
        f"SELECT {_MOVE_COLUMNS} FROM unit_move WHERE unit_id = ? ORDER BY effective DESC LIMIT 1",
        (unit_id,),
    )
    return _move(row) if row else None


async def reparent(tx: Tx, unit: Unit, parent: Unit) -> str:
    """`unit` (and everything under it) now hangs under `parent`: parent_id and the
    materialised paths rewritten. Returns the unit's new path."""
    path = f"{parent.path}{unit.id}/"
    await tx.execute(
        "UPDATE unit SET path = ? || substr(path, ?) WHERE path >= ? AND path < ?",
        (path, len(unit.path) + 1, unit.path, unit.path[:-1] + "0"),
    )
    await tx.execute("UPDATE unit SET parent_id = ? WHERE id = ?", (parent.id, unit.id))
    return path


async def rename(tx: Tx, unit_id: int, name: str) -> None:
    """A unit's name changed (a branch made distinct among its new siblings)."""
    await tx.execute(
        "UPDATE unit SET name = ?, name_folded = ? WHERE id = ?", (name, fold(name), unit_id)
    )


async def sibling_names(db: Database | Tx, parent_id: int) -> set[str]:
    """The folded names of a unit's children in force."""
    rows = await db.fetchall(
        "SELECT name_folded FROM unit WHERE parent_id = ? AND valid_to IS NULL", (parent_id,)
    )
    return {str(row[0]) for row in rows}


# --- Units of the map ------------------------------------------------------------------------


async def add_successor(
    tx: Tx, unit_id: int, successor_id: int, *, partly: bool, rank: int
) -> None:
    """`successor_id` took over `unit_id` (or part of it), `rank` in the conversion table's
    order; recording it again updates it."""
    await tx.execute(
        "INSERT INTO unit_successor (unit_id, successor_id, partly, rank) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (unit_id, successor_id) DO UPDATE SET partly = excluded.partly, "
        "rank = excluded.rank",
        (unit_id, successor_id, int(partly), rank),
    )


async def successor_ids(db: Database | Tx, unit_id: int) -> list[tuple[int, bool]]:
    """(successor id, partly) of an ended unit, rank 0 first."""
    rows = await db.fetchall(
        "SELECT successor_id, partly FROM unit_successor WHERE unit_id = ? "
        "ORDER BY rank, successor_id",
        (unit_id,),
    )
    return [(int(row[0]), bool(row[1])) for row in rows]


async def predecessor_ids(db: Database | Tx, unit_id: int) -> list[int]:
    """The units `unit_id` took over (wholly or partly)."""
    rows = await db.fetchall(
        "SELECT unit_id FROM unit_successor WHERE successor_id = ? ORDER BY unit_id", (unit_id,)
    )
    return [int(row[0]) for row in rows]


async def in_force_under(db: Database | Tx, root: Unit, level: str) -> list[int]:
    """Ids of the units in force of one level beneath `root`, by id."""
    rows = await db.fetchall(
        "SELECT id FROM unit WHERE valid_to IS NULL AND level = ? AND path > ? AND path < ? "
        "ORDER BY id",
        (level, root.path, root.path[:-1] + "0"),
    )
    return [int(row[0]) for row in rows]


async def children_ids(db: Database | Tx, parent_ids: Iterable[int]) -> dict[int, list[int]]:
    """Ids of the children in force of each parent (active or not), by id."""
    ids = sorted(set(parent_ids))
    found: dict[int, list[int]] = {parent: [] for parent in ids}
    if not ids:
        return found
    rows = await db.fetchall(
        f"SELECT parent_id, id FROM unit WHERE parent_id IN ({_marks(ids)}) "
        "AND valid_to IS NULL ORDER BY id",
        ids,
    )
    for row in rows:
        found[int(row[0])].append(int(row[1]))
    return found


# --- Grants, invites, records ------------------------------------------------------------------


@dataclass(frozen=True)
class GrantRow:
    id: int
    telegram_id: int
    role: Role
    unit_id: int
    full_name: str | None


async def grants_on(db: Database | Tx, unit_ids: Iterable[int]) -> list[GrantRow]:
    """The grants held on exactly these units, by unit then person."""
    ids = sorted(set(unit_ids))
    if not ids:
        return []
    rows = await db.fetchall(
        "SELECT g.id, g.telegram_id, g.role, g.unit_id, a.full_name FROM role_grant g "
        f"JOIN app_user a USING (telegram_id) WHERE g.unit_id IN ({_marks(ids)}) "
        "ORDER BY g.unit_id, g.telegram_id, g.role",
        ids,
    )
    return [
        GrantRow(int(r[0]), int(r[1]), Role(r[2]), int(r[3]), r[4] if r[4] else None) for r in rows
    ]


async def grant(db: Database | Tx, grant_id: int) -> GrantRow | None:
    row = await db.fetchone(
        "SELECT g.id, g.telegram_id, g.role, g.unit_id, a.full_name FROM role_grant g "
        "JOIN app_user a USING (telegram_id) WHERE g.id = ?",
        (grant_id,),
    )
    if row is None:
        return None
    return GrantRow(int(row[0]), int(row[1]), Role(row[2]), int(row[3]), row[4] or None)


async def holds(db: Database | Tx, telegram_id: int, role: Role, unit_id: int) -> bool:
    row = await db.fetchone(
        "SELECT 1 FROM role_grant WHERE telegram_id = ? AND role = ? AND unit_id = ?",
        (telegram_id, role.value, unit_id),
    )
    return row is not None


async def move_grant(tx: Tx, grant_id: int, unit_id: int) -> None:
    await tx.execute("UPDATE role_grant SET unit_id = ? WHERE id = ?", (unit_id, grant_id))


@dataclass(frozen=True)
class InviteRow:
    code: str
    role: Role
    unit_id: int
    created_by: int
    expires_at: datetime


async def open_invites_on(
    db: Database | Tx, unit_ids: Iterable[int], now: datetime
) -> list[InviteRow]:
    """Invites not used and not expired on these units, oldest first."""
    ids = sorted(set(unit_ids))
    if not ids:
        return []
    rows = await db.fetchall(
        "SELECT code, role, unit_id, created_by, expires_at FROM invite "
        f"WHERE unit_id IN ({_marks(ids)}) AND used_by IS NULL AND expires_at > ? "
        "ORDER BY created_at, code",
        (*ids, to_db_time(now)),
    )
    return [
        InviteRow(str(r[0]), Role(r[1]), int(r[2]), int(r[3]), from_db_time(r[4])) for r in rows
    ]


async def revoke_invite(tx: Tx, code: str, now: datetime) -> bool:
    """The invite, if still unused and not expired, expires `now` (an invite to a unit that
    ended); False when it was used or had expired already."""
    changed = await tx.rowcount(
        "UPDATE invite SET expires_at = ? WHERE code = ? AND used_by IS NULL AND expires_at > ?",
        (to_db_time(now), code, to_db_time(now)),
    )
    return changed == 1


RECORD_TABLES = ("member", "nomination", "contribution", "award")


async def record_counts(db: Database | Tx) -> dict[str, int]:
    """How many rows each kind of report has, whatever their status."""
    found: dict[str, int] = {}
    for table in RECORD_TABLES:
        row = await db.fetchone(f"SELECT count(*) FROM {table}")
        found[table] = int(row[0]) if row else 0
    return found


async def counters_at(db: Database | Tx, unit_id: int) -> dict[tuple[int, str], int]:
    """The non-zero counters of one unit, every year: (year, indicator) → value."""
    rows = await db.fetchall(
        "SELECT year, indicator, value FROM stat_counter WHERE unit_id = ? AND value <> 0",
        (unit_id,),
    )
    return {(int(r[0]), str(r[1])): int(r[2]) for r in rows}


# --- Map changes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MapChangeRow:
    id: int
    effective: date
    units_file: str
    mapping_file: str
    applied_at: datetime
    summary: dict[str, Any]


def _change(row: Any) -> MapChangeRow:
    return MapChangeRow(
        id=int(row["id"]),
        effective=date.fromisoformat(row["effective"]),
        units_file=str(row["units_file"]),
        mapping_file=str(row["mapping_file"]),
        applied_at=from_db_time(row["applied_at"]),
        summary=json.loads(row["summary"]),
    )


async def map_changes(db: Database | Tx) -> list[MapChangeRow]:
    """Every map change carried out, oldest first."""
    rows = await db.fetchall(
        "SELECT id, effective, units_file, mapping_file, applied_at, summary FROM map_change "
        "ORDER BY effective, id"
    )
    return [_change(row) for row in rows]


async def map_change(db: Database | Tx, change_id: int) -> MapChangeRow | None:
    row = await db.fetchone(
        "SELECT id, effective, units_file, mapping_file, applied_at, summary FROM map_change "
        "WHERE id = ?",
        (change_id,),
    )
    return _change(row) if row else None


async def add_map_change(
    tx: Tx,
    *,
    effective: date,
    units_file: str,
    mapping_file: str,
    applied_at: datetime,
    summary: dict[str, Any],
) -> int:
    return await tx.execute(
        "INSERT INTO map_change (effective, units_file, mapping_file, applied_at, summary) "
        "VALUES (?, ?, ?, ?, ?)",
        (
            effective.isoformat(),
            units_file,
            mapping_file,
            to_db_time(applied_at),
            json.dumps(summary, ensure_ascii=False, sort_keys=True),
        ),
    )


# --- The file ------------------------------------------------------------------------------


async def backup(db: Database, target: Path) -> None:
    """A consistent copy of the whole database at `target`: SQLite's online backup API, every
    page in one step, so the copy is one committed state even if another process writes."""
    copy = await asyncio.to_thread(sqlite3.connect, target, check_same_thread=False)
    try:
        await db.conn.backup(copy)
    finally:
        await asyncio.to_thread(copy.close)
