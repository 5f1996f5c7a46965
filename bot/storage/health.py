"""What `/healthz` reads: the database answers, and how much the deliverer has still to send."""

from __future__ import annotations

from bot.storage.db import Database


async def outbox_backlog(db: Database) -> int:
    """Outbox rows not yet handed to Telegram: waiting (`pending`) or claimed (`sending`).

    Read on the bot's own read connection: when that connection cannot read the database any
    more (I/O error, damaged file, closed), this raises.
    """
    # Each count on its partial index (migration 004): the planner would otherwise scan an
    # index of every row ever sent.
    row = await db.fetchone(
        "SELECT (SELECT count(*) FROM outbox INDEXED BY outbox_pending WHERE status = 'pending') "
        "+ (SELECT count(*) FROM outbox INDEXED BY outbox_sending WHERE status = 'sending')"
    )
    return int(row[0]) if row is not None else 0
