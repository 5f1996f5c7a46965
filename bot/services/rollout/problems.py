"""Why a sheet was refused: one code per problem, found by row, so that the office corrects
every row at once instead of sending the sheet back once per mistake. Nothing is written
while there is one (`Rejected`)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.services.imports import ImportErrorCode


class Problem(StrEnum):
    """Why a file or a row was refused; `rollout_files.describe` says each in words."""

    UNSUPPORTED_FORMAT = ImportErrorCode.UNSUPPORTED_FORMAT.value
    UNREADABLE = ImportErrorCode.UNREADABLE.value
    TOO_BIG = ImportErrorCode.TOO_BIG.value
    NO_DATA = ImportErrorCode.NO_DATA.value
    MISSING_COLUMN = ImportErrorCode.MISSING_COLUMN.value
    UNKNOWN_COLUMN = ImportErrorCode.UNKNOWN_COLUMN.value
    DUPLICATE_COLUMN = ImportErrorCode.DUPLICATE_COLUMN.value
    REQUIRED = ImportErrorCode.REQUIRED.value
    NOT_ALLOWED = "not_allowed"
    """Only the province administrator (or the command line) rolls out."""
    UNKNOWN_COMMUNE = "unknown_commune"
    """`detail`: communes whose name contains it or is close to it, if any."""
    AMBIGUOUS_COMMUNE = "ambiguous_commune"
    """`detail`: the candidates, with their codes."""
    UNKNOWN_AREA = "unknown_area"
    AMBIGUOUS_AREA = "ambiguous_area"
    NOT_IN_AREA = "not_in_area"
    """The commune is not in the area the row gives (`detail`: the area)."""
    NO_MIDDLE_LEVEL = "no_middle_level"
    """A chair of an area or district on a map without either."""
    UNKNOWN_ROLE = "unknown_role"
    ROLE_NOT_ALLOWED = "role_not_allowed"
    BRANCH_FOR_CHAIR = "branch_for_chair"
    """A chair's row names a branch."""
    UNKNOWN_KIND = "unknown_kind"
    KIND_DIFFERS = "kind_differs"
    """The branch is of another kind in the bot or on an earlier row (`detail`: that kind)."""
    BAD_BRANCH_NAME = "bad_branch_name"
    BRANCH_CLOSED = "branch_closed"
    """A closed branch of the commune has this name."""
    BAD_NAME = "bad_name"
    """`detail`: a `registration.NameProblem`."""
    BAD_PHONE = "bad_phone"
    """`detail`: a `bot.phone.PhoneErrorCode`."""
    DUPLICATE_ROW = "duplicate_row"
    """The same person, role and unit as an earlier row (`detail`: its number)."""
    PERSON_TWICE = "person_twice"
    """The phone number of someone on an earlier row (`detail`: its number)."""


@dataclass(frozen=True)
class RowProblem:
    row: int | None
    """As the spreadsheet numbers it (headers = 1); None for the file as a whole."""
    code: Problem
    column: str | None = None
    """The canonical column, or the header as written for an unknown column."""
    value: str = ""
    detail: str = ""


@dataclass(frozen=True)
class Rejected:
    """Nothing was written."""

    errors: tuple[RowProblem, ...]
    rows: int = 0
