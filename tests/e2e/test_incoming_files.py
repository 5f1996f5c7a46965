"""Files sent when no dialog waits for one: a filled workbook sent back days later goes to its
flow with the file (the list's check, the rollout's check, the import's question); an unknown
file or a photo gets what the bot takes and a button per flow the person may start, the file
kept; a file too large or damaged gets one line. A dialog on screen still takes its own."""

from __future__ import annotations

import io
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.storage import units as unit_store
from bot.storage.models import Role
from tests.conftest import person
from tests.e2e.conftest import BotUnderTest, World, step_prefix

HEAD = 50
STALE = "chưa có gì thay đổi"
MEMBER_ROWS = [
    [1, "Trần Thị Hoa", "nữ", 1965, "15/10/2025", None, "0912345678"],
    [2, "Nguyễn Văn An", "nam", 1958, "20/10/2025", None, None],
]
UNKNOWN_CSV = "Lê Văn Bảy;nam;1981;2/2/2025\n".encode()
"""Lines of members without a header row: nothing tells what they are."""


def typed_into(content: bytes, rows: list[list[Any]], first: int) -> bytes:
    """A template with `rows` typed in from row `first`, as a person fills it."""
    book = load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=1):
            sheet.cell(first + offset, column, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def template(
    user: FakeUser, command: str, *presses: str, workbook: str = "📥 Tệp Excel để điền"
) -> tuple[str, bytes]:
    """The workbook a list dialog hands out, then the dialog left (/huy): it comes back later."""
    await user.send(command)
    for label in presses:
        await user.press(label)
    await user.press(workbook)
    document = user.documents[-1]
    assert document.file_name is not None and document.file_bytes is not None
    await user.send("/huy")
    return document.file_name, document.file_bytes


async def members(bot: BotUnderTest) -> list[tuple[Any, ...]]:
    rows = await bot.db.fetchall("SELECT full_name, unit_id FROM member ORDER BY id")
    return [tuple(row) for row in rows]


async def head_of_branch(bot: BotUnderTest, world: World, fake: FakeBotApi) -> FakeUser:
    await person(bot.db, HEAD, Role.BRANCH_HEAD, world.branch, "Trưởng Chi Hội")
    return fake.user(HEAD)


async def test_a_member_list_sent_later_lands_in_its_check_and_is_stored(
    fake: FakeBotApi, bot: BotUnderTest, volunteer: FakeUser, world: World
) -> None:
    name, content = await template(volunteer, "/dshoivien")
    await volunteer.send_document(name, typed_into(content, MEMBER_ROWS, first=5))
    check = volunteer.last_text
    assert f"Đã đọc 2 dòng từ tệp {name}" in check
    assert "👥 Hội viên mới — Chi hội Thôn Đông" in check and "✅ Sẵn sàng lưu: 2" in check
    assert "Chỉ quản trị" not in "\n".join(volunteer.new_texts)
    await volunteer.press("💾 Lưu 2 hội viên")
    assert "✅ Đã lưu 2 hội viên mới" in volunteer.last_text
    assert await members(bot) == [
        ("Trần Thị Hoa", world.branch.id),
        ("Nguyễn Văn An", world.branch.id),
    ]


async def test_a_chair_chooses_the_branch_first_and_an_english_template_is_read(
    fake: FakeBotApi, bot: BotUnderTest, volunteer: FakeUser, world: World
) -> None:
    await volunteer.send("/language")
    await volunteer.press("English")
    name, content = await template(volunteer, "/memberlist", workbook="📥 Workbook to fill in")
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert sheet.title == "New members" and sheet.cell(4, 3).value == "Gender (nam/nữ)"
    chair = fake.user(World.CHAIR)
    await chair.send_document(name, typed_into(content, MEMBER_ROWS, first=5))
    asked = chair.last_text
    assert f"📎 Đã nhận tệp {name}: tệp sẽ được đọc ngay khi bạn trả lời xong." in asked
    assert "Hội viên vào chi hội nào?" in asked and "✖ Hủy" in chair.buttons
    await chair.press("Thôn Đông")
    check = chair.last_text
    assert f"Đã đọc 2 dòng từ tệp {name}" in check and "✅ Sẵn sàng lưu: 2" in check
    await chair.press("💾 Lưu 2 hội viên")
    assert [row[1] for row in await members(bot)] == [world.branch.id, world.branch.id]


async def test_a_title_list_sent_later_says_its_title_and_year(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    head = await head_of_branch(bot, world, fake)
    name, content = await template(head, "/danhsach", "Gia đình học tập", "2026")
    await head.send_document(name, typed_into(content, [[1, "Mai Văn Khoa"]], first=5))
    check = head.last_text
    assert "📋 Gia đình học tập, năm 2026 — Chi hội Thôn Đông" in check
    assert "✅ Sẽ gửi: 1" in check and "Danh sách đề cử danh hiệu nào?" not in check
    await head.press("📤 Gửi danh sách (1)")
    found = await bot.db.fetchall("SELECT kind, subject, year FROM nomination")
    assert [tuple(row) for row in found] == [("family", "Mai Văn Khoa", 2026)]
    # Without its title line the workbook does not say the year: only that is asked.
    book = load_workbook(io.BytesIO(typed_into(content, [[1, "Đỗ Văn Hải"]], first=5)))
    book.worksheets[0]["A1"] = None
    buffer = io.BytesIO()
    book.save(buffer)
    await head.send_document("gia-dinh.xlsx", buffer.getvalue())
    assert "Năm nào?" in head.last_text and "Đã nhận tệp gia-dinh.xlsx" in head.last_text
    await head.press("2026")
    assert "Đã đọc 1 dòng từ tệp gia-dinh.xlsx" in head.last_text
    assert "✅ Sẽ gửi: 1" in head.last_text


async def test_who_may_not_is_told_who_may(
    fake: FakeBotApi, bot: BotUnderTest, volunteer: FakeUser, world: World
) -> None:
    head = await head_of_branch(bot, world, fake)
    name, content = await template(head, "/danhsach", "Gia đình học tập", "2026")
    await volunteer.send_document(name, typed_into(content, [[1, "Mai Văn Khoa"]], first=5))
    assert f"Tệp {name} là danh sách đề cử." in volunteer.last_text
    assert "Danh sách đề cử do chi hội trưởng và chủ tịch hội gửi" in volunteer.last_text
    chair = fake.user(World.CHAIR)
    sheet = "STT,Xã/phường,Chi hội,Vai trò,Họ và tên\n1,Đông Hưng,Thôn Đông,,Lê Văn Ba\n"
    await chair.send_document("trien-khai.csv", sheet.encode())
    assert "Tệp trien-khai.csv là bảng triển khai." in chair.last_text
    assert "Chỉ quản trị cấp tỉnh mới triển khai được từ bảng." in chair.last_text
    assert await bot.db.fetchall("SELECT id FROM nomination") == []


async def test_an_unknown_file_offers_the_volunteers_flows_and_keeps_the_file(
    fake: FakeBotApi, bot: BotUnderTest, volunteer: FakeUser, world: World
) -> None:
    await volunteer.send_document("ds.csv", UNKNOWN_CSV)
    asked = volunteer.last_text
    assert "📎 ds.csv: tôi chưa nhận ra đây là danh sách nào." in asked
    assert "• danh sách hội viên mới (tệp Excel của /dshoivien)" in asked
    assert "danh sách đề cử" not in asked and "triển khai" not in asked
    assert volunteer.buttons == ["👥 Danh sách hội viên mới", "✖ Hủy"]
    question = volunteer.last
    assert question is not None
    old = str(question.inline_buttons[0]["callback_data"])
    answered = len(volunteer.callback_answers)
    await volunteer.press("👥 Danh sách hội viên mới")
    assert volunteer.callback_answers[answered:] == [""]  # the press answered, once
    assert "📎 ds.csv → 👥 Danh sách hội viên mới" in volunteer.texts
    assert "Đã đọc 1 dòng từ tệp ds.csv" in volunteer.last_text
    assert "✅ Sẵn sàng lưu: 1" in volunteer.last_text
    # The question's button, pressed again once the list has moved on: nothing changes.
    await volunteer.press_data(old, question.message_id)
    assert STALE in volunteer.callback_answers[-1]
    await volunteer.press("💾 Lưu 1 hội viên")
    assert await members(bot) == [("Lê Văn Bảy", world.branch.id)]
    # ✖ Cancel leaves the question; the file is forgotten.
    await volunteer.send_document("ds.csv", UNKNOWN_CSV)
    await volunteer.press("✖ Hủy")
    assert "Đã hủy. Chưa có gì được lưu." in volunteer.texts[-2]
    assert len(await members(bot)) == 1


async def test_an_unknown_file_offers_the_admin_every_flow(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    admin = fake.user(World.ADMIN)
    await admin.send_document("ds.csv", UNKNOWN_CSV)
    assert admin.buttons == [
        "👥 Danh sách hội viên mới",
        "📋 Danh sách đề cử",
        "🚀 Bảng triển khai",
        "📐 Số liệu và chỉ tiêu",
        "📚 Số liệu đã có (số liệu nền)",
        "✖ Hủy",
    ]
    assert "• bảng triển khai (/trienkhai)" in admin.last_text
    # A press uses the file kept: the import reads it (and refuses its columns).
    await admin.press("📐 Số liệu và chỉ tiêu")
    assert "Chưa nhập gì cả" in admin.last_text
    # Another flow's question, with the file waiting in it.
    await admin.send_document("ds.csv", UNKNOWN_CSV)
    await admin.press("📋 Danh sách đề cử")
    assert "Đã nhận tệp ds.csv" in admin.last_text
    assert "Danh sách đề cử danh hiệu nào?" in admin.last_text
    # A file sent while that question waits is the list's, as a list's always was.
    figures = f"mã đơn vị,năm,dân số\n{world.commune.code},2026,1100\n".encode()
    await admin.send_document("so-lieu.csv", figures)
    assert "Vui lòng trả lời bằng tin nhắn chữ hoặc bấm nút." in admin.last_text
    assert "Danh sách đề cử danh hiệu nào?" in admin.last_text
    # Outside it, a figures file is known by its header: the import's own question.
    await admin.send("/huy")
    await admin.send_document("so-lieu.csv", figures)
    assert admin.buttons == ["📐 Số liệu và chỉ tiêu", "📚 Số liệu đã có (số liệu nền)"]
    await admin.press("📐 Số liệu và chỉ tiêu")
    assert "Đã nhập 1 dòng cho 1 đơn vị" in admin.last_text


async def test_a_photo_says_how_to_send_a_list(
    fake: FakeBotApi, bot: BotUnderTest, volunteer: FakeUser, world: World
) -> None:
    await volunteer.send_photo()
    assert "Tôi không đọc được ảnh chụp danh sách." in volunteer.last_text
    assert volunteer.buttons == ["👥 Danh sách hội viên mới", "✖ Hủy"]
    question = volunteer.last
    assert question is not None
    old = str(question.inline_buttons[0]["callback_data"])
    await volunteer.press("👥 Danh sách hội viên mới")
    assert "👥 Hội viên mới — Chi hội Thôn Đông" in volunteer.last_text
    await volunteer.send("Lê Văn Bảy, nam, 1981, 2/2/2025")
    assert "tổng cộng: 1" in volunteer.last_text
    await volunteer.press_data(old, question.message_id)  # the photo's question is over
    assert STALE in volunteer.callback_answers[-1]
    assert "✅ Xong (1 dòng)" in volunteer.buttons  # the list as it was
    head = await head_of_branch(bot, world, fake)
    await head.send_document("anh.jpg", b"\xff\xd8\xff\xe0")  # a picture sent as a file
    assert "Tôi không đọc được ảnh chụp danh sách." in head.last_text
    assert head.buttons == ["👥 Danh sách hội viên mới", "📋 Danh sách đề cử", "✖ Hủy"]
    admin = fake.user(World.ADMIN)
    await admin.send_photo()
    assert admin.buttons == [
        "👥 Danh sách hội viên mới",
        "📋 Danh sách đề cử",
        "🚀 Bảng triển khai",
        "✖ Hủy",
    ]
    await admin.send("/huy")  # /cancel leaves the question, as it leaves any
    assert "Đã hủy. Chưa có gì được lưu." in admin.last_text
    await admin.send("Trần Thị Hoa")
    assert "Xin lỗi, tôi chưa hiểu ý bạn." in admin.last_text


async def test_the_list_typed_under_a_photo_s_question_is_kept(
    fake: FakeBotApi, bot: BotUnderTest, volunteer: FakeUser, world: World
) -> None:
    """The photo of a paper list, then the list typed instead (no button pressed yet), then
    another photo: nothing typed is lost, and the list chosen starts with those lines."""
    await volunteer.send_photo()
    await volunteer.send("Lê Văn Bảy, nam, 1981, 2/2/2025\nTrần Thị Tám, nữ, 1990, 3/3/2025")
    assert "Đã giữ 2 dòng bạn gõ." in volunteer.last_text
    assert volunteer.buttons == ["👥 Danh sách hội viên mới", "✖ Hủy"]
    await volunteer.send_photo()  # a second photo replaces the question, not the lines
    await volunteer.send("Phạm Văn Chín, nam, 1975, 4/4/2025")
    assert "Đã giữ 3 dòng bạn gõ." in volunteer.last_text
    await volunteer.press("👥 Danh sách hội viên mới")
    assert "tổng cộng: 3" in volunteer.last_text
    await volunteer.press("✅ Xong (3 dòng)")
    await volunteer.press("💾 Lưu 3 hội viên")
    assert [name for name, _ in await members(bot)] == [
        "Lê Văn Bảy",
        "Trần Thị Tám",
        "Phạm Văn Chín",
    ]


async def test_a_file_too_large_or_damaged_gets_one_line(
    fake: FakeBotApi, bot: BotUnderTest, volunteer: FakeUser
) -> None:
    await volunteer.send_document("hong.xlsx", b"PK\x03\x04 not really a workbook")
    (line,) = volunteer.new_texts
    assert "Tôi không đọc được tệp hong.xlsx" in line and "Traceback" not in line
    await volunteer.send_document("cu.xls", b"\xd0\xcf\x11\xe0 old excel")
    assert "lưu lại thành .xlsx" in volunteer.last_text
    await volunteer.send_document("lon.xlsx", b"x" * (5 * 1024 * 1024 + 1))
    (line,) = volunteer.new_texts
    assert "Tệp lon.xlsx quá lớn (tối đa 5 MB)." in line
    assert "Vui lòng chọn" not in line and volunteer.reply_keyboard  # the menu, no dead end


async def test_a_file_while_a_form_with_answers_waits_is_the_forms(
    fake: FakeBotApi, bot: BotUnderTest, volunteer: FakeUser, world: World
) -> None:
    name, content = await template(volunteer, "/dshoivien")
    await volunteer.send("/hoivien")
    await volunteer.send("Mai Văn Khoa")
    await volunteer.send_document(name, typed_into(content, MEMBER_ROWS, first=5))
    assert volunteer.new_texts == ["Hội viên mới — Nam hay nữ?"]  # the form asks again
    await volunteer.press("Nữ")  # and goes on
    assert "Hội viên mới — Năm sinh?" in volunteer.last_text
    await volunteer.send("/huy")
    assert await members(bot) == []
    # A second file while the "what is it?" question waits: the newest counts.
    await volunteer.send_document("ds.csv", UNKNOWN_CSV)
    await volunteer.send_document(name, typed_into(content, MEMBER_ROWS, first=5))
    assert "✅ Sẵn sàng lưu: 2" in volunteer.last_text


# ---------------------------------------------------------------- the rollout sheet

ADMIN = 10
DONG_HUNG_SHEET = [
    [1, "Đông Hưng", "", "", "Chủ tịch xã", "Nguyễn Văn Chủ", "0912 000 001"],
    [2, "dong hung", "Thôn Đông La", "Thôn", "Chi hội trưởng", "Trần Thị Hoa", "0912000002"],
]


@pytest.fixture
async def office(
    fake: FakeBotApi, tmp_path: Path, new_map_template: Path
) -> AsyncIterator[BotUnderTest]:
    """Today's map, no branches yet, and its province administrator (as in test_rollout)."""
    shutil.copyfile(new_map_template, tmp_path / "bot.sqlite3")
    under_test = BotUnderTest(fake, tmp_path / "bot.sqlite3")
    await under_test.start()
    root = await unit_store.root(under_test.db)
    assert root is not None
    await person(under_test.db, ADMIN, Role.PROVINCE_ADMIN, root, "Quản Trị")
    yield under_test
    await under_test.stop()


async def test_the_admin_sends_a_rollout_sheet_outside_the_dialog(
    fake: FakeBotApi, office: BotUnderTest
) -> None:
    admin = fake.user(ADMIN)
    await admin.send("/trienkhai")
    sheet = admin.documents[-1].file_bytes
    assert sheet is not None
    await admin.send("/huy")
    await admin.send_document("dong-hung.xlsx", typed_into(sheet, DONG_HUNG_SHEET, first=3))
    assert "dong-hung.xlsx: 2 người ở 1 xã, phường." in admin.last_text
    assert admin.buttons[0] == "✅ Tạo và gửi liên kết"
    assert len(admin.documents) == 1  # straight to the check: no template again
    confirm = f"{step_prefix(admin)}:ok"
    await admin.press("✅ Tạo và gửi liên kết")
    invites = await office.db.fetchall("SELECT full_name FROM invite ORDER BY full_name")
    assert [row[0] for row in invites] == ["Nguyễn Văn Chủ", "Trần Thị Hoa"]
    await admin.press_data(confirm)  # pressed again: nothing more
    assert STALE in admin.callback_answers[-1]
    assert len(await office.db.fetchall("SELECT code FROM invite")) == 2
