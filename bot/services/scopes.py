"""Who may touch which unit. Every handler asks here; callback data is never trusted."""

from __future__ import annotations

from collections.abc import Sequence

from bot.storage.models import CHAIR_ROLES, ROLE_LEVEL, ROLE_RANK, Grant, Role, Unit


def highest(grants: Sequence[Grant]) -> Grant | None:
    return max(grants, key=lambda grant: grant.rank, default=None)


def covers(grants: Sequence[Grant], unit: Unit, *, minimum: Role = Role.VOLUNTEER) -> bool:
    """True when one grant of at least `minimum` rank reaches `unit`."""
    return any(grant.rank >= ROLE_RANK[minimum] and grant.unit.covers(unit) for grant in grants)


def is_chair(grants: Sequence[Grant]) -> bool:
    return any(grant.role in CHAIR_ROLES for grant in grants)


def invitable_roles(grants: Sequence[Grant]) -> list[Role]:
    """Roles strictly below the user's highest chair role; volunteers invite nobody. Whether
    the map has units for each of them (a middle level?) is `invites.invitable_roles`."""
    top = highest(grants)
    if top is None or top.role not in CHAIR_ROLES:
        return []
    return [role for role in Role if ROLE_RANK[role] < top.rank]


def can_invite(grants: Sequence[Grant], role: Role, unit: Unit) -> bool:
    """A chair may invite to a role below their own, on a unit of that role's level in scope."""
    if unit.level is not ROLE_LEVEL[role]:
        return False
    return any(
        grant.role in CHAIR_ROLES and grant.rank > ROLE_RANK[role] and grant.unit.covers(unit)
        for grant in grants
    )


def can_approve_registration(grants: Sequence[Grant], branch: Unit) -> bool:
    return covers(grants, branch, minimum=Role.COMMUNE_CHAIR)


def can_manage_branches(grants: Sequence[Grant], commune: Unit) -> bool:
    return covers(grants, commune, minimum=Role.COMMUNE_CHAIR)
