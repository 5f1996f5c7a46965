"""The step on today's map, both scales: plans for today's communes and their people
(`place`), then for the province the activity since 1 July 2025 at the published province's
rates (`today_province`; the small scale's is in `small.py`)."""

from __future__ import annotations

from bot.services.demo_data.history import HistoryWriter
from bot.services.demo_data.known import plan_known_commune, plan_new_communes
from bot.services.demo_data.members import TodayMembers, members_reported
from bot.services.demo_data.money import AWARDED_SHARE, TodayMoney
from bot.services.demo_data.people import TodayPeople, pick_communes
from bot.services.demo_data.plan import CommunePlan
from bot.services.demo_data.published import Published
from bot.services.demo_data.titles import TodayTitles
from bot.services.demo_data.world import MAP_CHANGE_DAY, Branch, communes_of
from bot.services.demo_data.writer import add_baselines
from bot.storage import demo_rows


class TodayWriter(TodayPeople, TodayMembers, TodayTitles, TodayMoney, HistoryWriter):
    """The activity on today's map: the named people in place, a chair for every commune and a
    volunteer for every new branch, figures and funds, then members, nominations, gifts and
    awards from `start` to `today`. A commune of today is about as large as a district was,
    and its fund receives and pays out as a district's did."""


async def place(
    writer: TodayWriter, published: Published, fraction: float, *, everyone: bool
) -> tuple[list[CommunePlan], set[int]]:
    """Plans for today's communes (`plan_known_commune` for those with branches,
    `plan_new_communes` for the others, whose branches are written), their people; returns the
    new plans and branches."""
    world, known = writer.world, writer.known
    unknown = [c for c in known.communes if not known.branches.get(c.id)]
    plans: dict[int, CommunePlan] = {}
    new_plans: list[CommunePlan] = []
    if unknown:
        new_plans = plan_new_communes(unknown, published, writer.names, writer.rng, fraction)
        plans.update({p.commune.id: p for p in new_plans})
    for commune in communes_of(known.communes):
        if commune.id not in plans:
            plan = plan_known_commune(known, commune, writer.names, writer.rng)
            plans[commune.id] = plan
            world.branches[commune.id] = [
                Branch(branch_id, plan, branch_plan, known.reporters.get(branch_id, 0))
                for (branch_id, _, _), branch_plan in zip(
                    known.branches[commune.id], plan.branches, strict=True
                )
            ]
    world.plans = [plans[c.id] for c in known.communes]
    await writer.branches(new_plans)
    new_ids = {p.commune.id for p in new_plans}
    new_branches = {b.id for c in new_ids for b in world.branches.get(c, [])}
    by_code = {p.commune.code: p for p in world.plans}
    chosen = [by_code[c.code] for c in pick_communes(known.communes)]
    writer.place_people(chosen, everyone=everyone)
    await writer.write_people()
    await writer.figures(MAP_CHANGE_DAY.year, new_plans)
    return new_plans, new_branches


async def today_province(writer: TodayWriter, published: Published, fraction: float) -> None:
    """Today's map after the move: the communes of old Hưng Yên get branches and figures;
    every commune a chair, volunteers, funds and the activity since, at the volumes of the
    published province, and its members at the end of 2025 as it reported them."""
    _, new_branches = await place(writer, published, fraction, everyone=True)
    await writer.funds(new_branches)
    tx, tally = writer.tx, writer.tally
    await demo_rows.add_members(tx, tally.members(writer.new_members()))
    await members_reported(writer)
    reviews: list[tuple[int, int, str, int]] = []
    await demo_rows.add_nominations(tx, tally.titles(writer.titles(reviews)))
    total, years, weights = writer.money()
    await demo_rows.add_contributions(tx, tally.gifts(writer.contributions(total, years, weights)))
    awarded = round(total * AWARDED_SHARE)
    await demo_rows.add_awards(tx, tally.awards(writer.awards(awarded, years, weights)))
    await add_baselines(writer, reviews)
