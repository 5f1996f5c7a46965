"""Becoming a user by asking: a registration request, decided by a chair.

A newcomer whose branch is not in the list proposes it (a name and a kind): the request waits
on the commune, and the chair who approves it adds the branch in the same step (or corrects
its name, or approves the person on a branch already there). A chair may take an approval or
a rejection back for `UNDO_WINDOW` after making it.

A branch closed while a request waits for it (`branch_changes.close_branch`) takes no one:
the request still waits, with the name given, and its sender is asked to choose another
branch; a chair may approve it only onto another branch of the commune, or reject it.

The other way in, an invite link (or a role the command line gives), is
`bot.services.invites`: using one settles a request that waits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.services import branch_changes, hierarchy, scopes
from bot.services.hierarchy import BranchNameTaken
from bot.services.reporting import local_today
from bot.storage import notice_events, people
from bot.storage import units as unit_store
from bot.storage.db import Database, Tx
from bot.storage.models import (
    ROLE_RANK,
    Level,
    RegistrationRequest,
    RequestStatus,
    Role,
    Unit,
    UnitKind,
)
from bot.storage.notice_events import NoticeKind
from bot.text import clean_name, fold, person_name

NAME_MIN, NAME_MAX = 2, 100


class Standing(StrEnum):
    """Where a person stands with the bot."""

    UNKNOWN = "unknown"
    REGISTERING = "registering"
    """In the middle of answering the registration questions (or an invite's name question)."""
    PENDING = "pending"
    REGISTERED = "registered"


async def standing(db: Database, telegram_id: int, *, registering: bool = False) -> Standing:
    """A role makes a person registered, whatever else is going on; short of that, answering
    the registration questions (only the dialog on screen knows: it says so with `registering`)
    comes before a request already waiting (an invite link may be used while waiting, another
    branch chosen)."""
    if await people.grants_of(db, telegram_id):
        return Standing.REGISTERED
    if registering:
        return Standing.REGISTERING
    if await people.pending_request_of(db, telegram_id):
        return Standing.PENDING
    return Standing.UNKNOWN


class NameProblem(StrEnum):
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    NOT_A_NAME = "not_a_name"


def check_full_name(text: str) -> tuple[str, NameProblem | None]:
    """A full name as people type it: letters, spaces, dots, hyphens and apostrophes; kept
    capitalised ("trần thị hoa" → "Trần Thị Hoa")."""
    name = person_name(clean_name(text))
    if len(name) < NAME_MIN:
        return name, NameProblem.TOO_SHORT
    if len(name) > NAME_MAX:
        return name, NameProblem.TOO_LONG
    if name.startswith("/") or not all(ch.isalpha() or ch in " .-'’" for ch in name):
        return name, NameProblem.NOT_A_NAME
    return name, None


@dataclass(frozen=True)
class Submitted:
    request: RegistrationRequest
    approvers: list[int]
    created: bool


@dataclass(frozen=True)
class Proposal:
    """A branch that is not in the list, as a newcomer names it: the name as it would be
    stored (`proposed_name`) and its kind (one of `BRANCH_KINDS`)."""

    name: str
    kind: UnitKind


_BRANCH_WORD = re.compile(r"^chi\s+h[oộ]i\s+", re.IGNORECASE)


def proposed_name(text: str) -> str | None:
    """A typed branch name as it would be stored, or None when it is not 2 to 120 characters
    (`hierarchy.branch_name`). "Chi hội Thôn Bến" is "Thôn Bến": the bot says "Chi hội"; and
    it begins with a capital ("thôn Bến" → "Thôn Bến"), the rest as typed ("THCS"). Some
    letter or digit is needed: "???" names nothing."""
    name = clean_name(text)
    name = hierarchy.branch_name(_BRANCH_WORD.sub("", name) or name) or ""
    if not any(ch.isalnum() for ch in name):
        return None
    return name[:1].upper() + name[1:]


async def branch_named(db: Database | Tx, commune: Unit, name: str) -> Unit | None:
    """The commune's branch in the list whose name is `name`, compared folded (without
    diacritics or case): a proposal of it is no proposal, the newcomer is offered it."""
    folded = fold(name)
    for branch in await unit_store.children(db, commune.id, query=name):
        if branch.level is Level.BRANCH and fold(branch.name) == folded:
            return branch
    return None


async def approvers_for(db: Database, branch: Unit) -> list[int]:
    """Who approves a registration for `branch` (or, for a proposed branch, for its commune):
    the commune chairs of its commune, else (none there, or none reachable) the chairs of the
    middle level above it (district chairs, area coordinators) where the map has one, else the
    province admins. They are the ones told of a request, and the ones whose /pending lists it
    (`waiting_for`)."""
    chain = [*await unit_store.ancestors(db, branch), branch]
    by_level = {unit.level: unit for unit in chain}
    for level, role in (
        (Level.COMMUNE, Role.COMMUNE_CHAIR),
        (Level.DISTRICT, Role.DISTRICT_CHAIR),
        (Level.PROVINCE, Role.PROVINCE_ADMIN),
    ):
        unit = by_level.get(level)
        if unit is None:
            continue
        found = await people.holders(db, [unit.id], [role])
        if found:
            return found
    return []


async def submit_request(
    db: Database,
    telegram_id: int,
    full_name: str,
    branch: Unit,
    now: datetime,
    *,
    language: str = "vi",
    proposal: Proposal | None = None,
) -> Submitted:
    """File a registration request; a second one while the first is pending returns the first.
    With a `proposal`, `branch` is the commune the proposed branch would belong to: nothing is
    created until a chair approves."""
    _check_requested(branch, proposal)
    created = False
    async with db.transaction() as tx:
        await people.ensure_user(tx, telegram_id, language=language)
        pending = await people.pending_request_of(tx, telegram_id)
        if pending is None:
            await people.set_full_name(tx, telegram_id, full_name)
            request_id = await _insert_request(tx, telegram_id, full_name, branch, now, proposal)
            await people.audit(
                tx,
                actor_id=telegram_id,
                action="create",
                entity="registration_request",
                entity_id=request_id,
                after={"full_name": full_name, "unit_id": branch.id, **_proposal_audit(proposal)},
            )
            await notice_events.add(tx, NoticeKind.REGISTRATION_REQUESTED, request_id, now)
            if proposal is None and await _closed_meanwhile(tx, branch):
                # Chosen from a list read a moment before its chair closed it: told at once,
                # as the requests waiting when it closed were (`branch_changes.close_branch`).
                await notice_events.add(tx, NoticeKind.REGISTRATION_BRANCH_CLOSED, request_id, now)
            created = True
            pending = await people.get_request(tx, request_id)
    assert pending is not None
    return Submitted(request=pending, approvers=await approvers_for(db, branch), created=created)


async def _closed_meanwhile(tx: Tx, branch: Unit) -> bool:
    """Whether the branch is closed as the transaction sees it (writers take turns, so a
    close committed before this request is seen here, and one after it finds the request)."""
    current = await unit_store.get(tx, branch.id)
    return current is not None and branch_changes.is_closed(current)


def _check_requested(unit: Unit, proposal: Proposal | None) -> None:
    if proposal is None and unit.level is not Level.BRANCH:
        raise ValueError("requests are made for a branch")
    if proposal is not None and unit.level is not Level.COMMUNE:
        raise ValueError("a branch is proposed for a commune")


async def _insert_request(
    tx: Tx,
    telegram_id: int,
    full_name: str,
    unit: Unit,
    now: datetime,
    proposal: Proposal | None,
) -> int:
    return await people.insert_request(
        tx,
        telegram_id,
        full_name,
        unit.id,
        now,
        proposed_name=proposal.name if proposal else None,
        proposed_kind=proposal.kind if proposal else None,
    )


def _proposal_audit(proposal: Proposal | None) -> dict[str, object]:
    if proposal is None:
        return {}
    return {"proposed_branch_name": proposal.name, "proposed_branch_kind": proposal.kind.value}


def _same_request(request: RegistrationRequest, unit: Unit, proposal: Proposal | None) -> bool:
    """Asking again for what `request` asks already: the same branch, or the same proposed
    name (folded) in the same commune."""
    if request.unit_id != unit.id:
        return False
    if proposal is None or request.proposed_branch_name is None:
        return proposal is None and request.proposed_branch_name is None
    return fold(request.proposed_branch_name) == fold(proposal.name)


async def waiting_for(db: Database, chair_id: int) -> list[RegistrationRequest]:
    """The pending requests this chair is one of the approvers of (`approvers_for`), oldest
    first: a district chair (an area coordinator) sees a commune's requests only while the
    commune has no chair."""
    found: dict[int, RegistrationRequest] = {}
    for grant in await people.grants_of(db, chair_id):
        if grant.rank >= ROLE_RANK[Role.COMMUNE_CHAIR]:
            for request in await people.pending_requests_under(db, grant.unit):
                found[request.id] = request
    approvers: dict[int, list[int]] = {}
    waiting = []
    for request in sorted(found.values(), key=lambda r: r.id):
        if request.unit_id not in approvers:
            branch = await unit_store.get(db, request.unit_id)
            approvers[request.unit_id] = await approvers_for(db, branch) if branch else []
        if chair_id in approvers[request.unit_id]:
            waiting.append(request)
    return waiting


class RequestProblem(StrEnum):
    """Why the person's own request cannot be withdrawn or replaced (an old card pressed)."""

    NOT_FOUND = "not_found"  # no such request of theirs
    WITHDRAWN = "withdrawn"
    DECIDED = "decided"  # approved or rejected meanwhile


async def own_waiting_request(
    db: Database | Tx, telegram_id: int, request_id: int
) -> RegistrationRequest | RequestProblem:
    """The person's request `request_id`, if it still waits for a chair."""
    request = await people.get_request(db, request_id)
    if request is None or request.telegram_id != telegram_id:
        return RequestProblem.NOT_FOUND
    if request.status is RequestStatus.WITHDRAWN:
        return RequestProblem.WITHDRAWN
    if request.status is not RequestStatus.PENDING or await people.grants_of(db, telegram_id):
        return RequestProblem.DECIDED
    return request


async def withdraw_request(
    db: Database, telegram_id: int, request_id: int, now: datetime
) -> RegistrationRequest | RequestProblem:
    """The person takes back their own waiting request: it is marked withdrawn, never deleted,
    and a chair pressing its card is told so."""
    async with db.transaction() as tx:
        found = await own_waiting_request(tx, telegram_id, request_id)
        if isinstance(found, RequestProblem):
            return found
        if not await people.withdraw_request(tx, request_id, telegram_id, now):
            return RequestProblem.DECIDED
        await people.audit(
            tx,
            actor_id=telegram_id,
            action="withdraw",
            entity="registration_request",
            entity_id=request_id,
            before={"status": "pending"},
            after={"status": "withdrawn"},
        )
        withdrawn = await people.get_request(tx, request_id)
    assert withdrawn is not None
    return withdrawn


async def replace_request(
    db: Database,
    telegram_id: int,
    request_id: int,
    branch: Unit,
    now: datetime,
    *,
    proposal: Proposal | None = None,
) -> Submitted | RequestProblem:
    """Another branch for a request that waits: in one transaction the old request is withdrawn
    and a new one (same name) is filed, for the new branch's approvers. Until then the old one
    stands, so giving up half-way loses nothing. A request withdrawn or rejected meanwhile is
    no obstacle (the person still wants in); one approved meanwhile is: they are in already.
    The same branch again changes nothing. With a `proposal`, `branch` is its commune."""
    _check_requested(branch, proposal)
    async with db.transaction() as tx:
        old = await people.get_request(tx, request_id)
        if old is None or old.telegram_id != telegram_id:
            return RequestProblem.NOT_FOUND
        if old.status is RequestStatus.APPROVED or await people.grants_of(tx, telegram_id):
            return RequestProblem.DECIDED
        pending = await people.pending_request_of(tx, telegram_id)
        if pending is not None and _same_request(pending, branch, proposal):
            kept: RegistrationRequest | None = pending
            created = False
        else:
            if pending is not None:
                await people.withdraw_request(tx, pending.id, telegram_id, now)
                await people.audit(
                    tx,
                    actor_id=telegram_id,
                    action="withdraw",
                    entity="registration_request",
                    entity_id=pending.id,
                    before={"status": "pending"},
                    after={"status": "withdrawn", "replaced": True},
                )
            new_id = await _insert_request(tx, telegram_id, old.full_name, branch, now, proposal)
            await people.audit(
                tx,
                actor_id=telegram_id,
                action="create",
                entity="registration_request",
                entity_id=new_id,
                after={
                    "full_name": old.full_name,
                    "unit_id": branch.id,
                    "replaces": old.id,
                    **_proposal_audit(proposal),
                },
            )
            await notice_events.add(tx, NoticeKind.REGISTRATION_REQUESTED, new_id, now)
            kept = await people.get_request(tx, new_id)
            created = True
    assert kept is not None
    return Submitted(request=kept, approvers=await approvers_for(db, branch), created=created)


class DecisionError(StrEnum):
    NOT_FOUND = "not_found"
    ALREADY_DECIDED = "already_decided"
    WITHDRAWN = "withdrawn"
    OUT_OF_SCOPE = "out_of_scope"
    NOT_A_PROPOSAL = "not_a_proposal"
    """A correction of the branch's name, or another branch, for a request that proposes none."""
    BAD_BRANCH = "bad_branch"
    """The branch chosen instead is not one of the commune's in the list (any more)."""
    BAD_NAME = "bad_name"
    """A corrected name that is not 2 to 120 characters."""
    NAME_TAKEN = "name_taken"
    """A branch no longer in the list (closed) holds the proposed name: correct it."""
    BRANCH_CLOSED = "branch_closed"
    """The branch asked for has been closed: approve the person on another branch of the
    commune instead, or reject."""


class _Refused(Exception):
    """A check inside the decision's transaction failed: it is rolled back."""

    def __init__(self, error: DecisionError) -> None:
        super().__init__(error.value)
        self.error = error


@dataclass(frozen=True)
class Decision:
    request: RegistrationRequest
    branch: Unit
    """The branch the person was approved on; for a rejected proposal, its commune."""
    created: bool = False
    """Approving created `branch` from the proposal."""


async def closed_branch_of(db: Database | Tx, request: RegistrationRequest) -> Unit | None:
    """The closed branch a request that waits asks for (no one is approved onto it: another
    branch of its commune, or a rejection); None for any other request."""
    if request.status is not RequestStatus.PENDING or request.proposes:
        return None
    unit = await unit_store.get(db, request.unit_id)
    return unit if unit is not None and branch_changes.is_closed(unit) else None


async def decidable(
    db: Database | Tx,
    request_id: int,
    approver_id: int,
    *,
    proposal: bool = False,
    elsewhere: bool = False,
) -> RegistrationRequest | DecisionError:
    """The request, if this chair may decide it now (it waits, it is within their scope);
    `proposal`: and it proposes a branch (the card's ✏); `elsewhere`: and it may be approved
    on another branch of the commune than the one it asks for ("choose an existing branch"):
    it proposes one, or the branch it asks for has been closed."""
    request = await people.get_request(db, request_id)
    if request is None:
        return DecisionError.NOT_FOUND
    unit = await unit_store.get(db, request.unit_id)
    assert unit is not None
    if not scopes.can_approve_registration(await people.grants_of(db, approver_id), unit):
        return DecisionError.OUT_OF_SCOPE
    if request.status is RequestStatus.WITHDRAWN:
        return DecisionError.WITHDRAWN
    if request.status is not RequestStatus.PENDING:
        return DecisionError.ALREADY_DECIDED
    if proposal and not request.proposes:
        return DecisionError.NOT_A_PROPOSAL
    if elsewhere and not request.proposes and not branch_changes.is_closed(unit):
        return DecisionError.NOT_A_PROPOSAL
    return request


async def decide(
    db: Database,
    request_id: int,
    approver_id: int,
    *,
    approve: bool,
    now: datetime,
    name: str | None = None,
    existing: Unit | None = None,
) -> Decision | DecisionError:
    """Approve (grant `volunteer` on the branch) or reject; the scope is checked here, always.

    Approving a request that proposes a branch creates it in the same transaction, in force
    from today, under the proposed name or the chair's correction (`name`); or approves the
    person on `existing`, a branch of the commune the chair chose instead. A name the commune
    has a branch of already (folded) is that branch: nothing is created twice. A request for a
    branch closed since is approved only on `existing` (else `BRANCH_CLOSED`); both are read
    again inside the transaction, so a branch closed a moment ago takes no one."""
    found = await decidable(
        db, request_id, approver_id, proposal=bool(name), elsewhere=existing is not None
    )
    if isinstance(found, DecisionError) and found is not DecisionError.ALREADY_DECIDED:
        return found
    request = await people.get_request(db, request_id)
    assert request is not None
    unit = await unit_store.get(db, request.unit_id)
    assert unit is not None
    if name is not None and (name := proposed_name(name)) is None:
        return DecisionError.BAD_NAME
    commune_id = unit.id if unit.level is Level.COMMUNE else unit.parent_id
    if existing is not None and (
        existing.level is not Level.BRANCH
        or not existing.active
        or existing.parent_id != commune_id
    ):
        return DecisionError.BAD_BRANCH
    status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
    branch, created = unit, False
    try:
        async with db.transaction() as tx:
            if not await people.decide_request(tx, request_id, status, approver_id, now):
                now_is = await people.get_request(tx, request_id)
                if now_is is not None and now_is.status is RequestStatus.WITHDRAWN:
                    return DecisionError.WITHDRAWN  # withdrawn a moment ago
                return DecisionError.ALREADY_DECIDED
            if approve:
                await _still_open(tx, request, existing)
            if approve and (request.proposes or existing is not None):
                branch, created = await _branch_for_proposal(
                    tx, request, unit, approver_id, now, name, existing
                )
                await people.settle_request_branch(
                    tx, request_id, branch.id, branch_created=created
                )
            if approve:
                await people.add_grant(
                    tx, request.telegram_id, Role.VOLUNTEER, branch.id, granted_by=approver_id
                )
            after: dict[str, object] = {"status": status.value}
            if branch.id != request.unit_id:
                after.update(unit_id=branch.id, branch_created=created)
            await people.audit(
                tx,
                actor_id=approver_id,
                action=status.value,
                entity="registration_request",
                entity_id=request_id,
                before={"status": "pending", "unit_id": request.unit_id},
                after=after,
            )
            await notice_events.add(tx, NoticeKind.REGISTRATION_DECIDED, request_id, now)
    except BranchNameTaken:
        return DecisionError.NAME_TAKEN  # rolled back: the request still waits
    except _Refused as refused:
        return refused.error  # likewise
    decided = await people.get_request(db, request_id)
    assert decided is not None
    return Decision(request=decided, branch=branch, created=created)


async def _still_open(tx: Tx, request: RegistrationRequest, existing: Unit | None) -> None:
    """Raise `_Refused` when the branch the person would join has been closed: the one chosen
    instead (`BAD_BRANCH`), or the one asked for (`BRANCH_CLOSED`)."""
    if existing is not None:
        now_is = await unit_store.get(tx, existing.id)
        if now_is is None or not now_is.active:
            raise _Refused(DecisionError.BAD_BRANCH)
    elif not request.proposes:
        asked = await unit_store.get(tx, request.unit_id)
        if asked is not None and branch_changes.is_closed(asked):
            raise _Refused(DecisionError.BRANCH_CLOSED)


async def _branch_for_proposal(
    tx: Tx,
    request: RegistrationRequest,
    commune: Unit,
    approver_id: int,
    now: datetime,
    name: str | None,
    existing: Unit | None,
) -> tuple[Unit, bool]:
    """The branch a proposal (or a request for a closed branch) is approved on, and whether
    it was created now."""
    if existing is not None:
        return existing, False
    assert request.proposed_branch_name is not None and request.proposed_branch_kind is not None
    wanted = name or request.proposed_branch_name
    twin = await branch_named(tx, commune, wanted)
    if twin is not None:
        return twin, False
    branch = await hierarchy.create_branch(  # a closed branch of that name: BranchNameTaken
        None,
        commune,
        wanted,
        request.proposed_branch_kind,
        actor_id=approver_id,
        since=local_today(now),
        tx=tx,
    )
    return branch, True


UNDO_WINDOW = timedelta(minutes=5)
"""How long after approving or rejecting a registration the chair may take it back."""


class UndoProblem(StrEnum):
    NOT_FOUND = "not_found"
    NOT_YOURS = "not_yours"  # decided by someone else: theirs to undo
    NOT_DECIDED = "not_decided"  # waiting (undone already) or withdrawn
    TOO_LATE = "too_late"  # more than `UNDO_WINDOW` ago
    OUT_OF_SCOPE = "out_of_scope"
    MOVED_ON = "moved_on"
    """The person has gone on since: another role (an invite), or a new request after a
    rejection. Undoing would leave them two requests, or a request while registered."""


@dataclass(frozen=True)
class Undone:
    request: RegistrationRequest
    """Waiting again."""
    was: RequestStatus
    """What the decision undone had made it: approved or rejected."""
    unit: Unit
    """What it waits for now: the branch, or (a proposal) the commune again."""
    removed: Unit | None = None
    """The branch approving had created from the proposal, removed again (nothing used it)."""


async def undo_decision(
    db: Database, request_id: int, actor_id: int, now: datetime
) -> Undone | UndoProblem:
    """Take back an approval or a rejection made less than `UNDO_WINDOW` ago, by the chair
    who made it: the request waits again, as it was (a proposal proposes again), the role it
    gave is taken back, and a branch it created goes if nothing uses it yet (else the request
    waits for that branch). The person hears of it (`REGISTRATION_*_UNDONE`); the undo is in the
    audit log."""
    async with db.transaction() as tx:
        request = await people.get_request(tx, request_id)
        if request is None:
            return UndoProblem.NOT_FOUND
        if request.status not in (RequestStatus.APPROVED, RequestStatus.REJECTED):
            return UndoProblem.NOT_DECIDED
        if request.decided_by != actor_id:
            return UndoProblem.NOT_YOURS
        if request.decided_at is None or now - request.decided_at > UNDO_WINDOW:
            return UndoProblem.TOO_LATE
        unit = await unit_store.get(tx, request.unit_id)
        assert unit is not None
        if not scopes.can_approve_registration(await people.grants_of(tx, actor_id), unit):
            return UndoProblem.OUT_OF_SCOPE
        grants = await people.grants_of(tx, request.telegram_id)
        approved = request.status is RequestStatus.APPROVED
        given = [g for g in grants if g.role is Role.VOLUNTEER and g.unit.id == unit.id]
        if (
            (approved and len(grants) != len(given))
            or (not approved and grants)
            or await people.pending_request_of(tx, request.telegram_id) is not None
        ):
            return UndoProblem.MOVED_ON
        waits_for, removed, clear = unit, None, False
        if approved:
            await people.remove_grant(tx, request.telegram_id, Role.VOLUNTEER, unit.id)
            if request.proposed_branch_name is not None and unit.parent_id is not None:
                commune = await unit_store.get(tx, unit.parent_id)
                assert commune is not None
                waits_for = commune
                # The request stops naming the branch first: then only others' rows count.
                await people.settle_request_branch(tx, request_id, commune.id, branch_created=False)
                if request.branch_created:
                    if await unit_store.delete_unused(tx, unit.id):
                        removed = unit
                    else:
                        waits_for, clear = unit, True  # in use: it stays, and is asked for
        await people.reopen_request(tx, request_id, waits_for.id, clear_proposal=clear)
        if removed is not None:
            await people.audit(
                tx,
                actor_id=actor_id,
                action="delete",
                entity="unit",
                entity_id=removed.id,
                before=removed.model_dump(mode="json"),
            )
        await people.audit(
            tx,
            actor_id=actor_id,
            action="undo",
            entity="registration_request",
            entity_id=request_id,
            before={"status": request.status.value, "unit_id": request.unit_id},
            after={"status": "pending", "unit_id": waits_for.id},
        )
        undone = (
            NoticeKind.REGISTRATION_APPROVAL_UNDONE
            if approved
            else NoticeKind.REGISTRATION_REJECTION_UNDONE
        )
        await notice_events.add(tx, undone, request_id, now)
        reopened = await people.get_request(tx, request_id)
    assert reopened is not None
    return Undone(request=reopened, was=request.status, unit=waits_for, removed=removed)
