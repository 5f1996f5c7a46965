"""Typed words where a button exists: a button's label, "không" to skip, "có"/"không"."""

from __future__ import annotations

from datetime import date

import pytest

from bot.i18n import translator
from handlers import answers
from handlers.awards import REASONS
from handlers.contributions import DONOR_KINDS, GIVEN_AS_OPTIONS
from handlers.form_model import Invalid, Option
from handlers.members import GENDERS, JOINED_BEFORE_BIRTH
from handlers.titles import QUESTIONS

TITLES = QUESTIONS[0].options
VI = translator("vi")
TODAY = date(2025, 10, 20)

CHOSEN: list[tuple[str, tuple[Option, ...], str]] = [
    ("nữ", GENDERS, "female"),
    ("Nữ", GENDERS, "female"),
    ("nu", GENDERS, "female"),
    ("NỮ", GENDERS, "female"),
    ("nữ giới", GENDERS, "female"),
    ("phụ nữ", GENDERS, "female"),
    ("nam", GENDERS, "male"),
    ("Nam.", GENDERS, "male"),
    ("nam giới", GENDERS, "male"),
    ("female", GENDERS, "female"),  # the English label
    ("Male", GENDERS, "male"),
    ("tiền mặt", GIVEN_AS_OPTIONS, "cash"),
    ("tien mat", GIVEN_AS_OPTIONS, "cash"),
    ("💵 Tiền mặt", GIVEN_AS_OPTIONS, "cash"),
    ("hiện vật", GIVEN_AS_OPTIONS, "in_kind"),
    ("tiền", GIVEN_AS_OPTIONS, "cash"),  # the start of one name
    ("doanh nghiệp", DONOR_KINDS, "enterprise"),
    ("cá nhân", DONOR_KINDS, "individual"),
    ("gia đình", DONOR_KINDS, "family"),  # exact: not the start of another
    ("công dân học tập", TITLES, "citizen"),
    ("gia đình", TITLES, "family"),  # the start of one title's name
    ("dòng họ", TITLES, "clan"),
    ("học sinh giỏi", REASONS, "excellent_student"),
]

NOT_CHOSEN: list[tuple[str, tuple[Option, ...]]] = [
    ("ông", GENDERS),
    ("", GENDERS),
    ("n", GENDERS),
    ("nam nữ", GENDERS),
    ("ti", GIVEN_AS_OPTIONS),  # too short to be the start of a name
    ("cộng đồng học tập", TITLES),  # the start of two titles' names
    ("học tập", TITLES),
]


@pytest.mark.parametrize(("text", "options", "value"), CHOSEN)
def test_a_button_is_chosen_by_its_words(
    text: str, options: tuple[Option, ...], value: str
) -> None:
    chosen = answers.chosen_by_text(text, options)
    assert chosen is not None and chosen.value == value


@pytest.mark.parametrize(("text", "options"), NOT_CHOSEN)
def test_other_words_choose_nothing(text: str, options: tuple[Option, ...]) -> None:
    assert answers.chosen_by_text(text, options) is None


@pytest.mark.parametrize(
    "text",
    [
        "không",
        "Không",
        "khong",
        "không có",
        "Không có.",
        "ko",
        "k",
        "bỏ qua",
        "Bỏ qua",
        "bo qua",
        "chưa có",
        "skip",
        "⏭ Bỏ qua",
    ],
)
def test_skip_words(text: str) -> None:
    assert answers.is_skip(text)


@pytest.mark.parametrize("text", ["0912 345 678", "không biết", "có", "8A", "bỏ"])
def test_not_skip_words(text: str) -> None:
    assert not answers.is_skip(text)


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("có", True),
        ("Có!", True),
        ("co", True),
        ("đúng", True),
        ("đúng rồi", True),
        ("vâng", True),
        ("ok", True),
        ("yes", True),
        ("không", False),
        ("ko", False),
        ("sai", False),
        ("không phải", False),
        ("no", False),
        ("có lẽ", None),
        ("500k", None),
        ("", None),
    ],
)
def test_yes_or_no(text: str, meant: bool | None) -> None:
    assert answers.yes_or_no(text) is meant


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("trần thị hoa", "Trần Thị Hoa"),
        ("  NGUYỄN  VĂN A ", "Nguyễn Văn A"),
        ("Đỗ Mười", "Đỗ Mười"),
    ],
)
def test_a_person_s_name_is_capitalised(typed: str, stored: str) -> None:
    assert answers.name(typed, VI, TODAY) == stored


def test_amounts_in_words_and_their_refusals_are_explained() -> None:
    assert answers.amount("hai trăm nghìn", VI, TODAY) == 200_000
    with pytest.raises(Invalid) as caught:
        answers.amount("hai triệu năm trăm", VI, TODAY)
    assert "nhiều cách" in caught.value.message and "1.500.000" in caught.value.message


def test_a_date_in_words_is_an_answer() -> None:
    assert answers.day("ngày 15 tháng 10 năm 2025", VI, TODAY) == "2025-10-15"
    with pytest.raises(Invalid) as caught:
        answers.day("15 tháng 13 năm 2025", VI, TODAY)
    assert "chưa đọc được ngày" in caught.value.message


@pytest.mark.parametrize(
    ("amount", "doubted"), [(1, True), (500, True), (999, True), (1_000, False), (5_000_000, False)]
)
def test_a_small_amount_is_doubted(amount: int, doubted: bool) -> None:
    doubt = answers.small_amount("amount")
    assert doubt.stands({"amount": amount}) is doubted
    assert not doubt.stands({})
    if doubted:
        question = doubt.question({"amount": amount}, VI)
        assert VI.money(amount) in question and VI.money(amount * 1000) in question


@pytest.mark.parametrize(
    ("values", "doubted"),
    [
        ({"birth_year": 1960, "joined_on": "1959-12-31"}, True),
        ({"birth_year": 1960, "joined_on": "1960-01-01"}, False),
        ({"birth_year": 1960}, False),
        ({"joined_on": "1959-12-31"}, False),
    ],
)
def test_joined_before_birth_is_doubted(values: dict[str, object], doubted: bool) -> None:
    assert JOINED_BEFORE_BIRTH.stands(values) is doubted  # type: ignore[arg-type]
