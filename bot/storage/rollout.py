"""What a rollout sheet is checked against: the branches of its communes (closed ones too, whose
names stay taken), the invites made for named people, and who holds which role already."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.storage import units as unit_store
from bot.storage.db import Database, Tx, from_db_time
from bot.storage.models import Invite, Level, Role, Unit


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


_CHUNK = 500
"""Ids per query: far below SQLite's limit on parameters."""


def _chunks(ids: Sequence[int]) -> list[list[int]]:
    unique = sorted(set(ids))
    return [unique[i : i + _CHUNK] for i in range(0, len(unique), _CHUNK)]


async def branches_of(db: Database | Tx, commune_ids: Sequence[int]) -> list[Unit]:
    """Every branch of these communes, in force or not: a closed branch keeps its name."""
    found: list[Unit] = []
    for chunk in _chunks(commune_ids):
        rows = await db.fetchall(
            f"SELECT {unit_store.columns('u')} FROM unit u "
            f"WHERE u.parent_id IN ({_marks(chunk)}) AND u.level = ? ORDER BY u.id",
            [*chunk, Level.BRANCH.value],
        )
        found += [unit_store.from_row(row) for row in rows]
    return found


async def named_invites(db: Database | Tx, unit_ids: Sequence[int]) -> list[Invite]:
    """The invites made for a named person on these units, oldest first."""
    found: list[Invite] = []
    for chunk in _chunks(unit_ids):
        rows = await db.fetchall(
            "SELECT code, role, unit_id, created_by, created_at, expires_at, used_by, used_at, "
            f"full_name FROM invite WHERE unit_id IN ({_marks(chunk)}) "
            "AND full_name IS NOT NULL ORDER BY created_at, code",
            chunk,
        )
        found += [
            Invite(
                code=row["code"],
                role=Role(row["role"]),
                unit_id=row["unit_id"],
                created_by=row["created_by"],
                created_at=from_db_time(row["created_at"]),
                expires_at=from_db_time(row["expires_at"]),
                used_by=row["used_by"],
                used_at=from_db_time(row["used_at"]) if row["used_at"] else None,
                full_name=row["full_name"],
            )
            for row in rows
        ]
    return found


@dataclass(frozen=True)
class Holder:
    """Someone holding a role on a unit, with the name they are registered under."""

    telegram_id: int
    role: Role
    unit_id: int
    full_name: str | None


async def holders_on(db: Database | Tx, unit_ids: Sequence[int]) -> list[Holder]:
    found: list[Holder] = []
    for chunk in _chunks(unit_ids):
        rows = await db.fetchall(
            "SELECT g.telegram_id, g.role, g.unit_id, u.full_name FROM role_grant g "
            "JOIN app_user u ON u.telegram_id = g.telegram_id "
            f"WHERE g.unit_id IN ({_marks(chunk)}) ORDER BY g.id",
            chunk,
        )
        found += [
            Holder(int(row[0]), Role(row[1]), int(row[2]), row[3] and str(row[3])) for row in rows
        ]
    return found
