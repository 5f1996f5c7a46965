"""Taking a title decision back: "↩ Undo" on a decided card, for a few minutes.

A chair's slip (the wrong button, the wrong card) is put right by its decider within
`decision_undo.UNDO_WINDOW`; the service says whether it still may be (`decision_undo`), this
module answers the press, puts the card back to asking for a decision and tells the nominator
(the notices `NOMINATION_UNDONE`, `NOMINATION_LIST_UNDONE`). Apart from the decisions
themselves (`handlers.title_decisions`) because it is its own rule and its own wording, for a
single nomination and for a list alike.

Callback data: `tt:un:<id>` a nomination, `tl:un:<id>` a list of them (its card is
`handlers.title_list_cards`'); pressed later, it says it is too late. Registered before the `tt:`
and `tl:` handlers of those modules (FEATURES' order), so they never see these.
"""

from __future__ import annotations

from typing import Any, Final

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.i18n import N_, Translator
from bot.services import decision_undo
from bot.services import title_lists as list_service
from bot.services.decision_undo import UndoError
from bot.services.reporting import ReportError
from bot.storage import reports
from bot.storage.records import Nomination, NominationStatus
from handlers import title_list_cards
from handlers.common import BotContext, answer, notify, tr, tr_for
from handlers.report_texts import report_error_text
from handlers.title_decisions import DECISION, UNDO, callback_id, pressed_card, show_card
from handlers.titles import KIND_LABELS

# ---------------------------------------------------------------- undoing a decision

UNDO_ERRORS: Final = {
    UndoError.NOT_DECIDED: N_(
        "There is no decision to undo: it is waiting for a decision, or was withdrawn."
    ),
    UndoError.NOT_YOURS: N_("Only the chair who made the decision can undo it."),
    UndoError.TOO_LATE: N_(
        "Too late: a decision can be undone only in the first {minutes} minutes. "
        "It stands as decided."
    ),
    UndoError.IN_A_LIST: N_(
        "This nomination was decided with its list: undo the list's decision instead."
    ),
    UndoError.NOMINATED_AGAIN: N_(
        "It cannot be undone: the same subject has been nominated again for that title and "
        "year since."
    ),
}


def undo_error_text(t: Translator, error: UndoError) -> str:
    if error is UndoError.NOT_FOUND:
        return report_error_text(t, ReportError.NOT_FOUND)
    if error is UndoError.OUT_OF_SCOPE:
        return report_error_text(t, ReportError.OUT_OF_SCOPE)
    minutes = int(decision_undo.UNDO_WINDOW.total_seconds() // 60)
    return t.gettext(UNDO_ERRORS[error]).format(minutes=minutes)


async def undo_pressed(update: Update, context: BotContext) -> None:
    """`tt:un:<id>`: the decision taken back, the card asks for one again."""
    t = await tr(update, context)
    user = update.effective_user
    assert user is not None
    nomination_id = callback_id(update, UNDO)
    if nomination_id is None:
        await answer(update, t.gettext("This button is not valid."), alert=True)
        return
    result = await decision_undo.undo_nomination(
        context.db, nomination_id, user.id, now=context.now()
    )
    card_id = pressed_card(update)
    if isinstance(result, UndoError):
        await answer(update, undo_error_text(t, result), alert=True)
        current = await reports.get(context.db, Nomination, nomination_id)
        if current is not None and card_id is not None:
            await show_card(update, context, t, current, card_id)  # its ↩ goes
        return
    await answer(
        update,
        t.gettext("↩ Undone: nomination #{number} is waiting for a decision again.").format(
            number=nomination_id
        ),
    )
    await show_card(update, context, t, result, card_id)


async def list_undo_pressed(update: Update, context: BotContext) -> None:
    """`tl:un:<id>`: a list's decision taken back, its card asks for one again."""
    t = await tr(update, context)
    user = update.effective_user
    assert user is not None
    list_id = title_list_cards.callback_id(update, UNDO)
    if list_id is None:
        await answer(update, t.gettext("This button is not valid."), alert=True)
        return
    result = await decision_undo.undo_list(context.db, list_id, user.id, now=context.now())
    card_id = pressed_card(update)
    if isinstance(result, UndoError):
        await answer(update, undo_error_text(t, result), alert=True)
        current = await list_service.get(context.db, list_id)
        if current is not None and card_id is not None:
            await title_list_cards.show_card(update, context, t, current, card_id)
        return
    await answer(
        update,
        t.gettext("↩ Undone: list #{number} is waiting for a decision again.").format(
            number=list_id
        ),
    )
    await title_list_cards.show_card(update, context, t, result, card_id)


async def tell_undone(context: BotContext, nomination_id: int) -> None:
    """`NoticeKind.NOMINATION_UNDONE`: the nominator, told the outcome, hears it was taken
    back (nothing if it has been decided again meanwhile: that notice follows)."""
    nomination = await reports.get(context.db, Nomination, nomination_id)
    if nomination is None or nomination.status is not NominationStatus.PENDING:
        return
    t = await tr_for(context, nomination.reporter_id)
    text = t.gettext(
        "↩ The decision on your nomination #{number} ({title}, {year} — {subject}) was taken "
        "back by the chair: it is waiting for a decision again. You will get a message here "
        "when it is decided."
    ).format(
        number=nomination.id,
        title=t.gettext(KIND_LABELS[nomination.kind]),
        year=nomination.year,
        subject=nomination.subject,
    )
    await notify(context, nomination.reporter_id, text)


async def tell_list_undone(context: BotContext, list_id: int) -> None:
    """`NoticeKind.NOMINATION_LIST_UNDONE`, as `tell_undone` for a list."""
    title_list = await list_service.get(context.db, list_id)
    if title_list is None or title_list.status is not list_service.ListStatus.PENDING:
        return
    t = await tr_for(context, title_list.reporter_id)
    text = t.gettext(
        "↩ The decision on your list #{number} ({title}, {year}) was taken back by the chair: "
        "it is waiting for a decision again. You will get a message here when it is decided."
    ).format(
        number=title_list.id,
        title=t.gettext(KIND_LABELS[title_list.kind]),
        year=title_list.year,
    )
    await notify(context, title_list.reporter_id, text)


# ---------------------------------------------------------------- wiring


def build() -> list[BaseHandler[Update, BotContext, Any]]:
    return [
        CallbackQueryHandler(undo_pressed, pattern=rf"^{DECISION}:{UNDO}:"),
        CallbackQueryHandler(list_undo_pressed, pattern=rf"^tl:{UNDO}:"),
    ]
