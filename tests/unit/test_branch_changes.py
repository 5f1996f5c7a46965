"""The rules of renaming and closing a branch (`bot.services.branch_changes`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.services import branch_changes, hierarchy, invites, members, registration
from bot.services.branch_changes import BranchChangeError, Waiting
from bot.services.invites import InviteProblem
from bot.services.registration import DecisionError
from bot.services.reporting import ReportError
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.db import Database, from_db_time
from bot.storage.models import RequestStatus, Role, Unit, UnitKind
from tests.conftest import branch, person, unit

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam
CHAIR, OTHER, VOLUNTEER = 30, 31, 40


async def _commune(db: Database) -> tuple[Unit, Unit]:
    district = await unit(db, "Đông Hưng")
    communes = await unit_store.children(db, district.id)
    return communes[0], communes[1]


async def test_rename_keeps_the_old_name_and_checks_the_new_one(db: Database) -> None:
    commune, other = await _commune(db)
    east = await branch(db, commune, "Thôn Đông")
    west = await branch(db, commune, "Thôn Tây")
    await person(db, CHAIR, Role.COMMUNE_CHAIR, commune)
    await person(db, OTHER, Role.COMMUNE_CHAIR, other)
    rename = branch_changes.rename_branch
    assert await rename(db, east.id, "X", actor_id=CHAIR) is BranchChangeError.NAME_INVALID
    assert await rename(db, east.id, "THON TAY", actor_id=CHAIR) is BranchChangeError.NAME_TAKEN
    assert await rename(db, east.id, "Xóm Mới", actor_id=OTHER) is BranchChangeError.OUT_OF_SCOPE
    renamed = await rename(db, east.id, "  Xóm   Mới ", actor_id=CHAIR)
    assert not isinstance(renamed, BranchChangeError) and renamed.name == "Xóm Mới"
    assert [a.name for a in await unit_store.aliases(db, renamed)] == ["Thôn Đông"]
    # A sibling may not take the old name; the branch itself may take it back.
    assert await rename(db, west.id, "Thôn Đông", actor_id=CHAIR) is BranchChangeError.NAME_TAKEN
    back = await rename(db, east.id, "Thôn Đông", actor_id=CHAIR)
    assert not isinstance(back, BranchChangeError) and back.name == "Thôn Đông"
    assert [a.name for a in await unit_store.aliases(db, back)] == ["Xóm Mới"]
    # Diacritics only: no former name.
    fixed = await rename(db, west.id, "Thon Tay", actor_id=CHAIR)
    assert not isinstance(fixed, BranchChangeError)
    assert await unit_store.aliases(db, fixed) == []
    found = await unit_store.find(db, "xom moi", within=commune)
    assert [(hit.unit.id, hit.former) for hit in found] == [(east.id, "Xóm Mới")]
    actions = await db.fetchall("SELECT action FROM audit_log WHERE action = 'rename'")
    assert len(actions) == 3


async def test_close_ends_the_branch_and_refuses_new_reports(db: Database) -> None:
    commune, _ = await _commune(db)
    east = await branch(db, commune, "Thôn Đông")
    await person(db, CHAIR, Role.COMMUNE_CHAIR, commune)
    await person(db, VOLUNTEER, Role.VOLUNTEER, east)
    assert branch_changes.closed_home(await people.grants_of(db, VOLUNTEER)) is None
    closed = await branch_changes.close_branch(db, east.id, actor_id=CHAIR, now=NOW)
    assert not isinstance(closed, BranchChangeError)
    assert closed.valid_to == date(2026, 11, 28) and not closed.active
    again = await branch_changes.close_branch(db, east.id, actor_id=CHAIR, now=NOW)
    assert again is BranchChangeError.CLOSED
    assert await branch_changes.rename_branch(db, east.id, "Xóm", actor_id=CHAIR) is (
        BranchChangeError.CLOSED
    )
    grants = await people.grants_of(db, VOLUNTEER)
    assert grants and branch_changes.closed_home(grants) == closed  # the grant stays
    assert branch_changes.closed_home(await people.grants_of(db, CHAIR)) is None
    refused = await members.create_member(
        db,
        VOLUNTEER,
        {
            "full_name": "Hoàng Thị Lan",
            "gender": "female",
            "birth_year": 1965,
            "joined_on": date(2026, 11, 28),
            "unit_id": east.id,
        },
        idempotency_key="closed-1",
        now=NOW,
    )
    assert refused is ReportError.UNKNOWN_UNIT
    events = await db.fetchall("SELECT kind, record_id FROM notice_event")
    assert [tuple(row) for row in events] == [("branch_closed", east.id)]


async def test_a_branch_created_today_closes_tomorrow(db: Database) -> None:
    commune, _ = await _commune(db)
    await person(db, CHAIR, Role.COMMUNE_CHAIR, commune)
    today = date(2026, 11, 28)
    new = await hierarchy.create_branch(
        db,
        commune,
        "Xóm Mới",
        UnitKind.VILLAGE,
        actor_id=CHAIR,
        since=today,
    )
    closed = await branch_changes.close_branch(db, new.id, actor_id=CHAIR, now=NOW)
    assert not isinstance(closed, BranchChangeError)
    assert closed.valid_to == today + timedelta(days=1)  # a unit lives at least a day


async def test_closing_revokes_its_unused_invites_and_names_its_waiting_requests(
    db: Database,
) -> None:
    """In the closing transaction: the branch's unused invites expire (an audit line each),
    used ones and other branches' stay; each request waiting for it gets a notice event."""
    commune, _ = await _commune(db)
    east = await branch(db, commune, "Thôn Đông")
    west = await branch(db, commune, "Thôn Tây")
    await person(db, CHAIR, Role.COMMUNE_CHAIR, commune)
    links = [
        await invites.create_invite(db, CHAIR, role, on, NOW, ttl_days=7)
        for role, on in ((Role.VOLUNTEER, east), (Role.BRANCH_HEAD, east), (Role.VOLUNTEER, west))
    ]
    open_east, used_east, open_west = (i for i in links if not isinstance(i, InviteProblem))
    assert not isinstance(
        await invites.redeem_invite(db, used_east.code, 300, "Lê Văn Cường", NOW),
        InviteProblem,
    )
    waiting = await registration.submit_request(db, 301, "Nguyễn Văn An", east, NOW)
    elsewhere = await registration.submit_request(db, 302, "Trần Thị Bình", west, NOW)
    await db.execute("DELETE FROM notice_event")  # the requests' own notices
    assert await branch_changes.waiting_on(db, east, NOW) == Waiting(requests=1, invites=1)

    later = NOW + timedelta(hours=1)
    closed = await branch_changes.close_branch(db, east.id, actor_id=CHAIR, now=later)
    assert not isinstance(closed, BranchChangeError)
    assert await invites.check_invite(db, open_east.code, later) is InviteProblem.BRANCH_CLOSED
    row = await db.fetchone("SELECT expires_at FROM invite WHERE code = ?", (open_east.code,))
    assert row is not None and from_db_time(row[0]) == later  # expired when it closed
    revoked = await db.fetchall(
        "SELECT actor_id, entity_id FROM audit_log WHERE action = 'revoke' AND entity = 'invite'"
    )
    assert [tuple(r) for r in revoked] == [(CHAIR, open_east.code)]
    assert await invites.check_invite(db, used_east.code, later) is InviteProblem.USED
    assert await invites.check_invite(db, open_west.code, later) == open_west
    events = await db.fetchall("SELECT kind, record_id FROM notice_event ORDER BY id")
    assert [tuple(r) for r in events] == [
        ("branch_closed", east.id),
        ("registration_branch_closed", waiting.request.id),
    ]
    # The request still waits, with its name; the other branch's is untouched.
    still = await people.get_request(db, waiting.request.id)
    assert still is not None and still.status is RequestStatus.PENDING
    assert still.full_name == "Nguyễn Văn An"
    assert await registration.closed_branch_of(db, still) == closed
    assert await registration.closed_branch_of(db, elsewhere.request) is None
    # Nothing waits for it any more, and no new invite to it can be made.
    assert await branch_changes.waiting_on(db, closed, later) == Waiting(requests=1, invites=0)
    refused = await invites.create_invite(db, CHAIR, Role.VOLUNTEER, closed, later, ttl_days=7)
    assert refused is InviteProblem.NOT_ALLOWED
    assert (
        await invites.redeem_invite(db, open_east.code, 303, "Ai Đó", later)
        is InviteProblem.BRANCH_CLOSED
    )
    assert await people.grants_of(db, 303) == []


async def test_a_request_for_a_closed_branch_is_approved_only_onto_another_branch(
    db: Database,
) -> None:
    commune, other = await _commune(db)
    east = await branch(db, commune, "Thôn Đông")
    west = await branch(db, commune, "Thôn Tây")
    far = await branch(db, other, "Thôn Bắc")
    await person(db, CHAIR, Role.COMMUNE_CHAIR, commune)
    open_request = (await registration.submit_request(db, 401, "Lê Thị Cúc", west, NOW)).request
    # Another branch for an ordinary request (its branch open) is no choice of the chair's.
    assert await registration.decidable(db, open_request.id, CHAIR, elsewhere=True) is (
        DecisionError.NOT_A_PROPOSAL
    )
    request = (await registration.submit_request(db, 400, "Nguyễn Văn An", east, NOW)).request
    assert not isinstance(
        await branch_changes.close_branch(db, east.id, actor_id=CHAIR, now=NOW), BranchChangeError
    )

    approve = registration.decide
    assert await approve(db, request.id, CHAIR, approve=True, now=NOW) is (
        DecisionError.BRANCH_CLOSED
    )
    closed = await unit_store.get(db, east.id)
    assert closed is not None
    for wrong in (closed, far):  # the closed branch itself, or another commune's
        assert await approve(db, request.id, CHAIR, approve=True, now=NOW, existing=wrong) is (
            DecisionError.BAD_BRANCH
        )
    again = await people.get_request(db, request.id)
    assert again is not None and again.status is RequestStatus.PENDING
    assert await people.grants_of(db, 400) == []
    assert await registration.decidable(db, request.id, CHAIR, elsewhere=True) == again

    decided = await approve(db, request.id, CHAIR, approve=True, now=NOW, existing=west)
    assert not isinstance(decided, DecisionError)
    assert decided.branch == west and not decided.created
    assert decided.request.status is RequestStatus.APPROVED and decided.request.unit_id == west.id
    assert [g.unit.id for g in await people.grants_of(db, 400)] == [west.id]


async def test_a_request_for_a_closed_branch_may_still_be_rejected(db: Database) -> None:
    commune, _ = await _commune(db)
    east = await branch(db, commune, "Thôn Đông")
    await person(db, CHAIR, Role.COMMUNE_CHAIR, commune)
    request = (await registration.submit_request(db, 500, "Phạm Thị Dung", east, NOW)).request
    await branch_changes.close_branch(db, east.id, actor_id=CHAIR, now=NOW)
    rejected = await registration.decide(db, request.id, CHAIR, approve=False, now=NOW)
    assert not isinstance(rejected, DecisionError)
    assert rejected.request.status is RequestStatus.REJECTED
    assert await registration.closed_branch_of(db, rejected.request) is None  # not waiting


async def test_a_request_for_a_branch_closed_a_moment_before_is_told_at_once(
    db: Database,
) -> None:
    """The newcomer chose from a list read just before the chair closed the branch: the
    request is filed, and its sender gets the same notice as those waiting when it closed."""
    commune, _ = await _commune(db)
    east = await branch(db, commune, "Thôn Đông")
    await person(db, CHAIR, Role.COMMUNE_CHAIR, commune)
    closed = await branch_changes.close_branch(db, east.id, actor_id=CHAIR, now=NOW)
    assert not isinstance(closed, BranchChangeError)
    await db.execute("DELETE FROM notice_event")
    late = await registration.submit_request(db, 303, "Phạm Văn Dũng", east, NOW)  # the old view
    events = await db.fetchall("SELECT kind, record_id FROM notice_event ORDER BY id")
    assert [tuple(r) for r in events] == [
        ("registration_requested", late.request.id),
        ("registration_branch_closed", late.request.id),
    ]
    assert await registration.closed_branch_of(db, late.request) is not None
