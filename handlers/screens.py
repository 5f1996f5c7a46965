"""What the screens of a button-driven dialog share (/branches and /place so far): a screen is
a note on top (what just happened, or why it is shown again), its lines and its buttons; after
a press on the dialog's own message it replaces that message, otherwise it is a new one.

The two dialogs look alike only on the surface (a list, then one item), so they share these
pieces rather than a base class: /branches lists a commune's branches as text and asks for a
new one's name and kind, /place pages through buttons to a branch's card.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup, Update

from bot.i18n import N_
from handlers.common import BotContext, edit_or_reply, reply, show_main_menu, tr
from handlers.dialogs import Dialog, finish

CHOOSE_A_BUTTON = N_("Please choose one of the buttons.")
"""Text typed where only a button answers: the screen is shown again under this."""
NOT_VALID = N_("This button is not valid.")
"""A press on a button that does not fit the screen (an old one, a forged one)."""


def with_note(note: str, *lines: str) -> str:
    """`lines` under `note`, if there is one."""
    return "\n".join([note, *lines] if note else lines)


async def show_screen(
    update: Update,
    lines: Sequence[str],
    markup: InlineKeyboardMarkup | None = None,
    *,
    note: str = "",
    edit: bool = False,
) -> None:
    """Send the screen, or with `edit` (answering a press on its message) put it in place of
    that message, so the chat keeps one message per dialog rather than a trail of them."""
    text = with_note(note, *lines)
    if edit:
        await edit_or_reply(update, text, markup)
    else:
        await reply(update, text, markup)


async def cancelled_to_menu(dialog: Dialog, update: Update, context: BotContext) -> None:
    """/cancel: the dialog ends with "Cancelled." and the menu comes back."""
    t = await tr(update, context)
    await finish(context, dialog)
    await show_main_menu(update, context, t.gettext("Cancelled."))
