"""Placing the branches of a split commune, after a map change (docs/map-change.md).

`map_change.apply` places each branch of a commune split over several new ones provisionally in
its first successor (`unit_move.settled` = 0). The province admin then confirms it there or
moves it to another successor of its old commune (`place`): its parent and path changed, its
move settled, and the counters of its records for the years on the new map moved with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from bot.services import counters, hierarchy, scopes
from bot.storage import map_changes as map_store
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.db import Database, Tx
from bot.storage.map_changes import UnitMove
from bot.storage.models import Grant, Role, Unit
from bot.text import fold


@dataclass(frozen=True)
class Provisional:
    """A branch of a split commune, placed where its first successor is until the province
    admin confirms it or moves it to another of `candidates` (rank order)."""

    branch: Unit
    old_commune: Unit
    commune: Unit
    candidates: tuple[Unit, ...]
    effective: date


def may_place(grants: Sequence[Grant], branch: Unit) -> bool:
    """Only the province admin places a branch of a split commune."""
    return scopes.covers(grants, branch, minimum=Role.PROVINCE_ADMIN)


async def places_branches(db: Database | Tx, actor_id: int) -> bool:
    """Whether this person is a province admin (who places provisional branches)."""
    return any(g.role is Role.PROVINCE_ADMIN for g in await people.grants_of(db, actor_id))


async def provisional(db: Database | Tx, actor_id: int) -> list[Provisional]:
    """The provisional branches this person may place, by name."""
    grants = await people.grants_of(db, actor_id)
    found: list[Provisional] = []
    seen: set[int] = set()
    for grant in grants:
        if grant.role is not Role.PROVINCE_ADMIN:
            continue
        for move in await map_store.unsettled(db, grant.unit):
            if move.unit_id in seen:
                continue
            seen.add(move.unit_id)
            item = await _provisional(db, move)
            if item is not None:
                found.append(item)
    return found


async def provisional_count(db: Database | Tx, actor_id: int) -> int:
    return len(await provisional(db, actor_id))


async def one_provisional(db: Database | Tx, actor_id: int, branch_id: int) -> Provisional | None:
    """The branch if it is provisional and this person may place it."""
    move = await map_store.latest_move(db, branch_id)
    if move is None or move.settled:
        return None
    item = await _provisional(db, move)
    if item is None or not may_place(await people.grants_of(db, actor_id), item.branch):
        return None
    return item


async def _provisional(db: Database | Tx, move: UnitMove) -> Provisional | None:
    branch = await unit_store.get(db, move.unit_id)
    old = await unit_store.get(db, move.from_parent_id)
    commune = await unit_store.get(db, branch.parent_id) if branch and branch.parent_id else None
    if branch is None or old is None or commune is None:
        return None
    candidates = []
    for successor_id, _ in await map_store.successor_ids(db, old.id):
        unit = await unit_store.get(db, successor_id)
        if unit is not None and unit.in_force:
            candidates.append(unit)
    return Provisional(branch, old, commune, tuple(candidates), move.effective)


def distinct_name(name: str, old_commune: Unit, used: set[str]) -> str:
    """A branch's name made distinct among the folded names `used` in its new commune: with
    its old commune's name ("Thôn 1 (Lê Hồng Phong)"), and its code if that is taken too."""
    for suffix in (old_commune.name, f"{old_commune.name}, {old_commune.code}"):
        room = hierarchy.BRANCH_NAME_LENGTH[1] - len(suffix) - 3
        candidate = f"{name[:room].rstrip()} ({suffix})"
        if fold(candidate) not in used:
            return candidate
    return f"{name[: hierarchy.BRANCH_NAME_LENGTH[1] - 12].rstrip()} ({old_commune.id})"


class PlaceProblem(StrEnum):
    NOT_PROVISIONAL = "not_provisional"
    """Placed already (by someone else, a moment ago), or never provisional."""
    NOT_ALLOWED = "not_allowed"
    NOT_A_CANDIDATE = "not_a_candidate"
    NAME_TAKEN = "name_taken"


@dataclass(frozen=True)
class Placed:
    branch: Unit
    commune: Unit
    moved: bool
    """False: confirmed where it was."""
    counters_changed: int


async def place(
    db: Database, actor_id: int, branch_id: int, commune_id: int, *, now: datetime
) -> Placed | PlaceProblem:
    """Settle a provisional branch in `commune_id`, one of its old commune's successors: its
    parent and path changed if it moves, its move settled, and the counters of its records
    of the years on the new map moved from the commune it was in to this one."""
    async with db.transaction() as tx:
        move = await map_store.latest_move(tx, branch_id)
        if move is None or move.settled:
            return PlaceProblem.NOT_PROVISIONAL
        item = await _provisional(tx, move)
        if item is None:
            return PlaceProblem.NOT_PROVISIONAL
        if not may_place(await people.grants_of(tx, actor_id), item.branch):
            return PlaceProblem.NOT_ALLOWED
        commune = next((unit for unit in item.candidates if unit.id == commune_id), None)
        if commune is None:
            return PlaceProblem.NOT_A_CANDIDATE
        branch = item.branch
        moves = commune.id != item.commune.id
        name = branch.name
        if moves:
            used = await map_store.sibling_names(tx, commune.id)
            if fold(name) in used:
                name = distinct_name(name, item.old_commune, used)
                if fold(name) in used:
                    return PlaceProblem.NAME_TAKEN
        before_counts = await counters.above(tx, branch.id)
        before = branch.model_dump(mode="json")
        if moves:
            if name != branch.name:
                await map_store.rename(tx, branch.id, name)
            await map_store.reparent(tx, branch, commune)
        await map_store.add_move(tx, replace(move, to_parent_id=commune.id, settled=True))
        changed = await counters.shift(tx, before_counts, await counters.above(tx, branch.id))
        placed = await unit_store.get(tx, branch.id)
        assert placed is not None
        await people.audit(
            tx,
            actor_id=actor_id,
            action="place",
            entity="unit",
            entity_id=branch.id,
            before=before,
            after=placed.model_dump(mode="json"),
        )
    return Placed(placed, commune, moves, changed)
