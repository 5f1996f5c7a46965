"""A chair's decision on a registration request, and what the applicant hears of it.

The card a chair gets (and finds again in /pending) shows who asks and for which branch; a
newcomer whose branch was missing proposed one ("Proposed new branch: Thôn Bến (Village)"),
and its card offers, besides ✅ Approve (the branch is added, in force from today, and the
person approved on it, in one step) and ❌ Reject:

- ✏ Correct the name: the chair types the name, and the request is approved with the branch
  under that name;
- Choose an existing branch: the person is approved on one of the commune's branches, nothing
  is added.

Those two are short dialogs on top of whatever the chair has open:
`handlers.approval_corrections`. A request for a branch that has been closed since
(`registration.closed_branch_of`) says so on its card, which offers only "Choose another
branch of the commune" (the second dialog again) and ❌ Reject: ✅ on an older card is
refused with the reason, and the card is shown again with those buttons. The newcomer is
asked meanwhile to choose another branch themselves (`handlers.waiting_request`).

After a decision the chair's message has ↩ Undo for `registration.UNDO_WINDOW`: the request
waits again as it was (the role taken back, a branch the approval added removed if nothing
uses it yet), the message shows the card again, and the applicant is told; later, the button
says it is too late and goes.

Stateless buttons carry the request id: `regd:ok:<id>`, `regd:no:<id>`, `regd:undo:<id>`; the
dialogs start from `regd:ed:<id>` and `regd:ex:<id>`.
"""

from __future__ import annotations

from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.i18n import N_, Translator
from bot.numbers import parse_number
from bot.services import registration
from bot.services.registration import (
    UNDO_WINDOW,
    Decision,
    DecisionError,
    UndoProblem,
)
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import Level, RegistrationRequest, RequestStatus
from bot.text import fold
from handlers.common import (
    KIND_LABELS,
    BotContext,
    answer,
    edit_or_reply,
    main_menu,
    notify,
    parse_callback,
    tr,
    tr_for,
    unit_address,
)

DECISION_PREFIX = "regd"
APPROVE, REJECT, UNDO, FIX, PICK = "ok", "no", "undo", "ed", "ex"
"""The actions after `regd:`."""

NOT_VALID = N_("This button is not valid.")
PROPOSED = N_("Proposed new branch: {name} ({kind})")
NAME_PROBLEM = N_("A branch name has 2 to 120 characters. Type the name, for example: Thon Ben.")
UNDO_HINT = N_("↩ Undo is possible for {minutes} minutes.")


def _minutes() -> int:
    return int(UNDO_WINDOW.total_seconds() // 60)


# ---------------------------------------------------------------- what a request asks for


async def requested_unit(t: Translator, db: Database, request: RegistrationRequest) -> str:
    """Where the request asks to join, for its card and the applicant: the branch with its
    commune and district; a proposal, as the newcomer named it, above its commune's."""
    unit = await unit_store.get(db, request.unit_id)
    address = await unit_address(t, db, unit) if unit is not None else "?"
    kind = request.proposed_branch_kind
    if request.proposed_branch_name is None or kind is None or unit is None:
        return address
    if unit.level is not Level.COMMUNE:
        return address  # approved: on the branch it names now
    proposed = t.gettext(PROPOSED).format(
        name=request.proposed_branch_name, kind=t.gettext(KIND_LABELS[kind])
    )
    return f"{proposed}\n{address}"


def decision_buttons(t: Translator, request_id: int) -> InlineKeyboardMarkup:
    """✅ Approve and ❌ Reject (every request)."""
    return InlineKeyboardMarkup(_decision_rows(t, request_id))


def _decision_rows(t: Translator, request_id: int) -> list[list[InlineKeyboardButton]]:
    return [
        [
            InlineKeyboardButton(
                t.gettext("✅ Approve"), callback_data=f"{DECISION_PREFIX}:{APPROVE}:{request_id}"
            ),
            InlineKeyboardButton(
                t.gettext("❌ Reject"), callback_data=f"{DECISION_PREFIX}:{REJECT}:{request_id}"
            ),
        ]
    ]


async def request_markup(
    context: BotContext, t: Translator, request: RegistrationRequest
) -> InlineKeyboardMarkup:
    """The card's buttons: ✅/❌, and for a proposal ✏ Correct the name and, when the commune
    has branches in the list, Choose an existing branch. For a closed branch: another branch
    of the commune (if it has one left) and ❌ only."""
    closed = await registration.closed_branch_of(context.db, request)
    if closed is not None and closed.parent_id is not None:
        rows = []
        if await unit_store.count_children(context.db, closed.parent_id) > 0:
            rows.append(
                [
                    InlineKeyboardButton(
                        t.gettext("Choose another branch of the commune"),
                        callback_data=f"{DECISION_PREFIX}:{PICK}:{request.id}",
                    )
                ]
            )
        rows.append(
            [
                InlineKeyboardButton(
                    t.gettext("❌ Reject"), callback_data=f"{DECISION_PREFIX}:{REJECT}:{request.id}"
                )
            ]
        )
        return InlineKeyboardMarkup(rows)
    rows = _decision_rows(t, request.id)
    if request.proposes:
        rows.append(
            [
                InlineKeyboardButton(
                    t.gettext("✏ Correct the name"),
                    callback_data=f"{DECISION_PREFIX}:{FIX}:{request.id}",
                )
            ]
        )
        if await unit_store.count_children(context.db, request.unit_id) > 0:
            rows.append(
                [
                    InlineKeyboardButton(
                        t.gettext("Choose an existing branch"),
                        callback_data=f"{DECISION_PREFIX}:{PICK}:{request.id}",
                    )
                ]
            )
    return InlineKeyboardMarkup(rows)


def undo_markup(t: Translator, request_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.gettext("↩ Undo"), callback_data=f"{DECISION_PREFIX}:{UNDO}:{request_id}"
                )
            ]
        ]
    )


async def request_card(context: BotContext, t: Translator, request: RegistrationRequest) -> str:
    """A waiting request as a chair reads it in /pending."""
    text = t.gettext("📝 Registration request #{number}, sent {time}:\n{name}\n{unit}").format(
        number=request.id,
        time=t.datetime(request.requested_at, context.runtime.settings.tz),
        name=request.full_name,
        unit=await requested_unit(t, context.db, request),
    )
    return text + await _closed_hint(context, t, request)


async def new_request_text(context: BotContext, t: Translator, request: RegistrationRequest) -> str:
    text = t.gettext("New registration request #{number}:\n{name}\n{unit}").format(
        number=request.id,
        name=request.full_name,
        unit=await requested_unit(t, context.db, request),
    )
    return text + await _closed_hint(context, t, request)


async def _closed_hint(context: BotContext, t: Translator, request: RegistrationRequest) -> str:
    """For a chair, under a request for a closed branch: what may still be done with it."""
    closed = await registration.closed_branch_of(context.db, request)
    if closed is None or closed.parent_id is None or closed.valid_to is None:
        return ""
    if await unit_store.count_children(context.db, closed.parent_id) > 0:
        hint = t.gettext(
            "🔒 This branch was closed on {date}: no one can join it now. Choose another "
            "branch of the commune for {name}, or reject the request; {name} has been asked "
            "to choose another branch too."
        )
    else:
        hint = t.gettext(
            "🔒 This branch was closed on {date}: no one can join it now, and the commune has "
            "no other branch in the list. Reject the request, or wait for {name} to propose "
            "a branch."
        )
    return "\n" + hint.format(date=t.date(closed.valid_to), name=request.full_name)


async def ask_chairs(context: BotContext, request_id: int) -> None:
    """A new request (`NoticeKind.REGISTRATION_REQUESTED`), to each chair who may approve it,
    with the buttons; one withdrawn before this ran is not shown to anyone."""
    request = await people.get_request(context.db, request_id)
    if request is None or request.status is not RequestStatus.PENDING:
        return
    unit = await unit_store.get(context.db, request.unit_id)
    assert unit is not None
    for chair_id in await registration.approvers_for(context.db, unit):
        t = await tr_for(context, chair_id)
        text = await new_request_text(context, t, request)
        await notify(context, chair_id, text, await request_markup(context, t, request))


# ---------------------------------------------------------------- deciding


def decision_error_text(t: Translator, error: DecisionError) -> str:
    texts = {
        DecisionError.NOT_FOUND: t.gettext("This request does not exist."),
        DecisionError.ALREADY_DECIDED: t.gettext("This request has already been decided."),
        DecisionError.WITHDRAWN: t.gettext(
            "This request has already been withdrawn by the person who sent it."
        ),
        DecisionError.OUT_OF_SCOPE: t.gettext(
            "You cannot decide on this request: it is outside the units you are responsible for."
        ),
        DecisionError.NOT_A_PROPOSAL: t.gettext("This request does not propose a new branch."),
        DecisionError.BAD_BRANCH: t.gettext("That choice is not available any more."),
        DecisionError.BAD_NAME: t.gettext(NAME_PROBLEM),
        DecisionError.NAME_TAKEN: t.gettext(
            "The commune already has a branch of that name that is no longer in the list. "
            "Correct the name (✏) or choose an existing branch."
        ),
        DecisionError.BRANCH_CLOSED: t.gettext(
            "This branch has been closed, so no one can be approved onto it. Choose another "
            "branch of the commune for this person, or reject the request."
        ),
    }
    return texts[error]


async def decided_text(
    context: BotContext, t: Translator, decision: Decision, *, undo: bool = True
) -> str:
    """The chair's message once decided: the request, the verdict, a branch added; with
    `undo`, how long ↩ Undo works."""
    request = decision.request
    approved = request.status is RequestStatus.APPROVED
    verdict = t.gettext("✅ Approved") if approved else t.gettext("❌ Rejected")
    unit = (
        await unit_address(t, context.db, decision.branch)
        if approved
        else await requested_unit(t, context.db, request)
    )
    lines = [
        t.gettext("Registration request #{number}: {name}\n{unit}\n{verdict}").format(
            number=request.id, name=request.full_name, unit=unit, verdict=verdict
        )
    ]
    if approved and decision.created:
        lines.append(
            t.gettext("➕ Branch {name} was added, in force from today.").format(
                name=decision.branch.name
            )
        )
    elif (
        approved
        and request.proposed_branch_name is not None
        and fold(request.proposed_branch_name) != fold(decision.branch.name)
    ):
        lines.append(
            t.gettext("Approved on a branch in the list instead of the proposed {name}.").format(
                name=request.proposed_branch_name
            )
        )
    if undo:
        lines.append(t.gettext(UNDO_HINT).format(minutes=t.number(_minutes())))
    return "\n".join(lines)


async def decide(update: Update, context: BotContext) -> None:
    """A chair pressed Approve, Reject or ↩ Undo under a registration request (any other
    `regd:` data: a forged or malformed one)."""
    t = await tr(update, context)
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    parts = parse_callback(query.data, DECISION_PREFIX)
    actions = (APPROVE, REJECT, UNDO)
    request_id = parse_number(parts[1]) if len(parts) == 2 and parts[0] in actions else None
    if request_id is None:
        await answer(update, t.gettext(NOT_VALID), alert=True)
        return
    if parts[0] == UNDO:
        await undo(update, context, t, request_id)
        return
    result = await registration.decide(
        context.db, request_id, user.id, approve=parts[0] == APPROVE, now=context.now()
    )
    if isinstance(result, DecisionError):
        await answer(update, decision_error_text(t, result), alert=True)
        request = await people.get_request(context.db, request_id)
        if (
            result is DecisionError.BRANCH_CLOSED
            and request is not None
            and pressed_card(update) is not None
        ):  # the card again, with what may still be done
            text = await request_card(context, t, request)
            await edit_or_reply(update, text, await request_markup(context, t, request))
        return
    await answer(update)
    await edit_or_reply(
        update, await decided_text(context, t, result), undo_markup(t, result.request.id)
    )


def pressed_card(update: Update) -> int | None:
    """The id of the message pressed, if its own buttons carry the press's data: a forged
    press attached to some other message must not overwrite that message."""
    query = update.callback_query
    message = query.message if query is not None else None
    if query is None or not isinstance(message, Message) or message.reply_markup is None:
        return None
    data = {button.callback_data for row in message.reply_markup.inline_keyboard for button in row}
    return message.message_id if query.data in data else None


# ---------------------------------------------------------------- ↩ Undo


def undo_problem_text(t: Translator, problem: UndoProblem) -> str:
    texts = {
        UndoProblem.NOT_FOUND: t.gettext("This request does not exist."),
        UndoProblem.NOT_YOURS: t.gettext("Only the chair who made this decision can undo it."),
        UndoProblem.NOT_DECIDED: t.gettext(
            "There is no decision to undo: the request is waiting, or was withdrawn."
        ),
        UndoProblem.TOO_LATE: t.gettext(
            "Too late to undo: a decision can be undone for {minutes} minutes after it is made."
        ).format(minutes=t.number(_minutes())),
        UndoProblem.OUT_OF_SCOPE: t.gettext(
            "You cannot decide on this request: it is outside the units you are responsible for."
        ),
        UndoProblem.MOVED_ON: t.gettext(
            "This can no longer be undone: the person has registered another way or sent a "
            "new request since."
        ),
    }
    return texts[problem]


async def undo(update: Update, context: BotContext, t: Translator, request_id: int) -> None:
    """↩ Undo: the card again, with its buttons, once the decision is taken back; too late
    (or no longer possible), the button goes and the decision stays."""
    user = update.effective_user
    assert user is not None
    result = await registration.undo_decision(context.db, request_id, user.id, context.now())
    if isinstance(result, UndoProblem):
        await answer(update, undo_problem_text(t, result), alert=True)
        request = await people.get_request(context.db, request_id)
        if (
            result in (UndoProblem.TOO_LATE, UndoProblem.MOVED_ON)
            and request is not None
            and pressed_card(update) is not None
        ):
            branch = await unit_store.get(context.db, request.unit_id)
            assert branch is not None
            decision = Decision(request=request, branch=branch, created=request.branch_created)
            await edit_or_reply(update, await decided_text(context, t, decision, undo=False))
        return
    await answer(update, t.gettext("↩ Undone."))
    note = t.gettext("↩ The decision was undone: the request waits again, and {name} was told.")
    lines = [note.format(name=result.request.full_name)]
    if result.removed is not None:
        lines.append(t.gettext("Branch {name} was removed again.").format(name=result.removed.name))
    lines.append(await new_request_text(context, t, result.request))
    await edit_or_reply(update, "\n".join(lines), await request_markup(context, t, result.request))


# ---------------------------------------------------------------- the applicant


async def tell_applicant(context: BotContext, request_id: int) -> None:
    """The decision on a request (`NoticeKind.REGISTRATION_DECIDED`), in the applicant's own
    language; once approved, with the menu of what they may now do."""
    request = await people.get_request(context.db, request_id)
    if request is None:
        return
    applicant_t = await tr_for(context, request.telegram_id)
    if request.status is RequestStatus.APPROVED:
        branch = await unit_store.get(context.db, request.unit_id)
        assert branch is not None
        grants = await people.grants_of(context.db, request.telegram_id)
        await notify(
            context,
            request.telegram_id,
            applicant_t.gettext(
                "🎉 Your registration has been approved! You are a volunteer of {unit}. "
                "Choose a task below."
            ).format(unit=await unit_address(applicant_t, context.db, branch)),
            main_menu(applicant_t, grants),
        )
    elif request.status is RequestStatus.REJECTED:
        await notify(
            context,
            request.telegram_id,
            applicant_t.gettext(
                "Your registration request was not approved. If you think this is a mistake, "
                "contact your commune's association, or send /start to register again."
            ),
        )


async def _tell_undone(context: BotContext, request_id: int, *, approval: bool) -> None:
    """A decision taken back: the applicant is told, and shown the request that waits again
    with its buttons (withdraw it, choose another branch); an approval's menu goes. Nothing
    if it has been decided again meanwhile (that decision's own notice follows)."""
    from handlers.waiting_request import (  # (it imports this module)
        waiting_buttons,
        waiting_text,
    )

    request = await people.get_request(context.db, request_id)
    if request is None or request.status is not RequestStatus.PENDING:
        return
    t = await tr_for(context, request.telegram_id)
    waiting = await waiting_text(context, t, request)  # a branch closed meanwhile: said first
    if approval:
        text = t.gettext(
            "The chair has taken back the approval of your registration (request #{number}): "
            "you are not registered yet, and your request waits for a decision again."
        )
        await notify(
            context, request.telegram_id, text.format(number=request.id), ReplyKeyboardRemove()
        )
        await notify(context, request.telegram_id, waiting, waiting_buttons(t, request.id))
        return
    text = t.gettext(
        "The chair has taken back the rejection of your registration request #{number}: "
        "it waits for a decision again."
    )
    await notify(
        context,
        request.telegram_id,
        text.format(number=request.id) + "\n" + waiting,
        waiting_buttons(t, request.id),
    )


async def tell_approval_undone(context: BotContext, request_id: int) -> None:
    """`NoticeKind.REGISTRATION_APPROVAL_UNDONE`, to the applicant."""
    await _tell_undone(context, request_id, approval=True)


async def tell_rejection_undone(context: BotContext, request_id: int) -> None:
    """`NoticeKind.REGISTRATION_REJECTION_UNDONE`, to the applicant."""
    await _tell_undone(context, request_id, approval=False)


def build() -> list[BaseHandler[Update, BotContext, Any]]:
    return [CallbackQueryHandler(decide, pattern=rf"^{DECISION_PREFIX}:")]
