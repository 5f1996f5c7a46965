"""Carrying a sheet out: who may (the province administrator, or the command line), what it
would do (`check`), and doing it (`roll_out`): the sheet checked again inside one transaction,
then the missing branches and one invite per person written, all rows or none. A rerun adds
only what is new; a link that still works is listed again, an expired one replaced."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Final

from bot.services import hierarchy, invites
from bot.services.imports import Source, Table
from bot.services.reporting import local_today
from bot.services.rollout.checking import check_table
from bot.services.rollout.problems import Problem, Rejected, RowProblem
from bot.services.rollout.results import Person, Rollout, Status
from bot.services.rollout.sheet import read_table
from bot.services.rollout.vocabulary import words
from bot.storage import people
from bot.storage.db import Database
from bot.storage.models import Grant, Role, Unit

ROLLOUT_TTL_DAYS: Final = 30
"""How long a rollout's links work: printed cards travel through the communes for weeks (an
/invite link: `KHUYENHOC_INVITE_TTL_DAYS`). Running the sheet again renews the expired ones."""


def may_roll_out(grants: Sequence[Grant]) -> bool:
    return any(grant.role is Role.PROVINCE_ADMIN for grant in grants)


async def _readable(
    db: Database, source: Source, file_name: str, actor_id: int | None
) -> Table | Rejected:
    """The sheet's rows, if `actor_id` may roll out (None: the command line) and it reads."""
    if actor_id is not None and not may_roll_out(await people.grants_of(db, actor_id)):
        return Rejected((RowProblem(None, Problem.NOT_ALLOWED),))
    table = await asyncio.to_thread(read_table, source, file_name)
    if isinstance(table, RowProblem):
        return Rejected((table,))
    return table


async def check(
    db: Database, source: Source, file_name: str, *, actor_id: int | None, now: datetime
) -> Rollout | Rejected:
    """What the sheet would do, or every problem in it by row; nothing is written. `actor_id`:
    the province administrator sending it (None: the command line)."""
    table = await _readable(db, source, file_name, actor_id)
    if isinstance(table, Rejected):
        return table
    return await check_table(db, table, now=now)


async def roll_out(
    db: Database,
    source: Source,
    file_name: str,
    *,
    actor_id: int | None,
    now: datetime,
    ttl_days: int = ROLLOUT_TTL_DAYS,
) -> Rollout | Rejected:
    """Check the sheet again and, in one transaction, create the missing branches (in force
    from today) and an invite for each person who has neither the role nor a working link."""
    table = await _readable(db, source, file_name, actor_id)
    if isinstance(table, Rejected):
        return table
    today = local_today(now)
    creator = actor_id if actor_id is not None else invites.OFFICE
    async with db.transaction() as tx:
        checked = await check_table(tx, table, now=now)
        if isinstance(checked, Rejected):
            return checked
        created: dict[tuple[int, str], Unit] = {}
        done: list[Person] = []
        for person in checked.people:
            unit = person.unit
            if unit is None:
                assert person.commune is not None and person.branch_name is not None
                assert person.branch_kind is not None
                key = (person.commune.id, words(person.branch_name))
                if key not in created:
                    created[key] = await hierarchy.create_branch(
                        None,
                        person.commune,
                        person.branch_name,
                        person.branch_kind,
                        actor_id=actor_id,
                        since=today,
                        tx=tx,
                    )
                unit = created[key]
            invite = person.invite
            if person.status is Status.NEW:
                invite = await invites.add_invite(
                    tx,
                    creator,
                    person.role,
                    unit,
                    now,
                    ttl_days=ttl_days,
                    full_name=person.full_name,
                )
            done.append(replace(person, unit=unit, invite=invite))
        result = replace(checked, people=tuple(done), applied=True)
        await people.audit(
            tx,
            actor_id=actor_id,
            action="rollout",
            entity="rollout",
            entity_id=file_name[:100],
            after={
                "rows": len(done),
                "branches_created": result.new_branches,
                "invites_created": result.count(Status.NEW),
                "skipped": result.skipped,
            },
        )
    return result
