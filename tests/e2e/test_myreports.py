"""/myreports: look at, correct (48 hours) and withdraw one's reports; chairs correct any time
and open any report by its number; drafts put aside are listed, to take up again."""

from __future__ import annotations

from datetime import timedelta

from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.storage.models import Role
from tests.conftest import person
from tests.e2e.conftest import VOLUNTEER, BotUnderTest, World
from tests.e2e.test_dialogs import draft, screen
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


# ---------------------------------------------------------------- drafts put aside


async def put_member_aside(chair: FakeUser) -> None:
    """/member up to the branch question, then /contribution and ⏸ Put aside, then /cancel:
    the member draft waits, nothing is on screen."""
    await chair.send("/member")
    await chair.send("Nguyễn Thị Hoa")
    await chair.press("Nữ")
    await chair.send("1960")
    assert "Hội viên vào chi hội nào" in chair.last_text
    await chair.send("/contribution")
    await chair.press("⏸ Tạm gác")
    await chair.send("/cancel")


async def test_a_draft_put_aside_is_listed_and_taken_up_again(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.CHAIR)
    await put_member_aside(chair)
    await chair.send("/myreports")
    assert "Đang tạm gác, chưa lưu (bấm ▶ để làm tiếp):" in chair.last_text
    assert "⏸ Hội viên mới — Nguyễn Thị Hoa" in chair.last_text
    assert chair.buttons == ["▶ Tiếp tục: Hội viên mới — Nguyễn Thị Hoa", "🔎 Mở báo cáo theo số"]
    listing = chair.last
    assert listing is not None
    assert listing.inline_buttons[0]["callback_data"] == "switch:resume:1"  # the draft's id
    await chair.press("▶ Tiếp tục")
    assert "Hội viên vào chi hội nào" in chair.last_text  # where it stood
    await chair.press("Thôn Đông")
    assert "Ngày vào hội" in chair.last_text
    assert draft(bot, chair, "member")["full_name"] == "Nguyễn Thị Hoa"
    assert screen(bot, chair)["aside"] == []
    await chair.press("📅 Hôm nay")
    await chair.press("⏭ Bỏ qua")
    await chair.press("💾 Lưu")
    assert [r[0] for r in await members(bot.db)] == ["Nguyễn Thị Hoa"]
    await chair.send("/myreports")
    assert "tạm gác" not in chair.last_text
    assert "▶ Tiếp tục" not in " ".join(chair.buttons)


async def test_a_volunteer_with_only_a_draft_gets_its_button(
    volunteer: FakeUser, bot: BotUnderTest
) -> None:
    """Nothing reported yet, but a draft waits: the listing is not just "nothing yet"."""
    await volunteer.send("/member")
    await volunteer.send("Nguyễn Văn Bình")
    await volunteer.send("/title")
    await volunteer.press("⏸ Tạm gác")
    await volunteer.send("/huy")
    await volunteer.send("/baocaocuatoi")
    assert "Bạn chưa gửi báo cáo nào" in volunteer.last_text
    assert volunteer.buttons == ["▶ Tiếp tục: Hội viên mới — Nguyễn Văn Bình"]
    await volunteer.press("▶ Tiếp tục")
    assert "Nam hay nữ" in volunteer.last_text
    await volunteer.press("Nam")
    assert draft(bot, volunteer, "member") == {"full_name": "Nguyễn Văn Bình", "gender": "male"}


async def test_taking_a_draft_up_over_another_flow_asks_first(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.CHAIR)
    await put_member_aside(chair)
    await chair.send("/contribution")
    await chair.send("Công ty TNHH Minh Phát")
    await chair.send("/myreports")
    await chair.press("▶ Tiếp tục")
    assert "Bạn chưa làm xong: Đóng góp quỹ" in chair.last_text
    await chair.press("⏸ Tạm gác")
    assert "Hội viên vào chi hội nào" in chair.last_text
    aside = screen(bot, chair)["aside"]
    assert isinstance(aside, list) and [d["dialog"] for d in aside] == ["contribution"]
    await chair.send("/myreports")
    assert "⏸ Đóng góp quỹ — Công ty TNHH Minh Phát" in chair.last_text


# ---------------------------------------------------------------- a report by its number


async def open_find(chair: FakeUser) -> None:
    await chair.send("/myreports")
    await chair.press("🔎 Mở báo cáo theo số")


async def test_opening_a_report_by_number_over_a_form(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest, world: World
) -> None:
    """The chair is in the middle of /member: opening a report by number goes on top without
    asking, the typed number reaches it, and then the form asks its question again."""
    await add_member(volunteer, "Hoàng Văn Nam", "1960")
    chair = fake.user(World.CHAIR)
    await chair.send("/member")
    await chair.send("Mai Văn Khoa")
    await open_find(chair)
    assert chair.last_text == "Loại báo cáo nào?"
    assert not any("Bạn chưa làm xong" in text for text in chair.new_texts)
    await chair.press("👤 Hội viên mới")
    await chair.send("/stats")  # only reads: the number question comes back
    assert chair.last_text.startswith("Quay lại: Mở báo cáo theo số")
    await chair.send("1")
    texts = chair.new_texts
    assert any("Hoàng Văn Nam" in text for text in texts), texts
    assert chair.last_text == "Quay lại: Hội viên mới\nHội viên mới — Nam hay nữ?"
    assert draft(bot, chair, "member") == {"full_name": "Mai Văn Khoa"}
    card = next(m for m in chair.messages if "Hoàng Văn Nam" in m.content and m.buttons)
    assert card.buttons == ["✏️ Sửa", "↩️ Rút lại", "⬅ Quay lại"]
    await chair.press("Nam")
    assert draft(bot, chair, "member") == {"full_name": "Mai Văn Khoa", "gender": "male"}


async def test_every_find_question_has_a_way_out(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.CHAIR)
    await open_find(chair)
    assert chair.buttons[-1] == "✖ Hủy"
    await chair.send("một")  # the kind is chosen with the buttons
    assert "Vui lòng bấm chọn" in chair.last_text and chair.buttons[-1] == "✖ Hủy"
    await chair.press("🏅 Đề cử danh hiệu")
    assert chair.buttons == ["⬅ Quay lại", "✖ Hủy"]
    await chair.send("abc")
    assert chair.last_text == "Gõ số của báo cáo, ví dụ: 12."
    assert chair.buttons == ["⬅ Quay lại", "✖ Hủy"]
    await chair.send("99")
    assert "Không tìm thấy" in chair.last_text and "Gõ số của báo cáo" in chair.last_text
    assert chair.buttons == ["⬅ Quay lại", "✖ Hủy"]
    await chair.press("⬅ Quay lại")
    assert chair.last_text == "Loại báo cáo nào?"
    await chair.press("✖ Hủy")
    assert "Đã hủy." in chair.texts[-2] and chair.reply_keyboard
    await chair.send("12")  # the dialog is over: not a number to open
    assert "Không tìm thấy" not in chair.last_text


async def test_cancel_inside_find(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.CHAIR)
    await open_find(chair)
    await chair.press("👤 Hội viên mới")
    await chair.send("/cancel")
    assert chair.last_text == "Đã hủy." and chair.reply_keyboard
    # Over a form, /cancel leaves the find only; the form asks again.
    await chair.send("/member")
    await chair.send("Mai Văn Khoa")
    await open_find(chair)
    await chair.send("/huy")
    assert chair.texts[-2] == "Đã hủy."
    assert chair.last_text == "Quay lại: Hội viên mới\nHội viên mới — Nam hay nữ?"
    assert draft(bot, chair, "member") == {"full_name": "Mai Văn Khoa"}


async def test_an_old_button_of_find_changes_nothing(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest, world: World
) -> None:
    await add_member(volunteer, "Hoàng Văn Nam", "1960")
    chair = fake.user(World.CHAIR)
    await open_find(chair)
    kinds = chair.last
    assert kinds is not None
    old_member = str(kinds.inline_buttons[0]["callback_data"])  # 👤, this step
    await chair.press("🏅 Đề cử danh hiệu")
    await chair.press_data(old_member, kinds.message_id)
    assert "chưa có gì thay đổi" in chair.callback_answers[-1]
    await chair.send("1")  # still a nomination's number: there is none
    assert "Không tìm thấy" in chair.last_text
    await chair.send("/cancel")
    await chair.press_data(old_member, kinds.message_id)  # the dialog is over
    assert "chưa có gì thay đổi" in chair.callback_answers[-1]


async def test_a_volunteer_cannot_open_find(volunteer: FakeUser, bot: BotUnderTest) -> None:
    await volunteer.send("/myreports")
    assert "🔎 Mở báo cáo theo số" not in volunteer.buttons
    await volunteer.send("/help")
    await volunteer.press_data("mr:find")  # forged
    assert "không hợp lệ" in volunteer.callback_answers[-1]
    await volunteer.send("1")
    assert "Gõ số" not in volunteer.last_text and "Hoàng" not in volunteer.last_text
