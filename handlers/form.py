"""Forms: a reporting flow as a list of questions, then a summary with Lưu / Sửa / Hủy.

One engine for every reporting flow keeps them behaving the same way for a volunteer:
each answer is checked at once with the same pydantic rules the service applies, a bad
answer repeats the question with the reason and an example, *Sửa* changes one answer and
returns to the summary (answers resting on the changed one are kept only while they still fit,
see `Question`), *Hủy* drops the draft (asking first when it has answers: "Bỏ các câu trả
lời đã nhập?"; /cancel drops it at once, as it leaves any flow). A button can be answered by
typing its label ("nữ", "tiền mặt"), an optional answer skipped by typing "không" or "bỏ
qua"; an answer seldom meant (500 ₫) or two that cannot both be right (joined before the year
of birth) ask a Yes/No question (`Doubt`) before the next question, and nothing entered is
lost. The draft, with its idempotency key, lives in `user_data`, which is written to SQLite
after every update: a restart loses nothing, and saving the same draft twice stores one record.

Here `FormFlow` asks the questions (typed, chosen, or a unit in the picker); what a form is
made of is in `handlers.form_model`, the summary, the list of answers to change and saving in
`handlers.form_review`.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.i18n import N_, Translator
from bot.numbers import parse_number
from bot.services import scopes
from bot.services.reporting import local_today
from bot.storage import people
from bot.storage.models import ROLE_RANK, Role
from bot.storage.records import FieldCode
from bot.text import shorten
from handlers import answers, branch_adding, branches, unit_question
from handlers.common import (
    BotContext,
    answer,
    edit_or_reply,
    parse_callback,
    reply,
    show_main_menu,
    tr,
    unit_address,
    unit_title,
)
from handlers.dialogs import Entry, finish
from handlers.form_model import (
    Asking,
    Doubt,
    Form,
    Invalid,
    JsonValue,
    Option,
    Question,
    Values,
    check_field,
    problem_text,
)
from handlers.form_review import FormReview
from handlers.unit_question import UnitQuestion

LEAVING = "leaving"
"""In the draft while "discard the answers entered?" waits."""
SURE = "sure"
"""In the draft: the doubts answered Yes, with the answers they were answered for."""
LEAVE_QUESTION = N_("Discard the answers entered?")
DISCARD = N_("Discard")
KEEP_ENTERING = N_("Continue entering")
DISCARD_WORDS = frozenset({"bo", "huy", "discard"})
KEEP_WORDS = frozenset({"tiep tuc", "tiep tuc nhap", "continue"})


class FormFlow(FormReview):
    """The dialog that fills one form."""

    def __init__(self, form: Form) -> None:
        self.form = form
        self.name = form.name
        self.title = form.title
        # `new`: the one-tap start under a campaign reminder; `e:<id>`: correct a saved
        # record (from /myreports).
        self.entry = Entry(commands=form.commands, menu=form.menu, callbacks=("new", "e"))

    # -- draft -------------------------------------------------------------

    def has_answers(self, data: dict[str, Any]) -> bool:
        return bool(data.get("values"))

    def summary(self, data: dict[str, Any]) -> str:
        values = data.get("values") or {}
        first = next((v for v in values.values() if isinstance(v, str) and v.strip()), "")
        return shorten(str(first), 40)

    # -- entry -------------------------------------------------------------

    async def begin(self, update: Update, context: BotContext) -> None:
        query = update.callback_query
        if query is not None and (query.data or "").startswith(f"{self.name}:e:"):
            await self.begin_edit(update, context)
            return
        t = await tr(update, context)
        user = update.effective_user
        assert user is not None
        await answer(update)  # started from a reminder's button
        grants = await people.grants_of(context.db, user.id)
        if not grants:
            await finish(context, self)
            await reply(update, t.gettext("You are not registered yet. Send /start to register."))
            return
        closed = await branches.closed_refusal(context, t, grants)  # nowhere to report
        if closed is not None:
            await finish(context, self)
            await show_main_menu(update, context, closed)
            return
        values: Values = {}
        if self.form.start_values is not None:
            values = await self.form.start_values(context, user.id)
        context.data[self.form.name] = {
            "id": secrets.token_hex(8),
            "values": values,
            "record": None,
        }
        await self.ask_next(update, context, t)
        return

    async def begin_edit(self, update: Update, context: BotContext) -> None:
        """`<form>:e:<id>` (from /myreports): reopen a saved record at its summary."""
        t = await tr(update, context)
        user = update.effective_user
        assert update.callback_query is not None and user is not None
        parts = parse_callback(update.callback_query.data, self.name)
        record_id = parse_number(parts[1]) if len(parts) == 2 else None
        if self.form.editing is None or record_id is None:
            await finish(context, self)
            await answer(update, t.gettext("This button is not valid."), alert=True)
            return
        loaded = await self.form.editing.load(context, t, user.id, record_id)
        if isinstance(loaded, str):
            await finish(context, self)
            await answer(update, loaded, alert=True)
            return
        await answer(update)
        # A saved record was confirmed when it was saved: its doubts are not asked again.
        sure = {d.name: d.answers(loaded) for d in self.form.doubts if d.stands(loaded)}
        context.data[self.form.name] = {
            "id": secrets.token_hex(8),
            "values": loaded,
            "record": record_id,
            SURE: sure,
        }
        await self.show_summary(update, context, t)
        return

    # -- asking ------------------------------------------------------------

    async def ask_next(
        self, update: Update, context: BotContext, t: Translator, *, note: str = ""
    ) -> None:
        """The first question still unanswered, or the summary; a question with one possible
        choice answers itself, and `note` (why we ask again) goes on to what is shown next."""
        draft = self.draft(context)
        doubt = self._doubt(draft)
        if doubt is not None:
            await self._ask_doubt(update, context, t, doubt, note=note)
            return
        question = self.form.next_question(draft["values"])
        if question is None:
            await self.show_summary(update, context, t, note=note)
            return
        draft["asking"] = question.key
        asking = await self._asking(update, context)
        if question.levels is not None:
            await self._ask_unit(update, context, t, question, asking, note=note)
            return
        options = await question.options_in(asking)
        if question.buttons_only and len(options) == 1:
            await self._answered(update, context, t, question, options[0].value, note=note)
            return
        await self._show_question(update, context, t, question, asking, note=note)
        return

    async def _show_question(
        self,
        update: Update,
        context: BotContext,
        t: Translator,
        question: Question,
        asking: Asking | None = None,
        *,
        note: str = "",
    ) -> None:
        """The prompt and its buttons; the values offered are kept to check a press against."""
        asking = asking or await self._asking(update, context)
        options = await question.options_in(asking)
        self.draft(context)["offered"] = [option.value for option in options]
        if not options and question.buttons_only:
            note = "\n".join(filter(None, [note, t.gettext("There is nothing to choose here.")]))
        self.new_step(context)
        await reply(
            update,
            self._prompt(t, question, asking.values, note),
            self._buttons(context, t, question, options, asking.today),
        )

    def _prompt(
        self, t: Translator, question: Question, values: Mapping[str, JsonValue], note: str = ""
    ) -> str:
        lines = [note] if note else []
        lines.append(f"{t.gettext(self.form.title)} — {t.gettext(question.prompt_in(values))}")
        return "\n".join(lines)

    def _buttons(
        self,
        context: BotContext,
        t: Translator,
        question: Question,
        options: Sequence[Option],
        today: date,
    ) -> InlineKeyboardMarkup:
        p = self.prefix(context)
        buttons = [
            InlineKeyboardButton(t.gettext(option.label), callback_data=f"{p}:o:{i}")
            for i, option in enumerate(options)
        ]
        width = max(1, question.columns)
        rows = [buttons[i : i + width] for i in range(0, len(buttons), width)]
        if question.shortcuts is not None:
            rows += [
                [InlineKeyboardButton(label, callback_data=f"{p}:s:{i}")]
                for i, (label, _) in enumerate(question.shortcuts(t, today))
            ]
        if question.optional:
            rows.append([InlineKeyboardButton(t.gettext("⏭ Skip"), callback_data=f"{p}:skip")])
        rows.append([InlineKeyboardButton(t.gettext("✖ Cancel"), callback_data=f"{p}:cancel")])
        return InlineKeyboardMarkup(rows)

    async def _ask_unit(
        self,
        update: Update,
        context: BotContext,
        t: Translator,
        question: Question,
        asking: Asking,
        *,
        note: str,
    ) -> None:
        """Volunteers report for their own branch; chairs choose a unit inside their scope."""
        top = scopes.highest(asking.grants)
        assert top is not None
        only = await question.only_unit(asking)
        if only is not None:
            await self._answered(update, context, t, question, only.id, note=note)
            return
        if top.rank <= ROLE_RANK[Role.BRANCH_HEAD]:
            text = t.gettext("Only chairs can report this.")
            self.new_step(context)
            cancel = self._cancel_row(context, t)
            await reply(update, f"{note}\n{text}" if note else text, InlineKeyboardMarkup([cancel]))
            return
        asked = self._unit_question(update, context, t, question, note)
        asked.begin(context, top.unit)
        await asked.show(update, context, t)

    def _unit_question(
        self, update: Update, context: BotContext, t: Translator, question: Question, note: str = ""
    ) -> UnitQuestion:
        """A unit question in the picker, under its prompt. A commune with no branch yet: a
        chair adds one there and then (an interruption, after which this question is asked
        again), anyone else is told whom to ask."""
        assert update.effective_user is not None and question.levels is not None
        values = self.draft(context)["values"]
        prompt = self._prompt(t, question, values, note)
        levels = question.levels(values)
        return UnitQuestion(
            self,
            title=lambda parent: prompt + "\n" + unit_title(t, parent),
            levels=levels,
            cancel="cancel",
            when_empty=branch_adding.when_empty(context.db, t, update.effective_user.id, levels),
        )

    async def typed(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        assert update.message is not None and update.message.text is not None
        draft = self.draft(context)
        text = update.message.text
        if "values" in draft and draft.get(LEAVING):
            await self._leave_typed(update, context, t, text)
            return
        doubt = self._doubt(draft) if "values" in draft else None
        if doubt is not None:
            sure = answers.yes_or_no(text)
            if sure is None:
                note = problem_text(t, FieldCode.INVALID_CHOICE)
                await self._ask_doubt(update, context, t, doubt, note=note)
                return
            await self._resolve_doubt(update, context, t, doubt, sure=sure)
            return
        question = self.form.question(str(draft.get("asking", "")))
        if question is None or "values" not in draft:
            await self.show(update, context)
            return
        if question.levels is not None:
            await self._unit_question(update, context, t, question).typed(update, context, t, text)
            return
        today = local_today(context.now())
        button = await self._typed_button(update, context, t, question, text, today)
        if button is not None:
            await self._answered(update, context, t, question, button[0])
            return
        parse = question.parser_in(draft["values"])
        if parse is None:
            note = problem_text(t, FieldCode.INVALID_CHOICE)
            await self._show_question(update, context, t, question, note=note)
            return
        try:
            value = parse(text, t, today)
        except Invalid as problem:
            await self._show_question(update, context, t, question, note=problem.message)
            return
        code = check_field(self.form.model, question.key, value, today)
        if code is not None:
            note = problem_text(t, code)
            await self._show_question(update, context, t, question, note=note)
            return
        await self._answered(update, context, t, question, value)
        return

    async def _typed_button(
        self,
        update: Update,
        context: BotContext,
        t: Translator,
        question: Question,
        text: str,
        today: date,
    ) -> tuple[JsonValue] | None:
        """What typing a button's words chooses: "không" or "bỏ qua" skips an optional answer,
        a button's label (or its words) chooses it, a shortcut's label ("hôm nay") takes it."""
        if question.optional and answers.is_skip(text):
            return (None,)
        options = await question.options_in(await self._asking(update, context))
        chosen = answers.chosen_by_text(text, options)
        if chosen is not None:
            return (chosen.value,)
        if question.shortcuts is not None:
            typed = answers.plain(text)
            for label, value in question.shortcuts(t, today):
                if typed and answers.plain(label) == typed:
                    return (value,)
        return None

    # -- doubts ------------------------------------------------------------

    def _doubt(self, draft: dict[str, Any]) -> Doubt | None:
        """The first doubt the answers raise that has not been answered Yes for them."""
        values = draft.get("values") or {}
        sure = draft.get(SURE) or {}
        for doubt in self.form.doubts:
            if doubt.stands(values) and sure.get(doubt.name) != doubt.answers(values):
                return doubt
        return None

    async def _ask_doubt(
        self, update: Update, context: BotContext, t: Translator, doubt: Doubt, *, note: str = ""
    ) -> None:
        draft = self.draft(context)
        for key in ("asking", unit_question.PICKER, "offered"):
            draft.pop(key, None)
        self.new_step(context)
        text = doubt.question(draft["values"], t)
        markup = InlineKeyboardMarkup(
            [
                [self.button(context, t.gettext(doubt.yes), "d", "y")],
                [self.button(context, t.gettext(doubt.no), "d", "n")],
                self._cancel_row(context, t),
            ]
        )
        await reply(update, f"{note}\n{text}" if note else text, markup)

    async def _doubt_pressed(
        self, update: Update, context: BotContext, t: Translator, parts: list[str]
    ) -> None:
        draft = self.draft(context)
        doubt = self._doubt(draft)
        if doubt is None or parts not in (["d", "y"], ["d", "n"]):
            await answer(update, t.gettext("This button is not valid."), alert=True)
            return
        await answer(update)
        sure = parts[1] == "y"
        chosen = t.gettext(doubt.yes if sure else doubt.no)
        await edit_or_reply(update, f"{doubt.question(draft['values'], t)}\n➜ {chosen}")
        await self._resolve_doubt(update, context, t, doubt, sure=sure)

    async def _resolve_doubt(
        self, update: Update, context: BotContext, t: Translator, doubt: Doubt, *, sure: bool
    ) -> None:
        """Yes keeps the answers (or asks `yes_asks` again), No asks `no_asks` again."""
        draft = self.draft(context)
        key = doubt.yes_asks if sure else doubt.no_asks
        if key is None:
            draft.setdefault(SURE, {})[doubt.name] = doubt.answers(draft["values"])
        else:
            self._reopen(draft, key)
        await self.ask_next(update, context, t)

    # -- answering ---------------------------------------------------------

    async def _answered(
        self,
        update: Update,
        context: BotContext,
        t: Translator,
        question: Question,
        value: JsonValue,
        *,
        note: str = "",
    ) -> None:
        draft = self.draft(context)
        values: Values = draft["values"]
        was: dict[str, JsonValue] = draft.get("was", {})
        changed = question.key not in was or was.pop(question.key) != value
        values[question.key] = value
        for key in ("asking", unit_question.PICKER, "offered"):
            draft.pop(key, None)
        if changed:
            await self.form.settle(await self._asking(update, context), values, question.key)
        await self.ask_next(update, context, t, note=note)
        return

    async def pressed(self, update: Update, context: BotContext, parts: list[str]) -> None:
        t = await tr(update, context)
        assert update.callback_query is not None
        draft = self.draft(context)
        if parts == ["cancel"]:
            await self.cancel(update, context)
            return
        if "values" not in draft:
            await finish(context, self)
            await answer(
                update,
                t.gettext("This button is no longer active. Choose a task from the menu."),
                alert=True,
            )
            return
        if draft.get(LEAVING):  # only its two buttons are on screen
            if parts in (["drop"], ["keep"]):
                await self._leave_pressed(update, context, t, discard=parts == ["drop"])
            else:
                await answer(update, t.gettext("This button is not valid."), alert=True)
            return
        if parts[:1] == ["d"] or self._doubt(draft) is not None:
            await self._doubt_pressed(update, context, t, parts)
            return
        if parts[:1] in (["save"], ["edit"], ["f"], ["force"]):
            await self.review_pressed(update, context, t, parts)
            return
        question = self.form.question(str(draft.get("asking", "")))
        if question is None:
            await answer(update)
            await self.show_summary(update, context, t)
            return
        values: Values = draft["values"]
        if question.levels is not None and unit_question.is_press(parts):
            asked = self._unit_question(update, context, t, question)
            unit = await asked.pressed(update, context, t, parts)
            if unit is None:
                return
            # The picker keeps the choice, without its buttons, like any answered question.
            chosen = await unit_address(t, context.db, unit)
            await edit_or_reply(update, f"{self._prompt(t, question, values)}\n➜ {chosen}")
            await self._answered(update, context, t, question, unit.id)
            return
        asking = await self._asking(update, context)
        index = parse_number(parts[1]) if len(parts) == 2 else None
        value: JsonValue
        if parts[:1] == ["o"] and index is not None:
            # The button points into what was offered; it must still be offered now.
            options = [option.value for option in await question.options_in(asking)]
            offered = draft.get("offered")
            if not isinstance(offered, list):
                offered = options
            if index >= len(offered):
                await answer(update, t.gettext("This button is not valid."), alert=True)
                return
            if offered[index] not in options:
                text = t.gettext("That choice is not available any more.")
                await answer(update, text, alert=True)
                await self._show_question(update, context, t, question, asking)
                return
            value = offered[index]
        elif parts[:1] == ["s"] and index is not None and question.shortcuts is not None:
            shortcuts = question.shortcuts(t, asking.today)
            if index >= len(shortcuts):
                await answer(update, t.gettext("This button is not valid."), alert=True)
                return
            value = shortcuts[index][1]
        elif parts == ["skip"] and question.optional:
            value = None
        else:
            await answer(update, t.gettext("This button is not valid."), alert=True)
            return
        await answer(update)
        chosen = await self._shown(asking, t, question, value)
        await edit_or_reply(update, f"{self._prompt(t, question, values)}\n➜ {chosen}")
        await self._answered(update, context, t, question, value)
        return

    async def cancel(self, update: Update, context: BotContext) -> None:
        """✖ Cancel: a draft with answers asks first, as starting another flow over it does
        (`Dialog.has_answers`); an empty one just goes."""
        draft = self.draft(context)
        if "values" in draft and self.has_answers(draft) and not draft.get(LEAVING):
            t = await tr(update, context)
            await answer(update)
            await self._ask_leave(update, context, t)
            return
        await self._discard(update, context)

    async def _discard(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        await answer(update)
        await finish(context, self)
        if update.callback_query is not None:
            await edit_or_reply(update, t.gettext("Cancelled. Nothing was saved."))
            await show_main_menu(update, context, t.gettext("Choose a task below."))
        else:
            await show_main_menu(update, context, t.gettext("Cancelled. Nothing was saved."))

    async def cancelled(self, update: Update, context: BotContext) -> None:
        """/cancel leaves at once, answers or not: it is the way out of any flow, typed on
        purpose (a tap on ✖ may not be)."""
        await self._discard(update, context)

    async def _ask_leave(
        self, update: Update, context: BotContext, t: Translator, *, note: str = ""
    ) -> None:
        """ "Bỏ các câu trả lời đã nhập?" with Bỏ / Tiếp tục nhập."""
        self.draft(context)[LEAVING] = True
        self.new_step(context)
        markup = InlineKeyboardMarkup(
            [
                [self.button(context, t.gettext(DISCARD), "drop")],
                [self.button(context, t.gettext(KEEP_ENTERING), "keep")],
            ]
        )
        text = t.gettext(LEAVE_QUESTION)
        await edit_or_reply(update, f"{note}\n{text}" if note else text, markup)

    async def _leave_pressed(
        self, update: Update, context: BotContext, t: Translator, *, discard: bool
    ) -> None:
        if discard:
            await self._discard(update, context)
            return
        await answer(update)
        self.draft(context).pop(LEAVING, None)
        chosen = t.gettext(KEEP_ENTERING)
        await edit_or_reply(update, f"{t.gettext(LEAVE_QUESTION)}\n➜ {chosen}")
        await self.show(update, context)

    async def _leave_typed(
        self, update: Update, context: BotContext, t: Translator, text: str
    ) -> None:
        """Text while "discard?" waits: "bỏ"/"có" discards, "tiếp tục"/"không" goes on."""
        word = answers.plain(text)
        sure = answers.yes_or_no(text)
        if word in DISCARD_WORDS or sure is True:
            await self._discard(update, context)
        elif word in KEEP_WORDS or sure is False:
            self.draft(context).pop(LEAVING, None)
            await self.show(update, context)
        else:
            await self._ask_leave(
                update, context, t, note=problem_text(t, FieldCode.INVALID_CHOICE)
            )

    async def show(self, update: Update, context: BotContext, *, note: str = "") -> None:
        """Ask the current question again (or show the summary), with `note` above it."""
        t = await tr(update, context)
        draft = self.draft(context)
        if "values" not in draft:
            await finish(context, self)
            return
        if draft.get(LEAVING):
            await self._ask_leave(update, context, t, note=note)
            return
        doubt = self._doubt(draft)
        if doubt is not None:
            await self._ask_doubt(update, context, t, doubt, note=note)
            return
        question = self.form.question(str(draft.get("asking", "")))
        if question is None:
            if self.form.next_question(draft["values"]) is not None:
                await self.ask_next(update, context, t, note=note)
            else:
                await self.show_summary(update, context, t, note=note)
            return
        if question.levels is not None:
            # A branch added meanwhile (from the picker's ➕) may be the only choice now.
            only = await question.only_unit(await self._asking(update, context))
            if only is not None:
                await self._answered(update, context, t, question, only.id, note=note)
                return
            await self._unit_question(update, context, t, question, note).show(update, context, t)
            return
        await self._show_question(update, context, t, question, note=note)
