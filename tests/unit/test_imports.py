"""Importing figures and baselines from CSV and XLSX: formats and headers, cells, row-numbered
errors with nothing imported, baselines rolled up into the counters and checked by recompute."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from bot.services import counters, figures, imports
from bot.services.counters import Mismatch
from bot.services.figures import Figure, target
from bot.services.imports import (
    ImportErrorCode,
    ImportRejected,
    ImportResult,
    RowError,
    import_baseline,
    import_figures,
    parse_count,
    parse_rate,
)
from bot.storage.db import Database
from bot.storage.records import NominationKind, NominationStatus
from tests.unit.reporting_helpers import ADMIN, NOW, World, clean, make_world

E = ImportErrorCode
MEMBERS = counters.baseline(counters.MEMBERS_TOTAL)
FAMILY = counters.title(NominationKind.FAMILY, NominationStatus.RECOGNISED)


@pytest.fixture
async def world(db: Database) -> World:
    return await make_world(db)


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def xlsx_bytes(rows: list[list[Any]], percent_cells: tuple[tuple[int, int], ...] = ()) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for row_number, column in percent_cells:
        sheet.cell(row=row_number, column=column).number_format = "0.0%"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def done(result: ImportResult | ImportRejected) -> ImportResult:
    assert isinstance(result, ImportResult), result
    return result


def rejected(result: ImportResult | ImportRejected) -> list[tuple[Any, ...]]:
    assert isinstance(result, ImportRejected), result
    return [(e.row, e.code, e.column, e.value, e.detail) for e in result.errors]


async def nothing_imported(db: Database) -> None:
    for table in ("unit_figure", "baseline", "stat_counter", "audit_log"):
        row = await db.fetchone(
            f"SELECT count(*) FROM {table}"
            + (" WHERE entity IN ('unit_figure', 'baseline')" if table == "audit_log" else "")
        )
        assert row is not None and row[0] == 0, table


# --- Cells ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (1204201, 1204201),
        (1204201.0, 1204201),
        ("1204201", 1204201),
        (" 1.204.201 ", 1204201),
        ("1,204,201", 1204201),
        ("1 204 201", 1204201),
        ("1.500", 1500),
        ("0", 0),
        ("1.5", E.NOT_AN_INTEGER),
        ("12,25", E.NOT_AN_INTEGER),
        (2.5, E.NOT_AN_INTEGER),
        ("1.204,201", E.NOT_A_NUMBER),
        ("1.20.000", E.NOT_A_NUMBER),
        ("-5", E.NEGATIVE),
        (-5, E.NEGATIVE),
        ("-2.5", E.NEGATIVE),
        ("năm trăm", E.NOT_A_NUMBER),
        ("٣", E.NOT_A_NUMBER),
        (True, E.NOT_A_NUMBER),
        (10**14, E.TOO_LARGE),
    ],
)
def test_parse_count(cell: Any, expected: int | ImportErrorCode) -> None:
    assert parse_count(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("26,8", 268),
        ("26.8", 268),
        ("26.8%", 268),
        ("26.80", 268),
        ("80", 800),
        (80, 800),
        (26.8, 268),
        ("100", 1000),
        ("26.85", E.TOO_PRECISE),
        (26.85, E.TOO_PRECISE),
        ("100.1", E.TOO_LARGE),
        ("-1", E.NEGATIVE),
        ("cao", E.NOT_A_NUMBER),
    ],
)
def test_parse_rate(cell: Any, expected: int | ImportErrorCode) -> None:
    assert parse_rate(cell) == expected


def test_header_keys() -> None:
    assert imports.header_key("Mã đơn vị") == "ma_don_vi"
    assert imports.header_key(" Thôn, tổ dân phố ") == "thon_to_dan_pho"
    assert imports.header_key("target:citizen") == "target_citizen"


# --- Figures ----------------------------------------------------------------------------------


async def test_figures_csv_with_vietnamese_headers(db: Database, world: World) -> None:
    commune, other = world.commune.code, world.other_commune.code
    data = csv_bytes(
        "Mã đơn vị;Tên đơn vị;Năm;Dân số;Hộ gia đình;Chỉ tiêu gia đình học tập",
        f"{commune};Xã A;2024;10.400;2.500;80",
        "",
        f"{other};Xã B;2025;5000;;82,5",
        f"{world.district.code};Huyện;2025;;;",
    )
    result = done(await import_figures(db, data, "so lieu.CSV", actor_id=ADMIN, now=NOW))
    assert result == ImportResult(rows=2, units=2, values=5, skipped=1)
    one = await figures.resolve(db, world.commune, 2026)
    assert one[Figure.POPULATION] == 10_400 and one[Figure.HOUSEHOLDS] == 2_500
    assert one[target(NominationKind.FAMILY)] == 800
    two = await figures.resolve(db, world.other_commune, 2026)
    assert two[Figure.HOUSEHOLDS] is None and two[target(NominationKind.FAMILY)] == 825
    assert (await figures.resolve(db, world.district, 2026))[Figure.POPULATION] == 15_400

    # An empty cell keeps what is stored; a filled one replaces it.
    again = csv_bytes("unit_code,year,population,households", f"{commune},2024,,2600")
    done(await import_figures(db, again, "f.csv", actor_id=ADMIN, now=NOW))
    one = await figures.resolve(db, world.commune, 2026)
    assert one[Figure.POPULATION] == 10_400 and one[Figure.HOUSEHOLDS] == 2_600
    audit = await db.fetchall(
        "SELECT actor_id, action, entity_id FROM audit_log WHERE entity = 'unit_figure' ORDER BY id"
    )
    assert [tuple(r) for r in audit] == [
        (ADMIN, "import", f"{world.commune.id}:2024"),
        (ADMIN, "import", f"{world.other_commune.id}:2025"),
        (ADMIN, "import", f"{world.commune.id}:2024"),
    ]


async def test_figures_xlsx_numbers_and_percent_cells(
    db: Database, world: World, tmp_path: Path
) -> None:
    rows: list[list[Any]] = [
        ["unit_code", "year", "population", "target_members_share", "Ban khuyến học"],
        [int(world.commune.code), 2025, 10400.0, 0.35, 12],
        [world.other_commune.code, "2025", "5.000", 40, None],
    ]
    path = tmp_path / "figures.xlsx"
    path.write_bytes(xlsx_bytes(rows, percent_cells=((2, 4),)))
    result = done(await import_figures(db, path, path.name, actor_id=ADMIN, now=NOW))
    assert (result.rows, result.units, result.values) == (2, 2, 5)
    one = await figures.resolve(db, world.commune, 2025)
    assert one[Figure.POPULATION] == 10_400 and one[Figure.COMMITTEES] == 12
    assert one[target("members_share")] == 350
    two = await figures.resolve(db, world.other_commune, 2025)
    assert two[target("members_share")] == 400


async def test_figure_rows_in_error_import_nothing_csv(db: Database, world: World) -> None:
    commune = world.commune.code
    data = csv_bytes(
        "unit_code,year,population,households,target_family",
        f"{commune},2025,1000,200,80",  # fine
        "99999,2025,1000,,",  # unknown unit
        f"{world.b1.code},2025,10,,",  # a branch
        f"{commune},1900,1000,,",  # year out of range
        f"{commune},2027,1000,,",  # future year
        f"{commune},năm,1000,,",
        f"{world.other_commune.code},2025,-3,12.5,101",
        f"{commune},2025,1001,,",  # duplicate of row 2
        ",2025,1,,",
        "",
        f"{world.district.code},2024,1.5,abc,26.85",
    )
    errors = rejected(await import_figures(db, data, "f.csv", actor_id=ADMIN, now=NOW))
    assert errors == [
        (3, E.UNKNOWN_UNIT, "unit_code", "99999", ""),
        (4, E.WRONG_LEVEL, "unit_code", world.b1.code, ""),
        (5, E.YEAR_OUT_OF_RANGE, "year", "1900", ""),
        (6, E.YEAR_OUT_OF_RANGE, "year", "2027", ""),
        (7, E.NOT_A_YEAR, "year", "năm", ""),
        (8, E.NOT_AN_INTEGER, "households", "12.5", ""),
        (8, E.NEGATIVE, "population", "-3", ""),
        (8, E.TOO_LARGE, "target_family", "101", ""),
        (9, E.DUPLICATE_ROW, "unit_code", commune, "2"),
        (10, E.REQUIRED, "unit_code", "", ""),
        (12, E.NOT_A_NUMBER, "households", "abc", ""),
        (12, E.NOT_AN_INTEGER, "population", "1.5", ""),
        (12, E.TOO_PRECISE, "target_family", "26.85", ""),
    ]
    await nothing_imported(db)


async def test_header_errors(db: Database, world: World) -> None:
    code = world.commune.code
    errors = rejected(
        await import_figures(
            db,
            csv_bytes("year,population,dân số,rainfall", f"{code},2025,1,1,1"),
            "f.csv",
            actor_id=ADMIN,
            now=NOW,
        )
    )
    assert errors == [
        (1, E.DUPLICATE_COLUMN, "population", "dân số", ""),
        (1, E.UNKNOWN_COLUMN, "rainfall", "rainfall", ""),
        (1, E.MISSING_COLUMN, "unit_code", "", ""),
    ]
    # A baseline column in a figures file is unknown there.
    errors = rejected(
        await import_figures(
            db,
            csv_bytes("unit_code,year,members_total", f"{code},2025,1"),
            "f.csv",
            actor_id=ADMIN,
            now=NOW,
        )
    )
    assert errors == [(1, E.UNKNOWN_COLUMN, "members_total", "members_total", "")]
    await nothing_imported(db)


async def test_files_that_cannot_be_read(db: Database, world: World) -> None:
    async def file_error(data: bytes, name: str) -> list[tuple[Any, ...]]:
        return rejected(await import_baseline(db, data, name, actor_id=ADMIN, now=NOW))

    assert await file_error(b"x", "figures.ods") == [
        (None, E.UNSUPPORTED_FORMAT, None, "figures.ods", "")
    ]
    assert await file_error(b"not a zip", "b.xlsx") == [(None, E.UNREADABLE, None, "b.xlsx", "")]
    assert await file_error(b"", "b.csv") == [(None, E.NO_DATA, None, "", "")]
    assert await file_error(b"unit_code,year\n\n", "b.csv") == [(None, E.NO_DATA, None, "", "")]
    big = b"0" * (imports.MAX_FILE_BYTES + 1)
    assert (await file_error(big, "b.csv"))[0][1] is E.TOO_BIG
    await nothing_imported(db)


async def test_windows_1258_csv(db: Database, world: World) -> None:
    text = f"Mã đơn vị,Năm,Dân số\n{world.commune.code},2025,1000\n"
    data = windows_1258(text)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    done(await import_figures(db, data, "f.csv", actor_id=ADMIN, now=NOW))
    assert (await figures.resolve(db, world.commune, 2025))[Figure.POPULATION] == 1000


async def test_within_scope(db: Database, world: World) -> None:
    data = csv_bytes(
        "unit_code,year,population",
        f"{world.commune.code},2025,1000",
        f"{world.foreign_commune.code},2025,1000",
    )
    errors = rejected(
        await import_figures(db, data, "f.csv", actor_id=ADMIN, now=NOW, within=world.district)
    )
    assert errors == [(3, E.OUT_OF_SCOPE, "unit_code", world.foreign_commune.code, "")]
    await nothing_imported(db)


# --- Baselines --------------------------------------------------------------------------------


async def test_baseline_rolled_up_and_reimport_is_harmless(db: Database, world: World) -> None:
    data = csv_bytes(
        "unit_code,year,members_total,title_family,fund_raised,fund_awarded",
        f"{world.commune.code},2025,3000,1500,100000000,40000000",
        f"{world.other_commune.code},2025,1000,600,,",
        f"{world.foreign_commune.code},2024,0,,,",
    )
    result = done(await import_baseline(db, data, "b.csv", actor_id=ADMIN, now=NOW))
    assert result == ImportResult(rows=3, units=3, values=7, skipped=0)

    async def at(unit: Any, year: int) -> dict[str, int]:
        return await counters.values(db, unit.id, year)

    units = counters.baseline_units(counters.MEMBERS_TOTAL)
    commune_2025 = {
        MEMBERS: 3000,
        units: 1,
        counters.baseline(FAMILY): 1500,
        counters.baseline(counters.FUND_RAISED): 100_000_000,
        counters.baseline(counters.FUND_AWARDED): 40_000_000,
    }
    assert await at(world.commune, 2025) == commune_2025
    district_2025 = {**commune_2025, MEMBERS: 4000, units: 2, counters.baseline(FAMILY): 2100}
    assert await at(world.district, 2025) == district_2025
    assert await at(world.province, 2025) == district_2025
    assert await at(world.province, 2024) == {units: 1}  # a known zero still counts as a row
    assert await at(world.b1, 2025) == {}
    await clean(db)

    done(await import_baseline(db, data, "b.csv", actor_id=ADMIN, now=NOW))
    assert await at(world.province, 2025) == district_2025
    changed = csv_bytes("unit_code,year,members_total", f"{world.commune.code},2025,3100")
    done(await import_baseline(db, changed, "b.csv", actor_id=ADMIN, now=NOW))
    assert (await at(world.province, 2025))[MEMBERS] == 4100
    assert (await at(world.province, 2025))[units] == 2
    await clean(db)


async def test_baseline_xlsx_errors_import_nothing(db: Database, world: World) -> None:
    rows: list[list[Any]] = [
        ["Mã đơn vị", "Năm", "Hội viên", "Gia đình học tập", "Quỹ huy động"],
        [world.commune.code, 2025, 3000, 1500, 1_000_000],
        [world.b1.code, 2025, 12.5, None, None],
        [None, None, None, None, None],
        ["12345678", 2025, 1, None, None],
        [world.commune.code, 2025.0, 1, None, None],
        [world.other_commune.code, 2025, "-1", None, "1tr"],
    ]
    data = xlsx_bytes(rows)
    errors = rejected(await import_baseline(db, data, "B.XLSX", actor_id=ADMIN, now=NOW))
    assert errors == [
        (3, E.NOT_AN_INTEGER, "members_total", "12.5", ""),
        (5, E.UNKNOWN_UNIT, "unit_code", "12345678", ""),
        (6, E.DUPLICATE_ROW, "unit_code", world.commune.code, "2"),
        (7, E.NOT_A_NUMBER, "fund_raised", "1tr", ""),
        (7, E.NEGATIVE, "members_total", "-1", ""),
    ]
    await nothing_imported(db)


async def test_baselines_may_not_overlap(db: Database, world: World) -> None:
    done(
        await import_baseline(
            db,
            csv_bytes("unit_code,year,members_total", f"{world.district.code},2025,5000"),
            "b.csv",
            actor_id=ADMIN,
            now=NOW,
        )
    )
    data = csv_bytes(
        "unit_code,year,members_total,title_family",
        f"{world.commune.code},2025,3000,100",  # under the district's 2025 members
        f"{world.commune.code},2024,3000,",  # another year: fine
        f"{world.b1.code},2024,,10",  # under the commune's title of row 5
        f"{world.commune.code},2023,,50",
        f"{world.b1.code},2023,,10",
        f"{world.foreign_commune.code},2025,1,1",  # another district: fine
    )
    errors = rejected(await import_baseline(db, data, "b.csv", actor_id=ADMIN, now=NOW))
    assert errors == [
        (2, E.OVERLAPS, "members_total", "3000", world.district.code),
        (5, E.OVERLAPS, "title_family", "50", world.b1.code),
        (6, E.OVERLAPS, "title_family", "10", world.commune.code),
    ]
    assert tuple(await db.fetchone("SELECT count(*) FROM baseline") or ()) == (1,)
    # The same unit again is a replacement, not an overlap.
    done(
        await import_baseline(
            db,
            csv_bytes("unit_code,year,members_total", f"{world.district.code},2025,5100"),
            "b.csv",
            actor_id=ADMIN,
            now=NOW,
        )
    )
    # Cleared from the district, the communes' rows fit.
    assert await imports.clear_baselines(db, world.district, 2025, actor_id=ADMIN) == 1
    assert await imports.clear_baselines(db, world.district, 2025, actor_id=ADMIN) == 0
    assert await counters.values(db, world.province.id, 2025) == {}
    await clean(db)
    data = csv_bytes("unit_code,year,members_total", f"{world.commune.code},2025,3000")
    done(await import_baseline(db, data, "b.csv", actor_id=ADMIN, now=NOW))
    assert (await counters.values(db, world.province.id, 2025))[MEMBERS] == 3000
    await clean(db)
    with pytest.raises(ValueError):
        await imports.clear_baselines(
            db, world.commune, 2025, actor_id=ADMIN, indicators=["members_new"]
        )


async def test_recompute_checks_baselines(db: Database, world: World) -> None:
    data = csv_bytes("unit_code,year,members_total", f"{world.commune.code},2025,3000")
    done(await import_baseline(db, data, "b.csv", actor_id=ADMIN, now=NOW))
    await db.execute(
        "UPDATE stat_counter SET value = 2999 WHERE unit_id = ? AND indicator = ?",
        (world.district.id, MEMBERS),
    )
    await db.execute("UPDATE baseline SET value = 3001")
    expected = sorted(
        [
            Mismatch(world.province.id, 2025, MEMBERS, 3000, 3001),
            Mismatch(world.district.id, 2025, MEMBERS, 2999, 3001),
            Mismatch(world.commune.id, 2025, MEMBERS, 3000, 3001),
        ],
        key=lambda m: (m.unit_id, m.year, m.indicator),
    )
    assert await counters.recompute(db) == expected
    await counters.rebuild(db)
    await clean(db)


_TONES = "\u0300\u0301\u0303\u0309\u0323"


def windows_1258(text: str) -> bytes:
    """As Windows writes Vietnamese: letters like "ô", "ơ", "đ" whole, tone marks combining."""
    out = b""
    for char in text:
        decomposed = unicodedata.normalize("NFD", char)
        letter = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
        out += (letter + "".join(c for c in decomposed if c in _TONES)).encode("cp1258")
    return out


def test_error_is_plain_data() -> None:
    error = RowError(3, E.NEGATIVE, "population", "-1")
    assert (error.row, error.code.value, error.detail) == (3, "negative", "")
