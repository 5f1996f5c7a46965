"""A branch renamed or closed by its commune's chair; its records stay where they are.

- **Renamed**: the new name is checked as a new branch's (2 to 120 characters, unique among
  the commune's branches compared without diacritics, nor a sibling's former name); the old
  name becomes a former name of the branch (`unit_alias`), so a search by it still finds the
  branch ("Thôn Đông, nay thuộc Chi hội Thôn Đông Nam"). Correcting only diacritics or
  capitals ("Thon Dong" → "Thôn Đông") keeps no former name.
- **Closed**: the branch ends today (the association's date: `valid_to`, inactive), so pickers
  and registration no longer offer it, this year's structure no longer counts it and earlier
  years' still do (units count by their dates of life). Its members, titles and funds stay and
  count as before. The people with a role on it are told (a notice event); their grants stay,
  so they still read what they reported and the statistics, but a new report there is refused
  (`closed_home`: the form says so at once and names whom to ask). Nothing is left waiting
  for it: in the same transaction its unused invite links are revoked (they expire now, as a
  map change revokes those of the units it ends; whoever opens one is told the branch closed
  and whom to ask), and each newcomer whose registration request waits for it is asked to
  choose another branch (a notice event per request; the request keeps waiting, with the name
  they gave, and a chair can no longer approve it onto the closed branch, only onto another
  branch of the commune, or reject it: `registration.decide`).

Both leave an audit line. Who may do it: whoever may add the commune's branches
(`scopes.can_manage_branches`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.services import hierarchy, map_change, scopes
from bot.services.reporting import local_today
from bot.storage import map_changes, notice_events, people
from bot.storage import units as unit_store
from bot.storage.db import Database, Tx
from bot.storage.models import ROLE_RANK, Grant, Level, Role, Unit
from bot.storage.notice_events import NoticeKind
from bot.text import fold


class BranchChangeError(StrEnum):
    """Why a branch cannot be renamed or closed; handlers translate each one."""

    NOT_FOUND = "not_found"
    OUT_OF_SCOPE = "out_of_scope"
    CLOSED = "closed"
    """Closed already: nothing more to change."""
    NAME_INVALID = "name_invalid"
    NAME_TAKEN = "name_taken"


async def _checked(tx: Database | Tx, actor_id: int, branch_id: int) -> Unit | BranchChangeError:
    branch = await unit_store.get(tx, branch_id)
    if branch is None or branch.level is not Level.BRANCH or branch.parent_id is None:
        return BranchChangeError.NOT_FOUND
    commune = await unit_store.get(tx, branch.parent_id)
    grants = await people.grants_of(tx, actor_id)
    if commune is None or not scopes.can_manage_branches(grants, commune):
        return BranchChangeError.OUT_OF_SCOPE
    if not branch.active:
        return BranchChangeError.CLOSED
    return branch


async def manageable(db: Database, actor_id: int, branch_id: int) -> Unit | BranchChangeError:
    """The branch if this person may rename or close it now, else why not (the checks the
    changes make)."""
    return await _checked(db, actor_id, branch_id)


async def rename_branch(
    db: Database, branch_id: int, text: str, *, actor_id: int
) -> Unit | BranchChangeError:
    """The branch under its new name (unchanged when it is the same name)."""
    name = hierarchy.branch_name(text)
    if name is None:
        return BranchChangeError.NAME_INVALID
    async with db.transaction() as tx:
        branch = await _checked(tx, actor_id, branch_id)
        if isinstance(branch, BranchChangeError):
            return branch
        if name == branch.name:
            return branch
        assert branch.parent_id is not None
        if await unit_store.name_taken(tx, branch.parent_id, name, besides=branch.id):
            return BranchChangeError.NAME_TAKEN
        renamed = await unit_store.rename(tx, branch, name)
        if fold(branch.name) != fold(name):
            await unit_store.add_alias(tx, renamed, branch.name)
            await unit_store.drop_alias(tx, renamed, name)  # back to a name it had
        await people.audit(
            tx,
            actor_id=actor_id,
            action="rename",
            entity="unit",
            entity_id=branch.id,
            before=branch.model_dump(mode="json"),
            after=renamed.model_dump(mode="json"),
        )
        return renamed


async def close_branch(
    db: Database, branch_id: int, *, actor_id: int, now: datetime
) -> Unit | BranchChangeError:
    """The branch ended today (a branch that came into force today ends tomorrow: a unit's
    life is at least a day)."""
    async with db.transaction() as tx:
        branch = await _checked(tx, actor_id, branch_id)
        if isinstance(branch, BranchChangeError):
            return branch
        today = local_today(now)
        since = branch.valid_from
        ended = await unit_store.end(
            tx, branch, today if since is None or since < today else since + timedelta(days=1)
        )
        await people.audit(
            tx,
            actor_id=actor_id,
            action="close",
            entity="unit",
            entity_id=branch.id,
            before=branch.model_dump(mode="json"),
            after=ended.model_dump(mode="json"),
        )
        await notice_events.add(tx, NoticeKind.BRANCH_CLOSED, branch.id, now)
        await map_change.revoke_invites(
            tx,
            await map_changes.open_invites_on(tx, [branch.id], now),
            now,
            actor_id=actor_id,
            closed=ended,
        )
        for request in await people.pending_requests_under(tx, ended):
            await notice_events.add(tx, NoticeKind.REGISTRATION_BRANCH_CLOSED, request.id, now)
        return ended


@dataclass(frozen=True)
class Waiting:
    """What waits for a branch and would be settled by closing it: shown to the chair who is
    about to close it, and told after."""

    requests: int
    """Registration requests waiting for it: their senders are asked to choose another."""
    invites: int
    """Unused invite links to it still valid: revoked."""


async def waiting_on(db: Database, branch: Unit, now: datetime) -> Waiting:
    requests = await people.pending_requests_under(db, branch)
    invites = await map_changes.open_invites_on(db, [branch.id], now)
    return Waiting(requests=len(requests), invites=len(invites))


async def people_on(db: Database, branch: Unit) -> list[int]:
    """Who holds a role on the branch (and can be reached): told when it closes."""
    return await people.holders(db, [branch.id], list(Role))


def is_closed(unit: Unit) -> bool:
    """A branch its chair closed (or a map change ended): it takes no new reports."""
    return unit.level is Level.BRANCH and not unit.in_force


def closed_home(grants: Sequence[Grant]) -> Unit | None:
    """For a volunteer or branch head whose every role is on a closed branch: that branch
    (they have nowhere to report now; their chair gives them another). None otherwise."""
    if not grants or any(grant.rank > ROLE_RANK[Role.BRANCH_HEAD] for grant in grants):
        return None
    if not all(is_closed(grant.unit) for grant in grants):
        return None
    return grants[0].unit
