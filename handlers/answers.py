"""Reading typed answers: names, years, dates, phone numbers, amounts, free text.

Each parser returns the value the input model takes, or raises `Invalid` with the reason and
two accepted examples in the user's language; the domain parsers know nothing of languages.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.dates import DateError, DateErrorCode, parse_birth_year, parse_date
from bot.i18n import Translator
from bot.money import AMOUNT_EXAMPLES, AmountError, AmountErrorCode, amount_in_words, parse_amount
from bot.phone import PHONE_EXAMPLE, PhoneError, PhoneErrorCode, normalize_phone
from bot.storage.records import tidy_text
from handlers.form_model import Invalid, JsonValue


def text(answer: str, t: Translator, today: date) -> JsonValue:
    """Free text (names, schools, notes): tidied; the model checks its length."""
    return tidy_text(answer)


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
