"""The administrative hierarchy: one table, a materialised path per unit.

Units have a life (`valid_from`, `valid_to`): an ended unit keeps its row, inactive, and names
its successors (`unit_successor`); a unit in force may also be known by the former names of the
communes it was formed from (`unit_alias`). A statistics-office code is unique among the units
in force; an ended unit may share it with the one that took it over.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.storage.db import Database, Tx
from bot.storage.models import Level, Unit, UnitKind
from bot.text import clean_name, fold, vi_sort_key

_FIELDS = (
    "id",
    "parent_id",
    "level",
    "code",
    "name",
    "kind",
    "path",
    "active",
    "valid_from",
    "valid_to",
    "lat",
    "lon",
    "area_km2",
    "former_district",
)
_COLUMNS = ", ".join(_FIELDS)


def _columns(alias: str) -> str:
    return ", ".join(f"{alias}.{field}" for field in _FIELDS)


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


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
        valid_from=_day(row["valid_from"]),
        valid_to=_day(row["valid_to"]),
        lat=row["lat"],
        lon=row["lon"],
        area_km2=row["area_km2"],
        former_district=row["former_district"],
    )


def columns(alias: str) -> str:
    """Every column of a unit, of the table named `alias`, for a query that joins it: read
    back with `from_row` (a grant's unit comes with its dates, `people.grants_of`)."""
    return _columns(alias)


def from_row(row: Any) -> Unit:
    return _unit(row)


@dataclass(frozen=True)
class Found:
    """A unit in force found by a search; `former` is the former name that matched (an alias,
    or an ended unit it succeeds), None when its own name or code did; `partly` when only part
    of that former unit went to it."""

    unit: Unit
    former: str | None = None
    partly: bool = False


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def get(db: Database | Tx, unit_id: int) -> Unit | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM unit WHERE id = ?", (unit_id,))
    return _unit(row) if row else None


async def by_code(db: Database | Tx, code: str) -> Unit | None:
    """The unit in force with this code, else the one that ended last."""
    row = await db.fetchone(
        f"SELECT {_COLUMNS} FROM unit WHERE code = ? "
        "ORDER BY valid_to IS NULL DESC, valid_to DESC, id DESC LIMIT 1",
        (code.strip(),),
    )
    return _unit(row) if row else None


async def in_force_by_code(db: Database | Tx, code: str) -> Unit | None:
    row = await db.fetchone(
        f"SELECT {_COLUMNS} FROM unit WHERE code = ? AND valid_to IS NULL", (code.strip(),)
    )
    return _unit(row) if row else None


async def root(db: Database | Tx) -> Unit | None:
    """The province: the first one in force when the database also holds an ended one."""
    row = await db.fetchone(
        f"SELECT {_COLUMNS} FROM unit WHERE parent_id IS NULL "
        "ORDER BY valid_to IS NULL DESC, active DESC, id LIMIT 1"
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
    """Active children of a unit, in Vietnamese alphabetical order (`vi_sort_key`: SQLite
    cannot collate it, and a unit has at most a few hundred children, so they are sorted
    here, then paged); `query` keeps names that contain it."""
    sql = f"SELECT {_COLUMNS} FROM unit WHERE parent_id = ? AND active = 1"
    params: list[Any] = [parent_id]
    folded = fold(query)
    if folded:
        sql += " AND (name_folded LIKE ? ESCAPE '\\' OR code = ?)"
        params += [f"%{_like_escape(folded)}%", query.strip()]
    found = sorted(
        (_unit(row) for row in await db.fetchall(sql, params)),
        key=lambda unit: (vi_sort_key(unit.name), unit.id),
    )
    return found[offset : offset + limit]


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
    """Active units of these levels that are `root` or lie beneath it, nearest the root first,
    then in Vietnamese alphabetical order (a form asks `limit=2` to learn whether there is only
    one to choose)."""
    if not levels:
        return []
    sql = (
        f"SELECT {_COLUMNS} FROM unit WHERE active = 1 AND path LIKE ? ESCAPE '\\' "
        f"AND level IN ({','.join('?' * len(levels))}) ORDER BY length(path), name_folded LIMIT ?"
    )
    params: list[Any] = [_like_escape(root.path) + "%", *(level.value for level in levels), limit]
    found = [_unit(row) for row in await db.fetchall(sql, params)]
    return sorted(found, key=lambda unit: (len(unit.path), vi_sort_key(unit.name), unit.id))


def _within(alias: str, within: Unit | None, levels: Sequence[Level]) -> tuple[str, list[Any]]:
    """SQL and parameters keeping units of `alias` inside `within` and of these levels."""
    sql, params = "", []
    if within is not None:
        sql += f" AND {alias}.path LIKE ? ESCAPE '\\'"
        params.append(_like_escape(within.path) + "%")
    if levels:
        sql += f" AND {alias}.level IN ({','.join('?' * len(levels))})"
        params += [level.value for level in levels]
    return sql, params


async def search(
    db: Database | Tx, query: str, *, within: Unit | None = None, levels: Sequence[Level] = ()
) -> list[Unit]:
    """Units in force whose code equals the query or whose folded name contains it, exact names
    first; then those found by a former name (`find` says which)."""
    return [found.unit for found in await find(db, query, within=within, levels=levels)]


async def find(
    db: Database | Tx, query: str, *, within: Unit | None = None, levels: Sequence[Level] = ()
) -> list[Found]:
    """`search` with the former name each unit was found by, once per unit; at most 50."""
    folded = fold(query)
    if not folded:
        return []
    sql = (
        f"SELECT {_COLUMNS} FROM unit u WHERE active = 1 "
        "AND (code = ? OR name_folded LIKE ? ESCAPE '\\')"
    )
    params: list[Any] = [query.strip(), f"%{_like_escape(folded)}%"]
    where, where_params = _within("u", within, levels)
    sql += where + (
        " ORDER BY (code = ?) DESC, (name_folded = ?) DESC, length(path), name_folded LIMIT 50"
    )
    params += [*where_params, query.strip(), folded]
    found = [Found(_unit(row)) for row in await db.fetchall(sql, params)]
    seen = {hit.unit.id for hit in found}
    for hit in await former_names(db, query, within=within, levels=levels):
        if hit.unit.id not in seen and len(found) < 50:
            seen.add(hit.unit.id)
            found.append(hit)
    return found


async def find_ended(
    db: Database | Tx,
    query: str,
    *,
    within: Unit | None = None,
    levels: Sequence[Level] = (),
    limit: int = 50,
) -> list[Unit]:
    """Units no longer in force whose code equals the query or whose folded name, or one of
    whose former names, contains it: exact codes and names first, then the higher levels, the
    latest ended first. An ended unit is searched as it was, under the parent it had."""
    folded = fold(query)
    if not folded:
        return []
    like = f"%{_like_escape(folded)}%"
    where, where_params = _within("u", within, levels)
    sql = (
        f"SELECT {_columns('u')} FROM unit u WHERE u.valid_to IS NOT NULL "
        "AND (u.code = ? OR u.name_folded LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM "
        "unit_alias a WHERE a.unit_id = u.id AND a.name_folded LIKE ? ESCAPE '\\'))"
        f"{where} ORDER BY (u.code = ?) DESC, (u.name_folded = ?) DESC, length(u.path), "
        "u.valid_to DESC, u.name_folded, u.id LIMIT ?"
    )
    params = [query.strip(), like, like, *where_params, query.strip(), folded, limit]
    return [_unit(row) for row in await db.fetchall(sql, params)]


async def former_names(
    db: Database | Tx,
    query: str,
    *,
    within: Unit | None = None,
    levels: Sequence[Level] = (),
    limit: int = 50,
) -> list[Found]:
    """Units in force known by a former name that contains the query (folded), or whose
    ended predecessor has that name or code: aliases, and successors followed to the units in
    force now (a commune merged in 2024 whose commune merged again in 2025). Exact former names
    first; a former name that is the unit's own name is not one. Once per unit."""
    folded = fold(query)
    if not folded:
        return []
    like = f"%{_like_escape(folded)}%"
    where, where_params = _within("u", within, levels)
    sql = f"""
        WITH RECURSIVE
        chain(former, former_folded, id, partly, depth) AS (
            SELECT e.name, e.name_folded, s.successor_id, s.partly, 1
            FROM unit e JOIN unit_successor s ON s.unit_id = e.id
            WHERE e.active = 0 AND (e.code = ? OR e.name_folded LIKE ? ESCAPE '\\')
            UNION
            SELECT c.former, c.former_folded, s.successor_id, max(c.partly, s.partly),
                   c.depth + 1
            FROM chain c JOIN unit_successor s ON s.unit_id = c.id
            WHERE c.depth < 10
        ),
        hit(former, former_folded, id, partly) AS (
            SELECT former, former_folded, id, partly FROM chain
            UNION ALL
            SELECT a.name, a.name_folded, a.unit_id, a.partly FROM unit_alias a
            WHERE a.name_folded LIKE ? ESCAPE '\\'
        )
        SELECT {_columns("u")}, h.former, h.partly
        FROM hit h JOIN unit u ON u.id = h.id
        WHERE u.active = 1 AND h.former_folded <> u.name_folded {where}
        ORDER BY h.former_folded = ? DESC, h.former_folded, h.partly,
                 length(u.path) - length(replace(u.path, '/', '')), u.name_folded
    """
    rows = await db.fetchall(sql, [query.strip(), like, like, *where_params, folded])
    found: list[Found] = []
    seen: set[int] = set()
    for row in rows:
        if row["id"] in seen:
            continue
        seen.add(row["id"])
        found.append(Found(_unit(row), row["former"], bool(row["partly"])))
        if len(found) >= limit:
            break
    return found


async def insert(
    tx: Tx,
    *,
    parent: Unit | None,
    level: Level,
    code: str,
    name: str,
    kind: UnitKind,
    valid_from: date | None = None,
    lat: float | None = None,
    lon: float | None = None,
    area_km2: float | None = None,
    former_district: str | None = None,
) -> Unit:
    unit_id = await tx.execute(
        "INSERT INTO unit (parent_id, level, code, name, name_folded, kind, path, valid_from, "
        "lat, lon, area_km2, former_district) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            parent.id if parent else None,
            level.value,
            code,
            name,
            fold(name),
            kind.value,
            f"pending:{code}",
            valid_from.isoformat() if valid_from else None,
            lat,
            lon,
            area_km2,
            former_district,
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
        valid_from=valid_from,
        lat=lat,
        lon=lon,
        area_km2=area_km2,
        former_district=former_district,
    )


async def fill_former_district(tx: Tx, unit: Unit, former_district: str) -> bool:
    """Record the district `unit` was formed from when none is recorded yet (a units file
    loaded again into a database from before it was kept); True when it was recorded."""
    changed = await tx.rowcount(
        "UPDATE unit SET former_district = ? WHERE id = ? AND former_district IS NULL",
        (former_district, unit.id),
    )
    return changed > 0


@dataclass(frozen=True)
class Alias:
    name: str
    partly: bool


async def add_alias(tx: Tx, unit: Unit, name: str, *, partly: bool = False) -> bool:
    """Record a former name of `unit`; False when it was known already (same folded name)."""
    name = clean_name(name)
    added = await tx.rowcount(
        "INSERT OR IGNORE INTO unit_alias (unit_id, name, name_folded, partly) VALUES (?, ?, ?, ?)",
        (unit.id, name, fold(name), int(partly)),
    )
    return added > 0


async def aliases(db: Database | Tx, unit: Unit) -> list[Alias]:
    rows = await db.fetchall(
        "SELECT name, partly FROM unit_alias WHERE unit_id = ? ORDER BY name_folded", (unit.id,)
    )
    return [Alias(row["name"], bool(row["partly"])) for row in rows]


async def drop_alias(tx: Tx, unit: Unit, name: str) -> None:
    """Forget a former name of `unit` (it is its name again: no longer a former one)."""
    await tx.execute(
        "DELETE FROM unit_alias WHERE unit_id = ? AND name_folded = ?", (unit.id, fold(name))
    )


async def name_taken(tx: Tx, parent_id: int, name: str, *, besides: int) -> bool:
    """Whether another child of `parent_id` (in force or ended) is called `name`, or was
    (a former name of a renamed sibling), compared folded."""
    folded = fold(name)
    row = await tx.fetchone(
        "SELECT 1 FROM unit WHERE parent_id = ? AND id <> ? AND name_folded = ? "
        "UNION ALL SELECT 1 FROM unit_alias a JOIN unit u ON u.id = a.unit_id "
        "WHERE u.parent_id = ? AND u.id <> ? AND a.name_folded = ? LIMIT 1",
        (parent_id, besides, folded, parent_id, besides, folded),
    )
    return row is not None


async def rename(tx: Tx, unit: Unit, name: str) -> Unit:
    await tx.execute(
        "UPDATE unit SET name = ?, name_folded = ? WHERE id = ?", (name, fold(name), unit.id)
    )
    return unit.model_copy(update={"name": name})


async def end(tx: Tx, unit: Unit, on: date) -> Unit:
    """The unit is no longer in force from `on`: inactive, kept with its records."""
    await tx.execute(
        "UPDATE unit SET valid_to = ?, active = 0 WHERE id = ?", (on.isoformat(), unit.id)
    )
    return unit.model_copy(update={"valid_to": on, "active": False})


async def add_successor(tx: Tx, unit: Unit, successor: Unit, *, partly: bool = False) -> None:
    """`successor` took over `unit` (or, `partly`, a part of it); recording it twice is one."""
    await tx.execute(
        "INSERT INTO unit_successor (unit_id, successor_id, partly) VALUES (?, ?, ?) "
        "ON CONFLICT (unit_id, successor_id) DO UPDATE SET partly = excluded.partly",
        (unit.id, successor.id, int(partly)),
    )


async def successors(db: Database | Tx, unit: Unit) -> list[tuple[Unit, bool]]:
    """The units that took `unit` over (each with `partly`), by name."""
    rows = await db.fetchall(
        f"SELECT {_columns('u')}, s.partly FROM unit_successor s "
        "JOIN unit u ON u.id = s.successor_id WHERE s.unit_id = ? ORDER BY u.name_folded",
        (unit.id,),
    )
    return [(_unit(row), bool(row["partly"])) for row in rows]


async def next_branch_code(tx: Tx, commune: Unit) -> str:
    row = await tx.fetchone(
        "SELECT count(*) FROM unit WHERE parent_id = ? AND level = 'branch'", (commune.id,)
    )
    number = (int(row[0]) if row else 0) + 1
    while await tx.fetchone("SELECT 1 FROM unit WHERE code = ?", (f"{commune.code}-{number:03d}",)):
        number += 1
    return f"{commune.code}-{number:03d}"


async def count_by_level(db: Database | Tx, *, in_force: bool = False) -> dict[Level, int]:
    """Units per level; `in_force`: only those not ended."""
    where = " WHERE valid_to IS NULL" if in_force else ""
    rows = await db.fetchall(f"SELECT level, count(*) AS n FROM unit{where} GROUP BY level")
    return {Level(row["level"]): int(row["n"]) for row in rows}


async def in_use(db: Database | Tx, unit_id: int) -> bool:
    """Whether any row refers to the unit: a child, a role, a request, an invite, a report, a
    counter, a figure… Every table that points at a unit does so by a foreign key, so they are
    all asked, including tables added after this was written."""
    references = await db.fetchall(
        'SELECT m.name AS tbl, p."from" AS col FROM sqlite_master m, '
        "pragma_foreign_key_list(m.name) p WHERE m.type = 'table' AND p.\"table\" = 'unit'"
    )
    for reference in references:
        table = str(reference["tbl"]).replace('"', '""')
        column = str(reference["col"]).replace('"', '""')
        if await db.fetchone(f'SELECT 1 FROM "{table}" WHERE "{column}" = ? LIMIT 1', (unit_id,)):
            return True
    return False


async def delete_unused(tx: Tx, unit_id: int) -> bool:
    """Remove a unit nothing refers to (`in_use`): a branch created a moment ago by a decision
    that was then undone. False, and nothing removed, while anything refers to it."""
    if await in_use(tx, unit_id):
        return False
    return await tx.rowcount("DELETE FROM unit WHERE id = ?", (unit_id,)) == 1
