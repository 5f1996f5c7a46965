"""Decisions taken back (`bot.services.decision_undo`): SQL only.

A nomination goes back to pending through `reports.update`; a list of nominations here, with
every column of its decision cleared.
"""

from __future__ import annotations

from datetime import datetime

from bot.storage import title_lists
from bot.storage.db import Tx, to_db_time
from bot.storage.title_lists import TitleList


async def reopen_list(tx: Tx, list_id: int, *, now: datetime) -> TitleList:
    """The list pending again, as if never decided."""
    await tx.execute(
        "UPDATE nomination_list SET status = 'pending', decided_by = NULL, decided_at = NULL, "
        "return_reason = NULL, updated_at = ? WHERE id = ?",
        (to_db_time(now), list_id),
    )
    found = await title_lists.get(tx, list_id)
    assert found is not None
    return found
