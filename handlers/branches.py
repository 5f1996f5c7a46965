"""/branches: a commune chair lists the commune's branches (chi hội), adds new ones, renames
and closes them.

`Branches` is the full /branches flow: a commune to choose for a chair above one, the list,
➕ to add a branch (its two questions, the name then the kind, are `handlers.branch_adding`'s,
shared with the "➕ Add a branch here" a unit picker offers on a commune with no branch).

In the list each branch is a button: its screen offers ✏ Rename (a typed name, checked as a
new branch's; the old one is kept as a former name, so searches still find it) and 🔒 Close
(asked once more; the rules are `bot.services.branch_changes`). The people with a role on a
closed branch are told (`tell_closed`); a report form refuses to start for them and says whom
to ask (`closed_refusal`). The question also counts what waits for the branch: registration
requests (their senders are asked to choose another branch) and unused invite links (revoked).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from telegram import InlineKeyboardMarkup, Update

from bot.i18n import N_, Translator
from bot.numbers import parse_number
from bot.services import branch_changes, hierarchy, scopes
from bot.services.branch_changes import BranchChangeError
from bot.services.reporting import local_today
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import ROLE_RANK, Grant, Level, Role, Unit
from bot.text import shorten
from handlers import placing, unit_question
from handlers.branch_adding import KIND, NAME, NAME_PROBLEM, AddingBranch
from handlers.common import (
    KIND_LABELS,
    MENU_BRANCHES,
    BotContext,
    answer,
    edit_or_reply,
    notify,
    reply,
    show_main_menu,
    tr,
    tr_for,
    unit_in_sentence,
    unit_title,
)
from handlers.dialogs import Entry, finish
from handlers.screens import CHOOSE_A_BUTTON, NOT_VALID, show_screen
from handlers.unit_question import PICKER, UnitQuestion

COMMUNE, LIST = "commune", "list"
BRANCH, RENAME, CLOSE = "branch", "rename", "close"
"""Where /branches stands (`data["at"]`), besides the adding questions' `NAME` and `KIND`."""

BRANCHES_SHOWN = 20
"""Branch buttons a page of the list (a commune has about ten; the text lists them all)."""
BRANCH_LABEL = 40


class Branches(AddingBranch):
    """/branches: the commune (a chair above communes chooses one: a district chair, an area
    coordinator, the province), its branches, ➕ to add one."""

    name = "br"
    title = N_("Branches")
    entry = Entry(commands=("branches", "chihoi"), menu=MENU_BRANCHES)
    back_from_name = True

    async def begin(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        user = update.effective_user
        assert user is not None
        await answer(update)
        top = scopes.highest(await people.grants_of(context.db, user.id))
        if top is None or top.rank < ROLE_RANK[Role.COMMUNE_CHAIR]:
            await finish(context, self)
            await reply(update, t.gettext("Only chairs can manage branches."))
            return
        data = self.data(context)
        if top.unit.level is Level.COMMUNE:
            data["commune"] = top.unit.id
            await self.show_list(update, context, t)
            return
        await placing.offer(update, context, t)  # branches of split communes to place
        self._commune_question(t).begin(context, top.unit)
        await self.show_picker(update, context, t)

    # -- the commune ----------------------------------------------------------------

    def _commune_question(self, t: Translator, note: str = "") -> UnitQuestion:
        def title(parent: Unit) -> str:
            text = t.gettext("Whose branches? Choose a commune in {unit}.")
            text = text.format(unit=unit_title(t, parent))
            return f"{note}\n{text}" if note else text

        return UnitQuestion(self, title=title, levels=(Level.COMMUNE,), cancel="x")

    async def show_picker(
        self,
        update: Update,
        context: BotContext,
        t: Translator,
        *,
        note: str = "",
        edit: bool = False,
    ) -> None:
        self.data(context)["at"] = COMMUNE
        await self._commune_question(t, note).show(update, context, t, edit=edit)

    # -- the list -------------------------------------------------------------------

    async def show_list(
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
        data["at"] = LIST
        data.pop("name", None)
        branches = await unit_store.children(context.db, commune.id)
        lines = [
            t.gettext("Branches of {unit}: {count}").format(
                unit=unit_title(t, commune), count=t.number(len(branches))
            )
        ]
        lines += [
            f"{number}. {branch.name} ({t.gettext(KIND_LABELS[branch.kind])})"
            for number, branch in enumerate(branches, start=1)
        ]
        if branches:
            lines.append(t.gettext("Tap a branch to rename or close it."))
        self.new_step(context)
        pages = max(1, -(-len(branches) // BRANCHES_SHOWN))
        page = min(max(0, int(data.get("page") or 0)), pages - 1)
        data["page"] = page
        shown = branches[page * BRANCHES_SHOWN : (page + 1) * BRANCHES_SHOWN]
        rows = [
            [self.button(context, f"🏘 {shorten(branch.name, BRANCH_LABEL)}", "b", branch.id)]
            for branch in shown
        ]
        paging = []
        if page > 0:
            paging.append(self.button(context, "◀", "pg", page - 1))
        if page < pages - 1:
            paging.append(self.button(context, "▶", "pg", page + 1))
        if paging:
            rows.append(paging)
        rows.append([self.button(context, t.gettext("➕ Add a branch"), "add")])
        last = [self.button(context, t.gettext("✔ Done"), "done")]
        if PICKER in data:  # another commune, for whoever chose this one
            last.insert(0, self.button(context, t.gettext("⬅ Back"), "back"))
        rows.append(last)
        await show_screen(update, lines, InlineKeyboardMarkup(rows), note=note, edit=edit)

    # -- one branch: rename, close ----------------------------------------------------

    async def _branch(
        self, update: Update, context: BotContext, t: Translator, *, at: str, edit: bool
    ) -> Unit | None:
        """The branch on screen if it may still be changed, the dialog now `at` one of its
        questions (each of them starts so); else the list, saying why."""
        user = update.effective_user
        assert user is not None
        branch_id = self.data(context).get("branch")
        unit = await unit_store.get(context.db, branch_id) if isinstance(branch_id, int) else None
        found = (
            await branch_changes.manageable(context.db, user.id, unit.id)
            if unit is not None and unit.parent_id == self.data(context).get("commune")
            else BranchChangeError.NOT_FOUND  # none, or one of another commune than the list's
        )
        if isinstance(found, BranchChangeError):
            await self._back_to_list(update, context, t, found, edit=edit)
            return None
        self.data(context)["at"] = at
        return found

    async def _back_to_list(
        self,
        update: Update,
        context: BotContext,
        t: Translator,
        error: BranchChangeError,
        *,
        edit: bool,
    ) -> None:
        self.data(context).pop("branch", None)
        if error is BranchChangeError.OUT_OF_SCOPE:
            await self.gone(update, context, t)
            return
        await self.show_list(update, context, t, note=change_error_text(t, error), edit=edit)

    async def show_branch(
        self,
        update: Update,
        context: BotContext,
        t: Translator,
        *,
        note: str = "",
        edit: bool = False,
    ) -> None:
        branch = await self._branch(update, context, t, at=BRANCH, edit=edit)
        if branch is None:
            return
        holders = await branch_changes.people_on(context.db, branch)
        former = [alias.name for alias in await unit_store.aliases(context.db, branch)]
        lines = [f"{unit_title(t, branch)} ({t.gettext(KIND_LABELS[branch.kind])})"]
        if branch.valid_from is not None:
            lines.append(
                t.gettext("In the bot since {date}.").format(date=t.date(branch.valid_from))
            )
        if former:
            lines.append(t.gettext("Former names: {names}").format(names=", ".join(former)))
        lines.append(
            t.gettext("People with a role on it: {count}").format(count=t.number(len(holders)))
        )
        self.new_step(context)
        rows = [
            [
                self.button(context, t.gettext("✏ Rename"), "rn"),
                self.button(context, t.gettext("🔒 Close the branch"), "cl"),
            ],
            [self.button(context, t.gettext("⬅ Back"), "back")],
        ]
        await show_screen(update, lines, InlineKeyboardMarkup(rows), note=note, edit=edit)

    async def ask_rename(
        self,
        update: Update,
        context: BotContext,
        t: Translator,
        *,
        note: str = "",
        edit: bool = False,
    ) -> None:
        branch = await self._branch(update, context, t, at=RENAME, edit=edit)
        if branch is None:
            return
        self.new_step(context)
        lines = [
            t.gettext(
                "The new name of {unit}? Type it, for example: Thon Dong Nam. A search by the "
                "old name will still find it."
            ).format(unit=unit_title(t, branch))
        ]
        buttons = InlineKeyboardMarkup([self.way_out(context, t, back=True)])
        await show_screen(update, lines, buttons, note=note, edit=edit)

    async def rename_typed(self, update: Update, context: BotContext, t: Translator) -> None:
        user = update.effective_user
        assert update.message is not None and update.message.text is not None and user is not None
        branch_id = self.data(context).get("branch")
        before = await unit_store.get(context.db, branch_id) if isinstance(branch_id, int) else None
        result = (
            await branch_changes.rename_branch(
                context.db, before.id, update.message.text, actor_id=user.id
            )
            if before is not None
            else BranchChangeError.NOT_FOUND
        )
        if result is BranchChangeError.NAME_INVALID:
            await self.ask_rename(update, context, t, note=t.gettext(NAME_PROBLEM))
            return
        commune = await self.commune(update, context)
        if result is BranchChangeError.NAME_TAKEN and commune is not None:
            taken = t.gettext("{unit} already has a branch called {name}. Type another name.")
            name = hierarchy.branch_name(update.message.text) or ""
            note = taken.format(unit=unit_title(t, commune), name=name)
            await self.ask_rename(update, context, t, note=note)
            return
        if isinstance(result, BranchChangeError):
            await self._back_to_list(update, context, t, result, edit=False)
            return
        assert before is not None
        self.data(context).pop("branch", None)
        note = (
            t.gettext(
                "✅ {old} is now called {new}; a search by the old name still finds it."
            ).format(old=unit_title(t, before), new=result.name)
            if result.name != before.name
            else t.gettext("Nothing was changed: that is its name already.")
        )
        await self.show_list(update, context, t, note=note)

    async def ask_close(self, update: Update, context: BotContext, t: Translator) -> None:
        branch = await self._branch(update, context, t, at=CLOSE, edit=True)
        if branch is None:
            return
        holders = await branch_changes.people_on(context.db, branch)
        lines = [
            t.gettext(
                "Close {unit} from today ({date})? It will no longer be offered when choosing a "
                "unit or registering, and takes no new reports. Everything reported there is "
                "kept and still counts in the statistics (earlier years still count the branch; "
                "from this year on it is not counted)."
            ).format(unit=unit_title(t, branch), date=t.date(local_today(context.now()))),
            t.gettext(
                "People with a role on it: {count}. They will be told, and can still read their "
                "reports and the statistics."
            ).format(count=t.number(len(holders))),
            *_waiting_lines(t, await branch_changes.waiting_on(context.db, branch, context.now())),
        ]
        self.new_step(context)
        rows = [
            [self.button(context, t.gettext("🔒 Yes, close it"), "yes")],
            [self.button(context, t.gettext("⬅ No, keep it"), "back")],
        ]
        await show_screen(update, lines, InlineKeyboardMarkup(rows), edit=True)

    async def close_confirmed(self, update: Update, context: BotContext, t: Translator) -> None:
        user = update.effective_user
        assert user is not None
        branch_id = self.data(context).get("branch")
        before = await unit_store.get(context.db, branch_id) if isinstance(branch_id, int) else None
        holders = await branch_changes.people_on(context.db, before) if before else []
        waiting = (
            await branch_changes.waiting_on(context.db, before, context.now()) if before else None
        )
        result = (
            await branch_changes.close_branch(
                context.db, before.id, actor_id=user.id, now=context.now()
            )
            if before is not None
            else BranchChangeError.NOT_FOUND
        )
        if isinstance(result, BranchChangeError):
            await self._back_to_list(update, context, t, result, edit=True)
            return
        self.data(context).pop("branch", None)
        note = t.gettext(
            "🔒 {unit} is closed. People told: {count}. Its reports are kept and still count."
        ).format(unit=unit_title(t, result), count=t.number(len(holders)))
        if waiting is not None and (waiting.requests or waiting.invites):
            done = t.gettext(
                "Registration requests waiting for it: {requests} (their senders are asked to "
                "choose another branch). Invite links revoked: {invites}."
            ).format(requests=t.number(waiting.requests), invites=t.number(waiting.invites))
            note = f"{note}\n{done}"
        await self.show_list(update, context, t, note=note, edit=True)

    async def branch_pressed(
        self, update: Update, context: BotContext, t: Translator, parts: list[str]
    ) -> None:
        """A press on a branch's screen, its rename question or its close question."""
        at = self.data(context).get("at")
        if at == BRANCH and parts == ["rn"]:
            await answer(update)
            await self.ask_rename(update, context, t, edit=True)
        elif at == BRANCH and parts == ["cl"]:
            await answer(update)
            await self.ask_close(update, context, t)
        elif at == BRANCH and parts == ["back"]:
            await answer(update)
            self.data(context).pop("branch", None)
            await self.show_list(update, context, t, edit=True)
        elif at in (RENAME, CLOSE) and parts == ["back"]:
            await answer(update)
            await self.show_branch(update, context, t, edit=True)
        elif at == RENAME and parts == ["x"]:
            await self.cancel(update, context, t)
        elif at == CLOSE and parts == ["yes"]:
            await answer(update)
            await self.close_confirmed(update, context, t)
        else:
            await answer(update, t.gettext(NOT_VALID), alert=True)

    # -- the dialog -----------------------------------------------------------------

    async def show(self, update: Update, context: BotContext, *, note: str = "") -> None:
        t = await tr(update, context)
        at = self.data(context).get("at")
        if at == COMMUNE and PICKER in self.data(context):
            await self.show_picker(update, context, t, note=note)
        elif at in (NAME, KIND):
            await self.show_adding(update, context, note)
        elif at == RENAME:
            await self.ask_rename(update, context, t, note=note)
        elif at in (BRANCH, CLOSE):
            await self.show_branch(update, context, t, note=note)
        elif "commune" in self.data(context):
            await self.show_list(update, context, t, note=note)
        else:
            await finish(context, self)
            await show_main_menu(update, context, t.gettext("Choose a task below."))

    async def typed(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        assert update.message is not None and update.message.text is not None
        data = self.data(context)
        at = data.get("at")
        if at == NAME:
            await self.name_typed(update, context, t)
        elif at == RENAME:
            await self.rename_typed(update, context, t)
        elif at == COMMUNE and PICKER in data:
            await self._commune_question(t).typed(update, context, t, update.message.text)
        else:
            await self.show(update, context, note=t.gettext(CHOOSE_A_BUTTON))

    async def pressed(self, update: Update, context: BotContext, parts: list[str]) -> None:
        t = await tr(update, context)
        data = self.data(context)
        at = data.get("at")
        if at == COMMUNE and PICKER in data and unit_question.is_press(parts):
            commune = await self._commune_question(t).pressed(update, context, t, parts)
            if commune is not None:
                data["commune"] = commune.id
                await self.show_list(update, context, t, edit=True)
            return
        number = parse_number(parts[1]) if len(parts) == 2 else None
        if at == LIST and parts[:1] == ["b"] and number is not None:
            await answer(update)
            data["branch"] = number  # the branch's id, checked on its screen
            await self.show_branch(update, context, t, edit=True)
        elif at == LIST and parts[:1] == ["pg"] and number is not None:
            await answer(update)
            data["page"] = number
            await self.show_list(update, context, t, edit=True)
        elif at == LIST and parts == ["add"]:
            await answer(update)
            await self.ask_name(update, context, t, edit=True)
        elif at == LIST and parts == ["done"]:
            await answer(update)
            await finish(context, self)
            await edit_or_reply(update, t.gettext("Done."))
        elif at == LIST and parts == ["back"] and PICKER in data:
            await answer(update)
            data.pop("commune", None)
            await self.show_picker(update, context, t, edit=True)
        elif at in (COMMUNE, LIST) and parts == ["x"]:
            await self.cancel(update, context, t)
        elif at in (NAME, KIND):
            await self.adding_pressed(update, context, t, parts)
        elif at in (BRANCH, RENAME, CLOSE):
            await self.branch_pressed(update, context, t, parts)
        else:
            await answer(update, t.gettext(NOT_VALID), alert=True)

    async def back(self, update: Update, context: BotContext, t: Translator) -> None:
        await self.show_list(update, context, t, edit=True)

    async def added(
        self, update: Update, context: BotContext, t: Translator, commune: Unit, branch: Unit
    ) -> None:
        note = t.gettext("✅ Added {unit}.").format(unit=unit_title(t, branch))
        await self.show_list(update, context, t, note=note, edit=True)


BRANCHES = Branches()
DIALOGS = (BRANCHES,)


CHANGE_ERRORS = {
    BranchChangeError.NOT_FOUND: N_("That branch is not there any more."),
    BranchChangeError.OUT_OF_SCOPE: N_("Only chairs can manage branches."),
    BranchChangeError.CLOSED: N_("That branch has been closed already."),
    BranchChangeError.NAME_INVALID: NAME_PROBLEM,
    BranchChangeError.NAME_TAKEN: N_("Another branch of the commune has that name."),
}


def change_error_text(t: Translator, error: BranchChangeError) -> str:
    return t.gettext(CHANGE_ERRORS[error])


async def ask_whom(db: Database, t: Translator, branch: Unit) -> str:
    """ "Hãy nhờ … (chủ tịch xã …) giao cho bạn vai trò ở chi hội khác.": whom to ask."""
    commune = await unit_store.get(db, branch.parent_id) if branch.parent_id else None
    keepers = await hierarchy.branch_keepers(db, commune) if commune else None
    unit = keepers.unit if keepers and keepers.unit else commune
    if keepers and keepers.names and unit is not None:
        return t.gettext(
            "Ask {names} (chair of {unit}) to give you a role on another branch."
        ).format(names=", ".join(keepers.names), unit=unit_title(t, unit))
    where = unit_in_sentence(t, unit) if unit is not None else "?"
    return t.gettext("Ask the chair of {unit} to give you a role on another branch.").format(
        unit=where
    )


def _waiting_lines(t: Translator, waiting: branch_changes.Waiting) -> list[str]:
    """What closing settles besides the people on the branch: said only when there is some."""
    lines = []
    if waiting.requests:
        lines.append(
            t.gettext(
                "Registration requests waiting for it: {count}. Their senders will be asked to "
                "choose another branch; none can be approved onto this one."
            ).format(count=t.number(waiting.requests))
        )
    if waiting.invites:
        lines.append(
            t.gettext(
                "Unused invite links to it: {count}. They will stop working; whoever opens one "
                "is told the branch was closed and whom to ask."
            ).format(count=t.number(waiting.invites))
        )
    return lines


def _closed_on(branch: Unit) -> date:
    assert branch.valid_to is not None
    return branch.valid_to


async def closed_refusal(context: BotContext, t: Translator, grants: Sequence[Grant]) -> str | None:
    """Why a report form does not start for this person: every role of theirs is on a closed
    branch (`branch_changes.closed_home`); None when they may report."""
    home = branch_changes.closed_home(grants)
    if home is None:
        return None
    text = t.gettext(
        "{unit} was closed on {date}, so it takes no new reports. What you reported there is "
        "kept and still counts."
    ).format(unit=unit_title(t, home), date=t.date(_closed_on(home)))
    return f"{text} {await ask_whom(context.db, t, home)}"


async def tell_closed(context: BotContext, branch_id: int) -> None:
    """`NoticeKind.BRANCH_CLOSED`: each person with a role on the branch, in their language,
    hears what they keep and whom to ask."""
    branch = await unit_store.get(context.db, branch_id)
    if branch is None or not branch_changes.is_closed(branch):
        return
    commune = await unit_store.get(context.db, branch.parent_id) if branch.parent_id else None
    for telegram_id in await branch_changes.people_on(context.db, branch):
        t = await tr_for(context, telegram_id)
        where = f"{unit_title(t, branch)}, {unit_in_sentence(t, commune)}" if commune else ""
        text = t.gettext(
            "🔒 {unit} was closed on {date}. What you reported there is kept and still counts; "
            "you can still read it (/myreports) and the statistics, but it takes no new reports."
        ).format(unit=where or unit_title(t, branch), date=t.date(_closed_on(branch)))
        await notify(context, telegram_id, f"{text} {await ask_whom(context.db, t, branch)}")
