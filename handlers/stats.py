"""/stats and /report: where a scope stands, as text to paste, a chart, and a spreadsheet.

`/stats [unit name or code] [year | from-to]` answers for the user's own scope by default;
buttons drill into a sub-unit, go up a level, change the year, draw a chart or send Excel.
Every press names the unit and years in its callback data and is re-checked against the
user's scope before anything is computed.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler

from bot.charts import BarChart, bar_chart_png
from bot.i18n import N_, Translator
from bot.numbers import parse_number
from bot.services import annual_report, campaigns, scopes, stats
from bot.services.reporting import local_today
from bot.services.stats import RankBy, ScopeStats, SubUnitStats
from bot.spreadsheets import Column, ColumnKind, Sheet, Workbook, workbook_bytes
from bot.storage import campaigns as campaign_store
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.models import Grant, Level, Unit
from bot.storage.records import Campaign, DonorKind, NominationKind
from handlers.common import (
    MENU_STATS,
    BotContext,
    answer,
    edit_or_reply,
    menu_filter,
    parse_callback,
    reply,
    tr,
    unit_address,
    unit_title,
)
from handlers.contributions import CAMPAIGNS
from handlers.titles import KIND_LABELS

PREFIX = "st"
FIRST_YEAR = 1990
SHOWN_SUB_UNITS = 3

# The names the report forms use, so a title or a drive reads the same everywhere.
TITLE_NAMES = KIND_LABELS
CAMPAIGN_NAMES = {Campaign(option.value): option.label for option in CAMPAIGNS}
DONOR_NAMES = {
    DonorKind.INDIVIDUAL: N_("Individuals"),
    DonorKind.FAMILY: N_("Families"),
    DonorKind.CLAN: N_("Clans"),
    DonorKind.ENTERPRISE: N_("Enterprises"),
    DonorKind.ORGANISATION: N_("Agencies and organisations"),
    DonorKind.COLLECTIVE: N_("Collectives"),
}


@dataclass(frozen=True)
class Period:
    start: int
    end: int

    def label(self, t: Translator) -> str:
        if self.start == self.end:
            return t.gettext("year {year}").format(year=self.end)
        return t.gettext("{start}–{end}").format(start=self.start, end=self.end)


_YEARS = re.compile(r"^([0-9]{4})(?:\s*[-–]\s*([0-9]{4}))?$")


def parse_period(text: str, current: int) -> Period | None:
    """ "2023" or "2019-2024"; None if `text` is not a year or range in 1990..this year."""
    match = _YEARS.match(text.strip())
    if match is None:
        return None
    start = int(match[1])
    end = int(match[2]) if match[2] else start
    if not FIRST_YEAR <= start <= end <= current:
        return None
    return Period(start, end)


# ---------------------------------------------------------------- resolving the request


async def _grants(update: Update, context: BotContext) -> list[Grant]:
    assert update.effective_user is not None
    return await people.grants_of(context.db, update.effective_user.id)


async def _home(grants: Sequence[Grant]) -> Unit | None:
    top = scopes.highest(grants)
    return top.unit if top else None


async def stats_command(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    grants = await _grants(update, context)
    home = await _home(grants)
    if home is None:
        return
    current = local_today(context.now()).year
    args = list(context.args or [])
    period = Period(current, current)
    if args and (parsed := parse_period(args[-1], current)) is not None:
        period = parsed
        args = args[:-1]
    elif args and _YEARS.match(args[-1]):
        await reply(
            update,
            t.gettext(
                "Please give a year between {first} and {last}, or a range like 2019-2024."
            ).format(first=FIRST_YEAR, last=current),
        )
        return
    unit = home
    if args:
        query = " ".join(args)
        found = [u for u in await unit_store.search(context.db, query) if scopes.covers(grants, u)]
        if not found:
            elsewhere = await unit_store.search(context.db, query)
            text = (
                t.gettext("{unit} is outside the units you are responsible for.").format(
                    unit=unit_title(t, elsewhere[0])
                )
                if elsewhere
                else t.gettext(
                    'No unit is called "{text}". Try part of the name, e.g. "dong hung".'
                ).format(text=query)
            )
            await reply(update, text)
            return
        exact = [u for u in found if u.code == query.strip()] or found
        if len(exact) > 1 and exact[0].level == exact[1].level:
            rows = [
                [
                    InlineKeyboardButton(
                        await unit_address(t, context.db, u),
                        callback_data=f"{PREFIX}:s:{u.id}:{period.start}:{period.end}",
                    )
                ]
                for u in exact[:8]
            ]
            await reply(update, t.gettext("Which one?"), InlineKeyboardMarkup(rows))
            return
        unit = exact[0]
    await _send_stats(update, context, t, unit, period, grants, edit=False)


def _parse_target(parts: list[str], current: int) -> tuple[int, Period] | None:
    """`<action>:<unit>:<start>:<end>[:…]` → (unit id, period), checked for sane years."""
    if len(parts) < 4:
        return None
    unit_id, start, end = (parse_number(part) for part in parts[1:4])
    if unit_id is None or start is None or end is None:
        return None
    if not FIRST_YEAR <= start <= end <= current:
        return None
    return unit_id, Period(start, end)


async def pressed(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    assert update.callback_query is not None
    parts = parse_callback(update.callback_query.data, PREFIX)
    current = local_today(context.now()).year
    target = _parse_target(parts, current)
    unit = await unit_store.get(context.db, target[0]) if target else None
    grants = await _grants(update, context)
    if target is None or unit is None:
        await answer(update, t.gettext("This button is not valid."), alert=True)
        return
    if not scopes.covers(grants, unit):
        await answer(
            update, t.gettext("That is outside the units you are responsible for."), alert=True
        )
        return
    period = target[1]
    action = parts[0]
    if action == "s":
        await answer(update)
        await _send_stats(update, context, t, unit, period, grants, edit=True)
    elif action == "d":
        await answer(update)
        await _show_children(
            update,
            context,
            t,
            unit,
            period,
            page=(parse_number(parts[4]) or 0) if len(parts) > 4 else 0,
        )
    elif action == "c":
        await answer(update)
        await _chart_menu(update, t, unit, period)
    elif action == "g" and len(parts) == 5:
        await answer(update)
        await _send_chart(update, context, t, unit, period, parts[4])
    elif action == "x":
        await answer(update)
        await _send_workbook(update, context, t, unit, period)
    else:
        await answer(update, t.gettext("This button is not valid."), alert=True)


# ---------------------------------------------------------------- the text


def _title_line(t: Translator, line: stats.TitleStats) -> str:
    text = f"• {t.gettext(TITLE_NAMES[line.kind])}: {t.number(line.recognised)}"
    if line.denominator:
        text += f"/{t.number(line.denominator)} = {t.share(line.percent)}"
    if line.target is not None:
        text += " " + t.gettext("(target {target})").format(target=t.share(line.target))
    if line.pending:
        text += " · " + t.gettext("{count} pending").format(count=t.number(line.pending))
    return text


def _ranking_lines(t: Translator, scope: ScopeStats) -> list[str]:
    if not scope.sub_units:
        return []
    by: RankBy | NominationKind = RankBy.MEMBER_SHARE
    order = stats.ranked(scope.sub_units, by)
    if not order:
        by = RankBy.MEMBERS
        order = stats.ranked(scope.sub_units, by)

    def shown(line: SubUnitStats) -> str:
        value = (
            t.share(line.members.share)
            if by is RankBy.MEMBER_SHARE
            else t.number(line.members.total)
        )
        return f"{line.unit.name} {value}"

    heading = (
        t.gettext("Sub-units by members' share of the population:")
        if by is RankBy.MEMBER_SHARE
        else t.gettext("Sub-units by number of members:")
    )
    lines = [heading]
    if len(order) <= 2 * SHOWN_SUB_UNITS:
        lines.append(" · ".join(shown(line) for line in order))
    else:
        lines.append(
            t.gettext("Best: {units}").format(
                units=" · ".join(shown(line) for line in order[:SHOWN_SUB_UNITS])
            )
        )
        lines.append(
            t.gettext("Weakest: {units}").format(
                units=" · ".join(shown(line) for line in order[-SHOWN_SUB_UNITS:])
            )
        )
    return lines


async def stats_text(t: Translator, context: BotContext, scope: ScopeStats) -> str:
    period = Period(scope.start_year, scope.end_year)
    members = scope.members
    funds = scope.funds
    lines = [
        t.gettext("📊 {unit}, {period}").format(
            unit=await unit_address(t, context.db, scope.unit) or unit_title(t, scope.unit),
            period=period.label(t),
        ),
        "",
        t.gettext("👥 Members: {total}").format(total=t.number(members.total))
        + (
            t.gettext(", {share} of the population").format(share=t.share(members.share))
            if members.share is not None
            else ""
        )
        + " · "
        + t.gettext("new in the period: {count}").format(count=t.number(members.new_in_period)),
    ]
    structure = []
    if scope.unit.level is Level.PROVINCE:
        structure.append(t.gettext("districts: {count}").format(count=t.number(scope.districts)))
    if scope.unit.level in (Level.PROVINCE, Level.DISTRICT):
        structure.append(t.gettext("communes: {count}").format(count=t.number(scope.communes)))
    structure.append(t.gettext("branches: {count}").format(count=t.number(scope.branches)))
    lines.append("🏘 " + " · ".join(structure))
    lines.append("")
    lines.append(t.gettext("🏅 Titles recognised in {year}:").format(year=scope.end_year))
    lines += [_title_line(t, line) for line in scope.titles.values()]
    lines.append("")
    lines.append(
        t.gettext(
            "💰 Funds, {period}: raised {raised} · awarded {awarded} · balance {balance}"
        ).format(
            period=period.label(t),
            raised=t.money_short(funds.raised),
            awarded=t.money_short(funds.awarded),
            balance=t.money_short(funds.balance),
        )
    )
    by_campaign = [
        f"{t.gettext(CAMPAIGN_NAMES[c])} {t.money_short(v)}"
        for c, v in funds.raised_by_campaign.items()
        if v
    ]
    if by_campaign:
        lines.append(
            "   " + t.gettext("by campaign: {items}").format(items=" · ".join(by_campaign))
        )
    by_donor = [
        f"{t.gettext(DONOR_NAMES[d])} {t.money_short(v)}"
        for d, v in funds.raised_by_donor.items()
        if v
    ]
    if by_donor:
        lines.append("   " + t.gettext("by donor: {items}").format(items=" · ".join(by_donor)))
    today = local_today(context.now())
    for campaign in await campaign_store.covering(context.db, today):
        done = await campaigns.progress(context.db, campaign.id, scope.unit.path)
        lines.append(
            t.gettext(
                "📣 {campaign} (until {end}): {members} new members, {raised} contributed"
            ).format(
                campaign=campaign.name,
                end=t.date(campaign.end_on),
                members=t.number(done.members),
                raised=t.money_short(done.raised),
            )
        )
    ranking = _ranking_lines(t, scope)
    if ranking:
        lines.append("")
        lines += ranking
    return "\n".join(lines)


def _buttons(
    t: Translator, scope: ScopeStats, grants: Sequence[Grant], parent: Unit | None, current: int
) -> InlineKeyboardMarkup:
    unit, start, end = scope.unit, scope.start_year, scope.end_year
    tail = f"{unit.id}:{start}:{end}"
    rows: list[list[InlineKeyboardButton]] = []
    nav = []
    if scope.sub_units:
        nav.append(
            InlineKeyboardButton(t.gettext("🔽 Sub-units"), callback_data=f"{PREFIX}:d:{tail}")
        )
    if parent is not None and scopes.covers(grants, parent):
        nav.append(
            InlineKeyboardButton(
                t.gettext("🔼 {unit}").format(unit=parent.name),
                callback_data=f"{PREFIX}:s:{parent.id}:{start}:{end}",
            )
        )
    if nav:
        rows.append(nav)
    years = []
    if start == end and start > FIRST_YEAR:
        years.append(
            InlineKeyboardButton(
                f"◀ {start - 1}", callback_data=f"{PREFIX}:s:{unit.id}:{start - 1}:{start - 1}"
            )
        )
    if start == end and end < current:
        years.append(
            InlineKeyboardButton(
                f"{end + 1} ▶", callback_data=f"{PREFIX}:s:{unit.id}:{end + 1}:{end + 1}"
            )
        )
    if years:
        rows.append(years)
    rows.append(
        [
            InlineKeyboardButton(t.gettext("📈 Chart"), callback_data=f"{PREFIX}:c:{tail}"),
            InlineKeyboardButton(t.gettext("📥 Excel"), callback_data=f"{PREFIX}:x:{tail}"),
        ]
    )
    return InlineKeyboardMarkup(rows)


async def _compute(context: BotContext, unit: Unit, period: Period) -> ScopeStats:
    return await stats.compute(context.db, unit, start_year=period.start, end_year=period.end)


async def _send_stats(
    update: Update,
    context: BotContext,
    t: Translator,
    unit: Unit,
    period: Period,
    grants: Sequence[Grant],
    *,
    edit: bool,
) -> None:
    scope = await _compute(context, unit, period)
    parent = await unit_store.get(context.db, unit.parent_id) if unit.parent_id else None
    markup = _buttons(t, scope, grants, parent, local_today(context.now()).year)
    text = await stats_text(t, context, scope)
    if edit:
        await edit_or_reply(update, text, markup)
    else:
        await reply(update, text, markup)


async def _show_children(
    update: Update, context: BotContext, t: Translator, unit: Unit, period: Period, *, page: int
) -> None:
    size = 10
    total = await unit_store.count_children(context.db, unit.id)
    children = await unit_store.children(context.db, unit.id, limit=size, offset=page * size)
    tail = f"{period.start}:{period.end}"
    buttons = [
        InlineKeyboardButton(child.name, callback_data=f"{PREFIX}:s:{child.id}:{tail}")
        for child in children
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    nav = []
    if page > 0:
        nav.append(
            InlineKeyboardButton(
                t.gettext("◀ Previous"), callback_data=f"{PREFIX}:d:{unit.id}:{tail}:{page - 1}"
            )
        )
    if (page + 1) * size < total:
        nav.append(
            InlineKeyboardButton(
                t.gettext("Next ▶"), callback_data=f"{PREFIX}:d:{unit.id}:{tail}:{page + 1}"
            )
        )
    if nav:
        rows.append(nav)
    rows.append(
        [InlineKeyboardButton(t.gettext("⬅ Back"), callback_data=f"{PREFIX}:s:{unit.id}:{tail}")]
    )
    await edit_or_reply(
        update,
        t.gettext("Units of {unit}:").format(unit=unit_title(t, unit)),
        InlineKeyboardMarkup(rows),
    )


# ---------------------------------------------------------------- chart


CHART_CHOICES: dict[str, str] = {
    "m": N_("Members' share of the population"),
    **{kind.value: TITLE_NAMES[kind] for kind in NominationKind},
}


async def _chart_menu(update: Update, t: Translator, unit: Unit, period: Period) -> None:
    tail = f"{unit.id}:{period.start}:{period.end}"
    rows = [
        [InlineKeyboardButton(t.gettext(label), callback_data=f"{PREFIX}:g:{tail}:{key}")]
        for key, label in CHART_CHOICES.items()
    ]
    rows.append([InlineKeyboardButton(t.gettext("⬅ Back"), callback_data=f"{PREFIX}:s:{tail}")])
    await edit_or_reply(update, t.gettext("Which indicator?"), InlineKeyboardMarkup(rows))


def chart_for(t: Translator, scope: ScopeStats, key: str, place: str) -> BarChart | None:
    """The sub-units' percentages for one indicator, with the scope's target line."""
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
    return BarChart(
        title=f"{t.gettext(CHART_CHOICES[key])} — {place}, {period.label(t)}",
        labels=[line.unit.name for line in scope.sub_units],
        values=values,
        target=target,
        target_name=t.gettext("Target"),
        met_label=t.gettext("Target met"),
        below_label=t.gettext("Below target"),
        y_label=t.gettext("Percent (%)"),
        footnote=t.gettext("Source: Khuyến học bot, figures reported and imported."),
        decimal_comma=t.lang == "vi",
    )


async def _send_chart(
    update: Update, context: BotContext, t: Translator, unit: Unit, period: Period, key: str
) -> None:
    scope = await _compute(context, unit, period)
    chart = chart_for(t, scope, key, unit_title(t, unit))
    chat = update.effective_chat
    assert chat is not None
    if chart is None:
        await reply(update, t.gettext("There is nothing to draw for this unit."))
        return
    image = await asyncio.to_thread(bar_chart_png, chart)
    await context.bot.send_photo(
        chat.id, InputFile(image, filename="bieu-do.png"), caption=chart.title
    )


# ---------------------------------------------------------------- spreadsheet


def workbook_for(t: Translator, scope: ScopeStats, place: str) -> Workbook:
    """Tổng hợp, Hội viên, Danh hiệu, Quỹ: the same totals as the text, per sub-unit."""
    period = Period(scope.start_year, scope.end_year).label(t)
    subtitle = f"{place}, {period}"
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
    )
    return Workbook(
        sheets=[summary, members, titles, funds],
        title=t.gettext("Statistics of the Association for the Promotion of Learning"),
        creator="Khuyến học bot",
    )


def _ratio(percent: float | None) -> float | None:
    return None if percent is None else percent / 100


async def _send_workbook(
    update: Update, context: BotContext, t: Translator, unit: Unit, period: Period
) -> None:
    scope = await _compute(context, unit, period)
    book = workbook_for(t, scope, unit_title(t, unit))
    data = await asyncio.to_thread(workbook_bytes, book)
    chat = update.effective_chat
    assert chat is not None
    name = (
        f"thong-ke-{unit.code}-{period.start}"
        + (f"-{period.end}" if period.end != period.start else "")
        + ".xlsx"
    )
    await context.bot.send_document(
        chat.id, InputFile(data, filename=name), caption=f"{unit_title(t, unit)}, {period.label(t)}"
    )


# ---------------------------------------------------------------- /report

SCOPE_WORDS = {
    Level.PROVINCE: N_("the whole province"),
    Level.DISTRICT: N_("the whole district"),
    Level.COMMUNE: N_("the whole commune"),
    Level.BRANCH: N_("the whole branch"),
}
TITLE_CLAUSES = {
    NominationKind.CITIZEN: N_('{count} citizens have the title "Learning citizen"'),
    NominationKind.FAMILY: N_('{count} families have the title "Learning family"'),
    NominationKind.CLAN: N_('{count} clans have the title "Learning clan"'),
    NominationKind.VILLAGE_COMMUNITY: N_(
        '{count} villages and residential groups have the title "Learning community"'
    ),
    NominationKind.LEARNING_UNIT: N_('{count} agencies and units have the title "Learning unit"'),
    NominationKind.COMMUNE_COMMUNITY: N_(
        '{count} communes, wards and townships have the title "Commune-level learning community"'
    ),
}


async def report_paragraph(
    t: Translator, context: BotContext, unit: Unit, year: int, funds: Period
) -> str:
    """The province's own wording: titles with their shares, members, branches, funds."""
    report = await annual_report.build(
        context.db, unit, year, funds_since=funds.start, funds_until=funds.end
    )
    scope = t.gettext(SCOPE_WORDS[unit.level])
    clauses = []
    for line in report.titles:
        if not line.count:
            continue
        clause = t.gettext(TITLE_CLAUSES[line.kind]).format(count=t.number(line.count))
        if line.percent is not None:
            clause += " " + t.gettext("at {percent}").format(percent=t.share(line.percent))
        clauses.append(clause)
    sentences = []
    if clauses:
        sentences.append(
            t.gettext("By the end of {year}, {scope} has {clauses}.").format(
                year=year, scope=scope, clauses="; ".join(clauses)
            )
        )
    members = t.gettext("{scope} has {members} members of the association").format(
        scope=scope[:1].upper() + scope[1:], members=t.number(report.members)
    )
    if report.member_share is not None:
        members += " " + t.gettext("at {percent} of the population").format(
            percent=t.share(report.member_share)
        )
    members += t.gettext(", in {branches} branches").format(branches=t.number(report.branches))
    sentences.append(members + ".")
    sentences.append(
        t.gettext(
            "In {period}, the learning promotion funds raised {raised} and awarded {awarded}."
        ).format(
            period=funds.label(t),
            raised=t.money_short(report.raised),
            awarded=t.money_short(report.awarded),
        )
    )
    return " ".join(sentences)


async def report_command(update: Update, context: BotContext) -> None:
    """`/report [year] [from-to]`: the paragraph for the user's own scope."""
    t = await tr(update, context)
    grants = await _grants(update, context)
    home = await _home(grants)
    if home is None:
        return
    current = local_today(context.now()).year
    args = list(context.args or [])
    year = parse_period(args[0], current) if args else Period(current, current)
    funds = parse_period(args[1], current) if len(args) > 1 else year
    if year is None or funds is None or year.start != year.end:
        await reply(
            update,
            t.gettext(
                "Type for example /report 2023, or /report 2023 2019-2023 for the funds of a term."
            ),
        )
        return
    await reply(update, await report_paragraph(t, context, home, year.end, funds))


def build() -> list[BaseHandler[Update, BotContext, Any]]:
    return [
        CommandHandler(["stats", "thongke"], stats_command),
        MessageHandler(menu_filter(MENU_STATS), stats_command),
        CommandHandler(["report", "baocao"], report_command),
        CallbackQueryHandler(pressed, pattern=rf"^{PREFIX}:"),
    ]
