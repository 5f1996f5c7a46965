"""/targets as a dialog: a card of figures whose buttons open the value question; the
question's own buttons belong to it, it asks before pushing a form aside, /cancel leaves it."""

from __future__ import annotations

from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.services import figures
from tests.e2e.conftest import BotUnderTest, World, step_prefix


async def households(bot: BotUnderTest, world: World) -> int | None:
    return (await figures.resolve(bot.db, world.commune, 2026)).get(figures.Figure.HOUSEHOLDS)


async def test_the_value_question_has_a_way_out(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.CHAIR)
    await chair.send("/chitieu")
    assert "• Hộ gia đình: chưa đặt" in chair.last_text
    await chair.press("Hộ gia đình")
    assert "Hộ gia đình: gõ giá trị mới" in chair.last_text
    assert chair.buttons == ["⬅ Quay lại", "✖ Hủy"]
    await chair.send("nhiều")
    assert "Giá trị chưa hợp lệ" in chair.last_text
    assert chair.buttons == ["⬅ Quay lại", "✖ Hủy"]  # asked again, still with its way out
    await chair.press("⬅ Quay lại")
    assert "• Hộ gia đình: chưa đặt" in chair.last_text  # the card again
    await chair.press("Hộ gia đình")
    await chair.press("✖ Hủy")
    assert chair.last_text == "Đã hủy."
    await chair.send("1.250")  # the dialog is over: not a value any more
    assert "Xin lỗi, tôi chưa hiểu" in chair.last_text
    assert await households(bot, world) is None


async def test_an_old_targets_button_changes_nothing(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.CHAIR)
    await chair.send("/targets")
    await chair.press("Hộ gia đình")
    question = step_prefix(chair)
    await chair.send("1.250")
    assert "✅ Đã lưu." in chair.last_text
    await chair.press_data(f"{question}:x")  # the question's ✖, pressed after saving
    assert "chưa có gì thay đổi" in chair.callback_answers[-1]
    await chair.press("Dân số")  # the card's buttons stay valid
    await chair.press_data(f"{question}:back")  # an earlier question's ⬅
    assert "chưa có gì thay đổi" in chair.callback_answers[-1]
    await chair.send("2.000")
    assert "• Dân số: 2.000" in chair.last_text
    assert await households(bot, world) == 1250


async def test_targets_during_a_form_asks_first_and_gets_the_typed_value(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.CHAIR)
    await chair.send("/member")
    await chair.send("Nguyễn Thị Hoa")
    await chair.send("/targets")
    assert "Bạn chưa làm xong: Hội viên mới" in chair.last_text
    await chair.press("⏸ Tạm gác")
    assert "Số liệu và chỉ tiêu của" in chair.last_text
    await chair.press("Hộ gia đình")
    await chair.send("1.250")  # reaches the figure, not the member's gender question
    assert "• Hộ gia đình: 1.250" in chair.last_text
    assert await households(bot, world) == 1250
    assert bot.application is not None
    aside = bot.application.user_data[chair.id]["screen"]["aside"]
    assert [draft["data"]["values"] for draft in aside] == [{"full_name": "Nguyễn Thị Hoa"}]

    # A button of the card, pressed while another form with answers waits, asks first too.
    await chair.send("/title")
    await chair.press("Công dân học tập")
    await chair.press_data("tg:f:2")
    assert "Bạn chưa làm xong: Đề cử danh hiệu" in chair.last_text
    await chair.press("▶ Làm tiếp")
    assert "Ai được đề cử" in chair.last_text


async def test_cancel_inside_targets(fake: FakeBotApi, bot: BotUnderTest, world: World) -> None:
    chair = fake.user(World.CHAIR)
    await chair.send("/targets")
    await chair.press("Hộ gia đình")
    await chair.send("/cancel")
    assert "Đã hủy" in chair.last_text
    await chair.send("1.250")
    assert "Xin lỗi, tôi chưa hiểu" in chair.last_text
    assert await households(bot, world) is None


async def test_a_card_button_checks_who_presses_it(
    fake: FakeBotApi, bot: BotUnderTest, world: World, volunteer: FakeUser
) -> None:
    helper = volunteer
    await helper.send("/help")
    await helper.press_data("tg:f:2")
    assert "Chỉ chủ tịch hội mới có thể đặt số liệu" in helper.callback_answers[-1]
    await helper.send("1.250")
    assert "Xin lỗi, tôi chưa hiểu" in helper.last_text
    await helper.press_data("tg:f:99")
    assert "không hợp lệ" in helper.callback_answers[-1]
