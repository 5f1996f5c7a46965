"""The door: until a person is registered and approved, only registration gets through.

Someone not registered yet (never seen, answering the registration questions, or waiting for
a chair's approval) gets exactly one polite answer to anything else, saying what to do next,
and no flow runs: none can answer them as if they were registered, or stay silent. While they
register (the registration dialog is on screen), its draft is untouched, so the question on
screen stays. Someone waiting is shown their request, with the buttons to withdraw it or to
choose another branch.
"""

from __future__ import annotations

from enum import StrEnum

from telegram import Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.services.registration import Standing
from handlers import language, privacy, start
from handlers.common import (
    CANCEL_COMMANDS,
    HELP_COMMANDS,
    LANGUAGE_COMMANDS,
    BotContext,
    answer,
    command_or_menu,
    next_step_text,
    reply,
    standing_of,
    tr,
)
from handlers.waiting_request import REQUEST_PREFIX, show_waiting


class Kind(StrEnum):
    """What an update asks for, as far as the door is concerned."""

    START = "start"  # /start, with or without an invite code
    OPEN = "open"  # /help, /language, /cancel, /mydata (and aliases, and main-menu buttons)
    TASK = "task"  # any other command, known or not, and every other main-menu button
    REG_BUTTON = "reg_button"  # a button of the registration dialog's questions
    OWN_REQUEST = "own_request"  # withdraw / another branch, under one's own waiting request;
    # and one's own data: erasing it (`pd:`), whatever one's standing
    SWITCH = "switch"  # "continue, or put aside and start…" (someone whose role was removed)
    LANG_BUTTON = "lang_button"  # a button of /language
    BUTTON = "button"  # any other button
    MESSAGE = "message"  # typed text and anything else sent: a sticker, a photo, a file
    OTHER = "other"  # neither a message nor a button: the bot blocked, and the like


class Verdict(StrEnum):
    PASS = "pass"  # on to the flows
    ANSWER = "answer"  # the door says what to do next (`next_step_text`); nothing else runs
    DROP = "drop"  # nothing to answer: stop quietly


PASS, ANSWER, DROP = Verdict.PASS, Verdict.ANSWER, Verdict.DROP

# Who may do what. Registering: the answer typed (or a picker button pressed) still answers the
# question on screen, /start begins again, /cancel stops; a task is refused without touching
# the draft. A picker button of a registration already finished or cancelled is refused too.
# The buttons under one's own request pass for everyone: their handler checks the request is
# the presser's and still waits, and says so if not. So does the answer to "continue or put
# aside" that /start asks someone whose role was removed in the middle of a form: putting it
# aside is their way to register again.
# fmt: off
_KINDS = (Kind.START, Kind.OPEN, Kind.TASK, Kind.REG_BUTTON, Kind.OWN_REQUEST, Kind.SWITCH,
          Kind.LANG_BUTTON, Kind.BUTTON, Kind.MESSAGE, Kind.OTHER)
_TABLE: dict[Standing, tuple[Verdict, ...]] = {
    #                     START OPEN  TASK    REG_BTN OWN  SWITCH LANG  BUTTON  MESSAGE OTHER
    Standing.REGISTERED:  (PASS, PASS, PASS,   PASS,   PASS, PASS, PASS, PASS,   PASS,   PASS),
    Standing.REGISTERING: (PASS, PASS, ANSWER, PASS,   PASS, PASS, PASS, ANSWER, PASS,   DROP),
    Standing.PENDING:     (PASS, PASS, ANSWER, ANSWER, PASS, PASS, PASS, ANSWER, ANSWER, DROP),
    Standing.UNKNOWN:     (PASS, PASS, ANSWER, ANSWER, PASS, PASS, PASS, ANSWER, ANSWER, DROP),
}
# fmt: on
POLICY: dict[Standing, dict[Kind, Verdict]] = {
    standing: dict(zip(_KINDS, row, strict=True)) for standing, row in _TABLE.items()
}
# What passes whoever asks needs no look-up in the database.
OPEN_TO_ALL = frozenset(kind for kind in Kind if all(POLICY[s][kind] is PASS for s in Standing))

OPEN_COMMANDS = frozenset(
    {*HELP_COMMANDS, *LANGUAGE_COMMANDS, *CANCEL_COMMANDS, *privacy.MY_DATA_COMMANDS}
)


def kind_of(update: Update) -> Kind:
    query = update.callback_query
    if query is not None:  # before the message: a button's message is the bot's own text
        data = query.data or ""
        if data.startswith(f"{start.FLOW.name}:"):
            return Kind.REG_BUTTON
        if data.startswith((f"{REQUEST_PREFIX}:", f"{privacy.PREFIX}:")):
            return Kind.OWN_REQUEST
        if data.startswith("switch:"):
            return Kind.SWITCH
        if data.startswith(f"{language.PREFIX}:"):
            return Kind.LANG_BUTTON
        return Kind.BUTTON
    if update.effective_message is None:
        return Kind.OTHER
    command = command_or_menu(update)
    if command == "start":
        return Kind.START
    if command in OPEN_COMMANDS:
        return Kind.OPEN
    if command:
        return Kind.TASK
    return Kind.MESSAGE


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
    kind = kind_of(update)
    if kind in OPEN_TO_ALL:
        return
    current = await standing_of(update, context)
    verdict = POLICY[current][kind]
    if verdict is PASS:
        return
    if verdict is ANSWER:
        t = await tr(update, context)
        text = next_step_text(t, current)
        if update.callback_query is not None:
            await answer(update, text, alert=True)
        elif current is not Standing.PENDING or not await show_waiting(update, context, t):
            await reply(update, text)
    raise ApplicationHandlerStop


def build() -> TypeHandler[Update, BotContext, None]:
    return TypeHandler(Update, gate)
