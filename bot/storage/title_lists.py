"""Lists of nominations (migration 016): the list rows and their entries, SQL only.

An entry is an ordinary `nomination` row with `list_id` set; the rules that create and decide
them are `bot.services.title_lists`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from bot.storage.db import Database, Tx, to_db_time
from bot.storage.records import (
    OPEN_NOMINATION_STATUSES,
    Nomination,
    NominationKind,
    NominationStatus,
)
from bot.storage.reports import db_value


class ListStatus(StrEnum):
    PENDING = "pending"
    DECIDED = "decided"
    """Its entries recognised, those the chair left out rejected."""
    RETURNED = "returned"
    """Sent back with a reason: its pending entries rejected, nothing recognised."""


class TitleList(BaseModel):
    """One list of nominations for one title, unit and year."""

    model_config = ConfigDict(frozen=True)

    id: int
    kind: NominationKind
    unit_id: int
    year: int
    reporter_id: int
    created_at: datetime
    updated_at: datetime
    status: ListStatus = ListStatus.PENDING
    decided_by: int | None = None
    decided_at: datetime | None = None
    return_reason: str | None = None
    idempotency_key: str


_ENTRY_COLUMNS = (
    "kind",
    "subject",
    "subject_folded",
    "unit_id",
    "year",
    "note",
    "reporter_id",
    "created_at",
    "updated_at",
    "idempotency_key",
    "campaign_id",
    "list_id",
)


def _list(row: Any) -> TitleList:
    return TitleList.model_validate(dict(row))


async def get(db: Database | Tx, list_id: int) -> TitleList | None:
    row = await db.fetchone("SELECT * FROM nomination_list WHERE id = ?", (list_id,))
    return _list(row) if row else None


async def by_key(db: Database | Tx, idempotency_key: str) -> TitleList | None:
    row = await db.fetchone(
        "SELECT * FROM nomination_list WHERE idempotency_key = ?", (idempotency_key,)
    )
    return _list(row) if row else None


async def insert(
    tx: Tx,
    *,
    kind: NominationKind,
    unit_id: int,
    year: int,
    reporter_id: int,
    idempotency_key: str,
    now: datetime,
) -> TitleList:
    list_id = await tx.execute(
        "INSERT INTO nomination_list (kind, unit_id, year, reporter_id, created_at, updated_at, "
        "idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (kind.value, unit_id, year, reporter_id, to_db_time(now), to_db_time(now), idempotency_key),
    )
    found = await get(tx, list_id)
    assert found is not None
    return found


async def add_entry(tx: Tx, values: Mapping[str, object]) -> Nomination:
    """One nomination of a list (`values` has every column of `_ENTRY_COLUMNS`)."""
    record_id = await tx.execute(
        f"INSERT INTO nomination ({', '.join(_ENTRY_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(_ENTRY_COLUMNS))})",
        [db_value(values[column]) for column in _ENTRY_COLUMNS],
    )
    row = await tx.fetchone("SELECT * FROM nomination WHERE id = ?", (record_id,))
    assert row is not None
    return Nomination.model_validate(dict(row))


async def decide(
    tx: Tx,
    list_id: int,
    *,
    status: ListStatus,
    decided_by: int,
    reason: str | None,
    now: datetime,
) -> TitleList:
    await tx.execute(
        "UPDATE nomination_list SET status = ?, decided_by = ?, decided_at = ?, "
        "return_reason = ?, updated_at = ? WHERE id = ?",
        (status.value, decided_by, to_db_time(now), reason, to_db_time(now), list_id),
    )
    found = await get(tx, list_id)
    assert found is not None
    return found


async def entries(
    db: Database | Tx, list_id: int, *, status: NominationStatus | None = None
) -> list[Nomination]:
    """The list's nominations in the order they were listed (of one status, if given)."""
    if status is None:
        rows = await db.fetchall(
            "SELECT * FROM nomination WHERE list_id = ? ORDER BY id", (list_id,)
        )
    else:
        rows = await db.fetchall(
            "SELECT * FROM nomination WHERE list_id = ? AND status = ? ORDER BY id",
            (list_id, status.value),
        )
    return [Nomination.model_validate(dict(row)) for row in rows]


async def counts(db: Database | Tx, list_id: int) -> dict[NominationStatus, int]:
    """How many of the list's nominations are in each status."""
    rows = await db.fetchall(
        "SELECT status, count(*) AS n FROM nomination WHERE list_id = ? GROUP BY status",
        (list_id,),
    )
    return {NominationStatus(row["status"]): int(row["n"]) for row in rows}


async def open_subjects(
    db: Database | Tx, kind: NominationKind, unit_id: int, year: int
) -> dict[str, int]:
    """Folded subjects that hold or await this title here that year → their nomination's id."""
    statuses = [status.value for status in OPEN_NOMINATION_STATUSES]
    rows = await db.fetchall(
        "SELECT subject_folded, min(id) AS id FROM nomination WHERE kind = ? AND unit_id = ? "
        f"AND year = ? AND status IN ({','.join('?' * len(statuses))}) GROUP BY subject_folded",
        (kind.value, unit_id, year, *statuses),
    )
    return {str(row["subject_folded"]): int(row["id"]) for row in rows}


async def recognised(
    db: Database | Tx, kind: NominationKind, unit_id: int, year: int
) -> list[Nomination]:
    """The subjects recognised for this title here that year (last year's list, to renew)."""
    rows = await db.fetchall(
        "SELECT * FROM nomination WHERE kind = ? AND unit_id = ? AND year = ? "
        "AND status = 'recognised' ORDER BY id",
        (kind.value, unit_id, year),
    )
    return [Nomination.model_validate(dict(row)) for row in rows]


async def listed(db: Database | Tx, nomination_ids: Iterable[int]) -> set[int]:
    """Which of these nominations belong to a list (decided with it, not on their own)."""
    ids = sorted(set(nomination_ids))
    found: set[int] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = await db.fetchall(
            f"SELECT id FROM nomination WHERE list_id IS NOT NULL "
            f"AND id IN ({','.join('?' * len(chunk))})",
            chunk,
        )
        found |= {int(row["id"]) for row in rows}
    return found


async def pending_lists(
    db: Database | Tx, reach: Sequence[tuple[str, Sequence[NominationKind]]]
) -> list[TitleList]:
    """Pending lists under any (path, kinds) pair of `reach`, oldest first (as
    `reports.pending_nominations`)."""
    clauses, params = [], []
    for path, kinds in reach:
        if not kinds:
            continue
        clauses.append(
            f"(substr(u.path, 1, length(?)) = ? AND l.kind IN ({','.join('?' * len(kinds))}))"
        )
        params += [path, path, *(kind.value for kind in kinds)]
    if not clauses:
        return []
    rows = await db.fetchall(
        "SELECT l.* FROM nomination_list l JOIN unit u ON u.id = l.unit_id "
        f"WHERE l.status = 'pending' AND ({' OR '.join(clauses)}) ORDER BY l.id",
        params,
    )
    return [_list(row) for row in rows]
