"""The chart (PNG) and the map of a /stats answer, on the map it is shown on.

"📈 Chart" and "🗺 Map" are offered only where something can be drawn: a chart when some
sub-unit has a value above zero for some indicator (branches, which have no denominators, never
do), the map too for a province, district or area whose communes have points (`map_points`).
Their menus list only those indicators. A chart ranks the sub-units with a value, highest
first, against the target (the one set for the unit, else the national programme's; both when
both are) and the scope's own rate, those without a value named under it; more than fit on one
image (`charts.rows_per_page`) come in even pages, each a photo with "◀ Previous" / "Next ▶".
The map colours each commune by the indicator, grey where it is unknown. An old button that
finds nothing to draw says so, with the way back to the figures.

Callback data (`handlers.stats_common`): `c` the chart menu, `g:<indicator>[:<page>]` a page
of the chart (the first without one), `b` the map menu, `b:<indicator>` the map.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update

from bot.charts import BarChart, bar_chart_png, by_value, rows_per_page
from bot.i18n import N_, Translator
from bot.maps import CommuneMap, MapPoint, map_png
from bot.numbers import parse_number
from bot.services import map_points, stats
from bot.services.map_points import Placed
from bot.services.regroup import MapChoice
from bot.services.stats import ScopeStats, SubUnitStats
from bot.storage.models import Unit
from bot.storage.records import NominationKind
from handlers.common import BotContext, edit_or_reply, reply, unit_in_sentence
from handlers.stats_common import MORE_PARTS, TITLE_NAMES, Period, data, map_lines, shown_title

MEMBERS: str = "m"
CHART_CHOICES: dict[str, str] = {
    MEMBERS: N_("Members' share of the population"),
    **{kind.value: TITLE_NAMES[kind] for kind in NominationKind},
}
"""The indicators a chart or map is drawn of, by the key their buttons carry."""

CHART_BUTTON = N_("📈 Chart")
MAP_BUTTON = N_("🗺 Map")
NO_CHART = N_("No figures yet to draw a chart.")
NO_MAP = N_("No figures yet to draw a map.")
PAGE = N_("page {page}/{pages}")
NATIONAL_TARGET = N_("National target by {year} ({decision})")
_UNNAMED = 8
"""Sub-units without a value named under a chart; the rest are counted."""
_MOST_PAGES = 100


# ---------------------------------------------------------------- what there is to draw


def value_of(line: SubUnitStats, key: str) -> float | None:
    """A sub-unit's value of one indicator: a percentage, None when unknown."""
    if key == MEMBERS:
        return line.members.share
    return line.titles[NominationKind(key)].percent


@dataclass(frozen=True)
class References:
    """The lines a chart or map of one indicator is read against, named for the legend."""

    target: float | None
    """The target the bars are coloured by: the one set for the unit (or above it), else the
    national programme's."""
    target_name: str
    second: float | None
    """The national programme's target beside one set for the unit, else None."""
    second_name: str
    own: float | None
    """The scope's own rate: its units together."""
    own_name: str


def references(t: Translator, scope: ScopeStats, key: str) -> References:
    whole = t.gettext("Whole of {unit}").format(unit=unit_in_sentence(t, scope.unit))
    if key == MEMBERS:
        members = scope.members
        return References(members.target_share, t.gettext("Target"), None, "", members.share, whole)
    title = scope.titles[NominationKind(key)]
    national = title.national
    national_name = (
        t.gettext(NATIONAL_TARGET).format(year=national.year, decision=national.decision)
        if national is not None
        else ""
    )
    if title.target is None and national is not None:
        return References(national.percent, national_name, None, "", title.percent, whole)
    return References(
        title.target,
        t.gettext("Target"),
        national.percent if national is not None else None,
        national_name,
        title.percent,
        whole,
    )


def _worth_drawing(values: Sequence[float | None]) -> bool:
    """Some value above zero: bars of nothing but "0%" (a commune title no commune has yet,
    members' shares before any member) tell nothing the text does not."""
    return any(value for value in values)


def drawable(scope: ScopeStats) -> list[str]:
    """The indicators worth a chart, in menu order (none: no chart at all)."""
    return [
        key
        for key in CHART_CHOICES
        if _worth_drawing([value_of(line, key) for line in scope.sub_units])
    ]


def chart_buttons(
    t: Translator, scope: ScopeStats, period: Period, choice: MapChoice | None, *, can_map: bool
) -> list[InlineKeyboardButton]:
    """ "📈 Chart" and "🗺 Map" for the answer's keyboard, each only when it has something to
    draw (`can_map`: `map_points.can_map`)."""
    if not drawable(scope):
        return []
    home = scope.map.home
    found = [
        InlineKeyboardButton(
            t.gettext(CHART_BUTTON), callback_data=data("c", home.id, period, choice)
        )
    ]
    if can_map:
        found.append(
            InlineKeyboardButton(
                t.gettext(MAP_BUTTON), callback_data=data("b", home.id, period, choice)
            )
        )
    return found


@dataclass(frozen=True)
class ChartAsked:
    key: str
    page: int


def parse_chart(more: Sequence[str]) -> ChartAsked | None:
    """`<indicator>[:<page>]` of a chart button; None when it is not one."""
    if not 1 <= len(more) <= 2 or more[0] not in CHART_CHOICES:
        return None
    page = 0
    if len(more) == 2:
        number = parse_number(more[1])
        if number is None or str(number) != more[1] or not 0 <= number < _MOST_PAGES:
            return None
        page = number
    return ChartAsked(more[0], page)


def parse_map(more: Sequence[str]) -> str | None:
    """`""` for the map menu, the indicator of a map button; None when it is neither."""
    if not more:
        return ""
    if len(more) == 1 and more[0] in CHART_CHOICES:
        return more[0]
    return None


# ---------------------------------------------------------------- texts


def _plain(line: str) -> str:
    """A note without its leading emoji, which the chart's font does not have."""
    return line.lstrip("🗺ℹ\ufe0f ")


def _title(t: Translator, scope: ScopeStats, key: str) -> str:
    period = Period(scope.start_year, scope.end_year)
    return f"{t.gettext(CHART_CHOICES[key])} — {shown_title(t, scope.unit)}, {period.label(t)}"


def _notes(t: Translator, scope: ScopeStats) -> list[str]:
    period = Period(scope.start_year, scope.end_year)
    source = t.gettext("Source: Khuyến học bot, figures reported and imported.")
    return [source, *(_plain(line) for line in map_lines(t, scope.map, period))]


def _named(t: Translator, names: Sequence[str]) -> str:
    shown = ", ".join(names[:_UNNAMED])
    if len(names) > _UNNAMED:
        shown = t.gettext(MORE_PARTS).format(units=shown, count=t.number(len(names) - _UNNAMED))
    return shown


def _lines(scope: ScopeStats, key: str) -> list[tuple[str, float | None]]:
    return [(line.unit.name, value_of(line, key)) for line in scope.sub_units]


# ---------------------------------------------------------------- the chart


@dataclass(frozen=True)
class ChartPage:
    chart: BarChart
    caption: str
    page: int
    pages: int


def chart_pages(t: Translator, scope: ScopeStats, key: str) -> list[ChartPage]:
    """The sub-units with a value of the indicator, highest first, in pages that fit one
    image each, on one scale; [] when none has a value above zero."""
    if key not in CHART_CHOICES:
        return []
    ranked = by_value(*zip(*_lines(scope, key), strict=True)) if scope.sub_units else []
    known = [(name, value) for name, value in ranked if value is not None]
    if not _worth_drawing([value for _, value in known]):
        return []
    unknown = [name for name, value in ranked if value is None]
    notes = _notes(t, scope)
    if unknown:
        notes.append(t.gettext("No figures yet: {units}").format(units=_named(t, unknown)))
    lines = references(t, scope, key)
    title = _title(t, scope, key)
    largest = max(value for _, value in known if value is not None)

    def make(labels: Sequence[str], values: Sequence[float | None], heading: str) -> BarChart:
        paged = len(labels) < len(known) or len(known) > 8
        return BarChart(
            title=heading,
            labels=labels,
            values=values,
            target=lines.target,
            target_name=lines.target_name,
            met_label=t.gettext("Target met"),
            below_label=t.gettext("Below target"),
            second_target=lines.second,
            second_target_name=lines.second_name,
            average=lines.own,
            average_name=lines.own_name,
            y_label=t.gettext("Percent (%)"),
            footnote="\n".join(notes),
            decimal_comma=t.lang == "vi",
            value_max=largest,
            orientation="horizontal" if paged else "auto",  # every page alike
        )

    def heading(page: int, pages: int) -> str:
        if pages == 1:
            return title
        # Kept on one line of the title: a wrap between "page" and "1/3" reads badly.
        shown = t.gettext(PAGE).format(page=page, pages=pages).replace(" ", "\xa0")
        return f"{title} ({shown})"

    labels = [name for name, _ in known]
    values = [value for _, value in known]
    most = rows_per_page(make(labels, values, heading(99, 99)))
    pages = -(-len(known) // most)
    size = -(-len(known) // pages)  # as even as can be: 65 in 5 pages of 13, not 4 of 16 and 1
    found = []
    for number in range(pages):
        first, last = number * size, min(len(known), (number + 1) * size)
        chart = make(labels[first:last], values[first:last], heading(number + 1, pages))
        caption = title
        if pages > 1:
            caption += "\n" + t.gettext(
                "Page {page}/{pages}: places {first}–{last} of {count}, highest first."
            ).format(
                page=number + 1,
                pages=pages,
                first=first + 1,
                last=last,
                count=len(known),
            )
        found.append(ChartPage(chart, caption, number, pages))
    return found


def _page_buttons(
    t: Translator, unit: Unit, period: Period, choice: MapChoice | None, key: str, page: ChartPage
) -> InlineKeyboardMarkup | None:
    nav = []
    if page.page > 0:
        nav.append(
            InlineKeyboardButton(
                t.gettext("◀ Previous"),
                callback_data=data("g", unit.id, period, choice, key, page.page - 1),
            )
        )
    if page.page + 1 < page.pages:
        nav.append(
            InlineKeyboardButton(
                t.gettext("Next ▶"),
                callback_data=data("g", unit.id, period, choice, key, page.page + 1),
            )
        )
    return InlineKeyboardMarkup([nav]) if nav else None


# ---------------------------------------------------------------- the map


def commune_map(
    t: Translator, scope: ScopeStats, communes: Sequence[Placed], key: str
) -> CommuneMap | None:
    """The communes with a point, coloured by the indicator; None when none has a point or
    none a value above zero."""
    if key not in CHART_CHOICES:
        return None
    shown = [place for place in communes if place.placed]
    values = [value_of(place.line, key) for place in shown]
    if not _worth_drawing(values):
        return None
    notes = _notes(t, scope)
    notes.append(
        t.gettext(
            "Each dot is a commune or ward, at the point the list of administrative units gives; "
            "grey: no figures yet."
        )
    )
    borrowed = sum(1 for place in shown if place.borrowed_from is not None)
    if borrowed:
        notes.append(
            t.gettext(
                "Former communes ({count}) are placed at the point of the commune that took them "
                "over."
            ).format(count=t.number(borrowed))
        )
    missing = [place.line.unit.name for place in communes if not place.placed]
    if missing:
        notes.append(
            t.gettext("Not on the map (no point): {units}").format(units=_named(t, missing))
        )
    lines = references(t, scope, key)
    return CommuneMap(
        title=_title(t, scope, key),
        points=[
            MapPoint(place.line.unit.name, place.lat or 0.0, place.lon or 0.0, value)
            for place, value in zip(shown, values, strict=True)
        ],
        scale_label=t.gettext("Percent (%)"),
        unknown_label=t.gettext("No figures yet"),
        footnote="\n".join(notes),
        target=lines.target,
        target_name=lines.target_name,
        second_target=lines.second,
        second_target_name=lines.second_name,
        average=lines.own,
        average_name=lines.own_name,
        decimal_comma=t.lang == "vi",
    )


# ---------------------------------------------------------------- presses


async def _compute(
    context: BotContext, unit: Unit, period: Period, choice: MapChoice | None
) -> ScopeStats:
    return await stats.compute(
        context.db, unit, start_year=period.start, end_year=period.end, map_choice=choice
    )


def _back(
    t: Translator, unit: Unit, period: Period, choice: MapChoice | None
) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.gettext("⬅ Back"), callback_data=data("s", unit.id, period, choice)
                )
            ]
        ]
    )


async def _say(update: Update, text: str, markup: InlineKeyboardMarkup) -> None:
    """In place of the menu the button was on; below a photo (which has no text to replace)."""
    query = update.callback_query
    message = query.message if query is not None else None
    if isinstance(message, Message) and message.photo:
        await reply(update, text, markup)
    else:
        await edit_or_reply(update, text, markup)


async def _menu(
    update: Update,
    t: Translator,
    scope: ScopeStats,
    period: Period,
    choice: MapChoice | None,
    action: str,
    question: str,
) -> None:
    """The indicators with values as buttons of `action`, and the way back."""
    unit = scope.map.home
    rows = [
        [
            InlineKeyboardButton(
                t.gettext(CHART_CHOICES[key]),
                callback_data=data(action, unit.id, period, choice, key),
            )
        ]
        for key in drawable(scope)
    ]
    if not rows:
        nothing = NO_CHART if action == "g" else NO_MAP
        await _say(update, t.gettext(nothing), _back(t, unit, period, choice))
        return
    rows.append(
        [
            InlineKeyboardButton(
                t.gettext("⬅ Back"), callback_data=data("s", unit.id, period, choice)
            )
        ]
    )
    await edit_or_reply(update, question, InlineKeyboardMarkup(rows))


async def chart_menu(
    update: Update,
    context: BotContext,
    t: Translator,
    unit: Unit,
    period: Period,
    choice: MapChoice | None,
) -> None:
    scope = await _compute(context, unit, period, choice)
    await _menu(update, t, scope, period, choice, "g", t.gettext("Which indicator?"))


async def send_chart(
    update: Update,
    context: BotContext,
    t: Translator,
    unit: Unit,
    period: Period,
    choice: MapChoice | None,
    asked: ChartAsked,
) -> None:
    scope = await _compute(context, unit, period, choice)
    pages = chart_pages(t, scope, asked.key)
    if not pages:
        await _say(update, t.gettext(NO_CHART), _back(t, unit, period, choice))
        return
    page = pages[min(asked.page, len(pages) - 1)]
    image = await asyncio.to_thread(bar_chart_png, page.chart)
    await _send_photo(
        update,
        context,
        image,
        "bieu-do.png",
        page.caption,
        _page_buttons(t, unit, period, choice, asked.key, page),
    )


async def map_pressed(
    update: Update,
    context: BotContext,
    t: Translator,
    unit: Unit,
    period: Period,
    choice: MapChoice | None,
    key: str,
) -> None:
    """The map menu (`key` empty) or the map of one indicator."""
    scope = await _compute(context, unit, period, choice)
    if not await map_points.can_map(context.db, scope):
        await _say(update, t.gettext(NO_MAP), _back(t, unit, period, choice))
        return
    if not key:
        await _menu(update, t, scope, period, choice, "b", t.gettext("Map of which indicator?"))
        return
    communes = await map_points.placed(context.db, await map_points.communes(context.db, scope))
    drawn = commune_map(t, scope, communes, key)
    if drawn is None:
        await _say(update, t.gettext(NO_MAP), _back(t, unit, period, choice))
        return
    image = await asyncio.to_thread(map_png, drawn)
    known = sum(1 for point in drawn.points if point.value is not None)
    caption = (
        drawn.title
        + "\n"
        + t.gettext("{count} communes and wards on the map, {known} with figures.").format(
            count=t.number(len(drawn.points)), known=t.number(known)
        )
    )
    await _send_photo(update, context, image, "ban-do.png", caption, None)


async def _send_photo(
    update: Update,
    context: BotContext,
    image: bytes,
    name: str,
    caption: str,
    markup: InlineKeyboardMarkup | None,
) -> None:
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_photo(
        chat.id, InputFile(image, filename=name), caption=caption, reply_markup=markup
    )
