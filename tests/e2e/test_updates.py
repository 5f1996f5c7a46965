"""An update is data before it is work: committed before answered, replayed after a stop."""

from __future__ import annotations

import json
import time
from typing import Any

from bot.fake_bot_api import FakeBotApi, FakeUser, SentMessage
from bot.storage import update_journal
from bot.storage.db import Database
from tests.e2e.conftest import VOLUNTEER, BotUnderTest


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
