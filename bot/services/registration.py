"""Becoming a user: self-registration with a chair's approval, or an invite link."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.services import scopes
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import (
    ROLE_LEVEL,
    Grant,
    Invite,
    Level,
    RegistrationRequest,
    RequestStatus,
    Role,
    Unit,
)
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
    the registration questions (only the conversation knows: it says so with `registering`)
    comes before a request already waiting (an invite link may be used while waiting)."""
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
    """Commune chairs of the branch's commune, else the district chairs, else province admins."""
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
            created = True
            pending = await people.get_request(tx, request_id)
    assert pending is not None
    return Submitted(request=pending, approvers=await approvers_for(db, branch), created=created)


class DecisionError(StrEnum):
    NOT_FOUND = "not_found"
    ALREADY_DECIDED = "already_decided"
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
    status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
    async with db.transaction() as tx:
        if not await people.decide_request(tx, request_id, status, approver_id, now):
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
    decided = await people.get_request(db, request_id)
    assert decided is not None
    return Decision(request=decided, branch=branch)


class InviteProblem(StrEnum):
    NOT_FOUND = "not_found"
    EXPIRED = "expired"
    USED = "used"
    NOT_ALLOWED = "not_allowed"
    ALREADY_REGISTERED = "already_registered"


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
        await tx.execute(
            "UPDATE registration_request SET status = 'approved', decided_by = ?, decided_at = "
            "strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE telegram_id = ? AND status = 'pending'",
            (checked.created_by, telegram_id),
        )
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
