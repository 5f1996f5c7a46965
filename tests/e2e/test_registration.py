"""Registration as people do it: /start, buttons, typed filters, a chair's approval, invites."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import VIETNAMESE_COMMANDS
from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.storage import people
from bot.storage import units as unit_store
from bot.text import fold
from tests.e2e.conftest import BotUnderTest, World, step_prefix

AGREE = "✅ Tôi đồng ý"


async def start_registering(user: FakeUser, text: str = "/start") -> None:
    """/start, and the privacy notice accepted if it is asked (once per person)."""
    await user.send(text)
    if AGREE in user.buttons:
        await user.press(AGREE)


async def register_until_request(user: FakeUser, world: World, name: str = "Nguyễn Văn An") -> None:
    await user.send("/start")
    assert "Luật Bảo vệ dữ liệu cá nhân" in user.last_text  # the notice comes first
    await user.press(AGREE)
    assert "họ và tên" in user.last_text
    await user.send(name)
    assert "huyện hoặc thành phố" in user.last_text
    assert "Đông Hưng" in user.buttons and "Kiến Xương" in user.buttons
    await user.send("dong hu")  # typing part of a name, without diacritics, filters the buttons
    assert user.buttons[:1] == ["Đông Hưng"]
    await user.press("Đông Hưng")
    assert "Xã, phường hoặc thị trấn nào của Huyện Đông Hưng" in user.last_text
    await user.send(fold(world.commune.name))
    await user.press(world.commune.name)
    assert "chi hội nào" in user.last_text
    assert set(user.buttons) >= {"Thôn Đông", "Thôn Tây"}
    await user.press("Thôn Đông")


async def test_self_registration_approved_by_commune_chair(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    volunteer = fake.user(1001)
    await register_until_request(volunteer, world)
    assert "đang chờ duyệt" in volunteer.last_text

    chair = fake.user(World.CHAIR)
    assert "Yêu cầu đăng ký mới" in chair.last_text
    assert "Nguyễn Văn An" in chair.last_text and "Chi hội Thôn Đông" in chair.last_text
    assert fake.user(World.OTHER_CHAIR).messages == []  # another commune's chair is not asked
    assert fake.user(World.DISTRICT_CHAIR).messages == []  # the commune has its own chair

    await chair.press("✅ Duyệt")
    assert "✅ Đã duyệt" in chair.last_text
    assert "đã được duyệt" in volunteer.last_text
    assert "❓ Trợ giúp" in volunteer.reply_keyboard
    assert "📨 Mời tham gia" not in volunteer.reply_keyboard  # volunteers invite nobody

    grants = await people.grants_of(bot.db, 1001)
    assert [(g.role.value, g.unit.id) for g in grants] == [("volunteer", world.branch.id)]
    user = await people.get_user(bot.db, 1001)
    assert user is not None and user.full_name == "Nguyễn Văn An"

    await volunteer.send("/start")
    assert "Chào mừng Nguyễn Văn An trở lại" in volunteer.last_text


async def test_pending_and_unknown_users_can_do_nothing_else(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    stranger = fake.user(999)
    await stranger.send("xin chào")
    assert "Bạn chưa đăng ký" in stranger.last_text
    await stranger.send("/invite")
    assert "Bạn chưa đăng ký" in stranger.last_text
    await stranger.press_data("inv:r:volunteer")
    assert "Bạn chưa đăng ký" in stranger.callback_answers[-1]
    await stranger.send("/branches")
    assert "Bạn chưa đăng ký" in stranger.last_text

    waiting = fake.user(1002)
    await register_until_request(waiting, world, "Trần Thị Bình")
    await waiting.send("/invite")
    assert "đang chờ chủ tịch hội duyệt" in waiting.last_text
    await waiting.send("/start")
    assert "đang chờ chủ tịch hội duyệt" in waiting.last_text
    rows = await bot.db.fetchall("SELECT status FROM registration_request WHERE telegram_id = 1002")
    assert [r[0] for r in rows] == ["pending"]


async def test_rejection_is_told_to_the_applicant(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    applicant = fake.user(1003)
    await register_until_request(applicant, world, "Lê Văn Cường")
    chair = fake.user(World.CHAIR)
    await chair.press("❌ Từ chối")
    assert "❌ Đã từ chối" in chair.last_text
    assert "không được chấp thuận" in applicant.last_text
    assert await people.grants_of(bot.db, 1003) == []
    await applicant.send("/start")  # may try again
    assert "họ và tên" in applicant.last_text


async def test_chair_outside_the_scope_cannot_approve_even_with_forged_data(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    applicant = fake.user(1004)
    await register_until_request(applicant, world, "Phạm Văn Dũng")
    request = await people.pending_request_of(bot.db, 1004)
    assert request is not None
    other = fake.user(World.OTHER_CHAIR)
    await other.send("/help")  # a message of the bot to attach the forged button to
    await other.press_data(f"regd:ok:{request.id}")
    assert "ngoài phạm vi" in other.callback_answers[-1]
    volunteer_elsewhere = fake.user(1005)  # a volunteer of another commune
    await bot.db.execute("INSERT INTO app_user (telegram_id) VALUES (1005)")
    await bot.db.execute(
        "INSERT INTO role_grant (telegram_id, role, unit_id) VALUES (1005, 'volunteer', ?)",
        (world.other_branch.id,),
    )
    await volunteer_elsewhere.send("/help")
    await volunteer_elsewhere.press_data(f"regd:ok:{request.id}")
    assert "ngoài phạm vi" in volunteer_elsewhere.callback_answers[-1]
    await other.press_data("regd:ok:not-a-number")
    assert "không hợp lệ" in other.callback_answers[-1]
    still = await people.pending_request_of(bot.db, 1004)
    assert still is not None
    assert await people.grants_of(bot.db, 1004) == []
    # The district chair covers the commune and may decide.
    district_chair = fake.user(World.DISTRICT_CHAIR)
    await district_chair.send("/help")
    await district_chair.press_data(f"regd:ok:{request.id}")
    assert "đã được duyệt" in applicant.last_text


async def invite_link(chair: FakeUser, role_label: str, *picks: str) -> str:
    await chair.send("/invite")
    assert "Bạn muốn mời ai" in chair.last_text
    await chair.press(role_label)
    for label in picks:
        await chair.press(label)
    match = re.search(r"https://t\.me/khuyenhoc_bot\?start=([A-Za-z0-9_-]+)", chair.last_text)
    assert match, chair.last_text
    return match.group(1)


async def test_invite_link_registers_with_its_role(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.CHAIR)
    code = await invite_link(chair, "Chi hội trưởng", "Thôn Tây")
    assert "chỉ dùng được một lần" in chair.last_text

    newcomer = fake.user(2001)
    await newcomer.send(f"/start {code}")
    assert "được mời làm Chi hội trưởng" in newcomer.last_text
    assert "Luật Bảo vệ dữ liệu cá nhân" in newcomer.last_text
    await newcomer.press(AGREE)
    assert "được mời làm Chi hội trưởng" in newcomer.last_text
    await newcomer.send("1234")
    assert "chỉ gồm chữ cái" in newcomer.last_text
    await newcomer.send("Hoàng Thị Mai")
    assert "Bạn đã là Chi hội trưởng" in newcomer.last_text
    assert "❓ Trợ giúp" in newcomer.reply_keyboard
    grants = await people.grants_of(bot.db, 2001)
    assert [(g.role.value, g.unit.name) for g in grants] == [("branch_head", "Thôn Tây")]

    reuser = fake.user(2002)
    await reuser.send(f"/start {code}")
    assert "đã được sử dụng" in reuser.last_text
    assert await people.grants_of(bot.db, 2002) == []


async def test_district_chair_invites_a_commune_chair(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.DISTRICT_CHAIR)
    await chair.send("/invite")
    assert "Chủ tịch Hội Khuyến học cấp huyện" not in chair.buttons  # only roles below their own
    await chair.press("Chủ tịch Hội Khuyến học xã")
    await chair.send(fold(world.other_commune.name))
    await chair.press(world.other_commune.name)
    assert "t.me/khuyenhoc_bot?start=" in chair.last_text


async def test_expired_and_unknown_invites_are_refused(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    code = await invite_link(fake.user(World.CHAIR), "Cộng tác viên", "Thôn Đông")
    bot.advance(timedelta(days=7, minutes=1))
    late = fake.user(2003)
    await late.send(f"/start {code}")
    assert "đã hết hạn" in late.last_text
    await late.send("/start made-up-code")
    assert "không hợp lệ" in late.last_text
    assert await people.grants_of(bot.db, 2003) == []


async def test_volunteer_cannot_invite_or_manage_branches(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    code = await invite_link(fake.user(World.CHAIR), "Cộng tác viên", "Thôn Đông")
    volunteer = fake.user(2004)
    await start_registering(volunteer, f"/start {code}")
    await volunteer.send("Đỗ Văn Hùng")
    await volunteer.send("/invite")
    assert "Chỉ chủ tịch hội" in volunteer.last_text
    await volunteer.send("/branches")
    assert "Chỉ chủ tịch hội" in volunteer.last_text
    await volunteer.press_data("inv:r:volunteer")
    assert volunteer.callback_answers[-1]  # refused, never acted upon
    created = await bot.db.fetchall("SELECT code FROM invite WHERE created_by = 2004")
    assert created == []


async def test_language_switches_the_texts(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.CHAIR)
    await chair.send("/language")
    await chair.press("🇬🇧 English")
    assert "Language set to English." in chair.texts
    assert "📨 Invite people" in chair.reply_keyboard
    await chair.send("/help")
    assert "What you can do" in chair.last_text
    await chair.press("🌐 Language")
    await chair.press("🇻🇳 Tiếng Việt")
    assert "Đã chuyển sang Tiếng Việt." in chair.texts
    await chair.send("/help")
    assert "Bạn có thể" in chair.last_text
    stored = await people.get_user(bot.db, World.CHAIR)
    assert stored is not None and stored.language == "vi"


async def test_cancel_mid_registration_saves_nothing(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    user = fake.user(1010)
    await start_registering(user)
    await user.send("Vũ Thị Lan")
    await user.press("Đông Hưng")
    await user.send("/cancel")
    assert "Đã hủy đăng ký" in user.last_text
    assert await people.pending_request_of(bot.db, 1010) is None
    await user.send("Thôn Đông")
    assert "Bạn chưa đăng ký" in user.last_text


async def test_bad_answers_keep_the_question(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    user = fake.user(1011)
    await start_registering(user)
    await user.send("A")
    assert "quá ngắn" in user.last_text
    await user.send("x" * 150)
    assert "quá dài" in user.last_text
    await user.send("Ngô Văn Phúc")
    await user.send("zzzz")
    assert 'Không có tên nào chứa "zzzz"' in user.last_text
    await user.press("✖ Bỏ lọc")
    assert "Đông Hưng" in user.buttons
    await user.press_data(f"{step_prefix(user)}:u:999999")  # forged: not a district here
    assert "không còn" in user.callback_answers[-1]
    await user.press("Đông Hưng")
    await user.press("Trang sau ▶")
    await user.press("◀ Trang trước")
    await user.press("⬅ Quay lại")
    assert "huyện hoặc thành phố" in user.last_text


async def test_restart_in_the_middle_of_registration_resumes(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    user = fake.user(1012)
    await start_registering(user)
    await user.send("Đinh Văn Quang")
    await user.press("Đông Hưng")
    await bot.stop()
    await bot.start()
    await user.send(fold(world.commune.name))
    await user.press(world.commune.name)
    await user.press("Thôn Đông")
    assert "đang chờ duyệt" in user.last_text
    request = await people.pending_request_of(bot.db, 1012)
    assert request is not None and request.full_name == "Đinh Văn Quang"


async def test_chair_who_blocked_the_bot_is_marked_unreachable(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    fake.block(World.CHAIR)
    user = fake.user(1013)
    await register_until_request(user, world, "Mai Văn Sơn")
    assert "đang chờ duyệt" in user.last_text
    chair = await people.get_user(bot.db, World.CHAIR)
    assert chair is not None and not chair.reachable


async def test_failure_is_reported_politely(
    fake: FakeBotApi, bot: BotUnderTest, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.services import registration

    async def broken(*_: object, **__: object) -> None:
        raise RuntimeError("disk on fire")

    user = fake.user(1014)
    await start_registering(user)
    await user.send("Trịnh Văn Tú")
    monkeypatch.setattr(registration, "submit_request", broken)
    await user.press("Đông Hưng")
    await user.send(fold(world.commune.name))
    await user.press(world.commune.name)
    await user.press("Thôn Đông")
    assert "hệ thống vừa gặp sự cố" in user.last_text
    assert "Traceback" not in "".join(user.texts) and "disk on fire" not in "".join(user.texts)
    monkeypatch.undo()
    await user.press("Thôn Đông")  # the answers given so far are kept: one more tap finishes
    assert "đang chờ duyệt" in user.last_text


async def test_command_menu_is_published_in_both_languages(
    fake: FakeBotApi, bot: BotUnderTest
) -> None:
    by_language = {key[1]: value for key, value in fake.my_commands.items()}
    vietnamese = {c["command"]: c["description"] for c in by_language[""]}
    english = {c["command"]: c["description"] for c in by_language["en"]}
    assert vietnamese["start"] == "Đăng ký hoặc mở bàn phím chức năng"
    assert english["start"] == "Register or open the main menu"
    assert set(english) >= {"start", "help", "invite", "language", "cancel", "broadcast"}
    # The Vietnamese menu names the Vietnamese aliases, one for each English command.
    assert set(vietnamese) == {VIETNAMESE_COMMANDS.get(name, name) for name in english}
    assert {"start", "trogiup", "moi", "ngonngu", "huy", "hoivien", "thongbao"} <= set(vietnamese)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(answer=st.text(min_size=1, max_size=300))
async def test_any_text_at_the_name_and_filter_steps_gets_an_answer(
    fake: FakeBotApi, bot: BotUnderTest, answer: str
) -> None:
    user = fake.user(1500)
    await start_registering(user)
    for _ in range(3):  # the name step, then (if accepted) the district filter
        await user.send(answer)
        assert user.new_texts, "the bot must always answer"
        assert not any("sự cố" in text for text in user.new_texts)
    await user.send("/cancel")


# ---------------------------------------------------------------- the registration dialog


def registration_draft(bot: BotUnderTest, user: FakeUser) -> dict[str, object]:
    assert bot.application is not None
    found: dict[str, object] = bot.application.user_data[user.id].get("registration", {})
    return found


def on_screen(bot: BotUnderTest, user: FakeUser) -> list[str]:
    assert bot.application is not None
    screen = bot.application.user_data[user.id].get("screen") or {}
    return [str(frame["dialog"]) for frame in screen.get("stack", [])]


async def test_an_old_registration_button_changes_nothing(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    user = fake.user(1020)
    await start_registering(user)
    await user.send("Lý Văn Hải")
    districts = user.last
    assert districts is not None and "huyện hoặc thành phố" in districts.content
    old = next(b for b in districts.inline_buttons if b["text"] == "Kiến Xương")
    await user.send("dong hu")  # a new list: the first one's buttons are out of date now
    await user.press_data(str(old["callback_data"]), districts.message_id)
    assert "chưa có gì thay đổi" in user.callback_answers[-1]
    draft = registration_draft(bot, user)
    assert draft["step"] == "pick" and draft["trail"] == []  # still at the first list
    await user.press("Đông Hưng")  # the list on screen still works
    assert "Xã, phường hoặc thị trấn nào của Huyện Đông Hưng" in user.last_text


async def test_start_while_a_form_with_answers_waits_asks_first(
    fake: FakeBotApi, bot: BotUnderTest, volunteer: FakeUser
) -> None:
    await volunteer.send("/member")
    await volunteer.send("Nguyễn Văn Bình")
    await volunteer.send("/start")
    assert "Bạn chưa làm xong: Hội viên mới" in volunteer.last_text
    assert volunteer.buttons == ["▶ Làm tiếp: Hội viên mới", "⏸ Tạm gác, bắt đầu: Đăng ký"]
    await volunteer.press("▶ Làm tiếp")
    assert "Nam hay nữ" in volunteer.last_text
    await volunteer.send("/start")
    await volunteer.press("⏸ Tạm gác")
    welcome, notice = volunteer.new_texts  # registered: the menu (and, once, the notice)
    assert "Chào mừng Lê Thị Cúc trở lại" in welcome and "Luật Bảo vệ" in notice
    assert on_screen(bot, volunteer) == []


async def test_someone_whose_role_was_removed_mid_form_registers_again(
    fake: FakeBotApi, bot: BotUnderTest, volunteer: FakeUser
) -> None:
    """The form asks first; putting it aside starts registration, which gets the typed name."""
    await volunteer.send("/member")
    await volunteer.send("Nguyễn Văn Bình")
    await bot.db.execute("DELETE FROM role_grant WHERE telegram_id = ?", (volunteer.id,))
    await volunteer.send("/start")
    assert "Bạn chưa làm xong: Hội viên mới" in volunteer.last_text
    await volunteer.press("⏸ Tạm gác")
    assert "Luật Bảo vệ dữ liệu cá nhân" in volunteer.last_text  # registered before it
    await volunteer.press(AGREE)
    assert "họ và tên" in volunteer.last_text
    assert on_screen(bot, volunteer) == ["registration"]
    await volunteer.send("Lê Thị Cúc")  # to the registration, not to the member form
    assert "Cảm ơn Lê Thị Cúc" in volunteer.last_text
    assert "huyện hoặc thành phố" in volunteer.last_text
    assert registration_draft(bot, volunteer)["name"] == "Lê Thị Cúc"


async def test_cancel_inside_registration_leaves_nothing_under_way(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    user = fake.user(1021)
    await start_registering(user)
    await user.send("Vũ Thị Lan")
    await user.press("Đông Hưng")
    assert on_screen(bot, user) == ["registration"]
    await user.send("/huy")
    assert "Đã hủy đăng ký" in user.last_text
    assert on_screen(bot, user) == [] and registration_draft(bot, user) == {}
    await user.send("/stats")  # no longer registering: the gate says to register
    assert "Bạn chưa đăng ký" in user.last_text
    await user.send("Vũ Thị Lan")
    assert "Bạn chưa đăng ký" in user.last_text
    assert await people.pending_request_of(bot.db, 1021) is None


async def test_every_registration_question_has_a_way_out(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    user = fake.user(1022)
    await user.send("/start")
    assert user.buttons == [AGREE, "✖ Không, thoát"]  # the privacy notice
    await user.press("✖ Không, thoát")
    assert "Đã hủy đăng ký" in user.last_text and on_screen(bot, user) == []
    await user.send("/start")
    await user.press(AGREE)
    assert "✖ Hủy" in user.buttons  # the name question
    await user.press("✖ Hủy")
    assert "Đã hủy đăng ký" in user.last_text and on_screen(bot, user) == []

    await start_registering(user)
    await user.send("Hồ Văn Nam")
    assert "✖ Hủy" in user.buttons  # districts
    await user.press("Đông Hưng")
    assert "✖ Hủy" in user.buttons and "⬅ Quay lại" in user.buttons  # communes
    empty = (await unit_store.children(bot.db, world.district.id))[2]  # no branches yet
    await user.send(fold(empty.name))
    await user.press(empty.name)
    assert "chưa có chi hội nào" in user.last_text
    assert user.buttons == ["➕ Chi hội của tôi không có trong danh sách", "⬅ Quay lại", "✖ Hủy"]
    await user.press("⬅ Quay lại")
    assert "Xã, phường hoặc thị trấn nào" in user.last_text
    await user.send(fold(world.commune.name))
    await user.press(world.commune.name)
    assert "✖ Hủy" in user.buttons and "⬅ Quay lại" in user.buttons  # branches
    await user.press("✖ Hủy")
    assert "Đã hủy đăng ký" in user.last_text
    assert await people.pending_request_of(bot.db, 1022) is None

    code = await invite_link(fake.user(World.CHAIR), "Cộng tác viên", "Thôn Đông")
    await user.send(f"/start {code}")
    assert "được mời làm Cộng tác viên" in user.last_text and user.buttons == ["✖ Hủy"]
    await user.press("✖ Hủy")
    assert "Đã hủy đăng ký" in user.last_text
    assert await people.grants_of(bot.db, 1022) == []
