"""A registration request that waits: the person sees it and can withdraw it or choose another
branch; the chairs who approve it find it again in /pending."""

from __future__ import annotations

from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.storage import people
from bot.storage.models import Unit
from bot.text import fold
from tests.e2e.conftest import BotUnderTest, World
from tests.e2e.test_registration import register_until_request

WITHDRAW, MOVE = "↩ Rút lại yêu cầu", "🔁 Chọn chi hội khác"


async def statuses(bot: BotUnderTest, telegram_id: int) -> list[tuple[str, int]]:
    rows = await bot.db.fetchall(
        "SELECT status, unit_id FROM registration_request WHERE telegram_id = ? ORDER BY id",
        (telegram_id,),
    )
    return [(str(row[0]), int(row[1])) for row in rows]


async def register_in(user: FakeUser, commune: Unit, branch: str, name: str) -> None:
    """Register for a branch of a commune of Đông Hưng."""
    await user.send("/start")
    await user.press("✅ Tôi đồng ý")  # the privacy notice
    await user.send(name)
    await user.press("Đông Hưng")
    await user.send(fold(commune.name))
    await user.press(commune.name)
    await user.press(branch)
    assert "đang chờ duyệt" in user.last_text


async def test_the_waiting_person_sees_their_request_and_withdraws_it(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    user = fake.user(1101)
    await register_until_request(user, world, "Nguyễn Văn An")
    await user.send("/start")
    assert "đang chờ chủ tịch hội duyệt" in user.last_text
    assert "Nguyễn Văn An" in user.last_text and "Chi hội Thôn Đông" in user.last_text
    assert user.buttons == [WITHDRAW, MOVE]
    await user.send("/member")  # the gate's answer shows it too
    assert "Nguyễn Văn An" in user.last_text and user.buttons == [WITHDRAW, MOVE]

    await user.press(WITHDRAW)
    assert "Đã rút lại yêu cầu số" in user.last_text
    assert await statuses(bot, 1101) == [("withdrawn", world.branch.id)]  # kept, not deleted
    card = user.last
    assert card is not None

    chair = fake.user(World.CHAIR)
    assert "Yêu cầu đăng ký mới" in chair.last_text
    heard = len(user.texts)
    await chair.press("✅ Duyệt")
    assert "đã được người gửi rút lại" in chair.callback_answers[-1]
    await chair.press("❌ Từ chối")
    assert "đã được người gửi rút lại" in chair.callback_answers[-1]
    assert await statuses(bot, 1101) == [("withdrawn", world.branch.id)]
    assert await people.grants_of(bot.db, 1101) == []
    assert len(user.texts) == heard  # the person is told nothing more

    row = await bot.db.fetchone("SELECT id FROM registration_request WHERE telegram_id = 1101")
    assert row is not None
    request_id = int(row[0])
    await user.press_data(f"regr:x:{request_id}", card.message_id)  # withdrawn already
    assert "đã được rút lại" in user.callback_answers[-1]
    await user.press_data(f"regr:b:{request_id}", card.message_id)
    assert "đã được rút lại" in user.callback_answers[-1]
    await user.send("/start")  # free to register again
    assert "họ và tên" in user.last_text


async def test_the_waiting_person_chooses_another_branch(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    user = fake.user(1102)
    await register_until_request(user, world, "Trần Thị Bình")
    chair, other_chair = fake.user(World.CHAIR), fake.user(World.OTHER_CHAIR)
    assert other_chair.messages == []

    # Giving up half-way changes nothing.
    await user.send("/start")
    await user.press(MOVE)
    assert "huyện hoặc thành phố" in user.last_text and "vẫn chờ duyệt" in user.last_text
    await user.press("Đông Hưng")
    await user.send("/cancel")
    assert "Không có gì thay đổi" in user.last_text and user.buttons == [WITHDRAW, MOVE]
    assert await statuses(bot, 1102) == [("pending", world.branch.id)]

    # The same branch again changes nothing either.
    await user.press(MOVE)
    await user.press("Đông Hưng")
    await user.send(fold(world.commune.name))
    await user.press(world.commune.name)
    await user.press("Thôn Đông")
    assert "vẫn đang chờ duyệt; không có gì thay đổi" in user.last_text
    assert await statuses(bot, 1102) == [("pending", world.branch.id)]

    await user.send("/start")
    await user.press(MOVE)
    await user.press("Đông Hưng")
    await user.send(fold(world.other_commune.name))
    await user.press(world.other_commune.name)
    await user.press("Thôn Bắc")
    assert "đã được gửi tới chủ tịch hội" in user.last_text
    assert await statuses(bot, 1102) == [
        ("withdrawn", world.branch.id),
        ("pending", world.other_branch.id),
    ]
    new = await people.pending_request_of(bot.db, 1102)
    assert new is not None and new.full_name == "Trần Thị Bình"
    assert "Yêu cầu đăng ký mới" in other_chair.last_text
    assert "Trần Thị Bình" in other_chair.last_text
    await chair.press("✅ Duyệt")  # the first request's card
    assert "đã được người gửi rút lại" in chair.callback_answers[-1]
    assert await people.grants_of(bot.db, 1102) == []
    await other_chair.press("✅ Duyệt")
    assert "đã được duyệt" in user.last_text
    grants = await people.grants_of(bot.db, 1102)
    assert [g.unit.id for g in grants] == [world.other_branch.id]


async def test_pending_shows_registration_requests_to_their_chairs_only(
    fake: FakeBotApi, bot: BotUnderTest, world: World, volunteer: FakeUser
) -> None:
    await register_in(fake.user(1103), world.commune, "Thôn Tây", "Lê Văn Cường")
    await register_in(fake.user(1104), world.other_commune, "Thôn Bắc", "Phạm Thị Dung")

    chair = fake.user(World.CHAIR)
    await chair.send("/pending")
    assert "Số yêu cầu đăng ký đang chờ bạn duyệt: 1." in chair.texts
    assert "Lê Văn Cường" in chair.last_text and "Chi hội Thôn Tây" in chair.last_text
    assert not any("Phạm Thị Dung" in text for text in chair.texts)
    other = fake.user(World.OTHER_CHAIR)
    await other.send("/choduyet")
    assert "Phạm Thị Dung" in other.last_text
    assert not any("Lê Văn Cường" in text for text in other.texts)
    for who in (World.DISTRICT_CHAIR, World.ADMIN):  # the communes have their own chairs
        above = fake.user(who)
        await above.send("/pending")
        assert "Không có đề cử nào đang chờ bạn xét." in above.last_text
    await volunteer.send("/pending")
    assert "do chủ tịch hội cấp xã và cấp trên xét" in volunteer.last_text

    await chair.press("✅ Duyệt")  # under the card /pending showed
    assert "✅ Đã duyệt" in chair.last_text
    assert "đã được duyệt" in fake.user(1103).last_text
    await chair.send("/pending")
    assert "Không có đề cử nào đang chờ bạn xét." in chair.last_text

    # A withdrawn request is no longer listed.
    applicant = fake.user(1104)
    await applicant.send("/start")
    await applicant.press(WITHDRAW)
    await other.send("/pending")
    assert "Không có đề cử nào đang chờ bạn xét." in other.last_text
