"""Tests for the default campaign calendar, checked against a second library and published dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import vnlunar  # type: ignore[import-untyped]  # untyped; used only as an independent oracle

from bot.services.campaign_calendar import (
    CAMPAIGN_NAMES,
    THANG_KHUYEN_HOC,
    XUAN_KHUYEN_HOC,
    CampaignWindow,
    campaigns_on,
    default_campaigns,
    lunar_date_to_solar,
    tet_date,
    thang_khuyen_hoc,
    xuan_khuyen_hoc,
)

CROSS_CHECK_YEARS = range(1990, 2061)


def vnlunar_to_solar(day: int, month: int, lunar_year: int, leap: bool = False) -> date:
    """Narrow typed wrapper over vnlunar (its table of Hồ Ngọc Đức's published calendar)."""
    result = vnlunar.convert_lunar_to_solar(day, month, lunar_year, 1 if leap else 0)
    assert result is not None, f"vnlunar: no such lunar date {day}/{month}/{lunar_year}"
    solar_day, solar_month, solar_year = result
    return date(int(solar_year), int(solar_month), int(solar_day))


def vnlunar_lunar_of(day: date) -> tuple[int, int, int, bool]:
    """(day, month, year, leap) of a solar date according to vnlunar."""
    lunar = vnlunar.get_lunar_date(day.day, day.month, day.year)
    return (int(lunar["day"]), int(lunar["month"]), int(lunar["year"]), bool(lunar["leap"]))


# --- Tết Nguyên đán against published Vietnamese dates -------------------------------------


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2025, date(2025, 1, 29)),
        (2026, date(2026, 2, 17)),
        (2027, date(2027, 2, 6)),
        # Vietnam (UTC+7) differs from China (UTC+8): China celebrated on 18 Feb 2007.
        (2007, date(2007, 2, 17)),
        # Vietnam differs by a whole month here: China celebrated on 20 Feb 1985.
        (1985, date(1985, 1, 21)),
        # Announced in 2006 as the next years Vietnam is one day ahead of China.
        (2030, date(2030, 2, 2)),
        (2053, date(2053, 2, 18)),
    ],
)
def test_tet_matches_published_vietnamese_dates(year: int, expected: date) -> None:
    assert tet_date(year) == expected
    assert vnlunar_to_solar(1, 1, year) == expected


def test_tet_2007_and_1985_are_not_the_chinese_dates() -> None:
    assert tet_date(2007) != date(2007, 2, 18)
    assert tet_date(1985) != date(1985, 2, 20)


# --- Xuân Khuyến học windows ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "start", "end"),
    [
        # 23 tháng Chạp Giáp Thìn = Wed 22 Jan 2025; Rằm tháng Giêng Ất Tỵ = Wed 12 Feb 2025.
        (2025, date(2025, 1, 22), date(2025, 2, 12)),
        # 23 tháng Chạp Ất Tỵ = Tue 10 Feb 2026; Rằm tháng Giêng Bính Ngọ = Tue 3 Mar 2026.
        (2026, date(2026, 2, 10), date(2026, 3, 3)),
        # 23 tháng Chạp Bính Ngọ = Sat 30 Jan 2027; Rằm tháng Giêng Đinh Mùi = Sat 20 Feb 2027.
        (2027, date(2027, 1, 30), date(2027, 2, 20)),
        # Tết ông Công ông Táo 2023 was published as Sat 14 Jan 2023.
        (2023, date(2023, 1, 14), date(2023, 2, 5)),
    ],
)
def test_xuan_khuyen_hoc_windows(year: int, start: date, end: date) -> None:
    window = xuan_khuyen_hoc(year)
    assert window == CampaignWindow(key=XUAN_KHUYEN_HOC, year=year, start=start, end=end)
    assert vnlunar_lunar_of(start) == (23, 12, year - 1, False)
    assert vnlunar_lunar_of(end) == (15, 1, year, False)


@pytest.mark.parametrize("year", CROSS_CHECK_YEARS)
def test_cross_library_agreement(year: int) -> None:
    window = xuan_khuyen_hoc(year)
    assert tet_date(year) == vnlunar_to_solar(1, 1, year)
    assert window.start == vnlunar_to_solar(23, 12, year - 1)
    assert window.end == vnlunar_to_solar(15, 1, year)


@pytest.mark.parametrize("year", CROSS_CHECK_YEARS)
def test_xuan_window_shape(year: int) -> None:
    """23/12 is 7 or 8 days before Tết, so month 12 is never followed by a leap month here."""
    window = xuan_khuyen_hoc(year)
    tet = tet_date(year)
    assert (tet - window.start).days in (7, 8)
    assert window.end == tet + timedelta(days=14)
    assert window.start.year in (year - 1, year)
    assert window.start.month in (1, 2) and window.end.month in (2, 3)


def test_leap_eleventh_month_of_2033_does_not_move_xuan_2034() -> None:
    # Lunar 2033 has a leap 11th month (the "2033 problem"); both libraries agree.
    assert vnlunar_to_solar(1, 11, 2033, leap=True) == date(2033, 12, 22)
    window = xuan_khuyen_hoc(2034)
    assert window.start == vnlunar_to_solar(23, 12, 2033) == date(2034, 2, 11)
    assert tet_date(2034) == date(2034, 2, 19)


def test_regular_month_is_used_in_a_year_with_a_leap_month() -> None:
    """The rule applied to a leap 12th month, shown on lunar 2025's leap 6th month."""
    regular = lunar_date_to_solar(1, 6, 2025)
    assert regular == vnlunar_to_solar(1, 6, 2025) == date(2025, 6, 25)
    assert vnlunar_to_solar(1, 6, 2025, leap=True) == date(2025, 7, 25)


def test_nonexistent_lunar_day_is_rejected() -> None:
    # Lunar month 2 of 2025 has 29 days; lunar_vn alone would roll over to 1/3.
    with pytest.raises(ValueError, match="does not exist"):
        lunar_date_to_solar(30, 2, 2025)


@pytest.mark.parametrize("year", [1899, 2101])
def test_xuan_outside_library_range_is_rejected(year: int) -> None:
    with pytest.raises(ValueError, match="outside supported range"):
        xuan_khuyen_hoc(year)


# --- Tháng Khuyến học -----------------------------------------------------------------------


@pytest.mark.parametrize("year", [2025, 2026, 2027, 2100])
def test_thang_khuyen_hoc_bounds(year: int) -> None:
    window = thang_khuyen_hoc(year)
    assert window == CampaignWindow(
        key=THANG_KHUYEN_HOC, year=year, start=date(year, 10, 1), end=date(year, 10, 31)
    )
    assert window.contains(date(year, 10, 2))  # Ngày Khuyến học Việt Nam
    assert window.contains(date(year, 10, 1)) and window.contains(date(year, 10, 31))
    assert not window.contains(date(year, 9, 30))
    assert not window.contains(date(year, 11, 1))


# --- default_campaigns / campaigns_on -------------------------------------------------------


def test_default_campaigns_are_chronological() -> None:
    campaigns = default_campaigns(2026)
    assert [c.key for c in campaigns] == [XUAN_KHUYEN_HOC, THANG_KHUYEN_HOC]
    assert all(c.year == 2026 for c in campaigns)
    assert set(CAMPAIGN_NAMES) == {c.key for c in campaigns}


@pytest.mark.parametrize(
    ("day", "expected_keys"),
    [
        (date(2026, 2, 9), []),
        (date(2026, 2, 10), [XUAN_KHUYEN_HOC]),
        (date(2026, 2, 17), [XUAN_KHUYEN_HOC]),
        (date(2026, 3, 3), [XUAN_KHUYEN_HOC]),
        (date(2026, 3, 4), []),
        (date(2026, 9, 30), []),
        (date(2026, 10, 2), [THANG_KHUYEN_HOC]),
        (date(2026, 11, 1), []),
    ],
)
def test_campaigns_on(day: date, expected_keys: list[str]) -> None:
    assert [c.key for c in campaigns_on(day, default_campaigns(2026))] == expected_keys


def test_campaigns_on_keeps_caller_order_and_overlaps() -> None:
    custom = CampaignWindow(key="custom", year=2026, start=date(2026, 2, 1), end=date(2026, 2, 28))
    windows = [custom, *default_campaigns(2026)]
    assert campaigns_on(date(2026, 2, 15), windows) == [custom, xuan_khuyen_hoc(2026)]
    assert campaigns_on(date(2026, 2, 15), iter(windows)) == [custom, xuan_khuyen_hoc(2026)]


def test_window_must_not_end_before_it_starts() -> None:
    with pytest.raises(ValueError):
        CampaignWindow(key="x", year=2026, start=date(2026, 2, 2), end=date(2026, 2, 1))
