"""Tests for campaign reminder slots, quiet hours and restart-safe de-duplication."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services.campaign_calendar import thang_khuyen_hoc, xuan_khuyen_hoc
from bot.services.reminder_schedule import (
    ReminderSlot,
    due_slots,
    in_quiet_hours,
    reminder_slots,
    shift_out_of_quiet_hours,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN)


def october_2026() -> list[ReminderSlot]:
    window = thang_khuyen_hoc(2026)
    return reminder_slots(
        window.start, window.end, campaign_key=window.key, campaign_year=window.year, tz=VN
    )


def keys(slots: list[ReminderSlot]) -> list[str]:
    return [s.slot_key for s in slots]


# --- quiet hours ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (vn(2026, 10, 5, 20, 59), vn(2026, 10, 5, 20, 59)),
        (vn(2026, 10, 5, 21, 0), vn(2026, 10, 6, 7, 0)),
        (vn(2026, 10, 5, 23, 59), vn(2026, 10, 6, 7, 0)),
        (vn(2026, 10, 6, 0, 0), vn(2026, 10, 6, 7, 0)),
        (vn(2026, 10, 6, 3, 0), vn(2026, 10, 6, 7, 0)),
        (vn(2026, 10, 6, 6, 59), vn(2026, 10, 6, 7, 0)),
        (vn(2026, 10, 6, 7, 0), vn(2026, 10, 6, 7, 0)),
        (vn(2026, 10, 6, 12, 0), vn(2026, 10, 6, 12, 0)),
        # month end, year end, February of a common and of a leap year
        (vn(2026, 10, 31, 22, 0), vn(2026, 11, 1, 7, 0)),
        (vn(2026, 12, 31, 23, 30), vn(2027, 1, 1, 7, 0)),
        (vn(2027, 2, 28, 21, 0), vn(2027, 3, 1, 7, 0)),
        (vn(2028, 2, 28, 21, 0), vn(2028, 2, 29, 7, 0)),
    ],
)
def test_shift_out_of_quiet_hours(moment: datetime, expected: datetime) -> None:
    shifted = shift_out_of_quiet_hours(moment, tz=VN)
    assert shifted == expected
    assert shifted.utcoffset() == timedelta(hours=7)


def test_shift_reads_the_instant_in_the_given_zone() -> None:
    # 14:00 UTC is 21:00 in Vietnam; 23:59 UTC on 31 Dec is 06:59 on 1 Jan in Vietnam.
    assert shift_out_of_quiet_hours(datetime(2026, 10, 5, 14, 0, tzinfo=UTC), tz=VN) == vn(
        2026, 10, 6, 7, 0
    )
    assert shift_out_of_quiet_hours(datetime(2026, 12, 31, 23, 59, tzinfo=UTC), tz=VN) == vn(
        2027, 1, 1, 7, 0
    )
    assert shift_out_of_quiet_hours(datetime(2026, 10, 5, 13, 59, tzinfo=UTC), tz=VN) == vn(
        2026, 10, 5, 20, 59
    )


def test_quiet_window_within_one_day_and_empty_window() -> None:
    def lunch(moment: datetime) -> datetime:
        return shift_out_of_quiet_hours(
            moment, tz=VN, quiet_start=time(12, 0), quiet_end=time(13, 30)
        )

    assert lunch(vn(2026, 10, 5, 11, 59)) == vn(2026, 10, 5, 11, 59)
    assert lunch(vn(2026, 10, 5, 12, 0)) == vn(2026, 10, 5, 13, 30)
    assert lunch(vn(2026, 10, 5, 13, 30)) == vn(2026, 10, 5, 13, 30)
    never = shift_out_of_quiet_hours(
        vn(2026, 10, 5, 3, 0), tz=VN, quiet_start=time(7, 0), quiet_end=time(7, 0)
    )
    assert never == vn(2026, 10, 5, 3, 0)


def test_naive_datetimes_are_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        shift_out_of_quiet_hours(datetime(2026, 10, 5, 22, 0), tz=VN)
    with pytest.raises(ValueError, match="timezone-aware"):
        due_slots([], now=datetime(2026, 10, 5, 9, 0), already_sent=set())


# --- reminder_slots -------------------------------------------------------------------------


def test_october_2026_slots() -> None:
    slots = october_2026()
    # 1 Oct 2026 is a Thursday; the before-end day is 28 Oct (31 - 3).
    assert keys(slots) == [
        "start",
        "weekly:2026-10-05",
        "weekly:2026-10-12",
        "weekly:2026-10-19",
        "weekly:2026-10-26",
        "before_end",
    ]
    assert [s.kind for s in slots] == ["start"] + ["weekly"] * 4 + ["before_end"]
    assert slots[0].due == datetime(2026, 10, 1, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam
    assert slots[1].due == vn(2026, 10, 5, 8, 0)
    assert slots[-1].due == vn(2026, 10, 28, 8, 0)
    assert all(s.due.tzinfo is UTC for s in slots)
    assert {(s.campaign_key, s.campaign_year) for s in slots} == {("thang_khuyen_hoc", 2026)}


def test_weekly_excludes_start_day_and_before_end_day() -> None:
    # Thursday weekly: 1 Oct (start day) is excluded; 29 Oct is after the before-end day.
    slots = reminder_slots(
        date(2026, 10, 1),
        date(2026, 10, 31),
        campaign_key="k",
        campaign_year=2026,
        weekly_weekday=3,
    )
    assert keys(slots)[1:-1] == ["weekly:2026-10-08", "weekly:2026-10-15", "weekly:2026-10-22"]
    # The before-end day (12 Oct) is a Monday: no weekly that day, only before_end.
    slots = reminder_slots(date(2026, 10, 1), date(2026, 10, 15), campaign_key="k", campaign_year=1)
    assert keys(slots) == ["start", "weekly:2026-10-05", "before_end"]
    assert slots[-1].due == vn(2026, 10, 12, 8, 0)


def test_xuan_2026_slots() -> None:
    window = xuan_khuyen_hoc(2026)  # 10 Feb (Tue) to 3 Mar (Tue) 2026
    slots = reminder_slots(
        window.start, window.end, campaign_key=window.key, campaign_year=window.year
    )
    assert keys(slots) == ["start", "weekly:2026-02-16", "weekly:2026-02-23", "before_end"]
    assert slots[-1].due == vn(2026, 2, 28, 8, 0)


@pytest.mark.parametrize(
    ("end", "expected"),
    [
        (date(2026, 10, 5), ["start"]),  # one-day campaign
        (date(2026, 10, 7), ["start"]),  # before-end day would precede the start
        (date(2026, 10, 8), ["start"]),  # before-end day is the start day: merged
        (date(2026, 10, 9), ["start", "before_end"]),
        (date(2026, 10, 13), ["start", "before_end"]),  # the only Monday is the start day
        (date(2026, 10, 16), ["start", "weekly:2026-10-12", "before_end"]),
    ],
)
def test_short_campaigns_do_not_duplicate(end: date, expected: list[str]) -> None:
    slots = reminder_slots(date(2026, 10, 5), end, campaign_key="k", campaign_year=2026)
    assert keys(slots) == expected


def test_before_end_zero_days_is_on_the_end_day() -> None:
    slots = reminder_slots(
        date(2026, 10, 5),
        date(2026, 10, 6),
        campaign_key="k",
        campaign_year=2026,
        before_end_days=0,
    )
    assert keys(slots) == ["start", "before_end"]
    assert slots[-1].due == vn(2026, 10, 6, 8, 0)


def test_late_times_are_shifted_and_collisions_merged() -> None:
    # Start Sunday 4 Oct at 22:00 -> Monday 07:00; Monday's 06:00 weekly also -> 07:00: dropped.
    slots = reminder_slots(
        date(2026, 10, 4),
        date(2026, 10, 31),
        campaign_key="k",
        campaign_year=2026,
        start_time=time(22, 0),
        weekly_time=time(6, 0),
    )
    assert keys(slots)[:2] == ["start", "weekly:2026-10-12"]
    assert slots[0].due == vn(2026, 10, 5, 7, 0)
    assert slots[1].due == vn(2026, 10, 12, 7, 0)
    assert slots[-1].due == vn(2026, 10, 29, 7, 0)  # 28 Oct 22:00 -> 29 Oct 07:00


@pytest.mark.parametrize(
    "kwargs",
    [
        {"start": date(2026, 10, 2), "end": date(2026, 10, 1)},
        {"start": date(2026, 10, 1), "end": date(2026, 10, 31), "weekly_weekday": 7},
        {"start": date(2026, 10, 1), "end": date(2026, 10, 31), "before_end_days": -1},
    ],
)
def test_invalid_arguments(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        reminder_slots(campaign_key="k", campaign_year=2026, **kwargs)  # type: ignore[arg-type]


# --- due_slots ------------------------------------------------------------------------------


def test_due_slots_and_simulated_restart() -> None:
    now = vn(2026, 10, 12, 9, 0)
    sent: set[str] = set()  # stands in for the database table
    first = due_slots(october_2026(), now=now, already_sent=sent)
    assert keys(first) == ["start", "weekly:2026-10-05", "weekly:2026-10-12"]

    sent.update(["start", "weekly:2026-10-05"])  # crash before the third one was sent
    # Restart: everything is recomputed from scratch, only the sent keys survive.
    after_restart = due_slots(october_2026(), now=now, already_sent=sent)
    assert keys(after_restart) == ["weekly:2026-10-12"]

    sent.update(keys(after_restart))
    assert due_slots(october_2026(), now=now + timedelta(hours=1), already_sent=sent) == []
    later = due_slots(october_2026(), now=vn(2026, 10, 31, 12, 0), already_sent=sent)
    assert keys(later) == ["weekly:2026-10-19", "weekly:2026-10-26", "before_end"]


def test_due_slots_boundaries() -> None:
    slots = october_2026()
    assert due_slots(slots, now=vn(2026, 10, 1, 7, 59), already_sent=set()) == []
    assert keys(due_slots(slots, now=vn(2026, 10, 1, 8, 0), already_sent=set())) == ["start"]
    assert due_slots(slots, now=vn(2026, 9, 1, 8, 0), already_sent=set()) == []


def test_due_slots_hold_back_during_quiet_hours() -> None:
    slots = october_2026()
    assert due_slots(slots, now=vn(2026, 10, 5, 21, 0), already_sent=set()) == []
    assert due_slots(slots, now=vn(2026, 10, 6, 6, 59), already_sent=set()) == []
    morning = due_slots(slots, now=vn(2026, 10, 6, 7, 0), already_sent=set())
    assert keys(morning) == ["start", "weekly:2026-10-05"]
    evening = due_slots(slots, now=vn(2026, 10, 5, 20, 59), already_sent=set())
    assert keys(evening) == ["start", "weekly:2026-10-05"]


def test_due_slots_reject_mixed_campaigns() -> None:
    xuan = xuan_khuyen_hoc(2026)
    mixed = october_2026() + reminder_slots(
        xuan.start, xuan.end, campaign_key=xuan.key, campaign_year=xuan.year
    )
    with pytest.raises(ValueError, match="one campaign"):
        due_slots(mixed, now=vn(2026, 11, 1, 9, 0), already_sent=set())


# --- properties -----------------------------------------------------------------------------

ZONES = [VN, ZoneInfo("UTC"), ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")]
minute_times = st.builds(time, st.integers(0, 23), st.integers(0, 59))


@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 1, 1)),
    length=st.integers(0, 120),
    weekly_weekday=st.integers(0, 6),
    weekly_time=minute_times,
    start_time=minute_times,
    before_end_days=st.integers(0, 10),
    tz=st.sampled_from(ZONES),
)
def test_slots_never_in_quiet_hours_and_keys_unique(
    start: date,
    length: int,
    weekly_weekday: int,
    weekly_time: time,
    start_time: time,
    before_end_days: int,
    tz: ZoneInfo,
) -> None:
    end = start + timedelta(days=length)
    slots = reminder_slots(
        start,
        end,
        campaign_key="k",
        campaign_year=start.year,
        tz=tz,
        weekly_weekday=weekly_weekday,
        weekly_time=weekly_time,
        start_time=start_time,
        before_end_days=before_end_days,
    )
    assert slots[0].slot_key == "start"
    assert all(not in_quiet_hours(s.due, tz=tz) for s in slots)
    assert len({s.slot_key for s in slots}) == len(slots)
    assert all(b.due > a.due for a, b in pairwise(slots))
    assert all(s.due.utcoffset() == timedelta(0) for s in slots)
    for s in slots:
        if s.kind == "weekly":
            day = date.fromisoformat(s.slot_key.removeprefix("weekly:"))
            assert day.weekday() == weekly_weekday and start < day < end


@given(
    moment=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
    ),
    quiet_start=minute_times,
    quiet_end=minute_times,
)
def test_shift_lands_outside_quiet_hours_and_never_earlier(
    moment: datetime, quiet_start: time, quiet_end: time
) -> None:
    def quiet(m: datetime) -> bool:
        return in_quiet_hours(m, tz=VN, quiet_start=quiet_start, quiet_end=quiet_end)

    shifted = shift_out_of_quiet_hours(moment, tz=VN, quiet_start=quiet_start, quiet_end=quiet_end)
    assert not quiet(shifted)
    assert moment <= shifted < moment + timedelta(days=1)
    if not quiet(moment):
        assert shifted == moment


@given(
    now=st.datetimes(
        min_value=datetime(2026, 9, 25), max_value=datetime(2026, 11, 5), timezones=st.just(VN)
    ),
    sent_mask=st.lists(st.booleans(), min_size=6, max_size=6),
)
def test_due_slots_never_resend(now: datetime, sent_mask: list[bool]) -> None:
    slots = october_2026()
    sent = {s.slot_key for s, is_sent in zip(slots, sent_mask, strict=True) if is_sent}
    due = due_slots(slots, now=now, already_sent=sent)
    assert all(s.due <= now and s.slot_key not in sent for s in due)
    if due:
        assert not in_quiet_hours(now)
        # After sending these, a restart at the same instant finds nothing more.
        assert due_slots(slots, now=now, already_sent=sent | set(keys(due))) == []
