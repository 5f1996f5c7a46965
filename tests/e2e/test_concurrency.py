"""Many people at once: each gets their own answers, in order; a redelivery is handled once."""

from __future__ import annotations

from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.storage.models import Role
from tests.conftest import person
from tests.e2e.conftest import BotUnderTest, World

PEOPLE = 50
FIRST_ID = 5000


async def volunteers(fake: FakeBotApi, bot: BotUnderTest, world: World) -> list[FakeUser]:
    people = []
    for n in range(PEOPLE):
        await person(bot.db, FIRST_ID + n, Role.VOLUNTEER, world.branch, f"Tình Nguyện {n}")
        people.append(fake.user(FIRST_ID + n))
    return people


def name_of(n: int) -> str:
    return f"Nguyễn Văn {'ABCDEFGHIKLMNOPQRSTUVXY'[n % 23]}{'ahiou'[n // 23]}"


async def test_fifty_people_interleaving_each_get_their_own_answers_in_order(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    people = await volunteers(fake, bot, world)
    mark = fake.mark()
    # Everyone starts the form and types the name without waiting for the question: the name
    # must still reach their own form, after their own /member.
    for n, user in enumerate(people):
        user.send_nowait("/member")
        user.send_nowait(name_of(n))
    await fake.settle_all(timeout=60)
    for user in people:
        user.press_nowait("Nữ")
    await fake.settle_all(timeout=60)
    for n, user in enumerate(people):
        user.send_nowait(str(1940 + n))
    await fake.settle_all(timeout=60)

    for n, user in enumerate(people):
        texts = [m.content for m in fake.new_messages(user.id, mark)]
        assert len(texts) == 4, (user.id, texts)
        assert "Họ và tên" in texts[0]
        assert texts[1].startswith("Hội viên mới — Nam hay nữ?\n➜ Nữ")  # edited after the press
        assert "Năm sinh" in texts[2]
        assert "Ngày vào hội" in texts[3]
        assert bot.application is not None
        draft = bot.application.user_data[user.id]["member"]["values"]
        assert draft["full_name"] == name_of(n)
        assert draft["gender"] == "female"
        assert draft["birth_year"] == 1940 + n


async def test_the_same_update_delivered_twice_is_handled_once(
    fake: FakeBotApi, bot: BotUnderTest, volunteer: FakeUser
) -> None:
    await volunteer.send("/member")
    await volunteer.send("Nguyễn Thị Hoa")
    await volunteer.press("Nữ")
    await volunteer.send("1962")
    await volunteer.press("📅 Hôm nay")
    await volunteer.press("⏭")
    mark = fake.mark()
    save = volunteer.press_nowait("💾 Lưu")
    await fake.settle_all()
    fake.redeliver(save)  # Telegram did not get the acknowledgement and sends it again
    await fake.settle_all()
    assert fake.handed_out(save) == 2
    rows = await bot.db.fetchall("SELECT full_name FROM member")
    assert [row["full_name"] for row in rows] == ["Nguyễn Thị Hoa"]
    receipts = [m.content for m in fake.new_messages(volunteer.id, mark) if "Đã lưu" in m.content]
    assert len(receipts) == 1, receipts
