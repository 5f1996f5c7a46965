"""Funds (quỹ khuyến học), the contributions they receive and the awards paid from them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.services import reporting
from bot.services.reporting import ReportError
from bot.storage import people, reports
from bot.storage.db import Database, Tx
from bot.storage.models import Level, Unit
from bot.storage.records import (
    Award,
    AwardInput,
    Contribution,
    ContributionInput,
    Fund,
    FundInput,
    FundKind,
    validate_input,
)
from bot.text import fold

NAMED_FUND_LEVELS = (Level.BRANCH, Level.COMMUNE)
"""Clan and family funds are kept by a branch or a commune."""


async def _ensure(tx: Tx, unit: Unit, kind: FundKind, name: str, actor_id: int | None) -> Fund:
    fund, created = await reports.ensure_fund(tx, unit.id, kind, name, fold(name))
    if created:
        await people.audit(
            tx,
            actor_id=actor_id,
            action="create",
            entity="fund",
            entity_id=fund.id,
            after=fund.model_dump(mode="json"),
        )
    return fund


async def unit_fund(db: Database, unit: Unit, *, actor_id: int | None = None) -> Fund:
    """The unit's own fund, created the first time it is asked for."""
    async with db.transaction() as tx:
        return await _ensure(tx, unit, FundKind.UNIT, "", actor_id)


async def named_fund(
    db: Database, unit: Unit, kind: FundKind, name: str, *, actor_id: int | None = None
) -> Fund | ReportError:
    """A clan or family fund of a branch or commune, found by folded name or created.

    Raises `ValidationError` for a name outside 2..100 characters or a kind other than
    clan/family.
    """
    checked = FundInput.model_validate({"kind": kind, "name": name})
    if unit.level not in NAMED_FUND_LEVELS:
        return ReportError.WRONG_LEVEL
    async with db.transaction() as tx:
        return await _ensure(tx, unit, checked.kind, checked.name, actor_id)


async def funds_of(db: Database, unit: Unit) -> list[Fund]:
    """The unit's funds that exist so far: its own, then clan, then family funds."""
    return await reports.funds_of(db, unit.id)


async def get_fund(db: Database, fund_id: int) -> Fund | None:
    return await reports.get_fund(db, fund_id)


async def create_contribution(
    db: Database,
    actor_id: int,
    data: ContributionInput | Mapping[str, Any],
    *,
    idempotency_key: str,
    now: datetime,
) -> tuple[Contribution, bool] | ReportError:
    """Record money or a gift given to a fund; the record belongs to the fund's unit.

    Raises `ValidationError` for input that breaks a field limit.
    """
    checked = validate_input(ContributionInput, data, today=reporting.local_today(now))
    async with db.transaction() as tx:
        return await reporting.create(
            tx, Contribution, actor_id, checked, idempotency_key=idempotency_key, now=now
        )


async def create_award(
    db: Database,
    actor_id: int,
    data: AwardInput | Mapping[str, Any],
    *,
    idempotency_key: str,
    now: datetime,
) -> tuple[Award, bool] | ReportError:
    """Record a scholarship or prize paid from a fund, even past its balance (the handler
    warns first with `exceeds_balance`: money is sometimes paid before it is reported).

    Raises `ValidationError` for input that breaks a field limit.
    """
    checked = validate_input(AwardInput, data, today=reporting.local_today(now))
    async with db.transaction() as tx:
        return await reporting.create(
            tx, Award, actor_id, checked, idempotency_key=idempotency_key, now=now
        )


async def balance(db: Database, fund_id: int) -> int:
    """Active contributions minus active awards, in đồng (in-kind gifts at their value)."""
    raised, awarded = await reports.fund_totals(db, fund_id)
    return raised - awarded


async def exceeds_balance(
    db: Database, fund_id: int, amount: int, *, replacing_award_id: int | None = None
) -> bool:
    """Whether paying `amount` would take the fund below zero; when editing an award, pass
    its id so its current amount is not counted twice."""
    raised, awarded = await reports.fund_totals(db, fund_id, excluding_award_id=replacing_award_id)
    return amount > raised - awarded
