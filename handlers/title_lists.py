"""Lists of nominations (/titlelist, /danhsach): many names for one title and year at once,
and the chair's decision on the whole list.

A branch head (or a chair) chooses the title (and, a chair, the branch or commune) and the
year, then pastes the names one per line, in one message or several, or fills the workbook
the bot sends (last year's recognised list of that unit and title already in it, since most
are renewed); the bot shows what it read before anything is stored, and 📤 sends the list.
That workbook sent back outside the dialog starts it (`begin_with_file`): the title and year
it says are taken from it, only what it does not say is asked.
The chairs who recognise that title (`title_lists.deciders`, the rule of single nominations)
get ONE card for the list (`handlers.title_list_cards`: ✅ recognise all, ↩️ return with a
reason; ✂️ leave some out is `handlers.title_list_leave_out`).

Callback data: the nominating dialog's `title_list:<step>:…`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from telegram import InlineKeyboardMarkup, Update

from bot import list_workbooks
from bot.i18n import N_, Translator
from bot.numbers import parse_number
from bot.services import nominations, privacy, scopes, title_lists
from bot.services.reporting import ReportError, local_today
from bot.services.title_lists import LIST_KINDS, Line, Reading
from bot.storage import units as unit_store
from bot.storage.models import ROLE_RANK, Role
from bot.storage.records import FieldCode, Nomination, NominationKind
from bot.text import shorten
from handlers import answers, unit_question
from handlers.common import (
    BotContext,
    SentFile,
    answer,
    association_of,
    edit_or_reply,
    reply,
    show_main_menu,
    tr,
    unit_title,
)
from handlers.dialogs import Entry, finish
from handlers.form_model import Invalid, Option, Question, asking_for, problem_text
from handlers.list_dialog import SHOWN, ListDialog, fit
from handlers.report_texts import report_error_text
from handlers.titles import KIND_LABELS, SUBJECTS
from handlers.unit_question import UnitQuestion

COMMANDS: Final = ("titlelist", "danhsach")

KIND, UNIT, YEAR = "kind", "unit", "year"
NOT_A_SENDER: Final = N_(
    "Lists of nominations are sent by branch heads and chairs. To nominate one at a time, use "
    "/title."
)

WHAT_TO_SEND: Final = {
    NominationKind.CITIZEN: N_("the full names of the people nominated"),
    NominationKind.FAMILY: N_("the full names of the heads of household"),
    NominationKind.CLAN: N_("the names of the clans"),
    NominationKind.VILLAGE_COMMUNITY: N_("the names of the villages or residential groups"),
    NominationKind.LEARNING_UNIT: N_("the names of the agencies, schools or enterprises"),
}
EXAMPLES: Final = {
    NominationKind.CITIZEN: "Nguyễn Văn An\nTrần Thị Hoa, {note}",
    NominationKind.FAMILY: "Trần Văn Bình\nNguyễn Thị Hoa, {note}",
    NominationKind.CLAN: "Dòng họ Phạm Văn\nDòng họ Nguyễn Đình, {note}",
    NominationKind.VILLAGE_COMMUNITY: "Thôn Đông\nTổ dân phố số 3, {note}",
    NominationKind.LEARNING_UNIT: "Trường Tiểu học Đông Hà\nTrạm Y tế xã, {note}",
}
EXAMPLE_NOTE = N_("three children passed the university entrance exam")


def kind_label(t: Translator, kind: NominationKind) -> str:
    return t.gettext(KIND_LABELS[kind])


def subject_header(t: Translator, kind: NominationKind) -> str:
    """The workbook's name column: "Chủ hộ", "Dòng họ"…"""
    subject = SUBJECTS.get(kind)
    return t.gettext(subject.label) if subject is not None else t.gettext("Name")


# ---------------------------------------------------------------- the nominating dialog


class TitleListDialog(ListDialog):
    """The list: title, place (a chair's choice), year, the lines, the check, 📤 send."""

    name = "title_list"
    title = N_("List of nominations")
    entry = Entry(commands=COMMANDS)
    max_lines = title_lists.MAX_ENTRIES

    # -- the questions before the lines ---------------------------------------------------

    async def begin(self, update: Update, context: BotContext) -> None:
        await self.begin_with_file(update, context, None)

    async def begin_with_file(
        self,
        update: Update,
        context: BotContext,
        file: SentFile | None,
        *,
        kind: NominationKind | None = None,
        year: int | None = None,
        typed: Sequence[str] = (),
    ) -> None:
        """Begin; a `file` sent outside the dialog (and text `typed` before it began) is read
        once the title, the place and the year are known. What the workbook says (`kind`,
        `year`) is not asked again; a year it says that cannot be chosen is asked, with why."""
        opened = await self.opening(update, context)
        if opened is None:
            return
        t, grants = opened
        if not title_lists.may_submit(grants):
            await finish(context, self)
            await show_main_menu(update, context, t.gettext(NOT_A_SENDER))
            return
        self.start_draft(context, KIND)
        self.keep_file(context, file)
        self.keep_text(context, typed)
        if file is not None and year is not None:
            self.data(context)["file_year"] = year
        if kind in LIST_KINDS:
            await self._kind_chosen(update, context, t, kind)
            return
        await self._ask_kind(update, context, t)

    def _options(self) -> list[Option]:
        return [Option(kind.value, KIND_LABELS[kind]) for kind in LIST_KINDS]

    def _kind(self, context: BotContext) -> NominationKind:
        return NominationKind(str(self.data(context)["kind"]))

    async def _ask_kind(
        self, update: Update, context: BotContext, t: Translator, *, note: str = ""
    ) -> None:
        self.new_step(context)
        rows = [
            [self.button(context, t.gettext(option.label), "k", index)]
            for index, option in enumerate(self._options())
        ]
        rows.append(self.cancel_row(context, t))
        text = f"{t.gettext(self.title)} — " + t.gettext("Which title is the list for?")
        note = "\n".join(filter(None, [note, self.file_note(context, t)]))
        await reply(update, f"{note}\n{text}" if note else text, InlineKeyboardMarkup(rows))

    async def _kind_chosen(
        self, update: Update, context: BotContext, t: Translator, kind: NominationKind
    ) -> None:
        """The list's unit: a branch head's own; a chair's only one, else chosen."""
        user = update.effective_user
        assert user is not None
        data = self.data(context)
        data["kind"] = kind.value
        levels = title_lists.LEVELS[kind]
        question = Question("unit_id", N_("Place"), N_("Place"), levels=lambda _: levels)
        asking = await asking_for(context, user.id, {})
        only = await question.only_unit(asking)
        if only is not None:
            data["unit_id"] = only.id
            await self._ask_year(update, context, t)
            return
        top = scopes.highest(asking.grants)
        assert top is not None
        data["stage"] = UNIT
        if top.rank <= ROLE_RANK[Role.BRANCH_HEAD]:
            self.new_step(context)
            text = t.gettext("Only chairs can report this.")
            await reply(update, text, InlineKeyboardMarkup([self.cancel_row(context, t)]))
            return
        asked = self._unit_question(update, context, t)
        asked.begin(context, top.unit)
        await asked.show(update, context, t)

    def _unit_question(
        self, update: Update, context: BotContext, t: Translator, note: str = ""
    ) -> UnitQuestion:
        question = t.gettext("Which branch or commune is it in?")
        levels = title_lists.LEVELS[self._kind(context)]
        note = "\n".join(filter(None, [note, self.file_note(context, t)]))
        return self.unit_question(update, context, t, question, levels, note)

    async def _ask_year(
        self, update: Update, context: BotContext, t: Translator, *, note: str = ""
    ) -> None:
        data = self.data(context)
        data["stage"] = YEAR
        data.pop(unit_question.PICKER, None)
        said = data.pop("file_year", None)
        if isinstance(said, int):  # the workbook's own year: asked only if it cannot be
            await self._year_chosen(update, context, t, said)
            return
        note = "\n".join(filter(None, [note, self.file_note(context, t)]))
        today = local_today(context.now())
        self.new_step(context)
        years = [today.year, today.year - 1]
        rows = [[self.button(context, str(year), "y", year) for year in years]]
        rows.append(self.cancel_row(context, t))
        text = (
            await self.heading(context, t)
            + "\n"
            + t.gettext("For which year? Tap a button or type a year.")
        )
        await reply(update, f"{note}\n{text}" if note else text, InlineKeyboardMarkup(rows))

    async def _year_chosen(
        self, update: Update, context: BotContext, t: Translator, year: int
    ) -> None:
        code = title_lists.year_problem(year, today=local_today(context.now()))
        if code is not None:
            await self._ask_year(update, context, t, note=problem_text(t, code))
            return
        self.data(context)["year"] = year
        await self.lines_next(update, context, t)

    async def heading(self, context: BotContext, t: Translator) -> str:
        """ "📋 Gia đình học tập, năm 2026 — Chi hội Thôn Đông" (the year once chosen)."""
        data = self.data(context)
        unit = await unit_store.get(context.db, int(data["unit_id"]))
        place = unit_title(t, unit) if unit is not None else "?"
        kind = kind_label(t, self._kind(context))
        if "year" in data:
            return t.gettext("📋 {title}, {year} — {unit}").format(
                title=kind, year=data["year"], unit=place
            )
        return f"📋 {kind} — {place}"

    async def earlier_typed(self, update: Update, context: BotContext, text: str) -> None:
        t = await tr(update, context)
        stage = self.stage(context)
        if stage == KIND:
            chosen = answers.chosen_by_text(text, self._options())
            if chosen is None:
                await self._ask_kind(
                    update, context, t, note=problem_text(t, FieldCode.INVALID_CHOICE)
                )
                return
            await self._kind_chosen(update, context, t, NominationKind(chosen.value))
        elif stage == UNIT:
            await self._unit_question(update, context, t).typed(update, context, t, text)
        elif stage == YEAR:
            try:
                year = answers.title_year(text, t, local_today(context.now()))
            except Invalid as problem:
                await self._ask_year(update, context, t, note=problem.message)
                return
            assert isinstance(year, int)
            await self._year_chosen(update, context, t, year)
        else:
            await self.show(update, context)

    async def earlier_pressed(self, update: Update, context: BotContext, parts: list[str]) -> None:
        t = await tr(update, context)
        stage = self.stage(context)
        if stage == KIND and parts[:1] == ["k"] and len(parts) == 2:
            index = parse_number(parts[1])
            if index is not None and 0 <= index < len(LIST_KINDS):
                await answer(update)
                await self._kind_chosen(update, context, t, LIST_KINDS[index])
                return
        elif stage == UNIT and unit_question.is_press(parts):
            unit = await self._unit_question(update, context, t).pressed(update, context, t, parts)
            if unit is not None:
                self.data(context)["unit_id"] = unit.id
                await self._ask_year(update, context, t)
            return
        elif stage == YEAR and parts[:1] == ["y"] and len(parts) == 2:
            year = parse_number(parts[1])
            today = local_today(context.now())
            if year in (today.year, today.year - 1):
                await answer(update)
                assert year is not None
                await self._year_chosen(update, context, t, year)
                return
        await answer(update, t.gettext("This button is not valid."), alert=True)

    async def earlier_show(self, update: Update, context: BotContext, *, note: str = "") -> None:
        t = await tr(update, context)
        stage = self.stage(context)
        if stage == UNIT:
            if unit_question.PICKER in self.data(context):
                await self._unit_question(update, context, t, note).show(update, context, t)
            else:
                await self._kind_chosen(update, context, t, self._kind(context))
        elif stage == YEAR:
            await self._ask_year(update, context, t, note=note)
        else:
            await self._ask_kind(update, context, t, note=note)

    # -- the lines ----------------------------------------------------------------------

    async def ask_lines(
        self, update: Update, context: BotContext, t: Translator, *, note: str = ""
    ) -> None:
        data = self.data(context)
        kind = self._kind(context)
        renewals = await self._renewals(context)
        workbook = t.gettext("Or tap 📥 to get a workbook to fill in and send back here.")
        if renewals:
            workbook = t.gettext(
                "Or tap 📥 to get a workbook to fill in and send back here: the {count} "
                "recognised in {year} are already in it."
            ).format(count=t.number(len(renewals)), year=int(data["year"]) - 1)
        text = "\n".join(
            [
                *([note] if note else []),
                await self.heading(context, t),
                t.gettext(
                    "Send {what}, one per line: paste the whole list into one message, or send "
                    "several messages, then tap ✅ Done. A note may follow a comma. For example:"
                ).format(what=t.gettext(WHAT_TO_SEND[kind])),
                EXAMPLES[kind].format(note=t.gettext(EXAMPLE_NOTE)),
                workbook,
            ]
        )
        self.new_step(context)
        await reply(update, text, InlineKeyboardMarkup(self.lines_rows(context, t)))

    async def _renewals(self, context: BotContext) -> list[Nomination]:
        data = self.data(context)
        return await title_lists.renewals(
            context.db, self._kind(context), int(data["unit_id"]), int(data["year"])
        )

    def headers(self, t: Translator) -> list[str]:
        kinds = {subject_header(t, kind) for kind in LIST_KINDS}
        return [*kinds, t.gettext("Name")]

    def row_line(self, number: int, cells: list[str]) -> Line | None:
        return title_lists.row_line(number, cells)

    async def workbook(
        self, update: Update, context: BotContext, t: Translator
    ) -> tuple[bytes, str, str]:
        data = self.data(context)
        kind = self._kind(context)
        unit = await unit_store.get(context.db, int(data["unit_id"]))
        assert unit is not None and update.effective_user is not None
        renewals = await self._renewals(context)
        heading = t.gettext("{title}, {year} — {unit}").format(
            title=kind_label(t, kind), year=data["year"], unit=unit_title(t, unit)
        )
        content = list_workbooks.template_bytes(
            sheet=kind_label(t, kind),
            title=heading,
            hint=t.gettext(
                "One per row; the note is optional. Rows left empty are skipped. Save the file "
                "and send it back to the bot."
            ),
            columns=[
                list_workbooks.Column(t.gettext("No."), width=6),
                list_workbooks.Column(subject_header(t, kind), width=34, text=True),
                list_workbooks.Column(t.gettext("Note"), width=44, text=True),
            ],
            rows=[[index, record.subject, None] for index, record in enumerate(renewals, 1)],
        )
        name = f"danh-sach-{kind.value}-{unit.code}-{data['year']}.xlsx"
        await privacy.record_export(
            context.db,
            update.effective_user.id,
            "title_list_template",
            now=context.now(),
            unit_id=unit.id,
            detail=name,
            personal=bool(renewals),
            row_count=len(renewals),
        )
        caption = heading
        if renewals:
            caption += "\n" + t.gettext(
                "Already filled in: the {count} recognised in {year}. Delete the rows of those "
                "not nominated again, add the new ones."
            ).format(count=t.number(len(renewals)), year=int(data["year"]) - 1)
        return content, name, caption

    # -- the check ----------------------------------------------------------------------

    async def _reading(self, context: BotContext) -> Reading:
        data = self.data(context)
        return await title_lists.check(
            context.db,
            self._kind(context),
            int(data["unit_id"]),
            int(data["year"]),
            self.lines(context),
            today=local_today(context.now()),
        )

    async def _check_text(self, context: BotContext, t: Translator, reading: Reading) -> str:
        data = self.data(context)
        lines = [
            t.gettext("Check before sending:") + " " + (await self.heading(context, t)),
            t.gettext("Lines read: {count}").format(count=t.number(reading.total)),
            t.gettext("✅ To be sent: {count}").format(count=t.number(len(reading.ready))),
        ]
        for entry in reading.ready[:3]:
            shown = f"{entry.subject} — {entry.note}" if entry.note else entry.subject
            lines.append(
                "   "
                + t.gettext("line {number}: {text}").format(number=entry.line.number, text=shown)
            )
        if len(reading.ready) > 3:
            lines.append("   …")
        sections: list[tuple[str, list[str]]] = [
            (
                t.gettext("🔁 Repeated in the list, sent once: {count}"),
                [
                    t.gettext("line {number} “{text}” repeats line {first}").format(
                        number=entry.line.number, text=shorten(entry.subject, 40), first=first
                    )
                    for entry, first in reading.repeated
                ],
            ),
            (
                t.gettext("📌 Already nominated or recognised for {year}, left out: {count}"),
                [
                    t.gettext("line {number} “{text}”: nomination #{id}").format(
                        number=entry.line.number, text=shorten(entry.subject, 40), id=nomination_id
                    )
                    for entry, nomination_id in reading.already
                ],
            ),
            (
                t.gettext("❓ Not a name, left out: {count}"),
                [
                    t.gettext("line {number} “{text}”").format(
                        number=line.number, text=shorten(line.text, 40)
                    )
                    for line in reading.unreadable
                ],
            ),
            (
                t.gettext("⚠️ Lines with a problem, left out: {count}"),
                [
                    t.gettext("line {number} “{text}”: {problem}").format(
                        number=line.number,
                        text=shorten(line.text, 40),
                        problem=(t.gettext("Note") + ": " if field == "note" else "")
                        + problem_text(t, code),
                    )
                    for line, field, code in reading.problems
                ],
            ),
        ]
        for heading, items in sections:
            if not items:
                continue
            lines.append(heading.format(count=t.number(len(items)), year=data["year"]))
            lines += ["   • " + item for item in items[:SHOWN]]
            if len(items) > SHOWN:
                lines.append(
                    "   "
                    + t.gettext("… and {count} more lines.").format(
                        count=t.number(len(items) - SHOWN)
                    )
                )
        return "\n".join(lines)

    async def show_check(
        self, update: Update, context: BotContext, t: Translator, *, note: str = ""
    ) -> None:
        reading = await self._reading(context)
        text = await self._check_text(context, t, reading)
        if reading.ready:
            decider = await self._decider(context, t)
            text += "\n" + t.gettext(
                "Tap 📤 to send it to {decider} for recognition. Lines sent now are added to "
                "the list."
            ).format(decider=decider)
            saves = [
                (
                    t.gettext("📤 Send the list ({count})").format(
                        count=t.number(len(reading.ready))
                    ),
                    "send",
                )
            ]
        else:
            text += "\n" + t.gettext(
                "Nothing can be sent yet. Send the corrected lines (they are added to the "
                "list), or start the list again."
            )
            saves = []
        self.data(context)["ready"] = len(reading.ready)
        self.new_step(context)
        await reply(
            update, fit(f"{note}\n{text}" if note else text), self.check_rows(context, t, saves)
        )

    async def _decider(self, context: BotContext, t: Translator) -> str:
        data = self.data(context)
        unit = await unit_store.get(context.db, int(data["unit_id"]))
        found = None
        if unit is not None:
            found, _ = await nominations.deciders(context.db, unit, self._kind(context))
        return association_of(t, found) if found is not None else t.gettext("the chairs")

    async def save(self, update: Update, context: BotContext, t: Translator, how: str) -> None:
        user = update.effective_user
        assert user is not None
        if how != "send":
            await answer(update, t.gettext("This button is not valid."), alert=True)
            return
        data = self.data(context)
        reading = await self._reading(context)
        checked = await self._check_text(context, t, reading)
        result = await title_lists.submit(
            context.db,
            user.id,
            kind=self._kind(context),
            unit_id=int(data["unit_id"]),
            year=int(data["year"]),
            lines=self.lines(context),
            idempotency_key=f"list:{data['id']}",
            now=context.now(),
        )
        await answer(update)
        if isinstance(result, ReportError):
            note = (
                t.gettext(
                    "Every name of the list is already nominated or recognised for that year."
                )
                if result is ReportError.DUPLICATE
                else report_error_text(t, result)
            )
            await self.show_check(update, context, t, note=note)
            return
        shown = int(data.get("ready", result.entries))
        decider = await self._decider(context, t)
        await finish(context, self)
        await edit_or_reply(update, fit(checked))
        text = t.gettext(
            "✅ List #{number} sent: {count} nominations, {title}, {year}. It has been sent to "
            "{decider} for recognition; you will get a message here when it is decided."
        ).format(
            number=result.title_list.id,
            count=t.number(result.entries),
            title=kind_label(t, result.title_list.kind),
            year=result.title_list.year,
            decider=decider,
        )
        if result.new and result.entries < shown:
            text += "\n" + t.gettext(
                "{count} of the names were nominated by someone else meanwhile and were left out."
            ).format(count=t.number(shown - result.entries))
        await show_main_menu(update, context, text)


# ---------------------------------------------------------------- the chair's card

FLOW = TitleListDialog()
DIALOGS = (FLOW,)
