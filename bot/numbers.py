"""Whole numbers as people type them or buttons carry them: report numbers, ids, pages, years.

Python's own tests are too generous for this: ``"²".isdigit()`` is true but ``int("²")``
raises, and ``int("١٢")`` (Arabic-Indic) or ``int("１２")`` (full-width) quietly gives 12. A
forged button or a pasted superscript must neither crash a handler nor mean a number, so
only the ASCII digits 0-9 count. Money, dates and phone numbers have their own parsers
(``bot.money``, ``bot.dates``, ``bot.phone``), which are ASCII-only too.

Counts people type (a population, households: `parse_count`) are read like money without
the currency: ``1.860.000``, ``1 860 000``, ``1,86 triệu``, ``1 triệu 860 nghìn``, ``một
triệu tám trăm sáu mươi nghìn``, with the same refusals of what has two readings.
"""

from __future__ import annotations

import re
from enum import StrEnum

from bot.money import AmountError, AmountErrorCode, parse_quantity

__all__ = ["MAX_DIGITS", "CountError", "CountErrorCode", "parse_count", "parse_number"]

MAX_DIGITS = 11
"""Longer than any id, page or year we hand out, and far below SQLite's 64-bit integers."""


def parse_number(text: str, *, max_digits: int = MAX_DIGITS) -> int | None:
    """``"12"`` (or ``" 12 "``, as typed) → 12; None for anything else: no sign, no inner
    space, no other script's digits, at most ``max_digits`` digits. Never raises."""
    digits = text.strip()
    if not 0 < len(digits) <= max_digits or not (digits.isascii() and digits.isdigit()):
        return None
    return int(digits)


class CountErrorCode(StrEnum):
    """Why a typed count was refused; handlers map each code to a translated message."""

    EMPTY = "empty"
    NOT_A_NUMBER = "not_a_number"
    NOT_WHOLE = "not_whole"
    """``12,5``: a count has no fraction (``1,5 triệu`` is whole: 1,500,000)."""
    AMBIGUOUS = "ambiguous"
    NEGATIVE = "negative"
    TOO_LARGE = "too_large"


class CountError(ValueError):
    """A refused count; ``code`` says why, the text is for logs only."""

    def __init__(self, code: CountErrorCode) -> None:
        super().__init__(code.value)
        self.code = code


_SPACE_GROUPED = re.compile(r"[0-9]{1,3}(?:[ \u00a0][0-9]{3})+", re.ASCII)
_FRACTION = re.compile(r"[0-9]+[.,][0-9]{1,2}", re.ASCII)
_MINUS_SIGNS = ("-", "\N{MINUS SIGN}")
_COUNT_CODES = {
    AmountErrorCode.EMPTY: CountErrorCode.EMPTY,
    AmountErrorCode.AMBIGUOUS: CountErrorCode.AMBIGUOUS,
    AmountErrorCode.TOO_LARGE: CountErrorCode.TOO_LARGE,
}


def parse_count(text: str) -> int:
    """A whole number ≥ 0 as typed (see the module), or ``CountError``."""
    stripped = text.strip()
    negative = stripped.startswith(_MINUS_SIGNS)
    digits = stripped[1:].strip() if negative else stripped
    if _SPACE_GROUPED.fullmatch(digits):
        value = int(re.sub(r"[^0-9]", "", digits))
    elif _FRACTION.fullmatch(digits):
        raise CountError(CountErrorCode.NOT_WHOLE)
    else:
        try:
            value = parse_quantity(digits)
        except AmountError as error:
            raise CountError(_COUNT_CODES.get(error.code, CountErrorCode.NOT_A_NUMBER)) from None
    if negative and value:
        raise CountError(CountErrorCode.NEGATIVE)
    return value
