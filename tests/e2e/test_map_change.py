"""After `units migrate`: the chairs are told what happened to their role, and the province
admin places the branches of a split commune from /branches.

The world's commune (in Đông Hưng) is mapped, in a legacy-format file made from the shipped
Thái Bình mapping, onto two communes of today's map, as the three split communes of old Hưng
Yên were; every other commune as shipped. A chair of two ended communes hears once, of both;
an unused invite to an ended commune is revoked."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from bot.fake_bot_api import FakeBotApi
from bot.services import counters, invites, map_change
from bot.storage import map_changes as map_store
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.models import Role
from tests.conftest import NEW_MAP_CSV, OLD_TO_NEW_CSV, person
from tests.e2e.conftest import BotUnderTest, World, step_prefix

COLUMNS = (
    "legacy_province",
    "legacy_district_code",
    "legacy_district",
    "legacy_commune_code",
    "legacy_commune",
    "legacy_commune_type",
    "new_commune_codes",
    "partly",
)


def split_mapping(path: Path, split_code: str) -> tuple[str, str]:
    """The shipped mapping in the legacy format, `split_code` split over its own new unit and
    another; returns the two new codes, in order."""
    with OLD_TO_NEW_CSV.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    first = next(r["unit_code_jul2025"] for r in rows if r["commune_code_2024"] == split_code)
    second = next(r["unit_code_jul2025"] for r in rows if r["unit_code_jul2025"] != first)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in rows:
            split = row["commune_code_2024"] == split_code
            codes = f"{first}|{second}" if split else row["unit_code_jul2025"]
            writer.writerow(
                [
                    "Thái Bình",
                    "",
                    row["district_name_2024"],
                    row["commune_code_2024"],
                    row["commune_name_2024"],
                    row["commune_type_2024"],
                    codes,
                    "1" if split else "0",
                ]
            )
    return first, second


async def test_chairs_are_told_and_the_admin_places_the_split_communes_branches(
    fake: FakeBotApi, bot: BotUnderTest, world: World, tmp_path: Path
) -> None:
    mapping = tmp_path / "mapping.csv"
    first_code, second_code = split_mapping(mapping, world.commune.code)
    planned = await map_change.plan(bot.db, NEW_MAP_CSV, mapping, date(2025, 7, 1), now=bot.now)
    assert len(planned.provisional) == 2  # Thôn Đông, Thôn Tây
    await map_change.apply(bot.db, planned, now=bot.now)
    first = await unit_store.in_force_by_code(bot.db, first_code)
    second = await unit_store.in_force_by_code(bot.db, second_code)
    assert first is not None and second is not None

    await bot.tell_waiting()
    admin = fake.user(World.ADMIN)
    assert (
        "🗺 Từ ngày 01/07/2025, địa giới hành chính thay đổi: tỉnh Thái Bình nay thuộc "
        "tỉnh Hưng Yên" in admin.last_text
    )
    assert "📍 2 chi hội" in admin.last_text
    chair = fake.user(World.CHAIR)
    told = chair.last_text
    assert f"xã {world.commune.name} không còn nữa" in told or world.commune.name in told
    assert first.name in told and second.name in told and "gửi lời mời" in told
    assert "huyện Đông Hưng không còn nữa" in fake.user(World.DISTRICT_CHAIR).last_text

    # /place lists them; /cancel leaves.
    await admin.send("/xeplai")
    assert "Chi hội cần xếp lại: 2" in admin.last_text
    await admin.send("Thôn Đông")  # typed, not pressed: the list again
    assert "Vui lòng bấm chọn một trong các nút." in admin.last_text
    await admin.send("/cancel")
    assert "Đã hủy" in admin.last_text

    # /branches offers the branches to place, above the commune picker.
    await admin.send("/branches")
    offer = next(m for m in admin.messages if "📍 Chi hội cần xếp lại (2)" in m.buttons)
    await admin.press_data("place:list", offer.message_id)
    assert "Chi hội cần xếp lại: 2" in admin.last_text
    assert admin.buttons[-1] == "✖ Đóng"
    await admin.press("Thôn Đông")
    assert f"Chi hội Thôn Đông thuộc xã {world.commune.name}" in admin.last_text
    assert [label.split(" ")[0] for label in admin.buttons] == ["✔", "➡", "⬅", "✖"]
    assert first.name in admin.buttons[0] and second.name in admin.buttons[1]
    stale = step_prefix(admin)
    await admin.press(admin.buttons[1])
    assert "✅ Chi hội Thôn Đông nay thuộc" in admin.last_text
    assert second.name in admin.last_text
    assert "Chi hội cần xếp lại: 1" in admin.last_text
    moved = await unit_store.get(bot.db, world.branch.id)
    assert moved is not None and moved.parent_id == second.id

    # An old button of the branch question changes nothing.
    await admin.press_data(f"{stale}:c:{world.branch.id}:{first.id}")
    moved = await unit_store.get(bot.db, world.branch.id)
    assert moved is not None and moved.parent_id == second.id

    await admin.press("Thôn Tây")
    await admin.press(next(label for label in admin.buttons if label.startswith("✔")))
    assert "✅ Chi hội Thôn Tây giữ nguyên ở" in admin.last_text
    assert "Không còn chi hội nào cần xếp lại" in admin.last_text
    assert await map_store.unsettled(bot.db, first) == []
    assert await counters.recompute(bot.db) == []

    # A commune chair cannot place branches.
    await chair.send("/place")
    assert "Chỉ quản trị cấp tỉnh mới xếp lại chi hội" in chair.last_text


def without_former_districts(path: Path) -> Path:
    """Today's map as shipped, less the columns naming each commune's former district."""
    with NEW_MAP_CSV.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    dropped = ("former_district", "former_districts_all")
    with path.open("w", encoding="utf-8", newline="") as handle:
        columns = [name for name in rows[0] if name not in dropped]
        writer = csv.DictWriter(handle, columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


async def test_a_chair_of_two_ended_communes_is_told_once_and_their_invites_end(
    fake: FakeBotApi, bot: BotUnderTest, world: World, tmp_path: Path
) -> None:
    """One notice per person names all of their roles the change touched; an unused invite
    to a commune that ended is revoked by the change; the communes of a units file that names
    no former district get the one most of their former communes were in."""
    await person(bot.db, World.CHAIR, Role.COMMUNE_CHAIR, world.other_commune)
    invite = await invites.create_invite(
        bot.db, World.ADMIN, Role.COMMUNE_CHAIR, world.other_commune, bot.now, ttl_days=7
    )
    assert not isinstance(invite, invites.InviteProblem)
    units = without_former_districts(tmp_path / "units.csv")
    planned = await map_change.plan(
        bot.db,
        units,
        OLD_TO_NEW_CSV,
        date(2025, 7, 1),
        province_code="33",
        province_name="Hưng Yên",
        now=bot.now,
    )
    assert [i.code for i in planned.invites] == [invite.code]  # listed, to be revoked
    result = await map_change.apply(bot.db, planned, now=bot.now)
    assert result.invites_revoked == 1

    chair = fake.user(World.CHAIR)
    other = fake.user(World.OTHER_CHAIR)
    await bot.tell_waiting()
    assert len(chair.messages) == 1 and len(other.messages) == 1
    told = chair.last_text
    assert told.startswith(
        "🗺 Từ ngày 01/07/2025, địa giới hành chính thay đổi. Với các vai trò của bạn:\n• "
    )
    for commune in (world.commune, world.other_commune):
        assert f"{commune.name} không còn nữa, nay thuộc" in told
    assert told.count("\n• ") == 2 and told.endswith("hãy đề nghị quản trị cấp tỉnh gửi lời mời.")
    assert "•" not in other.last_text  # one role: one sentence, as before
    await bot.tell_waiting()
    assert len(chair.messages) == 1  # told once

    newcomer = fake.user(77)
    await newcomer.send(f"/start {invite.code}")
    assert "Đường dẫn mời này đã hết hạn" in newcomer.last_text
    assert await people.grants_of(bot.db, 77) == []

    filled = await bot.db.fetchone(
        "SELECT count(*) FROM unit WHERE level = 'commune' AND valid_to IS NULL "
        "AND former_district IS NOT NULL"
    )
    assert filled is not None and filled[0] == 65  # those of old Thái Bình: the mapping's
    admin = fake.user(World.ADMIN)
    await admin.send("/branches")
    await admin.send("tien hung")
    assert "xã Bắc Tiên Hưng (trước thuộc Đông Hưng)" in admin.buttons
