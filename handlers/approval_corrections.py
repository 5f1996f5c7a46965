"""✏ Correct the name, and choose another branch: a chair approves a request on a branch other
than the one its card names.

Two short dialogs, each on top of whatever the chair has open, started from a card's buttons
(`handlers.approvals`, which decides the rest):

- `FixName` (✏ Correct the name, on a proposal's card): the chair types the branch's name, and
  the request is approved with the branch added under that name (a name the commune has a
  branch of already: that branch);
- `PickBranch` (Choose an existing branch; on the card of a request for a branch closed since,
  Choose another branch of the commune): the commune's branches by the unit picker, and the
  person is approved on the one chosen; nothing is added.

Each checks the request again at every step (another chair may have decided it, the newcomer
withdrawn it); once approved, the card shows the decision and the chair gets ↩ Undo. They
start from `regd:ed:<id>` and `regd:ex:<id>`.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import updates
from bot.i18n import N_, Translator
from bot.numbers import parse_number
from bot.services import registration
from bot.services.registration import Decision, DecisionError
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import Level, RegistrationRequest, Unit
from handlers import unit_question
from handlers.approvals import (
    DECISION_PREFIX,
    FIX,
    NAME_PROBLEM,
    NOT_VALID,
    PICK,
    decided_text,
    decision_error_text,
    pressed_card,
    undo_markup,
)
from handlers.common import (
    BotContext,
    answer,
    edit_or_reply,
    parse_callback,
    reply,
    show_main_menu,
    tr,
    unit_title,
)
from handlers.dialogs import Dialog, Entry, finish, on_screen
from handlers.unit_question import PICKER, UnitQuestion

NOTHING_DECIDED = N_("Nothing was decided.")


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
                    "Which branch of {unit} should {person} join, instead of the proposed {name}?"
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
