"""The province's history and its move onto today's map: Thái Bình until 2024 on its map with
districts, at the published 2023 figures (`old_map`), then what `khuyenhoc units migrate` does
on 1 July 2025 (`move_to_today`)."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import date

from bot.services import map_change
from bot.services.demo_data.members import MemberWriter
from bot.services.demo_data.money import MoneyWriter
from bot.services.demo_data.names import Names
from bot.services.demo_data.people import PeopleWriter
from bot.services.demo_data.plan import plan_province
from bot.services.demo_data.published import Targets, load_published, targets
from bot.services.demo_data.titles import TitleWriter
from bot.services.demo_data.units import UnitWriter
from bot.services.demo_data.world import (
    MAP_CHANGE_AT,
    MAP_CHANGE_DAY,
    MAPPING_FILE,
    TODAY_UNITS,
    DemoDataError,
    DemoDataProblem,
    Scale,
    World,
    communes_of,
)
from bot.services.map_change import MapChangeError, MapChangeResult
from bot.storage import demo_rows, notice_events, people
from bot.storage.db import Database
from bot.storage.demo_rows import UnitRow
from bot.storage.models import Level
from bot.storage.notice_events import NoticeKind


class HistoryWriter(PeopleWriter, UnitWriter, MemberWriter, TitleWriter, MoneyWriter):
    """The rows of the history: its people, branches and figures, members, titles, funds, gifts
    and awards (today's writer adds today's to these)."""


async def old_map(
    db: Database,
    units: Sequence[UnitRow],
    names: Names,
    rng: random.Random,
    today: date,
    fraction: float,
    campaign_days: dict[str, int],
    seed: int,
) -> Mapping[str, int]:
    """The province's history until 2024 on the map with districts, in one transaction."""
    province = next(u for u in units if u.level is Level.PROVINCE)
    goal = targets(load_published(), fraction)
    plans = plan_province(communes_of(units), goal, names, rng)
    districts = [u for u in units if u.level is Level.DISTRICT]
    world = World(
        province=province,
        districts=districts,
        plans=plans,
        campaign_days=campaign_days,
        next_codes=_next_codes(),
    )
    async with demo_rows.big_cache(db), demo_rows.unchecked(db), db.transaction() as tx:
        writer = HistoryWriter(tx, world, names, rng, today)
        await writer.branches()
        writer.named_people()
        await _history(writer, goal)
        await people.audit(
            tx,
            actor_id=None,
            action="generate",
            entity="demo_data",
            entity_id=Scale.PROVINCE.value,
            after={"seed": seed, "fraction": fraction, "today": today.isoformat()},
        )
    return writer.summary


async def _history(writer: HistoryWriter, goal: Targets) -> None:
    writer.everyone_else()
    await writer.write_people()
    await writer.figures(goal.year)
    tx, tally = writer.tx, writer.tally
    async with demo_rows.indexes_set_aside(tx):
        await demo_rows.add_members(tx, tally.members(writer.province_members(goal.year)))
        await demo_rows.add_nominations(tx, tally.titles(writer.province_titles(goal.year)))
        await writer.unit_funds()
        first, last = goal.funds_years
        years = list(range(first, last + 1))
        await demo_rows.add_contributions(tx, tally.gifts(writer.contributions(goal.raised, years)))
        await demo_rows.add_awards(tx, tally.awards(writer.awards(goal.awarded, years)))
    await tally.roll_up(tx)


def _next_codes() -> dict[str, str]:
    """Old commune code → today's (the first listed), from `MAPPING_FILE`."""
    try:
        return {row.old_code: row.new_codes[0] for row in map_change.read_mapping(MAPPING_FILE)}
    except MapChangeError:
        return {}


async def check_old_map(db: Database) -> None:
    """The province starts from the map `MAPPING_FILE` maps from (Thái Bình's of 2024)."""
    try:
        await map_change.plan(db, TODAY_UNITS, MAPPING_FILE, MAP_CHANGE_DAY, now=MAP_CHANGE_AT)
    except MapChangeError as error:
        raise DemoDataError(DemoDataProblem.NOT_THAI_BINH) from error


async def move_to_today(db: Database) -> MapChangeResult:
    """What `khuyenhoc units migrate --to data/hung_yen_2025_units.csv --mapping
    data/thai_binh_units_2024_to_2025.csv --effective 2025-07-01` does (without the backup),
    as if run that day. Its notices to the chairs were delivered then: they are not left to
    send."""
    planned = await map_change.plan(
        db, TODAY_UNITS, MAPPING_FILE, MAP_CHANGE_DAY, now=MAP_CHANGE_AT
    )
    result = await map_change.apply(db, planned, now=MAP_CHANGE_AT)
    told = [e.id for e in await notice_events.pending(db) if e.kind is NoticeKind.MAP_CHANGED]
    async with db.transaction() as tx:
        await notice_events.delete(tx, told)
    return result
