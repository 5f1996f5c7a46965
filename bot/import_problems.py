"""Why an import of figures or baselines was refused, in words: one table for the command
line and the chat, so both say the same thing and share translations."""

from __future__ import annotations

from bot.i18n import N_, Translator
from bot.services.imports import ImportErrorCode, RowError

IMPORT_PROBLEMS = {
    ImportErrorCode.UNSUPPORTED_FORMAT: N_("the file must be .csv or .xlsx"),
    ImportErrorCode.UNREADABLE: N_("the file cannot be read"),
    ImportErrorCode.TOO_BIG: N_("the file is too big"),
    ImportErrorCode.NO_DATA: N_("no header row or no data"),
    ImportErrorCode.MISSING_COLUMN: N_("a column is missing"),
    ImportErrorCode.UNKNOWN_COLUMN: N_("unknown column"),
    ImportErrorCode.DUPLICATE_COLUMN: N_("the column appears twice"),
    ImportErrorCode.REQUIRED: N_("a value is required"),
    ImportErrorCode.UNKNOWN_UNIT: N_("no unit has this code"),
    ImportErrorCode.WRONG_LEVEL: N_("figures belong to communes, wards and the units above them"),
    ImportErrorCode.OUT_OF_SCOPE: N_("outside your units"),
    ImportErrorCode.NOT_A_YEAR: N_("not a year"),
    ImportErrorCode.YEAR_OUT_OF_RANGE: N_("the year is out of range"),
    ImportErrorCode.NOT_A_NUMBER: N_("not a number"),
    ImportErrorCode.NOT_AN_INTEGER: N_("not a whole number"),
    ImportErrorCode.TOO_PRECISE: N_("a target has at most one decimal"),
    ImportErrorCode.NEGATIVE: N_("negative"),
    ImportErrorCode.TOO_LARGE: N_("too large"),
    ImportErrorCode.DUPLICATE_ROW: N_("the same unit and year as another row"),
    ImportErrorCode.OVERLAPS: N_("already given on a unit above or below"),
}


def problem_text(t: Translator, code: ImportErrorCode) -> str:
    return t.gettext(IMPORT_PROBLEMS[code])


def describe(t: Translator, error: RowError) -> str:
    """ "Dòng 3: không có đơn vị nào mang mã này (unit_code, 99999)"."""
    problem = problem_text(t, error.code)
    line = (
        t.gettext("Row {row}: {problem}").format(row=error.row, problem=problem)
        if error.row is not None
        else t.gettext("The file: {problem}").format(problem=problem)
    )
    extra = ", ".join(part for part in (error.column or "", error.value, error.detail) if part)
    return f"{line} ({extra})" if extra else line
