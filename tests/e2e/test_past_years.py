"""A past year as it stood: a branch created today, a member who joined today and a campaign
made today change none of last year's figures (issue: /report 2023 said 2.555 branches after
one was created)."""

from __future__ import annotations

import io
from datetime import date

import openpyxl

from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.storage import units as unit_store
from tests.e2e.conftest import BotUnderTest, World
from tests.e2e.test_members import add_member


def _without_clock(text: str) -> str:
    """The answer without lines that name today's date (not a figure)."""
    return "\n".join(line for line in text.splitlines() if "2026" not in line)


async def test_last_year_does_not_move(
    fake: FakeBotApi, bot: BotUnderTest, world: World, volunteer: FakeUser
) -> None:
    admin = fake.user(World.ADMIN)
    chair = fake.user(World.CHAIR)

    async def answers() -> tuple[str, str, str, list[tuple[object, ...]]]:
        await admin.send("/stats 2025")
        stats = admin.last_text
        await chair.send("/stats 2025")
        commune = chair.last_text
        await admin.send("/report 2025")
        report = admin.last_text
        await admin.send("/stats 2025")
        await admin.press("📥 Excel")
        book = openpyxl.load_workbook(io.BytesIO(admin.documents[-1].file_bytes or b""))
        rows: list[tuple[object, ...]] = [
            row for sheet in book for row in sheet.iter_rows(values_only=True)
        ]
        return stats, commune, report, rows

    before = await answers()
    assert "chi hội: 2" in before[1]  # the chair's commune: Thôn Đông and Thôn Tây

    await chair.send("/branches")
    await chair.press("➕ Thêm chi hội")
    await chair.send("Thôn Bến")
    await chair.press("Thôn")
    await chair.press("✔ Xong")
    added = await unit_store.children(bot.db, world.commune.id, query="Thôn Bến")
    assert added and added[0].valid_from == date(2026, 11, 28)  # in force from today
    await add_member(volunteer, "Hoàng Thị Lan", "1965")  # joined today
    await admin.send("/campaigns")
    await admin.press("➕ Thêm chiến dịch")
    await admin.send("Ngày hội đọc sách")
    await admin.send("01/11/2025")
    await admin.send("30/11/2025")
    await admin.press("✅ Lưu")

    after = await answers()
    assert _without_clock(after[0]) == _without_clock(before[0])
    assert _without_clock(after[1]) == _without_clock(before[1])
    assert after[2] == before[2]
    assert after[3] == before[3]
    await chair.send("/stats")  # this year has the new branch and the new member
    assert "chi hội: 3" in chair.last_text
