"""The outbox keeps its promises across restarts: enqueued once, claimed once, never resent."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.services import outbox
from bot.services.outbox import Progress, Status
from bot.storage import people
from bot.storage.db import Database

NOW = datetime(2026, 10, 5, 1, 0, tzinfo=UTC)
SLOT_KEY = "reminder:thang_khuyen_hoc:2026:weekly:2026-10-05"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database(tmp_path / "outbox.sqlite3").open()
    async with database.transaction() as tx:
        for telegram_id in range(1, 11):
            await people.ensure_user(tx, telegram_id)
    yield database
    await database.close()


def messages(*ids: int, text: str = "Nhắc việc") -> list[outbox.Message]:
    return [(i, f"{text} #{i}", None) for i in ids]


async def status_of(db: Database, broadcast_id: int, recipient_id: int) -> str:
    row = await db.fetchone(
        "SELECT status FROM outbox WHERE broadcast_id = ? AND recipient_id = ?",
        (broadcast_id, recipient_id),
    )
    assert row is not None
    return str(row[0])


async def test_enqueue_same_dedupe_key_twice_stores_once(db: Database) -> None:
    first, created = await outbox.enqueue(
        db,
        kind="reminder",
        created_by=None,
        dedupe_key=SLOT_KEY,
        messages=messages(1, 2, 3),
        now=NOW,
    )
    assert created
    again, created_again = await outbox.enqueue(
        db,
        kind="reminder",
        created_by=None,
        dedupe_key=SLOT_KEY,
        messages=messages(4, 5),
        now=NOW,
    )
    assert (again, created_again) == (first, False)
    assert await outbox.progress(db, first) == Progress(pending=3)
    other, created_other = await outbox.enqueue(
        db,
        kind="broadcast",
        created_by=1,
        dedupe_key=None,
        messages=messages(4),
        now=NOW,
        text="Họp chi hội",
    )
    assert created_other and other != first
    assert await outbox.enqueued_keys(db, "reminder:thang_khuyen_hoc:2026:") == {
        "weekly:2026-10-05"
    }
    assert await outbox.enqueued_keys(db, "reminder:thang-khuyen-hoc:") == set()
    stored = await outbox.get_broadcast(db, other)
    assert stored is not None and stored.kind == "broadcast" and stored.text == "Họp chi hội"
    audit = await db.fetchall("SELECT action FROM audit_log WHERE entity = 'broadcast'")
    assert [row[0] for row in audit] == ["broadcast.enqueue", "broadcast.enqueue"]


async def test_enqueue_rejects_what_telegram_would_refuse(db: Database) -> None:
    async def attempt(batch: list[outbox.Message]) -> None:
        await outbox.enqueue(
            db, kind="broadcast", created_by=1, dedupe_key=None, messages=batch, now=NOW
        )

    with pytest.raises(ValueError, match="twice"):
        await attempt([(1, "a", None), (1, "b", None)])
    with pytest.raises(ValueError, match="empty"):
        await attempt([(1, "  ", None)])
    with pytest.raises(ValueError, match="exceeds"):
        await attempt([(1, "x" * 4097, None)])
    with pytest.raises(ValueError, match="markup"):
        await attempt([(1, "a", {"buttons": []})])
    assert await db.fetchone("SELECT 1 FROM broadcast") is None


async def test_claim_is_exclusive_between_tasks_and_connections(
    db: Database, tmp_path: Path
) -> None:
    broadcast_id, _ = await outbox.enqueue(
        db,
        kind="broadcast",
        created_by=1,
        dedupe_key=None,
        messages=messages(*range(1, 11)),
        now=NOW,
    )
    async with Database(tmp_path / "outbox.sqlite3") as second:
        batches = await asyncio.gather(
            outbox.claim(db, 3, NOW),
            outbox.claim(db, 3, NOW),
            outbox.claim(second, 3, NOW),
            outbox.claim(second, 3, NOW),
        )
    ids = [row.id for batch in batches for row in batch]
    assert len(ids) == len(set(ids)) == 10
    assert await outbox.progress(db, broadcast_id) == Progress(sending=10)
    assert await outbox.claim(db, 5, NOW) == []


async def test_claim_waits_for_retry_time_and_skips_unreachable(db: Database) -> None:
    broadcast_id, _ = await outbox.enqueue(
        db, kind="broadcast", created_by=1, dedupe_key=None, messages=messages(1, 2, 3), now=NOW
    )
    first, second, third = await outbox.claim(db, 3, NOW)
    await outbox.mark_failed(
        db, first.id, NOW, "NetworkError: x", retry_at=NOW + timedelta(seconds=1.5)
    )
    await outbox.release(db, [second.id, third.id])
    await people.set_reachable(db, 3, False)  # blocked the bot meanwhile (another broadcast)

    claimed = await outbox.claim(db, 10, NOW)
    assert [row.recipient_id for row in claimed] == [2]
    assert await status_of(db, broadcast_id, 3) == Status.BLOCKED
    # 1.5 s is stored rounded up to the whole second, never early
    assert await outbox.next_due(db, NOW) == NOW + timedelta(seconds=2)
    assert await outbox.claim(db, 10, NOW + timedelta(seconds=1)) == []
    retried = await outbox.claim(db, 10, NOW + timedelta(seconds=2))
    assert [(row.recipient_id, row.attempts) for row in retried] == [(1, 1)]
    assert await outbox.next_due(db, NOW) is None


async def test_blocked_marks_person_unreachable_and_later_broadcasts_skip_them(
    db: Database,
) -> None:
    first_id, _ = await outbox.enqueue(
        db, kind="broadcast", created_by=1, dedupe_key=None, messages=messages(4, 5), now=NOW
    )
    queued_id, _ = await outbox.enqueue(
        db, kind="broadcast", created_by=1, dedupe_key=None, messages=messages(4, 6), now=NOW
    )
    rows = await outbox.claim(db, 2, NOW)
    by_recipient = {row.recipient_id: row for row in rows}
    assert await outbox.mark_blocked(db, by_recipient[4].id, NOW, "Forbidden: bot was blocked")
    assert await outbox.mark_sent(db, by_recipient[5].id, NOW, 77)
    user = await people.get_user(db, 4)
    assert user is not None and not user.reachable

    later_id, _ = await outbox.enqueue(
        db, kind="reminder", created_by=None, dedupe_key="r:1", messages=messages(4, 5), now=NOW
    )
    assert (await outbox.progress(db, later_id)).total == 1  # person 4 left out at enqueue
    claimed = await outbox.claim(db, 10, NOW)
    assert sorted(row.recipient_id for row in claimed) == [5, 6]
    assert await status_of(db, queued_id, 4) == Status.BLOCKED  # queued earlier, skipped at claim
    assert await outbox.progress(db, first_id) == Progress(sent=1, blocked=1)


async def test_recover_requeues_undispatched_and_never_resends_dispatched(db: Database) -> None:
    broadcast_id, _ = await outbox.enqueue(
        db,
        kind="broadcast",
        created_by=1,
        dedupe_key=None,
        messages=messages(1, 2, 3, 4),
        now=NOW,
    )
    sent, on_wire, claimed = await outbox.claim(db, 3, NOW)
    await outbox.mark_dispatched(db, sent.id, NOW)
    await outbox.mark_sent(db, sent.id, NOW, 1)
    await outbox.mark_dispatched(db, on_wire.id, NOW)  # the process dies during this HTTP call

    assert await outbox.last_dispatch(db) == NOW
    recovery = await outbox.recover(db)
    assert (recovery.requeued, recovery.unknown) == (1, 1)
    assert await outbox.progress(db, broadcast_id) == Progress(pending=2, sent=1, unknown=1)
    assert {row.id for row in await outbox.claim(db, 10, NOW)} == {claimed.id, claimed.id + 1}
    # a stale worker cannot overwrite a recovered row
    assert not await outbox.mark_sent(db, on_wire.id, NOW, 2)

    assert await outbox.requeue_unknown(db, broadcast_id) == 1
    assert await status_of(db, broadcast_id, on_wire.recipient_id) == Status.PENDING


async def test_rate_limited_row_is_not_dispatched_any_more(db: Database) -> None:
    broadcast_id, _ = await outbox.enqueue(
        db, kind="broadcast", created_by=1, dedupe_key=None, messages=messages(1), now=NOW
    )
    (row,) = await outbox.claim(db, 1, NOW)
    await outbox.mark_dispatched(db, row.id, NOW)
    await outbox.mark_not_dispatched(db, row.id)  # 429: Telegram did not deliver it
    assert (await outbox.recover(db)).requeued == 1
    assert await outbox.progress(db, broadcast_id) == Progress(pending=1)


async def test_progress_counts_and_finish(db: Database) -> None:
    markup = {"inline_keyboard": [[{"text": "Đã xem", "callback_data": "seen:1"}]]}
    broadcast_id, _ = await outbox.enqueue(
        db,
        kind="broadcast",
        created_by=1,
        dedupe_key=None,
        messages=[(1, "Một", markup), (2, "Hai", None), (3, "Ba", None), (4, "Bốn", None)],
        now=NOW,
    )
    empty_id, _ = await outbox.enqueue(
        db, kind="broadcast", created_by=1, dedupe_key=None, messages=[], now=NOW
    )
    rows = await outbox.claim(db, 3, NOW)
    assert rows[0].reply_markup == markup
    await outbox.mark_sent(db, rows[0].id, NOW, 10)
    await outbox.mark_failed(db, rows[1].id, NOW, "BadRequest: chat not found")
    counts = await outbox.progress(db, broadcast_id)
    assert counts == Progress(pending=1, sending=1, sent=1, failed=1)
    assert (counts.total, counts.done, counts.finished) == (4, 2, False)
    assert await outbox.finish_done(db, NOW) == [empty_id]

    await outbox.mark_blocked(db, rows[2].id, NOW, "Forbidden")
    (last,) = await outbox.claim(db, 3, NOW)
    await outbox.mark_sent(db, last.id, NOW, 11)
    assert (await outbox.progress(db, broadcast_id)).finished
    assert await outbox.finish_done(db, NOW) == [broadcast_id]
    assert await outbox.finish_done(db, NOW) == []
    await outbox.set_progress_message(db, broadcast_id, chat_id=1, message_id=5)
    stored = await outbox.get_broadcast(db, broadcast_id)
    assert stored is not None and stored.finished_at == NOW
    assert (stored.progress_chat_id, stored.progress_message_id) == (1, 5)
