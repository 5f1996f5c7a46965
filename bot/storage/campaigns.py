"""The campaign table: yearly defaults and the province's own campaigns."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from bot.storage.db import Database, Tx

DEFAULT_KEYS = ("thang_khuyen_hoc", "xuan_khuyen_hoc")
CUSTOM = "custom"


class CampaignPeriod(BaseModel):
    """One run of a campaign, dates inclusive."""

    model_config = ConfigDict(frozen=True)

    id: int
    key: str
    year: int
    name: str
    start_on: date
    end_on: date

    def covers(self, day: date) -> bool:
        return self.start_on <= day <= self.end_on


_COLUMNS = "id, key, year, name, start_on, end_on"


def _period(row: Any) -> CampaignPeriod:
    return CampaignPeriod.model_validate(dict(row))


async def get(db: Database | Tx, campaign_id: int) -> CampaignPeriod | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM campaign WHERE id = ?", (campaign_id,))
    return _period(row) if row else None


async def covering(db: Database | Tx, day: date) -> list[CampaignPeriod]:
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM campaign WHERE start_on <= ? AND end_on >= ? "
        "ORDER BY start_on, id",
        (day.isoformat(), day.isoformat()),
    )
    return [_period(row) for row in rows]


async def between(db: Database | Tx, first: date, last: date) -> list[CampaignPeriod]:
    """Campaigns overlapping [first, last], in date order."""
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM campaign WHERE end_on >= ? AND start_on <= ? "
        "ORDER BY start_on, id",
        (first.isoformat(), last.isoformat()),
    )
    return [_period(row) for row in rows]


async def insert_default(tx: Tx, key: str, year: int, name: str, start: date, end: date) -> bool:
    """Seed a yearly default once; False if that year's was already there (maybe edited)."""
    changed = await tx.rowcount(
        "INSERT INTO campaign (key, year, name, start_on, end_on) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        (key, year, name, start.isoformat(), end.isoformat()),
    )
    return changed == 1


async def insert_custom(
    tx: Tx, name: str, start: date, end: date, created_by: int
) -> CampaignPeriod:
    campaign_id = await tx.execute(
        "INSERT INTO campaign (key, year, name, start_on, end_on, created_by) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (CUSTOM, start.year, name, start.isoformat(), end.isoformat(), created_by),
    )
    found = await get(tx, campaign_id)
    assert found is not None
    return found


async def update_dates(tx: Tx, campaign_id: int, start: date, end: date) -> None:
    await tx.execute(
        "UPDATE campaign SET start_on = ?, end_on = ? WHERE id = ?",
        (start.isoformat(), end.isoformat(), campaign_id),
    )


# The day each kind of report is about, as SQL over its row (a nomination: the local day it was
# made; the association's time zone is Vietnam's, UTC+7 all year).
_REPORT_DAYS = {
    "member": "joined_on",
    "contribution": "contributed_on",
    "award": "awarded_on",
    "nomination": "date(created_at, '+7 hours')",
}


async def retag(tx: Tx, first: date, last: date) -> int:
    """Give every report dated `first`..`last` the campaign that covers its day now (the
    earliest-starting of overlapping ones, as when it was filed), so a campaign created or
    moved after the fact counts what was reported inside it. Returns how many rows changed."""
    changed = 0
    for table, day in _REPORT_DAYS.items():
        covering_now = (
            f"(SELECT c.id FROM campaign c WHERE c.start_on <= {day} AND c.end_on >= {day} "
            "ORDER BY c.start_on, c.id LIMIT 1)"
        )
        changed += await tx.rowcount(
            f"UPDATE {table} SET campaign_id = {covering_now} "
            f"WHERE {day} BETWEEN ? AND ? AND campaign_id IS NOT {covering_now}",
            (first.isoformat(), last.isoformat()),
        )
    return changed


class Progress(BaseModel):
    """Active reports tagged with a campaign under one unit: for reminders and /stats."""

    members: int
    contributions: int
    raised: int


async def progress(db: Database | Tx, campaign_id: int, unit_path: str) -> Progress:
    like = unit_path + "%"
    members = await db.fetchone(
        "SELECT count(*) FROM member m JOIN unit u ON u.id = m.unit_id "
        "WHERE m.campaign_id = ? AND m.status = 'active' AND u.path LIKE ?",
        (campaign_id, like),
    )
    money = await db.fetchone(
        "SELECT count(*), coalesce(sum(c.amount), 0) FROM contribution c "
        "JOIN unit u ON u.id = c.unit_id "
        "WHERE c.campaign_id = ? AND c.status = 'active' AND u.path LIKE ?",
        (campaign_id, like),
    )
    return Progress(
        members=int(members[0]) if members else 0,
        contributions=int(money[0]) if money else 0,
        raised=int(money[1]) if money else 0,
    )


async def progress_by_unit(db: Database | Tx, campaign_id: int) -> dict[int, Progress]:
    """Each unit's own tagged reports in a campaign, in two grouped reads (for reminders)."""
    found: dict[int, dict[str, int]] = {}
    for unit_id, count in await db.fetchall(
        "SELECT unit_id, count(*) FROM member WHERE campaign_id = ? AND status = 'active' "
        "GROUP BY unit_id",
        (campaign_id,),
    ):
        found.setdefault(int(unit_id), {})["members"] = int(count)
    for unit_id, count, raised in await db.fetchall(
        "SELECT unit_id, count(*), coalesce(sum(amount), 0) FROM contribution "
        "WHERE campaign_id = ? AND status = 'active' GROUP BY unit_id",
        (campaign_id,),
    ):
        entry = found.setdefault(int(unit_id), {})
        entry.update(contributions=int(count), raised=int(raised))
    return {
        unit_id: Progress(
            members=entry.get("members", 0),
            contributions=entry.get("contributions", 0),
            raised=entry.get("raised", 0),
        )
        for unit_id, entry in found.items()
    }
