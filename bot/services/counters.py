"""Pre-aggregated statistics: one counter per unit, year and indicator.

Every change to a reported record calls `move(tx, before, after)` in its own transaction: the
facts of `before` are taken away and those of `after` added, at the record's unit and at each
of its ancestors, so /stats reads one row instead of scanning records. What counts is decided
once, by the `*_facts` functions below; `recompute` rebuilds every counter from the raw rows
through the same functions and reports where the stored counters drifted.

Baselines (totals from before the bot, `bot/services/imports.py`) are rolled up the same way
under `baseline:<indicator>` by `move_baselines`, and `recompute` checks them too.

Indicator names are stable strings (they are stored); build them only with the helpers here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from bot.storage import figures as figure_store
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


def _spread(at_units: Counter[CounterKey], paths: dict[int, str]) -> Counter[CounterKey]:
    """Add each unit's amounts to every unit of its lineage; zero totals are dropped."""
    spread: Counter[CounterKey] = Counter()
    for (unit_id, year, indicator), amount in at_units.items():
        for ancestor in _lineage(paths[unit_id]):
            spread[(ancestor, year, indicator)] += amount
    return Counter({key: amount for key, amount in spread.items() if amount})


async def move(tx: Tx, before: ReportRecord | None, after: ReportRecord | None) -> None:
    """Replace `before`'s contribution to the counters by `after`'s (None: nothing)."""
    at_units: Counter[CounterKey] = Counter()
    for record, sign in ((before, -1), (after, 1)):
        if record is not None:
            for year, indicator, amount in record_facts(record):
                at_units[(record.unit_id, year, indicator)] += sign * amount
    if not any(at_units.values()):
        return
    paths = await reports.unit_paths(tx, {unit_id for unit_id, _, _ in at_units})
    await reports.bump_counters(tx, sorted(_spread(at_units, paths).items()))


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
    if not any(at_units.values()):
        return
    paths = await reports.unit_paths(tx, {unit_id for unit_id, _, _ in at_units})
    await reports.bump_counters(tx, sorted(_spread(at_units, paths).items()))


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
    return _spread(at_units, await reports.unit_paths(db))


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
        return _compare(await reports.all_counters(tx), await expected_counters(tx))


async def rebuild(db: Database) -> list[Mismatch]:
    """Repair drifted counters from the raw rows; returns what was wrong."""
    async with db.transaction() as tx:
        mismatches = _compare(await reports.all_counters(tx), await expected_counters(tx))
        await reports.bump_counters(
            tx, [((m.unit_id, m.year, m.indicator), m.expected - m.stored) for m in mismatches]
        )
    return mismatches


def _compare(stored: dict[CounterKey, int], expected: Counter[CounterKey]) -> list[Mismatch]:
    return [
        Mismatch(key[0], key[1], key[2], stored.get(key, 0), expected.get(key, 0))
        for key in sorted(set(expected) | set(stored))
        if stored.get(key, 0) != expected.get(key, 0)
    ]
