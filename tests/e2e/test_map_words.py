"""What people see on each map (issue 9): on today's map (no districts) a learning unit's
nomination goes to the province and the texts say so; invites offer the roles the map has, an
area coordinator where the province groups its communes into areas (cụm), who then approves
the registrations of communes without a chair; and communes are listed with their type and
the district they came from."""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.services import hierarchy
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import Role, Unit
from tests.conftest import branch, person
from tests.e2e.conftest import BotUnderTest, World

ADMIN, CHAIR, VOLUNTEER = 10, 30, 40
BELOW_A_PROVINCE = ["Chủ tịch Hội Khuyến học xã", "Chi hội trưởng", "Cộng tác viên", "✖ Hủy"]

AREAS_CSV = (
    "commune_code,commune_name,commune_type,area_code,area_name,former_district\n"
    "99901,Đông Hưng,Xã,C1,Bắc,Đông Hưng\n"
    "99902,Tiên Hưng,Xã,C1,Bắc,Đông Hưng\n"
    "99903,Trần Hưng Đạo,Phường,,,Thái Bình\n"
)


async def started(fake: FakeBotApi, path: Path) -> BotUnderTest:
    under_test = BotUnderTest(fake, path)
    await under_test.start()
    province = await unit_store.root(under_test.db)
    assert province is not None
    await person(under_test.db, ADMIN, Role.PROVINCE_ADMIN, province, "Quản Trị")
    return under_test


@pytest.fixture
async def new_map_bot(
    fake: FakeBotApi, tmp_path: Path, new_map_template: Path
) -> AsyncIterator[BotUnderTest]:
    """Hưng Yên's map of 1 July 2025 and its administrator."""
    shutil.copyfile(new_map_template, tmp_path / "bot.sqlite3")
    under_test = await started(fake, tmp_path / "bot.sqlite3")
    yield under_test
    await under_test.stop()


@pytest.fixture
async def area_bot(fake: FakeBotApi, tmp_path: Path) -> AsyncIterator[BotUnderTest]:
    """A province whose communes are grouped into an area, cụm Bắc (and a ward outside it)."""
    units = tmp_path / "areas.csv"
    units.write_text(AREAS_CSV, encoding="utf-8")
    async with Database(tmp_path / "bot.sqlite3") as db:
        await hierarchy.load_units_csv(
            db, units, province_code="33", province_name="Hưng Yên", valid_from=date(2025, 7, 1)
        )
    under_test = await started(fake, tmp_path / "bot.sqlite3")
    yield under_test
    await under_test.stop()


async def by_code(bot: BotUnderTest, code: str) -> Unit:
    unit = await unit_store.in_force_by_code(bot.db, code)
    assert unit is not None
    return unit


def link_code(user: FakeUser) -> str:
    match = re.search(r"https://t\.me/khuyenhoc_bot\?start=([A-Za-z0-9_-]+)", user.last_text)
    assert match, user.last_text
    return match.group(1)


# ---------------------------------------------------------------- today's map


async def test_a_learning_unit_goes_to_the_province_and_the_texts_say_so(
    fake: FakeBotApi, new_map_bot: BotUnderTest
) -> None:
    commune = await by_code(new_map_bot, "12688")  # xã Đông Hưng
    thon = await branch(new_map_bot.db, commune, "Thôn Đông La")
    await person(new_map_bot.db, CHAIR, Role.COMMUNE_CHAIR, commune, "Chủ Tịch Xã")
    await person(new_map_bot.db, VOLUNTEER, Role.VOLUNTEER, thon, "Lê Thị Cúc")
    volunteer, admin, chair = fake.user(VOLUNTEER), fake.user(ADMIN), fake.user(CHAIR)
    await volunteer.send("/title")
    await volunteer.press("Đơn vị học tập")
    await volunteer.send("Trường Tiểu học Đông La")
    await volunteer.press("2026")
    await volunteer.press("⏭ Bỏ qua")
    await volunteer.press("💾 Lưu")
    assert "gửi tới Hội Khuyến học tỉnh Hưng Yên để xét công nhận" in volunteer.last_text
    assert "huyện" not in volunteer.last_text
    assert "Đơn vị học tập" in admin.last_text and "✅ Công nhận" in admin.buttons
    assert chair.messages == []  # the commune's chair does not recognise it
    await chair.send("/help")
    await chair.press_data("tt:ok:1")
    assert chair.callback_answers[-1] == (
        "Danh hiệu Đơn vị học tập và Cộng đồng học tập cấp xã do Hội Khuyến học tỉnh Hưng Yên "
        "công nhận."
    )
    await admin.press("✅ Công nhận")
    assert "đã được công nhận" in volunteer.last_text
    # A family's title stays with the commune, and its receipt names it.
    await volunteer.send("/title")
    await volunteer.press("Gia đình học tập")
    await volunteer.send("Trần Văn Bình")
    await volunteer.press("2026")
    await volunteer.press("⏭ Bỏ qua")
    await volunteer.press("💾 Lưu")
    assert "gửi tới Hội Khuyến học xã Đông Hưng để xét công nhận" in volunteer.last_text


async def test_no_district_chair_is_offered_where_there_are_no_districts(
    fake: FakeBotApi, new_map_bot: BotUnderTest
) -> None:
    admin = fake.user(ADMIN)
    await admin.send("/invite")
    assert "Bạn muốn mời ai" in admin.last_text
    assert admin.buttons == BELOW_A_PROVINCE


async def test_communes_are_listed_with_their_type_and_former_district(
    fake: FakeBotApi, new_map_bot: BotUnderTest
) -> None:
    admin = fake.user(ADMIN)
    await admin.send("/branches")
    assert "Chọn một xã trong Tỉnh Hưng Yên" in admin.last_text
    communes = [label for label in admin.buttons if "(trước thuộc " in label]
    assert len(communes) == 10 and all(len(label) <= 40 for label in admin.buttons)
    await admin.send("tran")
    assert admin.buttons[:3] == [
        "xã Tống Trân (trước thuộc Phù Cừ)",
        "phường Trần Hưng Đạo",  # 44 characters with its district: cut off on a phone
        "phường Trần Lãm (trước thuộc Thái Bình)",
    ]
    # Merged on 1 November 2024, before the early-2025 list the map's file names.
    await admin.send("lien giang")
    assert "Liên Giang, nay thuộc xã Bắc Tiên Hưng" in admin.buttons
    await admin.press("Liên Giang, nay thuộc xã Bắc Tiên Hưng")
    assert "Các chi hội của Xã Bắc Tiên Hưng: 0" in admin.last_text


# ---------------------------------------------------------------- the 2024 map


async def test_a_district_chair_is_offered_on_a_map_with_districts(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    admin = fake.user(World.ADMIN)
    await admin.send("/invite")
    assert admin.buttons == ["Chủ tịch Hội Khuyến học cấp huyện", *BELOW_A_PROVINCE]
    district = fake.user(World.DISTRICT_CHAIR)
    await district.send("/help")
    assert "Bạn là Chủ tịch Hội Khuyến học cấp huyện của Huyện Đông Hưng." in district.last_text
    await district.send("/branches")
    assert "xã " + world.commune.name in district.buttons  # no former district on this map


# ---------------------------------------------------------------- a map with areas


async def test_an_area_coordinator_is_invited_and_approves_where_no_commune_chair_is(
    fake: FakeBotApi, area_bot: BotUnderTest
) -> None:
    admin = fake.user(ADMIN)
    await admin.send("/invite")
    assert admin.buttons == ["Điều phối cụm", *BELOW_A_PROVINCE]
    await admin.press("Điều phối cụm")
    assert "Mời Điều phối cụm: chọn đơn vị trong Tỉnh Hưng Yên." in admin.last_text
    await admin.press("Bắc")
    assert "Lời mời làm Điều phối cụm của Cụm Bắc." in admin.last_text
    code = link_code(admin)

    coordinator = fake.user(2001)
    await coordinator.send(f"/start {code}")
    assert "Bạn được mời làm Điều phối cụm của Cụm Bắc." in coordinator.last_text
    await coordinator.press("✅ Tôi đồng ý")  # the privacy notice
    await coordinator.send("Phạm Văn Điều")
    assert "Bạn đã là Điều phối cụm của Cụm Bắc." in coordinator.last_text
    await coordinator.send("/help")
    assert "Bạn là Điều phối cụm của Cụm Bắc." in coordinator.last_text
    await coordinator.send("/invite")
    assert coordinator.buttons == BELOW_A_PROVINCE

    # xã Đông Hưng has no chair: its registrations are the coordinator's.
    dong_hung = await by_code(area_bot, "99901")
    thon = await branch(area_bot.db, dong_hung, "Thôn Đông")
    newcomer = fake.user(2002)
    await newcomer.send("/start")
    await newcomer.press("✅ Tôi đồng ý")  # the privacy notice
    await newcomer.send("Nguyễn Văn An")
    assert "Chi hội của bạn thuộc cụm xã nào?" in newcomer.last_text
    await newcomer.press("Bắc")
    assert newcomer.buttons[:2] == [
        "xã Đông Hưng (trước thuộc Đông Hưng)",
        "xã Tiên Hưng (trước thuộc Đông Hưng)",
    ]
    await newcomer.press("xã Đông Hưng (")
    await newcomer.press("Thôn Đông")
    assert "Nguyễn Văn An" in coordinator.last_text
    await coordinator.send("/pending")
    assert "Số yêu cầu đăng ký đang chờ bạn duyệt: 1." in coordinator.texts[-2]
    await coordinator.press("✅ Duyệt")
    assert "đã được duyệt" in newcomer.last_text
    grants = await people.grants_of(area_bot.db, 2002)
    assert [(g.role, g.unit.id) for g in grants] == [(Role.VOLUNTEER, thon.id)]
