"""An update is data before it is work: committed before answered, replayed after a stop."""

from __future__ import annotations

import json
import time
from typing import Any

from bot.fake_bot_api import FakeBotApi, FakeUser, SentMessage
from bot.services import nominations, registration
from bot.services.reporting import ReportError
from bot.storage import notice_events, update_journal
from bot.storage.db import Database
from bot.storage.notice_events import NoticeKind
from tests.e2e.conftest import VOLUNTEER, BotUnderTest, World


def message_update(update_id: int, user: FakeUser, text: str) -> dict[str, Any]:
    """An update as Telegram sends it for `text` typed by `user`."""
    message: dict[str, Any] = {
        "message_id": 9000 + update_id,
        "from": user.to_dict(),
        "chat": user.chat_dict(),
        "date": int(time.time()),
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}


async def test_an_answer_is_sent_only_after_its_state_is_committed(
    fake: FakeBotApi, bot: BotUnderTest, volunteer: FakeUser
) -> None:
    """What the person sees is always what the database holds: had the bot died just after
    showing the question, the question would still be the current one after a restart."""
    seen: list[tuple[str | None, Any, Any]] = []

    async def on_event(chat_id: int, message: SentMessage, kind: str) -> None:
        if chat_id != VOLUNTEER or kind != "sent":
            return
        data = await bot.db.fetchone(
            "SELECT data FROM ptb_user_data WHERE user_id = ?", (VOLUNTEER,)
        )
        stored = json.loads(data["data"]) if data else {}
        stack = stored.get("screen", {}).get("stack", [])
        on_screen = stack[-1]["dialog"] if stack else None
        draft = stored.get("member", {})
        seen.append((message.text, on_screen, draft.get("values")))

    unsubscribe = fake.on_bot_event(on_event)
    try:
        await volunteer.send("/member")
        await volunteer.send("Nguyễn Thị Hoa")
    finally:
        unsubscribe()
    name_question, gender_question = seen[-2], seen[-1]
    assert name_question[0] is not None and gender_question[0] is not None
    assert "Họ và tên" in name_question[0]
    assert name_question[1] == "member" and name_question[2] == {}
    assert "Nam hay nữ" in gender_question[0]
    assert gender_question[2] == {"full_name": "Nguyễn Thị Hoa"}
    # Nothing is left to replay or to send.
    assert await update_journal.unhandled(bot.db) == []
    assert await update_journal.queued_replies(bot.db) == []


async def test_updates_written_but_not_handled_are_handled_on_start(
    fake: FakeBotApi, bot: BotUnderTest, volunteer: FakeUser
) -> None:
    """As after a crash between writing an update and handling it: on start it is handled
    first, in order, and each only once."""
    await volunteer.send("/member")
    await bot.stop()
    # Written down by the last run (Telegram was told they arrived), never handled.
    async with Database(bot.settings.database) as db:
        for update_id, text in ((5001, "Trần Văn Nam"), (5002, "/cancel")):
            payload = json.dumps(message_update(update_id, volunteer, text), ensure_ascii=False)
            assert await update_journal.record(db, update_id, payload, bot.now)
    mark = fake.mark()
    await bot.start()
    await fake.settle_all()
    texts = [m.content for m in fake.new_messages(VOLUNTEER, mark)]
    assert any("Nam hay nữ" in text for text in texts), texts
    assert texts[-1].startswith("Đã hủy"), texts
    assert await update_journal.unhandled(bot.db) == []


async def test_answers_committed_but_not_sent_go_out_on_start(
    fake: FakeBotApi, bot: BotUnderTest, volunteer: FakeUser
) -> None:
    await bot.stop()
    async with Database(bot.settings.database) as db:
        await update_journal.commit_update(
            db,
            None,
            update_journal.StateWrites(),
            [(VOLUNTEER, {"method": "send", "chat_id": VOLUNTEER, "text": "Câu hỏi cũ"})],
            bot.now,
        )
    mark = fake.mark()
    await bot.start()
    await fake.settle_all()
    assert [m.content for m in fake.new_messages(VOLUNTEER, mark)] == ["Câu hỏi cũ"]
    assert await update_journal.queued_replies(bot.db) == []


async def test_an_answer_that_may_have_arrived_is_not_sent_again_on_start(
    fake: FakeBotApi, bot: BotUnderTest, volunteer: FakeUser
) -> None:
    """As after a crash while the answer was on the wire: it left the queue when its turn
    came, since Telegram may have it and offers no way to ask. It is not sent twice; the one
    behind it, which never left, goes out."""
    await bot.stop()
    async with Database(bot.settings.database) as db:
        on_the_wire, _ = await update_journal.commit_update(
            db,
            None,
            update_journal.StateWrites(),
            [
                (VOLUNTEER, {"method": "send", "chat_id": VOLUNTEER, "text": "Đã gửi đi"}),
                (VOLUNTEER, {"method": "send", "chat_id": VOLUNTEER, "text": "Chưa gửi"}),
            ],
            bot.now,
        )
        await update_journal.reply_leaving(db, on_the_wire)
        assert [r.request["text"] for r in await update_journal.queued_replies(db)] == ["Chưa gửi"]
    mark = fake.mark()
    await bot.start()
    await fake.settle_all()
    assert [m.content for m in fake.new_messages(VOLUNTEER, mark)] == ["Chưa gửi"]
    assert await update_journal.queued_replies(bot.db) == []


async def test_every_answer_leaves_the_queue_before_it_reaches_telegram(
    fake: FakeBotApi, bot: BotUnderTest, volunteer: FakeUser
) -> None:
    """When the fake receives an answer, its row is already gone from the queue: a crash
    from then on cannot send it a second time."""
    still_queued: list[str] = []

    async def on_event(chat_id: int, message: SentMessage, kind: str) -> None:
        if chat_id == VOLUNTEER and kind == "sent":
            queued = await update_journal.queued_replies(bot.db)
            still_queued.extend(
                str(r.request["text"]) for r in queued if r.request["text"] == message.text
            )

    unsubscribe = fake.on_bot_event(on_event)
    try:
        await volunteer.send("/member")
        await volunteer.send("Nguyễn Thị Hoa")
    finally:
        unsubscribe()
    assert fake.new_messages(VOLUNTEER, 0), "nothing was sent"
    assert still_queued == []
    assert await update_journal.queued_replies(bot.db) == []


async def test_a_change_committed_before_a_crash_is_still_told(
    fake: FakeBotApi, bot: BotUnderTest, world: World, volunteer: FakeUser
) -> None:
    """The service's transaction holds the change and its event; had the process died right
    after it (before the update's own commit), the start tells the chairs, once."""
    await bot.stop()
    async with Database(bot.settings.database) as db:
        created = await nominations.create_nomination(
            db,
            VOLUNTEER,
            {
                "kind": "citizen",
                "subject": "Phạm Văn Đức",
                "unit_id": world.branch.id,
                "year": 2026,
            },
            idempotency_key="crash-test",
            now=bot.now,
        )
        assert not isinstance(created, ReportError)
        applicant = 77
        submitted = await registration.submit_request(
            db, applicant, "Đỗ Thị Lan", world.branch, bot.now
        )
        assert submitted.created
        events = await notice_events.pending(db)
        assert [event.kind for event in events] == [
            NoticeKind.NOMINATION_SUBMITTED,
            NoticeKind.REGISTRATION_REQUESTED,
        ]
    mark = fake.mark()
    await bot.start()
    await fake.settle_all()
    chair = [m.content for m in fake.new_messages(World.CHAIR, mark)]
    assert sum("Phạm Văn Đức" in text for text in chair) == 1, chair
    assert sum("Đỗ Thị Lan" in text for text in chair) == 1, chair
    assert await notice_events.pending(bot.db) == []
    # Told once: a later update renders nothing again.
    mark = fake.mark()
    await volunteer.send("/help")
    assert fake.new_messages(World.CHAIR, mark) == []


async def test_a_decision_and_its_notice_are_one_change(
    fake: FakeBotApi, bot: BotUnderTest, world: World, volunteer: FakeUser
) -> None:
    """Deciding writes the event with the decision; the nominator hears once, and nothing is
    left waiting."""
    async with Database(bot.settings.database) as db:
        created = await nominations.create_nomination(
            db,
            VOLUNTEER,
            {
                "kind": "family",
                "subject": "Gia đình ông Tư",
                "unit_id": world.branch.id,
                "year": 2026,
            },
            idempotency_key="decision-test",
            now=bot.now,
        )
    assert not isinstance(created, ReportError)
    nomination, _ = created
    chair = fake.user(World.CHAIR)
    start = fake.mark()
    await chair.send("/help")  # any update: the waiting card goes out with it
    assert any("Gia đình ông Tư" in m.content for m in fake.new_messages(World.CHAIR, start))
    mark = fake.mark()
    await chair.press("✅ Công nhận")
    told = [m.content for m in fake.new_messages(VOLUNTEER, mark)]
    assert len([text for text in told if "Gia đình ông Tư" in text]) == 1, told
    assert await notice_events.pending(bot.db) == []
    decided = await bot.db.fetchone("SELECT status FROM nomination WHERE id = ?", (nomination.id,))
    assert decided is not None and decided["status"] == "recognised"
