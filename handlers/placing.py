"""Placing the branches of a split commune, from the bot (issue 9).

When a commune of the old map was split over several new ones, `khuyenhoc units migrate`
places its branches provisionally in the first of them. The province admin finds them in
/branches ("📍 Branches to place again (N)", `offer`) or with /place, and for each chooses
one of the old commune's successors, or confirms where it is (`branch_placing.place` moves it
and the counters of its records for the years on the new map).
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.i18n import N_, Translator
from bot.numbers import parse_number
from bot.services import branch_placing
from bot.services.branch_placing import PlaceProblem, Provisional
from bot.storage import units as unit_store
from handlers.common import (
    BotContext,
    answer,
    edit_or_reply,
    reply,
    show_main_menu,
    tr,
    unit_in_sentence,
    unit_title,
)
from handlers.dialogs import Dialog, Entry, finish
from handlers.screens import CHOOSE_A_BUTTON, NOT_VALID, cancelled_to_menu, show_screen, with_note

PAGE = 8
"""Branches listed per message."""
LIST, BRANCH = "list", "branch"
"""Where the dialog stands (`data["at"]`)."""

OFFER = N_("📍 Branches to place again ({count})")
ONLY_ADMIN = N_("Only the province administrator places the branches of split communes.")
NONE_LEFT = N_("No branch is waiting to be placed: every branch is in its commune.")


async def offer(update: Update, context: BotContext, t: Translator) -> None:
    """Under /branches: a button to the branches waiting to be placed, when there are any and
    this person places them."""
    user = update.effective_user
    if user is None:
        return
    count = await branch_placing.provisional_count(context.db, user.id)
    if not count:
        return
    button = InlineKeyboardButton(
        t.gettext(OFFER).format(count=t.number(count)), callback_data=f"{PLACING.name}:list"
    )
    await reply(
        update,
        t.gettext(
            "Some branches of communes split by the new map were placed provisionally; "
            "confirm or move each of them."
        ),
        InlineKeyboardMarkup([[button]]),
    )


class Placing(Dialog):
    """The list of provisional branches, then one branch and the communes it may go to."""

    name = "place"
    title = N_("Branches to place")
    entry = Entry(commands=("place", "xeplai"), callbacks=("list",))

    def has_answers(self, data: dict[str, Any]) -> bool:
        return False  # each choice is saved as it is made: nothing to lose

    async def _waiting(self, update: Update, context: BotContext) -> list[Provisional]:
        assert update.effective_user is not None
        return await branch_placing.provisional(context.db, update.effective_user.id)

    async def begin(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        await answer(update)
        assert update.effective_user is not None
        if not await branch_placing.places_branches(context.db, update.effective_user.id):
            await finish(context, self)
            await reply(update, t.gettext(ONLY_ADMIN))
            return
        await self.show_list(update, context, t)

    async def show(self, update: Update, context: BotContext, *, note: str = "") -> None:
        t = await tr(update, context)
        if self.data(context).get("at") == BRANCH:
            await self.show_branch(update, context, t, note=note)
        else:
            await self.show_list(update, context, t, note=note)

    async def show_list(
        self,
        update: Update,
        context: BotContext,
        t: Translator,
        *,
        note: str = "",
        edit: bool = False,
    ) -> None:
        waiting = await self._waiting(update, context)
        data = self.data(context)
        if not waiting:
            await finish(context, self)
            text = with_note(note, t.gettext(NONE_LEFT))
            if edit:
                await edit_or_reply(update, text)
            else:
                await show_main_menu(update, context, text)
            return
        data["at"] = LIST
        data.pop("branch", None)
        pages = (len(waiting) + PAGE - 1) // PAGE
        page = min(max(int(data.get("page", 0)), 0), pages - 1)
        data["page"] = page
        self.new_step(context)
        text = t.gettext(
            "Branches to place again: {count}. Their commune was split over several new "
            "ones, and each was placed provisionally in the first. Choose a branch:"
        ).format(count=t.number(len(waiting)))
        rows = [
            [
                self.button(
                    context,
                    t.gettext("{branch} — {old}").format(
                        branch=item.branch.name, old=unit_title(t, item.old_commune)
                    ),
                    "b",
                    item.branch.id,
                )
            ]
            for item in waiting[page * PAGE : (page + 1) * PAGE]
        ]
        nav = []
        if page > 0:
            nav.append(self.button(context, "◀", "pg", page - 1))
        if page + 1 < pages:
            nav.append(self.button(context, "▶", "pg", page + 1))
        if nav:
            rows.append(nav)
        rows.append([self.button(context, t.gettext("✖ Close"), "x")])
        await show_screen(update, [text], InlineKeyboardMarkup(rows), note=note, edit=edit)

    async def _item(self, update: Update, context: BotContext) -> Provisional | None:
        assert update.effective_user is not None
        branch_id = self.data(context).get("branch")
        if not isinstance(branch_id, int):
            return None
        return await branch_placing.one_provisional(context.db, update.effective_user.id, branch_id)

    async def show_branch(
        self,
        update: Update,
        context: BotContext,
        t: Translator,
        *,
        note: str = "",
        edit: bool = False,
    ) -> None:
        item = await self._item(update, context)
        if item is None:
            gone = t.gettext("That branch was placed already.")
            await self.show_list(update, context, t, note=gone, edit=edit)
            return
        self.data(context)["at"] = BRANCH
        self.new_step(context)
        text = t.gettext(
            "{branch} belonged to {old}, which was split on {effective} over {candidates}. "
            "It is now in {current}. Where does it belong?"
        ).format(
            branch=unit_title(t, item.branch),
            old=unit_in_sentence(t, item.old_commune),
            effective=t.date(item.effective),
            candidates=", ".join(unit_in_sentence(t, u) for u in item.candidates),
            current=unit_in_sentence(t, item.commune),
        )
        rows = []
        for commune in item.candidates:
            label = (
                t.gettext("✔ Keep it in {unit}")
                if commune.id == item.commune.id
                else t.gettext("➡ Move it to {unit}")
            )
            rows.append(
                [
                    self.button(
                        context,
                        label.format(unit=unit_title(t, commune)),
                        "c",
                        item.branch.id,
                        commune.id,
                    )
                ]
            )
        rows.append(
            [
                self.button(context, t.gettext("⬅ Back"), "back"),
                self.button(context, t.gettext("✖ Close"), "x"),
            ]
        )
        await show_screen(update, [text], InlineKeyboardMarkup(rows), note=note, edit=edit)

    async def typed(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        await self.show(update, context, note=t.gettext(CHOOSE_A_BUTTON))

    async def pressed(self, update: Update, context: BotContext, parts: list[str]) -> None:
        t = await tr(update, context)
        data = self.data(context)
        at = data.get("at")
        numbers = [parse_number(part) for part in parts[1:]]
        if parts == ["x"]:
            await answer(update)
            await finish(context, self)
            await edit_or_reply(update, t.gettext("Closed."))
        elif at == LIST and parts[:1] == ["pg"] and len(numbers) == 1 and numbers[0] is not None:
            await answer(update)
            data["page"] = numbers[0]
            await self.show_list(update, context, t, edit=True)
        elif at == LIST and parts[:1] == ["b"] and len(numbers) == 1 and numbers[0] is not None:
            await answer(update)
            data["branch"] = numbers[0]
            await self.show_branch(update, context, t, edit=True)
        elif at == BRANCH and parts == ["back"]:
            await answer(update)
            await self.show_list(update, context, t, edit=True)
        elif at == BRANCH and parts[:1] == ["c"] and len(numbers) == 2 and None not in numbers:
            branch_id, commune_id = numbers
            assert branch_id is not None and commune_id is not None
            await self.placed(update, context, t, branch_id, commune_id)
        else:
            await answer(update, t.gettext(NOT_VALID), alert=True)

    async def placed(
        self, update: Update, context: BotContext, t: Translator, branch_id: int, commune_id: int
    ) -> None:
        assert update.effective_user is not None
        if branch_id != self.data(context).get("branch"):
            await answer(update, t.gettext(NOT_VALID), alert=True)
            return
        result = await branch_placing.place(
            context.db, update.effective_user.id, branch_id, commune_id, now=context.now()
        )
        if result is PlaceProblem.NOT_A_CANDIDATE:
            await answer(update, t.gettext(NOT_VALID), alert=True)
            return
        await answer(update)
        if result is PlaceProblem.NOT_ALLOWED:
            await finish(context, self)
            await edit_or_reply(update, t.gettext(ONLY_ADMIN))
            return
        if result is PlaceProblem.NOT_PROVISIONAL:
            note = t.gettext("That branch was placed already.")
        elif result is PlaceProblem.NAME_TAKEN:
            note = t.gettext(
                "{unit} already has a branch of that name; it was not moved. Rename one of "
                "them first."
            ).format(unit=await _commune_title(context, t, commune_id))
        else:
            assert isinstance(result, branch_placing.Placed)
            text = (
                t.gettext("✅ {branch} is in {unit} now.")
                if result.moved
                else t.gettext("✅ {branch} stays in {unit}.")
            )
            note = text.format(
                branch=unit_title(t, result.branch), unit=unit_in_sentence(t, result.commune)
            )
        await self.show_list(update, context, t, note=note, edit=True)

    async def cancelled(self, update: Update, context: BotContext) -> None:
        await cancelled_to_menu(self, update, context)


async def _commune_title(context: BotContext, t: Translator, commune_id: int) -> str:
    commune = await unit_store.get(context.db, commune_id)
    return unit_title(t, commune) if commune else str(commune_id)


PLACING = Placing()
DIALOGS = (PLACING,)
