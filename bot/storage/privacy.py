"""Personal data (migration 014): the notice accepted, erasure requests, the export log, what
is stored about one person, erasing it, and the retention of the outbox and the audit log.

SQL only; the rules (who may see, ask, decide) are in `bot.services.privacy`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage.db import Database, Tx, from_db_time, to_db_time

# ---------------------------------------------------------------- the notice


@dataclass(frozen=True)
class NoticeState:
    accepted_at: datetime | None
    shown_at: datetime | None


async def notice_state(db: Database | Tx, telegram_id: int) -> NoticeState | None:
    """None when nothing is stored about the person."""
    row = await db.fetchone(
        "SELECT privacy_accepted_at, privacy_shown_at FROM app_user WHERE telegram_id = ?",
        (telegram_id,),
    )
    if row is None:
        return None
    return NoticeState(
        accepted_at=from_db_time(row[0]) if row[0] else None,
        shown_at=from_db_time(row[1]) if row[1] else None,
    )


async def set_accepted(tx: Tx, telegram_id: int, at: datetime) -> None:
    """The first acceptance counts; pressing again changes nothing."""
    await tx.execute(
        "UPDATE app_user SET privacy_accepted_at = coalesce(privacy_accepted_at, ?) "
        "WHERE telegram_id = ?",
        (to_db_time(at), telegram_id),
    )


async def set_shown(db: Database, telegram_id: int, at: datetime) -> None:
    await db.execute(
        "UPDATE app_user SET privacy_shown_at = coalesce(privacy_shown_at, ?) "
        "WHERE telegram_id = ?",
        (to_db_time(at), telegram_id),
    )


# ---------------------------------------------------------------- the export log


@dataclass(frozen=True)
class ExportRecord:
    id: int
    at: datetime
    actor_id: int
    actor_name: str | None
    kind: str
    unit_id: int | None
    detail: str | None
    personal: bool
    row_count: int | None


async def add_export(
    tx: Tx,
    *,
    at: datetime,
    actor_id: int,
    kind: str,
    unit_id: int | None,
    detail: str | None,
    personal: bool,
    row_count: int | None,
) -> int:
    return await tx.execute(
        "INSERT INTO data_export (at, actor_id, kind, unit_id, detail, personal, row_count) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (to_db_time(at), actor_id, kind, unit_id, detail, int(personal), row_count),
    )


def _export(row: Any) -> ExportRecord:
    return ExportRecord(
        id=row["id"],
        at=from_db_time(row["at"]),
        actor_id=row["actor_id"],
        actor_name=row["full_name"],
        kind=row["kind"],
        unit_id=row["unit_id"],
        detail=row["detail"],
        personal=bool(row["personal"]),
        row_count=row["row_count"],
    )


async def latest_exports(
    db: Database | Tx, limit: int, *, actor_id: int | None = None
) -> list[ExportRecord]:
    """Newest first; only one person's when `actor_id` is given."""
    rows = await db.fetchall(
        "SELECT e.*, a.full_name FROM data_export e "
        "LEFT JOIN app_user a ON a.telegram_id = e.actor_id "
        "WHERE ? IS NULL OR e.actor_id = ? ORDER BY e.id DESC LIMIT ?",
        (actor_id, actor_id, limit),
    )
    return [_export(row) for row in rows]


# ---------------------------------------------------------------- erasure requests


@dataclass(frozen=True)
class ErasureRow:
    id: int
    telegram_id: int
    requested_at: datetime
    status: str
    decided_by: int | None
    decided_at: datetime | None


def _erasure(row: Any) -> ErasureRow:
    return ErasureRow(
        id=row["id"],
        telegram_id=row["telegram_id"],
        requested_at=from_db_time(row["requested_at"]),
        status=row["status"],
        decided_by=row["decided_by"],
        decided_at=from_db_time(row["decided_at"]) if row["decided_at"] else None,
    )


async def pending_erasure_of(db: Database | Tx, telegram_id: int) -> ErasureRow | None:
    row = await db.fetchone(
        "SELECT * FROM erasure_request WHERE telegram_id = ? AND status = 'pending'",
        (telegram_id,),
    )
    return _erasure(row) if row else None


async def get_erasure(db: Database | Tx, request_id: int) -> ErasureRow | None:
    row = await db.fetchone("SELECT * FROM erasure_request WHERE id = ?", (request_id,))
    return _erasure(row) if row else None


async def pending_erasures(db: Database | Tx) -> list[ErasureRow]:
    rows = await db.fetchall("SELECT * FROM erasure_request WHERE status = 'pending' ORDER BY id")
    return [_erasure(row) for row in rows]


async def province_admins(db: Database | Tx) -> list[int]:
    """Reachable holders of the province admin role, on whichever province unit."""
    rows = await db.fetchall(
        "SELECT DISTINCT g.telegram_id FROM role_grant g JOIN app_user a USING (telegram_id) "
        "WHERE g.role = 'province_admin' AND a.reachable = 1 ORDER BY g.telegram_id"
    )
    return [int(row[0]) for row in rows]


async def insert_erasure(tx: Tx, telegram_id: int, now: datetime) -> int:
    return await tx.execute(
        "INSERT INTO erasure_request (telegram_id, requested_at) VALUES (?, ?)",
        (telegram_id, to_db_time(now)),
    )


async def erasures_of(db: Database | Tx, telegram_id: int) -> list[ErasureRow]:
    rows = await db.fetchall(
        "SELECT * FROM erasure_request WHERE telegram_id = ? ORDER BY id", (telegram_id,)
    )
    return [_erasure(row) for row in rows]


async def decide_erasure(
    tx: Tx, request_id: int, status: str, decided_by: int, now: datetime
) -> bool:
    """False when it was decided meanwhile (two admins pressing at once)."""
    changed = await tx.rowcount(
        "UPDATE erasure_request SET status = ?, decided_by = ?, decided_at = ? "
        "WHERE id = ? AND status = 'pending'",
        (status, decided_by, to_db_time(now), request_id),
    )
    return changed == 1


# ---------------------------------------------------------------- one person's data


def _rows(rows: Sequence[Any]) -> list[dict[str, Any]]:
    return [dict(row) for row in rows]


async def person_data(db: Database | Tx, telegram_id: int) -> dict[str, Any] | None:
    """Everything stored about one person, as plain rows; None when nothing is. Of the reports
    they made, what they are (kind, number, unit, status, when), not the people in them."""
    person = await db.fetchone(
        "SELECT telegram_id, full_name, language, reachable, reminders, created_at, "
        "privacy_accepted_at, privacy_shown_at FROM app_user WHERE telegram_id = ?",
        (telegram_id,),
    )
    if person is None:
        return None
    grants = await db.fetchall(
        "SELECT g.role, u.code AS unit_code, u.name AS unit_name, u.level AS unit_level, "
        "g.granted_at, g.granted_by FROM role_grant g JOIN unit u ON u.id = g.unit_id "
        "WHERE g.telegram_id = ? ORDER BY g.id",
        (telegram_id,),
    )
    requests = await db.fetchall(
        "SELECT r.id, r.full_name, u.code AS unit_code, u.name AS unit_name, r.status, "
        "r.requested_at, r.decided_at FROM registration_request r "
        "JOIN unit u ON u.id = r.unit_id WHERE r.telegram_id = ? ORDER BY r.id",
        (telegram_id,),
    )
    named = "full_name" in {
        str(row["name"]) for row in await db.fetchall("PRAGMA table_info(invite)")
    }  # the name a personal invite was made out to (migration 015)
    invites = await db.fetchall(
        "SELECT i.role, u.code AS unit_code, u.name AS unit_name, i.created_at, i.used_at"
        + (", i.full_name" if named else "")
        + " FROM invite i JOIN unit u ON u.id = i.unit_id WHERE i.used_by = ? ORDER BY i.used_at",
        (telegram_id,),
    )
    reports = await db.fetchall(
        "SELECT r.kind, r.id, u.code AS unit_code, u.name AS unit_name, r.status, r.created_at "
        "FROM (SELECT 'member' AS kind, id, unit_id, status, created_at FROM member "
        "WHERE reporter_id = ? UNION ALL SELECT 'nomination', id, unit_id, status, created_at "
        "FROM nomination WHERE reporter_id = ? UNION ALL SELECT 'contribution', id, unit_id, "
        "status, created_at FROM contribution WHERE reporter_id = ? UNION ALL SELECT 'award', "
        "id, unit_id, status, created_at FROM award WHERE reporter_id = ?) r "
        "JOIN unit u ON u.id = r.unit_id ORDER BY r.created_at, r.kind, r.id",
        (telegram_id,) * 4,
    )
    broadcasts = await db.fetchall(
        "SELECT id, kind, created_at, text FROM broadcast WHERE created_by = ? ORDER BY id",
        (telegram_id,),
    )
    exports = await db.fetchall(
        "SELECT e.at, e.kind, u.code AS unit_code, e.detail, e.personal, e.row_count "
        "FROM data_export e LEFT JOIN unit u ON u.id = e.unit_id WHERE e.actor_id = ? "
        "ORDER BY e.id",
        (telegram_id,),
    )
    erasures = await db.fetchall(
        "SELECT id, status, requested_at, decided_at FROM erasure_request "
        "WHERE telegram_id = ? ORDER BY id",
        (telegram_id,),
    )
    return {
        "person": dict(person),
        "grants": _rows(grants),
        "registration_requests": _rows(requests),
        "invites_used": _rows(invites),
        "reports": _rows(reports),
        "broadcasts_sent": _rows(broadcasts),
        "exports": _rows(exports),
        "erasure_requests": _rows(erasures),
    }


# ---------------------------------------------------------------- erasing one person

# Columns that hold a person's Telegram id without a foreign key to app_user. Those with one
# (reports, decisions, roles, requests, lists of nominations…) are read from the schema
# (`_app_user_columns`), so a table added later cannot be missed: its rows must point at an
# app_user row, which is why the stand-in row is written first and the person's own last.
_PLAIN_PERSON_COLUMNS = (
    ("role_grant", "granted_by"),
    ("registration_request", "decided_by"),
    ("invite", "created_by"),
    ("invite", "used_by"),
    ("audit_log", "actor_id"),
    ("broadcast", "created_by"),
    ("unit_figure", "set_by"),
    ("campaign", "created_by"),
    ("data_export", "actor_id"),
    ("erasure_request", "telegram_id"),
    ("erasure_request", "decided_by"),
)


async def _table_columns(tx: Tx, table: str) -> set[str]:
    return {str(row["name"]) for row in await tx.fetchall(f"PRAGMA table_info({table})")}


async def _app_user_columns(tx: Tx) -> list[tuple[str, str]]:
    """(table, column) of every foreign key to app_user(telegram_id) in the schema."""
    tables = await tx.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    found = []
    for table in tables:
        name = str(table["name"])
        for key in await tx.fetchall(f"PRAGMA foreign_key_list({name})"):
            if key["table"] == "app_user":
                found.append((name, str(key["from"])))
    return found


_PERSON_KEYS = (
    "telegram_id",
    "reporter_id",
    "decided_by",
    "created_by",
    "granted_by",
    "used_by",
    "actor_id",
    "set_by",
)
"""Keys of audit lines' JSON that hold a person's Telegram id."""


def _scrubbed(text: str | None, old: int, new: int, name: str | None) -> str | None:
    """An audit line's JSON with `old` replaced by `new` under the keys of a person's id, and
    (for a line about the person) their name replaced by `name`; None when nothing changed."""
    try:
        data = json.loads(text) if text else None
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    changed = False
    for key in _PERSON_KEYS:
        if data.get(key) == old:
            data[key] = new
            changed = True
    if name is not None and isinstance(data.get("full_name"), str):
        data["full_name"] = name
        changed = True
    return json.dumps(data, ensure_ascii=False) if changed else None


async def _scrub_audit(
    tx: Tx,
    old: int,
    new: int,
    name: str,
    *,
    own: set[tuple[str, str]],
    remove_own: bool,
) -> None:
    """The person in the audit log: lines about their requests and roles (`own`) deleted, or
    their name replaced; their id replaced in every line that records it. One scan of the
    log finds the lines that may mention them."""
    where = ["instr(coalesce(before, '') || ' ' || coalesce(after, ''), ?) > 0"]
    params: list[object] = [str(old)]
    for entity in sorted({entity for entity, _ in own}):
        ids = sorted(entity_id for kind, entity_id in own if kind == entity)
        where.append(f"(entity = ? AND entity_id IN ({','.join('?' * len(ids))}))")
        params += [entity, *ids]
    rows = await tx.fetchall(
        "SELECT id, entity, entity_id, before, after FROM audit_log WHERE " + " OR ".join(where),
        params,
    )
    for row in rows:
        about = (str(row["entity"]), str(row["entity_id"])) in own
        if about and remove_own:
            await tx.execute("DELETE FROM audit_log WHERE id = ?", (row["id"],))
            continue
        before = _scrubbed(row["before"], old, new, name if about else None)
        after = _scrubbed(row["after"], old, new, name if about else None)
        if before is not None or after is not None:
            await tx.execute(
                "UPDATE audit_log SET before = coalesce(?, before), after = coalesce(?, after) "
                "WHERE id = ?",
                (before, after, row["id"]),
            )


@dataclass(frozen=True)
class Erased:
    """What `erase_person` did, in counts (nothing personal)."""

    reports_kept: int
    grants_removed: int
    requests_removed: int
    state_removed: int
    messages_removed: int
    person_row_kept: bool


async def count_reports(db: Database | Tx, telegram_id: int) -> int:
    row = await db.fetchone(
        "SELECT (SELECT count(*) FROM member WHERE reporter_id = :id) "
        "+ (SELECT count(*) FROM nomination WHERE reporter_id = :id) "
        "+ (SELECT count(*) FROM contribution WHERE reporter_id = :id) "
        "+ (SELECT count(*) FROM award WHERE reporter_id = :id)",
        {"id": telegram_id},
    )
    return int(row[0]) if row else 0


async def erase_person(
    tx: Tx, telegram_id: int, stand_in: int, stand_in_name: str, *, remove_history: bool
) -> Erased:
    """Move everything that names `telegram_id` to `stand_in` (a new app_user row called
    `stand_in_name`), then remove what is the person's alone: their roles, their conversation
    state, the messages waiting for them, the notices about them, their name wherever it was
    written (registration requests, audit lines). With `remove_history` their registration
    requests and the audit lines about them and their roles go too, and the stand-in row when
    no record of the association refers to it. Reports and decisions stay, counted."""
    request_ids = [
        int(row[0])
        for row in await tx.fetchall(
            "SELECT id FROM registration_request WHERE telegram_id = ?", (telegram_id,)
        )
    ]
    grant_ids = [
        int(row[0])
        for row in await tx.fetchall(
            "SELECT id FROM role_grant WHERE telegram_id = ?", (telegram_id,)
        )
    ]
    await tx.execute(
        "INSERT INTO app_user (telegram_id, full_name, language, reachable, reminders, "
        "created_at) SELECT ?, ?, language, 0, 0, created_at FROM app_user WHERE telegram_id = ?",
        (stand_in, stand_in_name, telegram_id),
    )
    referring = await _app_user_columns(tx)
    for table, column in [*referring, *_PLAIN_PERSON_COLUMNS]:
        await tx.execute(
            f"UPDATE {table} SET {column} = ? WHERE {column} = ?", (stand_in, telegram_id)
        )
    if "full_name" in await _table_columns(tx, "invite"):  # the name an invite offered them
        await tx.execute("UPDATE invite SET full_name = NULL WHERE used_by = ?", (stand_in,))
    await tx.execute(
        "UPDATE broadcast SET progress_chat_id = NULL, progress_message_id = NULL "
        "WHERE progress_chat_id = ?",
        (telegram_id,),
    )
    await tx.execute("DELETE FROM app_user WHERE telegram_id = ?", (telegram_id,))

    await _scrub_audit(
        tx,
        telegram_id,
        stand_in,
        stand_in_name,
        own={("registration_request", str(i)) for i in request_ids}
        | {("role_grant", str(i)) for i in grant_ids},
        remove_own=remove_history,
    )

    await tx.execute(
        "UPDATE registration_request SET full_name = ? WHERE telegram_id = ?",
        (stand_in_name, stand_in),
    )
    grants_removed = await tx.rowcount("DELETE FROM role_grant WHERE telegram_id = ?", (stand_in,))
    requests_removed = 0
    if remove_history:
        requests_removed = await tx.rowcount(
            "DELETE FROM registration_request WHERE telegram_id = ?", (stand_in,)
        )

    # Notices about their requests not yet sent.
    for kind in (
        "registration_requested",
        "registration_decided",
        "registration_approval_undone",
        "registration_rejection_undone",
    ):
        for record_id in request_ids:
            await tx.execute(
                "DELETE FROM notice_event WHERE kind = ? AND record_id = ?", (kind, record_id)
            )

    # Their conversation state and the messages waiting for them.
    state_removed = await tx.rowcount("DELETE FROM ptb_user_data WHERE user_id = ?", (telegram_id,))
    state_removed += await tx.rowcount(
        "DELETE FROM ptb_chat_data WHERE chat_id = ?", (telegram_id,)
    )
    state_removed += await tx.rowcount(
        "DELETE FROM ptb_conversation WHERE key LIKE ?", (f"[{telegram_id},%",)
    )
    messages_removed = await tx.rowcount(
        "DELETE FROM reply_queue WHERE chat_id = ?", (telegram_id,)
    )
    messages_removed += await tx.rowcount(
        "DELETE FROM outbox WHERE recipient_id = ? AND status <> 'sending'", (telegram_id,)
    )
    # A row on the wire right now is the deliverer's: it only loses the person's id.
    await tx.execute(
        "UPDATE outbox SET recipient_id = ? WHERE recipient_id = ?", (stand_in, telegram_id)
    )

    kept = True
    if remove_history:
        referred = 0
        for table, column in referring:
            row = await tx.fetchone(f"SELECT count(*) FROM {table} WHERE {column} = ?", (stand_in,))
            referred += int(row[0]) if row else 0
        if referred == 0:
            await tx.execute("DELETE FROM app_user WHERE telegram_id = ?", (stand_in,))
            kept = False
    return Erased(
        reports_kept=await count_reports(tx, stand_in),
        grants_removed=grants_removed,
        requests_removed=requests_removed,
        state_removed=state_removed,
        messages_removed=messages_removed,
        person_row_kept=kept,
    )


# ---------------------------------------------------------------- retention


async def delete_finished_outbox(tx: Tx, before: datetime) -> int:
    """Outbox rows settled (sent, failed, blocked, unknown) before `before`. The broadcast row
    stays: who sent what when, and the reminder slots already sent (its dedupe key)."""
    return await tx.rowcount(
        "DELETE FROM outbox WHERE status IN ('sent', 'failed', 'blocked', 'unknown') "
        "AND coalesce(sent_at, dispatched_at, claimed_at, "
        "(SELECT b.created_at FROM broadcast b WHERE b.id = outbox.broadcast_id)) < ?",
        (to_db_time(before),),
    )


async def delete_audit_before(tx: Tx, before: datetime) -> int:
    return await tx.rowcount("DELETE FROM audit_log WHERE at < ?", (to_db_time(before),))


async def delete_exports_before(tx: Tx, before: datetime) -> int:
    return await tx.rowcount("DELETE FROM data_export WHERE at < ?", (to_db_time(before),))
