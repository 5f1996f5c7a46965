"""/myreports: look at, correct (48 hours) and withdraw one's reports; chairs correct any time."""

from __future__ import annotations

from datetime import timedelta

from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.storage.models import Role
from tests.conftest import person
from tests.e2e.conftest import VOLUNTEER, BotUnderTest, World
from tests.e2e.test_members import add_member, members


async def test_list_correct_and_withdraw(volunteer: FakeUser, bot: BotUnderTest) -> None:
    await add_member(volunteer, "Hoàng Văn Nam", "1960")
    await volunteer.press("🗂 Báo cáo của tôi")
    assert "👤 Hội viên mới #1: Hoàng Văn Nam" in volunteer.last_text
    await volunteer.press("👤 #1 Hoàng Văn Nam")
    assert "Chi hội Thôn Đông" in volunteer.last_text
    await volunteer.press("✏️ Sửa")
    assert "Năm sinh: 1960" in volunteer.last_text  # the form's summary, filled in
    await volunteer.press("✏️ Sửa")
    await volunteer.press("Năm sinh")
    await volunteer.send("1961")
    await volunteer.press("💾 Lưu")
    assert any("Đã sửa thông tin hội viên. Số 1" in text for text in volunteer.texts)
    assert [(r[0], r[2]) for r in await members(bot.db)] == [("Hoàng Văn Nam", 1961)]
    audit = await bot.db.fetchall("SELECT action FROM audit_log WHERE entity = 'member'")
    assert [r[0] for r in audit] == ["create", "edit"]

    await volunteer.send("/myreports")
    await volunteer.press("👤 #1 Hoàng Văn Nam")
    await volunteer.press("↩️ Rút lại")
    assert "không có gì bị xóa" in volunteer.last_text
    await volunteer.press("↩️ Đồng ý rút lại")
    assert "Đã rút lại báo cáo số 1" in volunteer.last_text
    row = await bot.db.fetchone("SELECT status FROM member WHERE id = 1")
    assert row is not None and row[0] == "withdrawn"
    await volunteer.send("/myreports")
    assert "(đã rút lại)" in volunteer.last_text


async def test_after_48_hours_only_a_chair_corrects(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest, world: World
) -> None:
    await add_member(volunteer, "Đặng Thị Oanh", "1972")
    bot.advance(timedelta(hours=49))
    await volunteer.send("/myreports")
    await volunteer.press("👤 #1 Đặng Thị Oanh")
    assert "chỉ sửa được trong 48 giờ" in volunteer.last_text
    assert "✏️ Sửa" not in volunteer.buttons
    await volunteer.press_data("member:e:1")  # forged: the window is closed
    assert "48 giờ" in volunteer.callback_answers[-1]

    chair = fake.user(World.CHAIR)
    await chair.send("/myreports")
    await chair.press("🔎 Mở báo cáo theo số")
    await chair.press("👤 Hội viên mới")
    await chair.send("#1")
    assert "Đặng Thị Oanh" in chair.last_text and "✏️ Sửa" in chair.buttons
    await chair.press("✏️ Sửa")
    await chair.press("✏️ Sửa")
    await chair.press("Họ và tên")
    await chair.send("Đặng Thị Oanh Anh")
    await chair.press("💾 Lưu")
    assert [r[0] for r in await members(bot.db)] == ["Đặng Thị Oanh Anh"]

    other = fake.user(World.OTHER_CHAIR)
    await other.send("/myreports")
    await other.press("🔎 Mở báo cáo theo số")
    await other.press("👤 Hội viên mới")
    await other.send("1")
    assert "Không tìm thấy" in other.last_text  # outside their commune


async def test_someone_elses_report_is_not_shown(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest, world: World
) -> None:
    await add_member(volunteer, "Tạ Văn Phong", "1955")
    await person(bot.db, 41, Role.VOLUNTEER, world.branch, "Cao Thị Quế")
    neighbour = fake.user(41)
    await neighbour.send("/myreports")
    assert "Bạn chưa gửi báo cáo nào" in neighbour.last_text
    await neighbour.press_data("mr:o:member:1")
    assert "Không tìm thấy" in neighbour.callback_answers[-1]
    await neighbour.press_data("mr:wy:member:1")
    assert neighbour.callback_answers[-1]
    await neighbour.press_data("member:e:1")
    assert neighbour.callback_answers[-1]
    row = await bot.db.fetchone("SELECT status, full_name FROM member WHERE id = 1")
    assert row is not None and tuple(row) == ("active", "Tạ Văn Phong")
    assert VOLUNTEER != 41
