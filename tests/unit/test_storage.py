"""Migrations, the units loaded from the shipped CSV, and diacritic-insensitive search."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.services import hierarchy
from bot.services.hierarchy import HierarchyError
from bot.storage import units as unit_store
from bot.storage.db import LATEST_VERSION, Database
from bot.storage.models import Level
from bot.text import fold
from tests.conftest import UNITS_CSV, branch, unit


async def test_empty_file_is_migrated_to_latest(tmp_path: Path) -> None:
    async with Database(tmp_path / "new.sqlite3") as db:
        assert await db.version() == LATEST_VERSION
        journal = await db.fetchone("PRAGMA journal_mode")
        assert journal is not None and journal[0] == "wal"
        fk = await db.fetchone("PRAGMA foreign_keys")
        assert fk is not None and fk[0] == 1


async def test_older_file_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = await Database(path).open(migrate=False)
    assert await db.migrate(target=1) == [1]
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO unit (level, code, name, name_folded, kind, path) "
            "VALUES ('province', '34', 'Thái Bình', 'thai binh', 'province', '/1/')"
        )
    await db.close()
    inode = path.stat().st_ino

    async with Database(path) as reopened:
        assert await reopened.version() == LATEST_VERSION
        row = await reopened.fetchone("SELECT name FROM unit WHERE code = '34'")
        assert row is not None and row[0] == "Thái Bình"
        tables = {r[0] for r in await reopened.fetchall("SELECT name FROM sqlite_master")}
        assert "ptb_conversation" in tables
    assert path.stat().st_ino == inode


async def test_failed_migration_leaves_version_unchanged(tmp_path: Path) -> None:
    db = await Database(tmp_path / "x.sqlite3").open(migrate=False)
    await db.migrate(target=1)
    async with db.transaction() as tx:  # make migration 2 collide with an existing table
        await tx.execute("CREATE TABLE ptb_user_data (x)")
    with pytest.raises(sqlite3.OperationalError):
        await db.migrate()
    assert await db.version() == 1
    await db.close()


async def test_thai_binh_units_are_loaded(db: Database) -> None:
    counts = await unit_store.count_by_level(db)
    assert counts == {Level.PROVINCE: 1, Level.DISTRICT: 8, Level.COMMUNE: 260}
    dong_hung = await unit(db, "Đông Hưng")
    assert dong_hung.level is Level.DISTRICT
    assert dong_hung.code == "340"


async def test_loading_twice_adds_nothing(db: Database) -> None:
    result = await hierarchy.load_units_csv(
        db, UNITS_CSV, province_code="34", province_name="Thái Bình"
    )
    assert result.added == 0
    assert (await unit_store.count_by_level(db))[Level.COMMUNE] == 260


async def test_another_province_loads_the_same_way(tmp_path: Path) -> None:
    csv_path = tmp_path / "other.csv"
    csv_path.write_text(
        "district_code,district_name,district_type,commune_code,commune_name,commune_type\n"
        "999,Ba Vì,Huyện,99901,Tản Lĩnh,Xã\n999,Ba Vì,Huyện,99902,Tây Đằng,Thị trấn\n",
        encoding="utf-8",
    )
    async with Database(tmp_path / "o.sqlite3") as other:
        await hierarchy.load_units_csv(other, csv_path, province_code="01", province_name="Hà Nội")
        found = await unit_store.search(other, "tay dang")
        assert [u.name for u in found] == ["Tây Đằng"]


async def test_bad_units_file_loads_nothing(tmp_path: Path) -> None:
    csv_path = tmp_path / "bad.csv"
    csv_path.write_text(
        "district_code,district_name,district_type,commune_code,commune_name,commune_type\n"
        "999,Ba Vì,Huyện,99901,Tản Lĩnh,Xã\n999,Ba Vì,Làng,99902,Tây Đằng,Xã\n",
        encoding="utf-8",
    )
    async with Database(tmp_path / "b.sqlite3") as other:
        with pytest.raises(HierarchyError) as caught:
            await hierarchy.load_units_csv(other, csv_path, province_code="01", province_name="X")
        assert caught.value.line == 3
        assert await unit_store.root(other) is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("dong hung", "Đông Hưng"),
        ("DONG HUNG", "Đông Hưng"),
        ("Đông Hưng", "Đông Hưng"),
        ("kien xuong", "Kiến Xương"),
        ("  kiến   xương ", "Kiến Xương"),
        ("quynh phu", "Quỳnh Phụ"),
        ("tien hai", "Tiền Hải"),
        ("340", "Đông Hưng"),
    ],
)
async def test_search_ignores_diacritics_and_case(db: Database, query: str, expected: str) -> None:
    found = await unit_store.search(db, query, levels=[Level.DISTRICT])
    assert found and found[0].name == expected


async def test_children_filter_by_typed_text(db: Database) -> None:
    district = await unit(db, "Đông Hưng")
    communes = await unit_store.children(db, district.id, query="dong")
    assert communes, "Đông Hưng has communes whose names contain Đông"
    assert all("dong" in fold(c.name) for c in communes)
    assert await unit_store.count_children(db, district.id, query="dong") == len(communes)
    assert await unit_store.children(db, district.id, query="%") == []


async def test_branches_and_import(db: Database, tmp_path: Path) -> None:
    commune = (await unit_store.search(db, "12433"))[0]
    first = await branch(db, commune, "Tổ 1")
    assert first.code == "12433-001" and first.path.startswith(commune.path)
    csv_path = tmp_path / "branches.csv"
    csv_path.write_text(
        "commune_code,branch_name,branch_kind\n12433,Tổ 1,residential_group\n"
        "12433,Tổ 2,residential_group\n12436,Trường Tiểu học,school\n",
        encoding="utf-8",
    )
    assert await hierarchy.import_branches_csv(db, csv_path, actor_id=None) == 2
    names = [u.name for u in await unit_store.children(db, commune.id)]
    assert names == ["Tổ 1", "Tổ 2"]
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "commune_code,branch_name,branch_kind\n12433,Tổ 9,residential_group\n00000,Tổ 3,village\n",
        encoding="utf-8",
    )
    with pytest.raises(HierarchyError) as caught:
        await hierarchy.import_branches_csv(db, bad, actor_id=None)
    assert caught.value.line == 3
    assert len(await unit_store.children(db, commune.id)) == 2  # nothing from the bad file


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đông Hưng", "dong hung"),
        ("KIẾN  XƯƠNG", "kien xuong"),
        ("Thái Bình ", "thai binh"),
        ("Nguyễn Thị Ngọc Ánh", "nguyen thi ngoc anh"),
        ("", ""),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded
