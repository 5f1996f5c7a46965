"""Title nominations as people do them: a volunteer nominates, the right chair decides."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.services import nominations
from bot.storage import people
from bot.storage.db import Database
from bot.storage.models import Role
from tests.conftest import person
from tests.e2e.conftest import VOLUNTEER, BotUnderTest, World, step_prefix

SECOND_CHAIR = 32
MENU_LABEL = "🏅 Đề cử danh hiệu"
ERROR = "sự cố"  # part of the error handler's apology: must never be seen
KINDS = (
    "Công dân học tập",
    "Gia đình học tập",
    "Dòng họ học tập",
    "Cộng đồng học tập (thôn, tổ dân phố)",
    "Đơn vị học tập",
    "Cộng đồng học tập cấp xã",
)


async def rows(db: Database) -> list[dict[str, Any]]:
    found = await db.fetchall(
        "SELECT id, kind, subject, unit_id, year, note, status, reporter_id, decided_by, "
        "reject_reason FROM nomination ORDER BY id"
    )
    return [dict(row) for row in found]


async def open_menu_item(user: FakeUser, label: str) -> None:
    """Tap the main-menu button; until common.MENU lists it, type its label as the button
    would send it."""
    if label in user.reply_keyboard:
        await user.press(label)
    else:
        await user.send(label)


async def nominate(
    user: FakeUser, kind: str, subject: str | None, year: str = "2026", note: str | None = None
) -> None:
    """The shortest path for someone whose unit is chosen automatically, up to the summary."""
    await user.send("/title")
    await user.press(kind)
    if subject is not None:
        await user.send(subject)
    await user.press(year)
    if note is None:
        await user.press("⏭ Bỏ qua")
    else:
        await user.send(note)


async def test_nomination_from_menu_to_receipt(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest, world: World
) -> None:
    await volunteer.send("/start")
    await open_menu_item(volunteer, MENU_LABEL)
    assert "Danh hiệu nào?" in volunteer.last_text
    assert volunteer.buttons == [*KINDS, "✖ Hủy"]
    await volunteer.press("Công dân học tập")
    assert "Ai được đề cử? Gõ họ và tên" in volunteer.last_text
    await volunteer.send("Nguyễn Văn Bình")
    assert "Năm nào?" in volunteer.last_text  # the branch is the volunteer's own
    assert volunteer.buttons[:2] == ["2026", "2025"]
    await volunteer.press("2026")
    assert "Ghi chú" in volunteer.last_text and "không bắt buộc" in volunteer.last_text
    await volunteer.press("⏭ Bỏ qua")
    summary = volunteer.last_text
    assert "Vui lòng kiểm tra lại" in summary
    for expected in (
        "Danh hiệu: Công dân học tập",
        "Người được đề cử: Nguyễn Văn Bình",
        "Địa bàn: Chi hội Thôn Đông",
        "Năm: 2026",
        "Ghi chú: (không có)",
    ):
        assert expected in summary
    await volunteer.press("💾 Lưu")
    assert any(
        text.startswith("✅ Đã lưu đề cử. Số 1, lúc 10:00 28/11/2026.") for text in volunteer.texts
    )
    assert "gửi tới Hội Khuyến học xã An Châu để xét công nhận" in volunteer.last_text
    assert await rows(bot.db) == [
        {
            "id": 1,
            "kind": "citizen",
            "subject": "Nguyễn Văn Bình",
            "unit_id": world.branch.id,
            "year": 2026,
            "note": None,
            "status": "pending",
            "reporter_id": VOLUNTEER,
            "decided_by": None,
            "reject_reason": None,
        }
    ]
    chair = fake.user(World.CHAIR)
    assert "🏅 Đề cử số 1: Công dân học tập, năm 2026" in chair.last_text
    assert "Nguyễn Văn Bình" in chair.last_text and "Chi hội Thôn Đông" in chair.last_text
    assert "Người đề cử: Lê Thị Cúc" in chair.last_text
    assert chair.buttons == ["✅ Công nhận", "❌ Không công nhận"]
    assert fake.user(World.OTHER_CHAIR).messages == []
    assert fake.user(World.DISTRICT_CHAIR).messages == []  # the commune has its own chair


async def test_every_bad_answer_is_explained_and_nothing_is_lost(
    volunteer: FakeUser, bot: BotUnderTest
) -> None:
    await volunteer.send("/danhhieu")
    await volunteer.send("họ Trần")  # no title's words: a title is chosen with the buttons
    assert "Vui lòng bấm chọn" in volunteer.last_text and "Danh hiệu nào" in volunteer.last_text
    await volunteer.press_data(f"{step_prefix(volunteer)}:o:9")  # forged option
    assert "không hợp lệ" in volunteer.callback_answers[-1]
    await volunteer.press("Dòng họ học tập")
    assert "Dòng họ nào?" in volunteer.last_text
    await volunteer.send("A")
    assert "Quá ngắn" in volunteer.last_text and "Dòng họ nào?" in volunteer.last_text
    await volunteer.send("Họ " * 60)
    assert "Quá dài" in volunteer.last_text
    await volunteer.send("  Dòng họ   Phạm Văn ")
    await volunteer.send("hai nghìn")
    assert "Vui lòng gõ năm" in volunteer.last_text and "Năm nào" in volunteer.last_text
    await volunteer.send("2030")
    assert "Vui lòng gõ năm" in volunteer.last_text
    await volunteer.send("1930")
    assert "quá xa" in volunteer.last_text
    await volunteer.press_data(f"{step_prefix(volunteer)}:s:5")  # forged shortcut
    assert "không hợp lệ" in volunteer.callback_answers[-1]
    await volunteer.send("năm 2025")
    await volunteer.send("x" * 501)
    assert "Quá dài" in volunteer.last_text and "Ghi chú" in volunteer.last_text
    await volunteer.send("Dòng họ có   5 tiến sĩ")
    summary = volunteer.last_text
    assert "Dòng họ: Dòng họ Phạm Văn" in summary and "Năm: 2025" in summary
    assert "Ghi chú: Dòng họ có 5 tiến sĩ" in summary
    await volunteer.press("💾 Lưu")
    saved = await rows(bot.db)
    assert [(r["kind"], r["subject"], r["year"], r["note"]) for r in saved] == [
        ("clan", "Dòng họ Phạm Văn", 2025, "Dòng họ có 5 tiến sĩ")
    ]


async def test_change_answers_from_the_summary(volunteer: FakeUser, bot: BotUnderTest) -> None:
    await nominate(volunteer, "Công dân học tập", "Nguyễn Văn An")
    await volunteer.press("✏️ Sửa")
    assert "Bạn muốn sửa mục nào" in volunteer.last_text
    assert volunteer.buttons == [
        "Danh hiệu",
        "Người được đề cử",
        "Địa bàn",
        "Năm",
        "Ghi chú",
        "✖ Hủy",
    ]
    await volunteer.press("Danh hiệu")
    await volunteer.press("Gia đình học tập")
    # Another title asks again who is nominated, in that title's words.
    assert "Gia đình nào? Gõ họ và tên chủ hộ" in volunteer.last_text
    await volunteer.send("Trần Văn Bình")
    summary = volunteer.last_text
    assert "Danh hiệu: Gia đình học tập" in summary and "Chủ hộ: Trần Văn Bình" in summary
    assert "Nguyễn Văn An" not in summary
    await volunteer.press("✏️ Sửa")
    await volunteer.press("Năm")
    await volunteer.press("2025")
    assert "Năm: 2025" in volunteer.last_text
    await volunteer.press("💾 Lưu")
    saved = await rows(bot.db)
    assert [(r["kind"], r["subject"], r["year"]) for r in saved] == [
        ("family", "Trần Văn Bình", 2025)
    ]


async def test_cancel_saves_nothing(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest
) -> None:
    await volunteer.send("/title")
    await volunteer.press("Công dân học tập")
    await volunteer.send("Phạm Văn Đức")
    await volunteer.press("✖ Hủy")  # with answers entered: asked first
    await volunteer.press("Bỏ")
    assert "Đã hủy. Chưa có gì được lưu." in volunteer.texts
    await nominate(volunteer, "Công dân học tập", "Đỗ Thị Én")
    await volunteer.send("/huy")
    assert "Đã hủy. Chưa có gì được lưu." in volunteer.last_text
    assert await rows(bot.db) == []
    assert fake.user(World.CHAIR).messages == []


async def test_restart_mid_flow_keeps_the_answers(volunteer: FakeUser, bot: BotUnderTest) -> None:
    await volunteer.send("/title")
    await volunteer.press("Gia đình học tập")
    await volunteer.send("Vũ Văn Giang")
    await bot.stop()
    await bot.start()
    await volunteer.press("2026")
    await volunteer.press("⏭ Bỏ qua")
    assert "Chủ hộ: Vũ Văn Giang" in volunteer.last_text
    await volunteer.press("💾 Lưu")
    assert [r["subject"] for r in await rows(bot.db)] == ["Vũ Văn Giang"]


async def test_recognised_and_the_nominator_is_told(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest, world: World
) -> None:
    await person(bot.db, SECOND_CHAIR, Role.COMMUNE_CHAIR, world.commune, "Phó Chủ Tịch Xã")
    await nominate(volunteer, "Công dân học tập", "Nguyễn Văn Bình")
    await volunteer.press("💾 Lưu")
    chair, second = fake.user(World.CHAIR), fake.user(SECOND_CHAIR)
    assert "✅ Công nhận" in second.buttons  # both chairs of the commune are asked
    await chair.press("✅ Công nhận")
    assert chair.callback_answers[-1] == "✅ Đã công nhận"
    assert "✅ Đã được Chủ Tịch Xã công nhận" in chair.last_text
    assert chair.buttons == ["↩ Hoàn tác"]  # decided: only ↩ Undo, for a few minutes
    assert "🎉 Tin vui: đề cử số 1 của bạn đã được công nhận" in volunteer.last_text
    assert "Công dân học tập, năm 2026 — Nguyễn Văn Bình" in volunteer.last_text
    saved = await rows(bot.db)
    assert [(r["status"], r["decided_by"]) for r in saved] == [("recognised", World.CHAIR)]
    # The other chair, pressing later, learns it is decided and sees by whom.
    await second.press("❌ Không công nhận")
    assert "Đề cử này đã được xét." in second.callback_answers[-1]
    assert "✅ Đã được Chủ Tịch Xã công nhận" in second.last_text
    assert second.buttons == []
    await chair.press_data("tt:ok:1")  # a second tap of the same button
    assert "đã được xét" in chair.callback_answers[-1]
    assert [r["status"] for r in await rows(bot.db)] == ["recognised"]


async def test_rejected_with_a_reason_the_nominator_reads_in_their_language(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest
) -> None:
    await nominate(volunteer, "Công dân học tập", "Nguyễn Văn Bình")
    await volunteer.press("💾 Lưu")
    await people.set_language(bot.db, VOLUNTEER, "en")
    chair = fake.user(World.CHAIR)
    await chair.press("❌ Không công nhận")
    assert "Vì sao không công nhận đề cử số 1 (Nguyễn Văn Bình)?" in chair.last_text
    await chair.send("\u200b\u200b")  # looks like something, tidies to nothing
    assert "Vui lòng cho biết lý do." in chair.last_text and "Vì sao" in chair.last_text
    await chair.send("x" * 501)
    assert "Lý do quá dài" in chair.last_text
    assert [r["status"] for r in await rows(bot.db)] == ["pending"]
    await chair.send("Chưa đủ minh chứng  về việc học")
    assert "Đã lưu: đề cử số 1 không được công nhận" in chair.last_text
    card = next(m for m in chair.messages if "🏅 Đề cử số 1" in m.content)
    assert "❌ Chủ Tịch Xã không công nhận. Lý do: Chưa đủ minh chứng về việc học" in card.content
    assert card.buttons == ["↩ Hoàn tác"]  # for a few minutes
    # The questions' ✖ Hủy belong to a question that is over: pressed late, they change nothing.
    questions = [m for m in chair.messages if m.buttons == ["✖ Hủy"]]
    assert len(questions) == 3  # asked, then asked again after each bad reason
    for question in questions:
        cancel = str(question.inline_buttons[0]["callback_data"])
        await chair.press_data(cancel, question.message_id)
        assert "chưa có gì thay đổi" in chair.callback_answers[-1]
    assert volunteer.last_text == (
        "Your nomination #1 (Learning citizen, 2026 — Nguyễn Văn Bình) was not recognised. "
        "Reason: Chưa đủ minh chứng về việc học"
    )
    saved = await rows(bot.db)
    assert [(r["status"], r["reject_reason"], r["decided_by"]) for r in saved] == [
        ("rejected", "Chưa đủ minh chứng về việc học", World.CHAIR)
    ]


async def test_reason_question_can_be_left_and_survives_a_restart(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest
) -> None:
    await nominate(volunteer, "Công dân học tập", "Nguyễn Văn Bình")
    await volunteer.press("💾 Lưu")
    chair = fake.user(World.CHAIR)
    await chair.press("❌ Không công nhận")
    await chair.send("/cancel")
    assert "Chưa xét gì" in chair.last_text
    await chair.send("Lời chào buổi sáng")  # no longer a reason
    await chair.press_data("tt:no:1")
    await chair.press("✖ Hủy")
    assert "Chưa xét gì" in chair.texts[-2]
    assert [r["status"] for r in await rows(bot.db)] == ["pending"]
    # A reason typed long after the question decides nothing.
    await chair.press_data("tt:no:1")
    bot.advance(timedelta(hours=2))
    await chair.send("Xin chào")
    assert "đã quá một giờ" in chair.last_text
    assert [r["status"] for r in await rows(bot.db)] == ["pending"]
    # The question survives a restart.
    await chair.press_data("tt:no:1")
    await bot.stop()
    await bot.start()
    await chair.send("Trùng với hồ sơ năm trước")
    assert [r["reject_reason"] for r in await rows(bot.db)] == ["Trùng với hồ sơ năm trước"]
    assert "Lý do: Trùng với hồ sơ năm trước" in volunteer.last_text


def card_of(user: FakeUser, number: int) -> int:
    """The message id of the chair's card for nomination `number`."""
    return next(m.message_id for m in user.messages if f"🏅 Đề cử số {number}:" in m.content)


async def test_a_reason_typed_in_the_middle_of_a_form_goes_to_the_rejection(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest
) -> None:
    await nominate(volunteer, "Công dân học tập", "Nguyễn Văn Bình")
    await volunteer.press("💾 Lưu")
    chair = fake.user(World.CHAIR)
    card = card_of(chair, 1)
    await chair.send("/member")
    await chair.send("Mai Văn Khoa")
    assert "Nam hay nữ?" in chair.last_text
    await chair.press_data("tt:no:1", card)  # the card's ❌, above the form's question
    assert "Vì sao không công nhận đề cử số 1" in chair.last_text
    await chair.send("Chưa đủ minh chứng")
    assert "Đã lưu: đề cử số 1 không được công nhận" in chair.texts[-2]
    saved = await rows(bot.db)
    assert [(r["status"], r["reject_reason"]) for r in saved] == [
        ("rejected", "Chưa đủ minh chứng")
    ]
    assert "Lý do: Chưa đủ minh chứng" in volunteer.last_text
    # The form kept its draft and asks its question again: the gender, then on to the receipt.
    assert chair.last_text == "Quay lại: Hội viên mới\nHội viên mới — Nam hay nữ?"
    await chair.press("Nam")
    await chair.send("1990")
    await chair.press("Thôn Tây")
    await chair.press("📅 Hôm nay")
    await chair.press("⏭ Bỏ qua")
    assert "Họ và tên: Mai Văn Khoa" in chair.last_text
    await chair.press("💾 Lưu")
    found = await bot.db.fetchall("SELECT full_name, birth_year FROM member")
    assert [tuple(row) for row in found] == [("Mai Văn Khoa", 1990)]


async def test_a_form_started_from_the_reason_question_comes_back_to_it(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest
) -> None:
    """The reason question is an interruption: a form started over it gets the typed text,
    and once the form is over the question is asked again."""
    await nominate(volunteer, "Công dân học tập", "Nguyễn Văn Bình")
    await volunteer.press("💾 Lưu")
    chair = fake.user(World.CHAIR)
    await chair.press("❌ Không công nhận")
    question = chair.last
    assert question is not None and question.buttons == ["✖ Hủy"]
    await open_menu_item(chair, "👤 Hội viên mới")
    assert "Họ và tên của hội viên mới" in chair.last_text
    await chair.send("Mai Văn Khoa")  # the form's answer, not a reason
    assert "Nam hay nữ?" in chair.last_text
    assert [(r["status"], r["reject_reason"]) for r in await rows(bot.db)] == [("pending", None)]
    assert (
        "❌ Không công nhận"
        in next(m for m in chair.messages if m.message_id == card_of(chair, 1)).buttons
    )
    # The question's ✖ waits below the form: pressed now, it changes nothing.
    await chair.press_data(str(question.inline_buttons[0]["callback_data"]), question.message_id)
    assert "chưa có gì thay đổi" in chair.callback_answers[-1]
    assert "Nam hay nữ?" in chair.last_text
    await chair.send("/cancel")  # the form goes; the reason question comes back
    assert "Đã hủy. Chưa có gì được lưu." in chair.texts[-2]
    assert chair.last_text.startswith("Quay lại: Không công nhận đề cử")
    assert "Vì sao không công nhận đề cử số 1" in chair.last_text
    await chair.send("Chưa đủ minh chứng")
    assert [(r["status"], r["reject_reason"]) for r in await rows(bot.db)] == [
        ("rejected", "Chưa đủ minh chứng")
    ]


async def test_a_new_title_drops_a_place_that_no_longer_fits(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    district = fake.user(World.DISTRICT_CHAIR)
    await district.send("/title")
    await district.press("Công dân học tập")
    await district.send("Nguyễn Văn Bình")
    assert "Thuộc chi hội hoặc xã nào?" in district.last_text
    await district.press(world.commune.name)
    await district.press("Thôn Đông")
    # The picker keeps the choice, without its buttons, like any answered question.
    (picker,) = [m for m in district.messages if "Thuộc chi hội hoặc xã nào?" in m.content]
    assert "➜ Chi hội Thôn Đông" in picker.content and picker.buttons == []
    await district.press("2026")
    await district.press("⏭ Bỏ qua")
    assert "Địa bàn: Chi hội Thôn Đông" in district.last_text
    # Another title of a branch keeps the place; only the subject is asked, in its words.
    await district.press("✏️ Sửa")
    await district.press("Danh hiệu")
    await district.press("Gia đình học tập")
    assert "Gia đình nào?" in district.last_text
    await district.send("Trần Văn Bình")
    summary = district.last_text
    assert "Vui lòng kiểm tra lại" in summary and "Địa bàn: Chi hội Thôn Đông" in summary
    # A commune's title does not fit a branch: the place goes and is asked again.
    await district.press("✏️ Sửa")
    await district.press("Danh hiệu")
    await district.press("Cộng đồng học tập cấp xã")
    assert "Thuộc chi hội hoặc xã nào?" in district.last_text
    assert f"xã {world.commune.name}" in district.buttons  # a commune with its type
    await district.press(f"xã {world.commune.name}")
    summary = district.last_text
    assert f"Địa bàn: Xã {world.commune.name}" in summary
    assert "Thôn Đông" not in summary and "Trần Văn Bình" not in summary
    await district.press("💾 Lưu")
    saved = await rows(bot.db)
    assert [(r["kind"], r["subject"], r["unit_id"]) for r in saved] == [
        ("commune_community", world.commune.name, world.commune.id)
    ]


async def test_a_volunteer_cannot_decide_even_with_forged_data(
    volunteer: FakeUser, bot: BotUnderTest
) -> None:
    await nominate(volunteer, "Công dân học tập", "Nguyễn Văn Bình")
    await volunteer.press("💾 Lưu")
    await volunteer.press_data("tt:ok:1")
    assert "ngoài phạm vi" in volunteer.callback_answers[-1]
    await volunteer.press_data("tt:no:1")
    assert "ngoài phạm vi" in volunteer.callback_answers[-1]
    await volunteer.send("Tôi không công nhận")  # no reason question was opened
    assert [(r["status"], r["decided_by"]) for r in await rows(bot.db)] == [("pending", None)]


async def test_a_chair_of_another_commune_cannot_decide(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest
) -> None:
    await nominate(volunteer, "Công dân học tập", "Nguyễn Văn Bình")
    await volunteer.press("💾 Lưu")
    other = fake.user(World.OTHER_CHAIR)
    await other.send("/help")  # a message of the bot to attach the forged button to
    await other.press_data("tt:ok:1")
    assert "ngoài phạm vi" in other.callback_answers[-1]
    await other.press_data("tt:no:1")
    assert "ngoài phạm vi" in other.callback_answers[-1]
    assert [r["status"] for r in await rows(bot.db)] == ["pending"]


async def test_a_learning_unit_needs_the_district_chair(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest
) -> None:
    await nominate(volunteer, "Đơn vị học tập", "Trường Tiểu học Đông Hà")
    await volunteer.press("💾 Lưu")
    chair, district = fake.user(World.CHAIR), fake.user(World.DISTRICT_CHAIR)
    assert chair.messages == []  # the commune chair is not asked
    assert "Đơn vị học tập" in district.last_text
    await chair.send("/help")
    await chair.press_data("tt:ok:1")
    assert "do Hội Khuyến học huyện Đông Hưng công nhận" in chair.callback_answers[-1]
    await chair.send("/pending")
    assert "Không có đề cử nào" in chair.last_text
    assert [r["status"] for r in await rows(bot.db)] == ["pending"]
    await district.press("✅ Công nhận")
    assert [(r["status"], r["decided_by"]) for r in await rows(bot.db)] == [
        ("recognised", World.DISTRICT_CHAIR)
    ]


async def test_chair_nominates_a_commune_and_the_district_decides(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.CHAIR)
    await chair.send("/title")
    await chair.press("Cộng đồng học tập cấp xã")
    # The commune names itself, and it is the only one this chair may nominate: no picker.
    assert "Năm nào?" in chair.last_text
    await chair.press("2026")
    await chair.press("⏭ Bỏ qua")
    assert f"Địa bàn: Xã {world.commune.name}" in chair.last_text
    await chair.press("💾 Lưu")
    saved = await rows(bot.db)
    assert [(r["kind"], r["subject"], r["unit_id"]) for r in saved] == [
        ("commune_community", world.commune.name, world.commune.id)
    ]
    assert "Cộng đồng học tập cấp xã" in fake.user(World.DISTRICT_CHAIR).last_text


async def test_a_volunteer_cannot_nominate_a_whole_commune(
    volunteer: FakeUser, bot: BotUnderTest
) -> None:
    await volunteer.send("/title")
    await volunteer.press("Cộng đồng học tập cấp xã")
    await volunteer.press("2026")
    await volunteer.press("⏭ Bỏ qua")
    await volunteer.press("💾 Lưu")
    assert "Chỉ chủ tịch hội mới đề cử được cả một xã" in volunteer.last_text
    assert "Danh hiệu nào?" in volunteer.last_text
    await volunteer.press("Cộng đồng học tập (thôn, tổ dân phố)")
    await volunteer.send("Thôn Đông")  # the place is chosen again for the new title
    await volunteer.press("💾 Lưu")
    saved = await rows(bot.db)
    assert [(r["kind"], r["subject"]) for r in saved] == [("village_community", "Thôn Đông")]


async def test_forged_and_garbage_buttons_are_refused(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest
) -> None:
    await nominate(volunteer, "Công dân học tập", "Nguyễn Văn Bình")
    await volunteer.press("💾 Lưu")
    chair = fake.user(World.CHAIR)
    for data in ("tt:ok:abc", "tt:zz", "tt:", "tt:ok:1:2", "tt:no:-1", "tt:ok:99999999999999"):
        await chair.press_data(data)
        assert "không hợp lệ" in chair.callback_answers[-1], data
    for data in ("tt:ok:999", "tt:no:999"):
        await chair.press_data(data)
        assert "Không tìm thấy" in chair.callback_answers[-1], data
    await chair.press_data("tt:x")
    assert "không còn dùng được" in chair.callback_answers[-1]
    assert not any(ERROR in text for text in chair.texts)
    assert "🏅 Đề cử số 1" in chair.last_text  # the card was not overwritten
    assert [r["status"] for r in await rows(bot.db)] == ["pending"]


async def test_saving_twice_stores_one_record(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest
) -> None:
    await nominate(volunteer, "Công dân học tập", "Lý Văn Hải")
    summary_id = volunteer.last.message_id if volunteer.last else None
    save = f"{step_prefix(volunteer, summary_id)}:save"
    await volunteer.press_data(save, summary_id)
    await volunteer.press_data(save, summary_id)  # double tap / redelivery
    assert "chưa có gì thay đổi" in volunteer.callback_answers[-1]
    assert len(await rows(bot.db)) == 1
    chair_cards = [m for m in fake.user(World.CHAIR).messages if "Đề cử số" in m.content]
    assert len(chair_cards) == 1


async def test_a_duplicate_nomination_is_explained(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest
) -> None:
    await nominate(volunteer, "Công dân học tập", "Nguyễn Văn Bình")
    await volunteer.press("💾 Lưu")
    await nominate(volunteer, "Công dân học tập", "nguyen van  binh")
    await volunteer.press("💾 Lưu")
    explained = volunteer.last_text
    assert (
        '"Nguyen Van Binh" đã có hoặc đang chờ xét danh hiệu "Công dân học tập" năm 2026'
        in explained
    )
    assert "Vui lòng kiểm tra lại" in explained and "💾 Lưu" in volunteer.buttons
    assert len(await rows(bot.db)) == 1
    await volunteer.press("✏️ Sửa")
    await volunteer.press("Năm")
    await volunteer.press("2025")  # another year is another nomination
    await volunteer.press("💾 Lưu")
    assert [r["year"] for r in await rows(bot.db)] == [2026, 2025]
    assert len([m for m in fake.user(World.CHAIR).messages if "Đề cử số" in m.content]) == 2


async def add_nomination(bot: BotUnderTest, world: World, subject: str, key: str) -> int:
    """A nomination saved straight through the service, for tests that need many."""
    result = await nominations.create_nomination(
        bot.db,
        VOLUNTEER,
        {"kind": "family", "subject": subject, "unit_id": world.branch.id, "year": 2026},
        idempotency_key=key,
        now=bot.now,
    )
    assert isinstance(result, tuple)
    await bot.tell_waiting()
    return result[0].id


async def test_pending_lists_the_queue(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.CHAIR)
    await chair.send("/pending")
    assert "Không có đề cử nào đang chờ bạn xét." in chair.last_text
    await nominate(volunteer, "Công dân học tập", "Nguyễn Văn Bình")
    await volunteer.press("💾 Lưu")
    await nominate(volunteer, "Gia đình học tập", "Trần Văn Cường", note="Ba con đỗ đại học")
    await volunteer.press("💾 Lưu")
    await open_menu_item(chair, "⏳ Chờ duyệt")
    assert "Số đề cử đang chờ bạn xét: 2." in chair.texts
    cards = chair.texts[-2:]
    assert "Đề cử số 1" in cards[0] and "Đề cử số 2" in cards[1]
    assert "Ghi chú: Ba con đỗ đại học" in cards[1] and "⏳ Đang chờ xét" in cards[1]
    await chair.press("✅ Công nhận")  # under the latest card: number 2
    assert [r["status"] for r in await rows(bot.db)] == ["pending", "recognised"]
    await chair.send("/choduyet")
    assert "Số đề cử đang chờ bạn xét: 1." in chair.texts
    assert "Đề cử số 1" in chair.last_text
    # The district chair sees the commune's queue too; a long queue shows the oldest ten.
    for n in range(11):
        await add_nomination(bot, world, f"Hộ số {n}", f"bulk-{n}")
    district = fake.user(World.DISTRICT_CHAIR)
    await district.send("/pending")
    header = district.texts[0]
    assert "Số đề cử đang chờ bạn xét: 12." in header and "10 đề cử cũ nhất" in header
    assert len([t for t in district.texts if t.startswith("🏅 Đề cử số")]) == 10


async def test_a_volunteer_is_politely_told_pending_is_for_chairs(
    volunteer: FakeUser, bot: BotUnderTest
) -> None:
    await volunteer.send("/pending")
    assert "do chủ tịch hội cấp xã và cấp trên xét" in volunteer.last_text
    assert ERROR not in volunteer.last_text


async def test_a_saved_nomination_is_corrected_until_it_is_decided(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest
) -> None:
    await nominate(volunteer, "Công dân học tập", "Nguyen Van Binh")
    await volunteer.press("💾 Lưu")
    await volunteer.press_data("title:e:1")  # the button /myreports shows
    assert "Người được đề cử: Nguyen Van Binh" in volunteer.last_text
    await volunteer.press("✏️ Sửa")
    await volunteer.press("Người được đề cử")
    await volunteer.send("Nguyễn Văn Bình")
    await volunteer.press("💾 Lưu")
    assert any(text.startswith("✅ Đã sửa đề cử. Số 1") for text in volunteer.texts)
    assert [r["subject"] for r in await rows(bot.db)] == ["Nguyễn Văn Bình"]
    await fake.user(World.CHAIR).press("✅ Công nhận")
    await volunteer.press_data("title:e:1")
    assert "Đề cử này đã được xét." in volunteer.callback_answers[-1]
    other = fake.user(World.OTHER_CHAIR)
    await other.send("/help")  # a message of the bot to attach the forged button to
    await other.press_data("title:e:1")
    assert "ngoài phạm vi" in other.callback_answers[-1]


FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def assert_answered(user: FakeUser) -> None:
    assert user.new_texts, "the bot must always answer"
    assert not any(ERROR in text for text in user.new_texts)


@FUZZ
@given(answer=st.text(min_size=1, max_size=300))
async def test_any_text_as_subject_or_note_gets_an_answer(
    volunteer: FakeUser, bot: BotUnderTest, answer: str
) -> None:
    await volunteer.send("/title")
    await volunteer.press("Dòng họ học tập")
    await volunteer.send(answer)  # the subject
    assert_answered(volunteer)
    if "2026" in volunteer.buttons:
        await volunteer.press("2026")
        await volunteer.send(answer)  # the note
        assert_answered(volunteer)
    await volunteer.send("/cancel")


REASON_KEYS = itertools.count()


@FUZZ
@given(answer=st.text(min_size=1, max_size=300))
async def test_any_text_as_a_reject_reason_gets_an_answer(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest, world: World, answer: str
) -> None:
    n = next(REASON_KEYS)
    nomination_id = await add_nomination(bot, world, f"Người số {n}", f"fuzz-{n}")
    chair = fake.user(World.CHAIR)
    await chair.send("/help")
    await chair.press_data(f"tt:no:{nomination_id}")
    await chair.send(answer)
    assert_answered(chair)
    await chair.send("/cancel")
