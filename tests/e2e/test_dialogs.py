"""One dialog on screen: a second flow asks first, old buttons change nothing, commands that
only read come back to the waiting question, drafts put aside can be taken up again."""

from __future__ import annotations

import json

from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.storage.db import Database
from tests.e2e.conftest import BotUnderTest, World, step_prefix


def draft(bot: BotUnderTest, user: FakeUser, name: str) -> dict[str, object]:
    assert bot.application is not None
    values: dict[str, object] = bot.application.user_data[user.id].get(name, {}).get("values", {})
    return values


def screen(bot: BotUnderTest, user: FakeUser) -> dict[str, object]:
    assert bot.application is not None
    found: dict[str, object] = bot.application.user_data[user.id].get("screen", {})
    return found


async def test_a_second_flow_asks_first_and_its_text_goes_to_it(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    """The commune chair stops /member at the branch question and starts /contribution: the
    donor's name must reach the contribution, and the member draft is kept."""
    chair = fake.user(World.CHAIR)
    await chair.send("/member")
    await chair.send("Nguyễn Thị Hoa")
    await chair.press("Nữ")
    await chair.send("1960")
    assert "Hội viên vào chi hội nào" in chair.last_text
    await chair.send("/contribution")
    assert "Bạn chưa làm xong: Hội viên mới" in chair.last_text
    assert chair.buttons == ["▶ Làm tiếp: Hội viên mới", "⏸ Tạm gác, bắt đầu: Đóng góp quỹ"]
    await chair.press("⏸ Tạm gác")
    assert "Đóng góp quỹ" in chair.last_text
    await chair.send("Công ty TNHH Minh Phát")
    assert draft(bot, chair, "contribution") == {"donor_name": "Công ty TNHH Minh Phát"}
    aside = screen(bot, chair)["aside"]
    assert isinstance(aside, list) and len(aside) == 1
    assert aside[0]["dialog"] == "member"
    assert aside[0]["data"]["values"]["full_name"] == "Nguyễn Thị Hoa"

    # Cancelling the contribution, then taking the member draft up again where it stood.
    await chair.send("/cancel")
    await chair.send("/myreports")
    await chair.press("▶ Tiếp tục: Hội viên mới")
    assert "Hội viên vào chi hội nào" in chair.last_text
    await chair.press("Thôn Đông")
    assert "Ngày vào hội" in chair.last_text
    assert draft(bot, chair, "member")["full_name"] == "Nguyễn Thị Hoa"
    assert screen(bot, chair)["aside"] == []


async def test_continue_keeps_the_first_flow(
    fake: FakeBotApi, bot: BotUnderTest, volunteer: FakeUser
) -> None:
    await volunteer.send("/member")
    await volunteer.send("Nguyễn Văn Bình")
    await volunteer.send("/title")  # used to drop the member draft silently
    await volunteer.press("▶ Làm tiếp")
    assert "Nam hay nữ" in volunteer.last_text
    await volunteer.press("Nam")
    assert "Năm sinh" in volunteer.last_text
    assert draft(bot, volunteer, "member") == {"full_name": "Nguyễn Văn Bình", "gender": "male"}


async def test_a_flow_without_answers_yet_is_simply_replaced(
    fake: FakeBotApi, bot: BotUnderTest, volunteer: FakeUser
) -> None:
    await volunteer.send("/member")
    await volunteer.send("/title")
    assert "Danh hiệu nào" in volunteer.last_text
    assert [frame["dialog"] for frame in screen(bot, volunteer)["stack"]] == ["title"]  # type: ignore[attr-defined]


async def test_an_old_button_changes_nothing(
    fake: FakeBotApi, bot: BotUnderTest, volunteer: FakeUser
) -> None:
    await volunteer.send("/member")
    await volunteer.send("Nguyễn Văn Bình")
    gender_question = volunteer.last
    assert gender_question is not None
    old = step_prefix(volunteer, gender_question.message_id)
    await volunteer.press("Nữ")
    assert "Năm sinh" in volunteer.last_text
    await volunteer.press_data(f"{old}:o:0", gender_question.message_id)  # "Nam", pressed late
    assert "chưa có gì thay đổi" in volunteer.callback_answers[-1]
    assert draft(bot, volunteer, "member") == {"full_name": "Nguyễn Văn Bình", "gender": "female"}
    assert "Năm sinh" in volunteer.last_text


async def test_a_command_that_only_reads_comes_back_to_the_question(
    fake: FakeBotApi, bot: BotUnderTest, volunteer: FakeUser
) -> None:
    await volunteer.send("/member")
    await volunteer.send("Nguyễn Văn Bình")
    await volunteer.send("/stats")
    texts = volunteer.new_texts
    assert any("📊" in text for text in texts), texts
    assert texts[-1].startswith("Quay lại: Hội viên mới"), texts
    assert "Nam hay nữ" in texts[-1]
    await volunteer.press("Nam")
    assert draft(bot, volunteer, "member")["gender"] == "male"


async def test_a_commune_without_branches_is_no_dead_end(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    """The other commune's chair has no branch in the picker below the commune level."""
    chair = fake.user(World.OTHER_CHAIR)
    await bot.db.execute(
        "UPDATE unit SET active = 0 WHERE parent_id = ?", (world.other_commune.id,)
    )
    await chair.send("/member")
    await chair.send("Nguyễn Thị Hoa")
    await chair.press("Nữ")
    await chair.send("1960")
    assert "Hội viên vào chi hội nào" in chair.last_text
    assert "✖ Hủy" in chair.buttons
    await chair.press("✖ Hủy")
    assert chair.buttons == ["Bỏ", "Tiếp tục nhập"]  # answers entered: asked first
    await chair.press("Bỏ")
    assert "Đã hủy" in chair.texts[-2] or "Đã hủy" in chair.last_text


async def test_a_form_left_open_by_the_previous_version_is_taken_up(
    fake: FakeBotApi, bot: BotUnderTest, volunteer: FakeUser
) -> None:
    """Before dialogs, PTB conversations kept a form's draft in user_data with no screen."""
    await volunteer.send("/help")
    await bot.stop()
    old_draft = {
        "lang": "vi",
        "member": {
            "id": "0123456789abcdef",
            "values": {"full_name": "Nguyễn Văn Bình", "gender": "male"},
            "record": None,
            "asking": "birth_year",
        },
    }
    async with Database(bot.settings.database) as db:
        await db.execute(
            "UPDATE ptb_user_data SET data = ? WHERE user_id = ?",
            (json.dumps(old_draft, ensure_ascii=False), volunteer.id),
        )
    await bot.start()
    await volunteer.send("1960")
    assert "Ngày vào hội" in volunteer.last_text
    assert draft(bot, volunteer, "member")["birth_year"] == 1960


async def test_the_form_below_an_interruption_is_continued_not_restarted(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    """/member while the "add a branch" question sits on a member form: the form's draft
    stays and it asks its question again."""
    chair = fake.user(World.OTHER_CHAIR)
    await bot.db.execute(
        "UPDATE unit SET active = 0 WHERE parent_id = ?", (world.other_commune.id,)
    )
    await chair.send("/member")
    await chair.send("Nguyễn Thị Hoa")
    await chair.press("Nữ")
    await chair.send("1960")
    await chair.press("➕")
    await chair.send("/member")
    assert "Hội viên vào chi hội nào" in chair.last_text
    assert draft(bot, chair, "member")["full_name"] == "Nguyễn Thị Hoa"
    assert [f["dialog"] for f in screen(bot, chair)["stack"]] == ["member"]  # type: ignore[attr-defined]
