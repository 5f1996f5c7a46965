"""Money parsing and spelling: the tables double as the spec of what volunteers may type."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.money import (
    AMOUNT_EXAMPLES,
    MAX_AMOUNT,
    AmountError,
    AmountErrorCode,
    amount_in_words,
    parse_amount,
)

ACCEPTED: list[tuple[str, int]] = [
    # plain and grouped numbers
    ("1500000", 1_500_000),
    ("1.500.000", 1_500_000),
    ("1,500,000", 1_500_000),
    ("  1.500.000  ", 1_500_000),
    ("1.500", 1_500),
    ("1,500", 1_500),
    ("500", 500),
    ("1", 1),
    ("999", 999),
    ("12.345.678.901", 12_345_678_901),
    ("10.000.000.000.000", MAX_AMOUNT),
    # currency words
    ("1.500.000đ", 1_500_000),
    ("1.500.000 đ", 1_500_000),
    ("1.500.000 ₫", 1_500_000),
    ("1.500.000₫", 1_500_000),
    ("1.500.000\u00a0₫", 1_500_000),  # what babel prints for vi
    ("₫1,500,000", 1_500_000),  # what babel prints for en
    ("1.500.000 VND", 1_500_000),
    ("1.500.000 vnd", 1_500_000),
    ("1.500.000 vnđ", 1_500_000),
    ("1.500.000 VNĐ", 1_500_000),
    ("VND 1.500.000", 1_500_000),
    ("1.500.000 đồng", 1_500_000),
    ("1.500.000 dong", 1_500_000),
    ("1.500.000d", 1_500_000),
    ("1.500.000 Đồng", 1_500_000),
    # thousands
    ("500k", 500_000),
    ("500K", 500_000),
    ("500 k", 500_000),
    ("500 nghìn", 500_000),
    ("500 ngàn", 500_000),
    ("500 nghin", 500_000),
    ("500 ngan", 500_000),
    ("500nghìn", 500_000),
    ("500 NGHÌN", 500_000),
    ("500 nghìn đồng", 500_000),
    ("500kđ", 500_000),
    ("1,5k", 1_500),
    ("5k5", 5_500),
    ("5 nghìn 500", 5_500),
    ("1 nghìn rưỡi", 1_500),
    ("15 triệu rưỡi", 15_500_000),
    ("2 tỷ 50 triệu rưỡi", 2_050_500_000),
    ("1500 nghìn", 1_500_000),
    # millions
    ("5 triệu", 5_000_000),
    ("5 trieu", 5_000_000),
    ("5 TRIỆU", 5_000_000),
    ("5triệu", 5_000_000),
    ("5tr", 5_000_000),
    ("5 tr", 5_000_000),
    ("5TR", 5_000_000),
    ("5 triệu đồng", 5_000_000),
    ("5tr đ", 5_000_000),
    ("1tr5", 1_500_000),
    ("1tr500", 1_500_000),
    ("1 tr 5", 1_500_000),
    ("1 triệu 2", 1_200_000),
    ("1tr050", 1_050_000),
    ("1,5 triệu", 1_500_000),
    ("1.5 triệu", 1_500_000),
    ("1,25 triệu", 1_250_000),
    ("0,5 triệu", 500_000),
    ("1,05tr", 1_050_000),
    ("2 triệu 500", 2_500_000),
    ("2 triệu 500 nghìn", 2_500_000),
    ("2 triệu 50 nghìn", 2_050_000),
    ("2tr500k", 2_500_000),
    ("1 triệu rưỡi", 1_500_000),
    ("1 triệu ruoi", 1_500_000),
    ("1 triệu rưởi", 1_500_000),  # common hỏi/ngã slip
    ("1triệurưỡi", 1_500_000),
    ("1tr rưỡi đồng", 1_500_000),
    ("1.500.000 nghìn", 1_500_000_000),
    ("2 triệu 500 nghìn 500", 2_500_500),
    # billions
    ("2 tỷ", 2_000_000_000),
    ("2 tỉ", 2_000_000_000),
    ("2 ty", 2_000_000_000),
    ("2 ti", 2_000_000_000),
    ("2tỷ", 2_000_000_000),
    ("2,5 tỷ", 2_500_000_000),
    ("2.25 tỷ", 2_250_000_000),
    ("2 tỷ 500 triệu", 2_500_000_000),
    ("2 tỷ 500", 2_500_000_000),
    ("2 tỷ 5", 2_500_000_000),
    ("2 tỷ rưỡi", 2_500_000_000),
    ("2 tỷ 500 nghìn", 2_000_500_000),
    ("2 tỷ 500 triệu 500 nghìn", 2_500_500_000),
    ("2 tỷ 050 triệu", 2_050_000_000),
    ("5 nghìn tỷ", 5_000_000_000_000),
    ("5 ngàn tỷ", 5_000_000_000_000),
    ("10 nghìn tỷ", MAX_AMOUNT),
    ("1 nghìn tỷ 5", 1_500_000_000_000),
    ("10000 tỷ", MAX_AMOUNT),
]

REJECTED: list[tuple[str, AmountErrorCode]] = [
    ("", AmountErrorCode.EMPTY),
    ("   ", AmountErrorCode.EMPTY),
    ("\n\t", AmountErrorCode.EMPTY),
    ("0", AmountErrorCode.ZERO),
    ("0đ", AmountErrorCode.ZERO),
    ("0 triệu", AmountErrorCode.ZERO),
    ("-0", AmountErrorCode.ZERO),
    ("-500k", AmountErrorCode.NEGATIVE),
    ("- 1.500.000", AmountErrorCode.NEGATIVE),
    ("\N{MINUS SIGN}5 triệu", AmountErrorCode.NEGATIVE),
    ("10.000.000.000.001", AmountErrorCode.TOO_LARGE),
    ("10001 tỷ", AmountErrorCode.TOO_LARGE),
    ("100 nghìn tỷ", AmountErrorCode.TOO_LARGE),
    ("9" * 5000, AmountErrorCode.TOO_LARGE),
    ("1,5", AmountErrorCode.AMBIGUOUS),
    ("1.5", AmountErrorCode.AMBIGUOUS),
    ("1,50", AmountErrorCode.AMBIGUOUS),
    ("1.2345 triệu", AmountErrorCode.AMBIGUOUS),
    ("1.50.000", AmountErrorCode.AMBIGUOUS),
    ("1.5000", AmountErrorCode.AMBIGUOUS),
    ("1234.567", AmountErrorCode.AMBIGUOUS),
    ("1.500,000", AmountErrorCode.AMBIGUOUS),
    ("1,500.000", AmountErrorCode.AMBIGUOUS),
    ("1.500.000,00", AmountErrorCode.AMBIGUOUS),
    ("1.500 triệu", AmountErrorCode.AMBIGUOUS),
    ("1,500k", AmountErrorCode.AMBIGUOUS),
    ("1tr5k", AmountErrorCode.AMBIGUOUS),
    ("1 triệu 5 nghìn", AmountErrorCode.AMBIGUOUS),
    ("1tr25", AmountErrorCode.AMBIGUOUS),
    ("2 triệu 50", AmountErrorCode.AMBIGUOUS),
    ("500 nghìn rưỡi", AmountErrorCode.AMBIGUOUS),
    ("2 tỷ 500 triệu rưỡi", AmountErrorCode.AMBIGUOUS),
    ("abc", AmountErrorCode.INVALID),
    ("đ", AmountErrorCode.INVALID),
    ("triệu", AmountErrorCode.INVALID),
    ("5 triệu nghìn", AmountErrorCode.INVALID),
    ("5 triệu 5 triệu", AmountErrorCode.INVALID),
    ("5 nghìn 500 triệu", AmountErrorCode.INVALID),
    ("1 500 000", AmountErrorCode.INVALID),
    ("5 trăm", AmountErrorCode.INVALID),
    ("5 triệuu", AmountErrorCode.INVALID),
    ("5k tỷ", AmountErrorCode.INVALID),
    ("rưỡi", AmountErrorCode.INVALID),
    ("1 triệu rưỡi 5", AmountErrorCode.INVALID),
    ("1tr5 rưỡi", AmountErrorCode.INVALID),
    ("1,5 triệu 200 nghìn", AmountErrorCode.INVALID),
    ("2 tỷ 1500 triệu", AmountErrorCode.INVALID),
    ("2 triệu 5000", AmountErrorCode.INVALID),
    ("0912345678", AmountErrorCode.INVALID),
    ("1.500.000.", AmountErrorCode.INVALID),
    ("1..500", AmountErrorCode.INVALID),
    ("+500k", AmountErrorCode.INVALID),
    ("--5", AmountErrorCode.INVALID),
    ("5 đ đ", AmountErrorCode.INVALID),
    ("١٢٣", AmountErrorCode.INVALID),  # Arabic-Indic digits are not ours to read
    ("5²", AmountErrorCode.INVALID),
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_accepted(text: str, expected: int) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize(("text", "code"), REJECTED)
def test_rejected(text: str, code: AmountErrorCode) -> None:
    with pytest.raises(AmountError) as caught:
        parse_amount(text)
    assert caught.value.code is code


def test_tables_are_big_enough() -> None:
    assert len(ACCEPTED) >= 70
    assert len(REJECTED) >= 20
    assert len({text for text, _ in ACCEPTED}) == len(ACCEPTED)
    assert len({text for text, _ in REJECTED}) == len(REJECTED)


def test_examples_are_accepted() -> None:
    assert [parse_amount(example) for example in AMOUNT_EXAMPLES] == [1_500_000, 5_000_000]


def test_error_is_a_value_error_with_code_text() -> None:
    error = AmountError(AmountErrorCode.AMBIGUOUS)
    assert isinstance(error, ValueError)
    assert str(error) == "ambiguous"


def format_vi(amount: int) -> str:
    """``1500000`` → ``1.500.000``, as Vietnamese write it."""
    return f"{amount:,}".replace(",", ".")


@given(st.integers(min_value=1, max_value=MAX_AMOUNT))
def test_dotted_numbers_round_trip(amount: int) -> None:
    assert parse_amount(format_vi(amount)) == amount
    assert parse_amount(f"{amount:,}") == amount
    assert parse_amount(f"{format_vi(amount)} đ") == amount


@given(st.text())
def test_arbitrary_text_raises_only_amount_error(text: str) -> None:
    try:
        amount = parse_amount(text)
    except AmountError:
        return
    assert 1 <= amount <= MAX_AMOUNT


_AMOUNT_ALPHABET = "0123456789.,- kKtrTRiệuỷỉyìnghàđĐdvVnN₫ưỡơ"


@given(st.text(alphabet=_AMOUNT_ALPHABET, max_size=30))
def test_amount_like_text_raises_only_amount_error(text: str) -> None:
    try:
        amount = parse_amount(text)
    except AmountError:
        return
    assert 1 <= amount <= MAX_AMOUNT


WORDS: list[tuple[int, str, str]] = [
    (1, "một đồng", "one dong"),
    (21, "hai mươi mốt đồng", "twenty-one dong"),
    (24, "hai mươi bốn đồng", "twenty-four dong"),
    (15, "mười lăm đồng", "fifteen dong"),
    (25, "hai mươi lăm đồng", "twenty-five dong"),
    (105, "một trăm lẻ năm đồng", "one hundred and five dong"),
    (1_005, "một nghìn lẻ năm đồng", "one thousand and five dong"),
    (1_015, "một nghìn không trăm mười lăm đồng", "one thousand and fifteen dong"),
    (2_050, "hai nghìn không trăm năm mươi đồng", "two thousand and fifty dong"),
    (
        1_500_000,
        "một triệu năm trăm nghìn đồng",
        "one million, five hundred thousand dong",
    ),
    (1_000_005, "một triệu lẻ năm đồng", "one million and five dong"),
    (1_000_015, "một triệu không trăm mười lăm đồng", "one million and fifteen dong"),
    (1_005_000, "một triệu năm nghìn đồng", "one million, five thousand dong"),
    (
        1_001_099,
        "một triệu một nghìn không trăm chín mươi chín đồng",
        "one million, one thousand and ninety-nine dong",
    ),
    (2_500_000_000, "hai tỷ năm trăm triệu đồng", "two billion, five hundred million dong"),
    (1_000_000_000_000, "một nghìn tỷ đồng", "one trillion dong"),
    (MAX_AMOUNT, "mười nghìn tỷ đồng", "ten trillion dong"),
    (0, "không đồng", "zero dong"),
]


@pytest.mark.parametrize(("amount", "vietnamese", "english"), WORDS)
def test_amount_in_words(amount: int, vietnamese: str, english: str) -> None:
    assert amount_in_words(amount) == vietnamese
    assert amount_in_words(amount, "vi") == vietnamese
    assert amount_in_words(amount, "en") == english


def test_amount_in_words_accepts_region_suffix() -> None:
    assert amount_in_words(21, "vi_VN") == "hai mươi mốt đồng"
    assert amount_in_words(21, "en-US") == "twenty-one dong"


def test_amount_in_words_refuses_unknown_locale() -> None:
    with pytest.raises(ValueError, match="unsupported locale"):
        amount_in_words(21, "fr")


@pytest.mark.parametrize(
    ("amount", "code"),
    [(-1, AmountErrorCode.NEGATIVE), (MAX_AMOUNT + 1, AmountErrorCode.TOO_LARGE)],
)
def test_amount_in_words_range(amount: int, code: AmountErrorCode) -> None:
    with pytest.raises(AmountError) as caught:
        amount_in_words(amount)
    assert caught.value.code is code


@given(st.integers(min_value=0, max_value=MAX_AMOUNT))
def test_vietnamese_le_only_before_a_single_digit(amount: int) -> None:
    words = amount_in_words(amount).split()
    digits = {"một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"}
    for position, word in enumerate(words):
        if word == "lẻ":
            assert words[position + 1] in digits
            assert words[position + 2] != "mươi"


# ---------------------------------------------------------------- amounts in words

IN_WORDS: list[tuple[str, int]] = [
    ("năm triệu", 5_000_000),
    ("nam trieu", 5_000_000),
    ("Năm Triệu", 5_000_000),
    ("năm triệu đồng", 5_000_000),
    ("hai trăm nghìn", 200_000),
    ("hai tram ngan", 200_000),
    ("hai trăm nghìn đồng", 200_000),
    ("một triệu rưỡi", 1_500_000),
    ("mot trieu ruoi", 1_500_000),
    ("mười lăm triệu rưỡi", 15_500_000),
    ("ba trăm năm mươi nghìn", 350_000),
    ("ba tram nam muoi nghin", 350_000),
    ("hai tỷ", 2_000_000_000),
    ("hai ti", 2_000_000_000),
    ("hai tỷ năm trăm triệu", 2_500_000_000),
    ("mười triệu", 10_000_000),
    ("mười lăm nghìn", 15_000),
    ("hai mươi lăm nghìn", 25_000),
    ("hai mươi mốt nghìn", 21_000),
    ("năm mươi tư nghìn", 54_000),
    ("một trăm linh năm nghìn", 105_000),
    ("một trăm lẻ năm nghìn", 105_000),
    ("một triệu hai", 1_200_000),  # as people say it, like "1 triệu 2"
    ("một triệu hai trăm nghìn", 1_200_000),
    ("1 triệu hai trăm nghìn", 1_200_000),  # digits and words together
    ("một triệu năm nghìn", 1_005_000),  # in words a later group is literal
    ("một triệu lẻ năm", 1_000_005),  # a group saying its zeros is literal
    ("hai tỷ lẻ năm", 2_000_000_005),
    ("một nghìn không trăm mười lăm", 1_015),  # as receipts spell it
    ("một nghìn năm trăm", 1_500),
    ("một nghìn hai", 1_200),  # the shorthand after any unit
    ("một nghìn mốt", 1_100),
    ("một nghìn lẻ hai", 1_002),
    ("năm nghìn tỷ", 5_000_000_000_000),
    ("một triệu hai trăm ba mươi bốn nghìn năm trăm sáu mươi bảy", 1_234_567),
    ("năm trăm", 500),  # under 1.000 ₫: read literally, the form asks whether it is meant
    ("mười", 10),
]

IN_WORDS_REFUSED: list[tuple[str, AmountErrorCode]] = [
    ("hai trăm năm", AmountErrorCode.AMBIGUOUS),  # 205 or 250?
    ("hai trăm năm nghìn", AmountErrorCode.AMBIGUOUS),
    ("hai triệu năm trăm", AmountErrorCode.AMBIGUOUS),  # 2.000.500 or 2.500.000?
    ("một triệu hai mươi", AmountErrorCode.AMBIGUOUS),
    ("một triệu năm mươi", AmountErrorCode.AMBIGUOUS),
    ("một nghìn mười lăm", AmountErrorCode.AMBIGUOUS),  # 1.015 or 1.150?
    ("không", AmountErrorCode.ZERO),
    ("không đồng", AmountErrorCode.ZERO),
    ("trăm nghìn", AmountErrorCode.INVALID),  # how many hundreds?
    ("tư triệu", AmountErrorCode.INVALID),  # "tư" only after "mươi"
    ("lăm nghìn", AmountErrorCode.INVALID),
    ("hai hai nghìn", AmountErrorCode.INVALID),
    ("năm triệu năm triệu", AmountErrorCode.INVALID),
    ("hai trăm rưỡi", AmountErrorCode.INVALID),
    ("lẻ không", AmountErrorCode.INVALID),
    ("không mươi", AmountErrorCode.INVALID),
    ("năm con gà", AmountErrorCode.INVALID),
    ("năm triệu nghìn", AmountErrorCode.INVALID),
    ("- năm triệu", AmountErrorCode.NEGATIVE),
]


@pytest.mark.parametrize(("text", "expected"), IN_WORDS)
def test_amount_in_words_is_read(text: str, expected: int) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize(("text", "code"), IN_WORDS_REFUSED)
def test_amount_in_words_refused(text: str, code: AmountErrorCode) -> None:
    with pytest.raises(AmountError) as caught:
        parse_amount(text)
    assert caught.value.code is code


@given(st.integers(min_value=1, max_value=MAX_AMOUNT))
def test_a_receipt_in_words_reads_back_or_is_refused_never_misread(amount: int) -> None:
    """What a receipt spells is read back as the same amount, or refused as ambiguous (a few
    like "hai triệu năm trăm đồng"): never as another amount."""
    try:
        assert parse_amount(amount_in_words(amount)) == amount
    except AmountError as error:
        assert error.code is AmountErrorCode.AMBIGUOUS


@pytest.mark.parametrize(
    "amount", [1, 5, 15, 21, 105, 1_015, 1_500, 15_000, 350_000, 1_005_000, 2_000_000_000]
)
def test_receipt_words_of_round_amounts_read_back(amount: int) -> None:
    assert parse_amount(amount_in_words(amount)) == amount
