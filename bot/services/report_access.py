"""A reporter's own recent records, and correcting or withdrawing any record.

Reporters may edit or withdraw their own record for `EDIT_WINDOW` (48 hours) after saving it,
a nomination only while it is pending; chairs (commune chair and up) whose scope covers the
record's unit may correct it at any time, a nomination only if they may decide its title.
Nothing is deleted: withdrawal is a status. Each change moves the statistics counters and
leaves an audit line in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.services import reporting, scopes
from bot.services.reporting import EDIT_WINDOW, ReportError
from bot.storage import people, reports
from bot.storage import units as unit_store
from bot.storage.db import Database, from_db_time
from bot.storage.models import Role
from bot.storage.records import (
    RECORD_MODELS,
    AnyRecord,
    Award,
    Contribution,
    Member,
    Nomination,
    ReportKind,
    ReportRecord,
)

__all__ = [
    "EDIT_WINDOW",
    "ReportPage",
    "ReportSummary",
    "can_edit",
    "edit_award",
    "edit_contribution",
    "edit_member",
    "edit_nomination",
    "edit_refusal",
    "get_record",
    "my_reports",
    "report_page",
    "visible_record",
    "withdraw",
]


@dataclass(frozen=True)
class ReportSummary:
    """One line of "my reports"; `category` is the title, campaign or award reason."""

    kind: ReportKind
    id: int
    label: str
    category: str | None
    amount: int | None
    unit_id: int
    status: str
    created_at: datetime


def _summary(row: reports.SummaryRow) -> ReportSummary:
    return ReportSummary(
        kind=row.kind,
        id=row.id,
        label=row.label,
        category=row.category,
        amount=row.amount,
        unit_id=row.unit_id,
        status=row.status,
        created_at=from_db_time(row.created_at),
    )


async def my_reports(db: Database, actor_id: int, limit: int = 10) -> list[ReportSummary]:
    """The person's latest records of all four kinds, newest first, withdrawn ones included."""
    return [_summary(row) for row in await reports.latest_of_reporter(db, actor_id, limit)]


@dataclass(frozen=True)
class ReportPage:
    """One page of "my reports", newest first, whether there are pages on either side, and
    its number (1: the newest), counted from where its first report stands now."""

    reports: list[ReportSummary]
    newer: bool
    older: bool
    number: int


async def report_page(
    db: Database,
    actor_id: int,
    *,
    limit: int = 10,
    older_than: tuple[ReportKind, int] | None = None,
    newer_than: tuple[ReportKind, int] | None = None,
) -> ReportPage:
    """The `limit` reports just older (or newer) than one of the person's own reports, named
    by its kind and number; without one, or when it is not theirs, the latest."""
    named = older_than or newer_than
    key = await reports.report_key(db, actor_id, *named) if named is not None else None
    if key is None:
        rows = await reports.reports_of_reporter(db, actor_id, limit + 1)
        page, older = rows[:limit], len(rows) > limit
    elif older_than is not None:
        rows = await reports.reports_of_reporter(db, actor_id, limit + 1, older_than=key)
        page, older = rows[:limit], len(rows) > limit
    else:
        rows = await reports.reports_of_reporter(db, actor_id, limit + 1, newer_than=key)
        page, older = rows[-limit:], True
    if not page and key is not None:
        return await report_page(db, actor_id, limit=limit)  # nothing beyond it: the latest
    before = (
        await reports.count_newer(
            db, actor_id, (page[0].created_at, page[0].id, page[0].kind.value)
        )
        if page
        else 0
    )
    return ReportPage(
        [_summary(row) for row in page],
        newer=before > 0,
        older=older,
        number=-(-before // limit) + 1,  # a page after a partial one counts it whole
    )


async def get_record(db: Database, kind: ReportKind, record_id: int) -> AnyRecord | None:
    return await reports.get(db, RECORD_MODELS[kind], record_id)


async def visible_record(
    db: Database, actor_id: int, kind: ReportKind, record_id: int
) -> AnyRecord | None:
    """The record if this person may look at it: reporters their own, chairs (commune chair
    and up) any in their scope; None also when there is no such record, so a number tried
    outside one's scope tells nothing."""
    record = await get_record(db, kind, record_id)
    if record is None or record.reporter_id == actor_id:
        return record
    unit = await unit_store.get(db, record.unit_id)
    grants = await people.grants_of(db, actor_id)
    if unit is None or not scopes.covers(grants, unit, minimum=Role.COMMUNE_CHAIR):
        return None
    return record


async def edit_refusal(
    db: Database, actor_id: int, record: ReportRecord, now: datetime
) -> ReportError | None:
    """Why the actor may not edit or withdraw the record now (None: they may)."""
    unit = await unit_store.get(db, record.unit_id)
    if unit is None:
        return ReportError.UNKNOWN_UNIT
    grants = await people.grants_of(db, actor_id)
    return reporting.edit_refusal(grants, actor_id, record, unit, now)


async def can_edit(db: Database, actor_id: int, record: ReportRecord, now: datetime) -> bool:
    """Whether to offer the edit and withdraw buttons; the edit itself checks again."""
    return await edit_refusal(db, actor_id, record, now) is None


async def edit_member(
    db: Database, actor_id: int, member_id: int, changes: Mapping[str, object], *, now: datetime
) -> Member | ReportError:
    """Change some input fields; raises `ValidationError` if the result breaks a limit."""
    async with db.transaction() as tx:
        return await reporting.edit(tx, Member, actor_id, member_id, changes, now=now)


async def edit_nomination(
    db: Database,
    actor_id: int,
    nomination_id: int,
    changes: Mapping[str, object],
    *,
    now: datetime,
) -> Nomination | ReportError:
    """Change some input fields (not the decision); DUPLICATE if it would collide."""
    async with db.transaction() as tx:
        return await reporting.edit(tx, Nomination, actor_id, nomination_id, changes, now=now)


async def edit_contribution(
    db: Database,
    actor_id: int,
    contribution_id: int,
    changes: Mapping[str, object],
    *,
    now: datetime,
) -> Contribution | ReportError:
    """Change some input fields; a new fund moves the record (and its counts) to its unit."""
    async with db.transaction() as tx:
        return await reporting.edit(tx, Contribution, actor_id, contribution_id, changes, now=now)


async def edit_award(
    db: Database, actor_id: int, award_id: int, changes: Mapping[str, object], *, now: datetime
) -> Award | ReportError:
    """Change some input fields; a new fund moves the record (and its counts) to its unit."""
    async with db.transaction() as tx:
        return await reporting.edit(tx, Award, actor_id, award_id, changes, now=now)


async def withdraw(
    db: Database, actor_id: int, kind: ReportKind, record_id: int, *, now: datetime
) -> AnyRecord | ReportError:
    """Mark a record withdrawn; its counts are taken away (a title from pending or
    recognised, whichever it was). A rejected nomination cannot be withdrawn."""
    model = RECORD_MODELS[kind]
    async with db.transaction() as tx:
        return await reporting.withdraw(tx, model, actor_id, record_id, now=now)
