"""Numbers typed or carried by buttons: only ASCII digits count, and nothing ever raises."""

from __future__ import annotations

import contextlib
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.dates import DateError, parse_birth_year, parse_date
from bot.money import AmountError, parse_amount
from bot.numbers import MAX_DIGITS, CountError, CountErrorCode, parse_number
from bot.numbers import parse_count as parse_typed_count
from bot.phone import PhoneError, normalize_phone
from bot.services.imports import ImportErrorCode, parse_count, parse_rate

ACCEPTED: list[tuple[str, int]] = [
    ("0", 0),
    ("7", 7),
    ("12", 12),
    ("007", 7),
    ("2026", 2026),
    (" 12", 12),
    ("12 ", 12),
    ("  12\n", 12),
    ("\u00a012\u00a0", 12),  # a no-break space pasted around it
    ("9" * MAX_DIGITS, 10**MAX_DIGITS - 1),
]

# Other scripts' digits: str.isdigit() is true for all of these; int() accepts the decimal
# ones (Arabic-Indic, Devanagari, full-width) and raises on the rest.
UNICODE_DIGITS = [
    "١٢",  # Arabic-Indic
    "۱۲",  # Extended Arabic-Indic (Persian)
    "१२",  # Devanagari
    "１２",  # full-width
    "²",  # superscript two
    "¹²",  # superscripts
    "₂",  # subscript two
    "①",  # circled one
    "Ⅻ",  # Roman numeral twelve
    "½",  # vulgar fraction
    "𝟏𝟐",  # mathematical bold
]

REFUSED: list[str] = [
    "",
    " ",
    "\n",
    "+12",
    "-12",
    "−12",  # minus sign
    "1 2",
    "1_2",  # int() accepts underscores
    "1.2",
    "1,2",
    "12a",
    "0x1f",
    "#12",  # the caller strips a leading "#" when it means to accept one
    "9" * (MAX_DIGITS + 1),
    "1" * 5000,  # beyond int()'s 4300-digit limit: refused, not ValueError
    "1²",
    "²1",
    "12١",
    "١2",
    *UNICODE_DIGITS,
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_accepted(text: str, expected: int) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", REFUSED)
def test_refused(text: str) -> None:
    assert parse_number(text) is None


def test_max_digits_is_the_caller_s() -> None:
    assert parse_number("12345", max_digits=4) is None
    assert parse_number("1234", max_digits=4) == 1234
    assert parse_number("0", max_digits=0) is None


@given(st.text())
def test_never_raises_and_only_ascii_digits_count(text: str) -> None:
    parsed = parse_number(text)
    stripped = text.strip()
    if parsed is None:
        return
    assert stripped.isascii() and stripped.isdigit()
    assert parsed == int(stripped)


@given(st.integers(min_value=0, max_value=10**MAX_DIGITS - 1))
def test_round_trip(number: int) -> None:
    assert parse_number(str(number)) == number


# The deliberate parsers of bot/ refuse other scripts' digits with their own errors; none may
# raise a bare ValueError from int(), nor read "١٢" as 12.

TODAY = date(2026, 11, 28)
DIGIT_VARIANTS = [
    *UNICODE_DIGITS,
    "1²",
    "١٢.٣٤٥",
    "١٢٣.٤٥٦",
    "۱۲۳ ۴۵۶",
    "٢٠٢٤",
    "٢/١٠/٢٠٢٤",
    "٢٠٢٤-١٠-٠٢",
    "٠٩١٢٣٤٥٦٧٨",
    "０９１２３４５６７８",
    "1tr²",
    "²tr5",
    "1 triệu ²",
    "năm ١٩٥٨",
    "²%",
    "٢٦,٨",
]


@pytest.mark.parametrize("text", DIGIT_VARIANTS)
def test_money_refuses_other_digits(text: str) -> None:
    with pytest.raises(AmountError):
        parse_amount(text)


@pytest.mark.parametrize("text", DIGIT_VARIANTS)
def test_dates_refuse_other_digits(text: str) -> None:
    with pytest.raises(DateError):
        parse_date(text, today=TODAY)
    with pytest.raises(DateError):
        parse_birth_year(text, today=TODAY)


@pytest.mark.parametrize("text", DIGIT_VARIANTS)
def test_phone_refuses_other_digits(text: str) -> None:
    with pytest.raises(PhoneError):
        normalize_phone(text)


@pytest.mark.parametrize("text", DIGIT_VARIANTS)
def test_typed_figures_refuse_other_digits(text: str) -> None:
    """/targets reads typed counts with `bot.numbers.parse_count`, rates with the import
    parser; a file's cells are read by the import parsers."""
    with pytest.raises(CountError):
        parse_typed_count(text)
    assert isinstance(parse_count(text), ImportErrorCode)
    assert isinstance(parse_rate(text), ImportErrorCode)


# ---------------------------------------------------------------- counts as people type them

COUNTS: list[tuple[str, int]] = [
    ("1,86 triệu", 1_860_000),
    ("1.86 triệu", 1_860_000),
    ("1,86 trieu", 1_860_000),
    ("1.860.000", 1_860_000),
    ("1,860,000", 1_860_000),
    ("1 860 000", 1_860_000),
    ("1\u00a0860\u00a0000", 1_860_000),
    ("1860000", 1_860_000),
    ("1 triệu 860 nghìn", 1_860_000),
    ("1 triệu 860", 1_860_000),
    ("một triệu tám trăm sáu mươi nghìn", 1_860_000),
    ("12.500", 12_500),
    ("12,5 nghìn", 12_500),
    ("2 tỷ", 2_000_000_000),
    ("0", 0),
    (" 7 ", 7),
]

COUNTS_REFUSED: list[tuple[str, CountErrorCode]] = [
    ("", CountErrorCode.EMPTY),
    ("   ", CountErrorCode.EMPTY),
    ("12,5", CountErrorCode.NOT_WHOLE),
    ("1,86", CountErrorCode.NOT_WHOLE),
    ("1,865 triệu", CountErrorCode.AMBIGUOUS),  # 1.865 triệu or 1.865 × 1 triệu?
    ("1 triệu 86", CountErrorCode.AMBIGUOUS),
    ("1tr25", CountErrorCode.AMBIGUOUS),
    ("-5", CountErrorCode.NEGATIVE),
    ("- 1,86 triệu", CountErrorCode.NEGATIVE),
    ("5 triệu đồng", CountErrorCode.NOT_A_NUMBER),  # a count is not money
    ("khoảng 2 triệu", CountErrorCode.NOT_A_NUMBER),
    ("1 86 000", CountErrorCode.NOT_A_NUMBER),
    ("abc", CountErrorCode.NOT_A_NUMBER),
    ("100 nghìn tỷ", CountErrorCode.TOO_LARGE),
]


@pytest.mark.parametrize(("text", "expected"), COUNTS)
def test_typed_count(text: str, expected: int) -> None:
    assert parse_typed_count(text) == expected


@pytest.mark.parametrize(("text", "code"), COUNTS_REFUSED)
def test_typed_count_refused(text: str, code: CountErrorCode) -> None:
    with pytest.raises(CountError) as caught:
        parse_typed_count(text)
    assert caught.value.code is code


@given(st.text(max_size=40))
def test_typed_count_raises_only_count_error(text: str) -> None:
    with contextlib.suppress(CountError):
        assert parse_typed_count(text) >= 0
