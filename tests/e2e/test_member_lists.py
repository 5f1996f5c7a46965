"""Lists of new members: pasted lines or a workbook, checked like the single form, stored in one
transaction after the person has seen the check."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from openpyxl import load_workbook

from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.services import counters, members
from bot.storage.db import Database
from bot.storage.models import Role
from tests.conftest import person
from tests.e2e.conftest import BotUnderTest, World, step_prefix

HEAD = 50


async def head_of_branch(bot: BotUnderTest, world: World, fake: FakeBotApi) -> FakeUser:
    await person(bot.db, HEAD, Role.BRANCH_HEAD, world.branch, "Trưởng Chi Hội")
    return fake.user(HEAD)


async def stored(db: Database) -> list[tuple[Any, ...]]:
    rows = await db.fetchall(
        "SELECT full_name, gender, birth_year, joined_on, phone, unit_id FROM member ORDER BY id"
    )
    return [tuple(row) for row in rows]


async def hoa_in_the_other_village(bot: BotUnderTest, world: World) -> int:
    """Trần Thị Hoa, born 1965, already a member in Thôn Tây of the same commune."""
    west = await bot.db.fetchone("SELECT id FROM unit WHERE name = 'Thôn Tây'")
    assert west is not None
    made = await members.create_member(
        bot.db,
        World.CHAIR,
        {
            "full_name": "Trần Thị Hoa",
            "gender": "female",
            "birth_year": 1965,
            "joined_on": "2020-01-05",
            "unit_id": int(west["id"]),
        },
        idempotency_key="hoa",
        now=bot.now,
    )
    assert isinstance(made, tuple)
    return int(west["id"])


def filled(content: bytes, rows: list[list[Any]]) -> bytes:
    book = load_workbook(io.BytesIO(content))
    sheet = book.active
    assert sheet is not None
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=1):
            sheet.cell(5 + offset, column, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def test_a_workbook_with_a_duplicate_is_shown_then_stored(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    west = await hoa_in_the_other_village(bot, world)
    head = await head_of_branch(bot, world, fake)
    await head.send("/dshoivien")
    prompt = head.last_text
    assert "👥 Hội viên mới — Chi hội Thôn Đông" in prompt  # the head's own branch
    assert "Trần Thị Hoa, nữ, 1965, 15/10/2025, 0912345678" in prompt
    assert head.buttons == ["📥 Tệp Excel để điền", "✖ Hủy"]
    await head.press("📥 Tệp Excel để điền")
    (document,) = head.documents
    assert document.file_bytes is not None and document.file_name is not None
    sheet = load_workbook(io.BytesIO(document.file_bytes)).active
    assert sheet is not None
    assert [sheet.cell(4, c).value for c in range(1, 8)] == [
        "STT",
        "Họ và tên",
        "Giới tính (nam/nữ)",
        "Năm sinh",
        "Ngày vào hội (ngày/tháng/năm)",
        "Chi hội (để trống: Thôn Đông)",
        "Điện thoại",
    ]
    content = filled(
        document.file_bytes,
        [
            [1, "trần thị hoa", "nữ", 1965, "15/10/2025", None, "0912345678"],
            [2, "Nguyễn Văn An", "Nam", 1958, datetime(2025, 10, 20), None, 912345679],
            [3, "Lê Văn Cường", "nam", 1970, "hôm nay", None, "không có"],
        ],
    )
    await head.send_document(document.file_name, content)
    check = head.last_text
    assert "Đã đọc 3 dòng từ tệp" in check
    assert "✅ Sẵn sàng lưu: 2" in check
    assert "dòng 6: Nguyễn Văn An · Nam · 1958 · 20/10/2025 · +84912345679 · Thôn Đông" in check
    assert "⚠️ Có thể đã là hội viên: 1" in check
    # The other village's member: her year of birth masked, as the single form shows it.
    assert "dòng 5 Trần Thị Hoa, sinh năm 1965: giống hội viên số 1, sinh năm 19••, Thôn Tây" in (
        check
    )
    assert await stored(bot.db) == [("Trần Thị Hoa", "female", 1965, "2020-01-05", None, west)]
    assert head.buttons == [
        "💾 Lưu cả 3, kể cả 1 dòng có thể trùng",
        "💾 Lưu 2, bỏ 1 dòng có thể trùng",
        "🗑 Nhập lại từ đầu",
        "✖ Hủy",
    ]
    await head.press("💾 Lưu cả 3, kể cả 1 dòng có thể trùng")
    assert "✅ Đã lưu 3 hội viên mới, số 2–4." in head.last_text
    branch = world.branch.id
    assert (await stored(bot.db))[1:] == [
        ("Trần Thị Hoa", "female", 1965, "2025-10-15", "+84912345678", branch),
        ("Nguyễn Văn An", "male", 1958, "2025-10-20", "+84912345679", branch),
        ("Lê Văn Cường", "male", 1970, "2026-11-28", None, branch),
    ]
    assert (await counters.values(bot.db, world.commune.id, 2025))["members_new"] == 2
    assert await counters.recompute(bot.db) == []


async def test_pasted_lines_in_the_ways_people_write_them(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    head = await head_of_branch(bot, world, fake)
    await head.send("/dshoivien")
    await head.send(
        "1. Trần Thị Hoa, nữ, 1965, 15/10/2025, 0912345678\n"
        "2. Nguyễn Văn An nam 1958 hôm nay không có\n"
        "3. Phạm Thị Lan; Nữ giới; năm 1972; ngày 15 tháng 10 năm 2025\n"
        "4. Hoa, 1965\n"
        "5. Đỗ Văn Em, nam, 1990, 1/1/1985\n"
        "6. Vũ Thị Mai, nữ, 1980, 2/2/2025, Thôn Tây\n"
        "7. Ngô Văn Tám, nam, 1975, 3/3/2025, 0227 3123 456"
    )
    assert "tổng cộng: 7" in head.last_text
    await head.press("✅ Xong (7 dòng)")
    check = head.last_text
    assert "✅ Sẵn sàng lưu: 3" in check
    assert "dòng 2: Nguyễn Văn An · Nam · 1958 · 28/11/2026 · Thôn Đông" in check
    assert "dòng 3: Phạm Thị Lan · Nữ · 1972 · 15/10/2025 · Thôn Đông" in check
    assert "❌ Dòng có lỗi, không lưu: 4" in check
    assert (
        "dòng 4 “4. Hoa, 1965”: Giới tính: Câu này cần được trả lời. "
        "Ngày vào hội: Câu này cần được trả lời."
    ) in check
    assert "dòng 5 “5. Đỗ Văn Em, nam, 1990, 1/1/1985”: Ngày vào hội: Ngày vào hội sớm hơn" in (
        check
    )
    assert "“Thôn Tây” là chi hội bạn không phụ trách báo cáo." in check
    assert "Điện thoại: Đây có vẻ là số máy bàn; vui lòng cho số di động." in check
    assert await stored(bot.db) == []
    # A corrected line sent at the check is added and checked with the rest.
    await head.send("Hoàng Văn Hải, nam, 1966, 1/9/2025")
    assert "✅ Sẵn sàng lưu: 4" in head.last_text
    await head.press("💾 Lưu 4 hội viên")
    assert [row[0] for row in await stored(bot.db)] == [
        "Trần Thị Hoa",
        "Nguyễn Văn An",
        "Phạm Thị Lan",
        "Hoàng Văn Hải",
    ]


async def test_a_chair_chooses_the_branch_and_may_name_others(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.CHAIR)
    await chair.send("/dshoivien")
    assert "Hội viên vào chi hội nào?" in chair.last_text and "✖ Hủy" in chair.buttons
    await chair.press("Thôn Đông")
    assert "ví dụ Thôn Tây" in chair.last_text
    await chair.send("Vũ Thị Mai, nữ, 1980, 2/2/2025, Thôn Tây\nLê Văn Bảy, nam, 1981, 2/2/2025")
    await chair.press("✅ Xong (2 dòng)")
    assert "✅ Sẵn sàng lưu: 2" in chair.last_text
    await chair.press("💾 Lưu 2 hội viên")
    names = [(row[0], row[5]) for row in await stored(bot.db)]
    assert names[1] == ("Lê Văn Bảy", world.branch.id)
    assert names[0][1] != world.branch.id  # Thôn Tây


async def test_cancel_and_old_buttons_of_the_member_list(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    head = await head_of_branch(bot, world, fake)
    await head.send("/dshoivien")
    asked = step_prefix(head)
    await head.send("Lê Văn Bảy, nam, 1981, 2/2/2025")
    await head.press_data(f"{asked}:wb")  # the 📥 of the question before the line was sent
    assert "chưa có gì thay đổi" in head.callback_answers[-1]
    assert head.documents == []
    await head.press("✅ Xong (1 dòng)")
    save = f"{step_prefix(head)}:s:sure"
    await head.send("/huy")
    assert "Đã hủy. Chưa có gì được lưu." in head.last_text
    await head.press_data(save)
    assert "chưa có gì thay đổi" in head.callback_answers[-1]
    assert await stored(bot.db) == []
    # Saved once however often the button is pressed.
    await head.send("/dshoivien")
    await head.send("Lê Văn Bảy, nam, 1981, 2/2/2025")
    await head.press("✅ Xong (1 dòng)")
    save = f"{step_prefix(head)}:s:sure"
    await head.press("💾 Lưu 1 hội viên")
    await head.press_data(save)
    assert len(await stored(bot.db)) == 1


async def test_a_file_that_is_not_a_workbook(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    head = await head_of_branch(bot, world, fake)
    await head.send("/dshoivien")
    await head.send_document("danh-sach.xlsx", b"not a workbook")
    assert "Tôi không đọc được tệp này." in head.last_text
    assert "📥 Tệp Excel để điền" in head.buttons  # asked again, with a way on
    await head.send_document("danh-sach.csv", "Lê Văn Bảy;nam;1981;2/2/2025\n".encode())
    assert "✅ Sẵn sàng lưu: 1" in head.last_text
