"""The demo's members: every branch's since the association was founded (the history), those
who joined on today's map, and every commune's members at the end of today's map's first year
as it reported them (a baseline)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Final

from bot.services import counters
from bot.services.demo_data.plan import allocate
from bot.services.demo_data.world import MAP_CHANGE_DAY, Branch
from bot.services.demo_data.writer import TodayBase, WriterBase, add_baselines, coverage

MEMBERS_SINCE: Final = 1996
"""The association's founding year: the earliest year a generated member joined."""
JOIN_RATE: Final = 0.05
"""New members in a year, as a share of the members at its start (the history's last years)."""


class MemberWriter(WriterBase):
    """Members, as rows."""

    def member_row(self, branch: Branch, day: str, age: int) -> tuple[object, ...]:
        gender = self.gender()
        name, folded = self.names.person(self.rng, gender)
        phone = None
        if self.random() < 0.3:
            phone = f"+84{'35789'[self.below(5)]}{self.below(10**8):08d}"
        created = self.stamp(day)
        return (
            name,
            folded,
            gender,
            int(day[:4]) - age,
            day,
            phone,
            branch.id,
            branch.reporter,
            created,
            created,
            self.key("member"),
            self.campaign(day),
        )

    def province_members(self, last_year: int) -> Iterator[tuple[object, ...]]:
        """Every branch's members, joined 1996..`last_year`, more of them in recent years."""
        years = list(range(MEMBERS_SINCE, last_year + 1))
        weights = [1.0 + 0.12 * n for n in range(len(years))]
        for plan in self.world.plans:
            for branch in self.world.branches[plan.commune.id]:
                for year in self.rng.choices(years, weights, k=branch.plan.members):
                    days = self.year_days(year)
                    day = days[self.below(len(days))]
                    yield self.member_row(branch, day, 18 + self.below(53))
                    self.summary["members"] += 1


class TodayMembers(TodayBase, MemberWriter):
    """The members who joined on today's map."""

    def new_members(self) -> Iterator[tuple[object, ...]]:
        """Every commune's members grow by `JOIN_RATE` a year, over its branches by size."""
        for year in self.years():
            days = self.year_days(year)
            share = JOIN_RATE * coverage(self, year)
            for plan in self.world.plans:
                branches = self.world.branches.get(plan.commune.id, [])
                if not branches:
                    continue
                joined = round(plan.members * share)
                weights = [b.plan.members + 1.0 for b in branches]
                for branch, count in zip(branches, allocate(joined, weights), strict=True):
                    for _ in range(count):
                        day = days[self.below(len(days))]
                        yield self.member_row(branch, day, 18 + self.below(53))
                        self.summary["members"] += 1


async def members_reported(writer: WriterBase) -> None:
    """Every commune's members at the end of today's map's first year, as it reported them (a
    baseline): its branches' members before that year and those who joined in it; a commune
    new to the database, the plan's members and those who joined. The years before are known
    only as far as the database knew the communes then (old Thái Bình's)."""
    world, year = writer.world, MAP_CHANGE_DAY.year
    commune_of = {b.id: commune for commune, mine in world.branches.items() for b in mine}
    joined: Counter[int] = Counter()
    for (unit_id, when), count in writer.tally.joined().items():
        if when == year:
            joined[commune_of.get(unit_id, unit_id)] += count
    rows = [
        (p.commune.id, year, counters.MEMBERS_TOTAL, p.members + joined[p.commune.id])
        for p in world.plans
    ]
    await add_baselines(writer, rows)
