"""The chart (PNG) and the spreadsheet (Excel) of a /stats answer, on the map it is shown on."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update

from bot.charts import BarChart, bar_chart_png
from bot.i18n import N_, Translator
from bot.services import stats
from bot.services.regroup import MapChoice
from bot.services.stats import ScopeStats
from bot.spreadsheets import Column, ColumnKind, Sheet, Workbook, workbook_bytes
from bot.storage.models import Unit
from bot.storage.records import NominationKind
from handlers.common import BotContext, edit_or_reply, reply
from handlers.stats_common import TITLE_NAMES, Period, data, map_lines, shown_title

CHART_CHOICES: dict[str, str] = {
    "m": N_("Members' share of the population"),
    **{kind.value: TITLE_NAMES[kind] for kind in NominationKind},
}


async def chart_menu(
    update: Update, t: Translator, unit: Unit, period: Period, choice: MapChoice | None
) -> None:
    rows = [
        [
            InlineKeyboardButton(
                t.gettext(label), callback_data=data("g", unit.id, period, choice, key)
            )
        ]
        for key, label in CHART_CHOICES.items()
    ]
    rows.append(
        [
            InlineKeyboardButton(
                t.gettext("⬅ Back"), callback_data=data("s", unit.id, period, choice)
            )
        ]
    )
    await edit_or_reply(update, t.gettext("Which indicator?"), InlineKeyboardMarkup(rows))


def _plain(line: str) -> str:
    """A note without its leading emoji, which the chart's font does not have."""
    return line.lstrip("🗺ℹ\ufe0f ")


def _place(t: Translator, scope: ScopeStats) -> str:
    return shown_title(t, scope.unit)


def chart_for(t: Translator, scope: ScopeStats, key: str) -> BarChart | None:
    """The sub-units' percentages for one indicator, with the scope's target line; the map it
    is on and the rules used under it."""
    if key not in CHART_CHOICES or not scope.sub_units:
        return None
    period = Period(scope.start_year, scope.end_year)
    if key == "m":
        values = [line.members.share for line in scope.sub_units]
        target = scope.members.target_share
    else:
        kind = NominationKind(key)
        values = [line.titles[kind].percent for line in scope.sub_units]
        target = scope.titles[kind].target
    source = t.gettext("Source: Khuyến học bot, figures reported and imported.")
    return BarChart(
        title=f"{t.gettext(CHART_CHOICES[key])} — {_place(t, scope)}, {period.label(t)}",
        labels=[line.unit.name for line in scope.sub_units],
        values=values,
        target=target,
        target_name=t.gettext("Target"),
        met_label=t.gettext("Target met"),
        below_label=t.gettext("Below target"),
        y_label=t.gettext("Percent (%)"),
        footnote="\n".join([source, *(_plain(line) for line in map_lines(t, scope.map, period))]),
        decimal_comma=t.lang == "vi",
    )


async def send_chart(
    update: Update,
    context: BotContext,
    t: Translator,
    unit: Unit,
    period: Period,
    choice: MapChoice | None,
    key: str,
) -> None:
    scope = await stats.compute(
        context.db, unit, start_year=period.start, end_year=period.end, map_choice=choice
    )
    chart = chart_for(t, scope, key)
    chat = update.effective_chat
    assert chat is not None
    if chart is None:
        await reply(update, t.gettext("There is nothing to draw for this unit."))
        return
    image = await asyncio.to_thread(bar_chart_png, chart)
    await context.bot.send_photo(
        chat.id, InputFile(image, filename="bieu-do.png"), caption=chart.title
    )


def workbook_for(t: Translator, scope: ScopeStats) -> Workbook:
    """Tổng hợp, Hội viên, Danh hiệu, Quỹ: the same totals as the text, per sub-unit, on the
    same map, with the same notes."""
    period = Period(scope.start_year, scope.end_year)
    subtitle = f"{_place(t, scope)}, {period.label(t)}"
    notes = map_lines(t, scope.map, period)
    unit_col = Column(t.gettext("Unit"), ColumnKind.TEXT)
    summary_rows: list[list[Any]] = [
        [t.gettext("Members"), scope.members.total],
        [t.gettext("New members in the period"), scope.members.new_in_period],
        [t.gettext("Population"), scope.members.population],
        [t.gettext("Branches"), scope.branches],
        *([[t.gettext(TITLE_NAMES[k]), line.recognised] for k, line in scope.titles.items()]),
        [t.gettext("Raised (đồng)"), scope.funds.raised],
        [t.gettext("Awarded (đồng)"), scope.funds.awarded],
        [t.gettext("Balance (đồng)"), scope.funds.balance],
    ]
    summary = Sheet(
        name=t.gettext("Summary"),
        columns=[
            Column(t.gettext("Indicator"), ColumnKind.TEXT),
            Column(t.gettext("Value"), ColumnKind.INTEGER),
        ],
        rows=summary_rows,
        title=t.gettext("Statistics of the Association for the Promotion of Learning"),
        subtitle=subtitle,
        notes=notes,
    )
    lines = scope.sub_units
    members = Sheet(
        name=t.gettext("Members"),
        columns=[
            unit_col,
            Column(t.gettext("Members"), ColumnKind.INTEGER),
            Column(t.gettext("New in the period"), ColumnKind.INTEGER),
            Column(t.gettext("Population"), ColumnKind.INTEGER),
            Column(t.gettext("Share of population"), ColumnKind.PERCENT),
            Column(t.gettext("Branches"), ColumnKind.INTEGER),
        ],
        rows=[
            [
                line.unit.name,
                line.members.total,
                line.members.new_in_period,
                line.members.population,
                _ratio(line.members.share),
                line.branches,
            ]
            for line in lines
        ],
        title=t.gettext("Members"),
        subtitle=subtitle,
        totals=[
            t.gettext("Total"),
            scope.members.total,
            scope.members.new_in_period,
            scope.members.population,
            _ratio(scope.members.share),
            scope.branches,
        ],
        notes=notes,
    )
    title_columns = [unit_col]
    for kind in NominationKind:
        name = t.gettext(TITLE_NAMES[kind])
        title_columns += [
            Column(name, ColumnKind.INTEGER),
            Column(t.gettext("{title} (%)").format(title=name), ColumnKind.PERCENT),
        ]
    titles = Sheet(
        name=t.gettext("Titles"),
        columns=title_columns,
        rows=[
            [
                line.unit.name,
                *[
                    value
                    for kind in NominationKind
                    for value in (line.titles[kind].recognised, _ratio(line.titles[kind].percent))
                ],
            ]
            for line in lines
        ],
        title=t.gettext("Titles recognised in {year}").format(year=scope.end_year),
        subtitle=subtitle,
        totals=[
            t.gettext("Total"),
            *[
                value
                for kind in NominationKind
                for value in (scope.titles[kind].recognised, _ratio(scope.titles[kind].percent))
            ],
        ],
        notes=notes,
    )
    funds = Sheet(
        name=t.gettext("Funds"),
        columns=[
            unit_col,
            Column(t.gettext("Raised"), ColumnKind.MONEY),
            Column(t.gettext("Awarded"), ColumnKind.MONEY),
            Column(t.gettext("Balance"), ColumnKind.MONEY),
        ],
        rows=[
            [line.unit.name, line.raised, line.awarded, line.raised - line.awarded]
            for line in lines
        ],
        title=t.gettext("Learning promotion funds"),
        subtitle=subtitle,
        totals=[t.gettext("Total"), scope.funds.raised, scope.funds.awarded, scope.funds.balance],
        notes=notes,
    )
    return Workbook(
        sheets=[summary, members, titles, funds],
        title=t.gettext("Statistics of the Association for the Promotion of Learning"),
        creator="Khuyến học bot",
    )


def _ratio(percent: float | None) -> float | None:
    return None if percent is None else percent / 100


async def send_workbook(
    update: Update,
    context: BotContext,
    t: Translator,
    unit: Unit,
    period: Period,
    choice: MapChoice | None,
) -> None:
    scope = await stats.compute(
        context.db, unit, start_year=period.start, end_year=period.end, map_choice=choice
    )
    book = workbook_for(t, scope)
    content = await asyncio.to_thread(workbook_bytes, book)
    chat = update.effective_chat
    assert chat is not None
    shown = scope.unit
    name = (
        f"thong-ke-{shown.code}-{period.start}"
        + (f"-{period.end}" if period.end != period.start else "")
        + ("-dia-gioi-moi" if scope.map.choice is MapChoice.TODAY and scope.map.other else "")
        + ".xlsx"
    )
    await context.bot.send_document(
        chat.id,
        InputFile(content, filename=name),
        caption=f"{_place(t, scope)}, {period.label(t)}",
    )
