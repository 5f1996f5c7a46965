"""Forgiving answers and safe taps, as people type and tap them: a button's words typed
("nữ", "tiền mặt"), "không có" for an optional answer, amounts and dates in words, a Yes/No
question for an amount under 1.000 ₫ and for a date joined before the year of birth, ✖ Hủy
that asks before throwing answers away, names capitalised, lists in Vietnamese order, and
/help naming the Vietnamese commands."""

from __future__ import annotations

from typing import Any

from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.storage.db import Database
from tests.conftest import branch
from tests.e2e.conftest import VOLUNTEER, BotUnderTest, World, step_prefix

STALE = "Nút này thuộc một câu hỏi trước đó; chưa có gì thay đổi."
CHOOSE = "Vui lòng bấm chọn một trong các nút."
LEAVE = "Bỏ các câu trả lời đã nhập?"
PHONE = "Số điện thoại di động (không bắt buộc)?"
BIRTH_YEAR = "Năm sinh? Ví dụ: 1958."
JOINED = "Ngày vào hội?"
AMOUNT = "Số tiền bao nhiêu?"


async def members(db: Database) -> list[tuple[Any, ...]]:
    rows = await db.fetchall(
        "SELECT full_name, gender, birth_year, joined_on, phone FROM member ORDER BY id"
    )
    return [tuple(row) for row in rows]


async def amounts(db: Database) -> list[int]:
    return [int(row[0]) for row in await db.fetchall("SELECT amount FROM contribution")]


# ---------------------------------------------------------------- typed words


async def test_typed_nu_and_khong_co_answer_the_member_form(
    volunteer: FakeUser, bot: BotUnderTest
) -> None:
    await volunteer.send("/hoivien")
    await volunteer.send("trần thị hoa")
    await volunteer.send("nữ")  # the button's label, typed
    assert BIRTH_YEAR in volunteer.last_text
    await volunteer.send("1962")
    await volunteer.send("ngày 15 tháng 10 năm 2026")
    assert PHONE in volunteer.last_text
    await volunteer.send("không có")  # ⏭ Bỏ qua, typed
    summary = volunteer.last_text
    assert "Họ và tên: Trần Thị Hoa" in summary  # capitalised as it is stored
    assert "Giới tính: Nữ" in summary and "15/10/2026" in summary
    assert "Điện thoại: (không có)" in summary
    await volunteer.press("💾 Lưu")
    assert await members(bot.db) == [("Trần Thị Hoa", "female", 1962, "2026-10-15", None)]


async def test_other_skip_words_and_a_wrong_word(volunteer: FakeUser, bot: BotUnderTest) -> None:
    await volunteer.send("/hoivien")
    await volunteer.send("NGUYỄN VĂN AN")
    await volunteer.send("đàn ông")
    assert BIRTH_YEAR in volunteer.last_text
    await volunteer.send("1970")
    await volunteer.send("hôm nay")
    await volunteer.send("có lẽ")  # neither a phone number nor a skip word
    assert "chưa đọc được số điện thoại" in volunteer.last_text and PHONE in volunteer.last_text
    await volunteer.send("bỏ qua")
    assert "Điện thoại: (không có)" in volunteer.last_text
    assert "Họ và tên: Nguyễn Văn An" in volunteer.last_text
    assert "Giới tính: Nam" in volunteer.last_text


async def test_a_contribution_typed_in_words(volunteer: FakeUser, bot: BotUnderTest) -> None:
    await volunteer.send("/donggop")
    await volunteer.send("Công ty Minh Anh")
    await volunteer.send("doanh nghiệp")
    await volunteer.send("tiền mặt")
    assert AMOUNT in volunteer.last_text
    await volunteer.send("hai triệu năm trăm")  # 2.000.500 or 2.500.000?
    assert "nhiều cách" in volunteer.last_text and AMOUNT in volunteer.last_text
    await volunteer.send("ba trăm năm mươi nghìn")
    await volunteer.send("quỹ chi hội")
    await volunteer.send("xuân khuyến học")
    await volunteer.send("15 thang 10 2026")
    summary = volunteer.last_text
    assert "350.000" in summary and "ba trăm năm mươi nghìn đồng" in summary
    assert "Doanh nghiệp" in summary and "15/10/2026" in summary
    await volunteer.press("💾 Lưu")
    assert await amounts(bot.db) == [350_000]


# ---------------------------------------------------------------- doubts


async def test_an_amount_under_1000_asks_first(volunteer: FakeUser, bot: BotUnderTest) -> None:
    await volunteer.send("/donggop")
    await volunteer.send("Nguyễn Văn An")
    await volunteer.press("Cá nhân")
    await volunteer.press("💵 Tiền mặt")
    await volunteer.send("500")
    assert "500 ₫ là chưa tới 1.000 ₫" in volunteer.last_text.replace("\u00a0", " ")
    assert volunteer.buttons == ["✅ Đúng vậy", "✏️ Không, nhập lại", "✖ Hủy"]
    doubt, step = volunteer.messages[-1].message_id, step_prefix(volunteer)
    await volunteer.press("✏️ Không, nhập lại")
    assert AMOUNT in volunteer.last_text  # asked again; the donor is kept
    await volunteer.press_data(f"{step}:d:y", doubt)
    assert volunteer.callback_answers[-1] == STALE  # the old question's Yes changes nothing
    await volunteer.send("năm trăm")
    assert "chưa tới" in volunteer.last_text
    await volunteer.send("500k?")  # neither yes nor no
    assert CHOOSE in volunteer.last_text and "chưa tới" in volunteer.last_text
    await volunteer.send("đúng")  # Yes, typed: the amount is meant
    assert "Đóng góp vào quỹ nào?" in volunteer.last_text
    await volunteer.press("Quỹ chi hội")
    await volunteer.press("Xuân Khuyến học")
    await volunteer.press("📅 Hôm nay")
    summary = volunteer.last_text
    assert "Nguyễn Văn An" in summary and "năm trăm đồng" in summary
    await volunteer.press("✏️ Sửa")  # another answer changed: the amount is not doubted again
    await volunteer.press("Ngày đóng góp")
    await volunteer.send("hôm qua")
    assert "Vui lòng kiểm tra lại" in volunteer.last_text
    await volunteer.press("💾 Lưu")
    assert await amounts(bot.db) == [500]


async def test_an_amount_of_1000_or_more_is_not_doubted(
    volunteer: FakeUser, bot: BotUnderTest
) -> None:
    await volunteer.send("/donggop")
    await volunteer.send("Nguyễn Văn An")
    await volunteer.press("Cá nhân")
    await volunteer.press("💵 Tiền mặt")
    await volunteer.send("1.000")
    assert "Đóng góp vào quỹ nào?" in volunteer.last_text


async def test_joined_before_birth_asks_which_is_wrong_and_keeps_the_rest(
    volunteer: FakeUser, bot: BotUnderTest
) -> None:
    await volunteer.send("/hoivien")
    await volunteer.send("Phạm Văn Đức")
    await volunteer.press("Nam")
    await volunteer.send("1980")
    await volunteer.send("15/10/1975")
    doubt = volunteer.last_text
    assert "Ngày vào hội (15/10/1975) trước năm sinh (1980)" in doubt
    assert volunteer.buttons == ["✅ Đúng: sửa ngày vào hội", "✏️ Không: sửa năm sinh", "✖ Hủy"]
    await volunteer.press("✏️ Không: sửa năm sinh")
    assert BIRTH_YEAR in volunteer.last_text
    await volunteer.send("1970")
    assert PHONE in volunteer.last_text  # the date is kept
    await volunteer.press("⏭ Bỏ qua")
    summary = volunteer.last_text
    assert "Năm sinh: 1970" in summary and "15/10/1975" in summary
    await volunteer.press("✏️ Sửa")
    await volunteer.press("Ngày vào hội")
    await volunteer.send("1/1/1969")
    assert "trước năm sinh (1970)" in volunteer.last_text
    await volunteer.send("có")  # the year of birth is right: the date is asked again
    assert JOINED in volunteer.last_text
    await volunteer.send("1/1/1990")
    assert "Vui lòng kiểm tra lại" in volunteer.last_text and "01/01/1990" in volunteer.last_text
    await volunteer.press("💾 Lưu")
    assert await members(bot.db) == [("Phạm Văn Đức", "male", 1970, "1990-01-01", None)]


async def test_a_doubt_has_a_way_out(volunteer: FakeUser, bot: BotUnderTest) -> None:
    await volunteer.send("/hoivien")
    await volunteer.send("Phạm Văn Đức")
    await volunteer.press("Nam")
    await volunteer.send("1980")
    await volunteer.send("15/10/1975")
    await volunteer.send("/trogiup")  # a command that only reads: the doubt is asked again
    assert "trước năm sinh" in volunteer.last_text and "✖ Hủy" in volunteer.buttons
    await volunteer.press("✖ Hủy")
    assert volunteer.last_text == LEAVE
    await volunteer.press("Bỏ")
    assert "Đã hủy. Chưa có gì được lưu." in volunteer.texts
    assert await members(bot.db) == []


# ---------------------------------------------------------------- ✖ Hủy


async def test_cancel_asks_before_throwing_answers_away(
    volunteer: FakeUser, bot: BotUnderTest
) -> None:
    await volunteer.send("/hoivien")
    await volunteer.press("✖ Hủy")  # nothing entered yet: nothing to ask
    assert "Đã hủy. Chưa có gì được lưu." in volunteer.texts
    await volunteer.send("/hoivien")
    await volunteer.send("Đỗ Thị Én")
    question, step = volunteer.messages[-1].message_id, step_prefix(volunteer)
    await volunteer.press("✖ Hủy")
    assert volunteer.last_text == LEAVE
    assert volunteer.buttons == ["Bỏ", "Tiếp tục nhập"]
    await volunteer.press_data(f"{step}:o:1", question)
    assert volunteer.callback_answers[-1] == STALE  # the question's old button: nothing chosen
    await volunteer.press_data(f"{step_prefix(volunteer)}:o:1")  # forged, on this step
    assert "không hợp lệ" in volunteer.callback_answers[-1] and volunteer.last_text == LEAVE
    await volunteer.press("Tiếp tục nhập")
    assert "Nam hay nữ?" in volunteer.last_text  # the same question, the name kept
    await volunteer.press("Nữ")
    assert BIRTH_YEAR in volunteer.last_text
    await volunteer.press("✖ Hủy")
    await volunteer.send("nhầm")  # neither
    assert CHOOSE in volunteer.last_text and LEAVE in volunteer.last_text
    await volunteer.send("không")  # don't discard
    assert BIRTH_YEAR in volunteer.last_text
    await volunteer.send("1975")
    await volunteer.press("📅 Hôm nay")
    await volunteer.press("⏭ Bỏ qua")
    assert "Đỗ Thị Én" in volunteer.last_text and "1975" in volunteer.last_text
    await volunteer.press("✖ Hủy")  # from the summary too
    assert volunteer.last_text == LEAVE
    await volunteer.send("bỏ")
    assert "Đã hủy. Chưa có gì được lưu." in volunteer.texts
    assert await members(bot.db) == []


async def test_cancel_command_leaves_at_once(volunteer: FakeUser, bot: BotUnderTest) -> None:
    """/cancel (/huy) is typed on purpose, the way out of any flow: it does not ask, also
    while "discard?" waits."""
    await volunteer.send("/hoivien")
    await volunteer.send("Đỗ Thị Én")
    await volunteer.send("/huy")
    assert "Đã hủy. Chưa có gì được lưu." in volunteer.last_text
    await volunteer.send("/hoivien")
    await volunteer.send("Đỗ Thị Én")
    await volunteer.press("✖ Hủy")
    await volunteer.send("/cancel")
    assert "Đã hủy. Chưa có gì được lưu." in volunteer.last_text
    await volunteer.press("Tiếp tục nhập")  # the old question: nothing waits any more
    assert volunteer.callback_answers[-1] != ""
    assert await members(bot.db) == []


async def test_discard_question_survives_a_restart(volunteer: FakeUser, bot: BotUnderTest) -> None:
    await volunteer.send("/hoivien")
    await volunteer.send("Đỗ Thị Én")
    await volunteer.press("✖ Hủy")
    await bot.stop()
    await bot.start()
    await volunteer.press("Tiếp tục nhập")
    assert "Nam hay nữ?" in volunteer.last_text
    await volunteer.send("nu")
    assert BIRTH_YEAR in volunteer.last_text


# ---------------------------------------------------------------- names and order


async def test_names_are_capitalised_where_people_are_named(
    volunteer: FakeUser, bot: BotUnderTest
) -> None:
    await volunteer.send("/danhhieu")
    await volunteer.press("Công dân học tập")
    await volunteer.send("lê văn bình")
    await volunteer.send(str(2026))
    await volunteer.send("không")  # the note is optional
    assert "Lê Văn Bình" in volunteer.last_text
    await volunteer.press("💾 Lưu")
    row = await bot.db.fetchone("SELECT subject FROM nomination")
    assert row is not None and row[0] == "Lê Văn Bình"
    await volunteer.send("/danhhieu")
    await volunteer.press("Dòng họ học tập")
    await volunteer.send("dòng họ phạm văn")  # a clan's name is not a person's: as typed
    await volunteer.send(str(2026))
    await volunteer.send("không")
    assert "dòng họ phạm văn" in volunteer.last_text


async def test_branches_are_listed_in_vietnamese_order(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    for name in ("Thôn Dương", "Thôn Ấp", "Thôn An"):
        await branch(bot.db, world.commune, name)
    chair = fake.user(World.CHAIR)
    await chair.send("/hoivien")
    await chair.send("Nguyễn Thị Hoa")
    await chair.send("nữ")
    await chair.send("1960")
    assert "Hội viên vào chi hội nào?" in chair.last_text
    names = [label for label in chair.buttons if label.startswith("Thôn")]
    # a before â, D before Đ (SQLite's folded order puts "Đông" before "Dương")
    assert names == ["Thôn An", "Thôn Ấp", "Thôn Dương", "Thôn Đông", "Thôn Tây"]


async def test_a_population_typed_as_people_write_it(fake: FakeBotApi, world: World) -> None:
    chair = fake.user(World.CHAIR)
    await chair.send("/chitieu")
    await chair.press("Dân số")
    await chair.send("1,865 triệu")
    assert "nhiều cách" in chair.last_text
    await chair.send("1,86 triệu")
    assert "• Dân số: 1.860.000" in chair.last_text
    await chair.press("Dân số")
    await chair.send("1 triệu 870 nghìn")
    assert "• Dân số: 1.870.000" in chair.last_text
    await chair.press("Hộ gia đình")
    await chair.send("12,5")
    assert "không phải số nguyên" in chair.last_text


# ---------------------------------------------------------------- /help


async def test_help_in_vietnamese_names_the_vietnamese_commands(
    fake: FakeBotApi, volunteer: FakeUser, world: World
) -> None:
    await volunteer.send("/help")
    text = volunteer.last_text
    for command in ("/hoivien", "/danhhieu", "/donggop", "/hocbong", "/baocaocuatoi"):
        assert f"{command} — " in text
    assert "/thongke — " in text and "/baocao — " in text
    assert "/nhacnho tat — " in text and "/nhacnho bat" in text
    assert "/ngonngu — " in text and "/huy — " in text and "/trogiup — " in text
    for english in ("/member ", "/title ", "/myreports ", "/reminders ", "/cancel ", "/help "):
        assert english not in text
    assert "/thongbao" not in text  # a volunteer cannot send messages to others
    chair = fake.user(World.CHAIR)
    await chair.send("/trogiup")
    assert "/thongbao — " in chair.last_text and "/choduyet — " in chair.last_text
    assert "/chihoi — " in chair.last_text and "/moi — " in chair.last_text
    admin = fake.user(World.ADMIN)
    await admin.send("/trogiup")
    assert f"Quản trị cấp tỉnh của Tỉnh {world.province.name}." in admin.last_text
    assert "/thongbao — " in admin.last_text and "/chiendich — " in admin.last_text


async def test_reminders_off_in_vietnamese(volunteer: FakeUser) -> None:
    await volunteer.send("/nhacnho tat")
    assert "/nhacnho bat" in volunteer.last_text
    await volunteer.send("/nhacnho")
    assert "/nhacnho tat" in volunteer.last_text and "/reminders" not in volunteer.last_text


async def test_english_help_keeps_the_english_commands(
    fake: FakeBotApi, volunteer: FakeUser
) -> None:
    await volunteer.send("/language")
    await volunteer.press("English")
    await volunteer.send("/help")
    assert "/member — " in volunteer.last_text and "/hoivien" not in volunteer.last_text
    assert volunteer.id == VOLUNTEER
