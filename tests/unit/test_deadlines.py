"""The year's report to the national association: chairs are reminded once, from 1 December."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.services import deadlines
from bot.services.reminder_schedule import VIETNAM_TZ


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (utc(2026, 11, 30, 12, 0), False),  # before the window
        (utc(2026, 12, 1, 0, 59), False),  # 07:59 in Vietnam on its first day
        (utc(2026, 12, 1, 1, 0), True),  # 08:00
        (utc(2026, 12, 10, 15, 0), False),  # 22:00: quiet hours
        (utc(2026, 12, 15, 9, 0), True),  # the last day
        (utc(2026, 12, 16, 3, 0), False),  # over
    ],
)
def test_the_annual_report_is_reminded_inside_its_window(now: datetime, due: bool) -> None:
    found = deadlines.due(now, VIETNAM_TZ)
    assert found == ([(deadlines.ANNUAL_REPORT, date(2026, 12, 15))] if due else [])
