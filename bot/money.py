"""Money amounts as volunteers type them (``1.500.000``, ``1tr5``, ``2 tỷ 500 triệu``) → đồng.

Parsing is deliberately strict: a treasurer retyping an amount costs seconds, a silently
misread one costs an audit. Whenever two common readings of the input give different sums,
the input is refused with ``AMBIGUOUS`` rather than guessed.

Rules, applied after folding case and diacritics (``triệu`` = ``trieu``, ``đ`` = ``d``):

* An optional currency word is dropped: a trailing ``đ``/``d``/``đồng``/``dong``/``₫``/``vnd``/
  ``vnđ``, or a leading ``₫``/``vnd``/``vnđ`` (babel's English format is ``₫1,500,000``).
* Units: ``nghìn``/``ngàn``/``k`` = 10³, ``triệu``/``tr`` = 10⁶, ``tỷ``/``tỉ`` = 10⁹,
  ``nghìn tỷ`` = 10¹²; ``rưỡi`` ending the input adds half the last unit
  (``1 triệu rưỡi`` = 1,500,000, ``15 triệu rưỡi`` = 15,500,000). After a number of three or
  more digits it is ``AMBIGUOUS`` (``500 nghìn rưỡi``: "trăm rưỡi" is 550 nghìn to many).
* Separators: ``.`` and ``,`` mean the same thing. One or more groups of exactly three digits
  after a 1–3 digit head are thousands (``1.500.000``, ``1,500,000``; ``1.500`` alone is
  1,500 đồng). A single separator followed by 1–2 digits is a decimal, allowed only before a
  unit (``1,5 triệu``, ``2.25 tỷ``). Refused as ``AMBIGUOUS``: any other grouping
  (``1.50.000``, ``1.2345 triệu``), mixed separators (``1.500,000``), a decimal with no unit
  (``1,5``: fractional đồng), and one separator + three digits before a unit (``1.500 triệu``
  could mean 1.5 or 1,500 triệu).
* Several ``number unit`` terms must use strictly decreasing units (``2 tỷ 500 triệu``); the
  terms after the first take a plain 2–3 digit number. A one-digit later term (``1tr5k``,
  ``1 triệu 5 nghìn``) is ``AMBIGUOUS``: the shorthand reading of ``1tr5`` is 1,500,000, the
  literal one 1,005,000.
* A bare number after the last unit counts in the next lower unit (after tỷ → triệu, triệu →
  nghìn, nghìn → đồng): three digits literally (``2 triệu 500`` = 2,500,000), one digit as
  hundreds (``1tr5`` = 1,500,000, ``5k5`` = 5,500). Two digits (``1tr25``: 1,250,000 or
  1,025,000?) are ``AMBIGUOUS``.
* A number of more than one digit starting with ``0`` leads nowhere good (a phone number
  pasted into the amount field) and is ``INVALID``, except in later terms and tails
  (``1 triệu 050`` = 1,050,000) and the lone ``0`` of ``0,5 triệu``.
* ``INVALID`` is anything not shaped like an amount: unknown words, a unit with no number,
  two numbers or two units in a row (``5 triệu nghìn``), units not decreasing
  (``5 triệu 5 triệu``), a decimal followed by more terms.
* A leading ``-`` makes an otherwise valid amount ``NEGATIVE``; a zero sum is ``ZERO``; more
  than ``MAX_AMOUNT`` (10¹³ đồng) is ``TOO_LARGE``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum, StrEnum

from num2words import num2words

from bot.text import fold

__all__ = [
    "AMOUNT_EXAMPLES",
    "MAX_AMOUNT",
    "AmountError",
    "AmountErrorCode",
    "amount_in_words",
    "parse_amount",
]

MAX_AMOUNT = 10**13
"""Ten thousand billion đồng: far beyond any association budget, so larger input is a typo."""

AMOUNT_EXAMPLES = ("1.500.000", "5 triệu")
"""Two inputs the parser accepts, shown by the handler next to an error."""


class AmountErrorCode(StrEnum):
    """Why an amount was refused; handlers map each code to a translated message."""

    EMPTY = "empty"
    ZERO = "zero"
    NEGATIVE = "negative"
    TOO_LARGE = "too_large"
    AMBIGUOUS = "ambiguous"
    """Looks like an amount but has two plausible readings, or is a fraction of a đồng."""
    INVALID = "invalid"
    """Not shaped like an amount at all."""


class AmountError(ValueError):
    """A refused amount; ``code`` says why, the text is for logs only."""

    def __init__(self, code: AmountErrorCode) -> None:
        super().__init__(code.value)
        self.code = code


class _Kind(Enum):
    NUMBER = "number"
    UNIT = "unit"
    HALF = "half"


@dataclass(frozen=True, slots=True)
class _Token:
    kind: _Kind
    text: str = ""
    unit: int = 0


_THOUSAND = 10**3
_UNIT_WORDS: dict[str, int] = {
    "nghin": 10**3,
    "ngan": 10**3,
    "k": 10**3,
    "trieu": 10**6,
    "tr": 10**6,
    "ty": 10**9,
    "ti": 10**9,
}
_HALF_WORD = "ruoi"
_TOKEN_RE = re.compile(
    r"\s*(?:(?P<number>[0-9]+(?:[.,][0-9]+)*)|(?P<word>trieu|tr|ty|ti|nghin|ngan|k|ruoi))"
)
_CURRENCY_SUFFIX_RE = re.compile(r"\s*(?:dong|vnd|d|₫)$")
_CURRENCY_PREFIX_RE = re.compile(r"^(?:vnd|₫)\s*")
_MINUS_SIGNS = ("-", "\N{MINUS SIGN}")
_MAX_DIGITS = 30
"""Longer digit strings are refused before ``int()``, which caps strings at 4300 digits."""


def parse_amount(text: str) -> int:
    """Read a typed money amount as whole đồng, or raise ``AmountError`` (rules above)."""
    folded = fold(text)
    if not folded:
        raise AmountError(AmountErrorCode.EMPTY)
    negative = folded.startswith(_MINUS_SIGNS)
    if negative:
        folded = folded[1:].lstrip()
    amount = _parse_magnitude(_strip_currency(folded))
    if negative:  # only now: a refused magnitude explains itself better than "negative"
        raise AmountError(AmountErrorCode.ZERO if amount == 0 else AmountErrorCode.NEGATIVE)
    if amount == 0:
        raise AmountError(AmountErrorCode.ZERO)
    if amount > MAX_AMOUNT:
        raise AmountError(AmountErrorCode.TOO_LARGE)
    return amount


def _strip_currency(folded: str) -> str:
    without_suffix = _CURRENCY_SUFFIX_RE.sub("", folded, count=1)
    if without_suffix != folded:
        return without_suffix.strip()
    return _CURRENCY_PREFIX_RE.sub("", folded, count=1)


def _tokenize(folded: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(folded):
        match = _TOKEN_RE.match(folded, position)
        if match is None:
            raise AmountError(AmountErrorCode.INVALID)
        position = match.end()
        number, word = match.group("number"), match.group("word")
        if number is not None:
            tokens.append(_Token(_Kind.NUMBER, text=number))
        elif word == _HALF_WORD:
            tokens.append(_Token(_Kind.HALF))
        elif word in {"ty", "ti"} and tokens and tokens[-1].text in {"nghin", "ngan"}:
            tokens[-1] = _Token(_Kind.UNIT, text="nghin ty", unit=10**12)  # one unit
        else:
            tokens.append(_Token(_Kind.UNIT, text=word, unit=_UNIT_WORDS[word]))
    return tokens


def _parse_magnitude(folded: str) -> int:
    tokens = _tokenize(folded)
    if not tokens:
        raise AmountError(AmountErrorCode.INVALID)
    if all(token.kind is _Kind.NUMBER for token in tokens):
        if len(tokens) > 1:
            raise AmountError(AmountErrorCode.INVALID)
        return _plain_number(tokens[0].text)

    total = 0
    last_unit = 0  # 0 until the first unit has been read
    index = 0
    while index < len(tokens):
        token = tokens[index]
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if token.kind is _Kind.HALF:
            if not last_unit or following is not None:
                raise AmountError(AmountErrorCode.INVALID)
            if len(tokens[index - 2].text) > 2:  # 500 nghìn rưỡi: 500,500 or 550,000?
                raise AmountError(AmountErrorCode.AMBIGUOUS)
            total += last_unit // 2
            index += 1
        elif token.kind is _Kind.UNIT:
            raise AmountError(AmountErrorCode.INVALID)  # a unit with no number before it
        elif following is None:
            total += _tail(token.text, last_unit)
            index += 1
        elif following.kind is _Kind.UNIT:
            if not last_unit:
                more = index + 2 < len(tokens)
                total += _leading_term(token.text, following.unit, more_follows=more)
            elif following.unit >= last_unit:
                raise AmountError(AmountErrorCode.INVALID)
            else:
                total += _later_term(token.text, following.unit)
            last_unit = following.unit
            index += 2
        else:
            raise AmountError(AmountErrorCode.INVALID)  # two numbers, or "rưỡi" after a number
    return total


def _digits_to_int(digits: str) -> int:
    if len(digits) > _MAX_DIGITS:
        raise AmountError(AmountErrorCode.TOO_LARGE)
    return int(digits)


def _check_no_leading_zero(digits: str) -> None:
    if len(digits) > 1 and digits.startswith("0"):
        raise AmountError(AmountErrorCode.INVALID)


def _grouped_thousands(groups: list[str]) -> int:
    """``["1", "500", "000"]`` → 1500000, refusing any other grouping as ambiguous."""
    head, rest = groups[0], groups[1:]
    if not 1 <= len(head) <= 3 or any(len(group) != 3 for group in rest):
        raise AmountError(AmountErrorCode.AMBIGUOUS)
    if head.startswith("0"):
        raise AmountError(AmountErrorCode.INVALID)
    return _digits_to_int("".join(groups))


def _split_separators(text: str) -> list[str]:
    if "." in text and "," in text:
        raise AmountError(AmountErrorCode.AMBIGUOUS)
    return re.split(r"[.,]", text)


def _plain_number(text: str) -> int:
    """A number standing alone, in đồng: decimals would be fractions of a đồng."""
    groups = _split_separators(text)
    if len(groups) == 1:
        _check_no_leading_zero(text)
        return _digits_to_int(text)
    return _grouped_thousands(groups)


def _leading_term(text: str, unit: int, *, more_follows: bool) -> int:
    """The first ``number unit`` pair; the only place a decimal (``1,5 triệu``) is allowed."""
    groups = _split_separators(text)
    if len(groups) == 1:
        _check_no_leading_zero(text)
        return _digits_to_int(text) * unit
    if len(groups) == 2 and len(groups[1]) == 3:
        raise AmountError(AmountErrorCode.AMBIGUOUS)  # 1.500 triệu: 1.5 or 1,500 triệu?
    if len(groups) == 2 and len(groups[1]) <= 2:
        whole, fraction = groups
        if more_follows:
            raise AmountError(AmountErrorCode.INVALID)
        _check_no_leading_zero(whole)
        scale: int = 10 ** len(fraction)
        return _digits_to_int(whole) * unit + _digits_to_int(fraction) * unit // scale
    return _grouped_thousands(groups) * unit


def _later_term(text: str, unit: int) -> int:
    """A ``number unit`` pair after a larger unit: a plain 2–3 digit count of that unit."""
    if not text.isdigit() or len(text) > 3:
        raise AmountError(AmountErrorCode.INVALID)
    if len(text) == 1:
        raise AmountError(AmountErrorCode.AMBIGUOUS)  # 1tr5k: 1,005,000 or 1,500,000?
    return int(text) * unit


def _tail(text: str, last_unit: int) -> int:
    """A bare number after the last unit, in the next lower unit (``2 triệu 500``, ``1tr5``)."""
    lower = last_unit // _THOUSAND
    if not text.isdigit() or len(text) > 3:
        raise AmountError(AmountErrorCode.INVALID)
    if len(text) == 2:
        raise AmountError(AmountErrorCode.AMBIGUOUS)  # 1tr25: 1,250,000 or 1,025,000?
    if len(text) == 1:
        return int(text) * 100 * lower
    return int(text) * lower


_CURRENCY_WORDS = {"vi": "đồng", "en": "dong"}


def amount_in_words(amount: int, locale: str = "vi") -> str:
    """Spell an amount for receipts, where words guard against a mistyped digit.

    ``locale`` is ``"vi"`` or ``"en"`` (a region suffix such as ``vi_VN`` is ignored).
    Amounts outside 0..``MAX_AMOUNT`` raise ``AmountError``: num2words' Vietnamese is wrong
    from 10¹⁵ up ("một trăm nghìn tỷ" for 10¹⁵) and it converts through ``float``.
    """
    language = locale.replace("-", "_").split("_", 1)[0].lower()
    if language not in _CURRENCY_WORDS:
        raise ValueError(f"unsupported locale for amount_in_words: {locale!r}")
    if amount < 0:
        raise AmountError(AmountErrorCode.NEGATIVE)
    if amount > MAX_AMOUNT:
        raise AmountError(AmountErrorCode.TOO_LARGE)
    words = _vietnamese_words(amount) if language == "vi" else str(num2words(amount, lang="en"))
    return f"{words} {_CURRENCY_WORDS[language]}"


def _vietnamese_words(amount: int) -> str:
    """num2words' Vietnamese, with its one wrong case fixed.

    num2words puts "lẻ" before any remainder under 100 (1015 → "một nghìn lẻ mười lăm"), but
    "lẻ" only stands before a single digit; with a tens digit Vietnamese says "không trăm"
    (1015 → "một nghìn không trăm mười lăm", as on bank slips). "lẻ" before a single digit
    (1005 → "một nghìn lẻ năm") is correct colloquial usage and is kept.
    """
    last_group = amount % 1000
    if amount >= 1000 and 10 <= last_group <= 99:
        head = str(num2words(amount - last_group, lang="vi"))
        return f"{head} không trăm {num2words(last_group, lang='vi')}"
    return str(num2words(amount, lang="vi"))
