"""What the bot put into the chats: messages in their current state, and the events.

Every send, edit, delete and callback answer is recorded here in order, for the views tests
read (``messages_to``, ``new_messages``, ``mark``) and for ``on_bot_event`` subscribers.
"""

from __future__ import annotations

import bisect
import contextlib
import inspect
import logging
import time
from collections.abc import Callable

from bot.fake_bot_api.files import _FilesMixin
from bot.fake_bot_api.profile import _ProfileMixin
from bot.fake_bot_api.records import (
    BotEvent,
    BotEventCallback,
    EventKind,
    FakeStats,
    JsonDict,
    SentMessage,
)

_log = logging.getLogger("bot.fake_bot_api")  # the package's logger, as before its split


class _HistoryMixin(_FilesMixin, _ProfileMixin):
    """The bot's messages and events, as sent, and the views on them."""

    def on_bot_event(self, callback: BotEventCallback) -> Callable[[], None]:
        """Call ``callback(chat_id, message, kind)`` for every sent/edited/deleted message and
        callback answer (for the latter, ``message.text`` is the answer text). Returns an
        unsubscribe function."""
        self._callbacks.append(callback)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._callbacks.remove(callback)

        return unsubscribe

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        """Every message the bot sent to ``chat_id`` (current state, deleted ones included)."""
        return list(self._messages.get(chat_id, []))

    @property
    def events(self) -> list[BotEvent]:
        return list(self._events)

    def duplicate_deliveries(self) -> int:
        """Accepted sends that repeated an earlier (chat, kind, content) delivery."""
        return sum(count - 1 for count in self._delivered.values() if count > 1)

    def reset_history(self) -> None:
        """Forget what the bot sent and the counters; users, files and ids carry on."""
        self.stats = FakeStats()
        self.requests.clear()
        self._messages.clear()
        self._index.clear()
        self._events.clear()
        self._sent_positions.clear()
        self._reply_keyboards.clear()
        self._delivered.clear()
        self._global_window.clear()
        self._chat_windows.clear()
        for person in self._users.values():
            person._answers.clear()
            person._mark = 0

    def mark(self) -> int:
        """A position in the bot's history, for :meth:`new_messages` and
        :meth:`wait_for_answers` ("since now")."""
        return len(self._events)

    def new_messages(self, chat_id: int, since: int = 0) -> list[SentMessage]:
        """Messages the bot sent to ``chat_id`` after the mark ``since`` (new messages from
        sendMessage, sendPhoto, sendDocument, copyMessage or forwardMessage; not edits)."""
        positions = self._sent_positions.get(chat_id, [])
        start = bisect.bisect_left(positions, since)
        return [self._events[index].message for index in positions[start:]]

    def _count_new(self, chat_id: int, since: int) -> int:
        positions = self._sent_positions.get(chat_id, [])
        return len(positions) - bisect.bisect_left(positions, since)

    def _message_json(self, message: SentMessage) -> JsonDict:
        data: JsonDict = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": self._chat_json(message.chat_id),
            "from": self._bot_user_json(),
        }
        if message.kind == "text":
            data["text"] = message.text or ""
            if message.entities:
                data["entities"] = message.entities
        else:
            stored = self._files.get(message.file_id or "")
            data.update(self._file_json(message.kind, stored, message))
            if message.caption:
                data["caption"] = message.caption
                if message.entities:
                    data["caption_entities"] = message.entities
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = {"inline_keyboard": message.reply_markup["inline_keyboard"]}
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        if message.forward_origin is not None:
            data["forward_origin"] = message.forward_origin
        return data

    def _next_message_id(self, chat_id: int) -> int:
        number = self._message_ids.get(chat_id, 0) + 1
        self._message_ids[chat_id] = number
        return number

    async def _record_event(self, message: SentMessage, kind: EventKind) -> None:
        if kind == "sent":
            self._sent_positions.setdefault(message.chat_id, []).append(len(self._events))
        self._events.append(
            BotEvent(message.chat_id, kind, message, message.content, time.monotonic())
        )
        await self._emit(message.chat_id, message, kind)

    async def _emit(self, chat_id: int, message: SentMessage, kind: EventKind) -> None:
        for callback in list(self._callbacks):
            try:
                outcome = callback(chat_id, message, kind)
                if inspect.isawaitable(outcome):
                    await outcome
            except Exception:
                _log.exception("bot event callback failed")

    async def _deliver(self, message: SentMessage) -> None:
        chat_id = message.chat_id
        message.received_at = time.monotonic()
        self._messages.setdefault(chat_id, []).append(message)
        self._index[(chat_id, message.message_id)] = message
        self.stats.sent += 1
        content = message.content or message.file_name or ""
        self._delivered[(chat_id, message.kind, content)] += 1
        markup = message.reply_markup
        if markup and "keyboard" in markup:
            self._reply_keyboards[chat_id] = markup
        elif markup and markup.get("remove_keyboard"):
            self._reply_keyboards[chat_id] = None
        await self._record_event(message, "sent")

    def _latest_inline_message(self, chat_id: int) -> SentMessage | None:
        for message in reversed(self._messages.get(chat_id, [])):
            if not message.deleted and message.inline_buttons:
                return message
        return None

    def _latest_message(self, chat_id: int) -> SentMessage | None:
        for message in reversed(self._messages.get(chat_id, [])):
            if not message.deleted:
                return message
        return None
