"""Workbooks people fill in and send back: a list of names for a title, a list of new members.

The bot sends a template (a title line, a header row, rows pre-filled where it can: last
year's recognised families, renewed most years), the person fills it in Excel or on a phone
and sends it back as a document; `read_rows` gives the rows back as text, numbered as the
spreadsheet numbers them, so "row 17" in the bot's answer is row 17 on the person's screen.

Like `bot.spreadsheets` this knows nothing of Telegram, the database or translations: the
headers and titles come translated from the caller. Cells come back as the text a person
would type: a date cell as `15/10/2025`, a whole number as `1965` (a phone number typed into
a number cell loses its leading 0; `member_lists` puts it back).
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from bot.text import fold

MAX_BYTES = 5 * 1024 * 1024
"""A list of a few thousand rows is well under 1 MB; larger is not a list of names."""
MAX_ROWS = 5000
HEADER_SEARCH = 10
"""The header row is looked for among the first rows; below the title lines of a template."""

_HEADER_FILL = PatternFill("solid", start_color="DDEBF7")
_TEXT_FORMAT = "@"


@dataclass(frozen=True)
class Column:
    """One column of a template: its (translated) header, its width, and whether typed values
    stay text (a phone number, a date as typed) instead of being turned into numbers."""

    header: str
    width: float = 20.0
    text: bool = False


def template_bytes(
    *,
    sheet: str,
    title: str,
    hint: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[str | int | None]] = (),
    blank_rows: int = 200,
) -> bytes:
    """An .xlsx: `title` in bold on row 1, `hint` on row 2, the headers on row 4, `rows`
    below them and `blank_rows` more formatted for typing."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet[:31]
    ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=13)
    ws.cell(row=2, column=1, value=hint).alignment = Alignment(wrap_text=False)
    header_row = 4
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=header_row, column=index, value=column.header)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(index)].width = column.width
    for offset in range(len(rows) + blank_rows):
        values = rows[offset] if offset < len(rows) else ()
        for index, column in enumerate(columns, start=1):
            value = values[index - 1] if index - 1 < len(values) else None
            typed = ws.cell(row=header_row + 1 + offset, column=index, value=value)
            if column.text:
                typed.number_format = _TEXT_FORMAT
    ws.freeze_panes = f"A{header_row + 1}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class Unreadable(StrEnum):
    """Why a file sent as a list was not read."""

    NOT_A_WORKBOOK = "not_a_workbook"
    TOO_LARGE = "too_large"
    TOO_MANY_ROWS = "too_many_rows"


class WorkbookUnreadable(Exception):
    def __init__(self, code: Unreadable) -> None:
        super().__init__(code.value)
        self.code = code


Row = tuple[int, list[str]]
"""(the row's number in the sheet, its cells as text, trailing blanks dropped)."""


def read_rows(content: bytes, file_name: str, *, headers: Collection[str] = ()) -> list[Row]:
    """The non-blank rows of the first sheet (or of a CSV file) below the header row, if one
    of the first rows holds one of `headers` (compared folded), else every non-blank row.

    Raises `WorkbookUnreadable`."""
    if len(content) > MAX_BYTES:
        raise WorkbookUnreadable(Unreadable.TOO_LARGE)
    if file_name.lower().endswith((".csv", ".txt")):
        raw = _csv_rows(content)
    else:
        raw = _xlsx_rows(content)
    rows = [(number, _trimmed(cells)) for number, cells in raw]
    rows = [(number, cells) for number, cells in rows if cells]
    wanted = {fold(header) for header in headers}
    for index, (_, cells) in enumerate(rows[:HEADER_SEARCH]):
        if wanted and any(fold(cell) in wanted for cell in cells):
            rows = rows[index + 1 :]
            break
    if len(rows) > MAX_ROWS:
        raise WorkbookUnreadable(Unreadable.TOO_MANY_ROWS)
    return rows


@dataclass(frozen=True)
class Peek:
    """The start of a spreadsheet, enough to tell which one it is without reading it all: the
    names of its sheets (none for a CSV file) and the first non-blank rows of the first, as
    `read_rows` numbers them."""

    sheets: tuple[str, ...]
    rows: tuple[Row, ...]


PEEK_ROWS = HEADER_SEARCH + 2
"""Rows looked at: the header row is among the first `HEADER_SEARCH`, and one below it."""
_PEEK_SCAN = 200
"""Physical rows scanned for them: blank rows above a header are few."""
_ZIP_MAGIC = b"PK\x03\x04"


def peek(content: bytes, file_name: str) -> Peek:
    """The sheets' names and the first `PEEK_ROWS` non-blank rows of a workbook (.xlsx, or a
    file without a name that is one) or a CSV file; nothing else is read, so a large file costs
    no more than a small one. Raises `WorkbookUnreadable`: too large, or not a spreadsheet (a
    PDF, a Word file, an old .xls, a damaged workbook)."""
    if len(content) > MAX_BYTES:
        raise WorkbookUnreadable(Unreadable.TOO_LARGE)
    if file_name.lower().endswith((".csv", ".txt")):
        return Peek((), _first(_peek_csv(content)))
    if not content.startswith(_ZIP_MAGIC):
        raise WorkbookUnreadable(Unreadable.NOT_A_WORKBOOK)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # a damaged or foreign file is the sender's problem, not a crash
        raise WorkbookUnreadable(Unreadable.NOT_A_WORKBOOK) from None
    try:
        sheets = tuple(book.sheetnames)
        if not book.worksheets:
            return Peek(sheets, ())
        values = book.worksheets[0].iter_rows(max_row=_PEEK_SCAN, values_only=True)
        raw = [(number, [cell_text(v) for v in row]) for number, row in enumerate(values, 1)]
        return Peek(sheets, _first(raw))
    except Exception:
        raise WorkbookUnreadable(Unreadable.NOT_A_WORKBOOK) from None
    finally:
        book.close()


def _peek_csv(content: bytes) -> list[Row]:
    """The first lines of a CSV file: UTF-8, else Windows-1258 (as the figures' import reads
    one); a file with NUL bytes is not text at all."""
    head = content[: 64 * 1024]
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if error.start >= len(head) - 3:  # only a character cut where the head was cut
            text = head[: error.start].decode("utf-8-sig")
        else:
            text = unicodedata.normalize("NFC", head.decode("cp1258", errors="replace"))
    if "\x00" in text:
        raise WorkbookUnreadable(Unreadable.NOT_A_WORKBOOK)
    lines = text.splitlines()[:_PEEK_SCAN]
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines)[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(lines, dialect)
    return [(number, [cell.strip() for cell in cells]) for number, cells in enumerate(reader, 1)]


def _first(raw: list[Row]) -> tuple[Row, ...]:
    rows = [(number, _trimmed(cells)) for number, cells in raw]
    return tuple((number, cells) for number, cells in rows if cells)[:PEEK_ROWS]


def _trimmed(cells: list[str]) -> list[str]:
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _xlsx_rows(content: bytes) -> list[Row]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise WorkbookUnreadable(Unreadable.NOT_A_WORKBOOK) from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            return []
        found: list[Row] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_ROWS + HEADER_SEARCH + 1:
                raise WorkbookUnreadable(Unreadable.TOO_MANY_ROWS)
            found.append((number, [cell_text(value) for value in values]))
        return found
    finally:
        book.close()


def _csv_rows(content: bytes) -> list[Row]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise WorkbookUnreadable(Unreadable.NOT_A_WORKBOOK) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    found: list[Row] = []
    for number, cells in enumerate(reader, start=1):
        if number > MAX_ROWS + HEADER_SEARCH + 1:
            raise WorkbookUnreadable(Unreadable.TOO_MANY_ROWS)
        found.append((number, [cell.strip() for cell in cells]))
    return found


def cell_text(value: object) -> str:
    """A cell as the person would have typed it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())
