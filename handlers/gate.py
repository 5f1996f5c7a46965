"""The door: until a person is registered and approved, only registration gets through."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.services import registration
from bot.services.registration import Standing
from handlers.common import (
    CANCEL_COMMANDS,
    HELP_COMMANDS,
    LANGUAGE_COMMANDS,
    BotContext,
    answer,
    command_or_menu,
    reply,
    tr,
)

OPEN_COMMANDS = frozenset({"start", *HELP_COMMANDS, *LANGUAGE_COMMANDS, *CANCEL_COMMANDS})
OPEN_CALLBACK_PREFIXES = ("reg:", "lang:")


async def gate(update: Update, context: BotContext) -> None:
    user = update.effective_user
    if user is None:
        raise ApplicationHandlerStop  # channel posts and the like: nothing for us
    if update.effective_chat is None:
        # A press on a message we cannot see (too old, or forged): refuse, never act.
        t = await tr(update, context)
        await answer(update, t.gettext("This button is not valid."), alert=True)
        raise ApplicationHandlerStop
    if update.effective_chat.type != "private":
        raise ApplicationHandlerStop  # the bot works in private chats only
    if context.data.get("registering"):
        return
    if command_or_menu(update) in OPEN_COMMANDS:
        return
    query = update.callback_query
    if query is not None and (query.data or "").startswith(OPEN_CALLBACK_PREFIXES):
        return
    current = await registration.standing(context.db, user.id)
    if current is Standing.REGISTERED:
        return
    t = await tr(update, context)
    if current is Standing.PENDING:
        text = t.gettext(
            "Your registration is waiting for a chair's approval. "
            "You will get a message here as soon as it is decided."
        )
    else:
        text = t.gettext("You are not registered yet. Send /start to register.")
    if query is not None:
        await answer(update, text, alert=True)
    else:
        await reply(update, text)
    raise ApplicationHandlerStop


def build() -> TypeHandler[Update, BotContext, None]:
    return TypeHandler(Update, gate)
