"""The award flow, from the menu to the receipt, and the warning before overdrawing a fund."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.services import funds
from bot.storage.db import Database
from bot.storage.models import Unit
from tests.e2e.conftest import VOLUNTEER, BotUnderTest, World, step_prefix

MENU = "🎓 Trao học bổng"  # what the main-menu button sends
ERROR = "sự cố"  # from the error handler's apology
IN_WORDS = "1.500.000\xa0₫ — một triệu năm trăm nghìn đồng"


async def raise_money(bot: BotUnderTest, unit: Unit, amount: int, key: str = "seed") -> None:
    """Money already in the unit's fund, recorded through the service."""
    fund = await funds.unit_fund(bot.db, unit)
    result = await funds.create_contribution(
        bot.db,
        World.ADMIN,
        {
            "donor_name": "Nhà hảo tâm",
            "donor_kind": "individual",
            "amount": amount,
            "fund_id": fund.id,
            "campaign": "other",
            "contributed_on": "2026-11-01",
        },
        idempotency_key=key,
        now=bot.now,
    )
    assert isinstance(result, tuple)


async def awards(db: Database) -> list[dict[str, Any]]:
    rows = await db.fetchall(
        "SELECT a.id, a.recipient_name, a.school, a.class_name, a.reason, a.amount, "
        "a.awarded_on, a.unit_id, a.reporter_id, f.kind AS fund_kind, f.name AS fund_name, "
        "f.unit_id AS fund_unit FROM award a JOIN fund f ON f.id = a.fund_id ORDER BY a.id"
    )
    return [dict(row) for row in rows]


async def pay(user: FakeUser, amount: str = "1tr5", name: str = "Nguyễn Thị Mai") -> None:
    """A volunteer's shortest path up to the summary."""
    await user.send(MENU)
    await user.send(name)
    await user.send("THCS Đông Hợp")
    await user.press("⏭ Bỏ qua")
    await user.press("Học sinh giỏi")
    await user.send(amount)
    await user.press("Quỹ chi hội")
    await user.press("📅 Hôm nay")


async def test_award_from_menu_to_receipt(
    volunteer: FakeUser, bot: BotUnderTest, world: World
) -> None:
    await raise_money(bot, world.branch, 5_000_000)
    await volunteer.send("/start")
    await volunteer.send(MENU)
    assert "Trao học bổng, khen thưởng — Họ và tên học sinh?" in volunteer.last_text
    await volunteer.send("Nguyễn Thị Mai")
    assert "Học trường nào?" in volunteer.last_text
    await volunteer.send("THCS Đông Hợp")
    assert "Lớp nào (không bắt buộc)?" in volunteer.last_text
    await volunteer.send("8A")
    assert volunteer.buttons[:5] == [
        "Học sinh nghèo vượt khó",
        "Học sinh giỏi",
        "Đạt giải thi",
        "Đỗ đại học",
        "Khác",
    ]
    await volunteer.press("Học sinh nghèo vượt khó")
    assert "Số tiền đã trao?" in volunteer.last_text
    await volunteer.send("1tr5")
    assert "Chi từ quỹ nào?" in volunteer.last_text
    assert volunteer.buttons == ["Quỹ chi hội", "Quỹ dòng họ", "Quỹ gia đình", "✖ Hủy"]
    await volunteer.press("Quỹ chi hội")
    await volunteer.press("📅 Hôm nay")
    summary = volunteer.last_text
    for expected in (
        "Vui lòng kiểm tra lại: Trao học bổng, khen thưởng",
        "Học sinh: Nguyễn Thị Mai",
        "Trường học: THCS Đông Hợp",
        "Lớp: 8A",
        "Lý do: Học sinh nghèo vượt khó",
        f"Số tiền: {IN_WORDS}",
        "Đơn vị: Chi hội Thôn Đông",
        "Quỹ: Quỹ chi hội",
        "Ngày trao: 28/11/2026",
    ):
        assert expected in summary
    await volunteer.press("💾 Lưu")
    assert (
        "✅ Đã lưu khoản trao học bổng. Số 1, lúc 10:00 28/11/2026.\n"
        f"Số tiền: {IN_WORDS}\n"
        "Quỹ: Quỹ khuyến học Chi hội Thôn Đông"
    ) in volunteer.texts
    assert "👤 Hội viên mới" in volunteer.reply_keyboard  # back to the main menu
    assert await awards(bot.db) == [
        {
            "id": 1,
            "recipient_name": "Nguyễn Thị Mai",
            "school": "THCS Đông Hợp",
            "class_name": "8A",
            "reason": "poor_overcoming",
            "amount": 1_500_000,
            "awarded_on": "2026-11-28",
            "unit_id": world.branch.id,
            "reporter_id": VOLUNTEER,
            "fund_kind": "unit",
            "fund_name": "",
            "fund_unit": world.branch.id,
        }
    ]
    fund = await funds.unit_fund(bot.db, world.branch)
    assert await funds.balance(bot.db, fund.id) == 3_500_000


@pytest.mark.parametrize(
    ("typed", "stored"), [("5 triệu", 5_000_000), ("1tr5", 1_500_000), ("500k", 500_000)]
)
async def test_amounts_as_volunteers_type_them(
    volunteer: FakeUser, bot: BotUnderTest, world: World, typed: str, stored: int
) -> None:
    await raise_money(bot, world.branch, 10_000_000)
    await pay(volunteer, typed)
    await volunteer.press("💾 Lưu")
    assert [row["amount"] for row in await awards(bot.db)] == [stored]


async def test_over_the_balance_asks_before_saving(
    volunteer: FakeUser, bot: BotUnderTest, world: World
) -> None:
    await raise_money(bot, world.branch, 1_000_000)
    await pay(volunteer, "1tr5")
    await volunteer.press("💾 Lưu")
    warning = volunteer.last_text
    assert "⚠️ Khoản chi này lớn hơn số dư của quỹ." in warning
    assert "Quỹ: Quỹ khuyến học Chi hội Thôn Đông" in warning
    assert "Số dư hiện có: 1.000.000\xa0₫ — một triệu đồng" in warning
    assert f"Khoản chi này: {IN_WORDS}" in warning
    assert volunteer.buttons == ["💾 Vẫn lưu", "✏️ Sửa", "✖ Hủy"]
    assert await awards(bot.db) == []
    await volunteer.press("💾 Vẫn lưu")
    assert "✅ Đã lưu khoản trao học bổng. Số 1" in volunteer.last_text
    assert [row["amount"] for row in await awards(bot.db)] == [1_500_000]
    # The fund is now below zero: the next payout shows the balance as a negative amount.
    await pay(volunteer, "200k", "Trần Văn Nam")
    await volunteer.press("💾 Lưu")
    assert "Số dư hiện có: -500.000\xa0₫ — âm năm trăm nghìn đồng" in volunteer.last_text
    # Sửa lowers the amount... still too much for an overdrawn fund; Hủy saves nothing.
    await volunteer.press("✏️ Sửa")
    await volunteer.press("Số tiền")
    await volunteer.send("100k")
    await volunteer.press("💾 Lưu")
    assert "⚠️" in volunteer.last_text
    await volunteer.press("✖ Hủy")
    assert len(await awards(bot.db)) == 1


async def test_an_empty_fund_warns_too(volunteer: FakeUser, bot: BotUnderTest) -> None:
    await pay(volunteer, "500k")
    await volunteer.press("💾 Lưu")
    assert "Số dư hiện có: 0\xa0₫ — không đồng" in volunteer.last_text
    await volunteer.press("💾 Vẫn lưu")
    assert len(await awards(bot.db)) == 1


async def test_every_bad_answer_is_explained_and_nothing_is_lost(
    volunteer: FakeUser, bot: BotUnderTest, world: World
) -> None:
    await raise_money(bot, world.branch, 10_000_000)
    await volunteer.send("/hocbong")
    await volunteer.send("Trần Văn 3")
    assert "chỉ gồm chữ cái" in volunteer.last_text and "Họ và tên học sinh" in volunteer.last_text
    await volunteer.send("T")
    assert "Quá ngắn" in volunteer.last_text
    await volunteer.send("Trần Văn Ba")
    await volunteer.send("s" * 101)
    assert "Quá dài" in volunteer.last_text and "Học trường nào?" in volunteer.last_text
    await volunteer.send("\u200b")
    assert "cần được trả lời" in volunteer.last_text
    await volunteer.send("Tiểu học Đông Hợp")
    await volunteer.send("c" * 101)
    assert "Quá dài" in volunteer.last_text and "Lớp nào" in volunteer.last_text
    await volunteer.send("5B")
    await volunteer.send("giỏi")  # a choice is made with the buttons
    assert "Vui lòng bấm chọn" in volunteer.last_text
    await volunteer.press("Đạt giải thi")
    for bad, reason in (
        ("0", "Số tiền phải lớn hơn 0."),
        ("abc", "Tôi chưa đọc được số tiền này."),
        ("1.50.000", "Số tiền này có thể hiểu theo nhiều cách."),
        ("99999 tỷ", "Số tiền quá lớn."),
    ):
        await volunteer.send(bad)
        text = volunteer.last_text
        assert reason in text, (bad, text)
        assert 'Hãy gõ ví dụ "1.500.000" hoặc "5 triệu".' in text
        assert "Số tiền đã trao?" in text
    await volunteer.send("1,5 triệu")
    await volunteer.press("Quỹ chi hội")
    await volunteer.send("32/13/2025")
    assert "chưa đọc được ngày" in volunteer.last_text and "Ngày trao?" in volunteer.last_text
    await volunteer.send("01/01/2030")
    assert "tương lai" in volunteer.last_text
    await volunteer.send("20/11/2026")
    summary = volunteer.last_text
    for expected in (
        "Học sinh: Trần Văn Ba",
        "Trường học: Tiểu học Đông Hợp",
        "Lớp: 5B",
        "Lý do: Đạt giải thi",
        f"Số tiền: {IN_WORDS}",
        "Ngày trao: 20/11/2026",
    ):
        assert expected in summary
    assert not any(ERROR in text for text in volunteer.texts)
    await volunteer.press("💾 Lưu")
    rows = await awards(bot.db)
    assert [(r["recipient_name"], r["class_name"], r["awarded_on"]) for r in rows] == [
        ("Trần Văn Ba", "5B", "2026-11-20")
    ]


async def test_change_answers_from_the_summary(
    volunteer: FakeUser, bot: BotUnderTest, world: World
) -> None:
    await raise_money(bot, world.branch, 10_000_000)
    await pay(volunteer)
    assert "Lớp: (không có)" in volunteer.last_text
    await volunteer.press("✏️ Sửa")
    assert volunteer.buttons == [
        "Học sinh",
        "Trường học",
        "Lớp",
        "Lý do",
        "Số tiền",
        "Đơn vị",
        "Quỹ",
        "Ngày trao",
        "✖ Hủy",
    ]
    await volunteer.press("Lý do")
    await volunteer.press("Đỗ đại học")
    await volunteer.press("✏️ Sửa")
    await volunteer.press("Lớp")
    await volunteer.send("12A1")
    summary = volunteer.last_text
    assert "Lý do: Đỗ đại học" in summary and "Lớp: 12A1" in summary
    assert "Nguyễn Thị Mai" in summary and f"Số tiền: {IN_WORDS}" in summary
    await volunteer.press("💾 Lưu")
    rows = await awards(bot.db)
    assert [(r["reason"], r["class_name"]) for r in rows] == [("university_entrance", "12A1")]


async def test_reopened_for_correction(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest, world: World
) -> None:
    await raise_money(bot, world.branch, 2_000_000)
    await pay(volunteer, "1tr5")
    await volunteer.press("💾 Lưu")
    # Raising the award to 1.8 million stays within the fund: its own 1.5 million counts back.
    await volunteer.press_data("award:e:1")  # from /myreports
    assert f"Số tiền: {IN_WORDS}" in volunteer.last_text
    await volunteer.press("✏️ Sửa")
    await volunteer.press("Số tiền")
    await volunteer.send("1tr8")
    await volunteer.press("💾 Lưu")
    assert "✅ Đã sửa khoản trao học bổng. Số 1" in volunteer.last_text
    assert "1.800.000\xa0₫ — một triệu tám trăm nghìn đồng" in volunteer.last_text
    # 2.5 million would overdraw it: the balance shown is what this award may use.
    await volunteer.press_data("award:e:1")
    await volunteer.press("✏️ Sửa")
    await volunteer.press("Số tiền")
    await volunteer.send("2tr5")
    await volunteer.press("💾 Lưu")
    assert "Số dư hiện có: 2.000.000\xa0₫ — hai triệu đồng" in volunteer.last_text
    await volunteer.press("💾 Vẫn lưu")
    rows = await awards(bot.db)
    assert [(r["id"], r["amount"]) for r in rows] == [(1, 2_500_000)]
    audit = await bot.db.fetchall("SELECT action FROM audit_log WHERE entity = 'award'")
    assert [row[0] for row in audit] == ["create", "edit", "edit"]
    # Another commune's chair may not open it.
    other = fake.user(World.OTHER_CHAIR)
    await other.send("/start")
    await other.press_data("award:e:1")
    assert "ngoài phạm vi" in other.callback_answers[-1]
    bot.advance(timedelta(days=3))
    await volunteer.press_data("award:e:1")
    assert "48 giờ" in volunteer.callback_answers[-1]


async def test_cancel_saves_nothing(volunteer: FakeUser, bot: BotUnderTest) -> None:
    await volunteer.send(MENU)
    await volunteer.send("Phạm Văn Đức")
    await volunteer.press("✖ Hủy")  # with an answer entered: asked first
    await volunteer.press("Bỏ")
    assert "Đã hủy. Chưa có gì được lưu." in volunteer.texts
    await pay(volunteer)
    await volunteer.press("✖ Hủy")
    await volunteer.press("Bỏ")
    await volunteer.send("/award")
    await volunteer.send("Đỗ Thị Én")
    await volunteer.send("/cancel")
    assert "Đã hủy. Chưa có gì được lưu." in volunteer.last_text
    assert await awards(bot.db) == []


async def test_restart_mid_flow_keeps_the_answers(
    volunteer: FakeUser, bot: BotUnderTest, world: World
) -> None:
    await raise_money(bot, world.branch, 10_000_000)
    await volunteer.send(MENU)
    await volunteer.send("Vũ Văn Giang")
    await volunteer.send("THPT Bắc Đông Quan")
    await volunteer.press("⏭ Bỏ qua")
    await bot.stop()
    await bot.start()
    await volunteer.press("Đỗ đại học")
    await volunteer.send("5 triệu")
    await volunteer.press("Quỹ chi hội")
    await volunteer.press("📅 Hôm qua")
    summary = volunteer.last_text
    assert "Vũ Văn Giang" in summary and "THPT Bắc Đông Quan" in summary
    await volunteer.press("💾 Lưu")
    rows = await awards(bot.db)
    assert [(r["recipient_name"], r["school"], r["class_name"], r["awarded_on"]) for r in rows] == [
        ("Vũ Văn Giang", "THPT Bắc Đông Quan", None, "2026-11-27")
    ]


async def test_saving_twice_stores_one_record(
    volunteer: FakeUser, bot: BotUnderTest, world: World
) -> None:
    await raise_money(bot, world.branch, 10_000_000)
    await pay(volunteer)
    summary_id = volunteer.last.message_id if volunteer.last else None
    save = f"{step_prefix(volunteer, summary_id)}:save"
    await volunteer.press_data(save, summary_id)
    await volunteer.press_data(save, summary_id)  # double tap / redelivery
    assert "chưa có gì thay đổi" in volunteer.callback_answers[-1]
    assert len(await awards(bot.db)) == 1


async def test_chair_pays_from_the_commune_fund(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    await raise_money(bot, world.commune, 3_000_000)
    chair = fake.user(World.CHAIR)
    await chair.send(MENU)
    await chair.send("Hoàng Văn Quân")
    await chair.send("THCS Đông Hợp")
    await chair.send("9C")
    await chair.press("Học sinh giỏi")
    await chair.send("2 triệu")
    assert "Đơn vị nào chi trả?" in chair.last_text
    assert "Thôn Tây" in chair.buttons and "Thôn Bắc" not in chair.buttons
    # Forged: a branch of another commune.
    await chair.press_data(f"{step_prefix(chair)}:u:{world.other_branch.id}")
    assert "không còn" in chair.callback_answers[-1]
    await chair.press("✔")  # the commune itself
    assert chair.buttons == ["Quỹ cấp xã", "Quỹ dòng họ", "Quỹ gia đình", "✖ Hủy"]
    await chair.press("Quỹ cấp xã")
    await chair.press("📅 Hôm nay")
    await chair.press("💾 Lưu")  # 2 of the 3 million: no warning
    assert f"Quỹ: Quỹ khuyến học Xã {world.commune.name}" in chair.last_text
    rows = await awards(bot.db)
    assert [(r["unit_id"], r["fund_unit"], r["fund_kind"], r["reporter_id"]) for r in rows] == [
        (world.commune.id, world.commune.id, "unit", World.CHAIR)
    ]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(answer=st.text(min_size=1, max_size=300))
async def test_any_text_at_any_step_gets_an_answer(
    volunteer: FakeUser, bot: BotUnderTest, answer: str
) -> None:
    await volunteer.send("/award")
    steps = (("Học trường nào?", "Nguyễn Thị Mai"), ("Lớp nào", "THCS Đông Hợp"), ("", ""))
    for next_prompt, fallback in steps:  # recipient, school, class: each gets the text
        await volunteer.send(answer)
        assert volunteer.new_texts, "the bot must always answer"
        assert not any(ERROR in text for text in volunteer.new_texts)
        if next_prompt and next_prompt not in volunteer.last_text:
            await volunteer.send(fallback)  # refused: a good answer moves on
            assert next_prompt in volunteer.last_text
    await volunteer.send("/cancel")
