"""/targets: a chair sets their own unit's denominators and target rates for this year;
a province admin sends a CSV/XLSX of figures or baselines as a document to import it (the file
is recognised by `handlers.incoming_files`, which asks here which of the two it holds)."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import import_problems
from bot.i18n import N_, Translator
from bot.numbers import CountError, CountErrorCode, parse_count, parse_number
from bot.services import figures, imports, scopes
from bot.services.figures import Figure, FigureError
from bot.services.imports import ImportErrorCode, ImportRejected
from bot.services.reporting import local_today
from bot.storage import people
from bot.storage.models import ROLE_RANK, Level, Role, Unit
from bot.storage.records import NominationKind
from handlers.common import (
    BotContext,
    SentFile,
    answer,
    download,
    edit_or_reply,
    kept_file,
    parse_callback,
    reply,
    show_main_menu,
    tr,
    unit_title,
)
from handlers.dialogs import Dialog, Entry, finish
from handlers.stats import TITLE_NAMES

PREFIX = "tg"
"""Of the stateless import buttons (`tg:i:f`) too; the dialog's own are `tg:<step>:…`."""
SHOWN_ERRORS = 15

FIGURE_NAMES = {
    Figure.POPULATION: N_("Population"),
    Figure.CITIZENS: N_("Citizens counted for Learning citizen"),
    Figure.HOUSEHOLDS: N_("Households"),
    Figure.CLANS: N_("Clans"),
    Figure.VILLAGES: N_("Villages and residential groups"),
    Figure.AGENCIES: N_("Agencies and units"),
    Figure.COMMITTEES: N_("Learning promotion committees"),
}
TARGET_NAMES = {
    figures.target(figures.MEMBERS_SHARE): N_("Target: members' share of the population"),
    **{figures.target(kind): N_("Target: {title}") for kind in NominationKind},
}
FIGURE_PROBLEMS = {
    FigureError.UNKNOWN_FIGURE: N_("This button is not valid."),
    FigureError.WRONG_LEVEL: N_("Figures belong to communes, wards and the units above them."),
    FigureError.YEAR_OUT_OF_RANGE: N_("That year cannot be set."),
    FigureError.NEGATIVE: N_("The number cannot be negative."),
    FigureError.TOO_LARGE: N_("That number is too large."),
}


COUNT_PROBLEMS = {
    CountErrorCode.EMPTY: N_("not a number"),
    CountErrorCode.NOT_A_NUMBER: N_("not a number"),
    CountErrorCode.NOT_WHOLE: N_("not a whole number"),
    CountErrorCode.NEGATIVE: N_("negative"),
    CountErrorCode.TOO_LARGE: N_("too large"),
    CountErrorCode.AMBIGUOUS: N_("it can be read in more than one way; type all its digits"),
}
"""Why a typed count ("1,86 triệu", "1.860.000", "1 triệu 860 nghìn") was refused."""


def _typed_value(t: Translator, figure: str, text: str) -> int | str:
    """A target's percentage or a count as typed, or why it cannot be read (in words)."""
    if figures.is_target(figure):
        rate = imports.parse_rate(text)
        return import_problems.problem_text(t, rate) if isinstance(rate, ImportErrorCode) else rate
    try:
        return parse_count(text)
    except CountError as error:
        return t.gettext(COUNT_PROBLEMS[error.code])


def _name(t: Translator, figure: str) -> str:
    if figure in FIGURE_NAMES:
        return t.gettext(FIGURE_NAMES[Figure(figure)])
    label = t.gettext(TARGET_NAMES[figure])
    kind = figure.removeprefix("target:")
    if kind in {k.value for k in NominationKind}:
        label = label.format(title=t.gettext(TITLE_NAMES[NominationKind(kind)]))
    return label


def _shown(t: Translator, figure: str, value: int | None) -> str:
    if value is None:
        return t.gettext("not set")
    if figures.is_target(figure):
        return t.share(figures.target_percent(value))
    return t.number(value)


async def _own_unit(update: Update, context: BotContext) -> Unit | None:
    """The chair's own unit, if they may set its figures (communes and above only)."""
    assert update.effective_user is not None
    grants = await people.grants_of(context.db, update.effective_user.id)
    top = scopes.highest(grants)
    if top is None or top.rank < ROLE_RANK[Role.COMMUNE_CHAIR]:
        return None
    if top.unit.level is Level.BRANCH or not figures.can_set_figures(grants, top.unit):
        return None
    return top.unit


ORDER: tuple[str, ...] = (*map(str, FIGURE_NAMES), *TARGET_NAMES)


def _example(figure: str) -> str:
    return "26,8" if figures.is_target(figure) else "12.500"


class Targets(Dialog):
    """/targets shows the own unit's figures and targets for this year as a card: one button
    per item, `tg:f:<index>`, that stays valid like a record's card (it carries what it
    changes, and the unit is checked again). A press opens the dialog on that item's value;
    typed and saved, the card comes again. Nothing waits while only the card is shown, so
    /stats after it ends on the statistics."""

    name = "tg"
    title = N_("Figures and targets")
    entry = Entry(commands=("targets", "chitieu"), callbacks=("f",))

    def has_answers(self, data: dict[str, Any]) -> bool:
        return False  # every value is saved as soon as it is typed

    async def begin(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        query = update.callback_query
        if query is None:
            await self.show_card(update, context)
            return
        parts = (query.data or "").split(":")
        index = parse_number(parts[2]) if len(parts) == 3 else None
        if index is None or index >= len(ORDER):
            await finish(context, self)
            await answer(update, t.gettext("This button is not valid."), alert=True)
            return
        if await _own_unit(update, context) is None:
            await finish(context, self)
            await answer(update, t.gettext("Only chairs can set figures and targets."), alert=True)
            return
        await answer(update)
        self.data(context)["figure"] = ORDER[index]
        await self.ask_value(update, context)

    async def show_card(
        self, update: Update, context: BotContext, *, note: str = "", edit: bool = False
    ) -> None:
        """The figures and their buttons; the dialog is done until one is pressed."""
        t = await tr(update, context)
        await finish(context, self)
        unit = await _own_unit(update, context)
        if unit is None:
            await reply(update, t.gettext("Only chairs can set figures and targets."))
            return
        year = local_today(context.now()).year
        resolved = await figures.resolve(context.db, unit, year)
        lines = [note] if note else []
        lines.append(
            t.gettext("Figures and targets of {unit} for {year} (tap one to change it):").format(
                unit=unit_title(t, unit), year=year
            )
        )
        lines += [f"• {_name(t, f)}: {_shown(t, f, resolved.get(f))}" for f in ORDER]
        rows = [
            [InlineKeyboardButton(_name(t, f), callback_data=f"{self.name}:f:{i}")]
            for i, f in enumerate(ORDER)
        ]
        if edit:
            await edit_or_reply(update, "\n".join(lines), InlineKeyboardMarkup(rows))
        else:
            await reply(update, "\n".join(lines), InlineKeyboardMarkup(rows))

    async def ask_value(self, update: Update, context: BotContext, *, note: str = "") -> None:
        t = await tr(update, context)
        figure = str(self.data(context).get("figure", ""))
        if figure not in ORDER:
            await self.show_card(update, context, note=note)
            return
        self.new_step(context)
        text = t.gettext("{name}: type the new value, for example {example}.").format(
            name=_name(t, figure), example=_example(figure)
        )
        buttons = InlineKeyboardMarkup(
            [
                [
                    self.button(context, t.gettext("⬅ Back"), "back"),
                    self.button(context, t.gettext("✖ Cancel"), "x"),
                ]
            ]
        )
        await reply(update, f"{note}\n{text}" if note else text, buttons)

    async def show(self, update: Update, context: BotContext, *, note: str = "") -> None:
        await self.ask_value(update, context, note=note)

    async def pressed(self, update: Update, context: BotContext, parts: list[str]) -> None:
        t = await tr(update, context)
        if parts == ["back"]:
            await answer(update)
            await self.show_card(update, context, edit=True)
        elif parts == ["x"]:
            await answer(update)
            await finish(context, self)
            await edit_or_reply(update, t.gettext("Cancelled."))
        else:
            await answer(update, t.gettext("This button is not valid."), alert=True)

    async def typed(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        user = update.effective_user
        assert update.message is not None and update.message.text is not None and user is not None
        figure = str(self.data(context).get("figure", ""))
        unit = await _own_unit(update, context)
        if unit is None or figure not in ORDER:
            await self.show_card(update, context)
            return
        parsed = _typed_value(t, figure, update.message.text.strip())
        if isinstance(parsed, str):
            note = t.gettext("That is not a valid value ({problem}). For example: {example}.")
            problem = parsed
            await self.ask_value(
                update, context, note=note.format(problem=problem, example=_example(figure))
            )
            return
        year = local_today(context.now()).year
        problem_code = await figures.set_figure(
            context.db, user.id, unit, year, figure, parsed, context.now()
        )
        if problem_code is not None:
            await self.ask_value(update, context, note=t.gettext(FIGURE_PROBLEMS[problem_code]))
            return
        await self.show_card(update, context, note=t.gettext("✅ Saved."))

    async def cancelled(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        await finish(context, self)
        await show_main_menu(update, context, t.gettext("Cancelled."))


TARGETS = Targets()
DIALOGS = (TARGETS,)


# ---------------------------------------------------------------- file import

NOT_ADMIN = N_("Only the province administrator can import files.")


async def _may_import(update: Update, context: BotContext) -> bool:
    assert update.effective_user is not None
    return imports.may_import(await people.grants_of(context.db, update.effective_user.id))


async def ask_import(update: Update, context: BotContext, file: SentFile) -> None:
    """A figures or baseline file the province administrator sent (`handlers.incoming_files`
    recognised it): ask which of the two it holds. The buttons are stateless (`tg:i:f`); the
    file waits beside them, the newest one counts."""
    t = await tr(update, context)
    context.data["import_file"] = dict(file)
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.gettext("📐 Figures and targets"), callback_data=f"{PREFIX}:i:f"
                )
            ],
            [
                InlineKeyboardButton(
                    t.gettext("📚 Existing totals (baseline)"), callback_data=f"{PREFIX}:i:b"
                )
            ],
        ]
    )
    await reply(update, t.gettext("What does {name} contain?").format(name=file["name"]), buttons)


async def import_pressed(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    assert update.callback_query is not None
    parts = parse_callback(update.callback_query.data, PREFIX)
    stored = kept_file(context.data.get("import_file"))
    if parts not in (["i", "f"], ["i", "b"]) or stored is None:
        await answer(update, t.gettext("This button is not valid."), alert=True)
        return
    if not await _may_import(update, context):
        await answer(update, t.gettext(NOT_ADMIN), alert=True)
        return
    await answer(update)
    context.data.pop("import_file", None)
    await run_import(update, context, stored, baseline=parts[1] == "b")


async def run_import(
    update: Update, context: BotContext, file: SentFile, *, baseline: bool
) -> None:
    """Import `file` as figures or as baselines, all rows or none, and say what came of it
    (in place of the question that was answered). Who may is checked by the caller."""
    t = await tr(update, context)
    user = update.effective_user
    assert user is not None
    content = await download(context, file)
    run = imports.import_baseline if baseline else imports.import_figures
    result = await run(context.db, content, file["name"], actor_id=user.id, now=context.now())
    if isinstance(result, ImportRejected):
        lines = [t.gettext("Nothing was imported. Please correct the file and send it again:")]
        lines += [import_problems.describe(t, error) for error in result.errors[:SHOWN_ERRORS]]
        if len(result.errors) > SHOWN_ERRORS:
            lines.append(
                t.gettext("… and {count} more.").format(count=len(result.errors) - SHOWN_ERRORS)
            )
        await edit_or_reply(update, "\n".join(lines))
        return
    await edit_or_reply(
        update,
        t.gettext("✅ Imported {rows} rows for {units} units ({values} values).").format(
            rows=t.number(result.rows), units=t.number(result.units), values=t.number(result.values)
        ),
    )


def build() -> list[BaseHandler[Update, BotContext, Any]]:
    return [CallbackQueryHandler(import_pressed, pattern=rf"^{PREFIX}:i:")]
