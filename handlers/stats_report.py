"""/report: the province's own wording of a year, on the map of that year or today's."""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.i18n import N_, Translator
from bot.services import annual_report, scopes
from bot.services.annual_report import AnnualReport
from bot.services.regroup import MapChoice
from bot.services.reporting import local_today
from bot.storage import people
from bot.storage.models import Level, Unit, UnitKind
from bot.storage.records import NominationKind
from handlers.common import BotContext, edit_or_reply, reply, tr
from handlers.stats_common import (
    TITLE_NAMES,
    Period,
    data,
    default_period,
    map_lines,
    parse_period,
    switch_label,
    switch_target,
)

SCOPE_WORDS = {
    Level.PROVINCE: N_("the whole province"),
    Level.DISTRICT: N_("the whole district"),
    Level.COMMUNE: N_("the whole commune"),
    Level.BRANCH: N_("the whole branch"),
}
AREA_WORDS = N_("the whole area")
"""A middle-level unit of a map without districts is no district."""
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


def scope_words(t: Translator, unit: Unit) -> str:
    if unit.kind is UnitKind.AREA:
        return t.gettext(AREA_WORDS)
    return t.gettext(SCOPE_WORDS[unit.level])


def _at(t: Translator, percent: float) -> str:
    """ "bằng 26,8%", and "chưa đến 0,1%" rather than "bằng <0,1%"."""
    if 0 < percent < 0.05:
        return t.gettext("at less than {percent}").format(percent=t.share(0.1))
    return t.gettext("at {percent}").format(percent=t.share(percent))


def paragraph(t: Translator, report: AnnualReport, funds: Period, today: date) -> str:
    """The association's own wording: titles with their shares, members, branches, funds;
    money in words ("88,6 tỷ đồng"), and the year not yet over "as of" today."""
    scope = scope_words(t, report.unit)
    clauses = []
    for line in report.titles:
        if not line.count:
            continue
        clause = t.gettext(TITLE_CLAUSES[line.kind]).format(count=t.number(line.count))
        if line.percent is not None:
            clause += " " + _at(t, line.percent)
        clauses.append(clause)
    sentences = []
    if clauses:
        if report.year >= today.year:
            opening = t.gettext("As of {date}, {scope} has {clauses}.")
        else:
            opening = t.gettext("By the end of {year}, {scope} has {clauses}.")
        sentences.append(
            opening.format(
                year=report.year, date=t.date(today), scope=scope, clauses="; ".join(clauses)
            )
        )
    measured = _against_targets(t, report)
    if measured:
        sentences.append(measured)
    members = t.gettext("{scope} has {members} members of the association").format(
        scope=scope[:1].upper() + scope[1:], members=t.number(report.members)
    )
    if report.member_share is not None:
        members += " " + t.gettext("{at} of the population").format(at=_at(t, report.member_share))
    members += t.gettext(", in {branches} branches").format(branches=t.number(report.branches))
    sentences.append(members + ".")
    sentences.append(
        t.gettext(
            "In {period}, the learning promotion funds raised {raised} and awarded {awarded}."
        ).format(
            period=funds.label(t),
            raised=t.money_words(report.raised),
            awarded=t.money_words(report.awarded),
        )
    )
    return " ".join(sentences)


def _against_targets(t: Translator, report: AnnualReport) -> str:
    """ "So với chỉ tiêu đến năm 2025 (Quyết định 387/QĐ-TTg, 677/QĐ-TTg): Gia đình học tập
    65,6% (chỉ tiêu 70%); …": each rate beside its target, the one set for the unit (or above
    it) where there is one.
    Empty when no rate has a target."""
    items, decisions, years = [], [], set()
    for line in report.titles:
        if line.percent is None or not line.count:  # as the titles sentence leaves it out
            continue
        if line.target is not None:
            goal = t.gettext("target {target}").format(target=t.share(line.target))
        elif line.national is not None:
            goal = t.gettext("target {target}").format(target=t.share(line.national.percent))
            years.add(line.national.year)
            if line.national.decision not in decisions:
                decisions.append(line.national.decision)
        else:
            continue
        items.append(f"{t.gettext(TITLE_NAMES[line.kind])} {t.share(line.percent)} ({goal})")
    if not items:
        return ""
    if decisions:
        head = t.gettext("Against the targets to {year} (Decisions {decisions})").format(
            year="/".join(str(y) for y in sorted(years)), decisions=", ".join(decisions)
        )
    else:
        head = t.gettext("Against the targets set")
    return f"{head}: {'; '.join(items)}."


async def report_paragraph(
    t: Translator,
    context: BotContext,
    unit: Unit,
    year: int,
    funds: Period,
    choice: MapChoice | None = None,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The paragraph, what it must say about the map, and the button to the other map."""
    report = await annual_report.build(
        context.db,
        unit,
        year,
        funds_since=funds.start,
        funds_until=funds.end,
        map_choice=choice,
    )
    text = paragraph(t, report, funds, local_today(context.now()))
    notes = map_lines(t, report.map, Period(year, year))
    if notes:
        text += "\n\n" + "\n".join(notes)
    switch = switch_target(report.map)
    if switch is None:
        return text, None
    other, other_choice = switch
    button = InlineKeyboardButton(
        switch_label(t, other_choice, Period(year, year)),
        callback_data=data("r", other.id, funds, other_choice, year),
    )
    return text, InlineKeyboardMarkup([[button]])


async def report_command(update: Update, context: BotContext) -> None:
    """`/report [year] [from-to]`: the paragraph for the user's own scope."""
    t = await tr(update, context)
    assert update.effective_user is not None
    grants = await people.grants_of(context.db, update.effective_user.id)
    top = scopes.highest(grants)
    if top is None:
        return
    home = top.unit
    current = local_today(context.now()).year
    args = list(context.args or [])
    year = parse_period(args[0], current) if args else default_period(home, current)
    funds = parse_period(args[1], current) if len(args) > 1 else year
    if year is None or funds is None or year.start != year.end:
        await reply(
            update,
            t.gettext(
                "Type for example /report 2023, or /report 2023 2019-2023 for the funds of a term."
            ),
        )
        return
    text, markup = await report_paragraph(t, context, home, year.end, funds)
    await reply(update, text, markup)


async def report_pressed(
    update: Update,
    context: BotContext,
    t: Translator,
    unit: Unit,
    funds: Period,
    choice: MapChoice | None,
    year: int,
) -> None:
    """The switch between maps under a /report answer (already checked against the scope)."""
    text, markup = await report_paragraph(t, context, unit, year, funds, choice)
    await edit_or_reply(update, text, markup)
