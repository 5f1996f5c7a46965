"""Chair broadcasts through the outbox, and a campaign reminder tapped to start a report."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.services import outbox
from bot.storage import people
from bot.storage.models import Role
from handlers.campaigns import reminder_job
from tests.conftest import person
from tests.e2e.conftest import VOLUNTEER, BotUnderTest, World


async def delivered(bot: BotUnderTest, broadcast_id: int) -> outbox.Progress:
    """Wait (bounded) until the deliverer has finished this broadcast."""
    for _ in range(200):
        progress = await outbox.progress(bot.db, broadcast_id)
        if progress.finished:
            await asyncio.sleep(0.3)  # the last progress edit
            return progress
        await asyncio.sleep(0.05)
    raise AssertionError("the broadcast was not delivered")


async def last_broadcast(bot: BotUnderTest) -> int:
    row = await bot.db.fetchone("SELECT max(id) FROM broadcast")
    assert row is not None and row[0] is not None
    return int(row[0])


async def test_commune_chair_broadcasts_inside_the_commune(
    fake: FakeBotApi, bot: BotUnderTest, world: World, volunteer: FakeUser
) -> None:
    await person(bot.db, 50, Role.VOLUNTEER, world.other_branch, "Ở Xã Khác")
    await person(bot.db, 51, Role.BRANCH_HEAD, world.branch, "Chi Hội Trưởng")
    fake.block(51)
    chair = fake.user(World.CHAIR)
    await chair.send("/broadcast")
    assert "Gõ nội dung thông báo" in chair.last_text
    await chair.send("Họp chi hội lúc 8 giờ sáng thứ Hai.")
    await chair.press("👥 Tất cả")
    assert "Thông báo sẽ gửi tới 2 người" in chair.last_text  # the volunteer and the head
    await chair.press("📤 Gửi")
    progress = await delivered(bot, await last_broadcast(bot))
    assert (progress.sent, progress.blocked) == (1, 1)
    assert volunteer.last_text == "Họp chi hội lúc 8 giờ sáng thứ Hai."
    assert fake.user(50).messages == []  # another commune is out of reach
    assert fake.user(World.OTHER_CHAIR).messages == []
    assert any("✅ Đã xong: gửi được 1, lỗi 0, đã chặn bot 1." in t for t in chair.texts)
    head = await people.get_user(bot.db, 51)
    assert head is not None and not head.reachable
    assert fake.duplicate_deliveries() == 0


async def test_district_chair_sends_to_chairs_only(
    fake: FakeBotApi, bot: BotUnderTest, world: World, volunteer: FakeUser
) -> None:
    chair = fake.user(World.DISTRICT_CHAIR)
    await chair.send("/help")
    assert "📣 Gửi thông báo" in chair.reply_keyboard
    await chair.press("📣 Gửi thông báo")
    await chair.send("Nộp báo cáo tháng trước ngày 5.")
    await chair.press("🎖 Chỉ chủ tịch hội")
    assert "tới 2 người" in chair.last_text
    await chair.press("📤 Gửi")
    await delivered(bot, await last_broadcast(bot))
    assert fake.user(World.CHAIR).last_text == "Nộp báo cáo tháng trước ngày 5."
    assert fake.user(World.OTHER_CHAIR).last_text == "Nộp báo cáo tháng trước ngày 5."
    assert volunteer.messages == []
    assert fake.user(World.ADMIN).messages == []  # above the district: not in its scope


async def test_volunteers_cannot_broadcast(volunteer: FakeUser, bot: BotUnderTest) -> None:
    await volunteer.send("/broadcast")
    assert "Chỉ chủ tịch hội mới có thể gửi thông báo" in volunteer.last_text
    await volunteer.press_data("bc:go")
    assert volunteer.callback_answers
    row = await bot.db.fetchone("SELECT count(*) FROM broadcast")
    assert row is not None and row[0] == 0


async def test_a_reminder_arrives_and_one_tap_starts_a_report(
    fake: FakeBotApi, bot: BotUnderTest, world: World, volunteer: FakeUser
) -> None:
    bot.now = datetime(2026, 10, 1, 1, 0, tzinfo=UTC)  # 08:00 on 1 October in Vietnam
    assert bot.application is not None and bot.application.job_queue is not None
    job = bot.application.job_queue.get_jobs_by_name("reminders")[0]
    context = bot.application.context_types.context.from_job(job, bot.application)
    await reminder_job(context)
    await delivered(bot, await last_broadcast(bot))
    text = volunteer.last_text
    assert "📣 Tháng Khuyến học bắt đầu từ hôm nay và kéo dài đến hết 31/10/2026." in text
    assert "chi hội Thôn Đông đã báo cáo 0 hội viên mới" in text
    await volunteer.press("👤 Hội viên mới")
    assert "Họ và tên của hội viên mới" in volunteer.last_text
    await reminder_job(context)  # the same minute again, as after a restart: nothing new
    row = await bot.db.fetchone("SELECT count(*) FROM outbox WHERE recipient_id = ?", (VOLUNTEER,))
    assert row is not None and row[0] == 1
