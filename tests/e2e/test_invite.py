"""/invite as a dialog: its buttons belong to its question, it asks before pushing a form
aside, /cancel and ✖ leave it, and a commune without a branch is no dead end."""

from __future__ import annotations

from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.storage import units as unit_store
from bot.storage.models import Unit
from bot.text import fold
from tests.e2e.conftest import BotUnderTest, World, step_prefix


async def invites(bot: BotUnderTest) -> list[tuple[str, int]]:
    rows = await bot.db.fetchall("SELECT role, unit_id FROM invite ORDER BY created_at")
    return [(str(row[0]), int(row[1])) for row in rows]


async def test_every_question_of_invite_has_a_way_out(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.CHAIR)
    await chair.send("/invite")
    assert "✖ Hủy" in chair.buttons
    await chair.press("✖ Hủy")
    assert chair.last_text == "Đã hủy."
    await chair.send("/moi")
    await chair.press("Cộng tác viên")
    assert "Thôn Đông" in chair.buttons and "✖ Hủy" in chair.buttons
    await chair.send("tay")  # typed text filters the picker
    assert "Thôn Tây" in chair.buttons and "Thôn Đông" not in chair.buttons
    await chair.press("✖ Hủy")
    assert chair.last_text == "Đã hủy."
    await chair.send("Thôn Tây")  # the dialog is over
    assert "Xin lỗi, tôi chưa hiểu" in chair.last_text
    assert await invites(bot) == []


async def test_an_old_invite_button_changes_nothing(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.CHAIR)
    await chair.send("/invite")
    roles = step_prefix(chair)
    await chair.press("Chi hội trưởng")
    await chair.press_data(f"{roles}:r:volunteer")  # another role, pressed late
    assert "chưa có gì thay đổi" in chair.callback_answers[-1]
    picker = step_prefix(chair)
    await chair.press("Thôn Tây")
    assert "t.me/khuyenhoc_bot?start=" in chair.last_text
    await chair.press_data(f"{picker}:u:{world.branch.id}")  # a second link from the same list
    assert "chưa có gì thay đổi" in chair.callback_answers[-1]
    assert await invites(bot) == [("branch_head", (await tay(bot, world)).id)]


async def tay(bot: BotUnderTest, world: World) -> Unit:
    return next(
        u for u in await unit_store.children(bot.db, world.commune.id) if u.name == "Thôn Tây"
    )


async def test_invite_during_a_form_asks_first_and_gets_the_typed_filter(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.DISTRICT_CHAIR)
    await chair.send("/help")  # the menu keyboard
    await chair.send("/member")
    await chair.send("Nguyễn Thị Hoa")
    await chair.press("📨 Mời tham gia")
    assert "Bạn chưa làm xong: Hội viên mới" in chair.last_text
    await chair.press("⏸ Tạm gác")
    assert "Bạn muốn mời ai" in chair.last_text
    await chair.press("Chủ tịch Hội Khuyến học xã")
    await chair.send(fold(world.other_commune.name))  # to the invite's picker, not the form
    await chair.press(world.other_commune.name)
    assert "t.me/khuyenhoc_bot?start=" in chair.last_text
    assert await invites(bot) == [("commune_chair", world.other_commune.id)]
    assert bot.application is not None
    aside = bot.application.user_data[chair.id]["screen"]["aside"]
    assert [draft["data"]["values"] for draft in aside] == [{"full_name": "Nguyễn Thị Hoa"}]


async def test_cancel_inside_invite(fake: FakeBotApi, bot: BotUnderTest, world: World) -> None:
    chair = fake.user(World.CHAIR)
    await chair.send("/invite")
    await chair.press("Cộng tác viên")
    await chair.send("/cancel")
    assert "Đã hủy" in chair.last_text
    await chair.send("dong")
    assert "Xin lỗi, tôi chưa hiểu" in chair.last_text
    assert await invites(bot) == []


async def test_inviting_to_a_commune_without_a_branch(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    """The district chair invites a volunteer to a commune with no branch: ➕ adds one on top
    of the invitation, which then offers it."""
    third = (await unit_store.children(bot.db, world.district.id))[2]
    chair: FakeUser = fake.user(World.DISTRICT_CHAIR)
    await chair.send("/invite")
    await chair.press("Cộng tác viên")
    await chair.send(fold(third.name))
    await chair.press(third.name)
    assert "Ở đây chưa có gì để chọn." in chair.last_text
    assert "➕ Thêm chi hội ở đây" in chair.buttons
    await chair.press("➕ Thêm chi hội ở đây")
    await chair.send("Thôn Mới")
    await chair.press("Thôn")
    assert chair.last_text.startswith("Quay lại: Mời tham gia")
    await chair.press("Thôn Mới")
    assert "t.me/khuyenhoc_bot?start=" in chair.last_text
    branch = (await unit_store.children(bot.db, third.id))[0]
    assert await invites(bot) == [("volunteer", branch.id)]
