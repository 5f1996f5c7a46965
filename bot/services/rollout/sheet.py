"""Reading the sheet: its rows (a CSV as the imports read one, a workbook's first sheet by its
values) and its header row, whose columns come in any order and are matched, Vietnamese or
English, as `imports.header_key` folds them. Nothing here knows the map: what the cells mean
is checked by `rows` and `checking`."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

from bot.services.imports import MAX_FILE_BYTES, Cell, RowError, Source, Table, _read, header_key
from bot.services.rollout.problems import Problem, RowProblem

COMMUNE: Final = "commune"
AREA: Final = "area"
BRANCH: Final = "branch"
KIND: Final = "kind"
ROLE: Final = "role"
FULL_NAME: Final = "full_name"
PHONE: Final = "phone"
NUMBER: Final = "number"
NOTE: Final = "note"
COLUMNS: Final = (NUMBER, COMMUNE, AREA, BRANCH, KIND, ROLE, FULL_NAME, PHONE, NOTE)
"""In the template's order; `NUMBER` and `NOTE` are for the office and ignored."""
REQUIRED_COLUMNS: Final = (FULL_NAME,)
"""Besides these, a sheet needs a commune column or an area column (without a role column,
every row is the head of its branch)."""

_ALIASES: Final[Mapping[str, str]] = {
    **{name: name for name in COLUMNS},
    # Vietnamese, as the template and people write them
    "stt": NUMBER,
    "so_thu_tu": NUMBER,
    "tt": NUMBER,
    "no": NUMBER,
    "xa": COMMUNE,
    "xa_phuong": COMMUNE,
    "xa_phuong_thi_tran": COMMUNE,
    "xa_phuong_ma_hoac_ten": COMMUNE,
    "ma_xa": COMMUNE,
    "ten_xa": COMMUNE,
    "don_vi_hanh_chinh": COMMUNE,
    "commune_code": COMMUNE,
    "commune_name": COMMUNE,
    "commune_code_or_name": COMMUNE,
    "commune_or_ward": COMMUNE,
    "commune_or_ward_code_or_name": COMMUNE,
    "cum": AREA,
    "cum_xa": AREA,
    "huyen": AREA,
    "cum_huyen": AREA,
    "cum_ma_hoac_ten": AREA,
    "huyen_ma_hoac_ten": AREA,
    "ma_cum": AREA,
    "ten_cum": AREA,
    "ma_huyen": AREA,
    "ten_huyen": AREA,
    "district": AREA,
    "area_code": AREA,
    "area_name": AREA,
    "area_code_or_name": AREA,
    "district_code_or_name": AREA,
    "chi_hoi": BRANCH,
    "ten_chi_hoi": BRANCH,
    "branch_name": BRANCH,
    "loai": KIND,
    "loai_chi_hoi": KIND,
    "branch_kind": KIND,
    "vai_tro": ROLE,
    "chuc_vu": ROLE,
    "chuc_danh": ROLE,
    "ho_va_ten": FULL_NAME,
    "ho_ten": FULL_NAME,
    "ten_nguoi": FULL_NAME,
    "name": FULL_NAME,
    "so_dien_thoai": PHONE,
    "dien_thoai": PHONE,
    "sdt": PHONE,
    "so_dt": PHONE,
    "dt": PHONE,
    "phone_number": PHONE,
    "ghi_chu": NOTE,
    "notes": NOTE,
}

EXAMPLE_MARKS: Final = frozenset({"vi du", "example", "mau"})
"""What the STT cell of the template's example row says (folded): that row is skipped."""


def cell_text(cell: Cell) -> str:
    """A cell as the office sees it: a whole number without ".0", blank for an empty cell."""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return "" if cell is None else str(cell).strip()


def cell_phone(cell: Cell) -> str:
    """A number cell's digits with the leading 0 Excel dropped (912345678 → 0912345678)."""
    text = cell_text(cell)
    if isinstance(cell, int | float) and not isinstance(cell, bool) and len(text) == 9:
        return "0" + text
    return text


def _xlsx_values(data: bytes) -> Table:
    """A workbook's first sheet as values only: no cell formats to look at here (the figures'
    reader needs them for percentages), which halves the time openpyxl takes."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        table: Table = []
        for number, row in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
            cells: list[Cell] = [
                value
                if isinstance(value, str | int | float | None) and not isinstance(value, bool)
                else str(value)
                for value in row
            ]
            table.append((number, cells))
        return table
    finally:
        book.close()


def read_table(source: Source, file_name: str) -> Table | RowProblem:
    """The sheet's non-blank rows, or why it cannot be read (runs in a worker thread): a CSV
    as the imports read one, a workbook by its values."""
    table: Table | RowError
    if Path(file_name).suffix.casefold() == ".xlsx":
        try:
            data = source if isinstance(source, bytes) else Path(source).read_bytes()
            if len(data) > MAX_FILE_BYTES:
                return RowProblem(None, Problem.TOO_BIG, value=str(len(data)))
            table = _xlsx_values(data)
        except Exception:  # a broken or foreign file is the sender's problem, not a crash
            return RowProblem(None, Problem.UNREADABLE, value=file_name)
    else:
        table = _read(source, file_name)
    if isinstance(table, RowError):
        return RowProblem(None, Problem(table.code.value), value=table.value)
    return [(number, cells) for number, cells in table if any(cell_text(c) for c in cells)]


def is_sheet_header(cells: Sequence[Cell]) -> bool:
    """Whether a file's first non-blank row is a rollout sheet's header: a full name, a
    commune or an area, and a branch, its kind or a role (how a sheet sent without /rollout is
    told from the other files the bot takes; whatever else is wrong with it, the check says)."""
    found = {_ALIASES.get(header_key(cell_text(cell))) for cell in cells}
    return (
        FULL_NAME in found and bool(found & {COMMUNE, AREA}) and bool(found & {BRANCH, KIND, ROLE})
    )


def header_columns(cells: Sequence[Cell], table: Table) -> tuple[dict[int, str], list[RowProblem]]:
    """The canonical column at each index of the header row, and what is wrong with it: an
    unknown or repeated header, a blank one over filled cells, a required column missing."""
    columns: dict[int, str] = {}
    errors: list[RowProblem] = []
    row = table[0][0]
    for index, cell in enumerate(cells):
        text = cell_text(cell)
        if not text:
            if any(index < len(cells_) and cell_text(cells_[index]) for _, cells_ in table[1:]):
                errors.append(RowProblem(row, Problem.UNKNOWN_COLUMN))
            continue
        name = _ALIASES.get(header_key(text))
        if name is None:
            errors.append(RowProblem(row, Problem.UNKNOWN_COLUMN, text, text))
        elif name in columns.values():
            errors.append(RowProblem(row, Problem.DUPLICATE_COLUMN, name, text))
        else:
            columns[index] = name
    found = set(columns.values())
    for required in REQUIRED_COLUMNS:
        if required not in found:
            errors.append(RowProblem(row, Problem.MISSING_COLUMN, required))
    if not found & {COMMUNE, AREA}:
        errors.append(RowProblem(row, Problem.MISSING_COLUMN, COMMUNE))
    return columns, errors
