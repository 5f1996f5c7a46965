"""The rules of personal data (bot.services.privacy): masking, who sees what, erasure that keeps
the counters, the export log's reader, retention."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.services import counters, members, privacy
from bot.services.privacy import ErasureAction, ErasureProblem, ExportKind
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.db import Database, to_db_time
from bot.storage.models import Grant, Level, Role, Unit, UnitKind
from tests.conftest import branch, person, unit

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)


def test_masks() -> None:
    assert privacy.mask_phone("+84912345678") == "09•• ••• 678"
    assert privacy.mask_phone("0912345678") == "09•• ••• 678"
    assert privacy.mask_birth_year(1958) == "19••"
    assert privacy.is_masked("19••") and not privacy.is_masked("1958") and not privacy.is_masked(1)


def _unit(unit_id: int, path: str, level: Level) -> Unit:
    kind = UnitKind.VILLAGE if level is Level.BRANCH else UnitKind.COMMUNE
    return Unit(
        id=unit_id, parent_id=None, level=level, code=str(unit_id), name="x", kind=kind, path=path
    )


PROVINCE = Unit(
    id=1,
    parent_id=None,
    level=Level.PROVINCE,
    code="1",
    name="Tỉnh",
    kind=UnitKind.PROVINCE,
    path="/1/",
)
DISTRICT = Unit(
    id=2,
    parent_id=1,
    level=Level.DISTRICT,
    code="2",
    name="Huyện",
    kind=UnitKind.RURAL_DISTRICT,
    path="/1/2/",
)
COMMUNE = _unit(3, "/1/2/3/", Level.COMMUNE)
OTHER_COMMUNE = _unit(4, "/1/2/4/", Level.COMMUNE)
OWN_BRANCH = _unit(5, "/1/2/3/5/", Level.BRANCH)
NEXT_BRANCH = _unit(6, "/1/2/3/6/", Level.BRANCH)
FAR_BRANCH = _unit(7, "/1/2/4/7/", Level.BRANCH)


def _viewer(role: Role, on: Unit) -> privacy.Viewer:
    return privacy.viewer_of([Grant(id=1, telegram_id=1, role=role, unit=on)])


@pytest.mark.parametrize(
    ("role", "on", "sees"),
    [
        (Role.VOLUNTEER, OWN_BRANCH, True),
        (Role.BRANCH_HEAD, OWN_BRANCH, True),
        (Role.VOLUNTEER, NEXT_BRANCH, False),  # another branch of the same commune
        (Role.COMMUNE_CHAIR, COMMUNE, True),
        (Role.COMMUNE_CHAIR, OTHER_COMMUNE, False),
        (Role.DISTRICT_CHAIR, DISTRICT, False),  # above the commune: masked
        (Role.PROVINCE_ADMIN, PROVINCE, False),
    ],
)
def test_who_sees_a_members_phone_and_year(role: Role, on: Unit, sees: bool) -> None:
    viewer = _viewer(role, on)
    assert viewer.sees(OWN_BRANCH) is sees
    phone = privacy.shown_phone(viewer, OWN_BRANCH, "+84912345678")
    assert phone == ("+84912345678" if sees else "09•• ••• 678")
    assert privacy.shown_birth_year(viewer, OWN_BRANCH, 1958) == ("1958" if sees else "19••")
    assert privacy.shown_phone(viewer, OWN_BRANCH, None) is None
    assert not _viewer(Role.VOLUNTEER, OWN_BRANCH).sees(FAR_BRANCH)


def test_masked_answers_keep_the_stored_values() -> None:
    stored = {"full_name": "Nguyễn Thị Hoa", "birth_year": 1958, "phone": "+84912345678"}
    district = _viewer(Role.DISTRICT_CHAIR, DISTRICT)
    shown = privacy.masked_values(district, OWN_BRANCH, stored)
    assert shown == {"full_name": "Nguyễn Thị Hoa", "birth_year": "19••", "phone": "09•• ••• 678"}
    assert privacy.masked_values(_viewer(Role.COMMUNE_CHAIR, COMMUNE), OWN_BRANCH, stored) == stored
    assert privacy.restore_masked(shown, stored) == stored
    changed = {**shown, "phone": "+84987654321", "full_name": "Nguyễn Thị Hòa"}
    assert privacy.restore_masked(changed, stored) == {
        "full_name": "Nguyễn Thị Hòa",
        "birth_year": 1958,
        "phone": "+84987654321",
    }


# ---------------------------------------------------------------- with a database


async def _world(db: Database) -> tuple[Unit, Unit]:
    district = await unit(db, "Đông Hưng")
    commune = (await unit_store.children(db, district.id))[0]
    own = await branch(db, commune, "Thôn Đông")
    await person(db, 1, Role.PROVINCE_ADMIN, (await unit(db, "Thái Bình")), "Quản Trị")
    await person(db, 2, Role.COMMUNE_CHAIR, commune, "Chủ Tịch")
    await person(db, 3, Role.VOLUNTEER, own, "Lê Thị Cúc")
    return commune, own


async def test_notice_acceptance_and_once_for_people_already_in(db: Database) -> None:
    await _world(db)
    assert await privacy.needs_acceptance(db, 99)  # nobody yet
    assert await privacy.notice_due(db, 3)  # registered before the notice
    await privacy.mark_notice_shown(db, 3, NOW)
    assert not await privacy.notice_due(db, 3)
    assert await privacy.needs_acceptance(db, 3)
    await privacy.accept_notice(db, 3, NOW)
    await privacy.accept_notice(db, 3, NOW + timedelta(days=1))  # the first one counts
    assert not await privacy.needs_acceptance(db, 3)
    row = await db.fetchone("SELECT privacy_accepted_at FROM app_user WHERE telegram_id = 3")
    assert row is not None and row[0] == to_db_time(NOW)


async def test_erasure_keeps_the_counters_and_moves_every_reference(db: Database) -> None:
    _, own = await _world(db)
    for number in range(2):
        created = await members.create_member(
            db,
            3,
            {
                "full_name": f"Trịnh Văn {'AB'[number]}",
                "gender": "male",
                "birth_year": 1970,
                "joined_on": date(2026, 3, 1),
                "unit_id": own.id,
            },
            idempotency_key=f"k{number}",
            now=NOW,
        )
        assert isinstance(created, tuple)
    await privacy.record_export(db, 3, ExportKind.OWN_DATA, now=NOW)
    await db.execute("INSERT INTO ptb_user_data (user_id, data) VALUES (3, '{}')")
    # A table added later that refers to people is found in the schema, not in a list.
    await db.execute(
        "CREATE TABLE later_table (id INTEGER PRIMARY KEY, "
        "who INTEGER NOT NULL REFERENCES app_user(telegram_id))"
    )
    await db.execute("INSERT INTO later_table (who) VALUES (3)")
    before = await db.fetchall("SELECT * FROM stat_counter ORDER BY 1, 2, 3")

    request = await privacy.request_erasure(db, 3, NOW)
    assert not isinstance(request, ErasureProblem) and request.created
    again = await privacy.request_erasure(db, 3, NOW)
    assert not isinstance(again, ErasureProblem) and not again.created
    assert again.row.id == request.row.id
    assert await privacy.request_erasure(db, 404, NOW) is ErasureProblem.NOTHING_STORED
    refused = await privacy.decide_erasure(db, request.row.id, 2, ErasureAction.ERASE, NOW)
    assert refused is ErasureProblem.NOT_ALLOWED  # a commune chair does not decide

    done = await privacy.decide_erasure(db, request.row.id, 1, ErasureAction.ERASE, NOW)
    assert not isinstance(done, ErasureProblem)
    assert done.former_id == 3 and done.erased is not None and done.erased.reports_kept == 2
    stand_in = privacy.stand_in_id(request.row.id)
    assert await people.get_user(db, 3) is None
    assert await people.grants_of(db, stand_in) == []
    user = await people.get_user(db, stand_in)
    assert user is not None and user.full_name == f"Người dùng đã xóa #{request.row.id}"
    assert not user.reachable
    assert await db.fetchall("SELECT * FROM stat_counter ORDER BY 1, 2, 3") == before
    assert await counters.recompute(db) == []  # the counters still agree with the rows
    assert await db.fetchall("SELECT 1 FROM ptb_user_data WHERE user_id = 3") == []
    exported = await db.fetchall("SELECT actor_id FROM data_export")
    assert [r[0] for r in exported] == [stand_in]
    assert await db.fetchall("PRAGMA foreign_key_check") == []
    moved = await db.fetchall("SELECT who FROM later_table")
    assert [r[0] for r in moved] == [stand_in]
    twice = await privacy.decide_erasure(db, request.row.id, 1, ErasureAction.REJECT, NOW)
    assert twice is ErasureProblem.ALREADY_DECIDED


async def test_the_export_log_is_the_province_admins(db: Database) -> None:
    _, own = await _world(db)
    await privacy.record_export(
        db, 2, ExportKind.STATISTICS, now=NOW, unit_id=own.id, detail="thong-ke.xlsx"
    )
    assert await privacy.export_log(db, 2) is None
    log = await privacy.export_log(db, 1)
    assert log is not None and [(e.actor_name, e.kind, e.personal) for e in log] == [
        ("Chủ Tịch", "statistics", False)
    ]


async def test_retention(db: Database) -> None:
    await _world(db)
    old, recent = NOW - timedelta(days=40), NOW - timedelta(days=1)
    for at, status in ((old, "sent"), (old, "failed"), (recent, "sent"), (old, "pending")):
        broadcast_id = await db.execute(
            "INSERT INTO broadcast (kind, created_at) VALUES ('broadcast', ?)", (to_db_time(at),)
        )
        await db.execute(
            "INSERT INTO outbox (broadcast_id, recipient_id, text, status, sent_at) "
            "VALUES (?, 3, 'x', ?, ?)",
            (broadcast_id, status, to_db_time(at) if status == "sent" else None),
        )
    await db.execute(
        "INSERT INTO audit_log (at, action, entity, entity_id) VALUES (?, 'x', 'y', '1')",
        (to_db_time(NOW - timedelta(days=400)),),
    )
    await privacy.record_export(db, 1, ExportKind.STATISTICS, now=NOW - timedelta(days=400))
    removed = await privacy.apply_retention(db, NOW, outbox_days=30, audit_days=365)
    assert (removed.outbox, removed.audit, removed.exports) == (2, 1, 1)
    left = await db.fetchall("SELECT status FROM outbox ORDER BY id")
    assert [r[0] for r in left] == ["sent", "pending"]
    again = await privacy.apply_retention(db, NOW, outbox_days=30, audit_days=365)
    assert (again.outbox, again.audit, again.exports) == (0, 0, 0)
