"""The revisions of the tables that what the statistics keep in memory derives from
(migration 018): a new random value at every write to them, in the writer's transaction."""

from __future__ import annotations

from enum import StrEnum

from bot.storage.db import Database, Tx


class Revision(StrEnum):
    MAPS = "maps"
    """`unit`, `unit_successor`, `unit_move`, `map_change`: the maps and the units on them."""
    FIGURES = "figures"
    """`unit_figure`: populations, households and the other denominators, and targets."""


async def current(db: Database | Tx) -> dict[Revision, int]:
    """Every revision as committed (on a `Database`) or as the transaction sees it: one read
    of a two-row table."""
    rows = await db.fetchall("SELECT name, value FROM data_revision")
    return {Revision(str(name)): int(value) for name, value in rows}
