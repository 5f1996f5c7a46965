"""Changes that someone else must be told about (migration 010): SQL only.

A service writes the event in the transaction of the change itself; `bot.updates` renders the
notices and deletes the event in the transaction that queues them (`update_journal`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.storage.db import Database, Tx, to_db_time


class NoticeKind(StrEnum):
    """What happened; `record_id` names the row it happened to."""

    REGISTRATION_REQUESTED = "registration_requested"  # registration_request.id
    REGISTRATION_DECIDED = "registration_decided"  # registration_request.id
    REGISTRATION_APPROVAL_UNDONE = "registration_approval_undone"  # registration_request.id
    REGISTRATION_REJECTION_UNDONE = "registration_rejection_undone"  # …: it waits again
    NOMINATION_SUBMITTED = "nomination_submitted"  # nomination.id
    NOMINATION_DECIDED = "nomination_decided"  # nomination.id
    NOMINATION_LIST_SUBMITTED = "nomination_list_submitted"  # nomination_list.id
    NOMINATION_LIST_DECIDED = "nomination_list_decided"  # nomination_list.id
    NOMINATION_UNDONE = "nomination_undone"  # nomination.id: its decision taken back
    NOMINATION_LIST_UNDONE = "nomination_list_undone"  # nomination_list.id: likewise
    BRANCH_CLOSED = "branch_closed"  # unit.id: to the people with a role on the branch
    REGISTRATION_BRANCH_CLOSED = "registration_branch_closed"  # registration_request.id: the
    # branch it waits for was closed; to the person who asked (choose another branch)
    MAP_CHANGED = "map_changed"  # map_change.id: its chairs whose grants ended or moved
    ERASURE_REQUESTED = "erasure_requested"  # erasure_request.id: to the province admins


@dataclass(frozen=True)
class NoticeEvent:
    id: int
    kind: NoticeKind
    record_id: int


async def add(tx: Tx, kind: NoticeKind, record_id: int, now: datetime) -> int:
    """Inside the change's own transaction."""
    return await tx.execute(
        "INSERT INTO notice_event (kind, record_id, created_at) VALUES (?, ?, ?)",
        (kind.value, record_id, to_db_time(now)),
    )


async def drop_waiting(tx: Tx, kind: NoticeKind, record_id: int) -> bool:
    """Delete this record's events of this kind not yet turned into notices (the change they
    announce was taken back before anyone heard of it); True when there was one."""
    dropped = await tx.rowcount(
        "DELETE FROM notice_event WHERE kind = ? AND record_id = ?", (kind.value, record_id)
    )
    return dropped > 0


async def pending(db: Database, *, besides: Collection[int] = ()) -> list[NoticeEvent]:
    """Events not yet turned into notices, oldest first, other than `besides` (being turned)."""
    rows = await db.fetchall("SELECT id, kind, record_id FROM notice_event ORDER BY id")
    return [
        NoticeEvent(int(row["id"]), NoticeKind(row["kind"]), int(row["record_id"]))
        for row in rows
        if int(row["id"]) not in besides
    ]


async def delete(tx: Tx, event_ids: Collection[int]) -> None:
    for event_id in event_ids:
        await tx.execute("DELETE FROM notice_event WHERE id = ?", (event_id,))
