"""What a report form is made of: its questions, the checks of one answer, what saving gets.

A feature declares its form with these (`Form`, `Question`, `Option`, `Editing`) and writes
its save and check on `FormRun` / `Outcome`; `handlers.form.FormFlow` asks the questions and
`handlers.form_review` shows the summary and saves. Each answer is checked at once with the
same pydantic rules the service applies (`check_field`), worded by `problem_text`; what an
answer rests on is declared here too, with what follows when it changes (`Form.settle`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel
from telegram import Update

from bot.i18n import N_, Translator
from bot.services import scopes
from bot.services.reporting import local_today
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import ROLE_RANK, Grant, Level, Role, Unit
from bot.storage.records import FieldCode, field_problem
from handlers.common import BotContext, MenuItem

JsonValue = str | int | bool | None
Values = dict[str, JsonValue]
UNIT_KEY = "unit_id"


class Invalid(Exception):
    """A typed answer that cannot be read; `message` is already in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


Parser = Callable[[str, Translator, date], JsonValue]


@dataclass(frozen=True)
class Option:
    """A button; typing its label (in any language, without diacritics) or one of `words`
    (folded: "nu gioi") chooses it too."""

    value: str
    label: str  # msgid
    words: tuple[str, ...] = ()


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
    - `parse_for` chooses the parser from the earlier answers (a citizen's name is a person's
      name, a clan's is not), in place of `parse`.
    - Typing a button's label chooses it, and "không", "bỏ qua"… skip an optional answer
      (`handlers.answers`).
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
    parse_for: Callable[[Mapping[str, JsonValue]], Parser] | None = None

    def parser_in(self, values: Mapping[str, JsonValue]) -> Parser | None:
        return self.parse_for(values) if self.parse_for is not None else self.parse

    def label_in(self, values: Mapping[str, JsonValue]) -> str:
        return self.label_for(values) if self.label_for is not None else self.label

    def prompt_in(self, values: Mapping[str, JsonValue]) -> str:
        return self.prompt_for(values) if self.prompt_for is not None else self.prompt

    @property
    def buttons_only(self) -> bool:
        """Answered by choosing a button, with no typing, shortcut or skipping."""
        return self.parse is None and self.shortcuts is None and not self.optional

    async def options_in(self, asking: Asking) -> Sequence[Option]:
        """The buttons offered now: computed from the draft (`options_for`), else fixed."""
        if self.options_for is not None:
            return await self.options_for(asking)
        return self.options

    async def only_unit(self, asking: Asking) -> Unit | None:
        """The unit chosen without asking, if there is just one: a volunteer's (or branch
        head's) own branch or the unit above it of the level asked; a chair's, when their area
        holds only one unit of the levels asked (a commune chair's commune)."""
        assert self.levels is not None
        levels = self.levels(asking.values)
        top = scopes.highest(asking.grants)
        if top is None:
            return None
        if top.rank <= ROLE_RANK[Role.BRANCH_HEAD]:
            chain = [*await unit_store.ancestors(asking.db, top.unit), top.unit]
            return next((unit for unit in reversed(chain) if unit.level in levels), None)
        found = await unit_store.beneath(asking.db, top.unit, levels, limit=2)
        return found[0] if len(found) == 1 else None

    async def still_fits(self, asking: Asking, value: JsonValue) -> bool:
        """Whether an answer given before an earlier one changed may stay (`depends_on`)."""
        if self.levels is not None:
            return isinstance(value, int) and await self._unit_fits(asking, value)
        if self.parse is not None or self.shortcuts is not None:
            return False  # a typed answer cannot be checked against what it was typed for
        if value is None:
            return self.optional
        return value in [option.value for option in await self.options_in(asking)]

    async def _unit_fits(self, asking: Asking, unit_id: int) -> bool:
        """Of a level asked for, and one this person could choose now."""
        assert self.levels is not None
        unit = await unit_store.get(asking.db, unit_id)
        top = scopes.highest(asking.grants)
        if unit is None or top is None or unit.level not in self.levels(asking.values):
            return False
        if top.rank <= ROLE_RANK[Role.BRANCH_HEAD]:
            own = await self.only_unit(asking)
            return own is not None and own.id == unit.id
        return unit.active and top.unit.covers(unit)


@dataclass(frozen=True)
class Doubt:
    """An answer allowed but seldom meant (an amount under 1.000 ₫), or two answers that
    cannot both be right (joined before the year of birth): a Yes/No question asked as soon as
    it arises, before the next question, not a refusal. Nothing entered is lost: Yes keeps the
    answers as they are (`yes_asks` None; asked again only if one of `keys` changes) or asks
    that one answer again, No asks `no_asks` again."""

    name: str
    keys: tuple[str, ...]
    arises: Callable[[Mapping[str, JsonValue]], bool]
    question: Callable[[Mapping[str, JsonValue], Translator], str]  # already translated
    yes: str  # msgid of the Yes button
    no: str  # msgid of the No button
    no_asks: str
    yes_asks: str | None = None

    def stands(self, values: Mapping[str, JsonValue]) -> bool:
        return all(key in values for key in self.keys) and self.arises(values)

    def answers(self, values: Mapping[str, JsonValue]) -> list[JsonValue]:
        """What a Yes was given for: the same answers need no asking again."""
        return [values.get(key) for key in self.keys]


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
    doubts: tuple[Doubt, ...] = ()

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)

    def applicable(self, values: Mapping[str, JsonValue]) -> list[Question]:
        return [q for q in self.questions if q.applies(values)]

    def next_question(self, values: Mapping[str, JsonValue]) -> Question | None:
        """The first question that applies and is still unanswered."""
        return next((q for q in self.applicable(values) if q.key not in values), None)

    async def settle(self, asking: Asking, values: Values, changed: str) -> None:
        """After an answer changed: answers resting on it that no longer fit go, then those
        resting on them; so do answers that no longer apply (an in-kind description after
        choosing cash)."""
        pending = [changed]
        while pending:
            key = pending.pop()
            for question in self.questions:
                if question.key not in values:
                    continue
                if not question.applies(values) or (
                    key in question.depends_on
                    and not await question.still_fits(asking, values[question.key])
                ):
                    del values[question.key]
                    pending.append(question.key)


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
