"""One rate limiter per bot token: every message the bot sends waits its turn here, replies to
people ahead of broadcasts and reminders.

Why not PTB's ``AIORateLimiter``: its bucket lets 30 through at once and then 30 per second, so
a sliding one-second window sees up to 60 and Telegram answers 429 (80–170 per run of
``benchmarks/load.py``), after which every request waits; it has no per-private-chat limit and
no priorities. And two limiters on one token (the application's and the outbox deliverer's)
add up past the 30/s that Telegram counts per token. So the application's bot and the
deliverer's bot are given the same :class:`TelegramRateLimiter` (see ``bot.app``).

Telegram's limits (Bot FAQ), as :class:`Limits` holds them:

* about 30 messages per second overall: at most ``overall`` (29) in any sliding second, never
  closer together than ``smoothing`` of the even spacing, so no burst builds up; counted from
  when each request actually leaves, not from when its turn was granted;
* about one message per second in a chat. Telegram tolerates short bursts in a private chat,
  but ``FakeBotApi`` (``TelegramLimits``: one per 0.95 s) does not, so the default allows one
  per 1.0 s, leaving its 50 ms tolerance for jitter on the way;
* 20 messages per minute in a group (negative ids, or an ``@username``), besides the 1/s.

What counts: sends (``send*`` but ``sendChatAction``, ``copyMessage(s)``, ``forwardMessage(s)``)
count toward all three. Edits (``editMessage*``, ``stopPoll``) change no chat's message count
in a private chat, so they count only toward the overall pace and a group's limits. Everything
else (``answerCallbackQuery``, ``getFile``, ``getMe``, ``getChat``, ``setMyCommands``,
``deleteMessage``, ``sendChatAction``…) sends no message and passes at once: a person waiting
on a button's spinner must not queue behind a broadcast. (PTB never passes ``getUpdates``.)

Priorities: a call passes ``rate_limit_args={"priority": "bulk"}`` to go in the bulk lane
(what the deliverer does); anything else is interactive. One dispatcher hands out the overall
turns: to the oldest interactive request whose chat may receive now, else the oldest such bulk
request. A reply thus waits at most for the send granted just before it (~35 ms) however long
the broadcast; bulk only waits while replies use the whole pace. A call may pass ``on_turn``,
awaited when its turn came, just before it leaves: the deliverer marks its outbox row
dispatched there, so a crash while it waits for its turn leaves the row certainly unsent.

On a 429 every lane pauses for ``retry_after`` (Telegram does not say which limit was hit) and
the request is tried again, up to ``max_retries`` times (per call: ``{"max_retries": n}``).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import math
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal, TypedDict

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

__all__ = [
    "BULK",
    "LimiterStats",
    "Limits",
    "Priority",
    "RateLimitArgs",
    "TelegramRateLimiter",
    "TurnDeclined",
    "Window",
    "retry_after_seconds",
]

_log = logging.getLogger(__name__)

Priority = Literal["interactive", "bulk"]
ChatId = int | str
JSONDict = dict[str, Any]


class RateLimitArgs(TypedDict, total=False):
    """What a Bot call may pass as ``rate_limit_args``."""

    priority: Priority
    max_retries: int
    on_turn: Callable[[], Awaitable[bool]]
    """Awaited when the request's turn came, just before it is sent (the outbox marks its row
    dispatched here); False: it is not sent and the call raises :class:`TurnDeclined`."""


class TurnDeclined(Exception):
    """The request's ``on_turn`` said not to send it."""


BULK: RateLimitArgs = {"priority": "bulk"}

PAUSE_MARGIN = 0.1
"""Seconds added to Telegram's ``retry_after`` (whole seconds, rounded by Telegram)."""

_SLACK = 16
"""Turns kept beyond a window's count: turns leave in about the order they were granted, not
exactly (an ``on_turn`` or a busy event loop holds one back)."""

_OTHER_SENDS = frozenset({"copyMessage", "copyMessages", "forwardMessage", "forwardMessages"})
_NOT_SENDS = frozenset({"sendChatAction"})
_OTHER_EDITS = frozenset({"stopPoll"})


@dataclass(frozen=True)
class Window:
    """At most ``count`` messages in any ``period`` seconds (a sliding window)."""

    count: int
    period: float


@dataclass(frozen=True)
class Limits:
    """Telegram's limits for one token (see the module's docstring for what counts)."""

    overall: Window = Window(29, 1.0)
    """Telegram allows 30: one less leaves ~80 ms for a request to be held up on its way (the
    network, Telegram's own clock) without making 31 in Telegram's second."""
    smoothing: float = 0.9
    """Two messages are at least this share of ``period / count`` apart: no burst, yet a turn
    granted a little late (the event loop's wake-up) does not slow every later one."""
    private_chat: tuple[Window, ...] = (Window(1, 1.0),)
    group_chat: tuple[Window, ...] = (Window(1, 1.0), Window(20, 60.0))


@dataclass
class LimiterStats:
    """What went through since the limiter was created (tests, benchmarks, logs)."""

    interactive: int = 0
    bulk: int = 0
    exempt: int = 0
    rate_limited: int = 0
    """429 answers received (one to a message paused every lane)."""


@dataclass(eq=False)
class _Waiter:
    chat: ChatId | None
    windows: tuple[Window, ...]
    granted: asyncio.Future[None]
    at: float = -math.inf
    """When its turn was granted, then when the request actually left."""


@dataclass
class _Lane:
    name: Priority
    waiting: deque[_Waiter] = field(default_factory=deque)


def retry_after_seconds(error: RetryAfter) -> float:
    """``retry_after`` in seconds, whether PTB gives an int or a timedelta."""
    with warnings.catch_warnings():  # int vs timedelta depends on PTB_TIMEDELTA; accept both
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _chat_of(value: object) -> ChatId | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    text = str(value)
    with contextlib.suppress(ValueError):
        return int(text)
    return text


def _nth_latest(turns: deque[_Waiter], count: int) -> float:
    """When the ``count``-th latest of ``turns`` left: a window of ``count`` has room again
    one period after it."""
    return heapq.nlargest(count, (turn.at for turn in turns))[-1]


def _is_group(chat: ChatId) -> bool:
    """Groups, supergroups and channels: negative ids; an ``@username`` is one of them too."""
    return isinstance(chat, str) or chat < 0


class TelegramRateLimiter(BaseRateLimiter[RateLimitArgs]):
    """Telegram's limits for every Bot that shares it, with an interactive and a bulk lane.

    Give the same instance to every Bot of one token. ``initialize`` and ``shutdown`` do
    nothing (each Bot calls them): the dispatcher runs while requests wait and ends by itself.
    """

    def __init__(self, limits: Limits = Limits(), *, max_retries: int = 2) -> None:
        if limits.overall.count < 1 or limits.overall.period <= 0 or max_retries < 0:
            raise ValueError("overall limit must be positive, max_retries not negative")
        self.limits = limits
        self.max_retries = max_retries
        self.stats = LimiterStats()
        self._gap = limits.smoothing * limits.overall.period / limits.overall.count
        self._lanes = (_Lane("interactive"), _Lane("bulk"))
        self._sent: deque[_Waiter] = deque(maxlen=limits.overall.count + _SLACK)
        self._chats: dict[ChatId, deque[_Waiter]] = {}
        self._chat_keep = max(
            (w.period for w in (*limits.private_chat, *limits.group_chat)), default=0.0
        )
        self._chat_depth = _SLACK + max(
            (w.count for w in (*limits.private_chat, *limits.group_chat)), default=0
        )
        self._paused_until = -math.inf
        self._dispatcher: asyncio.Task[None] | None = None
        self._arrival: asyncio.Future[None] | None = None

    async def initialize(self) -> None:
        """Nothing to set up: the dispatcher starts with the first request that waits."""

    async def shutdown(self) -> None:
        """Nothing to stop: another Bot may still be sending through this limiter."""

    # ---------------------------------------------------------------- requests

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: RateLimitArgs | None,
    ) -> bool | JSONDict | list[JSONDict]:
        options: RateLimitArgs = rate_limit_args or {}
        priority = options.get("priority", "interactive")
        lane = next((lane for lane in self._lanes if lane.name == priority), None)
        if lane is None:
            raise ValueError(f"unknown priority {priority!r}")
        max_retries = options.get("max_retries", self.max_retries)
        on_turn = options.get("on_turn")
        chat = _chat_of(data.get("chat_id"))
        windows = self.windows_for(endpoint, chat)
        attempt = 0
        while True:
            turn = None
            if windows is None:
                self.stats.exempt += 1
            else:
                turn = await self._turn(lane, chat, windows, retry=attempt > 0)
            if on_turn is not None and not await on_turn():
                raise TurnDeclined(f"{endpoint} to chat {chat} was not sent")
            if turn is not None:
                # The event loop or on_turn may hold a request back a while after its turn:
                # the windows count from when it leaves, else the next ones could reach
                # Telegram too close behind it.
                turn.at = asyncio.get_running_loop().time()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                seconds = retry_after_seconds(error)
                self.stats.rate_limited += 1
                if windows is not None:
                    self.pause(seconds + PAUSE_MARGIN)
                if attempt >= max_retries:
                    _log.warning(
                        "Telegram answered %s to chat %s with 429 (retry after %g s), "
                        "passed on to the caller after %d retries",
                        endpoint,
                        chat,
                        seconds,
                        attempt,
                    )
                    raise
                _log.warning(
                    "Telegram answered %s to chat %s with 429: every lane waits %g s, then "
                    "retry %d of %d",
                    endpoint,
                    chat,
                    seconds,
                    attempt + 1,
                    max_retries,
                )
                if windows is None:
                    await asyncio.sleep(seconds + PAUSE_MARGIN)
                attempt += 1

    def windows_for(self, endpoint: str, chat: ChatId | None) -> tuple[Window, ...] | None:
        """The chat's windows this call counts toward (besides the overall pace), or None if
        it is no message and passes at once."""
        if (endpoint.startswith("send") and endpoint not in _NOT_SENDS) or (
            endpoint in _OTHER_SENDS
        ):
            if chat is None:
                return ()
            return self.limits.group_chat if _is_group(chat) else self.limits.private_chat
        if endpoint.startswith("editMessage") or endpoint in _OTHER_EDITS:
            return self.limits.group_chat if chat is not None and _is_group(chat) else ()
        return None

    def pause(self, seconds: float) -> None:
        """No lane gets a turn for ``seconds`` (after a 429)."""
        until = asyncio.get_running_loop().time() + seconds
        self._paused_until = max(self._paused_until, until)

    @property
    def waiting(self) -> dict[Priority, int]:
        return {lane.name: len(lane.waiting) for lane in self._lanes}

    async def _turn(
        self, lane: _Lane, chat: ChatId | None, windows: tuple[Window, ...], *, retry: bool
    ) -> _Waiter:
        """Wait in ``lane`` until the dispatcher grants this request its turn. A retry goes
        to the front of its lane: it was first already."""
        loop = asyncio.get_running_loop()
        waiter = _Waiter(chat, windows, loop.create_future())
        if retry:
            lane.waiting.appendleft(waiter)
        else:
            lane.waiting.append(waiter)
        if self._dispatcher is None or self._dispatcher.done():
            self._dispatcher = loop.create_task(self._dispatch(), name="rate-limiter")
        elif self._arrival is not None and not self._arrival.done():
            self._arrival.set_result(None)
        try:
            await waiter.granted
        except asyncio.CancelledError:
            if waiter in lane.waiting:
                lane.waiting.remove(waiter)
            raise
        return waiter

    # ---------------------------------------------------------------- the dispatcher

    async def _dispatch(self) -> None:
        """Grant turns one at a time while anyone waits, then end."""
        loop = asyncio.get_running_loop()
        while any(lane.waiting for lane in self._lanes):
            now = loop.time()
            wait = self._overall_wait(now)
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            picked, wait = self._pick(now)
            if picked is None:
                if not math.isinf(wait):  # else only cancelled ones were left: the loop ends
                    await self._idle(wait)
                continue
            lane, index = picked
            waiter = lane.waiting[index]
            del lane.waiting[index]
            self._grant(waiter, lane, now)

    def _overall_wait(self, now: float) -> float:
        """Seconds until the overall pace allows the next message (0 if now)."""
        ready = self._paused_until
        if self._sent:
            ready = max(ready, self._sent[-1].at + self._gap)
            if len(self._sent) >= self.limits.overall.count:
                latest = _nth_latest(self._sent, self.limits.overall.count)
                ready = max(ready, latest + self.limits.overall.period)
        return max(0.0, ready - now)

    def _pick(self, now: float) -> tuple[tuple[_Lane, int] | None, float]:
        """The oldest request whose chat may receive now, interactive first; else how long
        until one may."""
        soonest = math.inf
        for lane in self._lanes:
            if any(waiter.granted.done() for waiter in lane.waiting):  # cancelled meanwhile
                lane.waiting = deque(w for w in lane.waiting if not w.granted.done())
            for index, waiter in enumerate(lane.waiting):
                ready = self._chat_ready(waiter, now)
                if ready <= now:
                    return (lane, index), 0.0
                soonest = min(soonest, ready)
        return None, soonest - now

    def _chat_ready(self, waiter: _Waiter, now: float) -> float:
        if waiter.chat is None or not waiter.windows:
            return now
        history = self._chats.get(waiter.chat)
        ready = now
        if history:
            for window in waiter.windows:
                if len(history) >= window.count:
                    ready = max(ready, _nth_latest(history, window.count) + window.period)
        return ready

    async def _idle(self, seconds: float) -> None:
        """Until a chat's turn comes or a new request arrives."""
        self._arrival = asyncio.get_running_loop().create_future()
        try:
            await asyncio.wait([self._arrival], timeout=seconds)
        finally:
            self._arrival = None

    def _grant(self, waiter: _Waiter, lane: _Lane, now: float) -> None:
        waiter.granted.set_result(None)
        waiter.at = now
        self._sent.append(waiter)
        if lane.name == "bulk":
            self.stats.bulk += 1
        else:
            self.stats.interactive += 1
        if waiter.chat is None or not waiter.windows:
            return
        history = self._chats.get(waiter.chat)
        if history is None:
            if len(self._chats) >= 4096:
                self._forget_quiet_chats(now)
            history = self._chats[waiter.chat] = deque(maxlen=self._chat_depth)
        history.append(waiter)

    def _forget_quiet_chats(self, now: float) -> None:
        """Chats whose last message left every window can start afresh."""
        self._chats = {
            chat: history
            for chat, history in self._chats.items()
            if history and history[-1].at + self._chat_keep > now
        }
