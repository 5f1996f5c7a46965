"""The rules of renaming and closing a branch (`bot.services.branch_changes`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.services import branch_changes, hierarchy, members
from bot.services.branch_changes import BranchChangeError
from bot.services.reporting import ReportError
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import Role, Unit, UnitKind
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
