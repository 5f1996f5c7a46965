"""Every text the code can show exists in Vietnamese, with the same placeholders."""

from __future__ import annotations

import re

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from bot.config import PROJECT_ROOT

VI_CATALOG = PROJECT_ROOT / "locales" / "vi" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _extract() -> set[str]:
    """The msgids the code uses, found the same way `make extract` finds them."""
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found: set[str] = set()
    for folder in ("bot", "handlers"):
        for _, _, message, _, _ in extract_from_dir(
            PROJECT_ROOT / folder, method_map=[("**.py", "python")], keywords=keywords
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_vietnamese_catalog_is_complete() -> None:
    with VI_CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="vi")
    # A plural message (ngettext) is keyed by its singular; every form must be translated.
    translated = {_singular(m.id): all(_forms(m.string)) for m in catalog if m.id}
    in_code = _extract()
    missing = sorted(in_code - {k for k, done in translated.items() if done})
    assert not missing, f"untranslated (run `make extract` and translate): {missing[:10]}"
    fuzzy = [str(m.id) for m in catalog if m.id and m.fuzzy]
    assert not fuzzy


def test_placeholders_match() -> None:
    with VI_CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="vi")
    for message in catalog:
        for form in _forms(message.string) if message.id else ():
            if form:
                assert sorted(PLACEHOLDER.findall(_singular(message.id))) == sorted(
                    PLACEHOLDER.findall(form)
                ), message.id


def _singular(message_id: object) -> str:
    return str(message_id[0] if isinstance(message_id, tuple) else message_id)


def _forms(string: object) -> tuple[str, ...]:
    """The translation's forms: one, or one per plural form (Vietnamese has one)."""
    return tuple(str(s) for s in string) if isinstance(string, tuple) else (str(string),)
