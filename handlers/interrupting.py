"""Short conversations that interrupt another one, such as a rejection's reason typed while a
form is open.

Conversations in one handler group compete: the first that matches takes the update. So these
run in a group before the forms and stop each update they take: a chair in the middle of a form
who presses ❌ Not recognise and types why gives the reason to the rejection, and the form keeps
its question for afterwards. Starting anything else (a command or a main-menu button that is not
the conversation's own) ends the interruption quietly and lets the update go on to that task, so
one left open never catches the answers of a form started later.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any, NoReturn

from telegram import Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from handlers.common import BotContext, any_menu_label

Callback = Callable[[Update, BotContext], Coroutine[Any, Any, Any]]
Handler = BaseHandler[Update, BotContext, Any]
END = ConversationHandler.END


def _stopping(callback: Callback) -> Callback:
    """The callback, then stop: no later group sees the update (PTB keeps the new state)."""

    async def handled(update: Update, context: BotContext) -> NoReturn:
        raise ApplicationHandlerStop(await callback(update, context))

    return handled


def interrupting(
    *,
    name: str,
    entry_points: Sequence[Handler],
    states: Mapping[object, Sequence[Handler]],
    fallbacks: Sequence[Handler],
    leave: Callback,
) -> ConversationHandler[BotContext]:
    """A persistent, re-enterable conversation whose handlers stop the updates they take;
    `leave` (which must return END) runs, without stopping, for another command or menu button.
    The handlers' callbacks are wrapped in place."""
    for handler in [*entry_points, *fallbacks, *(h for hs in states.values() for h in hs)]:
        handler.callback = _stopping(handler.callback)
    return ConversationHandler(
        entry_points=list(entry_points),
        states={state: list(handlers) for state, handlers in states.items()},
        fallbacks=[*fallbacks, MessageHandler(filters.COMMAND | any_menu_label(), leave)],
        allow_reentry=True,
        name=name,
        persistent=True,
    )


def forget(key: str) -> Callback:
    """A `leave` that drops the conversation's draft in `user_data`."""

    async def leave(update: Update, context: BotContext) -> int:
        context.data.pop(key, None)
        return END

    return leave
