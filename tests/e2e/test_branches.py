"""A chair lists and adds branches; the new branch is then offered at registration."""

from __future__ import annotations

from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.i18n import translator
from bot.storage import units as unit_store
from bot.storage.models import Level
from bot.text import fold
from handlers import branch_adding
from handlers.common import unit_title
from tests.e2e.conftest import VOLUNTEER, BotUnderTest, World, step_prefix


async def test_commune_chair_adds_a_branch(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.CHAIR)
    await chair.send("/help")
    await chair.press("🏘 Chi hội")
    assert "Các chi hội của" in chair.last_text
    await chair.send("/branches")
    assert "Các chi hội của" in chair.last_text and "Thôn Đông" in chair.last_text
    await chair.press("➕ Thêm chi hội")
    await chair.send("T")
    assert "từ 2 đến 120 ký tự" in chair.last_text
    await chair.send("Trường THCS Nguyễn Du")
    await chair.press("Trường học")
    assert "✅ Đã thêm Chi hội Trường THCS Nguyễn Du" in chair.last_text
    await chair.press("➕ Thêm chi hội")
    await chair.send("thon dong")  # same name without diacritics: refused
    await chair.press("Thôn")
    assert "đã có chi hội tên" in chair.last_text
    await chair.send("Thôn Bến")
    await chair.press("Thôn")
    await chair.press("✔ Xong")
    names = [u.name for u in await unit_store.children(bot.db, world.commune.id)]
    assert names == ["Thôn Bến", "Thôn Đông", "Thôn Tây", "Trường THCS Nguyễn Du"]
    audit = await bot.db.fetchall(
        "SELECT actor_id FROM audit_log WHERE entity = 'unit' AND action = 'create'"
    )
    assert [row[0] for row in audit][-2:] == [World.CHAIR, World.CHAIR]

    newcomer = fake.user(4001)
    await newcomer.send("/start")
    await newcomer.press("✅ Tôi đồng ý")  # the privacy notice
    await newcomer.send("Bùi Thị Hạnh")
    await newcomer.press("Đông Hưng")
    await newcomer.send(fold(world.commune.name))
    await newcomer.press(world.commune.name)
    assert "Trường THCS Nguyễn Du" in newcomer.buttons


async def test_district_chair_picks_the_commune_first(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.DISTRICT_CHAIR)
    await chair.send("/chihoi")
    assert "Chi hội của xã nào" in chair.last_text
    await chair.send(fold(world.other_commune.name))
    await chair.press(world.other_commune.name)
    assert "Thôn Bắc" in chair.last_text
    other = fake.user(World.OTHER_CHAIR)
    await other.send("/branches")
    assert world.commune.name not in other.last_text  # only their own commune


# ---------------------------------------------------------------- /branches as a dialog


async def test_every_question_of_branches_has_a_way_out(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.DISTRICT_CHAIR)
    await chair.send("/branches")
    assert "✖ Hủy" in chair.buttons  # the commune picker
    await chair.send(fold(world.other_commune.name))
    await chair.press(world.other_commune.name)
    assert chair.buttons == ["🏘 Thôn Bắc", "➕ Thêm chi hội", "⬅ Quay lại", "✔ Xong"]
    await chair.press("➕ Thêm chi hội")
    assert "Gõ tên chi hội mới" in chair.last_text
    assert chair.buttons == ["⬅ Quay lại", "✖ Hủy"]
    await chair.press("⬅ Quay lại")
    assert "Thôn Bắc" in chair.last_text  # the list again
    await chair.press("➕ Thêm chi hội")
    await chair.send("Xóm Chùa")
    assert "Xóm Chùa là loại chi hội nào" in chair.last_text
    assert chair.buttons[-2:] == ["⬅ Quay lại", "✖ Hủy"]
    await chair.press("⬅ Quay lại")
    assert "Gõ tên chi hội mới" in chair.last_text
    await chair.press("✖ Hủy")
    assert "Đã hủy" in chair.last_text
    assert [u.name for u in await unit_store.children(bot.db, world.other_commune.id)] == [
        "Thôn Bắc"
    ]
    await chair.send("Xóm Chùa")  # the dialog is over: not a branch name any more
    assert "Xin lỗi, tôi chưa hiểu" in chair.last_text


async def test_an_old_branches_button_changes_nothing(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.CHAIR)
    await chair.send("/branches")
    old = step_prefix(chair)
    await chair.press("➕ Thêm chi hội")
    await chair.send("Thôn Giữa")
    await chair.press_data(f"{old}:done")  # the list's ✔ Done, pressed late
    assert "chưa có gì thay đổi" in chair.callback_answers[-1]
    await chair.press("Thôn")
    assert "✅ Đã thêm Chi hội Thôn Giữa" in chair.last_text
    kind_question = step_prefix(chair)
    await chair.press_data(f"{old}:add")
    assert "chưa có gì thay đổi" in chair.callback_answers[-1]
    await chair.press("✔ Xong")
    await chair.press_data(f"{kind_question}:k:village")  # the same kind again: no new branch
    assert "chưa có gì thay đổi" in chair.callback_answers[-1]
    names = [u.name for u in await unit_store.children(bot.db, world.commune.id)]
    assert names == ["Thôn Đông", "Thôn Giữa", "Thôn Tây"]


async def test_branches_during_a_form_asks_first_and_gets_the_typed_name(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.CHAIR)
    await chair.send("/member")
    await chair.send("Nguyễn Thị Hoa")
    await chair.send("/branches")
    assert "Bạn chưa làm xong: Hội viên mới" in chair.last_text
    await chair.press("⏸ Tạm gác")
    assert "Các chi hội của" in chair.last_text
    await chair.press("➕ Thêm chi hội")
    await chair.send("Thôn Nam")  # reaches the branch, not the member's gender question
    assert "Thôn Nam là loại chi hội nào" in chair.last_text
    await chair.press("Thôn")
    assert "✅ Đã thêm Chi hội Thôn Nam" in chair.last_text
    assert bot.application is not None
    aside = bot.application.user_data[chair.id]["screen"]["aside"]
    assert [draft["data"]["values"] for draft in aside] == [{"full_name": "Nguyễn Thị Hoa"}]


async def test_cancel_inside_branches(fake: FakeBotApi, bot: BotUnderTest, world: World) -> None:
    chair = fake.user(World.CHAIR)
    await chair.send("/branches")
    await chair.press("➕ Thêm chi hội")
    await chair.send("Thôn Hậu")
    await chair.send("/cancel")
    assert "Đã hủy" in chair.last_text
    await chair.send("/member")  # nothing of /branches in the way
    assert "Họ và tên của hội viên mới" in chair.last_text
    names = [u.name for u in await unit_store.children(bot.db, world.commune.id)]
    assert names == ["Thôn Đông", "Thôn Tây"]


# ---------------------------------------------------------------- a commune with no branch yet


async def to_branch_question(chair: FakeUser) -> None:
    await chair.send("/member")
    await chair.send("Nguyễn Thị Hoa")
    await chair.press("Nữ")
    await chair.send("1960")
    assert "Hội viên vào chi hội nào" in chair.last_text


async def member_draft(bot: BotUnderTest, user: FakeUser) -> dict[str, object]:
    assert bot.application is not None
    values: dict[str, object] = bot.application.user_data[user.id]["member"]["values"]
    return values


async def test_a_chair_adds_the_missing_branch_from_the_form(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    """The other commune has no active branch: its chair adds one there and then, and the
    form goes on with it (the only branch: chosen without asking)."""
    await bot.db.execute(
        "UPDATE unit SET active = 0 WHERE parent_id = ?", (world.other_commune.id,)
    )
    chair = fake.user(World.OTHER_CHAIR)
    await to_branch_question(chair)
    assert "Ở đây chưa có gì để chọn." in chair.last_text
    assert chair.buttons == ["➕ Thêm chi hội ở đây", "✖ Hủy"]
    await chair.press("➕ Thêm chi hội ở đây")
    commune = unit_title(translator("vi"), world.other_commune)
    assert f"Chi hội mới của {commune}" in chair.last_text
    assert chair.buttons == ["✖ Hủy"]
    await chair.send("Thôn Bắc")  # the inactive one still holds the name
    await chair.press("Thôn")
    assert "đã có chi hội tên Thôn Bắc" in chair.last_text
    await chair.send("Xóm Mới")
    await chair.press("Thôn")
    texts = chair.new_texts
    assert "✅ Đã thêm Chi hội Xóm Mới." in texts, texts
    assert texts[-1].startswith("Quay lại: Hội viên mới"), texts
    assert "Ngày vào hội" in texts[-1]
    new = [u for u in await unit_store.children(bot.db, world.other_commune.id)]
    assert [u.name for u in new] == ["Xóm Mới"]
    assert (await member_draft(bot, chair))["unit_id"] == new[0].id
    await chair.press("📅 Hôm nay")
    await chair.press("⏭ Bỏ qua")
    assert "Chi hội Xóm Mới" in chair.last_text
    await chair.press("💾 Lưu")
    row = await bot.db.fetchone("SELECT unit_id FROM member WHERE full_name = 'Nguyễn Thị Hoa'")
    assert row is not None and row[0] == new[0].id


async def test_a_district_chair_adds_a_branch_and_the_form_offers_it(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    third = (await unit_store.children(bot.db, world.district.id))[2]
    assert await unit_store.children(bot.db, third.id) == []
    chair = fake.user(World.DISTRICT_CHAIR)
    await to_branch_question(chair)
    await chair.send(fold(third.name))
    await chair.press(third.name)
    assert "Ở đây chưa có gì để chọn." in chair.last_text
    assert chair.buttons == ["⬅ Quay lại", "➕ Thêm chi hội ở đây", "✖ Hủy"]
    await chair.press("➕ Thêm chi hội ở đây")
    await chair.send("Thôn Một")
    await chair.press("Thôn")
    assert chair.last_text.startswith("Quay lại: Hội viên mới")
    assert "Thôn Một" in chair.buttons  # offered, in the commune the chair was looking at
    await chair.press("Thôn Một")
    assert "Ngày vào hội" in chair.last_text
    branch = (await unit_store.children(bot.db, third.id))[0]
    assert (await member_draft(bot, chair))["unit_id"] == branch.id


async def test_cancel_and_old_buttons_inside_the_added_branch(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    await bot.db.execute(
        "UPDATE unit SET active = 0 WHERE parent_id = ?", (world.other_commune.id,)
    )
    chair = fake.user(World.OTHER_CHAIR)
    await to_branch_question(chair)
    assert chair.last is not None
    form_cancel = str(chair.last.inline_buttons[-1]["callback_data"])  # the form's ✖
    assert form_cancel.startswith("member:")
    await chair.press("➕ Thêm chi hội ở đây")
    await chair.press_data(form_cancel)  # while the branch is asked: refused
    assert "chưa có gì thay đổi" in chair.callback_answers[-1]
    await chair.send("/cancel")
    texts = chair.new_texts
    assert texts[0] == "Đã hủy.", texts
    assert texts[-1].startswith("Quay lại: Hội viên mới"), texts
    assert "➕ Thêm chi hội ở đây" in chair.buttons
    assert (await member_draft(bot, chair))["full_name"] == "Nguyễn Thị Hoa"
    await chair.press("➕ Thêm chi hội ở đây")
    await chair.send("Xóm Hai")
    kind_question = step_prefix(chair)
    await chair.press("✖ Hủy")
    assert chair.last_text.startswith("Quay lại: Hội viên mới")
    await chair.press_data(f"{kind_question}:k:village")
    assert "chưa có gì thay đổi" in chair.callback_answers[-1]
    assert await unit_store.children(bot.db, world.other_commune.id) == []


async def test_the_add_button_checks_the_commune(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.OTHER_CHAIR)
    await chair.send("/help")
    await chair.press_data(f"brnew:add:{world.commune.id}")  # not their commune
    assert "không hợp lệ" in chair.callback_answers[-1]
    await chair.press_data(f"brnew:add:{world.branch.id}")  # not a commune
    assert "không hợp lệ" in chair.callback_answers[-1]
    await chair.send("Thôn Lạ")
    assert "Xin lỗi, tôi chưa hiểu" in chair.last_text
    assert [u.name for u in await unit_store.children(bot.db, world.commune.id)] == [
        "Thôn Đông",
        "Thôn Tây",
    ]


async def test_someone_who_cannot_add_is_told_whom_to_ask(
    fake: FakeBotApi, bot: BotUnderTest, world: World, volunteer: FakeUser
) -> None:
    """What a picker shows on an empty commune to someone who may not add branches (no flow
    shows a volunteer a picker today: the hook says it all the same)."""
    vi = translator("vi")
    ask = branch_adding.when_empty(bot.db, vi, VOLUNTEER, (Level.BRANCH,))
    told = await ask(world.commune)
    assert not told.rows
    assert f"Chủ Tịch Xã (chủ tịch hội {unit_title(vi, world.commune)})" in told.text
    assert "/chihoi" in told.text
    third = (await unit_store.children(bot.db, world.district.id))[2]  # no chair of its own
    assert "Chủ Tịch Huyện (chủ tịch hội Huyện Đông Hưng)" in (await ask(third)).text
    chair = branch_adding.when_empty(bot.db, vi, World.CHAIR, (Level.BRANCH,))
    offered = await chair(world.commune)
    assert [[b.text for b in row] for row in offered.rows] == [["➕ Thêm chi hội ở đây"]]
    assert not (await chair(world.district)).rows  # communes are not added here
    commune_level = branch_adding.when_empty(bot.db, vi, World.CHAIR, (Level.COMMUNE,))
    assert not (await commune_level(world.commune)).rows
