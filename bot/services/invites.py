"""Becoming a user without asking: an invite link, or a role given directly.

A chair makes an invite link for a role on a unit within their scope (`create_invite`; the
province office makes personal ones, a name each, with `khuyenhoc rollout`: `add_invite`).
Whoever uses it first gets its role on its unit, in one transaction, and a registration
request of theirs still waiting is settled with it (`redeem_invite`). The other way in, a
request a chair approves, is `bot.services.registration`.

An invite to a closed branch gives nothing (`InviteProblem.BRANCH_CLOSED`): closing the
branch revoked its unused links (`branch_changes.close_branch`), and no new one can be made.

The command line's `admin add` gives a role with no link at all (`grant_role`): the first
province administrator, who then invites everyone else from the bot.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from bot.services import branch_changes, scopes
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.db import Database, Tx
from bot.storage.models import ROLE_LEVEL, Grant, Invite, Level, Role, Unit


class InviteProblem(StrEnum):
    NOT_FOUND = "not_found"
    EXPIRED = "expired"
    USED = "used"
    NOT_ALLOWED = "not_allowed"
    ALREADY_REGISTERED = "already_registered"
    BRANCH_CLOSED = "branch_closed"
    """The invite's branch has been closed since (its unused invites were revoked then): no
    role is given on it; whoever opens it is told whom to ask."""


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
    if not unit.in_force or not scopes.can_invite(grants, role, unit):
        return InviteProblem.NOT_ALLOWED
    async with db.transaction() as tx:
        return await add_invite(tx, creator_id, role, unit, now, ttl_days=ttl_days)


OFFICE = 0
"""`created_by` of the invites the province office makes with `khuyenhoc rollout` (the
command line is no Telegram user; none has id 0)."""


async def add_invite(
    tx: Tx,
    creator_id: int,
    role: Role,
    unit: Unit,
    now: datetime,
    *,
    ttl_days: int,
    full_name: str | None = None,
) -> Invite:
    """Write an invite in the caller's transaction, who has checked that `creator_id` may make
    it (`create_invite`; a rollout checks the whole sheet first). `full_name`: the person it is
    for (a rollout's personal invite), offered to them when they register."""
    invite = Invite(
        code=secrets.token_urlsafe(12),
        role=role,
        unit_id=unit.id,
        created_by=creator_id,
        created_at=now,
        expires_at=now + timedelta(days=ttl_days),
        full_name=full_name,
    )
    await people.insert_invite(tx, invite)
    after: dict[str, object] = {"role": role.value, "unit_id": unit.id}
    if full_name is not None:
        after["full_name"] = full_name
    await people.audit(
        tx,
        actor_id=creator_id or None,
        action="create",
        entity="invite",
        entity_id=invite.code,
        after=after,
    )
    return invite


async def check_invite(db: Database, code: str, now: datetime) -> Invite | InviteProblem:
    """The invite, if it may be used now. A closed branch is said before expiry: closing it
    revoked the link (it expired then), and a new link to it cannot be made."""
    invite = await people.get_invite(db, code)
    if invite is None:
        return InviteProblem.NOT_FOUND
    if invite.used_by is not None:
        return InviteProblem.USED
    unit = await unit_store.get(db, invite.unit_id)
    if unit is not None and branch_changes.is_closed(unit):
        return InviteProblem.BRANCH_CLOSED
    if invite.expires_at <= now:
        return InviteProblem.EXPIRED
    return invite


async def invite_unit(db: Database, code: str) -> Unit | None:
    """The unit an invite is for, used or not (to name it when it cannot be used)."""
    invite = await people.get_invite(db, code)
    return await unit_store.get(db, invite.unit_id) if invite is not None else None


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
            return await _why_unclaimed(tx, code, now)
        await people.ensure_user(tx, telegram_id, language=language)
        await people.set_full_name(tx, telegram_id, full_name)
        grant_id = await people.add_grant(
            tx, telegram_id, checked.role, checked.unit_id, granted_by=checked.created_by or None
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


async def _why_unclaimed(tx: Tx, code: str, now: datetime) -> InviteProblem:
    """An invite taken a moment ago by someone else (used), or revoked meanwhile: its branch
    closed, or it ran out."""
    invite = await people.get_invite(tx, code)
    if invite is None or invite.used_by is not None:
        return InviteProblem.USED
    unit = await unit_store.get(tx, invite.unit_id)
    if unit is not None and branch_changes.is_closed(unit):
        return InviteProblem.BRANCH_CLOSED
    return InviteProblem.EXPIRED


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
