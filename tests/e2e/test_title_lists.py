"""Lists of nominations as people send and decide them: a branch head pastes 150 families, the
commune chair recognises the list in one card."""

from __future__ import annotations

import io
import itertools

from openpyxl import load_workbook

from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.services import counters, nominations
from bot.storage.db import Database
from bot.storage.models import Role
from tests.conftest import person
from tests.e2e.conftest import BotUnderTest, World, step_prefix

HEAD = 50
SECOND_CHAIR = 32
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Đặng", "Ngô")
MIDDLE = ("Văn", "Thị", "Đình", "Minh", "Quang")
GIVEN = ("An", "Bình", "Cúc")


def families(count: int = 150) -> list[str]:
    names = [" ".join(parts) for parts in itertools.product(SURNAMES, MIDDLE, GIVEN)]
    assert len(names) >= count
    return names[:count]


async def head_of_branch(bot: BotUnderTest, world: World, fake: FakeBotApi) -> FakeUser:
    await person(bot.db, HEAD, Role.BRANCH_HEAD, world.branch, "Trưởng Chi Hội")
    return fake.user(HEAD)


async def statuses(db: Database) -> dict[str, int]:
    rows = await db.fetchall("SELECT status, count(*) AS n FROM nomination GROUP BY status")
    return {str(row["status"]): int(row["n"]) for row in rows}


async def counter(db: Database, unit_id: int, indicator: str, year: int = 2026) -> int:
    return (await counters.values(db, unit_id, year)).get(indicator, 0)


async def start_list(user: FakeUser, kind: str = "Gia đình học tập", year: str = "2026") -> None:
    await user.send("/danhsach")
    await user.press(kind)
    await user.press(year)


def card_of(user: FakeUser, number: int) -> int:
    """The latest card of list `number` (/pending sends another)."""
    return [m.message_id for m in user.messages if f"📋 Danh sách đề cử số {number}:" in m.content][
        -1
    ]


async def test_150_families_pasted_then_recognised_with_one_left_out(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    head = await head_of_branch(bot, world, fake)
    names = families()
    steps = 0
    await head.send("/danhsach")
    assert "Danh sách đề cử danh hiệu nào?" in head.last_text
    assert head.buttons[-1] == "✖ Hủy"
    await head.press("Gia đình học tập")  # the branch is the head's own: not asked
    assert "Năm nào?" in head.last_text and head.buttons == ["2026", "2025", "✖ Hủy"]
    await head.press("2026")
    prompt = head.last_text
    assert "📋 Gia đình học tập, năm 2026 — Chi hội Thôn Đông" in prompt
    assert "họ và tên chủ hộ, mỗi dòng một tên" in prompt
    assert head.buttons == ["📥 Tệp Excel để điền", "✖ Hủy"]
    # Two messages: numbered lines, a repeated name, and a line that is not a name.
    first = "\n".join(f"{i}. {name}" for i, name in enumerate(names[:100], start=1))
    await head.send(first)
    assert "Đã nhận thêm 100 dòng (tổng cộng: 100)" in head.last_text
    assert "✅ Xong (100 dòng)" in head.buttons
    await head.send("\n".join([*names[100:], names[4].upper(), "12345"]))
    assert "tổng cộng: 152" in head.last_text
    assert await statuses(bot.db) == {}  # nothing stored before the check
    await head.press("✅ Xong (152 dòng)")
    check = head.last_text
    assert "Kiểm tra trước khi gửi:" in check
    assert "Số dòng đã đọc: 152" in check and "✅ Sẽ gửi: 150" in check
    assert "dòng 1: Nguyễn Văn An" in check
    assert "🔁 Trùng trong danh sách, chỉ gửi một lần: 1" in check
    assert f"dòng 151 “{names[4].upper()}” trùng dòng 5" in check
    assert "❓ Không đọc được tên, không gửi: 1" in check and "dòng 152 “12345”" in check
    assert "gửi tới Hội Khuyến học xã An Châu" in check
    assert head.buttons == ["📤 Gửi danh sách (150)", "🗑 Nhập lại từ đầu", "✖ Hủy"]
    await head.press("📤 Gửi danh sách (150)")
    steps += 6
    assert "✅ Đã gửi danh sách số 1: 150 đề cử Gia đình học tập, năm 2026" in head.last_text
    assert await statuses(bot.db) == {"pending": 150}
    assert await counter(bot.db, world.commune.id, "title:family:pending") == 150
    # The chair gets ONE card for the list.
    chair = fake.user(World.CHAIR)
    cards = [m for m in chair.messages if "Danh sách đề cử số 1" in m.content]
    assert len(cards) == 1
    card = cards[0].content
    assert "Số mục: 150" in card and "Người đề cử: Trưởng Chi Hội" in card
    assert "Nguyễn Văn An; Nguyễn Văn Bình;" in card and "; … và 140 mục khác." in card
    assert chair.buttons == [
        "✅ Công nhận cả 150",
        "✂️ Loại bớt rồi công nhận…",
        "↩️ Trả lại kèm lý do",
    ]
    await chair.send("/choduyet")
    assert "Danh sách đề cử đang chờ bạn xét: 1." in chair.texts[-2]
    assert "Đề cử đang chờ" not in chair.texts[-2]  # its entries are not cards of their own
    # Leave one out: find it by typing, toggle it, recognise the rest with a reason.
    await chair.press("✂️ Loại bớt rồi công nhận…")
    assert "bấm vào tên để loại (❌) hoặc giữ lại (☑️)" in chair.last_text
    assert "Đã loại: 0 · trang 1/15" in chair.last_text
    assert chair.buttons[0] == "☑️ 1. Nguyễn Văn An"
    left_out = names[77]
    await chair.send(left_out.split()[-2] + " " + left_out.split()[-1])  # "Quang Bình"…
    assert any(left_out in label for label in chair.buttons)
    await chair.press(next(label for label in chair.buttons if left_out in label))
    assert "Đã loại: 1" in chair.last_text
    assert any(label.startswith("❌") and left_out in label for label in chair.buttons)
    await chair.press("✅ Công nhận 149, loại 1")
    assert f"Vì sao 1 mục bị loại không được công nhận ({left_out})?" in chair.last_text
    assert chair.buttons == ["⏭ Bỏ qua", "⬅ Quay lại", "✖ Hủy"]
    await chair.send("Chưa đủ tiêu chuẩn gia đình học tập")
    assert "Đã lưu: danh sách số 1, 149 mục được công nhận, 1 mục không." in chair.last_text
    card_now = next(m for m in chair.messages if m.message_id == card_of(chair, 1))
    assert "✅ Chủ Tịch Xã đã xét: 149 mục được công nhận, 1 mục không." in card_now.content
    assert card_now.buttons == ["↩ Hoàn tác"]  # the decision can be undone for a few minutes
    # The nominator is told once, with the one left out and why.
    told = [text for text in head.texts if "Danh sách số 1 của bạn" in text]
    assert told == [
        "🎉 Danh sách số 1 của bạn (Gia đình học tập, năm 2026) đã được Chủ Tịch Xã xét: "
        f"149 mục được công nhận.\nKhông được công nhận (1): {left_out}. "
        "Lý do: Chưa đủ tiêu chuẩn gia đình học tập"
    ]
    # Counted once: in the database, in the counters of every level, in /stats.
    assert await statuses(bot.db) == {"recognised": 149, "rejected": 1}
    for unit in (world.branch, world.commune, world.district, world.province):
        assert await counter(bot.db, unit.id, "title:family:recognised") == 149
        assert await counter(bot.db, unit.id, "title:family:pending") == 0
    assert await counters.recompute(bot.db) == []
    await chair.send("/thongke")
    assert "Gia đình học tập: 149" in chair.last_text
    # An old card button changes nothing.
    await chair.press_data("tl:ok:1", card_of(chair, 1))
    assert "Danh sách này đã được xét." in chair.callback_answers[-1]
    assert await statuses(bot.db) == {"recognised": 149, "rejected": 1}


async def test_a_list_returned_with_a_reason_counts_nothing(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    head = await head_of_branch(bot, world, fake)
    await start_list(head)
    await head.send("\n".join(families(12)))
    await head.press("✅ Xong (12 dòng)")
    await head.press("📤 Gửi danh sách (12)")
    chair = fake.user(World.CHAIR)
    await chair.press("↩️ Trả lại kèm lý do")
    assert "Vì sao trả lại danh sách số 1 (Gia đình học tập, năm 2026, 12 mục)?" in chair.last_text
    assert chair.buttons == ["✖ Hủy"]
    await chair.send("\u200b")  # looks like something, tidies to nothing
    assert "Vui lòng cho biết lý do." in chair.last_text and "Vì sao trả lại" in chair.last_text
    await chair.send("Thiếu biên bản họp xét của chi hội")
    assert "Đã lưu: danh sách số 1 được trả lại" in chair.last_text
    card = next(m for m in chair.messages if m.message_id == card_of(chair, 1))
    assert "↩️ Chủ Tịch Xã đã trả lại. Lý do: Thiếu biên bản họp xét của chi hội" in card.content
    assert card.buttons == ["↩ Hoàn tác"]  # for a few minutes
    assert head.last_text == (
        "Danh sách số 1 của bạn (Gia đình học tập, năm 2026) đã được Chủ Tịch Xã trả lại; "
        "không mục nào được công nhận. Lý do: Thiếu biên bản họp xét của chi hội\n"
        "Hãy sửa rồi gửi lại bằng /danhsach."
    )
    assert await statuses(bot.db) == {"rejected": 12}
    for indicator in ("title:family:recognised", "title:family:pending"):
        assert await counter(bot.db, world.commune.id, indicator) == 0
    assert await counters.recompute(bot.db) == []
    # A second chair's tap on the same card later: decided, nothing changes.
    await chair.press_data("tl:ok:1", card_of(chair, 1))
    assert "đã được xét" in chair.callback_answers[-1]
    await chair.send("/choduyet")
    assert chair.last_text == "Không có đề cử nào đang chờ bạn xét."
    # The same names can be sent again in a corrected list.
    await start_list(head)
    await head.send("\n".join(families(12)))
    await head.press("✅ Xong (12 dòng)")
    assert "✅ Sẽ gửi: 12" in head.last_text


async def test_names_already_nominated_are_shown_and_left_out(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    head = await head_of_branch(bot, world, fake)
    made = await nominations.create_nomination(
        bot.db,
        HEAD,
        {"kind": "family", "subject": "Trần Văn Bình", "unit_id": world.branch.id, "year": 2026},
        idempotency_key="single-1",
        now=bot.now,
    )
    assert isinstance(made, tuple)
    await start_list(head)
    await head.send("trần văn bình\nLê Thị Hoa, 3 con đỗ đại học\nA\n" + "x" * 101)
    await head.press("✅ Xong (4 dòng)")
    check = head.last_text
    assert "📌 Đã được đề cử hoặc công nhận năm 2026, không gửi lại: 1" in check
    assert "dòng 1 “trần văn bình”: đề cử số 1" in check  # a family as typed
    assert "dòng 2: Lê Thị Hoa — 3 con đỗ đại học" in check
    assert "⚠️ Dòng có lỗi, không gửi: 2" in check and "dòng 3 “A”: Quá ngắn." in check
    assert "dòng 4 “xxxxxxxx" in check and "…”: Quá dài." in check
    await head.press("📤 Gửi danh sách (1)")
    found = await bot.db.fetchall("SELECT subject, note, list_id FROM nomination ORDER BY id")
    assert [tuple(row) for row in found] == [
        ("Trần Văn Bình", None, None),
        ("Lê Thị Hoa", "3 con đỗ đại học", 1),
    ]


def filled(content: bytes, extra: list[str]) -> bytes:
    """The template sent back with `extra` names added below the pre-filled rows."""
    book = load_workbook(io.BytesIO(content))
    sheet = book.active
    assert sheet is not None
    last = max(row for row in range(1, sheet.max_row + 1) if sheet.cell(row, 2).value)
    for offset, name in enumerate(extra, start=1):
        sheet.cell(last + offset, 2, name)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def test_the_workbook_comes_with_last_years_list(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    head = await head_of_branch(bot, world, fake)
    for number, name in enumerate(families(3)):
        made = await nominations.create_nomination(
            bot.db,
            HEAD,
            {"kind": "family", "subject": name, "unit_id": world.branch.id, "year": 2025},
            idempotency_key=f"old-{number}",
            now=bot.now,
        )
        assert isinstance(made, tuple)
        await nominations.decide(
            bot.db, made[0].id, World.CHAIR, recognise=True, reason=None, now=bot.now
        )
    await start_list(head)
    assert "tệp đã có sẵn 3 mục được công nhận năm 2025" in head.last_text
    await head.press("📥 Tệp Excel để điền")
    (document,) = head.documents
    assert document.file_name == f"danh-sach-family-{world.branch.code}-2026.xlsx"
    assert "Đã điền sẵn 3 mục được công nhận năm 2025" in document.content
    assert "Hãy điền tệp Excel rồi gửi lại" in head.last_text  # the question, asked again
    assert document.file_bytes is not None
    sheet = load_workbook(io.BytesIO(document.file_bytes)).active
    assert sheet is not None
    assert [sheet.cell(4, c).value for c in (1, 2, 3)] == ["STT", "Chủ hộ", "Ghi chú"]
    assert [sheet.cell(r, 2).value for r in (5, 6, 7)] == families(3)
    await head.send_document(document.file_name, filled(document.file_bytes, ["Mai Văn Khoa"]))
    check = head.last_text
    assert "Đã đọc 4 dòng từ tệp" in check and "✅ Sẽ gửi: 4" in check
    assert "dòng 5: Nguyễn Văn An" in check  # rows numbered as the sheet numbers them
    await head.press("📤 Gửi danh sách (4)")
    found = await bot.db.fetchall("SELECT subject FROM nomination WHERE year = 2026 ORDER BY id")
    assert [row[0] for row in found] == [*families(3), "Mai Văn Khoa"]
    exports = await bot.db.fetchall("SELECT kind, personal, row_count FROM data_export")
    assert [tuple(row) for row in exports] == [("title_list_template", 1, 3)]


async def test_an_old_button_of_the_list_changes_nothing(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    head = await head_of_branch(bot, world, fake)
    await head.send("/danhsach")
    kinds = head.last
    assert kinds is not None
    await head.press("Dòng họ học tập")
    await head.press("2026")
    asked = step_prefix(head)
    # The title question's buttons belong to a question that is over.
    await head.press_data(str(kinds.inline_buttons[0]["callback_data"]), kinds.message_id)
    assert "chưa có gì thay đổi" in head.callback_answers[-1]
    await head.send("Dòng họ Phạm Văn")
    assert "📋 Dòng họ học tập, năm 2026" in head.last_text
    await head.press_data(f"{asked}:done")  # the Done of before the line was sent
    assert "chưa có gì thay đổi" in head.callback_answers[-1]
    await head.press("✅ Xong (1 dòng)")
    check = head.last
    assert check is not None
    send = f"{step_prefix(head)}:s:send"
    await head.press("📤 Gửi danh sách (1)")
    # Pressed again (a double tap): one list.
    await head.press_data(send, check.message_id)
    assert "chưa có gì thay đổi" in head.callback_answers[-1]
    lists = await bot.db.fetchall("SELECT id FROM nomination_list")
    assert len(lists) == 1
    # A forged decision by someone who may not decide.
    other = fake.user(World.OTHER_CHAIR)
    await other.send("/help")
    await other.press_data("tl:ok:1")
    assert "nằm ngoài phạm vi bạn phụ trách" in other.callback_answers[-1]
    await other.press_data("tl:ex:1")
    assert "nằm ngoài phạm vi bạn phụ trách" in other.callback_answers[-1]
    assert await statuses(bot.db) == {"pending": 1}


async def test_cancel_inside_the_list(fake: FakeBotApi, bot: BotUnderTest, world: World) -> None:
    head = await head_of_branch(bot, world, fake)
    await start_list(head)
    await head.send("\n".join(families(5)))
    await head.press("✖ Hủy")  # with lines entered: asked first
    assert "Bỏ các câu trả lời đã nhập?" in head.last_text
    await head.press("Tiếp tục nhập")
    assert "📋 Gia đình học tập, năm 2026" in head.last_text
    assert "✅ Xong (5 dòng)" in head.buttons  # nothing lost
    await head.send("/huy")
    assert "Đã hủy. Chưa có gì được lưu." in head.last_text
    assert await bot.db.fetchall("SELECT id FROM nomination_list") == []
    await head.send("Nguyễn Văn An")  # no longer a line of a list
    assert "Xin lỗi, tôi chưa hiểu ý bạn." in head.last_text
    # The chair's dialogs have a way out too, and /cancel decides nothing.
    await start_list(head)
    await head.send("\n".join(families(3)))
    await head.press("✅ Xong (3 dòng)")
    await head.press("📤 Gửi danh sách (3)")
    chair = fake.user(World.CHAIR)
    await chair.press("✂️ Loại bớt rồi công nhận…")
    assert "✖ Hủy" in chair.buttons
    await chair.send("/huy")
    assert "Chưa xét gì" in chair.last_text
    await chair.press_data("tl:rt:1", card_of(chair, 1))
    await chair.press("✖ Hủy")
    assert "Chưa xét gì" in chair.texts[-2]
    assert await statuses(bot.db) == {"pending": 3}


async def test_a_list_started_over_a_form_asks_first_and_gets_its_text(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    head = await head_of_branch(bot, world, fake)
    await head.send("/hoivien")
    await head.send("Mai Văn Khoa")
    await head.send("/danhsach")
    assert "Bạn chưa làm xong: Hội viên mới" in head.last_text
    await head.press("⏸ Tạm gác, bắt đầu: Danh sách đề cử")
    assert "Danh sách đề cử danh hiệu nào?" in head.last_text
    await head.send("gia đình")  # typed, it chooses the title
    await head.send("2026")
    await head.send("Nguyễn Văn An\nTrần Thị Hoa")
    assert "tổng cộng: 2" in head.last_text
    found = await bot.db.fetchall("SELECT id FROM member")
    assert found == []


async def test_a_volunteer_is_told_who_sends_lists(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest
) -> None:
    await volunteer.send("/danhsach")
    assert "Danh sách đề cử do chi hội trưởng và chủ tịch hội gửi" in volunteer.last_text
    assert "/danhhieu" in volunteer.last_text
    assert volunteer.reply_keyboard  # the menu: a way on


async def test_a_chair_chooses_the_branch(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.CHAIR)
    await chair.send("/danhsach")
    await chair.press("Công dân học tập")
    assert "Thuộc chi hội hoặc xã nào?" in chair.last_text
    assert "✖ Hủy" in chair.buttons
    await chair.press("Thôn Tây")
    assert "Năm nào?" in chair.last_text
    await chair.press("2025")
    await chair.send("Nguyễn Văn An\nTrần Thị Hoa")
    await chair.press("✅ Xong (2 dòng)")
    await chair.press("📤 Gửi danh sách (2)")
    # The chair decides it: no notice to themselves about their own decision.
    await chair.press_data("tl:ok:1", card_of(chair, 1))
    assert chair.callback_answers[-1] == "✅ Đã công nhận: 2"
    assert await statuses(bot.db) == {"recognised": 2}
    assert not any("Danh sách số 1 của bạn" in text for text in chair.texts)


async def test_two_chairs_at_once_decide_the_list_once(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    await person(bot.db, SECOND_CHAIR, Role.COMMUNE_CHAIR, world.commune, "Phó Chủ Tịch Xã")
    head = await head_of_branch(bot, world, fake)
    await start_list(head)
    await head.send("\n".join(families(20)))
    await head.press("✅ Xong (20 dòng)")
    await head.press("📤 Gửi danh sách (20)")
    chair, second = fake.user(World.CHAIR), fake.user(SECOND_CHAIR)
    chair.press_nowait("✅ Công nhận cả 20")
    second.press_nowait("✅ Công nhận cả 20")
    await fake.settle_all()
    answers = sorted([chair.callback_answers[-1], second.callback_answers[-1]])
    assert answers == ["Danh sách này đã được xét.", "✅ Đã công nhận: 20"]
    assert await statuses(bot.db) == {"recognised": 20}
    assert await counter(bot.db, world.commune.id, "title:family:recognised") == 20
    assert await counters.recompute(bot.db) == []
    assert len([text for text in head.texts if "Danh sách số 1 của bạn" in text]) == 1


async def test_the_list_survives_a_restart(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    head = await head_of_branch(bot, world, fake)
    await start_list(head)
    await head.send("\n".join(families(3)))
    await bot.stop()
    await bot.start()
    await head.send(families(4)[-1])
    assert "tổng cộng: 4" in head.last_text
    await head.press("✅ Xong (4 dòng)")
    assert "✅ Sẵn sàng" not in head.last_text and "✅ Sẽ gửi: 4" in head.last_text
