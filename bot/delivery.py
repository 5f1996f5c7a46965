"""Sends what the outbox holds, within Telegram's limits: chair broadcasts and reminders alike.

Why not PTB's ``AIORateLimiter``: its aiolimiter bucket lets a whole second's worth through at
once and then drips at 30/s, so a sliding one-second window sees more than 30 sends and Telegram
answers 429 (29 of 300 sends against ``FakeBotApi``); it has no per-private-chat limit either.
Evenly spaced slots slightly under 30/s never trip the window.

Why a plain ``telegram.Bot`` (see :func:`delivery_bot`) rather than ``application.bot``: the
application's bot has ``AIORateLimiter(max_retries=…)``, which would pace a second time and
swallow the 429s this module must see, and PTB's default ``Bot`` has a single HTTP connection.

Crash safety is the outbox's: a row is marked dispatched (committed) just before its HTTP call
and sent right after, so at most the messages actually on the wire (≤ ``concurrency``) are
uncertain after ``kill -9``; see :mod:`bot.services.outbox`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from telegram import (
    Bot,
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
)
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from bot.services import outbox
from bot.services.outbox import OutboxRow, Progress, Recovery
from bot.storage.db import Database, utc_now

__all__ = [
    "Clock",
    "Deliverer",
    "DeliveryStats",
    "MessageSender",
    "ProgressCallback",
    "ReplyMarkup",
    "RetryPolicy",
    "SendLimits",
    "SystemClock",
    "delivery_bot",
]

_log = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 8
"""Sends in flight at once: 30/s over a 250 ms round trip needs ~8; it bounds 'unknown' rows."""

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
    """The part of ``telegram.Bot`` the deliverer uses (tests may pass a stub)."""

    async def send_message(
        self, chat_id: int | str, text: str, *, reply_markup: ReplyMarkup | None = None
    ) -> Message: ...


@dataclass(frozen=True)
class SendLimits:
    """Telegram's broadcast limits, with headroom so a sliding window never sees one too many."""

    per_second: float = 29.5
    """All chats together (Telegram: 30/s)."""
    private_chat_interval: float = 1.0
    """Seconds between two messages to one person (Telegram: 1/s)."""
    group_interval: float = 3.0
    """Seconds between two messages to one group, negative chat ids (Telegram: 20/min)."""


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
    rate_limited: int = 0
    """429 answers received: each paused all sending for ``retry_after``."""


class _Pacer:
    """Evenly spaced send slots: a token bucket holding one token, so no burst ever builds up."""

    def __init__(self, per_second: float) -> None:
        self._interval = 1.0 / per_second
        self._next = -math.inf
        self.paused_until = -math.inf

    def reserve(self, now: float) -> float:
        """Book the next slot; returns how long to wait for it."""
        slot = max(self._next, now, self.paused_until)
        self._next = slot + self._interval
        return slot - now

    @property
    def used(self) -> bool:
        return self._next != -math.inf

    def pause_until(self, moment: float) -> None:
        self.paused_until = max(self.paused_until, moment)


def _retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # int vs timedelta depends on PTB_TIMEDELTA; accept both
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


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
    concurrency: int = DEFAULT_CONCURRENCY,
) -> Bot:
    """A plain Bot for the Deliverer: no second rate limiter, a pool as wide as the sends."""
    request = HTTPXRequest(connection_pool_size=concurrency + 1)
    return Bot(token, base_url=base_url, request=request)


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
        limits: SendLimits = SendLimits(),
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
        self._limits = limits
        self._retry = retry
        self._batch_size = batch_size
        self._progress_interval = progress_interval
        self._poll_interval = poll_interval
        self._pacer = _Pacer(limits.per_second)
        self._max_lateness = 0.5 / limits.per_second
        self._slots = asyncio.Semaphore(concurrency)
        self._chat_ready: dict[int, float] = {}
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

    # ---------------------------------------------------------------- lifecycle

    @property
    def running(self) -> bool:
        return self._runner is not None and not self._runner.done()

    @property
    def in_flight(self) -> int:
        return len(self._tasks)

    async def start(self) -> None:
        """Recover, then deliver in a background task until :meth:`stop`."""
        if self.running:
            raise RuntimeError("Deliverer is already running")
        self._stop.clear()
        await self._recover()
        self._runner = asyncio.create_task(self._supervise(), name="deliverer")

    async def stop(self) -> None:
        """Finish the sends on the wire, give claimed rows back, and return."""
        self._stop.set()
        self._wake.set()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner

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
        if self._pacer.used:
            return  # this instance paced the sends it made itself
        last = await outbox.last_dispatch(self._db)
        if last is not None and self._clock.now() - last < RESTART_QUIET_WINDOW:
            # a predecessor's last sends still fill Telegram's window: let it slide by first
            self._pacer.pause_until(self._clock.monotonic() + 1.0)
        if recovery.requeued or recovery.unknown:
            _log.warning(
                "Outbox recovery: %d claimed rows requeued, %d in flight marked unknown",
                recovery.requeued,
                recovery.unknown,
            )

    async def _supervise(self) -> None:
        while not self._stop.is_set():
            try:
                await self._run(until_idle=False)
            except Exception:
                _log.exception("Delivery loop failed; restarting it")
                await self._sleep(self._poll_interval, wake=True)

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
                        await asyncio.wait(set(self._tasks), return_when=asyncio.FIRST_COMPLETED)
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
                await self._slots.acquire()  # first, so the pick sees the latest bookings
                index, wait = self._pick(queue)
                if index is None:
                    self._slots.release()
                    await self._sleep(wait)
                    continue
                row = queue[index]
                slot = await self._take_turn(row.recipient_id)
                if slot is None:
                    self._slots.release()
                    break
                queue.pop(index)
                task = asyncio.create_task(self._deliver(row, slot))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
                self._progress_due()
        finally:
            if self._tasks:
                await asyncio.gather(*self._tasks, return_exceptions=True)
            await outbox.release(self._db, [row.id for row in queue])
            if self._stop.is_set():
                await self._flush_progress()

    def _pick(self, queue: list[OutboxRow]) -> tuple[int | None, float]:
        """The first row whose chat may receive now, else how long until one may."""
        now = self._clock.monotonic()
        soonest = math.inf
        for index, row in enumerate(queue):
            ready = self._chat_ready.get(row.recipient_id, -math.inf)
            if ready <= now:
                return index, 0.0
            soonest = min(soonest, ready)
        return None, soonest - now

    async def _take_turn(self, chat_id: int) -> float | None:
        """Wait for this chat's turn and a global slot; the slot's time, or None if stopped."""
        while not self._stop.is_set():
            chat_wait = self._chat_ready.get(chat_id, -math.inf) - self._clock.monotonic()
            if chat_wait > 0:
                await self._sleep(chat_wait)
                continue
            slot = await self._pace()
            if slot is not None:
                self._book_chat(chat_id, slot)
            return slot
        return None

    async def _pace(self) -> float | None:
        """A global send slot, kept only if still fresh when we get to use it.

        A slot used late (the loop stalled, a database write queued) would bunch up with the next
        ones, and Telegram's sliding window counts bunches: book a new one instead.
        """
        while not self._stop.is_set():
            now = self._clock.monotonic()
            slot = now + self._pacer.reserve(now)
            if slot > now:
                await self._sleep(slot - now)
            now = self._clock.monotonic()
            if self._pacer.paused_until > now or now - slot > self._max_lateness:
                continue  # a 429 arrived meanwhile, or we are late: book again
            return slot
        return None

    def _book_chat(self, chat_id: int, slot: float) -> None:
        interval = (
            self._limits.group_interval if chat_id < 0 else self._limits.private_chat_interval
        )
        self._chat_ready[chat_id] = slot + interval
        if len(self._chat_ready) > 1000:
            self._chat_ready = {c: t for c, t in self._chat_ready.items() if t > slot}

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

    async def _deliver(self, row: OutboxRow, slot: float) -> None:
        try:
            await self._deliver_row(row, slot)
        except Exception:
            _log.exception("Delivery of outbox row %d failed unexpectedly", row.id)
        finally:
            self._touched.add(row.broadcast_id)
            self._slots.release()

    async def _deliver_row(self, row: OutboxRow, slot: float) -> None:
        db, clock = self._db, self._clock
        try:
            markup = _reply_markup(row.reply_markup)
        except (ValueError, TypeError, KeyError) as error:
            await outbox.mark_failed(db, row.id, clock.now(), _describe(error))
            self.stats.failed += 1
            return
        while True:
            if not await outbox.mark_dispatched(db, row.id, clock.now()):
                return  # no longer ours
            if clock.monotonic() - slot > self._max_lateness:  # the write queued: slot is stale
                fresh = await self._pace()
                if fresh is None:
                    await outbox.mark_not_dispatched(db, row.id)
                    await outbox.release(db, [row.id])
                    return
                slot = fresh
                self._book_chat(row.recipient_id, slot)
            try:
                message = await self._bot.send_message(
                    chat_id=row.recipient_id, text=row.text, reply_markup=markup
                )
            except RetryAfter as error:
                # Certainly not delivered, nor counted by Telegram: drop this chat's booking,
                # make everyone wait, then this message goes again.
                self.stats.rate_limited += 1
                await outbox.mark_not_dispatched(db, row.id)
                self._chat_ready.pop(row.recipient_id, None)
                self._pacer.pause_until(clock.monotonic() + _retry_after_seconds(error))
                turn = await self._take_turn(row.recipient_id)
                if turn is None:
                    await outbox.release(db, [row.id])
                    return
                slot = turn
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
            return

    async def _network_failure(self, row: OutboxRow, error: NetworkError) -> None:
        """Retry later with backoff; also slow everyone down, since the network is likely out.

        A read timeout may hide a delivered message, so this retry is the one place where a
        duplicate remains possible; Telegram offers no way to ask.
        """
        now = self._clock.now()
        failures = row.attempts + 1
        if failures >= self._retry.max_attempts:
            await outbox.mark_failed(self._db, row.id, now, _describe(error))
            self.stats.failed += 1
        else:
            delay = self._retry.delay(failures)
            retry_at = now + timedelta(seconds=delay)
            await outbox.mark_failed(self._db, row.id, now, _describe(error), retry_at=retry_at)
            self.stats.retries_scheduled += 1
        self._network_failures += 1
        pause = self._retry.delay(self._network_failures)
        self._pacer.pause_until(self._clock.monotonic() + pause)

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
