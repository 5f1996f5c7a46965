"""Demo databases: Thái Bình's history and today's Hưng Yên, or a few communes for the console.

`province` starts from Thái Bình's 2024 map (districts) and writes the plan of `plan.py`
(the published 2023 counts and one-decimal percentages, exactly) as rows: 2,554 branches,
670,479 members, every recognised title of 2023 as a nomination with a few rejected and
pending ones, a fund for every unit, and gifts and awards over 2019–2024 adding up to the
published 443 and 397 billion đồng. Then it moves the database onto today's map on 1 July 2025
with `map_change` (as `khuyenhoc units migrate` does: the 2024 units ended, branches moved to
Hưng Yên's communes, counters rebuilt) and adds the activity since on today's map, at the
published province's rates: members, nominations and their decisions (citizens and households
mostly as each year's review, a baseline), gifts and awards in all 104 communes, the 39 of old
Hưng Yên (which the database knew nothing of) with branches, chairs, volunteers and figures,
and every commune's members at the end of 2025 as it reported them (docs/map-change.md, "The
demo database"). So /stats and /report are measured and checked at the real orders of
magnitude, on both maps.

`small` is a few communes of today's map (`SMALL_COMMUNES`) with a few hundred reports since
1 July 2025 by chairs and volunteers at Telegram ids 1–20 (`SMALL_PEOPLE`; the province has
them too, on the same communes), for trying the bot in `khuyenhoc shell`.

Rows go in with `executemany` inside one transaction per step, and the counters are rolled up
from them at the end of it (what `counters.rebuild` does): one service call per record would
take hours for a province. The same seed gives the same database (for `small`, the same seed
and `today`, which its report dates follow).

Only a database holding nothing but the administrative units is filled (`occupied`): demo
people, branches and reports must never mix with real ones.

Where each part is:

- `build` (here) runs the steps and returns the `Summary`; `world.py` holds what they share
  (`Scale`, `Step`, `DemoDataError`, the fixed dates, `occupied`), `telegram_ids.py` who ids
  1–20 are.
- Before anything is written: `published.py` (the 2023 report and the totals to reach),
  `plan.py` (what each commune gets, `allocate`), `names.py` (data/demo_names.json).
- The rows, by feature: `people.py`, `units.py` (branches, figures), `members.py`,
  `titles.py`, `money.py` (funds, gifts, awards; odds and sizes in `money_tables.py`), each a
  mixin of `writer.py`'s `WriterBase`; `tally.py` rolls their counters up.
- The steps: `history.py` (the old map and the move onto today's), `known.py` and `today.py`
  (today's map), `small.py` (the small scale). The SQL is `bot/storage/demo_rows.py`.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import date

from bot.services.demo_data.history import check_old_map, move_to_today, old_map
from bot.services.demo_data.known import read_known
from bot.services.demo_data.names import Names
from bot.services.demo_data.people import pick_communes
from bot.services.demo_data.published import load_published, targets
from bot.services.demo_data.small import today_small
from bot.services.demo_data.telegram_ids import (
    FIRST_EXTRA_ID,
    OLD_MAP_PEOPLE,
    SMALL_COMMUNES,
    SMALL_DISTRICTS,
    SMALL_PEOPLE,
)
from bot.services.demo_data.today import TodayWriter, today_province
from bot.services.demo_data.world import (
    DEFAULT_SEED,
    MAP_CHANGE_DAY,
    DemoDataError,
    DemoDataProblem,
    Scale,
    Step,
    Summary,
    World,
    communes_of,
    occupied,
    read_units,
)
from bot.services.demo_data.writer import campaign_by_day
from bot.services.map_change import MapChangeResult
from bot.storage import demo_rows
from bot.storage import people as people_store
from bot.storage.db import Database
from bot.storage.models import Level

__all__ = [
    "DEFAULT_SEED",
    "FIRST_EXTRA_ID",
    "OLD_MAP_PEOPLE",
    "SMALL_COMMUNES",
    "SMALL_DISTRICTS",
    "SMALL_PEOPLE",
    "DemoDataError",
    "DemoDataProblem",
    "Progress",
    "Scale",
    "Step",
    "Summary",
    "build",
    "occupied",
]


Progress = Callable[[Step], None]
"""Told when a step begins."""


async def build(
    db: Database,
    scale: Scale,
    *,
    seed: int = DEFAULT_SEED,
    today: date,
    fraction: float = 1.0,
    started: Progress | None = None,
) -> Summary:
    """Fill an unused database (see `occupied`; raises `DemoDataError` otherwise) and roll up
    its counters. `province` needs Thái Bình's 2024 map and moves the database onto today's
    map; `small` works on the map in force (today's). `today` bounds every date (`small`
    reports fall in its year and the last); `fraction` scales the province down for tests."""
    if await occupied(db):
        raise DemoDataError(DemoDataProblem.OCCUPIED)
    units = await read_units(db)
    if not any(u.level is Level.PROVINCE for u in units) or not communes_of(units):
        raise DemoDataError(DemoDataProblem.NO_UNITS)
    if today <= MAP_CHANGE_DAY:
        raise DemoDataError(DemoDataProblem.TOO_EARLY)
    names = Names.load()
    rng = random.Random(seed)
    published = load_published()
    first_year = min(published.funds_years[0], today.year - 1)
    campaign_days = await campaign_by_day(db, date(first_year, 1, 1), today)
    steps: list[tuple[Step, float]] = []
    done: Counter[str] = Counter()
    result: MapChangeResult | None = None

    def begin(step: Step) -> float:
        if started is not None:
            started(step)
        return time.perf_counter()

    if scale is Scale.PROVINCE:
        await check_old_map(db)
        clock = begin(Step.HISTORY)
        done.update(await old_map(db, units, names, rng, today, fraction, campaign_days, seed))
        steps.append((Step.HISTORY, time.perf_counter() - clock))
        clock = begin(Step.MAP_CHANGE)
        result = await move_to_today(db)
        steps.append((Step.MAP_CHANGE, time.perf_counter() - clock))
    clock = begin(Step.TODAY)
    done.update(
        await _today(
            db,
            scale,
            names=names,
            rng=rng,
            today=today,
            fraction=fraction,
            campaign_days=campaign_days,
        )
    )
    steps.append((Step.TODAY, time.perf_counter() - clock))
    return Summary(
        scale=scale,
        seed=seed,
        branches=done["branches"],
        people=done["people"],
        members=done["members"],
        nominations=done["nominations"],
        contributions=done["contributions"],
        awards=done["awards"],
        figures=done["figures"],
        baselines=done["baselines"],
        steps=tuple(steps),
        map_change=result,
    )


async def _today(
    db: Database,
    scale: Scale,
    *,
    names: Names,
    rng: random.Random,
    today: date,
    fraction: float,
    campaign_days: dict[str, int],
) -> Mapping[str, int]:
    """The step on today's map; returns what it wrote (`WriterBase.summary`)."""
    units = await read_units(db)
    province = next((u for u in units if u.level is Level.PROVINCE), None)
    communes = [u for u in units if u.level is Level.COMMUNE]
    if province is None or not communes:
        raise DemoDataError(DemoDataProblem.NO_UNITS)
    if scale is Scale.SMALL:
        communes = pick_communes(communes)
    published = load_published()
    async with demo_rows.big_cache(db), demo_rows.unchecked(db), db.transaction() as tx:
        known = await read_known(tx, province, communes)
        world = World(province=province, districts=[], plans=[], campaign_days=campaign_days)
        writer = TodayWriter(tx, world, names, rng, today, known, targets(published, fraction))
        if scale is Scale.SMALL:
            await today_small(writer, published)
        else:
            await today_province(writer, published, fraction)
        await writer.tally.roll_up(tx)
        await people_store.audit(
            tx,
            actor_id=None,
            action="generate",
            entity="demo_data",
            entity_id=f"{scale.value}:today",
            after={"fraction": fraction, "today": today.isoformat()},
        )
    return writer.summary
