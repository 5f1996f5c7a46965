"""Folding Vietnamese text so "dong hung" finds "Đông Hưng"."""

from __future__ import annotations

import functools
import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d too) and collapse white space."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip().casefold()


def clean_name(text: str) -> str:
    """A person's or unit's name as typed, tidied: NFC, single spaces, no control characters."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    return _SPACES.sub(" ", text).strip()


# ---------------------------------------------------------------- people's names


def person_name(text: str) -> str:
    """A person's name as Vietnamese write it, each word capitalised: "trần thị hoa" → "Trần
    Thị Hoa", "NGUYỄN VĂN AN" → "Nguyễn Văn An", "đỗ" → "Đỗ". A word already written with
    capitals inside ("McLean") keeps them; so does "Nguyễn Văn A"."""
    return " ".join(_capitalised(word) for word in clean_name(text).split(" "))


_NAME_JOINERS = re.compile(r"([-'’])")


def _capitalised(word: str) -> str:
    """One word, and each part of a joined one ("Ka-Sô", "H'Hen")."""
    return "".join(_capitalised_part(part) for part in _NAME_JOINERS.split(word))


def _capitalised_part(part: str) -> str:
    if not part:
        return part
    rest = part[1:]
    if rest.islower() or rest.isupper() or not rest:
        rest = rest.lower()  # all one case: typed without care, or in capitals
    return part[0].upper() + rest


# ---------------------------------------------------------------- Vietnamese order

# The alphabet, then the letters Vietnamese uses only in borrowed words where Latin puts them.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {letter: rank for rank, letter in enumerate(_ALPHABET)}
# Letters are base letter + shape mark (breve, circumflex, horn); tones are separate marks.
_SHAPED = {
    ("a", "\u0306"): "ă",
    ("a", "\u0302"): "â",
    ("e", "\u0302"): "ê",
    ("o", "\u0302"): "ô",
    ("o", "\u031b"): "ơ",
    ("u", "\u031b"): "ư",
}
# Dictionary order of the tones: none, huyền, hỏi, ngã, sắc, nặng (CLDR's Vietnamese order).
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_DIGITS = re.compile(r"([0-9]+)", re.ASCII)

SortKey = tuple[tuple[tuple[int, int], ...], tuple[int, ...], tuple[int, ...], str]


@functools.lru_cache(maxsize=1 << 16)
def vi_sort_key(text: str) -> SortKey:
    """A key that sorts Vietnamese names as a Vietnamese dictionary does: by letters first
    (a < ă < â < b … d < đ …, capitals alongside small letters), then by tones (a < à < ả < ã
    < á < ạ), then small before capital. Digits count as numbers ("Thôn 2" before "Thôn 10");
    a space comes before any letter ("An Bình" before "Anh"); punctuation is left out."""
    primary: list[tuple[int, int]] = []
    tones: list[int] = []
    cases: list[int] = []
    text = unicodedata.normalize("NFC", text)
    for index, part in enumerate(_DIGITS.split(text)):
        if index % 2:  # the split keeps the runs of digits at the odd places
            primary.append((1, int(part[:18])))
            continue
        for char in part:
            found = _char_key(char)
            if found is None:
                continue
            rank, tone, case = found
            if rank == _SPACE:
                if primary and primary[-1] != _SPACE:
                    primary.append(_SPACE)
                continue
            primary.append(rank)
            tones.append(tone)
            cases.append(case)
    return tuple(primary), tuple(tones), tuple(cases), text


_SPACE = (0, 0)


@functools.lru_cache(maxsize=4096)
def _char_key(char: str) -> tuple[tuple[int, int], int, int] | None:
    """One character's (rank, tone, case); None for punctuation, which does not order."""
    if char.isspace():
        return _SPACE, 0, 0
    letter, tone = _letter_and_tone(char)
    case = 1 if char.isupper() else 0
    if letter in _RANK:
        return (2, _RANK[letter]), tone, case
    if letter.isalpha():
        return (3, ord(letter)), tone, case
    return None


def _letter_and_tone(char: str) -> tuple[str, int]:
    """ "Ẫ" → ("â", 3): the letter of the alphabet, in small, and its tone."""
    lower = char.lower()
    if lower == "đ":
        return "đ", 0
    decomposed = unicodedata.normalize("NFD", lower)
    base, marks = decomposed[0], decomposed[1:]
    tone = 0
    for mark in marks:
        if mark in _TONES:
            tone = _TONES[mark]
        elif (base, mark) in _SHAPED:
            base = _SHAPED[(base, mark)]
    return base, tone


# ---------------------------------------------------------------- short labels


def shorten(text: str, limit: int) -> str:
    """`text` in at most `limit` characters: whole, or cut after a word and ended with "…"
    (a single word longer than the limit is cut inside it, as nothing else fits)."""
    text = _SPACES.sub(" ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > 0 and text[limit - 1] != " ":
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—(") + "…"
