"""Which reminders are due, for whom, and never twice: all with a clock we set."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.services import campaigns, outbox, reminder_schedule, reminders
from bot.services.reminder_schedule import ReminderSlot
from bot.storage import people
from bot.storage.campaigns import CampaignPeriod
from bot.storage.db import Database
from tests.unit.reporting_helpers import (
    BRANCH_HEAD,
    FAR_VOLUNTEER,
    NEIGHBOUR,
    VOLUNTEER,
    make_world,
)

SCHEDULE = reminders.Schedule(tz=ZoneInfo("Asia/Ho_Chi_Minh"))


def render(
    campaign: CampaignPeriod, slot: ReminderSlot, person: reminders.Recipient
) -> tuple[str, dict[str, object] | None]:
    return f"{campaign.name}|{slot.slot_key}|{person.branch_name}|{person.progress.members}", None


async def queued(db: Database) -> list[tuple[str, int, str]]:
    rows = await db.fetchall(
        "SELECT b.dedupe_key, o.recipient_id, o.text FROM outbox o "
        "JOIN broadcast b ON b.id = o.broadcast_id ORDER BY o.id"
    )
    return [(str(r[0]), int(r[1]), str(r[2])) for r in rows]


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


async def test_start_reminder_goes_once_to_who_wants_it(db: Database) -> None:
    await make_world(db)
    await campaigns.ensure_defaults(db, range(2026, 2027))
    await people.set_reminders(db, NEIGHBOUR, False)
    await people.set_reachable(db, FAR_VOLUNTEER, False)
    # 07:30 in Vietnam on 1 October: the 08:00 opening message is not due yet.
    assert await reminders.enqueue_due(db, utc(2026, 10, 1, 0, 30), SCHEDULE, render) == 0
    assert await reminders.enqueue_due(db, utc(2026, 10, 1, 1, 0), SCHEDULE, render) == 2
    rows = await queued(db)
    assert {r[1] for r in rows} == {VOLUNTEER, BRANCH_HEAD}  # opted out / unreachable left out
    assert all(r[0].endswith(":start") and r[2].startswith("Tháng Khuyến học|start|") for r in rows)
    # A restart computes the same slots from the database again: nothing new.
    assert await reminders.enqueue_due(db, utc(2026, 10, 1, 1, 1), SCHEDULE, render) == 0
    assert len(await queued(db)) == 2


async def test_quiet_hours_wait_for_the_morning(db: Database) -> None:
    await make_world(db)
    await campaigns.ensure_defaults(db, range(2026, 2027))
    await reminders.enqueue_due(db, utc(2026, 10, 1, 1, 0), SCHEDULE, render)
    # Monday 5 October 08:00 local is the weekly slot; at 22:00 local the day before: nothing.
    assert await reminders.enqueue_due(db, utc(2026, 10, 4, 15, 0), SCHEDULE, render) == 0
    # A clock in quiet hours never sends, even when a slot is overdue (23:30 local on the 5th).
    late = utc(2026, 10, 5, 16, 30)
    assert reminder_schedule.in_quiet_hours(late, tz=SCHEDULE.tz)
    assert await reminders.enqueue_due(db, late, SCHEDULE, render) == 0
    assert await reminders.enqueue_due(db, utc(2026, 10, 6, 0, 0), SCHEDULE, render) == 4
    keys = {r[0].rsplit(":", 2)[-2] + ":" + r[0].rsplit(":", 1)[-1] for r in await queued(db)}
    assert "weekly:2026-10-05" in keys


async def test_after_a_long_stop_only_the_newest_slot_is_sent(db: Database) -> None:
    await make_world(db)
    await campaigns.ensure_defaults(db, range(2026, 2027))
    assert await reminders.enqueue_due(db, utc(2026, 10, 12, 2, 0), SCHEDULE, render) == 4
    keys = [r[0] for r in await queued(db)]
    assert keys and all(key.endswith("weekly:2026-10-12") for key in keys)
    skipped = await outbox.enqueued_keys(db, "reminder:")
    assert {key.split(":", 1)[1] for key in skipped} >= {"start", "weekly:2026-10-05"}
    assert await reminders.enqueue_due(db, utc(2026, 10, 12, 3, 0), SCHEDULE, render) == 0
