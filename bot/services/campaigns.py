"""Campaigns in the database: yearly defaults seeded from the lunar calendar, the province's
own campaigns, their dates edited or ended by the province admin, and which campaign a
report made on a given day belongs to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from bot.services import campaign_calendar, outbox, reminder_schedule, reminders
from bot.storage import campaigns as campaign_store
from bot.storage import people
from bot.storage.campaigns import CampaignPeriod, Progress
from bot.storage.db import Database, Tx
from bot.storage.models import Level, Role


class CampaignProblem(StrEnum):
    NOT_ALLOWED = "not_allowed"
    NOT_FOUND = "not_found"
    END_BEFORE_START = "end_before_start"
    TOO_LONG = "too_long"
    ALREADY_OVER = "already_over"
    NOT_STARTED = "not_started"


MAX_DAYS = 366


async def ensure_defaults(db: Database, years: range) -> int:
    """Seed Tháng and Xuân Khuyến học for these years (once each); returns how many were new."""
    added = 0
    async with db.transaction() as tx:
        for year in years:
            for window in campaign_calendar.default_campaigns(year):
                name = campaign_calendar.CAMPAIGN_NAMES[window.key]
                if await campaign_store.insert_default(
                    tx, window.key, window.year, name, window.start, window.end
                ):
                    added += 1
    return added


async def tag_for(tx: Database | Tx, day: date) -> int | None:
    """The campaign a report dated `day` counts for (the earliest-starting if two overlap)."""
    found = await campaign_store.covering(tx, day)
    return found[0].id if found else None


async def _is_admin(db: Database, actor_id: int) -> bool:
    grants = await people.grants_of(db, actor_id)
    return any(g.role is Role.PROVINCE_ADMIN and g.unit.level is Level.PROVINCE for g in grants)


def check_dates(start: date, end: date) -> CampaignProblem | None:
    """What is wrong with a campaign running `start`..`end`, if anything."""
    if end < start:
        return CampaignProblem.END_BEFORE_START
    if (end - start).days >= MAX_DAYS:
        return CampaignProblem.TOO_LONG
    return None


async def add(
    db: Database, actor_id: int, name: str, start: date, end: date
) -> CampaignPeriod | CampaignProblem:
    if not await _is_admin(db, actor_id):
        return CampaignProblem.NOT_ALLOWED
    problem = check_dates(start, end)
    if problem is not None:
        return problem
    async with db.transaction() as tx:
        created = await campaign_store.insert_custom(tx, name, start, end, actor_id)
        await campaign_store.retag(tx, start, end)
        await people.audit(
            tx,
            actor_id=actor_id,
            action="create",
            entity="campaign",
            entity_id=created.id,
            after=created.model_dump(mode="json"),
        )
    return created


async def change_dates(
    db: Database, actor_id: int, campaign_id: int, start: date, end: date
) -> CampaignPeriod | CampaignProblem:
    if not await _is_admin(db, actor_id):
        return CampaignProblem.NOT_ALLOWED
    problem = check_dates(start, end)
    if problem is not None:
        return problem
    async with db.transaction() as tx:
        before = await campaign_store.get(tx, campaign_id)
        if before is None:
            return CampaignProblem.NOT_FOUND
        await campaign_store.update_dates(tx, campaign_id, start, end)
        await campaign_store.retag(tx, min(start, before.start_on), max(end, before.end_on))
        after = await campaign_store.get(tx, campaign_id)
        assert after is not None
        await people.audit(
            tx,
            actor_id=actor_id,
            action="edit",
            entity="campaign",
            entity_id=campaign_id,
            before=before.model_dump(mode="json"),
            after=after.model_dump(mode="json"),
        )
    return after


async def end_now(
    db: Database, actor_id: int, campaign_id: int, today: date
) -> CampaignPeriod | CampaignProblem:
    """End a running campaign today (reminders stop; what was reported stays tagged)."""
    current = await campaign_store.get(db, campaign_id)
    if current is None:
        return CampaignProblem.NOT_FOUND
    if current.end_on < today:
        return CampaignProblem.ALREADY_OVER
    if current.start_on > today:
        return CampaignProblem.NOT_STARTED
    return await change_dates(db, actor_id, campaign_id, current.start_on, today)


@dataclass(frozen=True)
class Preview:
    """What saving a campaign's dates would do, shown before it is saved."""

    overlaps: tuple[CampaignPeriod, ...]
    """Other campaigns running on some of the same days."""
    recipients: int
    """People who get its reminders (volunteers and chairs with reminders on)."""
    first_reminder: datetime | None
    """When its first reminder goes out (`now` when one is already due); None: none will."""
    reminders: int
    """How many reminders are still to come."""


async def preview(
    db: Database,
    start: date,
    end: date,
    *,
    now: datetime,
    schedule: reminders.Schedule,
    campaign_id: int | None = None,
) -> Preview:
    """Overlapping campaigns, and who would be reminded when, if `campaign_id` (None: a new
    campaign) ran `start`..`end`: what the administrator confirms before anything is sent."""
    overlaps = tuple(c for c in await campaign_store.between(db, start, end) if c.id != campaign_id)
    draft = CampaignPeriod(
        id=campaign_id or 0,
        key=campaign_store.CUSTOM,
        year=start.year,
        name="",
        start_on=start,
        end_on=end,
    )
    sent = await outbox.enqueued_keys(db, reminders.key_prefix(draft)) if campaign_id else set()
    today = now.astimezone(schedule.tz).date()
    # The reminder job looks at campaigns running today or yesterday only; of the slots already
    # due it sends the newest one at once (after quiet hours), and skips the older ones.
    pending = [
        slot
        for slot in reminders.slots_of(draft, schedule)
        if slot.slot_key not in sent and end >= today - timedelta(days=1)
    ]
    overdue = any(slot.due <= now for slot in pending)
    later = [slot for slot in pending if slot.due > now]
    if overdue:
        first: datetime | None = reminder_schedule.shift_out_of_quiet_hours(now, tz=schedule.tz)
    else:
        first = later[0].due if later else None
    count = int(overdue) + len(later)
    people_count = len(await people.reminder_recipients(db)) if count else 0
    return Preview(overlaps, people_count, first, count)


async def can_manage(db: Database, actor_id: int) -> bool:
    return await _is_admin(db, actor_id)


async def progress(db: Database, campaign_id: int, unit_path: str) -> Progress:
    """What a unit (and everything under it) reported during a campaign."""
    return await campaign_store.progress(db, campaign_id, unit_path)
