"""Lists of nominations (/titlelist, /danhsach): many names for one title and year at once,
and the chair's decision on the whole list.

A branch head (or a chair) chooses the title (and, a chair, the branch or commune) and the
year, then pastes the names one per line, in one message or several, or fills the workbook
the bot sends (last year's recognised list of that unit and title already in it, since most
are renewed); the bot shows what it read before anything is stored, and 📤 sends the list.
The chairs who recognise that title (`title_lists.deciders`, the rule of single nominations)
get ONE card for the list, with ✅ recognise all, ✂️ leave some out (a paged list of the
entries with toggles, then the reason), ↩️ return with a reason; the nominator is told the
outcome in their own language, once per list.

Callback data: the nominating dialog's `title_list:<step>:…`; on a card `tl:ok:<id>`
(recognise all, a stateless button checked again by the service), `tl:ex:<id>` (starts the
dialog `title_list_out`) and `tl:rt:<id>` (starts `title_list_return`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import list_workbooks
from bot.i18n import N_, Translator
from bot.numbers import parse_number
from bot.services import decision_undo, nominations, privacy, scopes, title_lists
from bot.services.reporting import ReportError, local_today
from bot.services.title_lists import LIST_KINDS, Line, ListStatus, Reading, TitleList
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.models import ROLE_RANK, Role
from bot.storage.records import FieldCode, Nomination, NominationKind, NominationStatus
from bot.text import fold, shorten
from handlers import answers, branches, unit_question
from handlers.common import (
    BUTTON_CHARS,
    BotContext,
    answer,
    association_of,
    edit_or_reply,
    notify,
    parse_callback,
    reply,
    show_main_menu,
    tr,
    tr_for,
    unit_address,
    unit_title,
)
from handlers.dialogs import Dialog, Entry, finish, on_screen
from handlers.form_model import Invalid, Option, Question, asking_for, problem_text
from handlers.list_dialog import LINES, SHOWN, ListDialog, fit
from handlers.report_texts import report_error_text
from handlers.title_decisions import UNDO, person_name, pressed_card, undo_markup
from handlers.title_reject import REASON_TTL
from handlers.titles import KIND_LABELS, SUBJECTS
from handlers.unit_question import UnitQuestion

DECISION: Final = "tl"
COMMANDS: Final = ("titlelist", "danhsach")
PAGE: Final = 10
"""Entries per page of the list a chair leaves some out of."""
NAMES_ON_CARD: Final = 10

KIND, UNIT, YEAR = "kind", "unit", "year"

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
        t = await tr(update, context)
        user = update.effective_user
        assert user is not None
        await answer(update)
        grants = await people.grants_of(context.db, user.id)
        if not grants:
            await finish(context, self)
            await reply(update, t.gettext("You are not registered yet. Send /start to register."))
            return
        if not title_lists.may_submit(grants):
            await finish(context, self)
            await show_main_menu(
                update,
                context,
                t.gettext(
                    "Lists of nominations are sent by branch heads and chairs. To nominate "
                    "one at a time, use /title."
                ),
            )
            return
        self.start_draft(context, KIND)
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
        assert update.effective_user is not None
        levels = title_lists.LEVELS[self._kind(context)]
        prompt = f"{t.gettext(self.title)} — " + t.gettext("Which branch or commune is it in?")
        if note:
            prompt = f"{note}\n{prompt}"
        return UnitQuestion(
            self,
            title=lambda parent: prompt + "\n" + unit_title(t, parent),
            levels=levels,
            cancel="cancel",
            when_empty=branches.when_empty(context.db, t, update.effective_user.id, levels),
        )

    async def _ask_year(
        self, update: Update, context: BotContext, t: Translator, *, note: str = ""
    ) -> None:
        data = self.data(context)
        data["stage"] = YEAR
        data.pop(unit_question.PICKER, None)
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
        data = self.data(context)
        data.update(year=year, stage=LINES)
        await self.ask_lines(update, context, t)

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


async def card(context: BotContext, t: Translator, title_list: TitleList) -> str:
    """The list as a chair reads it, ending with where it stands."""
    db = context.db
    unit = await unit_store.get(db, title_list.unit_id)
    entries = await title_lists.entries(db, title_list.id)
    counts = await title_lists.counts(db, title_list.id)
    listed = [entry for entry in entries if entry.status is not NominationStatus.WITHDRAWN]
    names = "; ".join(entry.subject for entry in listed[:NAMES_ON_CARD])
    if len(listed) > NAMES_ON_CARD:
        names += "; " + t.gettext("… and {count} others.").format(
            count=t.number(len(listed) - NAMES_ON_CARD)
        )
    lines = [
        t.gettext("📋 List of nominations #{number}: {title}, {year}").format(
            number=title_list.id, title=kind_label(t, title_list.kind), year=title_list.year
        ),
        t.gettext("Entries: {count}").format(count=t.number(len(listed))),
        await unit_address(t, db, unit) if unit is not None else "?",
        t.gettext("Nominated by {name} at {time}").format(
            name=await person_name(db, title_list.reporter_id),
            time=t.datetime(title_list.created_at, context.runtime.settings.tz),
        ),
        names,
    ]
    decider = await person_name(db, title_list.decided_by)
    if title_list.status is ListStatus.PENDING:
        lines.append(t.gettext("⏳ Waiting for a decision"))
    elif title_list.status is ListStatus.DECIDED:
        lines.append(
            t.gettext("✅ Decided by {name}: {recognised} recognised, {rejected} not.").format(
                name=decider,
                recognised=t.number(counts.get(NominationStatus.RECOGNISED, 0)),
                rejected=t.number(counts.get(NominationStatus.REJECTED, 0)),
            )
        )
    else:
        lines.append(
            t.gettext("↩️ Returned by {name}. Reason: {reason}").format(
                name=decider, reason=title_list.return_reason or ""
            )
        )
    return "\n".join(lines)


async def pending_count(context: BotContext, title_list: TitleList) -> int:
    counts = await title_lists.counts(context.db, title_list.id)
    return counts.get(NominationStatus.PENDING, 0)


def decide_buttons(t: Translator, list_id: int, count: int) -> InlineKeyboardMarkup:
    """One row each: a shaky finger must not return what it meant to recognise."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.gettext("✅ Recognise all {count}").format(count=t.number(count)),
                    callback_data=f"{DECISION}:ok:{list_id}",
                )
            ],
            [
                InlineKeyboardButton(
                    t.gettext("✂️ Leave some out…"), callback_data=f"{DECISION}:ex:{list_id}"
                )
            ],
            [
                InlineKeyboardButton(
                    t.gettext("↩️ Return with a reason"), callback_data=f"{DECISION}:rt:{list_id}"
                )
            ],
        ]
    )


async def card_markup(
    context: BotContext, t: Translator, title_list: TitleList, *, viewer: int | None = None
) -> InlineKeyboardMarkup | None:
    """A pending list's decision buttons; a decided one's ↩ Undo, for `viewer` if they decided
    it and it can still be undone (`handlers.title_undo.list_undo_pressed`)."""
    if title_list.status is not ListStatus.PENDING:
        undoable = decision_undo.list_undoable(title_list, context.now())
        if viewer is not None and viewer == title_list.decided_by and undoable:
            return undo_markup(t, f"{DECISION}:{UNDO}:{title_list.id}")
        return None
    return decide_buttons(t, title_list.id, await pending_count(context, title_list))


async def ask_deciders(context: BotContext, list_id: int) -> None:
    """A new list (`NoticeKind.NOMINATION_LIST_SUBMITTED`): one card, with its buttons, to
    each chair a single nomination of its title there goes to; a list decided meanwhile goes
    to no one."""
    title_list = await title_lists.get(context.db, list_id)
    if title_list is None or title_list.status is not ListStatus.PENDING:
        return
    _, chairs = await title_lists.deciders(context.db, title_list)
    for chair_id in chairs:
        t = await tr_for(context, chair_id)
        await notify(
            context,
            chair_id,
            await card(context, t, title_list),
            await card_markup(context, t, title_list),
        )


async def show_card(
    update: Update, context: BotContext, t: Translator, title_list: TitleList, card_id: int | None
) -> None:
    """Put the list's current state on the chair's card (without buttons once decided, but
    ↩ Undo for a few minutes)."""
    text = await card(context, t, title_list)
    viewer = update.effective_user.id if update.effective_user is not None else None
    markup = await card_markup(context, t, title_list, viewer=viewer)
    chat = update.effective_chat
    assert chat is not None
    if card_id is not None:
        try:
            await context.bot.edit_message_text(
                text, chat_id=chat.id, message_id=card_id, reply_markup=markup
            )
            return
        except BadRequest as error:
            if "not modified" in str(error).lower():
                return
    await reply(update, text, markup)


def callback_id(update: Update, action: str) -> int | None:
    """`tl:<action>:<id>` → id; anything else → None."""
    assert update.callback_query is not None
    parts = parse_callback(update.callback_query.data, DECISION)
    if len(parts) != 2 or parts[0] != action:
        return None
    return parse_number(parts[1])


async def refuse_press(
    update: Update, context: BotContext, t: Translator, list_id: int, error: ReportError
) -> None:
    """Say why not; a card that is out of date is brought up to date."""
    text = (
        t.gettext("This list has already been decided.")
        if error is ReportError.ALREADY_DECIDED
        else report_error_text(t, error)
    )
    await answer(update, text, alert=True)
    found = await title_lists.get(context.db, list_id)
    card_id = pressed_card(update)
    if error is ReportError.ALREADY_DECIDED and found is not None and card_id is not None:
        await show_card(update, context, t, found, card_id)


async def recognise_pressed(update: Update, context: BotContext) -> None:
    """`tl:ok:<id>`: the whole list recognised in one tap."""
    t = await tr(update, context)
    user = update.effective_user
    assert user is not None
    list_id = callback_id(update, "ok")
    if list_id is None:
        await answer(update, t.gettext("This button is not valid."), alert=True)
        return
    result = await title_lists.decide(
        context.db, list_id, user.id, recognise=True, now=context.now()
    )
    if isinstance(result, ReportError):
        await refuse_press(update, context, t, list_id, result)
        return
    counts = await title_lists.counts(context.db, list_id)
    await answer(
        update,
        t.gettext("✅ Recognised: {count}").format(
            count=t.number(counts.get(NominationStatus.RECOGNISED, 0))
        ),
    )
    await show_card(update, context, t, result, pressed_card(update))


async def tell_nominator(context: BotContext, list_id: int) -> None:
    """The outcome (`NoticeKind.NOMINATION_LIST_DECIDED`), once per list, in the nominator's
    language; a chair deciding their own list is not told."""
    title_list = await title_lists.get(context.db, list_id)
    if title_list is None or title_list.status is ListStatus.PENDING:
        return
    if title_list.reporter_id == title_list.decided_by:
        return
    t = await tr_for(context, title_list.reporter_id)
    entries = await title_lists.entries(context.db, list_id)
    recognised = [e for e in entries if e.status is NominationStatus.RECOGNISED]
    rejected = [
        e for e in entries if e.status is NominationStatus.REJECTED and e.decided_at is not None
    ]
    rejected = [e for e in rejected if e.decided_at == title_list.decided_at]
    details = {
        "number": title_list.id,
        "title": kind_label(t, title_list.kind),
        "year": title_list.year,
        "name": await person_name(context.db, title_list.decided_by),
    }
    if title_list.status is ListStatus.RETURNED:
        text = t.gettext(
            "Your list #{number} ({title}, {year}) was returned by {name}; nothing in it was "
            "recognised. Reason: {reason}\nCorrect it and send it again with /titlelist."
        ).format(**details, reason=title_list.return_reason or "")
        await notify(context, title_list.reporter_id, text)
        return
    text = (
        t.gettext(
            "🎉 Your list #{number} ({title}, {year}) has been decided by {name}: {count} "
            "recognised."
        ).format(**details, count=t.number(len(recognised)))
        if recognised
        else t.gettext(
            "Your list #{number} ({title}, {year}) has been decided by {name}: none of it was "
            "recognised."
        ).format(**details)
    )
    if rejected:
        names = "; ".join(e.subject for e in rejected[:20])
        if len(rejected) > 20:
            names += "; " + t.gettext("… and {count} others.").format(
                count=t.number(len(rejected) - 20)
            )
        text += "\n" + t.gettext("Not recognised ({count}): {names}. Reason: {reason}").format(
            count=t.number(len(rejected)), names=names, reason=rejected[0].reject_reason or ""
        )
    await notify(context, title_list.reporter_id, text)


async def waiting(context: BotContext, t: Translator, user_id: int) -> list[tuple[str, Any]]:
    """The cards of the lists waiting for this chair, with their buttons (/pending)."""
    found = []
    for title_list in await title_lists.pending_for(context.db, user_id):
        found.append(
            (await card(context, t, title_list), await card_markup(context, t, title_list))
        )
    return found


# ---------------------------------------------------------------- the decision dialogs


class _ListDecision(Dialog):
    """What the two decision dialogs share: the list they are about, and how they end."""

    interruption = True
    action: str

    def _list_id(self, context: BotContext) -> int | None:
        found = self.data(context).get("id")
        return found if isinstance(found, int) else None

    async def _open(
        self, update: Update, context: BotContext
    ) -> tuple[Translator, TitleList] | None:
        """`tl:<action>:<id>`: the list, if this chair may still decide it."""
        t = await tr(update, context)
        user = update.effective_user
        assert user is not None
        list_id = callback_id(update, self.action)
        if list_id is None:
            await finish(context, self)
            await answer(update, t.gettext("This button is not valid."), alert=True)
            return None
        found = await title_lists.decidable(context.db, user.id, list_id)
        if isinstance(found, ReportError):
            await finish(context, self)
            await refuse_press(update, context, t, list_id, found)
            return None
        await answer(update)
        self.data(context).update(id=list_id, card=pressed_card(update))
        return t, found

    async def _current(self, update: Update, context: BotContext) -> TitleList | None:
        """The list, if it may still be decided; else the dialog ends saying why."""
        t = await tr(update, context)
        user = update.effective_user
        assert user is not None
        list_id = self._list_id(context)
        found = (
            await title_lists.decidable(context.db, user.id, list_id)
            if list_id is not None
            else ReportError.NOT_FOUND
        )
        if isinstance(found, ReportError):
            text = (
                t.gettext("This list has already been decided.")
                if found is ReportError.ALREADY_DECIDED
                else report_error_text(t, found)
            )
            await self._end(update, context, text)
            return None
        return found

    def _stale_reason(self, context: BotContext) -> bool:
        asked_at = self.data(context).get("asked_at")
        return (
            not isinstance(asked_at, str)
            or context.now() - datetime.fromisoformat(asked_at) > REASON_TTL
        )

    async def _decide(
        self,
        update: Update,
        context: BotContext,
        *,
        recognise: bool,
        left_out: list[int],
        reason: str | None,
    ) -> bool:
        """Decide; False when the reason must be asked again (said in `note`)."""
        t = await tr(update, context)
        user = update.effective_user
        assert user is not None
        list_id = self._list_id(context)
        assert list_id is not None
        result = await title_lists.decide(
            context.db,
            list_id,
            user.id,
            recognise=recognise,
            left_out=left_out,
            reason=reason,
            now=context.now(),
        )
        if result in (ReportError.REASON_REQUIRED, ReportError.REASON_TOO_LONG):
            assert isinstance(result, ReportError)
            await self.show(update, context, note=report_error_text(t, result))
            return False
        card_id = self.data(context).get("card")
        card_id = card_id if isinstance(card_id, int) else None
        if isinstance(result, ReportError):
            current = await title_lists.get(context.db, list_id)
            if result is ReportError.ALREADY_DECIDED and current is not None and card_id:
                await show_card(update, context, t, current, card_id)
            text = (
                t.gettext("This list has already been decided.")
                if result is ReportError.ALREADY_DECIDED
                else report_error_text(t, result)
            )
            await self._end(update, context, text)
            return True
        await show_card(update, context, t, result, card_id)
        counts = await title_lists.counts(context.db, list_id)
        if recognise:
            text = t.gettext(
                "Saved: list #{number}, {recognised} recognised, {rejected} not. The nominator "
                "has been told."
            ).format(
                number=list_id,
                recognised=t.number(counts.get(NominationStatus.RECOGNISED, 0)),
                rejected=t.number(len(left_out)),
            )
        else:
            text = t.gettext(
                "Saved: list #{number} is returned, nothing in it recognised. The nominator has "
                "been told."
            ).format(number=list_id)
        await self._end(update, context, text, edit=update.callback_query is not None)
        return True

    async def stray(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        await self.show(update, context, note=t.gettext("Please answer with text or the buttons."))

    async def cancelled(self, update: Update, context: BotContext) -> None:
        await self._leave(update, context)

    async def _leave(self, update: Update, context: BotContext) -> None:
        """✖ Cancel or /cancel: nothing is decided; the card keeps its buttons."""
        t = await tr(update, context)
        await answer(update)
        await finish(context, self)
        below = on_screen(context) is not None  # it asks its question again
        if update.callback_query is not None:
            await edit_or_reply(update, t.gettext("Nothing was decided."))
            if not below:
                await show_main_menu(update, context, t.gettext("Choose a task below."))
        elif below:
            await reply(update, t.gettext("Nothing was decided."))
        else:
            await show_main_menu(
                update, context, t.gettext("Nothing was decided. Choose a task below.")
            )

    async def _end(
        self, update: Update, context: BotContext, text: str, *, edit: bool = False
    ) -> None:
        """Done: `text` (in place of the question pressed), with the main menu unless a dialog
        below asks its question again."""
        t = await tr(update, context)
        await finish(context, self)
        below = on_screen(context) is not None
        if edit:
            await edit_or_reply(update, text)
            if not below:
                await show_main_menu(update, context, t.gettext("Choose a task below."))
        elif below:
            await reply(update, text)
        else:
            await show_main_menu(update, context, text)


class LeaveOut(_ListDecision):
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
            *([note] if note else []),
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
        text = "\n".join(lines)
        if edit:
            await edit_or_reply(update, text, InlineKeyboardMarkup(rows))
        else:
            await reply(update, text, InlineKeyboardMarkup(rows))

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
        text = f"{note}\n{text}" if note else text
        if edit:
            await edit_or_reply(update, text, InlineKeyboardMarkup(rows))
        else:
            await reply(update, text, InlineKeyboardMarkup(rows))

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


class ReturnList(_ListDecision):
    """↩️ on a card: why the list goes back; the chair types it, nothing is recognised."""

    name = "title_list_return"
    title = N_("Returning a list of nominations")
    entry = Entry(patterns=(rf"^{DECISION}:rt:[0-9]+$",))
    action = "rt"

    async def begin(self, update: Update, context: BotContext) -> None:
        opened = await self._open(update, context)
        if opened is None:
            return
        await self.show(update, context)

    async def show(self, update: Update, context: BotContext, *, note: str = "") -> None:
        title_list = await self._current(update, context)
        if title_list is None:
            return
        t = await tr(update, context)
        self.data(context)["asked_at"] = context.now().isoformat()
        text = t.gettext(
            "Why is list #{number} ({title}, {year}, {count} entries) returned? Type the reason; "
            "the nominator will read it, and nothing in the list is recognised."
        ).format(
            number=title_list.id,
            title=kind_label(t, title_list.kind),
            year=title_list.year,
            count=t.number(await pending_count(context, title_list)),
        )
        self.new_step(context)
        cancel = self.button(context, t.gettext("✖ Cancel"), "cancel")
        await reply(update, f"{note}\n{text}" if note else text, InlineKeyboardMarkup([[cancel]]))

    async def typed(self, update: Update, context: BotContext) -> None:
        assert update.message is not None and update.message.text is not None
        title_list = await self._current(update, context)
        if title_list is None:
            return
        t = await tr(update, context)
        if self._stale_reason(context):
            await self._end(
                update,
                context,
                t.gettext(
                    "The question was asked more than an hour ago, so nothing was decided. "
                    "Press ↩️ on the list again if you still want to."
                ),
            )
            return
        await self._decide(
            update, context, recognise=False, left_out=[], reason=update.message.text
        )

    async def pressed(self, update: Update, context: BotContext, parts: list[str]) -> None:
        if parts == ["cancel"]:
            await self._leave(update, context)
            return
        t = await tr(update, context)
        await answer(update, t.gettext("This button is not valid."), alert=True)


FLOW = TitleListDialog()
DIALOGS = (FLOW, LeaveOut(), ReturnList())


def build() -> list[BaseHandler[Update, BotContext, Any]]:
    return [CallbackQueryHandler(recognise_pressed, pattern=rf"^{DECISION}:ok:")]
