"""The last line of defence: log the failure, tell the user in their language what to do, and
tell the operators (`KHUYENHOC_OPS_CHAT_ID`) what failed.

What the log and the operators get is the redacted summary of `handlers.failure_report`,
never the raw traceback; the same error repeated within its window is posted once.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError, TimedOut

from bot import updates
from bot.i18n import translator
from bot.storage import people
from handlers.common import BotContext, tr
from handlers.failure_report import (
    Failure,
    Repeats,
    exception_line,
    render,
    summarize,
    type_name,
    update_texts,
)

_log = logging.getLogger(__name__)

REPEATS_KEY = "ops_error_repeats"
"""Where `Repeats` lives: in `bot_data`, which is not persisted and belongs to one application."""


async def on_error(update: object, context: BotContext) -> None:
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, Forbidden) and isinstance(update, Update) and update.effective_user:
        await people.set_reachable(context.db, update.effective_user.id, False)
        _log.info("User %s blocked the bot (update %s)", update.effective_user.id, update_id)
        return
    if isinstance(error, (NetworkError, TimedOut)) and not isinstance(update, Update):
        _log.warning("Network trouble talking to Telegram: %s", error)
        return
    if error is None:
        return
    try:
        failure = summarize(error, update, context)
    except Exception as problem:  # a fault here must not put the raw error in the log instead
        _log.error("Could not summarise an error: %s", type_name(problem))
        name = type_name(error)
        failure = Failure("?", "?", None, update_id, None, name, (), key=(name, "?"))
    _log.error("%s", render(translator("en"), failure))
    if isinstance(update, Update) and update.effective_chat is not None:
        await _apologise(update, context)
    await _tell_operators(context, failure)


async def _apologise(update: Update, context: BotContext) -> None:
    assert update.effective_chat is not None
    try:
        t = await tr(update, context)
        await context.bot.send_message(
            update.effective_chat.id,
            t.gettext(
                "Sorry, something went wrong on our side. What you entered before is kept. "
                "Please try again, or send /cancel to start over."
            ),
        )
    except Exception as problem:  # the error handler itself must never fail loudly
        # Not with its traceback: it would chain the failure being handled, unredacted.
        _log.error(
            "Could not tell the user about the failure of update %s: %s",
            update.update_id,
            exception_line(problem, update_texts(update)),
        )


async def _tell_operators(context: BotContext, failure: Failure) -> None:
    """Through the outbox (`bot.updates.send_text`): inside an update the post is committed
    with it and then sent; from a job it is sent at once."""
    settings = context.runtime.settings
    if settings.ops_chat_id is None:
        return
    repeats: Repeats = context.application.bot_data.setdefault(REPEATS_KEY, Repeats())
    verdict = repeats.note(failure.key, context.now())
    if not verdict.post:
        return
    try:
        text = render(translator(settings.default_language), failure, verdict, settings.tz)
        await updates.send_text(context.bot, settings.ops_chat_id, text)
    except Exception as problem:
        _log.error("Could not tell the operators about an error: %s", type_name(problem))
