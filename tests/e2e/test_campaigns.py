"""/campaigns for the province admin, /reminders for everyone."""

from __future__ import annotations

from datetime import date

from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.storage import campaigns as campaign_store
from bot.storage import people
from tests.e2e.conftest import VOLUNTEER, BotUnderTest, World


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
    assert "Đã lưu: Tuần lễ học tập suốt đời, 01/12/2026 – 07/12/2026" in admin.last_text

    await admin.send("/campaigns")
    await admin.press_data(f"cp:o:{(await xuan(bot)).id}")
    await admin.press("📅 Đổi ngày")
    await admin.send("29/01/2027")
    await admin.send("21/02/2027")
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
