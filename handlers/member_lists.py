"""Lists of new members (/memberlist, /dshoivien): many at once, pasted or from a workbook.

The branch first (a volunteer's or branch head's own; a chair chooses), then the lines: one
member per line, "Trần Thị Hoa, nữ, 1965, 15/10/2025, 0912345678", in one message or several,
or the workbook the bot sends, filled in. The check shows, before anything is stored, how
the lines were read, those that may be people already members (the single form's duplicate
check, `members.likely_duplicates`, on every row, and the earlier rows of the list) and the
lines that cannot be saved, with why; the person saves all, or all but the doubtful ones, in
one transaction. Year of birth and phone of members already in the bot are shown as the
single form shows them (`bot.services.privacy`). A filled workbook sent outside the dialog
starts it (`begin_with_file`) and is read as if sent inside it, once the branch is known.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from telegram import InlineKeyboardMarkup, Update

from bot import list_workbooks
from bot.i18n import N_, Translator
from bot.services import member_lists, privacy, scopes
from bot.services.member_lists import Reading, Row, RowProblem
from bot.services.reporting import local_today
from bot.services.title_lists import Line
from bot.storage import units as unit_store
from bot.storage.models import ROLE_RANK, Level, Role, Unit
from bot.storage.records import FieldCode, Gender
from bot.text import shorten
from handlers import unit_question
from handlers.common import (
    BotContext,
    SentFile,
    answer,
    edit_or_reply,
    kept_file,
    reply,
    show_main_menu,
    tr,
    unit_title,
)
from handlers.dialogs import Entry, finish
from handlers.form_model import Question, asking_for, problem_text
from handlers.list_dialog import SHOWN, ListDialog, fit
from handlers.members import FORM as MEMBER_FORM
from handlers.members import GENDERS
from handlers.report_texts import report_error_text
from handlers.unit_question import UnitQuestion

COMMANDS: Final = ("memberlist", "dshoivien")
UNIT: Final = "unit"
EXAMPLE: Final = "Trần Thị Hoa, nữ, 1965, 15/10/2025, 0912345678\nNguyễn Văn An, nam, 1958, hôm nay"

GENDER_LABELS: Final = {Gender(option.value): option.label for option in GENDERS}
GENDER_HEADER: Final = N_("Gender (nam/nữ)")
JOINED_HEADER: Final = N_("Date joined (dd/mm/yyyy)")
"""The template's columns no other file has: a workbook sent outside the dialog is known by
them (`handlers.incoming_files`)."""


def field_label(t: Translator, key: str) -> str:
    question = MEMBER_FORM.question(key)
    return t.gettext(question.label) if question is not None else ""


def problem_line(t: Translator, problem: RowProblem) -> str:
    """ "Năm sinh: Số nằm ngoài khoảng cho phép.", "Không đọc được “xyz”." """
    if problem.code == member_lists.UNREAD:
        return t.gettext("I could not read “{part}”.").format(part=shorten(problem.part, 30))
    if problem.code == member_lists.NOT_IN_REACH:
        return t.gettext("“{part}” is a branch you do not report for.").format(
            part=shorten(problem.part, 30)
        )
    text = problem_text(t, FieldCode(problem.code))
    label = field_label(t, problem.field)
    return f"{label}: {text}" if label else text


class MemberListDialog(ListDialog):
    """The branch (a chair's choice), the lines, the check, 💾 save."""

    name = "member_list"
    title = N_("List of new members")
    entry = Entry(commands=COMMANDS)
    max_lines = member_lists.MAX_ROWS

    async def begin(self, update: Update, context: BotContext) -> None:
        await self.begin_with_file(update, context, None)

    async def begin_with_file(
        self,
        update: Update,
        context: BotContext,
        file: SentFile | None,
        *,
        typed: Sequence[str] = (),
    ) -> None:
        """Begin; a `file` sent outside the dialog, and text `typed` before it began, are read
        as soon as the branch is known: at once for whoever reports for one branch, after the
        choice for a chair."""
        opened = await self.opening(update, context)
        if opened is None:
            return
        t, _ = opened
        user = update.effective_user
        assert user is not None
        self.start_draft(context, UNIT)
        self.keep_file(context, file)
        self.keep_text(context, typed)
        question = Question("unit_id", N_("Branch"), N_("Branch"), levels=lambda _: (Level.BRANCH,))
        asking = await asking_for(context, user.id, {})
        only = await question.only_unit(asking)
        if only is not None:
            self.data(context)["unit_id"] = only.id
            await self.lines_next(update, context, t)
            return
        top = scopes.highest(asking.grants)
        assert top is not None
        if top.rank <= ROLE_RANK[Role.BRANCH_HEAD]:
            await finish(context, self)
            await show_main_menu(update, context, t.gettext("Only chairs can report this."))
            return
        asked = self._unit_question(update, context, t)
        asked.begin(context, top.unit)
        await asked.show(update, context, t)

    def _unit_question(
        self, update: Update, context: BotContext, t: Translator, note: str = ""
    ) -> UnitQuestion:
        question = t.gettext("Which branch do the members join?")
        note = "\n".join(filter(None, [note, self.file_note(context, t)]))
        return self.unit_question(update, context, t, question, (Level.BRANCH,), note)

    async def earlier_typed(self, update: Update, context: BotContext, text: str) -> None:
        t = await tr(update, context)
        await self._unit_question(update, context, t).typed(update, context, t, text)

    async def earlier_pressed(self, update: Update, context: BotContext, parts: list[str]) -> None:
        t = await tr(update, context)
        if unit_question.is_press(parts):
            unit = await self._unit_question(update, context, t).pressed(update, context, t, parts)
            if unit is not None:
                data = self.data(context)
                data.pop(unit_question.PICKER, None)
                data["unit_id"] = unit.id
                await self.lines_next(update, context, t)
            return
        await answer(update, t.gettext("This button is not valid."), alert=True)

    async def earlier_show(self, update: Update, context: BotContext, *, note: str = "") -> None:
        t = await tr(update, context)
        if unit_question.PICKER not in self.data(context):
            await self.begin_with_file(update, context, kept_file(self.data(context).get("file")))
            return
        await self._unit_question(update, context, t, note).show(update, context, t)

    # -- the lines ----------------------------------------------------------------------

    async def _branch(self, context: BotContext) -> Unit:
        unit = await unit_store.get(context.db, int(self.data(context)["unit_id"]))
        assert unit is not None
        return unit

    async def heading(self, context: BotContext, t: Translator) -> str:
        branch = await self._branch(context)
        return t.gettext("👥 New members — {branch}").format(branch=unit_title(t, branch))

    async def ask_lines(
        self, update: Update, context: BotContext, t: Translator, *, note: str = ""
    ) -> None:
        user = update.effective_user
        assert user is not None
        branch = await self._branch(context)
        reach = await member_lists.branches_for(context.db, user.id, branch)
        other = next((unit for unit in reach.mine.values() if unit.id != branch.id), None)
        lines = [
            *([note] if note else []),
            await self.heading(context, t),
            t.gettext(
                "Send one member per line: full name, gender, year of birth, date joined, "
                "mobile phone (optional). Paste the whole list into one message, or send "
                "several messages, then tap ✅ Done. For example:"
            ),
            EXAMPLE,
        ]
        if other is not None:
            lines.append(
                t.gettext("A line may name another branch of the commune, e.g. {branch}.").format(
                    branch=other.name
                )
            )
        lines.append(t.gettext("Or tap 📥 to get a workbook to fill in and send back here."))
        self.new_step(context)
        await reply(update, "\n".join(lines), InlineKeyboardMarkup(self.lines_rows(context, t)))

    def _columns(self, t: Translator, branch: Unit) -> list[list_workbooks.Column]:
        return [
            list_workbooks.Column(t.gettext("No."), width=6),
            list_workbooks.Column(field_label(t, "full_name"), width=28, text=True),
            list_workbooks.Column(t.gettext(GENDER_HEADER), width=14, text=True),
            list_workbooks.Column(field_label(t, "birth_year"), width=12),
            list_workbooks.Column(t.gettext(JOINED_HEADER), width=18, text=True),
            list_workbooks.Column(
                t.gettext("Branch (empty: {branch})").format(branch=branch.name),
                width=24,
                text=True,
            ),
            list_workbooks.Column(field_label(t, "phone"), width=16, text=True),
        ]

    def headers(self, t: Translator) -> list[str]:
        return [field_label(t, "full_name"), t.gettext(GENDER_HEADER)]

    def row_line(self, number: int, cells: list[str]) -> Line | None:
        return member_lists.row_line(number, cells)

    async def workbook(
        self, update: Update, context: BotContext, t: Translator
    ) -> tuple[bytes, str, str]:
        assert update.effective_user is not None
        branch = await self._branch(context)
        heading = await self.heading(context, t)
        content = list_workbooks.template_bytes(
            sheet=t.gettext("New members"),
            title=heading,
            hint=t.gettext(
                "One member per row; the phone is optional. Gender: nam or nữ. Rows left empty "
                "are skipped. Save the file and send it back to the bot."
            ),
            columns=self._columns(t, branch),
        )
        name = f"hoi-vien-moi-{branch.code}.xlsx"
        await privacy.record_export(
            context.db,
            update.effective_user.id,
            "member_list_template",
            now=context.now(),
            unit_id=branch.id,
            detail=name,
            personal=False,
            row_count=0,
        )
        return content, name, heading

    # -- the check ----------------------------------------------------------------------

    async def _reading(self, update: Update, context: BotContext) -> Reading:
        assert update.effective_user is not None
        return await member_lists.check(
            context.db,
            update.effective_user.id,
            await self._branch(context),
            self.lines(context),
            today=local_today(context.now()),
        )

    async def _row_text(self, context: BotContext, t: Translator, row: Row) -> str:
        data = row.data
        assert data is not None
        parts = [
            data.full_name,
            t.gettext(GENDER_LABELS[data.gender]),
            str(data.birth_year),
            t.date(data.joined_on),
        ]
        if data.phone:
            parts.append(data.phone)
        branch = await unit_store.get(context.db, data.unit_id)
        if branch is not None:
            parts.append(branch.name)
        return " · ".join(parts)

    async def _check_text(
        self, update: Update, context: BotContext, t: Translator, reading: Reading
    ) -> str:
        assert update.effective_user is not None
        viewer = await privacy.viewer(context.db, update.effective_user.id)
        lines = [
            t.gettext("Check before saving:") + " " + await self.heading(context, t),
            t.gettext("Lines read: {count}").format(count=t.number(reading.total)),
            t.gettext("✅ Ready to save: {count}").format(count=t.number(len(reading.ready))),
        ]
        for row in reading.ready[:3]:
            lines.append(
                "   "
                + t.gettext("line {number}: {text}").format(
                    number=row.line.number, text=await self._row_text(context, t, row)
                )
            )
        if len(reading.ready) > 3:
            lines.append("   …")
        if reading.doubtful:
            lines.append(
                t.gettext("⚠️ May already be members: {count}").format(
                    count=t.number(len(reading.doubtful))
                )
            )
            for doubt in reading.doubtful[:SHOWN]:
                data = doubt.row.data
                assert data is not None
                likes = []
                for twin in doubt.twins[:3]:
                    home = await unit_store.get(context.db, twin.unit_id)
                    likes.append(
                        t.gettext("member #{number}, born {year}, {branch}").format(
                            number=twin.id,
                            year=privacy.shown_birth_year(viewer, home, twin.birth_year)
                            if home is not None
                            else privacy.mask_birth_year(twin.birth_year),
                            branch=home.name if home is not None else "?",
                        )
                    )
                if doubt.earlier is not None:
                    likes.append(t.gettext("line {number}").format(number=doubt.earlier))
                lines.append(
                    "   • "
                    + t.gettext("line {number} {name}, born {year}: like {likes}").format(
                        number=doubt.row.line.number,
                        name=shorten(data.full_name, 40),
                        year=data.birth_year,
                        likes="; ".join(likes),
                    )
                )
            if len(reading.doubtful) > SHOWN:
                lines.append(
                    "   "
                    + t.gettext("… and {count} more lines.").format(
                        count=t.number(len(reading.doubtful) - SHOWN)
                    )
                )
        if reading.problems:
            lines.append(
                t.gettext("❌ Lines with a problem, not saved: {count}").format(
                    count=t.number(len(reading.problems))
                )
            )
            for row in reading.problems[:SHOWN]:
                lines.append(
                    "   • "
                    + t.gettext("line {number} “{text}”: {problem}").format(
                        number=row.line.number,
                        text=shorten(row.line.text, 40),
                        problem=" ".join(problem_line(t, p) for p in row.problems[:3]),
                    )
                )
            if len(reading.problems) > SHOWN:
                lines.append(
                    "   "
                    + t.gettext("… and {count} more lines.").format(
                        count=t.number(len(reading.problems) - SHOWN)
                    )
                )
        return "\n".join(lines)

    async def show_check(
        self, update: Update, context: BotContext, t: Translator, *, note: str = ""
    ) -> None:
        reading = await self._reading(update, context)
        text = await self._check_text(update, context, t, reading)
        ready, doubtful = len(reading.ready), len(reading.doubtful)
        saves: list[tuple[str, str]] = []
        if doubtful:
            saves.append(
                (
                    t.gettext("💾 Save all {count}, the {doubtful} too").format(
                        count=t.number(ready + doubtful), doubtful=t.number(doubtful)
                    ),
                    "all",
                )
            )
            if ready:
                saves.append(
                    (
                        t.gettext("💾 Save {count}, not the {doubtful}").format(
                            count=t.number(ready), doubtful=t.number(doubtful)
                        ),
                        "sure",
                    )
                )
            text += "\n" + t.gettext(
                "Save those that may already be members only if they are different people."
            )
        elif ready:
            saves.append(
                (t.gettext("💾 Save {count} members").format(count=t.number(ready)), "sure")
            )
        if not saves:
            text += "\n" + t.gettext(
                "Nothing can be saved yet. Send the corrected lines (they are added to the "
                "list), or start the list again."
            )
        else:
            text += "\n" + t.gettext("Lines sent now are added to the list.")
        self.new_step(context)
        await reply(
            update, fit(f"{note}\n{text}" if note else text), self.check_rows(context, t, saves)
        )

    async def save(self, update: Update, context: BotContext, t: Translator, how: str) -> None:
        user = update.effective_user
        assert user is not None
        if how not in ("all", "sure"):
            await answer(update, t.gettext("This button is not valid."), alert=True)
            return
        reading = await self._reading(update, context)
        rows = list(reading.ready)
        if how == "all":
            rows += [doubt.row for doubt in reading.doubtful]
            rows.sort(key=lambda row: row.line.number)
        if not rows:
            await answer(update)
            await self.show_check(update, context, t)
            return
        checked = await self._check_text(update, context, t, reading)
        result = await member_lists.store(
            context.db,
            user.id,
            rows,
            idempotency_key=f"members:{self.data(context)['id']}",
            now=context.now(),
        )
        await answer(update)
        if isinstance(result, tuple):
            line, error = result
            note = t.gettext("Nothing was saved: line {number}: {problem}").format(
                number=line.number, problem=report_error_text(t, error)
            )
            await self.show_check(update, context, t, note=note)
            return
        await finish(context, self)
        await edit_or_reply(update, fit(checked))
        numbers = [member.id for member in result]
        text = t.gettext("✅ Saved: {count} new members, numbers {first}–{last}.").format(
            count=t.number(len(result)), first=min(numbers), last=max(numbers)
        )
        await show_main_menu(update, context, text)


FLOW = MemberListDialog()
DIALOGS = (FLOW,)
