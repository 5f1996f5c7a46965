"""Vietnamese mobile numbers as typed → E.164 (``+84912345678``), so one member is one key.

Plain code rather than ``phonenumbers``: the rule needed is one line of the national plan
(``0`` + 3/5/7/8/9 + eight digits), whereas phonenumbers (lite build ≈ 5 MB installed, full
≈ 48 MB) would also need guarding against its lenient parsing (letters read as keypad digits,
extensions) and refuses blocks it does not yet know are allocated, so a pinned copy would turn
away new subscribers' numbers.

Accepted: spaces, dots, dashes and parentheses anywhere; a ``+84``, ``84`` or ``0084``
country prefix, optionally followed by the trunk ``0`` people often keep (``+84 (0)912…``).
A well-formed landline (``02`` + nine digits, e.g. Thái Bình ``0227 …``) is ``NOT_MOBILE``;
everything else, including the pre-2018 eleven-digit ``01x`` mobiles and foreign numbers,
is ``INVALID``.
"""

from __future__ import annotations

import re
from enum import StrEnum

__all__ = ["PHONE_EXAMPLE", "PhoneError", "PhoneErrorCode", "normalize_phone"]

PHONE_EXAMPLE = "0912 345 678"
"""An input the parser accepts, shown by the handler next to an error."""


class PhoneErrorCode(StrEnum):
    """Why a phone number was refused; handlers map each code to a translated message."""

    EMPTY = "empty"
    INVALID = "invalid"
    NOT_MOBILE = "not_mobile"


class PhoneError(ValueError):
    """A refused phone number; ``code`` says why, the text is for logs only."""

    def __init__(self, code: PhoneErrorCode) -> None:
        super().__init__(code.value)
        self.code = code


_PUNCTUATION_RE = re.compile(r"[\s.\-()]")
_COUNTRY_PREFIX_RE = re.compile(r"^(?:\+|00)?84")
_MOBILE_RE = re.compile(r"0[35789][0-9]{8}")
_LANDLINE_RE = re.compile(r"02[0-9]{9}")
_MAX_LENGTH = 40


def normalize_phone(text: str) -> str:
    """Return the E.164 form of a Vietnamese mobile number, or raise ``PhoneError``."""
    stripped = text.strip()
    if not stripped:
        raise PhoneError(PhoneErrorCode.EMPTY)
    if len(stripped) > _MAX_LENGTH:
        raise PhoneError(PhoneErrorCode.INVALID)
    compact = _PUNCTUATION_RE.sub("", stripped)
    if not re.fullmatch(r"\+?[0-9]+", compact, flags=re.ASCII):
        raise PhoneError(PhoneErrorCode.INVALID)
    national = _national(compact)
    if _MOBILE_RE.fullmatch(national):
        return "+84" + national[1:]
    if _LANDLINE_RE.fullmatch(national):
        raise PhoneError(PhoneErrorCode.NOT_MOBILE)
    raise PhoneError(PhoneErrorCode.INVALID)


def _national(compact: str) -> str:
    """``+84912…``/``84912…``/``0084912…``/``+840912…`` → ``0912…``; others unchanged."""
    prefix = _COUNTRY_PREFIX_RE.match(compact)
    if prefix is None:
        return compact
    rest = compact[prefix.end() :]  # national numbers start with 0, so "84…" is never one
    return rest if rest.startswith("0") else "0" + rest
