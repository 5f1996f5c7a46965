"""The ways the fake makes the bot's calls fail or wait: rate limits, blocked users, latency.

Telegram's 429 (``TelegramLimits``), 403 "bot was blocked" (explicit or a seeded share of
the users) and the network's delay are injected here, each send passing the same gate.
"""

from __future__ import annotations

import asyncio
import math
import random
from collections import deque

from bot.fake_bot_api.params import _ApiError
from bot.fake_bot_api.state import _FakeState

_BLOCKED = "Forbidden: bot was blocked by the user"


class _LimitsMixin(_FakeState):
    """Rate limits, blocked users and latency."""

    def block(self, user_id: int) -> None:
        """Make the user "block the bot": sends to them answer 403."""
        self._blocked.add(user_id)
        self._unblocked.discard(user_id)

    def unblock(self, user_id: int) -> None:
        """Undo :meth:`block` (also overrides ``forbidden_ratio`` for this user)."""
        self._blocked.discard(user_id)
        self._unblocked.add(user_id)

    def is_blocked(self, chat_id: int) -> bool:
        """Whether sends to ``chat_id`` answer 403 (explicit block or the seeded ratio)."""
        if chat_id in self._blocked:
            return True
        if chat_id in self._unblocked or chat_id <= 0 or self.forbidden_ratio <= 0:
            return False
        cached = self._ratio_cache.get(chat_id)
        if cached is None:
            cached = random.Random(f"{self.seed}:{chat_id}").random() < self.forbidden_ratio
            self._ratio_cache[chat_id] = cached
        return cached

    def _window(self, chat_id: int) -> deque[float]:
        window = self._chat_windows.get(chat_id)
        if window is None:
            window = self._chat_windows[chat_id] = deque()
        return window

    def _check_rate(self, chat_id: int) -> None:
        limits = self.limits
        if limits is None:
            return
        now = self.limits_clock()
        checks: list[tuple[deque[float], int, float]] = [
            (self._global_window, limits.per_second_global, 1.0)
        ]
        if chat_id < 0:
            checks.append((self._window(chat_id), limits.per_group_per_minute, 60.0))
        else:
            burst = max(1, math.floor(limits.per_chat_per_second))
            checks.append((self._window(chat_id), burst, burst / limits.per_chat_per_second))
        exceeded = False
        wait = 0.0
        for window, max_count, span in checks:
            effective = max(span - limits.tolerance, 0.0)
            while window and window[0] <= now - effective:
                window.popleft()
            if len(window) >= max_count:
                exceeded = True
                wait = max(wait, window[0] + effective - now)
        if exceeded:
            self.stats.too_many_requests += 1
            seconds = max(1, math.ceil(wait))
            raise _ApiError(
                429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds}
            )
        for window, _, _ in checks:
            window.append(now)

    def _check_blocked(self, chat_id: int) -> None:
        if self.is_blocked(chat_id):
            self.stats.forbidden += 1
            raise _ApiError(403, _BLOCKED)

    def _gate_send(self, chat_id: int) -> None:
        """Rate limits first (a 403'd send still used a slot), then the block list."""
        self._check_rate(chat_id)
        self._check_blocked(chat_id)

    async def _delay(self) -> None:
        """Hold the answer back by ``latency`` (not while shutting down)."""
        if self.latency > 0 and not self._stopping:
            await asyncio.sleep(self.latency)
