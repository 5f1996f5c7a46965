"""What a checked sheet holds, or what it did: each person with where they stand (a new link,
a link that still works, the role held already), so that a rerun lists everyone again and
creates only what is new."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.storage.models import Invite, Role, Unit, UnitKind


class Status(StrEnum):
    NEW = "new"
    """Gets a new invite."""
    INVITED = "invited"
    """Has a link that still works: listed again, nothing made."""
    REGISTERED = "registered"
    """Holds the role already."""


@dataclass(frozen=True)
class Person:
    """One row of the sheet, checked: who, which role on which unit, and where they stand."""

    row: int
    full_name: str
    phone: str | None
    """E.164 (+84…)."""
    role: Role
    commune: Unit | None
    area: Unit | None
    branch_name: str | None
    branch_kind: UnitKind | None
    unit: Unit | None
    """Where the role is held; None until a new branch is created (`check`)."""
    status: Status
    invite: Invite | None = None
    """The link: a new one (after `roll_out`), or the one that still works."""


@dataclass(frozen=True)
class Rollout:
    """What a sheet holds (`check`) or what it did (`roll_out`, `applied`)."""

    people: tuple[Person, ...]
    new_branches: int
    """Branches created (or to be created)."""
    existing_branches: int
    """Branches the sheet names that were there already."""
    communes: int
    examples: int = 0
    """Rows skipped as the template's example."""
    applied: bool = False

    def count(self, status: Status) -> int:
        return sum(person.status is status for person in self.people)

    @property
    def created(self) -> int:
        """Branches and invites made (or to be made)."""
        return self.new_branches + self.count(Status.NEW)

    @property
    def skipped(self) -> int:
        """What the sheet names that was there already."""
        return self.existing_branches + self.count(Status.INVITED) + self.count(Status.REGISTERED)

    @property
    def with_links(self) -> tuple[Person, ...]:
        return tuple(person for person in self.people if person.invite is not None)
