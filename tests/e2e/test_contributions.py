"""The contribution flow, from the menu to the receipt, as a volunteer or a chair taps it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.storage.db import Database
from bot.storage.models import Role
from tests.conftest import person
from tests.e2e.conftest import VOLUNTEER, BotUnderTest, World, step_prefix

OTHER_VOLUNTEER = 51
MENU = "💰 Đóng góp quỹ"  # what the main-menu button sends
ERROR = "sự cố"  # from the error handler's apology
IN_WORDS = "1.500.000\xa0₫ — một triệu năm trăm nghìn đồng"


async def contributions(db: Database) -> list[dict[str, Any]]:
    rows = await db.fetchall(
        "SELECT c.id, c.donor_name, c.donor_kind, c.amount, c.in_kind, c.in_kind_description, "
        "c.campaign, c.contributed_on, c.unit_id, c.reporter_id, "
        "f.kind AS fund_kind, f.name AS fund_name, f.unit_id AS fund_unit "
        "FROM contribution c JOIN fund f ON f.id = c.fund_id ORDER BY c.id"
    )
    return [dict(row) for row in rows]


async def give_cash(user: FakeUser, amount: str = "1tr5", donor: str = "Nguyễn Văn An") -> None:
    """A volunteer's shortest path up to the summary."""
    await user.send(MENU)
    await user.send(donor)
    await user.press("Cá nhân")
    await user.press("💵 Tiền mặt")
    await user.send(amount)
    await user.press("Quỹ chi hội")
    await user.press("Xuân Khuyến học")
    await user.press("📅 Hôm nay")


async def test_contribution_from_menu_to_receipt(
    volunteer: FakeUser, bot: BotUnderTest, world: World
) -> None:
    await volunteer.send("/start")
    await volunteer.send(MENU)
    assert "Đóng góp quỹ — Ai đóng góp?" in volunteer.last_text
    await volunteer.send("Nguyễn Văn An")
    assert "Người đóng góp là" in volunteer.last_text
    assert volunteer.buttons[:6] == [
        "Cá nhân",
        "Gia đình",
        "Dòng họ",
        "Doanh nghiệp",
        "Cơ quan, tổ chức",
        "Tập thể",
    ]
    await volunteer.press("Cá nhân")
    await volunteer.press("💵 Tiền mặt")
    assert "Số tiền bao nhiêu? Ví dụ: 500k, 1tr5 hoặc 5 triệu." in volunteer.last_text
    await volunteer.send("1tr5")
    # The unit is the volunteer's branch; only funds a volunteer may report into are offered.
    assert "Đóng góp vào quỹ nào?" in volunteer.last_text
    assert volunteer.buttons == ["Quỹ chi hội", "Quỹ dòng họ", "Quỹ gia đình", "✖ Hủy"]
    await volunteer.press("Quỹ chi hội")
    assert volunteer.buttons[:5] == [
        "Xuân Khuyến học",
        "Tháng Khuyến học",
        "Một ngày lương",
        "Nuôi lợn khuyến học",
        "Khác",
    ]
    await volunteer.press("Xuân Khuyến học")
    await volunteer.press("📅 Hôm nay")
    summary = volunteer.last_text
    assert "Vui lòng kiểm tra lại" in summary
    for expected in (
        "Người đóng góp: Nguyễn Văn An",
        "Đối tượng đóng góp: Cá nhân",
        "Hình thức: 💵 Tiền mặt",
        f"Số tiền: {IN_WORDS}",
        "Đơn vị: Chi hội Thôn Đông",
        "Quỹ: Quỹ chi hội",
        "Đợt vận động: Xuân Khuyến học",
        "Ngày đóng góp: 28/11/2026",
    ):
        assert expected in summary
    assert volunteer.buttons == ["💾 Lưu", "✏️ Sửa", "✖ Hủy"]
    await volunteer.press("💾 Lưu")
    assert (
        "✅ Đã lưu khoản đóng góp. Số 1, lúc 10:00 28/11/2026.\n"
        f"Số tiền: {IN_WORDS}\n"
        "Quỹ: Quỹ khuyến học Chi hội Thôn Đông"
    ) in volunteer.texts
    assert "Người đóng góp: Nguyễn Văn An" in volunteer.texts[-2]  # the summary stays, no buttons
    rows = await contributions(bot.db)
    assert rows == [
        {
            "id": 1,
            "donor_name": "Nguyễn Văn An",
            "donor_kind": "individual",
            "amount": 1_500_000,
            "in_kind": 0,
            "in_kind_description": None,
            "campaign": "xuan_khuyen_hoc",
            "contributed_on": "2026-11-28",
            "unit_id": world.branch.id,
            "reporter_id": VOLUNTEER,
            "fund_kind": "unit",
            "fund_name": "",
            "fund_unit": world.branch.id,
        }
    ]
    audit = await bot.db.fetchall(
        "SELECT actor_id, action FROM audit_log WHERE entity = 'contribution'"
    )
    assert [tuple(row) for row in audit] == [(VOLUNTEER, "create")]


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("5 triệu", 5_000_000, "5.000.000\xa0₫ — năm triệu đồng"),
        ("1tr5", 1_500_000, IN_WORDS),
        ("500k", 500_000, "500.000\xa0₫ — năm trăm nghìn đồng"),
        ("1.500.000", 1_500_000, IN_WORDS),
    ],
)
async def test_amounts_as_volunteers_type_them(
    volunteer: FakeUser, bot: BotUnderTest, typed: str, stored: int, shown: str
) -> None:
    await give_cash(volunteer, typed)
    assert f"Số tiền: {shown}" in volunteer.last_text
    await volunteer.press("💾 Lưu")
    assert f"Số tiền: {shown}" in volunteer.last_text
    assert [row["amount"] for row in await contributions(bot.db)] == [stored]


async def test_every_bad_answer_is_explained_and_nothing_is_lost(
    volunteer: FakeUser, bot: BotUnderTest
) -> None:
    await volunteer.send("/donggop")
    await volunteer.send("A")
    assert "Quá ngắn" in volunteer.last_text and "Ai đóng góp?" in volunteer.last_text
    await volunteer.send("x" * 101)
    assert "Quá dài" in volunteer.last_text
    await volunteer.send("Công ty TNHH Minh Anh")
    await volunteer.send("ông bà")  # no button's words: a choice is made with the buttons
    assert "Vui lòng bấm chọn" in volunteer.last_text
    await volunteer.press_data(f"{step_prefix(volunteer)}:o:9")  # forged option
    assert "không hợp lệ" in volunteer.callback_answers[-1]
    await volunteer.press("Doanh nghiệp")
    await volunteer.press("🎁 Hiện vật")
    assert "Hiện vật gồm những gì?" in volunteer.last_text
    await volunteer.send("v" * 501)
    assert "Quá dài" in volunteer.last_text and "Hiện vật gồm những gì?" in volunteer.last_text
    await volunteer.send("\u200b")  # nothing visible
    assert "cần được trả lời" in volunteer.last_text
    await volunteer.send("50 quyển vở và 10 cặp sách")
    assert "Giá trị ước tính bao nhiêu tiền?" in volunteer.last_text
    for bad, reason in (
        ("0", "Số tiền phải lớn hơn 0."),
        ("abc", "Tôi chưa đọc được số tiền này."),
        ("1.50.000", "Số tiền này có thể hiểu theo nhiều cách."),
        ("-500k", "Số tiền phải lớn hơn 0."),
        ("1tr25", "Số tiền này có thể hiểu theo nhiều cách."),
    ):
        await volunteer.send(bad)
        text = volunteer.last_text
        assert reason in text, (bad, text)
        assert 'Hãy gõ ví dụ "1.500.000" hoặc "5 triệu".' in text  # two examples
        assert "Giá trị ước tính bao nhiêu tiền?" in text  # the question again
    await volunteer.send("2 triệu")
    await volunteer.press("Quỹ dòng họ")
    assert "Dòng họ nào?" in volunteer.last_text
    await volunteer.send("N")
    assert "Quá ngắn" in volunteer.last_text and "Dòng họ nào?" in volunteer.last_text
    await volunteer.send("Nguyễn Đình")
    await volunteer.press("Tháng Khuyến học")
    await volunteer.send("32/13/2025")
    assert "chưa đọc được ngày" in volunteer.last_text and "Ngày đóng góp?" in volunteer.last_text
    await volunteer.send("01/01/2030")
    assert "tương lai" in volunteer.last_text
    await volunteer.send("hôm qua")
    summary = volunteer.last_text
    for expected in (
        "Người đóng góp: Công ty TNHH Minh Anh",
        "Đối tượng đóng góp: Doanh nghiệp",
        "Hình thức: 🎁 Hiện vật",
        "Hiện vật: 50 quyển vở và 10 cặp sách",
        "Giá trị ước tính: 2.000.000\xa0₫ — hai triệu đồng",
        "Quỹ: Quỹ dòng họ",
        "Dòng họ: Nguyễn Đình",
        "Ngày đóng góp: 27/11/2026",
    ):
        assert expected in summary
    assert "Số tiền:" not in summary
    assert not any(ERROR in text for text in volunteer.texts)
    assert await contributions(bot.db) == []
    await volunteer.press("💾 Lưu")
    assert "Giá trị ước tính: 2.000.000\xa0₫ — hai triệu đồng" in volunteer.last_text
    assert "Quỹ: Quỹ dòng họ Nguyễn Đình (Chi hội Thôn Đông)" in volunteer.last_text


async def test_in_kind_gift_to_a_clan_fund(
    volunteer: FakeUser, bot: BotUnderTest, world: World
) -> None:
    await volunteer.send(MENU)
    await volunteer.send("Dòng họ Phạm Văn")
    await volunteer.press("Dòng họ")
    await volunteer.press("🎁 Hiện vật")
    await volunteer.send("20 bộ sách giáo khoa lớp 6")
    await volunteer.send("1tr5")
    await volunteer.press("Quỹ dòng họ")
    await volunteer.send("phạm  văn")
    await volunteer.press("Khác")
    await volunteer.press("📅 Hôm qua")
    assert f"Giá trị ước tính: {IN_WORDS}" in volunteer.last_text
    await volunteer.press("💾 Lưu")
    # A second gift to the same clan, its name typed differently, goes to the same fund.
    await volunteer.send(MENU)
    await volunteer.send("Phạm Văn Hùng")
    await volunteer.press("Cá nhân")
    await volunteer.press("💵 Tiền mặt")
    await volunteer.send("500k")
    await volunteer.press("Quỹ dòng họ")
    await volunteer.send("Pham Van")
    await volunteer.press("Khác")
    await volunteer.press("📅 Hôm nay")
    await volunteer.press("💾 Lưu")
    assert "Quỹ: Quỹ dòng họ phạm văn (Chi hội Thôn Đông)" in volunteer.last_text
    rows = await contributions(bot.db)
    assert [
        (r["in_kind"], r["in_kind_description"], r["amount"], r["donor_kind"]) for r in rows
    ] == [(1, "20 bộ sách giáo khoa lớp 6", 1_500_000, "clan"), (0, None, 500_000, "individual")]
    assert {(r["fund_kind"], r["fund_name"], r["fund_unit"]) for r in rows} == {
        ("clan", "phạm văn", world.branch.id)
    }
    assert rows[0]["contributed_on"] == "2026-11-27"


async def test_family_fund(volunteer: FakeUser, bot: BotUnderTest) -> None:
    await volunteer.send(MENU)
    await volunteer.send("Trần Văn Bình")
    await volunteer.press("Gia đình")
    await volunteer.press("💵 Tiền mặt")
    await volunteer.send("10 triệu")
    await volunteer.press("Quỹ gia đình")
    assert "Gõ tên chủ hộ" in volunteer.last_text
    await volunteer.send("Trần Văn Bình")
    await volunteer.press("Một ngày lương")
    await volunteer.press("📅 Hôm nay")
    await volunteer.press("💾 Lưu")
    assert "Quỹ: Quỹ gia đình Trần Văn Bình (Chi hội Thôn Đông)" in volunteer.last_text
    rows = await contributions(bot.db)
    assert [(r["fund_kind"], r["fund_name"], r["campaign"]) for r in rows] == [
        ("family", "Trần Văn Bình", "one_day_salary")
    ]


async def test_change_answers_from_the_summary(volunteer: FakeUser, bot: BotUnderTest) -> None:
    await give_cash(volunteer, "1tr5")
    await volunteer.press("✏️ Sửa")
    assert "Bạn muốn sửa mục nào" in volunteer.last_text
    assert volunteer.buttons == [
        "Người đóng góp",
        "Đối tượng đóng góp",
        "Hình thức",
        "Số tiền",
        "Đơn vị",
        "Quỹ",
        "Đợt vận động",
        "Ngày đóng góp",
        "✖ Hủy",
    ]
    await volunteer.press("Số tiền")
    await volunteer.send("abc")
    assert "chưa đọc được số tiền" in volunteer.last_text
    await volunteer.send("2 triệu 500")
    summary = volunteer.last_text
    assert "Số tiền: 2.500.000\xa0₫ — hai triệu năm trăm nghìn đồng" in summary
    assert "Nguyễn Văn An" in summary and "Xuân Khuyến học" in summary
    # Cash becomes a gift in kind: its description and value are asked, the amount goes.
    await volunteer.press("✏️ Sửa")
    await volunteer.press("Hình thức")
    await volunteer.press("🎁 Hiện vật")
    assert "Hiện vật gồm những gì?" in volunteer.last_text
    await volunteer.send("Một xe đạp")
    await volunteer.send("1tr5")
    summary = volunteer.last_text
    assert f"Giá trị ước tính: {IN_WORDS}" in summary and "Số tiền:" not in summary
    # The fund becomes a family's: its name is asked, then back to the summary.
    await volunteer.press("✏️ Sửa")
    await volunteer.press("Quỹ")
    await volunteer.press("Quỹ gia đình")
    await volunteer.send("Lê Văn Tám")
    assert "Gia đình: Lê Văn Tám" in volunteer.last_text
    await volunteer.press("💾 Lưu")
    rows = await contributions(bot.db)
    assert [
        (r["in_kind"], r["in_kind_description"], r["amount"], r["fund_kind"]) for r in rows
    ] == [(1, "Một xe đạp", 1_500_000, "family")]


async def test_a_refusal_is_explained_when_the_branch_is_filled_in_again(
    volunteer: FakeUser, bot: BotUnderTest, world: World
) -> None:
    await give_cash(volunteer)
    await bot.db.execute("UPDATE unit SET active = 0 WHERE id = ?", (world.branch.id,))
    await volunteer.press("💾 Lưu")
    # The branch is asked again and, being the volunteer's own, filled in without a question:
    # the reason still comes with the summary.
    assert "Đơn vị này không còn nữa." in volunteer.last_text
    assert "Vui lòng kiểm tra lại" in volunteer.last_text
    assert await contributions(bot.db) == []


async def test_reopened_for_correction(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest, world: World
) -> None:
    await give_cash(volunteer, "1tr5")
    await volunteer.press("💾 Lưu")
    (saved,) = await contributions(bot.db)
    await volunteer.press_data(f"contribution:e:{saved['id']}")  # from /myreports
    assert "Vui lòng kiểm tra lại" in volunteer.last_text
    assert f"Số tiền: {IN_WORDS}" in volunteer.last_text
    await volunteer.press("✏️ Sửa")
    await volunteer.press("Số tiền")
    await volunteer.send("3 triệu")
    await volunteer.press("💾 Lưu")
    assert "✅ Đã sửa khoản đóng góp. Số 1" in volunteer.last_text
    assert "Số tiền: 3.000.000\xa0₫ — ba triệu đồng" in volunteer.last_text
    rows = await contributions(bot.db)
    assert [(r["id"], r["amount"], r["donor_name"]) for r in rows] == [
        (1, 3_000_000, "Nguyễn Văn An")
    ]
    audit = await bot.db.fetchall(
        "SELECT action FROM audit_log WHERE entity = 'contribution' ORDER BY id"
    )
    assert [row[0] for row in audit] == ["create", "edit"]

    # Someone else's record, from another commune: refused.
    await person(bot.db, OTHER_VOLUNTEER, Role.VOLUNTEER, world.other_branch, "Đào Văn Khánh")
    other = fake.user(OTHER_VOLUNTEER)
    await other.send("/start")
    await other.press_data("contribution:e:1")
    assert "ngoài phạm vi" in other.callback_answers[-1]
    await other.press_data("contribution:e:99")
    assert "Không tìm thấy" in other.callback_answers[-1]

    # After 48 hours the volunteer may not change it any more; the commune chair still may.
    bot.advance(timedelta(hours=49))
    await volunteer.press_data("contribution:e:1")
    assert "48 giờ" in volunteer.callback_answers[-1]
    chair = fake.user(World.CHAIR)
    await chair.send("/start")
    await chair.press_data("contribution:e:1")
    await chair.press("✏️ Sửa")
    await chair.press("Quỹ")
    assert chair.buttons == ["Quỹ chi hội", "Quỹ cấp xã", "Quỹ dòng họ", "Quỹ gia đình", "✖ Hủy"]
    await chair.press("Quỹ cấp xã")
    await chair.press("💾 Lưu")
    assert f"Quỹ: Quỹ khuyến học Xã {world.commune.name}" in chair.last_text
    rows = await contributions(bot.db)
    assert [(r["unit_id"], r["fund_unit"], r["amount"]) for r in rows] == [
        (world.commune.id, world.commune.id, 3_000_000)
    ]


async def test_cancel_saves_nothing(volunteer: FakeUser, bot: BotUnderTest) -> None:
    await volunteer.send(MENU)
    await volunteer.send("Nguyễn Văn An")
    await volunteer.press("✖ Hủy")  # with an answer entered: asked first
    await volunteer.press("Bỏ")
    assert "Đã hủy. Chưa có gì được lưu." in volunteer.texts
    await give_cash(volunteer)
    await volunteer.press("✖ Hủy")
    await volunteer.press("Bỏ")
    await volunteer.send("/donggop")
    await volunteer.send("Đỗ Thị Én")
    await volunteer.send("/huy")
    assert "Đã hủy. Chưa có gì được lưu." in volunteer.last_text
    assert await contributions(bot.db) == []
    count = await bot.db.fetchone("SELECT count(*) FROM fund")
    assert count is not None and count[0] == 0


async def test_restart_mid_flow_keeps_the_answers(volunteer: FakeUser, bot: BotUnderTest) -> None:
    await volunteer.send(MENU)
    await volunteer.send("Vũ Văn Giang")
    await volunteer.press("Tập thể")
    await volunteer.press("💵 Tiền mặt")
    await volunteer.send("500k")
    await bot.stop()
    await bot.start()
    await volunteer.press("Quỹ chi hội")
    await volunteer.press("Tháng Khuyến học")
    await volunteer.send("hom nay")
    summary = volunteer.last_text
    assert "Vũ Văn Giang" in summary and "Tập thể" in summary and "500.000" in summary
    await volunteer.press("💾 Lưu")
    rows = await contributions(bot.db)
    assert [(r["donor_name"], r["donor_kind"], r["amount"]) for r in rows] == [
        ("Vũ Văn Giang", "collective", 500_000)
    ]


async def test_saving_twice_stores_one_record(volunteer: FakeUser, bot: BotUnderTest) -> None:
    await give_cash(volunteer)
    summary_id = volunteer.last.message_id if volunteer.last else None
    save = f"{step_prefix(volunteer, summary_id)}:save"
    await volunteer.press_data(save, summary_id)
    await volunteer.press_data(save, summary_id)  # double tap / redelivery
    assert "chưa có gì thay đổi" in volunteer.callback_answers[-1]
    assert len(await contributions(bot.db)) == 1


async def test_chair_chooses_a_unit_in_scope(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.CHAIR)
    await chair.send(MENU)
    await chair.send("Hội Cựu giáo chức")
    await chair.press("Tập thể")
    await chair.press("💵 Tiền mặt")
    await chair.send("5 triệu")
    assert "Đơn vị nào nhận đóng góp?" in chair.last_text
    assert chair.buttons[0] == f"✔ Xã {world.commune.name}"
    assert "Thôn Tây" in chair.buttons and "Thôn Bắc" not in chair.buttons
    # Forged: a branch of another commune.
    await chair.press_data(f"{step_prefix(chair)}:u:{world.other_branch.id}")
    assert "không còn" in chair.callback_answers[-1]
    await chair.press_data(f"{step_prefix(chair)}:u:{world.other_commune.id}")
    assert "không còn" in chair.callback_answers[-1]
    await chair.press("Thôn Đông")
    assert chair.buttons == ["Quỹ chi hội", "Quỹ cấp xã", "Quỹ dòng họ", "Quỹ gia đình", "✖ Hủy"]
    await chair.press_data(f"{step_prefix(chair)}:o:7")  # forged fund button
    assert "không hợp lệ" in chair.callback_answers[-1]
    await chair.press("Quỹ cấp xã")
    await chair.press("Tháng Khuyến học")
    await chair.press("📅 Hôm nay")
    assert "Đơn vị: Chi hội Thôn Đông" in chair.last_text
    await chair.press("💾 Lưu")
    assert f"Quỹ: Quỹ khuyến học Xã {world.commune.name}" in chair.last_text
    rows = await contributions(bot.db)
    assert [(r["unit_id"], r["fund_unit"], r["reporter_id"]) for r in rows] == [
        (world.commune.id, world.commune.id, World.CHAIR)
    ]


async def test_a_fund_no_longer_offered_cannot_be_pressed(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.CHAIR)
    await chair.send(MENU)
    await chair.send("Hội Cựu giáo chức")
    await chair.press("Tập thể")
    await chair.press("💵 Tiền mặt")
    await chair.send("5 triệu")
    await chair.press("Thôn Đông")
    assert chair.buttons == ["Quỹ chi hội", "Quỹ cấp xã", "Quỹ dòng họ", "Quỹ gia đình", "✖ Hủy"]
    # Meanwhile the chair becomes the head of that branch: the commune fund is out of reach.
    await bot.db.execute(
        "UPDATE role_grant SET role = 'branch_head', unit_id = ? WHERE telegram_id = ?",
        (world.branch.id, World.CHAIR),
    )
    await chair.press("Quỹ cấp xã")
    assert chair.callback_answers[-1] == "Lựa chọn này không còn nữa."
    assert chair.buttons == ["Quỹ chi hội", "Quỹ dòng họ", "Quỹ gia đình", "✖ Hủy"]
    await chair.press("Quỹ chi hội")
    await chair.press("Tháng Khuyến học")
    await chair.press("📅 Hôm nay")
    await chair.press("💾 Lưu")
    rows = await contributions(bot.db)
    assert [(r["fund_kind"], r["fund_unit"]) for r in rows] == [("unit", world.branch.id)]


async def test_district_chair_reaches_the_district_fund(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.DISTRICT_CHAIR)
    await chair.send("/contribution")
    await chair.send("Ngân hàng Nông nghiệp")
    await chair.press("Doanh nghiệp")
    await chair.press("💵 Tiền mặt")
    await chair.send("20 triệu")
    await chair.press(world.commune.name)
    await chair.press("✔")  # the commune itself
    # A commune holds clan funds too; the province fund is out of this chair's reach.
    assert chair.buttons == [
        "Quỹ cấp xã",
        "Quỹ cấp huyện",
        "Quỹ dòng họ",
        "Quỹ gia đình",
        "✖ Hủy",
    ]
    await chair.press("Quỹ cấp huyện")
    await chair.press("Xuân Khuyến học")
    await chair.press("📅 Hôm nay")
    await chair.press("💾 Lưu")
    rows = await contributions(bot.db)
    assert [(r["unit_id"], r["amount"]) for r in rows] == [(world.district.id, 20_000_000)]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(answer=st.text(min_size=1, max_size=300))
async def test_any_text_at_any_step_gets_an_answer(
    volunteer: FakeUser, bot: BotUnderTest, answer: str
) -> None:
    await volunteer.send("/contribution")
    await volunteer.send(answer)  # the donor's name
    assert volunteer.new_texts, "the bot must always answer"
    assert not any(ERROR in text for text in volunteer.new_texts)
    if "Người đóng góp là" not in volunteer.last_text:
        await volunteer.send("Nguyễn Văn An")  # refused: a good answer moves on
    await volunteer.press("Cá nhân")
    await volunteer.press("🎁 Hiện vật")
    for _ in range(2):  # the gift's description, then (if it was taken) its value
        await volunteer.send(answer)
        assert volunteer.new_texts, "the bot must always answer"
        assert not any(ERROR in text for text in volunteer.new_texts)
    await volunteer.send("/cancel")
