"""Leases (migration 009): one holder per name at a time, for as long as it keeps renewing."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.storage.db import Database, to_db_time


async def acquire(db: Database, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the lease; False while another holder's lease has not expired."""
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO lease (name, holder, expires_at) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
            "expires_at = excluded.expires_at "
            "WHERE lease.holder = excluded.holder OR lease.expires_at < ?",
            (name, holder, to_db_time(now + ttl), to_db_time(now)),
        )
        row = await tx.fetchone("SELECT holder FROM lease WHERE name = ?", (name,))
    return row is not None and row["holder"] == holder


async def release(db: Database, name: str, holder: str) -> None:
    await db.execute("DELETE FROM lease WHERE name = ? AND holder = ?", (name, holder))


async def holder_of(db: Database, name: str, now: datetime) -> str | None:
    row = await db.fetchone(
        "SELECT holder FROM lease WHERE name = ? AND expires_at >= ?", (name, to_db_time(now))
    )
    return str(row["holder"]) if row else None
