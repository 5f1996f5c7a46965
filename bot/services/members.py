"""New association members (hội viên) reported by volunteers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.services import reporting
from bot.services.reporting import ReportError
from bot.storage import reports
from bot.storage.db import Database
from bot.storage.models import Level, Unit
from bot.storage.records import Member, MemberInput, validate_input
from bot.text import fold


async def create_member(
    db: Database,
    actor_id: int,
    data: MemberInput | Mapping[str, Any],
    *,
    idempotency_key: str,
    now: datetime,
) -> tuple[Member, bool] | ReportError:
    """Record a new member on a branch; the same draft key twice returns the first record.

    Raises `ValidationError` for input that breaks a field limit.
    """
    checked = validate_input(MemberInput, data, today=reporting.local_today(now))
    async with db.transaction() as tx:
        return await reporting.create(
            tx, Member, actor_id, checked, idempotency_key=idempotency_key, now=now
        )


def _commune_path(unit: Unit) -> str:
    """'/1/5/77/300/' → '/1/5/77/' for a branch; other levels search their own subtree."""
    if unit.level is not Level.BRANCH:
        return unit.path
    return "/".join(unit.path.split("/")[:-2]) + "/"


async def likely_duplicates(
    db: Database, data: MemberInput, branch: Unit, *, excluding_id: int | None = None
) -> list[Member]:
    """Active members anywhere in the branch's commune with the same folded name and birth
    year: shown to the volunteer before saving, since people move between villages."""
    found = await reports.members_named(
        db, fold(data.full_name), data.birth_year, within=_commune_path(branch)
    )
    return [member for member in found if member.id != excluding_id]
