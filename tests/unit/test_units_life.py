"""Both maps: Thái Bình's of 2024 (districts) and today's (Hưng Yên, communes directly under the
province since 1 July 2025); units that end and name their successors; former names to find
today's units by; units files in either format, and bad ones."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import HUNG_YEN_2025, THAI_BINH_2024, Settings
from bot.services import hierarchy
from bot.services.hierarchy import HierarchyError
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import Level, Role, UnitKind
from bot.storage.units import Found
from tests.conftest import NEW_MAP_CSV, NEW_MAP_DAY, UNITS_CSV, branch, load_new_map, person

HEADER = "commune_code,commune_name,commune_type"


def write(tmp_path: Path, text: str, name: str = "units.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def found(db: Database, query: str, **kwargs: object) -> list[tuple[str, str | None, bool]]:
    hits = await unit_store.find(db, query, **kwargs)  # type: ignore[arg-type]
    return [(hit.unit.name, hit.former, hit.partly) for hit in hits]


# ---------------------------------------------------------------- loading both maps


async def test_todays_map_is_104_communes_directly_under_hung_yen(new_map_db: Database) -> None:
    counts = await unit_store.count_by_level(new_map_db)
    assert counts == {Level.PROVINCE: 1, Level.COMMUNE: 104}
    province = await unit_store.root(new_map_db)
    assert province is not None
    assert (province.code, province.name, province.valid_from) == ("33", "Hưng Yên", NEW_MAP_DAY)
    communes = await unit_store.children(new_map_db, province.id)
    assert len(communes) == 104
    kinds = [commune.kind for commune in communes]
    assert (kinds.count(UnitKind.COMMUNE), kinds.count(UnitKind.WARD)) == (93, 11)
    assert all(c.level is Level.COMMUNE and c.valid_from == NEW_MAP_DAY for c in communes)
    pho_hien = await unit_store.by_code(new_map_db, "11953")
    assert pho_hien is not None and pho_hien.kind is UnitKind.WARD
    assert (pho_hien.lat, pho_hien.lon, pho_hien.area_km2) == (20.6634, 106.068, 21.5)


async def test_thai_binh_2024_stays_as_it_was(db: Database) -> None:
    counts = await unit_store.count_by_level(db)
    assert counts == {Level.PROVINCE: 1, Level.DISTRICT: 8, Level.COMMUNE: 260}
    commune = await unit_store.by_code(db, "12697")
    assert commune is not None and commune.name == "Liên Giang"
    assert (commune.valid_from, commune.valid_to, commune.lat) == (None, None, None)
    assert commune.in_force and await unit_store.aliases(db, commune) == []


async def test_loading_either_map_twice_adds_nothing(db: Database, new_map_db: Database) -> None:
    again = await hierarchy.load_units_csv(
        db, UNITS_CSV, province_code="34", province_name="Thái Bình", valid_from=date(2023, 1, 1)
    )
    assert (again.districts, again.communes, again.added, again.aliases) == (8, 260, 0, 0)
    before = await new_map_db.fetchone("SELECT count(*) FROM unit_alias")
    result = await load_new_map(new_map_db)
    assert (result.districts, result.areas, result.communes) == (0, 0, 104)
    assert (result.added, result.aliases) == (0, 0)
    assert await new_map_db.fetchone("SELECT count(*) FROM unit_alias") == before
    assert await unit_store.count_by_level(new_map_db) == {Level.PROVINCE: 1, Level.COMMUNE: 104}


async def test_former_communes_are_aliases_and_a_star_marks_a_split(new_map_db: Database) -> None:
    dong_hung = await unit_store.by_code(new_map_db, "12688")
    assert dong_hung is not None and dong_hung.name == "Đông Hưng"
    names = [alias.name for alias in await unit_store.aliases(new_map_db, dong_hung)]
    assert names == ["Đông Các", "Đông Hợp", "Đông Hưng", "Đông La", "Đông Sơn", "Nguyên Xá"]
    son_nam = await unit_store.by_code(new_map_db, "11983")
    assert son_nam is not None
    split = {a.name: a.partly for a in await unit_store.aliases(new_map_db, son_nam)}
    assert split == {
        "Bảo Khê": False,
        "Hùng Cường": False,
        "Lam Sơn": False,
        "Ngọc Thanh": True,
        "Phú Cường": False,
    }
    total = await new_map_db.fetchone("SELECT count(*), sum(partly) FROM unit_alias")
    # 381 communes of early 2025, 3 of them split over two units each; and 29 names of 2024
    # (thai_binh_units_2024_to_2025.csv) the early-2025 list lacks: the 28 communes merged or
    # renamed on 1 November 2024, and Kim Trung.
    assert total is not None and tuple(total) == (381 + 3 + 29, 6)


async def test_a_units_file_without_districts(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"{HEADER}\n99901,Tản Lĩnh,Xã\n99902,Sơn Tây,Phường\n99903 , Tây  Đằng ,thị trấn\n",
    )
    async with Database(tmp_path / "x.sqlite3") as db:
        result = await hierarchy.load_units_csv(
            db, path, province_code="01", province_name="Hà Nội"
        )
        assert (result.districts, result.areas, result.communes, result.added) == (0, 0, 3, 4)
        province = await unit_store.root(db)
        assert province is not None and province.valid_from is None
        communes = await unit_store.children(db, province.id)
        assert [(c.code, c.name, c.kind) for c in communes] == [
            ("99902", "Sơn Tây", UnitKind.WARD),
            ("99901", "Tản Lĩnh", UnitKind.COMMUNE),
            ("99903", "Tây Đằng", UnitKind.TOWNSHIP),
        ]
        assert [u.name for u in await unit_store.search(db, "tay dang")] == ["Tây Đằng"]
        commune = communes[0]
        first = await branch(db, commune, "Tổ 1")
        assert first.path.startswith(commune.path) and first.level is Level.BRANCH
        await person(db, 7, Role.COMMUNE_CHAIR, commune)


async def test_a_file_with_areas_has_a_middle_level_of_areas(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"{HEADER},area_code,area_name,former_communes\n"
        "99901,Tản Lĩnh,Xã,C1,Cụm Ba Vì,Tản Lĩnh|Ba Trại*\n"
        "99902,Ba Vì,Xã,C1,Cụm Ba Vì,\n"
        "99903,Sơn Tây,Phường,,,Quang Trung\n",
    )
    async with Database(tmp_path / "a.sqlite3") as db:
        result = await hierarchy.load_units_csv(
            db, path, province_code="01", province_name="Hà Nội", valid_from=date(2025, 7, 1)
        )
        assert (result.districts, result.areas, result.communes) == (0, 1, 3)
        assert (result.added, result.aliases) == (5, 3)
        province = await unit_store.root(db)
        assert province is not None
        children = await unit_store.children(db, province.id)
        assert [(u.name, u.level, u.kind) for u in children] == [
            ("Cụm Ba Vì", Level.DISTRICT, UnitKind.AREA),
            ("Sơn Tây", Level.COMMUNE, UnitKind.WARD),
        ]
        area = children[0]
        assert [u.name for u in await unit_store.children(db, area.id)] == ["Ba Vì", "Tản Lĩnh"]
        assert area.valid_from == date(2025, 7, 1)
        assert await found(db, "ba trai") == [("Tản Lĩnh", "Ba Trại", True)]
        again = await hierarchy.load_units_csv(db, path, province_code="01", province_name="X")
        assert (again.added, again.aliases) == (0, 0)


# ---------------------------------------------------------------- ended units and successors


async def test_ended_units_name_their_successors(succession_db: Database) -> None:
    province = await unit_store.root(succession_db)
    assert province is not None and province.code == "33"
    counts = await unit_store.count_by_level(succession_db, in_force=True)
    assert counts == {Level.PROVINCE: 1, Level.COMMUNE: 104}
    assert (await unit_store.count_by_level(succession_db))[Level.COMMUNE] == 260 + 104
    rows = await succession_db.fetchall(
        "SELECT id FROM unit WHERE code = '12697' AND valid_to IS NOT NULL"
    )
    lien_giang = await unit_store.get(succession_db, int(rows[0]["id"]))
    assert lien_giang is not None
    assert (lien_giang.name, lien_giang.active, lien_giang.valid_to) == (
        "Liên Giang",
        False,
        NEW_MAP_DAY,
    )
    assert [
        (u.name, partly) for u, partly in await unit_store.successors(succession_db, lien_giang)
    ] == [("Bắc Tiên Hưng", False)]
    # A code is unique among the units in force; the ended one that had it keeps its row.
    tan_tien = await unit_store.by_code(succession_db, "12583")
    assert tan_tien is not None and (tan_tien.name, tan_tien.in_force) == ("Tân Tiến", True)
    old = await succession_db.fetchall("SELECT name FROM unit WHERE code = '12583' ORDER BY id")
    assert [row["name"] for row in old] == ["Đồng Tiến", "Tân Tiến"]
    assert len(await unit_store.children(succession_db, province.id)) == 104
    ended_province = await unit_store.by_code(succession_db, "34")
    assert (
        ended_province is not None
        and await unit_store.children(succession_db, ended_province.id) == []
    )


async def test_loading_todays_map_while_the_old_one_is_in_force_is_refused(db: Database) -> None:
    with pytest.raises(HierarchyError) as caught:
        await load_new_map(db)
    assert caught.value.code == "code_taken"
    assert await unit_store.by_code(db, "33") is None  # one transaction: nothing loaded


async def test_a_chain_of_successors_is_followed_to_the_unit_in_force(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\n1,An Dục,Xã\n2,Đông Tiến,Xã\n3,Tân Tiến,Xã\n")
    async with Database(tmp_path / "c.sqlite3") as db:
        await hierarchy.load_units_csv(db, path, province_code="9", province_name="Tỉnh")
        first, middle, last = [await unit_store.by_code(db, code) for code in "123"]
        assert first is not None and middle is not None and last is not None
        async with db.transaction() as tx:
            await unit_store.end(tx, first, date(2024, 11, 1))
            await unit_store.add_successor(tx, first, middle)
            await unit_store.end(tx, middle, date(2025, 7, 1))
            await unit_store.add_successor(tx, middle, last, partly=True)
            await unit_store.add_successor(tx, middle, last, partly=True)  # once
        assert await found(db, "an duc") == [("Tân Tiến", "An Dục", True)]
        assert await found(db, "1") == [("Tân Tiến", "An Dục", True)]
        assert await found(db, "tien") == [("Tân Tiến", None, False)]
        assert [u.name for u in await unit_store.search(db, "dong tien")] == ["Tân Tiến"]


# ---------------------------------------------------------------- search by a former name


@pytest.mark.parametrize("query", ["dong son", "Đông Sơn", "  ĐÔNG   SƠN "])
async def test_todays_unit_is_found_by_a_former_commune(new_map_db: Database, query: str) -> None:
    hits = await unit_store.find(new_map_db, query)
    assert [(h.unit.name, h.unit.code, h.former, h.partly) for h in hits] == [
        ("Đông Hưng", "12688", "Đông Sơn", False)
    ]
    assert [u.name for u in await unit_store.search(new_map_db, query)] == ["Đông Hưng"]


async def test_names_in_force_come_first_and_a_unit_once(new_map_db: Database) -> None:
    assert await found(new_map_db, "dong hung") == [
        ("Đông Hưng", None, False),
        ("Bắc Đông Hưng", None, False),
        ("Nam Đông Hưng", None, False),
    ]
    assert await found(new_map_db, "tan tien") == [
        ("Tân Tiến", None, False),
        ("Tiên La", "Tân Tiến", False),
        ("Văn Giang", "Tân Tiến", False),
    ]
    assert await found(new_map_db, "ngoc thanh") == [
        ("Hiệp Cường", "Ngọc Thanh", True),
        ("Sơn Nam", "Ngọc Thanh", True),
    ]
    son_nam = await unit_store.by_code(new_map_db, "11983")
    assert son_nam is not None
    assert await found(new_map_db, "ngoc thanh", within=son_nam) == [
        ("Sơn Nam", "Ngọc Thanh", True)
    ]
    assert await found(new_map_db, "ngoc thanh", levels=[Level.DISTRICT]) == []
    assert await unit_store.find(new_map_db, "%") == []


async def test_an_ended_unit_is_found_by_its_name(succession_db: Database) -> None:
    province = await unit_store.root(succession_db)
    assert province is not None
    for query in ("lien giang", "Liên Giang", "12697"):
        assert await found(succession_db, query, within=province) == [
            ("Bắc Tiên Hưng", "Liên Giang", False)
        ], query
    hits = await unit_store.former_names(succession_db, "dong tien")
    assert [(h.unit.name, h.former) for h in hits] == [
        ("Tân Tiến", "Đồng Tiến"),
        ("Việt Tiến", "Đồng Tiến"),
    ]
    assert all(isinstance(h, Found) and h.unit.in_force for h in hits)


# ---------------------------------------------------------------- bad files


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("commune_code,commune_name\n1,A\n", "missing_columns", 1),
        (f"{HEADER},area_code\n1,A,Xã,C\n", "missing_columns", 1),
        (f"{HEADER}\n1,A,Xã\n2,B,Làng\n", "unknown_commune_type", 3),
        (f"{HEADER}\n,A,Xã\n", "missing_code", 2),
        (f"{HEADER}\n1,,Xã\n", "bad_name", 2),
        (f"{HEADER}\n1,{'A' * 121},Xã\n", "bad_name", 2),
        (f"{HEADER}\n1,A,Xã\n1,B,Xã\n", "duplicate_code", 3),
        (f"{HEADER}\n1,A,Xã\n2,a,Phường\n", "duplicate_name", 3),
        (f"{HEADER},lat,lon\n1,A,Xã,20.5,106.1\n2,B,Xã,91,106\n", "bad_number", 3),
        (f'{HEADER},lat\n1,A,Xã,"20,5"\n', "bad_number", 2),
        (f"{HEADER},lat\n1,A,Xã,20,5\n", "extra_fields", 2),
        (f"{HEADER},area_km2\n1,A,Xã,0\n", "bad_number", 2),
        (f"{HEADER},lon\n1,A,Xã,١٠٦\n", "bad_number", 2),
        (f"{HEADER},area_code,area_name\n1,A,Xã,C1,\n", "bad_name", 2),
        (f"{HEADER},area_code,area_name\n1,A,Xã,,Cụm\n", "missing_code", 2),
        (f"{HEADER},area_code,area_name\n1,A,Xã,1,Cụm\n", "duplicate_code", 2),
        (
            "district_code,district_name,district_type,commune_code,commune_name,commune_type,"
            "area_code,area_name\n9,B,Huyện,1,A,Xã,C,Cụm\n",
            "two_middle_levels",
            1,
        ),
    ],
)
async def test_a_bad_commune_file_loads_nothing(
    tmp_path: Path, text: str, code: str, line: int
) -> None:
    path = write(tmp_path, text)
    async with Database(tmp_path / "bad.sqlite3") as db:
        with pytest.raises(HierarchyError) as caught:
            await hierarchy.load_units_csv(db, path, province_code="01", province_name="X")
        assert (caught.value.code, caught.value.line) == (code, line)
        assert await unit_store.root(db) is None


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in (
        "TELEGRAM_BOT_TOKEN",
        "KHUYENHOC_DEFAULT_LANGUAGE",
        "KHUYENHOC_UNITS_CSV",
        "KHUYENHOC_PROVINCE_CODE",
        "KHUYENHOC_PROVINCE_NAME",
        "KHUYENHOC_UNITS_VALID_FROM",
    ):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "cli.sqlite3"
    monkeypatch.setenv("KHUYENHOC_DATABASE", str(path))
    return path


@pytest.mark.parametrize(
    ("content", "shown"),
    [
        (f"{HEADER}\n1,A,Xã\n2,B,Làng\n".encode(), "dòng 3: loại đơn vị cấp xã không rõ: Làng"),
        (f"{HEADER},lat\n1,A,Xã,abc\n".encode(), "dòng 2: không phải số thập phân"),
        (f"{HEADER}\n1,A,Xã\n1,B,Xã\n".encode(), "dòng 3: mã này có hai lần trong tệp: 1"),
        (f"{HEADER},area_code,area_name\n1,A,Xã,C1,\n".encode(), "dòng 2: tên đơn vị dài từ 1"),
        (b"commune_code,commune_name,commune_type\n1,\xff\xfe,X\n", "không phải tệp CSV"),
    ],
)
def test_units_load_of_a_bad_commune_file_is_one_line(
    cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, shown: str
) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes(content)
    assert main(["units", "load", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("Chưa nạp gì cả: "), err
    assert shown in err, err


def test_loading_todays_map_over_the_old_one_in_force_is_one_line(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["units", "load", str(THAI_BINH_2024.path)]) == 0
    capsys.readouterr()
    assert main(["units", "load", str(HUNG_YEN_2025.path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "thuộc một đơn vị khác đang có hiệu lực" in err, err


# ---------------------------------------------------------------- configuration and commands


def test_a_new_database_gets_todays_map_by_default(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings()
    assert (settings.units_csv, settings.province_code, settings.province_name) == (
        NEW_MAP_CSV,
        "33",
        "Hưng Yên",
    )
    assert settings.units_valid_from == NEW_MAP_DAY
    old = Settings(units_csv=Path("data") / "nowhere.csv")
    assert (old.province_code, old.units_valid_from) == ("33", None)
    assert main(["migrate"]) == 0
    assert "phiên bản" in capsys.readouterr().out

    async def read() -> None:
        async with Database(cli_env) as db:
            province = await unit_store.root(db)
            assert province is not None and (province.code, province.valid_from) == (
                "33",
                NEW_MAP_DAY,
            )
            counts = await unit_store.count_by_level(db)
            assert counts == {Level.PROVINCE: 1, Level.COMMUNE: 104}

    asyncio.run(read())


def test_the_thai_binh_file_alone_brings_its_province(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KHUYENHOC_UNITS_CSV", str(THAI_BINH_2024.path))
    for name in (
        "KHUYENHOC_PROVINCE_CODE",
        "KHUYENHOC_PROVINCE_NAME",
        "KHUYENHOC_UNITS_VALID_FROM",
    ):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert (settings.province_code, settings.province_name, settings.units_valid_from) == (
        "34",
        "Thái Bình",
        None,
    )
    monkeypatch.setenv("KHUYENHOC_UNITS_VALID_FROM", "2023-01-01")
    assert Settings().units_valid_from == date(2023, 1, 1)


def test_units_load_either_map_with_its_province_and_date(
    cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["units", "load", str(HUNG_YEN_2025.path)]) == 0
    out = capsys.readouterr().out
    assert "Đã nạp 104 xã, phường trực thuộc Hưng Yên (105 đơn vị mới)." in out, out
    assert "tên cũ" in out
    other = tmp_path / "other.sqlite3"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KHUYENHOC_DATABASE", str(other))
        args = ["units", "load", str(THAI_BINH_2024.path), "--effective", "2023-01-01"]
        assert main(args) == 0
        out = capsys.readouterr().out
        assert "Đã nạp 8 huyện và 260 xã (269 đơn vị mới)." in out, out
        with pytest.raises(SystemExit) as exited:
            main(["units", "load", str(THAI_BINH_2024.path), "--effective", "1/1/2023"])
        assert exited.value.code == 2
        assert "YYYY-MM-DD" in capsys.readouterr().err

    async def read() -> None:
        async with Database(other) as db:
            province = await unit_store.root(db)
            assert province is not None and province.code == "34"
            assert province.valid_from == date(2023, 1, 1)
            assert await unit_store.by_code(db, "33") is None  # only the file given
        async with Database(cli_env) as db:
            commune = await unit_store.by_code(db, "12688")
            assert commune is not None and commune.valid_from == NEW_MAP_DAY

    asyncio.run(read())


def test_a_new_province_needs_its_name(
    cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, f"{HEADER}\n1,A,Xã\n")
    assert main(["units", "load", str(path), "--province-code", "01"]) == 2
    assert "--province-name" in capsys.readouterr().err
    assert (
        main(["units", "load", str(path), "--province-code", "01", "--province-name", "Hà Nội"])
        == 0
    )
    assert "trực thuộc Hà Nội" in capsys.readouterr().out


# ---------------------------------------------------------------- the migration


async def test_migration_keeps_every_unit_and_reference(tmp_path: Path) -> None:
    """A database of before units had a life: same ids, paths and references after; codes may
    now repeat once a unit has ended, names among siblings in force still may not."""
    path = tmp_path / "old.sqlite3"
    database = await Database(path).open(migrate=False)
    try:
        await database.migrate(target=10)
        async with database.transaction() as tx:
            await tx.execute(
                "INSERT INTO unit (id, parent_id, level, code, name, name_folded, kind, path) "
                "VALUES (1, NULL, 'province', '34', 'Thái Bình', 'thai binh', 'province', '/1/'),"
                " (2, 1, 'commune', '12583', 'Đồng Tiến', 'dong tien', 'commune', '/1/2/'),"
                " (3, 2, 'branch', '12583-001', 'Thôn 1', 'thon 1', 'village', '/1/2/3/')"
            )
            await tx.execute("INSERT INTO app_user (telegram_id) VALUES (7)")
            await tx.execute(
                "INSERT INTO role_grant (telegram_id, role, unit_id) VALUES (7, 'volunteer', 3)"
            )
        assert (await database.migrate())[:1] == [11]
        rows = await database.fetchall("SELECT id, path, valid_from, valid_to FROM unit")
        assert [tuple(row) for row in rows] == [
            (1, "/1/", None, None),
            (2, "/1/2/", None, None),
            (3, "/1/2/3/", None, None),
        ]
        assert await database.fetchall("PRAGMA foreign_key_check") == []
        grant = await database.fetchone("SELECT unit_id FROM role_grant")
        assert grant is not None and grant[0] == 3
        province = await unit_store.get(database, 1)
        old = await unit_store.get(database, 2)
        assert province is not None and old is not None
        async with database.transaction() as tx:
            with pytest.raises(sqlite3.IntegrityError):  # both in force
                await unit_store.insert(
                    tx,
                    parent=province,
                    level=Level.COMMUNE,
                    code="12583",
                    name="Tân Tiến",
                    kind=UnitKind.COMMUNE,
                )
        async with database.transaction() as tx:
            await unit_store.end(tx, old, NEW_MAP_DAY)
            new = await unit_store.insert(
                tx,
                parent=province,
                level=Level.COMMUNE,
                code="12583",
                name="Đồng Tiến",
                kind=UnitKind.COMMUNE,
                valid_from=NEW_MAP_DAY,
            )
            await unit_store.add_successor(tx, old, new)
        assert await unit_store.by_code(database, "12583") == new
        async with database.transaction() as tx:
            with pytest.raises(sqlite3.IntegrityError):
                await unit_store.add_successor(tx, new, new)
    finally:
        await database.close()


@pytest.mark.parametrize(
    ("query", "name", "kind"),
    [
        ("xã Đông Hưng", "Đông Hưng", UnitKind.COMMUNE),
        ("thi tran  dong hung", "dong hung", UnitKind.TOWNSHIP),
        ("Thị xã Hưng Yên", "Hưng Yên", UnitKind.TOWN),
        ("huyen Vu Thu", "Vu Thu", UnitKind.RURAL_DISTRICT),
        ("Phường Thái Bình", "Thái Bình", UnitKind.WARD),
        ("tỉnh Hưng Yên", "Hưng Yên", UnitKind.PROVINCE),
        ("Quang Hưng", "Quang Hưng", None),  # "quan" is a word, not a prefix
        ("xã", "xã", None),  # nothing after it: the word is the name asked for
        ("Xuân Trúc", "Xuân Trúc", None),
    ],
)
def test_a_search_may_start_with_what_the_unit_is(
    query: str, name: str, kind: UnitKind | None
) -> None:
    assert hierarchy.split_kind_word(query) == (name, kind)
