"""The spreadsheet (Excel) of a /stats answer, on the map it is shown on (the chart and the
map: `handlers.stats_charts`).

Each workbook sent is recorded in the export log (`bot.services.privacy`): who, when, which
unit and period; the province admin reads it with /exportlog."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from telegram import InputFile, Update

from bot.i18n import Translator
from bot.services import privacy, stats
from bot.services.regroup import MapChoice
from bot.services.stats import ScopeStats
from bot.spreadsheets import Column, ColumnKind, Sheet, Workbook, workbook_bytes
from bot.storage.models import Unit
from bot.storage.records import NominationKind
from bot.text import fold
from handlers.common import BotContext, unit_title
from handlers.stats_common import (
    CAMPAIGN_NAMES,
    DONOR_NAMES,
    TITLE_NAMES,
    Period,
    map_lines,
    shown_title,
    sub_unit_word,
)


def _place(t: Translator, scope: ScopeStats) -> str:
    return shown_title(t, scope.unit)


def workbook_for(t: Translator, scope: ScopeStats) -> Workbook:
    """Tổng hợp, Hội viên, Danh hiệu, Quỹ: the same totals as the text, per sub-unit, on the
    same map, with the same notes."""
    period = Period(scope.start_year, scope.end_year)
    subtitle = f"{_place(t, scope)}, {period.label(t)}"
    notes = map_lines(t, scope.map, period)
    unit_col = Column(t.gettext("Unit"), ColumnKind.TEXT)
    summary = Sheet(
        name=t.gettext("Summary"),
        columns=[
            Column(t.gettext("Indicator"), ColumnKind.TEXT),
            Column(t.gettext("Value"), ColumnKind.INTEGER),
            Column(t.gettext("Of (denominator)"), ColumnKind.INTEGER),
            Column(t.gettext("Rate"), ColumnKind.PERCENT),
            Column(t.gettext("Target set"), ColumnKind.PERCENT),
            Column(t.gettext("National target"), ColumnKind.PERCENT),
            Column(t.gettext("Target's year and decision"), ColumnKind.TEXT),
            Column(t.gettext("Covers"), ColumnKind.TEXT),
        ],
        rows=_summary_rows(t, scope),
        title=t.gettext("Statistics of the Association for the Promotion of Learning"),
        subtitle=subtitle,
        notes=notes,
    )
    raised = Sheet(
        name=t.gettext("Raised by kind"),
        columns=[
            Column(t.gettext("Breakdown"), ColumnKind.TEXT),
            Column(t.gettext("Part"), ColumnKind.TEXT),
            Column(t.gettext("Raised"), ColumnKind.MONEY),
        ],
        rows=_breakdown_rows(t, scope.funds),
        title=t.gettext("Learning promotion funds raised, by campaign and by donor"),
        subtitle=subtitle,
        totals=[t.gettext("Total raised"), None, scope.funds.raised],
        notes=[
            *notes,
            t.gettext(
                "Each breakdown adds up to the total: imported totals (not broken down) are a "
                "part of their own."
            ),
        ],
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
        sheets=[summary, members, titles, funds, raised],
        title=t.gettext("Statistics of the Association for the Promotion of Learning"),
        creator="Khuyến học bot",
    )


def _covers(t: Translator, scope: ScopeStats, covers: stats.Coverage | None) -> str | None:
    """ "2/38 xã" when a figure covers only some sub-units; None when it covers them all."""
    if covers is None:
        return None
    return t.gettext("{covered}/{of} {units}").format(
        covered=t.number(covers.covered), of=t.number(covers.of), units=sub_unit_word(t, scope)
    )


def _summary_rows(t: Translator, scope: ScopeStats) -> list[list[Any]]:
    """Every indicator of the text: its value, denominator, rate, the target set for it, the
    national one (year and decision), and what it covers when not everything."""
    members = scope.members
    rows: list[list[Any]] = [
        [
            t.gettext("Members"),
            members.total,
            members.population,
            _ratio(members.share),
            _ratio(members.target_share),
            None,
            None,
            _covers(t, scope, scope.population_covers),
        ],
        [t.gettext("New members in the period"), members.new_in_period, *[None] * 6],
        [t.gettext("Branches"), scope.branches, *[None] * 6],
    ]
    for kind, line in scope.titles.items():
        national = line.national
        rows.append(
            [
                t.gettext(TITLE_NAMES[kind]),
                line.recognised,
                line.denominator,
                _ratio(line.percent),
                _ratio(line.target),
                _ratio(national.percent) if national else None,
                f"{national.year}, {national.decision}" if national else None,
                _covers(t, scope, scope.denominators_cover.get(kind)),
            ]
        )
    funds = scope.funds
    rows += [
        [t.gettext("Raised (đồng)"), funds.raised, *[None] * 6],
        [t.gettext("Awarded (đồng)"), funds.awarded, *[None] * 6],
        [t.gettext("Balance (đồng)"), funds.balance, *[None] * 6],
    ]
    if scope.reported is not None:
        rows.append(
            [
                t.gettext("Sub-units with figures in the period"),
                scope.reported.covered,
                scope.reported.of,
                scope.reported.covered / scope.reported.of,
                None,
                None,
                None,
                _covers(t, scope, scope.reported),
            ]
        )
    return rows


def _breakdown_rows(t: Translator, funds: stats.FundStats) -> list[list[Any]]:
    """Raised by campaign, then by donor kind; each adds up to the total with the imported
    totals as a part of their own."""
    imported = [t.gettext("imported totals, not broken down"), funds.baseline_raised]
    rows: list[list[Any]] = []
    for heading, parts in (
        (
            t.gettext("By campaign"),
            [[t.gettext(CAMPAIGN_NAMES[c]), v] for c, v in funds.raised_by_campaign.items()],
        ),
        (
            t.gettext("By donor"),
            [[t.gettext(DONOR_NAMES[d]), v] for d, v in funds.raised_by_donor.items()],
        ),
    ):
        rows += [[heading, name, value] for name, value in [*parts, imported] if value]
    return rows


def file_name(t: Translator, scope: ScopeStats, period: Period) -> str:
    """ "thong-ke-xa-lien-giang-2023.xlsx": the unit and the period, as a file is filed."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(unit_title(t, scope.unit))).strip("-")
    years = f"{period.start}" + (f"-{period.end}" if period.end != period.start else "")
    today_map = scope.map.choice is MapChoice.TODAY and scope.map.other is not None
    return f"thong-ke-{slug}-{years}" + ("-dia-gioi-moi" if today_map else "") + ".xlsx"


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
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    shown = scope.unit
    name = file_name(t, scope, period)
    await privacy.record_export(
        context.db,
        user.id,
        privacy.ExportKind.STATISTICS,
        now=context.now(),
        unit_id=shown.id,
        detail=name,
        row_count=len(scope.sub_units),
    )
    await context.bot.send_document(
        chat.id,
        InputFile(content, filename=name),
        caption=f"{_place(t, scope)}, {period.label(t)}",
    )
