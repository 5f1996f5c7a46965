"""A chair lists and adds branches; the new branch is then offered at registration."""

from __future__ import annotations

from bot.fake_bot_api import FakeBotApi
from bot.storage import units as unit_store
from bot.text import fold
from tests.e2e.conftest import BotUnderTest, World


async def test_commune_chair_adds_a_branch(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.CHAIR)
    await chair.send("/help")
    await chair.press("🏘 Chi hội")
    assert "Các chi hội của" in chair.last_text
    await chair.send("/branches")
    assert "Các chi hội của" in chair.last_text and "Thôn Đông" in chair.last_text
    await chair.press("➕ Thêm chi hội")
    await chair.send("T")
    assert "từ 2 đến 120 ký tự" in chair.last_text
    await chair.send("Trường THCS Nguyễn Du")
    await chair.press("Trường học")
    assert "✅ Đã thêm Chi hội Trường THCS Nguyễn Du" in chair.last_text
    await chair.press("➕ Thêm chi hội")
    await chair.send("thon dong")  # same name without diacritics: refused
    await chair.press("Thôn")
    assert "đã có chi hội tên" in chair.last_text
    await chair.send("Thôn Bến")
    await chair.press("Thôn")
    await chair.press("✔ Xong")
    names = [u.name for u in await unit_store.children(bot.db, world.commune.id)]
    assert names == ["Thôn Bến", "Thôn Đông", "Thôn Tây", "Trường THCS Nguyễn Du"]
    audit = await bot.db.fetchall(
        "SELECT actor_id FROM audit_log WHERE entity = 'unit' AND action = 'create'"
    )
    assert [row[0] for row in audit][-2:] == [World.CHAIR, World.CHAIR]

    newcomer = fake.user(4001)
    await newcomer.send("/start")
    await newcomer.send("Bùi Thị Hạnh")
    await newcomer.press("Đông Hưng")
    await newcomer.send(fold(world.commune.name))
    await newcomer.press(world.commune.name)
    assert "Trường THCS Nguyễn Du" in newcomer.buttons


async def test_district_chair_picks_the_commune_first(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.DISTRICT_CHAIR)
    await chair.send("/chihoi")
    assert "Chi hội của xã nào" in chair.last_text
    await chair.send(fold(world.other_commune.name))
    await chair.press(world.other_commune.name)
    assert "Thôn Bắc" in chair.last_text
    other = fake.user(World.OTHER_CHAIR)
    await other.send("/branches")
    assert world.commune.name not in other.last_text  # only their own commune
