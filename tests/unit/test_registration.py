"""Registration requests, approvals and invites, without Telegram."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.services import registration
from bot.services.registration import DecisionError, InviteProblem, NameProblem, Standing
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import RequestStatus, Role
from tests.conftest import branch, person, unit

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Nguyễn Văn An", None),
        ("  Trần   Thị  Bình ", None),
        ("A", NameProblem.TOO_SHORT),
        ("x" * 101, NameProblem.TOO_LONG),
        ("12345", NameProblem.NOT_A_NAME),
        ("/start", NameProblem.NOT_A_NAME),
        ("Lê Văn Tám-Hai", None),
        ("😀😀", NameProblem.NOT_A_NAME),
    ],
)
def test_full_name(text: str, problem: NameProblem | None) -> None:
    assert registration.check_full_name(text)[1] is problem


async def test_request_goes_to_commune_chair_then_falls_back(db: Database) -> None:
    district = await unit(db, "Đông Hưng")
    commune = (await unit_store.children(db, district.id))[0]
    thon = await branch(db, commune, "Thôn Đông")
    province = await unit_store.root(db)
    assert province is not None
    await person(db, 9, Role.PROVINCE_ADMIN, province)
    assert await registration.approvers_for(db, thon) == [9]
    await person(db, 4, Role.DISTRICT_CHAIR, district)
    assert await registration.approvers_for(db, thon) == [4]
    await person(db, 2, Role.COMMUNE_CHAIR, commune)
    assert await registration.approvers_for(db, thon) == [2]
    await people.set_reachable(db, 2, False)
    assert await registration.approvers_for(db, thon) == [4]


async def test_submit_twice_keeps_one_request_and_decide_once(db: Database) -> None:
    district = await unit(db, "Kiến Xương")
    commune = (await unit_store.children(db, district.id))[0]
    thon = await branch(db, commune, "Thôn Bắc")
    await person(db, 2, Role.COMMUNE_CHAIR, commune)
    first = await registration.submit_request(db, 100, "Nguyễn Văn An", thon, NOW)
    second = await registration.submit_request(db, 100, "Nguyễn Văn An", thon, NOW)
    assert first.created and not second.created
    assert first.request.id == second.request.id
    assert await registration.standing(db, 100) is Standing.PENDING

    other_commune = (await unit_store.children(db, district.id))[1]
    await person(db, 3, Role.COMMUNE_CHAIR, other_commune)
    assert (
        await registration.decide(db, first.request.id, 3, approve=True, now=NOW)
        is DecisionError.OUT_OF_SCOPE
    )
    decided = await registration.decide(db, first.request.id, 2, approve=True, now=NOW)
    assert not isinstance(decided, DecisionError)
    assert decided.request.status is RequestStatus.APPROVED
    assert await registration.standing(db, 100) is Standing.REGISTERED
    grants = await people.grants_of(db, 100)
    assert [(g.role, g.unit.id) for g in grants] == [(Role.VOLUNTEER, thon.id)]
    again = await registration.decide(db, first.request.id, 2, approve=False, now=NOW)
    assert again is DecisionError.ALREADY_DECIDED
    audit = await db.fetchall("SELECT action FROM audit_log WHERE entity = 'registration_request'")
    assert [row[0] for row in audit] == ["create", "approved"]


async def test_invite_is_single_use_and_expires(db: Database) -> None:
    district = await unit(db, "Đông Hưng")
    commune = (await unit_store.children(db, district.id))[0]
    thon = await branch(db, commune, "Thôn Đông")
    await person(db, 2, Role.COMMUNE_CHAIR, commune)
    invite = await registration.create_invite(db, 2, Role.BRANCH_HEAD, thon, NOW, ttl_days=7)
    assert not isinstance(invite, InviteProblem)
    assert invite.expires_at == NOW + timedelta(days=7)
    refused = await registration.create_invite(db, 2, Role.COMMUNE_CHAIR, commune, NOW, ttl_days=7)
    assert refused is InviteProblem.NOT_ALLOWED

    grant = await registration.redeem_invite(db, invite.code, 200, "Phạm Thị Hoa", NOW)
    assert not isinstance(grant, InviteProblem)
    assert grant.role is Role.BRANCH_HEAD and grant.unit.id == thon.id
    assert (
        await registration.redeem_invite(db, invite.code, 201, "Ai Đó", NOW) is InviteProblem.USED
    )

    late = await registration.create_invite(db, 2, Role.VOLUNTEER, thon, NOW, ttl_days=7)
    assert not isinstance(late, InviteProblem)
    after = NOW + timedelta(days=7, seconds=1)
    assert (
        await registration.redeem_invite(db, late.code, 202, "Ai Đó", after)
        is InviteProblem.EXPIRED
    )
    assert await registration.check_invite(db, "nope", NOW) is InviteProblem.NOT_FOUND
