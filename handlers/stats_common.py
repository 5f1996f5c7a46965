"""What /stats, /report, their charts and spreadsheets share: periods, the callback data of
their buttons, and the lines that say which map an answer is on.

Callback data: `st:<action>:<unit>:<start>:<end>[:<map>][:<more>]`, `<map>` being `y` (the map
of the year) or `t` (today's map); buttons sent before maps could be chosen carry none and get
the default map. Every number is re-read with `parse_number` and every unit re-checked against
the user's scope before anything is computed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from bot.i18n import N_, Translator
from bot.numbers import parse_number
from bot.services.map_views import MapView
from bot.services.regroup import MapChoice, last_map_year, map_year
from bot.services.stats import ScopeStats
from bot.storage.models import Level, Unit, UnitKind
from bot.storage.records import Campaign, DonorKind
from handlers.common import unit_title
from handlers.contributions import CAMPAIGNS
from handlers.picker import unit_in_sentence
from handlers.titles import KIND_LABELS

PREFIX: Final = "st"
FIRST_YEAR: Final = 1990

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

MAP_CODES: Final = {MapChoice.OF_THE_YEAR: "y", MapChoice.TODAY: "t"}
_CHOICES: Final = {code: choice for choice, code in MAP_CODES.items()}

ON_TODAYS_MAP = N_("🗺 On today's map")
ON_THE_MAP_OF = N_("🗺 On the map of {year}")
ON_THE_MAP_OF_PARTS = N_("🗺 On the map of {year}: {units}")
REGROUPED = N_(
    "🗺 On today's map: the figures of former units are counted in the unit that took them over."
)
ENDED = N_(
    "ℹ️ {unit} is no longer in force since {date}: its figures are those of the map it was on; "
    "later ones are counted on today's map."
)
SPLIT_RULE = N_(
    "{unit} (former) was divided between {count} new units; the {word}'s figures are counted "
    "wholly in {successor}, as in the official conversion table."
)
FORMER = N_("{unit} (former)")
MORE_PARTS = N_("{units} and {count} more")
SHOWN_PARTS: Final = 6
"""Former units named on the map line; the rest are counted."""


@dataclass(frozen=True)
class Period:
    start: int
    end: int

    def label(self, t: Translator) -> str:
        if self.start == self.end:
            return t.gettext("year {year}").format(year=self.end)
        return t.gettext("{start}–{end}").format(start=self.start, end=self.end)


YEARS = re.compile(r"^([0-9]{4})(?:\s*[-–]\s*([0-9]{4}))?$")


def parse_period(text: str, current: int) -> Period | None:
    """ "2023" or "2019-2024"; None if `text` is not a year or range in 1990..this year."""
    match = YEARS.match(text.strip())
    if match is None:
        return None
    start = int(match[1])
    end = int(match[2]) if match[2] else start
    if not FIRST_YEAR <= start <= end <= current:
        return None
    return Period(start, end)


def data(action: str, unit_id: int, period: Period, choice: MapChoice | None, *more: object) -> str:
    """The callback data of a button: the map is left out when it is the default."""
    parts = [PREFIX, action, str(unit_id), str(period.start), str(period.end)]
    if choice is not None:
        parts.append(MAP_CODES[choice])
    return ":".join([*parts, *(str(part) for part in more)])


@dataclass(frozen=True)
class Target:
    """What a press asks for: a unit, a period, a map (None: the default) and the rest."""

    action: str
    unit_id: int
    period: Period
    choice: MapChoice | None
    more: list[str]


def parse_target(parts: list[str], current: int) -> Target | None:
    """`<action>:<unit>:<start>:<end>[:<map>][:…]`, checked for sane years; None if not."""
    if len(parts) < 4:
        return None
    unit_id, start, end = (parse_number(part) for part in parts[1:4])
    if unit_id is None or start is None or end is None:
        return None
    if not FIRST_YEAR <= start <= end <= current:
        return None
    more = parts[4:]
    choice = _CHOICES.get(more[0]) if more else None
    if choice is not None:
        more = more[1:]
    return Target(parts[0], unit_id, Period(start, end), choice, more)


def shown_title(t: Translator, unit: Unit) -> str:
    """ "Huyện Đông Hưng (cũ)" for an ended unit, its plain title otherwise."""
    title = unit_title(t, unit)
    return title if unit.in_force else t.gettext(FORMER).format(unit=title)


def default_period(home: Unit, current: int) -> Period:
    """This year, or for an ended unit the last year it was on a map."""
    last = last_map_year(home)
    year = current if last is None else max(FIRST_YEAR, min(current, last))
    return Period(year, year)


def map_lines(t: Translator, view: MapView, period: Period) -> list[str]:
    """What the reader must know of the map: which one, a unit that ended, the split rule."""
    lines = []
    if view.year_map and (view.other is not None or not view.home.in_force):
        year = map_year(view.home, period.end)
        if any(part.id != view.home.id for part in view.parts):
            named = ", ".join(unit_in_sentence(t, part) for part in view.parts[:SHOWN_PARTS])
            more = len(view.parts) - SHOWN_PARTS
            if more > 0:
                named = t.gettext(MORE_PARTS).format(units=named, count=t.number(more))
            lines.append(t.gettext(ON_THE_MAP_OF_PARTS).format(year=year, units=named))
        else:
            lines.append(t.gettext(ON_THE_MAP_OF).format(year=year))
    elif view.other is not None:
        lines.append(t.gettext(REGROUPED))
    last = last_map_year(view.home)
    if last is not None and period.end > last and view.home.valid_to is not None:
        lines.append(
            t.gettext(ENDED).format(unit=unit_title(t, view.home), date=t.date(view.home.valid_to))
        )
    lines += [
        split_rule(t, split.unit, len(split.successors), split.counted_in) for split in view.splits
    ]
    return lines


def split_rule(t: Translator, unit: Unit, count: int, counted_in: Unit) -> str:
    """ "Xã Ngọc Thanh (cũ) được chia cho 2 đơn vị mới; số liệu của xã được tính trọn cho
    phường Sơn Nam, theo bảng chuyển đổi chính thức." """
    return t.gettext(SPLIT_RULE).format(
        unit=unit_title(t, unit),
        count=t.number(count),
        word=t.gettext(_KIND_WORDS.get(unit.kind, _KIND_WORDS_DEFAULT)),
        successor=unit_in_sentence(t, counted_in),
    )


def switch_label(t: Translator, choice: MapChoice, period: Period) -> str:
    """The button to the other map."""
    if choice is MapChoice.TODAY:
        return t.gettext(ON_TODAYS_MAP)
    return t.gettext(ON_THE_MAP_OF).format(year=period.end)


def switch_target(view: MapView) -> tuple[Unit, MapChoice] | None:
    """The unit and map the switch button shows: the same unit on the other map, or for an
    ended unit the unit in force that took it, on today's map."""
    if view.other is None:
        return None
    if not view.home.in_force:
        return (view.successor, MapChoice.TODAY) if view.successor is not None else None
    return view.home, view.other


_KIND_WORDS = {
    UnitKind.COMMUNE: N_("commune"),
    UnitKind.WARD: N_("ward"),
    UnitKind.TOWNSHIP: N_("township"),
}
_KIND_WORDS_DEFAULT = N_("unit")


def sub_unit_word(t: Translator, scope: ScopeStats) -> str:
    """What the sub-units are called in "2/8 huyện": their level on the answer's map."""
    first = scope.sub_units[0].unit if scope.sub_units else None
    if first is None:
        return ""
    if first.level is Level.DISTRICT:
        return t.gettext("areas") if first.kind is UnitKind.AREA else t.gettext("districts")
    if first.level is Level.COMMUNE:
        return t.gettext("communes")
    return t.gettext("branches")
