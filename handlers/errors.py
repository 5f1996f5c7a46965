"""The last line of defence: log the failure, tell the user in their language what to do."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError, TimedOut

from bot.storage import people
from handlers.common import BotContext, tr

_log = logging.getLogger(__name__)


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
    _log.error("Update %s failed", update_id, exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        t = await tr(update, context)
        await context.bot.send_message(
            update.effective_chat.id,
            t.gettext(
                "Sorry, something went wrong on our side. What you entered before is kept. "
                "Please try again, or send /cancel to start over."
            ),
        )
    except Exception:  # the error handler itself must never fail loudly
        _log.exception("Could not tell the user about the failure of update %s", update_id)
