"""Waiting for the bot: until it settled an update, went idle, answered, or a condition holds.

A timeout names what was awaited and the fake's state (requests in flight, unconfirmed
updates, the last request), so a stalled test says where it stalled.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

from bot.fake_bot_api.history import _HistoryMixin
from bot.fake_bot_api.records import SentMessage
from bot.fake_bot_api.updates import _UpdatesMixin

_RECHECK_SECONDS = 0.1


class _WaitingMixin(_UpdatesMixin, _HistoryMixin):
    """settle, settle_all, wait_until, wait_for_answers and their diagnostics."""

    async def settle(self, update_id: int, label: str = "") -> None:
        """Wait until the bot has fetched and finished handling ``update_id``."""
        timeout = self.settle_timeout
        try:
            async with asyncio.timeout(timeout):
                await self._wait_until(lambda: self.is_confirmed(update_id))
                await self._wait_idle()
        except TimeoutError:
            raise TimeoutError(self._describe_stall(update_id, label, timeout)) from None

    async def settle_all(self, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Wait until every update queued so far is confirmed and the bot went idle (the
        ``idle_hook`` returned, else nothing happened for ``quiet_period``)."""
        limit = self.settle_timeout if timeout is None else timeout
        last = self._next_update_id - 1
        try:
            async with asyncio.timeout(limit):
                await self._wait_until(lambda: not self._unconfirmed(last))
                await self._wait_idle()
        except TimeoutError:
            waiting = self._unconfirmed(last)
            if not waiting:
                state = f"every update up to {last} is confirmed but the bot did not go idle"
                raise TimeoutError(f"{state} within {limit:g}s ({self._state()})") from None
            first = waiting[0]
            queued = self._history.get(first)
            label = f"{queued.kind}" if queued is not None else ""
            shown = ", ".join(str(uid) for uid in waiting[:10]) + (
                ", …" if len(waiting) > 10 else ""
            )
            raise TimeoutError(
                f"{len(waiting)} of the updates queued so far are unconfirmed ({shown}); "
                + self._describe_stall(first, label, limit)
            ) from None

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float | None = None,  # noqa: ASYNC109 (the timeout explains what it waited for)
        *,
        what: str | Callable[[], str] = "",
    ) -> None:
        """Wait until ``predicate()`` is true: checked now, whenever the fake's state changes (a
        Bot API request starts or ends, an update is queued or confirmed) and every 0.1 s.

        ``timeout`` defaults to ``settle_timeout``; past it a :class:`TimeoutError` names
        ``what`` (a text, or a function making one at that moment) and the fake's state.
        """
        limit = self.settle_timeout if timeout is None else timeout
        try:
            async with asyncio.timeout(limit):
                while not predicate():
                    changed = self._changed
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(changed.wait(), _RECHECK_SECONDS)
        except TimeoutError:
            described = what() if callable(what) else what
            raise TimeoutError(
                f"{described or 'the condition'} not reached within {limit:g}s ({self._state()})"
            ) from None

    async def wait_for_answers(
        self,
        user_id: int,
        count: int = 1,
        timeout: float | None = None,  # noqa: ASYNC109
        *,
        since: int | None = None,
    ) -> list[SentMessage]:
        """Wait until the bot has sent at least ``count`` new messages (not edits) to the chat
        of ``user_id`` since the mark ``since`` (default: that user's latest action); returns
        them all. Does not wait for the bot to go quiet."""
        person = self._users.get(user_id)
        mark = since if since is not None else (person._mark if person is not None else 0)
        await self.wait_until(
            lambda: self._count_new(user_id, mark) >= count,
            timeout,
            what=lambda: (
                f"{count} new message(s) to chat {user_id} (got {self._count_new(user_id, mark)})"
            ),
        )
        return self.new_messages(user_id, mark)

    async def _wait_idle(self) -> None:
        if self.idle_hook is not None:
            await self.idle_hook()
            await self._wait_until(lambda: self._in_flight == 0)
        else:
            await self._wait_quiet()

    async def _wait_quiet(self) -> None:
        while True:
            changed = self._changed
            if self._in_flight:
                await changed.wait()
                continue
            idle = time.monotonic() - self._last_activity
            if idle >= self.quiet_period:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), self.quiet_period - idle)

    def _last_request_text(self) -> str:
        last = self._last_request
        if self._last_request_at is not None:
            last += f" {time.monotonic() - self._last_request_at:.1f}s ago"
        return last

    def _state(self) -> str:
        waiting = len(self._unconfirmed(self._next_update_id - 1))
        return (
            f"{self._in_flight} requests in flight, {waiting} updates unconfirmed, confirmed "
            f"offset {self._confirmed_offset}, last bot request: {self._last_request_text()}"
        )

    def _describe_stall(self, update_id: int, label: str, timeout: float) -> str:
        now = time.monotonic()
        what = f"update {update_id}" + (f" ({label})" if label else "")
        if not self.is_confirmed(update_id):
            polled = (
                "the bot never called getUpdates"
                if self._last_poll_at is None
                else f"last getUpdates {now - self._last_poll_at:.1f}s ago"
            )
            state = (
                f"the bot never confirmed it ({polled}, confirmed offset {self._confirmed_offset})"
            )
        elif self.idle_hook is not None:
            state = f"the bot confirmed it but idle_hook did not return ({self._in_flight} "
            state += "requests in flight)"
        else:
            state = f"the bot confirmed it but did not go quiet ({self._in_flight} in flight)"
        return (
            f"{what} did not settle within {timeout:g}s: {state}; last bot "
            f"request: {self._last_request_text()}"
        )
