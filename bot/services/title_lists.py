"""Lists of nominations: many subjects for one title, unit and year, sent and decided at once.

A branch head nominates the 150 learning families of their village in one go (names pasted
one per line, or last year's list in a workbook, renewed), instead of 150 forms; the chair
who recognises that title decides the list as a whole. Each entry is an ordinary nomination
(the same limits, the same "once a year" rule, the same counters), filed with its list:

- *Reading* (`check`) says, before anything is stored, what would be sent and what not:
  lines repeated inside the list, subjects that already hold or await the title that year
  here, lines that are not a name, lines that break a limit.
- *Sending* (`submit`) stores the list and its entries in one transaction, moves the counters
  once for all of them and writes one notice event: the deciding chairs get one card.
- *Deciding* (`decide`) follows the rule of single nominations (`nominations`: who is asked,
  `reporting.can_decide`: who may): recognised in one tap, with some entries left out
  (rejected, with a reason), or returned with a reason (every entry still pending rejected,
  nothing recognised). One transaction, the counters moved once, one notice to the nominator.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from pydantic import ValidationError

from bot.services import campaigns, counters, nominations, reporting, scopes
from bot.services.reporting import ReportError
from bot.storage import notice_events, people, reports
from bot.storage import title_lists as store
from bot.storage import units as unit_store
from bot.storage.db import Database, Tx
from bot.storage.models import ROLE_RANK, Grant, Level, Role, Unit
from bot.storage.notice_events import NoticeKind
from bot.storage.records import (
    NOTE_MAX,
    FieldCode,
    Nomination,
    NominationInput,
    NominationKind,
    NominationStatus,
    field_problems,
    tidy_text,
    validate_input,
)
from bot.storage.title_lists import ListStatus, TitleList
from bot.text import fold

__all__ = [
    "LEVELS",
    "LIST_KINDS",
    "ListStatus",
    "TitleList",
]

LIST_KINDS: Final = (
    NominationKind.CITIZEN,
    NominationKind.FAMILY,
    NominationKind.CLAN,
    NominationKind.VILLAGE_COMMUNITY,
    NominationKind.LEARNING_UNIT,
)
"""Titles nominated by lists: a commune's own title names the commune, once a year."""

LEVELS: Final = {
    NominationKind.CITIZEN: (Level.BRANCH,),
    NominationKind.FAMILY: (Level.BRANCH,),
    NominationKind.CLAN: (Level.BRANCH,),
    NominationKind.VILLAGE_COMMUNITY: (Level.BRANCH,),
    NominationKind.LEARNING_UNIT: (Level.BRANCH, Level.COMMUNE),
}
"""Where a list of each title is filed, as a single nomination of it (`handlers.titles`)."""

PERSON_KINDS: Final = (NominationKind.CITIZEN,)
"""Titles whose subject is a person's name: a line with digits or signs is not one. (A family
is named as people write it, "Gia đình ông Tư": `NominationInput` keeps it as typed.)"""

MAX_ENTRIES: Final = 3000
"""More than any branch or commune has of one title in a year (Thái Bình: ~150 families a
branch); a longer paste is a mistake, not a list."""

SUBMITTER: Final = Role.BRANCH_HEAD
"""Lists are sent by branch heads and chairs; volunteers nominate one at a time (/title)."""


def may_submit(grants: Sequence[Grant]) -> bool:
    top = scopes.highest(grants)
    return top is not None and top.rank >= ROLE_RANK[SUBMITTER]


# ---------------------------------------------------------------- reading lines

_NUMBERING = re.compile(r"^\s*(?:[-–•*+·>]+\s*|\(?[0-9]{1,5}\s*[.):/-]\s*|[0-9]{1,5}\s+)")
_NOTE_SEPARATOR = re.compile(r"\t|;|,|\s[-–—:]\s|\|")
_NAME_SIGNS = frozenset(" .-'’")


@dataclass(frozen=True)
class Line:
    """One line sent: its number (across the messages, or the sheet's row), as typed."""

    number: int
    text: str


def split_lines(text: str, first: int) -> list[Line]:
    """A pasted message's non-blank lines, numbered from `first`."""
    found = [line.strip() for line in text.splitlines()]
    return [Line(first + index, line) for index, line in enumerate(line for line in found if line)]


def row_line(number: int, cells: Sequence[str]) -> Line | None:
    """A workbook row (number, name, note…) as the line it would have been typed as."""
    cells = [cell.strip() for cell in cells]
    if cells and cells[0].isdigit():
        cells = cells[1:]  # the row's number (STT)
    cells = [cell for cell in cells if cell]
    if not cells:
        return None
    return Line(number, "\t".join(cells))


def subject_and_note(text: str) -> tuple[str, str | None]:
    """ "12. Trần Văn Bình, 3 con đỗ đại học" → ("Trần Văn Bình", "3 con đỗ đại học"): the
    numbering and bullets go, the first comma, semicolon, tab or dash starts the note."""
    text = _NUMBERING.sub("", text, count=1).strip()
    parts = _NOTE_SEPARATOR.split(text, maxsplit=1)
    subject = tidy_text(parts[0])
    note = tidy_text(parts[1]) if len(parts) > 1 else ""
    return subject, note or None


def _readable(kind: NominationKind, subject: str) -> bool:
    """A citizen's name has letters and spaces (and . - '); any other subject some letter."""
    if not any(ch.isalpha() for ch in subject):
        return False
    if kind in PERSON_KINDS:
        return all(ch.isalpha() or ch in _NAME_SIGNS for ch in subject)
    return True


@dataclass(frozen=True)
class Entry:
    """A line read as a nomination: its subject as it would be stored."""

    line: Line
    subject: str
    note: str | None

    @property
    def folded(self) -> str:
        return fold(self.subject)


@dataclass(frozen=True)
class Reading:
    """What a list holds, before it is sent: each line in exactly one of these."""

    ready: list[Entry]
    repeated: list[tuple[Entry, int]]
    """Lines repeating an earlier line of the list, with that line's number (only the first
    is sent)."""
    already: list[tuple[Entry, int]]
    """Subjects that hold or await the title that year here: the nomination's number."""
    unreadable: list[Line]
    """Not a name: digits or signs where a person's name should be, or no letter at all."""
    problems: list[tuple[Line, str, FieldCode]]
    """A limit broken: (line, field: `subject` or `note`, why)."""

    @property
    def total(self) -> int:
        return (
            len(self.ready)
            + len(self.repeated)
            + len(self.already)
            + len(self.unreadable)
            + len(self.problems)
        )


def read(kind: NominationKind, lines: Sequence[Line], *, today: date) -> Reading:
    """Each line checked on its own and against the earlier lines (nothing stored)."""
    ready: list[Entry] = []
    repeated: list[tuple[Entry, int]] = []
    unreadable: list[Line] = []
    problems: list[tuple[Line, str, FieldCode]] = []
    first_of: dict[str, int] = {}
    for line in lines:
        subject, note = subject_and_note(line.text)
        if not _readable(kind, subject):
            unreadable.append(line)
            continue
        try:
            checked = validate_input(
                NominationInput,
                {"kind": kind, "subject": subject, "unit_id": 1, "year": today.year, "note": note},
                today=today,
            )
        except ValidationError as error:
            problem = field_problems(error)[0]
            problems.append((line, problem.field, problem.code))
            continue
        entry = Entry(line, checked.subject, checked.note)
        if entry.folded in first_of:
            repeated.append((entry, first_of[entry.folded]))
            continue
        first_of[entry.folded] = line.number
        ready.append(entry)
    return Reading(ready, repeated, [], unreadable, problems)


async def check(
    db: Database | Tx,
    kind: NominationKind,
    unit_id: int,
    year: int,
    lines: Sequence[Line],
    *,
    today: date,
) -> Reading:
    """`read`, and the subjects that already hold or await the title here that year set
    apart (`already`): what `submit` would store is `ready`."""
    reading = read(kind, lines, today=today)
    held = await store.open_subjects(db, kind, unit_id, year)
    ready = [entry for entry in reading.ready if entry.folded not in held]
    already = [(entry, held[entry.folded]) for entry in reading.ready if entry.folded in held]
    return Reading(ready, reading.repeated, already, reading.unreadable, reading.problems)


def year_problem(year: int, *, today: date) -> FieldCode | None:
    """The title year's own limits (as a single nomination's)."""
    try:
        validate_input(
            NominationInput,
            {"kind": NominationKind.FAMILY, "subject": "An An", "unit_id": 1, "year": year},
            today=today,
        )
    except ValidationError as error:
        return field_problems(error)[0].code
    return None


# ---------------------------------------------------------------- sending


@dataclass(frozen=True)
class Sent:
    title_list: TitleList
    entries: int
    """Nominations the list holds: fewer than were ready when the person saw the check if
    some of the subjects were nominated meanwhile."""
    new: bool
    """False: the same draft sent again, the first list returned unchanged."""


async def submit(
    db: Database,
    actor_id: int,
    *,
    kind: NominationKind,
    unit_id: int,
    year: int,
    lines: Sequence[Line],
    idempotency_key: str,
    now: datetime,
) -> Sent | ReportError:
    """Store the list: every line `check` finds ready becomes a pending nomination of it, in
    one transaction. DUPLICATE when none is ready any more."""
    if kind not in LIST_KINDS:
        raise ValueError(f"no lists of {kind.value}")
    if not 1 <= len(idempotency_key) <= reporting.KEY_MAX - 10:
        raise ValueError("idempotency keys of lists are 1..90 characters")
    if len(lines) > MAX_ENTRIES:
        raise ValueError(f"at most {MAX_ENTRIES} lines in a list")
    today = reporting.local_today(now)
    async with db.transaction() as tx:
        existing = await store.by_key(tx, idempotency_key)
        if existing is not None:
            if existing.reporter_id != actor_id:
                return ReportError.KEY_CONFLICT
            held = sum((await store.counts(tx, existing.id)).values())
            return Sent(existing, held, new=False)
        unit = await unit_store.get(tx, unit_id)
        if unit is None or not unit.active or unit.level not in LEVELS[kind]:
            return ReportError.UNKNOWN_UNIT
        grants = await people.grants_of(tx, actor_id)
        if not may_submit(grants) or not reporting.can_report(grants, unit):
            return ReportError.OUT_OF_SCOPE
        if year_problem(year, today=today) is not None:
            raise ValueError(f"not a title year: {year}")
        reading = await check(tx, kind, unit_id, year, lines, today=today)
        if not reading.ready:
            return ReportError.DUPLICATE
        title_list = await store.insert(
            tx,
            kind=kind,
            unit_id=unit.id,
            year=year,
            reporter_id=actor_id,
            idempotency_key=idempotency_key,
            now=now,
        )
        campaign_id = await campaigns.tag_for(tx, today)
        created: list[Nomination] = []
        for index, entry in enumerate(reading.ready, start=1):
            record = await store.add_entry(
                tx,
                {
                    "kind": kind,
                    "subject": entry.subject,
                    "subject_folded": entry.folded,
                    "unit_id": unit.id,
                    "year": year,
                    "note": entry.note,
                    "reporter_id": actor_id,
                    "created_at": now,
                    "updated_at": now,
                    "idempotency_key": f"{idempotency_key}:{index}",
                    "campaign_id": campaign_id,
                    "list_id": title_list.id,
                },
            )
            await people.audit(
                tx,
                actor_id=actor_id,
                action="create",
                entity=Nomination.KIND.value,
                entity_id=record.id,
                after=record.model_dump(mode="json"),
            )
            created.append(record)
        await counters.move_many(tx, [(None, record) for record in created])
        await people.audit(
            tx,
            actor_id=actor_id,
            action="create",
            entity="nomination_list",
            entity_id=title_list.id,
            after={**title_list.model_dump(mode="json"), "entries": len(created)},
        )
        await notice_events.add(tx, NoticeKind.NOMINATION_LIST_SUBMITTED, title_list.id, now)
        return Sent(title_list, len(created), new=True)


# ---------------------------------------------------------------- deciding


def refusal(grants: Sequence[Grant], unit: Unit, title_list: TitleList) -> ReportError | None:
    """Why these grants may not decide the list now; None: they may. Whoever may decide a
    nomination of its title there may decide the list (`nominations.refusal`'s rule)."""
    if not reporting.can_decide(grants, unit, title_list.kind):
        return ReportError.OUT_OF_SCOPE
    if title_list.status is not ListStatus.PENDING:
        return ReportError.ALREADY_DECIDED
    return None


async def get(db: Database | Tx, list_id: int) -> TitleList | None:
    return await store.get(db, list_id)


async def decidable(db: Database, actor_id: int, list_id: int) -> TitleList | ReportError:
    """The list if this person may decide it now, else why not (the checks `decide` makes)."""
    title_list = await store.get(db, list_id)
    if title_list is None:
        return ReportError.NOT_FOUND
    unit = await unit_store.get(db, title_list.unit_id)
    if unit is None:
        return ReportError.OUT_OF_SCOPE
    return refusal(await people.grants_of(db, actor_id), unit, title_list) or title_list


async def deciders(db: Database, title_list: TitleList) -> tuple[Unit | None, list[int]]:
    """The chairs the list goes to, and the unit they chair: those a single nomination of its
    title there goes to (`nominations.deciders`)."""
    unit = await unit_store.get(db, title_list.unit_id)
    if unit is None:
        return None, []
    return await nominations.deciders(db, unit, title_list.kind)


async def decide(
    db: Database,
    list_id: int,
    actor_id: int,
    *,
    recognise: bool,
    left_out: Collection[int] = (),
    reason: str | None = None,
    now: datetime,
) -> TitleList | ReportError:
    """Recognise the list's pending entries but those `left_out` (rejected with `reason`), or
    (`recognise` False) return it: every pending entry rejected with `reason`. A reason is
    needed whenever something is not recognised. One transaction; the counters move once."""
    reason_text = tidy_text(reason or "")
    async with db.transaction() as tx:
        title_list = await store.get(tx, list_id)
        if title_list is None:
            return ReportError.NOT_FOUND
        unit = await unit_store.get(tx, title_list.unit_id)
        assert unit is not None
        refused = refusal(await people.grants_of(tx, actor_id), unit, title_list)
        if refused is not None:
            return refused
        pending = await store.entries(tx, list_id, status=NominationStatus.PENDING)
        rejecting = (
            pending if not recognise else [entry for entry in pending if entry.id in left_out]
        )
        if rejecting and not reason_text:
            return ReportError.REASON_REQUIRED
        if len(reason_text) > NOTE_MAX:
            return ReportError.REASON_TOO_LONG
        rejected_ids = {entry.id for entry in rejecting}
        changes: list[tuple[Nomination | None, Nomination | None]] = []
        for entry in pending:
            recognised = entry.id not in rejected_ids
            after = await reports.update(
                tx,
                Nomination,
                entry.id,
                {
                    "status": NominationStatus.RECOGNISED
                    if recognised
                    else NominationStatus.REJECTED,
                    "decided_by": actor_id,
                    "decided_at": now,
                    "reject_reason": None if recognised else reason_text,
                    "updated_at": now,
                },
            )
            await people.audit(
                tx,
                actor_id=actor_id,
                action="recognise" if recognised else "reject",
                entity=Nomination.KIND.value,
                entity_id=entry.id,
                before=entry.model_dump(mode="json"),
                after=after.model_dump(mode="json"),
            )
            changes.append((entry, after))
        await counters.move_many(tx, changes)
        decided = await store.decide(
            tx,
            list_id,
            status=ListStatus.DECIDED if recognise else ListStatus.RETURNED,
            decided_by=actor_id,
            reason=None if recognise else reason_text,
            now=now,
        )
        await people.audit(
            tx,
            actor_id=actor_id,
            action="decide" if recognise else "return",
            entity="nomination_list",
            entity_id=list_id,
            before=title_list.model_dump(mode="json"),
            after={
                **decided.model_dump(mode="json"),
                "recognised": len(pending) - len(rejected_ids),
                "rejected": len(rejected_ids),
            },
        )
        await notice_events.add(tx, NoticeKind.NOMINATION_LIST_DECIDED, list_id, now)
        return decided


# ---------------------------------------------------------------- reading lists


async def pending_for(db: Database, actor_id: int) -> list[TitleList]:
    """The pending lists this person may decide, oldest first (where `nominations.pending_for`
    looks for single nominations)."""
    reach = nominations.decision_reach(await people.grants_of(db, actor_id))
    return await store.pending_lists(db, reach)


async def entries(db: Database | Tx, list_id: int) -> list[Nomination]:
    """The list's nominations, in the order they were listed."""
    return await store.entries(db, list_id)


async def counts(db: Database | Tx, list_id: int) -> Mapping[NominationStatus, int]:
    return await store.counts(db, list_id)


async def renewals(
    db: Database | Tx, kind: NominationKind, unit_id: int, year: int
) -> list[Nomination]:
    """Last year's recognised subjects of this title here: the workbook is pre-filled with
    them, since most are renewed every year."""
    return await store.recognised(db, kind, unit_id, year - 1)
