"""The Telegram side, registered in one place: which handler sees an update, in which order.

PTB gives an update to each group in turn (lowest first); inside a group the first handler
that matches takes it. The table:

| group | handlers                       | why there                                           |
|-------|--------------------------------|-----------------------------------------------------|
| -1    | the gate                       | until approved, only registration gets through      |
|  1    | the dialog router, first       | a dialog on screen gets its text and its buttons    |
|  1    | each feature's handlers        | commands that only read, stateless buttons          |
|  1    | a file or photo, no dialog     | `incoming_files`: to the flow it belongs to, with   |
|       | on screen                      | the file, or "what is it?" with the flows' buttons  |
|  1    | the fallback, last             | "not understood", an old button                     |
|  2    | come back                      | after a command that only read, ask again what a    |
|       |                                | dialog on screen was waiting for                    |

Besides the table: the error handler (`errors`), and the notices a change sends to other
people (`notices`, rendered by the update processor after each update).
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, MessageHandler, filters

from bot.updates import PerChatUpdateProcessor
from handlers import (
    approval_corrections,
    approvals,
    awards,
    branch_adding,
    branches,
    broadcast,
    campaigns,
    contributions,
    errors,
    gate,
    incoming_files,
    invite,
    language,
    member_lists,
    members,
    menu,
    myreports,
    notices,
    placing,
    privacy,
    rollout,
    start,
    stats,
    targets,
    title_decisions,
    title_list_cards,
    title_list_leave_out,
    title_lists,
    title_reject,
    title_undo,
    titles,
    waiting_request,
)
from handlers.common import HELP_COMMANDS, LANGUAGE_COMMANDS, MENU_HELP, MENU_STATS, BotContext
from handlers.dialogs import Dialog, DialogRouter

GATE_GROUP = -1
FLOW_GROUP = 1
COME_BACK_GROUP = 2


FEATURES = (
    start,
    waiting_request,
    approvals,
    approval_corrections,
    members,
    title_undo,  # its `tt:un:`/`tl:un:` before the `tt:`/`tl:` of those below
    titles,
    title_decisions,
    title_reject,
    title_lists,
    title_list_cards,
    title_list_leave_out,
    member_lists,
    contributions,
    awards,
    myreports,
    stats,
    targets,
    broadcast,
    campaigns,
    invite,
    branches,
    branch_adding,
    placing,
    privacy,
    rollout,
    # Documents and photos the router left (no dialog on screen); the figures import is one of
    # the flows it hands a file to (`targets.ask_import`).
    incoming_files,
    language,
    menu,
)

# Commands that answer and change nothing a dialog waits on: the dialog asks again after them.
# Not the lists whose buttons the person is about to press (/pending, /myreports, /campaigns):
# asking again below them would bury those buttons. (A dialog's own command starts it.)
READ_ONLY_COMMANDS = (
    "stats",
    "thongke",
    "report",
    "baocao",
    "reminders",
    "nhacnho",
    *HELP_COMMANDS,
    *LANGUAGE_COMMANDS,
)


def dialogs() -> list[Dialog]:
    return [dialog for feature in FEATURES for dialog in getattr(feature, "DIALOGS", ())]


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> DialogRouter:
    application.add_handler(gate.build(), group=GATE_GROUP)
    router = DialogRouter(dialogs=dialogs(), application=application)
    application.add_handler(router, group=FLOW_GROUP)
    for feature in FEATURES:
        if hasattr(feature, "build"):
            application.add_handlers(feature.build(), group=FLOW_GROUP)
    application.add_handlers(menu.build_fallback(), group=FLOW_GROUP)

    async def come_back(update: Update, context: BotContext) -> None:
        await router.show_current(update, context)

    read_only = (
        filters.Command() & filters.Regex(rf"^/({'|'.join(READ_ONLY_COMMANDS)})(@\w+)?(\s|$)")
    ) | filters.Text([*_labels(MENU_HELP.label), *_labels(MENU_STATS.label)])
    application.add_handler(MessageHandler(read_only, come_back), group=COME_BACK_GROUP)
    application.add_error_handler(errors.on_error)
    processor = application.update_processor
    if isinstance(processor, PerChatUpdateProcessor):
        processor.render_notice = notices.renderer(application)
    return router


def _labels(msgid: str) -> list[str]:
    from bot.i18n import in_every_language

    return sorted(in_every_language(msgid))
