"""The chart and the map of a /stats answer, pressed as a chair would: old Thái Bình's 2023
filed on its map, then today's Hưng Yên (`tests/regroup_world.py`); on the map of 2023 (260
communes under 8 districts, none with a point of its own) and on today's (104 communes with
their points, 65 of them with old Thái Bình's figures)."""

from __future__ import annotations

import asyncio
import io
import itertools
import re
import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import pytest
from PIL import Image

from bot.charts import MAX_HEIGHT_PX
from bot.fake_bot_api import FakeBotApi, SentMessage
from bot.services import figures, imports, map_points, stats
from bot.services.regroup import MapChoice
from bot.storage import units as unit_store
from tests.e2e.conftest import BotUnderTest, World
from tests.regroup_world import ADMIN, CHAIR, DISTRICT_CHAIR, build, new_commune_of

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MEMBERS = "Tỷ lệ hội viên trên dân số"
CHART = "📈 Biểu đồ"
MAP = "🗺 Bản đồ"


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory, units_template: Path) -> Path:
    path = tmp_path_factory.mktemp("stats_charts") / "after.sqlite3"
    asyncio.run(build(path, units_template))
    return path


Start = Callable[[], AbstractAsyncContextManager[BotUnderTest]]


@pytest.fixture
def start(fake: FakeBotApi, tmp_path: Path, story: Path) -> Start:
    copies = itertools.count()

    @asynccontextmanager
    async def started() -> AsyncIterator[BotUnderTest]:
        copy = tmp_path / f"story-{next(copies)}.sqlite3"
        shutil.copyfile(story, copy)
        bot = BotUnderTest(fake, copy)
        await bot.start()
        try:
            yield bot
        finally:
            await bot.stop()

    return started


def png_of(photo: SentMessage) -> Image.Image:
    """The photo as a decoded PNG of phone-friendly size (1200 px wide, bounded height)."""
    content = photo.file_bytes or b""
    assert content.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(content))
    image.load()
    assert image.format == "PNG"
    width, height = image.size
    assert width == 1200 and 600 <= height <= MAX_HEIGHT_PX, image.size
    return image


async def test_chart_of_today_s_communes_comes_in_pages(fake: FakeBotApi, start: Start) -> None:
    async with start():
        admin = fake.user(ADMIN)
        await admin.send("/stats 2023")
        await admin.press("🗺 Theo địa giới mới")
        assert admin.last_text.startswith("📊 Tỉnh Hưng Yên, năm 2023\n🗺 Theo địa giới mới")
        assert CHART in admin.buttons and MAP in admin.buttons
        shown = admin.last_text
        await admin.press(CHART)
        assert admin.last_text == "Vẽ biểu đồ theo chỉ số nào?"
        await admin.press("⬅ Quay lại")  # the way out
        assert admin.last_text == shown
        await admin.press(CHART)
        assert admin.buttons[0] == MEMBERS and admin.buttons[-1] == "⬅ Quay lại"
        await admin.press(MEMBERS)
        first = admin.photos[-1]
        png_of(first)
        caption = first.caption or ""
        assert caption.startswith(f"{MEMBERS} — Tỉnh Hưng Yên, năm 2023\n")
        # The 65 communes that took old Thái Bình's have a value; the 39 of old Hưng Yên none.
        found = re.search(
            r"Trang 1/(\d+): thứ 1–(\d+) trong 65 đơn vị, từ cao xuống thấp\.$", caption
        )
        assert found, caption
        pages, size = int(found[1]), int(found[2])
        assert 6 <= size <= 20 and pages == -(-65 // size)
        assert admin.buttons == ["Trang sau ▶"]
        await admin.press("Trang sau ▶")
        png_of(admin.photos[-1])
        assert f"Trang 2/{pages}: thứ {size + 1}–{2 * size} trong 65" in (
            admin.photos[-1].caption or ""
        )
        assert admin.buttons == ["◀ Trang trước", "Trang sau ▶"]
        for _ in range(pages - 2):
            await admin.press("Trang sau ▶")
        last = admin.photos[-1]
        png_of(last)
        assert f"Trang {pages}/{pages}: thứ {(pages - 1) * size + 1}–65 trong 65" in (
            last.caption or ""
        )
        assert admin.buttons == ["◀ Trang trước"]
        await admin.press("◀ Trang trước")
        assert f"Trang {pages - 1}/{pages}" in (admin.photos[-1].caption or "")


async def test_map_of_today_s_communes(fake: FakeBotApi, start: Start) -> None:
    async with start():
        admin = fake.user(ADMIN)
        await admin.send("/stats 2023")
        await admin.press("🗺 Theo địa giới mới")
        await admin.press(MAP)
        assert admin.last_text == "Vẽ bản đồ theo chỉ số nào?"
        await admin.press("⬅ Quay lại")  # the way out
        assert admin.last_text.startswith("📊 Tỉnh Hưng Yên, năm 2023")
        await admin.press(MAP)
        await admin.press(MEMBERS)
        photo = admin.photos[-1]
        png_of(photo)
        assert (photo.caption or "").endswith("104 xã, phường trên bản đồ, 65 có số liệu.")


async def test_map_of_the_old_communes_on_the_map_of_2023(fake: FakeBotApi, start: Start) -> None:
    """260 old communes, 8 districts: each placed at the point of the commune that took it."""
    async with start():
        admin = fake.user(ADMIN)
        await admin.send("/stats 2023")
        assert admin.last_text.startswith("📊 Tỉnh Thái Bình (cũ), năm 2023")
        await admin.press(MAP)
        await admin.press("Gia đình học tập")
        photo = admin.photos[-1]
        png_of(photo)
        assert (photo.caption or "") == (
            "Gia đình học tập — Tỉnh Thái Bình (cũ), năm 2023\n"
            "260 xã, phường trên bản đồ, 260 có số liệu."
        )
        # The old district's chair: its communes, on the map of its last year.
        chair = fake.user(DISTRICT_CHAIR)
        await chair.send("/stats 2023")
        await chair.press(CHART)
        await chair.press(MEMBERS)
        chart = chair.photos[-1]
        png_of(chart)
        assert (chart.caption or "").startswith(f"{MEMBERS} — Huyện Đông Hưng (cũ), năm 2023\n")
        # Citizens: the province's target of 26,8 % and the national 40 % by 2025, both lines.
        await chair.send("/stats 2023")
        await chair.press(CHART)
        await chair.press("Công dân học tập")
        png_of(chair.photos[-1])
        assert (chair.photos[-1].caption or "").startswith("Công dân học tập — Huyện Đông Hưng")
        await chair.send("/stats 2023")
        await chair.press(MAP)
        await chair.press(MEMBERS)
        assert (chair.photos[-1].caption or "").endswith(" có số liệu.")
        png_of(chair.photos[-1])


async def test_no_chart_where_there_is_nothing_to_draw(fake: FakeBotApi, start: Start) -> None:
    """A commune's sub-units are branches, which have no population or denominators: no chart,
    no map; an old or forged button says there is nothing to draw and leads back."""
    async with start() as bot:
        chair = fake.user(CHAIR)
        await chair.send("/stats")
        assert chair.last_text.startswith("📊 ")
        assert CHART not in chair.buttons and MAP not in chair.buttons
        assert "📥 Excel" in chair.buttons
        grant_unit = (await unit_store.search(bot.db, "Tổ dân phố 1"))[0]
        commune_id = grant_unit.parent_id
        shown = chair.last_text
        for data in (f"st:c:{commune_id}:2026:2026", f"st:g:{commune_id}:2026:2026:m"):
            await chair.press_data(data)
            assert chair.last_text == "Chưa có số liệu để vẽ biểu đồ."
            assert chair.buttons == ["⬅ Quay lại"]
            await chair.press("⬅ Quay lại")
            assert chair.last_text == shown
        await chair.press_data(f"st:b:{commune_id}:2026:2026:m")
        assert chair.last_text == "Chưa có số liệu để vẽ bản đồ."
        assert chair.buttons == ["⬅ Quay lại"]
        assert chair.photos == []


async def test_forged_chart_buttons(fake: FakeBotApi, start: Start) -> None:
    async with start() as bot:
        province = await unit_store.in_force_by_code(bot.db, "33")
        assert province is not None
        admin = fake.user(ADMIN)
        await admin.send("/stats")
        shown = admin.last_text
        for data in (
            f"st:g:{province.id}:2026:2026:m:x",
            f"st:g:{province.id}:2026:2026:m:01",
            f"st:g:{province.id}:2026:2026:m:1:2",
            f"st:g:{province.id}:2026:2026:zz",
            f"st:b:{province.id}:2026:2026:zz",
            f"st:b:{province.id}:2026:2026:m:1",
        ):
            await admin.press_data(data)
            assert "không hợp lệ" in admin.callback_answers[-1], data
        assert admin.last_text == shown and admin.photos == []
        # A page past the last (the list got shorter since): the last page.
        await admin.press_data(f"st:g:{province.id}:2026:2026:m:99")
        assert re.search(r"\nTrang (\d+)/\1: ", admin.photos[-1].caption or "")


async def test_no_map_without_points(fake: FakeBotApi, bot: BotUnderTest, world: World) -> None:
    """Thái Bình's 2024 file has no points and no unit took its communes over: a district gets
    its chart once its communes have figures, but no map."""
    chair = fake.user(World.DISTRICT_CHAIR)
    await chair.send("/stats")
    assert CHART not in chair.buttons and MAP not in chair.buttons  # no figures at all yet
    for unit, population in ((world.commune, 1_000), (world.other_commune, 2_000)):
        refused = await figures.set_figure(
            bot.db, World.ADMIN, unit, 2026, figures.Figure.POPULATION, population, bot.now
        )
        assert refused is None
    await chair.send("/stats")
    assert CHART not in chair.buttons  # shares of 0 %: nothing to draw
    rows = f"{world.commune.code},2025,300\n{world.other_commune.code},2025,500\n"
    baseline = f"unit_code,year,members_total\n{rows}".encode()
    done = await imports.import_baseline(bot.db, baseline, "b.csv", actor_id=None, now=bot.now)
    assert isinstance(done, imports.ImportResult), done
    await chair.send("/stats")
    assert CHART in chair.buttons and MAP not in chair.buttons
    await chair.press(CHART)
    assert chair.buttons == [MEMBERS, "⬅ Quay lại"]
    await chair.press(MEMBERS)
    png_of(chair.photos[-1])
    assert chair.photos[-1].caption == f"{MEMBERS} — Huyện Đông Hưng, năm 2026"
    assert chair.photos[-1].inline_buttons == []  # one page
    await chair.press_data(f"st:b:{world.district.id}:2026:2026")
    assert chair.last_text == "Chưa có số liệu để vẽ bản đồ."


async def test_old_communes_take_the_point_of_the_commune_that_took_them(start: Start) -> None:
    async with start() as bot:
        province = await unit_store.in_force_by_code(bot.db, "33")
        assert province is not None
        scope = await stats.compute(bot.db, province, start_year=2023, end_year=2023)
        assert scope.unit.code == "34" and len(scope.sub_units) == 8  # old Thái Bình's districts
        communes = await map_points.communes(bot.db, scope)
        assert len(communes) == 260 and len({line.unit.id for line in communes}) == 260
        placed = await map_points.placed(bot.db, communes)
        assert all(place.placed and place.borrowed_from is not None for place in placed)
        for place in placed[:40]:
            successor = await new_commune_of(bot.db, place.line.unit)
            assert place.borrowed_from == successor
            assert (place.lat, place.lon) == (successor.lat, successor.lon)
        assert await map_points.can_map(bot.db, scope)
        # Today's map: the communes' own points.
        today = await stats.compute(
            bot.db, province, start_year=2023, end_year=2023, map_choice=MapChoice.TODAY
        )
        own = await map_points.placed(bot.db, await map_points.communes(bot.db, today))
        assert len(own) == 104 and all(p.placed and p.borrowed_from is None for p in own)
