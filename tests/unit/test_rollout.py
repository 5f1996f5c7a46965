"""The rollout sheet: how each cell is read (forgiving words, former names, phones), the
problems named by row with nothing written, what a rerun adds, and the files that come back."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
import zxingcpp
from openpyxl import Workbook, load_workbook
from PIL import Image

from bot.i18n import translator
from bot.services import invites, rollout
from bot.services.rollout import Problem, Rejected, Rollout, Status
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import Level, Role, UnitKind
from handlers import rollout_files
from tests.conftest import branch, person

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
HEADER = "STT,Xã/phường,Chi hội,Loại chi hội,Vai trò,Họ và tên,Số điện thoại"
DONG_HUNG, BAC_TIEN_HUNG = "12688", "12700"
ADMIN = 1


def sheet(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ok(result: Rollout | Rejected) -> Rollout:
    assert isinstance(result, Rollout), result
    return result


def problems(result: Rollout | Rejected) -> list[tuple[int | None, Problem]]:
    assert isinstance(result, Rejected), result
    return [(error.row, error.code) for error in result.errors]


async def check(db: Database, data: bytes, name: str = "sheet.csv") -> Rollout | Rejected:
    return await rollout.check(db, data, name, actor_id=None, now=NOW)


async def counts(db: Database) -> tuple[int, int]:
    branches = await db.fetchone("SELECT count(*) FROM unit WHERE level = 'branch'")
    invites = await db.fetchone("SELECT count(*) FROM invite")
    assert branches is not None and invites is not None
    return int(branches[0]), int(invites[0])


# --- words ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Chi hội trưởng", Role.BRANCH_HEAD),
        ("chi hoi truong", Role.BRANCH_HEAD),
        ("Trưởng chi hội", Role.BRANCH_HEAD),
        ("Branch head", Role.BRANCH_HEAD),
        ("branch_head", Role.BRANCH_HEAD),
        ("Cộng tác viên", Role.VOLUNTEER),
        ("CTV", Role.VOLUNTEER),
        ("Chủ tịch Hội Khuyến học xã", Role.COMMUNE_CHAIR),
        ("Chủ tịch xã", Role.COMMUNE_CHAIR),
        ("chu tich phuong", Role.COMMUNE_CHAIR),
        ("Chủ tịch Hội Khuyến học cấp huyện", Role.DISTRICT_CHAIR),
        ("Điều phối cụm", Role.DISTRICT_CHAIR),
        ("Area coordinator", Role.DISTRICT_CHAIR),
        ("Chủ tịch", rollout.CHAIR),
        ("Quản trị cấp tỉnh", Role.PROVINCE_ADMIN),
        ("Phó chủ tịch", None),
        ("thủ quỹ", None),
    ],
)
def test_roles_as_people_write_them(text: str, role: Role | str | None) -> None:
    assert rollout.parse_role(text) == role


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Thôn", UnitKind.VILLAGE),
        ("xóm", UnitKind.VILLAGE),
        ("Tổ dân phố", UnitKind.RESIDENTIAL_GROUP),
        ("to dan pho", UnitKind.RESIDENTIAL_GROUP),
        ("TDP", UnitKind.RESIDENTIAL_GROUP),
        ("Khu phố", UnitKind.RESIDENTIAL_GROUP),
        ("Trường học", UnitKind.SCHOOL),
        ("Dòng họ", UnitKind.CLAN),
        ("Cơ quan", UnitKind.AGENCY),
        ("Cơ quan, đơn vị", UnitKind.AGENCY),
        ("residential_group", UnitKind.RESIDENTIAL_GROUP),
        ("Thôn, tổ dân phố", None),
        ("Hợp tác xã", None),
    ],
)
def test_kinds_as_people_write_them(text: str, kind: UnitKind | None) -> None:
    assert rollout.parse_kind(text) is kind


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Thôn Đông La", UnitKind.VILLAGE),
        ("Tổ dân phố số 3", UnitKind.RESIDENTIAL_GROUP),
        ("TDP 5", UnitKind.RESIDENTIAL_GROUP),
        ("Trường THCS Lê Lợi", UnitKind.SCHOOL),
        ("Dòng họ Nguyễn", UnitKind.CLAN),
        ("Họ Trần", UnitKind.CLAN),
        ("Cơ quan UBND xã", UnitKind.AGENCY),
        ("Đông La", None),
        ("Thôngtin", None),
    ],
)
def test_a_branch_name_may_say_its_kind(name: str, kind: UnitKind | None) -> None:
    assert rollout.kind_in_name(name) is kind


# --- rows, one at a time -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "role", "unit", "branch", "kind", "phone"),
    [
        ("1,12688,Thôn Đông,Thôn,Chi hội trưởng,Trần Thị Hoa,0912345678",
         Role.BRANCH_HEAD, "Đông Hưng", "Thôn Đông", UnitKind.VILLAGE, "+84912345678"),
        ("1,xa lien giang,Thôn Đông,Thôn,Chi hội trưởng,Trần Thị Hoa,",
         Role.BRANCH_HEAD, "Bắc Tiên Hưng", "Thôn Đông", UnitKind.VILLAGE, None),
        ("1,Xã Đông Hưng,Tổ 3,TDP,,trần thị hoa,+84 (0)912 345 678",
         Role.BRANCH_HEAD, "Đông Hưng", "Tổ 3", UnitKind.RESIDENTIAL_GROUP, "+84912345678"),
        ("1,DONG HUNG,Thôn Đông La,,ctv,Trần Thị Hoa,84-912-345-678",
         Role.VOLUNTEER, "Đông Hưng", "Thôn Đông La", UnitKind.VILLAGE, "+84912345678"),
        ("1,Liên Giang,,,Chủ tịch xã,Trần Thị Hoa,",
         Role.COMMUNE_CHAIR, "Bắc Tiên Hưng", None, None, None),
        ("1,12688,,,Chủ tịch,Trần Thị Hoa,",
         Role.COMMUNE_CHAIR, "Đông Hưng", None, None, None),
        ("1,phường Phố Hiến,Trường Tiểu học A,,CTV,Trần Thị Hoa,",
         Role.VOLUNTEER, "Phố Hiến", "Trường Tiểu học A", UnitKind.SCHOOL, None),
        ("1,lạc đạo,Dòng họ Lê,,,Trần Thị Hoa,",  # a name in force and a former one
         Role.BRANCH_HEAD, "Lạc Đạo", "Dòng họ Lê", UnitKind.CLAN, None),
    ],
)  # fmt: skip
async def test_a_good_row(
    new_map_db: Database,
    row: str,
    role: Role,
    unit: str,
    branch: str | None,
    kind: UnitKind | None,
    phone: str | None,
) -> None:
    [found] = ok(await check(new_map_db, sheet(row))).people
    assert (found.row, found.role, found.full_name, found.phone) == (2, role, "Trần Thị Hoa", phone)
    assert found.commune is not None and found.commune.name == unit
    assert (found.branch_name, found.branch_kind, found.status) == (branch, kind, Status.NEW)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("1,Atlantis,Thôn Đông,Thôn,Chi hội trưởng,Trần Thị Hoa,", [Problem.UNKNOWN_COMMUNE]),
        ("1,99999,Thôn Đông,Thôn,Chi hội trưởng,Trần Thị Hoa,", [Problem.UNKNOWN_COMMUNE]),
        ("1,Đình Dù,Thôn Đông,Thôn,,Trần Thị Hoa,", [Problem.AMBIGUOUS_COMMUNE]),  # split
        (",12688,Thôn Đông,Hợp tác xã,,Trần Thị Hoa,", [Problem.UNKNOWN_KIND]),
        (",12688,Đông La,,,Trần Thị Hoa,", [Problem.REQUIRED]),  # a new branch needs its kind
        (",12688,Thôn Đông,Thôn,Thủ quỹ,Trần Thị Hoa,", [Problem.UNKNOWN_ROLE]),
        (",12688,,,Quản trị cấp tỉnh,Trần Thị Hoa,", [Problem.ROLE_NOT_ALLOWED]),
        (",12688,Thôn Đông,Thôn,Chủ tịch xã,Trần Thị Hoa,", [Problem.BRANCH_FOR_CHAIR]),
        (",12688,,,Chi hội trưởng,Trần Thị Hoa,", [Problem.REQUIRED]),
        (",12688,,,,Trần Thị Hoa,", [Problem.REQUIRED]),  # no role and no branch
        (",,Thôn Đông,Thôn,,Trần Thị Hoa,", [Problem.REQUIRED]),
        (",12688,Thôn Đông,Thôn,,,", [Problem.REQUIRED]),
        (",12688,Thôn Đông,Thôn,,Trần Thị 9,", [Problem.BAD_NAME]),
        (",12688,Thôn Đông,Thôn,,Trần Thị Hoa,0227 3831 234", [Problem.BAD_PHONE]),
        (",12688,Thôn Đông,Thôn,,Trần Thị Hoa,12345", [Problem.BAD_PHONE]),
        (",12688,T,Thôn,,Trần Thị Hoa,", [Problem.BAD_BRANCH_NAME]),
        (",12688,,,Điều phối cụm,Trần Thị Hoa,", [Problem.NO_MIDDLE_LEVEL]),
        ("1,Atlantis,Thôn Đông,Hợp tác xã,Thủ quỹ,X,1", [  # every problem of the row at once
            Problem.BAD_NAME, Problem.BAD_PHONE, Problem.UNKNOWN_ROLE, Problem.UNKNOWN_COMMUNE,
        ]),
    ],
)  # fmt: skip
async def test_a_bad_row(new_map_db: Database, row: str, expected: list[Problem]) -> None:
    result = await check(new_map_db, sheet(row))
    assert sorted(problems(result)) == sorted((2, code) for code in expected)


async def test_problems_say_what_to_write(new_map_db: Database) -> None:
    result = await check(
        new_map_db,
        sheet(
            "1,Đình Dù,Thôn Đông,Thôn,,Trần Thị Hoa,",
            "2,Hung Yen City,Thôn Đông,Thôn,,Trần Văn Hai,",
            "3,12688,Thôn Đông,Hợp tác xã,,Lê Văn Ba,",
        ),
    )
    assert isinstance(result, Rejected)
    t = translator("vi")
    lines = [rollout_files.describe(t, error) for error in result.errors]
    assert lines[0].startswith("Dòng 2: ")
    assert "Đại Đồng (11995)" in lines[0] and "Như Quỳnh (12004)" in lines[0]
    assert lines[1].startswith("Dòng 3: ") and "Hung Yen City" in lines[1]
    assert lines[2].startswith("Dòng 4: ") and "Thôn, Tổ dân phố, Trường học" in lines[2]


async def test_ambiguous_names_are_told_apart_by_the_district(db: Database) -> None:
    """Thái Bình's 2024 map has two xã Minh Khai, in Hưng Hà and in Vũ Thư."""
    header = "Huyện,Xã,Chi hội,Loại,Vai trò,Họ tên,SĐT"
    result = await check(db, sheet(",Minh Khai,Thôn 1,Thôn,,Trần Thị Hoa,", header=header))
    assert problems(result) == [(2, Problem.AMBIGUOUS_COMMUNE)]
    assert isinstance(result, Rejected) and "13228, Vũ Thư" in result.errors[0].detail
    found = ok(
        await check(db, sheet("Huyện Vũ Thư,Minh Khai,Thôn 1,Thôn,,Trần Thị Hoa,", header=header))
    )
    assert found.people[0].commune is not None and found.people[0].commune.code == "13228"
    found = ok(await check(db, sheet("344,,,,Chủ tịch huyện,Trần Văn Hai,", header=header)))
    assert found.people[0].role is Role.DISTRICT_CHAIR
    assert found.people[0].unit is not None and found.people[0].unit.level is Level.DISTRICT
    result = await check(db, sheet("Hưng Hà,13228,Thôn 1,Thôn,,Trần Thị Hoa,", header=header))
    assert problems(result) == [(2, Problem.NOT_IN_AREA)]


# --- the sheet as a whole ------------------------------------------------------------------------


async def test_duplicates_and_one_person_twice(new_map_db: Database) -> None:
    result = await check(
        new_map_db,
        sheet(
            "1,12688,Thôn Đông,Thôn,,Trần Thị Hoa,0912345678",
            "2,dong hung,thôn đông,,Chi hội trưởng,tran thi hoa,",  # row 2 again
            "3,12688,Thôn Tây,Thôn,,Lê Văn Ba,0912 345 678",  # row 2's phone
            "4,12688,,,Chủ tịch xã,Phạm Văn Tư,",
            "5,12688,Thôn Tây,Thôn,,Phạm Văn Tư,",  # row 5's name, no phone: one person
            "6,12688,Thôn Nam,Thôn,,Nguyễn Văn Năm,0987000001",
            "7,12688,Thôn Bắc,Thôn,,Nguyễn Văn Năm,0987000002",  # a namesake: another phone
            "8,12688,Thôn Nam,Tổ dân phố,,Hồ Thị Tám,",  # Thôn Nam is a village (row 7)
        ),
    )
    assert problems(result) == [
        (3, Problem.DUPLICATE_ROW),
        (4, Problem.PERSON_TWICE),
        (6, Problem.PERSON_TWICE),
        (9, Problem.KIND_DIFFERS),
    ]
    assert isinstance(result, Rejected)
    assert [e.detail for e in result.errors] == ["2", "2", "5", UnitKind.VILLAGE.value]


async def test_headers_in_english_any_order_and_unknown_ones(new_map_db: Database) -> None:
    english = "Full name,Role,Commune,Branch,Branch kind,Phone,Note"
    found = ok(
        await check(
            new_map_db, sheet("Trần Thị Hoa,Branch head,12688,East,village,,x", header=english)
        )
    )
    assert found.people[0].branch_name == "East"
    heads = ok(
        await check(new_map_db, sheet("12688,Thôn Đông,Trần Thị Hoa", header="Xã,Chi hội,Họ tên"))
    )
    assert heads.people[0].role is Role.BRANCH_HEAD  # no role column: the branches' heads
    result = await check(new_map_db, sheet("12688,x", header="Xã,Tuổi"))
    assert sorted(problems(result)) == [(1, Problem.MISSING_COLUMN), (1, Problem.UNKNOWN_COLUMN)]
    assert problems(await check(new_map_db, b"")) == [(None, Problem.NO_DATA)]
    assert problems(await check(new_map_db, b"x", "sheet.pdf")) == [
        (None, Problem.UNSUPPORTED_FORMAT)
    ]


async def test_an_xlsx_phone_without_its_zero_and_numeric_codes(new_map_db: Database) -> None:
    data = xlsx(
        [
            ["STT", "Xã/phường", "Chi hội", "Loại chi hội", "Vai trò", "Họ và tên", "SĐT"],
            ["Ví dụ", "Đông Hưng", "Thôn Mẫu", "Thôn", "Chi hội trưởng", "Nguyễn Văn An", ""],
            [1, 12688, "Thôn Đông", "Thôn", "Chi hội trưởng", "Trần Thị Hoa", 912345678],
            [None, None, None, None, None, None, None],
            [2, 12688.0, "Thôn Tây", "Thôn", "Cộng tác viên", "Lê Văn Ba", 84987654321],
        ]
    )
    found = ok(await check(new_map_db, data, "sheet.xlsx"))
    assert [(p.row, p.phone) for p in found.people] == [(3, "+84912345678"), (5, "+84987654321")]
    assert found.examples == 1


async def test_only_the_province_admin_rolls_out(new_map_db: Database) -> None:
    commune = await unit_store.by_code(new_map_db, DONG_HUNG)
    assert commune is not None
    await person(new_map_db, 5, Role.COMMUNE_CHAIR, commune, "Chủ Tịch")
    data = sheet("1,12688,Thôn Đông,Thôn,,Trần Thị Hoa,")
    refused = await rollout.roll_out(new_map_db, data, "s.csv", actor_id=5, now=NOW)
    assert problems(refused) == [(None, Problem.NOT_ALLOWED)]
    assert await counts(new_map_db) == (0, 0)


# --- what it writes ---------------------------------------------------------------------------


async def test_nothing_half_done_then_all_then_only_what_is_new(new_map_db: Database) -> None:
    db = new_map_db
    root = await unit_store.root(db)
    dong_hung = await unit_store.by_code(db, DONG_HUNG)
    assert root is not None and dong_hung is not None
    await person(db, ADMIN, Role.PROVINCE_ADMIN, root, "Quản Trị")
    await branch(db, dong_hung, "Thôn Đông La")
    rows = [
        "1,12688,Thôn Đông La,,,Trần Thị Hoa,0912345678",  # an existing branch
        "2,12688,Thôn Mới,Thôn,,Lê Văn Ba,",
        "3,12688,Thôn Mới,,Cộng tác viên,Phạm Thị Tư,",  # the kind from row 3
        "4,Liên Giang,,,Chủ tịch xã,Nguyễn Văn Năm,0987654321",
    ]
    bad = sheet(*rows, "5,12688,Thôn Mới,Thôn,,Lê Văn Ba,")
    assert problems(await rollout.roll_out(db, bad, "s.csv", actor_id=ADMIN, now=NOW)) == [
        (6, Problem.DUPLICATE_ROW)
    ]
    assert await counts(db) == (1, 0)

    done = ok(await rollout.roll_out(db, sheet(*rows), "s.csv", actor_id=ADMIN, now=NOW))
    assert done.applied and (done.new_branches, done.existing_branches) == (1, 1)
    assert done.count(Status.NEW) == 4 and done.created == 5 and done.skipped == 1
    assert await counts(db) == (2, 4)
    new = await unit_store.children(db, dong_hung.id, query="Thôn Mới")
    assert [(u.kind, u.valid_from) for u in new] == [(UnitKind.VILLAGE, NOW.date())]
    links = {p.full_name: p.invite for p in done.people}
    hoa = links["Trần Thị Hoa"]
    assert hoa is not None and hoa.full_name == "Trần Thị Hoa" and hoa.created_by == ADMIN
    assert hoa.expires_at == NOW + timedelta(days=rollout.ROLLOUT_TTL_DAYS)
    chair = links["Nguyễn Văn Năm"]
    assert chair is not None and chair.role is Role.COMMUNE_CHAIR

    # Hoa registers with her link; the sheet again, with a row added, a day later.
    await invites.redeem_invite(db, hoa.code, 77, "Trần Thị Hoa", NOW)
    later = NOW + timedelta(days=1)
    more = sheet(*rows, "5,12688,Thôn Mới,,,Hồ Văn Sáu,")
    again = ok(await rollout.roll_out(db, more, "s.csv", actor_id=ADMIN, now=later))
    assert [p.status for p in again.people] == [
        Status.REGISTERED, Status.INVITED, Status.INVITED, Status.INVITED, Status.NEW
    ]  # fmt: skip
    assert (again.new_branches, again.existing_branches, again.created) == (0, 2, 1)
    assert await counts(db) == (2, 5)
    assert again.people[1].invite == done.people[1].invite  # the same link listed again

    # After the links expired, the same sheet renews those not used.
    expired = NOW + timedelta(days=rollout.ROLLOUT_TTL_DAYS + 1)
    renewed = ok(await rollout.roll_out(db, more, "s.csv", actor_id=ADMIN, now=expired))
    assert [p.status for p in renewed.people].count(Status.NEW) == 4
    assert await counts(db) == (2, 9)


async def test_the_command_line_office_invites_and_grants_without_a_user(
    new_map_db: Database,
) -> None:
    data = sheet("1,12688,Thôn Đông,Thôn,,Trần Thị Hoa,")
    done = ok(await rollout.roll_out(new_map_db, data, "s.csv", actor_id=None, now=NOW))
    invite = done.people[0].invite
    assert invite is not None and invite.created_by == invites.OFFICE
    grant = await invites.redeem_invite(new_map_db, invite.code, 77, "Trần Thị Hoa", NOW)
    assert not isinstance(grant, invites.InviteProblem)
    assert grant.role is Role.BRANCH_HEAD and grant.unit.name == "Thôn Đông"
    row = await new_map_db.fetchone("SELECT granted_by FROM role_grant WHERE telegram_id = 77")
    assert row is not None and row[0] is None


# --- the files --------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_the_template_reads_back_with_its_example_skipped(
    new_map_db: Database, lang: str
) -> None:
    t = translator(lang)
    root = await unit_store.root(new_map_db)
    assert root is not None
    [commune] = await unit_store.beneath(new_map_db, root, [Level.COMMUNE], limit=1)
    data = rollout_files.template_bytes(t, example_commune=commune, middle_kinds=[])
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames[1] == t.gettext("Instructions")
    ws = book.worksheets[0]
    headers = [cell.value for cell in ws[1]]
    assert t.gettext("Area (code or name)") not in headers  # no middle level on this map
    explained = " ".join(str(c.value) for row in book.worksheets[1].iter_rows() for c in row)
    for name in [*rollout_files.kind_names(t), *rollout_files.role_names(t, [])]:
        assert name in explained
    assert t.gettext("District chair") not in explained  # no middle level, no such chair
    ws.append(["1", commune.code, "Thôn Đông", *[str(c.value) for c in ws[2]][3:6], "0912345678"])
    out = io.BytesIO()
    book.save(out)
    found = ok(await check(new_map_db, out.getvalue(), "mau.xlsx"))
    assert found.examples == 1 and [p.row for p in found.people] == [3]
    assert found.people[0].role is Role.BRANCH_HEAD
    for role in rollout_files.role_names(t):
        assert rollout.parse_role(role) in (*rollout.SHEET_ROLES, rollout.CHAIR), role
    for kind in rollout_files.kind_names(t):
        assert rollout.parse_kind(kind) is not None, kind


async def test_a_template_on_a_map_with_districts(db: Database) -> None:
    """Thái Bình's 2024 map: the template has the district's column and its chair."""
    t = translator("vi")
    data = rollout_files.template_bytes(
        t, example_commune=None, middle_kinds=[UnitKind.RURAL_DISTRICT, UnitKind.CITY]
    )
    book = load_workbook(io.BytesIO(data))
    ws = book.worksheets[0]
    headers = [cell.value for cell in ws[1]]
    assert headers[:3] == ["STT", "Xã/phường (mã hoặc tên)", "Huyện (mã hoặc tên)"]
    ws.append([1, "", "Vũ Thư", "", "", "Chủ tịch Hội Khuyến học cấp huyện", "Trần Văn Hai"])
    ws.append([2, "Minh Khai", "344", "Thôn 1", "Thôn", "", "Trần Thị Hoa", "0912345678"])
    out = io.BytesIO()
    book.save(out)
    found = ok(await check(db, out.getvalue(), "mau.xlsx"))
    assert [(p.role, p.unit.code if p.unit else None) for p in found.people] == [
        (Role.DISTRICT_CHAIR, "344"),
        (Role.BRANCH_HEAD, None),  # a new branch of xã Minh Khai (13228)
    ]
    assert found.people[1].commune is not None and found.people[1].commune.code == "13228"


async def test_the_workbook_and_the_cards(new_map_db: Database) -> None:
    root = await unit_store.root(new_map_db)
    dong_hung = await unit_store.by_code(new_map_db, DONG_HUNG)
    assert root is not None and dong_hung is not None
    thon = await branch(new_map_db, dong_hung, "Thôn Đông La")
    await person(new_map_db, 9, Role.BRANCH_HEAD, thon, "Đỗ Văn Chín")
    rows = [f"{n},12688,Thôn {n},Thôn,,Người Thứ {chr(64 + n)},09120000{n:02d}" for n in (1, 2)]
    rows.append("3,12688,Thôn Đông La,,,Đỗ Văn Chín,")  # registered: no link
    done = ok(await rollout.roll_out(new_map_db, sheet(*rows), "s.csv", actor_id=None, now=NOW))
    t = translator("vi")
    book = load_workbook(io.BytesIO(rollout_files.links_workbook(t, done, "khuyenhoc_bot")))
    ws = book.worksheets[0]
    links = [str(ws.cell(row=r, column=7).value or "") for r in range(2, 5)]
    assert [link.startswith("https://t.me/khuyenhoc_bot?start=") for link in links] == [
        True, True, False
    ]  # fmt: skip
    assert ws.cell(row=2, column=3).value == "0912 000 001"
    assert ws.cell(row=4, column=6).value == "đã đăng ký"
    assert ws.cell(row=2, column=5).value == "Chi hội Thôn 1, xã Đông Hưng"
    images = ws._images  # type: ignore[attr-defined]
    anchors = sorted(image.anchor._from.row + 1 for image in images)
    assert anchors == [2, 3]  # one QR code per link, on its row
    # Each code scans to the link written beside it.
    for image in images:
        row = image.anchor._from.row + 1
        assert scanned(Image.open(io.BytesIO(image._data()))) == [links[row - 2]]
    pdf = rollout_files.cards_pdf(t, done, "khuyenhoc_bot", association="Hội Khuyến học")
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type /Page\b", pdf)) == 2  # one card per link
    # A printed card, as a phone's camera sees it (rendered at 150 dpi): its link, once.
    document = pdfium.PdfDocument(pdf)
    cards = [scanned(document[page].render(scale=150 / 72).to_pil()) for page in range(2)]
    assert cards == [[links[0]], [links[1]]]


def scanned(image: Image.Image) -> list[str]:
    """What a QR code reader finds in the picture."""
    return [found.text for found in zxingcpp.read_barcodes(image)]


def test_a_qr_code_is_a_png_that_scans() -> None:
    link = "https://t.me/khuyenhoc_bot?start=abcdefgh12345678"
    assert rollout_files.qr_png(link).startswith(b"\x89PNG")
    assert scanned(Image.open(io.BytesIO(rollout_files.qr_png(link)))) == [link]
    # A bot's name too long for the fixed size: a larger code, still one that scans.
    long_link = f"https://t.me/{'a' * 32}_bot?start=abcdefgh12345678"
    assert scanned(Image.open(io.BytesIO(rollout_files.qr_png(long_link)))) == [long_link]


def test_cards_use_a_font_with_vietnamese_letters() -> None:
    assert (rollout_files.FONT_DIR / "DejaVuSans.ttf").is_file()
    assert isinstance(rollout_files.FONT_DIR, Path)
