"""Numbers, money and percentages as chairs paste them into reports."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import in_every_language, translator


@pytest.mark.parametrize(
    ("lang", "percent", "shown"),
    [
        ("vi", 26.8, "26,8%"),
        ("vi", 100.0, "100%"),
        ("vi", 35.24, "35,2%"),
        ("vi", 0.2, "0,2%"),
        ("vi", 0.0035, "<0,1%"),
        ("vi", 0.0, "0%"),
        ("vi", None, "—"),
        ("en", 26.8, "26.8%"),
    ],
)
def test_share(lang: str, percent: float | None, shown: str) -> None:
    assert translator(lang).share(percent) == shown


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (443_200_000_000, "443,2 tỷ ₫"),
        (397_000_000_000, "397 tỷ ₫"),
        (15_000_000, "15 triệu ₫"),
        (1_500_000, "1,5 triệu ₫"),
        (500_000, "500.000\xa0₫"),
    ],
)
def test_money_short_in_vietnamese(amount: int, shown: str) -> None:
    assert translator("vi").money_short(amount) == shown


def test_numbers_money_and_dates_in_vietnamese() -> None:
    t = translator("vi")
    assert t.number(670_479) == "670.479"
    assert t.money(1_500_000) == "1.500.000\xa0₫"
    assert t.date(date(2026, 10, 2)) == "02/10/2026"
    moment = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
    assert t.datetime(moment, ZoneInfo("Asia/Ho_Chi_Minh")) == "10:00 28/11/2026"


def test_a_label_is_recognised_in_every_language() -> None:
    assert in_every_language("❓ Help") == {"❓ Help", "❓ Trợ giúp"}
