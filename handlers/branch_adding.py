"""Adding a branch: its two questions (the name, then the kind), and ➕ Add a branch here.

`AddingBranch` asks them for the commune in `data["commune"]` (checked against the person's
scope again at each step) and adds the branch, in force from today; a name the commune has a
branch of already is asked again. Two dialogs are built on it: `handlers.branches.Branches`,
the full /branches flow, whose ➕ adds to the list on screen; and `AddBranch`, a short
interruption started by the "➕ Add a branch here" button that a unit picker shows on a
commune with no branch yet (`when_empty`): a chair in the middle of a form adds the missing
branch there and then, and the form asks its question again with it. Anyone else is told who
adds branches.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.i18n import N_, Translator
from bot.numbers import parse_number
from bot.services import hierarchy, scopes
from bot.services.hierarchy import BranchNameTaken
from bot.services.reporting import local_today
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import BRANCH_KINDS, Level, Unit, UnitKind
from handlers import picker
from handlers.common import (
    KIND_LABELS,
    BotContext,
    answer,
    edit_or_reply,
    reply,
    show_main_menu,
    tr,
    unit_title,
)
from handlers.dialogs import Dialog, Entry, finish, on_screen
from handlers.screens import CHOOSE_A_BUTTON, NOT_VALID, cancelled_to_menu, show_screen

NAME, KIND = "name", "kind"
"""Where the adding questions stand (`data["at"]`); a dialog built on them has its own steps
besides."""

NAME_PROMPT = N_("Type the new branch's name, for example: Thon Dong.")
NAME_PROBLEM = N_("A branch name has 2 to 120 characters. Type the name, for example: Thon Dong.")


class AddingBranch(Dialog):
    """The questions that add a branch to the commune in `data["commune"]`: its name (typed),
    then its kind (buttons). Subclasses say what comes before (`back_from_name`) and after
    (`added`)."""

    back_from_name = False
    """Whether the name question has ⬅ Back (to the list of branches)."""

    async def commune(self, update: Update, context: BotContext) -> Unit | None:
        """The commune in the data, re-checked against the person's scope now."""
        commune_id = self.data(context).get("commune")
        commune = await unit_store.get(context.db, int(commune_id)) if commune_id else None
        if commune is None or commune.level is not Level.COMMUNE or update.effective_user is None:
            return None
        grants = await people.grants_of(context.db, update.effective_user.id)
        return commune if scopes.can_manage_branches(grants, commune) else None

    def way_out(
        self, context: BotContext, t: Translator, *, back: bool
    ) -> list[InlineKeyboardButton]:
        row = [self.button(context, t.gettext("⬅ Back"), "back")] if back else []
        return [*row, self.button(context, t.gettext("✖ Cancel"), "x")]

    async def ask_name(
        self,
        update: Update,
        context: BotContext,
        t: Translator,
        *,
        note: str = "",
        edit: bool = False,
    ) -> None:
        commune = await self.commune(update, context)
        if commune is None:
            await self.gone(update, context, t)
            return
        data = self.data(context)
        data["at"] = NAME
        self.new_step(context)
        lines = [
            t.gettext("New branch of {unit}.").format(unit=unit_title(t, commune)),
            t.gettext(NAME_PROMPT),
        ]
        buttons = InlineKeyboardMarkup([self.way_out(context, t, back=self.back_from_name)])
        await show_screen(update, lines, buttons, note=note, edit=edit)

    async def name_typed(self, update: Update, context: BotContext, t: Translator) -> None:
        assert update.message is not None and update.message.text is not None
        name = hierarchy.branch_name(update.message.text)
        if name is None:
            await self.ask_name(update, context, t, note=t.gettext(NAME_PROBLEM))
            return
        self.data(context)["name"] = name
        await self.ask_kind(update, context, t)

    async def ask_kind(
        self, update: Update, context: BotContext, t: Translator, *, note: str = ""
    ) -> None:
        data = self.data(context)
        name = data.get("name")
        if not isinstance(name, str):
            await self.ask_name(update, context, t, note=note)
            return
        data["at"] = KIND
        self.new_step(context)
        rows = [
            [self.button(context, t.gettext(KIND_LABELS[kind]), "k", kind.value)]
            for kind in BRANCH_KINDS
        ]
        rows.append(self.way_out(context, t, back=True))
        text = t.gettext("What kind of branch is {name}?").format(name=name)
        await show_screen(update, [text], InlineKeyboardMarkup(rows), note=note)

    async def kind_pressed(
        self, update: Update, context: BotContext, t: Translator, parts: list[str]
    ) -> None:
        user = update.effective_user
        assert user is not None
        kind = next((k for k in BRANCH_KINDS if parts == ["k", k.value]), None)
        name = self.data(context).get("name")
        if kind is None or not isinstance(name, str):
            await answer(update, t.gettext(NOT_VALID), alert=True)
            return
        commune = await self.commune(update, context)
        if commune is None:
            await answer(update)
            await self.gone(update, context, t)
            return
        await answer(update)
        try:
            branch = await hierarchy.create_branch(
                context.db,
                commune,
                name,
                UnitKind(kind),
                actor_id=user.id,
                since=local_today(context.now()),
            )
        except BranchNameTaken:
            self.data(context).pop("name", None)
            taken = t.gettext("{unit} already has a branch called {name}. Type another name.")
            note = taken.format(unit=unit_title(t, commune), name=name)
            await self.ask_name(update, context, t, note=note, edit=True)
            return
        self.data(context).pop("name", None)
        await self.added(update, context, t, commune, branch)

    async def adding_pressed(
        self, update: Update, context: BotContext, t: Translator, parts: list[str]
    ) -> None:
        """A press on the name or the kind question."""
        at = self.data(context).get("at")
        if parts == ["x"]:
            await self.cancel(update, context, t)
        elif parts == ["back"] and at == KIND:
            await answer(update)
            self.data(context).pop("name", None)
            await self.ask_name(update, context, t, edit=True)
        elif parts == ["back"] and at == NAME and self.back_from_name:
            await answer(update)
            await self.back(update, context, t)
        elif at == KIND and parts[:1] == ["k"]:
            await self.kind_pressed(update, context, t, parts)
        else:
            await answer(update, t.gettext(NOT_VALID), alert=True)

    async def show_adding(self, update: Update, context: BotContext, note: str) -> None:
        t = await tr(update, context)
        if self.data(context).get("at") == KIND:
            await self.ask_kind(update, context, t, note=note)
        else:
            await self.ask_name(update, context, t, note=note)

    # -- what the dialogs below say ---------------------------------------------------

    async def added(
        self, update: Update, context: BotContext, t: Translator, commune: Unit, branch: Unit
    ) -> None:
        raise NotImplementedError

    async def back(self, update: Update, context: BotContext, t: Translator) -> None:
        """⬅ Back on the name question."""
        await self.show(update, context)

    async def cancel(self, update: Update, context: BotContext, t: Translator) -> None:
        """✖ Cancel: the message keeps "Cancelled." without buttons."""
        await answer(update)
        await finish(context, self)
        await edit_or_reply(update, t.gettext("Cancelled."))

    async def gone(self, update: Update, context: BotContext, t: Translator) -> None:
        """The commune is out of reach now (a role taken away): nothing to add to."""
        await finish(context, self)
        await show_main_menu(update, context, t.gettext("Only chairs can manage branches."))

    async def cancelled(self, update: Update, context: BotContext) -> None:
        await cancelled_to_menu(self, update, context)

    def has_answers(self, data: dict[str, Any]) -> bool:
        return isinstance(data.get("name"), str)

    def summary(self, data: dict[str, Any]) -> str:
        name = data.get("name")
        return name if isinstance(name, str) else ""


class AddBranch(AddingBranch):
    """➕ Add a branch here, on a unit picker showing a commune with no branch: its name and
    kind, on top of the dialog that was choosing (a form, /invite), which then asks again."""

    name = "brnew"
    title = N_("New branch")
    entry = Entry(callbacks=("add",))
    """`brnew:add:<commune id>`, see `add_button`."""
    interruption = True

    async def begin(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        query = update.callback_query
        parts = (query.data or "").split(":") if query is not None else []
        commune_id = parse_number(parts[2]) if len(parts) == 3 else None
        self.data(context)["commune"] = commune_id
        if commune_id is None or await self.commune(update, context) is None:
            await finish(context, self)
            await answer(update, t.gettext(NOT_VALID), alert=True)
            return
        await answer(update)
        await self.ask_name(update, context, t)

    async def show(self, update: Update, context: BotContext, *, note: str = "") -> None:
        await self.show_adding(update, context, note)

    async def typed(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        if self.data(context).get("at") == NAME:
            await self.name_typed(update, context, t)
        else:
            await self.show(update, context, note=t.gettext(CHOOSE_A_BUTTON))

    async def pressed(self, update: Update, context: BotContext, parts: list[str]) -> None:
        t = await tr(update, context)
        await self.adding_pressed(update, context, t, parts)

    async def added(
        self, update: Update, context: BotContext, t: Translator, commune: Unit, branch: Unit
    ) -> None:
        """Done: the dialog below (if any) asks its question again, now with the branch."""
        await finish(context, self)
        text = t.gettext("✅ Added {unit}.").format(unit=unit_title(t, branch))
        await edit_or_reply(update, text)
        if on_screen(context) is None:
            await show_main_menu(update, context, t.gettext("Choose a task below."))

    async def cancel(self, update: Update, context: BotContext, t: Translator) -> None:
        await super().cancel(update, context, t)
        if on_screen(context) is None:
            await show_main_menu(update, context, t.gettext("Choose a task below."))

    async def cancelled(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        await finish(context, self)
        if on_screen(context) is None:
            await show_main_menu(update, context, t.gettext("Cancelled."))
        else:
            await reply(update, t.gettext("Cancelled."))


ADD_BRANCH = AddBranch()
DIALOGS = (ADD_BRANCH,)


def add_button(t: Translator, commune: Unit) -> InlineKeyboardButton:
    """The button that starts `AddBranch` for `commune`, whatever dialog shows it."""
    return InlineKeyboardButton(
        t.gettext("➕ Add a branch here"), callback_data=f"{ADD_BRANCH.name}:add:{commune.id}"
    )


def when_empty(
    db: Database, t: Translator, user_id: int, levels: Collection[Level]
) -> picker.WhenEmpty:
    """For a unit picker choosing among `levels`: on a commune with no branch to choose, a
    chair is offered to add one there and then; anyone else is told who adds branches."""

    async def offer(parent: Unit) -> picker.Empty:
        if parent.level is not Level.COMMUNE or Level.BRANCH not in levels:
            return picker.Empty()
        if scopes.can_manage_branches(await people.grants_of(db, user_id), parent):
            return picker.Empty(rows=[[add_button(t, parent)]])
        keepers = await hierarchy.branch_keepers(db, parent)
        unit = unit_title(t, keepers.unit or parent)
        if keepers.names:
            text = t.gettext(
                "Only a chair can add a branch. Ask {names} (chair of {unit}) to add it "
                "with /branches."
            )
            return picker.Empty(text.format(names=", ".join(keepers.names), unit=unit))
        text = t.gettext(
            "Only a chair can add a branch. Ask the chair of {unit} to add it with /branches."
        )
        return picker.Empty(text.format(unit=unit))

    return offer
