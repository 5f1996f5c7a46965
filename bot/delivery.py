"""Sends what the outbox holds, within Telegram's limits: chair broadcasts and reminders alike.

Pacing is not done here: every send goes through the bot token's one
:class:`~bot.rate_limit.TelegramRateLimiter` in its bulk lane, so replies to people go first and
replies plus broadcast stay within Telegram's 30/s together. What the limiter cannot know stays
here: a predecessor process's last sends (a pause after a restart), a network that seems down
(backoff), and which rows wait in the database (never two sends to one chat at once, so a chat's
1/s does not park the few sends in flight).

Why its own Bot (see :func:`delivery_bot`) rather than ``application.bot``: an HTTP pool as wide
as the sends in flight, and none of the application bot's answer ordering. Give it the
application bot's limiter. The limiter does not retry these sends: a 429 comes back here, so
the row returns to "not dispatched" while it waits.

Crash safety is the outbox's: a row is marked dispatched (committed) when the limiter gives its
send the turn (``on_turn``), just before the HTTP call, so a crash while it waits for its turn
leaves it certainly unsent and at most the messages actually on the wire (≤ ``concurrency``)
are uncertain after ``kill -9``; see :mod:`bot.services.outbox`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import secrets
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from telegram import (
    ForceReply,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from bot.rate_limit import RateLimitArgs, TelegramRateLimiter, TurnDeclined, retry_after_seconds
from bot.services import outbox
from bot.services.outbox import OutboxRow, Progress, Recovery
from bot.storage import leases
from bot.storage.db import Database, utc_now

__all__ = [
    "BULK_SEND",
    "Clock",
    "Deliverer",
    "DeliveryStats",
    "MessageSender",
    "ProgressCallback",
    "ReplyMarkup",
    "RetryPolicy",
    "SystemClock",
    "delivery_bot",
]

_log = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 8
"""Sends in flight at once: 30/s over a 250 ms round trip needs ~8; it bounds 'unknown' rows."""

BULK_SEND: RateLimitArgs = {"priority": "bulk", "max_retries": 0}
"""After replies to people; a 429 is handled here (the row is not dispatched while it waits)."""

RESTART_QUIET_WINDOW = timedelta(seconds=2)
"""Sends this recent (stored to the whole second) may still count in Telegram's 1 s window."""

ProgressCallback = Callable[[int, Progress], Awaitable[None]]
ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply


class Clock(Protocol):
    """Time as the deliverer sees it; tests pass one whose sleep only moves the hands."""

    def monotonic(self) -> float: ...

    def now(self) -> datetime: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return utc_now()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class MessageSender(Protocol):
    """The part of ``telegram.ext.ExtBot`` the deliverer uses (tests may pass a stub). As
    :class:`~bot.rate_limit.TelegramRateLimiter` does, it must await ``on_turn`` from
    ``rate_limit_args`` just before sending, and send nothing if that returns False."""

    async def send_message(
        self,
        chat_id: int | str,
        text: str,
        *,
        reply_markup: ReplyMarkup | None = None,
        rate_limit_args: RateLimitArgs | None = None,
    ) -> Message: ...


@dataclass(frozen=True)
class RetryPolicy:
    """Network errors and timeouts: exponential backoff, then give up."""

    max_attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 60.0

    def delay(self, failures: int) -> float:
        return float(min(self.max_delay, self.base_delay * 2 ** max(failures - 1, 0)))


@dataclass
class DeliveryStats:
    """What this deliverer did since it was created (benchmarks and logs)."""

    sent: int = 0
    blocked: int = 0
    failed: int = 0
    retries_scheduled: int = 0
    unknown: int = 0
    """Requests that left without an answer: perhaps delivered, not sent again."""
    rate_limited: int = 0
    """429 answers received: each paused all sending for ``retry_after``."""


def _describe(error: BaseException) -> str:
    detail = error.message if isinstance(error, TelegramError) else str(error)
    return f"{type(error).__name__}: {detail}"[:500]


def _reply_markup(data: dict[str, Any] | None) -> ReplyMarkup | None:
    if data is None:
        return None
    if "inline_keyboard" in data:
        return InlineKeyboardMarkup.de_json(data, None)
    if "keyboard" in data:
        return ReplyKeyboardMarkup.de_json(data, None)
    if data.get("remove_keyboard"):
        return ReplyKeyboardRemove.de_json(data, None)
    if data.get("force_reply"):
        return ForceReply.de_json(data, None)
    raise ValueError(f"unknown reply markup {sorted(data)}")


def delivery_bot(
    token: str,
    *,
    base_url: str = "https://api.telegram.org/bot",
    limiter: TelegramRateLimiter | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> ExtBot[RateLimitArgs]:
    """A Bot for the Deliverer with a pool as wide as the sends. Pass the limiter of the other
    Bots of this token (one limiter per token); without one it gets a limiter of its own."""
    request = HTTPXRequest(connection_pool_size=concurrency + 1)
    return ExtBot(
        token, base_url=base_url, request=request, rate_limiter=limiter or TelegramRateLimiter()
    )


# What PTB's HTTPXRequest reports when httpx could not even send the request: no connection
# was made (refused, no route, no name), or none was free in the pool.
_NEVER_LEFT = ("httpx.ConnectError", "Pool timeout", "httpx.ConnectTimeout")


def never_left(error: NetworkError) -> bool:
    """Whether the request provably did not reach Telegram."""
    if isinstance(error, TimedOut):
        return "Pool timeout" in str(error) or "ConnectTimeout" in str(error)
    return any(marker in str(error) for marker in _NEVER_LEFT)


LEASE = "outbox"
LEASE_TTL = timedelta(seconds=30)
"""A dead deliverer's lease runs out after this; a live one renews it every third of it."""


class Deliverer:
    """Claims outbox rows and sends them, one task per message on the wire.

    Run it with :meth:`start`/:meth:`stop` inside the bot (call :meth:`wake` after an enqueue),
    or with :meth:`run_until_idle` in tests and benchmarks. Both first :func:`outbox.recover`
    what a previous process left in flight, so only one deliverer may run per database.
    """

    def __init__(
        self,
        db: Database,
        bot: MessageSender,
        *,
        on_progress: ProgressCallback | None = None,
        clock: Clock | None = None,
        retry: RetryPolicy = RetryPolicy(),
        concurrency: int = DEFAULT_CONCURRENCY,
        batch_size: int = 50,
        progress_interval: float = 2.0,
        poll_interval: float = 5.0,
    ) -> None:
        if concurrency < 1 or batch_size < 1:
            raise ValueError("concurrency and batch_size must be positive")
        self._db = db
        self._bot = bot
        self._on_progress = on_progress
        self._clock: Clock = clock or SystemClock()
        self._retry = retry
        self._batch_size = batch_size
        self._progress_interval = progress_interval
        self._poll_interval = poll_interval
        self._slots = asyncio.Semaphore(concurrency)
        self._paused_until = -math.inf
        self._sent_any = False
        self._busy_chats: set[int] = set()
        self._awaiting_turn: dict[int, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._touched: set[int] = set()
        self._last_report = -math.inf
        self._reporter: asyncio.Task[None] | None = None
        self._network_failures = 0
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None
        self.stats = DeliveryStats()
        self.last_recovery: Recovery | None = None
        self._holder = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.holds_lease = False

    # ---------------------------------------------------------------- lifecycle

    @property
    def running(self) -> bool:
        return self._runner is not None and not self._runner.done()

    @property
    def in_flight(self) -> int:
        return len(self._tasks)

    async def start(self) -> None:
        """Take the outbox lease, recover, then deliver in a background task until
        :meth:`stop`. While another process holds the lease, this one waits as a standby and
        takes over when that lease expires (the other stopped renewing it: it died)."""
        if self.running:
            raise RuntimeError("Deliverer is already running")
        self._stop.clear()
        self.holds_lease = await self._take_lease()
        if self.holds_lease:
            await self._recover()
        else:
            holder = await leases.holder_of(self._db, LEASE, self._clock.now())
            _log.warning("Another deliverer (%s) holds the outbox; this one waits", holder)
        self._runner = asyncio.create_task(self._supervise(), name="deliverer")

    async def stop(self) -> None:
        """Finish the sends on the wire, give claimed rows back and the lease up, and return."""
        self._stop.set()
        self._wake.set()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner
        if self.holds_lease:
            await leases.release(self._db, LEASE, self._holder)
            self.holds_lease = False

    async def _take_lease(self) -> bool:
        return await leases.acquire(self._db, LEASE, self._holder, self._clock.now(), LEASE_TTL)

    async def _keep_lease(self) -> None:
        """Renew the lease while delivering; if it was lost (this process stalled past its
        expiry and another took over), stop: two deliverers would send twice."""
        while not self._stop.is_set():
            await self._sleep(LEASE_TTL.total_seconds() / 3, wake=False)
            if self._stop.is_set():
                return
            if not await self._take_lease():
                _log.error("The outbox lease was taken over by another process; stopping")
                self.holds_lease = False
                self._stop.set()
                self._wake.set()
                return

    def wake(self) -> None:
        """Something was enqueued: look now rather than at the next poll."""
        self._wake.set()

    async def run_until_idle(self) -> DeliveryStats:
        """Recover, then deliver until nothing is pending (waiting out retries); for tests."""
        self._stop.clear()
        await self._recover()
        await self._run(until_idle=True)
        return self.stats

    async def _recover(self) -> None:
        self.last_recovery = recovery = await outbox.recover(self._db)
        if self._sent_any:
            return  # this instance's own sends went through the limiter
        last = await outbox.last_dispatch(self._db)
        if last is not None and self._clock.now() - last < RESTART_QUIET_WINDOW:
            # a predecessor's last sends still fill Telegram's window: let it slide by first
            self._pause_until(self._clock.monotonic() + 1.0)
        if recovery.requeued or recovery.unknown:
            _log.warning(
                "Outbox recovery: %d claimed rows requeued, %d in flight marked unknown",
                recovery.requeued,
                recovery.unknown,
            )

    async def _supervise(self) -> None:
        while not self.holds_lease and not self._stop.is_set():
            await self._sleep(LEASE_TTL.total_seconds() / 3, wake=False)
            if not self._stop.is_set() and await self._take_lease():
                self.holds_lease = True
                _log.info("Took over the outbox lease")
                await self._recover()
        keeper = asyncio.create_task(self._keep_lease(), name="deliverer-lease")
        try:
            while not self._stop.is_set():
                try:
                    await self._run(until_idle=False)
                except Exception:
                    _log.exception("Delivery loop failed; restarting it")
                    await self._sleep(self._poll_interval, wake=True)
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper

    # ---------------------------------------------------------------- the loop

    async def _run(self, *, until_idle: bool) -> None:
        queue: list[OutboxRow] = []
        more = True  # the last claim was full: more rows may be ready
        try:
            while not self._stop.is_set():
                if not queue or (more and len(queue) <= self._batch_size // 2):
                    if not queue:
                        self._wake.clear()  # an enqueue after this claim wakes the idle wait
                    limit = self._batch_size - len(queue)
                    claimed = await outbox.claim(self._db, limit, self._clock.now())
                    more = len(claimed) == limit
                    queue.extend(claimed)
                if not queue:
                    if self._tasks:
                        await self._wait_for_a_send()
                        continue
                    await self._flush_progress()
                    now = self._clock.now()
                    due = await outbox.next_due(self._db, now)
                    if due is None and until_idle:
                        return
                    wait = self._poll_interval if due is None else (due - now).total_seconds()
                    if not until_idle:
                        wait = min(wait, self._poll_interval)
                    await self._sleep(wait, wake=not until_idle)
                    continue
                await self._slots.acquire()  # first, so the pick sees the sends in flight
                index = self._pick(queue)
                if index is None:
                    self._slots.release()
                    await self._wait_for_a_send()
                    continue
                if not await self._wait_out_pause():
                    self._slots.release()
                    break
                row = queue.pop(index)
                self._busy_chats.add(row.recipient_id)
                task = asyncio.create_task(self._deliver(row))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
                self._progress_due()
        finally:
            if self._stop.is_set():  # sends still waiting for their turn are not sent
                for waiting in self._awaiting_turn.values():
                    waiting.cancel()
            if self._tasks:
                await asyncio.gather(*self._tasks, return_exceptions=True)
            await outbox.release(self._db, [row.id for row in queue])
            if self._stop.is_set():
                await self._flush_progress()

    def _pick(self, queue: list[OutboxRow]) -> int | None:
        """The first row whose chat has no send in flight (the limiter would only park it for
        the chat's next turn, holding a slot), else None: one of those sends must end first."""
        if not self._tasks:
            return 0
        for index, row in enumerate(queue):
            if row.recipient_id not in self._busy_chats:
                return index
        return None

    async def _wait_for_a_send(self) -> None:
        """Until a send in flight ends, or stop: one may wait long for its turn."""
        stopping = asyncio.ensure_future(self._stop.wait())
        try:
            await asyncio.wait({*self._tasks, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()

    def _pause_until(self, moment: float) -> None:
        self._paused_until = max(self._paused_until, moment)

    async def _wait_out_pause(self) -> bool:
        """Wait while sending is paused (a 429, network trouble, a predecessor's last sends);
        False if stopped meanwhile."""
        while not self._stop.is_set():
            wait = self._paused_until - self._clock.monotonic()
            if wait <= 0:
                return True
            await self._sleep(wait)
        return False

    async def _sleep(self, seconds: float, *, wake: bool = False) -> None:
        """Sleep on the injected clock; long sleeps end early on stop (and on wake if asked)."""
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        events = [self._stop] + ([self._wake] if wake else [])
        if any(event.is_set() for event in events):
            return
        if seconds <= 1.0 and not wake:
            await self._clock.sleep(seconds)
            return
        sleeper = asyncio.ensure_future(self._clock.sleep(seconds))
        waiters = [asyncio.ensure_future(event.wait()) for event in events]
        try:
            await asyncio.wait([sleeper, *waiters], return_when=asyncio.FIRST_COMPLETED)
        finally:
            for future in (sleeper, *waiters):
                future.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await future

    # ---------------------------------------------------------------- one message

    async def _deliver(self, row: OutboxRow) -> None:
        try:
            await self._deliver_row(row)
        except Exception:
            _log.exception("Delivery of outbox row %d failed unexpectedly", row.id)
        finally:
            self._touched.add(row.broadcast_id)
            self._busy_chats.discard(row.recipient_id)
            self._slots.release()

    async def _deliver_row(self, row: OutboxRow) -> None:
        db, clock = self._db, self._clock
        try:
            markup = _reply_markup(row.reply_markup)
        except (ValueError, TypeError, KeyError) as error:
            await outbox.mark_failed(db, row.id, clock.now(), _describe(error))
            self.stats.failed += 1
            return
        task = asyncio.current_task()
        assert task is not None
        while True:
            dispatched = False

            async def dispatch() -> bool:
                """Its turn came: committed just before the HTTP call."""
                nonlocal dispatched
                self._awaiting_turn.pop(row.id, None)
                dispatched = await outbox.mark_dispatched(db, row.id, clock.now())
                self._sent_any |= dispatched
                return dispatched  # False: no longer ours

            self._awaiting_turn[row.id] = task
            try:
                message = await self._bot.send_message(
                    chat_id=row.recipient_id,
                    text=row.text,
                    reply_markup=markup,
                    rate_limit_args={**BULK_SEND, "on_turn": dispatch},
                )
            except TurnDeclined:
                return
            except asyncio.CancelledError:
                if not dispatched:  # stopped while it waited for its turn
                    await outbox.release(db, [row.id])
                raise
            except RetryAfter as error:
                # Certainly not delivered: make every new send wait (the limiter paused its
                # lanes too), then this message goes again.
                self.stats.rate_limited += 1
                await outbox.mark_not_dispatched(db, row.id)
                self._pause_until(clock.monotonic() + retry_after_seconds(error))
                if not await self._wait_out_pause():
                    await outbox.release(db, [row.id])
                    return
                continue
            except Forbidden as error:
                await outbox.mark_blocked(db, row.id, clock.now(), _describe(error))
                self.stats.blocked += 1
            except BadRequest as error:  # a NetworkError subclass in PTB: must come first
                await outbox.mark_failed(db, row.id, clock.now(), _describe(error))
                self.stats.failed += 1
            except NetworkError as error:  # TimedOut included
                await self._network_failure(row, error)
            except TelegramError as error:
                await outbox.mark_failed(db, row.id, clock.now(), _describe(error))
                self.stats.failed += 1
            except Exception as error:
                _log.exception("Unexpected error sending outbox row %d", row.id)
                await outbox.mark_failed(db, row.id, clock.now(), _describe(error))
                self.stats.failed += 1
            else:
                self._network_failures = 0
                await outbox.mark_sent(db, row.id, clock.now(), message.message_id)
                self.stats.sent += 1
            finally:
                self._awaiting_turn.pop(row.id, None)
            return

    async def _network_failure(self, row: OutboxRow, error: NetworkError) -> None:
        """Only an error that proves the message never left is retried (later, with backoff);
        one that leaves it open (a read timeout, a connection dropped after the request was
        written) makes the row 'unknown': Telegram offers no way to ask, and a duplicate is
        not ours to risk. Either way everyone slows down, since the network is likely out.
        """
        now = self._clock.now()
        failures = row.attempts + 1
        if not never_left(error):
            await outbox.mark_unknown(self._db, row.id, _describe(error))
            self.stats.unknown += 1
        elif failures >= self._retry.max_attempts:
            await outbox.mark_failed(self._db, row.id, now, _describe(error))
            self.stats.failed += 1
        else:
            delay = self._retry.delay(failures)
            retry_at = now + timedelta(seconds=delay)
            await outbox.mark_failed(self._db, row.id, now, _describe(error), retry_at=retry_at)
            self.stats.retries_scheduled += 1
        self._network_failures += 1
        pause = self._retry.delay(self._network_failures)
        self._pause_until(self._clock.monotonic() + pause)

    # ---------------------------------------------------------------- progress

    def _progress_due(self) -> None:
        """Report in a task of its own: a slow callback (an edit over HTTP) must not stall sends."""
        now = self._clock.monotonic()
        if now - self._last_report < self._progress_interval:
            return
        if self._reporter is not None and not self._reporter.done():
            return
        self._last_report = now
        self._reporter = asyncio.create_task(self._report())

    async def _flush_progress(self) -> None:
        """Report now, after any report still running: the final counts must come last."""
        if self._reporter is not None:
            await self._reporter
            self._reporter = None
        self._last_report = self._clock.monotonic()
        await self._report()

    async def _report(self) -> None:
        """``on_progress`` for broadcasts touched since last time, and for those now finished."""
        try:
            finished = await outbox.finish_done(self._db, self._clock.now())
            ids = sorted(self._touched | set(finished))
            self._touched.clear()
            if self._on_progress is None:
                return
            for broadcast_id in ids:
                counts = await outbox.progress(self._db, broadcast_id)
                if counts.finished and broadcast_id not in finished:
                    continue  # the final report comes once, from the run that stamps it
                try:
                    await self._on_progress(broadcast_id, counts)
                except Exception:
                    _log.exception("Progress callback failed for broadcast %d", broadcast_id)
        except Exception:
            _log.exception("Progress report failed")
