"""Which campaign reminders are due, as pure functions of dates and a clock.

The bot persists the ``slot_key`` of every reminder it has sent; feeding those
keys back into :func:`due_slots` is what prevents a second send after a restart.
Nothing here reads the real clock: callers pass ``now``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

VIETNAM_TZ: Final = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_QUIET_START: Final = time(21, 0)
DEFAULT_QUIET_END: Final = time(7, 0)

KIND_START: Final = "start"
KIND_WEEKLY: Final = "weekly"
KIND_BEFORE_END: Final = "before_end"


@dataclass(frozen=True)
class ReminderSlot:
    """One reminder of one campaign; ``slot_key`` is unique within the campaign."""

    campaign_key: str
    campaign_year: int
    kind: str
    slot_key: str
    due: datetime  # aware, UTC


def _require_aware(moment: datetime, name: str) -> None:
    """Naive datetimes would silently be read as server-local time."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def in_quiet_hours(
    moment: datetime,
    *,
    tz: ZoneInfo = VIETNAM_TZ,
    quiet_start: time = DEFAULT_QUIET_START,
    quiet_end: time = DEFAULT_QUIET_END,
) -> bool:
    """Whether ``moment`` falls in the half-open local window [quiet_start, quiet_end).

    The window may cross midnight (21:00-07:00); equal bounds mean no quiet hours.
    """
    _require_aware(moment, "moment")
    local = moment.astimezone(tz).time()
    if quiet_start == quiet_end:
        return False
    if quiet_start < quiet_end:
        return quiet_start <= local < quiet_end
    return local >= quiet_start or local < quiet_end


def shift_out_of_quiet_hours(
    moment: datetime,
    *,
    tz: ZoneInfo = VIETNAM_TZ,
    quiet_start: time = DEFAULT_QUIET_START,
    quiet_end: time = DEFAULT_QUIET_END,
) -> datetime:
    """Move a moment inside quiet hours to the next ``quiet_end`` local time.

    Returns an aware datetime in ``tz``: the same instant when outside quiet
    hours, else ``quiet_end`` of the same local day (early-morning part of a
    window crossing midnight) or of the next local day (evening part).
    """
    local = moment.astimezone(tz)
    if not in_quiet_hours(moment, tz=tz, quiet_start=quiet_start, quiet_end=quiet_end):
        return local
    target_day = local.date()
    crosses_midnight = quiet_start > quiet_end
    if crosses_midnight and local.time() >= quiet_start:
        target_day += timedelta(days=1)
    return datetime.combine(target_day, quiet_end, tzinfo=tz)


def reminder_slots(
    start: date,
    end: date,
    *,
    campaign_key: str,
    campaign_year: int,
    tz: ZoneInfo = VIETNAM_TZ,
    weekly_weekday: int = 0,
    weekly_time: time = time(8, 0),
    start_time: time = time(8, 0),
    before_end_days: int = 3,
    quiet_start: time = DEFAULT_QUIET_START,
    quiet_end: time = DEFAULT_QUIET_END,
) -> list[ReminderSlot]:
    """All reminders of a campaign running ``start``..``end`` (inclusive), by due time.

    * ``start``: on the start day at ``start_time``.
    * ``weekly:<date>``: every ``weekly_weekday`` strictly after the start day and
      strictly before the before-end day, at ``weekly_time``.
    * ``before_end``: ``before_end_days`` before ``end`` at ``start_time``.

    Due times in quiet hours are moved to the next ``quiet_end``. Short
    campaigns are merged rather than duplicated: the before-end reminder is
    dropped when it would not come strictly after the start reminder (the
    opening message already covers it), and a weekly reminder is dropped when,
    after the quiet-hours shift, it is not strictly between those two.
    """
    if end < start:
        raise ValueError(f"campaign ends before it starts: {start} > {end}")
    if not 0 <= weekly_weekday <= 6:
        raise ValueError(f"weekly_weekday must be 0 (Monday) to 6 (Sunday), got {weekly_weekday}")
    if before_end_days < 0:
        raise ValueError(f"before_end_days must not be negative, got {before_end_days}")

    def slot(kind: str, slot_key: str, day: date, at: time) -> ReminderSlot:
        due = shift_out_of_quiet_hours(
            datetime.combine(day, at, tzinfo=tz),
            tz=tz,
            quiet_start=quiet_start,
            quiet_end=quiet_end,
        )
        return ReminderSlot(
            campaign_key=campaign_key,
            campaign_year=campaign_year,
            kind=kind,
            slot_key=slot_key,
            due=due.astimezone(UTC),
        )

    opening = slot(KIND_START, KIND_START, start, start_time)
    before_end_day = end - timedelta(days=before_end_days)
    closing: ReminderSlot | None = None
    if before_end_day > start:
        closing = slot(KIND_BEFORE_END, KIND_BEFORE_END, before_end_day, start_time)
        if closing.due <= opening.due:
            closing = None

    weekly: list[ReminderSlot] = []
    first_weekly = start + timedelta(days=(weekly_weekday - start.weekday()) % 7 or 7)
    day = first_weekly
    while day < before_end_day:
        candidate = slot(KIND_WEEKLY, f"{KIND_WEEKLY}:{day.isoformat()}", day, weekly_time)
        if candidate.due > opening.due and (closing is None or candidate.due < closing.due):
            weekly.append(candidate)
        day += timedelta(days=7)

    return [opening, *weekly, *([closing] if closing is not None else [])]


def due_slots(
    slots: Iterable[ReminderSlot],
    *,
    now: datetime,
    already_sent: set[str],
    tz: ZoneInfo = VIETNAM_TZ,
    quiet_start: time = DEFAULT_QUIET_START,
    quiet_end: time = DEFAULT_QUIET_END,
) -> list[ReminderSlot]:
    """Slots of one campaign to send at ``now``: due, not yet sent, and not in quiet hours.

    ``already_sent`` holds the ``slot_key`` values the caller has persisted for
    this campaign. Because slot keys repeat across campaigns ("start"), mixing
    campaigns would let one campaign's sent key suppress another's, so it is
    rejected. Nothing is due during quiet hours; overdue slots wait for the morning.
    """
    _require_aware(now, "now")
    slot_list = list(slots)
    campaigns = {(s.campaign_key, s.campaign_year) for s in slot_list}
    if len(campaigns) > 1:
        raise ValueError(f"due_slots expects slots of one campaign, got {sorted(campaigns)}")
    if in_quiet_hours(now, tz=tz, quiet_start=quiet_start, quiet_end=quiet_end):
        return []
    return sorted(
        (s for s in slot_list if s.due <= now and s.slot_key not in already_sent),
        key=lambda s: s.due,
    )
