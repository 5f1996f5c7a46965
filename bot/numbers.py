"""Whole numbers as people type them or buttons carry them: report numbers, ids, pages, years.

Python's own tests are too generous for this: ``"²".isdigit()`` is true but ``int("²")``
raises, and ``int("١٢")`` (Arabic-Indic) or ``int("１２")`` (full-width) quietly gives 12. A
forged button or a pasted superscript must neither crash a handler nor mean a number, so
only the ASCII digits 0-9 count. Money, dates and phone numbers have their own parsers
(``bot.money``, ``bot.dates``, ``bot.phone``), which are ASCII-only too.
"""

from __future__ import annotations

__all__ = ["MAX_DIGITS", "parse_number"]

MAX_DIGITS = 11
"""Longer than any id, page or year we hand out, and far below SQLite's 64-bit integers."""


def parse_number(text: str, *, max_digits: int = MAX_DIGITS) -> int | None:
    """``"12"`` (or ``" 12 "``, as typed) → 12; None for anything else: no sign, no inner
    space, no other script's digits, at most ``max_digits`` digits. Never raises."""
    digits = text.strip()
    if not 0 < len(digits) <= max_digits or not (digits.isascii() and digits.isdigit()):
        return None
    return int(digits)
