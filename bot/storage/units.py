"""The administrative hierarchy: one table, a materialised path per unit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.storage.db import Database, Tx
from bot.storage.models import Level, Unit, UnitKind
from bot.text import fold

_COLUMNS = "id, parent_id, level, code, name, kind, path, active"


def _unit(row: Any) -> Unit:
    return Unit(
        id=row["id"],
        parent_id=row["parent_id"],
        level=Level(row["level"]),
        code=row["code"],
        name=row["name"],
        kind=UnitKind(row["kind"]),
        path=row["path"],
        active=bool(row["active"]),
    )


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def get(db: Database | Tx, unit_id: int) -> Unit | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM unit WHERE id = ?", (unit_id,))
    return _unit(row) if row else None


async def by_code(db: Database | Tx, code: str) -> Unit | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM unit WHERE code = ?", (code.strip(),))
    return _unit(row) if row else None


async def root(db: Database | Tx) -> Unit | None:
    row = await db.fetchone(
        f"SELECT {_COLUMNS} FROM unit WHERE parent_id IS NULL ORDER BY id LIMIT 1"
    )
    return _unit(row) if row else None


async def ancestors(db: Database | Tx, unit: Unit) -> list[Unit]:
    """The unit's chain from the province down to its parent."""
    ids = [int(part) for part in unit.path.strip("/").split("/")[:-1]]
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = await db.fetchall(f"SELECT {_COLUMNS} FROM unit WHERE id IN ({marks})", ids)
    by_id = {row["id"]: _unit(row) for row in rows}
    return [by_id[i] for i in ids if i in by_id]


async def children(
    db: Database | Tx, parent_id: int, *, query: str = "", limit: int = 1000, offset: int = 0
) -> list[Unit]:
    """Active children of a unit, alphabetical; `query` keeps names that contain it."""
    sql = f"SELECT {_COLUMNS} FROM unit WHERE parent_id = ? AND active = 1"
    params: list[Any] = [parent_id]
    folded = fold(query)
    if folded:
        sql += " AND (name_folded LIKE ? ESCAPE '\\' OR code = ?)"
        params += [f"%{_like_escape(folded)}%", query.strip()]
    sql += " ORDER BY name_folded LIMIT ? OFFSET ?"
    params += [limit, offset]
    return [_unit(row) for row in await db.fetchall(sql, params)]


async def count_children(db: Database | Tx, parent_id: int, *, query: str = "") -> int:
    sql = "SELECT count(*) FROM unit WHERE parent_id = ? AND active = 1"
    params: list[Any] = [parent_id]
    folded = fold(query)
    if folded:
        sql += " AND (name_folded LIKE ? ESCAPE '\\' OR code = ?)"
        params += [f"%{_like_escape(folded)}%", query.strip()]
    row = await db.fetchone(sql, params)
    return int(row[0]) if row else 0


async def beneath(
    db: Database | Tx, root: Unit, levels: Sequence[Level], *, limit: int = 1000
) -> list[Unit]:
    """Active units of these levels that are `root` or lie beneath it, nearest the root first
    (a form asks `limit=2` to learn whether there is only one to choose)."""
    if not levels:
        return []
    sql = (
        f"SELECT {_COLUMNS} FROM unit WHERE active = 1 AND path LIKE ? ESCAPE '\\' "
        f"AND level IN ({','.join('?' * len(levels))}) ORDER BY length(path), name_folded LIMIT ?"
    )
    params: list[Any] = [_like_escape(root.path) + "%", *(level.value for level in levels), limit]
    return [_unit(row) for row in await db.fetchall(sql, params)]


async def search(
    db: Database | Tx, query: str, *, within: Unit | None = None, levels: Sequence[Level] = ()
) -> list[Unit]:
    """Units whose code equals the query or whose folded name contains it; exact names first."""
    folded = fold(query)
    if not folded:
        return []
    sql = (
        f"SELECT {_COLUMNS} FROM unit WHERE active = 1 "
        "AND (code = ? OR name_folded LIKE ? ESCAPE '\\')"
    )
    params: list[Any] = [query.strip(), f"%{_like_escape(folded)}%"]
    if within is not None:
        sql += " AND path LIKE ? ESCAPE '\\'"
        params.append(_like_escape(within.path) + "%")
    if levels:
        sql += f" AND level IN ({','.join('?' * len(levels))})"
        params += [level.value for level in levels]
    sql += " ORDER BY (code = ?) DESC, (name_folded = ?) DESC, length(path), name_folded LIMIT 50"
    params += [query.strip(), folded]
    return [_unit(row) for row in await db.fetchall(sql, params)]


async def insert(
    tx: Tx, *, parent: Unit | None, level: Level, code: str, name: str, kind: UnitKind
) -> Unit:
    unit_id = await tx.execute(
        "INSERT INTO unit (parent_id, level, code, name, name_folded, kind, path) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            parent.id if parent else None,
            level.value,
            code,
            name,
            fold(name),
            kind.value,
            f"pending:{code}",
        ),
    )
    path = f"{parent.path if parent else '/'}{unit_id}/"
    await tx.execute("UPDATE unit SET path = ? WHERE id = ?", (path, unit_id))
    return Unit(
        id=unit_id,
        parent_id=parent.id if parent else None,
        level=level,
        code=code,
        name=name,
        kind=kind,
        path=path,
    )


async def next_branch_code(tx: Tx, commune: Unit) -> str:
    row = await tx.fetchone(
        "SELECT count(*) FROM unit WHERE parent_id = ? AND level = 'branch'", (commune.id,)
    )
    number = (int(row[0]) if row else 0) + 1
    while await tx.fetchone("SELECT 1 FROM unit WHERE code = ?", (f"{commune.code}-{number:03d}",)):
        number += 1
    return f"{commune.code}-{number:03d}"


async def count_by_level(db: Database | Tx) -> dict[Level, int]:
    rows = await db.fetchall("SELECT level, count(*) AS n FROM unit GROUP BY level")
    return {Level(row["level"]): int(row["n"]) for row in rows}
