"""What the statistics derive from rarely changing tables, kept in memory between answers.

Why: a province's /stats reads the maps (which units ended, went where), the structure
beneath each of its 105 lines and their figures (populations and targets, resolved through
the maps): as long to read and work out as the counters themselves, and the same for every
chair until a unit, a map or a figure changes. A report changes none of them, so in a
campaign week they are nearly always what they were at the last answer.

Each value is kept per open `Database` and per revision of the tables it derives from
(`bot.storage.revisions`, migration 018: every write to those tables, by this process or
another, gives them a new random revision). A value is looked up by its key and the current
revisions (one read of a two-row table), so a change is seen at the next answer. It is kept
only when the revisions read after building it are the ones read before: a write committed
in between may have been half seen. Nothing is kept for reads inside a transaction (`Tx`):
they may see what is then rolled back.

Values are shared between answers: callers treat them as read-only.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Generic, TypeVar

from bot.storage import revisions
from bot.storage.db import Database, Tx
from bot.storage.revisions import Revision

T = TypeVar("T")


class Derived(Generic[T]):
    """One kind of derived value, with the tables it depends on."""

    def __init__(self, depends_on: Sequence[Revision], *, size: int = 32) -> None:
        self._depends_on = tuple(depends_on)
        self._size = size
        self._kept: weakref.WeakKeyDictionary[Database, OrderedDict[Hashable, T]] = (
            weakref.WeakKeyDictionary()
        )

    async def _revisions(self, db: Database) -> tuple[int, ...]:
        found = await revisions.current(db)
        return tuple(found[name] for name in self._depends_on)

    async def get(self, db: Database | Tx, key: Hashable, build: Callable[[], Awaitable[T]]) -> T:
        """The value for `key` as the tables are now: kept, or built by `build` (and kept)."""
        if not isinstance(db, Database):
            return await build()
        before = await self._revisions(db)
        kept = self._kept.setdefault(db, OrderedDict())
        full_key = (before, key)
        if full_key in kept:
            kept.move_to_end(full_key)
            return kept[full_key]
        value = await build()
        if await self._revisions(db) == before:
            kept[full_key] = value
            while len(kept) > self._size:
                kept.popitem(last=False)
        return value
