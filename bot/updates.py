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
4. **Sent once.** An answer leaves the queue (`reply_leaving`) when the rate limiter gives it
   its turn, just before the HTTP call: one on the wire at a crash may have arrived and is not
   sent again; one a refused connection proves unsent goes back and waits.
5. **Notices.** Services write a `notice_event` with the change someone else must hear about;
   after each update its renderer (`render_notice`, `handlers/notices.py`) turns the waiting
   events into messages, committed with the update's answers as the events are deleted.
6. **Replay.** On start, answers committed but not sent go out first, then the notices of
   events left over, then updates written but not handled are handled, in order, before new
   ones arrive.

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

from bot.delivery import never_left
from bot.rate_limit import RateLimitArgs
from bot.storage import notice_events, people, update_journal
from bot.storage.db import Database
from bot.storage.notice_events import NoticeEvent
from bot.storage.update_journal import QueuedReply

if TYPE_CHECKING:
    from telegram.ext import Application

    from bot.storage.persistence import SqlitePersistence

_log = logging.getLogger(__name__)

Request = dict[str, Any]
NoticeRenderer = Callable[[NoticeEvent], Awaitable[None]]
"""Sends (with `send_text`, collected) the messages an event means, in each one's language."""
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


async def perform(
    bot: ExtBot[Any], request: Request, *, leaving: Callable[[], Awaitable[None]] | None = None
) -> None:
    """Carry out one collected answer (raises what Telegram answered). `leaving` is awaited
    when the rate limiter gives the request its turn, just before it is handed to HTTP."""
    markup = _markup(request.get("reply_markup"))
    limits: RateLimitArgs | None = None
    if leaving is not None and bot.rate_limiter is None:
        await leaving()  # no turn to wait for
    elif leaving is not None:
        hook = leaving

        async def on_turn() -> bool:
            await hook()
            return True

        limits = {"on_turn": on_turn}
    if request["method"] == "edit":
        try:
            await bot.edit_message_text(
                request["text"],
                chat_id=request["chat_id"],
                message_id=request["message_id"],
                reply_markup=markup if isinstance(markup, InlineKeyboardMarkup) else None,
                rate_limit_args=limits,
            )
            return
        except BadRequest as error:
            if "not modified" in str(error).lower():
                return
            _log.debug("Could not edit message, sending a new one: %s", error)
    await bot.send_message(
        request["chat_id"], request["text"], reply_markup=markup, rate_limit_args=limits
    )


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
        self.render_notice: NoticeRenderer | None = None
        self._rendering: set[int] = set()  # events some lane is turning into notices

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
        notices, notice_requests = await self._render_notices()
        try:
            queued = await self._commit(
                update, update_id, [*answers.requests, *notice_requests], lane, notices
            )
        finally:
            self._rendering.difference_update(notices)
        await deliver(self._bot(), self.db, queued, self.clock)

    async def _render_notices(self) -> tuple[list[int], list[tuple[int, Request]]]:
        """The notices of the events that wait (this update's own, or any left over),
        collected like answers, and the events they settle."""
        if self.render_notice is None:
            return [], []
        events = await notice_events.pending(self.db, besides=self._rendering)
        if not events:
            return [], []
        settled = [event.id for event in events]
        self._rendering.update(settled)
        answers = Answers(None)
        token = _collecting.set(answers)
        try:
            for event in events:
                try:
                    await self.render_notice(event)
                except Exception:  # a defect: logged (and to operators), never retried forever
                    _log.exception(
                        "Could not write the notices of %s #%s", event.kind, event.record_id
                    )
        except BaseException:
            self._rendering.difference_update(settled)
            raise
        finally:
            _collecting.reset(token)
            answers.open = False
        return settled, answers.requests

    async def flush_notices(self) -> None:
        """Notices of events no update has settled (written by a job, or before a crash)."""
        notices, requests = await self._render_notices()
        if not notices:
            return
        try:
            queued = await update_journal.commit_update(
                self.db,
                None,
                update_journal.StateWrites(),
                requests,
                self.clock(),
                notices_done=notices,
            )
        finally:
            self._rendering.difference_update(notices)
        await deliver(self._bot(), self.db, queued, self.clock)

    def _bot(self) -> ExtBot[Any]:
        assert self.application is not None
        bot: ExtBot[Any] = self.application.bot
        return bot

    async def _commit(
        self,
        update: object,
        update_id: int | None,
        replies: list[tuple[int, Request]],
        lane: int | None,
        notices: list[int],
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
            self.db, update_id, writes, replies, self.clock(), notices_done=notices
        )


async def deliver(
    bot: ExtBot[Any], db: Database, queued: list[QueuedReply], clock: Callable[[], datetime]
) -> None:
    """Send committed answers in order. Each leaves the queue in its own commit when the rate
    limiter gives it its turn, just before the HTTP call (`reply_leaving`).

    Exactly once where that can be known: a connection that failed before the request was
    written, or a 429, puts it back (tried again, then the rest waits for the next start); an
    answer that may have arrived (a read timeout, a crash while it was on the wire) is never
    sent a second time, as the outbox treats its 'unknown' rows. Telegram offers no way to
    ask which it was.
    """
    for reply in queued:
        left = False

        async def leaving(reply: QueuedReply = reply) -> None:
            nonlocal left
            await update_journal.reply_leaving(db, reply)
            left = True

        for attempt in range(3):
            left = False
            try:
                await perform(bot, reply.request, leaving=leaving)
            except RetryAfter as error:  # past the rate limiter's own retries: not delivered
                if left:
                    await update_journal.reply_not_left(db, reply)
                wait = error.retry_after
                await asyncio.sleep(wait.total_seconds() if isinstance(wait, timedelta) else wait)
                continue
            except Forbidden:
                await people.set_reachable(db, reply.chat_id, False)
                _log.info("User %s blocked the bot; marked unreachable", reply.chat_id)
            except BadRequest as error:
                _log.warning("Telegram refused an answer to %s: %s", reply.chat_id, error)
            except NetworkError as error:
                if not never_left(error):
                    _log.warning(
                        "An answer to %s may not have arrived (%s); it is not sent twice",
                        reply.chat_id,
                        error,
                    )
                else:
                    if left:
                        await update_journal.reply_not_left(db, reply)
                    if attempt < 2:
                        await asyncio.sleep(0.5 * 2**attempt)
                        continue
                    _log.warning(
                        "Could not send an answer to %s, kept for later: %s", reply.chat_id, error
                    )
                    return
            except TelegramError as error:
                _log.warning("Could not send an answer to %s: %s", reply.chat_id, error)
            if not left:  # refused before its turn: nothing more to do with it
                await update_journal.reply_done(db, reply.id)
            break


async def resume(application: Application[Any, Any, Any, Any, Any, Any], db: Database) -> int:
    """After a stop or a crash: send the answers committed but not sent and the notices of
    changes made but not yet told, then queue the updates written but not handled, oldest
    first. Returns how many updates were queued again."""
    bot: ExtBot[Any] = application.bot
    queue = application.update_queue
    assert isinstance(queue, DurableUpdateQueue)
    await deliver(bot, db, await update_journal.queued_replies(db), queue.clock)
    processor = application.update_processor
    if isinstance(processor, PerChatUpdateProcessor):
        await processor.flush_notices()
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
