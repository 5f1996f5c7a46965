"""Undoing a title decision for a few minutes: a tap on the wrong button is not final.

The chair who recognised or did not recognise a nomination (or decided a whole list of them)
may put it back to pending within `UNDO_WINDOW`: the nomination (every entry the list's
decision changed) is pending again, the counters move back in the same transaction, an audit
line says who undid what, and the nominator, if they had been told the outcome, is told it was
undone (a notice event). After the window the decision stands; a chair corrects it as any
record (/myreports).

Only the chair who decided may undo, and only while they may still decide it: the button
carries a number, never a right.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from bot.services import counters, reporting
from bot.storage import decisions, notice_events, people, reports
from bot.storage import title_lists as title_list_store
from bot.storage import units as unit_store
from bot.storage.db import Database, Tx
from bot.storage.notice_events import NoticeKind
from bot.storage.records import Nomination, NominationStatus
from bot.storage.title_lists import ListStatus, TitleList
from bot.text import fold

UNDO_WINDOW: Final = timedelta(minutes=5)
"""How long a decision can be taken back by the chair who made it."""

DECIDED: Final = (NominationStatus.RECOGNISED, NominationStatus.REJECTED)


class UndoError(StrEnum):
    """Why a decision cannot be undone; handlers translate each one."""

    NOT_FOUND = "not_found"
    NOT_DECIDED = "not_decided"
    """Pending (undone already, or never decided), or withdrawn since."""
    NOT_YOURS = "not_yours"
    """Decided by another chair: only they may take it back."""
    OUT_OF_SCOPE = "out_of_scope"
    """The chair may no longer decide it (their role was taken away)."""
    TOO_LATE = "too_late"
    IN_A_LIST = "in_a_list"
    """A list's entry: its list's decision is undone as a whole."""
    NOMINATED_AGAIN = "nominated_again"
    """A subject not recognised was nominated again since: two would await the title."""


def within_window(decided_at: datetime | None, now: datetime) -> bool:
    return decided_at is not None and now - decided_at <= UNDO_WINDOW


def nomination_undoable(nomination: Nomination, now: datetime) -> bool:
    """Whether the card of a decided nomination still offers ↩ (who presses is checked then)."""
    return nomination.status in DECIDED and within_window(nomination.decided_at, now)


def list_undoable(title_list: TitleList, now: datetime) -> bool:
    return title_list.status is not ListStatus.PENDING and within_window(title_list.decided_at, now)


def _refusal(
    actor_id: int, decided_by: int | None, decided_at: datetime | None, now: datetime
) -> UndoError | None:
    if decided_by != actor_id:
        return UndoError.NOT_YOURS
    if not within_window(decided_at, now):
        return UndoError.TOO_LATE
    return None


async def _reopened_conflict(tx: Tx, nomination: Nomination) -> bool:
    """A rejected nomination back to pending would make two open ones of its subject."""
    if nomination.status is not NominationStatus.REJECTED:
        return False
    found = await reports.open_nomination(
        tx,
        nomination.kind,
        nomination.unit_id,
        fold(nomination.subject),
        nomination.year,
        excluding_id=nomination.id,
    )
    return found is not None


_PENDING_AGAIN: Final = {
    "status": NominationStatus.PENDING,
    "decided_by": None,
    "decided_at": None,
    "reject_reason": None,
}


async def _tell_if_told(
    tx: Tx,
    decided: NoticeKind,
    undone: NoticeKind,
    record_id: int,
    reporter_id: int,
    decided_by: int | None,
    now: datetime,
) -> None:
    """The nominator hears of the undo only if they heard of the decision: a decision's
    notice still waiting is dropped instead (it would say nothing now anyway), and a chair
    deciding their own nomination was never told."""
    if await notice_events.drop_waiting(tx, decided, record_id):
        return
    if reporter_id != decided_by:
        await notice_events.add(tx, undone, record_id, now)


async def undo_nomination(
    db: Database, nomination_id: int, actor_id: int, *, now: datetime
) -> Nomination | UndoError:
    """Put a nomination this chair decided less than `UNDO_WINDOW` ago back to pending."""
    async with db.transaction() as tx:
        nomination = await reports.get(tx, Nomination, nomination_id)
        if nomination is None:
            return UndoError.NOT_FOUND
        if nomination.status not in DECIDED:
            return UndoError.NOT_DECIDED
        if await title_list_store.listed(tx, [nomination.id]):
            return UndoError.IN_A_LIST
        grants = await people.grants_of(tx, actor_id)
        refused = _refusal(actor_id, nomination.decided_by, nomination.decided_at, now)
        if refused is not None:
            return refused
        unit = await unit_store.get(tx, nomination.unit_id)
        if unit is None or not reporting.can_decide(grants, unit, nomination.kind):
            return UndoError.OUT_OF_SCOPE
        if await _reopened_conflict(tx, nomination):
            return UndoError.NOMINATED_AGAIN
        reopened = await reporting.apply_change(
            tx, Nomination, actor_id, nomination, _PENDING_AGAIN, action="undo", now=now
        )
        await _tell_if_told(
            tx,
            NoticeKind.NOMINATION_DECIDED,
            NoticeKind.NOMINATION_UNDONE,
            nomination.id,
            nomination.reporter_id,
            nomination.decided_by,
            now,
        )
        return reopened


async def undo_list(
    db: Database, list_id: int, actor_id: int, *, now: datetime
) -> TitleList | UndoError:
    """Put a list this chair decided (or returned) less than `UNDO_WINDOW` ago back to
    pending, with every entry that decision recognised or rejected; one transaction, the
    counters moved once."""
    async with db.transaction() as tx:
        title_list = await title_list_store.get(tx, list_id)
        if title_list is None:
            return UndoError.NOT_FOUND
        if title_list.status is ListStatus.PENDING:
            return UndoError.NOT_DECIDED
        grants = await people.grants_of(tx, actor_id)
        refused = _refusal(actor_id, title_list.decided_by, title_list.decided_at, now)
        if refused is not None:
            return refused
        unit = await unit_store.get(tx, title_list.unit_id)
        if unit is None or not reporting.can_decide(grants, unit, title_list.kind):
            return UndoError.OUT_OF_SCOPE
        decided = [
            entry
            for entry in await title_list_store.entries(tx, list_id)
            if entry.status in DECIDED
            and entry.decided_at == title_list.decided_at
            and entry.decided_by == title_list.decided_by
        ]
        for entry in decided:
            if await _reopened_conflict(tx, entry):
                return UndoError.NOMINATED_AGAIN
        changes: list[tuple[Nomination | None, Nomination | None]] = []
        for entry in decided:
            after = await reports.update(
                tx, Nomination, entry.id, {**_PENDING_AGAIN, "updated_at": now}
            )
            await people.audit(
                tx,
                actor_id=actor_id,
                action="undo",
                entity=Nomination.KIND.value,
                entity_id=entry.id,
                before=entry.model_dump(mode="json"),
                after=after.model_dump(mode="json"),
            )
            changes.append((entry, after))
        await counters.move_many(tx, changes)
        reopened = await decisions.reopen_list(tx, list_id, now=now)
        await people.audit(
            tx,
            actor_id=actor_id,
            action="undo",
            entity="nomination_list",
            entity_id=list_id,
            before=title_list.model_dump(mode="json"),
            after={**reopened.model_dump(mode="json"), "reopened": len(decided)},
        )
        await _tell_if_told(
            tx,
            NoticeKind.NOMINATION_LIST_DECIDED,
            NoticeKind.NOMINATION_LIST_UNDONE,
            list_id,
            title_list.reporter_id,
            title_list.decided_by,
            now,
        )
        return reopened
