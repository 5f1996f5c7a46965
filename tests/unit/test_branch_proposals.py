"""A proposed branch and the undo of a registration decision, without Telegram."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.services import registration
from bot.services.registration import (
    UNDO_WINDOW,
    Decision,
    DecisionError,
    Proposal,
    Undone,
    UndoProblem,
)
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import RequestStatus, Role, Unit, UnitKind
from tests.conftest import branch, person, unit

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
CHAIR = 2


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Thôn Bến", "Thôn Bến"),
        ("  chi hội   thôn bến ", "Thôn bến"),
        ("Chi hoi Truong THCS Nguyen Du", "Truong THCS Nguyen Du"),
        ("x", None),
        ("???", None),
        ("y" * 121, None),
        ("Chi hội", "Chi hội"),  # nothing but the word: the word is the name
    ],
)
def test_proposed_name(typed: str, stored: str | None) -> None:
    assert registration.proposed_name(typed) == stored


async def _commune(db: Database) -> Unit:
    district = await unit(db, "Đông Hưng")
    commune = (await unit_store.children(db, district.id))[0]
    await branch(db, commune, "Thôn Đông")
    await person(db, CHAIR, Role.COMMUNE_CHAIR, commune)
    return commune


async def _proposed(db: Database, commune: Unit, telegram_id: int = 100) -> int:
    submitted = await registration.submit_request(
        db,
        telegram_id,
        "Nguyễn Văn An",
        commune,
        NOW,
        proposal=Proposal("Thôn Bến", UnitKind.VILLAGE),
    )
    assert submitted.created and submitted.approvers == [CHAIR]
    return submitted.request.id


async def test_a_proposal_waits_on_its_commune_and_approving_adds_the_branch(
    db: Database,
) -> None:
    commune = await _commune(db)
    request_id = await _proposed(db, commune)
    assert [r.id for r in await registration.waiting_for(db, CHAIR)] == [request_id]
    with pytest.raises(ValueError):  # a proposal names a commune, a plain request a branch
        await registration.submit_request(db, 101, "Lê Văn B", commune, NOW)
    decided = await registration.decide(db, request_id, CHAIR, approve=True, now=NOW)
    assert isinstance(decided, Decision) and decided.created
    assert decided.branch.name == "Thôn Bến" and decided.branch.valid_from == date(2026, 11, 28)
    assert decided.request.unit_id == decided.branch.id and decided.request.branch_created
    grants = await people.grants_of(db, 100)
    assert [(g.role, g.unit.id) for g in grants] == [(Role.VOLUNTEER, decided.branch.id)]


async def test_a_proposal_that_now_exists_is_approved_on_it(db: Database) -> None:
    commune = await _commune(db)
    request_id = await _proposed(db, commune)
    await branch(db, commune, "thon ben")  # added by the chair meanwhile, with /branches
    decided = await registration.decide(db, request_id, CHAIR, approve=True, now=NOW)
    assert isinstance(decided, Decision) and not decided.created
    assert decided.branch.name == "thon ben"
    assert len(await unit_store.children(db, commune.id)) == 2


async def test_corrections_are_only_for_proposals_and_are_checked(db: Database) -> None:
    commune = await _commune(db)
    thon_dong = (await unit_store.children(db, commune.id))[0]
    plain = await registration.submit_request(db, 101, "Lê Văn B", thon_dong, NOW)
    assert (
        await registration.decide(db, plain.request.id, CHAIR, approve=True, now=NOW, name="X Y")
        is DecisionError.NOT_A_PROPOSAL
    )
    request_id = await _proposed(db, commune)
    bad = await registration.decide(db, request_id, CHAIR, approve=True, now=NOW, name="?")
    assert bad is DecisionError.BAD_NAME
    other = await unit(db, "Kiến Xương")
    elsewhere = await branch(db, (await unit_store.children(db, other.id))[0], "Thôn Xa")
    wrong = await registration.decide(
        db, request_id, CHAIR, approve=True, now=NOW, existing=elsewhere
    )
    assert wrong is DecisionError.BAD_BRANCH
    request = await people.get_request(db, request_id)
    assert request is not None and request.proposes  # still waiting, as it was


async def test_undo_rules(db: Database) -> None:
    commune = await _commune(db)
    request_id = await _proposed(db, commune)
    decided = await registration.decide(db, request_id, CHAIR, approve=True, now=NOW)
    assert isinstance(decided, Decision)
    assert await registration.undo_decision(db, request_id, 999, NOW) is UndoProblem.NOT_YOURS
    late = NOW + UNDO_WINDOW + timedelta(seconds=1)
    assert await registration.undo_decision(db, request_id, CHAIR, late) is UndoProblem.TOO_LATE
    undone = await registration.undo_decision(db, request_id, CHAIR, NOW + UNDO_WINDOW)
    assert isinstance(undone, Undone) and undone.was is RequestStatus.APPROVED
    assert undone.removed is not None and undone.unit.id == commune.id
    assert await unit_store.get(db, decided.branch.id) is None
    assert undone.request.proposes and await people.grants_of(db, 100) == []
    again = await registration.undo_decision(db, request_id, CHAIR, NOW)
    assert again is UndoProblem.NOT_DECIDED
    audit = await db.fetchall(
        "SELECT action FROM audit_log WHERE entity = 'registration_request' AND entity_id = ? "
        "ORDER BY id",
        (str(request_id),),
    )
    assert [row[0] for row in audit] == ["create", "approved", "undo"]


async def test_a_unit_in_use_is_not_removed(db: Database) -> None:
    commune = await _commune(db)
    thon_dong = (await unit_store.children(db, commune.id))[0]
    assert await unit_store.in_use(db, commune.id)  # its branch, its chair
    assert not await unit_store.in_use(db, thon_dong.id)
    await person(db, 7, Role.VOLUNTEER, thon_dong)
    assert await unit_store.in_use(db, thon_dong.id)
    async with db.transaction() as tx:
        assert not await unit_store.delete_unused(tx, thon_dong.id)
    assert await unit_store.get(db, thon_dong.id) is not None
