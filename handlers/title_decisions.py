"""The chairs' side of a single nomination: its card, ✅ Recognise, and /pending.

Kept apart from the form (`handlers.titles`) because it is another person's task: the chairs
who may recognise the title (the service's rule: `nominations.deciders_for`, `decidable`) get
the card with Công nhận / Không công nhận buttons, and the nominator is told the outcome in
their own language. Every press is checked again by the service: callback data only names a
nomination, it never grants anything.

Callback data: `tt:ok:<id>` (recognise, a stateless button) and `tt:no:<id>` (reject: starts
the reason dialog of `handlers.title_reject`). `tt:x`, the leave button of reason questions
from before the dialog, only says it is no longer active. A decided card keeps "↩ Undo" for
its decider for a few minutes (`tt:un:<id>`, handled by `handlers.title_undo`, registered
before this module's `tt:` catch-all).

/pending lists what waits for the chair: lists of nominations, nominations, and registration
requests (their cards are `handlers.title_list_cards`' and `handlers.approvals`').
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler

from bot.i18n import Translator
from bot.numbers import parse_number
from bot.services import decision_undo, nominations, report_access, scopes
from bot.services.reporting import ReportError
from bot.storage import people, reports
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import ROLE_RANK, Role
from bot.storage.records import Nomination, NominationStatus, ReportKind
from handlers.approvals import request_card, request_markup
from handlers.common import (
    MENU_PENDING,
    BotContext,
    answer,
    association_of,
    menu_filter,
    notify,
    parse_callback,
    reply,
    show_main_menu,
    tr,
    tr_for,
    unit_address,
)
from handlers.report_texts import report_error_text
from handlers.titles import KIND_LABELS, SUBJECTS

DECISION: Final = "tt"
PENDING_SHOWN: Final = 10
PENDING_COMMANDS = ("pending", "choduyet")


# ---------------------------------------------------------------- who decides


def decide_buttons(t: Translator, nomination_id: int) -> InlineKeyboardMarkup:
    """Two big rows, so a shaky finger does not recognise what it meant to reject."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.gettext("✅ Recognise"), callback_data=f"{DECISION}:ok:{nomination_id}"
                )
            ],
            [
                InlineKeyboardButton(
                    t.gettext("❌ Not recognise"), callback_data=f"{DECISION}:no:{nomination_id}"
                )
            ],
        ]
    )


UNDO: Final = "un"
"""The callback action of ↩ Undo on a decided card: `tt:un:<id>`, `tl:un:<id>`."""


def undo_markup(t: Translator, callback_data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t.gettext("↩ Undo"), callback_data=callback_data)]]
    )


def card_buttons(
    t: Translator, nomination: Nomination, viewer: int | None, now: datetime
) -> InlineKeyboardMarkup | None:
    """A pending card's decision buttons; a decided one's ↩ Undo, for its decider while the
    decision can still be undone; else none."""
    if nomination.status is NominationStatus.PENDING:
        return decide_buttons(t, nomination.id)
    if viewer == nomination.decided_by and decision_undo.nomination_undoable(nomination, now):
        return undo_markup(t, f"{DECISION}:{UNDO}:{nomination.id}")
    return None


async def person_name(db: Database, telegram_id: int | None) -> str:
    user = await people.get_user(db, telegram_id) if telegram_id is not None else None
    return user.full_name if user is not None and user.full_name else "?"


def subject_line(t: Translator, nomination: Nomination) -> str:
    """ "Chủ hộ: Trần Văn Bình"; a commune's title names the commune, shown just below."""
    subject = SUBJECTS.get(nomination.kind)
    if subject is None:
        return nomination.subject
    return f"{t.gettext(subject.label)}: {nomination.subject}"


async def card(context: BotContext, t: Translator, nomination: Nomination) -> str:
    """The nomination as a chair reads it, ending with where it stands."""
    db = context.db
    unit = await unit_store.get(db, nomination.unit_id)
    lines = [
        t.gettext("🏅 Nomination #{number}: {title}, {year}").format(
            number=nomination.id,
            title=t.gettext(KIND_LABELS[nomination.kind]),
            year=nomination.year,
        ),
        subject_line(t, nomination),
        await unit_address(t, db, unit) if unit is not None else "?",
        t.gettext("Nominated by {name} at {time}").format(
            name=await person_name(db, nomination.reporter_id),
            time=t.datetime(nomination.created_at, context.runtime.settings.tz),
        ),
    ]
    if nomination.note:
        lines.append(t.gettext("Note: {note}").format(note=nomination.note))
    decider = await person_name(db, nomination.decided_by)
    if nomination.status is NominationStatus.PENDING:
        lines.append(t.gettext("⏳ Waiting for a decision"))
    elif nomination.status is NominationStatus.RECOGNISED:
        lines.append(t.gettext("✅ Recognised by {name}").format(name=decider))
    elif nomination.status is NominationStatus.REJECTED:
        lines.append(
            t.gettext("❌ Not recognised by {name}. Reason: {reason}").format(
                name=decider, reason=nomination.reject_reason or ""
            )
        )
    else:
        lines.append(report_error_text(t, ReportError.WITHDRAWN))
    return "\n".join(lines)


async def ask_deciders(context: BotContext, nomination_id: int) -> None:
    """A new nomination (`NoticeKind.NOMINATION_SUBMITTED`): the card, with its buttons, to
    the chairs the service names; one withdrawn or decided meanwhile goes to no one."""
    nomination = await reports.get(context.db, Nomination, nomination_id)
    if nomination is None or nomination.status is not NominationStatus.PENDING:
        return
    unit = await unit_store.get(context.db, nomination.unit_id)
    assert unit is not None
    for chair_id in await nominations.deciders_for(context.db, unit, nomination.kind):
        t = await tr_for(context, chair_id)
        text = await card(context, t, nomination)
        await notify(context, chair_id, text, decide_buttons(t, nomination.id))


# ---------------------------------------------------------------- deciding


def callback_id(update: Update, action: str) -> int | None:
    """`tt:<action>:<id>` → id; anything else → None."""
    assert update.callback_query is not None
    parts = parse_callback(update.callback_query.data, DECISION)
    if len(parts) != 2 or parts[0] != action:
        return None
    return parse_number(parts[1])


def pressed_card(update: Update) -> int | None:
    """The id of the message pressed, if its own buttons carry this data: a forged press
    attached to some other message must not overwrite that message."""
    query = update.callback_query
    message = query.message if query is not None else None
    if query is None or not isinstance(message, Message) or message.reply_markup is None:
        return None
    data = {button.callback_data for row in message.reply_markup.inline_keyboard for button in row}
    return message.message_id if query.data in data else None


async def show_card(
    update: Update, context: BotContext, t: Translator, nomination: Nomination, card_id: int | None
) -> None:
    """Put the nomination's current state on the chair's card (once decided, without buttons
    but ↩ Undo for a few minutes)."""
    viewer = update.effective_user.id if update.effective_user is not None else None
    markup = card_buttons(t, nomination, viewer, context.now())
    await put_on_card(update, context, card_id, await card(context, t, nomination), markup)


async def put_on_card(
    update: Update,
    context: BotContext,
    card_id: int | None,
    text: str,
    markup: InlineKeyboardMarkup | None,
) -> None:
    """`text` in place of the card `card_id` in this chat (a nomination's, a list's); a new
    message when there is no card to edit (gone, too old), nothing when it already reads so."""
    chat = update.effective_chat
    assert chat is not None
    if card_id is not None:
        try:
            await context.bot.edit_message_text(
                text, chat_id=chat.id, message_id=card_id, reply_markup=markup
            )
            return
        except BadRequest as error:
            if "not modified" in str(error).lower():
                return
    await reply(update, text, markup)


async def refuse_press(
    update: Update,
    context: BotContext,
    t: Translator,
    user_id: int,
    nomination_id: int,
    error: ReportError,
) -> None:
    """Say why not; a card that is out of date is brought up to date."""
    text = report_error_text(t, error)
    record = await report_access.get_record(context.db, ReportKind.NOMINATION, nomination_id)
    if (
        error is ReportError.OUT_OF_SCOPE
        and isinstance(record, Nomination)
        and await nominations.decided_above(context.db, user_id, record)
        and (above := await nominations.recognised_at(context.db, record)) is not None
    ):
        text = t.gettext(
            "Learning units and commune learning communities are recognised by {decider}."
        ).format(decider=association_of(t, above))
    await answer(update, text, alert=True)
    card_id = pressed_card(update)
    if error is ReportError.ALREADY_DECIDED and isinstance(record, Nomination) and card_id:
        await show_card(update, context, t, record, card_id)


async def tell_nominator(context: BotContext, nomination_id: int) -> None:
    """The outcome (`NoticeKind.NOMINATION_DECIDED`), in the nominator's own language; a
    chair deciding their own is not told."""
    nomination = await reports.get(context.db, Nomination, nomination_id)
    if nomination is None or nomination.status not in (
        NominationStatus.RECOGNISED,
        NominationStatus.REJECTED,
    ):
        return
    if nomination.reporter_id == nomination.decided_by:
        return
    t = await tr_for(context, nomination.reporter_id)
    details = {
        "number": nomination.id,
        "title": t.gettext(KIND_LABELS[nomination.kind]),
        "year": nomination.year,
        "subject": nomination.subject,
    }
    if nomination.status is NominationStatus.RECOGNISED:
        text = t.gettext(
            "🎉 Good news: your nomination #{number} has been recognised: "
            "{title}, {year} — {subject}."
        ).format(**details)
    else:
        text = t.gettext(
            "Your nomination #{number} ({title}, {year} — {subject}) was not recognised. "
            "Reason: {reason}"
        ).format(**details, reason=nomination.reject_reason or "")
    await notify(context, nomination.reporter_id, text)


async def recognise_pressed(update: Update, context: BotContext) -> None:
    """`tt:ok:<id>`, and any other `tt:` data the reason dialog did not take (`tt:x` is the
    leave button of reason questions asked before they were a dialog)."""
    t = await tr(update, context)
    user = update.effective_user
    assert user is not None
    nomination_id = callback_id(update, "ok")
    if nomination_id is None:
        assert update.callback_query is not None
        left = update.callback_query.data == f"{DECISION}:x"  # the reason question is over
        await answer(
            update,
            t.gettext("This button is no longer active. Choose a task from the menu.")
            if left
            else t.gettext("This button is not valid."),
            alert=True,
        )
        return
    result = await nominations.decide(
        context.db, nomination_id, user.id, recognise=True, reason=None, now=context.now()
    )
    if isinstance(result, ReportError):
        await refuse_press(update, context, t, user.id, nomination_id, result)
        return
    await answer(update, t.gettext("✅ Recognised"))
    await show_card(update, context, t, result, pressed_card(update))


# ---------------------------------------------------------------- /pending


async def pending(update: Update, context: BotContext) -> None:
    """The chair's queue, oldest first, each with its own buttons: the nominations to decide,
    then the registration requests waiting for this chair (the ones they were told of)."""
    from bot.services import registration  # who approves a registration is its rule
    from handlers import title_list_cards  # a list of nominations' card (it imports this module)

    t = await tr(update, context)
    user = update.effective_user
    assert user is not None
    top = scopes.highest(await people.grants_of(context.db, user.id))
    if top is None or top.rank < ROLE_RANK[Role.COMMUNE_CHAIR]:
        await show_main_menu(
            update,
            context,
            t.gettext(
                "Title nominations are decided by the chairs of the commune and of the levels "
                "above it. You will get a message here when one of yours is decided."
            ),
        )
        return
    queue = await nominations.pending_for(context.db, user.id)
    requests = await registration.waiting_for(context.db, user.id)
    lists = await title_list_cards.waiting(context, t, user.id)
    if not queue and not requests and not lists:
        await show_main_menu(update, context, t.gettext("Nothing is waiting for your decision."))
        return
    lines = []
    if lists:
        lines.append(
            t.gettext("Lists of nominations waiting for your decision: {count}.").format(
                count=len(lists)
            )
        )
    if queue:
        lines.append(
            t.gettext("Nominations waiting for your decision: {count}.").format(count=len(queue))
        )
    if len(queue) > PENDING_SHOWN:
        lines.append(
            t.gettext(
                "Here are the oldest {shown}; send /pending again after deciding them."
            ).format(shown=PENDING_SHOWN)
        )
    if requests:
        lines.append(
            t.gettext("Registration requests waiting for your approval: {count}.").format(
                count=len(requests)
            )
        )
    if len(requests) > PENDING_SHOWN:
        lines.append(
            t.gettext(
                "Here are the oldest {shown} requests; send /pending again after deciding them."
            ).format(shown=PENDING_SHOWN)
        )
    await show_main_menu(update, context, "\n".join(lines))
    for text, markup in lists[:PENDING_SHOWN]:
        await reply(update, text, markup)
    for nomination in queue[:PENDING_SHOWN]:
        await reply(update, await card(context, t, nomination), decide_buttons(t, nomination.id))
    for request in requests[:PENDING_SHOWN]:
        text = await request_card(context, t, request)
        await reply(update, text, await request_markup(context, t, request))


# ---------------------------------------------------------------- wiring


def build() -> list[BaseHandler[Update, BotContext, Any]]:
    """After `handlers.title_undo` (FEATURES' order): its `tt:un:` comes before `tt:`."""
    return [
        CallbackQueryHandler(recognise_pressed, pattern=rf"^{DECISION}:"),
        CommandHandler(list(PENDING_COMMANDS), pending),
        MessageHandler(menu_filter(MENU_PENDING), pending),
    ]
