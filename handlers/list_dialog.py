"""What the two list dialogs share (a list of nominations, a list of new members): a few
questions first (the title and year, the branch), then the lines, then a check before saving.

- **Lines.** Text typed while the lines are asked is the list: one message or several,
  pasted or typed, each non-blank line one entry, numbered across the messages; ✅ Done shows
  the check. A workbook sent as a document (the template the bot sends with 📥, or any
  .xlsx/.csv) is read the same way, its rows numbered as the sheet numbers them, and goes
  straight to the check. One sent outside the dialog starts it (`handlers.incoming_files`):
  kept while the first questions are asked (`keep_file`), then read (`lines_next`); so is
  text typed under that module's question, which becomes the first lines (`keep_text`).
- **The check** shows what would be saved and what not, before anything is; more lines typed
  or another workbook sent there are added to the list and checked again; 🗑 starts over.
- **Leaving.** ✖ Cancel with lines entered asks first ("Discard…?"); /cancel leaves at once.

A subclass asks its own first questions and says how lines are read and checked; the data it
keeps sits beside the lines in the dialog's data (`context.data[name]`).
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Sequence
from typing import Any, Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update

from bot import list_workbooks
from bot.config import LANGUAGES
from bot.i18n import N_, Translator, translator
from bot.list_workbooks import Unreadable, WorkbookUnreadable
from bot.services.title_lists import Line, split_lines
from bot.storage import people
from bot.storage.models import Grant, Level
from bot.text import shorten
from handlers import answers, branch_adding
from handlers.common import (
    BotContext,
    SentFile,
    answer,
    download,
    edit_or_reply,
    kept_file,
    reply,
    sent_file,
    show_main_menu,
    tr,
    unit_title,
)
from handlers.dialogs import Dialog, finish
from handlers.form import DISCARD, DISCARD_WORDS, KEEP_ENTERING, KEEP_WORDS, LEAVE_QUESTION
from handlers.unit_question import UnitQuestion

LINES: Final = "lines"
CHECK: Final = "check"
"""The stages every list dialog ends with; a subclass names its earlier ones."""

SHOWN: Final = 5
"""Lines shown of each kind in the check: enough to find the mistake, short enough to read."""
MESSAGE_CHARS: Final = 4000
"""Telegram refuses a message over 4096 characters."""


def fit(text: str, limit: int = MESSAGE_CHARS) -> str:
    """`text` whole, or its first lines and "…" when it would be too long for one message."""
    if len(text) <= limit:
        return text
    kept: list[str] = []
    used = 2
    for line in text.split("\n"):
        if used + len(line) + 1 > limit:
            break
        kept.append(line)
        used += len(line) + 1
    return "\n".join([*kept, "…"])


UNREADABLE_FILE = {
    Unreadable.NOT_A_WORKBOOK: N_(
        "I cannot read that file. Please send the workbook as .xlsx (or .csv), or paste the "
        "lines as text."
    ),
    Unreadable.TOO_LARGE: N_("That file is too large for a list (at most 5 MB)."),
    Unreadable.TOO_MANY_ROWS: N_("That file has too many rows for one list (at most 5,000)."),
}


FILE_WAITS = N_("📎 {name} received: it is read as soon as you have answered.")


class ListDialog(Dialog):
    """Base of the list dialogs; see the module docstring."""

    max_lines: int = 3000

    # -- what the first questions share -------------------------------------------------

    async def opening(
        self, update: Update, context: BotContext
    ) -> tuple[Translator, list[Grant]] | None:
        """The start of `begin`: the press answered and the person's grants; someone not
        registered is told how to be, and the dialog ends (None)."""
        t = await tr(update, context)
        user = update.effective_user
        assert user is not None
        await answer(update)
        grants = await people.grants_of(context.db, user.id)
        if not grants:
            await finish(context, self)
            await reply(update, t.gettext("You are not registered yet. Send /start to register."))
            return None
        return t, grants

    def unit_question(
        self,
        update: Update,
        context: BotContext,
        t: Translator,
        question: str,
        levels: tuple[Level, ...],
        note: str = "",
    ) -> UnitQuestion:
        """Where the list is for, among `levels`: `question` (translated) under the dialog's
        title and `note`, then the unit whose parts are shown; a commune with nothing to
        choose says what to do (`branch_adding.when_empty`)."""
        assert update.effective_user is not None
        prompt = f"{t.gettext(self.title)} — " + question
        if note:
            prompt = f"{note}\n{prompt}"
        return UnitQuestion(
            self,
            title=lambda parent: prompt + "\n" + unit_title(t, parent),
            levels=levels,
            cancel="cancel",
            when_empty=branch_adding.when_empty(context.db, t, update.effective_user.id, levels),
        )

    # -- what a subclass implements ------------------------------------------------------

    async def ask_lines(
        self, update: Update, context: BotContext, t: Translator, *, note: str = ""
    ) -> None:
        raise NotImplementedError

    async def show_check(
        self, update: Update, context: BotContext, t: Translator, *, note: str = ""
    ) -> None:
        raise NotImplementedError

    async def workbook(
        self, update: Update, context: BotContext, t: Translator
    ) -> tuple[bytes, str, str]:
        """The template to fill: (content, file name, caption)."""
        raise NotImplementedError

    def headers(self, t: Translator) -> list[str]:
        """The template's column headers (its header row is found by them)."""
        raise NotImplementedError

    def row_line(self, number: int, cells: list[str]) -> Line | None:
        raise NotImplementedError

    async def save(self, update: Update, context: BotContext, t: Translator, how: str) -> None:
        """A press of one of the check's save buttons (`s:<how>`)."""
        raise NotImplementedError

    async def earlier_typed(self, update: Update, context: BotContext, text: str) -> None:
        """Text while one of the subclass's own questions is asked."""
        await self.show(update, context)

    async def earlier_pressed(self, update: Update, context: BotContext, parts: list[str]) -> None:
        await answer(update)
        await self.show(update, context)

    async def earlier_show(self, update: Update, context: BotContext, *, note: str = "") -> None:
        raise NotImplementedError

    # -- the draft ---------------------------------------------------------------------

    def start_draft(self, context: BotContext, stage: str, **values: Any) -> dict[str, Any]:
        data = self.data(context)
        data.clear()
        data.update(id=secrets.token_hex(8), stage=stage, lines=[], next=1, **values)
        return data

    def stage(self, context: BotContext) -> str:
        return str(self.data(context).get("stage", ""))

    def lines(self, context: BotContext) -> list[Line]:
        return [Line(int(n), str(text)) for n, text in self.data(context).get("lines", [])]

    def has_answers(self, data: dict[str, Any]) -> bool:
        """Lines sent, a file or typed text waiting to be read, or a choice made (a list's
        title): a branch chosen for the person by the bot is not one."""
        return any(data.get(key) for key in ("lines", "kind", "file", "typed"))

    def summary(self, data: dict[str, Any]) -> str:
        lines = data.get("lines") or []
        file = kept_file(data.get("file"))
        if not lines:
            return shorten(file["name"], 40) if file is not None else ""
        return shorten(str(lines[0][1]), 40)

    def _add(self, context: BotContext, lines: list[Line]) -> int:
        data = self.data(context)
        stored: list[list[Any]] = data.setdefault("lines", [])
        room = max(0, self.max_lines - len(stored))
        kept = lines[:room]
        stored += [[line.number, line.text] for line in kept]
        if kept:
            data["next"] = max(int(data.get("next", 1)), kept[-1].number + 1)
        return len(kept)

    def add_text(self, context: BotContext, text: str) -> tuple[int, int]:
        """The message's lines added: (how many added, how many did not fit)."""
        lines = split_lines(text, int(self.data(context).get("next", 1)))
        added = self._add(context, lines)
        return added, len(lines) - added

    # -- Dialog ------------------------------------------------------------------------

    async def typed(self, update: Update, context: BotContext) -> None:
        assert update.message is not None and update.message.text is not None
        text = update.message.text
        t = await tr(update, context)
        data = self.data(context)
        if data.get("leaving"):
            await self._leave_typed(update, context, t, text)
            return
        if self.stage(context) not in (LINES, CHECK):
            await self.earlier_typed(update, context, text)
            return
        added, dropped = self.add_text(context, text)
        note = self._too_many(t) if dropped else ""
        if self.stage(context) == CHECK:
            await self.show_check(update, context, t, note=note)
            return
        received = t.gettext("Lines received: {count} (in all: {total}).").format(
            count=t.number(added), total=t.number(len(data["lines"]))
        )
        await self.ask_more(update, context, t, note="\n".join(filter(None, [note, received])))

    async def ask_more(
        self, update: Update, context: BotContext, t: Translator, *, note: str = ""
    ) -> None:
        """After lines arrived: more, or ✅ Done (the whole question again only when asked
        again, as after an interruption)."""
        text = "\n".join(
            [
                *([note] if note else []),
                await self.heading(context, t),
                t.gettext("Send more lines, or tap ✅ Done to check the list."),
            ]
        )
        self.new_step(context)
        await reply(update, text, InlineKeyboardMarkup(self.lines_rows(context, t)))

    async def heading(self, context: BotContext, t: Translator) -> str:
        """What the list is for, above its questions."""
        raise NotImplementedError

    def _too_many(self, t: Translator) -> str:
        return t.gettext(
            "A list holds at most {count} lines; the lines after that were left out."
        ).format(count=t.number(self.max_lines))

    async def stray(self, update: Update, context: BotContext) -> None:
        """A workbook while the lines are asked or checked: read, added, checked."""
        t = await tr(update, context)
        message = update.message
        document = message.document if message is not None else None
        if document is None or self.stage(context) not in (LINES, CHECK):
            note = t.gettext("Please answer with text or the buttons.")
            await self.show(update, context, note=note)
            return
        await self.read_file(update, context, t, sent_file(document, "list.xlsx"))

    async def read_file(
        self, update: Update, context: BotContext, t: Translator, file: SentFile
    ) -> None:
        """A workbook, sent while the lines are asked or checked, or outside the dialog (its
        first questions answered meanwhile): read, added, checked. Its header row is found in
        any language: a template sent in English is read back in Vietnamese."""
        if file["size"] > list_workbooks.MAX_BYTES:
            await self.show(update, context, note=t.gettext(UNREADABLE_FILE[Unreadable.TOO_LARGE]))
            return
        content = await download(context, file)
        headers = {header for lang in LANGUAGES for header in self.headers(translator(lang))}
        try:
            rows = await asyncio.to_thread(
                list_workbooks.read_rows, content, file["name"], headers=headers
            )
        except WorkbookUnreadable as error:
            await self.show(update, context, note=t.gettext(UNREADABLE_FILE[error.code]))
            return
        lines = [line for number, cells in rows if (line := self.row_line(number, cells))]
        if not lines:
            note = t.gettext("There is nothing to read in that file: its rows are empty.")
            await self.show(update, context, note=note)
            return
        added = self._add(context, lines)
        self.data(context)["stage"] = CHECK
        note = t.gettext("Rows read from {name}: {count}.").format(
            name=file["name"], count=t.number(added)
        )
        if added < len(lines):
            note += "\n" + self._too_many(t)
        await self.show_check(update, context, t, note=note)

    # -- a file sent outside the dialog ------------------------------------------------------

    def keep_file(self, context: BotContext, file: SentFile | None) -> None:
        """A file sent outside the dialog that started it (`handlers.incoming_files`): kept
        while the first questions are asked, read when the lines would be."""
        if file is not None:
            self.data(context)["file"] = dict(file)

    def keep_text(self, context: BotContext, texts: Sequence[str]) -> None:
        """Messages typed before the dialog began (under `handlers.incoming_files`' question):
        kept like a file, added as the first lines when the lines would be asked."""
        if texts:
            self.data(context)["typed"] = list(texts)

    def file_note(self, context: BotContext, t: Translator) -> str:
        """Above the first questions while a file waits: it is not lost."""
        file = kept_file(self.data(context).get("file"))
        return t.gettext(FILE_WAITS).format(name=file["name"]) if file is not None else ""

    async def lines_next(self, update: Update, context: BotContext, t: Translator) -> None:
        """The first questions answered: the file that started the dialog is read (and the
        check shown), or the lines are asked."""
        data = self.data(context)
        data["stage"] = LINES
        typed = [str(text) for text in data.pop("typed", None) or []]
        dropped = False
        for text in typed:
            dropped = self.add_text(context, text)[1] > 0 or dropped
        file = kept_file(data.pop("file", None))
        if file is not None:
            await self.read_file(update, context, t, file)
            return
        if typed:
            received = t.gettext("Lines received: {count} (in all: {total}).").format(
                count=t.number(len(data.get("lines", []))),
                total=t.number(len(data.get("lines", []))),
            )
            note = "\n".join(filter(None, [self._too_many(t) if dropped else "", received]))
            await self.ask_more(update, context, t, note=note)
            return
        await self.ask_lines(update, context, t)

    async def pressed(self, update: Update, context: BotContext, parts: list[str]) -> None:
        t = await tr(update, context)
        data = self.data(context)
        if data.get("leaving"):
            if parts in (["drop"], ["keep"]):
                await self._leave_pressed(update, context, t, discard=parts == ["drop"])
            else:
                await answer(update, t.gettext("This button is not valid."), alert=True)
            return
        if parts == ["cancel"]:
            await answer(update)
            if data.get("lines"):
                await self._ask_leave(update, context, t)
            else:
                await self._discard(update, context, t)
            return
        stage = self.stage(context)
        if stage not in (LINES, CHECK):
            await self.earlier_pressed(update, context, parts)
            return
        if parts == ["wb"]:
            await answer(update)
            content, name, caption = await self.workbook(update, context, t)
            chat = update.effective_chat
            assert chat is not None
            await context.bot.send_document(
                chat.id, InputFile(content, filename=name), caption=caption
            )
            note = t.gettext("Fill in the workbook and send it back here as a file.")
            await self.ask_lines(update, context, t, note=note)
            return
        if parts == ["done"] and data.get("lines"):
            await answer(update)
            data["stage"] = CHECK
            await self.show_check(update, context, t)
            return
        if parts == ["clear"]:
            await answer(update)
            data.update(lines=[], next=1, stage=LINES)
            await self.ask_lines(update, context, t, note=t.gettext("The list is empty again."))
            return
        if parts[:1] == ["s"] and len(parts) == 2 and stage == CHECK:
            await self.save(update, context, t, parts[1])
            return
        await answer(update, t.gettext("This button is not valid."), alert=True)

    async def show(self, update: Update, context: BotContext, *, note: str = "") -> None:
        t = await tr(update, context)
        data = self.data(context)
        if data.get("leaving"):
            await self._ask_leave(update, context, t, note=note)
            return
        stage = self.stage(context)
        if stage == LINES:
            await self.ask_lines(update, context, t, note=note)
        elif stage == CHECK:
            await self.show_check(update, context, t, note=note)
        else:
            await self.earlier_show(update, context, note=note)

    async def cancelled(self, update: Update, context: BotContext) -> None:
        """/cancel leaves at once, as it leaves any flow."""
        t = await tr(update, context)
        await self._discard(update, context, t)

    # -- buttons every stage of lines has --------------------------------------------------

    def cancel_row(self, context: BotContext, t: Translator) -> list[InlineKeyboardButton]:
        return [self.button(context, t.gettext("✖ Cancel"), "cancel")]

    def lines_rows(self, context: BotContext, t: Translator) -> list[list[InlineKeyboardButton]]:
        """The lines question's buttons: the workbook, Done once something was sent, Cancel."""
        rows = [[self.button(context, t.gettext("📥 Workbook to fill in"), "wb")]]
        count = len(self.data(context).get("lines", []))
        if count:
            label = t.gettext("✅ Done ({count} lines)").format(count=t.number(count))
            rows.append([self.button(context, label, "done")])
        rows.append(self.cancel_row(context, t))
        return rows

    def check_rows(
        self, context: BotContext, t: Translator, saves: list[tuple[str, str]]
    ) -> InlineKeyboardMarkup:
        """The check's buttons: the save buttons `(label, how)`, start again, cancel."""
        rows = [[self.button(context, label, "s", how)] for label, how in saves]
        rows.append([self.button(context, t.gettext("🗑 Start the list again"), "clear")])
        rows.append(self.cancel_row(context, t))
        return InlineKeyboardMarkup(rows)

    # -- leaving -----------------------------------------------------------------------

    async def _ask_leave(
        self, update: Update, context: BotContext, t: Translator, *, note: str = ""
    ) -> None:
        self.data(context)["leaving"] = True
        self.new_step(context)
        markup = InlineKeyboardMarkup(
            [
                [self.button(context, t.gettext(DISCARD), "drop")],
                [self.button(context, t.gettext(KEEP_ENTERING), "keep")],
            ]
        )
        text = t.gettext(LEAVE_QUESTION)
        await reply(update, f"{note}\n{text}" if note else text, markup)

    async def _leave_typed(
        self, update: Update, context: BotContext, t: Translator, text: str
    ) -> None:
        word = answers.plain(text)
        if word in DISCARD_WORDS:
            await self._leave_pressed(update, context, t, discard=True)
        elif word in KEEP_WORDS:
            await self._leave_pressed(update, context, t, discard=False)
        else:
            note = t.gettext("Please tap one of the buttons.")
            await self._ask_leave(update, context, t, note=note)

    async def _leave_pressed(
        self, update: Update, context: BotContext, t: Translator, *, discard: bool
    ) -> None:
        await answer(update)
        if discard:
            await self._discard(update, context, t)
            return
        self.data(context).pop("leaving", None)
        await self.show(update, context)

    async def _discard(self, update: Update, context: BotContext, t: Translator) -> None:
        await finish(context, self)
        if update.callback_query is not None:
            await edit_or_reply(update, t.gettext("Cancelled. Nothing was saved."))
            await show_main_menu(update, context, t.gettext("Choose a task below."))
            return
        await show_main_menu(update, context, t.gettext("Cancelled. Nothing was saved."))
