"""The new-member flow, from the menu to the receipt, as a volunteer types and taps it."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.storage.db import Database
from tests.e2e.conftest import VOLUNTEER, BotUnderTest, World, step_prefix


async def members(db: Database) -> list[tuple[str, str, int, str, str | None, int]]:
    rows = await db.fetchall(
        "SELECT full_name, gender, birth_year, joined_on, phone, unit_id FROM member ORDER BY id"
    )
    return [tuple(row) for row in rows]


async def test_member_from_menu_to_receipt(
    volunteer: FakeUser, bot: BotUnderTest, world: World
) -> None:
    await volunteer.send("/start")
    await volunteer.press("👤 Hội viên mới")
    assert "Họ và tên của hội viên mới" in volunteer.last_text
    await volunteer.send("Nguyễn Thị Hoa")
    await volunteer.press("Nữ")
    await volunteer.send("năm 1962")
    assert "Ngày vào hội" in volunteer.last_text  # the branch is the volunteer's own
    await volunteer.press("📅 Hôm nay")
    await volunteer.send("0912 345 678")
    summary = volunteer.last_text
    assert "Vui lòng kiểm tra lại" in summary
    for expected in (
        "Nguyễn Thị Hoa",
        "Nữ",
        "1962",
        "Chi hội Thôn Đông",
        "28/11/2026",
        "+84912345678",
    ):
        assert expected in summary
    await volunteer.press("💾 Lưu")
    assert "✅ Đã lưu hội viên mới. Số 1, lúc 10:00 28/11/2026." in volunteer.texts
    assert "👤 Hội viên mới" in volunteer.reply_keyboard
    assert await members(bot.db) == [
        ("Nguyễn Thị Hoa", "female", 1962, "2026-11-28", "+84912345678", world.branch.id)
    ]
    audit = await bot.db.fetchall("SELECT actor_id, action FROM audit_log WHERE entity='member'")
    assert [tuple(r) for r in audit] == [(VOLUNTEER, "create")]


async def test_every_bad_answer_is_explained_and_nothing_is_lost(
    volunteer: FakeUser, bot: BotUnderTest
) -> None:
    await volunteer.send("/hoivien")
    await volunteer.send("A")
    assert "Quá ngắn" in volunteer.last_text and "Họ và tên" in volunteer.last_text
    await volunteer.send("Trần Văn 3")
    assert "chỉ gồm chữ cái" in volunteer.last_text
    await volunteer.send("Trần Văn Ba")
    await volunteer.send("ông")  # neither button's words: a choice is made with the buttons
    assert "Vui lòng bấm chọn" in volunteer.last_text
    await volunteer.press_data(f"{step_prefix(volunteer)}:o:7")  # forged option
    assert "không hợp lệ" in volunteer.callback_answers[-1]
    await volunteer.press("Nam")
    await volunteer.send("hai nghìn")
    assert "năm sinh trong khoảng 1900 đến 2026" in volunteer.last_text
    await volunteer.send("2030")
    assert "năm sinh trong khoảng" in volunteer.last_text
    await volunteer.send("1950")
    await volunteer.send("32/13/2025")
    assert "chưa đọc được ngày" in volunteer.last_text and "hôm qua" in volunteer.last_text
    await volunteer.send("01/01/2030")
    assert "tương lai" in volunteer.last_text
    await volunteer.send("hom qua")
    await volunteer.send("0227 3831 234")
    assert "máy bàn" in volunteer.last_text
    await volunteer.send("abc")
    assert "chưa đọc được số điện thoại" in volunteer.last_text
    await volunteer.press("⏭ Bỏ qua")
    summary = volunteer.last_text
    assert "Trần Văn Ba" in summary and "1950" in summary and "27/11/2026" in summary
    assert "Điện thoại: (không có)" in summary
    await volunteer.press("💾 Lưu")
    rows = await members(bot.db)
    assert [(r[0], r[2], r[3], r[4]) for r in rows] == [("Trần Văn Ba", 1950, "2026-11-27", None)]


async def test_change_one_answer_from_the_summary(volunteer: FakeUser, bot: BotUnderTest) -> None:
    await volunteer.send("/member")
    await volunteer.send("Phạm Văn Đức")
    await volunteer.press("Nam")
    await volunteer.send("1970")
    await volunteer.press("📅 Hôm nay")
    await volunteer.press("⏭ Bỏ qua")
    await volunteer.press("✏️ Sửa")
    assert "Bạn muốn sửa mục nào" in volunteer.last_text
    await volunteer.press("Năm sinh")
    await volunteer.send("1971")
    summary = volunteer.last_text
    assert "Năm sinh: 1971" in summary and "Phạm Văn Đức" in summary and "Nam" in summary
    await volunteer.press("💾 Lưu")
    assert [r[2] for r in await members(bot.db)] == [1971]


async def test_cancel_saves_nothing(volunteer: FakeUser, bot: BotUnderTest) -> None:
    await volunteer.send("/member")
    await volunteer.send("Phạm Văn Đức")
    await volunteer.press("✖ Hủy")  # with an answer entered: asked first
    assert volunteer.last_text == "Bỏ các câu trả lời đã nhập?"
    await volunteer.press("Bỏ")
    assert "Đã hủy. Chưa có gì được lưu." in volunteer.texts
    await volunteer.send("/member")
    await volunteer.send("Đỗ Thị Én")
    await volunteer.send("/cancel")  # typed on purpose: leaves at once
    assert "Đã hủy. Chưa có gì được lưu." in volunteer.last_text
    assert await members(bot.db) == []


async def test_restart_mid_flow_keeps_the_answers(volunteer: FakeUser, bot: BotUnderTest) -> None:
    await volunteer.send("/member")
    await volunteer.send("Vũ Văn Giang")
    await volunteer.press("Nam")
    await bot.stop()
    await bot.start()
    await volunteer.send("1980")
    await volunteer.press("📅 Hôm nay")
    await volunteer.press("⏭ Bỏ qua")
    assert "Vũ Văn Giang" in volunteer.last_text
    await volunteer.press("💾 Lưu")
    assert [r[0] for r in await members(bot.db)] == ["Vũ Văn Giang"]


async def add_member(user: FakeUser, name: str, year: str) -> None:
    await user.send("/member")
    await user.send(name)
    await user.press("Nữ")
    await user.send(year)
    await user.press("📅 Hôm nay")
    await user.press("⏭ Bỏ qua")
    await user.press("💾 Lưu")


async def test_likely_duplicate_asks_before_saving(volunteer: FakeUser, bot: BotUnderTest) -> None:
    await add_member(volunteer, "Hoàng Thị Lan", "1965")
    await add_member(volunteer, "hoang thi lan", "1965")
    assert "có thể đã là hội viên" in volunteer.last_text
    assert "Hoàng Thị Lan, sinh năm 1965" in volunteer.last_text
    assert len(await members(bot.db)) == 1
    await volunteer.press("💾 Vẫn lưu")
    assert len(await members(bot.db)) == 2


async def test_saving_twice_stores_one_record(volunteer: FakeUser, bot: BotUnderTest) -> None:
    await volunteer.send("/member")
    await volunteer.send("Lý Văn Hải")
    await volunteer.press("Nam")
    await volunteer.send("1975")
    await volunteer.press("📅 Hôm nay")
    await volunteer.press("⏭ Bỏ qua")
    summary_id = volunteer.last.message_id if volunteer.last else None
    save = f"{step_prefix(volunteer, summary_id)}:save"
    await volunteer.press_data(save, summary_id)
    await volunteer.press_data(save, summary_id)  # double tap / redelivery
    assert "chưa có gì thay đổi" in volunteer.callback_answers[-1]
    assert len(await members(bot.db)) == 1


async def test_chair_chooses_the_branch(fake: FakeBotApi, bot: BotUnderTest, world: World) -> None:
    chair = fake.user(World.CHAIR)
    await chair.send("/member")
    await chair.send("Mai Văn Khoa")
    await chair.press("Nam")
    await chair.send("1990")
    assert "Hội viên vào chi hội nào" in chair.last_text
    assert "Thôn Tây" in chair.buttons and "Thôn Bắc" not in chair.buttons
    # Forged: a branch of another commune.
    await chair.press_data(f"{step_prefix(chair)}:u:{world.other_branch.id}")
    assert "không còn" in chair.callback_answers[-1]
    await chair.press("Thôn Tây")
    await chair.press("📅 Hôm nay")
    await chair.press("⏭ Bỏ qua")
    await chair.press("💾 Lưu")
    rows = await members(bot.db)
    assert [r[5] for r in rows] != [world.branch.id] and len(rows) == 1


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(answer=st.text(min_size=1, max_size=300))
async def test_any_text_at_any_step_gets_an_answer(
    volunteer: FakeUser, bot: BotUnderTest, answer: str
) -> None:
    await volunteer.send("/member")
    for _ in range(4):  # name, then whatever the form asks next, each time arbitrary text
        await volunteer.send(answer)
        assert volunteer.new_texts, "the bot must always answer"
        assert not any("sự cố" in text for text in volunteer.new_texts)
        if volunteer.buttons and "Nam" in volunteer.buttons:
            await volunteer.press("Nam")
    await volunteer.send("/cancel")
