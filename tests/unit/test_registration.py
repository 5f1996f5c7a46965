"""Registration requests, approvals and invites, without Telegram."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.services import invites, registration
from bot.services.invites import InviteProblem
from bot.services.registration import (
    DecisionError,
    NameProblem,
    RequestProblem,
    Standing,
)
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import RequestStatus, Role, Unit
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
    invite = await invites.create_invite(db, 2, Role.BRANCH_HEAD, thon, NOW, ttl_days=7)
    assert not isinstance(invite, InviteProblem)
    assert invite.expires_at == NOW + timedelta(days=7)
    refused = await invites.create_invite(db, 2, Role.COMMUNE_CHAIR, commune, NOW, ttl_days=7)
    assert refused is InviteProblem.NOT_ALLOWED

    grant = await invites.redeem_invite(db, invite.code, 200, "Phạm Thị Hoa", NOW)
    assert not isinstance(grant, InviteProblem)
    assert grant.role is Role.BRANCH_HEAD and grant.unit.id == thon.id
    assert await invites.redeem_invite(db, invite.code, 201, "Ai Đó", NOW) is InviteProblem.USED

    late = await invites.create_invite(db, 2, Role.VOLUNTEER, thon, NOW, ttl_days=7)
    assert not isinstance(late, InviteProblem)
    after = NOW + timedelta(days=7, seconds=1)
    assert await invites.redeem_invite(db, late.code, 202, "Ai Đó", after) is InviteProblem.EXPIRED
    assert await invites.check_invite(db, "nope", NOW) is InviteProblem.NOT_FOUND


async def _two_communes(db: Database) -> tuple[Unit, Unit, Unit, Unit]:
    """Kiến Xương's first two communes with a branch and a chair each (2 and 3)."""
    district = await unit(db, "Kiến Xương")
    first, second = (await unit_store.children(db, district.id))[:2]
    await person(db, 2, Role.COMMUNE_CHAIR, first)
    await person(db, 3, Role.COMMUNE_CHAIR, second)
    return first, await branch(db, first, "Thôn Bắc"), second, await branch(db, second, "Thôn Nam")


async def test_a_withdrawn_request_stays_and_cannot_be_decided(db: Database) -> None:
    _, thon, _, _ = await _two_communes(db)
    submitted = await registration.submit_request(db, 100, "Nguyễn Văn An", thon, NOW)
    request_id = submitted.request.id
    assert await registration.withdraw_request(db, 101, request_id, NOW) is RequestProblem.NOT_FOUND
    withdrawn = await registration.withdraw_request(db, 100, request_id, NOW)
    assert not isinstance(withdrawn, RequestProblem)
    assert withdrawn.status is RequestStatus.WITHDRAWN and withdrawn.decided_by == 100
    assert await registration.standing(db, 100) is Standing.UNKNOWN
    again = await registration.withdraw_request(db, 100, request_id, NOW)
    assert again is RequestProblem.WITHDRAWN
    decided = await registration.decide(db, request_id, 2, approve=True, now=NOW)
    assert decided is DecisionError.WITHDRAWN
    assert await people.grants_of(db, 100) == []
    stored = await people.get_request(db, request_id)
    assert stored is not None and stored.status is RequestStatus.WITHDRAWN  # kept, not deleted
    # Registering again afterwards files a new request.
    fresh = await registration.submit_request(db, 100, "Nguyễn Văn An", thon, NOW)
    assert fresh.created and fresh.request.id != request_id
    audit = await db.fetchall(
        "SELECT action, entity_id FROM audit_log WHERE entity = 'registration_request' ORDER BY id"
    )
    assert [tuple(row) for row in audit] == [
        ("create", str(request_id)),
        ("withdraw", str(request_id)),
        ("create", str(fresh.request.id)),
    ]


async def test_another_branch_replaces_the_request_in_one_go(db: Database) -> None:
    _, thon, _, other = await _two_communes(db)
    first = await registration.submit_request(db, 100, "Nguyễn Văn An", thon, NOW)
    assert first.approvers == [2]
    same = await registration.replace_request(db, 100, first.request.id, thon, NOW)
    assert not isinstance(same, RequestProblem)
    assert not same.created and same.request.id == first.request.id  # nothing changed
    moved = await registration.replace_request(db, 100, first.request.id, other, NOW)
    assert not isinstance(moved, RequestProblem)
    assert moved.created and moved.approvers == [3]
    assert moved.request.unit_id == other.id and moved.request.full_name == "Nguyễn Văn An"
    old = await people.get_request(db, first.request.id)
    assert old is not None and old.status is RequestStatus.WITHDRAWN
    pending = await people.pending_request_of(db, 100)
    assert pending is not None and pending.id == moved.request.id
    assert (
        await registration.replace_request(db, 101, moved.request.id, thon, NOW)
        is RequestProblem.NOT_FOUND
    )
    approved = await registration.decide(db, moved.request.id, 3, approve=True, now=NOW)
    assert not isinstance(approved, DecisionError)
    assert (
        await registration.replace_request(db, 100, moved.request.id, thon, NOW)
        is RequestProblem.DECIDED
    )
    assert await registration.own_waiting_request(db, 100, moved.request.id) is (
        RequestProblem.DECIDED
    )


async def test_pending_lists_a_request_for_the_chairs_who_approve_it(db: Database) -> None:
    first, thon, _, other = await _two_communes(db)
    district = await unit_store.get(db, first.parent_id or 0)
    assert district is not None
    await person(db, 4, Role.DISTRICT_CHAIR, district)
    province = await unit_store.root(db)
    assert province is not None
    await person(db, 9, Role.PROVINCE_ADMIN, province)
    here = await registration.submit_request(db, 100, "Nguyễn Văn An", thon, NOW)
    there = await registration.submit_request(db, 101, "Trần Thị Bình", other, NOW)
    assert [r.id for r in await registration.waiting_for(db, 2)] == [here.request.id]
    assert [r.id for r in await registration.waiting_for(db, 3)] == [there.request.id]
    assert await registration.waiting_for(db, 4) == []  # the communes have their own chairs
    assert await registration.waiting_for(db, 9) == []
    # A commune without a chair: its requests wait for the district chair, who was told.
    third = (await unit_store.children(db, district.id))[2]
    lonely = await branch(db, third, "Thôn Giữa")
    far = await registration.submit_request(db, 102, "Lê Văn Cường", lonely, NOW)
    assert far.approvers == [4]
    assert [r.id for r in await registration.waiting_for(db, 4)] == [far.request.id]
    await registration.withdraw_request(db, 100, here.request.id, NOW)
    assert await registration.waiting_for(db, 2) == []
    assert await registration.waiting_for(db, 100) == []  # not a chair


async def test_migration_keeps_the_requests_and_allows_withdrawn(tmp_path: Path) -> None:
    """A request filed before 008 is copied over as it was."""
    database = await Database(tmp_path / "older.sqlite3").open(migrate=False)
    try:
        await database.migrate(target=7)
        await database.execute("INSERT INTO app_user (telegram_id) VALUES (100)")
        await database.execute(
            "INSERT INTO unit (id, level, code, name, name_folded, kind, path) "
            "VALUES (1, 'province', '34', 'Thái Bình', 'thai binh', 'province', '/1/')"
        )
        await database.execute(
            "INSERT INTO registration_request (telegram_id, full_name, unit_id, requested_at) "
            "VALUES (100, 'Nguyễn Văn An', 1, '2026-01-01T00:00:00Z')"
        )
        assert 8 in await database.migrate()
        async with database.transaction() as tx:
            assert await people.withdraw_request(tx, 1, 100, NOW)
        stored = await people.get_request(database, 1)
        assert stored is not None and stored.full_name == "Nguyễn Văn An"
        assert stored.status is RequestStatus.WITHDRAWN
        await database.execute(  # the one-pending-request rule survives the copy
            "INSERT INTO registration_request (telegram_id, full_name, unit_id, requested_at) "
            "VALUES (100, 'Nguyễn Văn An', 1, '2026-01-02T00:00:00Z')"
        )
        with pytest.raises(sqlite3.IntegrityError):
            await database.execute(
                "INSERT INTO registration_request (telegram_id, full_name, unit_id, requested_at) "
                "VALUES (100, 'Nguyễn Văn An', 1, '2026-01-03T00:00:00Z')"
            )
    finally:
        await database.close()
