"""A commune chair renames and closes branches in /branches (/chihoi): a renamed branch is still
found by its old name; a closed one is offered nowhere, keeps its records, still counts in
last year's statistics, and its people are told and can report there no more."""

from __future__ import annotations

from datetime import date

from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.services import counters
from bot.storage import units as unit_store
from bot.storage.models import Role
from bot.text import fold
from tests.conftest import person
from tests.e2e.conftest import VOLUNTEER, BotUnderTest, World, step_prefix
from tests.e2e.test_branches import to_branch_question
from tests.e2e.test_members import add_member

SCREEN = ["✏ Đổi tên", "🔒 Đóng chi hội", "⬅ Quay lại"]


def _without_clock(text: str) -> str:
    """The answer without lines that name today's date (not a figure)."""
    return "\n".join(line for line in text.splitlines() if "2026" not in line)


ERROR = "sự cố"  # the error handler's apology: never seen


async def open_branch(chair: FakeUser, name: str) -> None:
    await chair.send("/chihoi")
    await chair.press(f"🏘 {name}")


async def names(bot: BotUnderTest, world: World) -> list[str]:
    return [u.name for u in await unit_store.children(bot.db, world.commune.id)]


async def test_a_branch_renamed_is_still_found_by_its_old_name(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.CHAIR)
    await chair.send("/branches")
    assert "Bấm vào một chi hội để đổi tên hoặc đóng chi hội." in chair.last_text
    assert chair.buttons == ["🏘 Thôn Đông", "🏘 Thôn Tây", "➕ Thêm chi hội", "✔ Xong"]
    await chair.press("🏘 Thôn Đông")
    assert "Chi hội Thôn Đông (Thôn)" in chair.last_text
    assert chair.buttons == SCREEN
    await chair.press("✏ Đổi tên")
    assert "Tên mới của Chi hội Thôn Đông là gì?" in chair.last_text
    assert chair.buttons == ["⬅ Quay lại", "✖ Hủy"]
    await chair.send("T")
    assert "từ 2 đến 120 ký tự" in chair.last_text and "Tên mới của" in chair.last_text
    await chair.send("thon tay")  # the other branch's name, without diacritics
    assert "đã có chi hội tên thon tay" in chair.last_text and "Tên mới của" in chair.last_text
    await chair.send("Xóm Mới")
    assert "✅ Chi hội Thôn Đông nay mang tên Xóm Mới" in chair.last_text
    assert await names(bot, world) == ["Thôn Tây", "Xóm Mới"]
    renamed = await unit_store.get(bot.db, world.branch.id)
    assert renamed is not None and renamed.name == "Xóm Mới" and renamed.active
    assert [a.name for a in await unit_store.aliases(bot.db, renamed)] == ["Thôn Đông"]
    audit = await bot.db.fetchall(
        "SELECT actor_id, before, after FROM audit_log WHERE action = 'rename'"
    )
    assert len(audit) == 1 and audit[0]["actor_id"] == World.CHAIR
    assert "Thôn Đông" in audit[0]["before"] and "Xóm Mới" in audit[0]["after"]
    # Its old name is a name of the commune's no other branch may take.
    await chair.press("🏘 Thôn Tây")
    await chair.press("✏ Đổi tên")
    await chair.send("Thôn Đông")
    assert "đã có chi hội tên Thôn Đông" in chair.last_text
    await chair.press("✖ Hủy")
    assert await names(bot, world) == ["Thôn Tây", "Xóm Mới"]
    # The branch screen names its former name.
    await open_branch(chair, "Xóm Mới")
    assert "Tên cũ: Thôn Đông" in chair.last_text
    await chair.press("⬅ Quay lại")
    await chair.press("✔ Xong")

    # A form's picker finds it by the old name.
    await to_branch_question(chair)
    await chair.send("thon dong")
    hit = next(label for label in chair.buttons if "Thôn Đông" in label)
    assert "Xóm Mới" in hit
    await chair.press(hit)
    assert "Ngày vào hội" in chair.last_text
    draft = bot.application.user_data[chair.id]["member"]["values"]  # type: ignore[union-attr]
    assert draft["unit_id"] == world.branch.id
    # Registration offers it under its new name.
    newcomer = fake.user(4001)
    await newcomer.send("/start")
    await newcomer.press("✅ Tôi đồng ý")
    await newcomer.send("Bùi Thị Hạnh")
    await newcomer.press("Đông Hưng")
    await newcomer.send(fold(world.commune.name))
    await newcomer.press(world.commune.name)
    assert "Xóm Mới" in newcomer.buttons and "Thôn Đông" not in newcomer.buttons


async def test_a_closed_branch_keeps_its_records_and_last_year(
    fake: FakeBotApi, bot: BotUnderTest, world: World, volunteer: FakeUser
) -> None:
    chair, admin = fake.user(World.CHAIR), fake.user(World.ADMIN)
    await add_member(volunteer, "Hoàng Thị Lan", "1965")  # joined today, on Thôn Đông
    await bot.db.execute("UPDATE member SET joined_on = '2025-03-01'")  # joined last year
    assert await counters.rebuild(bot.db)  # the counters follow the change of date

    async def last_year() -> tuple[str, str]:
        await chair.send("/stats 2025")
        commune = chair.last_text
        await admin.send("/stats 2025")
        return commune, admin.last_text

    before = await last_year()
    assert "chi hội: 2" in before[0] and "Hội viên: 1" in before[0]

    await open_branch(chair, "Thôn Đông")
    assert "Số người có vai trò ở chi hội: 1" in chair.last_text
    await chair.press("🔒 Đóng chi hội")
    confirm = chair.last_text
    assert "Đóng Chi hội Thôn Đông từ hôm nay (28/11/2026)?" in confirm
    assert "Số người có vai trò ở chi hội: 1. Họ sẽ được báo" in confirm
    assert chair.buttons == ["🔒 Có, đóng chi hội", "⬅ Không, giữ lại"]
    close_step = step_prefix(chair)
    await chair.press("🔒 Có, đóng chi hội")
    assert "🔒 Đã đóng Chi hội Thôn Đông. Số người được báo: 1." in chair.last_text
    assert await names(bot, world) == ["Thôn Tây"]
    closed = await unit_store.get(bot.db, world.branch.id)
    assert closed is not None and not closed.active and closed.valid_to == date(2026, 11, 28)
    audit = await bot.db.fetchall("SELECT actor_id FROM audit_log WHERE action = 'close'")
    assert [row[0] for row in audit] == [World.CHAIR]
    # Its volunteer is told, in their language, what stays and whom to ask.
    told = volunteer.last_text
    assert told.startswith("🔒 Chi hội Thôn Đông, xã An Châu đã đóng từ ngày 28/11/2026.")
    assert "Hãy nhờ Chủ Tịch Xã (chủ tịch hội Xã An Châu) giao cho bạn vai trò" in told
    # The old "yes" does nothing more.
    await chair.press_data(f"{close_step}:yes")
    assert "chưa có gì thay đổi" in chair.callback_answers[-1]
    assert len(await bot.db.fetchall("SELECT 1 FROM audit_log WHERE action = 'close'")) == 1
    await chair.press("✔ Xong")

    # Its records stay; last year's statistics still count the branch and its member.
    row = await bot.db.fetchone("SELECT unit_id, status FROM member")
    assert row is not None and tuple(row) == (world.branch.id, "active")
    after = await last_year()
    assert _without_clock(after[0]) == _without_clock(before[0])
    assert _without_clock(after[1]) == _without_clock(before[1])
    await chair.send("/stats")
    assert "chi hội: 1" in chair.last_text  # not this year's
    assert await counters.recompute(bot.db) == []

    # A new report on it is refused, saying whom to ask; reading still works.
    await volunteer.send("/member")
    refused = volunteer.last_text
    assert "Chi hội Thôn Đông đã đóng từ ngày 28/11/2026 nên không nhận báo cáo mới." in refused
    assert "Hãy nhờ Chủ Tịch Xã" in refused
    assert "member" not in (bot.application.user_data[VOLUNTEER] or {})  # type: ignore[union-attr]
    await volunteer.send("/myreports")
    assert "Hoàng Thị Lan" in volunteer.last_text
    await volunteer.send("/stats")
    assert ERROR not in volunteer.last_text and "Thôn Đông" in volunteer.last_text

    # Offered nowhere: a form takes the commune's only branch left without asking, and
    # registration lists only that one.
    await chair.send("/member")
    await chair.send("Nguyễn Thị Hoa")
    await chair.press("Nữ")
    await chair.send("1960")
    assert "Ngày vào hội" in chair.last_text
    assert bot.application is not None
    west = (await unit_store.children(bot.db, world.commune.id))[0]
    assert bot.application.user_data[chair.id]["member"]["values"]["unit_id"] == west.id
    await chair.send("/cancel")
    newcomer = fake.user(4001)
    await newcomer.send("/start")
    await newcomer.press("✅ Tôi đồng ý")
    await newcomer.send("Bùi Thị Hạnh")
    await newcomer.press("Đông Hưng")
    await newcomer.send(fold(world.commune.name))
    await newcomer.press(world.commune.name)
    assert "Thôn Tây" in newcomer.buttons
    assert not any("Thôn Đông" in label for label in newcomer.buttons)
    await newcomer.send("thon dong")
    assert not any("Thôn Đông" in label for label in newcomer.buttons)


async def test_old_and_forged_branch_buttons_change_nothing(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.CHAIR)
    await open_branch(chair, "Thôn Tây")
    screen = step_prefix(chair)
    await chair.press("✏ Đổi tên")
    await chair.press_data(f"{screen}:cl")  # the screen's 🔒, pressed after ✏
    assert "chưa có gì thay đổi" in chair.callback_answers[-1]
    await chair.press("⬅ Quay lại")
    assert chair.buttons == SCREEN
    await chair.press("⬅ Quay lại")  # the list
    listing = step_prefix(chair)
    await chair.press_data(f"{listing}:b:{world.other_branch.id}")  # another commune's
    assert "Chi hội này không còn nữa." in chair.last_text and "Thôn Tây" in chair.last_text
    other = fake.user(World.OTHER_CHAIR)
    await other.send("/branches")
    await other.press_data(f"{step_prefix(other)}:b:{world.branch.id}")  # not theirs either
    assert "Chi hội này không còn nữa." in other.last_text and "Thôn Bắc" in other.last_text
    assert await names(bot, world) == ["Thôn Đông", "Thôn Tây"]
    assert (
        await bot.db.fetchall("SELECT 1 FROM audit_log WHERE action IN ('rename', 'close')") == []
    )


async def test_a_closed_branch_cannot_be_closed_or_renamed_again(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair, second = fake.user(World.CHAIR), fake.user(32)
    await person(bot.db, 32, Role.COMMUNE_CHAIR, world.commune, "Phó Chủ Tịch Xã")
    await open_branch(second, "Thôn Tây")
    await second.press("🔒 Đóng chi hội")  # asks, then waits
    await open_branch(chair, "Thôn Tây")
    await chair.press("🔒 Đóng chi hội")
    await chair.press("🔒 Có, đóng chi hội")
    await second.press("🔒 Có, đóng chi hội")  # the other chair was quicker
    assert "Chi hội này đã được đóng rồi." in second.last_text
    assert len(await bot.db.fetchall("SELECT 1 FROM audit_log WHERE action = 'close'")) == 1


async def test_every_question_has_a_way_out_and_cancel_leaves(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.CHAIR)
    await open_branch(chair, "Thôn Tây")
    await chair.press("🔒 Đóng chi hội")
    await chair.press("⬅ Không, giữ lại")
    assert chair.buttons == SCREEN
    await chair.press("✏ Đổi tên")
    await chair.send("/cancel")
    assert "Đã hủy" in chair.last_text
    await chair.send("Xóm Chùa")  # the dialog is over: not a name any more
    assert "Xin lỗi, tôi chưa hiểu" in chair.last_text
    assert await names(bot, world) == ["Thôn Đông", "Thôn Tây"]


async def test_rename_over_a_form_asks_first_and_gets_the_typed_name(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.CHAIR)
    await chair.send("/member")
    await chair.send("Nguyễn Thị Hoa")
    await chair.send("/chihoi")
    assert "Bạn chưa làm xong: Hội viên mới" in chair.last_text
    await chair.press("⏸ Tạm gác")
    await chair.press("🏘 Thôn Tây")
    await chair.press("✏ Đổi tên")
    await chair.send("Xóm Giữa")  # reaches the rename, not the member's gender question
    assert "✅ Chi hội Thôn Tây nay mang tên Xóm Giữa" in chair.last_text
    assert await names(bot, world) == ["Thôn Đông", "Xóm Giữa"]
    assert bot.application is not None
    aside = bot.application.user_data[chair.id]["screen"]["aside"]
    assert [d["data"]["values"] for d in aside] == [{"full_name": "Nguyễn Thị Hoa"}]
