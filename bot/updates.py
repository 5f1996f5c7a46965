"""How an update travels: written down, handled in its person's lane, committed, answered.

1. **Written before acknowledged.** `DurableUpdateQueue.put` is where PTB's Updater hands over
   each update, before it tells Telegram it arrived (the next getUpdates offset, or the
   webhook's HTTP 200). It writes the update to the journal first; an `update_id` seen before is
   dropped there, so a redelivery is handled once.
2. **People in parallel, each person in order.** `PerChatUpdateProcessor` runs updates of
   different chats concurrently and the updates of one chat strictly one after another.
3. **Committed before answered.** While an update is handled, the answers sent with
   `send_text` / `edit_text` (what `handlers.common.reply` and friends use) are collected, not
   sent. When the handler is done, one transaction writes the state it left (conversation,
   drafts), those answers, and the update marked handled; then the answers go out. A person can
   never see an answer whose state was not saved, and a crash between the commit and the send
   only delays the answer to the next start (`resume`).
4. **Replay.** On start, answers committed but not sent go out first, then updates written but
   not handled are handled, in order, before new ones arrive.

A direct Bot call made during an update (a photo, a document, a message whose id a handler
needs) first sends the answers collected so far, so the order a person sees is kept.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from telegram import (
    ForceReply,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    TelegramObject,
    Update,
)
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import BaseUpdateProcessor, ExtBot

from bot.storage import people, update_journal
from bot.storage.db import Database
from bot.storage.update_journal import QueuedReply

if TYPE_CHECKING:
    from telegram.ext import Application

    from bot.storage.persistence import SqlitePersistence

_log = logging.getLogger(__name__)

Request = dict[str, Any]
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply


# ---------------------------------------------------------------- answers collected per update


@dataclass
class Answers:
    """The answers an update produced so far, in order; closed once committed."""

    update_id: int | None
    requests: list[tuple[int, Request]] = field(default_factory=list)
    open: bool = True


_collecting: ContextVar[Answers | None] = ContextVar("collecting_answers", default=None)


def _collector() -> Answers | None:
    answers = _collecting.get()
    return answers if answers is not None and answers.open else None


def _markup_json(markup: object) -> dict[str, Any] | None:
    if markup is None:
        return None
    if isinstance(markup, TelegramObject):
        return markup.to_dict()
    raise TypeError(f"not a reply markup: {markup!r}")


def _markup(data: dict[str, Any] | None) -> Markup | None:
    """The markup back from its JSON; one that is not recognised is dropped, never guessed."""
    if not data:
        return None
    if "inline_keyboard" in data:
        return InlineKeyboardMarkup.de_json(data, None)
    if "keyboard" in data:
        return ReplyKeyboardMarkup.de_json(data, None)
    if "remove_keyboard" in data:
        return ReplyKeyboardRemove.de_json(data, None)
    if "force_reply" in data:
        return ForceReply.de_json(data, None)
    _log.error("Dropped a reply markup that is not one: %s", data)
    return None


async def send_text(bot: ExtBot[Any], chat_id: int, text: str, reply_markup: object = None) -> None:
    """A message to `chat_id`: collected while an update is handled, else sent now."""
    request: Request = {
        "method": "send",
        "chat_id": chat_id,
        "text": text,
        "reply_markup": _markup_json(reply_markup),
    }
    answers = _collector()
    if answers is not None:
        answers.requests.append((chat_id, request))
    else:
        await perform(bot, request)


async def edit_text(
    bot: ExtBot[Any], chat_id: int, message_id: int, text: str, reply_markup: object = None
) -> None:
    """Replace the text (and buttons) of a message; if it cannot be edited any more, send the
    text as a new message. Collected like `send_text`."""
    request: Request = {
        "method": "edit",
        "chat_id": chat_id,
        "message_id": message_id,
        "text": text,
        "reply_markup": _markup_json(reply_markup),
    }
    answers = _collector()
    if answers is not None:
        answers.requests.append((chat_id, request))
    else:
        await perform(bot, request)


async def perform(bot: ExtBot[Any], request: Request) -> None:
    """Carry out one collected answer (raises what Telegram answered)."""
    markup = _markup(request.get("reply_markup"))
    if request["method"] == "edit":
        try:
            await bot.edit_message_text(
                request["text"],
                chat_id=request["chat_id"],
                message_id=request["message_id"],
                reply_markup=markup if isinstance(markup, InlineKeyboardMarkup) else None,
            )
            return
        except BadRequest as error:
            if "not modified" in str(error).lower():
                return
            _log.debug("Could not edit message, sending a new one: %s", error)
    await bot.send_message(request["chat_id"], request["text"], reply_markup=markup)


class AnswerOrderBot(ExtBot[Any]):
    """The application's Bot: a direct call made while an update is handled first sends what
    that update already collected, so a person sees the answers in the order they were made."""

    async def _do_post(self, endpoint: str, data: Any, **kwargs: Any) -> Any:
        answers = _collector()
        if answers is not None and answers.requests and endpoint not in _NOT_ANSWERS:
            pending, answers.requests = answers.requests, []
            for _, request in pending:
                await perform(self, request)
        return await super()._do_post(endpoint, data, **kwargs)


# Calls that show nothing in the chat, or fetch: they need not wait for collected answers.
_NOT_ANSWERS = frozenset({"getUpdates", "answerCallbackQuery", "getFile", "getMe", "getChat"})


# ---------------------------------------------------------------- intake


class DurableUpdateQueue(asyncio.Queue[object]):
    """The Application's update queue; `put` returns once the update is in the journal."""

    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        super().__init__()
        self.db = db
        self.clock = clock
        self.redeliveries = 0

    async def put(self, item: object) -> None:
        if isinstance(item, Update):
            fresh = await update_journal.record(
                self.db, item.update_id, item.to_json(), self.clock()
            )
            if not fresh:
                self.redeliveries += 1
                _log.info("Update %s was delivered again; it is handled once", item.update_id)
                return
        await super().put(item)

    async def put_replayed(self, item: Update) -> None:
        """An update from the journal: already written."""
        await super().put(item)


# ---------------------------------------------------------------- processing


def lane_of(update: object) -> int | None:
    """Updates of one chat (in a private chat: one person) are handled in order."""
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Different chats concurrently (up to `max_concurrent` at a time), one chat in order; each
    update's state, answers and handled mark committed together before its answers go out."""

    def __init__(self, db: Database, clock: Callable[[], datetime], *, max_concurrent: int = 64):
        # PTB's own semaphore only bounds waiting tasks; the real bound is `_slots`, taken
        # after the chat's turn has come so one busy person cannot hold slots of others.
        super().__init__(max_concurrent_updates=100_000)
        self.db = db
        self.clock = clock
        self._slots = asyncio.Semaphore(max_concurrent)
        self._lanes: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self.application: Application[Any, Any, Any, Any, Any, Any] | None = None
        self.persistence: SqlitePersistence | None = None
        self.on_unreachable: Callable[[int], Awaitable[None]] | None = None

    def attach(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        persistence: SqlitePersistence,
    ) -> None:
        self.application = application
        self.persistence = persistence

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def busy_lanes(self) -> set[int]:
        return set(self._waiting)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        lane = lane_of(update)
        if lane is None:
            async with self._slots:
                await self._handle(update, coroutine, lane)
            return
        self._waiting[lane] = self._waiting.get(lane, 0) + 1
        lock = self._lanes.setdefault(lane, asyncio.Lock())
        try:
            async with lock, self._slots:
                await self._handle(update, coroutine, lane)
        finally:
            self._waiting[lane] -= 1
            if not self._waiting[lane]:
                del self._waiting[lane]
                self._lanes.pop(lane, None)

    async def _handle(self, update: object, coroutine: Awaitable[Any], lane: int | None) -> None:
        update_id = update.update_id if isinstance(update, Update) else None
        answers = Answers(update_id)
        token = _collecting.set(answers)
        try:
            await coroutine  # PTB's process_update: handlers and the error handler
        finally:
            _collecting.reset(token)
            answers.open = False
        queued = await self._commit(update, update_id, answers, lane)
        await deliver(self._bot(), self.db, queued, self.clock)

    def _bot(self) -> ExtBot[Any]:
        assert self.application is not None
        bot: ExtBot[Any] = self.application.bot
        return bot

    async def _commit(
        self, update: object, update_id: int | None, answers: Answers, lane: int | None
    ) -> list[QueuedReply]:
        assert self.application is not None and self.persistence is not None
        owners: set[int] = set()
        if isinstance(update, Update):
            if update.effective_chat is not None:
                owners.add(update.effective_chat.id)
            if update.effective_user is not None:
                owners.add(update.effective_user.id)
        # PTB hands its changed state to the persistence, which keeps it per chat; this
        # update's share (and what jobs changed for idle chats) is committed here.
        await self.application.update_persistence()
        busy = self.busy_lanes - ({lane} if lane is not None else set())
        writes = self.persistence.take(owners, busy=busy)
        return await update_journal.commit_update(
            self.db, update_id, writes, answers.requests, self.clock()
        )


async def deliver(
    bot: ExtBot[Any], db: Database, queued: list[QueuedReply], clock: Callable[[], datetime]
) -> None:
    """Send committed answers in order; each leaves the queue once Telegram answered (accepted,
    or refused for good: blocked, bad request). A failed connection is tried again, then the
    rest waits for the next start.

    At least once, not at most once: after a crash an answer whose request was on the wire is
    sent again. A question shown twice is harmless; a question never shown leaves a person's
    next message answering something they did not see.
    """
    for reply in queued:
        for attempt in range(3):
            try:
                await perform(bot, reply.request)
            except RetryAfter as error:  # past the rate limiter's own retries
                wait = error.retry_after
                await asyncio.sleep(wait.total_seconds() if isinstance(wait, timedelta) else wait)
                continue
            except Forbidden:
                await people.set_reachable(db, reply.chat_id, False)
                _log.info("User %s blocked the bot; marked unreachable", reply.chat_id)
            except BadRequest as error:
                _log.warning("Telegram refused an answer to %s: %s", reply.chat_id, error)
            except NetworkError as error:
                if attempt < 2:
                    await asyncio.sleep(0.5 * 2**attempt)
                    continue
                _log.warning(
                    "Could not send an answer to %s, kept for later: %s", reply.chat_id, error
                )
                return
            except TelegramError as error:
                _log.warning("Could not send an answer to %s: %s", reply.chat_id, error)
            await update_journal.reply_done(db, reply.id)
            break


async def resume(application: Application[Any, Any, Any, Any, Any, Any], db: Database) -> int:
    """After a stop or a crash: send the answers committed but not sent, then queue the updates
    written but not handled, oldest first. Returns how many updates were queued again."""
    bot: ExtBot[Any] = application.bot
    queue = application.update_queue
    assert isinstance(queue, DurableUpdateQueue)
    await deliver(bot, db, await update_journal.queued_replies(db), queue.clock)
    replayed = 0
    for update_id, payload in await update_journal.unhandled(db):
        try:
            update = Update.de_json(json.loads(payload), bot)
        except (ValueError, TypeError, KeyError) as error:
            _log.error("Update %s in the journal cannot be read, skipped: %s", update_id, error)
            await update_journal.commit_update(
                db, update_id, update_journal.StateWrites(), [], queue.clock()
            )
            continue
        await queue.put_replayed(update)
        replayed += 1
    if replayed:
        _log.info("Handling %s updates that arrived before the last stop", replayed)
    return replayed

