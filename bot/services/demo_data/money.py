"""The demo's funds, gifts and awards: a fund for every unit (and clan branch), gifts adding up
to the published đồng exactly (the history) or as much per head (today's map), and awards
paying out less than each fund received. The odds and sizes are in `money_tables.py`."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import Final

from bot.services.demo_data.money_tables import (
    AWARD_CUMULATIVE,
    CAMPAIGN_CUMULATIVE,
    CAMPAIGNS,
    DONORS,
    REASON_CUMULATIVE,
    REASONS,
    DonorTable,
)
from bot.services.demo_data.plan import allocate
from bot.services.demo_data.published import MONEY_STEP
from bot.services.demo_data.world import Fund
from bot.services.demo_data.writer import TodayBase, WriterBase, coverage
from bot.services.figures import Figure
from bot.storage import demo_rows
from bot.storage.models import Level
from bot.storage.records import Campaign, DonorKind, FundKind
from bot.text import fold

MONEY_GROWTH: Final = 1.1
"""Đồng raised per head in a year on today's map, against the published years' average."""
AWARDED_SHARE: Final = 0.9


def _fits(template: str, words: Mapping[str, str]) -> bool:
    """Whether every placeholder of `template` has a non-empty word."""
    return all(words.get(name) for name in re.findall(r"\{(\w+)\}", template))


def _year_weights(years: Sequence[int]) -> list[float]:
    """Money grows year by year, with a dip in 2020–2021 (schools shut by Covid)."""
    return [0.7 if year in (2020, 2021) else 1.0 + 0.05 * n for n, year in enumerate(years)]


class MoneyWriter(WriterBase):
    """Funds, gifts and awards, as rows."""

    async def unit_funds(self) -> None:
        """A fund for every unit, and a clan fund for every clan branch."""
        next_id = await demo_rows.next_fund_id(self.tx)
        world = self.world
        province_words = {"commune": "", "type": "", "district": world.province.name}
        world.funds.append(
            Fund(
                next_id,
                world.province.id,
                Level.PROVINCE,
                FundKind.UNIT,
                "",
                self.chair_of(world.province.id),
                province_words,
            )
        )
        next_id += 1
        for district in world.districts:
            words = {"commune": "", "type": "", "district": district.name}
            world.funds.append(
                Fund(
                    next_id,
                    district.id,
                    Level.DISTRICT,
                    FundKind.UNIT,
                    "",
                    self.chair_of(district.id),
                    words,
                )
            )
            next_id += 1
        for plan in world.plans:
            words = self.words(plan)
            world.funds.append(
                Fund(
                    next_id,
                    plan.commune.id,
                    Level.COMMUNE,
                    FundKind.UNIT,
                    "",
                    self.chair_of(plan.commune.id),
                    words,
                )
            )
            next_id += 1
            for branch in world.branches[plan.commune.id]:
                world.funds.append(
                    Fund(
                        next_id, branch.id, Level.BRANCH, FundKind.UNIT, "", branch.reporter, words
                    )
                )
                next_id += 1
                if branch.plan.clan:
                    clan = branch.plan.clan
                    world.funds.append(
                        Fund(
                            next_id,
                            branch.id,
                            Level.BRANCH,
                            FundKind.CLAN,
                            clan,
                            branch.reporter,
                            {**words, "clan": clan},
                        )
                    )
                    next_id += 1
        await demo_rows.add_funds(
            self.tx,
            [
                (f.id, f.unit_id, f.kind.value, f.name, fold(f.name), self.as_of)
                for f in world.funds
            ],
        )

    def donor_table(self, fund: Fund) -> DonorTable:
        """Who gives to this fund, and the names of the organisations and groups around it."""
        if fund.id not in self._donors:
            kinds, weights = DONORS[FundKind.CLAN if fund.kind is FundKind.CLAN else fund.level]
            donors = self.names.raw["donors"]
            named = {
                kind: [t.format(**fund.words) for t in donors[kind.value] if _fits(t, fund.words)]
                for kind in (DonorKind.ORGANISATION, DonorKind.COLLECTIVE)
            }
            if fund.words.get("clan"):
                named[DonorKind.CLAN] = [donors["clan"].format(clan=fund.words["clan"])]
            named[DonorKind.ENTERPRISE] = self._enterprises
            self._donors[fund.id] = DonorTable(kinds, list(itertools.accumulate(weights)), named)
        return self._donors[fund.id]

    def donor(self, fund: Fund) -> tuple[DonorKind, str]:
        table = self.donor_table(fund)
        kind = self.pick(table.kinds, table.cumulative)
        choices = table.named.get(kind)
        if choices:
            return kind, choices[self.below(len(choices))]
        if kind is DonorKind.CLAN:
            clans = self.names.clan_picker
            clan = clans.words[clans.index(self.rng)]
            return kind, self.names.raw["donors"]["clan"].format(clan=clan)
        gender = self.gender()
        name, _ = self.names.person(self.rng, gender)
        return kind, self.names.raw["donors"][kind.value][gender].format(name=name)

    def campaign_window(self, campaign: Campaign, year: int) -> tuple[date, date]:
        """When the gifts of a drive are given: Tết, October, September to November, or any
        time of the year."""
        if campaign is Campaign.XUAN_KHUYEN_HOC:
            window = self.xuan(year)
            return window.start, window.end
        if campaign is Campaign.THANG_KHUYEN_HOC:
            return date(year, 10, 1), date(year, 10, 31)
        if campaign is Campaign.ONE_DAY_SALARY:
            return date(year, 9, 1), date(year, 11, 30)
        return date(year, 1, 1), date(year, 12, 31)

    def drive(self, year: int) -> Campaign:
        """A drive whose days of `year` are among those generated (Tết 2025 is not, when
        today's map starts in July)."""
        for _ in range(4):
            campaign = self.pick(CAMPAIGNS, CAMPAIGN_CUMULATIVE)
            if self.opens(*self.campaign_window(campaign, year)):
                return campaign
        return Campaign.OTHER

    def contribution_row(self, fund: Fund, year: int, amount: int) -> tuple[object, ...]:
        kind, donor = self.donor(fund)
        campaign = self.drive(year)
        day = self.day_in(*self.campaign_window(campaign, year))
        in_kind = kind is not DonorKind.CLAN and self.random() < 0.04
        gifts = self.names.raw["in_kind"]
        description = gifts[self.below(len(gifts))] if in_kind else None
        created = self.stamp(day)
        fund.raised += amount
        self.summary["contributions"] += 1
        return (
            donor,
            kind.value,
            amount,
            int(in_kind),
            description,
            fund.id,
            campaign.value,
            day,
            fund.unit_id,
            fund.reporter,
            created,
            created,
            self.key("gift"),
            self.campaign(day),
        )

    def gift_size(self, fund: Fund) -> int:
        """A plausible gift, in `MONEY_STEP`s: a few hundred thousand đồng from a person, tens
        of millions from a business, more at the district and province."""
        low, high, skew = self.gift_steps[fund.level]
        spread: float = (high / low) ** (self.rng.random() ** skew)
        return max(1, round(low * spread))

    def contributions(
        self, total: int, years: Sequence[int], weights: Sequence[float] | None = None
    ) -> Iterator[tuple[object, ...]]:
        """Gifts to the funds until they add up to `total` đồng exactly, year by year (in
        proportion to `weights`, by default `_year_weights`)."""
        year_totals = allocate(total // MONEY_STEP, weights or _year_weights(years))
        funds = self.world.funds
        chances = [
            self.fund_weights[f.level] * (0.6 if f.kind is FundKind.CLAN else 1.0) for f in funds
        ]
        cumulative = list(itertools.accumulate(chances))
        for year, left in zip(years, year_totals, strict=True):
            while left > 0:
                fund = self.pick(funds, cumulative)
                amount = min(self.gift_size(fund), left)
                left -= amount
                yield self.contribution_row(fund, year, amount * MONEY_STEP)

    def award_row(self, fund: Fund, year: int, amount: int) -> tuple[object, ...]:
        raw = self.names.raw
        name, _ = self.names.person(self.rng, self.gender())
        reason = self.pick(REASONS, REASON_CUMULATIVE)
        window = self.random()
        if window < 0.4:
            first, last = date(year, 8, 1), date(year, 9, 30)
        elif window < 0.7:
            first, last = date(year, 10, 1), date(year, 10, 31)
        elif window < 0.9:
            first, last = date(year, 5, 15), date(year, 6, 30)
        else:
            xuan = self.xuan(year)
            first, last = xuan.start, xuan.end
        if not self.opens(first, last):  # before today's map began, or not yet come
            first, last = date(year, 1, 1), date(year, 12, 31)
        day = self.day_in(first, last)
        if fund.id not in self._schools:
            self._schools[fund.id] = [
                t.format(**fund.words) for t in raw["schools"] if _fits(t, fund.words)
            ]
        schools, classes = self._schools[fund.id], raw["classes"]
        created = self.stamp(day)
        self.summary["awards"] += 1
        return (
            name,
            schools[self.below(len(schools))] if schools else None,
            classes[self.below(len(classes))],
            reason.value,
            amount,
            fund.id,
            day,
            fund.unit_id,
            fund.reporter,
            created,
            created,
            self.key("award"),
            self.campaign(day),
        )

    def awards(
        self, total: int, years: Sequence[int], weights: Sequence[float] | None = None
    ) -> Iterator[tuple[object, ...]]:
        """Scholarships and prizes adding up to `total` đồng, each fund paying out less than it
        received, year by year (as `contributions`)."""
        funds = [f for f in self.world.funds if f.raised > 0]
        budgets = allocate(
            total // MONEY_STEP,
            [f.raised for f in funds],
            caps=[f.raised // MONEY_STEP for f in funds],
        )
        for fund, budget in zip(funds, budgets, strict=True):
            yearly = allocate(budget, weights or _year_weights(years))
            for year, left in zip(years, yearly, strict=True):
                while left > 0:
                    size = self.pick(self.award_steps, AWARD_CUMULATIVE)
                    amount = min(size, left)
                    left -= amount
                    yield self.award_row(fund, year, amount * MONEY_STEP)


class TodayMoney(TodayBase, MoneyWriter):
    """Funds and money on today's map."""

    async def funds(self, new_branches: set[int]) -> None:
        """A fund for the province, every commune and every new branch (and its clan), the
        history's funds for the branches that moved."""
        world = self.world
        next_id = await demo_rows.next_fund_id(self.tx)
        plan_of = {b.id: b for mine in world.branches.values() for b in mine}
        plans = {p.commune.id: p for p in world.plans}
        have = {(unit_id, kind, name) for _, unit_id, kind, name in self.known.funds}
        for fund_id, unit_id, kind, name in self.known.funds:
            if unit_id in plan_of:
                branch = plan_of[unit_id]
                words = {**self.words(branch.commune), "clan": name}
                world.funds.append(
                    Fund(fund_id, unit_id, Level.BRANCH, kind, name, branch.reporter, words)
                )
        new: list[Fund] = []

        def add(
            unit_id: int, level: Level, kind: FundKind, name: str, by: int, words: dict[str, str]
        ) -> None:
            nonlocal next_id
            if (unit_id, kind, name) in have:
                return
            new.append(Fund(next_id, unit_id, level, kind, name, by, words))
            next_id += 1

        province = world.province
        add(
            province.id,
            Level.PROVINCE,
            FundKind.UNIT,
            "",
            self.chair_of(province.id),
            {"commune": "", "type": "", "district": province.name},
        )
        for plan in plans.values():
            add(
                plan.commune.id,
                Level.COMMUNE,
                FundKind.UNIT,
                "",
                self.chair_of(plan.commune.id),
                self.words(plan),
            )
        for branch_id in sorted(new_branches):
            branch = plan_of[branch_id]
            words = self.words(branch.commune)
            add(branch_id, Level.BRANCH, FundKind.UNIT, "", branch.reporter, words)
            if branch.plan.clan:
                clan = branch.plan.clan
                add(
                    branch_id,
                    Level.BRANCH,
                    FundKind.CLAN,
                    clan,
                    branch.reporter,
                    {**words, "clan": clan},
                )
        await demo_rows.add_funds(
            self.tx,
            [(f.id, f.unit_id, f.kind.value, f.name, fold(f.name), self.as_of) for f in new],
        )
        world.funds.extend(new)

    def money(self) -> tuple[int, list[int], list[float]]:
        """(đồng raised on today's map, its years, their weights): as much per head as in
        the published years (`MONEY_GROWTH` more), for the part of each year generated."""
        goal = self.goal
        first, last = goal.funds_years
        per_head = goal.raised / goal.population / (last - first + 1) * MONEY_GROWTH
        people = sum(p.figures.get(Figure.POPULATION, 0) for p in self.world.plans)
        years = self.years()
        weights = [people * per_head * coverage(self, year) for year in years]
        return round(sum(weights)), years, weights
