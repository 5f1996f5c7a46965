"""Names capitalised as Vietnamese write them, Vietnamese dictionary order, short labels."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.text import fold, person_name, shorten, vi_sort_key

NAMES: list[tuple[str, str]] = [
    ("trần thị hoa", "Trần Thị Hoa"),
    ("TRẦN THỊ HOA", "Trần Thị Hoa"),
    ("  trần   thị  hoa ", "Trần Thị Hoa"),
    ("đỗ văn đức", "Đỗ Văn Đức"),
    ("ĐỖ VĂN ĐỨC", "Đỗ Văn Đức"),
    ("ưng thị ước", "Ưng Thị Ước"),
    ("nguyễn văn a", "Nguyễn Văn A"),
    ("Nguyễn Văn A", "Nguyễn Văn A"),  # already capitalised: unchanged
    ("Nguyễn Thị Minh Khai", "Nguyễn Thị Minh Khai"),
    ("nguyen van an", "Nguyen Van An"),
    ("lê thị ánh", "Lê Thị Ánh"),
    ("ka-sô liễng", "Ka-Sô Liễng"),
    ("h'hen niê", "H'Hen Niê"),
    ("y moan", "Y Moan"),
    ("McLean", "McLean"),  # capitals inside a word are the writer's
    ("trần thi\u0323 hoa", "Trần Thị Hoa"),  # decomposed marks, composed again
]


@pytest.mark.parametrize(("typed", "stored"), NAMES)
def test_person_name(typed: str, stored: str) -> None:
    assert person_name(typed) == stored


@given(st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặễệ ÀĐÊƯ-'", max_size=40))
def test_person_name_keeps_the_letters_and_is_stable(text: str) -> None:
    name = person_name(text)
    assert fold(name) == fold(text)
    assert person_name(name) == name


ORDERED: list[list[str]] = [
    ["Dương", "Đông"],  # D before Đ
    ["Dũng", "Đạt"],
    ["a", "ă", "â", "b"],
    ["An", "Ăn", "Ân"],
    ["e", "ê", "g"],
    ["o", "ô", "ơ", "p"],
    ["u", "ư", "v"],
    ["a", "à", "ả", "ã", "á", "ạ"],  # tones after the base letters
    ["ma", "mà", "mả", "mã", "má", "mạ", "mai"],  # the letters first, then the tones
    ["An Bình", "Anh"],  # a space before any letter
    ["Thôn 2", "Thôn 10", "Thôn Đông"],  # numbers as numbers
    ["an", "An"],  # small before capital when nothing else differs
    ["Chi hội Thôn Đông", "Chi hội Thôn Tây"],
    ["Đông Hưng", "Yên"],
]


@pytest.mark.parametrize("expected", ORDERED)
def test_vietnamese_order(expected: list[str]) -> None:
    shuffled = expected[:]
    random.Random(len(expected)).shuffle(shuffled)
    assert sorted(shuffled, key=vi_sort_key) == expected
    assert sorted(reversed(expected), key=vi_sort_key) == expected


def test_capitals_sort_with_small_letters() -> None:
    names = ["đào", "Dung", "Bình", "an", "Ánh", "Đức", "dân"]
    assert sorted(names, key=vi_sort_key) == ["an", "Ánh", "Bình", "dân", "Dung", "đào", "Đức"]


@given(st.lists(st.text(max_size=12), max_size=8))
def test_order_is_total_and_never_raises(names: list[str]) -> None:
    once = sorted(names, key=vi_sort_key)
    assert sorted(once, key=vi_sort_key) == once


SHORTENED: list[tuple[str, int, str]] = [
    ("Nguyễn Thị Hoa", 40, "Nguyễn Thị Hoa"),
    ("Nguyễn Thị Hoa Hồng Nhung", 20, "Nguyễn Thị Hoa Hồng…"),
    ("Nguyễn Thị Hoa Hồng Nhung", 19, "Nguyễn Thị Hoa…"),
    ("Hội viên mới — Nguyễn Thị Hoa", 16, "Hội viên mới…"),  # no dangling dash
    ("abcdefghijklmnopqrstuvwxyz", 10, "abcdefghi…"),  # one long word: nothing else fits
    ("ab  cd   ef", 8, "ab cd ef"),
    ("", 5, ""),
]


@pytest.mark.parametrize(("text", "limit", "expected"), SHORTENED)
def test_shorten(text: str, limit: int, expected: str) -> None:
    assert shorten(text, limit) == expected


@given(st.text(alphabet="ab cđ", max_size=60), st.integers(min_value=2, max_value=30))
def test_shorten_fits_and_never_cuts_a_word(text: str, limit: int) -> None:
    short = shorten(text, limit)
    assert len(short) <= limit
    words = " ".join(text.split()).split(" ")
    if short.endswith("…") and " " in short:
        kept = short[:-1].split(" ")
        assert kept == words[: len(kept)]
