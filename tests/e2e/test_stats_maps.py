"""/stats, /report, the chart and Excel for 2023 on the map of 2023 and on today's, after old
Thái Bình's map ended (`tests/regroup_world.py`); the old district's chair on the old map, an
area coordinator on the new one, 2026 on today's map by default."""

from __future__ import annotations

import asyncio
import io
import itertools
import re
import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from bot.fake_bot_api import FakeBotApi
from bot.storage import units as unit_store
from tests.e2e.conftest import BotUnderTest
from tests.regroup_world import (
    ADMIN,
    AREA_CHAIR,
    CHAIR,
    DISTRICT_CHAIR,
    OLD_ADMIN,
    Filed,
    areas_csv,
    baseline_values,
    build,
    new_commune_of,
)

OLD_MEMBERS = sum(baseline_values(i)["members_total"] for i in range(260))
"""Old Thái Bình's members at the end of 2023: its communes' baselines."""


@dataclass(frozen=True)
class Stories:
    before: Path
    """Old Thái Bình as it was filed, before the change."""
    after: Path
    with_areas: Path
    """After the change, today's communes grouped into areas."""
    filed: Filed


@pytest.fixture(scope="module")
def stories(tmp_path_factory: pytest.TempPathFactory, units_template: Path) -> Stories:
    folder = tmp_path_factory.mktemp("stats_maps")

    async def make() -> Stories:
        filed = await build(folder / "after.sqlite3", units_template, before=folder / "before.db")
        areas = areas_csv(folder)
        await build(folder / "areas.sqlite3", units_template, areas=areas)
        return Stories(
            folder / "before.db", folder / "after.sqlite3", folder / "areas.sqlite3", filed
        )

    return asyncio.run(make())


Start = Callable[[Path], AbstractAsyncContextManager[BotUnderTest]]
"""Starts the bot on a copy of a story, stops it at the end of the block."""


@pytest.fixture
def start(fake: FakeBotApi, tmp_path: Path) -> Start:
    copies = itertools.count()

    @asynccontextmanager
    async def started(source: Path) -> AsyncIterator[BotUnderTest]:
        copy = tmp_path / f"{source.stem}-{next(copies)}.sqlite3"
        shutil.copyfile(source, copy)
        bot = BotUnderTest(fake, copy)
        await bot.start()
        try:
            yield bot
        finally:
            await bot.stop()

    return started


def _members_line(text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith("👥"))


def _number(text: str, pattern: str) -> int:
    found = re.search(pattern, text)
    assert found, (pattern, text)
    return int(found[1].replace(".", ""))


async def test_province_2023_on_both_maps(fake: FakeBotApi, stories: Stories, start: Start) -> None:
    async with start(stories.before):
        old_admin = fake.user(OLD_ADMIN)
        await old_admin.send("/report 2023")
        published = old_admin.last_text
        await old_admin.send("/stats 2023")
        members_before = _members_line(old_admin.last_text)
    assert f"Toàn tỉnh có {OLD_MEMBERS:,} hội viên".replace(",", ".") in published
    assert "🗺" not in published and "🗺" not in old_admin.last_text

    async with start(stories.after):
        admin = fake.user(ADMIN)
        await admin.send("/report 2023")
        text = admin.last_text
        assert text.startswith(published)  # the old province's paragraph, exactly
        assert "🗺 Theo địa giới năm 2023: tỉnh Thái Bình" in text
        await admin.press("🗺 Theo địa giới mới")
        regrouped = admin.last_text
        assert regrouped.startswith("Đến hết năm 2023, toàn tỉnh có")
        assert f"Toàn tỉnh có {OLD_MEMBERS:,} hội viên".replace(",", ".") in regrouped
        assert "🗺 Theo địa giới mới: số liệu của các đơn vị cũ" in regrouped
        await admin.press("🗺 Theo địa giới năm 2023")
        assert admin.last_text == text

        await admin.send("/stats 2023")
        text = admin.last_text
        assert text.startswith(
            "📊 Tỉnh Thái Bình (cũ), năm 2023\n🗺 Theo địa giới năm 2023: tỉnh Thái Bình"
        )
        assert "🏘 huyện: 8 · xã: 260 · chi hội: 3" in text
        assert _members_line(text) == members_before
        await admin.press("🗺 Theo địa giới mới")
        text = admin.last_text
        assert text.startswith("📊 Tỉnh Hưng Yên, năm 2023\n🗺 Theo địa giới mới")
        # The same members and share; today's communes of old Hưng Yên have no figures.
        assert _members_line(text) == members_before.replace(
            " · ", " (số liệu của 65/104 xã) · ", 1
        )
        assert "📋 65/104 xã có số liệu trong kỳ" in text
        # As the units stood at the end of 2023, regrouped: no districts on today's map.
        assert "🏘 xã: 260 · chi hội: 3" in text and "huyện" not in text
        await admin.press("🔽 Đơn vị trực thuộc")
        assert "Các đơn vị của Tỉnh Hưng Yên:" in admin.last_text
        await admin.press("⬅ Quay lại")
        await admin.press("📥 Excel")
        book = openpyxl.load_workbook(io.BytesIO(admin.documents[-1].file_bytes or b""))
        assert admin.documents[-1].file_name == "thong-ke-tinh-hung-yen-2023-dia-gioi-moi.xlsx"
        summary = {r[0]: r[1] for r in book["Tổng hợp"].iter_rows(values_only=True) if r[0]}
        assert summary["Hội viên"] == OLD_MEMBERS
        assert len(list(book["Hội viên"].iter_rows())) > 100  # today's 104 communes

        await admin.press("🗺 Theo địa giới năm 2023")
        assert admin.last_text.startswith("📊 Tỉnh Thái Bình (cũ), năm 2023")
        await admin.press("📥 Excel")
        document = admin.documents[-1]
        assert document.file_name == "thong-ke-tinh-thai-binh-2023.xlsx"
        book = openpyxl.load_workbook(io.BytesIO(document.file_bytes or b""))
        summary = {r[0]: r[1] for r in book["Tổng hợp"].iter_rows(values_only=True) if r[0]}
        assert summary["Hội viên"] == OLD_MEMBERS
        assert "🗺 Theo địa giới năm 2023: tỉnh Thái Bình" in summary
        rows = list(book["Hội viên"].iter_rows(values_only=True))
        assert "Đông Hưng" in [row[0] for row in rows]  # old Thái Bình by its old districts
        await admin.press("📈 Biểu đồ")
        await admin.press("Tỷ lệ hội viên trên dân số")
        assert "Tỷ lệ hội viên trên dân số — Tỉnh Thái Bình (cũ), năm 2023" in (
            admin.photos[-1].caption or ""
        )
        await admin.press("⬅ Quay lại")
        await admin.press("🔽 Đơn vị trực thuộc")
        await admin.press("Đông Hưng")
        assert admin.last_text.startswith("📊 Huyện Đông Hưng (cũ), năm 2023")
        await admin.press("🔼 Tỉnh Thái Bình")
        assert admin.last_text.startswith("📊 Tỉnh Thái Bình (cũ), năm 2023")


async def test_2026_is_on_today_s_map(fake: FakeBotApi, stories: Stories, start: Start) -> None:
    async with start(stories.after):
        admin = fake.user(ADMIN)
        await admin.send("/stats")
        text = admin.last_text
        assert text.startswith("📊 Tỉnh Hưng Yên, năm 2026\n\n")
        # No map switch (the map of the communes, "🗺 Bản đồ", is another button).
        switches = [b for b in admin.buttons if b.startswith("🗺") and b != "🗺 Bản đồ"]
        assert "huyện" not in text and not switches
        # The 2023 year-end baselines, the member who joined in 2024 and the one of 2026.
        assert _number(text, r"👥 Hội viên: ([0-9.]+)") == OLD_MEMBERS + 2
        await admin.press("◀ 2025")
        await admin.press("◀ 2024")
        assert admin.last_text.startswith("📊 Tỉnh Thái Bình (cũ), năm 2024")
        assert "🗺 Theo địa giới mới" in admin.buttons
        await admin.send("/report")
        assert admin.last_text.startswith("Toàn tỉnh có") or "toàn tỉnh" in admin.last_text
        assert "🗺" not in admin.last_text


async def test_old_district_chair_sees_the_old_district(
    fake: FakeBotApi,
    stories: Stories,
    start: Start,
) -> None:
    async with start(stories.after) as bot:
        chair = fake.user(DISTRICT_CHAIR)
        await chair.send("/stats")
        text = chair.last_text
        # Ended on 1 July 2025: the last year of its map by default.
        assert text.startswith("📊 Huyện Đông Hưng (cũ), năm 2024\n🗺 Theo địa giới năm 2024")
        assert "xã: " in text and "2025 ▶" not in chair.buttons
        assert not [b for b in chair.buttons if b.startswith("🗺 Theo")]  # today's is not theirs
        await chair.press("◀ 2023")
        assert "📊 Huyện Đông Hưng (cũ), năm 2023" in chair.last_text
        await chair.press("🔽 Đơn vị trực thuộc")
        await chair.press(stories.filed.first_commune.name)
        assert chair.last_text.startswith(
            f"📊 Xã {stories.filed.first_commune.name}, Huyện Đông Hưng, năm 2023"
        )
        assert "chi hội: 2" in chair.last_text
        await chair.send("/stats 2026")
        assert "không còn từ ngày 01/07/2025" in chair.last_text
        province = await unit_store.in_force_by_code(bot.db, "33")
        assert province is not None
        await chair.press_data(f"st:s:{province.id}:2023:2023:t")
        assert "ngoài phạm vi" in chair.callback_answers[-1]
        await chair.send("/report 2023")
        assert chair.last_text.startswith("Đến hết năm 2023, toàn huyện có")


async def test_a_commune_of_today_and_its_former_communes(
    fake: FakeBotApi,
    stories: Stories,
    start: Start,
) -> None:
    async with start(stories.after) as bot:
        merged = await new_commune_of(bot.db, stories.filed.first_commune)
        chair = fake.user(CHAIR)
        await chair.send("/stats 2023")
        text = chair.last_text
        assert text.startswith(f"📊 Xã {merged.name}, năm 2023\n🗺 Theo địa giới năm 2023: xã ")
        assert f"xã {stories.filed.first_commune.name}" in text.splitlines()[1]
        members = _members_line(text)
        await chair.press("🔽 Đơn vị trực thuộc")
        await chair.press(stories.filed.first_commune.name)
        assert chair.last_text.startswith(f"📊 Xã {stories.filed.first_commune.name}")
        await chair.send("/stats 2023")
        await chair.press("🗺 Theo địa giới mới")
        assert chair.last_text.startswith(f"📊 Xã {merged.name}, năm 2023\n🗺 Theo địa giới mới")
        assert _members_line(chair.last_text) == members


async def test_a_split_commune_is_counted_by_the_rule_and_says_so(
    fake: FakeBotApi,
    stories: Stories,
    start: Start,
) -> None:
    async with start(stories.after) as bot:
        split = stories.filed.other_commune
        first = await new_commune_of(bot.db, split)
        merged = await new_commune_of(bot.db, stories.filed.first_commune)
        second = merged if merged.id != first.id else None
        assert second is not None
        await bot.db.execute("UPDATE unit_successor SET partly = 1 WHERE unit_id = ?", (split.id,))
        await bot.db.execute(
            "INSERT INTO unit_successor (unit_id, successor_id, partly, rank) VALUES (?, ?, 1, 1)",
            (split.id, second.id),
        )
        rule = (
            f"Xã {split.name} (cũ) được chia cho 2 đơn vị mới; số liệu của xã được tính trọn "
            f"cho xã {first.name}, theo bảng chuyển đổi chính thức."
        )
        chair = fake.user(CHAIR)  # of `second`, which took a part of it
        await chair.send("/stats 2023")
        assert rule in chair.last_text
        await chair.press("🗺 Theo địa giới mới")
        assert rule in chair.last_text
        admin = fake.user(ADMIN)
        await admin.send("/report 2023")
        await admin.press("🗺 Theo địa giới mới")
        assert rule in admin.last_text


async def test_area_coordinator_sees_the_area(
    fake: FakeBotApi, stories: Stories, start: Start
) -> None:
    async with start(stories.with_areas) as bot:
        merged = await new_commune_of(bot.db, stories.filed.first_commune)
        area = await unit_store.get(bot.db, merged.parent_id or 0)
        assert area is not None
        coordinator = fake.user(AREA_CHAIR)
        await coordinator.send("/stats")
        text = coordinator.last_text
        assert text.startswith(f"📊 Cụm {area.name}, năm 2026\n\n")
        assert re.search(r"🏘 xã: [0-9]+ · chi hội: 1", text) and "huyện" not in text
        await coordinator.press("🔽 Đơn vị trực thuộc")
        assert merged.name in coordinator.buttons
        await coordinator.press(merged.name)
        assert coordinator.last_text.startswith(f"📊 Xã {merged.name}, Cụm {area.name}, năm 2026")
        await coordinator.send("/report")
        assert "Toàn cụm có" in coordinator.last_text and "huyện" not in coordinator.last_text
        await coordinator.send("/stats 2023")
        assert "🗺 Theo địa giới năm 2023" in coordinator.last_text
        members = _members_line(coordinator.last_text)
        await coordinator.press("🗺 Theo địa giới mới")
        assert coordinator.last_text.startswith(
            f"📊 Cụm {area.name}, năm 2023\n🗺 Theo địa giới mới"
        )
        assert _members_line(coordinator.last_text) == members
        admin = fake.user(ADMIN)
        await admin.send("/stats")
        assert re.search(r"🏘 cụm: [0-9]+ · xã: 104", admin.last_text)


async def test_forged_map_buttons(fake: FakeBotApi, stories: Stories, start: Start) -> None:
    async with start(stories.after) as bot:
        province = await unit_store.in_force_by_code(bot.db, "33")
        assert province is not None
        admin = fake.user(ADMIN)
        await admin.send("/stats 2023")
        shown = admin.last_text
        for data in (
            f"st:s:{province.id}:2023:2023:z",
            f"st:s:{province.id}:2023:2023:t:t",
            f"st:r:{province.id}:2023:2023:t:２０２３",
            f"st:r:{province.id}:2023:2023:t",
            f"st:g:{province.id}:2023:2023:y",
        ):
            await admin.press_data(data)
            assert "không hợp lệ" in admin.callback_answers[-1], data
        assert admin.last_text == shown


async def test_a_name_finds_the_ended_unit_and_the_one_of_today(
    fake: FakeBotApi, stories: Stories, start: Start
) -> None:
    """`/stats <name or code>` finds ended units too, each on the map of its time; when an
    ended unit and one in force both answer, both are offered with their dates."""
    async with start(stories.after):
        admin = fake.user(ADMIN)
        await admin.send("/stats lien giang")
        assert admin.last_text == "Đơn vị nào?"
        # Liên Giang merged into today's Bắc Tiên Hưng, which is found by that former name.
        assert admin.buttons == [
            "Xã Liên Giang (đến 30/06/2025)",
            "Xã Bắc Tiên Hưng (từ 01/07/2025)",
        ]
        await admin.press("Xã Liên Giang (đến 30/06/2025)")
        assert admin.last_text.startswith(
            "📊 Xã Liên Giang, Huyện Đông Hưng, năm 2024\n🗺 Theo địa giới năm 2024\n"
        )
        assert "🗺 Theo địa giới mới" in admin.buttons and "2025 ▶" not in admin.buttons
        await admin.send("/stats lien giang 2023")
        await admin.press("Xã Bắc Tiên Hưng (từ 01/07/2025)")
        assert admin.last_text.startswith("📊 Xã Bắc Tiên Hưng, năm 2023\n🗺 Theo địa giới năm 2023")
        # A code an ended unit shares with the one of today that kept it.
        await admin.send("/stats 12688")
        assert admin.buttons == [
            "Xã Đông Hưng (từ 01/07/2025)",
            "Thị trấn Đông Hưng (đến 30/06/2025)",
        ]
        # Said with what it is, as a chair says it: the one of that type, at once; the
        # exact name before "Bắc Đông Hưng" and "Nam Đông Hưng", which contain it.
        await admin.send("/stats xa dong hung")
        assert admin.last_text.startswith("📊 Xã Đông Hưng, năm ")
        await admin.send("/stats Thị trấn Đông Hưng 2023")
        assert admin.last_text.startswith("📊 Thị trấn Đông Hưng, Huyện Đông Hưng, năm 2023\n")
        await admin.send("/stats huyện Đông Hưng 2023")
        assert admin.last_text.startswith("📊 Huyện Đông Hưng (cũ), năm 2023\n")

        # The old district's chair: only units of the old map are theirs, shown directly.
        chair = fake.user(DISTRICT_CHAIR)
        await chair.send("/stats lien giang")
        assert chair.last_text.startswith("📊 Xã Liên Giang, Huyện Đông Hưng, năm 2024\n")
        await chair.send("/stats 12688 2023")
        assert chair.last_text.startswith("📊 Thị trấn Đông Hưng, Huyện Đông Hưng, năm 2023\n")
        await chair.send("/stats bac tien hung")
        assert "ngoài phạm vi" in chair.last_text

        # Today's commune chair: the former commune of theirs, and theirs, which took it.
        first = stories.filed.first_commune
        commune = fake.user(CHAIR)
        await commune.send(f"/stats {first.name}")
        assert commune.buttons[0] == f"Xã {first.name} (đến 30/06/2025)"
        await commune.press(commune.buttons[0])
        assert commune.last_text.startswith(f"📊 Xã {first.name}, Huyện Đông Hưng, năm 2024")
        assert "chi hội: 2" in commune.last_text
