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

Numbers may also be written in words, as receipts spell them (``năm triệu``, ``hai trăm
nghìn``, ``ba trăm năm mươi nghìn``, ``một triệu rưỡi``, ``hai tỷ``, ``mười lăm triệu``, ``một
nghìn không trăm mười lăm``): ``không``/``một``/``hai``/``ba``/``bốn``/``năm``/``sáu``/``bảy``/
``tám``/``chín``, ``mười``, ``mươi``, ``trăm``, ``linh``/``lẻ``, and after ``mươi`` ``mốt``,
``tư``, ``lăm``. A group in words before a unit is read literally (``một triệu năm nghìn`` =
1,005,000). After the last unit, a single digit word is the shorthand (``một triệu hai`` =
1,200,000 like ``1 triệu 2``, ``một nghìn mốt`` = 1,100), a group saying its zeros is literal
(``một triệu lẻ năm`` = 1,000,005, ``một nghìn không trăm mười lăm`` = 1,015), hundreds after
``nghìn`` are literal (both readings agree), and any other group is ``AMBIGUOUS`` (``hai
triệu năm trăm``: 2,000,500 as receipts spell it, or 2,500,000 as people say it; ``một nghìn
mười lăm``). ``hai trăm năm`` (205 or 250?) is ``AMBIGUOUS`` too. An amount in words under
1.000 đồng (``năm trăm``) is read literally; the form asks whether that is really meant.
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
    "parse_quantity",
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
    amount = _parse_magnitude(_digits_for_words(_strip_currency(folded)))
    if negative:  # only now: a refused magnitude explains itself better than "negative"
        raise AmountError(AmountErrorCode.ZERO if amount == 0 else AmountErrorCode.NEGATIVE)
    if amount == 0:
        raise AmountError(AmountErrorCode.ZERO)
    if amount > MAX_AMOUNT:
        raise AmountError(AmountErrorCode.TOO_LARGE)
    return amount


def parse_quantity(text: str) -> int:
    """A count with the same units, words and rules as an amount, without currency or sign
    (``1,86 triệu`` people, ``1 triệu 860 nghìn``); 0 is a count. Raises ``AmountError``
    (``EMPTY``, ``INVALID``, ``AMBIGUOUS``, ``TOO_LARGE``)."""
    folded = fold(text)
    if not folded:
        raise AmountError(AmountErrorCode.EMPTY)
    quantity = _parse_magnitude(_digits_for_words(folded))
    if quantity > MAX_AMOUNT:
        raise AmountError(AmountErrorCode.TOO_LARGE)
    return quantity


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


# ---------------------------------------------------------------- numbers in words

_DIGIT_WORDS = {
    "khong": 0,
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "bon": 4,
    "nam": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
}
_AFTER_TENS = {**_DIGIT_WORDS, "tu": 4, "lam": 5}
"""The last digit after ``mươi``/``mười``: ``hai mươi mốt``, ``năm mươi tư``, ``mười lăm``."""
del _AFTER_TENS["khong"]
_TEN, _HUNDRED, _ZERO_TENS = "muoi", "tram", ("linh", "le")
_UNIT_WORD_LIST = ("nghin", "ngan", "k", "trieu", "tr", "ty", "ti")
_LOWER_UNITS = {
    10**6: "000 nghin",
    10**9: "000 trieu 000 nghin",
    10**12: "000 ty 000 trieu 000 nghin",
}
"""The empty groups a literal tail after a large unit skips (``một triệu lẻ năm``)."""


@dataclass(frozen=True, slots=True)
class _Group:
    """A number under 1,000 in words; `formal` if it says its zeros (``lẻ năm``,
    ``không trăm mười``), as only a literal reading does."""

    value: int
    formal: bool
    end: int


def _digits_for_words(folded: str) -> str:
    """The input with each number in words replaced by digits the rules above read the same
    way (``ba trăm năm mươi nghìn`` → ``350 nghin``), or ``AmountError``."""
    words = folded.split(" ")
    if not any(word in _DIGIT_WORDS or word in (_TEN, *_ZERO_TENS) for word in words):
        return folded
    out: list[str] = []
    last_unit = 0
    index = 0
    while index < len(words):
        word = words[index]
        if word in _UNIT_WORD_LIST:
            unit = _UNIT_WORDS[word]
            if unit == 10**9 and out and out[-1] in ("nghin", "ngan"):
                unit = 10**12
            last_unit = unit
            out.append(word)
            index += 1
            continue
        if not (word in _DIGIT_WORDS or word in (_TEN, *_ZERO_TENS)):
            out.append(word)
            index += 1
            continue
        group = _read_group(words, index)
        index = group.end
        following = words[index] if index < len(words) else None
        out.append(_group_digits(group, last_unit, before_unit=following in _UNIT_WORD_LIST))
    return " ".join(out)


def _group_digits(group: _Group, last_unit: int, *, before_unit: bool) -> str:
    """How a group in words is written in digits where it stands (see the module)."""
    if not last_unit:
        return str(group.value)  # the first term, or a number on its own
    if before_unit:
        return f"{group.value:03d}"  # literal: a count of the unit that follows
    if group.formal:
        return f"{_LOWER_UNITS.get(last_unit, '')} {group.value:03d}".strip()
    if group.value < 10:
        return str(group.value)  # một triệu hai, một nghìn mốt: the shorthand, like "1 triệu 2"
    if last_unit == _THOUSAND and group.value >= 100:
        return str(group.value)  # một nghìn năm trăm: both readings agree
    raise AmountError(AmountErrorCode.AMBIGUOUS)  # hai triệu năm trăm: 2,000,500 or 2,500,000?


def _read_group(words: list[str], index: int) -> _Group:
    """``ba trăm năm mươi``, ``mười lăm``, ``lẻ năm``, ``bảy`` from `index` on."""

    def at(position: int) -> str | None:
        return words[position] if position < len(words) else None

    hundreds: int | None = None
    if at(index) in _DIGIT_WORDS and at(index + 1) == _HUNDRED:
        hundreds = _DIGIT_WORDS[words[index]]
        index += 2
    formal = hundreds == 0
    word = at(index)
    rest = 0
    if word in _ZERO_TENS:
        digit = at(index + 1)
        if digit not in _DIGIT_WORDS or digit == "khong":
            raise AmountError(AmountErrorCode.INVALID)
        rest, formal, index = _DIGIT_WORDS[digit], True, index + 2
    elif word == _TEN or (word in _DIGIT_WORDS and at(index + 1) == _TEN):
        tens = 1 if word == _TEN else _DIGIT_WORDS[word]
        if tens < 1:
            raise AmountError(AmountErrorCode.INVALID)
        index += 1 if word == _TEN else 2
        last = at(index)
        units = 0
        if last in _AFTER_TENS and at(index + 1) not in (_HUNDRED, _TEN):
            units = _AFTER_TENS[last]
            index += 1
        rest = tens * 10 + units
    elif word in _DIGIT_WORDS and at(index + 1) != _HUNDRED:
        if hundreds is not None:
            raise AmountError(AmountErrorCode.AMBIGUOUS)  # hai trăm năm: 205 or 250?
        rest, index = _DIGIT_WORDS[word], index + 1
    elif hundreds is None:
        raise AmountError(AmountErrorCode.INVALID)  # "trăm" or "tư" with nothing before
    return _Group((hundreds or 0) * 100 + rest, formal, index)


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
