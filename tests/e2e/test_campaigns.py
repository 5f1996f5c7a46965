"""/campaigns for the province admin, /reminders for everyone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.storage import campaigns as campaign_store
from bot.storage import people
from handlers.campaigns import reminder_job
from tests.e2e.conftest import VOLUNTEER, BotUnderTest, World, step_prefix
from tests.e2e.test_broadcast import delivered, last_broadcast
from tests.e2e.test_members import add_member


async def test_admin_sees_changes_adds_and_ends_campaigns(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    admin = fake.user(World.ADMIN)
    await admin.send("/campaigns")
    assert "Tháng Khuyến học: 01/10/2026 – 31/10/2026 (đã kết thúc)" in admin.last_text
    assert "Xuân Khuyến học: 30/01/2027 – 20/02/2027 (sắp diễn ra)" in admin.last_text
    await admin.press("➕ Thêm chiến dịch")
    await admin.send("X")
    assert "từ 2 đến 100 ký tự" in admin.last_text
    await admin.send("Tuần lễ học tập suốt đời")
    await admin.send("01/12/2026")
    await admin.send("hôm nay")  # before the start: explained, asked again
    assert "sớm hơn ngày bắt đầu" in admin.last_text
    await admin.send("07/12/2026")
    assert "Lưu chiến dịch này?" in admin.last_text  # nothing saved before the press
    assert "Tuần lễ học tập suốt đời" not in await campaign_names(bot)
    await admin.press("✅ Lưu")
    assert "Đã lưu: Tuần lễ học tập suốt đời, 01/12/2026 – 07/12/2026" in admin.last_text

    await admin.send("/campaigns")
    await admin.press_data(f"cp:o:{(await xuan(bot)).id}")
    await admin.press("📅 Đổi ngày")
    await admin.send("29/01/2027")
    await admin.send("21/02/2027")
    await admin.press("✅ Lưu")
    changed = await xuan(bot)
    assert (changed.start_on, changed.end_on) == (date(2027, 1, 29), date(2027, 2, 21))

    custom = (await campaign_store.covering(bot.db, date(2026, 12, 2)))[0]
    await admin.press_data(f"cp:o:{custom.id}")
    assert "⏹ Kết thúc hôm nay" not in admin.buttons  # not started yet
    await admin.press_data(f"cp:x:{custom.id}")
    assert "chưa bắt đầu" in admin.last_text

    await admin.press_data("cp:add")
    await admin.send("Ngày hội đọc sách")
    await admin.send("hôm nay")
    await admin.send("05/12/2026")
    await admin.press("✅ Lưu")
    running = (await campaign_store.covering(bot.db, date(2026, 11, 28)))[0]
    await admin.press_data(f"cp:o:{running.id}")
    await admin.press("⏹ Kết thúc hôm nay")
    assert "Đã lưu: Ngày hội đọc sách, 28/11/2026 – 28/11/2026" in admin.last_text


async def xuan(bot: BotUnderTest) -> campaign_store.CampaignPeriod:
    found = await campaign_store.covering(bot.db, date(2027, 2, 6))
    assert found
    return found[0]


async def test_chairs_cannot_manage_campaigns(fake: FakeBotApi, world: World) -> None:
    chair = fake.user(World.DISTRICT_CHAIR)
    await chair.send("/campaigns")
    assert "Chỉ quản trị cấp tỉnh" in chair.last_text
    await chair.press_data("cp:add")
    assert "Chỉ quản trị cấp tỉnh" in chair.callback_answers[-1]


async def test_reminders_off_and_on(volunteer: FakeUser, bot: BotUnderTest) -> None:
    await volunteer.send("/reminders off")
    assert "Đã tắt nhắc việc" in volunteer.last_text
    stored = await people.get_user(bot.db, VOLUNTEER)
    assert stored is not None and not stored.reminders
    await volunteer.send("/reminders")
    assert "đang tắt" in volunteer.last_text
    await volunteer.send("/reminders on")
    stored = await people.get_user(bot.db, VOLUNTEER)
    assert stored is not None and stored.reminders


def user_data(bot: BotUnderTest, user: FakeUser) -> dict[str, Any]:
    assert bot.application is not None
    found: dict[str, Any] = bot.application.user_data[user.id]
    return found


async def campaign_names(bot: BotUnderTest) -> list[str]:
    rows = await bot.db.fetchall("SELECT name FROM campaign ORDER BY id")
    return [str(row[0]) for row in rows]


async def test_every_campaign_question_has_a_way_out(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    admin = fake.user(World.ADMIN)
    await admin.send("/campaigns")
    await admin.press("➕ Thêm chiến dịch")
    assert "Tên chiến dịch mới?" in admin.last_text
    assert admin.buttons == ["✖ Hủy"]
    await admin.send("X")  # a bad answer: the reason, the same question, the same way out
    assert "từ 2 đến 100 ký tự" in admin.last_text
    assert "Tên chiến dịch mới?" in admin.last_text
    assert admin.buttons == ["✖ Hủy"]
    await admin.send("Tuần lễ học tập suốt đời")
    assert "Ngày bắt đầu?" in admin.last_text
    assert admin.buttons == ["✖ Hủy"]
    await admin.send("ngày mai nữa")
    assert "Ngày bắt đầu?" in admin.last_text
    assert admin.buttons == ["✖ Hủy"]
    await admin.send("01/12/2026")
    assert "Ngày kết thúc?" in admin.last_text
    assert admin.buttons == ["✖ Hủy"]
    await admin.send("01/12/2028")  # more than a year: asked again, the start kept
    assert "tối đa một năm" in admin.last_text
    assert "Ngày kết thúc?" in admin.last_text
    assert user_data(bot, admin)["campaign"]["start"] == "2026-12-01"
    await admin.press("✖ Hủy")
    assert "Đã hủy. Chưa có gì được lưu." in admin.texts[-2]
    assert "campaign" not in user_data(bot, admin)
    assert "Tuần lễ học tập suốt đời" not in await campaign_names(bot)


async def test_an_old_campaign_button_changes_nothing(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    admin = fake.user(World.ADMIN)
    await admin.send("/campaigns")
    await admin.press("➕ Thêm chiến dịch")
    name_question = admin.last
    assert name_question is not None
    old = step_prefix(admin, name_question.message_id)
    await admin.send("Ngày hội đọc sách")
    await admin.press_data(f"{old}:cancel", name_question.message_id)  # ✖ of the name question
    assert "chưa có gì thay đổi" in admin.callback_answers[-1]
    assert user_data(bot, admin)["campaign"]["name"] == "Ngày hội đọc sách"
    await admin.send("01/12/2026")
    await admin.send("05/12/2026")
    await admin.press("✅ Lưu")
    assert "Đã lưu: Ngày hội đọc sách, 01/12/2026 – 05/12/2026" in admin.last_text


async def test_campaign_dates_in_the_middle_of_a_form(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    """Changing a campaign interrupts a form without asking (as it did before the dialogs):
    the dates typed go to the campaign, and the form asks its question again afterwards."""
    admin = fake.user(World.ADMIN)
    await admin.send("/member")
    await admin.send("Nguyễn Văn Bình")
    assert "Nam hay nữ" in admin.last_text
    await admin.send("/campaigns")
    await admin.press_data(f"cp:o:{(await xuan(bot)).id}")
    await admin.press("📅 Đổi ngày")
    assert "Xuân Khuyến học: ngày bắt đầu mới?" in admin.last_text
    await admin.send("29/01/2027")
    assert user_data(bot, admin)["campaign"]["start"] == "2027-01-29"
    assert user_data(bot, admin)["member"]["values"] == {"full_name": "Nguyễn Văn Bình"}
    await admin.send("21/02/2027")
    await admin.press("✅ Lưu")
    texts = admin.new_texts
    assert "Đã lưu: Xuân Khuyến học, 29/01/2027 – 21/02/2027" in texts[0], texts
    assert texts[-1].startswith("Quay lại: Hội viên mới"), texts
    assert "Nam hay nữ" in texts[-1]
    await admin.press("Nam")
    assert user_data(bot, admin)["member"]["values"]["gender"] == "male"


async def test_cancel_inside_the_campaign_dialog(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    admin = fake.user(World.ADMIN)
    await admin.send("/member")
    await admin.send("Nguyễn Văn Bình")
    await admin.send("/chiendich")
    await admin.press("➕ Thêm chiến dịch")
    await admin.send("Ngày hội đọc sách")
    await admin.send("/cancel")
    texts = admin.new_texts
    assert texts[0] == "Đã hủy. Chưa có gì được lưu.", texts
    assert texts[-1].startswith("Quay lại: Hội viên mới"), texts
    assert "campaign" not in user_data(bot, admin)
    assert "Ngày hội đọc sách" not in await campaign_names(bot)
    await admin.send("/cancel")  # now the form's turn
    assert "campaign" not in user_data(bot, admin) and "member" not in user_data(bot, admin)


async def outbox_rows(bot: BotUnderTest) -> int:
    row = await bot.db.fetchone("SELECT count(*) FROM outbox")
    assert row is not None
    return int(row[0])


async def test_a_running_campaign_says_who_it_would_remind_before_anything_is_sent(
    fake: FakeBotApi, bot: BotUnderTest, world: World, volunteer: FakeUser
) -> None:
    """Saving a campaign that is already running sends its reminder at once: the administrator
    sees how many people, when, and the message itself first; and the campaigns it overlaps."""
    await volunteer.send("/start")  # a volunteer who gets reminders
    expected = len(await people.reminder_recipients(bot.db))
    assert expected >= 1
    admin = fake.user(World.ADMIN)
    await admin.send("/campaigns")
    await admin.press("➕ Thêm chiến dịch")
    await admin.send("Tuần lễ học tập suốt đời")
    await admin.send("20/10/2026")  # inside Tháng Khuyến học 2026, still running today
    await admin.send("05/12/2026")
    text = admin.last_text
    assert "Tuần lễ học tập suốt đời: 20/10/2026 – 05/12/2026." in text
    assert "⚠ Trùng thời gian với Tháng Khuyến học (01/10/2026 – 31/10/2026)." in text
    assert f"🔔 {expected} người sẽ nhận tin nhắc, lần đầu ngay khi bạn lưu" in text
    assert "│ " in text and "(chi hội của người nhận)" in text  # the reminder as sent
    assert admin.buttons == ["✅ Lưu", "📅 Chọn ngày khác", "✖ Hủy"]
    before = await outbox_rows(bot)
    await admin.press("📅 Chọn ngày khác")  # back to the start date, the name kept
    assert "Ngày bắt đầu?" in admin.last_text
    await admin.send("01/01/2027")
    await admin.send("10/01/2027")
    text = admin.last_text
    assert "Trùng" not in text
    assert f"🔔 {expected} người sẽ nhận tin nhắc, lần đầu 08:00 01/01/2027" in text
    assert await outbox_rows(bot) == before and "Tuần lễ học tập suốt đời" not in (
        await campaign_names(bot)
    )
    await admin.press("✅ Lưu")
    assert "Đã lưu: Tuần lễ học tập suốt đời, 01/01/2027 – 10/01/2027" in admin.last_text


async def test_a_campaign_without_reminders_to_come_says_so(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    admin = fake.user(World.ADMIN)
    await admin.send("/campaigns")
    await admin.press("➕ Thêm chiến dịch")
    await admin.send("Ngày hội đọc sách")
    await admin.send("01/11/2026")
    await admin.send("10/11/2026")  # over before today: nothing will be sent
    assert "Chiến dịch này sẽ không gửi tin nhắc nào." in admin.last_text


async def tags(bot: BotUnderTest) -> list[int | None]:
    rows = await bot.db.fetchall("SELECT campaign_id FROM member ORDER BY id")
    return [None if row[0] is None else int(row[0]) for row in rows]


async def test_reports_dated_inside_a_campaign_count_for_it_whenever_it_was_made(
    fake: FakeBotApi, bot: BotUnderTest, world: World, volunteer: FakeUser
) -> None:
    """A member who joined on 28/11 is reported before any campaign covers that day; a
    campaign created afterwards for 25/11–31/12 counts them, and moving its dates away
    takes them out again."""
    await add_member(volunteer, "Hoàng Thị Lan", "1965")
    assert await tags(bot) == [None]
    admin = fake.user(World.ADMIN)
    await admin.send("/campaigns")
    await admin.press("➕ Thêm chiến dịch")
    await admin.send("Tuần lễ học tập suốt đời")
    await admin.send("25/11/2026")
    await admin.send("31/12/2026")
    await admin.press("✅ Lưu")
    created = next(
        c for c in await campaign_store.covering(bot.db, date(2026, 11, 28)) if c.key == "custom"
    )
    assert await tags(bot) == [created.id]
    progress = await campaign_store.progress(bot.db, created.id, world.branch.path)
    assert progress.members == 1

    await admin.press_data(f"cp:o:{created.id}")
    await admin.press("📅 Đổi ngày")
    await admin.send("01/12/2026")
    await admin.send("31/12/2026")
    await admin.press("✅ Lưu")
    assert await tags(bot) == [None]


async def test_chairs_are_reminded_of_the_year_s_report_once(
    fake: FakeBotApi, bot: BotUnderTest, world: World, volunteer: FakeUser
) -> None:
    bot.now = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 08:00 on 1 December in Vietnam
    assert bot.application is not None and bot.application.job_queue is not None
    job = bot.application.job_queue.get_jobs_by_name("reminders")[0]
    context = bot.application.context_types.context.from_job(job, bot.application)
    await reminder_job(context)
    await delivered(bot, await last_broadcast(bot))
    chair = fake.user(World.CHAIR)
    assert chair.last_text.startswith(
        "📅 Báo cáo năm 2026 gửi Trung ương Hội Khuyến học Việt Nam hạn trước ngày 15/12/2026."
    )
    assert "/baocao 2026" in chair.last_text
    assert all("Báo cáo năm 2026" not in text for text in volunteer.texts)  # chairs only
    sent = await outbox_rows(bot)
    await reminder_job(context)  # the same day again, as after a restart: nothing new
    assert await outbox_rows(bot) == sent
