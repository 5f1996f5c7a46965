"""Callback queries: a fake user's button press registered, and the bot's answer to it.

A press gets a query id the bot must answer (answerCallbackQuery) once; the answer is kept
for the user who pressed and recorded as a ``callback_answer`` event.
"""

from __future__ import annotations

import time

from bot.fake_bot_api.history import _HistoryMixin
from bot.fake_bot_api.params import _bad, _opt_bool, _opt_str
from bot.fake_bot_api.records import BotEvent, CallbackAnswer, JsonDict, SentMessage


class _CallbacksMixin(_HistoryMixin):
    """Pending callback queries and answerCallbackQuery."""

    def _register_query(self, user_id: int, chat_id: int, message_id: int | None) -> str:
        query_id = f"{self.bot_id}{self._next_query_id:08d}"
        self._next_query_id += 1
        self._pending_queries[query_id] = (user_id, chat_id, message_id)
        return query_id

    async def _answer_callback_query(self, params: JsonDict) -> bool:
        query_id = _opt_str(params, "callback_query_id")
        if not query_id:
            raise _bad("callback_query_id is empty")
        pending = self._pending_queries.pop(query_id, None)
        if pending is None:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        user_id, chat_id, message_id = pending
        answer = CallbackAnswer(
            text=_opt_str(params, "text") or "",
            show_alert=_opt_bool(params, "show_alert"),
            url=_opt_str(params, "url"),
            message_id=message_id,
        )
        person = self._users.get(user_id)
        if person is not None:
            person._answers.append(answer)
        note = SentMessage(message_id=message_id or 0, chat_id=chat_id, text=answer.text)
        self._events.append(
            BotEvent(chat_id, "callback_answer", note, answer.text, time.monotonic())
        )
        await self._emit(chat_id, note, "callback_answer")
        return True
