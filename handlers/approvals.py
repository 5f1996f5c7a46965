"""A chair's decision on a registration request, and what the applicant hears of it.

The card a chair gets (and finds again in /pending) shows who asks and for which branch; a
newcomer whose branch was missing proposed one ("Proposed new branch: Thôn Bến (Village)"),
and its card offers, besides ✅ Approve (the branch is added, in force from today, and the
person approved on it, in one step) and ❌ Reject:

- ✏ Correct the name: `FixName`, a short dialog on top of whatever the chair has open: the
  chair types the name, and the request is approved with the branch under that name;
- Choose an existing branch: `PickBranch`, the commune's branches by the unit picker: the
  person is approved on the one chosen, nothing is added.

A request for a branch that has been closed since (`registration.closed_branch_of`) says so
on its card, which offers only "Choose another branch of the commune" (`PickBranch` again)
and ❌ Reject: ✅ on an older card is refused with the reason, and the card is shown again
with those buttons. The newcomer is asked meanwhile to choose another branch themselves
(`handlers.waiting_request`).

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

from bot import updates
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
from bot.storage.models import Level, RegistrationRequest, RequestStatus, Unit
from bot.text import fold
from handlers import unit_question
from handlers.common import (
    KIND_LABELS,
    BotContext,
    answer,
    edit_or_reply,
    main_menu,
    notify,
    parse_callback,
    reply,
    show_main_menu,
    tr,
    tr_for,
    unit_address,
    unit_title,
)
from handlers.dialogs import Dialog, Entry, finish, on_screen
from handlers.unit_question import PICKER, UnitQuestion

DECISION_PREFIX = "regd"
APPROVE, REJECT, UNDO, FIX, PICK = "ok", "no", "undo", "ed", "ex"
"""The actions after `regd:`."""

NOT_VALID = N_("This button is not valid.")
NOTHING_DECIDED = N_("Nothing was decided.")
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


# ---------------------------------------------------------------- ✏ and another branch


def _callback_id(update: Update, action: str) -> int | None:
    """`regd:<action>:<id>` → id; anything else → None."""
    query = update.callback_query
    parts = parse_callback(query.data if query is not None else None, DECISION_PREFIX)
    return parse_number(parts[1]) if len(parts) == 2 and parts[0] == action else None


class _OnAProposal(Dialog):
    """What the two dialogs a proposal's card starts share: the request they decide (checked
    again at every step: another chair may have decided it, the newcomer withdrawn it), the
    card they were started from, and how they end."""

    action: str
    interruption = True
    elsewhere = False
    """Whether the dialog approves on another branch (a closed branch's request may be), or
    only corrects a proposal."""

    async def decidable(
        self, db: Database, request_id: int, approver_id: int
    ) -> RegistrationRequest | DecisionError:
        return await registration.decidable(
            db,
            request_id,
            approver_id,
            proposal=not self.elsewhere,
            elsewhere=self.elsewhere,
        )

    def has_answers(self, data: dict[str, Any]) -> bool:
        return False

    async def begin(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        user = update.effective_user
        assert user is not None
        request_id = _callback_id(update, self.action)
        found = (
            await self.decidable(context.db, request_id, user.id)
            if request_id is not None
            else DecisionError.NOT_FOUND
        )
        if isinstance(found, DecisionError):
            await finish(context, self)
            await answer(update, decision_error_text(t, found), alert=True)
            return
        self.data(context).update(id=found.id, card=pressed_card(update))
        if not await self.starting(update, context, t, found):
            await finish(context, self)
            return
        await answer(update)
        await self.ask(update, context, t, found)

    async def starting(
        self, update: Update, context: BotContext, t: Translator, request: RegistrationRequest
    ) -> bool:
        """Whether the dialog can go on (else it has said why)."""
        return True

    async def ask(
        self,
        update: Update,
        context: BotContext,
        t: Translator,
        request: RegistrationRequest,
        *,
        note: str = "",
    ) -> None:
        raise NotImplementedError

    async def request(
        self, update: Update, context: BotContext, t: Translator
    ) -> RegistrationRequest | None:
        """The request, if it may still be decided; else the dialog ends saying why."""
        user = update.effective_user
        assert user is not None
        request_id = self.data(context).get("id")
        found = (
            await self.decidable(context.db, request_id, user.id)
            if isinstance(request_id, int)
            else DecisionError.NOT_FOUND
        )
        if isinstance(found, DecisionError):
            await answer(update)
            await self.end(update, context, decision_error_text(t, found))
            return None
        return found

    async def show(self, update: Update, context: BotContext, *, note: str = "") -> None:
        t = await tr(update, context)
        found = await self.request(update, context, t)
        if found is not None:
            await answer(update)
            await self.ask(update, context, t, found, note=note)

    async def decided(
        self, update: Update, context: BotContext, t: Translator, result: Decision
    ) -> None:
        """Approved: the card shows the decision (its buttons go), and the chair gets it here
        (in place of the list pressed, or under the name typed) with ↩ Undo."""
        text = await decided_text(context, t, result)
        card = self.data(context).get("card")
        chat = update.effective_chat
        if isinstance(card, int) and chat is not None:
            plain = await decided_text(context, t, result, undo=False)
            await updates.edit_text(context.bot, chat.id, card, plain)
        await finish(context, self)
        if update.callback_query is not None:
            await edit_or_reply(update, text, undo_markup(t, result.request.id))
        else:
            await reply(update, text, undo_markup(t, result.request.id))

    async def end(self, update: Update, context: BotContext, text: str) -> None:
        """Done without a decision: `text`, with the menu unless a dialog below asks again."""
        await finish(context, self)
        if on_screen(context) is None:
            await show_main_menu(update, context, text)
        else:
            await reply(update, text)

    async def leave(self, update: Update, context: BotContext) -> None:
        """✖ Cancel or /cancel: nothing is decided; the card keeps its buttons."""
        t = await tr(update, context)
        await answer(update)
        if update.callback_query is not None:
            await edit_or_reply(update, t.gettext(NOTHING_DECIDED))  # its ✖ goes
            await finish(context, self)
            if on_screen(context) is None:
                await show_main_menu(update, context, t.gettext("Choose a task below."))
            return
        await self.end(update, context, t.gettext(NOTHING_DECIDED))

    async def cancelled(self, update: Update, context: BotContext) -> None:
        await self.leave(update, context)

    def cancel_button(self, context: BotContext, t: Translator) -> InlineKeyboardButton:
        return self.button(context, t.gettext("✖ Cancel"), "x")


class FixName(_OnAProposal):
    """✏ Correct the name: the chair types the branch's name; the request is approved with
    the branch added under it (a name the commune has a branch of already: that branch)."""

    name = "regfix"
    title = N_("Correcting a proposed branch")
    action = FIX
    entry = Entry(patterns=(rf"^{DECISION_PREFIX}:{FIX}:[0-9]+$",))

    async def ask(
        self,
        update: Update,
        context: BotContext,
        t: Translator,
        request: RegistrationRequest,
        *,
        note: str = "",
    ) -> None:
        self.new_step(context)
        commune = await unit_store.get(context.db, request.unit_id)
        assert commune is not None and request.proposed_branch_name is not None
        lines = [note] if note else []
        lines.append(
            t.gettext(
                "{person} proposes the new branch {name} in {unit}. Type its correct name: "
                "the branch is added under it and {person} approved on it."
            ).format(
                person=request.full_name,
                name=request.proposed_branch_name,
                unit=unit_title(t, commune),
            )
        )
        markup = InlineKeyboardMarkup([[self.cancel_button(context, t)]])
        await reply(update, "\n".join(lines), markup)

    async def typed(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        user = update.effective_user
        assert update.message is not None and update.message.text is not None and user is not None
        request = await self.request(update, context, t)
        if request is None:
            return
        result = await registration.decide(
            context.db,
            request.id,
            user.id,
            approve=True,
            now=context.now(),
            name=update.message.text,
        )
        if isinstance(result, DecisionError):
            if result in (DecisionError.BAD_NAME, DecisionError.NAME_TAKEN):  # typed again
                await self.ask(update, context, t, request, note=decision_error_text(t, result))
            else:
                await self.end(update, context, decision_error_text(t, result))
            return
        await self.decided(update, context, t, result)

    async def stray(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        await self.show(update, context, note=t.gettext(NAME_PROBLEM))

    async def pressed(self, update: Update, context: BotContext, parts: list[str]) -> None:
        if parts == ["x"]:
            await self.leave(update, context)
            return
        t = await tr(update, context)
        await answer(update, t.gettext(NOT_VALID), alert=True)


class PickBranch(_OnAProposal):
    """Choose an existing branch: the commune's branches (paged, filtered by typing); the
    person is approved on the one chosen instead of the proposal, or of the branch asked for
    that has been closed since."""

    name = "regpick"
    title = N_("Choosing a branch for a request")
    action = PICK
    entry = Entry(patterns=(rf"^{DECISION_PREFIX}:{PICK}:[0-9]+$",))
    elsewhere = True

    def _question(
        self, t: Translator, request: RegistrationRequest, note: str = ""
    ) -> UnitQuestion:
        def title(parent: Unit) -> str:
            if request.proposed_branch_name is None:  # asked for a branch closed since
                text = t.gettext(
                    "The branch {person} asked for has been closed. Which branch of {unit} "
                    "should {person} join instead?"
                ).format(unit=unit_title(t, parent), person=request.full_name)
            else:
                text = t.gettext(
                    "Which branch of {unit} should {person} join, instead of the proposed "
                    "{name}?"
                ).format(
                    unit=unit_title(t, parent),
                    person=request.full_name,
                    name=request.proposed_branch_name,
                )
            return f"{note}\n{text}" if note else text

        return UnitQuestion(self, title=title, levels=(Level.BRANCH,), cancel="x")

    async def _commune(self, context: BotContext, request: RegistrationRequest) -> Unit:
        """The commune whose branches are offered: the one proposed in, or the closed
        branch's."""
        unit = await unit_store.get(context.db, request.unit_id)
        assert unit is not None
        if unit.level is not Level.COMMUNE and unit.parent_id is not None:
            unit = await unit_store.get(context.db, unit.parent_id)
            assert unit is not None
        return unit

    async def starting(
        self, update: Update, context: BotContext, t: Translator, request: RegistrationRequest
    ) -> bool:
        commune = await self._commune(context, request)
        if await unit_store.count_children(context.db, commune.id) == 0:
            text = t.gettext("{unit} has no branches in the list yet.")
            await answer(update, text.format(unit=unit_title(t, commune)), alert=True)
            return False
        self._question(t, request).begin(context, commune)
        return True

    async def ask(
        self,
        update: Update,
        context: BotContext,
        t: Translator,
        request: RegistrationRequest,
        *,
        note: str = "",
    ) -> None:
        if PICKER not in self.data(context):
            self._question(t, request).begin(context, await self._commune(context, request))
        await self._question(t, request, note).show(update, context, t)

    async def typed(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        assert update.message is not None and update.message.text is not None
        request = await self.request(update, context, t)
        if request is not None:
            await self._question(t, request).typed(update, context, t, update.message.text)

    async def pressed(self, update: Update, context: BotContext, parts: list[str]) -> None:
        t = await tr(update, context)
        user = update.effective_user
        assert user is not None
        if parts == ["x"]:
            await self.leave(update, context)
            return
        if not unit_question.is_press(parts):
            await answer(update, t.gettext(NOT_VALID), alert=True)
            return
        request = await self.request(update, context, t)
        if request is None:
            return
        branch = await self._question(t, request).pressed(update, context, t, parts)
        if branch is None:
            return
        result = await registration.decide(
            context.db, request.id, user.id, approve=True, now=context.now(), existing=branch
        )
        if isinstance(result, DecisionError):
            await self.end(update, context, decision_error_text(t, result))
            return
        await self.decided(update, context, t, result)


FIX_NAME = FixName()
PICK_BRANCH = PickBranch()
DIALOGS = (FIX_NAME, PICK_BRANCH)


def build() -> list[BaseHandler[Update, BotContext, Any]]:
    return [CallbackQueryHandler(decide, pattern=rf"^{DECISION_PREFIX}:")]
