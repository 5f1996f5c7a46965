"""The deliverer: the bulk lane of the token's limiter, its errors, progress, and resuming
after a crash.

Clock-controlled tests use a stub bot and a clock whose sleep only moves the hands; the others
drive a real Bot against ``FakeBotApi`` with a handful of messages. The pacing itself is the
limiter's (tests/unit/test_rate_limit.py); here it is checked end to end against the fake.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram import Chat, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import ExtBot

from bot.delivery import BULK_SEND, Deliverer, ReplyMarkup, RetryPolicy, delivery_bot
from bot.fake_bot_api import FakeBotApi, TelegramLimits
from bot.rate_limit import RateLimitArgs, TelegramRateLimiter, TurnDeclined
from bot.services import outbox
from bot.services.outbox import Progress, Status
from bot.storage import leases, people
from bot.storage.db import Database, utc_now

TOKEN = "123456:TEST-token"
START = datetime(2026, 10, 5, 1, 0, tzinfo=UTC)
INTERVAL = 1 / 29.5

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


class ManualClock:
    """Sleeping moves the hands at once and is recorded, so tests assert on waits, not wait."""

    def __init__(self) -> None:
        self.elapsed = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.elapsed

    def now(self) -> datetime:
        return START + timedelta(seconds=self.elapsed)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        target = self.elapsed + seconds
        await asyncio.sleep(0)
        self.elapsed = max(self.elapsed, target)

    def long_sleeps(self) -> list[float]:
        """Waits other than a send's own time."""
        return [round(s, 6) for s in self.sleeps if s > INTERVAL + 1e-9]


class StubBot:
    """Answers send_message from a script of errors per chat, then succeeds, awaiting
    ``on_turn`` first as the limiter does. With ``pace`` each send moves the clock on by that
    much, as the limiter's pacing would; ``latency`` is the real time a send takes."""

    def __init__(
        self,
        clock: ManualClock,
        script: dict[int, list[Exception]] | None = None,
        *,
        pace: float = 0.0,
        latency: float = 0.0,
    ):
        self.clock = clock
        self.script = script or {}
        self.pace = pace
        self.latency = latency
        self.calls: list[tuple[int, str, float]] = []
        self.rate_limit_args: list[RateLimitArgs | None] = []
        self.in_flight: set[int] = set()
        self.overlapping: list[int] = []

    async def send_message(
        self,
        chat_id: int | str,
        text: str,
        *,
        reply_markup: ReplyMarkup | None = None,
        rate_limit_args: RateLimitArgs | None = None,
    ) -> Message:
        assert isinstance(chat_id, int)
        on_turn = (rate_limit_args or {}).get("on_turn")
        if on_turn is not None and not await on_turn():
            raise TurnDeclined()
        if chat_id in self.in_flight:
            self.overlapping.append(chat_id)
        self.in_flight.add(chat_id)
        try:
            self.clock.elapsed += self.pace
            self.calls.append((chat_id, text, self.clock.elapsed))
            self.rate_limit_args.append(rate_limit_args)
            await asyncio.sleep(self.latency)  # other sends may start meanwhile
            errors = self.script.get(chat_id)
            if errors:
                raise errors.pop(0)
            return Message(len(self.calls), self.clock.now(), Chat(chat_id, Chat.PRIVATE))
        finally:
            self.in_flight.discard(chat_id)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database(tmp_path / "delivery.sqlite3").open()
    async with database.transaction() as tx:
        for telegram_id in range(1, 121):
            await people.ensure_user(tx, telegram_id)
    yield database
    await database.close()


async def enqueue(db: Database, *ids: int, key: str | None = None, text: str = "Tin") -> int:
    broadcast_id, _ = await outbox.enqueue(
        db,
        kind="broadcast",
        created_by=1,
        dedupe_key=key,
        messages=[(i, f"{text} {i}", None) for i in ids],
        now=START,
    )
    return broadcast_id


async def row_of(db: Database, broadcast_id: int, recipient_id: int) -> Any:
    row = await db.fetchone(
        "SELECT status, attempts, last_error, telegram_message_id FROM outbox "
        "WHERE broadcast_id = ? AND recipient_id = ?",
        (broadcast_id, recipient_id),
    )
    assert row is not None
    return row


def deliverer(db: Database, bot: Any, clock: ManualClock, **options: Any) -> Deliverer:
    return Deliverer(db, bot, clock=clock, **options)


# -------------------------------------------------------------------- clock-controlled


async def test_every_send_goes_in_the_bulk_lane_without_the_limiters_retries(
    db: Database,
) -> None:
    clock = ManualClock()
    bot = StubBot(clock)
    broadcast_id = await enqueue(db, *range(1, 61))
    stats = await deliverer(db, bot, clock).run_until_idle()
    assert stats.sent == 60
    assert [
        {k: v for k, v in (a or {}).items() if k != "on_turn"} for a in bot.rate_limit_args
    ] == [BULK_SEND] * 60
    assert BULK_SEND == {"priority": "bulk", "max_retries": 0}
    assert clock.sleeps == []  # no pacing of its own
    assert await outbox.progress(db, broadcast_id) == Progress(sent=60)


async def test_never_two_sends_to_one_chat_at_once(db: Database) -> None:
    clock = ManualClock()
    bot = StubBot(clock, latency=0.01)
    for n in range(3):
        await enqueue(db, 7, -100123, 8, 9, key=f"k{n}")
    stats = await deliverer(db, bot, clock).run_until_idle()
    assert stats.sent == 12
    assert bot.overlapping == []  # the chat's next message would only wait in the limiter
    assert [chat for chat, _, _ in bot.calls][:4] == [7, -100123, 8, 9]


async def test_a_row_is_dispatched_only_when_its_turn_comes_and_stop_gives_waiting_ones_back(
    db: Database,
) -> None:
    class QueuedBot(StubBot):
        """Holds every send as the limiter would while replies to people go first."""

        def __init__(self, clock: ManualClock) -> None:
            super().__init__(clock)
            self.waiting = 0
            self.turns = asyncio.Event()

        async def send_message(
            self,
            chat_id: int | str,
            text: str,
            *,
            reply_markup: ReplyMarkup | None = None,
            rate_limit_args: RateLimitArgs | None = None,
        ) -> Message:
            self.waiting += 1
            await self.turns.wait()
            return await super().send_message(
                chat_id, text, reply_markup=reply_markup, rate_limit_args=rate_limit_args
            )

    broadcast_id = await enqueue(db, *range(1, 6))
    clock = ManualClock()
    bot = QueuedBot(clock)
    runner = Deliverer(db, bot)
    await runner.start()
    for _ in range(100):
        if bot.waiting == 5:
            break
        await asyncio.sleep(0.01)
    assert bot.waiting == 5
    dispatched = await db.fetchone(
        "SELECT count(*) FROM outbox WHERE broadcast_id = ? AND dispatched_at IS NOT NULL",
        (broadcast_id,),
    )
    assert dispatched is not None and dispatched[0] == 0  # a crash now: all certainly unsent
    await asyncio.wait_for(runner.stop(), 5)  # not waiting for turns that may be far off
    assert bot.calls == []
    assert await outbox.progress(db, broadcast_id) == Progress(pending=5)
    assert (await outbox.recover(db)).unknown == 0


async def test_retry_after_waits_the_asked_time_then_delivers(db: Database) -> None:
    clock = ManualClock()
    bot = StubBot(clock, {5: [RetryAfter(7)]})
    broadcast_id = await enqueue(db, 5)
    runner = deliverer(db, bot, clock)
    stats = await runner.run_until_idle()
    assert clock.long_sleeps() == [7.0]
    assert [(chat, at) for chat, _, at in bot.calls] == [(5, 0.0), (5, 7.0)]
    assert stats.rate_limited == 1 and stats.sent == 1
    row = await row_of(db, broadcast_id, 5)
    assert (row["status"], row["attempts"]) == ("sent", 1)  # a 429 is not a failed attempt


async def test_retry_after_pauses_everyone(db: Database) -> None:
    clock = ManualClock()
    bot = StubBot(clock, {1: [RetryAfter(3)]})
    await enqueue(db, 1, 2, 3)
    await deliverer(db, bot, clock, concurrency=1).run_until_idle()
    assert [chat for chat, _, at in bot.calls if at >= 3.0] == [1, 2, 3]


async def test_errors_that_prove_nothing_left_back_off_then_fail(db: Database) -> None:
    clock = ManualClock()
    errors: list[Exception] = [
        NetworkError("httpx.ConnectError: [Errno 111] Connection refused"),
        TimedOut("Pool timeout: All connections in the connection pool are occupied."),
        NetworkError("httpx.ConnectError: x"),
    ]
    bot = StubBot(clock, {9: errors})
    broadcast_id = await enqueue(db, 9)
    stats = await deliverer(db, bot, clock, retry=RetryPolicy(max_attempts=3)).run_until_idle()
    assert clock.long_sleeps() == [1.0, 2.0]
    assert len(bot.calls) == 3
    row = await row_of(db, broadcast_id, 9)
    assert (row["status"], row["attempts"]) == ("failed", 3)
    assert row["last_error"] == "NetworkError: httpx.ConnectError: x"
    assert (stats.retries_scheduled, stats.failed) == (2, 1)


async def test_a_connection_refused_then_success(db: Database) -> None:
    clock = ManualClock()
    bot = StubBot(clock, {9: [NetworkError("httpx.ConnectError: refused")]})
    broadcast_id = await enqueue(db, 9)
    await deliverer(db, bot, clock).run_until_idle()
    row = await row_of(db, broadcast_id, 9)
    assert (row["status"], row["attempts"], row["telegram_message_id"]) == ("sent", 2, 2)


async def test_an_ambiguous_error_is_unknown_and_not_sent_again(db: Database) -> None:
    """A read timeout or a connection dropped after the request left: it may have arrived."""
    clock = ManualClock()
    bot = StubBot(
        clock, {7: [TimedOut()], 8: [NetworkError("httpx.RemoteProtocolError: disconnected")]}
    )
    broadcast_id = await enqueue(db, 7, 8, 9)
    stats = await deliverer(db, bot, clock).run_until_idle()
    assert [chat for chat, _, _ in bot.calls] == [7, 8, 9]
    assert (await row_of(db, broadcast_id, 7))["status"] == "unknown"
    assert (await row_of(db, broadcast_id, 8))["status"] == "unknown"
    assert (await row_of(db, broadcast_id, 9))["status"] == "sent"
    assert (stats.unknown, stats.sent, stats.retries_scheduled) == (2, 1, 0)


async def test_bad_request_fails_without_retry_and_forbidden_blocks(db: Database) -> None:
    clock = ManualClock()
    bot = StubBot(clock, {3: [BadRequest("Chat not found")], 4: [Forbidden("bot was blocked")]})
    broadcast_id = await enqueue(db, 3, 4, 5)
    stats = await deliverer(db, bot, clock).run_until_idle()
    assert [chat for chat, _, _ in bot.calls] == [3, 4, 5]
    assert (stats.failed, stats.blocked, stats.sent) == (1, 1, 1)
    assert (await row_of(db, broadcast_id, 3))["status"] == "failed"
    assert (await row_of(db, broadcast_id, 4))["status"] == "blocked"
    user = await people.get_user(db, 4)
    assert user is not None and not user.reachable


async def test_resume_after_crash_sends_only_the_rest(db: Database) -> None:
    broadcast_id = await enqueue(db, 1, 2, 3, 4, 5, 6)
    # what a killed process left: 1 sent, 2 on the wire, 3 claimed, 4..6 pending
    sent, on_wire, claimed = await outbox.claim(db, 3, START)
    await outbox.mark_dispatched(db, sent.id, START)
    await outbox.mark_sent(db, sent.id, START, 1)
    await outbox.mark_dispatched(db, on_wire.id, START)

    clock = ManualClock()
    bot = StubBot(clock)
    runner = deliverer(db, bot, clock)
    await runner.run_until_idle()
    assert sorted(chat for chat, _, _ in bot.calls) == [3, 4, 5, 6]
    # the dead process sent a moment ago: its sends still fill Telegram's window
    assert min(at for _, _, at in bot.calls) >= 1.0
    assert runner.last_recovery is not None
    assert (runner.last_recovery.requeued, runner.last_recovery.unknown) == (1, 1)
    assert await outbox.progress(db, broadcast_id) == Progress(sent=5, unknown=1)
    assert claimed.recipient_id == 3


async def test_progress_is_throttled_and_reported_when_finished(db: Database) -> None:
    clock = ManualClock()
    bot = StubBot(clock, {50: [Forbidden("blocked")]}, pace=INTERVAL)
    broadcast_id = await enqueue(db, *range(1, 101))
    reports: list[tuple[int, Progress, float]] = []

    async def on_progress(bid: int, counts: Progress) -> None:
        reports.append((bid, counts, clock.elapsed))

    await deliverer(db, bot, clock, on_progress=on_progress).run_until_idle()
    assert {bid for bid, _, _ in reports} == {broadcast_id}
    moments = [at for _, _, at in reports]
    assert all(b - a >= 2.0 for a, b in itertools.pairwise(moments[:-1]))
    assert len(reports) <= 4  # ~3.4 s of sending: t=0, ~2 s, and the end
    final = reports[-1][1]
    assert final.finished and (final.sent, final.blocked, final.total) == (99, 1, 100)
    assert [counts.finished for _, counts, _ in reports].count(True) == 1
    stored = await outbox.get_broadcast(db, broadcast_id)
    assert stored is not None and stored.finished_at is not None


async def test_start_wake_and_stop_in_the_background(db: Database) -> None:
    delivered = asyncio.Event()
    done: list[Progress] = []

    async def on_progress(bid: int, counts: Progress) -> None:
        if counts.finished:
            done.append(counts)
            delivered.set()

    clock = ManualClock()
    runner = Deliverer(db, StubBot(clock), on_progress=on_progress, poll_interval=60.0)
    await runner.start()
    assert runner.running
    await enqueue(db, 1, 2, 3)
    runner.wake()
    await asyncio.wait_for(delivered.wait(), 5)
    await runner.stop()
    assert not runner.running
    assert done == [Progress(sent=3)]


async def test_stop_gives_claimed_rows_back(db: Database) -> None:
    class SlowBot(StubBot):
        async def send_message(
            self,
            chat_id: int | str,
            text: str,
            *,
            reply_markup: ReplyMarkup | None = None,
            rate_limit_args: RateLimitArgs | None = None,
        ) -> Message:
            await asyncio.sleep(0.05)
            return await super().send_message(chat_id, text, reply_markup=reply_markup)

    broadcast_id = await enqueue(db, *range(1, 41))
    clock = ManualClock()
    runner = Deliverer(db, SlowBot(clock), concurrency=1)  # real clock: ~20 sends per second
    await runner.start()
    await asyncio.sleep(0.3)
    await runner.stop()
    counts = await outbox.progress(db, broadcast_id)
    assert counts.sending == 0 and 0 < counts.sent < 40 and counts.pending == 40 - counts.sent
    assert (await outbox.recover(db)).unknown == 0


# -------------------------------------------------------------------- real Bot, fake API


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as api:
        yield api


async def run_real(db: Database, fake: FakeBotApi, **options: Any) -> Deliverer:
    runner: Deliverer
    async with delivery_bot(TOKEN, base_url=fake.base_url) as bot:
        runner = Deliverer(db, bot, **options)
        await runner.run_until_idle()
    return runner


async def test_real_bot_delivers_text_and_buttons_without_429(
    db: Database, fake: FakeBotApi
) -> None:
    fake.limits = TelegramLimits()
    markup = {"inline_keyboard": [[{"text": "Đã nhận", "callback_data": "ack:1"}]]}
    broadcast_id, _ = await outbox.enqueue(
        db,
        kind="reminder",
        created_by=None,
        dedupe_key="reminder:thang_khuyen_hoc:2026:weekly:2026-10-05",
        messages=[(i, f"Chào anh/chị {i}, tuần này…", markup) for i in range(1, 41)],
        now=START,
    )
    runner = await run_real(db, fake)
    assert runner.stats.sent == 40
    assert fake.stats.too_many_requests == 0 and fake.duplicate_deliveries() == 0
    (message,) = fake.messages_to(7)
    assert message.text == "Chào anh/chị 7, tuần này…" and message.buttons == ["Đã nhận"]
    row = await row_of(db, broadcast_id, 7)
    assert row["telegram_message_id"] == message.message_id


async def test_real_bot_forbidden_marks_unreachable_and_next_broadcast_skips(
    db: Database, fake: FakeBotApi
) -> None:
    fake.block(2)
    first = await enqueue(db, 1, 2, 3)
    async with delivery_bot(TOKEN, base_url=fake.base_url) as bot:
        runner = Deliverer(db, bot)
        await runner.run_until_idle()
        assert (await row_of(db, first, 2))["status"] == Status.BLOCKED
        assert fake.messages_to(2) == [] and fake.stats.forbidden == 1

        second = await enqueue(db, 1, 2, 3, text="Lần hai")
        assert (await outbox.progress(db, second)).total == 2
        await runner.run_until_idle()
    assert fake.stats.forbidden == 1  # not tried again
    assert [m.text for m in fake.messages_to(3)] == ["Tin 3", "Lần hai 3"]


async def test_real_bot_resume_after_crash_never_duplicates(db: Database, fake: FakeBotApi) -> None:
    broadcast_id = await enqueue(db, *range(1, 9))
    async with delivery_bot(TOKEN, base_url=fake.base_url) as bot:
        # the process killed a while ago: sent 1, sent 2 but died before recording it,
        # claimed 3..4
        long_ago = utc_now() - timedelta(minutes=1)
        rows = await outbox.claim(db, 4, long_ago)
        for row in rows[:2]:
            await outbox.mark_dispatched(db, row.id, long_ago)
            await bot.send_message(row.recipient_id, row.text)
        await outbox.mark_sent(db, rows[0].id, START, 1)
    runner = await run_real(db, fake)
    assert fake.duplicate_deliveries() == 0
    assert all(len(fake.messages_to(i)) == 1 for i in range(1, 9))
    assert runner.stats.sent == 6
    assert await outbox.progress(db, broadcast_id) == Progress(sent=7, unknown=1)


async def test_replies_and_a_broadcast_share_one_limiter_without_429(
    db: Database, fake: FakeBotApi
) -> None:
    fake.limits = TelegramLimits()
    limiter = TelegramRateLimiter()
    await enqueue(db, *range(1, 46))
    waits: list[float] = []
    async with (
        delivery_bot(TOKEN, base_url=fake.base_url, limiter=limiter) as bulk_bot,
        ExtBot(TOKEN, base_url=fake.base_url, rate_limiter=limiter) as bot,
    ):
        runner = Deliverer(db, bulk_bot)
        delivering = asyncio.create_task(runner.run_until_idle())
        await asyncio.sleep(0.3)  # the broadcast is in full flow
        for person in range(101, 111):  # replies to people meanwhile
            started = time.monotonic()
            await bot.send_message(person, "Nam hay nữ?")
            waits.append(time.monotonic() - started)
            await asyncio.sleep(0.05)
        await delivering
    assert runner.stats.sent == 45 and fake.stats.too_many_requests == 0
    assert (limiter.stats.bulk, limiter.stats.interactive) == (45, 10)
    # a reply waits at most for the turn just granted, not behind the sends in flight
    assert max(waits) < 0.25, waits


async def test_one_deliverer_per_database_the_other_waits_and_takes_over(db: Database) -> None:
    """Two processes on one database (a second `khuyenhoc run` by mistake): only the lease
    holder sends; the other takes over once the first has stopped."""
    clock = ManualClock()
    first_bot, second_bot = StubBot(clock), StubBot(clock)
    first, second = deliverer(db, first_bot, clock), deliverer(db, second_bot, clock)

    async def until(condition: Callable[[], bool]) -> None:
        for _ in range(3000):
            if condition():
                return
            await asyncio.sleep(0.001)
        raise AssertionError("not reached")

    await first.start()
    await second.start()
    try:
        assert first.holds_lease and not second.holds_lease
        await enqueue(db, 1, 2, 3)
        first.wake()
        second.wake()
        await until(lambda: len(first_bot.calls) == 3)
        assert second_bot.calls == []
        await first.stop()
        await enqueue(db, 4)
        second.wake()
        await until(lambda: len(second_bot.calls) == 1)
        assert second.holds_lease
        assert [chat for chat, _, _ in second_bot.calls] == [4]
    finally:
        await first.stop()
        await second.stop()


async def test_a_lease_is_taken_only_once_expired(db: Database) -> None:
    ttl = timedelta(seconds=30)
    assert await leases.acquire(db, "outbox", "a", START, ttl)
    assert not await leases.acquire(db, "outbox", "b", START + timedelta(seconds=29), ttl)
    assert await leases.acquire(db, "outbox", "a", START + timedelta(seconds=29), ttl)  # renew
    assert not await leases.acquire(db, "outbox", "b", START + timedelta(seconds=58), ttl)
    assert await leases.acquire(db, "outbox", "b", START + timedelta(seconds=60), ttl)
    assert await leases.holder_of(db, "outbox", START + timedelta(seconds=61)) == "b"
    await leases.release(db, "outbox", "a")  # not a's any more: changes nothing
    assert await leases.holder_of(db, "outbox", START + timedelta(seconds=61)) == "b"
