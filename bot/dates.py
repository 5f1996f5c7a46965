"""Dates and birth years as volunteers type them, read day-first as Vietnamese write them.

Accepted dates: ``hôm nay``/``nay``, ``hôm qua``, ``hôm kia`` (two days ago), with or without
diacritics and an optional leading ``ngày``; ``d/m/yyyy`` with ``/``, ``-`` or ``.`` (the same
one twice); ``d/m/yy`` as 20yy; ``d/m`` in ``today``'s year; ISO ``yyyy-mm-dd`` (also with
``/`` or ``.``); in words, ``15 tháng 10 năm 2025``, ``15 tháng 10 2025`` or ``15 tháng 10``
(this year), with or without ``ngày`` and diacritics (the year in four digits: ``năm 25``
is refused). Nothing is guessed: ``d/m`` later than ``today`` is ``FUTURE``, not last year,
and a two-digit year is never read as 19yy (a future 20yy is ``FUTURE``).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from enum import StrEnum

from bot.text import fold

__all__ = [
    "DATE_EXAMPLES",
    "EARLIEST_DATE",
    "MIN_BIRTH_YEAR",
    "DateError",
    "DateErrorCode",
    "parse_birth_year",
    "parse_date",
]

DATE_EXAMPLES = ("hôm nay", "15/10/2025")
"""Inputs the parser accepts, shown by the handler next to an error."""

EARLIEST_DATE = date(1945, 1, 1)
"""Nothing the association records predates this; earlier input is a typo."""

MIN_BIRTH_YEAR = 1900


class DateErrorCode(StrEnum):
    """Why a date or year was refused; handlers map each code to a translated message."""

    EMPTY = "empty"
    INVALID = "invalid"
    FUTURE = "future"
    TOO_OLD = "too_old"
    OUT_OF_RANGE = "out_of_range"
    """A birth year outside ``MIN_BIRTH_YEAR``..today's year."""


class DateError(ValueError):
    """A refused date or year; ``code`` says why, the text is for logs only."""

    def __init__(self, code: DateErrorCode) -> None:
        super().__init__(code.value)
        self.code = code


_DAYS_AGO = {"hom nay": 0, "nay": 0, "hom qua": 1, "hom kia": 2, "today": 0, "yesterday": 1}
_DAY_FIRST_RE = re.compile(r"([0-9]{1,2})([/.-])([0-9]{1,2})(?:\2([0-9]{4}|[0-9]{2}))?", re.ASCII)
_YEAR_FIRST_RE = re.compile(r"([0-9]{4})([/.-])([0-9]{1,2})\2([0-9]{1,2})", re.ASCII)
_IN_WORDS_RE = re.compile(r"([0-9]{1,2}) thang ([0-9]{1,2})(?:,? (?:nam )?([0-9]{4}))?", re.ASCII)
_AROUND_SEPARATOR_RE = re.compile(r"\s*([/.-])\s*")
_BIRTH_YEAR_RE = re.compile(r"(?:nam\s*)?([0-9]{1,8})", re.ASCII)


def parse_date(text: str, *, today: date, allow_future: bool = False) -> date:
    """Read a typed date, refusing ones before ``EARLIEST_DATE`` and, unless it is a plan
    (a campaign's dates), future ones."""
    folded = fold(text)
    if not folded:
        raise DateError(DateErrorCode.EMPTY)
    folded = _AROUND_SEPARATOR_RE.sub(r"\1", folded.removeprefix("ngay ").strip())
    if folded in _DAYS_AGO:
        return today - timedelta(days=_DAYS_AGO[folded])
    value = _numeric_date(folded, today)
    if value > today and not allow_future:
        raise DateError(DateErrorCode.FUTURE)
    if value < EARLIEST_DATE:
        raise DateError(DateErrorCode.TOO_OLD)
    return value


def _numeric_date(folded: str, today: date) -> date:
    if match := _YEAR_FIRST_RE.fullmatch(folded):
        year, month, day = int(match[1]), int(match[3]), int(match[4])
    elif match := _IN_WORDS_RE.fullmatch(folded):
        day, month = int(match[1]), int(match[2])
        year = today.year if match[3] is None else int(match[3])
    elif match := _DAY_FIRST_RE.fullmatch(folded):
        day, month = int(match[1]), int(match[3])
        if match[4] is None:
            year = today.year
        elif len(match[4]) == 2:
            year = 2000 + int(match[4])
        else:
            year = int(match[4])
    else:
        raise DateError(DateErrorCode.INVALID)
    try:
        return date(year, month, day)
    except ValueError:
        raise DateError(DateErrorCode.INVALID) from None


def parse_birth_year(text: str, *, today: date) -> int:
    """Read a birth year (``1958``, ``năm 1958``) between ``MIN_BIRTH_YEAR`` and this year."""
    folded = fold(text)
    if not folded:
        raise DateError(DateErrorCode.EMPTY)
    match = _BIRTH_YEAR_RE.fullmatch(folded)
    if match is None:
        raise DateError(DateErrorCode.INVALID)
    year = int(match[1])
    if not MIN_BIRTH_YEAR <= year <= today.year:
        raise DateError(DateErrorCode.OUT_OF_RANGE)
    return year
