"""Phone normalisation: every way a member may type a Vietnamese mobile is one E.164 key."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.phone import PHONE_EXAMPLE, PhoneError, PhoneErrorCode, normalize_phone

ACCEPTED: list[tuple[str, str]] = [
    ("0912345678", "+84912345678"),
    ("0912 345 678", "+84912345678"),
    ("091.234.5678", "+84912345678"),
    ("091-234-5678", "+84912345678"),
    ("+84912345678", "+84912345678"),
    ("84912345678", "+84912345678"),
    ("+84 912 345 678", "+84912345678"),
    ("(+84) 912345678", "+84912345678"),
    ("(+84) 912 345 678", "+84912345678"),
    ("+84 (0) 912 345 678", "+84912345678"),
    ("+840912345678", "+84912345678"),
    ("0084912345678", "+84912345678"),
    ("  0912345678 \n", "+84912345678"),
    ("0912\u00a0345\u00a0678", "+84912345678"),
    ("(091) 234 5678", "+84912345678"),
    ("0323456789", "+84323456789"),
    ("0523456789", "+84523456789"),
    ("0701234567", "+84701234567"),
    ("0869123456", "+84869123456"),
    ("0999999999", "+84999999999"),
    ("+84 38 123 4567", "+84381234567"),
]

REJECTED: list[tuple[str, PhoneErrorCode]] = [
    ("", PhoneErrorCode.EMPTY),
    ("   ", PhoneErrorCode.EMPTY),
    ("02273123456", PhoneErrorCode.NOT_MOBILE),  # Thái Bình landline
    ("0227 3 123 456", PhoneErrorCode.NOT_MOBILE),
    ("+84 227 3123456", PhoneErrorCode.NOT_MOBILE),
    ("024 3826 1234", PhoneErrorCode.NOT_MOBILE),  # Hà Nội landline
    ("0227312345", PhoneErrorCode.INVALID),  # landline one digit short
    ("091234567", PhoneErrorCode.INVALID),
    ("09123456789", PhoneErrorCode.INVALID),
    ("0612345678", PhoneErrorCode.INVALID),
    ("0412345678", PhoneErrorCode.INVALID),
    ("0123456789", PhoneErrorCode.INVALID),
    ("01681234567", PhoneErrorCode.INVALID),  # pre-2018 eleven-digit mobile
    ("912345678", PhoneErrorCode.INVALID),
    ("+1 212 555 0100", PhoneErrorCode.INVALID),
    ("+8400912345678", PhoneErrorCode.INVALID),
    ("0912+345678", PhoneErrorCode.INVALID),
    ("0912 345 67a", PhoneErrorCode.INVALID),
    ("0912-CALL-ME", PhoneErrorCode.INVALID),
    ("0912345678 ext 12", PhoneErrorCode.INVALID),
    ("０９１２３４５６７８", PhoneErrorCode.INVALID),  # full-width digits
    ("0" * 100, PhoneErrorCode.INVALID),
    ("abc", PhoneErrorCode.INVALID),
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_accepted(text: str, expected: str) -> None:
    assert normalize_phone(text) == expected


@pytest.mark.parametrize(("text", "code"), REJECTED)
def test_rejected(text: str, code: PhoneErrorCode) -> None:
    with pytest.raises(PhoneError) as caught:
        normalize_phone(text)
    assert caught.value.code is code


def test_example_is_accepted() -> None:
    assert normalize_phone(PHONE_EXAMPLE) == "+84912345678"


@given(st.text())
def test_arbitrary_text_raises_only_phone_error(text: str) -> None:
    try:
        result = normalize_phone(text)
    except PhoneError:
        return
    assert len(result) == 12
    assert result.startswith("+84")


@given(st.text(alphabet="0123456789+84 .-()", max_size=20))
def test_phone_like_text_raises_only_phone_error(text: str) -> None:
    try:
        result = normalize_phone(text)
    except PhoneError:
        return
    assert normalize_phone(result) == result


@given(st.sampled_from("35789"), st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_every_mobile_prefix_round_trips(prefix: str, rest: str) -> None:
    national = f"0{prefix}{rest}"
    assert normalize_phone(national) == f"+84{prefix}{rest}"
    assert normalize_phone(normalize_phone(national)) == f"+84{prefix}{rest}"
