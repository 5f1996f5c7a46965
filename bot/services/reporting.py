"""What the four reporting flows share: who may report or correct what, saving a draft once,
and changing a record together with its counters and audit line in one transaction.

Invalid input raises pydantic's `ValidationError` (turn it into codes with
`records.field_problems`); everything else that can be refused is a `ReportError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Final, TypeVar

from pydantic import BaseModel

from bot.services import campaigns, counters, scopes
from bot.services.reminder_schedule import VIETNAM_TZ
from bot.storage import people, reports
from bot.storage import units as unit_store
from bot.storage.db import Tx
from bot.storage.models import Grant, Level, Role, Unit
from bot.storage.records import (
    OPEN_NOMINATION_STATUSES,
    AwardInput,
    ContributionInput,
    MemberInput,
    Nomination,
    NominationInput,
    NominationKind,
    NominationStatus,
    ReportRecord,
    validate_input,
)
from bot.text import fold

R = TypeVar("R", bound=ReportRecord)

EDIT_WINDOW: Final = timedelta(hours=48)
"""How long reporters may correct or withdraw their own record; chairs may at any time."""

KEY_MAX = 100

COMMUNE_TITLES: Final = (
    NominationKind.CITIZEN,
    NominationKind.FAMILY,
    NominationKind.CLAN,
    NominationKind.VILLAGE_COMMUNITY,
)
"""Titles a commune chair recognises; the others need the middle level's chair (a district
chair, an area coordinator), or the province where the map has no middle level."""


class ReportError(StrEnum):
    """Why a report or a decision was refused; handlers translate each one."""

    NOT_FOUND = "not_found"
    UNKNOWN_UNIT = "unknown_unit"
    UNKNOWN_FUND = "unknown_fund"
    NOT_A_BRANCH = "not_a_branch"
    """Members join a branch (chi hội), not a commune or a unit above it."""
    WRONG_LEVEL = "wrong_level"
    """Clan and family funds belong to a branch or a commune."""
    OUT_OF_SCOPE = "out_of_scope"
    DUPLICATE = "duplicate"
    """The subject already holds or awaits this title for that year."""
    KEY_CONFLICT = "key_conflict"
    """The draft key is already used by someone else's record."""
    ALREADY_DECIDED = "already_decided"
    REASON_REQUIRED = "reason_required"
    REASON_TOO_LONG = "reason_too_long"
    WITHDRAWN = "withdrawn"
    EDIT_WINDOW_CLOSED = "edit_window_closed"


def local_today(now: datetime) -> date:
    """The association's date at `now`: what "not in the future" is checked against."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(VIETNAM_TZ).date()


def decider_role(kind: NominationKind) -> Role:
    return Role.COMMUNE_CHAIR if kind in COMMUNE_TITLES else Role.DISTRICT_CHAIR


def can_report(grants: Sequence[Grant], unit: Unit) -> bool:
    """Anyone with a role reaching the unit may report there."""
    return scopes.covers(grants, unit)


def can_decide(grants: Sequence[Grant], unit: Unit, kind: NominationKind) -> bool:
    return scopes.covers(grants, unit, minimum=decider_role(kind))


def can_correct(grants: Sequence[Grant], unit: Unit, record: ReportRecord) -> bool:
    """Chairs correct records in their scope; a title only by those who may decide it."""
    if isinstance(record, Nomination):
        return can_decide(grants, unit, record.kind)
    return scopes.covers(grants, unit, minimum=Role.COMMUNE_CHAIR)


def edit_refusal(
    grants: Sequence[Grant], actor_id: int, record: ReportRecord, unit: Unit, now: datetime
) -> ReportError | None:
    """None when the actor may edit or withdraw the record (on `unit`), else why not."""
    if record.is_withdrawn:
        return ReportError.WITHDRAWN
    if can_correct(grants, unit, record):
        return None
    if record.reporter_id != actor_id or not can_report(grants, unit):
        return ReportError.OUT_OF_SCOPE
    if now - record.created_at > EDIT_WINDOW:
        return ReportError.EDIT_WINDOW_CLOSED
    if isinstance(record, Nomination) and record.status is not NominationStatus.PENDING:
        return ReportError.ALREADY_DECIDED
    return None


@dataclass(frozen=True)
class Placement:
    """Where validated input lands: the unit that decides scope, and the columns to write."""

    unit: Unit
    columns: dict[str, Any]


async def place(
    tx: Tx, data: BaseModel, *, current_unit_id: int | None = None
) -> Placement | ReportError:
    """Resolve the input's unit (a fund's, for money); a deactivated unit takes no new
    records, but one already holding the record keeps it through an edit."""
    columns = data.model_dump()
    if isinstance(data, ContributionInput | AwardInput):
        fund = await reports.get_fund(tx, data.fund_id)
        if fund is None:
            return ReportError.UNKNOWN_FUND
        unit_id = columns["unit_id"] = fund.unit_id
    elif isinstance(data, MemberInput | NominationInput):
        unit_id = data.unit_id
    else:
        raise TypeError(f"not a report input: {type(data).__name__}")
    unit = await unit_store.get(tx, unit_id)
    if unit is None or (not unit.active and unit.id != current_unit_id):
        return ReportError.UNKNOWN_UNIT
    if isinstance(data, MemberInput):
        if unit.level is not Level.BRANCH:
            return ReportError.NOT_A_BRANCH
        columns["name_folded"] = fold(data.full_name)
    if isinstance(data, NominationInput):
        columns["subject_folded"] = fold(data.subject)
    return Placement(unit=unit, columns=columns)


async def _duplicate(
    tx: Tx, record_kind: type[ReportRecord], columns: Mapping[str, Any], excluding_id: int | None
) -> bool:
    if record_kind is not Nomination:
        return False
    found = await reports.open_nomination(
        tx,
        columns["kind"],
        columns["unit_id"],
        columns["subject_folded"],
        columns["year"],
        excluding_id=excluding_id,
    )
    return found is not None


_DATE_FIELDS = ("joined_on", "contributed_on", "awarded_on")


def _report_day(columns: Mapping[str, Any], fallback: datetime) -> date:
    """The day a report is about (a nomination: the day it was made), for campaign tagging."""
    for name in _DATE_FIELDS:
        value = columns.get(name)
        if isinstance(value, date):
            return value
    return local_today(fallback)


def _dump(record: ReportRecord) -> dict[str, Any]:
    return record.model_dump(mode="json")


async def create(
    tx: Tx,
    model: type[R],
    actor_id: int,
    data: BaseModel,
    *,
    idempotency_key: str,
    now: datetime,
) -> tuple[R, bool] | ReportError:
    """Save a validated draft once: the same key again returns the first record, unchanged."""
    if not 1 <= len(idempotency_key) <= KEY_MAX:
        raise ValueError("idempotency keys are 1..100 characters")
    existing = await reports.by_key(tx, model, idempotency_key)
    if existing is not None:
        if existing.reporter_id != actor_id:
            return ReportError.KEY_CONFLICT
        return existing, False
    placed = await place(tx, data)
    if isinstance(placed, ReportError):
        return placed
    if not can_report(await people.grants_of(tx, actor_id), placed.unit):
        return ReportError.OUT_OF_SCOPE
    if await _duplicate(tx, model, placed.columns, None):
        return ReportError.DUPLICATE
    stamp = {
        "reporter_id": actor_id,
        "created_at": now,
        "updated_at": now,
        "idempotency_key": idempotency_key,
        "campaign_id": await campaigns.tag_for(tx, _report_day(placed.columns, now)),
    }
    record = await reports.insert(tx, model, {**placed.columns, **stamp})
    await counters.move(tx, None, record)
    await people.audit(
        tx,
        actor_id=actor_id,
        action="create",
        entity=model.KIND.value,
        entity_id=record.id,
        after=_dump(record),
    )
    return record, True


async def apply_change(
    tx: Tx,
    model: type[R],
    actor_id: int,
    before: R,
    columns: Mapping[str, Any],
    *,
    action: str,
    now: datetime,
) -> R:
    """Write the change, move the counters from `before` to the result, leave an audit line."""
    after = await reports.update(tx, model, before.id, {**columns, "updated_at": now})
    await counters.move(tx, before, after)
    await people.audit(
        tx,
        actor_id=actor_id,
        action=action,
        entity=model.KIND.value,
        entity_id=before.id,
        before=_dump(before),
        after=_dump(after),
    )
    return after


async def load_for_change(
    tx: Tx, model: type[R], actor_id: int, record_id: int, now: datetime
) -> tuple[R, list[Grant]] | ReportError:
    """The record and the actor's grants, if the actor may edit or withdraw it."""
    record = await reports.get(tx, model, record_id)
    if record is None:
        return ReportError.NOT_FOUND
    grants = await people.grants_of(tx, actor_id)
    unit = await unit_store.get(tx, record.unit_id)
    assert unit is not None
    refusal = edit_refusal(grants, actor_id, record, unit, now)
    return refusal if refusal is not None else (record, grants)


async def edit(
    tx: Tx,
    model: type[R],
    actor_id: int,
    record_id: int,
    changes: Mapping[str, object],
    *,
    now: datetime,
) -> R | ReportError:
    """Apply `changes` (input fields) if the actor may edit the record as it is and will be."""
    loaded = await load_for_change(tx, model, actor_id, record_id, now)
    if isinstance(loaded, ReportError):
        return loaded
    before, grants = loaded
    data = validate_input(model.INPUT, {**before.input_data(), **changes}, today=local_today(now))
    placed = await place(tx, data, current_unit_id=before.unit_id)
    if isinstance(placed, ReportError):
        return placed
    fields = {k: v for k, v in placed.columns.items() if k in type(before).model_fields}
    if all(getattr(before, name) == value for name, value in fields.items()):
        return before  # nothing changed: no write, no audit line
    if _report_day(placed.columns, now) != _report_day(before.input_data(), before.created_at):
        placed.columns["campaign_id"] = await campaigns.tag_for(
            tx, _report_day(placed.columns, now)
        )
    refusal = edit_refusal(grants, actor_id, before.model_copy(update=fields), placed.unit, now)
    if refusal is not None:
        return refusal
    still_open = not isinstance(before, Nomination) or before.status in OPEN_NOMINATION_STATUSES
    if still_open and await _duplicate(tx, model, placed.columns, before.id):
        return ReportError.DUPLICATE
    return await apply_change(tx, model, actor_id, before, placed.columns, action="edit", now=now)


async def withdraw(
    tx: Tx, model: type[R], actor_id: int, record_id: int, *, now: datetime
) -> R | ReportError:
    """Withdrawal is a status: the row stays, its counters are taken away."""
    loaded = await load_for_change(tx, model, actor_id, record_id, now)
    if isinstance(loaded, ReportError):
        return loaded
    before, _ = loaded
    if isinstance(before, Nomination) and before.status is NominationStatus.REJECTED:
        return ReportError.ALREADY_DECIDED
    return await apply_change(
        tx, model, actor_id, before, {"status": "withdrawn"}, action="withdraw", now=now
    )
