"""/rollout (/trienkhai): the province administrator downloads the template, sends a whole
commune's sheet, reads the problems by row (nothing created), sends it corrected, confirms, and
gets the workbook of links and the cards; the same sheet again adds nothing; a branch head
opens their link and has their role. And the dialog keeps the rules every dialog keeps."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.models import Role, UnitKind
from tests.conftest import person
from tests.e2e.conftest import BotUnderTest, step_prefix

ADMIN, CHAIR = 10, 30
DONG_HUNG = "12688"

WHOLE_COMMUNE = [
    # STT, commune, branch, kind, role, full name, phone
    [1, "Đông Hưng", "", "", "Chủ tịch xã", "Nguyễn Văn Chủ", "0912 000 001"],
    [2, "dong hung", "Thôn Đông La", "Thôn", "Chi hội trưởng", "trần thị hoa", "0912000002"],
    [3, "12688", "Thôn Đông La", "", "Cộng tác viên", "Lê Văn Ba", ""],
    [4, "12688", "Thôn Đông La", "", "Cộng tác viên", "Phạm Thị Tư", "+84 912 000 004"],
    [5, "xã Đông Hưng", "Thôn Đông Sơn", "thon", "", "Hoàng Văn Năm", ""],
    [6, "12688", "Thôn Nguyên Xá", "Thôn", "Chi hội trưởng", "Vũ Thị Sáu", "0912000006"],
    [7, "12688", "Tổ dân phố 1", "TDP", "Chi hội trưởng", "Đỗ Văn Bảy", ""],
    [8, "12688", "Trường THCS Đông Hưng", "", "Chi hội trưởng", "Bùi Thị Tám", ""],
    [9, "12688", "Dòng họ Phạm", "Dòng họ", "Chi hội trưởng", "Phạm Văn Chín", "0912000009"],
]
"""Rows 3 to 11 of the sheet (row 1: headers, row 2: the template's example)."""

BAD_ROWS = [
    [10, "Đông Hưngg", "Thôn Mới", "Thôn", "Chi hội trưởng", "Ngô Văn Mười", ""],  # row 12
    [11, "12688", "Thôn Đông Sơn", "Hợp tác xã", "Cộng tác viên", "Mai Thị Một", ""],  # 13
    [12, "12688", "Thôn Nguyên Xá", "", "Cộng tác viên", "Lý Văn Hai", "12345"],  # row 14
    [13, "dong hung", "thôn đông la", "", "Chi hội trưởng", "Tran Thi Hoa", ""],  # row 4 again
]


@pytest.fixture
async def office(
    fake: FakeBotApi, tmp_path: Path, new_map_template: Path
) -> AsyncIterator[BotUnderTest]:
    """Today's map (Hưng Yên), no branches yet; a province administrator, a commune chair."""
    shutil.copyfile(new_map_template, tmp_path / "bot.sqlite3")
    under_test = BotUnderTest(fake, tmp_path / "bot.sqlite3")
    await under_test.start()
    root = await unit_store.root(under_test.db)
    commune = await unit_store.by_code(under_test.db, "11953")
    assert root is not None and commune is not None
    await person(under_test.db, ADMIN, Role.PROVINCE_ADMIN, root, "Quản Trị")
    await person(under_test.db, CHAIR, Role.COMMUNE_CHAIR, commune, "Chủ Tịch Xã")
    yield under_test
    await under_test.stop()


def filled(template: bytes, rows: list[list[Any]]) -> bytes:
    """The template with rows typed in under its example, as the office fills it."""
    book = load_workbook(io.BytesIO(template))
    ws = book.worksheets[0]
    for offset, values in enumerate(rows, start=3):
        for column, value in enumerate(values, start=1):
            ws.cell(row=offset, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def counts(bot: BotUnderTest) -> tuple[int, int]:
    branches = await bot.db.fetchone("SELECT count(*) FROM unit WHERE level = 'branch'")
    invites = await bot.db.fetchone("SELECT count(*) FROM invite")
    assert branches is not None and invites is not None
    return int(branches[0]), int(invites[0])


async def template_of(admin: FakeUser) -> bytes:
    await admin.send("/trienkhai")
    document = admin.documents[-1]
    assert document.file_name == "mau-trien-khai.xlsx" and document.file_bytes
    return document.file_bytes


async def test_a_whole_commune_rolled_out_then_again(
    fake: FakeBotApi, office: BotUnderTest
) -> None:
    admin = fake.user(ADMIN)
    template = await template_of(admin)
    assert "gửi lại tệp ở đây" in admin.last_text and admin.buttons[-1] == "✖ Hủy"
    book = load_workbook(io.BytesIO(template))
    assert book.sheetnames == ["Danh sách", "Hướng dẫn"]
    assert [c.value for c in book.worksheets[0][1]][:3] == [
        "STT",
        "Xã/phường (mã hoặc tên)",
        "Chi hội",
    ]

    # Good rows and bad rows: nothing is created, every problem named by its row.
    await admin.send_document("dong-hung.xlsx", filled(template, WHOLE_COMMUNE + BAD_ROWS))
    text = admin.last_text
    assert "Không có gì được tạo từ dong-hung.xlsx: 4 lỗi." in text
    assert re.findall(r"^Dòng (\d+):", text, re.M) == ["12", "13", "14", "15"]
    assert "Đông Hưngg" in text and "Hợp tác xã" in text and "12345" in text
    assert "Dòng 12: không có xã, phường nào có mã hoặc tên này (Xã/phường: Đông Hưngg; có " in text
    assert "phải: Đông Hưng (12688)" in text  # the typo's nearest name, with its code
    assert "giống dòng 4" in text
    assert await counts(office) == (0, 0)
    assert "✖ Hủy" in admin.buttons

    # The sheet corrected: what it will do, then ✅.
    sheet = filled(template, WHOLE_COMMUNE)
    await admin.send_document("dong-hung.xlsx", sheet)
    assert "9 người ở 1 xã" in admin.last_text
    assert "Chi hội sẽ tạo: 6 (đã có: 0)" in admin.last_text
    assert "Liên kết mới: 9" in admin.last_text
    assert "bỏ qua dòng ví dụ" in admin.last_text
    assert await counts(office) == (0, 0)
    await admin.press("✅ Tạo và gửi liên kết")
    assert await counts(office) == (6, 9)
    workbook, cards = admin.documents[-2:]
    assert workbook.file_name == "dong-hung-lien-ket.xlsx"
    assert cards.file_name == "dong-hung-the-moi.pdf"
    assert cards.file_bytes is not None and cards.file_bytes.startswith(b"%PDF")
    assert len(re.findall(rb"/Type /Page\b", cards.file_bytes)) == 9
    assert workbook.file_bytes is not None
    ws = load_workbook(io.BytesIO(workbook.file_bytes)).worksheets[0]
    links = [str(ws.cell(row=r, column=7).value) for r in range(2, 11)]
    assert all(link.startswith("https://t.me/khuyenhoc_bot?start=") for link in links)
    assert len(ws._images) == 9  # type: ignore[attr-defined]
    assert ws.cell(row=3, column=2).value == "Trần Thị Hoa"
    assert "Hãy trao thẻ" in admin.last_text  # and the menu is back

    commune = await unit_store.by_code(office.db, DONG_HUNG)
    assert commune is not None
    branches = await unit_store.children(office.db, commune.id)
    kinds = {b.name: b.kind for b in branches}
    assert kinds == {
        "Dòng họ Phạm": UnitKind.CLAN,
        "Thôn Đông La": UnitKind.VILLAGE,
        "Thôn Đông Sơn": UnitKind.VILLAGE,
        "Thôn Nguyên Xá": UnitKind.VILLAGE,
        "Trường THCS Đông Hưng": UnitKind.SCHOOL,
        "Tổ dân phố 1": UnitKind.RESIDENTIAL_GROUP,
    }
    exports = await office.db.fetchall("SELECT kind, personal FROM data_export")
    assert [tuple(row) for row in exports] == [("rollout", 1), ("rollout", 1)]

    # The same sheet again: nothing new; the links are listed again.
    await admin.send("/rollout")
    await admin.send_document("dong-hung.xlsx", sheet)
    assert "Chi hội sẽ tạo: 0 (đã có: 6)" in admin.last_text
    assert "Liên kết mới: 0" in admin.last_text
    assert "Không có gì mới để tạo" in admin.last_text
    await admin.press("✅ Tạo và gửi liên kết")
    assert await counts(office) == (6, 9)
    again = admin.documents[-2].file_bytes
    assert again is not None
    again_ws = load_workbook(io.BytesIO(again)).worksheets[0]
    assert [str(again_ws.cell(row=r, column=7).value) for r in range(2, 11)] == links

    # Trần Thị Hoa opens her link: the notice, her name offered, and she is the branch head.
    code = links[1].rsplit("=", 1)[1]
    hoa = fake.user(5002)
    await hoa.send(f"/start {code}")
    assert "Chi hội trưởng" in hoa.last_text
    await hoa.press("✅ Tôi đồng ý")
    assert "Bạn có phải là Trần Thị Hoa" in hoa.last_text
    assert hoa.buttons == ["✅ Trần Thị Hoa", "✖ Hủy"]
    await hoa.press("✅ Trần Thị Hoa")
    [grant] = await people.grants_of(office.db, hoa.id)
    assert (grant.role, grant.unit.name) == (Role.BRANCH_HEAD, "Thôn Đông La")
    user = await people.get_user(office.db, hoa.id)
    assert user is not None and user.full_name == "Trần Thị Hoa"
    assert "Trần Thị Hoa" in hoa.last_text

    # A third run: she is registered; nothing new, and her row says so.
    await admin.send("/rollout")
    await admin.send_document("dong-hung.xlsx", sheet)
    assert "Đã đăng ký: 1" in admin.last_text
    assert await counts(office) == (6, 9)


async def test_typing_another_name_under_a_named_invite(
    fake: FakeBotApi, office: BotUnderTest
) -> None:
    admin = fake.user(ADMIN)
    template = await template_of(admin)
    await admin.send_document("s.xlsx", filled(template, WHOLE_COMMUNE[:1]))
    await admin.press("✅ Tạo và gửi liên kết")
    row = await office.db.fetchone("SELECT code FROM invite")
    assert row is not None
    chair = fake.user(5001)
    await chair.send(f"/start {row[0]}")
    await chair.press("✅ Tôi đồng ý")
    await chair.send("nguyễn văn chủ bút")
    [grant] = await people.grants_of(office.db, chair.id)
    assert grant.role is Role.COMMUNE_CHAIR
    user = await people.get_user(office.db, chair.id)
    assert user is not None and user.full_name == "Nguyễn Văn Chủ Bút"


async def test_only_the_province_admin_and_every_question_has_a_way_out(
    fake: FakeBotApi, office: BotUnderTest
) -> None:
    chair = fake.user(CHAIR)
    await chair.send("/rollout")
    assert "Chỉ quản trị cấp tỉnh" in chair.last_text
    assert chair.documents == []

    admin = fake.user(ADMIN)
    template = await template_of(admin)
    assert admin.buttons == ["📄 Gửi lại mẫu", "✖ Hủy"]
    await admin.send("xin chào")  # typed instead of a file: the question again
    assert "Vui lòng gửi bảng đã điền dưới dạng tệp" in admin.last_text
    assert "✖ Hủy" in admin.buttons
    await admin.press("📄 Gửi lại mẫu")
    assert len(admin.documents) == 2 and "✖ Hủy" in admin.buttons
    await admin.send_document("s.xlsx", filled(template, WHOLE_COMMUNE[:2]))
    assert admin.buttons == ["✅ Tạo và gửi liên kết", "📄 Gửi lại mẫu", "✖ Hủy"]
    await admin.send("có")  # typed at the confirmation: asked again, nothing made
    assert "Vui lòng bấm chọn một trong các nút" in admin.last_text
    assert "✅ Tạo và gửi liên kết" in admin.buttons
    await admin.press("✖ Hủy")
    assert "Đã hủy. Không có gì được tạo." in admin.last_text
    assert await counts(office) == (0, 0)


async def test_an_old_rollout_button_changes_nothing(
    fake: FakeBotApi, office: BotUnderTest
) -> None:
    admin = fake.user(ADMIN)
    template = await template_of(admin)
    await admin.send_document("s.xlsx", filled(template, WHOLE_COMMUNE[:2]))
    first = step_prefix(admin)
    await admin.send_document("s.xlsx", filled(template, WHOLE_COMMUNE[:1]))  # sent again
    await admin.press_data(f"{first}:ok")
    assert "chưa có gì thay đổi" in admin.callback_answers[-1]
    assert await counts(office) == (0, 0)
    await admin.press("✅ Tạo và gửi liên kết")
    assert await counts(office) == (0, 1)  # the newer sheet: one chair, no branch
    await admin.press_data(f"{step_prefix(admin)}:ok")  # the dialog is over
    assert await counts(office) == (0, 1)


async def test_cancel_inside_and_a_form_waiting_asks_first(
    fake: FakeBotApi, office: BotUnderTest
) -> None:
    admin = fake.user(ADMIN)
    template = await template_of(admin)
    await admin.send_document("s.xlsx", filled(template, WHOLE_COMMUNE[:2]))
    await admin.send("/cancel")
    assert "Đã hủy. Không có gì được tạo." in admin.last_text
    assert await counts(office) == (0, 0)

    await admin.send("/member")
    await admin.send("Nguyễn Thị Hoa")
    await admin.send("/trienkhai")
    assert "Bạn chưa làm xong: Hội viên mới" in admin.last_text
    await admin.press("⏸ Tạm gác")
    assert admin.documents[-1].file_name == "mau-trien-khai.xlsx"
    await admin.send("Nguyễn Thị Lan")  # to the rollout, not the form put aside
    assert "Vui lòng gửi bảng đã điền dưới dạng tệp" in admin.last_text
    await admin.send_document("s.xlsx", filled(template, WHOLE_COMMUNE[:2]))
    await admin.press("✅ Tạo và gửi liên kết")
    assert await counts(office) == (1, 2)
    assert office.application is not None
    aside = office.application.user_data[admin.id]["screen"]["aside"]
    assert [draft["data"]["values"] for draft in aside] == [{"full_name": "Nguyễn Thị Hoa"}]
