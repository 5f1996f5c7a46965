"""The updates for the bot: the queue, getUpdates, the webhook, confirmation and redelivery.

Updates are confirmed as Telegram confirms them (a later getUpdates offset, or a webhook's
200); a confirmed one can be put back to test a redelivery.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from aiohttp import ClientSession

from bot.fake_bot_api.params import (
    _ApiError,
    _bad,
    _opt_bool,
    _opt_float,
    _opt_int,
    _opt_json,
    _opt_str,
)
from bot.fake_bot_api.records import JsonDict, _QueuedUpdate
from bot.fake_bot_api.state import _FakeState


class _UpdatesMixin(_FakeState):
    """The update queue, its delivery (polling or webhook) and confirmation."""

    def enqueue_update(self, kind: str, payload: JsonDict) -> int:
        """Queue a raw update ``{"update_id": n, kind: payload}`` and return its id."""
        update_id = self._next_update_id
        self._next_update_id += 1
        queued = _QueuedUpdate(update_id, kind, payload, time.monotonic())
        self._updates.append(queued)
        self._history[update_id] = queued
        self._notify()
        if self.webhook_url:
            self._schedule_push(queued)
        return update_id

    def enqueued_at(self, update_id: int) -> float:
        """``time.monotonic()`` when ``update_id`` was queued (the person pressed "send")."""
        queued = self._history.get(update_id)
        if queued is None:
            raise KeyError(f"no update {update_id} was ever queued")
        return queued.enqueued_at

    def handed_out(self, update_id: int) -> int:
        """How many times the bot was given ``update_id`` (getUpdates answers, webhook posts)."""
        return self._handed_out[update_id]

    def redeliver(self, update_id: int) -> None:
        """Put a confirmed update back: the next getUpdates (or a webhook post) delivers it again
        with the same id and payload, as Telegram does when it missed the acknowledgement. It
        counts as unconfirmed until the bot acknowledges it again (a getUpdates with a higher
        offset after it was handed out, or a 200 from the webhook)."""
        queued = self._history.get(update_id)
        if queued is None:
            raise ValueError(f"no update {update_id} was ever queued")
        if update_id in self._dropped:
            raise ValueError(f"update {update_id} was dropped; Telegram never redelivers those")
        if not self.is_confirmed(update_id):
            raise ValueError(f"update {update_id} is not confirmed yet: it is still pending")
        self._redelivery[update_id] = False
        self._webhook_confirmed.discard(update_id)
        self._notify()
        if self.webhook_url:
            self._schedule_push(queued)

    def _schedule_push(self, queued: _QueuedUpdate) -> None:
        task = asyncio.get_running_loop().create_task(self._push(queued.json()))
        self._pushes.add(task)
        task.add_done_callback(self._pushes.discard)

    async def _push(self, update: JsonDict) -> None:
        """Deliver one update to the webhook, in order; a 200 answer confirms it."""
        async with self._push_lock, ClientSession() as session:
            headers = (
                {"X-Telegram-Bot-Api-Secret-Token": self.webhook_secret}
                if self.webhook_secret
                else {}
            )
            update_id = int(update["update_id"])
            self._handed_out[update_id] += 1
            async with session.post(self.webhook_url, json=update, headers=headers) as answer:
                if answer.status == 200:
                    self._webhook_confirmed.add(update_id)
                    self._redelivery.pop(update_id, None)
                    self._touch()
                    self._notify()

    def is_confirmed(self, update_id: int) -> bool:
        """Whether the bot acknowledged the update (getUpdates with a higher offset)."""
        if update_id in self._redelivery:
            return False
        return (
            update_id < self._confirmed_offset
            or update_id in self._dropped
            or update_id in self._webhook_confirmed
        )

    def _unconfirmed(self, up_to: int) -> list[int]:
        """Ids up to ``up_to`` the bot has not acknowledged yet, in order."""
        waiting = {u.update_id for u in self._updates if u.update_id <= up_to}
        waiting.update(uid for uid in self._redelivery if uid <= up_to)
        return sorted(uid for uid in waiting if not self.is_confirmed(uid))

    async def _get_updates(self, params: JsonDict) -> list[JsonDict]:
        if self.webhook_url:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        self._last_poll_at = time.monotonic()
        offset = _opt_int(params, "offset")
        limit = min(max(_opt_int(params, "limit") or 100, 1), 100)
        wait = max(_opt_float(params, "timeout") or 0.0, 0.0)
        allowed = _opt_json(params, "allowed_updates")
        if offset is not None:
            if offset < 0 and self._updates:
                offset = self._updates[-1].update_id + offset + 1
            acknowledged = [
                uid for uid, handed in self._redelivery.items() if handed and uid < offset
            ]
            for uid in acknowledged:
                del self._redelivery[uid]
            advanced = offset > self._confirmed_offset
            if advanced:
                self._confirmed_offset = offset
                self._updates = [u for u in self._updates if u.update_id >= offset]
            if advanced or acknowledged:
                self._touch()  # confirmation starts the bot's work: restart the quiet clock
        if isinstance(allowed, list) and allowed:
            for queued in self._updates:
                if queued.kind not in allowed:
                    self._dropped.add(queued.update_id)
            for uid in list(self._redelivery):
                if self._history[uid].kind not in allowed:
                    del self._redelivery[uid]
            self._updates = [u for u in self._updates if u.update_id not in self._dropped]
            self._notify()

        self._poll_generation += 1
        generation = self._poll_generation

        def pending() -> list[_QueuedUpdate]:
            again = [self._history[uid] for uid in sorted(self._redelivery)]
            fresh = [u for u in self._updates if u.update_id >= self._confirmed_offset]
            return (again + fresh)[:limit]

        def ready() -> bool:
            return bool(pending()) or self._stopping or generation != self._poll_generation

        if wait > 0 and not ready():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self._wait_until(ready)
        if generation != self._poll_generation:
            raise _ApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one bot "
                "instance is running",
            )
        if self._stopping:
            return []
        answer = pending()
        for queued in answer:
            self._handed_out[queued.update_id] += 1
            if queued.update_id in self._redelivery:
                self._redelivery[queued.update_id] = True
        return [queued.json() for queued in answer]

    async def _delete_webhook(self, params: JsonDict) -> bool:
        self.webhook_url = ""
        if _opt_bool(params, "drop_pending_updates"):
            self._drop_pending()
        return True

    async def _set_webhook(self, params: JsonDict) -> bool:
        url = _opt_str(params, "url")
        if url is None:
            raise _bad("url is empty")
        self.webhook_url = url
        self.webhook_secret = _opt_str(params, "secret_token") or ""
        if _opt_bool(params, "drop_pending_updates"):
            self._drop_pending()
        return True

    def _drop_pending(self) -> None:
        self._dropped.update(u.update_id for u in self._updates)
        self._dropped.update(self._redelivery)
        self._updates.clear()
        self._redelivery.clear()
        self._notify()

    async def _get_webhook_info(self, params: JsonDict) -> JsonDict:
        pending = [u for u in self._updates if u.update_id >= self._confirmed_offset]
        pending += [self._history[uid] for uid in self._redelivery]
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(pending),
        }
