"""Nominations for learning titles, and the chairs' decisions on them.

Citizen, family, clan and village titles are recognised by a commune chair (or any higher
chair) whose scope covers the nomination's unit; learning units and commune learning
communities by a district chair or the province.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.services import reporting
from bot.services.reporting import ReportError
from bot.storage import people, reports
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import ROLE_RANK, Role
from bot.storage.records import (
    NOTE_MAX,
    Nomination,
    NominationInput,
    NominationKind,
    NominationStatus,
    tidy_text,
    validate_input,
)


async def create_nomination(
    db: Database,
    actor_id: int,
    data: NominationInput | Mapping[str, Any],
    *,
    idempotency_key: str,
    now: datetime,
) -> tuple[Nomination, bool] | ReportError:
    """Nominate a subject (pending); DUPLICATE if it already holds or awaits the title that year.

    Raises `ValidationError` for input that breaks a field limit.
    """
    checked = validate_input(NominationInput, data, today=reporting.local_today(now))
    async with db.transaction() as tx:
        return await reporting.create(
            tx, Nomination, actor_id, checked, idempotency_key=idempotency_key, now=now
        )


async def decide(
    db: Database,
    nomination_id: int,
    actor_id: int,
    *,
    recognise: bool,
    reason: str | None,
    now: datetime,
) -> Nomination | ReportError:
    """Recognise or reject a pending nomination; a rejection must say why."""
    reason_text = tidy_text(reason or "")
    async with db.transaction() as tx:
        nomination = await reports.get(tx, Nomination, nomination_id)
        if nomination is None:
            return ReportError.NOT_FOUND
        unit = await unit_store.get(tx, nomination.unit_id)
        assert unit is not None
        grants = await people.grants_of(tx, actor_id)
        if not reporting.can_decide(grants, unit, nomination.kind):
            return ReportError.OUT_OF_SCOPE
        if nomination.status is not NominationStatus.PENDING:
            return ReportError.ALREADY_DECIDED
        if not recognise and not reason_text:
            return ReportError.REASON_REQUIRED
        if len(reason_text) > NOTE_MAX:
            return ReportError.REASON_TOO_LONG
        status = NominationStatus.RECOGNISED if recognise else NominationStatus.REJECTED
        columns = {
            "status": status,
            "decided_by": actor_id,
            "decided_at": now,
            "reject_reason": None if recognise else reason_text,
        }
        return await reporting.apply_change(
            tx,
            Nomination,
            actor_id,
            nomination,
            columns,
            action="recognise" if recognise else "reject",
            now=now,
        )


async def pending_for(db: Database, actor_id: int) -> list[Nomination]:
    """The pending nominations this person may decide, oldest first."""
    reach: list[tuple[str, tuple[NominationKind, ...]]] = []
    for grant in await people.grants_of(db, actor_id):
        if grant.rank >= ROLE_RANK[Role.DISTRICT_CHAIR]:
            reach.append((grant.unit.path, tuple(NominationKind)))
        elif grant.rank >= ROLE_RANK[Role.COMMUNE_CHAIR]:
            reach.append((grant.unit.path, reporting.COMMUNE_TITLES))
    return await reports.pending_nominations(db, reach)
