"""The counters a step's rows add (`Tally`), counted while the rows are generated and rolled
up once at the step's end: what `counters.rebuild` would find, without a service call per
record."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping

from bot.services import counters
from bot.storage import reports
from bot.storage.db import Tx
from bot.storage.records import Campaign, DonorKind, NominationKind, NominationStatus, RecordStatus
from bot.storage.reports import CounterKey


class Tally:
    """The counters the rows of a step add, counted as they are generated and rolled up once
    at its end. Each rolls up along its unit's path now: in the history nothing has moved yet,
    and on today's map a unit moved at most when it began, so the years since follow the path
    now (as `counters` rolls up on the map of each year)."""

    def __init__(self) -> None:
        self.facts: Counter[CounterKey] = Counter()
        self._members: Counter[tuple[int, int]] = Counter()
        self._titles: Counter[tuple[int, int, str, str]] = Counter()
        self._gifts: Counter[tuple[int, int, str, str]] = Counter()
        self._gift_amounts: Counter[tuple[int, int, str, str]] = Counter()
        self._awards: Counter[tuple[int, int]] = Counter()
        self._award_amounts: Counter[tuple[int, int]] = Counter()

    def members(self, rows: Iterable[tuple[object, ...]]) -> Iterator[tuple[object, ...]]:
        for row in rows:  # demo_rows.add_members: joined_on 4, unit_id 6
            self._members[(int(str(row[6])), int(str(row[4])[:4]))] += 1
            yield row

    def titles(self, rows: Iterable[tuple[object, ...]]) -> Iterator[tuple[object, ...]]:
        for row in rows:  # demo_rows.add_nominations: kind 0, unit_id 3, year 4, status 8
            self._titles[(int(str(row[3])), int(str(row[4])), str(row[0]), str(row[8]))] += 1
            yield row

    def gifts(self, rows: Iterable[tuple[object, ...]]) -> Iterator[tuple[object, ...]]:
        for row in rows:  # add_contributions: donor_kind 1, amount 2, campaign 6, day 7, unit 8
            key = (int(str(row[8])), int(str(row[7])[:4]), str(row[6]), str(row[1]))
            self._gifts[key] += 1
            self._gift_amounts[key] += int(str(row[2]))
            yield row

    def awards(self, rows: Iterable[tuple[object, ...]]) -> Iterator[tuple[object, ...]]:
        for row in rows:  # demo_rows.add_awards: amount 4, awarded_on 6, unit_id 7
            key = (int(str(row[7])), int(str(row[6])[:4]))
            self._awards[key] += 1
            self._award_amounts[key] += int(str(row[4]))
            yield row

    def joined(self) -> Mapping[tuple[int, int], int]:
        """New members counted so far, by (unit id, year joined)."""
        return self._members

    def baseline(self, unit_id: int, year: int, indicator: str, value: int) -> None:
        for fact_year, name, amount in counters.baseline_facts(year, indicator, value):
            self.facts[(unit_id, fact_year, name)] += amount

    def _add(self, unit_id: int, facts: Iterable[counters.Fact]) -> None:
        for year, indicator, amount in facts:
            self.facts[(unit_id, year, indicator)] += amount

    async def roll_up(self, tx: Tx) -> None:
        active = RecordStatus.ACTIVE
        for (unit_id, year), n in self._members.items():
            self._add(unit_id, counters.member_facts(active, year, n))
        for (unit_id, year, kind, status), n in self._titles.items():
            facts = counters.nomination_facts(
                NominationStatus(status), NominationKind(kind), year, n
            )
            self._add(unit_id, facts)
        for key, n in self._gifts.items():
            unit_id, year, campaign, donor = key
            amount = self._gift_amounts[key]
            facts = counters.contribution_facts(
                active, year, Campaign(campaign), DonorKind(donor), amount, n
            )
            self._add(unit_id, facts)
        for award_key, n in self._awards.items():
            unit_id, year = award_key
            self._add(
                unit_id, counters.award_facts(active, year, self._award_amounts[award_key], n)
            )
        paths = await reports.unit_paths(tx, {unit_id for unit_id, _, _ in self.facts})
        spread: Counter[CounterKey] = Counter()
        for (unit_id, year, indicator), amount in self.facts.items():
            for above in paths[unit_id].strip("/").split("/"):
                spread[(int(above), year, indicator)] += amount
        await reports.bump_counters(tx, sorted(spread.items()))
