"""On today's map a chair finds a commune by the name of a former commune it absorbed:
"dong son" offers "Đông Sơn, nay thuộc xã Đông Hưng", and pressing it chooses xã Đông Hưng."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.fake_bot_api import FakeBotApi
from bot.storage import units as unit_store
from bot.storage.models import Role
from tests.conftest import branch, person
from tests.e2e.conftest import BotUnderTest, step_prefix

ADMIN = 10


@pytest.fixture
async def new_map_bot(
    fake: FakeBotApi, tmp_path: Path, new_map_template: Path
) -> AsyncIterator[BotUnderTest]:
    """The bot on Hưng Yên's map of 1 July 2025 (no districts), with its administrator and a
    branch in xã Đông Hưng."""
    shutil.copyfile(new_map_template, tmp_path / "bot.sqlite3")
    under_test = BotUnderTest(fake, tmp_path / "bot.sqlite3")
    await under_test.start()
    province = await unit_store.root(under_test.db)
    dong_hung = await unit_store.by_code(under_test.db, "12688")
    assert province is not None and dong_hung is not None
    await person(under_test.db, ADMIN, Role.PROVINCE_ADMIN, province, "Quản Trị")
    await branch(under_test.db, dong_hung, "Thôn Đông La")
    yield under_test
    await under_test.stop()


async def test_a_commune_is_found_and_chosen_by_a_former_name(
    fake: FakeBotApi, new_map_bot: BotUnderTest
) -> None:
    admin = fake.user(ADMIN)
    await admin.send("/branches")
    assert "Chọn một xã trong Tỉnh Hưng Yên" in admin.last_text
    await admin.send("dong son")  # no diacritics
    assert 'Không có tên hiện nay nào chứa "dong son"' in admin.last_text
    assert "Đông Sơn, nay thuộc xã Đông Hưng" in admin.buttons
    assert "✖ Bỏ lọc" in admin.buttons and "✖ Hủy" in admin.buttons  # ways on and out
    await admin.press("Đông Sơn, nay thuộc xã Đông Hưng")
    assert "Các chi hội của Xã Đông Hưng: 1" in admin.last_text
    assert "Thôn Đông La" in admin.last_text


async def test_names_in_force_first_then_former_names(
    fake: FakeBotApi, new_map_bot: BotUnderTest
) -> None:
    admin = fake.user(ADMIN)
    await admin.send("/branches")
    await admin.send("Ngọc Thanh")  # split in 2025 between two wards/communes
    assert admin.buttons[:2] == [
        "Ngọc Thanh (một phần), nay thuộc xã Hiệp Cường",
        "Ngọc Thanh (một phần), nay thuộc phường Sơn Nam",
    ]
    await admin.send("tan tien")
    assert admin.buttons[:3] == [
        "xã Tân Tiến (trước thuộc Quỳnh Phụ)",  # today's commune, with its former district
        "Tân Tiến, nay thuộc xã Tiên La",
        "Tân Tiến, nay thuộc xã Văn Giang",
    ]
    assert 'Các tên cũ chứa "tan tien" được ghi kèm' in admin.last_text
    await admin.press("Tân Tiến, nay thuộc xã Văn Giang")
    assert "Các chi hội của Xã Văn Giang: 0" in admin.last_text


async def test_a_forged_former_name_press_changes_nothing(
    fake: FakeBotApi, new_map_bot: BotUnderTest
) -> None:
    admin = fake.user(ADMIN)
    await admin.send("/branches")
    await admin.send("dong son")
    prefix = step_prefix(admin)
    province = await unit_store.root(new_map_bot.db)
    assert province is not None
    for forged in (f"{province.id}:n", "999999:n", "12:x"):
        await admin.press_data(f"{prefix}:u:{forged}")
        assert "Đông Sơn, nay thuộc xã Đông Hưng" in admin.buttons  # the same question
    await admin.press("Đông Sơn, nay thuộc xã Đông Hưng")
    assert "Các chi hội của Xã Đông Hưng: 1" in admin.last_text


async def test_a_hit_above_the_level_asked_for_walks_into_it(
    fake: FakeBotApi, new_map_bot: BotUnderTest
) -> None:
    """A new member's branch: the commune found by a former name lists its branches."""
    pho_hien = await unit_store.by_code(new_map_bot.db, "11953")
    assert pho_hien is not None
    await branch(new_map_bot.db, pho_hien, "Tổ dân phố 1")  # two branches: the form asks
    admin = fake.user(ADMIN)
    await admin.send("/hoivien")
    await admin.send("Nguyễn Thị Hoa")
    await admin.press("Nữ")
    await admin.send("năm 1962")
    await admin.send("đông sơn")
    await admin.press("Đông Sơn, nay thuộc xã Đông Hưng")
    assert "Thôn Đông La" in admin.buttons and "⬅ Quay lại" in admin.buttons
    await admin.press("Thôn Đông La")
    assert "Ngày vào hội" in admin.last_text
    assert any("➜ Chi hội Thôn Đông La, Xã Đông Hưng" in text for text in admin.texts)
