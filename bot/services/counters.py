"""Pre-aggregated statistics: one counter per unit, year and indicator.

Every change to a reported record calls `move(tx, before, after)` in its own transaction: the
facts of `before` are taken away and those of `after` added, at the record's unit and at each
of its ancestors, so /stats reads one row instead of scanning records. What counts is decided
once, by the `*_facts` functions below; `recompute` rebuilds every counter from the raw rows
through the same functions and reports where the stored counters drifted.

Baselines (totals from before the bot, `bot/services/imports.py`) are rolled up the same way
under `baseline:<indicator>` by `move_baselines`, and `recompute` checks them too.

A fact rolls up along **the map of its year** (docs/map-change.md): a unit given another parent
by a map change (`unit_move`, effective E) counts under its old parent for the years before
E's year and under its parent now from then on; a unit that never moved, under none of whose
ancestors moved either, simply along its materialised path.

Indicator names are stable strings (they are stored); build them only with the helpers here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from bot.storage import figures as figure_store
from bot.storage import map_changes as map_store
from bot.storage import reports
from bot.storage.db import Database, Tx
from bot.storage.records import (
    OPEN_NOMINATION_STATUSES,
    Award,
    Campaign,
    Contribution,
    DonorKind,
    Member,
    Nomination,
    NominationKind,
    NominationStatus,
    RecordStatus,
    ReportKind,
    ReportRecord,
)
from bot.storage.reports import CounterKey

MEMBERS_NEW: Final = "members_new"
"""New members, by the year they joined."""
FUND_RAISED: Final = "fund_raised"
"""Đồng contributed (in-kind gifts at their estimated value), by the contribution's year."""
FUND_AWARDED: Final = "fund_awarded"
"""Đồng paid out as scholarships and prizes, by the award's year."""
CONTRIBUTIONS: Final = "contributions"
"""Number of contributions."""
AWARDS: Final = "awards"
"""Number of awards."""


def title(kind: NominationKind, status: NominationStatus) -> str:
    """Titles held (`recognised`) or awaited (`pending`), by the nomination's year."""
    if status not in OPEN_NOMINATION_STATUSES:
        raise ValueError(f"no counter for {status.value} nominations")
    return f"title:{kind.value}:{status.value}"


def raised_by_campaign(campaign: Campaign) -> str:
    return f"{FUND_RAISED}:campaign:{campaign.value}"


def raised_by_donor(kind: DonorKind) -> str:
    return f"{FUND_RAISED}:donor:{kind.value}"


def all_indicators() -> list[str]:
    """Every indicator name, for the statistics screens and their tests."""
    return [
        MEMBERS_NEW,
        *(title(kind, status) for kind in NominationKind for status in OPEN_NOMINATION_STATUSES),
        FUND_RAISED,
        *(raised_by_campaign(campaign) for campaign in Campaign),
        *(raised_by_donor(kind) for kind in DonorKind),
        FUND_AWARDED,
        CONTRIBUTIONS,
        AWARDS,
    ]


MEMBERS_TOTAL: Final = "members_total"
"""Members at the end of a year: only ever a baseline (the bot counts new members)."""
BASELINE_PREFIX: Final = "baseline:"
STOCK_BASELINES: Final = (MEMBERS_TOTAL,)
"""Baselines that are a level at year end, not a flow: statistics use the latest year that has
one, so they also count how many units have a row (`baseline_units`) to tell a known 0 from
no baseline at all."""


def baseline_indicators() -> list[str]:
    """What a baseline row may hold: its `baseline.indicator` names."""
    return [
        MEMBERS_TOTAL,
        *(title(kind, NominationStatus.RECOGNISED) for kind in NominationKind),
        FUND_RAISED,
        FUND_AWARDED,
    ]


_BASELINE_INDICATORS: Final = frozenset(baseline_indicators())


def baseline(indicator: str) -> str:
    """The counter a baseline indicator is rolled up into."""
    if indicator not in _BASELINE_INDICATORS:
        raise ValueError(f"not a baseline indicator: {indicator}")
    return f"{BASELINE_PREFIX}{indicator}"


def baseline_units(indicator: str) -> str:
    """How many units have a baseline row of a stock indicator for the year."""
    if indicator not in STOCK_BASELINES:
        raise ValueError(f"not a stock baseline: {indicator}")
    return f"{baseline(indicator)}:units"


Fact = tuple[int, str, int]
"""(year, indicator, amount) one record, or a group of them, adds at its own unit."""


def member_facts(status: RecordStatus, joined_year: int, count: int = 1) -> list[Fact]:
    if status is not RecordStatus.ACTIVE:
        return []
    return [(joined_year, MEMBERS_NEW, count)]


def nomination_facts(
    status: NominationStatus, kind: NominationKind, year: int, count: int = 1
) -> list[Fact]:
    if status not in OPEN_NOMINATION_STATUSES:
        return []
    return [(year, title(kind, status), count)]


def contribution_facts(
    status: RecordStatus,
    year: int,
    campaign: Campaign,
    donor_kind: DonorKind,
    amount: int,
    count: int = 1,
) -> list[Fact]:
    if status is not RecordStatus.ACTIVE:
        return []
    return [
        (year, FUND_RAISED, amount),
        (year, raised_by_campaign(campaign), amount),
        (year, raised_by_donor(donor_kind), amount),
        (year, CONTRIBUTIONS, count),
    ]


def award_facts(status: RecordStatus, year: int, amount: int, count: int = 1) -> list[Fact]:
    if status is not RecordStatus.ACTIVE:
        return []
    return [(year, FUND_AWARDED, amount), (year, AWARDS, count)]


def baseline_facts(year: int, indicator: str, value: int, rows: int = 1) -> list[Fact]:
    facts = [(year, baseline(indicator), value)]
    if indicator in STOCK_BASELINES:
        facts.append((year, baseline_units(indicator), rows))
    return facts


def record_facts(record: ReportRecord) -> list[Fact]:
    match record:
        case Member():
            return member_facts(record.status, record.joined_on.year)
        case Nomination():
            return nomination_facts(record.status, record.kind, record.year)
        case Contribution():
            return contribution_facts(
                record.status,
                record.contributed_on.year,
                record.campaign,
                record.donor_kind,
                record.amount,
            )
        case Award():
            return award_facts(record.status, record.awarded_on.year, record.amount)
        case _:
            raise TypeError(f"not a reported record: {type(record).__name__}")


def _lineage(path: str) -> list[int]:
    """'/1/5/77/300/' → [1, 5, 77, 300]: the unit and every ancestor."""
    return [int(part) for part in path.strip("/").split("/")]


_DEEPEST = 16
"""More parents than any map has: a chain of moves that loops stops here."""


@dataclass
class _Map:
    """Enough of the hierarchy to roll facts up on the map of each year: every unit's parent
    now (from the paths read) and the moves of the units that moved."""

    parents: dict[int, int | None]
    moves: dict[int, list[map_store.UnitMove]]
    paths: dict[int, str]

    def learn(self, paths: dict[int, str]) -> set[int]:
        """Add units from their paths; returns the ids not known before."""
        new: set[int] = set()
        for path in paths.values():
            chain = _lineage(path)
            for index, unit_id in enumerate(chain):
                if unit_id not in self.parents:
                    self.parents[unit_id] = chain[index - 1] if index else None
                    new.add(unit_id)
        self.paths.update(paths)
        return new

    def missing(self) -> set[int]:
        """Old parents of moves whose own parents are not known yet."""
        return {
            move.from_parent_id
            for moves in self.moves.values()
            for move in moves
            if move.from_parent_id not in self.parents
        }

    def parent(self, unit_id: int, year: int) -> int | None:
        """The unit's parent on the map of `year`: the old parent of the earliest move that
        took effect after that year, else the parent now."""
        for move in self.moves.get(unit_id, ()):
            if year < move.effective.year:
                return move.from_parent_id
        return self.parents.get(unit_id)

    def lineage(self, unit_id: int, year: int) -> list[int]:
        """The unit and its ancestors on the map of `year`."""
        if not self.moves:
            return _lineage(self.paths[unit_id])
        chain: list[int] = []
        current: int | None = unit_id
        while current is not None and len(chain) < _DEEPEST:
            chain.append(current)
            current = self.parent(current, year)
        return chain


async def _map(db: Database | Tx, unit_ids: set[int] | None = None) -> _Map:
    """What rolling up the facts of `unit_ids` (of every unit when None) needs: their paths,
    the moves of every unit on them, and the lineages of the old parents those moves name."""
    found = _Map(parents={}, moves={}, paths={})
    new = found.learn(await reports.unit_paths(db, unit_ids))
    found.moves.update(await map_store.moves_of(db, None if unit_ids is None else new))
    for _ in range(_DEEPEST):
        missing = found.missing()
        if not missing:
            break
        new = found.learn(await reports.unit_paths(db, missing))
        found.moves.update(await map_store.moves_of(db, new))
    return found


def _spread(at_units: Counter[CounterKey], where: _Map) -> Counter[CounterKey]:
    """Add each unit's amounts to every unit of its lineage on the map of the year; zero
    totals are dropped."""
    spread: Counter[CounterKey] = Counter()
    lineages: dict[tuple[int, int], list[int]] = {}
    for (unit_id, year, indicator), amount in at_units.items():
        chain = lineages.get((unit_id, year))
        if chain is None:
            chain = lineages[(unit_id, year)] = where.lineage(unit_id, year)
        for ancestor in chain:
            spread[(ancestor, year, indicator)] += amount
    return Counter({key: amount for key, amount in spread.items() if amount})


async def _bump_spread(tx: Tx, at_units: Counter[CounterKey]) -> None:
    if not any(at_units.values()):
        return
    where = await _map(tx, {unit_id for unit_id, _, _ in at_units})
    await reports.bump_counters(tx, sorted(_spread(at_units, where).items()))


async def move(tx: Tx, before: ReportRecord | None, after: ReportRecord | None) -> None:
    """Replace `before`'s contribution to the counters by `after`'s (None: nothing)."""
    await move_many(tx, [(before, after)])


async def move_many(
    tx: Tx, changes: Iterable[tuple[ReportRecord | None, ReportRecord | None]]
) -> None:
    """`move` for many records changed in one transaction (a list of nominations sent or
    decided at once): their facts added up, one read of the map, one write of the counters."""
    at_units: Counter[CounterKey] = Counter()
    for before, after in changes:
        for record, sign in ((before, -1), (after, 1)):
            if record is not None:
                for year, indicator, amount in record_facts(record):
                    at_units[(record.unit_id, year, indicator)] += sign * amount
    await _bump_spread(tx, at_units)


@dataclass(frozen=True)
class BaselineChange:
    """One baseline row replaced: `before`/`after` None when there was or will be no row."""

    unit_id: int
    year: int
    indicator: str
    before: int | None
    after: int | None


async def move_baselines(tx: Tx, changes: Iterable[BaselineChange]) -> None:
    """Replace each change's `before` by its `after` in the counters of the unit and every
    ancestor; call in the transaction that writes the baseline rows."""
    at_units: Counter[CounterKey] = Counter()
    for change in changes:
        for value, sign in ((change.before, -1), (change.after, 1)):
            if value is not None:
                for year, indicator, amount in baseline_facts(change.year, change.indicator, value):
                    at_units[(change.unit_id, year, indicator)] += sign * amount
    await _bump_spread(tx, at_units)


async def values(db: Database | Tx, unit_id: int, year: int) -> dict[str, int]:
    """The non-zero counters of one unit and year, by indicator."""
    return await reports.counter_values(db, unit_id, year)


@dataclass(frozen=True)
class Mismatch:
    unit_id: int
    year: int
    indicator: str
    stored: int
    expected: int


async def expected_counters(db: Database | Tx) -> Counter[CounterKey]:
    """What every counter should hold, recomputed from the raw rows and the baselines."""
    at_units: Counter[CounterKey] = Counter()
    for kind in ReportKind:
        for group in await reports.grouped(db, kind):
            for year, indicator, amount in _group_facts(kind, group):
                at_units[(int(group["unit_id"]), year, indicator)] += amount
    for row in await figure_store.all_baselines(db):
        for year, indicator, amount in baseline_facts(row.year, row.indicator, row.value):
            at_units[(row.unit_id, year, indicator)] += amount
    return _spread(at_units, await _map(db))


def _group_facts(kind: ReportKind, group: dict[str, object]) -> list[Fact]:
    year, count, amount = int(str(group["year"])), int(str(group["n"])), int(str(group["amount"]))
    status = str(group["status"])
    match kind:
        case ReportKind.MEMBER:
            return member_facts(RecordStatus(status), year, count)
        case ReportKind.NOMINATION:
            return nomination_facts(
                NominationStatus(status), NominationKind(str(group["kind"])), year, count
            )
        case ReportKind.CONTRIBUTION:
            return contribution_facts(
                RecordStatus(status),
                year,
                Campaign(str(group["campaign"])),
                DonorKind(str(group["donor_kind"])),
                amount,
                count,
            )
        case ReportKind.AWARD:
            return award_facts(RecordStatus(status), year, amount, count)


async def recompute(db: Database) -> list[Mismatch]:
    """Counters whose stored value differs from the raw rows (a missing row counts as 0).

    Read inside one transaction so no write lands between the rows and the counters.
    """
    async with db.transaction() as tx:
        return await recompute_in(tx)


async def recompute_in(tx: Tx) -> list[Mismatch]:
    """`recompute` inside a transaction the caller holds (a map change checks its own)."""
    return _compare(await reports.all_counters(tx), await expected_counters(tx))


async def rebuild(db: Database) -> list[Mismatch]:
    """Repair drifted counters from the raw rows; returns what was wrong."""
    async with db.transaction() as tx:
        mismatches = await recompute_in(tx)
        await reports.bump_counters(
            tx, [((m.unit_id, m.year, m.indicator), m.expected - m.stored) for m in mismatches]
        )
    return mismatches


async def rebuild_checked(tx: Tx) -> tuple[list[Mismatch], list[Mismatch]]:
    """Repair the counters inside the caller's transaction, then compare them again with the
    same recomputed values: (what was wrong, what is still wrong). The second list is what
    `recompute` would find now (the raw rows cannot change under the transaction); a map
    change rolls back unless it is empty, without recomputing everything twice."""
    expected = await expected_counters(tx)
    mismatches = _compare(await reports.all_counters(tx), expected)
    await reports.bump_counters(
        tx, [((m.unit_id, m.year, m.indicator), m.expected - m.stored) for m in mismatches]
    )
    return mismatches, _compare(await reports.all_counters(tx), expected)


async def above(tx: Tx, unit_id: int) -> Counter[CounterKey]:
    """What a leaf unit (a branch) adds to the units above it, on the map of each year: its
    own counters are exactly its records' and baselines' facts, spread over its lineage."""
    own = await map_store.counters_at(tx, unit_id)
    if not own:
        return Counter()
    where = await _map(tx, {unit_id})
    spread: Counter[CounterKey] = Counter()
    for (year, indicator), amount in own.items():
        for ancestor in where.lineage(unit_id, year)[1:]:
            spread[(ancestor, year, indicator)] += amount
    return spread


async def shift(tx: Tx, before: Counter[CounterKey], after: Counter[CounterKey]) -> int:
    """Replace the amounts `before` by those `after` (two results of `above` around a move);
    returns how many counters changed."""
    deltas = [(key, after.get(key, 0) - before.get(key, 0)) for key in set(before) | set(after)]
    changed = sorted((key, delta) for key, delta in deltas if delta)
    await reports.bump_counters(tx, changed)
    return len(changed)


def _compare(stored: dict[CounterKey, int], expected: Counter[CounterKey]) -> list[Mismatch]:
    return [
        Mismatch(key[0], key[1], key[2], stored.get(key, 0), expected.get(key, 0))
        for key in sorted(set(expected) | set(stored))
        if stored.get(key, 0) != expected.get(key, 0)
    ]
