"""Registration: /start, self-registration with a chair's approval, and invite links.

One dialog, `registration` (`Registration`), asks what registering needs:

- first, for someone who has not accepted it yet, the privacy notice (`handlers.privacy`):
  registering goes on only after ✅ I agree, which is recorded on the person;
- `/start`: the full name, then down the map by buttons to a branch (`handlers.branch_choice`);
  the request goes to the chairs who approve it (`registration.approvers_for`);
- `/start CODE` (an invite link): the notice, then only the name; the invite's role is granted
  at once;
- `regr:b:<id>` ("🔁 Choose another branch" under the person's waiting request,
  `handlers.waiting_request`): down the map again, the name kept; the old request is replaced
  only when a new branch is chosen, so giving up half-way leaves it waiting. For a request
  whose branch has been closed since, the walk starts at that commune's other branches.
- a branch that is not in the list: the newcomer proposes it (`handlers.branch_proposal`).

The steps live in those modules as the dialog's bases (`ChoosingBranch`, `ProposingBranch`), so
this one holds the entry, the name, the notice and what is sent; the access gate counts a
person as registering exactly while this dialog is on screen. Its buttons are the engine's
(`registration:<step>:u:<id>`, `…:p:<page>`, `…:b`, `…:cancel`, `…:agree` under the notice,
`…:iname` for an invite's offered name, `…:new:<commune id>`, then `…:join:<id>`,
`…:k:<kind>`, `…:back` for a proposal). The chairs' decision is `handlers.approvals`.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup, ReplyKeyboardRemove, Update

from bot.i18n import N_, Translator
from bot.numbers import parse_number
from bot.services import invites, privacy, registration
from bot.services.invites import InviteProblem
from bot.services.registration import (
    NameProblem,
    Proposal,
    RequestProblem,
    Standing,
    Submitted,
)
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.models import RegistrationRequest, Unit
from handlers.branch_choice import PICK, picking_trail
from handlers.branch_proposal import PROPOSE_KIND, PROPOSE_NAME, ProposingBranch
from handlers.branches import ask_whom
from handlers.common import (
    REGISTRATION_DIALOG,
    BotContext,
    answer,
    command_or_menu,
    edit_or_reply,
    parse_callback,
    reply,
    role_label,
    show_main_menu,
    tr,
    unit_address,
    unit_title,
)
from handlers.dialogs import Entry, finish
from handlers.privacy import AGREE, LEAVE, notice_text, offer_notice
from handlers.screens import NOT_VALID
from handlers.waiting_request import REQUEST_PREFIX, request_problem_text, show_waiting

NAME, INVITE_NAME = "name", "invite_name"
NOTICE, INVITE_NOTICE = "notice", "invite_notice"
"""The privacy notice, before the name (of a registration, of an invite's)."""
SELF, INVITE, MOVE = "self", "invite", "move"  # how the dialog was started

TYPE_YOUR_NAME = N_("Please type your full name, for example: Nguyen Van An.")
# After these the answer itself points at the question above: no second copy of it.
_POINTS_ABOVE = frozenset({"help", "trogiup", "language", "ngonngu"})


def forget_registration(context: BotContext) -> None:
    """Drop the `registering` mark an older version kept in user_data: the gate now reads the
    dialog on screen, so a mark left behind must not count."""
    context.data.pop("registering", None)


def name_problem_text(t: Translator, problem: NameProblem) -> str:
    reasons = {
        NameProblem.TOO_SHORT: t.gettext("That name is too short."),
        NameProblem.TOO_LONG: t.gettext("That name is too long (at most 100 characters)."),
        NameProblem.NOT_A_NAME: t.gettext("A name has only letters and spaces."),
    }
    return reasons[problem] + " " + t.gettext(TYPE_YOUR_NAME)


def invite_problem_text(t: Translator, problem: InviteProblem) -> str:
    texts = {
        InviteProblem.NOT_FOUND: t.gettext(
            "This invite link is not valid. Ask the person who invited you for a new link, "
            "or send /start to register yourself."
        ),
        InviteProblem.EXPIRED: t.gettext(
            "This invite link has expired. Ask the person who invited you for a new link."
        ),
        InviteProblem.USED: t.gettext(
            "This invite link has already been used. Each link works once; ask for a new one."
        ),
        InviteProblem.NOT_ALLOWED: t.gettext("You cannot create this invite."),
        InviteProblem.ALREADY_REGISTERED: t.gettext("You are already registered."),
        InviteProblem.BRANCH_CLOSED: t.gettext(
            "This invite link no longer works: its branch has been closed. Ask the chair of "
            "your commune for a link to another branch, or send /start to register yourself."
        ),
    }
    return texts[problem]


async def invite_refusal(
    context: BotContext, t: Translator, code: str, problem: InviteProblem
) -> str:
    """Why an invite link gives nothing; for a branch closed since, which one, when, and whom
    to ask (the commune's chairs by name)."""
    unit = await invites.invite_unit(context.db, code)
    if (
        problem is not InviteProblem.BRANCH_CLOSED
        or unit is None
        or unit.valid_to is None
        or unit.parent_id is None
    ):
        return invite_problem_text(t, problem)
    commune = await unit_store.get(context.db, unit.parent_id)
    where = await unit_address(t, context.db, commune) if commune is not None else "?"
    text = t.gettext(
        "This invite link was for {unit} ({commune}), which was closed on {date}, so it no "
        "longer works. {ask} Or send /start to register yourself and choose your branch."
    )
    return text.format(
        unit=unit_title(t, unit),
        commune=where,
        date=t.date(unit.valid_to),
        ask=await ask_whom(context.db, t, unit),
    )


def _start_argument(update: Update) -> str | None:
    """`/start CODE` → CODE (an invite link opens the chat with it); plain `/start` → None."""
    message = update.effective_message
    words = (message.text or "").split() if message is not None else []
    return words[1] if len(words) > 1 and words[0].lower().startswith("/start") else None


# ---------------------------------------------------------------- the dialog


class Registration(ProposingBranch):
    """/start: the name, then the branch; or an invite's name; or another branch."""

    name = REGISTRATION_DIALOG
    title = N_("Registration")
    entry = Entry(commands=("start",), patterns=(rf"^{REQUEST_PREFIX}:b:[0-9]+$",))

    def has_answers(self, data: dict[str, Any]) -> bool:
        """Never "put aside": /start again begins again, as it always did, and only registered
        people can take a draft up again."""
        return False

    # -- starting ------------------------------------------------------------------------

    async def begin(self, update: Update, context: BotContext) -> None:
        if update.callback_query is not None:
            await self.begin_move(update, context)
            return
        t = await tr(update, context)
        user = update.effective_user
        assert user is not None
        db = context.db
        current = await registration.standing(db, user.id)
        code = _start_argument(update)
        if code is not None:
            await self.begin_invite(update, context, t, code, current)
            return
        if current is Standing.REGISTERED:
            await finish(context, self)
            stored = await people.get_user(db, user.id)
            name = stored.full_name if stored and stored.full_name else user.full_name
            await show_main_menu(
                update,
                context,
                t.gettext("Welcome back, {name}! Choose a task below.").format(name=name),
            )
            await offer_notice(update, context)  # once, to people in before the notice
            return
        if current is Standing.PENDING:
            await finish(context, self)
            await show_waiting(update, context, t)
            return
        if await privacy.needs_acceptance(db, user.id):
            self.data(context).update(mode=SELF, step=NOTICE)
            await self._ask_notice(update, context, t)
            return
        await self._ask_self_name(update, context, t)

    async def _ask_self_name(self, update: Update, context: BotContext, t: Translator) -> None:
        self.data(context).update(mode=SELF, step=NAME)
        await self._ask_name(
            update,
            context,
            t,
            t.gettext(
                "Welcome to the bot of the Association for the Promotion of Learning!\n"
                "To register, please type your full name, for example: Nguyen Van An."
            ),
        )

    async def begin_invite(
        self, update: Update, context: BotContext, t: Translator, code: str, current: Standing
    ) -> None:
        db = context.db
        if current is Standing.REGISTERED:
            await finish(context, self)
            await show_main_menu(
                update, context, invite_problem_text(t, InviteProblem.ALREADY_REGISTERED)
            )
            return
        checked = await invites.check_invite(db, code, context.now())
        if isinstance(checked, InviteProblem):
            await finish(context, self)  # this ends a registration under way too
            await reply(update, await invite_refusal(context, t, code, checked))
            return
        unit = await unit_store.get(db, checked.unit_id)
        assert unit is not None
        assert update.effective_user is not None
        if await privacy.needs_acceptance(db, update.effective_user.id):
            self.data(context).update(mode=INVITE, step=INVITE_NOTICE, invite=checked.code)
            invited = t.gettext("You are invited as {role} of {unit}.").format(
                role=role_label(t, checked.role, unit), unit=await unit_address(t, db, unit)
            )
            await self._ask_notice(update, context, t, intro=invited)
            return
        self.data(context).update(mode=INVITE, step=INVITE_NAME, invite=checked.code)
        if checked.full_name:  # a rollout's personal invite: the name is offered (`_ask_name`)
            self.data(context)["offered"] = checked.full_name
            await self._ask_name(
                update,
                context,
                t,
                t.gettext(
                    "Welcome! You are invited as {role} of {unit}.\n"
                    "Are you {name}? Press ✅ to register under this name, or type your full "
                    "name."
                ).format(
                    role=role_label(t, checked.role, unit),
                    unit=await unit_address(t, db, unit),
                    name=checked.full_name,
                ),
            )
            return
        await self._ask_name(
            update,
            context,
            t,
            t.gettext(
                "Welcome! You are invited as {role} of {unit}.\n"
                "Please type your full name, for example: Nguyen Van An."
            ).format(role=role_label(t, checked.role, unit), unit=await unit_address(t, db, unit)),
        )

    async def begin_move(self, update: Update, context: BotContext) -> None:
        """`regr:b:<id>`: choose the branch again for a request that waits."""
        t = await tr(update, context)
        user = update.effective_user
        assert update.callback_query is not None and user is not None
        parts = parse_callback(update.callback_query.data, REQUEST_PREFIX)
        request_id = parse_number(parts[1]) if len(parts) == 2 else None
        found: RegistrationRequest | RequestProblem = (
            await registration.own_waiting_request(context.db, user.id, request_id)
            if request_id is not None
            else RequestProblem.NOT_FOUND
        )
        if isinstance(found, RequestProblem):
            await finish(context, self)
            await answer(update, request_problem_text(t, found), alert=True)
            return
        await answer(update)
        self.data(context).update(
            mode=MOVE, request=found.id, name=found.full_name, step=PICK, trail=[], query="", page=0
        )
        closed = await registration.closed_branch_of(context.db, found)
        commune = (
            await unit_store.get(context.db, closed.parent_id)
            if closed is not None and closed.parent_id is not None
            else None
        )
        if closed is not None and commune is not None and commune.active:
            intro = t.gettext(
                "{branch} has been closed. Choose another branch of {commune} (⬅ Back for "
                "another commune). Your request #{number} keeps waiting until you have chosen."
            ).format(branch=unit_title(t, closed), commune=unit_title(t, commune), number=found.id)
            await self._start_at(update, context, t, commune, intro=intro)
            return
        await self._show_step(
            update,
            context,
            t,
            intro=t.gettext(
                "Choose the branch to ask for instead. Your request #{number} keeps waiting "
                "until you have chosen."
            ).format(number=found.id),
        )

    # -- asking --------------------------------------------------------------------------

    async def _ask_name(
        self, update: Update, context: BotContext, t: Translator, text: str
    ) -> None:
        """The name question; an invite made for a named person offers that name as ✅."""
        self.new_step(context)
        data = self.data(context)
        rows = [self._cancel_row(context, t)]
        offered = data.get("offered")
        if data.get("step") == INVITE_NAME and isinstance(offered, str):
            rows.insert(0, [self.button(context, f"✅ {offered}", "iname")])
        await reply(update, text, InlineKeyboardMarkup(rows))

    async def _ask_notice(
        self,
        update: Update,
        context: BotContext,
        t: Translator,
        *,
        intro: str = "",
        note: str = "",
        again: bool = False,
    ) -> None:
        """The privacy notice, with ✅ I agree and the way out; nothing goes on without it.
        `again` (something typed instead): only `note` and the same buttons, the notice's
        own still valid."""
        if not again:
            self.new_step(context)
        lines = [note] if note else []
        if not again:
            lines.append(
                intro
                or t.gettext("Before you register, please read how the bot handles personal data.")
            )
            lines.append(notice_text(t))
            lines.append(
                t.gettext(
                    "Next you will type your full name and choose your branch. Press ✅ I agree "
                    "to go on."
                )
            )
        markup = InlineKeyboardMarkup(
            [
                [self.button(context, t.gettext(AGREE), "agree")],
                [self.button(context, t.gettext(LEAVE), "cancel")],
            ]
        )
        await reply(update, "\n".join(lines), markup)

    async def _agreed(self, update: Update, context: BotContext, t: Translator) -> None:
        """✅ I agree: recorded on the person, then the name (an invite's checked again)."""
        user = update.effective_user
        assert user is not None
        data = self.data(context)
        await privacy.accept_notice(context.db, user.id, context.now(), language=t.lang)
        await edit_or_reply(update, notice_text(t) + "\n" + t.gettext("✅ You agreed."))
        if data.get("step") == NOTICE:
            await self._ask_self_name(update, context, t)
            return
        code = str(data.get("invite", ""))
        checked = await invites.check_invite(context.db, code, context.now())
        if isinstance(checked, InviteProblem):
            await finish(context, self)
            await reply(update, await invite_refusal(context, t, code, checked))
            return
        await self.begin_invite(
            update, context, t, checked.code, await registration.standing(context.db, user.id)
        )

    async def show(self, update: Update, context: BotContext, *, note: str = "") -> None:
        if note and command_or_menu(update) in _POINTS_ABOVE:
            return  # /help and /language while registering: "answer the question above"
        t = await tr(update, context)
        data = self.data(context)
        step = data.get("step")
        if step in (NOTICE, INVITE_NOTICE):
            await answer(update)
            await self._ask_notice(update, context, t, note=note)
        elif step in (NAME, INVITE_NAME):
            text = t.gettext(TYPE_YOUR_NAME)
            await self._ask_name(update, context, t, f"{note}\n{text}" if note else text)
        elif step in (PROPOSE_NAME, PROPOSE_KIND):
            await answer(update)
            await self._ask_proposal(update, context, t, note=note)
        elif picking_trail(data) is not None:
            await answer(update)
            await self._show_step(update, context, t, intro=note)
        else:
            await self._lost(update, context, t)

    # -- answers -------------------------------------------------------------------------

    async def typed(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        assert update.message is not None and update.message.text is not None
        text = update.message.text
        data = self.data(context)
        step = data.get("step")
        if step in (NOTICE, INVITE_NOTICE):
            note = t.gettext(
                "Please press ✅ I agree under the notice to go on, or ✖ No, leave to stop."
            )
            await self._ask_notice(update, context, t, note=note, again=True)
            return
        if step in (NAME, INVITE_NAME):
            name, problem = registration.check_full_name(text)
            if problem is not None:
                await self._ask_name(update, context, t, name_problem_text(t, problem))
            elif step == INVITE_NAME:
                await self._redeem(update, context, t, name)
            else:
                data.update(name=name, step=PICK, trail=[], query="", page=0)
                intro = t.gettext("Thank you, {name}.").format(name=name)
                await self._show_step(update, context, t, intro=intro)
            return
        if step in (PROPOSE_NAME, PROPOSE_KIND):
            await self._proposal_typed(update, context, t, text)
            return
        if picking_trail(data) is not None:
            data.update(query=text.strip()[:50], page=0)
            await self._show_step(update, context, t)
            return
        await self.show(update, context)

    async def pressed(self, update: Update, context: BotContext, parts: list[str]) -> None:
        t = await tr(update, context)
        if parts == ["cancel"]:
            await answer(update)
            await self.cancelled(update, context)
            return
        data = self.data(context)
        offered = data.get("offered")
        if parts == ["iname"] and data.get("step") == INVITE_NAME and isinstance(offered, str):
            await answer(update)
            await self._redeem(update, context, t, offered)
            return
        if data.get("step") in (NOTICE, INVITE_NOTICE):
            if parts != ["agree"]:
                await answer(update, t.gettext(NOT_VALID), alert=True)
                return
            await answer(update)
            await self._agreed(update, context, t)
            return
        if data.get("step") in (PROPOSE_NAME, PROPOSE_KIND):
            await self._proposal_pressed(update, context, t, parts)
            return
        if parts[:1] == ["new"] and data.get("step") == PICK:
            await self._begin_proposal(update, context, t, parts)
            return
        await self._pick_pressed(update, context, t, parts)

    async def _submit(
        self,
        update: Update,
        context: BotContext,
        t: Translator,
        branch: Unit,
        proposal: Proposal | None = None,
    ) -> None:
        """Send the request (or the replacing one); with a `proposal`, `branch` is its
        commune. The draft goes only once it is filed: if filing fails, one more tap on the
        branch finishes."""
        user = update.effective_user
        assert user is not None
        data = self.data(context)
        db = context.db
        address = await unit_address(t, db, branch)
        if proposal is not None:
            address = t.gettext("the new branch {name} of {unit}").format(
                name=proposal.name, unit=address
            )
        if data.get("mode") == MOVE:
            replaced = await registration.replace_request(
                db, user.id, int(data["request"]), branch, context.now(), proposal=proposal
            )
            await finish(context, self)
            if isinstance(replaced, RequestProblem):
                await edit_or_reply(update, request_problem_text(t, replaced))
                return
            submitted: Submitted = replaced
            if not submitted.created:
                await edit_or_reply(
                    update,
                    t.gettext(
                        "Your request to join {unit} is still waiting; nothing was changed."
                    ).format(unit=address),
                )
                return
        else:
            submitted = await registration.submit_request(
                db,
                user.id,
                str(data["name"]),
                branch,
                context.now(),
                language=t.lang,
                proposal=proposal,
            )
            await finish(context, self)
        await edit_or_reply(
            update,
            t.gettext(
                "Your request to join {unit} has been sent to the chairs. "
                "You will get a message here as soon as it is approved."
            ).format(unit=address),
        )

    async def _redeem(self, update: Update, context: BotContext, t: Translator, name: str) -> None:
        user = update.effective_user
        assert user is not None
        code = str(self.data(context).get("invite", ""))
        result = await invites.redeem_invite(
            context.db, code, user.id, name, context.now(), language=t.lang
        )
        await finish(context, self)
        if isinstance(result, InviteProblem):
            await reply(update, await invite_refusal(context, t, code, result))
            return
        await show_main_menu(
            update,
            context,
            t.gettext("Welcome, {name}! You are now {role} of {unit}. Choose a task below.").format(
                name=name,
                role=role_label(t, result.role, result.unit),
                unit=await unit_address(t, context.db, result.unit),
            ),
        )

    async def cancelled(self, update: Update, context: BotContext) -> None:
        """/cancel or ✖ Cancel: nothing is sent; choosing another branch leaves the request
        that waits as it was, and says so."""
        t = await tr(update, context)
        moving = self.data(context).get("mode") == MOVE
        await finish(context, self)
        pressed = update.callback_query is not None
        if moving and await show_waiting(
            update, context, t, note=t.gettext("Nothing was changed."), edit=pressed
        ):
            return
        text = t.gettext("Registration cancelled. Send /start whenever you want to begin again.")
        if pressed:
            await edit_or_reply(update, text)
        else:
            await reply(update, text, ReplyKeyboardRemove())


FLOW = Registration()
DIALOGS = (FLOW,)
