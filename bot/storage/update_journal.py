"""The update journal and the reply queue (migration 007): SQL only, no Telegram types.

`bot.updates` decides when to call these; here is what each call writes, and why it is one
transaction where it must be.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.storage import notice_events
from bot.storage.db import Database, Tx, to_db_time


@dataclass
class StateWrites:
    """Conversation state and per-user data waiting to be written, as JSON text (None: delete).

    Kept by the persistence between PTB's flush and the commit of the update they belong to.
    """

    user_data: dict[int, str | None] = field(default_factory=dict)
    chat_data: dict[int, str | None] = field(default_factory=dict)
    conversations: dict[tuple[str, str], str | None] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.user_data or self.chat_data or self.conversations)

    def merge(self, newer: StateWrites) -> None:
        self.user_data.update(newer.user_data)
        self.chat_data.update(newer.chat_data)
        self.conversations.update(newer.conversations)


@dataclass(frozen=True)
class QueuedReply:
    id: int
    update_id: int
    chat_id: int
    request: dict[str, Any]


async def record(db: Database, update_id: int, payload: str, now: datetime) -> bool:
    """Write an incoming update; False if this `update_id` was seen before (a redelivery)."""
    async with db.transaction() as tx:
        inserted = await tx.rowcount(
            "INSERT INTO inbound_update (update_id, received_at, payload) VALUES (?, ?, ?) "
            "ON CONFLICT (update_id) DO NOTHING",
            (update_id, to_db_time(now), payload),
        )
    return inserted == 1


async def unhandled(db: Database) -> list[tuple[int, str]]:
    """Updates written but not handled (the process stopped or died first), oldest first."""
    rows = await db.fetchall(
        "SELECT update_id, payload FROM inbound_update WHERE handled_at IS NULL ORDER BY update_id"
    )
    return [(int(row["update_id"]), str(row["payload"])) for row in rows]


async def _write_state(tx: Tx, writes: StateWrites) -> None:
    for user_id, data in writes.user_data.items():
        if data is None:
            await tx.execute("DELETE FROM ptb_user_data WHERE user_id = ?", (user_id,))
        else:
            await tx.execute(
                "INSERT INTO ptb_user_data (user_id, data) VALUES (?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET data = excluded.data",
                (user_id, data),
            )
    for chat_id, data in writes.chat_data.items():
        if data is None:
            await tx.execute("DELETE FROM ptb_chat_data WHERE chat_id = ?", (chat_id,))
        else:
            await tx.execute(
                "INSERT INTO ptb_chat_data (chat_id, data) VALUES (?, ?) "
                "ON CONFLICT (chat_id) DO UPDATE SET data = excluded.data",
                (chat_id, data),
            )
    for (name, key), state in writes.conversations.items():
        if state is None:
            await tx.execute("DELETE FROM ptb_conversation WHERE name = ? AND key = ?", (name, key))
        else:
            await tx.execute(
                "INSERT INTO ptb_conversation (name, key, state) VALUES (?, ?, ?) "
                "ON CONFLICT (name, key) DO UPDATE SET state = excluded.state",
                (name, key, state),
            )


async def write_state(db: Database, writes: StateWrites) -> None:
    """State not tied to an update (a job changed it, or the bot is stopping)."""
    if writes:
        async with db.transaction() as tx:
            await _write_state(tx, writes)


async def commit_update(
    db: Database,
    update_id: int | None,
    writes: StateWrites,
    replies: Sequence[tuple[int, dict[str, Any]]],
    now: datetime,
    *,
    notices_done: Sequence[int] = (),
) -> list[QueuedReply]:
    """One transaction: the state the update left, its replies (with the notices rendered
    for `notices_done`, whose events go), and the update marked handled.

    After a crash either all of it happened (the replies are sent on restart) or none of it
    (the update is handled again from the journal, the events turned into notices again).
    """
    queued: list[QueuedReply] = []
    async with db.transaction() as tx:
        await _write_state(tx, writes)
        await notice_events.delete(tx, notices_done)
        for chat_id, request in replies:
            reply_id = await tx.execute(
                "INSERT INTO reply_queue (update_id, chat_id, request) VALUES (?, ?, ?)",
                (update_id or 0, chat_id, json.dumps(request, ensure_ascii=False)),
            )
            queued.append(QueuedReply(reply_id, update_id or 0, chat_id, request))
        if update_id is not None:
            await tx.execute(
                "UPDATE inbound_update SET handled_at = ?, payload = NULL WHERE update_id = ?",
                (to_db_time(now), update_id),
            )
    return queued


async def reply_leaving(db: Database, reply: QueuedReply) -> None:
    """The request is about to be handed to the HTTP client: from now on it may arrive, so it
    leaves the queue (one write per answer); a crash after this never sends it again."""
    await db.execute("DELETE FROM reply_queue WHERE id = ?", (reply.id,))


async def reply_not_left(db: Database, reply: QueuedReply) -> None:
    """The connection failed before the request was written (or Telegram said to wait): it
    certainly did not arrive, and goes back in the queue where it was."""
    await db.execute(
        "INSERT INTO reply_queue (id, update_id, chat_id, request) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (id) DO NOTHING",
        (reply.id, reply.update_id, reply.chat_id, json.dumps(reply.request, ensure_ascii=False)),
    )


async def reply_done(db: Database, reply_id: int) -> None:
    """Telegram refused it before it could leave (not sent): it is not tried again."""
    await db.execute("DELETE FROM reply_queue WHERE id = ?", (reply_id,))


async def queued_replies(db: Database) -> list[QueuedReply]:
    """Replies committed but not answered by Telegram, in the order they were written."""
    rows = await db.fetchall("SELECT id, update_id, chat_id, request FROM reply_queue ORDER BY id")
    return [
        QueuedReply(int(r["id"]), int(r["update_id"]), int(r["chat_id"]), json.loads(r["request"]))
        for r in rows
    ]


async def prune(db: Database, handled_before: datetime) -> int:
    """Forget handled updates older than a redelivery could be (Telegram keeps them 24 h)."""
    async with db.transaction() as tx:
        return await tx.rowcount(
            "DELETE FROM inbound_update WHERE handled_at IS NOT NULL AND handled_at < ?",
            (to_db_time(handled_before),),
        )
