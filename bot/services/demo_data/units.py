"""The demo's branches (numbered within their commune) and the figures of its communes (the
denominators of the titles and the population), as rows."""

from __future__ import annotations

from collections.abc import Sequence

from bot.services.demo_data.plan import CommunePlan
from bot.services.demo_data.world import Branch
from bot.services.demo_data.writer import WriterBase
from bot.storage import demo_rows
from bot.text import fold


class UnitWriter(WriterBase):
    """Branches and figures."""

    async def branches(self, plans: Sequence[CommunePlan] | None = None) -> None:
        """The branches of `plans` (all of the world's by default), numbered within their
        commune past the codes in force (a commune of today's map may have taken the code of
        one whose branches moved to it)."""
        next_id = await demo_rows.next_unit_id(self.tx)
        taken = await demo_rows.branch_codes_in_force(self.tx)
        rows = []
        for plan in self.world.plans if plans is None else plans:
            mine = self.world.branches.setdefault(plan.commune.id, [])
            number = 0
            for branch in plan.branches:
                number += 1
                while f"{plan.commune.code}-{number:03d}" in taken:
                    number += 1
                mine.append(Branch(next_id, plan, branch))
                rows.append(
                    (
                        next_id,
                        plan.commune.id,
                        f"{plan.commune.code}-{number:03d}",
                        branch.name,
                        fold(branch.name),
                        branch.kind.value,
                        f"{plan.commune.path}{next_id}/",
                        self.as_of,
                    )
                )
                next_id += 1
        await demo_rows.add_branches(self.tx, rows)
        self.summary["branches"] += len(rows)

    async def figures(self, year: int, plans: Sequence[CommunePlan] | None = None) -> None:
        rows = [
            (plan.commune.id, year, figure.value, value, self.as_of)
            for plan in (self.world.plans if plans is None else plans)
            for figure, value in plan.figures.items()
        ]
        await demo_rows.add_figures(self.tx, rows)
        self.summary["figures"] += len(rows)
