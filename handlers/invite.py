"""/invite: a chair creates a one-time link that registers someone with a role on a unit.

The roles offered are those the map beneath the chair has units for (no district chair where
there is no middle level), named as they are called there (an area coordinator on areas)."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup, Update

from bot.i18n import N_, Translator
from bot.services import invites, scopes
from bot.services.invites import InviteProblem
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.models import ROLE_LEVEL, Level, Role, Unit, UnitKind
from handlers import branch_adding, picker, unit_question
from handlers.common import (
    MENU_INVITE,
    BotContext,
    answer,
    edit_or_reply,
    middle_role_label,
    reply,
    role_label,
    show_main_menu,
    tr,
    unit_address,
    unit_title,
)
from handlers.dialogs import Dialog, Entry, finish
from handlers.start import invite_problem_text
from handlers.unit_question import PICKER, UnitQuestion

ROLE, UNIT = "role", "unit"
"""Where the dialog stands (`data["at"]`): the role to invite to, then its unit."""


class Invite(Dialog):
    """The role (below one's own), then the unit (in one's scope, of that role's level), then
    the link."""

    name = "inv"
    title = N_("Invite people")
    entry = Entry(commands=("invite", "moi"), menu=MENU_INVITE)

    def has_answers(self, data: dict[str, Any]) -> bool:
        return False  # a role and a few taps: nothing typed to lose

    async def _roles(self, update: Update, context: BotContext) -> list[Role]:
        assert update.effective_user is not None
        return await invites.invitable_roles(context.db, update.effective_user.id)

    async def _middle_kinds(self, update: Update, context: BotContext) -> list[UnitKind]:
        """What the middle-level units within reach are (districts, areas), to name their
        chair's role."""
        assert update.effective_user is not None
        top = scopes.highest(await people.grants_of(context.db, update.effective_user.id))
        if top is None:
            return []
        middles = await unit_store.beneath(context.db, top.unit, [Level.DISTRICT])
        return [unit.kind for unit in middles]

    async def _label(self, update: Update, context: BotContext, t: Translator, role: Role) -> str:
        if role is Role.DISTRICT_CHAIR:
            return middle_role_label(t, await self._middle_kinds(update, context))
        return role_label(t, role)

    async def begin(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        await answer(update)
        if not await self._roles(update, context):
            await finish(context, self)
            await reply(update, t.gettext("Only chairs can invite people."))
            return
        await self.ask_role(update, context, t)

    async def ask_role(
        self,
        update: Update,
        context: BotContext,
        t: Translator,
        *,
        note: str = "",
        edit: bool = False,
    ) -> None:
        roles = await self._roles(update, context)
        if not roles:
            await finish(context, self)
            await show_main_menu(update, context, t.gettext("Only chairs can invite people."))
            return
        data = self.data(context)
        data.clear()
        data["at"] = ROLE
        self.new_step(context)
        rows = [
            [self.button(context, await self._label(update, context, t, role), "r", role.value)]
            for role in reversed(roles)
        ]
        rows.append([self.button(context, t.gettext("✖ Cancel"), "x")])
        text = t.gettext("Whom do you want to invite?")
        text = f"{note}\n{text}" if note else text
        if edit:
            await edit_or_reply(update, text, InlineKeyboardMarkup(rows))
        else:
            await reply(update, text, InlineKeyboardMarkup(rows))

    # -- the unit -------------------------------------------------------------------

    def _title(self, t: Translator, role: str, note: str = "") -> picker.Title:
        def title(parent: Unit) -> str:
            text = t.gettext("Invite a {role}: choose the unit in {unit}.").format(
                role=role, unit=unit_title(t, parent)
            )
            return f"{note}\n{text}" if note else text

        return title

    async def _unit_question(
        self, update: Update, context: BotContext, t: Translator, role: Role, note: str = ""
    ) -> UnitQuestion:
        """The unit of `role`'s level, with ➕ on a commune with no branch yet (inviting
        someone to a branch)."""
        assert update.effective_user is not None
        levels = (ROLE_LEVEL[role],)
        label = await self._label(update, context, t, role)
        return UnitQuestion(
            self,
            title=self._title(t, label, note),
            levels=levels,
            cancel="x",
            when_empty=branch_adding.when_empty(context.db, t, update.effective_user.id, levels),
        )

    async def show_picker(
        self,
        update: Update,
        context: BotContext,
        t: Translator,
        role: Role,
        *,
        note: str = "",
        edit: bool = False,
    ) -> None:
        self.data(context)["at"] = UNIT
        asked = await self._unit_question(update, context, t, role, note)
        await asked.show(update, context, t, edit=edit)

    def _role(self, context: BotContext) -> Role | None:
        value = self.data(context).get("role")
        return next((role for role in Role if role.value == value), None)

    # -- the dialog -----------------------------------------------------------------

    async def show(self, update: Update, context: BotContext, *, note: str = "") -> None:
        t = await tr(update, context)
        data = self.data(context)
        role = self._role(context)
        if data.get("at") == UNIT and role is not None and PICKER in data:
            await self.show_picker(update, context, t, role, note=note)
        else:
            await self.ask_role(update, context, t, note=note)

    async def typed(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        assert update.message is not None and update.message.text is not None
        data = self.data(context)
        role = self._role(context)
        if data.get("at") == UNIT and role is not None and PICKER in data:
            asked = await self._unit_question(update, context, t, role)
            await asked.typed(update, context, t, update.message.text)
            return
        await self.show(update, context, note=t.gettext("Please choose one of the buttons."))

    async def pressed(self, update: Update, context: BotContext, parts: list[str]) -> None:
        t = await tr(update, context)
        data = self.data(context)
        if parts == ["x"]:
            await answer(update)
            await finish(context, self)
            await edit_or_reply(update, t.gettext("Cancelled."))
            return
        if data.get("at") == ROLE and parts[:1] == ["r"]:
            roles = await self._roles(update, context)
            role = next((r for r in roles if parts == ["r", r.value]), None)
            if role is None:
                await answer(update, t.gettext("This button is not valid."), alert=True)
                return
            await answer(update)
            assert update.effective_user is not None
            top = scopes.highest(await people.grants_of(context.db, update.effective_user.id))
            assert top is not None
            data["role"] = role.value
            (await self._unit_question(update, context, t, role)).begin(context, top.unit)
            await self.show_picker(update, context, t, role, edit=True)
            return
        role = self._role(context)
        if data.get("at") == UNIT and role is not None and unit_question.is_press(parts):
            asked = await self._unit_question(update, context, t, role)
            unit = await asked.pressed(update, context, t, parts)
            if unit is not None:
                await self._create(update, context, t, role, unit)
            return
        await answer(update, t.gettext("This button is not valid."), alert=True)

    async def cancelled(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        await finish(context, self)
        await show_main_menu(update, context, t.gettext("Cancelled."))

    async def _create(
        self, update: Update, context: BotContext, t: Translator, role: Role, unit: Unit
    ) -> None:
        """The service checks the role and the unit again; the link replaces the picker."""
        user = update.effective_user
        assert user is not None
        await finish(context, self)
        invite = await invites.create_invite(
            context.db,
            user.id,
            role,
            unit,
            context.now(),
            ttl_days=context.runtime.settings.invite_ttl_days,
        )
        if isinstance(invite, InviteProblem):
            await edit_or_reply(update, invite_problem_text(t, invite))
            return
        link = f"https://t.me/{context.bot.username}?start={invite.code}"
        await edit_or_reply(
            update,
            t.gettext(
                "Invite for {role} of {unit}.\nSend this link to the person; it works once and "
                "expires on {date}:\n{link}"
            ).format(
                role=role_label(t, role, unit),
                unit=await unit_address(t, context.db, unit),
                date=t.datetime(invite.expires_at, context.runtime.settings.tz),
                link=link,
            ),
        )


INVITE = Invite()
DIALOGS = (INVITE,)
