"""The reason for not recognising a nomination is a dialog (issue 8): it goes on top of a form,
a command that only reads comes back to it, its old buttons change nothing, /cancel leaves it,
and every question it asks has a way out."""

from __future__ import annotations

from bot.fake_bot_api import FakeBotApi, FakeUser
from tests.e2e.conftest import BotUnderTest, World
from tests.e2e.test_dialogs import draft, screen
from tests.e2e.test_titles import card_of, nominate, rows

QUESTION = "Vì sao không công nhận đề cử số 1 (Nguyễn Văn Bình)?"
BACK_TO_REASON = "Quay lại: Không công nhận đề cử"
CANCEL = "✖ Hủy"


async def nominated(volunteer: FakeUser, fake: FakeBotApi) -> FakeUser:
    """Nomination 1 saved by the volunteer; its card is with the commune chair, returned."""
    await nominate(volunteer, "Công dân học tập", "Nguyễn Văn Bình")
    await volunteer.press("💾 Lưu")
    return fake.user(World.CHAIR)


def stack(bot: BotUnderTest, user: FakeUser) -> list[str]:
    frames = screen(bot, user).get("stack", [])
    assert isinstance(frames, list)
    return [str(frame["dialog"]) for frame in frames]


async def test_a_reason_typed_after_stats_is_the_reason(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest
) -> None:
    """Issue 8: "A rejection reason typed after /stats is lost and the nomination stays
    pending". /stats only reads: the reason question is asked again, and the next text is the
    reason."""
    chair = await nominated(volunteer, fake)
    await chair.press("❌ Không công nhận")
    assert QUESTION in chair.last_text
    await chair.send("/stats")
    texts = chair.new_texts
    assert any("📊" in text for text in texts), texts
    assert texts[-1].startswith(BACK_TO_REASON) and QUESTION in texts[-1], texts
    assert chair.buttons == [CANCEL]
    await chair.send("Chưa đủ minh chứng")
    assert "Đã lưu: đề cử số 1 không được công nhận" in chair.last_text
    assert [(r["status"], r["reject_reason"]) for r in await rows(bot.db)] == [
        ("rejected", "Chưa đủ minh chứng")
    ]
    assert "Lý do: Chưa đủ minh chứng" in volunteer.last_text
    assert stack(bot, chair) == []


async def test_over_a_form_stats_then_the_reason_then_the_form(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest
) -> None:
    """The chair is in the middle of /member with answers: ❌ goes on top without asking,
    /stats comes back to the reason, the reason is saved, then the form asks again."""
    chair = await nominated(volunteer, fake)
    card = card_of(chair, 1)
    await chair.send("/member")
    await chair.send("Mai Văn Khoa")
    await chair.press_data("tt:no:1", card)
    assert QUESTION in chair.last_text  # not "you have not finished…": an interruption
    assert not any("Bạn chưa làm xong" in text for text in chair.new_texts)
    assert stack(bot, chair) == ["member", "title_reject"]
    await chair.send("/thongke")
    assert chair.last_text.startswith(BACK_TO_REASON)
    await chair.send("Trùng hồ sơ")
    assert "Đã lưu: đề cử số 1 không được công nhận" in chair.texts[-2]
    assert chair.last_text == "Quay lại: Hội viên mới\nHội viên mới — Nam hay nữ?"
    assert draft(bot, chair, "member") == {"full_name": "Mai Văn Khoa"}
    assert [r["reject_reason"] for r in await rows(bot.db)] == ["Trùng hồ sơ"]
    await chair.press("Nam")
    assert draft(bot, chair, "member") == {"full_name": "Mai Văn Khoa", "gender": "male"}


async def test_an_old_button_of_the_reason_question_changes_nothing(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest
) -> None:
    chair = await nominated(volunteer, fake)
    await chair.press("❌ Không công nhận")
    first = chair.last
    assert first is not None
    old_cancel = str(first.inline_buttons[0]["callback_data"])
    assert old_cancel.startswith("title_reject:")
    await chair.send("\u200b")  # nothing: asked again, a new question with its own ✖
    assert "Vui lòng cho biết lý do." in chair.last_text and QUESTION in chair.last_text
    second = chair.last
    assert second is not None
    await chair.press_data(old_cancel, first.message_id)
    assert "chưa có gì thay đổi" in chair.callback_answers[-1]
    assert stack(bot, chair) == ["title_reject"]  # still asking
    await chair.send("Chưa đủ minh chứng")
    assert [r["status"] for r in await rows(bot.db)] == ["rejected"]
    # Once saved, the last question's ✖ is old too.
    await chair.press_data(str(second.inline_buttons[0]["callback_data"]), second.message_id)
    assert "chưa có gì thay đổi" in chair.callback_answers[-1]
    assert [r["status"] for r in await rows(bot.db)] == ["rejected"]


async def test_cancel_over_a_form_decides_nothing_and_the_form_asks_again(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest
) -> None:
    chair = await nominated(volunteer, fake)
    card = card_of(chair, 1)
    await chair.send("/member")
    await chair.send("Mai Văn Khoa")
    await chair.press_data("tt:no:1", card)
    await chair.send("/huy")  # leaves the reason question only
    assert chair.texts[-2] == "Chưa xét gì."
    assert chair.last_text == "Quay lại: Hội viên mới\nHội viên mới — Nam hay nữ?"
    assert draft(bot, chair, "member") == {"full_name": "Mai Văn Khoa"}
    # And with the question's own ✖: the question says so, the form asks again.
    await chair.press_data("tt:no:1", card)
    await chair.press(CANCEL)
    assert any(m.content == "Chưa xét gì." and not m.buttons for m in chair.messages)
    assert chair.last_text == "Quay lại: Hội viên mới\nHội viên mới — Nam hay nữ?"
    assert [r["status"] for r in await rows(bot.db)] == ["pending"]
    assert "❌ Không công nhận" in next(m for m in chair.messages if m.message_id == card).buttons
    await chair.press("Nam")
    assert draft(bot, chair, "member") == {"full_name": "Mai Văn Khoa", "gender": "male"}


async def test_every_reason_question_has_a_way_out(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest
) -> None:
    chair = await nominated(volunteer, fake)
    await chair.press("❌ Không công nhận")
    assert chair.buttons == [CANCEL]
    for bad in ("\u200b", "x" * 501):
        await chair.send(bad)
        assert QUESTION in chair.last_text and chair.buttons == [CANCEL], bad
    await chair.send("/help")
    assert chair.last_text.startswith(BACK_TO_REASON) and chair.buttons == [CANCEL]
    await chair.press(CANCEL)
    assert "Chưa xét gì." in chair.texts[-2]
    assert chair.reply_keyboard  # the main menu is back
    assert stack(bot, chair) == []


async def test_a_nomination_decided_meanwhile_ends_the_question(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest
) -> None:
    """Another chair recognises it while this one is at /stats: asking again would be a
    question that can no longer be answered, so it says why and ends."""
    chair = await nominated(volunteer, fake)
    await chair.press("❌ Không công nhận")
    await fake.user(World.DISTRICT_CHAIR).send("/pending")
    await fake.user(World.DISTRICT_CHAIR).press("✅ Công nhận")
    await chair.send("/stats")
    assert "Đề cử này đã được xét." in chair.last_text
    assert stack(bot, chair) == []
    await chair.send("Chưa đủ minh chứng")  # no longer a reason
    assert [(r["status"], r["decided_by"]) for r in await rows(bot.db)] == [
        ("recognised", World.DISTRICT_CHAIR)
    ]
