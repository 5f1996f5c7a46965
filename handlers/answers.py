"""Reading typed answers: names, years, dates, phone numbers, amounts, free text, and the
words people type where a button exists (a button's label, "không" to skip, "có" for yes).

Each parser returns the value the input model takes, or raises `Invalid` with the reason and
two accepted examples in the user's language; the domain parsers know nothing of languages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from bot.dates import DateError, DateErrorCode, parse_birth_year, parse_date
from bot.i18n import N_, Translator, in_every_language
from bot.money import AMOUNT_EXAMPLES, AmountError, AmountErrorCode, amount_in_words, parse_amount
from bot.phone import PHONE_EXAMPLE, PhoneError, PhoneErrorCode, normalize_phone
from bot.storage.records import tidy_text
from bot.text import fold, person_name
from handlers.form_model import Doubt, Invalid, JsonValue, Option

# ---------------------------------------------------------------- words for buttons

SKIP_WORDS = frozenset(
    {"khong", "khong co", "ko", "ko co", "k", "k co", "kh", "chua co", "bo qua", "skip", "none"}
)
"""Typed for ⏭ Bỏ qua: "không", "không có", "ko", "chưa có", "bỏ qua"…"""
YES_WORDS = frozenset({"co", "dung", "dung roi", "vang", "da", "u", "ok", "yes", "y"})
NO_WORDS = frozenset({"khong", "ko", "k", "kh", "khong phai", "sai", "no", "n"})
_NOT_WORDS = re.compile(r"[^\w\s]")


def plain(text: str) -> str:
    """Text as compared with a button: folded, emoji and punctuation gone ("📅 Hôm nay!" →
    "hom nay")."""
    return " ".join(_NOT_WORDS.sub(" ", fold(text)).split())


def is_skip(text: str) -> bool:
    return plain(text) in SKIP_WORDS


def yes_or_no(text: str) -> bool | None:
    """True for "có", "đúng"…, False for "không", "sai"…, None for anything else."""
    word = plain(text)
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    return None


def chosen_by_text(text: str, options: Sequence[Option]) -> Option | None:
    """The one button whose label (in any language) or word the text is, else the one whose
    label starts with it ("gia dinh" for "Gia đình học tập"); None when none or several fit."""
    typed = plain(text)
    if not typed:
        return None

    def names(option: Option) -> set[str]:
        return {plain(label) for label in in_every_language(option.label)} | set(option.words)

    exact = [option for option in options if typed in names(option)]
    if len(exact) == 1:
        return exact[0]
    if exact or len(typed) < 3:
        return None
    starting = [
        option for option in options if any(name.startswith(typed + " ") for name in names(option))
    ]
    return starting[0] if len(starting) == 1 else None


def text(answer: str, t: Translator, today: date) -> JsonValue:
    """Free text (schools, notes, names of things): tidied; the model checks its length."""
    return tidy_text(answer)


def name(answer: str, t: Translator, today: date) -> JsonValue:
    """A person's name, capitalised as it is stored ("trần thị hoa" → "Trần Thị Hoa")."""
    return person_name(tidy_text(answer))


def birth_year(answer: str, t: Translator, today: date) -> JsonValue:
    try:
        return parse_birth_year(answer, today=today)
    except DateError:
        raise Invalid(
            t.gettext(
                "Please type a year of birth between 1900 and {year}, for example: 1958."
            ).format(year=today.year)
        ) from None


def title_year(answer: str, t: Translator, today: date) -> JsonValue:
    try:
        return parse_birth_year(answer, today=today)
    except DateError:
        raise Invalid(
            t.gettext("Please type a year, for example: {year}.").format(year=today.year)
        ) from None


def day(answer: str, t: Translator, today: date) -> JsonValue:
    """A date as ISO text ("hôm nay", "hôm qua", 15/10/2025...), not in the future."""
    return _day(answer, t, today, allow_future=False)


def planned_day(answer: str, t: Translator, today: date) -> JsonValue:
    """A date that may lie ahead, such as a campaign's end."""
    return _day(answer, t, today, allow_future=True)


def _day(answer: str, t: Translator, today: date, *, allow_future: bool) -> JsonValue:
    try:
        return parse_date(answer, today=today, allow_future=allow_future).isoformat()
    except DateError as error:
        reasons = {
            DateErrorCode.FUTURE: t.gettext("That date is in the future."),
            DateErrorCode.TOO_OLD: t.gettext("That date is too long ago."),
        }
        reason = reasons.get(error.code, t.gettext("I cannot read that date."))
        example = (today - timedelta(days=3)).strftime("%d/%m/%Y")
        raise Invalid(
            reason
            + " "
            + t.gettext('Type for example "today", "yesterday" or {example}.').format(
                example=example
            )
        ) from None


def day_shortcuts(t: Translator, today: date) -> list[tuple[str, JsonValue]]:
    return [
        (t.gettext("📅 Today"), today.isoformat()),
        (t.gettext("📅 Yesterday"), (today - timedelta(days=1)).isoformat()),
    ]


def show_day(value: JsonValue, t: Translator) -> str:
    return t.date(date.fromisoformat(str(value)))


def phone(answer: str, t: Translator, today: date) -> JsonValue:
    try:
        return normalize_phone(answer)
    except PhoneError as error:
        reason = (
            t.gettext("That looks like a landline; please give a mobile number.")
            if error.code is PhoneErrorCode.NOT_MOBILE
            else t.gettext("I cannot read that phone number.")
        )
        raise Invalid(
            reason
            + " "
            + t.gettext("Type it for example as {example}.").format(example=PHONE_EXAMPLE)
        ) from None


def amount(answer: str, t: Translator, today: date) -> JsonValue:
    try:
        return parse_amount(answer)
    except AmountError as error:
        reasons = {
            AmountErrorCode.ZERO: t.gettext("The amount must be more than zero."),
            AmountErrorCode.NEGATIVE: t.gettext("The amount must be more than zero."),
            AmountErrorCode.TOO_LARGE: t.gettext("That amount is too large."),
            AmountErrorCode.AMBIGUOUS: t.gettext("That amount can be read in more than one way."),
        }
        reason = reasons.get(error.code, t.gettext("I cannot read that amount."))
        raise Invalid(
            reason
            + " "
            + t.gettext('Type it for example as "{first}" or "{second}".').format(
                first=AMOUNT_EXAMPLES[0], second=AMOUNT_EXAMPLES[1]
            )
        ) from None


def show_amount(value: JsonValue, t: Translator) -> str:
    """Money as Vietnamese receipts show it: the figure and the amount in words."""
    figure = int(value or 0)
    return f"{t.money(figure)} — {amount_in_words(figure, t.lang)}"


# ---------------------------------------------------------------- doubts

SMALL_AMOUNT = 1_000
"""Below this many đồng an amount is more likely a slip ("500" for 500.000 ₫) than meant."""


def small_amount(key: str) -> Doubt:
    """An amount under 1.000 ₫ asks whether it is meant; Yes keeps it, No asks again."""

    def arises(values: Mapping[str, JsonValue]) -> bool:
        value = values.get(key)
        return isinstance(value, int) and 0 < value < SMALL_AMOUNT

    def question(values: Mapping[str, JsonValue], t: Translator) -> str:
        value = int(values.get(key) or 0)
        return t.gettext(
            "⚠️ {amount} is less than {limit}. Is that the right amount? "
            "(If you meant {thousands}, choose No and type for example {example}.)"
        ).format(
            amount=t.money(value),
            limit=t.money(SMALL_AMOUNT),
            thousands=t.money(value * 1000),
            example=f"{value}k",
        )

    return Doubt(
        name=f"small:{key}",
        keys=(key,),
        arises=arises,
        question=question,
        yes=N_("✅ Yes, it is right"),
        no=N_("✏️ No, change it"),
        no_asks=key,
    )
