"""Excel workbooks (.xlsx) of statistics as bytes, for chairs to paste into reports.

Chairs copy these tables into their reports to the province, so the workbook must look finished
when opened: a title and the scope/period above the table, styled headers that stay visible
while scrolling, real numbers (not text) with Excel number formats so the viewer's Vietnamese
locale shows ``1.234.567 ₫`` and ``26,8%``, dates as dates, columns wide enough to read, and a
bold totals row. Page setup prints each sheet on one page width with the header repeated.

Like ``bot.charts`` this module knows nothing of Telegram, the database or translations:
callers pass translated text and plain values. Output is deterministic: no "now" in the
document properties and fixed timestamps inside the zip, so the same data gives the same bytes.
"""

from __future__ import annotations

import io
import math
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from xml.sax.saxutils import escape

from openpyxl import Workbook as OpenpyxlWorkbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

__all__ = [
    "MAX_COLUMN_WIDTH",
    "NUMBER_FORMATS",
    "CellValue",
    "Column",
    "ColumnKind",
    "Sheet",
    "Workbook",
    "workbook_bytes",
]

CellValue = str | int | float | date | None


class ColumnKind(StrEnum):
    """What a column holds; decides the value types accepted and the Excel number format."""

    TEXT = "text"
    INTEGER = "integer"
    MONEY = "money"
    """Whole đồng."""
    PERCENT = "percent"
    """Ratios: 0.268 is shown as 26.8% (26,8% in a Vietnamese Excel)."""
    DATE = "date"


NUMBER_FORMATS: dict[ColumnKind, str] = {
    ColumnKind.TEXT: "General",
    ColumnKind.INTEGER: "#,##0",
    # The symbol is quoted: an unquoted literal is accepted by Excel but is not valid format
    # syntax per ECMA-376, and other readers may reject it.
    ColumnKind.MONEY: '#,##0 "₫"',
    ColumnKind.PERCENT: "0.0%",
    ColumnKind.DATE: "dd/mm/yyyy",
}
"""Format codes use Excel's invariant ``,`` and ``.``; Excel shows the viewer's separators."""

MAX_COLUMN_WIDTH = 50.0
"""Wider text wraps instead: a 200-character note must not push the next column off screen."""
_MIN_COLUMN_WIDTH = 6.0
_PADDING = 2.0
_BOLD_FACTOR = 1.1  # bold Calibri is ~10% wider than the regular digits Excel measures in
_MAX_SHEET_NAME = 31
_FORBIDDEN_IN_SHEET_NAME = frozenset("[]:*?/\\")

_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_TOTALS_BORDER = Border(left=_THIN, right=_THIN, top=Side(style="double"), bottom=_THIN)
_HEADER_FILL = PatternFill("solid", start_color="DDEBF7")
_TOTALS_FILL = PatternFill("solid", start_color="F2F2F2")
_HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)


@dataclass(frozen=True)
class Column:
    """One column: its (translated) header and the kind of values under it."""

    header: str
    kind: ColumnKind = ColumnKind.TEXT


@dataclass(frozen=True)
class Sheet:
    """One table with an optional title and subtitle (scope and period) above it, and notes
    below it (which map the figures are on, a rule used).

    Every row, and ``totals`` if given, has one value per column: ``None`` for an empty cell,
    ``str`` under text columns, ``int``/``float`` under integer, money and percent columns
    (percent as a ratio), ``date`` under date columns (a ``datetime`` keeps only its date).
    """

    name: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[CellValue]]
    title: str | None = None
    subtitle: str | None = None
    totals: Sequence[CellValue] | None = None
    notes: Sequence[str] = ()

    def __post_init__(self) -> None:
        _check_sheet_name(self.name)
        if not self.columns:
            raise ValueError(f"sheet {self.name!r} has no columns")
        for index, row in enumerate(self.rows, start=1):
            self._check_row(row, f"row {index}")
        if self.totals is not None:
            self._check_row(self.totals, "totals")

    @property
    def header_row(self) -> int:
        """The 1-based row of the headers: after the title lines and one blank row, if any."""
        above = (self.title is not None) + (self.subtitle is not None)
        return above + 2 if above else 1

    def _check_row(self, row: Sequence[CellValue], where: str) -> None:
        if len(row) != len(self.columns):
            raise ValueError(
                f"sheet {self.name!r} {where}: {len(row)} values for {len(self.columns)} columns"
            )
        for column, value in zip(self.columns, row, strict=True):
            if not _fits(column.kind, value):
                raise TypeError(
                    f"sheet {self.name!r} {where}, column {column.header!r} ({column.kind}): "
                    f"unexpected {type(value).__name__} {value!r}"
                )


@dataclass(frozen=True)
class Workbook:
    """Sheets in tab order, plus the document properties Excel shows under File → Info.

    ``created`` (e.g. when the figures were taken) is the only timestamp written; without it
    the file has none, so identical data gives identical bytes.
    """

    sheets: Sequence[Sheet]
    title: str = ""
    creator: str = ""
    created: datetime | None = None

    def __post_init__(self) -> None:
        if not self.sheets:
            raise ValueError("a workbook needs at least one sheet")
        names = [sheet.name.casefold() for sheet in self.sheets]
        if len(set(names)) != len(names):
            raise ValueError("sheet names must be unique (Excel ignores case)")


def workbook_bytes(book: Workbook) -> bytes:
    """Render ``book`` as an .xlsx file."""
    workbook = OpenpyxlWorkbook()
    workbook.remove(workbook.worksheets[0])  # the blank default sheet
    for sheet in book.sheets:
        _write_sheet(workbook.create_sheet(sheet.name), sheet)
    workbook.active = 0

    buffer = io.BytesIO()
    workbook.save(buffer)
    return _repack(buffer.getvalue(), {_CORE_PROPERTIES: _core_properties(book)})


_CORE_PROPERTIES = "docProps/core.xml"
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry


def _core_properties(book: Workbook) -> bytes:
    """Title, creator and only the caller's timestamp (openpyxl always writes "now")."""
    elements = []
    if book.title:
        elements.append(f"<dc:title>{escape(_clean(book.title))}</dc:title>")
    if book.creator:
        elements.append(f"<dc:creator>{escape(_clean(book.creator))}</dc:creator>")
    if book.created is not None:
        stamp = _utc_naive(book.created).replace(microsecond=0).isoformat() + "Z"
        for tag in ("created", "modified"):
            elements.append(f'<dcterms:{tag} xsi:type="dcterms:W3CDTF">{stamp}</dcterms:{tag}>')
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        + "".join(elements)
        + "</cp:coreProperties>"
    ).encode()


def _repack(xlsx: bytes, replacements: dict[str, bytes]) -> bytes:
    """Re-zip with one fixed timestamp (openpyxl stamps each part with the time it was written)
    and with some parts replaced."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, replacements.get(info.filename) or source.read(info))
    return buffer.getvalue()


def _check_sheet_name(name: str) -> None:
    """Excel's rules: a file breaking them opens with a repair prompt or not at all."""
    if not name or len(name) > _MAX_SHEET_NAME:
        raise ValueError(f"sheet name must be 1–{_MAX_SHEET_NAME} characters: {name!r}")
    if _FORBIDDEN_IN_SHEET_NAME & set(name) or name.startswith("'") or name.endswith("'"):
        raise ValueError(f"sheet name may not contain []:*?/\\ or start/end with ': {name!r}")


def _fits(kind: ColumnKind, value: CellValue) -> bool:
    if value is None:
        return True
    if kind is ColumnKind.TEXT:
        return isinstance(value, str)
    if kind is ColumnKind.DATE:
        return isinstance(value, date)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if not math.isfinite(value):
        return False  # Excel has no NaN or infinity; such a file needs "repair"
    return kind is not ColumnKind.INTEGER or float(value).is_integer()


def _utc_naive(moment: datetime) -> datetime:
    """Core properties are in UTC, written with a ``Z``."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _write_sheet(ws: Worksheet, sheet: Sheet) -> None:
    count = len(sheet.columns)
    last_letter = get_column_letter(count)
    widths = [_column_width(sheet, index) for index in range(count)]

    row = 1
    for text, font in (
        (sheet.title, Font(bold=True, size=14)),
        (sheet.subtitle, Font(italic=True)),
    ):
        if text is None:
            continue
        cell = ws.cell(row=row, column=1, value=_clean(text))
        cell.font = font
        cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
        if count > 1:
            ws.merge_cells(f"A{row}:{last_letter}{row}")
        # A merged cell does not grow to fit its text: give long titles the lines they need.
        lines = math.ceil(_text_width(text) * (1.3 if font.b else 1.0) / sum(widths))
        if lines > 1:
            ws.row_dimensions[row].height = lines * (20 if font.b else 15)
        row += 1

    header_row = sheet.header_row
    for index, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(row=header_row, column=index, value=_clean(column.header))
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = _HEADER_ALIGNMENT
        cell.border = _BORDER
    header_lines = max(column.header.count("\n") + 1 for column in sheet.columns)
    if header_lines > 1:
        ws.row_dimensions[header_row].height = 15 * header_lines

    wrap = [width >= MAX_COLUMN_WIDTH for width in widths]
    for offset, values in enumerate(sheet.rows, start=1):
        for index, value in enumerate(values):
            cell = _write_cell(ws, header_row + offset, index, sheet.columns[index].kind, value)
            cell.border = _BORDER
            if wrap[index] and sheet.columns[index].kind is ColumnKind.TEXT:
                cell.alignment = Alignment(wrap_text=True, vertical="top")

    last_data_row = header_row + len(sheet.rows)
    if sheet.totals is not None:
        totals_row = last_data_row + 1
        for index, value in enumerate(sheet.totals):
            cell = _write_cell(ws, totals_row, index, sheet.columns[index].kind, value)
            cell.font = Font(bold=True)
            cell.fill = _TOTALS_FILL
            cell.border = _TOTALS_BORDER

    row = last_data_row + (sheet.totals is not None) + 2
    for note in sheet.notes:
        cell = ws.cell(row=row, column=1, value=_clean(note))
        cell.font = Font(italic=True)
        cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
        if count > 1:
            ws.merge_cells(f"A{row}:{last_letter}{row}")
        lines = math.ceil(_text_width(note) / sum(widths))
        if lines > 1:
            ws.row_dimensions[row].height = lines * 15
        row += 1

    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width

    ws.freeze_panes = f"A{header_row + 1}"
    if sheet.rows:
        # Filter buttons on the headers; the totals row stays out so sorting cannot move it.
        ws.auto_filter.ref = f"A{header_row}:{last_letter}{last_data_row}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape" if sum(widths) > 100 else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True  # type: ignore[union-attr]


def _write_cell(ws: Worksheet, row: int, index: int, kind: ColumnKind, value: CellValue) -> Cell:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        value = _clean(value)
    cell = ws.cell(row=row, column=index + 1, value=value)
    if isinstance(value, str):
        # openpyxl turns any text starting with "=" into a formula; a branch name typed by a
        # volunteer must never become one.
        cell.data_type = "s"
    if kind is not ColumnKind.TEXT:
        cell.number_format = NUMBER_FORMATS[kind]
    return cell


def _clean(text: str) -> str:
    """NFC (one code point per letter, as Excel expects) without XML-illegal control chars."""
    return ILLEGAL_CHARACTERS_RE.sub("", unicodedata.normalize("NFC", text))


def _column_width(sheet: Sheet, index: int) -> float:
    """Width in Excel's units (widths of a "0"), from the longest header line or value shown."""
    column = sheet.columns[index]
    header = max(_text_width(line) for line in column.header.split("\n")) * _BOLD_FACTOR
    values = [row[index] for row in sheet.rows]
    totals = [] if sheet.totals is None else [sheet.totals[index]]
    content = max(
        [_displayed_width(column.kind, value) for value in values]
        + [_displayed_width(column.kind, value) * _BOLD_FACTOR for value in totals],
        default=0.0,
    )
    width = max(header, content, _MIN_COLUMN_WIDTH) + _PADDING
    return round(min(width, MAX_COLUMN_WIDTH), 1)


def _displayed_width(kind: ColumnKind, value: CellValue) -> float:
    """How wide ``value`` looks once Excel applies the column's number format."""
    if value is None:
        return 0.0
    if isinstance(value, str):
        return max(_text_width(line) for line in value.split("\n"))
    if isinstance(value, date):
        return 10.0
    if kind is ColumnKind.PERCENT:
        return len(f"{value * 100:.1f}%")
    text = f"{value:,.0f}"
    return len(text) + (2 if kind is ColumnKind.MONEY else 0)


def _text_width(text: str) -> float:
    """Visible width: combining accents add nothing, wide (CJK) characters count double.

    ``len`` overcounts decomposed Vietnamese ("ệ" as e + two marks is 3 code points).
    """
    width = 0.0
    for char in unicodedata.normalize("NFC", text):
        if unicodedata.combining(char):
            continue
        width += 2.0 if unicodedata.east_asian_width(char) in "WF" else 1.0
    return width
