"""Roles on whichever middle level the map has (issue 9): districts on Thái Bình's 2024 map,
none on today's (the province recognises what a district chair did), areas (cụm) where a
province groups its communes, each with a coordinator who has what a district chair has. And
the plain words lists of communes are shown in: the type, the former district."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from telegram import InlineKeyboardButton

from bot.i18n import translator
from bot.services import hierarchy, invites, nominations, registration
from bot.services.reporting import ReportError
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import Level, Role, Unit, UnitKind
from bot.storage.records import Nomination, NominationKind
from handlers.common import (
    BUTTON_CHARS,
    HALF_ROW_CHARS,
    association_of,
    button_rows,
    middle_role_label,
    role_label,
    unit_button_label,
    unit_title,
)
from tests.conftest import branch, load_new_map, person
from tests.unit.reporting_helpers import NOW, key, nomination_data, ok

ADMIN, COORDINATOR, CHAIR, VOLUNTEER = 10, 20, 30, 40

AREAS_CSV = (
    "commune_code,commune_name,commune_type,area_code,area_name,former_district\n"
    "99901,Đông Hưng,Xã,C1,Bắc,Đông Hưng\n"
    "99902,Tiên Hưng,Xã,C1,Bắc,Đông Hưng\n"
    "99903,Trần Hưng Đạo,Phường,,,Thái Bình\n"
)
"""Two communes in the area "Bắc" (cụm Bắc), a ward directly under the province."""


@pytest.fixture
async def area_db(tmp_path: Path) -> AsyncIterator[Database]:
    path = tmp_path / "areas.csv"
    path.write_text(AREAS_CSV, encoding="utf-8")
    async with Database(tmp_path / "areas.sqlite3") as database:
        await hierarchy.load_units_csv(
            database,
            path,
            province_code="33",
            province_name="Hưng Yên",
            valid_from=date(2025, 7, 1),
        )
        yield database


async def code(db: Database, value: str) -> Unit:
    found = await unit_store.in_force_by_code(db, value)
    assert found is not None, value
    return found


async def nominate(
    db: Database, on: Unit, kind: NominationKind, actor: int = VOLUNTEER
) -> Nomination:
    data = nomination_data(on, kind=kind.value, subject="Trường Tiểu học Đông Hà")
    created = await nominations.create_nomination(db, actor, data, idempotency_key=key(), now=NOW)
    return ok(created)


# ---------------------------------------------------------------- today's map: no middle level


async def test_without_a_middle_level_the_province_recognises_a_learning_unit(
    new_map_db: Database,
) -> None:
    province = await unit_store.root(new_map_db)
    commune = await code(new_map_db, "12688")  # xã Đông Hưng
    assert province is not None and commune.parent_id == province.id
    thon = await branch(new_map_db, commune, "Thôn Đông La")
    await person(new_map_db, ADMIN, Role.PROVINCE_ADMIN, province)
    await person(new_map_db, CHAIR, Role.COMMUNE_CHAIR, commune)
    await person(new_map_db, VOLUNTEER, Role.VOLUNTEER, thon)
    nomination = await nominate(new_map_db, thon, NominationKind.LEARNING_UNIT)
    units = await nominations.decider_units(new_map_db, thon, nomination.kind)
    assert [(u.id, role) for u, role in units] == [(province.id, Role.PROVINCE_ADMIN)]
    assert await nominations.deciders(new_map_db, thon, nomination.kind) == (province, [ADMIN])
    assert (await nominations.recognised_at(new_map_db, nomination)) == province
    assert await nominations.decided_above(new_map_db, CHAIR, nomination) is True
    assert [n.id for n in await nominations.pending_for(new_map_db, ADMIN)] == [nomination.id]
    assert await nominations.pending_for(new_map_db, CHAIR) == []
    # A family's title stays with the commune.
    family = await nominate(new_map_db, thon, NominationKind.FAMILY)
    assert await nominations.deciders(new_map_db, thon, family.kind) == (commune, [CHAIR])


async def test_invites_offer_only_the_roles_the_map_has(db: Database, new_map_db: Database) -> None:
    new_province = await unit_store.root(new_map_db)
    old_province = await unit_store.root(db)
    assert new_province is not None and old_province is not None
    await person(new_map_db, ADMIN, Role.PROVINCE_ADMIN, new_province)
    await person(db, ADMIN, Role.PROVINCE_ADMIN, old_province)
    below_province = [Role.VOLUNTEER, Role.BRANCH_HEAD, Role.COMMUNE_CHAIR]
    assert await invites.invitable_roles(new_map_db, ADMIN) == below_province
    assert await invites.invitable_roles(db, ADMIN) == [*below_province, Role.DISTRICT_CHAIR]
    assert await invites.invitable_roles(db, 999) == []


# ---------------------------------------------------------------- a map with areas


async def test_an_area_coordinator_has_what_a_district_chair_has(area_db: Database) -> None:
    province = await unit_store.root(area_db)
    assert province is not None
    area = (await unit_store.children(area_db, province.id))[0]
    assert (area.level, area.kind, area.name) == (Level.DISTRICT, UnitKind.AREA, "Bắc")
    dong_hung, tien_hung, ward = [await code(area_db, c) for c in ("99901", "99902", "99903")]
    assert dong_hung.parent_id == area.id and ward.parent_id == province.id
    await person(area_db, ADMIN, Role.PROVINCE_ADMIN, province)
    await person(area_db, COORDINATOR, Role.DISTRICT_CHAIR, area)
    await person(area_db, CHAIR, Role.COMMUNE_CHAIR, tien_hung)
    thon = await branch(area_db, dong_hung, "Thôn Đông")
    await person(area_db, VOLUNTEER, Role.VOLUNTEER, thon)

    # Titles a district chair recognises: the coordinator's, in the area; the province's outside.
    nomination = await nominate(area_db, thon, NominationKind.LEARNING_UNIT)
    assert await nominations.deciders(area_db, thon, nomination.kind) == (area, [COORDINATOR])
    assert await nominations.recognised_at(area_db, nomination) == area
    assert [n.id for n in await nominations.pending_for(area_db, COORDINATOR)] == [nomination.id]
    decided = await nominations.decide(
        area_db, nomination.id, COORDINATOR, recognise=True, reason=None, now=NOW
    )
    assert isinstance(decided, Nomination) and decided.decided_by == COORDINATOR
    to = await branch(area_db, ward, "Tổ 1")
    outside = await nominate(area_db, ward, NominationKind.COMMUNE_COMMUNITY, actor=ADMIN)
    assert await nominations.deciders(area_db, ward, outside.kind) == (province, [ADMIN])
    refused = await nominations.decide(
        area_db, outside.id, COORDINATOR, recognise=True, reason=None, now=NOW
    )
    assert refused is ReportError.OUT_OF_SCOPE

    # Registrations of a commune without a chair go to the coordinator, not those of one with.
    await registration.submit_request(area_db, 501, "Nguyễn Văn An", thon, NOW)
    tien_thon = await branch(area_db, tien_hung, "Thôn Tây")
    await registration.submit_request(area_db, 502, "Trần Thị Bình", tien_thon, NOW)
    await registration.submit_request(area_db, 503, "Lê Văn Cường", to, NOW)
    assert await registration.approvers_for(area_db, thon) == [COORDINATOR]
    assert await registration.approvers_for(area_db, tien_thon) == [CHAIR]
    assert await registration.approvers_for(area_db, to) == [ADMIN]
    waiting = await registration.waiting_for(area_db, COORDINATOR)
    assert [r.telegram_id for r in waiting] == [501]
    assert [r.telegram_id for r in await registration.waiting_for(area_db, ADMIN)] == [503]

    # The province invites a coordinator; the coordinator invites below.
    assert Role.DISTRICT_CHAIR in await invites.invitable_roles(area_db, ADMIN)
    assert await invites.invitable_roles(area_db, COORDINATOR) == [
        Role.VOLUNTEER,
        Role.BRANCH_HEAD,
        Role.COMMUNE_CHAIR,
    ]


# ---------------------------------------------------------------- the former district, kept


async def test_the_former_district_is_kept_and_filled_in_by_loading_again(
    db: Database, new_map_db: Database
) -> None:
    dong_hung = await code(new_map_db, "12688")
    tan_hung = await code(new_map_db, "11977")  # formed from Hưng Yên city and Tiên Lữ
    assert (dong_hung.former_district, tan_hung.former_district) == ("Đông Hưng", "Hưng Yên")
    assert (await code(db, "12697")).former_district is None  # the 2024 map has districts
    # A database loaded before the column existed: loading the file again fills it in.
    await new_map_db.execute("UPDATE unit SET former_district = NULL")
    again = await load_new_map(new_map_db)
    assert (again.added, again.aliases) == (0, 0)
    filled = await new_map_db.fetchone(
        "SELECT count(*) FROM unit WHERE level = 'commune' AND former_district IS NOT NULL"
    )
    assert filled is not None and filled[0] == 104


async def test_names_merged_in_november_2024_find_todays_commune(new_map_db: Database) -> None:
    """Hưng Yên's file names the communes of early 2025; Liên Giang merged into Liên An Đô on
    1 November 2024, which became part of xã Bắc Tiên Hưng: its 2024 name finds it still."""
    hits = await unit_store.former_names(new_map_db, "lien giang")
    assert [(hit.unit.name, hit.former, hit.partly) for hit in hits] == [
        ("Bắc Tiên Hưng", "Liên Giang", False)
    ]
    assert [hit.unit.name for hit in await unit_store.former_names(new_map_db, "lien an do")] == [
        "Bắc Tiên Hưng"
    ]


async def test_earlier_names_are_for_their_province_only(tmp_path: Path) -> None:
    """The 2024 names belong to Hưng Yên's communes: a file for another province records none
    of them, even with a code that Hưng Yên's map has (12700, Bắc Tiên Hưng)."""
    path = tmp_path / "hn.csv"
    path.write_text("commune_code,commune_name,commune_type\n12700,Tây Đằng,Xã\n", encoding="utf-8")
    async with Database(tmp_path / "hn.sqlite3") as other:
        result = await hierarchy.load_units_csv(
            other, path, province_code="01", province_name="Hà Nội"
        )
        assert (result.added, result.aliases) == (2, 0)
        assert await unit_store.former_names(other, "lien giang") == []


# ---------------------------------------------------------------- plain words


def test_labels_name_the_type_and_the_former_district() -> None:
    t = translator("vi")
    commune = Unit(
        id=1,
        parent_id=None,
        level=Level.COMMUNE,
        code="1",
        name="Đông Hưng",
        kind=UnitKind.COMMUNE,
        path="/1/",
    )
    assert unit_button_label(t, commune) == "xã Đông Hưng"
    with_district = commune.model_copy(update={"former_district": "Đông Hưng"})
    assert unit_button_label(t, with_district) == "xã Đông Hưng (trước thuộc Đông Hưng)"
    ward = commune.model_copy(update={"name": "Trần Hưng Đạo", "kind": UnitKind.WARD})
    assert unit_button_label(t, ward) == "phường Trần Hưng Đạo"
    # Too long for a phone with the district (41 characters): the type stays, the district goes.
    long = commune.model_copy(update={"name": "Đông Thái Ninh", "former_district": "Thái Thụy"})
    assert unit_button_label(t, long) == "xã Đông Thái Ninh"
    longest = commune.model_copy(
        update={"name": "Triệu Việt Vương", "former_district": "Khoái Châu"}
    )
    assert unit_button_label(t, longest) == "xã Triệu Việt Vương"
    district = commune.model_copy(update={"level": Level.DISTRICT, "kind": UnitKind.RURAL_DISTRICT})
    assert unit_button_label(t, district) == "Đông Hưng"


async def test_every_commune_of_todays_map_fits_a_phone(new_map_db: Database) -> None:
    t = translator("vi")
    province = await unit_store.root(new_map_db)
    assert province is not None
    communes = await unit_store.children(new_map_db, province.id)
    labels = [unit_button_label(t, c) for c in communes]
    assert len(labels) == 104 and max(len(label) for label in labels) <= BUTTON_CHARS
    shown = [label for label in labels if "(trước thuộc " in label]
    assert len(shown) == 100  # all but the 4 longest say where they came from


def test_short_labels_go_two_to_a_row() -> None:
    def button(text: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(text, callback_data=text)

    short, wide = "x" * HALF_ROW_CHARS, "x" * (HALF_ROW_CHARS + 1)
    rows = button_rows([button(short), button(short), button(wide), button(short), button("a")])
    assert [[b.text for b in row] for row in rows] == [[short, short], [wide], [short, "a"]]


async def test_roles_and_who_acts_are_named_as_the_map_calls_them(area_db: Database) -> None:
    t = translator("vi")
    province = await unit_store.root(area_db)
    assert province is not None
    area = (await unit_store.children(area_db, province.id))[0]
    assert role_label(t, Role.DISTRICT_CHAIR, area) == "Điều phối cụm"
    assert role_label(t, Role.DISTRICT_CHAIR) == "Chủ tịch Hội Khuyến học cấp huyện"
    assert middle_role_label(t, [UnitKind.AREA]) == "Điều phối cụm"
    assert middle_role_label(t, [UnitKind.RURAL_DISTRICT, UnitKind.CITY]) == (
        "Chủ tịch Hội Khuyến học cấp huyện"
    )
    assert unit_title(t, area) == "Cụm Bắc"
    assert association_of(t, area) == "điều phối cụm Bắc"
    assert association_of(t, province) == "Hội Khuyến học tỉnh Hưng Yên"
    named = area.model_copy(update={"name": "Cụm Ba Vì"})  # a file that names it so
    assert (unit_title(t, named), association_of(t, named)) == ("Cụm Ba Vì", "điều phối cụm Ba Vì")
