"""gettext catalogs and babel formatting for the user's language.

Texts are looked up in `locales/<lang>/LC_MESSAGES/messages.mo` (`bot.resources`: the
checkout's `locales/`, or the compiled copy an installed wheel carries); when a compiled file
is missing or older than its `.po` (a fresh checkout that skipped `make`), the `.po` is
compiled in memory so a Vietnamese user never silently gets English.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent
from babel.support import NullTranslations, Translations

from bot.config import LANGUAGES
from bot.resources import locales_dir

LOCALES_DIR = locales_dir()
DOMAIN = "messages"
_log = logging.getLogger(__name__)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (translated where shown)."""
    return message


def _catalog_paths(lang: str) -> tuple[Path, Path]:
    base = LOCALES_DIR / lang / "LC_MESSAGES"
    return base / f"{DOMAIN}.po", base / f"{DOMAIN}.mo"


@cache
def translations(lang: str) -> NullTranslations:
    po_path, mo_path = _catalog_paths(lang)
    if mo_path.exists() and (
        not po_path.exists() or mo_path.stat().st_mtime >= po_path.stat().st_mtime
    ):
        with mo_path.open("rb") as handle:
            return Translations(handle, domain=DOMAIN)
    if po_path.exists():
        _log.warning("Compiling %s in memory; run `make catalogs` to compile it once", po_path)
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=lang, domain=DOMAIN)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return Translations(buffer, domain=DOMAIN)
    _log.warning("No catalog for %r in %s: its texts are shown in English", lang, LOCALES_DIR)
    return NullTranslations()


class Translator:
    """Texts and numbers in one language; handlers get one per user."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else LANGUAGES[0]
        self._translations = translations(self.lang)
        self.locale = Locale.parse(self.lang)

    def gettext(self, message: str) -> str:
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self._translations.ngettext(singular, plural, count)

    def number(self, value: int | float | Decimal) -> str:
        return format_decimal(value, locale=self.locale)

    def money(self, amount: int) -> str:
        return format_currency(amount, "VND", locale=self.locale)

    def percent(self, ratio: float, digits: int = 1) -> str:
        pattern = "#,##0." + "0" * digits + "%" if digits else "#,##0%"
        return format_percent(ratio, pattern, locale=self.locale)

    def share(self, percent: float | None) -> str:
        """A percentage given as 0..100, one decimal at most: "26,8%", "100%"; "—" if unknown."""
        if percent is None:
            return "—"
        if 0 < percent < 0.05:  # would round to "0%", which reads as "none at all"
            return "<" + format_percent(0.001, "#,##0.#%", locale=self.locale)
        return format_percent(percent / 100, "#,##0.#%", locale=self.locale)

    def money_short(self, amount: int) -> str:
        """Large sums as chairs write them in reports: "443,2 tỷ ₫", "15 triệu ₫"."""
        for size, label in ((10**9, N_("{amount} billion ₫")), (10**6, N_("{amount} million ₫"))):
            if abs(amount) >= size:
                figure = format_decimal(round(amount / size, 1), "#,##0.#", locale=self.locale)
                return self.gettext(label).format(amount=figure)
        return self.money(amount)

    def money_short_split(self, total: int, parts: Sequence[int]) -> tuple[str, list[str]]:
        """`total` and `parts` (which add up to it) as `money_short` writes them, the parts
        rounded so that the shown parts add up to the shown total (largest remainders): not
        "huy động 15,7 tỷ · đã chi 14 tỷ · còn lại 1,6 tỷ"."""
        size = next((size for size in (10**9, 10**6) if abs(total) >= size), None)
        if size is None or any(part < 0 for part in parts) or sum(parts) != total:
            return self.money_short(total), [self.money_short(part) for part in parts]
        tenth = size // 10
        shown_total = round(total / tenth)
        floors = [part // tenth for part in parts]
        left = shown_total - sum(floors)
        by_remainder = sorted(range(len(parts)), key=lambda i: parts[i] % tenth, reverse=True)
        for index in by_remainder[: max(left, 0)]:
            floors[index] += 1
        label = N_("{amount} billion ₫") if size == 10**9 else N_("{amount} million ₫")

        def shown(tenths: int, exact: int) -> str:
            if not tenths:  # too small to show in the unit: as it is
                return self.money_short(exact)
            if tenths * tenth < size:  # below the unit: written in its own
                return self.money_short(tenths * tenth)
            figure = format_decimal(tenths / 10, "#,##0.#", locale=self.locale)
            return self.gettext(label).format(amount=figure)

        return shown(shown_total, total), [
            shown(value, part) for value, part in zip(floors, parts, strict=True)
        ]

    def money_words(self, amount: int) -> str:
        """Sums in prose, as a report to the province writes them: "88,6 tỷ đồng", "15 triệu
        đồng", "500.000 đồng" (no currency sign inside a sentence)."""
        for size, label in (
            (10**9, N_("{amount} billion dong")),
            (10**6, N_("{amount} million dong")),
        ):
            if abs(amount) >= size:
                figure = format_decimal(round(amount / size, 1), "#,##0.#", locale=self.locale)
                return self.gettext(label).format(amount=figure)
        return self.gettext("{amount} dong").format(amount=self.number(amount))

    def date(self, value: date) -> str:
        return format_date(value, "dd/MM/yyyy", locale=self.locale)

    def datetime(self, value: datetime, tz: ZoneInfo) -> str:
        return format_datetime(value, "HH:mm dd/MM/yyyy", tzinfo=tz, locale=self.locale)


@cache
def translator(lang: str) -> Translator:
    return Translator(lang)


def in_every_language(message: str) -> frozenset[str]:
    """All translations of one text, to recognise a keyboard label whatever the user's language."""
    return frozenset(translator(lang).gettext(message) for lang in LANGUAGES)
