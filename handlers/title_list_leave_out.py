"""✂️ on a list's card: the chair leaves some entries out and recognises the rest.

A paged list of the list's pending entries, each a toggle (☑️ kept, ❌ left out); typed
letters find a name; ✅ recognises the rest, asking first why those left out are not (⏭: a
plain reason is stored). Apart from the card (`handlers.title_list_cards`, whose
`ListDecision` it extends) because the picker is a dialog of its own, with its own pages.

Callback data: started by `tl:ex:<id>`; its own buttons are the dialog's steps.
"""

from __future__ import annotations

from typing import Final

from telegram import InlineKeyboardMarkup, Update

from bot.i18n import N_, Translator
from bot.numbers import parse_number
from bot.services import title_lists
from bot.services.title_lists import TitleList
from bot.storage.records import NominationStatus
from bot.text import fold, shorten
from handlers.common import (
    BUTTON_CHARS,
    BotContext,
    answer,
    tr,
)
from handlers.dialogs import Entry
from handlers.screens import show_screen
from handlers.title_list_cards import DECISION, ListDecision
from handlers.title_lists import kind_label

PAGE: Final = 10
"""Entries per page of the list a chair leaves some out of."""


class LeaveOut(ListDecision):
    """✂️ on a card: the list's pending entries, paged, each a toggle (☑️ kept, ❌ left out);
    typed letters find a name; ✅ recognises the rest, asking first why those left out are
    not (⏭: a plain reason is stored)."""

    name = "title_list_out"
    title = N_("Leaving entries out of a list")
    entry = Entry(patterns=(rf"^{DECISION}:ex:[0-9]+$",))
    action = "ex"

    async def begin(self, update: Update, context: BotContext) -> None:
        opened = await self._open(update, context)
        if opened is None:
            return
        self.data(context).update(out=[], page=0, query="", stage="pick")
        await self.show(update, context)

    def _out(self, context: BotContext) -> list[int]:
        return [int(i) for i in self.data(context).get("out", [])]

    async def show(self, update: Update, context: BotContext, *, note: str = "") -> None:
        title_list = await self._current(update, context)
        if title_list is None:
            return
        t = await tr(update, context)
        if self.data(context).get("stage") == "reason":
            await self._ask_reason(update, context, t, title_list, note=note)
            return
        await self._show_page(update, context, t, title_list, note=note)

    async def _show_page(
        self,
        update: Update,
        context: BotContext,
        t: Translator,
        title_list: TitleList,
        *,
        note: str = "",
        edit: bool = False,
    ) -> None:
        data = self.data(context)
        pending = await title_lists.entries(context.db, title_list.id)
        pending = [e for e in pending if e.status is NominationStatus.PENDING]
        numbers = {entry.id: index for index, entry in enumerate(pending, start=1)}
        out = [i for i in self._out(context) if i in numbers]
        data["out"] = out
        query = fold(str(data.get("query", "")))
        shown = [e for e in pending if query in fold(e.subject)] if query else pending
        pages = max(1, (len(shown) + PAGE - 1) // PAGE)
        page = min(max(int(data.get("page", 0)), 0), pages - 1)
        data["page"] = page
        lines = [
            t.gettext(
                "✂️ List #{number} ({title}, {year}): tap a name to leave it out (❌) or keep it "
                "(☑️). Type a few letters of a name to find it."
            ).format(
                number=title_list.id, title=kind_label(t, title_list.kind), year=title_list.year
            ),
            t.gettext("Left out: {count} · page {page}/{pages}").format(
                count=t.number(len(out)), page=page + 1, pages=pages
            ),
        ]
        if query and not shown:
            lines.append(t.gettext("No name contains “{text}”.").format(text=data.get("query")))
        self.new_step(context)
        rows = []
        for entry in shown[page * PAGE : (page + 1) * PAGE]:
            mark = "❌" if entry.id in out else "☑️"
            label = shorten(f"{mark} {numbers[entry.id]}. {entry.subject}", BUTTON_CHARS)
            rows.append([self.button(context, label, "t", entry.id)])
        nav = []
        if page > 0:
            nav.append(self.button(context, t.gettext("◀ Previous"), "p", page - 1))
        if page < pages - 1:
            nav.append(self.button(context, t.gettext("Next ▶"), "p", page + 1))
        if nav:
            rows.append(nav)
        if query:
            rows.append([self.button(context, t.gettext("✖ Clear filter"), "all")])
        kept = len(pending) - len(out)
        label = (
            t.gettext("✅ Recognise {kept}, leave out {out}").format(
                kept=t.number(kept), out=t.number(len(out))
            )
            if out
            else t.gettext("✅ Recognise all {count}").format(count=t.number(kept))
        )
        rows.append([self.button(context, label, "ok")])
        rows.append([self.button(context, t.gettext("✖ Cancel"), "cancel")])
        await show_screen(update, lines, InlineKeyboardMarkup(rows), note=note, edit=edit)

    async def _ask_reason(
        self,
        update: Update,
        context: BotContext,
        t: Translator,
        title_list: TitleList,
        *,
        note: str = "",
        edit: bool = False,
    ) -> None:
        data = self.data(context)
        data["asked_at"] = context.now().isoformat()
        out = set(self._out(context))
        entries = [e for e in await title_lists.entries(context.db, title_list.id) if e.id in out]
        names = "; ".join(e.subject for e in entries[:10])
        if len(entries) > 10:
            names += "; …"
        text = t.gettext(
            "Why are the {count} left out not recognised ({names})? Type the reason; the "
            "nominator will read it. Or tap ⏭ Skip."
        ).format(count=t.number(len(entries)), names=names)
        self.new_step(context)
        rows = [
            [self.button(context, t.gettext("⏭ Skip"), "skip")],
            [self.button(context, t.gettext("⬅ Back"), "back")],
            [self.button(context, t.gettext("✖ Cancel"), "cancel")],
        ]
        await show_screen(update, [text], InlineKeyboardMarkup(rows), note=note, edit=edit)

    async def typed(self, update: Update, context: BotContext) -> None:
        assert update.message is not None and update.message.text is not None
        title_list = await self._current(update, context)
        if title_list is None:
            return
        t = await tr(update, context)
        data = self.data(context)
        if data.get("stage") == "reason":
            if self._stale_reason(context):
                await self._end(
                    update,
                    context,
                    t.gettext(
                        "The question was asked more than an hour ago, so nothing was decided. "
                        "Press ✂️ on the list again if you still want to."
                    ),
                )
                return
            await self._decide(
                update,
                context,
                recognise=True,
                left_out=self._out(context),
                reason=update.message.text,
            )
            return
        data.update(query=update.message.text.strip()[:50], page=0)
        await self._show_page(update, context, t, title_list)

    async def pressed(self, update: Update, context: BotContext, parts: list[str]) -> None:
        if parts == ["cancel"]:
            await self._leave(update, context)
            return
        title_list = await self._current(update, context)
        if title_list is None:
            return
        t = await tr(update, context)
        data = self.data(context)
        stage = data.get("stage")
        if stage == "reason":
            if parts == ["skip"]:
                await answer(update)
                await self._decide(
                    update,
                    context,
                    recognise=True,
                    left_out=self._out(context),
                    reason=t.gettext("Left out when the list was recognised."),
                )
                return
            if parts == ["back"]:
                await answer(update)
                data["stage"] = "pick"
                await self._show_page(update, context, t, title_list, edit=True)
                return
        elif parts[:1] == ["t"] and len(parts) == 2 and (entry_id := parse_number(parts[1])):
            pending = await title_lists.entries(context.db, title_list.id)
            if any(e.id == entry_id and e.status is NominationStatus.PENDING for e in pending):
                out = self._out(context)
                data["out"] = (
                    [i for i in out if i != entry_id]
                    if entry_id in out
                    else [
                        *out,
                        entry_id,
                    ]
                )
                await answer(update)
                await self._show_page(update, context, t, title_list, edit=True)
                return
        elif (
            parts[:1] == ["p"] and len(parts) == 2 and (page := parse_number(parts[1])) is not None
        ):
            await answer(update)
            data["page"] = page
            await self._show_page(update, context, t, title_list, edit=True)
            return
        elif parts == ["all"]:
            await answer(update)
            data.update(query="", page=0)
            await self._show_page(update, context, t, title_list, edit=True)
            return
        elif parts == ["ok"]:
            await answer(update)
            if self._out(context):
                data["stage"] = "reason"
                await self._ask_reason(update, context, t, title_list, edit=True)
                return
            await self._decide(update, context, recognise=True, left_out=[], reason=None)
            return
        await answer(update, t.gettext("This button is not valid."), alert=True)


DIALOGS = (LeaveOut(),)
