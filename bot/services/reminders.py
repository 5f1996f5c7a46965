"""Campaign reminders: which slots are due, and one personal message per volunteer.

Everything is derived from the campaign table each time it is asked, so a campaign edited by
the admin, or a restart, simply changes what is due next. A slot is handed to the outbox
under the key `reminder:<campaign id>:<slot key>`; the outbox stores a key once, so a slot is
never sent twice. After a long stop only the newest due slot of a campaign is sent; older
ones are recorded without recipients rather than sent late all at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.services import outbox, reminder_schedule
from bot.services.outbox import Message
from bot.services.reminder_schedule import ReminderSlot
from bot.storage import campaigns as campaign_store
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.campaigns import CampaignPeriod, Progress
from bot.storage.db import Database


@dataclass(frozen=True)
class Schedule:
    """When reminders go out (from the settings)."""

    tz: ZoneInfo
    weekly_weekday: int = 0
    weekly_time: time = time(8, 0)


@dataclass(frozen=True)
class Recipient:
    telegram_id: int
    language: str
    branch_name: str
    progress: Progress


# Renders one recipient's message: (campaign, slot, recipient) → (text, reply markup JSON).
Render = Callable[[CampaignPeriod, ReminderSlot, Recipient], tuple[str, dict[str, object] | None]]


def key_prefix(campaign: CampaignPeriod) -> str:
    return f"reminder:{campaign.id}:"


def slots_of(campaign: CampaignPeriod, schedule: Schedule) -> list[ReminderSlot]:
    return reminder_schedule.reminder_slots(
        campaign.start_on,
        campaign.end_on,
        campaign_key=campaign.key,
        campaign_year=campaign.year,
        tz=schedule.tz,
        weekly_weekday=schedule.weekly_weekday,
        weekly_time=schedule.weekly_time,
    )


async def due(
    db: Database, now: datetime, schedule: Schedule
) -> list[tuple[CampaignPeriod, ReminderSlot, list[ReminderSlot]]]:
    """Per campaign: the slot to send now and the older due slots to skip."""
    today = now.astimezone(schedule.tz).date()
    result = []
    for campaign in await campaign_store.between(db, today - timedelta(days=1), today):
        sent = await outbox.enqueued_keys(db, key_prefix(campaign))
        ready = reminder_schedule.due_slots(
            slots_of(campaign, schedule), now=now, already_sent=sent, tz=schedule.tz
        )
        if ready:
            result.append((campaign, ready[-1], ready[:-1]))
    return result


async def recipients(db: Database, campaign: CampaignPeriod) -> list[Recipient]:
    progress = await campaign_store.progress_by_unit(db, campaign.id)
    found = []
    names: dict[int, str] = {}
    for telegram_id, branch_id, language in await people.reminder_recipients(db):
        if branch_id not in names:
            branch = await unit_store.get(db, branch_id)
            names[branch_id] = branch.name if branch else ""
        found.append(
            Recipient(
                telegram_id=telegram_id,
                language=language,
                branch_name=names[branch_id],
                progress=progress.get(branch_id, Progress(members=0, contributions=0, raised=0)),
            )
        )
    return found


async def enqueue_due(db: Database, now: datetime, schedule: Schedule, render: Render) -> int:
    """Put every due reminder in the outbox; returns how many messages were queued."""
    queued = 0
    for campaign, slot, skipped in await due(db, now, schedule):
        for old in skipped:
            await outbox.enqueue(
                db,
                kind="reminder",
                created_by=None,
                dedupe_key=key_prefix(campaign) + old.slot_key,
                messages=[],
                now=now,
                text="skipped",
            )
        people_to_remind = await recipients(db, campaign)
        messages: list[Message] = []
        for person in people_to_remind:
            text, markup = render(campaign, slot, person)
            messages.append((person.telegram_id, text, markup))
        _, created = await outbox.enqueue(
            db,
            kind="reminder",
            created_by=None,
            dedupe_key=key_prefix(campaign) + slot.slot_key,
            messages=messages,
            now=now,
            text=f"{campaign.name}: {slot.kind}",
        )
        if created:
            queued += len(messages)
    return queued
