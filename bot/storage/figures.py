"""Rows of `unit_figure` (denominators and targets) and `baseline` (totals from before the bot).

Names are validated by the services and by the tables' CHECKs; every value is a parameter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.storage.db import Database, Tx, to_db_time


def subtree_bounds(path: str) -> tuple[str, str]:
    """`[low, high)` holding exactly the paths under `path` ('/1/5/' → '/1/5/', '/1/50').

    Paths are digits and '/', and '0' follows '/' in ASCII, so this range is the subtree and
    lets SQLite walk the unique index on `unit.path` instead of testing every row.
    """
    if not path.endswith("/"):
        raise ValueError(f"not a unit path: {path!r}")
    return path, path[:-1] + "0"


@dataclass(frozen=True)
class FigureRow:
    unit_id: int
    year: int
    figure: str
    value: int


async def figures_near(
    db: Database | Tx, path: str, lineage: Sequence[int], year: int
) -> list[FigureRow]:
    """Every figure row up to `year` of the units under `path` and of the units in `lineage`
    (the scope's ancestors, whose targets it inherits): one indexed read per resolve."""
    low, high = subtree_bounds(path)
    ids = list(lineage)
    marks = ",".join("?" * len(ids)) or "NULL"
    rows = await db.fetchall(
        "SELECT f.unit_id, f.year, f.figure, f.value FROM unit_figure f "
        "JOIN unit u ON u.id = f.unit_id "
        f"WHERE f.year <= ? AND ((u.path >= ? AND u.path < ?) OR u.id IN ({marks}))",
        (year, low, high, *ids),
    )
    return [FigureRow(int(r[0]), int(r[1]), str(r[2]), int(r[3])) for r in rows]


async def figures_of(db: Database | Tx, unit_id: int, year: int) -> dict[str, int]:
    """The figures set on exactly this unit and year."""
    rows = await db.fetchall(
        "SELECT figure, value FROM unit_figure WHERE unit_id = ? AND year = ?", (unit_id, year)
    )
    return {str(row["figure"]): int(row["value"]) for row in rows}


async def put_figure(
    tx: Tx, unit_id: int, year: int, figure: str, value: int, set_by: int | None, at: datetime
) -> None:
    await tx.execute(
        "INSERT INTO unit_figure (unit_id, year, figure, value, set_by, set_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (unit_id, year, figure) DO UPDATE SET "
        "value = excluded.value, set_by = excluded.set_by, set_at = excluded.set_at",
        (unit_id, year, figure, value, set_by, to_db_time(at)),
    )


async def delete_figure(tx: Tx, unit_id: int, year: int, figure: str) -> None:
    await tx.execute(
        "DELETE FROM unit_figure WHERE unit_id = ? AND year = ? AND figure = ?",
        (unit_id, year, figure),
    )


# --- Baselines --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BaselineRow:
    unit_id: int
    year: int
    indicator: str
    value: int


async def baselines_of(db: Database | Tx, unit_id: int, year: int) -> dict[str, int]:
    rows = await db.fetchall(
        "SELECT indicator, value FROM baseline WHERE unit_id = ? AND year = ?", (unit_id, year)
    )
    return {str(row["indicator"]): int(row["value"]) for row in rows}


async def all_baselines(db: Database | Tx) -> list[BaselineRow]:
    """Every baseline row: a few per unit and year, read whole by imports and `recompute`."""
    rows = await db.fetchall("SELECT unit_id, year, indicator, value FROM baseline")
    return [BaselineRow(int(r[0]), int(r[1]), str(r[2]), int(r[3])) for r in rows]


async def put_baselines(tx: Tx, rows: Iterable[BaselineRow], at: datetime) -> None:
    await tx.executemany(
        "INSERT INTO baseline (unit_id, year, indicator, value, imported_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (unit_id, year, indicator) DO UPDATE SET "
        "value = excluded.value, imported_at = excluded.imported_at",
        [(r.unit_id, r.year, r.indicator, r.value, to_db_time(at)) for r in rows],
    )


async def delete_baselines(tx: Tx, unit_id: int, year: int, indicators: Sequence[str]) -> None:
    if not indicators:
        return
    await tx.execute(
        "DELETE FROM baseline WHERE unit_id = ? AND year = ? "
        f"AND indicator IN ({','.join('?' * len(indicators))})",
        (unit_id, year, *indicators),
    )
