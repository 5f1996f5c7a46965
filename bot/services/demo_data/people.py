"""The demo's people and their grants: ids 1–20 in the two named districts of the history
(`PeopleWriter.named_people`) and where `SMALL_PEOPLE` has them on today's map
(`TodayPeople.place_people`), a chair for every district and commune and a volunteer for every
branch; then the people and grants written (`write_people`)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.services.demo_data.plan import CommunePlan
from bot.services.demo_data.telegram_ids import (
    FIRST_EXTRA_ID,
    OLD_MAP_PEOPLE,
    SMALL_COMMUNES,
    SMALL_DISTRICTS,
    SMALL_PEOPLE,
)
from bot.services.demo_data.world import DemoDataError, DemoDataProblem
from bot.services.demo_data.writer import TodayBase, WriterBase
from bot.storage import demo_rows
from bot.storage.demo_rows import UnitRow
from bot.storage.models import Role
from bot.text import fold


def _pick_districts(districts: Sequence[UnitRow]) -> list[UnitRow]:
    """`SMALL_DISTRICTS`, or the first districts when these are missing."""
    named = [
        next((d for d in districts if fold(d.name) == fold(name)), None) for name in SMALL_DISTRICTS
    ]
    found = [d for d in named if d is not None]
    if len(found) < len(SMALL_DISTRICTS):
        found = list(districts[: len(SMALL_DISTRICTS)])
    if not found:
        raise DemoDataError(DemoDataProblem.NO_UNITS)
    return found * (len(SMALL_DISTRICTS) // len(found))


def pick_communes(communes: Sequence[UnitRow]) -> list[UnitRow]:
    """The communes of `SMALL_COMMUNES`, in its order; the first others when some are
    missing."""
    by_code = {c.code: c for c in communes}
    found = [by_code[code] for code in SMALL_COMMUNES if code in by_code]
    for commune in communes:
        if len(found) >= len(SMALL_COMMUNES):
            break
        if commune not in found:
            found.append(commune)
    return found


class PeopleWriter(WriterBase):
    """Ids 1–20 and everyone else of the history, and the people and grants of a step."""

    def _person(self, telegram_id: int, role: Role, unit_id: int) -> None:
        name, _ = self.names.person(self.rng, self.gender())
        self.world.people.append((telegram_id, name, role, unit_id))

    def named_people(self) -> None:
        """Ids 1–20 of the history (`OLD_MAP_PEOPLE`), in the two named districts."""
        districts = _pick_districts(self.world.districts)
        for telegram_id, role, level, which, commune_index in OLD_MAP_PEOPLE:
            district = districts[which]
            communes = [p for p in self.world.plans if p.commune.district == district.name]
            wanted = SMALL_COMMUNES[2 * which + commune_index]
            going = [p for p in communes if self.world.next_codes.get(p.commune.code) == wanted]
            plan = (going or communes)[0 if going else min(commune_index, len(communes) - 1)]
            if level == "province":
                unit_id = self.world.province.id
            elif level == "district":
                unit_id = district.id
            elif level == "commune":
                unit_id = plan.commune.id
            else:
                mine = self.world.branches[plan.commune.id]
                taken = sum(
                    1
                    for other, other_role, _, other_unit in self.world.people
                    if other_role is role and any(b.id == other_unit for b in mine)
                )
                branch = mine[min(taken, len(mine) - 1)]
                unit_id = branch.id
                if role is Role.VOLUNTEER and not branch.reporter:
                    branch.reporter = telegram_id
            if role in (Role.COMMUNE_CHAIR, Role.DISTRICT_CHAIR, Role.PROVINCE_ADMIN):
                self.world.chairs.setdefault(unit_id, telegram_id)
            self._person(telegram_id, role, unit_id)

    def everyone_else(self) -> None:
        """A chair for every district and commune and a volunteer for every branch."""
        telegram_id = FIRST_EXTRA_ID
        for district in self.world.districts:
            if district.id not in self.world.chairs:
                self.world.chairs[district.id] = telegram_id
                self._person(telegram_id, Role.DISTRICT_CHAIR, district.id)
                telegram_id += 1
        for plan in self.world.plans:
            if plan.commune.id not in self.world.chairs:
                self.world.chairs[plan.commune.id] = telegram_id
                self._person(telegram_id, Role.COMMUNE_CHAIR, plan.commune.id)
                telegram_id += 1
            for branch in self.world.branches[plan.commune.id]:
                if not branch.reporter:
                    branch.reporter = telegram_id
                    self._person(telegram_id, Role.VOLUNTEER, branch.id)
                    telegram_id += 1

    async def write_people(self) -> None:
        """The grants of `world.people`, and the people not in the database yet."""
        people_rows = {tid: name for tid, name, _, _ in self.world.people}
        known = {tid for tid in await demo_rows.telegram_ids(self.tx) if tid in people_rows}
        await demo_rows.add_people(
            self.tx,
            [(tid, name, self.as_of) for tid, name in people_rows.items() if tid not in known],
        )
        await demo_rows.add_grants(
            self.tx,
            [(tid, role.value, unit_id, self.as_of) for tid, _, role, unit_id in self.world.people],
        )
        self.summary["people"] += len(people_rows) - len(known)


class TodayPeople(TodayBase, PeopleWriter):
    """Ids 1–20 where `SMALL_PEOPLE` has them on today's map, and a chair or volunteer where
    one is missing."""

    def new_person(self) -> int:
        telegram_id = self._next_person
        self._next_person += 1
        return telegram_id

    def holds(self, telegram_id: int, role: Role, unit_id: int) -> bool:
        grant = (telegram_id, role, unit_id)
        return grant in self.known.grants or grant in self._seated

    def seat(self, telegram_id: int, role: Role, unit_id: int) -> None:
        """A grant (and the person, if new) unless they hold it already."""
        if not self.holds(telegram_id, role, unit_id):
            self._seated.add((telegram_id, role, unit_id))
            self._person(telegram_id, role, unit_id)

    def place_people(self, chosen: Sequence[CommunePlan], *, everyone: bool) -> None:
        """Ids 1–20 where `SMALL_PEOPLE` has them (the history's are there already but for
        the chairs, whose communes ended); with `everyone`, a chair for every commune without
        one (the chair of the first commune it was formed from, else someone new) and a
        volunteer for every branch without one."""
        world, known = self.world, self.known
        province = world.province.id
        admins = known.chairs.get(province, [])
        world.chairs[province] = admins[0] if admins else SMALL_PEOPLE[0][0]
        for telegram_id, role, index in SMALL_PEOPLE:
            if index is None or not chosen:
                self.seat(telegram_id, role, province)
                world.chairs[province] = telegram_id
                continue
            plan = chosen[min(index, len(chosen) - 1)]
            if role is Role.COMMUNE_CHAIR:
                self.seat(telegram_id, role, plan.commune.id)
                world.chairs.setdefault(plan.commune.id, telegram_id)
                continue
            mine = world.branches.get(plan.commune.id, [])
            if not mine:
                continue
            held = [b for b in mine if self.holds(telegram_id, role, b.id)]
            taken = {u for _, r, u in known.grants if r is role}
            taken |= {u for _, _, r, u in world.people if r is role}
            free = [b for b in mine if b.id not in taken]
            branch = (held or free or mine)[0]
            self.seat(telegram_id, role, branch.id)
            if role is Role.VOLUNTEER and (not branch.reporter or held):
                branch.reporter = telegram_id
        if not everyone:
            return
        for plan in world.plans:
            commune = plan.commune.id
            if commune not in world.chairs:
                earlier = [
                    t for old in known.before.get(commune, []) for t in known.chairs.get(old, [])
                ]
                chair = (known.chairs.get(commune) or earlier)[:1]
                telegram_id = chair[0] if chair else self.new_person()
                self.seat(telegram_id, Role.COMMUNE_CHAIR, commune)
                world.chairs[commune] = telegram_id
            for branch in world.branches.get(commune, []):
                if not branch.reporter:
                    branch.reporter = self.new_person()
                    self.seat(branch.reporter, Role.VOLUNTEER, branch.id)
