"""Chair broadcasts through the outbox, and a campaign reminder tapped to start a report."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.services import outbox
from bot.storage import people
from bot.storage.models import Role
from handlers.campaigns import reminder_job
from tests.conftest import person
from tests.e2e.conftest import VOLUNTEER, BotUnderTest, World, step_prefix


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
    await volunteer.press_data("broadcast:1:go")  # forged: no broadcast on their screen
    assert "chưa có gì thay đổi" in volunteer.callback_answers[-1]
    await volunteer.press_data("bc:go")  # a button of the conversation this dialog replaced
    assert len(volunteer.callback_answers) == 2
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


def user_data(bot: BotUnderTest, user: FakeUser) -> dict[str, Any]:
    assert bot.application is not None
    found: dict[str, Any] = bot.application.user_data[user.id]
    return found


async def broadcasts(bot: BotUnderTest) -> int:
    row = await bot.db.fetchone("SELECT count(*) FROM broadcast")
    assert row is not None
    return int(row[0])


async def test_every_broadcast_question_has_a_way_out_and_nobody_is_no_dead_end(
    fake: FakeBotApi, bot: BotUnderTest, world: World, volunteer: FakeUser
) -> None:
    """The commune chair is the only chair of the commune: "chairs only" reaches nobody, so
    the preview offers another choice instead of Send."""
    chair = fake.user(World.CHAIR)
    await chair.send("/broadcast")
    assert chair.buttons == ["✖ Hủy"]
    await chair.send("Họp chi hội lúc 8 giờ.")
    assert "Gửi cho ai?" in chair.last_text
    assert chair.buttons == ["👥 Tất cả", "🎖 Chỉ chủ tịch hội", "🏷 Chỉ chi hội trưởng", "✖ Hủy"]
    await chair.press("🎖 Chỉ chủ tịch hội")
    assert "Không có ai trong Xã" in chair.last_text
    assert chair.buttons == ["⬅ Quay lại", "✖ Hủy"]
    await chair.press("⬅ Quay lại")
    assert "Gửi cho ai?" in chair.last_text
    await chair.press("👥 Tất cả")
    assert "tới 1 người" in chair.last_text
    assert chair.buttons == ["📤 Gửi", "⬅ Quay lại", "✖ Hủy"]
    await chair.press("✖ Hủy")
    assert "Đã hủy. Chưa gửi gì cả." in chair.texts[-2]
    assert "broadcast" not in user_data(bot, chair)
    assert await broadcasts(bot) == 0
    assert volunteer.messages == []


async def test_an_old_broadcast_button_changes_nothing(
    fake: FakeBotApi, bot: BotUnderTest, world: World, volunteer: FakeUser
) -> None:
    chair = fake.user(World.CHAIR)
    await chair.send("/broadcast")
    first = chair.last
    assert first is not None
    await chair.send("Nộp báo cáo trước ngày 5.")
    audience = chair.last
    assert audience is not None
    old_audience = step_prefix(chair, audience.message_id)
    await chair.press_data(f"{step_prefix(chair, first.message_id)}:cancel", first.message_id)
    assert "chưa có gì thay đổi" in chair.callback_answers[-1]
    assert user_data(bot, chair)["broadcast"]["text"] == "Nộp báo cáo trước ngày 5."
    await chair.press("🎖 Chỉ chủ tịch hội")  # the audience question becomes the preview
    await chair.press_data(f"{old_audience}:a:all", audience.message_id)
    assert "chưa có gì thay đổi" in chair.callback_answers[-1]
    assert user_data(bot, chair)["broadcast"]["audience"] == "chairs"
    assert "Không có ai" in chair.last_text
    await chair.press_data(f"{old_audience}:go", audience.message_id)
    assert await broadcasts(bot) == 0


async def test_broadcast_while_a_form_waits_asks_first_and_gets_its_text(
    fake: FakeBotApi, bot: BotUnderTest, world: World, volunteer: FakeUser
) -> None:
    chair = fake.user(World.CHAIR)
    await chair.send("/member")
    await chair.send("Nguyễn Thị Hoa")
    await chair.send("/broadcast")
    assert "Bạn chưa làm xong: Hội viên mới" in chair.last_text
    assert chair.buttons == ["▶ Làm tiếp: Hội viên mới", "⏸ Tạm gác, bắt đầu: Gửi thông báo"]
    await chair.press("⏸ Tạm gác")
    assert "Gõ nội dung thông báo" in chair.last_text
    await chair.send("Họp chi hội lúc 8 giờ.")
    assert "Gửi cho ai?" in chair.last_text
    data = user_data(bot, chair)
    assert data["broadcast"]["text"] == "Họp chi hội lúc 8 giờ."
    assert data["screen"]["aside"][0]["data"]["values"] == {"full_name": "Nguyễn Thị Hoa"}

    # A message with its text in it is kept the same way: a form started now asks first.
    await chair.send("/contribution")
    assert "Bạn chưa làm xong: Gửi thông báo" in chair.last_text
    await chair.press("▶ Làm tiếp")
    assert "Gửi cho ai?" in chair.last_text
    await chair.press("👥 Tất cả")
    await chair.press("📤 Gửi")
    await delivered(bot, await last_broadcast(bot))
    assert volunteer.last_text == "Họp chi hội lúc 8 giờ."


async def test_cancel_inside_a_broadcast(
    fake: FakeBotApi, bot: BotUnderTest, world: World, volunteer: FakeUser
) -> None:
    chair = fake.user(World.CHAIR)
    await chair.send("/thongbao")
    await chair.send("Họp chi hội lúc 8 giờ.")
    await chair.press("👥 Tất cả")
    await chair.send("/cancel")
    assert chair.last_text == "Đã hủy. Chưa gửi gì cả."
    assert "broadcast" not in user_data(bot, chair)
    await chair.send("Một tin nhắn khác")  # no longer taken for a broadcast
    assert "chưa hiểu" in chair.last_text
    assert await broadcasts(bot) == 0


async def test_a_forwarded_message_or_a_captioned_file_is_the_message(
    fake: FakeBotApi, bot: BotUnderTest, world: World, volunteer: FakeUser
) -> None:
    chair = fake.user(World.CHAIR)
    await chair.send("/broadcast")
    await chair.send_document("lich.pdf", b"%PDF-1.4")  # nothing to send as text
    assert "Chỉ gửi được văn bản" in chair.last_text
    assert chair.buttons == ["✖ Hủy"]
    await chair.send("x" * 3501)
    assert "Thông báo quá dài (tối đa 3500 ký tự)" in chair.last_text
    await chair.send_document("lich.pdf", b"%PDF-1.4", caption="Lịch họp tháng 12")
    assert "Gửi cho ai?" in chair.last_text
    assert user_data(bot, chair)["broadcast"]["text"] == "Lịch họp tháng 12"
    await chair.send("Gõ thêm")  # the message is chosen: the buttons are the way on
    assert "Vui lòng bấm chọn một trong các nút." in chair.last_text
    assert "Gửi cho ai?" in chair.last_text
    await chair.send("/cancel")

    await chair.send("/broadcast")
    await chair.forward("Thông báo của huyện: họp ngày 10.", "Văn phòng huyện")
    await chair.press("👥 Tất cả")
    assert "Thông báo của huyện: họp ngày 10." in chair.last_text
    await chair.press("📤 Gửi")
    await delivered(bot, await last_broadcast(bot))
    assert volunteer.last_text == "Thông báo của huyện: họp ngày 10."
