"""Forms: a reporting flow as a list of questions, then a summary with Lưu / Sửa / Hủy.

One engine for every reporting flow keeps them behaving the same way for a volunteer:
each answer is checked at once with the same pydantic rules the service applies, a bad
answer repeats the question with the reason and an example, *Sửa* changes one answer and
returns to the summary (answers resting on the changed one are kept only while they still fit,
see `Question`), *Hủy* drops the draft. The draft, with its idempotency key, lives in
`user_data`, which is written to SQLite after every update: a restart loses nothing, and
saving the same draft twice stores one record.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.i18n import N_, Translator
from bot.numbers import parse_number
from bot.services import scopes
from bot.services.reporting import local_today
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import ROLE_RANK, Grant, Level, Role, Unit
from bot.storage.records import FieldCode, field_problem
from handlers import branches, picker
from handlers.common import (
    BotContext,
    MenuItem,
    answer,
    edit_or_reply,
    parse_callback,
    reply,
    show_main_menu,
    tr,
    unit_address,
    unit_title,
)
from handlers.dialogs import Dialog, Entry, finish

JsonValue = str | int | bool | None
Values = dict[str, JsonValue]
ASKING, REVIEW = "asking", "review"
UNIT_KEY = "unit_id"


class Invalid(Exception):
    """A typed answer that cannot be read; `message` is already in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


Parser = Callable[[str, Translator, date], JsonValue]


@dataclass(frozen=True)
class Option:
    value: str
    label: str  # msgid


@dataclass(frozen=True)
class Asking:
    """What a question's computed parts may look at: the answers so far, the database, and who
    is answering (their grants, so that only what this person may use is offered)."""

    values: Mapping[str, JsonValue]
    db: Database
    user_id: int
    grants: Sequence[Grant]
    today: date


async def asking_for(context: BotContext, user_id: int, values: Mapping[str, JsonValue]) -> Asking:
    """The context for computing a question's parts, e.g. to re-check a choice when saving."""
    grants = await people.grants_of(context.db, user_id)
    return Asking(values, context.db, user_id, grants, local_today(context.now()))


def _always(_: Mapping[str, JsonValue]) -> bool:
    return True


Wording = Callable[[Mapping[str, JsonValue]], str]
"""A msgid chosen from the earlier answers."""


@dataclass(frozen=True)
class Question:
    """One answer of the form: typed (`parse`), chosen (`options`, `options_for`), or a unit
    (`levels`: a volunteer's own branch or commune, a chair's choice in a picker).

    - `label_for` / `prompt_for` word the label and the prompt from the earlier answers (the
      subject of a family title is its head of household), in place of `label` / `prompt`.
    - `options_for` computes the buttons from the draft, the database and the person; it is
      called again when one is pressed, so a press only chooses what is still offered.
    - `columns`: buttons per row; 1 for labels too long for half a phone screen.
    - `depends_on`: keys of earlier answers this one rests on. When one of them changes, this
      answer stays only if it still fits (a choice still offered, a unit of a level still asked
      for and within reach); a typed answer is asked again. What rests on it follows.
    - A question answered only by buttons that offer exactly one choice answers itself, as a
      volunteer's own branch always has.
    """

    key: str
    label: str  # msgid: the answer's name in the summary and on the Sửa buttons
    prompt: str  # msgid: the question, with an example when typed
    parse: Parser | None = None
    options: tuple[Option, ...] = ()
    shortcuts: Callable[[Translator, date], Sequence[tuple[str, JsonValue]]] | None = None
    optional: bool = False
    applies: Callable[[Mapping[str, JsonValue]], bool] = _always
    show: Callable[[JsonValue, Translator], str] | None = None
    levels: Callable[[Mapping[str, JsonValue]], tuple[Level, ...]] | None = None
    label_for: Wording | None = None
    prompt_for: Wording | None = None
    options_for: Callable[[Asking], Awaitable[Sequence[Option]]] | None = None
    columns: int = 2
    depends_on: tuple[str, ...] = ()

    def label_in(self, values: Mapping[str, JsonValue]) -> str:
        return self.label_for(values) if self.label_for is not None else self.label

    def prompt_in(self, values: Mapping[str, JsonValue]) -> str:
        return self.prompt_for(values) if self.prompt_for is not None else self.prompt

    @property
    def buttons_only(self) -> bool:
        """Answered by choosing a button, with no typing, shortcut or skipping."""
        return self.parse is None and self.shortcuts is None and not self.optional


@dataclass
class FormRun:
    """Everything a form's save or check needs about the current draft."""

    update: Update
    context: BotContext
    t: Translator
    user_id: int
    values: Values
    unit: Unit
    key: str
    record_id: int | None
    confirmed: bool

    @property
    def today(self) -> date:
        return local_today(self.context.now())


@dataclass(frozen=True)
class Outcome:
    """What saving did: a receipt, or the answer to ask again and why."""

    text: str
    saved: bool
    field: str | None = None


@dataclass(frozen=True)
class Editing:
    """How a form reopens a saved record: `load` gives its answers (or a refusal, already
    translated), `save` writes the changed answers. Chairs correct, reporters fix for 48 h."""

    load: Callable[[BotContext, Translator, int, int], Awaitable[Values | str]]
    save: Callable[[FormRun], Awaitable[Outcome]]


@dataclass(frozen=True)
class Form:
    name: str  # conversation name, user_data key and callback prefix
    title: str  # msgid
    commands: tuple[str, ...]
    menu: MenuItem
    model: type[BaseModel]
    questions: tuple[Question, ...]
    save: Callable[[FormRun], Awaitable[Outcome]]
    check: Callable[[FormRun], Awaitable[str | None]] | None = None
    start_values: Callable[[BotContext, int], Awaitable[Values]] | None = None
    editing: Editing | None = None

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)


# ---------------------------------------------------------------- field problems

PROBLEM_TEXTS = {
    FieldCode.REQUIRED: N_("This answer is needed."),
    FieldCode.TOO_SHORT: N_("That is too short."),
    FieldCode.TOO_LONG: N_("That is too long."),
    FieldCode.OUT_OF_RANGE: N_("That number is out of the allowed range."),
    FieldCode.FUTURE: N_("That date is in the future."),
    FieldCode.TOO_OLD: N_("That date is too long ago."),
    FieldCode.BEFORE_BIRTH: N_("The date joined is before the year of birth."),
    FieldCode.NOT_A_NAME: N_("A name has only letters and spaces."),
    FieldCode.NOT_MOBILE: N_("That looks like a landline; please give a mobile number."),
    FieldCode.INVALID_CHOICE: N_("Please choose one of the buttons."),
    FieldCode.INVALID: N_("That answer is not valid."),
}


def problem_text(t: Translator, code: FieldCode) -> str:
    return t.gettext(PROBLEM_TEXTS.get(code, PROBLEM_TEXTS[FieldCode.INVALID]))


def check_field(
    model: type[BaseModel], key: str, value: JsonValue, today: date
) -> FieldCode | None:
    """The model's own rules for one answer, so a mistake is caught when it is typed."""
    if key not in model.model_fields:
        return None
    return field_problem(model, key, value, today=today)


# ---------------------------------------------------------------- the engine


class FormFlow(Dialog):
    """The dialog that fills one form."""

    def __init__(self, form: Form) -> None:
        self.form = form
        self.name = form.name
        self.title = form.title
        # `new`: the one-tap start under a campaign reminder; `e:<id>`: correct a saved
        # record (from /myreports).
        self.entry = Entry(commands=form.commands, menu=form.menu, callbacks=("new", "e"))

    # -- draft -------------------------------------------------------------

    def draft(self, context: BotContext) -> dict[str, Any]:
        return self.data(context)

    def has_answers(self, data: dict[str, Any]) -> bool:
        return bool(data.get("values"))

    def summary(self, data: dict[str, Any]) -> str:
        values = data.get("values") or {}
        first = next((v for v in values.values() if isinstance(v, str) and v.strip()), "")
        return str(first)[:40]

    def _applicable(self, values: Mapping[str, JsonValue]) -> list[Question]:
        return [q for q in self.form.questions if q.applies(values)]

    def _next_question(self, draft: dict[str, Any]) -> Question | None:
        values: Values = draft["values"]
        return next((q for q in self._applicable(values) if q.key not in values), None)

    def _reopen(self, draft: dict[str, Any], key: str) -> None:
        """Ask `key` again (Sửa, or a refusal), remembering the old answer: what rests on it is
        checked only if the new answer differs."""
        values: Values = draft["values"]
        if key in values:
            draft.setdefault("was", {})[key] = values.pop(key)

    async def _asking(self, update: Update, context: BotContext) -> Asking:
        user = update.effective_user
        assert user is not None
        return await asking_for(context, user.id, self.draft(context)["values"])

    async def _options(self, asking: Asking, question: Question) -> Sequence[Option]:
        if question.options_for is not None:
            return await question.options_for(asking)
        return question.options

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
        context.data[self.form.name] = {
            "id": secrets.token_hex(8),
            "values": loaded,
            "record": record_id,
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
        question = self._next_question(draft)
        if question is None:
            await self.show_summary(update, context, t, note=note)
            return
        draft["asking"] = question.key
        asking = await self._asking(update, context)
        if question.levels is not None:
            await self._ask_unit(update, context, t, question, asking, note=note)
            return
        options = await self._options(asking, question)
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
        options = await self._options(asking, question)
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

    async def _only_unit(self, asking: Asking, question: Question) -> Unit | None:
        """The unit chosen without asking, if there is just one: a volunteer's (or branch
        head's) own branch or the unit above it of the level asked; a chair's, when their area
        holds only one unit of the levels asked (a commune chair's commune)."""
        assert question.levels is not None
        levels = question.levels(asking.values)
        top = scopes.highest(asking.grants)
        if top is None:
            return None
        if top.rank <= ROLE_RANK[Role.BRANCH_HEAD]:
            chain = [*await unit_store.ancestors(asking.db, top.unit), top.unit]
            return next((unit for unit in reversed(chain) if unit.level in levels), None)
        found = await unit_store.beneath(asking.db, top.unit, levels, limit=2)
        return found[0] if len(found) == 1 else None

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
        only = await self._only_unit(asking, question)
        if only is not None:
            await self._answered(update, context, t, question, only.id, note=note)
            return
        if top.rank <= ROLE_RANK[Role.BRANCH_HEAD]:
            text = t.gettext("Only chairs can report this.")
            self.new_step(context)
            cancel = self._cancel_row(context, t)
            await reply(update, f"{note}\n{text}" if note else text, InlineKeyboardMarkup([cancel]))
            return
        picker.start(self.draft(context).setdefault("picker", {}), top.unit)
        await self._show_picker(update, context, t, question, note=note)

    def _picker_title(
        self, t: Translator, question: Question, values: Mapping[str, JsonValue], note: str = ""
    ) -> picker.Title:
        prompt = self._prompt(t, question, values, note)
        return lambda parent: prompt + "\n" + unit_title(t, parent)

    async def _show_picker(
        self,
        update: Update,
        context: BotContext,
        t: Translator,
        question: Question,
        *,
        note: str = "",
    ) -> None:
        draft = self.draft(context)
        assert question.levels is not None
        self.new_step(context)
        await picker.show(
            update,
            context,
            t,
            draft["picker"],
            prefix=self.prefix(context),
            title=self._picker_title(t, question, draft["values"], note),
            targets=question.levels(draft["values"]),
            extra_rows=[self._cancel_row(context, t)],
            when_empty=self._when_empty(update, context, t, question, draft["values"]),
        )

    def _when_empty(
        self,
        update: Update,
        context: BotContext,
        t: Translator,
        question: Question,
        values: Mapping[str, JsonValue],
    ) -> picker.WhenEmpty:
        """A commune with no branch yet: a chair adds one there and then (an interruption,
        after which this question is asked again), anyone else is told whom to ask."""
        assert update.effective_user is not None and question.levels is not None
        levels = question.levels(values)
        return branches.when_empty(context.db, t, update.effective_user.id, levels)

    def _cancel_row(self, context: BotContext, t: Translator) -> list[InlineKeyboardButton]:
        return [self.button(context, t.gettext("✖ Cancel"), "cancel")]

    async def typed(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        assert update.message is not None and update.message.text is not None
        draft = self.draft(context)
        question = self.form.question(str(draft.get("asking", "")))
        if question is None or "values" not in draft:
            await self.show(update, context)
            return
        text = update.message.text
        values: Values = draft["values"]
        if question.levels is not None:
            await picker.typed(
                update,
                context,
                t,
                draft["picker"],
                text,
                prefix=self.prefix(context),
                title=self._picker_title(t, question, values),
                targets=question.levels(values),
                extra_rows=[self._cancel_row(context, t)],
                when_empty=self._when_empty(update, context, t, question, values),
            )
            return
        if question.parse is None:
            note = problem_text(t, FieldCode.INVALID_CHOICE)
            await self._show_question(update, context, t, question, note=note)
            return
        today = local_today(context.now())
        try:
            value = question.parse(text, t, today)
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
        for key in ("asking", "picker", "offered"):
            draft.pop(key, None)
        if changed:
            await self._settle(await self._asking(update, context), values, question.key)
        await self.ask_next(update, context, t, note=note)
        return

    async def _settle(self, asking: Asking, values: Values, changed: str) -> None:
        """After an answer changed: answers resting on it that no longer fit go, then those
        resting on them; so do answers that no longer apply (an in-kind description after
        choosing cash)."""
        pending = [changed]
        while pending:
            key = pending.pop()
            for question in self.form.questions:
                if question.key not in values:
                    continue
                if not question.applies(values) or (
                    key in question.depends_on
                    and not await self._still_fits(asking, question, values[question.key])
                ):
                    del values[question.key]
                    pending.append(question.key)

    async def _still_fits(self, asking: Asking, question: Question, value: JsonValue) -> bool:
        if question.levels is not None:
            return isinstance(value, int) and await self._unit_fits(asking, question, value)
        if question.parse is not None or question.shortcuts is not None:
            return False  # a typed answer cannot be checked against what it was typed for
        if value is None:
            return question.optional
        return value in [option.value for option in await self._options(asking, question)]

    async def _unit_fits(self, asking: Asking, question: Question, unit_id: int) -> bool:
        """Of a level asked for, and one this person could choose now."""
        assert question.levels is not None
        unit = await unit_store.get(asking.db, unit_id)
        top = scopes.highest(asking.grants)
        if unit is None or top is None or unit.level not in question.levels(asking.values):
            return False
        if top.rank <= ROLE_RANK[Role.BRANCH_HEAD]:
            own = await self._only_unit(asking, question)
            return own is not None and own.id == unit.id
        return unit.active and top.unit.covers(unit)

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
        if parts[:1] in (["save"], ["edit"], ["f"], ["force"]):
            await self.review_pressed(update, context, t, parts)
            return
        question = self.form.question(str(draft.get("asking", "")))
        if question is None:
            await answer(update)
            await self.show_summary(update, context, t)
            return
        values: Values = draft["values"]
        if question.levels is not None and parts[:1] in (["u"], ["p"], ["b"], ["h"]):
            unit = await picker.pressed(
                update,
                context,
                t,
                draft["picker"],
                parts,
                prefix=self.prefix(context),
                title=self._picker_title(t, question, values),
                target=question.levels(values),
                extra_rows=[self._cancel_row(context, t)],
                when_empty=self._when_empty(update, context, t, question, values),
            )
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
            options = [option.value for option in await self._options(asking, question)]
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

    # -- summary -----------------------------------------------------------

    async def _shown(
        self, asking: Asking, t: Translator, question: Question, value: JsonValue
    ) -> str:
        """An answer as the summary shows it."""
        if value is None:
            return t.gettext("(none)")
        if question.levels is not None and isinstance(value, int):
            unit = await unit_store.get(asking.db, value)
            return await unit_address(t, asking.db, unit) if unit else "?"
        if question.show is not None:
            return question.show(value, t)
        for option in await self._options(asking, question):
            if option.value == value:
                return t.gettext(option.label)
        return str(value)

    async def summary_text(self, update: Update, context: BotContext, t: Translator) -> str:
        asking = await self._asking(update, context)
        values = asking.values
        lines = [t.gettext("Please check:") + " " + t.gettext(self.form.title)]
        for question in self._applicable(values):
            shown = await self._shown(asking, t, question, values.get(question.key))
            lines.append(f"• {t.gettext(question.label_in(values))}: {shown}")
        return "\n".join(lines)

    async def show_summary(
        self, update: Update, context: BotContext, t: Translator, *, note: str = ""
    ) -> None:
        text = await self.summary_text(update, context, t)
        self.new_step(context)
        p = self.prefix(context)
        buttons = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(t.gettext("💾 Save"), callback_data=f"{p}:save")],
                [
                    InlineKeyboardButton(t.gettext("✏️ Change"), callback_data=f"{p}:edit"),
                    InlineKeyboardButton(t.gettext("✖ Cancel"), callback_data=f"{p}:cancel"),
                ],
            ]
        )
        await reply(update, f"{note}\n{text}" if note else text, buttons)
        return

    async def review_pressed(
        self, update: Update, context: BotContext, t: Translator, parts: list[str]
    ) -> None:
        draft = self.draft(context)
        if self._next_question(draft) is not None:
            await answer(update)
            await self.ask_next(update, context, t)
            return
        if parts == ["edit"]:
            await answer(update)
            questions = self._applicable(draft["values"])
            self.new_step(context)
            rows = [
                [self.button(context, t.gettext(q.label_in(draft["values"])), "f", i)]
                for i, q in enumerate(self.form.questions)
                if q in questions
            ]
            rows.append(self._cancel_row(context, t))
            await edit_or_reply(
                update, t.gettext("Which answer do you want to change?"), InlineKeyboardMarkup(rows)
            )
            return
        if parts[:1] == ["f"]:
            index = parse_number(parts[1]) if len(parts) == 2 else None
            if index is None or index >= len(self.form.questions):
                await answer(update, t.gettext("This button is not valid."), alert=True)
                return
            await answer(update)
            self._reopen(draft, self.form.questions[index].key)
            await self.ask_next(update, context, t)
            return
        await self._save(update, context, t, confirmed=parts == ["force"])
        return

    async def _save(
        self, update: Update, context: BotContext, t: Translator, *, confirmed: bool
    ) -> None:
        draft = self.draft(context)
        user = update.effective_user
        assert user is not None
        unit_id = draft["values"].get(UNIT_KEY)
        unit = await unit_store.get(context.db, int(unit_id)) if isinstance(unit_id, int) else None
        if unit is None:
            await answer(update)
            draft["values"].pop(UNIT_KEY, None)
            await self.ask_next(update, context, t)
            return
        run = FormRun(
            update=update,
            context=context,
            t=t,
            user_id=user.id,
            values=dict(draft["values"]),
            unit=unit,
            key=f"{self.form.name}:{user.id}:{draft['id']}",
            record_id=draft.get("record"),
            confirmed=confirmed,
        )
        if not confirmed and self.form.check is not None:
            warning = await self.form.check(run)
            if warning is not None:
                await answer(update)
                self.new_step(context)
                p = self.prefix(context)
                buttons = InlineKeyboardMarkup(
                    [
                        [
                            InlineKeyboardButton(
                                t.gettext("💾 Save anyway"), callback_data=f"{p}:force"
                            )
                        ],
                        [
                            InlineKeyboardButton(t.gettext("✏️ Change"), callback_data=f"{p}:edit"),
                            InlineKeyboardButton(
                                t.gettext("✖ Cancel"), callback_data=f"{p}:cancel"
                            ),
                        ],
                    ]
                )
                await edit_or_reply(update, warning, buttons)
                return
        if run.record_id is not None and self.form.editing is not None:
            outcome = await self.form.editing.save(run)
        else:
            outcome = await self.form.save(run)
        await answer(update)
        if outcome.saved:
            # The summary stays in the chat, without buttons, as the record of what was saved.
            saved = (await self.summary_text(update, context, t)).split("\n", 1)[-1]
            await finish(context, self)
            await edit_or_reply(update, saved)
            await show_main_menu(update, context, outcome.text)
            return
        if outcome.field is not None and self.form.question(outcome.field) is not None:
            self._reopen(draft, outcome.field)
            await self.ask_next(update, context, t, note=outcome.text)
            return
        await self.show_summary(update, context, t, note=outcome.text)
        return

    async def cancel(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        await answer(update)
        await finish(context, self)
        if update.callback_query is not None:
            await edit_or_reply(update, t.gettext("Cancelled. Nothing was saved."))
            await show_main_menu(update, context, t.gettext("Choose a task below."))
        else:
            await show_main_menu(update, context, t.gettext("Cancelled. Nothing was saved."))

    async def cancelled(self, update: Update, context: BotContext) -> None:
        await self.cancel(update, context)

    async def show(self, update: Update, context: BotContext, *, note: str = "") -> None:
        """Ask the current question again (or show the summary), with `note` above it."""
        t = await tr(update, context)
        draft = self.draft(context)
        if "values" not in draft:
            await finish(context, self)
            return
        question = self.form.question(str(draft.get("asking", "")))
        if question is None:
            if self._next_question(draft) is not None:
                await self.ask_next(update, context, t, note=note)
            else:
                await self.show_summary(update, context, t, note=note)
            return
        if question.levels is not None:
            # A branch added meanwhile (from the picker's ➕) may be the only choice now.
            only = await self._only_unit(await self._asking(update, context), question)
            if only is not None:
                await self._answered(update, context, t, question, only.id, note=note)
                return
            await self._show_picker(update, context, t, question, note=note)
            return
        await self._show_question(update, context, t, question, note=note)
