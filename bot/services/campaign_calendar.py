"""Default yearly campaigns of the Association for the Promotion of Learning.

Two campaigns recur every year:

* Tháng Khuyến học: the whole of October (2 October is Vietnam's Learning
  Promotion Day).
* Xuân Khuyến học: from the 23rd of the 12th lunar month (Tết ông Công ông Táo)
  to the 15th of the 1st lunar month (Rằm tháng Giêng).

Lunar dates come from ``lunar_vn`` (Hồ Ngọc Đức's algorithm at UTC+7, i.e. the
Vietnamese calendar, which differs from the Chinese one in some years such as
1985 and 2007). ``lunar_vn`` was chosen over ``vnlunar`` because it ships
``py.typed`` with a frozen ``LunarDate`` dataclass, validates its inputs and
raises ``ValueError`` instead of returning ``None``/dicts; ``vnlunar`` is
untyped, bundles astrology we do not need and its package docstring contradicts
its MIT licence file. The two agree on every Xuân window 1968-2100; before 1968
``vnlunar`` follows the historical UTC+8 calendars, which campaigns never need.

Leap months: ``lunar_vn`` (like ``vnlunar``) places a leap month right after the
regular month of the same number, so ``leap=False`` always means the regular
month. If lunar year Y-1 ever had a leap 12th month, the Xuân window would start
on the 23rd of the *regular* 12th month (about two months before Tết). In the
libraries' range no Vietnamese lunar year 1899-2099 has a leap 12th month (2033
has a leap 11th month, which does not affect the window), so this is a
documented rule, not a case that occurs in practice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final

from lunar_vn import SUPPORTED_YEAR_RANGE, LunarDate, lunar_to_solar, solar_to_lunar

THANG_KHUYEN_HOC: Final = "thang_khuyen_hoc"
XUAN_KHUYEN_HOC: Final = "xuan_khuyen_hoc"

# Default display names; kept here as data so callers need not hard-code them.
CAMPAIGN_NAMES: Final[dict[str, str]] = {
    THANG_KHUYEN_HOC: "Tháng Khuyến học",
    XUAN_KHUYEN_HOC: "Xuân Khuyến học",
}

# Vietnam's Learning Promotion Day (Ngày Khuyến học Việt Nam), as (month, day).
LEARNING_PROMOTION_DAY: Final = (10, 2)

# Lunar (month, day) bounds of Xuân Khuyến học.
_XUAN_START: Final = (12, 23)  # Tết ông Công ông Táo
_XUAN_END: Final = (1, 15)  # Rằm tháng Giêng

# Years for which the Xuân window can be computed (limited by lunar_vn's range).
MIN_XUAN_YEAR: Final = SUPPORTED_YEAR_RANGE[0]
MAX_XUAN_YEAR: Final = SUPPORTED_YEAR_RANGE[1]


@dataclass(frozen=True)
class CampaignWindow:
    """A campaign occurrence; ``start`` and ``end`` are both inclusive."""

    key: str
    year: int
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"campaign window ends before it starts: {self.start} > {self.end}")

    def contains(self, day: date) -> bool:
        """Whether ``day`` falls inside the inclusive window."""
        return self.start <= day <= self.end


def lunar_date_to_solar(day: int, month: int, lunar_year: int) -> date:
    """Solar date of a day in a *regular* (non-leap) Vietnamese lunar month.

    Round-trips the result because ``lunar_vn`` silently rolls day 30 of a
    29-day month into the next month and ignores the leap flag in years
    without a leap month; a mismatch here must fail loudly, not shift a campaign.
    """
    wanted = LunarDate(day=day, month=month, year=lunar_year, leap=False)
    solar = lunar_to_solar(wanted)
    if solar_to_lunar(solar) != wanted:
        raise ValueError(f"lunar date {day}/{month}/{lunar_year} does not exist")
    return solar


def tet_date(year: int) -> date:
    """Tết Nguyên đán (1st day of the 1st lunar month) of lunar year ``year``."""
    return lunar_date_to_solar(1, 1, year)


def thang_khuyen_hoc(year: int) -> CampaignWindow:
    """Tháng Khuyến học: 1-31 October of ``year``."""
    return CampaignWindow(
        key=THANG_KHUYEN_HOC, year=year, start=date(year, 10, 1), end=date(year, 10, 31)
    )


def xuan_khuyen_hoc(year: int) -> CampaignWindow:
    """Xuân Khuyến học around the Tết that opens lunar year ``year``.

    Runs from 23/12 of lunar year ``year - 1`` to 15/1 of lunar year ``year``,
    both in regular months (see the module docstring on leap months).
    """
    if not MIN_XUAN_YEAR <= year <= MAX_XUAN_YEAR:
        raise ValueError(
            f"Xuân Khuyến học year {year} outside supported range {MIN_XUAN_YEAR}-{MAX_XUAN_YEAR}"
        )
    start_month, start_day = _XUAN_START
    end_month, end_day = _XUAN_END
    return CampaignWindow(
        key=XUAN_KHUYEN_HOC,
        year=year,
        start=lunar_date_to_solar(start_day, start_month, year - 1),
        end=lunar_date_to_solar(end_day, end_month, year),
    )


def default_campaigns(year: int) -> list[CampaignWindow]:
    """Both default campaigns of ``year``, in chronological order."""
    return sorted([xuan_khuyen_hoc(year), thang_khuyen_hoc(year)], key=lambda w: w.start)


def campaigns_on(day: date, windows: Iterable[CampaignWindow]) -> list[CampaignWindow]:
    """The windows running on ``day``, keeping the caller's order."""
    return [window for window in windows if window.contains(day)]
