"""Nominations for learning titles, and the chairs' decisions on them.

Citizen, family, clan and village titles are recognised by a commune chair (or any higher
chair) whose scope covers the nomination's unit; learning units and commune learning
communities by the chair of the middle level (a district chair, an area coordinator) or the
province, which recognises them itself on a map without a middle level. Who is asked, who may
decide, and why not, are answered here: handlers only ask (`deciders`, `recognised_at`,
`decidable`, `decided_above`, `decide`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from bot.services import reporting, scopes
from bot.services.reporting import ReportError
from bot.storage import notice_events, people, reports
from bot.storage import title_lists as title_list_store
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import ROLE_RANK, Grant, Level, Role, Unit
from bot.storage.notice_events import NoticeKind
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
        result = await reporting.create(
            tx, Nomination, actor_id, checked, idempotency_key=idempotency_key, now=now
        )
        if not isinstance(result, ReportError) and result[1]:
            await notice_events.add(tx, NoticeKind.NOMINATION_SUBMITTED, result[0].id, now)
        return result


DECIDER_CHAINS: Final = {
    Role.COMMUNE_CHAIR: (
        (Level.COMMUNE, Role.COMMUNE_CHAIR),
        (Level.DISTRICT, Role.DISTRICT_CHAIR),
        (Level.PROVINCE, Role.PROVINCE_ADMIN),
    ),
    Role.DISTRICT_CHAIR: (
        (Level.DISTRICT, Role.DISTRICT_CHAIR),
        (Level.PROVINCE, Role.PROVINCE_ADMIN),
    ),
}
"""Whom a new nomination is sent to, nearest first, by the role that decides its title. A
level the unit's map does not have is skipped: without a middle level, the titles a district
chair recognises go to the province."""


async def decider_units(db: Database, unit: Unit, kind: NominationKind) -> list[tuple[Unit, Role]]:
    """The units above (or at) `unit` whose chairs recognise the title there, nearest first,
    with the role they hold: `DECIDER_CHAINS` on the map the unit is on."""
    chain = [*await unit_store.ancestors(db, unit), unit]
    by_level = {u.level: u for u in chain}
    return [
        (by_level[level], role)
        for level, role in DECIDER_CHAINS[reporting.decider_role(kind)]
        if level in by_level
    ]


async def recognised_at(db: Database, nomination: Nomination) -> Unit | None:
    """The unit whose chairs recognise this nomination's title by the rule (the district or
    area above it, else the province), whoever holds the role there now."""
    unit = await unit_store.get(db, nomination.unit_id)
    found = await decider_units(db, unit, nomination.kind) if unit is not None else []
    return found[0][0] if found else None


async def deciders(db: Database, unit: Unit, kind: NominationKind) -> tuple[Unit | None, list[int]]:
    """The nearest chairs who may recognise the title, as `registration.approvers_for` does,
    and the unit they chair: the commune's chairs (the middle level's, else the province's, for
    a learning unit or a commune), else upward. (None, []) when nobody holds such a role."""
    for holder_unit, role in await decider_units(db, unit, kind):
        found = await people.holders(db, [holder_unit.id], [role])
        if found:
            return holder_unit, found
    return None, []


async def deciders_for(db: Database, unit: Unit, kind: NominationKind) -> list[int]:
    """The chairs a new nomination is sent to (`deciders`)."""
    return (await deciders(db, unit, kind))[1]


def refusal(grants: Sequence[Grant], unit: Unit, nomination: Nomination) -> ReportError | None:
    """Why these grants may not decide the nomination (on `unit`) now; None: they may."""
    if not reporting.can_decide(grants, unit, nomination.kind):
        return ReportError.OUT_OF_SCOPE
    if nomination.status is not NominationStatus.PENDING:
        return ReportError.ALREADY_DECIDED
    return None


async def decidable(db: Database, actor_id: int, nomination_id: int) -> Nomination | ReportError:
    """The nomination if this person may decide it now, else why not (the checks `decide`
    makes, in its order): a rejection's reason is asked only when it could be saved."""
    nomination = await reports.get(db, Nomination, nomination_id)
    if nomination is None:
        return ReportError.NOT_FOUND
    unit = await unit_store.get(db, nomination.unit_id)
    if unit is None:
        return ReportError.OUT_OF_SCOPE
    return refusal(await people.grants_of(db, actor_id), unit, nomination) or nomination


async def decided_above(db: Database, actor_id: int, nomination: Nomination) -> bool:
    """Whether the nomination is in this person's area but its title is one the level above
    the commune recognises and they may not (a commune chair and a learning unit): they are
    told who decides (`recognised_at`), rather than that it is out of their reach."""
    unit = await unit_store.get(db, nomination.unit_id)
    if unit is None or reporting.decider_role(nomination.kind) is not Role.DISTRICT_CHAIR:
        return False
    grants = await people.grants_of(db, actor_id)
    return scopes.covers(grants, unit) and not reporting.can_decide(grants, unit, nomination.kind)


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
        refused = refusal(await people.grants_of(tx, actor_id), unit, nomination)
        if refused is not None:
            return refused
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
        decided = await reporting.apply_change(
            tx,
            Nomination,
            actor_id,
            nomination,
            columns,
            action="recognise" if recognise else "reject",
            now=now,
        )
        await notice_events.add(tx, NoticeKind.NOMINATION_DECIDED, decided.id, now)
        return decided


def decision_reach(grants: Sequence[Grant]) -> list[tuple[str, tuple[NominationKind, ...]]]:
    """Where these grants decide which titles: (path, kinds) pairs, for the queues."""
    reach: list[tuple[str, tuple[NominationKind, ...]]] = []
    for grant in grants:
        if grant.rank >= ROLE_RANK[Role.DISTRICT_CHAIR]:
            reach.append((grant.unit.path, tuple(NominationKind)))
        elif grant.rank >= ROLE_RANK[Role.COMMUNE_CHAIR]:
            reach.append((grant.unit.path, reporting.COMMUNE_TITLES))
    return reach


async def pending_for(db: Database, actor_id: int) -> list[Nomination]:
    """The pending nominations this person may decide, oldest first; those of a list are
    decided with their list (`title_lists.pending_for`), not one by one."""
    reach = decision_reach(await people.grants_of(db, actor_id))
    found = await reports.pending_nominations(db, reach)
    listed = await title_list_store.listed(db, [nomination.id for nomination in found])
    return [nomination for nomination in found if nomination.id not in listed]
