"""Becoming a user: self-registration with a chair's approval, or an invite link."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.services import scopes
from bot.storage import notice_events, people
from bot.storage import units as unit_store
from bot.storage.db import Database, Tx
from bot.storage.models import (
    ROLE_LEVEL,
    ROLE_RANK,
    Grant,
    Invite,
    Level,
    RegistrationRequest,
    RequestStatus,
    Role,
    Unit,
)
from bot.storage.notice_events import NoticeKind
from bot.text import clean_name

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
    """A full name as people type it: letters, spaces, dots, hyphens and apostrophes."""
    name = clean_name(text)
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


async def approvers_for(db: Database, branch: Unit) -> list[int]:
    """Who approves a registration for `branch`: the commune chairs of its commune, else (none
    there, or none reachable) the chairs of the middle level above it (district chairs, area
    coordinators) where the map has one, else the province admins. They are the ones told of a
    request, and the ones whose /pending lists it (`waiting_for`)."""
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
) -> Submitted:
    """File a registration request; a second one while the first is pending returns the first."""
    if branch.level is not Level.BRANCH:
        raise ValueError("requests are made for a branch")
    created = False
    async with db.transaction() as tx:
        await people.ensure_user(tx, telegram_id, language=language)
        pending = await people.pending_request_of(tx, telegram_id)
        if pending is None:
            await people.set_full_name(tx, telegram_id, full_name)
            request_id = await people.insert_request(tx, telegram_id, full_name, branch.id, now)
            await people.audit(
                tx,
                actor_id=telegram_id,
                action="create",
                entity="registration_request",
                entity_id=request_id,
                after={"full_name": full_name, "unit_id": branch.id},
            )
            await notice_events.add(tx, NoticeKind.REGISTRATION_REQUESTED, request_id, now)
            created = True
            pending = await people.get_request(tx, request_id)
    assert pending is not None
    return Submitted(request=pending, approvers=await approvers_for(db, branch), created=created)


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
) -> Submitted | RequestProblem:
    """Another branch for a request that waits: in one transaction the old request is withdrawn
    and a new one (same name) is filed, for the new branch's approvers. Until then the old one
    stands, so giving up half-way loses nothing. A request withdrawn or rejected meanwhile is
    no obstacle (the person still wants in); one approved meanwhile is: they are in already.
    The same branch again changes nothing."""
    if branch.level is not Level.BRANCH:
        raise ValueError("requests are made for a branch")
    async with db.transaction() as tx:
        old = await people.get_request(tx, request_id)
        if old is None or old.telegram_id != telegram_id:
            return RequestProblem.NOT_FOUND
        if old.status is RequestStatus.APPROVED or await people.grants_of(tx, telegram_id):
            return RequestProblem.DECIDED
        pending = await people.pending_request_of(tx, telegram_id)
        if pending is not None and pending.unit_id == branch.id:
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
            new_id = await people.insert_request(tx, telegram_id, old.full_name, branch.id, now)
            await people.audit(
                tx,
                actor_id=telegram_id,
                action="create",
                entity="registration_request",
                entity_id=new_id,
                after={"full_name": old.full_name, "unit_id": branch.id, "replaces": old.id},
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


@dataclass(frozen=True)
class Decision:
    request: RegistrationRequest
    branch: Unit


async def decide(
    db: Database, request_id: int, approver_id: int, *, approve: bool, now: datetime
) -> Decision | DecisionError:
    """Approve (grant `volunteer` on the branch) or reject; the scope is checked here, always."""
    request = await people.get_request(db, request_id)
    if request is None:
        return DecisionError.NOT_FOUND
    branch = await unit_store.get(db, request.unit_id)
    assert branch is not None
    grants = await people.grants_of(db, approver_id)
    if not scopes.can_approve_registration(grants, branch):
        return DecisionError.OUT_OF_SCOPE
    if request.status is RequestStatus.WITHDRAWN:
        return DecisionError.WITHDRAWN
    status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
    async with db.transaction() as tx:
        if not await people.decide_request(tx, request_id, status, approver_id, now):
            now_is = await people.get_request(tx, request_id)
            if now_is is not None and now_is.status is RequestStatus.WITHDRAWN:
                return DecisionError.WITHDRAWN  # withdrawn a moment ago
            return DecisionError.ALREADY_DECIDED
        if approve:
            await people.add_grant(
                tx, request.telegram_id, Role.VOLUNTEER, branch.id, granted_by=approver_id
            )
        await people.audit(
            tx,
            actor_id=approver_id,
            action=status.value,
            entity="registration_request",
            entity_id=request_id,
            before={"status": "pending"},
            after={"status": status.value},
        )
        await notice_events.add(tx, NoticeKind.REGISTRATION_DECIDED, request_id, now)
    decided = await people.get_request(db, request_id)
    assert decided is not None
    return Decision(request=decided, branch=branch)


class InviteProblem(StrEnum):
    NOT_FOUND = "not_found"
    EXPIRED = "expired"
    USED = "used"
    NOT_ALLOWED = "not_allowed"
    ALREADY_REGISTERED = "already_registered"


async def invitable_roles(db: Database, telegram_id: int) -> list[Role]:
    """The roles this person may invite to (`scopes.invitable_roles`) that the map beneath
    their highest grant has units for: no district chair or area coordinator where the map has
    no middle level. Branch roles stay: a chair adds the missing branch while choosing."""
    grants = await people.grants_of(db, telegram_id)
    top = scopes.highest(grants)
    if top is None:
        return []
    offered = []
    for role in scopes.invitable_roles(grants):
        level = ROLE_LEVEL[role]
        if level is Level.BRANCH or await unit_store.beneath(db, top.unit, [level], limit=1):
            offered.append(role)
    return offered


async def create_invite(
    db: Database, creator_id: int, role: Role, unit: Unit, now: datetime, *, ttl_days: int
) -> Invite | InviteProblem:
    grants = await people.grants_of(db, creator_id)
    if not scopes.can_invite(grants, role, unit):
        return InviteProblem.NOT_ALLOWED
    invite = Invite(
        code=secrets.token_urlsafe(12),
        role=role,
        unit_id=unit.id,
        created_by=creator_id,
        created_at=now,
        expires_at=now + timedelta(days=ttl_days),
    )
    async with db.transaction() as tx:
        await people.insert_invite(tx, invite)
        await people.audit(
            tx,
            actor_id=creator_id,
            action="create",
            entity="invite",
            entity_id=invite.code,
            after={"role": role.value, "unit_id": unit.id},
        )
    return invite


async def check_invite(db: Database, code: str, now: datetime) -> Invite | InviteProblem:
    invite = await people.get_invite(db, code)
    if invite is None:
        return InviteProblem.NOT_FOUND
    if invite.used_by is not None:
        return InviteProblem.USED
    if invite.expires_at <= now:
        return InviteProblem.EXPIRED
    return invite


async def redeem_invite(
    db: Database,
    code: str,
    telegram_id: int,
    full_name: str,
    now: datetime,
    *,
    language: str = "vi",
) -> Grant | InviteProblem:
    """Use an invite once: the person gets its role on its unit, in one transaction."""
    checked = await check_invite(db, code, now)
    if isinstance(checked, InviteProblem):
        return checked
    async with db.transaction() as tx:
        if not await people.claim_invite(tx, code, telegram_id, now):
            return InviteProblem.USED
        await people.ensure_user(tx, telegram_id, language=language)
        await people.set_full_name(tx, telegram_id, full_name)
        grant_id = await people.add_grant(
            tx, telegram_id, checked.role, checked.unit_id, granted_by=checked.created_by
        )
        await people.approve_pending_requests_of(tx, telegram_id, checked.created_by, now)
        await people.audit(
            tx,
            actor_id=telegram_id,
            action="redeem",
            entity="invite",
            entity_id=code,
            after={"role": checked.role.value, "unit_id": checked.unit_id},
        )
    grants = await people.grants_of(db, telegram_id)
    return next(grant for grant in grants if grant.id == grant_id)


async def grant_role(
    db: Database,
    telegram_id: int,
    role: Role,
    unit: Unit,
    *,
    full_name: str | None = None,
    granted_by: int | None = None,
) -> Grant:
    """Give a role directly (the command line's `admin add`)."""
    if unit.level is not ROLE_LEVEL[role]:
        raise ValueError(
            f"{role.value} is held on a {ROLE_LEVEL[role].value}, not a {unit.level.value}"
        )
    async with db.transaction() as tx:
        await people.ensure_user(tx, telegram_id)
        if full_name:
            await people.set_full_name(tx, telegram_id, full_name)
        grant_id = await people.add_grant(tx, telegram_id, role, unit.id, granted_by=granted_by)
        await people.audit(
            tx,
            actor_id=granted_by,
            action="grant",
            entity="role_grant",
            entity_id=grant_id,
            after={"telegram_id": telegram_id, "role": role.value, "unit_id": unit.id},
        )
    grants = await people.grants_of(db, telegram_id)
    return next(grant for grant in grants if grant.id == grant_id)
