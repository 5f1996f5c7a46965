"""A chair's title decision taken back within minutes (↩ Hoàn tác): the nomination (or a
whole list) is pending again, the counters and /stats move back, the nominator is told; after
the window the button says it is too late and changes nothing."""

from __future__ import annotations

from datetime import timedelta

from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.services import counters, title_lists
from bot.services.decision_undo import UNDO_WINDOW
from bot.services.reporting import ReportError
from bot.services.title_lists import Line
from bot.storage.models import Role
from bot.storage.records import NominationKind
from tests.conftest import person
from tests.e2e.conftest import VOLUNTEER, BotUnderTest, World
from tests.e2e.test_titles import nominate, rows

UNDO = "↩ Hoàn tác"
DECIDE = ["✅ Công nhận", "❌ Không công nhận"]
SECOND_CHAIR = 32
HEAD = 50


def card_id(user: FakeUser, heading: str) -> int:
    """The message id of the (latest) card whose text holds `heading`."""
    return [m.message_id for m in user.messages if heading in m.content][-1]


def card(user: FakeUser, message_id: int) -> tuple[str, list[str]]:
    found = next(m for m in user.messages if m.message_id == message_id)
    return found.content, found.buttons


async def press_on(user: FakeUser, message_id: int, label: str) -> None:
    """Press the button `label` of one message (the chat may have newer ones with buttons)."""
    message = next(m for m in user.messages if m.message_id == message_id)
    button = next(b for b in message.inline_buttons if b["text"] == label)
    await user.press_data(str(button["callback_data"]), message_id)


async def citizens(bot: BotUnderTest, world: World, status: str) -> tuple[int, int]:
    """The branch's and the commune's counter of learning citizens `status` in 2026."""
    indicator = f"title:citizen:{status}"
    branch = (await counters.values(bot.db, world.branch.id, 2026)).get(indicator, 0)
    commune = (await counters.values(bot.db, world.commune.id, 2026)).get(indicator, 0)
    return branch, commune


async def stats_citizens(chair: FakeUser) -> str:
    await chair.send("/stats")
    return next(line for line in chair.last_text.splitlines() if "Công dân học tập" in line)


async def test_a_recognition_undone_within_the_window_and_not_after(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest, world: World
) -> None:
    await person(bot.db, SECOND_CHAIR, Role.COMMUNE_CHAIR, world.commune, "Phó Chủ Tịch Xã")
    await nominate(volunteer, "Công dân học tập", "Nguyễn Văn Bình")
    await volunteer.press("💾 Lưu")
    chair, second = fake.user(World.CHAIR), fake.user(SECOND_CHAIR)
    number = card_id(chair, "🏅 Đề cử số 1")
    await chair.press("✅ Công nhận")
    assert card(chair, number)[1] == [UNDO]
    assert "🎉 Tin vui" in volunteer.last_text
    assert await citizens(bot, world, "recognised") == (1, 1)
    assert await citizens(bot, world, "pending") == (0, 0)
    assert await stats_citizens(chair) == "• Công dân học tập: 1"

    # Two minutes later: the chair takes it back.
    bot.advance(timedelta(minutes=2))
    await press_on(chair, number, UNDO)
    assert chair.callback_answers[-1] == "↩ Đã hoàn tác: đề cử số 1 lại đang chờ xét."
    text, buttons = card(chair, number)
    assert "⏳ Đang chờ xét" in text and buttons == DECIDE  # it can be decided again
    saved = await rows(bot.db)
    assert [(r["status"], r["decided_by"]) for r in saved] == [("pending", None)]
    assert await citizens(bot, world, "recognised") == (0, 0)
    assert await citizens(bot, world, "pending") == (1, 1)
    assert await counters.recompute(bot.db) == []
    assert await stats_citizens(chair) == "• Công dân học tập: 0 · 1 đang chờ xét"
    assert volunteer.last_text.startswith(
        "↩ Chủ tịch hội đã hoàn tác quyết định về đề cử số 1 của bạn (Công dân học tập, năm "
        "2026 — Nguyễn Văn Bình): đề cử lại đang chờ xét."
    )
    audit = await bot.db.fetchall(
        "SELECT actor_id, before, after FROM audit_log WHERE action = 'undo' "
        "AND entity = 'nomination'"
    )
    assert len(audit) == 1 and audit[0]["actor_id"] == World.CHAIR
    assert '"status": "recognised"' in audit[0]["before"]
    assert '"status": "pending"' in audit[0]["after"]
    # The same ↩ again (an old button): nothing to undo, nothing changes.
    await chair.press_data("tt:un:1", number)
    assert "Không có quyết định nào để hoàn tác" in chair.callback_answers[-1]
    assert [r["status"] for r in await rows(bot.db)] == ["pending"]

    # Recognised again; the other chair may not undo it, and after the window nobody may.
    await press_on(chair, number, "✅ Công nhận")
    assert card(chair, number)[1] == [UNDO]
    await second.press_data("tt:un:1")  # forged onto the other chair's own card
    assert second.callback_answers[-1] == (
        "Chỉ người chủ tịch đã xét mới hoàn tác được quyết định này."
    )
    bot.advance(UNDO_WINDOW + timedelta(seconds=1))
    told = len(volunteer.messages)
    await press_on(chair, number, UNDO)
    assert chair.callback_answers[-1] == (
        "Đã quá hạn: quyết định chỉ hoàn tác được trong 5 phút đầu. Quyết định vẫn giữ nguyên."
    )
    text, buttons = card(chair, number)
    assert "✅ Đã được Chủ Tịch Xã công nhận" in text and buttons == []  # its ↩ is gone
    assert [r["status"] for r in await rows(bot.db)] == ["recognised"]
    assert await citizens(bot, world, "recognised") == (1, 1)
    assert await stats_citizens(chair) == "• Công dân học tập: 1"
    assert len(volunteer.messages) == told  # nothing more to tell
    assert await counters.recompute(bot.db) == []


async def test_a_rejection_undone_clears_the_reason(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest, world: World
) -> None:
    await nominate(volunteer, "Công dân học tập", "Nguyễn Văn Bình")
    await volunteer.press("💾 Lưu")
    chair = fake.user(World.CHAIR)
    number = card_id(chair, "🏅 Đề cử số 1")
    await chair.press("❌ Không công nhận")
    await chair.send("Chưa đủ minh chứng")
    assert card(chair, number)[1] == [UNDO]
    assert "không được công nhận" in volunteer.last_text
    await press_on(chair, number, UNDO)
    assert card(chair, number)[1] == DECIDE
    saved = await rows(bot.db)
    assert [(r["status"], r["reject_reason"]) for r in saved] == [("pending", None)]
    assert "đã hoàn tác quyết định về đề cử số 1" in volunteer.last_text
    # Back in the chair's queue, with its buttons.
    await chair.send("/pending")
    assert "Số đề cử đang chờ bạn xét: 1." in chair.texts[-2]
    assert chair.buttons == DECIDE


async def test_a_chair_undoing_their_own_nomination_tells_nobody(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.CHAIR)
    await chair.send("/title")
    await chair.press("Công dân học tập")
    await chair.send("Trần Thị Mai")
    await chair.press("Thôn Đông")
    await chair.press("2026")
    await chair.press("⏭ Bỏ qua")
    await chair.press("💾 Lưu")
    number = card_id(chair, "🏅 Đề cử số 1")
    await press_on(chair, number, "✅ Công nhận")
    before = len(chair.messages)
    await press_on(chair, number, UNDO)
    assert card(chair, number)[1] == DECIDE
    assert len(chair.messages) == before  # the card changed; no notice to themselves
    assert not any("đã hoàn tác quyết định" in text for text in chair.texts)


async def test_a_list_decision_undone_moves_every_entry_back(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    await person(bot.db, HEAD, Role.BRANCH_HEAD, world.branch, "Trưởng Chi Hội")
    names = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]
    sent = await title_lists.submit(
        bot.db,
        HEAD,
        kind=NominationKind.FAMILY,
        unit_id=world.branch.id,
        year=2026,
        lines=[Line(number, name) for number, name in enumerate(names, start=1)],
        idempotency_key="undo-list-1",
        now=bot.now,
    )
    assert not isinstance(sent, ReportError)
    await bot.tell_waiting()
    chair, head = fake.user(World.CHAIR), fake.user(HEAD)
    number = card_id(chair, "📋 Danh sách đề cử số 1")
    await chair.press("✅ Công nhận cả 3")
    assert card(chair, number)[1] == [UNDO]
    family = "title:family:recognised"
    assert (await counters.values(bot.db, world.commune.id, 2026)).get(family) == 3
    assert "🎉" in head.last_text
    await press_on(chair, number, UNDO)
    assert chair.callback_answers[-1] == "↩ Đã hoàn tác: danh sách số 1 lại đang chờ xét."
    assert card(chair, number)[1][0] == "✅ Công nhận cả 3"  # its decision buttons are back
    statuses = await bot.db.fetchall("SELECT status, decided_by FROM nomination ORDER BY id")
    assert [tuple(row) for row in statuses] == [("pending", None)] * 3
    listed = await bot.db.fetchone("SELECT status, decided_by FROM nomination_list")
    assert listed is not None and tuple(listed) == ("pending", None)
    values = await counters.values(bot.db, world.commune.id, 2026)
    assert values.get(family, 0) == 0 and values.get("title:family:pending") == 3
    assert await counters.recompute(bot.db) == []
    assert "đã hoàn tác quyết định về danh sách số 1" in head.last_text
    undone = await bot.db.fetchall("SELECT entity FROM audit_log WHERE action = 'undo'")
    assert sorted(row[0] for row in undone) == ["nomination"] * 3 + ["nomination_list"]
    # Decided again, it cannot be undone after the window.
    await press_on(chair, number, "✅ Công nhận cả 3")
    bot.advance(timedelta(minutes=6))
    await press_on(chair, number, UNDO)
    assert "Đã quá hạn" in chair.callback_answers[-1]
    assert card(chair, number)[1] == []
    assert (await counters.values(bot.db, world.commune.id, 2026)).get(family) == 3


async def test_forged_undo_buttons_change_nothing(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest, world: World
) -> None:
    await nominate(volunteer, "Công dân học tập", "Nguyễn Văn Bình")
    await volunteer.press("💾 Lưu")
    chair = fake.user(World.CHAIR)
    await chair.press_data("tt:un:1")  # nothing decided yet
    assert "Không có quyết định nào để hoàn tác" in chair.callback_answers[-1]
    await chair.press("✅ Công nhận")
    for data in ("tt:un:999", "tt:un:x", "tl:un:1"):
        await chair.press_data(data)
        assert chair.callback_answers[-1] != ""
    await fake.user(VOLUNTEER).press_data("tt:un:1")  # the nominator: not theirs to undo
    assert "Chỉ người chủ tịch đã xét" in volunteer.callback_answers[-1]
    assert [r["status"] for r in await rows(bot.db)] == ["recognised"]


async def test_a_rejection_is_not_undone_over_a_new_nomination_of_the_subject(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest, world: World
) -> None:
    await nominate(volunteer, "Công dân học tập", "Nguyễn Văn Bình")
    await volunteer.press("💾 Lưu")
    chair = fake.user(World.CHAIR)
    number = card_id(chair, "🏅 Đề cử số 1")
    await chair.press("❌ Không công nhận")
    await chair.send("Chưa đủ minh chứng")
    await nominate(volunteer, "Công dân học tập", "Nguyễn Văn Bình")  # again, with proof
    await volunteer.press("💾 Lưu")
    await press_on(chair, number, UNDO)
    assert "cùng đối tượng này đã được đề cử lại" in chair.callback_answers[-1]
    assert [r["status"] for r in await rows(bot.db)] == ["rejected", "pending"]
    assert await counters.recompute(bot.db) == []
