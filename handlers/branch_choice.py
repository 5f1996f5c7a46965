"""Choosing a branch while registering: down the map by buttons, from the province to a branch.

The walk has as many steps as the map has levels above its branches (district → commune →
branch on a map with districts, commune → branch on today's), each a paged list of buttons that
typing part of a name filters; `trail` in the dialog's data holds the units chosen so far.
It is kept apart from the rest of registration (`handlers.start`) because it is the one part
that knows the map: a commune with no branch is not a dead end (➕ names one, see
`handlers.branch_proposal`), and a draft written when every map had districts is still read.

Typed letters also find units by a former name, as the other unit pickers do
(`handlers.picker`): a branch renamed by its chair ("Thôn Đông, nay thuộc chi hội Xóm Mới")
among the commune's branches, a commune merged into today's among the communes (or the
districts). They are offered below the names that match (`…:u:<id>:n`), and choosing one
walks to it as if it had been chosen step by step.

Its buttons are the registration dialog's (`registration:<step>:u:<id>`, `…:u:<id>:n`,
`…:p:<page>`, `…:b`, `…:new:<commune id>`, `…:cancel`); what a chosen branch does is the
dialog's (`_submit`).
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.i18n import N_, Translator
from bot.numbers import parse_number
from bot.services.registration import (
    Proposal,
)
from bot.storage import units as unit_store
from bot.storage.models import Level, Unit, UnitKind
from handlers import picker
from handlers.approvals import decision_buttons as decision_buttons  # /pending's card
from handlers.approvals import request_card as request_card
from handlers.approvals import request_markup as request_markup
from handlers.common import (
    BotContext,
    answer,
    edit_or_reply,
    reply,
    unit_picker,
    unit_title,
)
from handlers.dialogs import Dialog, finish
from handlers.screens import NOT_VALID

PICK = "pick"
"""Choosing the branch: `trail` holds the units chosen so far, from the province down, so the
walk has as many steps as the map has levels above its branches."""
_PICKING_BEFORE = {"district": 0, "commune": 1, "branch": 2}
"""Steps of drafts written when every map had districts: their trail's length."""
NOT_LISTED = N_("➕ My branch is not in the list")
MISSING = N_("Something is missing; send /start to begin again.")


class ChoosingBranch(Dialog):
    """The questions that walk down the map to a branch; the dialog built on it (`Registration`)
    says what a chosen branch does (`_submit`)."""

    def _cancel_row(self, context: BotContext, t: Translator) -> list[InlineKeyboardButton]:
        return [self.button(context, t.gettext("✖ Cancel"), "cancel")]

    async def _parent(self, context: BotContext, data: dict[str, Any]) -> Unit | None:
        """The unit whose children are offered now: the province, then each one chosen."""
        trail = picking_trail(data)
        if trail is None:
            return None
        if not trail:
            return await unit_store.root(context.db)
        return await unit_store.get(context.db, trail[-1])

    async def _show_step(
        self,
        update: Update,
        context: BotContext,
        t: Translator,
        *,
        intro: str = "",
        edit: bool = False,
    ) -> None:
        """The list of districts (or areas), communes or branches to choose from, as buttons."""
        data = self.data(context)
        parent = await self._parent(context, data)
        if parent is None:
            await self._lost(update, context, t)
            return
        first = await unit_store.children(context.db, parent.id, limit=1)
        if not first:
            await self._lost(update, context, t)
            return
        self.new_step(context)
        query = str(data.get("query", ""))
        page = int(data.get("page", 0))
        markup, total = await unit_picker(
            t,
            context.db,
            parent,
            prefix=self.prefix(context),
            page=page,
            query=query,
            back=bool(picking_trail(data)),
        )
        listed = first[0]
        hits = await self._former_hits(context, parent, query) if query and page == 0 else []
        rows = picker.with_hits(
            markup.inline_keyboard,
            [
                self.button(context, picker.former_label(t, hit), "u", hit.unit.id, picker.FORMER)
                for hit in hits
            ],
            self.prefix(context),
        )
        rows = [list(row) for row in rows]
        if listed.level is Level.BRANCH:  # a commune's branches: and the one not among them
            rows.append([self.button(context, t.gettext(NOT_LISTED), "new", parent.id)])
        markup = InlineKeyboardMarkup([*rows, self._cancel_row(context, t)])
        if listed.level is Level.BRANCH:
            question = t.gettext("Which branch of {unit} do you belong to?")
        elif listed.level is Level.COMMUNE:
            question = t.gettext("Which commune, ward or township of {unit}?")
        elif listed.kind is UnitKind.AREA:
            question = t.gettext("Which area (cluster of communes) is your branch in?")
        else:
            question = t.gettext("Which district or city is your branch in?")
        lines = [intro] if intro else []
        lines.append(question.format(unit=unit_title(t, parent)))
        if query and total == 0 and hits:
            lines.append(t.gettext(picker.ONLY_FORMER).format(text=query))
        elif query and total == 0:
            lines.append(
                t.gettext('No name contains "{text}". Try fewer letters.').format(text=query)
            )
        elif query:
            lines.append(t.gettext('Showing names that contain "{text}".').format(text=query))
            if hits:
                lines.append(t.gettext(picker.FORMER_TOO).format(text=query))
        else:
            lines.append(t.gettext("Tap a button, or type a few letters of the name to filter."))
        send = edit_or_reply if edit else reply
        await send(update, "\n".join(lines), markup)

    async def _former_hits(
        self, context: BotContext, parent: Unit, query: str
    ) -> list[unit_store.Found]:
        """Units found by a former name: a commune's branches among its branches only (a
        renamed "Thôn Đông" of another commune would only mislead); above, the communes (and
        the districts on a map that has them)."""
        targets = (Level.BRANCH,) if parent.level is Level.COMMUNE else (Level.COMMUNE,)
        return await picker.former_hits(context, parent, query, targets)

    async def _start_at(
        self, update: Update, context: BotContext, t: Translator, commune: Unit, *, intro: str
    ) -> None:
        """The walk begun at `commune`'s branches, the trail down to it filled in (⬅ Back goes
        up as usual); when it has none left, its ➕ offer."""
        data = self.data(context)
        above = [u.id for u in await unit_store.ancestors(context.db, commune) if u.parent_id]
        data.update(step=PICK, trail=[*above, commune.id], query="", page=0)
        if await unit_store.count_children(context.db, commune.id) == 0:
            data["trail"] = above
            await self._no_branches(update, context, t, commune, intro=intro)
            return
        await self._show_step(update, context, t, intro=intro)

    async def _lost(self, update: Update, context: BotContext, t: Translator) -> None:
        """The draft lacks what the question needs (it cannot, short of a bug): start again."""
        await finish(context, self)
        await answer(update)
        await reply(update, t.gettext(MISSING))

    async def _pick_pressed(
        self, update: Update, context: BotContext, t: Translator, parts: list[str]
    ) -> None:
        """A press on the list of units: a page, ⬅ back up, or a unit (a branch is chosen; a
        commune with no branch offers ➕ instead)."""
        data = self.data(context)
        trail = picking_trail(data)
        if trail is None:
            await answer(update, t.gettext(NOT_VALID), alert=True)
            return
        if parts[:1] == ["p"] and len(parts) >= 2 and (page := parse_number(parts[1])) is not None:
            data["page"] = page
            if parts[2:] == ["all"]:
                data["query"] = ""
            await answer(update)
            await self._show_step(update, context, t, edit=True)
            return
        if parts == ["b"]:
            data.update(trail=trail[:-1], query="", page=0)
            await answer(update)
            await self._show_step(update, context, t, edit=True)
            return
        parent = await self._parent(context, data)
        unit = await self._pressed_unit(context, parent, parts) if parent is not None else None
        if unit is None or parent is None:
            await answer(update, t.gettext("That choice is not available any more."), alert=True)
            await self._show_step(update, context, t)
            return
        await answer(update)
        if unit.level is Level.BRANCH:
            await self._submit(update, context, t, unit)
            return
        between = [  # a unit found by a former name may lie deeper than the list shown
            u.id
            for u in await unit_store.ancestors(context.db, unit)
            if parent.covers(u) and u.id != parent.id
        ]
        if (
            unit.level is Level.COMMUNE
            and await unit_store.count_children(context.db, unit.id) == 0
        ):
            if between:
                data.update(trail=[*trail, *between], query="", page=0)
            await self._no_branches(update, context, t, unit)
            return
        data.update(trail=[*trail, *between, unit.id], query="", page=0)
        await self._show_step(update, context, t, edit=True)

    async def _pressed_unit(
        self, context: BotContext, parent: Unit, parts: list[str]
    ) -> Unit | None:
        """The unit in force a `u:<id>` press chose: a child of the list's parent; with `:n`
        (found by a former name), one anywhere beneath it. None for anything else."""
        by_former = parts[2:] == [picker.FORMER]
        if parts[:1] != ["u"] or len(parts) != (3 if by_former else 2):
            return None
        unit_id = parse_number(parts[1])
        unit = await unit_store.get(context.db, unit_id) if unit_id is not None else None
        if unit is None or not unit.active:
            return None
        if by_former:
            return unit if parent.covers(unit) and unit.id != parent.id else None
        return unit if unit.parent_id == parent.id else None

    async def _no_branches(
        self,
        update: Update,
        context: BotContext,
        t: Translator,
        commune: Unit,
        *,
        intro: str = "",
    ) -> None:
        """Not a dead end: the branch named by the newcomer (➕), back to the communes (the
        question stays the commune's), or out."""
        self.new_step(context)
        markup = InlineKeyboardMarkup(
            [
                [self.button(context, t.gettext(NOT_LISTED), "new", commune.id)],
                [self.button(context, t.gettext("⬅ Back"), "p", 0, "all")],
                self._cancel_row(context, t),
            ]
        )
        text = t.gettext(
            "{unit} has no branches in the bot yet. Press ➕ to name yours: the chair adds "
            "it when approving your request. Or choose another commune."
        ).format(unit=unit_title(t, commune))
        await edit_or_reply(update, f"{intro}\n{text}" if intro else text, markup)

    async def _submit(
        self,
        update: Update,
        context: BotContext,
        t: Translator,
        branch: Unit,
        proposal: Proposal | None = None,
    ) -> None:
        """A branch chosen (with a `proposal`, `branch` is its commune): the request sent."""
        raise NotImplementedError


def picking_trail(data: dict[str, Any]) -> list[int] | None:
    """The units chosen so far while choosing a branch; None when not choosing one. A draft
    of the version that assumed districts is read into a trail once."""
    step = data.get("step")
    if step in _PICKING_BEFORE:
        keys = ("district", "commune")[: _PICKING_BEFORE[str(step)]]
        chosen = [data.get(key) for key in keys]
        data.update(step=PICK, trail=[unit for unit in chosen if isinstance(unit, int)])
    elif step != PICK:
        return None
    trail = data.get("trail")
    return [unit for unit in trail if isinstance(unit, int)] if isinstance(trail, list) else []
