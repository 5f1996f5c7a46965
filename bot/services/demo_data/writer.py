"""What every writer of a demo step shares (`WriterBase`): the step's world, names and random
generator, the dates it may use, idempotency keys, the running summary and tally, and the small
helpers that make a million rows quickly; `TodayBase` adds what the step on today's map knows
before it starts. The rows themselves are made by the feature mixins (`people.py`, `units.py`,
`members.py`, `titles.py`, `money.py`), put together in `history.py` and `today.py`."""

from __future__ import annotations

import bisect
import random
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Final, TypeVar

from bot.services import campaign_calendar, campaigns
from bot.services.demo_data.known import Known
from bot.services.demo_data.money_tables import AWARD_STEPS, FUND_WEIGHT, GIFT_STEPS, DonorTable
from bot.services.demo_data.names import GENDERS, Names
from bot.services.demo_data.plan import CommunePlan
from bot.services.demo_data.published import Targets
from bot.services.demo_data.tally import Tally
from bot.services.demo_data.telegram_ids import FIRST_EXTRA_ID
from bot.services.demo_data.world import AS_OF, MAP_AS_OF, MAP_CHANGE_DAY, World
from bot.storage import campaigns as campaign_store
from bot.storage import demo_rows
from bot.storage.db import Database, Tx
from bot.storage.models import Level, Role

T = TypeVar("T")

_EARLY: Final = [f"T0{hour}:{minute:02d}:00Z" for hour in range(5) for minute in range(60)]
"""Times of day (UTC) for records: 7:00 to 11:59 in Vietnam."""
_LATE: Final = [f"T0{hour}:{minute:02d}:00Z" for hour in range(5, 10) for minute in range(60)]
"""…and for decisions, 12:00 to 16:59."""


def _days(first: date, last: date) -> list[str]:
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


class WriterBase:
    """Rows of one step; every date falls in [`start`, `today`]."""

    def __init__(
        self,
        tx: Tx,
        world: World,
        names: Names,
        rng: random.Random,
        today: date,
        *,
        start: date = date.min,
        keys: str = "demo",
    ) -> None:
        self.tx = tx
        self.world = world
        self.names = names
        self.rng = rng
        self.today = today
        self.start = start
        self.as_of = AS_OF if start == date.min else MAP_AS_OF
        """When the people, branches, figures and funds of this step were set up."""
        self.tally = Tally()
        self.gift_steps: Mapping[Level, tuple[int, int, float]] = GIFT_STEPS
        self.fund_weights: Mapping[Level, float] = FUND_WEIGHT
        self.award_steps: Sequence[int] = AWARD_STEPS
        self.keys = 0
        self._key_prefix = keys
        self.summary: dict[str, int] = dict.fromkeys(
            (
                "branches",
                "people",
                "members",
                "nominations",
                "contributions",
                "awards",
                "figures",
                "baselines",
            ),
            0,
        )
        self.random = rng.random
        self._spans: dict[tuple[date, date], list[str]] = {}
        self._xuan: dict[int, campaign_calendar.CampaignWindow] = {}
        self._donors: dict[int, DonorTable] = {}
        self._schools: dict[int, list[str]] = {}
        raw = names.raw
        self._enterprises = [
            template.format(word=word)
            for template in raw["donors"]["enterprise"]
            for word in raw["donors"]["enterprise_words"]
        ]

    # Small helpers: a million rows each, so no date arithmetic, regex or sorting per row.

    def below(self, limit: int) -> int:
        """0 <= n < limit (`randrange` costs several times more)."""
        return int(self.random() * limit)

    def pick(self, items: Sequence[T], cumulative: Sequence[float]) -> T:
        """`rng.choices(items, cum_weights=cumulative)[0]`, without its checks."""
        return items[bisect.bisect_right(cumulative, self.random() * cumulative[-1])]

    def key(self, kind: str) -> str:
        self.keys += 1
        return f"{self._key_prefix}-{kind}-{self.keys:07d}"

    def span(self, first: date, last: date) -> list[str]:
        """The ISO days of [first, last] within [`start`, `today`] (the nearest of those when
        none is: `opens` tells)."""
        wanted = (first, last)
        if wanted not in self._spans:
            low, high = max(first, self.start), min(last, self.today)
            if low > high:
                low = high = min(low, self.today)
            self._spans[wanted] = _days(low, high)
        return self._spans[wanted]

    def opens(self, first: date, last: date) -> bool:
        """Whether some day of [first, last] lies within [`start`, `today`]."""
        return max(first, self.start) <= min(last, self.today)

    def day_in(self, first: date, last: date) -> str:
        days = self.span(first, last)
        return days[self.below(len(days))]

    def year_days(self, year: int) -> list[str]:
        return self.span(date(year, 1, 1), date(year, 12, 31))

    def xuan(self, year: int) -> campaign_calendar.CampaignWindow:
        if year not in self._xuan:
            self._xuan[year] = campaign_calendar.xuan_khuyen_hoc(year)
        return self._xuan[year]

    def stamp(self, day: str, *, late: bool = False) -> str:
        """A time of `day` (UTC), in the afternoon (Vietnam) when `late`: decisions come after
        the nomination."""
        return day + (_LATE if late else _EARLY)[self.below(len(_EARLY))]

    def campaign(self, day: str) -> int | None:
        return self.world.campaign_days.get(day)

    def gender(self) -> str:
        return GENDERS[self.rng.random() < 0.52]

    def words(self, plan: CommunePlan) -> dict[str, str]:
        return {
            "commune": plan.commune.name,
            "type": self.names.types[plan.type_word],
            "district": plan.commune.district,
        }

    def chair_of(self, unit_id: int) -> int:
        return self.world.chairs.get(unit_id) or self.world.chairs[self.world.province.id]

    def above(self, plan: CommunePlan) -> int:
        """The commune's parent: its district, or the province on a map without one."""
        return int(plan.commune.path.strip("/").split("/")[-2])


def coverage(writer: WriterBase, year: int) -> float:
    """The share of `year` within the days generated."""
    if not writer.opens(date(year, 1, 1), date(year, 12, 31)):
        return 0.0
    return len(writer.year_days(year)) / ((date(year, 12, 31) - date(year, 1, 1)).days + 1)


class TodayBase(WriterBase):
    """A writer on today's map: from 1 July 2025, knowing what the database held of it before
    (`known`) and the published province it follows (`goal`); a commune of today gives and
    pays out as a district did."""

    def __init__(
        self,
        tx: Tx,
        world: World,
        names: Names,
        rng: random.Random,
        today: date,
        known: Known,
        goal: Targets,
    ) -> None:
        super().__init__(tx, world, names, rng, today, start=MAP_CHANGE_DAY, keys="demo-map")
        self.known = known
        self.goal = goal
        """The published province's (shares of titles, money per head)."""
        self.gift_steps = {**GIFT_STEPS, Level.COMMUNE: GIFT_STEPS[Level.DISTRICT]}
        self.fund_weights = {**FUND_WEIGHT, Level.COMMUNE: FUND_WEIGHT[Level.DISTRICT]}
        self.award_steps = [2 * step for step in AWARD_STEPS]
        self._next_person = max(known.last_person + 1, FIRST_EXTRA_ID)
        self._seated: set[tuple[int, Role, int]] = set()

    def years(self) -> list[int]:
        return [y for y in range(self.start.year, self.today.year + 1) if coverage(self, y)]


async def campaign_by_day(db: Database, first: date, last: date) -> dict[str, int]:
    """Seed the default campaigns of the years and map each day to its campaign's id."""
    await campaigns.ensure_defaults(db, range(first.year, last.year + 1))
    days: dict[str, int] = {}
    for period in await campaign_store.between(db, first, last):
        for day in _days(max(period.start_on, first), min(period.end_on, last)):
            days.setdefault(day, period.id)
    return days


async def add_baselines(writer: WriterBase, rows: Sequence[tuple[int, int, str, int]]) -> None:
    """Totals from before the bot (unit id, year, indicator, value), counted as `counters`
    counts a baseline."""
    await demo_rows.add_baselines(writer.tx, [(*row, writer.as_of) for row in rows])
    writer.summary["baselines"] += len(rows)
    for unit_id, year, indicator, value in rows:
        writer.tally.baseline(unit_id, year, indicator, value)
