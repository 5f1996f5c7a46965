"""The waiting person's own request: what they see while a chair has not decided yet.

A person who asked to register and waits sees their request (name, branch) with the ways on:
"↩ Withdraw the request" (`regr:x:<id>`, a stateless button handled here) and "🔁 Choose another
branch" (`regr:b:<id>`, which starts the registration dialog again, `handlers.start`). It is
shown by /start, by the access gate to anything else they send (`handlers.gate`), and under a
decision taken back (`handlers.approvals`). Apart from registration because it outlives it: the
dialog is over once the request is sent.

When the branch it waits for is closed (`NoticeKind.REGISTRATION_BRANCH_CLOSED`), the person is
told, and from then on their request is shown with that news first: 🔁 then opens the branches
of the same commune, and everything they entered stays until they choose.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.i18n import Translator
from bot.numbers import parse_number
from bot.services import registration
from bot.services.registration import (
    RequestProblem,
    Standing,
)
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.models import RegistrationRequest, RequestStatus
from handlers.approvals import decision_buttons as decision_buttons  # /pending's card
from handlers.approvals import request_card as request_card
from handlers.approvals import request_markup as request_markup
from handlers.approvals import requested_unit
from handlers.common import (
    BotContext,
    answer,
    edit_or_reply,
    next_step_text,
    notify,
    parse_callback,
    reply,
    tr,
    tr_for,
    unit_in_sentence,
    unit_title,
)
from handlers.dialogs import finish, on_screen
from handlers.screens import NOT_VALID

REQUEST_PREFIX = "regr"
"""The waiting person's own buttons: `regr:x:<id>` withdraws, `regr:b:<id>` moves."""


def request_problem_text(t: Translator, problem: RequestProblem) -> str:
    texts = {
        RequestProblem.NOT_FOUND: t.gettext(NOT_VALID),
        RequestProblem.WITHDRAWN: t.gettext(
            "This request has already been withdrawn. Send /start to register again."
        ),
        RequestProblem.DECIDED: t.gettext(
            "This request has already been decided; the answer was sent to you here."
        ),
    }
    return texts[problem]


# ---------------------------------------------------------------- the waiting person's request


def waiting_buttons(t: Translator, request_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.gettext("↩ Withdraw the request"),
                    callback_data=f"{REQUEST_PREFIX}:x:{request_id}",
                )
            ],
            [
                InlineKeyboardButton(
                    t.gettext("🔁 Choose another branch"),
                    callback_data=f"{REQUEST_PREFIX}:b:{request_id}",
                )
            ],
        ]
    )


async def show_waiting(
    update: Update, context: BotContext, t: Translator, *, note: str = "", edit: bool = False
) -> bool:
    """The sender's request waiting for approval (name, branch) with the ways on: withdraw it,
    or choose another branch. False if nothing of theirs waits."""
    user = update.effective_user
    assert user is not None
    request = await people.pending_request_of(context.db, user.id)
    if request is None:
        return False
    lines = [note] if note else []
    lines.append(await waiting_text(context, t, request))
    send = edit_or_reply if edit else reply
    await send(update, "\n".join(lines), waiting_buttons(t, request.id))
    return True


async def waiting_text(context: BotContext, t: Translator, request: RegistrationRequest) -> str:
    """What the person reads of their waiting request: what happens next (for a branch closed
    since: that it was, and to choose another), then the request."""
    closed = await registration.closed_branch_of(context.db, request)
    commune = (
        await unit_store.get(context.db, closed.parent_id)
        if closed is not None and closed.parent_id is not None
        else None
    )
    if closed is not None and commune is not None and closed.valid_to is not None:
        first = t.gettext(
            "🔒 {branch} of {commune} was closed on {date}, so your request #{number} cannot "
            "be approved there. Everything you entered is kept: press 🔁 Choose another branch "
            "to choose another branch of {commune} (or of another commune), or withdraw the "
            "request."
        ).format(
            branch=unit_title(t, closed),
            commune=unit_in_sentence(t, commune),
            date=t.date(closed.valid_to),
            number=request.id,
        )
    else:
        first = next_step_text(t, Standing.PENDING)
    request_lines = t.gettext("Your request #{number}: {name}\n{unit}").format(
        number=request.id,
        name=request.full_name,
        unit=await requested_unit(t, context.db, request),
    )
    return f"{first}\n{request_lines}"


async def tell_branch_closed(context: BotContext, request_id: int) -> None:
    """`NoticeKind.REGISTRATION_BRANCH_CLOSED`: the branch of a waiting request was closed;
    its sender hears it in their language, with the ways on. Nothing if the request has been
    withdrawn, decided or moved to another branch meanwhile."""
    request = await people.get_request(context.db, request_id)
    if request is None or request.status is not RequestStatus.PENDING:
        return
    if await registration.closed_branch_of(context.db, request) is None:
        return
    t = await tr_for(context, request.telegram_id)
    text = await waiting_text(context, t, request)
    await notify(context, request.telegram_id, text, waiting_buttons(t, request.id))


async def withdraw_pressed(update: Update, context: BotContext) -> None:
    """`regr:x:<id>`: the waiting person takes their request back (and any other `regr:` data
    the dialog did not take: a forged or malformed one)."""
    t = await tr(update, context)
    user = update.effective_user
    assert update.callback_query is not None and user is not None
    parts = parse_callback(update.callback_query.data, REQUEST_PREFIX)
    request_id = parse_number(parts[1]) if len(parts) == 2 and parts[0] == "x" else None
    if request_id is None:
        await answer(update, t.gettext(NOT_VALID), alert=True)
        return
    result = await registration.withdraw_request(context.db, user.id, request_id, context.now())
    if isinstance(result, RequestProblem):
        await answer(update, request_problem_text(t, result), alert=True)
        return
    await answer(update)
    from handlers.start import FLOW  # the registration dialog (it imports this module)

    if on_screen(context) == FLOW.name and FLOW.data(context).get("request") == request_id:
        await finish(context, FLOW)  # choosing another branch for it is over too
    await edit_or_reply(
        update,
        t.gettext(
            "Your request #{number} has been withdrawn. "
            "Send /start whenever you want to register again."
        ).format(number=result.id),
    )


def build() -> list[BaseHandler[Update, BotContext, Any]]:
    """The chairs' decision (`regd:`) is `handlers.approvals`'."""
    return [CallbackQueryHandler(withdraw_pressed, pattern=rf"^{REQUEST_PREFIX}:")]
