"""Personal data as Law 91/2025/QH15 asks: the notice at registration, masked phones and years
of birth outside the member's branch and commune, /mydata, erasure that keeps the statistics,
the export log, and the retention job."""

from __future__ import annotations

import json
from datetime import date, timedelta

from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.services import funds, members
from bot.storage import people
from bot.storage.db import to_db_time
from bot.storage.models import Role
from tests.conftest import person
from tests.e2e.conftest import VOLUNTEER, BotUnderTest, World

AGREE = "✅ Tôi đồng ý"
LEAVE = "✖ Không, thoát"
LAW = "Luật Bảo vệ dữ liệu cá nhân"
NEIGHBOUR = 41
"""A volunteer of Thôn Tây: the same commune as the volunteer's Thôn Đông, another branch."""


async def accepted_at(bot: BotUnderTest, telegram_id: int) -> str | None:
    row = await bot.db.fetchone(
        "SELECT privacy_accepted_at FROM app_user WHERE telegram_id = ?", (telegram_id,)
    )
    return None if row is None else row[0]


# ---------------------------------------------------------------- the notice


async def test_registration_goes_on_only_once_the_notice_is_accepted(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    user = fake.user(3001)
    await user.send("/start")
    notice = user.last_text
    for stored in ("họ và tên", "chi hội", "mã Telegram", "năm sinh", "số điện thoại"):
        assert stored in notice  # what is stored
    assert "Để làm gì" in notice and "Ai được xem" in notice and "/dulieucuatoi" in notice
    assert user.buttons == [AGREE, LEAVE]
    first = user.last
    assert first is not None
    agree = str(first.inline_buttons[0]["callback_data"])

    await user.send("Nguyễn Văn An")  # typing is no agreement: the notice's buttons stay
    assert "Xin bấm «✅ Tôi đồng ý»" in user.last_text and user.buttons == [AGREE, LEAVE]
    assert await people.get_user(bot.db, 3001) is None  # nothing stored yet
    await user.send("/help")
    assert "đang đăng ký" in user.last_text

    await user.press_data(agree, first.message_id)
    assert "Bạn đã đồng ý" in user.texts[0]  # the notice stays in the chat, answered
    assert "họ và tên" in user.last_text and user.buttons == ["✖ Hủy"]
    assert await accepted_at(bot, 3001) == to_db_time(bot.now)
    # An old button of the notice changes nothing now.
    await user.press_data(agree, first.message_id)
    assert "chưa có gì thay đổi" in user.callback_answers[-1]
    await user.send("Nguyễn Văn An")
    assert "huyện hoặc thành phố" in user.last_text

    await user.send("/cancel")
    await user.send("/start")  # accepted once: not asked again
    assert "họ và tên" in user.last_text and LAW not in user.last_text


async def test_the_notice_has_a_way_out_and_cancel(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    user = fake.user(3002)
    await user.send("/start")
    await user.press(LEAVE)
    assert "Đã hủy đăng ký" in user.last_text
    await user.send("/start")
    await user.send("/huy")
    assert "Đã hủy đăng ký" in user.last_text
    assert await people.get_user(bot.db, 3002) is None
    await user.send("Nguyễn Văn An")
    assert "Bạn chưa đăng ký" in user.last_text


async def test_an_invite_asks_the_notice_too(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.CHAIR)
    await chair.send("/invite")
    await chair.press("Cộng tác viên")
    await chair.press("Thôn Tây")
    code = chair.last_text.split("start=")[1].split()[0]
    newcomer = fake.user(3003)
    await newcomer.send(f"/start {code}")
    assert "được mời làm Cộng tác viên" in newcomer.last_text and LAW in newcomer.last_text
    await newcomer.press(AGREE)
    await newcomer.send("Hoàng Thị Mai")
    assert "Bạn đã là Cộng tác viên" in newcomer.last_text
    assert await accepted_at(bot, 3003) is not None


async def test_registration_waiting_for_a_form_asks_first_then_gets_its_text(
    fake: FakeBotApi, bot: BotUnderTest, volunteer: FakeUser
) -> None:
    await volunteer.send("/member")
    await volunteer.send("Nguyễn Văn Bình")
    await bot.db.execute("DELETE FROM role_grant WHERE telegram_id = ?", (VOLUNTEER,))
    await volunteer.send("/start")
    assert "Bạn chưa làm xong: Hội viên mới" in volunteer.last_text
    await volunteer.press("⏸ Tạm gác")
    assert LAW in volunteer.last_text
    await volunteer.press(AGREE)
    await volunteer.send("Lê Thị Cúc")
    assert "Cảm ơn Lê Thị Cúc" in volunteer.last_text


async def test_people_registered_before_see_the_notice_once(
    fake: FakeBotApi, bot: BotUnderTest, volunteer: FakeUser
) -> None:
    await volunteer.send("/start")
    welcome, notice = volunteer.new_texts
    assert "Chào mừng Lê Thị Cúc trở lại" in welcome
    assert LAW in notice and "Bạn đăng ký trước khi có thông báo này" in notice
    assert "👤 Hội viên mới" in volunteer.reply_keyboard  # nothing is stopped
    await volunteer.send("/start")
    assert volunteer.new_texts == [welcome]  # once
    await volunteer.send("/menu")  # the menu answers once, as always
    assert len(volunteer.new_texts) == 1 and LAW not in volunteer.last_text
    assert await accepted_at(bot, VOLUNTEER) is None
    await volunteer.press(AGREE)
    assert "đã ghi nhận" in volunteer.last_text
    assert await accepted_at(bot, VOLUNTEER) == to_db_time(bot.now)

    chair = fake.user(World.CHAIR)
    await chair.send("/menu")
    assert LAW not in chair.last_text
    await chair.send("/start")
    assert LAW in chair.last_text


# ---------------------------------------------------------------- masking by scope


async def reported_member(bot: BotUnderTest, world: World) -> int:
    created = await members.create_member(
        bot.db,
        VOLUNTEER,
        {
            "full_name": "Nguyễn Thị Hoa",
            "gender": "female",
            "birth_year": 1958,
            "joined_on": date(2026, 3, 1),
            "unit_id": world.branch.id,
            "phone": "0912345678",
        },
        idempotency_key="hoa",
        now=bot.now,
    )
    assert isinstance(created, tuple)
    return created[0].id


async def same_member_again(user: FakeUser) -> str:
    """Report Nguyễn Thị Hoa, born 1958, again: the duplicate warning before saving."""
    await user.send("/member")
    await user.send("Nguyễn Thị Hoa")
    await user.press("Nữ")
    await user.send("1958")
    await user.press("📅 Hôm nay")
    await user.press("⏭ Bỏ qua")
    await user.press("💾 Lưu")
    warning = user.last_text
    await user.press("✖ Hủy")
    return warning


async def test_phones_and_years_are_masked_outside_branch_and_commune(
    fake: FakeBotApi, bot: BotUnderTest, world: World, volunteer: FakeUser
) -> None:
    member_id = await reported_member(bot, world)
    neighbour_branch = await bot.db.fetchone(
        "SELECT id FROM unit WHERE parent_id = ? AND name = 'Thôn Tây'", (world.commune.id,)
    )
    assert neighbour_branch is not None
    await bot.db.execute("INSERT INTO app_user (telegram_id) VALUES (?)", (NEIGHBOUR,))
    await bot.db.execute(
        "INSERT INTO role_grant (telegram_id, role, unit_id) VALUES (?, 'volunteer', ?)",
        (NEIGHBOUR, neighbour_branch[0]),
    )

    own = await same_member_again(volunteer)  # the member's own branch
    assert "Nguyễn Thị Hoa, sinh năm 1958, Thôn Đông" in own
    other = await same_member_again(fake.user(NEIGHBOUR))  # another branch of the commune
    assert "Nguyễn Thị Hoa, sinh năm 19••, Thôn Đông" in other and "1958" not in other

    async def opened_by(telegram_id: int) -> str:
        chair = fake.user(telegram_id)
        await chair.send("/help")  # a message to press under
        await chair.press_data(f"member:e:{member_id}")
        return chair.last_text

    commune = await opened_by(World.CHAIR)
    assert "Năm sinh: 1958" in commune and "+84912345678" in commune
    for above in (World.DISTRICT_CHAIR, World.ADMIN):
        shown = await opened_by(above)
        assert "Năm sinh: 19••" in shown and "09•• ••• 678" in shown
        assert "1958" not in shown and "912345678" not in shown

    admin = fake.user(World.ADMIN)
    await admin.press("✏️ Sửa")
    await admin.press("Họ và tên")
    await admin.send("Nguyễn Thị Hòa")  # a correction of the name only
    await admin.press("💾 Lưu")
    assert "Đã sửa" in "".join(admin.texts)
    row = await bot.db.fetchone(
        "SELECT full_name, birth_year, phone FROM member WHERE id = ?", (member_id,)
    )
    assert row is not None and tuple(row) == ("Nguyễn Thị Hòa", 1958, "+84912345678")


# ---------------------------------------------------------------- /mydata and erasure


async def registered_volunteer(fake: FakeBotApi, bot: BotUnderTest, world: World) -> FakeUser:
    """3100 registers with the bot (the notice accepted) and is approved, then reports."""
    user = fake.user(3100)
    await user.send("/start")
    await user.press(AGREE)
    await user.send("Phan Văn Lộc")
    await user.press("Đông Hưng")
    await user.send(world.commune.name)
    await user.press(world.commune.name)
    await user.press("Thôn Đông")
    await fake.user(World.CHAIR).press("✅ Duyệt")
    assert "đã được duyệt" in user.last_text
    for number, name in enumerate(("Trịnh Văn Một", "Trịnh Văn Hai")):
        created = await members.create_member(
            bot.db,
            3100,
            {
                "full_name": name,
                "gender": "male",
                "birth_year": 1970,
                "joined_on": date(2026, 3, 1),
                "unit_id": world.branch.id,
                "phone": "0987654321",
            },
            idempotency_key=f"loc{number}",
            now=bot.now,
        )
        assert isinstance(created, tuple)
    fund = await funds.unit_fund(bot.db, world.branch)
    made = await funds.create_contribution(
        bot.db,
        3100,
        {
            "donor_name": "Công ty Minh Phát",
            "donor_kind": "enterprise",
            "amount": 5_000_000,
            "fund_id": fund.id,
            "campaign": "thang_khuyen_hoc",
            "contributed_on": date(2026, 10, 5),
        },
        idempotency_key="loc-c",
        now=bot.now,
    )
    assert isinstance(made, tuple)
    return user


async def test_mydata_sends_everything_stored_about_the_person(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    user = await registered_volunteer(fake, bot, world)
    await user.send("/dulieucuatoi")
    document = user.documents[-1]
    assert document.file_name == "du-lieu-cua-toi-3100.json" and document.file_bytes
    data = json.loads(document.file_bytes)
    assert data["person"]["telegram_id"] == 3100
    assert data["person"]["full_name"] == "Phan Văn Lộc"
    assert data["person"]["privacy_accepted_at"] == to_db_time(bot.now)
    assert [(g["role"], g["unit_name"]) for g in data["grants"]] == [("volunteer", "Thôn Đông")]
    assert [(r["full_name"], r["status"]) for r in data["registration_requests"]] == [
        ("Phan Văn Lộc", "approved")
    ]
    assert sorted(r["kind"] for r in data["reports"]) == ["contribution", "member", "member"]
    text = document.file_bytes.decode()
    for others in ("Trịnh Văn Một", "0987654321", "+84987654321", "Minh Phát"):
        assert others not in text  # other people's data stays out
    caption = document.caption or ""
    assert "Toàn bộ dữ liệu bot lưu về bạn" in caption
    assert "các báo cáo bạn đã gửi (3:" in caption
    assert user.buttons == ["🗑 Yêu cầu xóa dữ liệu"]  # one answer: the file, its button

    logged = await bot.db.fetchall("SELECT actor_id, kind, personal FROM data_export")
    assert [tuple(r) for r in logged] == [(3100, "own_data", 1)]

    stranger = fake.user(3999)
    await stranger.send("/mydata")  # open to anyone: nothing stored, and how to register
    assert "Bot không lưu dữ liệu nào về bạn" in stranger.last_text
    assert "Gửi /start để đăng ký" in stranger.last_text


async def stats_texts(fake: FakeBotApi, world: World) -> list[str]:
    texts = []
    for chair_id, command in ((World.CHAIR, "/stats"), (World.ADMIN, "/stats dong hung")):
        chair = fake.user(chair_id)
        await chair.send(command)
        texts.append(chair.last_text)
    return texts


async def ask_erasure(user: FakeUser) -> None:
    await user.send("/mydata")
    await user.press("🗑 Yêu cầu xóa dữ liệu")
    assert "Gửi quản trị viên tỉnh yêu cầu xóa" in user.last_text
    await user.press("🗑 Có, gửi yêu cầu")
    assert "đã được gửi tới quản trị viên tỉnh" in user.last_text


async def test_erasure_keeps_the_statistics(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    user = await registered_volunteer(fake, bot, world)
    before = await stats_texts(fake, world)
    assert "👥 Hội viên: 2" in before[0]
    counters_before = await bot.db.fetchall(
        "SELECT unit_id, year, indicator, value FROM stat_counter ORDER BY 1, 2, 3"
    )

    await ask_erasure(user)
    admin = fake.user(World.ADMIN)
    card = admin.last_text
    assert "Yêu cầu #1 xóa dữ liệu cá nhân" in card and "Phan Văn Lộc (mã Telegram 3100)" in card
    assert "Số báo cáo đã gửi: 3" in card
    assert admin.buttons == ["🗑 Xóa", "🕶 Ẩn danh", "❌ Từ chối"]
    await admin.press("🗑 Xóa")
    assert "không thể hoàn tác" in admin.last_text
    await admin.press("⬅ Quay lại")  # the card again, nothing done
    assert await people.get_user(bot.db, 3100) is not None
    await admin.press("🗑 Xóa")
    await admin.press("✅ Có, xóa")
    assert "✅ Đã xóa." in admin.last_text
    assert "Dữ liệu của bạn đã được xóa" in user.last_text
    assert user.reply_keyboard == []

    assert await people.get_user(bot.db, 3100) is None
    stand_in = await people.get_user(bot.db, -1)
    assert stand_in is not None and stand_in.full_name == "Người dùng đã xóa #1"
    for table, column in (
        ("role_grant", "telegram_id"),
        ("registration_request", "telegram_id"),
        ("member", "reporter_id"),
        ("audit_log", "actor_id"),
        ("ptb_user_data", "user_id"),
        ("reply_queue", "chat_id"),
        ("data_export", "actor_id"),
    ):
        row = await bot.db.fetchone(f"SELECT count(*) FROM {table} WHERE {column} = 3100")
        assert row is not None and row[0] == 0, table
    names = await bot.db.fetchall("SELECT full_name FROM registration_request")
    assert "Phan Văn Lộc" not in [r[0] for r in names]
    audit = await bot.db.fetchall(
        "SELECT coalesce(before, '') || coalesce(after, '') FROM audit_log"
    )
    assert not any("Phan Văn Lộc" in r[0] or '"reporter_id": 3100' in r[0] for r in audit)
    reported = await bot.db.fetchall("SELECT reporter_id, status FROM member ORDER BY id")
    assert [tuple(r) for r in reported] == [(-1, "active"), (-1, "active")]

    assert await stats_texts(fake, world) == before  # the counts do not move
    counters_after = await bot.db.fetchall(
        "SELECT unit_id, year, indicator, value FROM stat_counter ORDER BY 1, 2, 3"
    )
    assert [tuple(r) for r in counters_after] == [tuple(r) for r in counters_before]
    assert await bot.db.fetchall("PRAGMA foreign_key_check") == []

    await admin.press_data("pde:ey:1")  # pressed again: already decided
    assert "đã được xử lý" in admin.callback_answers[-1]
    await user.send("/start")  # a stranger now: registering again begins with the notice
    assert LAW in user.last_text


async def test_anonymise_keeps_the_history_and_reject_tells_the_person(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    user = await registered_volunteer(fake, bot, world)
    admin = fake.user(World.ADMIN)
    await ask_erasure(user)
    await admin.press("❌ Từ chối")
    assert "❌ Đã từ chối." in admin.last_text
    assert "không chấp nhận yêu cầu #1" in user.last_text
    assert await people.get_user(bot.db, 3100) is not None

    await ask_erasure(user)
    await user.press_data("pd:send")  # twice: the waiting request, not a second one
    assert "#2" in user.last_text and "đang chờ" in user.last_text
    volunteer_elsewhere = fake.user(World.CHAIR)
    await volunteer_elsewhere.press_data("pde:ay:2")  # not a province admin
    assert "Chỉ quản trị viên tỉnh" in volunteer_elsewhere.callback_answers[-1]
    await admin.send("/exportlog")  # the waiting request is listed for the admin
    assert "Các yêu cầu xóa dữ liệu đang chờ" in admin.last_text
    await admin.press("🗑 Yêu cầu #2")
    await admin.press("🕶 Ẩn danh")
    await admin.press("✅ Có, ẩn danh")
    assert "✅ Đã ẩn danh." in admin.last_text
    kept = await bot.db.fetchall("SELECT telegram_id, full_name, status FROM registration_request")
    assert [tuple(r) for r in kept] == [(-2, "Người dùng đã xóa #2", "approved")]
    assert await people.grants_of(bot.db, -2) == []


# ---------------------------------------------------------------- the export log, retention


async def test_an_export_is_recorded_and_the_admin_reads_the_log(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.DISTRICT_CHAIR)
    await chair.send("/stats")
    await chair.press_data(f"st:x:{world.district.id}:2026:2026")
    assert chair.documents[-1].file_name == "thong-ke-huyen-dong-hung-2026.xlsx"
    rows = await bot.db.fetchall(
        "SELECT actor_id, kind, unit_id, detail, personal FROM data_export"
    )
    assert [tuple(r) for r in rows] == [
        (
            World.DISTRICT_CHAIR,
            "statistics",
            world.district.id,
            "thong-ke-huyen-dong-hung-2026.xlsx",
            0,
        )
    ]
    admin = fake.user(World.ADMIN)
    await admin.send("/nhatkyxuat")
    log = admin.last_text
    assert "Các lần xuất dữ liệu gần nhất" in log
    assert "Chủ Tịch Huyện (20) — bảng thống kê (Excel) — Huyện Đông Hưng" in log
    assert "thong-ke-huyen-dong-hung-2026.xlsx" in log
    await chair.send("/exportlog")
    assert "Chỉ quản trị viên tỉnh" in chair.last_text


async def test_the_daily_job_applies_the_retention(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    await person(bot.db, 50, Role.VOLUNTEER, world.branch, "Người Nhận")
    old, recent = bot.now - timedelta(days=31), bot.now - timedelta(days=2)
    for number, at in enumerate((old, recent)):
        broadcast_id = await bot.db.execute(
            "INSERT INTO broadcast (kind, created_at, text) VALUES ('broadcast', ?, 'x')",
            (to_db_time(at),),
        )
        await bot.db.execute(
            "INSERT INTO outbox (broadcast_id, recipient_id, text, status, sent_at) "
            "VALUES (?, 50, ?, 'sent', ?)",
            (broadcast_id, f"tin {number}", to_db_time(at)),
        )
    waiting = await bot.db.execute(
        "INSERT INTO broadcast (kind, created_at, text) VALUES ('broadcast', ?, 'y')",
        (to_db_time(old),),
    )
    await bot.db.execute(
        "INSERT INTO outbox (broadcast_id, recipient_id, text) VALUES (?, 50, 'chưa gửi')",
        (waiting,),
    )
    await bot.db.execute(
        "INSERT INTO audit_log (at, action, entity, entity_id) VALUES (?, 'x', 'y', '1')",
        (to_db_time(bot.now - timedelta(days=366)),),
    )
    audit_before = await bot.db.fetchone("SELECT count(*) FROM audit_log")
    assert audit_before is not None
    assert bot.application is not None and bot.application.job_queue is not None
    (job,) = bot.application.job_queue.get_jobs_by_name("retention")
    await job.run(bot.application)
    left = await bot.db.fetchall("SELECT text, status FROM outbox ORDER BY id")
    assert [tuple(r) for r in left] == [("tin 1", "sent"), ("chưa gửi", "pending")]
    audit_after = await bot.db.fetchone("SELECT count(*) FROM audit_log")
    assert audit_after is not None and audit_after[0] == audit_before[0] - 1
    broadcasts = await bot.db.fetchone("SELECT count(*) FROM broadcast")
    assert broadcasts is not None and broadcasts[0] == 3  # who sent what, when, stays
