"""Dates that matter to chairs, reminded once a year: the year's report to the national
association (Trung ương Hội Khuyến học Việt Nam) is due before 15 December.

A deadline is reminded from `notice_days` before it, at the reminder hour (after quiet
hours), once per year: the outbox stores the key `deadline:<key>:<year>` once, so a restart or
a second tick sends nothing more. A bot started late in the window still reminds (once), up to
the deadline itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from bot.services import outbox, reminder_schedule
from bot.services.outbox import Message, ReplyMarkup
from bot.storage import people
from bot.storage.db import Database


@dataclass(frozen=True)
class Deadline:
    key: str
    month: int
    day: int
    """Due before this day (it is the last day to send)."""
    notice_days: int
    """How many days before it chairs are reminded."""

    def due_on(self, year: int) -> date:
        return date(year, self.month, self.day)


ANNUAL_REPORT: Final = Deadline("annual_report", 12, 15, notice_days=14)
DEADLINES: Final = (ANNUAL_REPORT,)
REMIND_AT: Final = time(8, 0)

# Renders one chair's reminder: (deadline, its date, language) → (text, reply markup JSON).
Render = Callable[[Deadline, date, str], tuple[str, ReplyMarkup | None]]


def key(deadline: Deadline, year: int) -> str:
    return f"deadline:{deadline.key}:{year}"


def due(now: datetime, tz: ZoneInfo) -> list[tuple[Deadline, date]]:
    """Deadlines whose reminder is due at `now`: inside their notice window, at or after the
    reminder hour of its first day, outside quiet hours."""
    if reminder_schedule.in_quiet_hours(now, tz=tz):
        return []
    local = now.astimezone(tz)
    found = []
    for deadline in DEADLINES:
        on = deadline.due_on(local.year)
        opens = datetime.combine(on - timedelta(days=deadline.notice_days), REMIND_AT, tzinfo=tz)
        if opens <= local and local.date() <= on:
            found.append((deadline, on))
    return found


async def enqueue_due(db: Database, now: datetime, tz: ZoneInfo, render: Render) -> int:
    """Queue the due deadline reminders for every chair who can be reached and wants
    reminders; returns how many messages were queued (0 when already sent)."""
    queued = 0
    for deadline, on in due(now, tz):
        chairs = await people.chairs_to_remind(db)
        messages: list[Message] = []
        for telegram_id, language in chairs:
            text, markup = render(deadline, on, language)
            messages.append((telegram_id, text, markup))
        _, created = await outbox.enqueue(
            db,
            kind="reminder",
            created_by=None,
            dedupe_key=key(deadline, on.year),
            messages=messages,
            now=now,
            text=f"{deadline.key}: {on.isoformat()}",
        )
        if created:
            queued += len(messages)
    return queued
