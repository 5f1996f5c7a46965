"""/rollout (/trienkhai): the province administrator rolls the bot out from one spreadsheet.

The dialog sends the template, waits for the filled sheet as a document, shows what it read
(the counts, or every problem by row: nothing is created then, and a corrected file can be sent
at once), asks to confirm, then creates the branches and invites (`bot.services.rollout`) and
sends back the workbook of links with their QR codes and the PDF of cards.

A filled sheet sent outside the dialog starts it at that check (`begin_with_file`, from
`handlers.incoming_files`).

Its buttons are the engine's: `rollout:<step>:ok` (create), `…:tpl` (the template again),
`…:x` (cancel). The file itself is kept as Telegram's file id, downloaded again to create, so
the draft stays small and what is created is what was checked, checked once more.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any, Final

from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ChatAction

from bot.i18n import N_, Translator
from bot.services import privacy, rollout
from bot.services.imports import MAX_FILE_BYTES
from bot.services.rollout import Rejected, Rollout, Status
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.models import Level
from handlers import rollout_files
from handlers.common import (
    BotContext,
    SentFile,
    answer,
    association_of,
    download,
    edit_or_reply,
    reply,
    sent_file,
    show_main_menu,
    tr,
)
from handlers.dialogs import Dialog, Entry, finish

FILE, CONFIRM = "file", "confirm"
"""Where the dialog stands (`data["at"]`): waiting for the sheet, then for ✅."""
SHOWN_ERRORS: Final = 15
EXPORT_KIND: Final = privacy.ExportKind.ROLLOUT
"""How the files sent back are recorded (`privacy.record_export`): names and phone numbers."""

NOT_ADMIN = N_("Only the province administrator can roll out from a sheet.")
SEND_THE_SHEET = N_(
    "Fill in this template, one row per person: the commune, the branch and its kind, the role, "
    "the full name and the phone number (the second sheet explains each column). Then send it "
    "back here as a file (.xlsx or .csv). Every row is checked first; nothing is created before "
    "you confirm."
)
NOT_A_FILE = N_("Please send the filled sheet as a file (.xlsx or .csv), or press ✖ Cancel.")


class RolloutDialog(Dialog):
    """The template, the sheet, what it holds, ✅, the files."""

    name = "rollout"
    title = N_("Rollout from a sheet")
    entry = Entry(commands=("rollout", "trienkhai"))

    def has_answers(self, data: dict[str, Any]) -> bool:
        return data.get("at") == CONFIRM  # a sheet read and waiting for ✅

    def summary(self, data: dict[str, Any]) -> str:
        file = data.get("file")
        return str(file.get("name", "")) if isinstance(file, dict) else ""

    async def _refused(self, update: Update, context: BotContext, t: Translator) -> bool:
        """Checked at every step (a grant may be taken away meanwhile): when the sender is no
        longer the province administrator, the dialog ends with the main menu and says why."""
        assert update.effective_user is not None
        grants = await people.grants_of(context.db, update.effective_user.id)
        if rollout.may_roll_out(grants):
            return False
        await finish(context, self)
        await show_main_menu(update, context, t.gettext(NOT_ADMIN))
        return True

    # -- asking ---------------------------------------------------------------------

    def _markup(self, context: BotContext, t: Translator, *, confirm: bool) -> InlineKeyboardMarkup:
        rows = []
        if confirm:
            rows.append([self.button(context, t.gettext("✅ Create and send the links"), "ok")])
        rows.append([self.button(context, t.gettext("📄 The template again"), "tpl")])
        rows.append([self.button(context, t.gettext("✖ Cancel"), "x")])
        return InlineKeyboardMarkup(rows)

    async def begin(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        await answer(update)
        if await self._refused(update, context, t):
            return
        await self._send_template(update, context, t)
        await self.ask_file(update, context, t, text=t.gettext(SEND_THE_SHEET))

    async def ask_file(
        self, update: Update, context: BotContext, t: Translator, *, text: str
    ) -> None:
        data = self.data(context)
        data.clear()
        data["at"] = FILE
        self.new_step(context)
        await reply(update, text, self._markup(context, t, confirm=False))

    async def _send_template(self, update: Update, context: BotContext, t: Translator) -> None:
        db = context.db
        root = await unit_store.root(db)
        communes = await unit_store.beneath(db, root, [Level.COMMUNE], limit=1) if root else []
        middles = await unit_store.beneath(db, root, [Level.DISTRICT]) if root else []
        content = await asyncio.to_thread(
            rollout_files.template_bytes,
            t,
            example_commune=communes[0] if communes else None,
            middle_kinds=[unit.kind for unit in middles],
        )
        chat = update.effective_chat
        assert chat is not None
        await context.bot.send_document(
            chat.id,
            InputFile(content, filename=rollout_files.TEMPLATE_NAME),
            caption=t.gettext("Rollout template: one row per person."),
        )

    async def show(self, update: Update, context: BotContext, *, note: str = "") -> None:
        t = await tr(update, context)
        await answer(update)
        data = self.data(context)
        counts = data.get("counts")
        if data.get("at") == CONFIRM and isinstance(counts, dict):
            text = _read_text(t, str(data["file"]["name"]), counts)
            self.new_step(context)
            await reply(
                update, f"{note}\n{text}" if note else text, self._markup(context, t, confirm=True)
            )
            return
        text = t.gettext(NOT_A_FILE)
        await self.ask_file(update, context, t, text=f"{note}\n{text}" if note else text)

    # -- answers --------------------------------------------------------------------

    async def typed(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        if self.data(context).get("at") == CONFIRM:
            await self.show(update, context, note=t.gettext("Please choose one of the buttons."))
        else:
            await self.show(update, context)

    async def begin_with_file(self, update: Update, context: BotContext, file: SentFile) -> None:
        """A sheet sent outside the dialog (`handlers.incoming_files`): checked at once, as if
        sent inside it (no template: it has been filled in)."""
        t = await tr(update, context)
        await answer(update)
        if await self._refused(update, context, t):
            return
        await self._check(update, context, t, file)

    async def stray(self, update: Update, context: BotContext) -> None:
        """A document: the sheet (again, at either step: the newest one counts)."""
        message = update.message
        if message is None or message.document is None:
            await self.show(update, context)
            return
        t = await tr(update, context)
        if await self._refused(update, context, t):
            return
        await self._check(update, context, t, sent_file(message.document, "sheet.xlsx"))

    async def _check(
        self, update: Update, context: BotContext, t: Translator, file: SentFile
    ) -> None:
        """What the sheet holds and ✅, or its problems and the question for a corrected one."""
        user = update.effective_user
        assert user is not None
        name = file["name"]
        if file["size"] > MAX_FILE_BYTES:
            result: Rollout | Rejected = Rejected(
                (rollout.RowProblem(None, rollout.Problem.TOO_BIG, value=name),)
            )
        else:
            content = await download(context, file)
            result = await rollout.check(
                context.db, content, name, actor_id=user.id, now=context.now()
            )
        if isinstance(result, Rejected):
            await self.ask_file(update, context, t, text=_rejected_text(t, name, result))
            return
        data = self.data(context)
        data.clear()
        data.update(at=CONFIRM, file={"id": file["id"], "name": name}, counts=_counts(result))
        self.new_step(context)
        await reply(
            update, _read_text(t, name, _counts(result)), self._markup(context, t, confirm=True)
        )

    async def pressed(self, update: Update, context: BotContext, parts: list[str]) -> None:
        t = await tr(update, context)
        data = self.data(context)
        if parts == ["x"]:
            await answer(update)
            await finish(context, self)
            await edit_or_reply(update, t.gettext("Cancelled. Nothing was created."))
            return
        if parts == ["tpl"]:
            await answer(update)
            await self._send_template(update, context, t)
            await self.show(update, context)
            return
        if parts == ["ok"] and data.get("at") == CONFIRM:
            await answer(update)
            await self._create(update, context, t)
            return
        await answer(update, t.gettext("This button is not valid."), alert=True)

    async def cancelled(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        await finish(context, self)
        await show_main_menu(update, context, t.gettext("Cancelled. Nothing was created."))

    async def _create(self, update: Update, context: BotContext, t: Translator) -> None:
        """Check once more and create in one transaction; then the two files."""
        user, chat = update.effective_user, update.effective_chat
        assert user is not None and chat is not None
        if await self._refused(update, context, t):
            return
        file = self.data(context)["file"]
        name = str(file["name"])
        # Said at once (the chat action sends what is collected): a province's sheet takes
        # seconds, and the ✅ under it is gone.
        await edit_or_reply(update, t.gettext("⏳ Creating the branches and the links…"))
        await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_DOCUMENT)
        content = await download(context, {"id": str(file["id"]), "name": name, "size": 0})
        result = await rollout.roll_out(
            context.db, content, name, actor_id=user.id, now=context.now()
        )
        if isinstance(result, Rejected):
            await self.ask_file(update, context, t, text=_rejected_text(t, name, result))
            return
        await finish(context, self)
        await edit_or_reply(update, _done_text(t, result))
        root = await unit_store.root(context.db)
        association = association_of(t, root) if root is not None else ""
        username = context.bot.username
        stem = re.sub(r"[^\w.-]+", "-", name.rsplit(".", 1)[0])[:60].strip("-.") or "trien-khai"
        workbook = await asyncio.to_thread(rollout_files.links_workbook, t, result, username)
        files = [(f"{stem}-lien-ket.xlsx", workbook, t.gettext("Each person's link and QR code."))]
        if result.with_links:
            cards = await asyncio.to_thread(
                rollout_files.cards_pdf, t, result, username, association=association
            )
            files.append(
                (f"{stem}-the-moi.pdf", cards, t.gettext("One card per person, to print."))
            )
        for file_name, data, caption in files:
            await privacy.record_export(
                context.db,
                user.id,
                EXPORT_KIND,
                now=context.now(),
                unit_id=root.id if root is not None else None,
                detail=file_name,
                personal=True,
                row_count=len(result.people),
            )
            await context.bot.send_document(
                chat.id, InputFile(data, filename=file_name), caption=caption
            )
        await show_main_menu(
            update,
            context,
            t.gettext(
                "Hand each person their card, or send them their link (Zalo, SMS). Each link "
                "works once; send the sheet again with /rollout to add people or renew expired "
                "links."
            ),
        )


def _counts(result: Rollout) -> dict[str, int]:
    return {
        "people": len(result.people),
        "communes": result.communes,
        "new_branches": result.new_branches,
        "existing_branches": result.existing_branches,
        "new": result.count(Status.NEW),
        "invited": result.count(Status.INVITED),
        "registered": result.count(Status.REGISTERED),
        "examples": result.examples,
    }


def _read_text(t: Translator, name: str, counts: dict[str, Any]) -> str:
    """What the sheet holds, and (before ✅) what creating it will do."""
    number = {key: t.number(int(value)) for key, value in counts.items()}
    lines = [
        t.gettext("{name}: {people} people in {communes} communes.").format(name=name, **number),
        t.gettext(
            "• Branches to create: {new_branches} (already there: {existing_branches})"
        ).format(**number),
        t.gettext("• New links: {new}").format(**number),
        t.gettext("• Links made before and still valid, listed again: {invited}").format(**number),
        t.gettext("• Already registered: {registered}").format(**number),
    ]
    if int(counts.get("examples", 0)):
        lines.append(t.gettext("The template's example row was skipped."))
    if int(counts["new_branches"]) + int(counts["new"]) == 0:
        lines.append(
            t.gettext("Nothing new to create. Press ✅ to get the workbook and the cards again.")
        )
    else:
        lines.append(t.gettext("Press ✅ to create them and get the links."))
    return "\n".join(lines)


def _rejected_text(t: Translator, name: str, result: Rejected) -> str:
    count = len(result.errors)
    lines = [
        t.ngettext(
            "Nothing was created from {name}: {count} problem. Please correct the sheet and "
            "send it again:",
            "Nothing was created from {name}: {count} problems. Please correct the sheet and "
            "send it again:",
            count,
        ).format(name=name, count=t.number(count))
    ]
    lines += [rollout_files.describe(t, error) for error in result.errors[:SHOWN_ERRORS]]
    if len(result.errors) > SHOWN_ERRORS:
        lines.append(
            t.gettext("… and {count} more.").format(count=len(result.errors) - SHOWN_ERRORS)
        )
    return "\n".join(lines)


def _done_text(t: Translator, result: Rollout) -> str:
    return t.gettext(
        "✅ Done: {branches} branches and {invites} links created; {skipped} were there already "
        "({people} people on the sheet). The workbook of links and the cards follow."
    ).format(
        branches=t.number(result.new_branches),
        invites=t.number(result.count(Status.NEW)),
        skipped=t.number(result.skipped),
        people=t.number(len(result.people)),
    )


ROLLOUT = RolloutDialog()
DIALOGS = (ROLLOUT,)
