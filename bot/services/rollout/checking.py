"""Checking the whole sheet against the database and against itself, nothing written: what
one row cannot tell (a new branch's kind given on another of its rows, the same person or
phone twice, a closed branch), and where each person stands already (`Status`), so that
running the same sheet again creates only what is new."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.services.imports import Table
from bot.services.rollout.places import unit_map
from bot.services.rollout.problems import Problem, Rejected, RowProblem
from bot.services.rollout.results import Person, Rollout, Status
from bot.services.rollout.rows import Row, read_row
from bot.services.rollout.sheet import (
    BRANCH,
    EXAMPLE_MARKS,
    FULL_NAME,
    KIND,
    NUMBER,
    PHONE,
    cell_text,
    header_columns,
)
from bot.services.rollout.vocabulary import words
from bot.storage import rollout as store
from bot.storage.db import Database, Tx
from bot.storage.models import Invite, Role, Unit, UnitKind


@dataclass
class _State:
    """What the database holds for the sheet's units."""

    branches: dict[tuple[int, str], Unit]
    invites: dict[tuple[int, Role, str], list[Invite]]
    holders: set[tuple[int, Role, str]]


async def _state(db: Database | Tx, rows: Sequence[Row]) -> _State:
    """The branches of the sheet's communes, and the invites and holders of its units."""
    communes = {row.commune.id for row in rows if row.commune is not None}
    branches = {
        (branch.parent_id or 0, words(branch.name)): branch
        for branch in await store.branches_of(db, sorted(communes))
    }
    unit_ids = communes | {row.area.id for row in rows if row.area is not None}
    unit_ids |= {branch.id for branch in branches.values()}
    invites: dict[tuple[int, Role, str], list[Invite]] = {}
    for invite in await store.named_invites(db, sorted(unit_ids)):
        key = (invite.unit_id, invite.role, words(invite.full_name or ""))
        invites.setdefault(key, []).append(invite)
    holders = {
        (holder.unit_id, holder.role, words(holder.full_name or ""))
        for holder in await store.holders_on(db, sorted(unit_ids))
    }
    return _State(branches, invites, holders)


def _standing(state: _State, unit: Unit, row: Row, now: datetime) -> tuple[Status, Invite | None]:
    """The same role on the same unit under the same name: held, or a link that works."""
    key = (unit.id, row.role, words(row.full_name))
    if key in state.holders:
        return Status.REGISTERED, None
    for invite in reversed(state.invites.get(key, [])):
        if invite.used_by is not None:
            return Status.REGISTERED, None
        if invite.expires_at > now:
            return Status.INVITED, invite
    return Status.NEW, None


async def check_table(db: Database | Tx, table: Table, *, now: datetime) -> Rollout | Rejected:
    """Every row of a sheet read (`read_table`) checked against the database; nothing written."""
    if len(table) < 2:
        return Rejected((RowProblem(None, Problem.NO_DATA),))
    columns, errors = header_columns(table[0][1], table)
    if errors:
        return Rejected(tuple(errors))
    found = await unit_map(db)
    rows: list[Row] = []
    examples = 0
    for number, cells in table[1:]:
        cell = {
            name: cells[index] if index < len(cells) else None for index, name in columns.items()
        }
        if words(cell_text(cell.get(NUMBER))) in EXAMPLE_MARKS:
            examples += 1
            continue
        read = await read_row(db, found, number, cell)
        if isinstance(read, list):
            errors += read
        else:
            rows.append(read)
    state = await _state(db, rows)
    kinds: dict[tuple[int, str], UnitKind] = {}
    for row in rows:  # a new branch's kind may be given on any of its rows
        if row.branch_name is not None and row.commune is not None and row.kind is not None:
            kinds.setdefault((row.commune.id, words(row.branch_name)), row.kind)
    people_: list[Person] = []
    new_branches: set[tuple[int, str]] = set()
    named_branches: set[tuple[int, str]] = set()
    seen: dict[tuple[object, ...], int] = {}
    phones: dict[str, int] = {}
    names: dict[tuple[int, str], list[tuple[str | None, int]]] = {}
    for row in rows:
        unit: Unit | None = row.commune if row.role is Role.COMMUNE_CHAIR else row.area
        target: tuple[object, ...] = ("unit", unit.id if unit else 0)
        kind: UnitKind | None = None
        if row.branch_name is not None and row.commune is not None:
            key = (row.commune.id, words(row.branch_name))
            named_branches.add(key)
            branch = state.branches.get(key)
            if branch is not None and not branch.active:
                errors.append(
                    RowProblem(row.number, Problem.BRANCH_CLOSED, BRANCH, row.branch_name)
                )
                continue
            known = branch.kind if branch is not None else kinds.get(key)
            if row.kind_typed and row.kind is not None and known is not row.kind:
                assert known is not None
                errors.append(
                    RowProblem(row.number, Problem.KIND_DIFFERS, KIND, row.kind.value, known.value)
                )
                continue
            if known is None:
                errors.append(RowProblem(row.number, Problem.REQUIRED, KIND))
                continue
            kind = known
            if branch is not None:
                unit, target = branch, ("unit", branch.id)
            else:
                new_branches.add(key)
                unit, target = None, ("new", *key)
        same = (*target, row.role.value, words(row.full_name))
        first = seen.setdefault(same, row.number)
        if first != row.number:
            errors.append(
                RowProblem(row.number, Problem.DUPLICATE_ROW, FULL_NAME, row.full_name, str(first))
            )
            continue
        if row.phone is not None and phones.setdefault(row.phone, row.number) != row.number:
            errors.append(
                RowProblem(
                    row.number, Problem.PERSON_TWICE, PHONE, row.phone, str(phones[row.phone])
                )
            )
            continue
        # The same name twice in a commune, once without a phone: one person, whom a second
        # link could not register (one Telegram account holds what its first invite gave).
        place = row.commune or row.area
        assert place is not None
        namesakes = names.setdefault((place.id, words(row.full_name)), [])
        twin = next((n for phone, n in namesakes if phone is None or row.phone is None), None)
        namesakes.append((row.phone, row.number))
        if twin is not None:
            errors.append(
                RowProblem(row.number, Problem.PERSON_TWICE, FULL_NAME, row.full_name, str(twin))
            )
            continue
        status, invite = _standing(state, unit, row, now) if unit else (Status.NEW, None)
        is_branch = row.branch_name is not None
        people_.append(
            Person(
                row=row.number,
                full_name=row.full_name,
                phone=row.phone,
                role=row.role,
                commune=row.commune,
                area=row.area,
                branch_name=(unit.name if unit is not None else row.branch_name)
                if is_branch
                else None,
                branch_kind=kind,
                unit=unit,
                status=status,
                invite=invite,
            )
        )
    if errors:
        return Rejected(tuple(sorted(errors, key=lambda e: e.row or 0)), rows=len(table) - 1)
    if not people_:
        return Rejected((RowProblem(None, Problem.NO_DATA),), rows=len(table) - 1)
    return Rollout(
        people=tuple(people_),
        new_branches=len(new_branches),
        existing_branches=len(named_branches - new_branches),
        communes=len({p.commune.id for p in people_ if p.commune is not None}),
        examples=examples,
    )
