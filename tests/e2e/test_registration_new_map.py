"""Registration on today's map: no districts since 1 July 2025, so a newcomer goes from the
province straight to its communes and wards, then to a branch."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.fake_bot_api import FakeBotApi
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.models import Role, Unit
from tests.conftest import branch, person
from tests.e2e.conftest import BotUnderTest

CHAIR = 30


@pytest.fixture
async def new_map_bot(
    fake: FakeBotApi, tmp_path: Path, new_map_template: Path
) -> AsyncIterator[BotUnderTest]:
    """Hưng Yên's map; xã Đông Hưng has a chair and one branch."""
    shutil.copyfile(new_map_template, tmp_path / "bot.sqlite3")
    under_test = BotUnderTest(fake, tmp_path / "bot.sqlite3")
    await under_test.start()
    yield under_test
    await under_test.stop()


async def dong_hung(bot: BotUnderTest) -> tuple[Unit, Unit]:
    commune = await unit_store.by_code(bot.db, "12688")
    assert commune is not None
    await person(bot.db, CHAIR, Role.COMMUNE_CHAIR, commune, "Chủ Tịch Xã")
    return commune, await branch(bot.db, commune, "Thôn Đông La")


async def test_a_newcomer_registers_without_a_district(
    fake: FakeBotApi, new_map_bot: BotUnderTest
) -> None:
    commune, thon = await dong_hung(new_map_bot)
    newcomer = fake.user(2001)
    await newcomer.send("/start")
    await newcomer.press("✅ Tôi đồng ý")  # the privacy notice
    await newcomer.send("Nguyễn Văn An")
    assert "Xã, phường hoặc thị trấn nào của Tỉnh Hưng Yên?" in newcomer.last_text
    assert "huyện" not in newcomer.last_text.lower()
    await newcomer.send("dong hung")
    # With its type and the district it came from: three of them have "Đông Hưng" in the name.
    assert newcomer.buttons[:3] == [
        "xã Bắc Đông Hưng (trước thuộc Đông Hưng)",
        "xã Đông Hưng (trước thuộc Đông Hưng)",
        "xã Nam Đông Hưng (trước thuộc Đông Hưng)",
    ]
    await newcomer.press("xã Đông Hưng (trước thuộc Đông Hưng)")
    assert "Bạn thuộc chi hội nào của Xã Đông Hưng?" in newcomer.last_text
    await newcomer.press("⬅")  # back to the communes, then down again
    assert "Xã, phường hoặc thị trấn nào của Tỉnh Hưng Yên?" in newcomer.last_text
    await newcomer.send("dong hung")
    await newcomer.press("xã Đông Hưng (")
    await newcomer.press("Thôn Đông La")
    assert "đã được gửi" in newcomer.last_text
    chair = fake.user(CHAIR)
    assert "Yêu cầu đăng ký mới" in chair.last_text and "Nguyễn Văn An" in chair.last_text
    await chair.press("✅ Duyệt")
    assert "đã được duyệt" in newcomer.last_text
    grants = await people.grants_of(new_map_bot.db, 2001)
    assert [(g.role, g.unit.id) for g in grants] == [(Role.VOLUNTEER, thon.id)]
    assert thon.parent_id == commune.id


async def test_a_draft_of_the_district_version_goes_on(
    fake: FakeBotApi, bot: BotUnderTest
) -> None:
    """A person who was at "which commune?" when the bot was upgraded: their draft (steps named
    after the levels) is read as the walk so far, and they go on from where they were."""
    newcomer = fake.user(2002)
    await newcomer.send("/start")
    await newcomer.press("✅ Tôi đồng ý")  # the privacy notice
    await newcomer.send("Trần Thị Bình")
    await newcomer.send("dong hung")
    await newcomer.press("Đông Hưng")
    assert "Xã, phường hoặc thị trấn nào của Huyện Đông Hưng?" in newcomer.last_text
    assert bot.application is not None
    draft = bot.application.user_data[2002]["registration"]
    district = draft["trail"][0]
    # As the district version left it.
    draft.pop("trail")
    draft.update(step="commune", district=district)
    await newcomer.send("an chau")
    assert "An Châu" in " ".join(newcomer.buttons)
    assert draft["step"] == "pick" and draft["trail"] == [district]
