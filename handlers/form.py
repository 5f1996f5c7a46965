"""Forms: a reporting flow as a list of questions, then a summary with Lưu / Sửa / Hủy.

One engine for every reporting flow keeps them behaving the same way for a volunteer:
each answer is checked at once with the same pydantic rules the service applies, a bad
answer repeats the question with the reason and an example, *Sửa* changes one answer and
returns to the summary, *Hủy* drops the draft. The draft, with its idempotency key, lives in
`user_data`, which is written to SQLite after every update: a restart loses nothing, and
saving the same draft twice stores one record.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
)

from bot.i18n import N_, Translator
from bot.services import scopes
from bot.services.reporting import local_today
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.models import ROLE_RANK, Level, Role, Unit
from bot.storage.records import FieldCode, field_problem
from handlers import picker
from handlers.common import (
    CANCEL_COMMANDS,
    FREE_TEXT,
    BotContext,
    MenuItem,
    answer,
    edit_or_reply,
    menu_filter,
    parse_callback,
    parse_int,
    reply,
    show_main_menu,
    tr,
    unit_address,
    unit_title,
)

JsonValue = str | int | bool | None
Values = dict[str, JsonValue]
ASKING, REVIEW = "asking", "review"
END = ConversationHandler.END
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


def _always(_: Mapping[str, JsonValue]) -> bool:
    return True


@dataclass(frozen=True)
class Question:
    """One answer of the form: typed (`parse`), chosen (`options`), or a unit (`levels`)."""

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
    extra_handlers: tuple[BaseHandler[Update, BotContext, Any], ...] = field(default=())

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


class FormFlow:
    """The conversation that fills one form."""

    def __init__(self, form: Form) -> None:
        self.form = form
        self.prefix = form.name

    # -- draft -------------------------------------------------------------

    def draft(self, context: BotContext) -> dict[str, Any]:
        draft: dict[str, Any] = context.data.setdefault(self.form.name, {})
        return draft

    def _applicable(self, values: Mapping[str, JsonValue]) -> list[Question]:
        return [q for q in self.form.questions if q.applies(values)]

    def _next_question(self, draft: dict[str, Any]) -> Question | None:
        values: Values = draft["values"]
        return next((q for q in self._applicable(values) if q.key not in values), None)

    # -- entry -------------------------------------------------------------

    async def begin(self, update: Update, context: BotContext) -> str | int:
        t = await tr(update, context)
        user = update.effective_user
        assert user is not None
        grants = await people.grants_of(context.db, user.id)
        if not grants:
            await reply(update, t.gettext("You are not registered yet. Send /start to register."))
            return END
        values: Values = {}
        if self.form.start_values is not None:
            values = await self.form.start_values(context, user.id)
        context.data[self.form.name] = {
            "id": secrets.token_hex(8),
            "values": values,
            "editing": False,
            "record": None,
        }
        return await self.ask_next(update, context, t)

    async def begin_edit(self, update: Update, context: BotContext) -> str | int:
        """`<form>:e:<id>` (from /myreports): reopen a saved record at its summary."""
        t = await tr(update, context)
        user = update.effective_user
        assert update.callback_query is not None and user is not None
        parts = parse_callback(update.callback_query.data, self.prefix)
        record_id = parse_int(parts[1]) if len(parts) == 2 else None
        if self.form.editing is None or record_id is None:
            await answer(update, t.gettext("This button is not valid."), alert=True)
            return END
        loaded = await self.form.editing.load(context, t, user.id, record_id)
        if isinstance(loaded, str):
            await answer(update, loaded, alert=True)
            return END
        await answer(update)
        context.data[self.form.name] = {
            "id": secrets.token_hex(8),
            "values": loaded,
            "editing": False,
            "record": record_id,
        }
        return await self.show_summary(update, context, t)

    # -- asking ------------------------------------------------------------

    async def ask_next(
        self, update: Update, context: BotContext, t: Translator, *, note: str = ""
    ) -> str:
        draft = self.draft(context)
        question = self._next_question(draft)
        if question is None:
            return await self.show_summary(update, context, t, note=note)
        draft["asking"] = question.key
        if question.levels is not None:
            return await self._ask_unit(update, context, t, question, note=note)
        await reply(
            update,
            self._prompt(t, question, note),
            self._buttons(t, question, local_today(context.now())),
        )
        return ASKING

    def _prompt(self, t: Translator, question: Question, note: str = "") -> str:
        lines = [note] if note else []
        lines.append(f"{t.gettext(self.form.title)} — {t.gettext(question.prompt)}")
        return "\n".join(lines)

    def _buttons(self, t: Translator, question: Question, today: date) -> InlineKeyboardMarkup:
        p = self.prefix
        options = [
            InlineKeyboardButton(t.gettext(option.label), callback_data=f"{p}:o:{i}")
            for i, option in enumerate(question.options)
        ]
        rows = [options[i : i + 2] for i in range(0, len(options), 2)]
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
        self, update: Update, context: BotContext, t: Translator, question: Question, *, note: str
    ) -> str:
        """Volunteers report for their own branch; chairs choose a unit inside their scope."""
        draft = self.draft(context)
        user = update.effective_user
        assert user is not None and question.levels is not None
        levels = question.levels(draft["values"])
        grants = await people.grants_of(context.db, user.id)
        top = scopes.highest(grants)
        assert top is not None
        if top.rank <= ROLE_RANK[Role.BRANCH_HEAD]:
            chain = [*await unit_store.ancestors(context.db, top.unit), top.unit]
            own = next((unit for unit in reversed(chain) if unit.level in levels), None)
            if own is None:
                await reply(update, t.gettext("Only chairs can report this."))
                return ASKING
            return await self._answered(update, context, t, question, own.id)
        picker.start(draft.setdefault("picker", {}), top.unit)
        await self._show_picker(update, context, t, question, note=note)
        return ASKING

    async def _show_picker(
        self,
        update: Update,
        context: BotContext,
        t: Translator,
        question: Question,
        *,
        note: str = "",
        edit: bool = False,
    ) -> None:
        draft = self.draft(context)
        assert question.levels is not None
        prompt = self._prompt(t, question, note)
        await picker.show(
            update,
            context,
            t,
            draft["picker"],
            prefix=self.prefix,
            edit=edit,
            title=lambda parent: prompt + "\n" + unit_title(t, parent),
            targets=question.levels(draft["values"]),
        )

    async def typed(self, update: Update, context: BotContext) -> str | int:
        t = await tr(update, context)
        assert update.message is not None and update.message.text is not None
        draft = self.draft(context)
        question = self.form.question(str(draft.get("asking", "")))
        if question is None or "values" not in draft:
            return await self.begin(update, context)
        text = update.message.text
        if question.levels is not None:
            await picker.typed(
                update,
                context,
                t,
                draft["picker"],
                text,
                prefix=self.prefix,
                title=lambda parent: self._prompt(t, question) + "\n" + unit_title(t, parent),
                targets=question.levels(draft["values"]),
            )
            return ASKING
        if question.parse is None:
            await reply(
                update,
                self._prompt(t, question, problem_text(t, FieldCode.INVALID_CHOICE)),
                self._buttons(t, question, local_today(context.now())),
            )
            return ASKING
        today = local_today(context.now())
        try:
            value = question.parse(text, t, today)
        except Invalid as problem:
            await reply(
                update,
                self._prompt(t, question, problem.message),
                self._buttons(t, question, local_today(context.now())),
            )
            return ASKING
        code = check_field(self.form.model, question.key, value, today)
        if code is not None:
            await reply(
                update,
                self._prompt(t, question, problem_text(t, code)),
                self._buttons(t, question, local_today(context.now())),
            )
            return ASKING
        return await self._answered(update, context, t, question, value)

    async def _answered(
        self,
        update: Update,
        context: BotContext,
        t: Translator,
        question: Question,
        value: JsonValue,
    ) -> str:
        draft = self.draft(context)
        draft["values"][question.key] = value
        draft.pop("asking", None)
        draft.pop("picker", None)
        # Answers that no longer apply (e.g. an in-kind description after choosing cash) go.
        applicable = {q.key for q in self._applicable(draft["values"])}
        for key in [k for k in draft["values"] if self.form.question(k) and k not in applicable]:
            del draft["values"][key]
        if draft.get("editing"):
            draft["editing"] = False
            if self._next_question(draft) is None:
                return await self.show_summary(update, context, t)
        return await self.ask_next(update, context, t)

    async def pressed(self, update: Update, context: BotContext) -> str | int:
        t = await tr(update, context)
        assert update.callback_query is not None
        parts = parse_callback(update.callback_query.data, self.prefix)
        draft = self.draft(context)
        if parts == ["cancel"]:
            return await self.cancel(update, context)
        if "values" not in draft:
            await answer(
                update,
                t.gettext("This button is no longer active. Choose a task from the menu."),
                alert=True,
            )
            return END
        if parts[:1] in (["save"], ["edit"], ["f"], ["force"]):
            return await self.review_pressed(update, context, t, parts)
        question = self.form.question(str(draft.get("asking", "")))
        if question is None:
            await answer(update)
            return await self.show_summary(update, context, t)
        if question.levels is not None and parts[:1] in (["u"], ["p"], ["b"], ["h"]):
            unit = await picker.pressed(
                update,
                context,
                t,
                draft["picker"],
                parts,
                prefix=self.prefix,
                title=lambda parent: self._prompt(t, question) + "\n" + unit_title(t, parent),
                target=question.levels(draft["values"]),
            )
            return (
                ASKING
                if unit is None
                else await self._answered(update, context, t, question, unit.id)
            )
        index = parse_int(parts[1]) if len(parts) == 2 else None
        value: JsonValue
        if parts[:1] == ["o"] and index is not None and index < len(question.options):
            value = question.options[index].value
        elif parts[:1] == ["s"] and index is not None and question.shortcuts is not None:
            shortcuts = question.shortcuts(t, local_today(context.now()))
            if index >= len(shortcuts):
                await answer(update, t.gettext("This button is not valid."), alert=True)
                return ASKING
            value = shortcuts[index][1]
        elif parts == ["skip"] and question.optional:
            value = None
        else:
            await answer(update, t.gettext("This button is not valid."), alert=True)
            return ASKING
        await answer(update)
        chosen = self._show_value(t, question, value)
        await edit_or_reply(update, f"{self._prompt(t, question)}\n➜ {chosen}")
        return await self._answered(update, context, t, question, value)

    # -- summary -----------------------------------------------------------

    def _show_value(self, t: Translator, question: Question, value: JsonValue) -> str:
        if value is None:
            return t.gettext("(none)")
        if question.show is not None:
            return question.show(value, t)
        for option in question.options:
            if option.value == value:
                return t.gettext(option.label)
        return str(value)

    async def summary_text(self, context: BotContext, t: Translator) -> str:
        draft = self.draft(context)
        values: Values = draft["values"]
        lines = [t.gettext("Please check:") + " " + t.gettext(self.form.title)]
        for question in self._applicable(values):
            value = values.get(question.key)
            if question.levels is not None and isinstance(value, int):
                unit = await unit_store.get(context.db, value)
                shown = await unit_address(t, context.db, unit) if unit else "?"
            else:
                shown = self._show_value(t, question, value)
            lines.append(f"• {t.gettext(question.label)}: {shown}")
        return "\n".join(lines)

    async def show_summary(
        self, update: Update, context: BotContext, t: Translator, *, note: str = ""
    ) -> str:
        p = self.prefix
        text = await self.summary_text(context, t)
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
        return REVIEW

    async def review_pressed(
        self, update: Update, context: BotContext, t: Translator, parts: list[str]
    ) -> str | int:
        draft = self.draft(context)
        if self._next_question(draft) is not None:
            await answer(update)
            return await self.ask_next(update, context, t)
        if parts == ["edit"]:
            await answer(update)
            questions = self._applicable(draft["values"])
            rows = [
                [InlineKeyboardButton(t.gettext(q.label), callback_data=f"{self.prefix}:f:{i}")]
                for i, q in enumerate(self.form.questions)
                if q in questions
            ]
            await edit_or_reply(
                update, t.gettext("Which answer do you want to change?"), InlineKeyboardMarkup(rows)
            )
            return REVIEW
        if parts[:1] == ["f"]:
            index = parse_int(parts[1]) if len(parts) == 2 else None
            if index is None or index >= len(self.form.questions):
                await answer(update, t.gettext("This button is not valid."), alert=True)
                return REVIEW
            await answer(update)
            question = self.form.questions[index]
            draft["values"].pop(question.key, None)
            draft["editing"] = True
            return await self.ask_next(update, context, t)
        return await self._save(update, context, t, confirmed=parts == ["force"])

    async def _save(
        self, update: Update, context: BotContext, t: Translator, *, confirmed: bool
    ) -> str | int:
        draft = self.draft(context)
        user = update.effective_user
        assert user is not None
        unit_id = draft["values"].get(UNIT_KEY)
        unit = await unit_store.get(context.db, int(unit_id)) if isinstance(unit_id, int) else None
        if unit is None:
            await answer(update)
            draft["values"].pop(UNIT_KEY, None)
            return await self.ask_next(update, context, t)
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
                p = self.prefix
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
                return REVIEW
        if run.record_id is not None and self.form.editing is not None:
            outcome = await self.form.editing.save(run)
        else:
            outcome = await self.form.save(run)
        await answer(update)
        if outcome.saved:
            # The summary stays in the chat, without buttons, as the record of what was saved.
            saved = (await self.summary_text(context, t)).split("\n", 1)[-1]
            context.data.pop(self.form.name, None)
            await edit_or_reply(update, saved)
            await show_main_menu(update, context, outcome.text)
            return END
        if outcome.field is not None and self.form.question(outcome.field) is not None:
            draft["values"].pop(outcome.field, None)
            draft["editing"] = True
            return await self.ask_next(update, context, t, note=outcome.text)
        return await self.show_summary(update, context, t, note=outcome.text)

    async def cancel(self, update: Update, context: BotContext) -> int:
        t = await tr(update, context)
        await answer(update)
        context.data.pop(self.form.name, None)
        if update.callback_query is not None:
            await edit_or_reply(update, t.gettext("Cancelled. Nothing was saved."))
            await show_main_menu(update, context, t.gettext("Choose a task below."))
        else:
            await show_main_menu(update, context, t.gettext("Cancelled. Nothing was saved."))
        return END

    async def stray(self, update: Update, context: BotContext) -> str | int:
        """A photo or sticker mid-form: repeat the current question."""
        t = await tr(update, context)
        draft = self.draft(context)
        question = self.form.question(str(draft.get("asking", "")))
        if question is None:
            return await self.show_summary(update, context, t)
        if question.levels is not None:
            await self._show_picker(update, context, t, question)
            return ASKING
        await reply(
            update,
            self._prompt(t, question),
            self._buttons(t, question, local_today(context.now())),
        )
        return ASKING

    # -- wiring ------------------------------------------------------------

    def handlers(self) -> list[BaseHandler[Update, BotContext, Any]]:
        from telegram.ext import filters

        pattern = rf"^{self.prefix}:"
        return [
            ConversationHandler(
                entry_points=[
                    CommandHandler(list(self.form.commands), self.begin),
                    MessageHandler(menu_filter(self.form.menu), self.begin),
                    CallbackQueryHandler(self.begin_edit, pattern=rf"^{self.prefix}:e:\d+$"),
                    *self.form.extra_handlers,
                ],
                states={
                    ASKING: [
                        CallbackQueryHandler(self.pressed, pattern=pattern),
                        MessageHandler(FREE_TEXT, self.typed),
                    ],
                    REVIEW: [
                        CallbackQueryHandler(self.pressed, pattern=pattern),
                        MessageHandler(FREE_TEXT, self.stray),
                    ],
                },
                fallbacks=[
                    CommandHandler(list(CANCEL_COMMANDS), self.cancel),
                    MessageHandler(filters.ALL & ~filters.COMMAND & ~filters.TEXT, self.stray),
                ],
                allow_reentry=True,
                name=self.form.name,
                persistent=True,
            )
        ]
