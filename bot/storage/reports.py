"""Reported records, funds and statistics counters: rows in, pydantic records out.

Table and column names come only from the record classes and the allow-lists below; every
value is a parameter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

from bot.storage.db import Database, Tx, to_db_time
from bot.storage.records import (
    OPEN_NOMINATION_STATUSES,
    Fund,
    FundKind,
    Member,
    Nomination,
    NominationKind,
    ReportKind,
    ReportRecord,
)

R = TypeVar("R", bound=ReportRecord)

_COMMON = (
    "unit_id",
    "reporter_id",
    "created_at",
    "updated_at",
    "status",
    "idempotency_key",
    "campaign_id",
)
_WRITABLE: dict[ReportKind, frozenset[str]] = {
    ReportKind.MEMBER: frozenset(
        {*_COMMON, "full_name", "name_folded", "gender", "birth_year", "joined_on", "phone"}
    ),
    ReportKind.NOMINATION: frozenset(
        {
            *_COMMON,
            "kind",
            "subject",
            "subject_folded",
            "year",
            "note",
            "decided_by",
            "decided_at",
            "reject_reason",
        }
    ),
    ReportKind.CONTRIBUTION: frozenset(
        {
            *_COMMON,
            "donor_name",
            "donor_kind",
            "amount",
            "in_kind",
            "in_kind_description",
            "fund_id",
            "campaign",
            "contributed_on",
        }
    ),
    ReportKind.AWARD: frozenset(
        {
            *_COMMON,
            "recipient_name",
            "school",
            "class_name",
            "reason",
            "amount",
            "fund_id",
            "awarded_on",
        }
    ),
}


def db_value(value: object) -> object:
    """Python values as the tables store them: enums by value, ISO dates, UTC times, 0/1."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return to_db_time(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _columns(kind: ReportKind, values: Mapping[str, object]) -> list[str]:
    columns = list(values)
    unknown = set(columns) - _WRITABLE[kind]
    if unknown:
        raise ValueError(f"not writable on {kind.value}: {sorted(unknown)}")
    return columns


async def insert(tx: Tx, model: type[R], values: Mapping[str, object]) -> R:
    table = model.KIND.value
    columns = _columns(model.KIND, values)
    record_id = await tx.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        [db_value(values[column]) for column in columns],
    )
    record = await get(tx, model, record_id)
    assert record is not None
    return record


async def update(tx: Tx, model: type[R], record_id: int, values: Mapping[str, object]) -> R:
    table = model.KIND.value
    columns = _columns(model.KIND, values)
    if columns:
        await tx.execute(
            f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
            [*(db_value(values[column]) for column in columns), record_id],
        )
    record = await get(tx, model, record_id)
    assert record is not None
    return record


async def get(db: Database | Tx, model: type[R], record_id: int) -> R | None:
    row = await db.fetchone(f"SELECT * FROM {model.KIND.value} WHERE id = ?", (record_id,))
    return model.model_validate(dict(row)) if row else None


async def by_key(db: Database | Tx, model: type[R], idempotency_key: str) -> R | None:
    row = await db.fetchone(
        f"SELECT * FROM {model.KIND.value} WHERE idempotency_key = ?", (idempotency_key,)
    )
    return model.model_validate(dict(row)) if row else None


async def members_named(
    db: Database | Tx, name_folded: str, birth_year: int, *, within: str
) -> list[Member]:
    """Active members with this folded name and birth year anywhere under the path `within`."""
    rows = await db.fetchall(
        "SELECT m.* FROM member m JOIN unit u ON u.id = m.unit_id "
        "WHERE m.name_folded = ? AND m.birth_year = ? AND m.status = 'active' "
        "AND substr(u.path, 1, length(?)) = ? ORDER BY m.id",
        (name_folded, birth_year, within, within),
    )
    return [Member.model_validate(dict(row)) for row in rows]


async def open_nomination(
    db: Database | Tx,
    kind: NominationKind,
    unit_id: int,
    subject_folded: str,
    year: int,
    *,
    excluding_id: int | None = None,
) -> Nomination | None:
    """The pending or recognised nomination of this subject for this title and year, if any."""
    statuses = [status.value for status in OPEN_NOMINATION_STATUSES]
    row = await db.fetchone(
        "SELECT * FROM nomination WHERE kind = ? AND unit_id = ? AND subject_folded = ? "
        f"AND year = ? AND status IN ({','.join('?' * len(statuses))}) AND id IS NOT ? LIMIT 1",
        (kind.value, unit_id, subject_folded, year, *statuses, excluding_id),
    )
    return Nomination.model_validate(dict(row)) if row else None


async def pending_nominations(
    db: Database | Tx, reach: Sequence[tuple[str, Sequence[NominationKind]]]
) -> list[Nomination]:
    """Pending nominations under any (path, kinds) pair of `reach`, oldest first."""
    clauses, params = [], []
    for path, kinds in reach:
        if not kinds:
            continue
        clauses.append(
            f"(substr(u.path, 1, length(?)) = ? AND n.kind IN ({','.join('?' * len(kinds))}))"
        )
        params += [path, path, *(kind.value for kind in kinds)]
    if not clauses:
        return []
    rows = await db.fetchall(
        "SELECT n.* FROM nomination n JOIN unit u ON u.id = n.unit_id "
        f"WHERE n.status = 'pending' AND ({' OR '.join(clauses)}) ORDER BY n.id",
        params,
    )
    return [Nomination.model_validate(dict(row)) for row in rows]


@dataclass(frozen=True)
class SummaryRow:
    kind: ReportKind
    id: int
    label: str
    category: str | None
    amount: int | None
    unit_id: int
    status: str
    created_at: str


_OF_REPORTER = (
    "SELECT 'member' AS kind, id, full_name AS label, NULL AS category, NULL AS amount, "
    "unit_id, status, created_at FROM member WHERE reporter_id = :who "
    "UNION ALL SELECT 'nomination', id, subject, kind, NULL, unit_id, status, created_at "
    "FROM nomination WHERE reporter_id = :who "
    "UNION ALL SELECT 'contribution', id, donor_name, campaign, amount, unit_id, status, "
    "created_at FROM contribution WHERE reporter_id = :who "
    "UNION ALL SELECT 'award', id, recipient_name, reason, amount, unit_id, status, "
    "created_at FROM award WHERE reporter_id = :who"
)

ReportKey = tuple[str, int, str]
"""Where a report stands in a reporter's list, newest first: (created_at, id, kind), unique."""


def _summary(row: Any) -> SummaryRow:
    return SummaryRow(
        kind=ReportKind(row["kind"]),
        id=row["id"],
        label=row["label"],
        category=row["category"],
        amount=row["amount"],
        unit_id=row["unit_id"],
        status=row["status"],
        created_at=row["created_at"],
    )


async def latest_of_reporter(db: Database | Tx, reporter_id: int, limit: int) -> list[SummaryRow]:
    return await reports_of_reporter(db, reporter_id, limit)


async def reports_of_reporter(
    db: Database | Tx,
    reporter_id: int,
    limit: int,
    *,
    older_than: ReportKey | None = None,
    newer_than: ReportKey | None = None,
) -> list[SummaryRow]:
    """The reporter's records of all four kinds, newest first: the latest `limit`, or the
    `limit` just older than a key, or (`newer_than`) the `limit` just newer than it (a keyset:
    a page does not shift when a report is added meanwhile)."""
    params: dict[str, Any] = {"who": reporter_id, "limit": limit}
    where, order = "", "DESC"
    key = older_than or newer_than
    if key is not None:
        where = " WHERE (created_at, id, kind) " + ("<" if older_than else ">") + " (:c, :i, :k)"
        order = "DESC" if older_than else "ASC"
        params.update(c=key[0], i=key[1], k=key[2])
    rows = await db.fetchall(
        f"SELECT * FROM ({_OF_REPORTER}){where} "
        f"ORDER BY created_at {order}, id {order}, kind {order} LIMIT :limit",
        params,
    )
    found = [_summary(row) for row in rows]
    return found[::-1] if newer_than is not None and older_than is None else found


async def count_newer(db: Database | Tx, reporter_id: int, key: ReportKey) -> int:
    """How many of the reporter's records come before `key` in their list (newest first)."""
    row = await db.fetchone(
        f"SELECT count(*) FROM ({_OF_REPORTER}) WHERE (created_at, id, kind) > (:c, :i, :k)",
        {"who": reporter_id, "c": key[0], "i": key[1], "k": key[2]},
    )
    return int(row[0]) if row else 0


async def report_key(
    db: Database | Tx, reporter_id: int, kind: ReportKind, record_id: int
) -> ReportKey | None:
    """The key of one of the reporter's records; None if it is not theirs or not there."""
    row = await db.fetchone(
        f"SELECT created_at FROM {kind.value} WHERE id = ? AND reporter_id = ?",
        (record_id, reporter_id),
    )
    return (str(row[0]), record_id, kind.value) if row else None


# --- Funds ------------------------------------------------------------------------------------


async def get_fund(db: Database | Tx, fund_id: int) -> Fund | None:
    row = await db.fetchone("SELECT id, unit_id, kind, name FROM fund WHERE id = ?", (fund_id,))
    return Fund.model_validate(dict(row)) if row else None


async def ensure_fund(
    tx: Tx, unit_id: int, kind: FundKind, name: str, name_folded: str
) -> tuple[Fund, bool]:
    """The fund with this key, inserted if missing; True when it was just created."""
    created = await tx.rowcount(
        "INSERT INTO fund (unit_id, kind, name, name_folded) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (unit_id, kind, name_folded) DO NOTHING",
        (unit_id, kind.value, name, name_folded),
    )
    row = await tx.fetchone(
        "SELECT id, unit_id, kind, name FROM fund WHERE unit_id = ? AND kind = ? "
        "AND name_folded = ?",
        (unit_id, kind.value, name_folded),
    )
    assert row is not None
    return Fund.model_validate(dict(row)), created == 1


async def funds_of(db: Database | Tx, unit_id: int) -> list[Fund]:
    rows = await db.fetchall(
        "SELECT id, unit_id, kind, name FROM fund WHERE unit_id = ? "
        "ORDER BY kind <> 'unit', kind, name_folded, id",
        (unit_id,),
    )
    return [Fund.model_validate(dict(row)) for row in rows]


async def fund_totals(
    db: Database | Tx, fund_id: int, *, excluding_award_id: int | None = None
) -> tuple[int, int]:
    """(active contributions, active awards) of a fund, in đồng."""
    raised = await db.fetchone(
        "SELECT coalesce(sum(amount), 0) FROM contribution WHERE fund_id = ? AND status = 'active'",
        (fund_id,),
    )
    awarded = await db.fetchone(
        "SELECT coalesce(sum(amount), 0) FROM award WHERE fund_id = ? AND status = 'active' "
        "AND id IS NOT ?",
        (fund_id, excluding_award_id),
    )
    assert raised is not None and awarded is not None
    return int(raised[0]), int(awarded[0])


# --- Statistics counters ----------------------------------------------------------------------

CounterKey = tuple[int, int, str]
"""(unit_id, year, indicator)."""


async def bump_counters(tx: Tx, deltas: Iterable[tuple[CounterKey, int]]) -> None:
    await tx.executemany(
        "INSERT INTO stat_counter (unit_id, year, indicator, value) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (unit_id, year, indicator) DO UPDATE SET value = value + excluded.value",
        [(unit_id, year, indicator, delta) for (unit_id, year, indicator), delta in deltas],
    )


async def unit_paths(db: Database | Tx, unit_ids: Iterable[int] | None = None) -> dict[int, str]:
    """Materialised paths of the given units (of all units when None)."""
    if unit_ids is None:
        rows = await db.fetchall("SELECT id, path FROM unit")
    else:
        ids = sorted(set(unit_ids))
        if not ids:
            return {}
        rows = await db.fetchall(
            f"SELECT id, path FROM unit WHERE id IN ({','.join('?' * len(ids))})", ids
        )
    return {int(row["id"]): str(row["path"]) for row in rows}


async def counter_values(db: Database | Tx, unit_id: int, year: int) -> dict[str, int]:
    rows = await db.fetchall(
        "SELECT indicator, value FROM stat_counter WHERE unit_id = ? AND year = ? AND value <> 0",
        (unit_id, year),
    )
    return {str(row["indicator"]): int(row["value"]) for row in rows}


async def all_counters(db: Database | Tx) -> dict[CounterKey, int]:
    rows = await db.fetchall("SELECT unit_id, year, indicator, value FROM stat_counter")
    return {(int(r["unit_id"]), int(r["year"]), str(r["indicator"])): int(r["value"]) for r in rows}


async def grouped(db: Database | Tx, kind: ReportKind) -> list[dict[str, Any]]:
    """All rows of one kind, counted and summed per everything a counter depends on.

    Statuses are grouped, not filtered: which ones count is decided once, in the counters.
    """
    return [dict(row) for row in await db.fetchall(_GROUPED[kind])]


_GROUPED = {
    ReportKind.MEMBER: (
        "SELECT unit_id, CAST(substr(joined_on, 1, 4) AS INTEGER) AS year, status, "
        "count(*) AS n, 0 AS amount FROM member GROUP BY 1, 2, 3"
    ),
    ReportKind.NOMINATION: (
        "SELECT unit_id, year, status, kind, count(*) AS n, 0 AS amount FROM nomination "
        "GROUP BY 1, 2, 3, 4"
    ),
    ReportKind.CONTRIBUTION: (
        "SELECT unit_id, CAST(substr(contributed_on, 1, 4) AS INTEGER) AS year, status, "
        "campaign, donor_kind, count(*) AS n, sum(amount) AS amount FROM contribution "
        "GROUP BY 1, 2, 3, 4, 5"
    ),
    ReportKind.AWARD: (
        "SELECT unit_id, CAST(substr(awarded_on, 1, 4) AS INTEGER) AS year, status, "
        "count(*) AS n, sum(amount) AS amount FROM award GROUP BY 1, 2, 3"
    ),
}
