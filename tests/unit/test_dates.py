"""Date and birth-year parsing, always against an explicit ``today``."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.dates import (
    DATE_EXAMPLES,
    EARLIEST_DATE,
    DateError,
    DateErrorCode,
    parse_birth_year,
    parse_date,
)

TODAY = date(2025, 10, 20)

ACCEPTED: list[tuple[str, date]] = [
    ("hôm nay", TODAY),
    ("hom nay", TODAY),
    ("Hôm nay", TODAY),
    ("  HÔM   NAY ", TODAY),
    ("nay", TODAY),
    ("ngày hôm nay", TODAY),
    ("hôm qua", date(2025, 10, 19)),
    ("hom qua", date(2025, 10, 19)),
    ("hôm kia", date(2025, 10, 18)),
    ("hom kia", date(2025, 10, 18)),
    ("15/10/2025", date(2025, 10, 15)),
    ("5/1/2025", date(2025, 1, 5)),
    ("05/01/2025", date(2025, 1, 5)),
    ("15-10-2025", date(2025, 10, 15)),
    ("15.10.2025", date(2025, 10, 15)),
    ("15 / 10 / 2025", date(2025, 10, 15)),
    ("ngày 15/10/2025", date(2025, 10, 15)),
    ("15/10/25", date(2025, 10, 15)),
    ("1/1/00", date(2000, 1, 1)),
    ("15/10", date(2025, 10, 15)),
    ("20/10", TODAY),
    ("1.1", date(2025, 1, 1)),
    ("2025-10-15", date(2025, 10, 15)),
    ("2025-1-5", date(2025, 1, 5)),
    ("2025/10/15", date(2025, 10, 15)),
    ("29/02/2024", date(2024, 2, 29)),
    ("01/01/1945", EARLIEST_DATE),
    ("2/9/1945", date(1945, 9, 2)),
    ("20/10/2025", TODAY),
]

REJECTED: list[tuple[str, DateErrorCode]] = [
    ("", DateErrorCode.EMPTY),
    ("  ", DateErrorCode.EMPTY),
    ("21/10/2025", DateErrorCode.FUTURE),
    ("21/10", DateErrorCode.FUTURE),  # not guessed to be last year
    ("1/1/26", DateErrorCode.FUTURE),
    ("15/10/58", DateErrorCode.FUTURE),  # two-digit years are 20yy, never 19yy
    ("2030-01-01", DateErrorCode.FUTURE),
    ("31/12/1944", DateErrorCode.TOO_OLD),
    ("1900-01-01", DateErrorCode.TOO_OLD),
    ("31/02/2025", DateErrorCode.INVALID),
    ("29/02/2025", DateErrorCode.INVALID),
    ("32/1/2025", DateErrorCode.INVALID),
    ("15/13/2025", DateErrorCode.INVALID),
    ("0/1/2025", DateErrorCode.INVALID),
    ("1/1/0000", DateErrorCode.INVALID),
    ("15/10/205", DateErrorCode.INVALID),
    ("15/10-2025", DateErrorCode.INVALID),  # mixed separators
    ("15102025", DateErrorCode.INVALID),
    ("2025-10", DateErrorCode.INVALID),
    ("15", DateErrorCode.INVALID),
    ("ngày mai", DateErrorCode.INVALID),
    ("hôm", DateErrorCode.INVALID),
    ("qua", DateErrorCode.INVALID),
    ("15/10/2025 hôm nay", DateErrorCode.INVALID),
    ("October 15", DateErrorCode.INVALID),
    ("１５/１０/２０２５", DateErrorCode.INVALID),
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_accepted(text: str, expected: date) -> None:
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize(("text", "code"), REJECTED)
def test_rejected(text: str, code: DateErrorCode) -> None:
    with pytest.raises(DateError) as caught:
        parse_date(text, today=TODAY)
    assert caught.value.code is code


def test_examples_are_accepted() -> None:
    assert [parse_date(example, today=TODAY) for example in DATE_EXAMPLES] == [
        TODAY,
        date(2025, 10, 15),
    ]


def test_relative_days_cross_month_and_year() -> None:
    assert parse_date("hôm kia", today=date(2026, 1, 1)) == date(2025, 12, 30)
    assert parse_date("hôm qua", today=date(2024, 3, 1)) == date(2024, 2, 29)


def test_day_month_uses_todays_year() -> None:
    assert parse_date("29/2", today=date(2024, 12, 31)) == date(2024, 2, 29)
    with pytest.raises(DateError) as caught:
        parse_date("29/2", today=date(2025, 12, 31))
    assert caught.value.code is DateErrorCode.INVALID


BIRTH_YEARS_ACCEPTED: list[tuple[str, int]] = [
    ("1958", 1958),
    (" 1958 ", 1958),
    ("năm 1958", 1958),
    ("nam 1958", 1958),
    ("Năm 1958", 1958),
    ("năm1958", 1958),
    ("1900", 1900),
    ("2025", 2025),
]

BIRTH_YEARS_REJECTED: list[tuple[str, DateErrorCode]] = [
    ("", DateErrorCode.EMPTY),
    ("1899", DateErrorCode.OUT_OF_RANGE),
    ("2026", DateErrorCode.OUT_OF_RANGE),
    ("58", DateErrorCode.OUT_OF_RANGE),
    ("0", DateErrorCode.OUT_OF_RANGE),
    ("năm", DateErrorCode.INVALID),
    ("1958.5", DateErrorCode.INVALID),
    ("15/10/1958", DateErrorCode.INVALID),
    ("-1958", DateErrorCode.INVALID),
    ("một chín năm tám", DateErrorCode.INVALID),
    ("1" * 50, DateErrorCode.INVALID),
]


@pytest.mark.parametrize(("text", "expected"), BIRTH_YEARS_ACCEPTED)
def test_birth_year_accepted(text: str, expected: int) -> None:
    assert parse_birth_year(text, today=TODAY) == expected


@pytest.mark.parametrize(("text", "code"), BIRTH_YEARS_REJECTED)
def test_birth_year_rejected(text: str, code: DateErrorCode) -> None:
    with pytest.raises(DateError) as caught:
        parse_birth_year(text, today=TODAY)
    assert caught.value.code is code


_TODAYS = st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31))


@given(st.text(), _TODAYS)
def test_arbitrary_text_raises_only_date_error(text: str, today: date) -> None:
    try:
        result = parse_date(text, today=today)
    except DateError:
        return
    assert EARLIEST_DATE <= result <= today


@given(st.text(alphabet="0123456789/.- homnayquki", max_size=16), _TODAYS)
def test_date_like_text_raises_only_date_error(text: str, today: date) -> None:
    try:
        result = parse_date(text, today=today)
    except DateError:
        return
    assert EARLIEST_DATE <= result <= today


@given(st.dates(min_value=EARLIEST_DATE, max_value=date(2100, 12, 31)), _TODAYS)
def test_formatted_dates_round_trip(value: date, today: date) -> None:
    for text in (
        value.strftime("%d/%m/%Y"),
        value.isoformat(),
        f"{value.day}.{value.month}.{value.year}",
    ):
        if value <= today:
            assert parse_date(text, today=today) == value
        else:
            with pytest.raises(DateError) as caught:
                parse_date(text, today=today)
            assert caught.value.code is DateErrorCode.FUTURE


@given(st.text(), _TODAYS)
def test_arbitrary_text_birth_year_raises_only_date_error(text: str, today: date) -> None:
    try:
        year = parse_birth_year(text, today=today)
    except DateError:
        return
    assert 1900 <= year <= today.year


# ---------------------------------------------------------------- dates in words

IN_WORDS: list[tuple[str, date]] = [
    ("15 tháng 10 năm 2025", date(2025, 10, 15)),
    ("ngày 15 tháng 10 năm 2025", date(2025, 10, 15)),
    ("Ngày 15 Tháng 10 Năm 2025", date(2025, 10, 15)),
    ("15 thang 10 nam 2025", date(2025, 10, 15)),
    ("15 thang 10 2025", date(2025, 10, 15)),
    ("15 tháng 10, 2025", date(2025, 10, 15)),
    ("  15   tháng  10   năm  2025 ", date(2025, 10, 15)),
    ("5 tháng 1 năm 2025", date(2025, 1, 5)),
    ("05 tháng 01 năm 2025", date(2025, 1, 5)),
    ("15 tháng 10", date(2025, 10, 15)),  # this year
    ("ngày 2 tháng 9 năm 1945", date(1945, 9, 2)),
    ("29 tháng 2 năm 2024", date(2024, 2, 29)),
]

IN_WORDS_REFUSED: list[tuple[str, DateErrorCode]] = [
    ("15 tháng 13 năm 2025", DateErrorCode.INVALID),
    ("32 tháng 10 năm 2025", DateErrorCode.INVALID),
    ("29 tháng 2 năm 2025", DateErrorCode.INVALID),
    ("15 tháng 10 năm 25", DateErrorCode.INVALID),  # the year in four digits
    ("tháng 10 năm 2025", DateErrorCode.INVALID),  # which day?
    ("15 tháng mười năm 2025", DateErrorCode.INVALID),  # the month in digits
    ("15 tháng", DateErrorCode.INVALID),
    ("15 tháng 10 năm", DateErrorCode.INVALID),
    ("15 tháng 10 năm 2025 nay", DateErrorCode.INVALID),
    ("21 tháng 10 năm 2025", DateErrorCode.FUTURE),
    ("21 tháng 10", DateErrorCode.FUTURE),
    ("31 tháng 12 năm 1944", DateErrorCode.TOO_OLD),
]


@pytest.mark.parametrize(("text", "expected"), IN_WORDS)
def test_date_in_words_is_read(text: str, expected: date) -> None:
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize(("text", "code"), IN_WORDS_REFUSED)
def test_date_in_words_refused(text: str, code: DateErrorCode) -> None:
    with pytest.raises(DateError) as caught:
        parse_date(text, today=TODAY)
    assert caught.value.code is code
