"""What a chair is told of a map change (`NoticeKind.MAP_CHANGED`, docs/map-change.md).

`map_change.apply` writes one event per map change; its notices are read here, one per person:
a chair of two ended communes hears once, of both. Each grant the change moved with its unit
to the successor, or left on its ended unit (which its holder still reads for the years
before), is read again as the database stands when the notice is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.services import branch_placing
from bot.storage import map_changes as map_store
from bot.storage import units as unit_store
from bot.storage.db import Database, Tx
from bot.storage.models import CHAIR_ROLES, Role, Unit


@dataclass(frozen=True)
class ChangedScope:
    """One grant a map change touched: its unit ended and the grant stayed on it (`moved`
    False, `successors` where it went), or the grant moved with it to `unit` (from
    `former`)."""

    role: Role
    moved: bool
    unit: Unit
    former: Unit | None
    successors: tuple[Unit, ...]


@dataclass(frozen=True)
class ScopeNotice:
    """What one person is told of one map change: every chair grant of theirs it touched."""

    telegram_id: int
    effective: date
    scopes: tuple[ChangedScope, ...]
    to_place: int
    """Provisional branches waiting for this person to place them (a province admin)."""


async def scope_notices(db: Database | Tx, change_id: int) -> list[ScopeNotice]:
    """The notices of one map change, one per person, by Telegram id; nobody is told of a
    grant taken away since, or whose unit is neither ended nor a successor."""
    change = await map_store.map_change(db, change_id)
    if change is None:
        return []
    grant_ids = [*change.summary.get("grants_moved", []), *change.summary.get("grants_kept", [])]
    by_person: dict[int, list[ChangedScope]] = {}
    for grant_id in dict.fromkeys(int(found) for found in grant_ids):
        changed = await _changed_scope(db, grant_id)
        if changed is not None:
            telegram_id, scope = changed
            by_person.setdefault(telegram_id, []).append(scope)
    notices = []
    for telegram_id in sorted(by_person):
        scopes = by_person[telegram_id]
        places = any(s.role is Role.PROVINCE_ADMIN and s.unit.in_force for s in scopes)
        to_place = await branch_placing.provisional_count(db, telegram_id) if places else 0
        notices.append(ScopeNotice(telegram_id, change.effective, tuple(scopes), to_place))
    return notices


async def _changed_scope(db: Database | Tx, grant_id: int) -> tuple[int, ChangedScope] | None:
    grant = await map_store.grant(db, grant_id)
    unit = await unit_store.get(db, grant.unit_id) if grant else None
    if grant is None or unit is None or grant.role not in CHAIR_ROLES:
        return None
    if not unit.in_force:
        successors = []
        for successor_id, _ in await map_store.successor_ids(db, unit.id):
            successor = await unit_store.get(db, successor_id)
            if successor is not None:
                successors.append(successor)
        return grant.telegram_id, ChangedScope(grant.role, False, unit, None, tuple(successors))
    for former_id in await map_store.predecessor_ids(db, unit.id):
        former = await unit_store.get(db, former_id)
        if former is not None and former.level is unit.level and former.valid_to is not None:
            return grant.telegram_id, ChangedScope(grant.role, True, unit, former, ())
    return None
