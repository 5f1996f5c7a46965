"""The update journal and the per-chat persistence buffer: what lands together, what is kept."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
from telegram.error import NetworkError, TimedOut

from bot.storage import update_journal
from bot.storage.db import Database
from bot.storage.persistence import SqlitePersistence
from bot.storage.update_journal import StateWrites
from bot.updates import deliver

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)


async def test_an_update_is_recorded_once(db: Database) -> None:
    assert await update_journal.record(db, 7, '{"update_id": 7}', NOW)
    assert not await update_journal.record(db, 7, '{"update_id": 7}', NOW)
    assert await update_journal.unhandled(db) == [(7, '{"update_id": 7}')]


async def test_commit_writes_state_replies_and_the_mark_together(db: Database) -> None:
    await update_journal.record(db, 1, '{"update_id": 1, "message": {"text": "Hoa"}}', NOW)
    await update_journal.record(db, 2, '{"update_id": 2}', NOW)
    writes = StateWrites(
        user_data={40: json.dumps({"member": {"values": {"name": "Hoa"}}})},
        conversations={("member", "[40, 40]"): json.dumps("asking")},
    )
    queued = await update_journal.commit_update(
        db, 1, writes, [(40, {"method": "send", "chat_id": 40, "text": "Giới tính?"})], NOW
    )
    assert [reply.request["text"] for reply in queued] == ["Giới tính?"]
    # Update 2 is still to be handled; update 1's text is no longer kept.
    assert await update_journal.unhandled(db) == [(2, '{"update_id": 2}')]
    row = await db.fetchone("SELECT payload, handled_at FROM inbound_update WHERE update_id = 1")
    assert row is not None and row["payload"] is None and row["handled_at"]
    state = await db.fetchone("SELECT state FROM ptb_conversation WHERE name = 'member'")
    assert state is not None and json.loads(state["state"]) == "asking"
    assert [r.id for r in await update_journal.queued_replies(db)] == [queued[0].id]
    await update_journal.reply_done(db, queued[0].id)
    assert await update_journal.queued_replies(db) == []
    # A redelivery after handling is still recognised.
    assert not await update_journal.record(db, 1, "{}", NOW)


async def test_a_failed_commit_leaves_the_update_to_handle(db: Database) -> None:
    await update_journal.record(db, 3, '{"update_id": 3}', NOW)
    writes = StateWrites(user_data={40: "{}"}, conversations={("member", "[40, 40]"): "1"})
    # A reply that cannot be written fails the transaction after the state was written.
    unwritable = {"method": "send", "chat_id": 40, "text": object()}
    with pytest.raises(TypeError):
        await update_journal.commit_update(db, 3, writes, [(40, unwritable)], NOW)
    assert await update_journal.unhandled(db) == [(3, '{"update_id": 3}')]
    assert await db.fetchone("SELECT 1 FROM ptb_user_data WHERE user_id = 40") is None
    assert await db.fetchone("SELECT 1 FROM ptb_conversation") is None


async def test_prune_forgets_only_old_handled_updates(db: Database) -> None:
    for update_id in (1, 2, 3):
        await update_journal.record(db, update_id, "{}", NOW)
    await update_journal.commit_update(db, 1, StateWrites(), [], NOW - timedelta(days=3))
    await update_journal.commit_update(db, 2, StateWrites(), [], NOW)
    assert await update_journal.prune(db, NOW - timedelta(days=2)) == 1
    left = await db.fetchall("SELECT update_id FROM inbound_update ORDER BY update_id")
    assert [row["update_id"] for row in left] == [2, 3]


async def test_persistence_hands_over_a_chats_share_only(db: Database) -> None:
    persistence = SqlitePersistence(db)
    await persistence.update_user_data(40, {"lang": "vi"})
    await persistence.update_conversation("member", (40, 40), "asking")
    await persistence.update_user_data(41, {"lang": "en"})
    await persistence.update_conversation("member", (41, 41), "review")
    await persistence.update_user_data(42, {"from": "a job"})

    # Person 40's update is committed while 41 is busy with one of their own: 42 (idle) rides
    # along, 41 waits for its own commit.
    taken = persistence.take({40}, busy={41})
    assert set(taken.user_data) == {40, 42}
    assert list(taken.conversations) == [("member", "[40, 40]")]
    later = persistence.take({41}, busy=set())
    assert set(later.user_data) == {41}
    assert persistence.take(set()) == StateWrites()

    await update_journal.write_state(db, taken)
    await persistence.drop_user_data(40)
    await persistence.flush()
    assert await persistence.get_user_data() == {42: {"from": "a job"}}


async def test_reads_never_see_another_coroutines_open_transaction(db: Database) -> None:
    inserted, read = asyncio.Event(), asyncio.Event()
    seen_inside: list[object] = []

    async def writer() -> None:
        with pytest.raises(RuntimeError):
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO app_user (telegram_id) VALUES (777)")
                # The writing coroutine itself sees its write, also through `db`.
                row = await db.fetchone("SELECT telegram_id FROM app_user WHERE telegram_id = 777")
                seen_inside.append(row and row[0])
                inserted.set()
                await read.wait()
                raise RuntimeError("rolled back")

    task = asyncio.create_task(writer())
    await inserted.wait()
    outside = await db.fetchone("SELECT telegram_id FROM app_user WHERE telegram_id = 777")
    read.set()
    await task
    assert seen_inside == [777]
    assert outside is None
    assert await db.fetchone("SELECT 1 FROM app_user WHERE telegram_id = 777") is None


class _FlakyBot:
    """Stands in for the Bot: fails each send with the next error, then accepts."""

    rate_limiter = None

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.sent: list[str] = []

    async def send_message(self, chat_id: int, text: str, **_: object) -> None:
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append(text)


async def _queue(db: Database, *texts: str) -> list[update_journal.QueuedReply]:
    requests = [(5, {"method": "send", "chat_id": 5, "text": text}) for text in texts]
    return await update_journal.commit_update(db, None, StateWrites(), requests, NOW)


async def test_an_answer_that_may_have_arrived_is_not_sent_twice(db: Database) -> None:
    """A read timeout leaves it open whether Telegram got the message: not tried again (as
    the outbox's 'unknown'); a refused connection proves it never left: tried again."""
    flaky = _FlakyBot(TimedOut("Timed out"), NetworkError("httpx.ConnectError: refused"))
    queued = await _queue(db, "một", "hai")
    await deliver(flaky, db, queued, lambda: NOW)  # type: ignore[arg-type]
    assert flaky.sent == ["hai"]
    assert await update_journal.queued_replies(db) == []


async def test_an_answer_that_could_not_leave_waits_unmarked(db: Database) -> None:
    refused = NetworkError("httpx.ConnectError: refused")
    flaky = _FlakyBot(refused, refused, refused)
    queued = await _queue(db, "một", "hai")
    await deliver(flaky, db, queued, lambda: NOW)  # type: ignore[arg-type]
    assert flaky.sent == []
    waiting = await update_journal.queued_replies(db)
    assert [reply.request["text"] for reply in waiting] == ["một", "hai"]  # back, in order
