"""Users, their role grants, invites and registration requests."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.storage import units
from bot.storage.db import Database, Tx, from_db_time, to_db_time
from bot.storage.models import (
    Grant,
    Invite,
    RegistrationRequest,
    RequestStatus,
    Role,
    Unit,
    UnitKind,
    User,
)


def _user(row: Any) -> User:
    return User(
        telegram_id=row["telegram_id"],
        full_name=row["full_name"],
        language=row["language"],
        reachable=bool(row["reachable"]),
        reminders=bool(row["reminders"]),
    )


async def get_user(db: Database | Tx, telegram_id: int) -> User | None:
    row = await db.fetchone(
        "SELECT telegram_id, full_name, language, reachable, reminders FROM app_user "
        "WHERE telegram_id = ?",
        (telegram_id,),
    )
    return _user(row) if row else None


async def ensure_user(tx: Tx, telegram_id: int, *, language: str | None = None) -> None:
    await tx.execute(
        "INSERT INTO app_user (telegram_id, language) VALUES (?, coalesce(?, 'vi')) "
        "ON CONFLICT (telegram_id) DO NOTHING",
        (telegram_id, language),
    )


async def set_full_name(tx: Tx, telegram_id: int, full_name: str) -> None:
    await tx.execute(
        "UPDATE app_user SET full_name = ? WHERE telegram_id = ?", (full_name, telegram_id)
    )


async def set_language(db: Database, telegram_id: int, language: str) -> None:
    async with db.transaction() as tx:
        await ensure_user(tx, telegram_id, language=language)
        await tx.execute(
            "UPDATE app_user SET language = ? WHERE telegram_id = ?", (language, telegram_id)
        )


async def set_reminders(db: Database, telegram_id: int, wanted: bool) -> None:
    await db.execute(
        "UPDATE app_user SET reminders = ? WHERE telegram_id = ?", (int(wanted), telegram_id)
    )


async def set_reachable(db: Database, telegram_id: int, reachable: bool) -> None:
    await db.execute(
        "UPDATE app_user SET reachable = ? WHERE telegram_id = ?", (int(reachable), telegram_id)
    )


_GRANT_SQL = (
    f"SELECT g.id AS grant_id, g.telegram_id, g.role, {units.columns('u')} "
    "FROM role_grant g JOIN unit u ON u.id = g.unit_id "
)


def _grant(row: Any) -> Grant:
    return Grant(
        id=row["grant_id"],
        telegram_id=row["telegram_id"],
        role=Role(row["role"]),
        unit=units.from_row(row),
    )


async def grants_of(db: Database | Tx, telegram_id: int) -> list[Grant]:
    """The person's grants, each with its whole unit: an ended one says so (`valid_to`)."""
    rows = await db.fetchall(_GRANT_SQL + "WHERE g.telegram_id = ? ORDER BY g.id", (telegram_id,))
    return [_grant(row) for row in rows]


async def add_grant(
    tx: Tx, telegram_id: int, role: Role, unit_id: int, *, granted_by: int | None
) -> int:
    await tx.execute(
        "INSERT INTO role_grant (telegram_id, role, unit_id, granted_by) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (telegram_id, role, unit_id) DO NOTHING",
        (telegram_id, role.value, unit_id, granted_by),
    )
    row = await tx.fetchone(
        "SELECT id FROM role_grant WHERE telegram_id = ? AND role = ? AND unit_id = ?",
        (telegram_id, role.value, unit_id),
    )
    assert row is not None
    return int(row[0])


async def holders(db: Database | Tx, unit_ids: Sequence[int], roles: Sequence[Role]) -> list[int]:
    """Telegram ids holding one of `roles` exactly on one of `unit_ids`, reachable ones only."""
    if not unit_ids or not roles:
        return []
    sql = (
        "SELECT DISTINCT g.telegram_id FROM role_grant g JOIN app_user a USING (telegram_id) "
        f"WHERE a.reachable = 1 AND g.unit_id IN ({','.join('?' * len(unit_ids))}) "
        f"AND g.role IN ({','.join('?' * len(roles))}) ORDER BY g.telegram_id"
    )
    rows = await db.fetchall(sql, [*unit_ids, *(role.value for role in roles)])
    return [int(row[0]) for row in rows]


def _invite(row: Any) -> Invite:
    return Invite(
        code=row["code"],
        role=Role(row["role"]),
        unit_id=row["unit_id"],
        created_by=row["created_by"],
        created_at=from_db_time(row["created_at"]),
        expires_at=from_db_time(row["expires_at"]),
        used_by=row["used_by"],
        used_at=from_db_time(row["used_at"]) if row["used_at"] else None,
        full_name=row["full_name"],
    )


async def insert_invite(tx: Tx, invite: Invite) -> None:
    await tx.execute(
        "INSERT INTO invite (code, role, unit_id, created_by, created_at, expires_at, full_name) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            invite.code,
            invite.role.value,
            invite.unit_id,
            invite.created_by,
            to_db_time(invite.created_at),
            to_db_time(invite.expires_at),
            invite.full_name,
        ),
    )


async def get_invite(db: Database | Tx, code: str) -> Invite | None:
    row = await db.fetchone("SELECT * FROM invite WHERE code = ?", (code,))
    return _invite(row) if row else None


async def claim_invite(tx: Tx, code: str, telegram_id: int, now: datetime) -> bool:
    """Mark an invite used by this person; False if it was used or expired meanwhile."""
    changed = await tx.rowcount(
        "UPDATE invite SET used_by = ?, used_at = ? "
        "WHERE code = ? AND used_by IS NULL AND expires_at > ?",
        (telegram_id, to_db_time(now), code, to_db_time(now)),
    )
    return changed == 1


def _request(row: Any) -> RegistrationRequest:
    return RegistrationRequest(
        id=row["id"],
        telegram_id=row["telegram_id"],
        full_name=row["full_name"],
        unit_id=row["unit_id"],
        status=RequestStatus(row["status"]),
        requested_at=from_db_time(row["requested_at"]),
        decided_by=row["decided_by"],
        decided_at=from_db_time(row["decided_at"]) if row["decided_at"] else None,
        proposed_branch_name=row["proposed_branch_name"],
        proposed_branch_kind=(
            UnitKind(row["proposed_branch_kind"]) if row["proposed_branch_kind"] else None
        ),
        branch_created=bool(row["branch_created"]),
    )


async def pending_request_of(db: Database | Tx, telegram_id: int) -> RegistrationRequest | None:
    row = await db.fetchone(
        "SELECT * FROM registration_request WHERE telegram_id = ? AND status = 'pending'",
        (telegram_id,),
    )
    return _request(row) if row else None


async def get_request(db: Database | Tx, request_id: int) -> RegistrationRequest | None:
    row = await db.fetchone("SELECT * FROM registration_request WHERE id = ?", (request_id,))
    return _request(row) if row else None


async def insert_request(
    tx: Tx,
    telegram_id: int,
    full_name: str,
    unit_id: int,
    now: datetime,
    *,
    proposed_name: str | None = None,
    proposed_kind: UnitKind | None = None,
) -> int:
    """A request for the branch `unit_id`, or (with a proposed name and kind) for a branch of
    the commune `unit_id` that is not in the list yet."""
    return await tx.execute(
        "INSERT INTO registration_request (telegram_id, full_name, unit_id, requested_at, "
        "proposed_branch_name, proposed_branch_kind) VALUES (?, ?, ?, ?, ?, ?)",
        (
            telegram_id,
            full_name,
            unit_id,
            to_db_time(now),
            proposed_name,
            proposed_kind.value if proposed_kind else None,
        ),
    )


async def settle_request_branch(
    tx: Tx, request_id: int, branch_id: int, *, branch_created: bool
) -> None:
    """A proposal approved: the request names the branch it was approved on (created from
    the proposal, or one the chair chose); the proposal stays as it was written."""
    await tx.execute(
        "UPDATE registration_request SET unit_id = ?, branch_created = ? WHERE id = ?",
        (branch_id, int(branch_created), request_id),
    )


async def reopen_request(
    tx: Tx, request_id: int, unit_id: int, *, clear_proposal: bool = False
) -> bool:
    """A decision undone: the approved or rejected request waits again, for `unit_id` (the
    commune again for a proposal); `clear_proposal` when the branch it proposed now exists.
    False if it is not decided (any more)."""
    changed = await tx.rowcount(
        "UPDATE registration_request SET status = 'pending', decided_by = NULL, "
        "decided_at = NULL, unit_id = ?, branch_created = 0, "
        "proposed_branch_name = CASE WHEN ? THEN NULL ELSE proposed_branch_name END, "
        "proposed_branch_kind = CASE WHEN ? THEN NULL ELSE proposed_branch_kind END "
        "WHERE id = ? AND status IN ('approved', 'rejected')",
        (unit_id, int(clear_proposal), int(clear_proposal), request_id),
    )
    return changed == 1


async def remove_grant(tx: Tx, telegram_id: int, role: Role, unit_id: int) -> bool:
    """Take one role back (an approval undone); False if the person did not hold it."""
    changed = await tx.rowcount(
        "DELETE FROM role_grant WHERE telegram_id = ? AND role = ? AND unit_id = ?",
        (telegram_id, role.value, unit_id),
    )
    return changed == 1


async def decide_request(
    tx: Tx, request_id: int, status: RequestStatus, decided_by: int, now: datetime
) -> bool:
    changed = await tx.rowcount(
        "UPDATE registration_request SET status = ?, decided_by = ?, decided_at = ? "
        "WHERE id = ? AND status = 'pending'",
        (status.value, decided_by, to_db_time(now), request_id),
    )
    return changed == 1


async def withdraw_request(tx: Tx, request_id: int, telegram_id: int, now: datetime) -> bool:
    """The person's own pending request becomes `withdrawn` (decided by themselves); False if
    it is not theirs or no longer pending."""
    changed = await tx.rowcount(
        "UPDATE registration_request SET status = 'withdrawn', decided_by = ?, decided_at = ? "
        "WHERE id = ? AND telegram_id = ? AND status = 'pending'",
        (telegram_id, to_db_time(now), request_id, telegram_id),
    )
    return changed == 1


async def approve_pending_requests_of(
    tx: Tx, telegram_id: int, decided_by: int, now: datetime
) -> None:
    """An invite made the person a user: a request of theirs still waiting is settled."""
    await tx.execute(
        "UPDATE registration_request SET status = 'approved', decided_by = ?, decided_at = ? "
        "WHERE telegram_id = ? AND status = 'pending'",
        (decided_by, to_db_time(now), telegram_id),
    )


async def pending_requests_under(db: Database | Tx, unit: Unit) -> list[RegistrationRequest]:
    rows = await db.fetchall(
        "SELECT r.* FROM registration_request r JOIN unit u ON u.id = r.unit_id "
        "WHERE r.status = 'pending' AND u.path LIKE ? ORDER BY r.id",
        (unit.path + "%",),
    )
    return [_request(row) for row in rows]


async def audit(
    tx: Tx,
    *,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Every change to shared records leaves a line: who, when, what it was, what it became."""
    await tx.execute(
        "INSERT INTO audit_log (actor_id, action, entity, entity_id, before, after) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (
            actor_id,
            action,
            entity,
            str(entity_id),
            json.dumps(before, ensure_ascii=False, default=str) if before is not None else None,
            json.dumps(after, ensure_ascii=False, default=str) if after is not None else None,
        ),
    )


async def reminder_recipients(db: Database | Tx) -> list[tuple[int, int, str]]:
    """(telegram id, branch id, language) of every volunteer and branch head who can be
    reached and wants campaign reminders; one branch each."""
    rows = await db.fetchall(
        "SELECT g.telegram_id, min(g.unit_id), a.language FROM role_grant g "
        "JOIN app_user a USING (telegram_id) "
        "WHERE g.role IN ('volunteer', 'branch_head') AND a.reachable = 1 AND a.reminders = 1 "
        "GROUP BY g.telegram_id ORDER BY g.telegram_id"
    )
    return [(int(row[0]), int(row[1]), str(row[2])) for row in rows]


async def chairs_to_remind(db: Database | Tx) -> list[tuple[int, str]]:
    """(telegram id, language) of every chair (commune, district or area, province) who can be
    reached and wants reminders."""
    rows = await db.fetchall(
        "SELECT DISTINCT g.telegram_id, a.language FROM role_grant g "
        "JOIN app_user a USING (telegram_id) "
        "WHERE g.role IN ('commune_chair', 'district_chair', 'province_admin') "
        "AND a.reachable = 1 AND a.reminders = 1 ORDER BY g.telegram_id"
    )
    return [(int(row[0]), str(row[1])) for row in rows]


async def audience(
    db: Database | Tx, within: Unit, roles: Sequence[Role], *, excluding: int
) -> list[int]:
    """Reachable people holding one of `roles` on `within` or any unit beneath it."""
    rows = await db.fetchall(
        "SELECT DISTINCT g.telegram_id FROM role_grant g JOIN unit u ON u.id = g.unit_id "
        "JOIN app_user a USING (telegram_id) "
        f"WHERE u.path LIKE ? AND g.role IN ({','.join('?' * len(roles))}) "
        "AND a.reachable = 1 AND g.telegram_id != ? ORDER BY g.telegram_id",
        [within.path + "%", *(role.value for role in roles), excluding],
    )
    return [int(row[0]) for row in rows]
