"""The demo's title nominations: every title the history's report year recognised (and a few
rejected and pending), and on today's map each year's titles nominated in the bot and decided
or still waiting, the rest of the citizens and households coming with the year-end review
(a baseline)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import Final

from bot.services import counters
from bot.services.demo_data.plan import CommunePlan, allocate
from bot.services.demo_data.world import Branch
from bot.services.demo_data.writer import TodayBase, WriterBase
from bot.services.figures import Figure
from bot.storage.models import UnitKind
from bot.storage.records import NominationKind, NominationStatus
from bot.text import fold

TITLE_GROWTH: Final = 0.5
"""Points a title's share grows by each year after the published one."""
BOT_TITLE_SHARE: Final = 0.025
"""Of the citizens and households recognised in a year on today's map, the share nominated
one by one in the bot; the rest come with the communes' year-end review, imported as a
baseline once it is held (`REVIEW_DAY`). Clans, villages, agencies and communes are all
nominated in the bot."""
REVIEW_DAY: Final = (12, 1)
"""(month, day) by which a year's review is imported."""
REJECTED_SHARE: Final = 0.03


class TitleWriter(WriterBase):
    """Nominations, as rows."""

    def nomination(
        self,
        kind: NominationKind,
        subject: str,
        folded: str,
        unit_id: int,
        year: int,
        reporter: int,
        status: NominationStatus,
        decider: int | None,
    ) -> tuple[object, ...]:
        days = self.span(date(year, 9, 1), date(year, 12, 31))
        index = self.below(min(len(days), 91))  # made in September to November
        day = days[index]
        created = self.stamp(day)
        decided = None
        if status is not NominationStatus.PENDING:
            later = min(index + 3 + self.below(23), len(days) - 1)
            decided = self.stamp(days[later], late=True)
        self.summary["nominations"] += 1
        return (
            kind.value,
            subject,
            folded,
            unit_id,
            year,
            reporter,
            created,
            decided or created,
            status.value,
            decider,
            decided,
            self.names.raw["reject_reason"] if status is NominationStatus.REJECTED else None,
            self.key("title"),
            self.campaign(day),
        )

    def person_subject(self, kind: NominationKind, taken: set[str]) -> tuple[str, str]:
        """A citizen ("Phạm Thị Hương") or a household ("Hộ bà Phạm Thị Hương") not yet used
        in `taken` (folded subjects of the same unit and year)."""
        while True:
            gender = self.gender()
            name, folded = self.names.person(self.rng, gender)
            if kind is NominationKind.FAMILY:
                name = self.names.raw["family_subjects"][gender].format(name=name)
                folded = f"{self.names.household_prefix[gender]} {folded}"
            if folded not in taken:
                taken.add(folded)
                return name, folded

    def branch_titles(
        self,
        plan: CommunePlan,
        year: int,
        kind: NominationKind,
        count: int,
        status: NominationStatus,
    ) -> Iterator[tuple[object, ...]]:
        branches = self.world.branches[plan.commune.id]
        shares = allocate(count, [b.plan.members + 1.0 for b in branches])
        chair = self.chair_of(plan.commune.id)
        decider = None if status is NominationStatus.PENDING else chair
        for branch, share in zip(branches, shares, strict=True):
            taken: set[str] = set()
            for _ in range(share):
                subject, folded = self.person_subject(kind, taken)
                yield self.nomination(
                    kind, subject, folded, branch.id, year, branch.reporter, status, decider
                )

    def commune_titles(
        self, plan: CommunePlan, year: int, recognised: Mapping[NominationKind, int]
    ) -> Iterator[tuple[object, ...]]:
        """Clans (on a village branch), villages, agencies and the commune itself (on the
        commune), chosen among the commune's own, recognised for `year`."""
        chair = self.chair_of(plan.commune.id)
        district_chair = self.chair_of(self.above(plan))
        branches = self.world.branches[plan.commune.id]
        villages = [
            b for b in branches if b.plan.kind in (UnitKind.VILLAGE, UnitKind.RESIDENTIAL_GROUP)
        ]
        homes = villages or branches
        recognised_status = NominationStatus.RECOGNISED
        for clan in self.rng.sample(plan.clans, recognised[NominationKind.CLAN]):
            home = homes[self.below(len(homes))]
            subject = self.names.raw["clan_subject"].format(clan=clan)
            yield self.nomination(
                NominationKind.CLAN,
                subject,
                fold(subject),
                home.id,
                year,
                home.reporter,
                recognised_status,
                chair,
            )
        for village in self.rng.sample(villages, recognised[NominationKind.VILLAGE_COMMUNITY]):
            yield self.nomination(
                NominationKind.VILLAGE_COMMUNITY,
                village.plan.name,
                fold(village.plan.name),
                plan.commune.id,
                year,
                chair,
                recognised_status,
                chair,
            )
        for agency in self.rng.sample(plan.agencies, recognised[NominationKind.LEARNING_UNIT]):
            yield self.nomination(
                NominationKind.LEARNING_UNIT,
                agency,
                fold(agency),
                plan.commune.id,
                year,
                chair,
                recognised_status,
                district_chair,
            )
        if recognised[NominationKind.COMMUNE_COMMUNITY]:
            yield self.nomination(
                NominationKind.COMMUNE_COMMUNITY,
                plan.commune.name,
                fold(plan.commune.name),
                plan.commune.id,
                year,
                chair,
                recognised_status,
                district_chair,
            )

    def province_titles(self, year: int) -> Iterator[tuple[object, ...]]:
        """The report year's recognised titles of every commune, a few rejected ones, and a few
        of the next year still pending."""
        for plan in self.world.plans:
            for kind in (NominationKind.CITIZEN, NominationKind.FAMILY):
                yield from self.branch_titles(
                    plan, year, kind, plan.titles[kind], NominationStatus.RECOGNISED
                )
            yield from self.commune_titles(plan, year, plan.titles)
            branches = self.world.branches[plan.commune.id]
            if self.rng.random() < 0.1:
                branch = branches[self.below(len(branches))]
                subject, folded = self.person_subject(NominationKind.CITIZEN, set())
                yield self.nomination(
                    NominationKind.CITIZEN,
                    subject,
                    folded,
                    branch.id,
                    year,
                    branch.reporter,
                    NominationStatus.REJECTED,
                    self.chair_of(plan.commune.id),
                )
            for kind in (NominationKind.CITIZEN, NominationKind.FAMILY):
                yield from self.branch_titles(
                    plan, year + 1, kind, self.rng.randint(0, 2), NominationStatus.PENDING
                )


class TodayTitles(TodayBase, TitleWriter):
    """Each year's titles on today's map."""

    def open_nomination(
        self,
        kind: NominationKind,
        subject: str,
        folded: str,
        unit_id: int,
        year: int,
        reporter: int,
        decider: int,
        *,
        rejected: bool = False,
    ) -> tuple[tuple[object, ...], NominationStatus]:
        """Made in September to November and decided 3 to 25 days later: pending when that
        is after `today`."""
        days = self.span(date(year, 9, 1), date(year, 12, 31))
        index = self.below(min(len(days), 91))
        later = index + 3 + self.below(23)
        day = days[index]
        created = self.stamp(day)
        if later >= len(days):
            status, decided, by = NominationStatus.PENDING, None, None
        else:
            status = NominationStatus.REJECTED if rejected else NominationStatus.RECOGNISED
            decided, by = self.stamp(days[later], late=True), decider
        self.summary["nominations"] += 1
        row = (
            kind.value,
            subject,
            folded,
            unit_id,
            year,
            reporter,
            created,
            decided or created,
            status.value,
            by,
            decided,
            self.names.raw["reject_reason"] if status is NominationStatus.REJECTED else None,
            self.key("title"),
            self.campaign(day),
        )
        return row, status

    def share(self, kind: NominationKind, year: int) -> float:
        """The share of a title's denominator recognised in `year`, jittered per commune."""
        published = self.goal.percents[kind]
        grown = min(100.0, published + TITLE_GROWTH * max(0, year - self.goal.year))
        return min(1.0, grown / 100 * self.rng.uniform(0.95, 1.05))

    def titles(self, reviews: list[tuple[int, int, str, int]]) -> Iterator[tuple[object, ...]]:
        """Each year's titles of every commune (`share`): all of them nominated in the bot but
        citizens and households, of which `BOT_TITLE_SHARE`, the rest going to `reviews`."""
        for year in self.years():
            if not self.opens(date(year, 9, 1), date(year, 11, 30)):
                continue
            reviewed = self.today >= date(year, *REVIEW_DAY)
            for plan in self.world.plans:
                branches = self.world.branches.get(plan.commune.id, [])
                if not branches:
                    continue
                chair = self.chair_of(plan.commune.id)
                above = self.chair_of(self.above(plan))
                for kind, figure in (
                    (NominationKind.CITIZEN, Figure.CITIZENS),
                    (NominationKind.FAMILY, Figure.HOUSEHOLDS),
                ):
                    wanted = round(plan.figures.get(figure, 0) * self.share(kind, year))
                    in_bot = round(wanted * BOT_TITLE_SHARE)
                    shares = allocate(in_bot, [b.plan.members + 1.0 for b in branches])
                    recognised = 0
                    for branch, count in zip(branches, shares, strict=True):
                        taken: set[str] = set()
                        for _ in range(count):
                            subject, folded = self.person_subject(kind, taken)
                            row, status = self.open_nomination(
                                kind,
                                subject,
                                folded,
                                branch.id,
                                year,
                                branch.reporter,
                                chair,
                                rejected=self.random() < REJECTED_SHARE,
                            )
                            recognised += status is NominationStatus.RECOGNISED
                            yield row
                    if reviewed and wanted > recognised:
                        indicator = counters.title(kind, NominationStatus.RECOGNISED)
                        reviews.append((plan.commune.id, year, indicator, wanted - recognised))
                yield from self.commune_level_titles(plan, year, chair, above, branches)

    def commune_level_titles(
        self, plan: CommunePlan, year: int, chair: int, above: int, branches: Sequence[Branch]
    ) -> Iterator[tuple[object, ...]]:
        """Clans (on a village branch), villages, agencies and the commune itself; a clan or
        village by the commune chair, an agency or the commune above it."""
        villages = [
            b for b in branches if b.plan.kind in (UnitKind.VILLAGE, UnitKind.RESIDENTIAL_GROUP)
        ]
        homes = villages or list(branches)
        figures = plan.figures
        clans = round(
            min(figures.get(Figure.CLANS, 0), len(plan.clans))
            * self.share(NominationKind.CLAN, year)
        )
        for clan in self.rng.sample(plan.clans, clans):
            home = homes[self.below(len(homes))]
            subject = self.names.raw["clan_subject"].format(clan=clan)
            yield self.open_nomination(
                NominationKind.CLAN, subject, fold(subject), home.id, year, home.reporter, chair
            )[0]
        count = round(
            min(figures.get(Figure.VILLAGES, 0), len(villages))
            * self.share(NominationKind.VILLAGE_COMMUNITY, year)
        )
        for village in self.rng.sample(villages, count):
            name = village.plan.name
            yield self.open_nomination(
                NominationKind.VILLAGE_COMMUNITY,
                name,
                fold(name),
                plan.commune.id,
                year,
                chair,
                chair,
            )[0]
        count = round(
            min(figures.get(Figure.AGENCIES, 0), len(plan.agencies))
            * self.share(NominationKind.LEARNING_UNIT, year)
        )
        for agency in self.rng.sample(plan.agencies, count):
            yield self.open_nomination(
                NominationKind.LEARNING_UNIT,
                agency,
                fold(agency),
                plan.commune.id,
                year,
                chair,
                above,
            )[0]
        if self.rng.random() < self.share(NominationKind.COMMUNE_COMMUNITY, year):
            name = plan.commune.name
            yield self.open_nomination(
                NominationKind.COMMUNE_COMMUNITY,
                name,
                fold(name),
                plan.commune.id,
                year,
                chair,
                above,
            )[0]
