"""/stats and /report: where a scope stands, as text to paste, a chart, and a spreadsheet.

`/stats [unit name or code] [year | from-to]` answers for the user's own scope by default;
buttons drill into a sub-unit, go up a level, change the year, switch between the map of the
year and today's map (for a year before today's map began), draw a chart or send Excel.
Every press names the unit, years and map in its callback data (`handlers.stats_common`) and
is re-checked against the user's scope on the map of those years before anything is computed.
The chart and the map (`handlers.stats_charts`) and the spreadsheet (`handlers.stats_export`)
follow the map on screen; /report lives in `handlers.stats_report`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler

from bot.i18n import N_, Translator
from bot.numbers import parse_number
from bot.services import campaigns, map_points, regroup, scopes, stats
from bot.services.regroup import MapChoice, Regrouping, last_map_year
from bot.services.reporting import local_today
from bot.services.stats import RankBy, ScopeStats, SubUnitStats
from bot.storage import campaigns as campaign_store
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.models import Grant, Level, Unit
from bot.storage.records import NominationKind
from handlers.common import (
    BUTTON_CHARS,
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
from handlers.screens import show_screen
from handlers.stats_charts import (
    chart_buttons,
    chart_menu,
    map_pressed,
    parse_chart,
    parse_map,
    send_chart,
)
from handlers.stats_common import (
    CAMPAIGN_NAMES,
    DONOR_NAMES,
    FIRST_YEAR,
    PREFIX,
    YEARS,
    Period,
    data,
    default_period,
    map_lines,
    parse_period,
    parse_target,
    shown_title,
    sub_unit_word,
    switch_label,
    switch_target,
)
from handlers.stats_common import TITLE_NAMES as TITLE_NAMES
from handlers.stats_export import send_workbook
from handlers.stats_report import report_command as report_command
from handlers.stats_report import report_pressed

SHOWN_SUB_UNITS = 3


# ---------------------------------------------------------------- resolving the request


async def _grants(update: Update, context: BotContext) -> list[Grant]:
    assert update.effective_user is not None
    return await people.grants_of(context.db, update.effective_user.id)


def _home(grants: Sequence[Grant]) -> Unit | None:
    """The unit of the user's highest grant (with the dates it was in force)."""
    top = scopes.highest(grants)
    return None if top is None else top.unit


async def stats_command(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    grants = await _grants(update, context)
    home = _home(grants)
    if home is None:
        return
    current = local_today(context.now()).year
    args = list(context.args or [])
    period: Period | None = None
    if args and (parsed := parse_period(args[-1], current)) is not None:
        period = parsed
        args = args[:-1]
    elif args and YEARS.match(args[-1]):
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
        found = await stats.find_units(context.db, grants, query)
        if not found.choices:
            text = (
                t.gettext("{unit} is outside the units you are responsible for.").format(
                    unit=shown_title(t, found.outside)
                )
                if found.outside
                else t.gettext(
                    'No unit is called "{text}". Try part of the name, e.g. "dong hung".'
                ).format(text=query)
            )
            await reply(update, text)
            return
        if len(found.choices) > 1:
            await _which_one(update, context, t, found.choices, period, current)
            return
        unit = found.choices[0]
    await _send_stats(
        update,
        context,
        t,
        unit,
        period or default_period(unit, current),
        None,
        grants,
        edit=False,
    )


async def _which_one(
    update: Update,
    context: BotContext,
    t: Translator,
    choices: Sequence[Unit],
    period: Period | None,
    current: int,
) -> None:
    """Several units answer: each a button, to its statistics of the period asked (else its
    default: an ended unit's last year on a map). When ended units are among them, each says
    when it was in force: "Xã Liên Giang, Huyện Đông Hưng (until 30/06/2025)"."""
    dated = any(not unit.in_force for unit in choices)
    rows = []
    for unit in choices:
        label = await unit_address(t, context.db, unit)
        if dated:
            label = _with_dates(t, label, unit)
        shown = period or default_period(unit, current)
        rows.append([InlineKeyboardButton(label, callback_data=data("s", unit.id, shown, None))])
    await reply(update, t.gettext("Which one?"), InlineKeyboardMarkup(rows))


def _with_dates(t: Translator, label: str, unit: Unit) -> str:
    """The label with when the unit was in force, shortened to the unit's own title when the
    whole would not fit a button."""
    if unit.valid_to is not None:
        last = t.date(unit.valid_to - timedelta(days=1))
        dates = (
            t.gettext("({start} – {end})").format(start=t.date(unit.valid_from), end=last)
            if unit.valid_from is not None
            else t.gettext("(until {date})").format(date=last)
        )
    elif unit.valid_from is not None:
        dates = t.gettext("(since {date})").format(date=t.date(unit.valid_from))
    else:
        return label
    whole = f"{label} {dates}"
    return whole if len(whole) <= BUTTON_CHARS else f"{unit_title(t, unit)} {dates}"


async def pressed(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    assert update.callback_query is not None
    parts = parse_callback(update.callback_query.data, PREFIX)
    current = local_today(context.now()).year
    target = parse_target(parts, current)
    unit = await unit_store.get(context.db, target.unit_id) if target else None
    grants = await _grants(update, context)
    if target is None or unit is None:
        await answer(update, t.gettext("This button is not valid."), alert=True)
        return
    maps = await regroup.load(context.db)
    if not maps.may_see(grants, unit, target.period.end):
        await answer(
            update, t.gettext("That is outside the units you are responsible for."), alert=True
        )
        return
    period, choice, more = target.period, target.choice, target.more
    action = target.action
    if action == "s" and not more:
        await answer(update)
        await _send_stats(update, context, t, unit, period, choice, grants, edit=True)
    elif action == "d" and len(more) <= 1:
        await answer(update)
        page = (parse_number(more[0]) or 0) if more else 0
        await _show_children(update, context, t, unit, period, choice, page=page)
    elif action == "c" and not more:
        await answer(update)
        await chart_menu(update, context, t, unit, period, choice)
    elif action == "g" and (chart := parse_chart(more)) is not None:
        await answer(update)
        await send_chart(update, context, t, unit, period, choice, chart)
    elif action == "b" and (indicator := parse_map(more)) is not None:
        await answer(update)
        await map_pressed(update, context, t, unit, period, choice, indicator)
    elif action == "x" and not more:
        await answer(update)
        await send_workbook(update, context, t, unit, period, choice)
    elif action == "r" and len(more) == 1 and _report_year(more[0], current):
        await answer(update)
        year = int(more[0])
        await report_pressed(update, context, t, unit, period, choice, year)
    else:
        await answer(update, t.gettext("This button is not valid."), alert=True)


def _report_year(text: str, current: int) -> bool:
    year = parse_number(text)
    return year is not None and str(year) == text and FIRST_YEAR <= year <= current


# ---------------------------------------------------------------- the text


def _title_line(t: Translator, line: stats.TitleStats) -> str:
    text = f"• {t.gettext(TITLE_NAMES[line.kind])}: {t.number(line.recognised)}"
    if line.denominator:
        text += f"/{t.number(line.denominator)} = {t.share(line.percent)}"
    text += _targets(t, line)
    if line.pending:
        text += " · " + t.gettext("{count} pending").format(count=t.number(line.pending))
    return text


def _targets(t: Translator, line: stats.TitleStats) -> str:
    """ "(chỉ tiêu 26,8%; toàn quốc 40% đến năm 2025 theo 677/QĐ-TTg)": the target set for the
    unit (or above it) first, then the national programme's."""
    own, national = line.target, line.national
    if national is None:
        if own is None:
            return ""
        return " " + t.gettext("(target {target})").format(target=t.share(own))
    values = {
        "national": t.share(national.percent),
        "year": national.year,
        "decision": national.decision,
    }
    if own is None:
        return " " + t.gettext("(target {national} by {year} under {decision})").format(**values)
    return " " + t.gettext(
        "(target {target}; nationally {national} by {year} under {decision})"
    ).format(target=t.share(own), **values)


def _covers(t: Translator, scope: ScopeStats, covers: stats.Coverage | None) -> str:
    """ "(số liệu của 2/8 huyện)": a rate of only the sub-units whose figure is known."""
    if covers is None:
        return ""
    return " " + t.gettext("(figures of {covered}/{of} {units})").format(
        covered=t.number(covers.covered), of=t.number(covers.of), units=sub_unit_word(t, scope)
    )


def _reported(t: Translator, scope: ScopeStats) -> list[str]:
    """ "📋 38/104 xã có số liệu trong kỳ", when some sub-units have none: totals are theirs."""
    if scope.reported is None:
        return []
    return [
        t.gettext("📋 {covered}/{of} {units} have figures in the period").format(
            covered=t.number(scope.reported.covered),
            of=t.number(scope.reported.of),
            units=sub_unit_word(t, scope),
        )
    ]


def _breakdowns(t: Translator, funds: stats.FundStats) -> list[str]:
    """Raised by campaign and by donor kind, each adding up to the total shown: the imported
    totals (baselines, not broken down) are a part of their own, and the parts are rounded
    together with the total."""
    imported = (t.gettext("imported totals, not broken down"), funds.baseline_raised)
    lines = []
    for heading, named in (
        (
            N_("by campaign: {items}"),
            [(t.gettext(CAMPAIGN_NAMES[c]), v) for c, v in funds.raised_by_campaign.items()],
        ),
        (
            N_("by donor: {items}"),
            [(t.gettext(DONOR_NAMES[d]), v) for d, v in funds.raised_by_donor.items()],
        ),
    ):
        parts = [(name, value) for name, value in (*named, imported) if value]
        if not parts or parts == [imported]:
            continue
        _, shown = t.money_short_split(funds.raised, [value for _, value in parts])
        items = " · ".join(f"{name} {money}" for (name, _), money in zip(parts, shown, strict=True))
        lines.append("   " + t.gettext(heading).format(items=items))
    return lines


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
        return f"{line.unit.name}: {value}"  # "Thôn 1: 48", not "Thôn 1 48"

    heading = (
        t.gettext("Sub-units by members' share of the population:")
        if by is RankBy.MEMBER_SHARE
        else t.gettext("Sub-units by number of members:")
    )
    if by is RankBy.MEMBERS and not any(line.members.total for line in order):
        return [heading, t.gettext("No figures yet.")]  # not "Best: … 0"
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
    left_out = [line.unit.name for line in scope.sub_units if line not in order]
    if by is RankBy.MEMBER_SHARE and left_out:  # no population figure: named, not hidden
        names = " · ".join(left_out[: 2 * SHOWN_SUB_UNITS])
        if len(left_out) > 2 * SHOWN_SUB_UNITS:
            names += " …"
        lines.append(
            t.gettext("Not ranked, no population figure ({count} {units}): {names}").format(
                count=t.number(len(left_out)), units=sub_unit_word(t, scope), names=names
            )
        )
    return lines


def _structure(t: Translator, scope: ScopeStats) -> str:
    """ "huyện: 8 · xã: 260 · chi hội: 2.554": the middle level only where the map has one,
    called what it is there."""
    found = []
    if scope.unit.level is Level.PROVINCE:
        if scope.districts:
            found.append(t.gettext("districts: {count}").format(count=t.number(scope.districts)))
        if scope.areas:
            found.append(t.gettext("areas: {count}").format(count=t.number(scope.areas)))
    if scope.unit.level in (Level.PROVINCE, Level.DISTRICT):
        found.append(t.gettext("communes: {count}").format(count=t.number(scope.communes)))
    found.append(t.gettext("branches: {count}").format(count=t.number(scope.branches)))
    return "🏘 " + " · ".join(found)


async def stats_text(t: Translator, context: BotContext, scope: ScopeStats) -> str:
    period = Period(scope.start_year, scope.end_year)
    members = scope.members
    funds = scope.funds
    place = await unit_address(t, context.db, scope.unit) or unit_title(t, scope.unit)
    if not scope.unit.in_force:
        place = shown_title(t, scope.unit) if place == unit_title(t, scope.unit) else place
    raised, (awarded, balance) = t.money_short_split(funds.raised, [funds.awarded, funds.balance])
    lines = [
        t.gettext("📊 {unit}, {period}").format(unit=place, period=period.label(t)),
        *map_lines(t, scope.map, period),
        "",
        t.gettext("👥 Members: {total}").format(total=t.number(members.total))
        + (
            (
                t.gettext(", less than {share} of the population").format(share=t.share(0.1))
                if 0 < members.share < 0.05
                else t.gettext(", {share} of the population").format(share=t.share(members.share))
            )
            + _covers(t, scope, scope.population_covers)
            if members.share is not None
            else ""
        )
        + " · "
        + t.gettext("new in the period: {count}").format(count=t.number(members.new_in_period)),
        _structure(t, scope),
        *_reported(t, scope),
        "",
        t.gettext("🏅 Titles recognised in {year}:").format(year=scope.end_year),
        *(
            _title_line(t, line) + _covers(t, scope, scope.denominators_cover.get(line.kind))
            for line in scope.titles.values()
        ),
        "",
        t.gettext(
            "💰 Funds, {period}: raised {raised} · awarded {awarded} · balance {balance}"
        ).format(
            period=period.label(t),
            raised=raised,
            awarded=awarded,
            balance=balance,
        ),
    ]
    lines += _breakdowns(t, funds)
    today = local_today(context.now())
    running = await campaign_store.covering(context.db, today) if scope.unit.in_force else []
    for campaign in running:
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


def _keeps(asked: MapChoice | None) -> MapChoice | None:
    """The map a button to another year carries: today's, when asked for, stays today's; else
    the other year's default (a later year may be on today's map, an earlier one not)."""
    return asked if asked is MapChoice.TODAY else None


def _buttons(
    t: Translator,
    scope: ScopeStats,
    grants: Sequence[Grant],
    maps: Regrouping,
    parent: Unit | None,
    asked: MapChoice | None,
    current: int,
    can_map: bool = False,
) -> InlineKeyboardMarkup:
    view = scope.map
    home, start, end = view.home, scope.start_year, scope.end_year
    period = Period(start, end)
    shown_choice = view.choice if view.other is not None else None
    rows: list[list[InlineKeyboardButton]] = []
    nav = []
    if scope.sub_units:
        nav.append(
            InlineKeyboardButton(
                t.gettext("🔽 Sub-units"), callback_data=data("d", home.id, period, shown_choice)
            )
        )
    if parent is not None and maps.may_see(grants, parent, end):
        nav.append(
            InlineKeyboardButton(
                t.gettext("🔼 {unit}").format(unit=unit_title(t, parent)),
                callback_data=data("s", parent.id, period, shown_choice),
            )
        )
    if nav:
        rows.append(nav)
    years = []
    last = last_map_year(home) if not home.in_force else None
    latest = current if last is None else min(current, last)
    if start == end and start > FIRST_YEAR:
        before = Period(start - 1, start - 1)
        years.append(
            InlineKeyboardButton(
                f"◀ {start - 1}",
                callback_data=data("s", home.id, before, _keeps(asked)),
            )
        )
    if start == end and end < latest:
        after = Period(end + 1, end + 1)
        years.append(
            InlineKeyboardButton(
                f"{end + 1} ▶",
                callback_data=data("s", home.id, after, _keeps(asked)),
            )
        )
    if years:
        rows.append(years)
    switch = switch_target(view)
    if switch is not None and maps.may_see(grants, switch[0], end):
        other, other_choice = switch
        rows.append(
            [
                InlineKeyboardButton(
                    switch_label(t, other_choice, period),
                    callback_data=data("s", other.id, period, other_choice),
                )
            ]
        )
    rows.append(
        [
            *chart_buttons(t, scope, period, shown_choice, can_map=can_map),
            InlineKeyboardButton(
                t.gettext("📥 Excel"), callback_data=data("x", home.id, period, shown_choice)
            ),
        ]
    )
    return InlineKeyboardMarkup(rows)


async def _send_stats(
    update: Update,
    context: BotContext,
    t: Translator,
    unit: Unit,
    period: Period,
    choice: MapChoice | None,
    grants: Sequence[Grant],
    *,
    edit: bool,
) -> None:
    scope = await stats.compute(
        context.db, unit, start_year=period.start, end_year=period.end, map_choice=choice
    )
    maps = await regroup.load(context.db)
    home = scope.map.home
    parent_id = maps.parent_at(home, period.end) if scope.map.year_map else home.parent_id
    parent = await unit_store.get(context.db, parent_id) if parent_id is not None else None
    can_map = await map_points.can_map(context.db, scope)
    current = local_today(context.now()).year
    markup = _buttons(t, scope, grants, maps, parent, choice, current, can_map)
    await show_screen(update, [await stats_text(t, context, scope)], markup, edit=edit)


async def _show_children(
    update: Update,
    context: BotContext,
    t: Translator,
    unit: Unit,
    period: Period,
    choice: MapChoice | None,
    *,
    page: int,
) -> None:
    """The sub-units of the answer on screen, ten a page (on its map: the units of that map
    or the parts a unit of today was made of)."""
    size = 10
    about, children = await stats.sub_units_of(
        context.db, unit, start_year=period.start, end_year=period.end, map_choice=choice
    )
    buttons = [
        InlineKeyboardButton(child.name, callback_data=data("s", child.id, period, choice))
        for child in children[page * size : (page + 1) * size]
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    nav = []
    if page > 0:
        nav.append(
            InlineKeyboardButton(
                t.gettext("◀ Previous"), callback_data=data("d", unit.id, period, choice, page - 1)
            )
        )
    if (page + 1) * size < len(children):
        nav.append(
            InlineKeyboardButton(
                t.gettext("Next ▶"), callback_data=data("d", unit.id, period, choice, page + 1)
            )
        )
    if nav:
        rows.append(nav)
    rows.append(
        [
            InlineKeyboardButton(
                t.gettext("⬅ Back"), callback_data=data("s", unit.id, period, choice)
            )
        ]
    )
    await edit_or_reply(
        update,
        t.gettext("Units of {unit}:").format(unit=shown_title(t, about)),
        InlineKeyboardMarkup(rows),
    )


def build() -> list[BaseHandler[Update, BotContext, Any]]:
    return [
        CommandHandler(["stats", "thongke"], stats_command),
        MessageHandler(menu_filter(MENU_STATS), stats_command),
        CommandHandler(["report", "baocao"], report_command),
        CallbackQueryHandler(pressed, pattern=rf"^{PREFIX}:"),
    ]
