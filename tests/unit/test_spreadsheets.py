"""Workbooks: what openpyxl reads back is what a chair sees in Excel or LibreOffice."""

from __future__ import annotations

import io
import math
import unicodedata
import zipfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.spreadsheets import (
    MAX_COLUMN_WIDTH,
    NUMBER_FORMATS,
    CellValue,
    Column,
    ColumnKind,
    Sheet,
    Workbook,
    workbook_bytes,
)

DISTRICTS = [
    "Thành phố Thái Bình",
    "Quỳnh Phụ",
    "Hưng Hà",
    "Đông Hưng",
    "Thái Thụy",
    "Tiền Hải",
    "Kiến Xương",
    "Vũ Thư",
]
MEMBERS = [61234, 72010, 65400, 70233, 68001, 54321, 59876, 50112]
POPULATION = [206000, 246000, 243000, 231000, 241000, 214000, 207000, 190000]
SUMMARY_COLUMNS = [
    Column("Đơn vị"),
    Column("Số hội viên", ColumnKind.INTEGER),
    Column("Tỷ lệ hội viên\ntrên dân số", ColumnKind.PERCENT),
    Column("Quỹ khuyến học (đồng)", ColumnKind.MONEY),
    Column("Ngày báo cáo", ColumnKind.DATE),
]


def summary_sheet() -> Sheet:
    rows: list[list[CellValue]] = [
        [name, members, members / people, members * 25_000, date(2025, 1, 10 + index)]
        for index, (name, members, people) in enumerate(
            zip(DISTRICTS, MEMBERS, POPULATION, strict=True)
        )
    ]
    return Sheet(
        name="Tổng hợp",
        title="BÁO CÁO TỔNG HỢP CÔNG TÁC KHUYẾN HỌC NĂM 2024",
        subtitle="Phạm vi: tỉnh Thái Bình · Kỳ báo cáo: 01/01/2024 – 31/12/2024",
        columns=SUMMARY_COLUMNS,
        rows=rows,
        totals=[
            "Toàn tỉnh",
            sum(MEMBERS),
            sum(MEMBERS) / sum(POPULATION),
            sum(MEMBERS) * 25_000,
            None,
        ],
    )


def report_book() -> Workbook:
    members = Sheet(
        name="Hội viên",
        columns=[Column("Họ và tên"), Column("Chi hội"), Column("Ngày vào hội", ColumnKind.DATE)],
        rows=[
            ["Nguyễn Thị Hồng Nhung", "Chi hội thôn Đông, xã Thụy Trường", date(2023, 3, 8)],
            ["Trần Văn Đức", "Chi hội dòng họ Trần", datetime(2024, 9, 5, 14, 30)],
            ["Phạm Ngọc Ánh", None, None],
        ],
    )
    titles = Sheet(
        name="Danh hiệu",
        columns=[Column("Danh hiệu"), Column("Số lượng", ColumnKind.INTEGER)],
        rows=[["Gia đình học tập", 120345], ["Dòng họ học tập", 2345]],
    )
    funds = Sheet(
        name="Quỹ",
        title="Quỹ khuyến học",
        columns=[Column("Nguồn"), Column("Số tiền", ColumnKind.MONEY)],
        rows=[["Hội viên đóng góp", 1_500_000_000], ["Doanh nghiệp ủng hộ", 2_250_000_000]],
        totals=["Cộng", 3_750_000_000],
    )
    return Workbook(
        sheets=[summary_sheet(), members, titles, funds],
        title="Báo cáo khuyến học 2024",
        creator="Hội Khuyến học tỉnh Thái Bình",
    )


def reopen(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def row_values(ws: Worksheet, row: int) -> list[object]:
    return [cell.value for cell in ws[row]]


@pytest.fixture(scope="module")
def report() -> bytes:
    return workbook_bytes(report_book())


def test_sheets_headers_and_values_round_trip(report: bytes) -> None:
    book = reopen(report)
    assert book.sheetnames == ["Tổng hợp", "Hội viên", "Danh hiệu", "Quỹ"]
    ws = book["Tổng hợp"]
    assert row_values(ws, 4) == [column.header for column in SUMMARY_COLUMNS]
    first = row_values(ws, 5)
    assert first[:2] == ["Thành phố Thái Bình", 61234]
    assert first[2] == pytest.approx(61234 / 206000)
    assert first[3:] == [61234 * 25_000, datetime(2025, 1, 10)]
    assert row_values(ws, 12)[0] == "Vũ Thư"
    assert ws.max_row == 13

    members = book["Hội viên"]
    assert row_values(members, 1) == ["Họ và tên", "Chi hội", "Ngày vào hội"]
    assert row_values(members, 3)[2] == datetime(2024, 9, 5)  # date column: time dropped
    assert row_values(members, 4) == ["Phạm Ngọc Ánh", None, None]


def test_number_formats_follow_column_kinds(report: bytes) -> None:
    ws = reopen(report)["Tổng hợp"]
    formats = [cell.number_format for cell in ws[5]]
    assert formats == ["General", "#,##0", "0.0%", '#,##0 "₫"', "dd/mm/yyyy"]
    assert [cell.number_format for cell in ws[13]][:4] == formats[:4]  # totals too
    assert NUMBER_FORMATS[ColumnKind.MONEY] == '#,##0 "₫"'


def test_title_subtitle_merged_and_header_frozen(report: bytes) -> None:
    book = reopen(report)
    ws = book["Tổng hợp"]
    assert {str(merged) for merged in ws.merged_cells.ranges} == {"A1:E1", "A2:E2"}
    assert ws["A1"].value == "BÁO CÁO TỔNG HỢP CÔNG TÁC KHUYẾN HỌC NĂM 2024"
    assert ws["A1"].font.b and ws["A1"].font.sz == 14
    assert ws["A2"].value.startswith("Phạm vi: tỉnh Thái Bình")
    assert ws["A3"].value is None
    assert ws.freeze_panes == "A5"
    header = ws["B4"]
    assert header.font.b and header.alignment.wrap_text
    assert header.fill.fgColor.rgb.endswith("DDEBF7")
    assert header.border.bottom.style == "thin"
    assert ws.auto_filter.ref == "A4:E12"  # the totals row stays out of sorting

    assert book["Hội viên"].freeze_panes == "A2"  # no title: headers on row 1
    assert not book["Hội viên"].merged_cells.ranges
    funds = book["Quỹ"]
    assert funds.freeze_panes == "A4"
    assert {str(merged) for merged in funds.merged_cells.ranges} == {"A1:B1"}


def test_totals_row_is_bold(report: bytes) -> None:
    ws = reopen(report)["Tổng hợp"]
    totals = ws[13]
    assert [cell.value for cell in totals][:2] == ["Toàn tỉnh", sum(MEMBERS)]
    assert all(cell.font.b for cell in totals)
    assert not ws["A12"].font.b
    funds = reopen(report)["Quỹ"]
    assert row_values(funds, 6) == ["Cộng", 3_750_000_000]
    assert funds["B6"].font.b


def test_column_widths_fit_headers_and_content(report: bytes) -> None:
    header_rows = {"Tổng hợp": 4, "Hội viên": 1, "Danh hiệu": 1, "Quỹ": 3}
    for ws in reopen(report):
        assert ws.freeze_panes == f"A{header_rows[ws.title] + 1}"
        for index, cell in enumerate(ws[header_rows[ws.title]], start=1):
            width = ws.column_dimensions[get_column_letter(index)].width
            longest_line = max(len(line) for line in str(cell.value).split("\n"))
            assert width >= longest_line, (ws.title, cell.value, width)
            assert width <= MAX_COLUMN_WIDTH
    summary = reopen(report)["Tổng hợp"]
    assert summary.column_dimensions["A"].width >= len("Thành phố Thái Bình")
    assert summary.column_dimensions["D"].width >= len("12.529.675.000 ₫")


def test_decomposed_vietnamese_counts_as_composed() -> None:
    def width_of(name: str) -> float:
        sheet = Sheet(name="S", columns=[Column("Tên")], rows=[[name]])
        ws = reopen(workbook_bytes(Workbook(sheets=[sheet])))["S"]
        return float(ws.column_dimensions["A"].width)

    composed = "Nguyễn Thị Hồng Nhung Trường Thịnh"
    decomposed = unicodedata.normalize("NFD", composed)
    assert len(decomposed) > len(composed)
    assert width_of(decomposed) == width_of(composed)


def test_long_text_is_capped_and_wrapped() -> None:
    note = "Ghi chú rất dài về hoạt động khuyến học của chi hội " * 5
    sheet = Sheet(name="Ghi chú", columns=[Column("Ghi chú")], rows=[[note]])
    ws = reopen(workbook_bytes(Workbook(sheets=[sheet])))["Ghi chú"]
    assert ws.column_dimensions["A"].width == MAX_COLUMN_WIDTH
    assert ws["A2"].alignment.wrap_text


def test_text_is_never_a_formula_and_control_characters_are_dropped() -> None:
    sheet = Sheet(
        name="Chi hội",
        columns=[Column("Tên")],
        rows=[['=HYPERLINK("http://x")'], ["Chi hội\x0b thôn Đông"]],
    )
    ws = reopen(workbook_bytes(Workbook(sheets=[sheet])))["Chi hội"]
    assert ws["A2"].value == '=HYPERLINK("http://x")'
    assert ws["A2"].data_type == "s"
    assert ws["A3"].value == "Chi hội thôn Đông"


def test_output_is_deterministic_without_volatile_timestamps(report: bytes) -> None:
    assert workbook_bytes(report_book()) == report
    with zipfile.ZipFile(io.BytesIO(report)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "dcterms:created" not in core and "dcterms:modified" not in core
    properties = reopen(report).properties
    assert properties.title == "Báo cáo khuyến học 2024"
    assert properties.creator == "Hội Khuyến học tỉnh Thái Bình"


def test_created_is_written_in_utc() -> None:
    hanoi = timezone(timedelta(hours=7))
    book = Workbook(
        sheets=[Sheet(name="S", columns=[Column("A")], rows=[])],
        created=datetime(2025, 1, 15, 15, 0, tzinfo=hanoi),
    )
    properties = reopen(workbook_bytes(book)).properties
    assert properties.created == datetime(2025, 1, 15, 8, 0)
    assert properties.modified == datetime(2025, 1, 15, 8, 0)


@pytest.mark.parametrize(
    "name", ["", "Báo cáo tổng hợp công tác khuyến học", "Quỹ/2024", "Hội viên?", "'Quỹ'"]
)
def test_invalid_sheet_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="sheet name"):
        Sheet(name=name, columns=[Column("A")], rows=[])


def test_duplicate_sheet_names_are_refused() -> None:
    sheets = [Sheet(name=name, columns=[Column("A")], rows=[]) for name in ("Quỹ", "QUỸ")]
    with pytest.raises(ValueError, match="unique"):
        Workbook(sheets=sheets)


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (ColumnKind.INTEGER, "12"),
        (ColumnKind.INTEGER, True),
        (ColumnKind.INTEGER, 1.5),
        (ColumnKind.MONEY, math.inf),
        (ColumnKind.PERCENT, math.nan),
        (ColumnKind.DATE, "01/01/2025"),
        (ColumnKind.TEXT, 12),
    ],
)
def test_values_of_the_wrong_kind_are_refused(kind: ColumnKind, value: CellValue) -> None:
    with pytest.raises(TypeError, match="column 'X'"):
        Sheet(name="S", columns=[Column("X", kind)], rows=[[value]])


def test_rows_of_the_wrong_length_are_refused() -> None:
    with pytest.raises(ValueError, match="row 1: 1 values for 2 columns"):
        Sheet(name="S", columns=[Column("A"), Column("B")], rows=[["x"]])
    with pytest.raises(ValueError, match="totals"):
        Sheet(name="S", columns=[Column("A"), Column("B")], rows=[], totals=["x"])


def test_realistic_example_is_written(tmp_path: Path, report: bytes) -> None:
    path = tmp_path / "bao_cao_khuyen_hoc_2024.xlsx"
    path.write_bytes(report)
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames == ["Tổng hợp", "Hội viên", "Danh hiệu", "Quỹ"]
    book.close()
