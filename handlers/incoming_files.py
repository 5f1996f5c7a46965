"""A file or a photo sent when no dialog waits for one (a dialog on screen takes its own, as it
always did: `Dialog.stray`).

Volunteers send a filled workbook back days after the bot sent it, outside the list it came
from; or a photo of a paper list; or some other file. Each gets a way on:

- **One of the bot's own files** (`incoming_files.recognise`: a list of new members, a list of
  nominations, a rollout sheet, figures or baselines) goes straight to its flow with the file,
  as if sent inside it: the list's check, the rollout's check, the import's question. What the
  flow needs first is asked first, and only that: a chair's branch, a list's title or year
  where the workbook does not say it; the file waits in the dialog meanwhile. Someone who may
  not start that flow is told who may, as the command tells them.
- **Any other spreadsheet**: what files the bot takes, and a button for each flow this person
  may start (`incoming_files.uses`, the commands' own rules), in a question that keeps the file
  (`FileQuestion`): a press reads it, nothing to send again.
- **A photo** (or a picture sent as a file): the bot does not read photos of lists; how to send
  a list, with the same buttons, which start the flows.
- **Too large, damaged, or not a spreadsheet**: one line, and the menu.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any, Final

from telegram import Document, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot import list_workbooks
from bot.config import LANGUAGES
from bot.i18n import N_, translator
from bot.list_workbooks import Unreadable, WorkbookUnreadable
from bot.services import incoming_files
from bot.services.incoming_files import ListTemplates, Recognised, Use
from bot.services.title_lists import LIST_KINDS
from bot.storage import people
from bot.text import shorten
from handlers import member_lists, rollout, targets, title_lists
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
)
from handlers.dialogs import Dialog, finish, open_dialog

TOO_LARGE = N_(
    "{name} is too large (at most 5 MB). Please send the workbook without pictures, or the "
    "list as text."
)
UNREADABLE = N_(
    "I cannot read {name}: it is not a workbook, or it is damaged. The bot reads workbooks "
    "(.xlsx or .csv); an old .xls file can be saved as .xlsx in Excel."
)
UNKNOWN = N_("📎 {name}: I cannot tell which list this is.")
TAKES = N_("The bot reads these files (.xlsx or .csv):")
WHAT_TAKEN: Final = {
    Use.MEMBER_LIST: N_("• a list of new members (the workbook of /memberlist)"),
    Use.TITLE_LIST: N_("• a list of nominations for a title (the workbook of /titlelist)"),
    Use.ROLLOUT: N_("• the rollout sheet (/rollout)"),
    Use.FIGURES: N_("• figures and targets, or existing totals, of the units"),
}
TAP_FOR_FILE = N_("Tap what this file holds: it is read at once, nothing to send again.")
PHOTO = N_(
    "I cannot read photos of lists. Send the list as text instead, one per line (one message "
    "can hold the whole list), or fill in the workbook the bot gives you and send it back as a "
    "file."
)
TAP_FOR_PHOTO = N_("Tap which list you want to send:")
LABELS: Final = {
    Use.MEMBER_LIST: N_("👥 List of new members"),
    Use.TITLE_LIST: N_("📋 List of nominations"),
    Use.ROLLOUT: N_("🚀 Rollout sheet"),
    Use.FIGURES: N_("📐 Figures and targets"),
    Use.BASELINE: N_("📚 Existing totals (baseline)"),
}
RECOGNISED_AS: Final = {
    Use.TITLE_LIST: N_("{name} is a list of nominations."),
    Use.ROLLOUT: N_("{name} is a rollout sheet."),
    Use.FIGURES: N_("{name} holds figures of units."),
}
REFUSALS: Final = {
    Use.TITLE_LIST: title_lists.NOT_A_SENDER,
    Use.ROLLOUT: rollout.NOT_ADMIN,
    Use.FIGURES: targets.NOT_ADMIN,
}
"""What a person is told who may not start the flow of the file they sent: the command's words."""
NEEDS_A_FILE: Final = (Use.FIGURES, Use.BASELINE)
"""Uses that read a file and ask nothing: not offered under a photo."""
IMAGE_SUFFIXES: Final = frozenset({".jpg", ".jpeg", ".png", ".heic", ".heif", ".webp", ".gif"})


@functools.cache
def templates() -> ListTemplates:
    """The list templates' headers in every language, as the list dialogs write them."""
    every = [translator(lang) for lang in LANGUAGES]
    return ListTemplates(
        member_names=frozenset(member_lists.field_label(t, "full_name") for t in every),
        member_marks=frozenset(
            t.gettext(header)
            for t in every
            for header in (member_lists.GENDER_HEADER, member_lists.JOINED_HEADER)
        ),
        title_subjects={
            title_lists.subject_header(t, kind): kind for t in every for kind in LIST_KINDS
        },
        title_names={title_lists.kind_label(t, kind): kind for t in every for kind in LIST_KINDS},
        title_others=frozenset(
            header for t in every for header in (t.gettext("No."), t.gettext("Note"))
        ),
    )


def _is_picture(document: Document) -> bool:
    """A photo sent "as a file" (to keep its quality) is still a photo."""
    if (document.mime_type or "").startswith("image/"):
        return True
    return PurePath(document.file_name or "").suffix.casefold() in IMAGE_SUFFIXES


async def received(update: Update, context: BotContext, *, typed: Sequence[str] = ()) -> None:
    """A document or a photo no dialog took; see the module docstring. `typed`: text typed
    under the question this file replaces, kept with it."""
    t = await tr(update, context)
    message = update.message
    user = update.effective_user
    assert message is not None and user is not None
    allowed = incoming_files.uses(await people.grants_of(context.db, user.id))
    if not allowed:
        await reply(update, t.gettext("You are not registered yet. Send /start to register."))
        return
    document = message.document
    if document is None or _is_picture(document):  # the handler's filter: else a photo
        await FILES.ask(update, context, None, typed=typed)
        return
    file = sent_file(document)
    if file["size"] > list_workbooks.MAX_BYTES:
        await show_main_menu(update, context, t.gettext(TOO_LARGE).format(name=file["name"]))
        return
    content = await download(context, file)
    try:
        found = await asyncio.to_thread(list_workbooks.peek, content, file["name"])
    except WorkbookUnreadable as error:
        text = TOO_LARGE if error.code is Unreadable.TOO_LARGE else UNREADABLE
        await show_main_menu(update, context, t.gettext(text).format(name=file["name"]))
        return
    recognised = incoming_files.recognise(found, templates())
    if recognised.use is None:
        await FILES.ask(update, context, file, typed=typed)
    elif recognised.use not in allowed:
        text = t.gettext(RECOGNISED_AS[recognised.use]).format(name=file["name"])
        await show_main_menu(update, context, text + " " + t.gettext(REFUSALS[recognised.use]))
    else:
        await hand_over(update, context, recognised.use, file, recognised, typed)


async def hand_over(
    update: Update,
    context: BotContext,
    use: Use,
    file: SentFile | None,
    recognised: Recognised | None = None,
    typed: Sequence[str] = (),
) -> None:
    """Start the flow of `use`, with `file` if there is one (read as if sent inside it), else
    from its beginning; a list takes the text `typed` under the question as its first lines.
    Nothing is on screen here: a dialog on screen takes the files sent (`Dialog.stray`), and
    the question that asked has ended. Who may is checked by the caller; each flow checks its
    own rules again, as its command does."""
    if use in NEEDS_A_FILE:
        assert file is not None  # never offered without one
        if recognised is not None:  # known as figures or baselines: which of the two?
            await targets.ask_import(update, context, file)
        else:  # the person said which
            await targets.run_import(update, context, file, baseline=use is Use.BASELINE)
    elif use is Use.MEMBER_LIST:
        open_dialog(context, member_lists.FLOW)
        await member_lists.FLOW.begin_with_file(update, context, file, typed=typed)
    elif use is Use.TITLE_LIST:
        open_dialog(context, title_lists.FLOW)
        kind = recognised.title_kind if recognised is not None else None
        year = recognised.year if recognised is not None else None
        await title_lists.FLOW.begin_with_file(
            update, context, file, kind=kind, year=year, typed=typed
        )
    else:
        open_dialog(context, rollout.ROLLOUT)
        if file is not None:
            await rollout.ROLLOUT.begin_with_file(update, context, file)
        else:
            await rollout.ROLLOUT.begin(update, context)


class FileQuestion(Dialog):
    """What a file the bot does not recognise holds (or, under a photo, which list is to be
    sent): a button per flow this person may start, ✖ Cancel. The file waits in the dialog's
    data; a press hands it to the flow chosen. Nothing typed is lost by leaving it, so another
    command simply replaces it, and its buttons then change nothing (the engine's step)."""

    name = "file"
    title = N_("The file you sent")

    def has_answers(self, data: dict[str, Any]) -> bool:
        """Text typed under it is an answer: leaving for another flow asks first."""
        return bool(data.get("typed"))

    async def ask(
        self,
        update: Update,
        context: BotContext,
        file: SentFile | None,
        *,
        typed: Sequence[str] = (),
    ) -> None:
        """Open the question for `file` (None: a photo), with text typed so far."""
        open_dialog(context, self)
        if file is not None:
            self.data(context)["file"] = dict(file)
        if typed:
            self.data(context)["typed"] = list(typed)
        await self.show(update, context)

    def summary(self, data: dict[str, Any]) -> str:
        typed = data.get("typed") or []
        first = next((line for text in typed for line in str(text).splitlines() if line), "")
        return shorten(first.strip(), 40)

    async def begin(self, update: Update, context: BotContext) -> None:
        await self.show(update, context)

    async def _offered(self, update: Update, context: BotContext) -> list[Use]:
        """The flows this person may start now (asked again at each press: a role may have
        been taken away meanwhile); under a photo, not the imports, which need a file."""
        assert update.effective_user is not None
        allowed = incoming_files.uses(await people.grants_of(context.db, update.effective_user.id))
        photo = kept_file(self.data(context).get("file")) is None
        return [use for use in allowed if not (photo and use in NEEDS_A_FILE)]

    async def show(self, update: Update, context: BotContext, *, note: str = "") -> None:
        t = await tr(update, context)
        offered = await self._offered(update, context)
        file = kept_file(self.data(context).get("file"))
        lines = [note] if note else []
        if file is not None:
            lines += [t.gettext(UNKNOWN).format(name=file["name"]), t.gettext(TAKES)]
            lines += [t.gettext(WHAT_TAKEN[use]) for use in offered if use in WHAT_TAKEN]
            lines.append(t.gettext(TAP_FOR_FILE))
        else:
            lines += [t.gettext(PHOTO), t.gettext(TAP_FOR_PHOTO)]
        self.new_step(context)
        rows = [[self.button(context, t.gettext(LABELS[use]), use.value)] for use in offered]
        rows.append([self.button(context, t.gettext("✖ Cancel"), "x")])
        await reply(update, "\n".join(lines), InlineKeyboardMarkup(rows))

    async def pressed(self, update: Update, context: BotContext, parts: list[str]) -> None:
        t = await tr(update, context)
        if parts == ["x"]:
            await answer(update)
            await finish(context, self)
            await edit_or_reply(update, t.gettext("Cancelled. Nothing was saved."))
            await show_main_menu(update, context, t.gettext("Choose a task below."))
            return
        offered = await self._offered(update, context)
        use = next((use for use in offered if parts == [use.value]), None)
        if use is None:
            await answer(update, t.gettext("This button is not valid."), alert=True)
            return
        file = kept_file(self.data(context).get("file"))
        typed = [str(text) for text in self.data(context).get("typed", [])]
        await finish(context, self)
        shown = f"📎 {file['name']} → " if file is not None else "→ "
        await edit_or_reply(update, shown + t.gettext(LABELS[use]))
        if use in NEEDS_A_FILE:
            await answer(update)
        await hand_over(update, context, use, file, typed=typed)

    async def typed(self, update: Update, context: BotContext) -> None:
        """Text typed instead of a press (often the list itself, under a photo's question):
        kept, and given to the list chosen as its first lines."""
        assert update.message is not None and update.message.text is not None
        t = await tr(update, context)
        kept = self.data(context).setdefault("typed", [])
        kept.append(update.message.text)
        count = sum(len(text.splitlines()) for text in kept if text.strip())
        note = t.gettext("Lines you typed, kept: {count}. Tap the list they belong to.")
        await self.show(update, context, note=note.format(count=t.number(count)))

    async def stray(self, update: Update, context: BotContext) -> None:
        """Another file or photo: the newest counts, as if this question had not been asked.
        (A sticker, a voice message: the question again.)"""
        message = update.message
        if message is None or not (message.document or message.photo):
            t = await tr(update, context)
            await self.show(update, context, note=t.gettext("Please tap one of the buttons."))
            return
        typed = [str(text) for text in self.data(context).get("typed", [])]
        await finish(context, self)
        await received(update, context, typed=typed)


FILES = FileQuestion()
DIALOGS = (FILES,)


def build() -> list[BaseHandler[Update, BotContext, Any]]:
    return [MessageHandler(filters.Document.ALL | filters.PHOTO, received)]
