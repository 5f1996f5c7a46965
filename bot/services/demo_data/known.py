"""What the database holds of today's map before its step (`Known`: after the move, or on a
new database), and the plans made from it: a commune whose branches came from the old map
keeps them (`plan_known_commune`), one the database knows nothing earlier of is planned like
the published province (`plan_new_communes`)."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from bot.services.demo_data.names import Names
from bot.services.demo_data.plan import BranchPlan, Commune, CommunePlan, plan_province, type_word
from bot.services.demo_data.published import Published, targets_for
from bot.services.demo_data.world import MAP_CHANGE_DAY, communes_of
from bot.services.figures import Figure
from bot.storage import demo_rows
from bot.storage.db import Tx
from bot.storage.demo_rows import UnitRow
from bot.storage.models import Role, UnitKind
from bot.storage.records import FundKind
from bot.text import fold

DENSITY: Final = 1_220
"""People per km² of a commune the database knows nothing earlier of (old Hưng Yên: 1.29
million people on 1,058 km²); `AREA` km² when its area is unknown."""
AREA: Final = 25.0


@dataclass
class Known:
    """Today's communes as the database holds them before the step (after the move, or on a
    new database), for planning the rest."""

    province: UnitRow
    communes: list[UnitRow]
    branches: dict[int, list[tuple[int, str, UnitKind]]]
    """Commune id → its branches in force (id, name, kind), by name."""
    members: dict[int, int]
    """Branch id → its members who joined before today's map's first year."""
    reporters: dict[int, int]
    """Branch id → a volunteer of it."""
    chairs: dict[int, list[int]]
    """Unit id → the chairs (province: admins) holding a grant on it."""
    before: dict[int, list[int]]
    """Commune id → the ended communes whose figures go to it (rank 0), by id."""
    figures: dict[int, dict[Figure, int]]
    """Unit id → its latest figures (ended communes included)."""
    former: dict[int, list[str]]
    """Commune id → its former names."""
    funds: list[tuple[int, int, FundKind, str]]
    """(id, unit id, kind, name) of the funds on today's units."""
    grants: set[tuple[int, Role, int]]
    """(telegram id, role, unit id) of every grant."""
    last_person: int


async def read_known(tx: Tx, province: UnitRow, communes: list[UnitRow]) -> Known:
    ids = [c.id for c in communes]
    branches = await demo_rows.branches_in_force(tx, ids)
    branch_ids = [b[0] for mine in branches.values() for b in mine]
    members: dict[int, int] = {}
    reporters: dict[int, int] = {}
    if branch_ids:
        first_day = date(MAP_CHANGE_DAY.year, 1, 1).isoformat()
        members = await demo_rows.members_joined_before(tx, first_day)
        reporters = await demo_rows.first_volunteers(tx)
    chairs = await demo_rows.holders(
        tx, (Role.COMMUNE_CHAIR, Role.DISTRICT_CHAIR, Role.PROVINCE_ADMIN)
    )
    before = await demo_rows.first_predecessors(tx, ids)
    figures: dict[int, dict[Figure, int]] = {}
    known = {figure.value: figure for figure in Figure}
    for unit_id, name, value in await demo_rows.latest_figures(tx):
        if name in known:
            figures.setdefault(unit_id, {})[known[name]] = value
    former = await demo_rows.former_names(tx, ids)
    funds = await demo_rows.funds_in_force(tx)
    grants = await demo_rows.grants(tx)
    return Known(
        province=province,
        communes=communes,
        branches=branches,
        members=members,
        reporters=reporters,
        chairs=chairs,
        before=before,
        figures=figures,
        former=former,
        funds=funds,
        grants=grants,
        last_person=await demo_rows.last_telegram_id(tx),
    )


def _agencies(names: Names, commune: Commune, former: Sequence[str], count: int) -> tuple[str, ...]:
    """`count` agencies of a commune: those named after it, then after the communes it was
    formed from (a school keeps its name when its commune merges)."""
    kind = names.types[type_word(commune.kind)]
    found: dict[str, str] = {}
    for place in (commune.name, *former):
        for template in names.agencies:
            name = template.format(commune=place, type=kind)
            found.setdefault(fold(name), name)
    return tuple(found.values())[:count]


def plan_known_commune(
    today: Known, commune: Commune, names: Names, rng: random.Random
) -> CommunePlan:
    """A commune whose branches came from the old map: its figures are those of the communes
    it was formed from, its members those of its branches."""
    figures: Counter[Figure] = Counter()
    for old in today.before.get(commune.id, []) or [commune.id]:
        figures.update(today.figures.get(old, {}))
    branches = tuple(
        BranchPlan(name=name, kind=kind, members=today.members.get(branch_id, 0))
        for branch_id, name, kind in today.branches.get(commune.id, [])
    )
    clans = min(figures.get(Figure.CLANS, 0), len(names.clan_weights))
    return CommunePlan(
        commune=commune,
        figures=dict(figures),
        members=sum(b.members for b in branches),
        titles={},
        branches=branches,
        clans=tuple(names.clans(rng, clans)),
        agencies=_agencies(
            names, commune, today.former.get(commune.id, []), figures.get(Figure.AGENCIES, 0)
        ),
    )


def plan_new_communes(
    communes: Sequence[UnitRow],
    published: Published,
    names: Names,
    rng: random.Random,
    fraction: float,
) -> list[CommunePlan]:
    """Communes the database knows nothing earlier of, planned like the published province:
    as many people as their area holds (`DENSITY`)."""
    people = round(sum((c.area_km2 or AREA) * DENSITY for c in communes))
    goal = targets_for(published, people, len(communes), names, fraction)
    return plan_province(communes_of(communes), goal, names, rng)
