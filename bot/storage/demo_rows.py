"""The SQL of the demo database (`bot/services/demo_data`): whether a database is still unused,
what it reads back of the hierarchy and of today's map, and the rows it writes in bulk.

A province is a million rows, so they go in with `executemany` a chunk at a time, with the
report tables' indexes set aside and built again at the end, foreign keys not checked row by
row and a large page cache (`unchecked`, `indexes_set_aside`, `big_cache`). Nothing here
decides what the rows say: the service makes them, in the order of the `INSERT`s' columns.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Final

from bot.storage.db import Database, Tx
from bot.storage.models import Level, Role, UnitKind
from bot.storage.records import FundKind

Row = tuple[object, ...]

_RECORD_TABLES: Final = (
    "member",
    "nomination",
    "contribution",
    "award",
    "fund",
    "baseline",
    "unit_figure",
    "stat_counter",
    "app_user",
    "role_grant",
    "invite",
    "registration_request",
)


async def occupied(db: Database | Tx) -> bool:
    """True unless the database holds nothing but administrative units (no people, branches,
    reports, figures or baselines)."""
    for table in _RECORD_TABLES:
        if await db.fetchone(f"SELECT 1 FROM {table} LIMIT 1"):
            return True
    return bool(await db.fetchone("SELECT 1 FROM unit WHERE level = 'branch' LIMIT 1"))


# --- The hierarchy ------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRow:
    id: int
    parent_id: int | None
    level: Level
    code: str
    name: str
    kind: UnitKind
    path: str
    area_km2: float | None = None
    former_district: str | None = None


async def units_above_branches(db: Database | Tx) -> list[UnitRow]:
    """Active units above the branches (those in force), province first, then districts,
    communes, each alphabetical."""
    rows = await db.fetchall(
        "SELECT id, parent_id, level, code, name, kind, path, area_km2, former_district "
        "FROM unit WHERE active = 1 AND level <> 'branch' "
        "ORDER BY length(path) - length(replace(path, '/', '')), name_folded, id"
    )
    return [
        UnitRow(
            int(r[0]),
            r[1],
            Level(r[2]),
            str(r[3]),
            str(r[4]),
            UnitKind(r[5]),
            str(r[6]),
            float(r[7]) if r[7] is not None else None,
            str(r[8]) if r[8] else None,
        )
        for r in rows
    ]


# --- Writing a million rows ---------------------------------------------------------------------

CACHE_KIB: Final = 1_000_000
"""SQLite page cache during a build (KiB): the indexes of a million rows stay in memory."""


@asynccontextmanager
async def unchecked(db: Database) -> AsyncIterator[None]:
    """Foreign keys not checked row by row while a million rows go in (a third of the time
    SQLite spends on them): the writer makes every row refer to what it wrote before, and the
    tests check the result with `PRAGMA foreign_key_check`."""
    await db.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        await db.execute("PRAGMA foreign_keys = ON")


@asynccontextmanager
async def big_cache(db: Database) -> AsyncIterator[None]:
    """A large page cache for the build, then the connection's own again."""
    row = await db.fetchone("PRAGMA cache_size")
    before = int(row[0]) if row else -2000
    await db.execute(f"PRAGMA cache_size = {-CACHE_KIB}")
    try:
        yield
    finally:
        await db.execute(f"PRAGMA cache_size = {before}")


_BULK_TABLES: Final = ("member", "nomination", "contribution", "award")


@asynccontextmanager
async def indexes_set_aside(tx: Tx) -> AsyncIterator[None]:
    """The report tables' indexes dropped while a million rows go in, and built again from
    the finished tables in the same transaction: several times faster than keeping them up to
    date row by row. (The unique keys of the tables' own definitions stay.)"""
    marks = ", ".join("?" for _ in _BULK_TABLES)
    rows = await tx.fetchall(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks}) ORDER BY name",
        _BULK_TABLES,
    )
    for row in rows:
        await tx.execute(f'DROP INDEX "{row["name"]}"')
    yield
    for row in rows:
        await tx.execute(str(row["sql"]))


CHUNK: Final = 20_000


async def _bulk(tx: Tx, sql: str, rows: Iterable[Row]) -> None:
    """`executemany` a chunk of rows at a time, each made before it is handed over: made
    while SQLite pulls them one by one (in the connection's thread) they take half as long
    again."""
    found = iter(rows)
    while chunk := list(itertools.islice(found, CHUNK)):
        await tx.executemany(sql, chunk)


_MEMBER_SQL: Final = (
    "INSERT INTO member (full_name, name_folded, gender, birth_year, joined_on, phone, unit_id, "
    "reporter_id, created_at, updated_at, status, idempotency_key, campaign_id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)"
)
_NOMINATION_SQL: Final = (
    "INSERT INTO nomination (kind, subject, subject_folded, unit_id, year, reporter_id, "
    "created_at, updated_at, status, decided_by, decided_at, reject_reason, idempotency_key, "
    "campaign_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_CONTRIBUTION_SQL: Final = (
    "INSERT INTO contribution (donor_name, donor_kind, amount, in_kind, in_kind_description, "
    "fund_id, campaign, contributed_on, unit_id, reporter_id, created_at, updated_at, status, "
    "idempotency_key, campaign_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)"
)
_AWARD_SQL: Final = (
    "INSERT INTO award (recipient_name, school, class_name, reason, amount, fund_id, awarded_on, "
    "unit_id, reporter_id, created_at, updated_at, status, idempotency_key, campaign_id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)"
)


async def add_members(tx: Tx, rows: Iterable[Row]) -> None:
    """(full_name, name_folded, gender, birth_year, joined_on, phone, unit_id, reporter_id,
    created_at, updated_at, idempotency_key, campaign_id), active."""
    await _bulk(tx, _MEMBER_SQL, rows)


async def add_nominations(tx: Tx, rows: Iterable[Row]) -> None:
    """(kind, subject, subject_folded, unit_id, year, reporter_id, created_at, updated_at,
    status, decided_by, decided_at, reject_reason, idempotency_key, campaign_id)."""
    await _bulk(tx, _NOMINATION_SQL, rows)


async def add_contributions(tx: Tx, rows: Iterable[Row]) -> None:
    """(donor_name, donor_kind, amount, in_kind, in_kind_description, fund_id, campaign,
    contributed_on, unit_id, reporter_id, created_at, updated_at, idempotency_key,
    campaign_id), active."""
    await _bulk(tx, _CONTRIBUTION_SQL, rows)


async def add_awards(tx: Tx, rows: Iterable[Row]) -> None:
    """(recipient_name, school, class_name, reason, amount, fund_id, awarded_on, unit_id,
    reporter_id, created_at, updated_at, idempotency_key, campaign_id), active."""
    await _bulk(tx, _AWARD_SQL, rows)


async def next_unit_id(tx: Tx) -> int:
    row = await tx.fetchone("SELECT coalesce(max(id), 0) FROM unit")
    return int(row[0]) + 1 if row else 1


async def next_fund_id(tx: Tx) -> int:
    row = await tx.fetchone("SELECT coalesce(max(id), 0) FROM fund")
    return int(row[0]) + 1 if row else 1


async def branch_codes_in_force(tx: Tx) -> set[str]:
    return {
        str(r[0])
        for r in await tx.fetchall(
            "SELECT code FROM unit WHERE level = 'branch' AND valid_to IS NULL"
        )
    }


async def add_branches(tx: Tx, rows: Iterable[Row]) -> None:
    """(id, parent_id, code, name, name_folded, kind, path, created_at)."""
    await tx.executemany(
        "INSERT INTO unit (id, parent_id, level, code, name, name_folded, kind, path, "
        "created_at) VALUES (?, ?, 'branch', ?, ?, ?, ?, ?, ?)",
        rows,
    )


async def telegram_ids(tx: Tx) -> list[int]:
    """Everyone in `app_user`."""
    return [int(r[0]) for r in await tx.fetchall("SELECT telegram_id FROM app_user")]


async def add_people(tx: Tx, rows: Iterable[Row]) -> None:
    """(telegram_id, full_name, created_at)."""
    await tx.executemany(
        "INSERT INTO app_user (telegram_id, full_name, created_at) VALUES (?, ?, ?)", rows
    )


async def add_grants(tx: Tx, rows: Iterable[Row]) -> None:
    """(telegram_id, role, unit_id, granted_at)."""
    await tx.executemany(
        "INSERT INTO role_grant (telegram_id, role, unit_id, granted_at) VALUES (?, ?, ?, ?)",
        rows,
    )


async def add_figures(tx: Tx, rows: Iterable[Row]) -> None:
    """(unit_id, year, figure, value, set_at)."""
    await tx.executemany(
        "INSERT INTO unit_figure (unit_id, year, figure, value, set_at) VALUES (?, ?, ?, ?, ?)",
        rows,
    )


async def add_funds(tx: Tx, rows: Iterable[Row]) -> None:
    """(id, unit_id, kind, name, name_folded, created_at)."""
    await tx.executemany(
        "INSERT INTO fund (id, unit_id, kind, name, name_folded, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )


async def add_baselines(tx: Tx, rows: Iterable[Row]) -> None:
    """(unit_id, year, indicator, value, imported_at)."""
    await tx.executemany(
        "INSERT INTO baseline (unit_id, year, indicator, value, imported_at) "
        "VALUES (?, ?, ?, ?, ?)",
        rows,
    )


# --- Today's map, as the database holds it before its step ------------------------------------


def _grouped(rows: Iterable[Sequence[object]]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for key, value in rows:
        found.setdefault(int(str(key)), []).append(int(str(value)))
    return found


def _marks(ids: Sequence[int]) -> str:
    return ",".join("?" * len(ids))


async def branches_in_force(
    tx: Tx, commune_ids: Sequence[int]
) -> dict[int, list[tuple[int, str, UnitKind]]]:
    """Commune id → its branches in force (id, name, kind), by name."""
    branches: dict[int, list[tuple[int, str, UnitKind]]] = {}
    for r in await tx.fetchall(
        "SELECT parent_id, id, name, kind FROM unit WHERE level = 'branch' AND valid_to IS NULL "
        f"AND parent_id IN ({_marks(commune_ids)}) ORDER BY parent_id, name_folded, id",
        commune_ids,
    ):
        branches.setdefault(int(r[0]), []).append((int(r[1]), str(r[2]), UnitKind(r[3])))
    return branches


async def members_joined_before(tx: Tx, day: str) -> dict[int, int]:
    """Unit id → its active members who joined before `day` (ISO)."""
    members: dict[int, int] = {}
    for r in await tx.fetchall(
        "SELECT unit_id, count(*) FROM member WHERE status = 'active' AND joined_on < ? "
        "GROUP BY unit_id",
        (day,),
    ):
        members[int(r[0])] = int(r[1])
    return members


async def first_volunteers(tx: Tx) -> dict[int, int]:
    """Unit id → the lowest Telegram id of its volunteers."""
    reporters: dict[int, int] = {}
    for r in await tx.fetchall(
        "SELECT unit_id, min(telegram_id) FROM role_grant WHERE role = 'volunteer' GROUP BY unit_id"
    ):
        reporters[int(r[0])] = int(r[1])
    return reporters


async def holders(tx: Tx, roles: Sequence[Role]) -> dict[int, list[int]]:
    """Unit id → the Telegram ids holding one of `roles` on it, in the order granted."""
    marks = ", ".join("?" for _ in roles)
    return _grouped(
        await tx.fetchall(
            f"SELECT unit_id, telegram_id FROM role_grant WHERE role IN ({marks}) "
            "ORDER BY unit_id, id",
            [role.value for role in roles],
        )
    )


async def first_predecessors(tx: Tx, unit_ids: Sequence[int]) -> dict[int, list[int]]:
    """Unit id → the ended units that went to it first (rank 0), by id."""
    return _grouped(
        await tx.fetchall(
            f"SELECT successor_id, unit_id FROM unit_successor WHERE successor_id IN "
            f"({_marks(unit_ids)}) AND rank = 0 ORDER BY successor_id, unit_id",
            unit_ids,
        )
    )


async def latest_figures(tx: Tx) -> list[tuple[int, str, int]]:
    """(unit id, figure, value) of every unit's latest year of each figure."""
    latest: dict[tuple[int, str], tuple[int, int]] = {}
    for r in await tx.fetchall("SELECT unit_id, year, figure, value FROM unit_figure"):
        key = (int(r[0]), str(r[2]))
        if key not in latest or latest[key][0] < int(r[1]):
            latest[key] = (int(r[1]), int(r[3]))
    return [(unit_id, name, value) for (unit_id, name), (_, value) in latest.items()]


async def former_names(tx: Tx, unit_ids: Sequence[int]) -> dict[int, list[str]]:
    """Unit id → its former names (`unit_alias`), alphabetical."""
    former: dict[int, list[str]] = {}
    for r in await tx.fetchall(
        f"SELECT unit_id, name FROM unit_alias WHERE unit_id IN ({_marks(unit_ids)}) "
        "ORDER BY unit_id, name_folded",
        unit_ids,
    ):
        former.setdefault(int(r[0]), []).append(str(r[1]))
    return former


async def funds_in_force(tx: Tx) -> list[tuple[int, int, FundKind, str]]:
    """(id, unit id, kind, name) of the funds on units in force, by id."""
    return [
        (int(r[0]), int(r[1]), FundKind(r[2]), str(r[3]))
        for r in await tx.fetchall(
            "SELECT f.id, f.unit_id, f.kind, f.name FROM fund f JOIN unit u ON u.id = f.unit_id "
            "WHERE u.valid_to IS NULL ORDER BY f.id"
        )
    ]


async def grants(tx: Tx) -> set[tuple[int, Role, int]]:
    """(telegram id, role, unit id) of every grant."""
    return {
        (int(r[0]), Role(r[1]), int(r[2]))
        for r in await tx.fetchall("SELECT telegram_id, role, unit_id FROM role_grant")
    }


async def last_telegram_id(tx: Tx) -> int:
    row = await tx.fetchone("SELECT coalesce(max(telegram_id), 0) FROM app_user")
    return int(row[0]) if row else 0
