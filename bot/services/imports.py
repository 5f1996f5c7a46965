"""Importing figures and baselines from a spreadsheet (CSV or XLSX): all rows or none.

Both files have one row per unit and year; the first row holds the headers, in any order.
Headers are matched without case, diacritics or punctuation, so ``Mã đơn vị`` = ``ma_don_vi``
and ``target:citizen`` = ``target_citizen``.

**Figures** (`import_figures`), for communes, districts or the province::

    unit_code, year, population, citizens, households, clans, villages, agencies, committees,
    target_citizen, target_family, target_clan, target_village_community,
    target_learning_unit, target_commune_community, target_members_share

**Baselines** (`import_baseline`), totals from before the bot, for a unit of any level::

    unit_code, year, members_total, title_citizen, title_family, title_clan,
    title_village_community, title_learning_unit, title_commune_community,
    fund_raised, fund_awarded

``members_total`` is the members at the end of the year, ``title_<kind>`` the titles
recognised for that year, ``fund_raised``/``fund_awarded`` the đồng raised and awarded in it.

Vietnamese headers (see `_ALIASES`): ``mã đơn vị``, ``năm``, ``dân số``, ``công dân``,
``hộ gia đình``, ``dòng họ``, ``thôn, tổ dân phố``, ``cơ quan, đơn vị``, ``ban khuyến học``,
``chỉ tiêu công dân học tập`` … ``chỉ tiêu hội viên``; ``hội viên``, ``công dân học tập``,
``gia đình học tập``, ``dòng họ học tập``, ``cộng đồng học tập thôn``, ``đơn vị học tập``,
``cộng đồng học tập xã``, ``quỹ huy động``, ``quỹ đã chi``. A ``unit_name``/``tên đơn vị``
column is allowed and ignored. Value columns may be left out.

Cells: counts are whole numbers ≥ 0, digits optionally grouped by threes with ``.``, ``,`` or
a space (``1.204.201``). Targets are percentages with at most one decimal (``26,8``,
``26.8``, ``26.8%``, or an XLSX cell formatted as a percentage) and are stored per mille. An
empty cell leaves the stored value as it is; a row with no values is skipped. Years run from
1945 to the current year. A CSV file is UTF-8 (Windows-1258 is tried next) and separated by
``,``, ``;`` or tabs, whichever the header row uses most.

Errors carry the row as the spreadsheet shows it (headers = row 1, or the first row that is
not blank; None for the whole file)
and an `ImportErrorCode`. A baseline may not sit on a unit and on one of its ancestors for the
same year and indicator (both would be counted): `clear_baselines` removes a wrong one.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Final

from bot.money import MAX_AMOUNT
from bot.services import counters
from bot.services.counters import BaselineChange
from bot.services.figures import FIGURE_LEVELS, MEMBERS_SHARE, TARGET_MAX, Figure, target
from bot.services.figures import year_range as figure_years
from bot.storage import figures as figure_store
from bot.storage import people
from bot.storage.db import Database, Tx
from bot.storage.figures import BaselineRow
from bot.storage.models import LEVEL_ORDER, Grant, Level, Role, Unit
from bot.storage.records import NominationKind, NominationStatus
from bot.text import fold

MAX_FILE_BYTES: Final = 5 * 1024 * 1024
"""Far above a province's few hundred rows; refuses a mistaken upload before parsing it."""

Cell = str | int | float | None


class ImportErrorCode(StrEnum):
    """Why a file or a row was refused; handlers translate each one."""

    UNSUPPORTED_FORMAT = "unsupported_format"
    """The file name ends neither in .csv nor in .xlsx."""
    UNREADABLE = "unreadable"
    TOO_BIG = "too_big"
    NO_DATA = "no_data"
    """No header row, or no row below it."""
    MISSING_COLUMN = "missing_column"
    UNKNOWN_COLUMN = "unknown_column"
    DUPLICATE_COLUMN = "duplicate_column"
    REQUIRED = "required"
    UNKNOWN_UNIT = "unknown_unit"
    WRONG_LEVEL = "wrong_level"
    """Figures belong to communes, districts and the province."""
    OUT_OF_SCOPE = "out_of_scope"
    NOT_A_YEAR = "not_a_year"
    YEAR_OUT_OF_RANGE = "year_out_of_range"
    NOT_A_NUMBER = "not_a_number"
    NOT_AN_INTEGER = "not_an_integer"
    TOO_PRECISE = "too_precise"
    """A target with more than one decimal."""
    NEGATIVE = "negative"
    TOO_LARGE = "too_large"
    """Beyond any plausible count, or a target above 100 %."""
    DUPLICATE_ROW = "duplicate_row"
    """The same unit and year as an earlier row (`detail`: that row's number)."""
    OVERLAPS = "overlaps"
    """A baseline for the same year and indicator on an ancestor or descendant of the unit
    (`detail`: its unit code)."""


@dataclass(frozen=True)
class RowError:
    row: int | None
    """As the spreadsheet numbers it (headers = 1); None for the file as a whole."""
    code: ImportErrorCode
    column: str | None = None
    """The canonical column name, or the header as written for an unknown column."""
    value: str = ""
    """The offending cell, as text."""
    detail: str = ""


@dataclass(frozen=True)
class ImportResult:
    rows: int
    """Rows imported."""
    units: int
    """Distinct units touched."""
    values: int
    """Cells stored."""
    skipped: int
    """Rows with a unit and year but no value."""


@dataclass(frozen=True)
class ImportRejected:
    """Nothing was imported."""

    errors: tuple[RowError, ...]


Source = Path | str | bytes


# --- Columns ----------------------------------------------------------------------------------

UNIT_CODE: Final = "unit_code"
YEAR: Final = "year"
UNIT_NAME: Final = "unit_name"

_TITLE_WORDS: Final = {
    NominationKind.CITIZEN: "cong_dan_hoc_tap",
    NominationKind.FAMILY: "gia_dinh_hoc_tap",
    NominationKind.CLAN: "dong_ho_hoc_tap",
    NominationKind.VILLAGE_COMMUNITY: "cong_dong_hoc_tap_thon",
    NominationKind.LEARNING_UNIT: "don_vi_hoc_tap",
    NominationKind.COMMUNE_COMMUNITY: "cong_dong_hoc_tap_xa",
}
"""Each title's Vietnamese name, folded into a header."""

FIGURE_COLUMNS: Final[Mapping[str, str]] = {
    **{figure.value: figure.value for figure in Figure},
    **{f"target_{kind.value}": target(kind) for kind in NominationKind},
    f"target_{MEMBERS_SHARE}": target(MEMBERS_SHARE),
}
"""Figures file: column → stored figure name."""

BASELINE_COLUMNS: Final[Mapping[str, str]] = {
    counters.MEMBERS_TOTAL: counters.MEMBERS_TOTAL,
    **{
        f"title_{kind.value}": counters.title(kind, NominationStatus.RECOGNISED)
        for kind in NominationKind
    },
    counters.FUND_RAISED: counters.FUND_RAISED,
    counters.FUND_AWARDED: counters.FUND_AWARDED,
}
"""Baseline file: column → stored indicator."""

_ALIASES: Final[Mapping[str, str]] = {
    "ma_don_vi": UNIT_CODE,
    "ma_dvhc": UNIT_CODE,
    "ma": UNIT_CODE,
    "code": UNIT_CODE,
    "nam": YEAR,
    "ten_don_vi": UNIT_NAME,
    "ten": UNIT_NAME,
    "dan_so": Figure.POPULATION,
    "cong_dan": Figure.CITIZENS,
    "so_cong_dan": Figure.CITIZENS,
    "ho_gia_dinh": Figure.HOUSEHOLDS,
    "so_ho_gia_dinh": Figure.HOUSEHOLDS,
    "so_ho": Figure.HOUSEHOLDS,
    "dong_ho": Figure.CLANS,
    "so_dong_ho": Figure.CLANS,
    "thon_to_dan_pho": Figure.VILLAGES,
    "so_thon_to_dan_pho": Figure.VILLAGES,
    "co_quan_don_vi": Figure.AGENCIES,
    "so_co_quan_don_vi": Figure.AGENCIES,
    "ban_khuyen_hoc": Figure.COMMITTEES,
    "so_ban_khuyen_hoc": Figure.COMMITTEES,
    **{f"chi_tieu_{words}": f"target_{kind.value}" for kind, words in _TITLE_WORDS.items()},
    "chi_tieu_hoi_vien": f"target_{MEMBERS_SHARE}",
    "hoi_vien": counters.MEMBERS_TOTAL,
    "so_hoi_vien": counters.MEMBERS_TOTAL,
    **{words: f"title_{kind.value}" for kind, words in _TITLE_WORDS.items()},
    "quy_huy_dong": counters.FUND_RAISED,
    "huy_dong": counters.FUND_RAISED,
    "quy_da_chi": counters.FUND_AWARDED,
    "da_chi": counters.FUND_AWARDED,
}


def header_key(text: str) -> str:
    """'Thôn, tổ dân phố' → 'thon_to_dan_pho': what headers are compared by."""
    return re.sub(r"[^a-z0-9]+", "_", fold(text)).strip("_")


def may_import(grants: Sequence[Grant]) -> bool:
    """Figures and baselines come from the province office: only its administrator imports
    them (the command line too, without a grant)."""
    return any(grant.role is Role.PROVINCE_ADMIN for grant in grants)


_IMPORT_COLUMNS: Final = frozenset({UNIT_CODE, YEAR, UNIT_NAME, *FIGURE_COLUMNS, *BASELINE_COLUMNS})


def is_import_header(cells: Sequence[Cell]) -> bool:
    """Whether a file's first non-blank row is the header of a figures or baseline file: it
    names the unit code and the year, as both must (how a file sent without a word is told
    from the other files the bot takes)."""
    names = set()
    for cell in cells:
        key = header_key(_text(cell))
        names.add(key if key in _IMPORT_COLUMNS else _ALIASES.get(key))
    return {UNIT_CODE, YEAR} <= names


@dataclass(frozen=True)
class _Kind:
    """What one kind of file holds."""

    columns: Mapping[str, str]
    levels: tuple[Level, ...]
    entity: str


_FIGURES: Final = _Kind(FIGURE_COLUMNS, FIGURE_LEVELS, "unit_figure")
_BASELINES: Final = _Kind(BASELINE_COLUMNS, LEVEL_ORDER, "baseline")


# --- Reading the file -------------------------------------------------------------------------

Table = list[tuple[int, list[Cell]]]
"""(row number, cells), the header first."""


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return unicodedata.normalize("NFC", data.decode("cp1258"))


def _read_csv(data: bytes) -> Table:
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table: Table = []
    for number, row in enumerate(reader, start=1):
        cells: list[Cell] = list(row)
        table.append((number, cells))
    return table


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        table: Table = []
        for number, row in enumerate(sheet.iter_rows(min_row=1), start=1):
            cells: list[Cell] = []
            for cell in row:
                value = getattr(cell, "value", None)
                if isinstance(value, bool) or not isinstance(value, str | int | float | None):
                    value = str(value)  # dates and the like: refused as text later
                elif isinstance(value, int | float) and "%" in str(
                    getattr(cell, "number_format", "")
                ):
                    value = value * 100
                cells.append(value)
            table.append((number, cells))
        return table
    finally:
        book.close()


def _read(source: Source, file_name: str) -> Table | RowError:
    """The file's rows, or why it cannot be read (runs in a worker thread)."""
    suffix = Path(file_name).suffix.casefold()
    if suffix not in (".csv", ".xlsx"):
        return RowError(None, ImportErrorCode.UNSUPPORTED_FORMAT, value=file_name)
    try:
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
        if len(data) > MAX_FILE_BYTES:
            return RowError(None, ImportErrorCode.TOO_BIG, value=str(len(data)))
        return _read_csv(data) if suffix == ".csv" else _read_xlsx(data)
    except Exception:  # a broken or foreign file is the sender's problem, not a crash
        return RowError(None, ImportErrorCode.UNREADABLE, value=file_name)


# --- Cells ------------------------------------------------------------------------------------


def _text(cell: Cell) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return "" if cell is None else str(cell).strip()


# re.ASCII: without it \d also matches other scripts' digits, which int() then accepts.
_GROUPED = re.compile(r"\d{1,3}([., \u00a0])\d{3}(?:\1\d{3})*", re.ASCII)
_DECIMAL = re.compile(r"\d+[.,]\d+", re.ASCII)


def parse_count(cell: Cell) -> int | ImportErrorCode:
    """A whole number ≥ 0 from a cell: 1204201, '1.204.201', '1,204,201', 1204201.0."""
    if isinstance(cell, bool):
        return ImportErrorCode.NOT_A_NUMBER
    if isinstance(cell, float):
        if not cell.is_integer():
            return ImportErrorCode.NEGATIVE if cell < 0 else ImportErrorCode.NOT_AN_INTEGER
        cell = int(cell)
    if isinstance(cell, int):
        value = cell
    else:
        text = _text(cell)
        negative = text.startswith("-")
        digits = text[1:].strip() if negative else text
        if digits.isdigit() and digits.isascii():
            value = int(digits)
        elif _GROUPED.fullmatch(digits):
            value = int(re.sub(r"\D", "", digits))
        elif _DECIMAL.fullmatch(digits):
            return ImportErrorCode.NEGATIVE if negative else ImportErrorCode.NOT_AN_INTEGER
        else:
            return ImportErrorCode.NOT_A_NUMBER
        value = -value if negative else value
    if value < 0:
        return ImportErrorCode.NEGATIVE
    if value > MAX_AMOUNT:
        return ImportErrorCode.TOO_LARGE
    return value


_RATE = re.compile(r"(\d{1,4})(?:[.,](\d+))?", re.ASCII)


def parse_rate(cell: Cell) -> int | ImportErrorCode:
    """A percentage with at most one decimal → per mille: '26,8' → 268, 80 → 800."""
    if isinstance(cell, bool):
        return ImportErrorCode.NOT_A_NUMBER
    if isinstance(cell, int | float):
        tenths = cell * 10
        if abs(tenths - round(tenths)) > 1e-6:
            return ImportErrorCode.TOO_PRECISE
        value = round(tenths)
    else:
        text = _text(cell).removesuffix("%").strip()
        negative = text.startswith("-")
        match = _RATE.fullmatch(text[1:].strip() if negative else text)
        if match is None:
            return ImportErrorCode.NOT_A_NUMBER
        whole, decimals = match.group(1), (match.group(2) or "").rstrip("0")
        if len(decimals) > 1:
            return ImportErrorCode.TOO_PRECISE
        value = int(whole) * 10 + int(decimals or 0)
        value = -value if negative else value
    if value < 0:
        return ImportErrorCode.NEGATIVE
    if value > TARGET_MAX:
        return ImportErrorCode.TOO_LARGE
    return value


def _parse_year(cell: Cell, first: int, last: int) -> int | ImportErrorCode:
    text = _text(cell)
    if not (text.isdigit() and text.isascii() and len(text) == 4):
        return ImportErrorCode.NOT_A_YEAR
    year = int(text)
    return year if first <= year <= last else ImportErrorCode.YEAR_OUT_OF_RANGE


# --- Validation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _UnitRef:
    id: int
    code: str
    level: Level
    path: str


@dataclass(frozen=True)
class _Row:
    number: int
    unit: _UnitRef
    year: int
    values: dict[str, int]
    """Stored name (figure or indicator) → value."""


def _header(
    kind: _Kind, cells: Sequence[Cell], table: Table
) -> tuple[dict[int, str], list[RowError]]:
    """Column index → canonical column (unit_code, year, a value column); header errors."""
    known = {UNIT_CODE, YEAR, UNIT_NAME, *kind.columns}
    columns: dict[int, str] = {}
    errors: list[RowError] = []
    for index, cell in enumerate(cells):
        text = _text(cell)
        key = header_key(text)
        name = key if key in known else _ALIASES.get(key)
        if not text:
            if any(index < len(row) and _text(row[index]) for _, row in table[1:]):
                errors.append(RowError(1, ImportErrorCode.UNKNOWN_COLUMN, text))
            continue
        if name is None or name not in known:
            errors.append(RowError(1, ImportErrorCode.UNKNOWN_COLUMN, text, text))
        elif name in columns.values():
            errors.append(RowError(1, ImportErrorCode.DUPLICATE_COLUMN, name, text))
        else:
            columns[index] = name
    for required in (UNIT_CODE, YEAR):
        if required not in columns.values():
            errors.append(RowError(1, ImportErrorCode.MISSING_COLUMN, required))
    return columns, errors


def _find_unit(units: Mapping[str, _UnitRef], code: str) -> _UnitRef | None:
    """By code; a numeric cell that lost its leading zeros ('4' for '00004') still matches."""
    found = units.get(code)
    if found is None and code.isdigit():
        found = units.get(code.zfill(3)) or units.get(code.zfill(5))
    return found


def _check_rows(
    kind: _Kind,
    table: Table,
    columns: Mapping[int, str],
    units: Mapping[str, _UnitRef],
    *,
    years: tuple[int, int],
    within: Unit | None,
) -> tuple[list[_Row], int, list[RowError]]:
    rows: list[_Row] = []
    errors: list[RowError] = []
    first_row: dict[tuple[int, int], int] = {}
    skipped = 0
    for number, cells in table[1:]:
        if not any(_text(cell) for cell in cells):
            continue
        cell_of = {
            name: cells[index] if index < len(cells) else None for index, name in columns.items()
        }
        problems: list[RowError] = []
        code = _text(cell_of[UNIT_CODE])
        unit = _find_unit(units, code) if code else None
        if not code:
            problems.append(RowError(number, ImportErrorCode.REQUIRED, UNIT_CODE))
        elif unit is None:
            problems.append(RowError(number, ImportErrorCode.UNKNOWN_UNIT, UNIT_CODE, code))
        elif unit.level not in kind.levels:
            problems.append(RowError(number, ImportErrorCode.WRONG_LEVEL, UNIT_CODE, code))
        elif within is not None and not unit.path.startswith(within.path):
            problems.append(RowError(number, ImportErrorCode.OUT_OF_SCOPE, UNIT_CODE, code))
        year_text = _text(cell_of[YEAR])
        year = _parse_year(year_text, *years) if year_text else ImportErrorCode.REQUIRED
        if isinstance(year, ImportErrorCode):
            problems.append(RowError(number, year, YEAR, year_text))
        values: dict[str, int] = {}
        for name, cell in cell_of.items():
            if name not in kind.columns or not _text(cell):
                continue
            stored = kind.columns[name]
            parsed = parse_rate(cell) if stored.startswith("target:") else parse_count(cell)
            if isinstance(parsed, ImportErrorCode):
                problems.append(RowError(number, parsed, name, _text(cell)))
            else:
                values[stored] = parsed
        if not problems and unit is not None and isinstance(year, int):
            earlier = first_row.setdefault((unit.id, year), number)
            if earlier != number:
                problems.append(
                    RowError(number, ImportErrorCode.DUPLICATE_ROW, UNIT_CODE, code, str(earlier))
                )
            elif values:
                rows.append(_Row(number, unit, year, values))
            else:
                skipped += 1
        errors += problems
    return rows, skipped, errors


def _overlaps(
    rows: Sequence[_Row], existing: Iterable[BaselineRow], units: Mapping[int, _UnitRef]
) -> list[RowError]:
    """Rows whose (year, indicator) is also held by an ancestor or descendant unit, in the
    file or already stored: the two would be counted twice in every total above them."""
    replaced = {(row.unit.id, row.year, name) for row in rows for name in row.values}
    holders: dict[tuple[int, str], dict[str, str]] = {}
    for stored in existing:
        if (stored.unit_id, stored.year, stored.indicator) not in replaced:
            ref = units[stored.unit_id]
            holders.setdefault((stored.year, stored.indicator), {})[ref.path] = ref.code
    for row in rows:
        for name in row.values:
            holders.setdefault((row.year, name), {})[row.unit.path] = row.unit.code
    ordered = {key: sorted(paths) for key, paths in holders.items()}
    column_of = {stored: column for column, stored in BASELINE_COLUMNS.items()}
    errors = []
    for row in rows:
        for name in row.values:
            paths, codes = ordered[(row.year, name)], holders[(row.year, name)]
            path = row.unit.path
            clash = next((p for p in _ancestor_paths(path) if p in codes), None)
            if clash is None:
                index = bisect_left(paths, path) + 1  # paths[index - 1] is the row's own
                if index < len(paths) and paths[index].startswith(path):
                    clash = paths[index]
            if clash is not None:
                errors.append(
                    RowError(
                        row.number,
                        ImportErrorCode.OVERLAPS,
                        column_of[name],
                        str(row.values[name]),
                        codes[clash],
                    )
                )
    return errors


def _ancestor_paths(path: str) -> list[str]:
    """'/1/5/77/' → ['/1/', '/1/5/']."""
    parts = path.strip("/").split("/")[:-1]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


async def _units(tx: Tx) -> list[_UnitRef]:
    rows = await tx.fetchall("SELECT id, code, level, path FROM unit")
    return [_UnitRef(int(r[0]), str(r[1]), Level(r[2]), str(r[3])) for r in rows]


# --- Importing --------------------------------------------------------------------------------


async def _import(
    db: Database,
    kind: _Kind,
    source: Source,
    file_name: str,
    *,
    actor_id: int | None,
    now: datetime,
    within: Unit | None,
) -> ImportResult | ImportRejected:
    table = await asyncio.to_thread(_read, source, file_name)
    if isinstance(table, RowError):
        return ImportRejected((table,))
    table = [(number, cells) for number, cells in table if any(_text(c) for c in cells)]
    if len(table) < 2:
        return ImportRejected((RowError(None, ImportErrorCode.NO_DATA),))
    columns, errors = _header(kind, table[0][1], table)
    if errors:
        return ImportRejected(tuple(_ordered(errors)))
    async with db.transaction() as tx:
        refs = await _units(tx)
        rows, skipped, errors = _check_rows(
            kind,
            table,
            columns,
            {ref.code: ref for ref in refs},
            years=figure_years(now),
            within=within,
        )
        if kind is _BASELINES and not errors:
            by_id = {ref.id: ref for ref in refs}
            errors = _overlaps(rows, await figure_store.all_baselines(tx), by_id)
        if errors:
            return ImportRejected(tuple(_ordered(errors)))
        if kind is _FIGURES:
            await _write_figures(tx, rows, actor_id, now)
        else:
            await _write_baselines(tx, rows, actor_id, now)
    return ImportResult(
        rows=len(rows),
        units=len({row.unit.id for row in rows}),
        values=sum(len(row.values) for row in rows),
        skipped=skipped,
    )


def _ordered(errors: Iterable[RowError]) -> list[RowError]:
    """By row, then column, as someone fixing the sheet top to bottom reads them."""
    return sorted(errors, key=lambda e: (e.row or 0, e.column or ""))


async def _write_figures(tx: Tx, rows: Sequence[_Row], actor_id: int | None, now: datetime) -> None:
    for row in rows:
        before = await figure_store.figures_of(tx, row.unit.id, row.year)
        for figure, value in row.values.items():
            await figure_store.put_figure(tx, row.unit.id, row.year, figure, value, actor_id, now)
        await people.audit(
            tx,
            actor_id=actor_id,
            action="import",
            entity="unit_figure",
            entity_id=f"{row.unit.id}:{row.year}",
            before=before,
            after={**before, **row.values},
        )


async def _write_baselines(
    tx: Tx, rows: Sequence[_Row], actor_id: int | None, now: datetime
) -> None:
    changes = []
    for row in rows:
        before = await figure_store.baselines_of(tx, row.unit.id, row.year)
        changes += [
            BaselineChange(row.unit.id, row.year, name, before.get(name), value)
            for name, value in row.values.items()
        ]
        await people.audit(
            tx,
            actor_id=actor_id,
            action="import",
            entity="baseline",
            entity_id=f"{row.unit.id}:{row.year}",
            before=before,
            after={**before, **row.values},
        )
    await figure_store.put_baselines(
        tx, [BaselineRow(c.unit_id, c.year, c.indicator, c.after or 0) for c in changes], now
    )
    await counters.move_baselines(tx, changes)


async def import_figures(
    db: Database,
    path_or_bytes: Source,
    file_name: str,
    *,
    actor_id: int | None,
    now: datetime,
    within: Unit | None = None,
) -> ImportResult | ImportRejected:
    """Import a figures file (format in the module docstring) in one transaction, or nothing.

    `within`: refuse rows for units outside this scope (the importing chair's unit).
    """
    return await _import(
        db, _FIGURES, path_or_bytes, file_name, actor_id=actor_id, now=now, within=within
    )


async def import_baseline(
    db: Database,
    path_or_bytes: Source,
    file_name: str,
    *,
    actor_id: int | None,
    now: datetime,
    within: Unit | None = None,
) -> ImportResult | ImportRejected:
    """Import a baseline file and roll it up into the counters, in one transaction, or
    nothing. Importing the same file again changes nothing."""
    return await _import(
        db, _BASELINES, path_or_bytes, file_name, actor_id=actor_id, now=now, within=within
    )


async def clear_baselines(
    db: Database,
    unit: Unit,
    year: int,
    *,
    actor_id: int | None,
    indicators: Sequence[str] | None = None,
) -> int:
    """Remove a unit's baselines for a year (all indicators unless given) and their counters;
    returns how many rows went. For a baseline imported on the wrong level."""
    wanted = counters.baseline_indicators() if indicators is None else list(indicators)
    for name in wanted:
        counters.baseline(name)  # refuses unknown names
    async with db.transaction() as tx:
        before = await figure_store.baselines_of(tx, unit.id, year)
        gone = {name: value for name, value in before.items() if name in wanted}
        if not gone:
            return 0
        await figure_store.delete_baselines(tx, unit.id, year, sorted(gone))
        await counters.move_baselines(
            tx, [BaselineChange(unit.id, year, name, value, None) for name, value in gone.items()]
        )
        await people.audit(
            tx,
            actor_id=actor_id,
            action="clear",
            entity="baseline",
            entity_id=f"{unit.id}:{year}",
            before=before,
            after={k: v for k, v in before.items() if k not in gone},
        )
    return len(gone)
