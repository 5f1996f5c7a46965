"""The outbox: what a broadcast or reminder must deliver, one row per recipient, and how far it got.

Telegram has no idempotency key for sendMessage, so exactly-once delivery is impossible across a
crash. This module keeps the uncertainty to the messages actually on the wire: a row is marked
dispatched in its own committed write just before the HTTP call and sent right after it. After
``kill -9``, rows claimed but never dispatched are safely requeued; dispatched rows may or may not
have reached the person and become ``unknown`` (at-most-once: never sent twice automatically;
:func:`requeue_unknown` is the explicit at-least-once choice).

Nothing here talks to Telegram; :mod:`bot.delivery` does.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Literal

from bot.storage import people
from bot.storage.db import Database, Tx, from_db_time, to_db_time

BroadcastKind = Literal["broadcast", "reminder"]
ReplyMarkup = dict[str, Any]
Message = tuple[int, str, ReplyMarkup | None]
"""(recipient_id, personalised text, reply markup as Bot API JSON or None)."""

MAX_TEXT_UTF16 = 4096
_MARKUP_KEYS = ("inline_keyboard", "keyboard", "remove_keyboard", "force_reply")
UNREACHABLE_ERROR = "unreachable"


class Status(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"
    UNKNOWN = "unknown"
    """Dispatched when the process died: maybe delivered, never resent automatically."""


@dataclass(frozen=True)
class OutboxRow:
    """One message claimed for sending."""

    id: int
    broadcast_id: int
    recipient_id: int
    text: str
    reply_markup: ReplyMarkup | None
    attempts: int


@dataclass(frozen=True)
class Progress:
    """Counts by status of one broadcast."""

    pending: int = 0
    sending: int = 0
    sent: int = 0
    failed: int = 0
    blocked: int = 0
    unknown: int = 0

    @property
    def total(self) -> int:
        return self.pending + self.sending + self.done

    @property
    def done(self) -> int:
        """Rows that reached a final status."""
        return self.sent + self.failed + self.blocked + self.unknown

    @property
    def finished(self) -> bool:
        return self.pending == 0 and self.sending == 0


@dataclass(frozen=True)
class Broadcast:
    id: int
    kind: BroadcastKind
    created_by: int | None
    created_at: datetime
    text: str | None
    dedupe_key: str | None
    progress_chat_id: int | None
    progress_message_id: int | None
    finished_at: datetime | None


@dataclass(frozen=True)
class Recovery:
    """What :func:`recover` found left in flight by a previous process."""

    requeued: int
    unknown: int


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _ceil_second(moment: datetime) -> datetime:
    """Stored times have whole seconds; rounding up keeps a retry from running early."""
    whole = moment.replace(microsecond=0)
    return whole if whole == moment else whole + timedelta(seconds=1)


def _check_messages(messages: Sequence[Message]) -> list[tuple[int, str, str | None]]:
    """Reject what Telegram would refuse anyway, before anything is stored."""
    seen: set[int] = set()
    rows = []
    for recipient_id, text, markup in messages:
        if recipient_id in seen:
            raise ValueError(f"recipient {recipient_id} appears twice in one broadcast")
        seen.add(recipient_id)
        if not text.strip():
            raise ValueError(f"empty text for recipient {recipient_id}")
        if _utf16_len(text) > MAX_TEXT_UTF16:
            raise ValueError(f"text for recipient {recipient_id} exceeds {MAX_TEXT_UTF16}")
        if markup is not None and not any(key in markup for key in _MARKUP_KEYS):
            raise ValueError(f"reply markup for recipient {recipient_id} has no known kind")
        encoded = json.dumps(markup, ensure_ascii=False) if markup is not None else None
        rows.append((recipient_id, text, encoded))
    return rows


async def enqueue(
    db: Database,
    *,
    kind: BroadcastKind,
    created_by: int | None,
    dedupe_key: str | None,
    messages: Sequence[Message],
    now: datetime,
    text: str | None = None,
) -> tuple[int, bool]:
    """Store a broadcast and its messages together; returns (broadcast_id, created).

    A second call with the same ``dedupe_key`` returns the first broadcast and stores nothing,
    so a reminder slot or a double-pressed "send" button cannot reach people twice. People whose
    ``app_user.reachable`` is 0 are left out. ``text`` is the sender's original, kept for audit.
    """
    rows = _check_messages(messages)
    async with db.transaction() as tx:
        if dedupe_key is not None:
            existing = await tx.fetchone(
                "SELECT id FROM broadcast WHERE dedupe_key = ?", (dedupe_key,)
            )
            if existing is not None:
                return int(existing[0]), False
        broadcast_id = await tx.execute(
            "INSERT INTO broadcast (kind, created_by, created_at, text, dedupe_key) "
            "VALUES (?, ?, ?, ?, ?)",
            (kind, created_by, to_db_time(now), text, dedupe_key),
        )
        await tx.executemany(
            "INSERT INTO outbox (broadcast_id, recipient_id, text, reply_markup) "
            "SELECT ?, ?, ?, ? WHERE NOT EXISTS "
            "(SELECT 1 FROM app_user WHERE telegram_id = ? AND reachable = 0)",
            [(broadcast_id, rid, body, markup, rid) for rid, body, markup in rows],
        )
        queued = await tx.fetchone(
            "SELECT count(*) FROM outbox WHERE broadcast_id = ?", (broadcast_id,)
        )
        await people.audit(
            tx,
            actor_id=created_by,
            action="broadcast.enqueue",
            entity="broadcast",
            entity_id=broadcast_id,
            after={
                "kind": kind,
                "dedupe_key": dedupe_key,
                "recipients": len(rows),
                "queued": int(queued[0]) if queued else 0,
            },
        )
    return broadcast_id, True


async def enqueued_keys(db: Database | Tx, prefix: str) -> set[str]:
    """What follows ``prefix`` in the dedupe keys already used, e.g. a campaign's slot keys.

    With ``prefix='reminder:thang_khuyen_hoc:2026:'`` this is the ``already_sent`` set that
    :func:`bot.services.reminder_schedule.due_slots` expects.
    """
    rows = await db.fetchall(
        "SELECT dedupe_key FROM broadcast WHERE substr(dedupe_key, 1, length(?)) = ?",
        (prefix, prefix),
    )
    return {str(row[0])[len(prefix) :] for row in rows}


def _row(record: Any) -> OutboxRow:
    markup = record["reply_markup"]
    return OutboxRow(
        id=record["id"],
        broadcast_id=record["broadcast_id"],
        recipient_id=record["recipient_id"],
        text=record["text"],
        reply_markup=json.loads(markup) if markup is not None else None,
        attempts=record["attempts"],
    )


async def claim(db: Database, limit: int, now: datetime) -> list[OutboxRow]:
    """Take up to ``limit`` due pending rows for this process, marking them 'sending'.

    The select and update share one ``BEGIN IMMEDIATE`` transaction, so two claimers (tasks or
    processes) never get the same row. Rows whose recipient became unreachable since they were
    enqueued are marked blocked here instead of being handed out.
    """
    if limit <= 0:
        return []
    stamp = to_db_time(now)
    async with db.transaction() as tx:
        candidates = await tx.fetchall(
            "SELECT o.id, o.broadcast_id, o.recipient_id, o.text, o.reply_markup, o.attempts, "
            "coalesce(a.reachable, 1) AS reachable FROM outbox o "
            "LEFT JOIN app_user a ON a.telegram_id = o.recipient_id "
            "WHERE o.status = 'pending' AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= ?) "
            "ORDER BY o.id LIMIT ?",
            (stamp, limit),
        )
        unreachable = [c["id"] for c in candidates if not c["reachable"]]
        claimed = [c for c in candidates if c["reachable"]]
        if unreachable:
            await tx.executemany(
                "UPDATE outbox SET status = 'blocked', last_error = ? WHERE id = ?",
                [(UNREACHABLE_ERROR, outbox_id) for outbox_id in unreachable],
            )
        if claimed:
            await tx.executemany(
                "UPDATE outbox SET status = 'sending', claimed_at = ?, dispatched_at = NULL "
                "WHERE id = ?",
                [(stamp, c["id"]) for c in claimed],
            )
    return [_row(c) for c in claimed]


async def _update_sending(db: Database, sql: str, params: Sequence[Any]) -> bool:
    """Change a row this process holds; False when it is no longer 'sending' (e.g. recovered)."""
    async with db.transaction() as tx:
        return await tx.rowcount(sql + " AND status = 'sending'", params) == 1


async def mark_dispatched(db: Database, outbox_id: int, now: datetime) -> bool:
    """Committed just before the HTTP call: from here a crash leaves the row 'unknown'."""
    return await _update_sending(
        db, "UPDATE outbox SET dispatched_at = ? WHERE id = ?", (to_db_time(now), outbox_id)
    )


async def mark_not_dispatched(db: Database, outbox_id: int) -> bool:
    """Telegram refused before delivering (429): the row is certainly not out there."""
    return await _update_sending(
        db, "UPDATE outbox SET dispatched_at = NULL WHERE id = ?", (outbox_id,)
    )


async def mark_sent(
    db: Database, outbox_id: int, now: datetime, telegram_message_id: int | None
) -> bool:
    return await _update_sending(
        db,
        "UPDATE outbox SET status = 'sent', sent_at = ?, telegram_message_id = ?, "
        "attempts = attempts + 1, last_error = NULL WHERE id = ?",
        (to_db_time(now), telegram_message_id, outbox_id),
    )


async def mark_failed(
    db: Database, outbox_id: int, now: datetime, error: str, *, retry_at: datetime | None = None
) -> bool:
    """Count a failed attempt: back to pending until ``retry_at`` when retryable, else failed."""
    if retry_at is None:
        return await _update_sending(
            db,
            "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ? "
            "WHERE id = ?",
            (error, outbox_id),
        )
    return await _update_sending(
        db,
        "UPDATE outbox SET status = 'pending', attempts = attempts + 1, last_error = ?, "
        "next_attempt_at = ? WHERE id = ?",
        (error, to_db_time(_ceil_second(max(retry_at, now))), outbox_id),
    )


async def mark_unknown(db: Database, outbox_id: int, error: str) -> bool:
    """The request left and no answer came (a read timeout, a dropped connection): it may have
    reached the person. Not sent again unless someone requeues it (`requeue_unknown`)."""
    return await _update_sending(
        db,
        "UPDATE outbox SET status = 'unknown', attempts = attempts + 1, last_error = ? "
        "WHERE id = ?",
        (error, outbox_id),
    )


async def mark_blocked(db: Database, outbox_id: int, now: datetime, error: str) -> bool:
    """Telegram answered Forbidden: the person blocked the bot (or left, or never started it).

    The person is marked unreachable in the same transaction, so later broadcasts skip them at
    enqueue and rows already queued for them are skipped at claim.
    """
    async with db.transaction() as tx:
        changed = await tx.rowcount(
            "UPDATE outbox SET status = 'blocked', attempts = attempts + 1, last_error = ? "
            "WHERE id = ? AND status = 'sending'",
            (error, outbox_id),
        )
        if changed:
            await tx.execute(
                "UPDATE app_user SET reachable = 0 WHERE telegram_id = "
                "(SELECT recipient_id FROM outbox WHERE id = ?)",
                (outbox_id,),
            )
    return changed == 1


async def release(db: Database, outbox_ids: Sequence[int]) -> int:
    """Give claimed rows that were never put on the wire back to the queue (orderly stop)."""
    if not outbox_ids:
        return 0
    async with db.transaction() as tx:
        count = 0
        for outbox_id in outbox_ids:
            count += await tx.rowcount(
                "UPDATE outbox SET status = 'pending', dispatched_at = NULL "
                "WHERE id = ? AND status = 'sending' AND dispatched_at IS NULL",
                (outbox_id,),
            )
    return count


async def recover(db: Database) -> Recovery:
    """On start-up, settle rows a dead process left 'sending'.

    Never dispatched: certainly not delivered, back to pending. Dispatched: the HTTP call may have
    reached Telegram, so sending again could make a duplicate; they become 'unknown' and count in
    :class:`Progress`. Only one deliverer may run per database: this would also take over rows a
    live deliverer holds.
    """
    async with db.transaction() as tx:
        requeued = await tx.rowcount(
            "UPDATE outbox SET status = 'pending' "
            "WHERE status = 'sending' AND dispatched_at IS NULL"
        )
        unknown = await tx.rowcount(
            "UPDATE outbox SET status = 'unknown', last_error = 'in flight at restart' "
            "WHERE status = 'sending'"
        )
    return Recovery(requeued=requeued, unknown=unknown)


async def requeue_unknown(db: Database, broadcast_id: int) -> int:
    """Someone decided a possible duplicate beats a possible miss: send 'unknown' rows again."""
    async with db.transaction() as tx:
        count = await tx.rowcount(
            "UPDATE outbox SET status = 'pending', dispatched_at = NULL, next_attempt_at = NULL "
            "WHERE broadcast_id = ? AND status = 'unknown'",
            (broadcast_id,),
        )
        if count:
            await tx.execute(
                "UPDATE broadcast SET finished_at = NULL WHERE id = ?", (broadcast_id,)
            )
    return count


async def next_due(db: Database | Tx, now: datetime) -> datetime | None:
    """When the next pending row becomes claimable: ``now`` if one is, None if none is pending."""
    row = await db.fetchone(
        "SELECT count(*) AS waiting, min(coalesce(next_attempt_at, '')) AS first "
        "FROM outbox WHERE status = 'pending'"
    )
    if row is None or not row["waiting"]:
        return None
    first = str(row["first"])
    if not first or first <= to_db_time(now):
        return now
    return from_db_time(first)


async def last_dispatch(db: Database | Tx) -> datetime | None:
    """When a message was last put on the wire, by any process (whole seconds).

    A restarted deliverer knows nothing of its predecessor's last second of sends, which still
    count in Telegram's window; this tells it whether to hold back first.
    """
    row = await db.fetchone("SELECT max(dispatched_at) FROM outbox")
    return from_db_time(row[0]) if row is not None and row[0] else None


async def progress(db: Database | Tx, broadcast_id: int) -> Progress:
    rows = await db.fetchall(
        "SELECT status, count(*) FROM outbox WHERE broadcast_id = ? GROUP BY status",
        (broadcast_id,),
    )
    return Progress(**{str(row[0]): int(row[1]) for row in rows})


async def finish_done(db: Database, now: datetime) -> list[int]:
    """Stamp ``finished_at`` on broadcasts with nothing left to send; returns the ones stamped."""
    async with db.transaction() as tx:
        rows = await tx.fetchall(
            "SELECT b.id FROM broadcast b WHERE b.finished_at IS NULL AND NOT EXISTS "
            "(SELECT 1 FROM outbox o WHERE o.broadcast_id = b.id "
            "AND o.status IN ('pending', 'sending'))"
        )
        ids = [int(row[0]) for row in rows]
        await tx.executemany(
            "UPDATE broadcast SET finished_at = ? WHERE id = ?",
            [(to_db_time(now), broadcast_id) for broadcast_id in ids],
        )
    return ids


async def set_progress_message(
    db: Database, broadcast_id: int, chat_id: int, message_id: int
) -> None:
    """Remember the sender's progress message so whoever reports progress can edit it."""
    async with db.transaction() as tx:
        await tx.execute(
            "UPDATE broadcast SET progress_chat_id = ?, progress_message_id = ? WHERE id = ?",
            (chat_id, message_id, broadcast_id),
        )


async def get_broadcast(db: Database | Tx, broadcast_id: int) -> Broadcast | None:
    row = await db.fetchone("SELECT * FROM broadcast WHERE id = ?", (broadcast_id,))
    if row is None:
        return None
    return Broadcast(
        id=row["id"],
        kind=row["kind"],
        created_by=row["created_by"],
        created_at=from_db_time(row["created_at"]),
        text=row["text"],
        dedupe_key=row["dedupe_key"],
        progress_chat_id=row["progress_chat_id"],
        progress_message_id=row["progress_message_id"],
        finished_at=from_db_time(row["finished_at"]) if row["finished_at"] else None,
    )
