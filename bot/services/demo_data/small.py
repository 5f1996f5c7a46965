"""The small demo: `SMALL_COMMUNES` of today's map with ids 1–20 only, and a few hundred
reports by them since today's map began, for trying the bot in `khuyenhoc shell`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from bot.services import counters
from bot.services.demo_data.members import members_reported
from bot.services.demo_data.money_tables import AWARD_STEPS, AWARD_WEIGHTS
from bot.services.demo_data.plan import DENOMINATOR_FIGURES
from bot.services.demo_data.published import MONEY_STEP, Published
from bot.services.demo_data.titles import REVIEW_DAY
from bot.services.demo_data.today import TodayWriter, place
from bot.services.demo_data.world import Fund
from bot.services.demo_data.writer import add_baselines
from bot.storage import demo_rows
from bot.storage.models import Level, Role
from bot.storage.records import FundKind, NominationKind, NominationStatus
from bot.text import fold


async def today_small(writer: TodayWriter, published: Published) -> None:
    """`SMALL_COMMUNES` with ids 1–20 only: a few hundred reports since today's map began, by
    them, and the communes' members at the end of 2025 as they reported them."""
    await place(writer, published, 1.0, everyone=False)
    await _small_reports(writer)
    await members_reported(writer)
    await add_baselines(writer, _reviewed(writer))


def _reviewed(writer: TodayWriter) -> list[tuple[int, int, str, int]]:
    """The titles of each year reviewed since today's map began (`REVIEW_DAY`), at the
    published shares: baselines of a commune that files few nominations one by one."""
    rows = []
    for year in writer.years():
        if writer.today < date(year, *REVIEW_DAY):
            continue
        for plan in writer.world.plans:
            for kind in NominationKind:
                figure = DENOMINATOR_FIGURES.get(kind)
                of = plan.figures.get(figure, 0) if figure is not None else 1
                count = round(of * writer.share(kind, year))
                if count:
                    indicator = counters.title(kind, NominationStatus.RECOGNISED)
                    rows.append((plan.commune.id, year, indicator, count))
    return rows


async def _small_reports(writer: TodayWriter) -> None:
    """Each volunteer's 20 new members and six titles (last year's recognised; this year's
    recognised, pending or rejected), and two agencies per commune chair awaiting the decision
    above it, all since today's map began."""
    world, rng, today = writer.world, writer.rng, writer.today
    years = [year for year in (today.year - 1, today.year) if year >= writer.start.year]
    volunteers = [
        (tid, unit_id) for tid, _, role, unit_id in world.people if role is Role.VOLUNTEER
    ]
    branch_of = {b.id: b for mine in world.branches.values() for b in mine}
    plan_of = {b.id: b.commune for b in branch_of.values()}
    members: list[tuple[object, ...]] = []
    titles: list[tuple[object, ...]] = []
    # Subjects nominated on a branch for a year: a subject holds or awaits a title once.
    taken: dict[tuple[int, int], set[str]] = {}
    for telegram_id, branch_id in volunteers:
        branch = replace(branch_of[branch_id], reporter=telegram_id)
        for _ in range(20):
            day = writer.day_in(date(years[0], 1, 1), today)
            members.append(writer.member_row(branch, day, rng.randint(18, 70)))
            writer.summary["members"] += 1
        chair = writer.chair_of(plan_of[branch_id].commune.id)
        for year in years:
            for number in range(3):
                kind = (NominationKind.CITIZEN, NominationKind.FAMILY)[number % 2]
                if year < today.year or number == 0:
                    status = NominationStatus.RECOGNISED
                elif number == 1:
                    status = NominationStatus.PENDING
                else:
                    status = rng.choice([NominationStatus.PENDING, NominationStatus.REJECTED])
                decider = None if status is NominationStatus.PENDING else chair
                used = taken.setdefault((branch_id, year), set())
                subject, folded = writer.person_subject(kind, used)
                titles.append(
                    writer.nomination(
                        kind, subject, folded, branch_id, year, telegram_id, status, decider
                    )
                )
    for telegram_id, _, role, unit_id in world.people:
        if role is not Role.COMMUNE_CHAIR:
            continue
        plan = next(p for p in world.plans if p.commune.id == unit_id)
        for agency in plan.agencies[:2]:
            titles.append(
                writer.nomination(
                    NominationKind.LEARNING_UNIT,
                    agency,
                    fold(agency),
                    unit_id,
                    today.year,
                    telegram_id,
                    NominationStatus.PENDING,
                    None,
                )
            )
    await demo_rows.add_members(writer.tx, writer.tally.members(members))
    await demo_rows.add_nominations(writer.tx, writer.tally.titles(titles))
    await _small_money(writer, years, {tid for tid, _ in volunteers})


async def _small_money(writer: TodayWriter, years: Sequence[int], volunteers: set[int]) -> None:
    """A fund for the unit of each chair and volunteer of ids 1–20, a few gifts to each, and
    up to three awards paying out at most half of what the fund received."""
    world, rng = writer.world, writer.rng
    next_id = await demo_rows.next_fund_id(writer.tx)
    plan_of = {b.id: b.commune for mine in world.branches.values() for b in mine}
    plans = {p.commune.id: p for p in world.plans}
    for telegram_id, _, role, unit_id in world.people:
        if role is Role.BRANCH_HEAD or unit_id in {f.unit_id for f in world.funds}:
            continue
        if unit_id in plan_of:
            level, words = Level.BRANCH, writer.words(plan_of[unit_id])
        elif unit_id in plans:
            level, words = Level.COMMUNE, writer.words(plans[unit_id])
        else:
            level = Level.PROVINCE if unit_id == world.province.id else Level.DISTRICT
            name = next((d.name for d in world.districts if d.id == unit_id), "")
            words = {"commune": "", "type": "", "district": name or world.province.name}
        world.funds.append(Fund(next_id, unit_id, level, FundKind.UNIT, "", telegram_id, words))
        next_id += 1
    await demo_rows.add_funds(
        writer.tx,
        [(f.id, f.unit_id, f.kind.value, f.name, "", writer.as_of) for f in world.funds],
    )
    gifts: list[tuple[object, ...]] = []
    awards: list[tuple[object, ...]] = []
    for fund in world.funds:
        count = 4 if fund.reporter in volunteers else 3
        for _ in range(count):
            year = rng.choice(years)
            gifts.append(writer.contribution_row(fund, year, writer.gift_size(fund) * MONEY_STEP))
        budget = fund.raised // MONEY_STEP // 2
        for _ in range(3):
            if budget < 3:
                break
            size = min(rng.choices(AWARD_STEPS, AWARD_WEIGHTS)[0], budget)
            budget -= size
            awards.append(writer.award_row(fund, rng.choice(years), size * MONEY_STEP))
    await demo_rows.add_contributions(writer.tx, writer.tally.gifts(gifts))
    await demo_rows.add_awards(writer.tx, writer.tally.awards(awards))
