"""Lists of new members: many at once, pasted one per line or from a workbook.

A line is read the way people write one, in any order after the name and with forgiving
separators (commas, semicolons, tabs, or only spaces): "Trần Thị Hoa, nữ, 1965, 15/10/2025,
0912345678", "Nguyễn Văn An nam 1958 hôm nay không có". Each part is recognised by what it
is: a gender word, a year of birth, a date (`bot.dates`, words included), a mobile number
(`bot.phone`; "không có" for none), a branch of the commune by its name, the name. Then every
row is checked as the single form checks one member: the input model's limits, and the likely
duplicates in the commune (`members.likely_duplicates`), also against the earlier rows of the
list. Nothing is stored until the person has seen all of it; then the rows are stored in one
transaction, each by the rule of a single member (`reporting.create`), all or none.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

from pydantic import ValidationError

from bot.dates import DateError, DateErrorCode, parse_birth_year, parse_date
from bot.phone import PhoneError, PhoneErrorCode, normalize_phone
from bot.services import members, reporting
from bot.services.reporting import ReportError
from bot.services.title_lists import Line
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import Level, Unit
from bot.storage.records import (
    FieldCode,
    Gender,
    Member,
    MemberInput,
    field_problems,
    validate_input,
)
from bot.text import fold

__all__ = ["Line"]

MAX_ROWS: Final = 3000

GENDER_WORDS: Final = {
    "nam": Gender.MALE,
    "nam gioi": Gender.MALE,
    "trai": Gender.MALE,
    "dan ong": Gender.MALE,
    "male": Gender.MALE,
    "m": Gender.MALE,
    "nu": Gender.FEMALE,
    "nu gioi": Gender.FEMALE,
    "gai": Gender.FEMALE,
    "phu nu": Gender.FEMALE,
    "female": Gender.FEMALE,
    "f": Gender.FEMALE,
}
"""Folded words for a gender ("nữ", "Nam giới"…)."""

NO_PHONE_WORDS: Final = frozenset(
    {"khong", "khong co", "ko", "ko co", "k", "kh", "chua co", "khong sdt", "-", "x", "none"}
)
"""Typed where the phone number goes when there is none."""

UNREAD: Final = "unread"
"""A part of the line that is none of the fields (its text is the problem's `part`)."""
NOT_IN_REACH: Final = "not_in_reach"
"""A branch named that this person may not report for."""

_SEPARATORS = re.compile(r"[,;\t|]")
_NUMBERING = re.compile(r"^\s*(?:[-–•*+·>]+\s*|\(?[0-9]{1,4}\s*[.)/:]\s+|[0-9]{1,4}[.)]\s*)")
_YEAR = re.compile(r"(?:nam\s*)?[1-9][0-9]{3}", re.ASCII)
_PHONE_PUNCTUATION = re.compile(r"[\s.\-()+]")
_NAME_SIGNS = frozenset(" .-'’")
_BRANCH_WORDS = ("chi hoi ",)
_LEAD_WORDS = frozenset({"năm", "ngày", "ngay"})
"""Words that begin a year or a date, not a name ("năm" folds to "nam", a gender)."""
_WINDOW = 6
"""The most words a part written with spaces only may take ("ngày 15 tháng 10 năm 2025")."""


@dataclass(frozen=True)
class RowProblem:
    """Why a row cannot be stored: the field (`full_name`…, or `line` for a part not
    understood) and a `FieldCode` value, `UNREAD` or `NOT_IN_REACH`; `part` is what was typed."""

    field: str
    code: str
    part: str = ""


@dataclass
class _Read:
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[RowProblem] = field(default_factory=list)

    def put(self, key: str, value: object, part: str) -> None:
        if key in self.values:
            self.problems.append(RowProblem("line", UNREAD, part))
        else:
            self.values[key] = value


@dataclass(frozen=True)
class Row:
    """A line read: the values found, and what stops it from being stored (none: `data`)."""

    line: Line
    values: Mapping[str, Any]
    problems: tuple[RowProblem, ...]
    data: MemberInput | None


def _branch_key(folded: str) -> str:
    for word in _BRANCH_WORDS:
        if folded.startswith(word):
            return folded[len(word) :]
    return folded


def _is_name(part: str) -> bool:
    return any(ch.isalpha() for ch in part) and all(
        ch.isalpha() or ch in _NAME_SIGNS for ch in part
    )


def _part(
    part: str,
    *,
    today: date,
    branches: Mapping[str, Unit],
    others: Mapping[str, Unit],
    exact: bool,
) -> tuple[str, object] | RowProblem | None:
    """What one part is: (field, value), a problem with a part that is clearly that field, or
    None (not recognised). `exact` False (a window of words written with spaces only): only
    a part read whole counts."""
    folded = fold(part).strip(" .")
    if folded in GENDER_WORDS:
        return "gender", GENDER_WORDS[folded]
    if folded in NO_PHONE_WORDS:
        return "phone", None
    if _YEAR.fullmatch(folded):
        try:
            return "birth_year", parse_birth_year(folded, today=today)
        except DateError:
            return RowProblem("birth_year", FieldCode.OUT_OF_RANGE, part) if exact else None
    try:
        return "joined_on", parse_date(part, today=today)
    except DateError as error:
        if exact and error.code in (DateErrorCode.FUTURE, DateErrorCode.TOO_OLD):
            code = FieldCode.FUTURE if error.code is DateErrorCode.FUTURE else FieldCode.TOO_OLD
            return RowProblem("joined_on", code, part)
    digits = _PHONE_PUNCTUATION.sub("", part)
    if digits.isdigit() and len(digits) >= 8:
        if len(digits) == 9 and digits[0] in "35789":
            digits = "0" + digits  # typed into a number cell: the leading 0 went
        try:
            return "phone", normalize_phone(digits if not part.strip().startswith("+") else part)
        except PhoneError as error:
            if not exact:
                return None
            code = (
                FieldCode.NOT_MOBILE
                if error.code is PhoneErrorCode.NOT_MOBILE
                else FieldCode.INVALID
            )
            return RowProblem("phone", code, part)
    key = _branch_key(folded)
    if key in branches:
        return "unit_id", branches[key].id
    if key in others:
        return RowProblem("unit_id", NOT_IN_REACH, part) if exact else None
    if exact and _is_name(part):
        return "full_name", part
    return None


def read_line(
    text: str,
    *,
    today: date,
    branches: Mapping[str, Unit],
    others: Mapping[str, Unit] | None = None,
) -> tuple[dict[str, Any], list[RowProblem]]:
    """The fields of one line (nothing checked against the database): `branches` are the
    folded names this person may name, `others` those of the commune they may not."""
    others = others or {}
    text = _NUMBERING.sub("", text.strip(), count=1)
    found = _Read()

    def take(part: str, *, exact: bool = True) -> bool:
        what = _part(part, today=today, branches=branches, others=others, exact=exact)
        if isinstance(what, RowProblem):
            found.problems.append(what)
            return True
        if what is None:
            return False
        found.put(what[0], what[1], part)
        return True

    if _SEPARATORS.search(text):
        for part in (p.strip() for p in _SEPARATORS.split(text)):
            if not part:
                continue
            folded = fold(part)
            if (
                "full_name" not in found.values
                and _is_name(part)
                and folded not in GENDER_WORDS
                and folded not in NO_PHONE_WORDS
                and _branch_key(folded) not in branches
            ):
                found.values["full_name"] = part
                continue
            if not take(part):
                found.problems.append(RowProblem("line", UNREAD, part))
        return found.values, found.problems
    words = text.split()
    first_digit = next((i for i, word in enumerate(words) if any(c.isdigit() for c in word)), None)
    head = words if first_digit is None else words[:first_digit]
    tail = [] if first_digit is None else words[first_digit:]
    while head and head[-1].lower() in _LEAD_WORDS:  # "năm 1965", "ngày 15 tháng 10…"
        tail.insert(0, head.pop())
    for size in (2, 1):  # "Nguyễn Thị Hoa nữ giới 1965…": the gender ends the words
        if len(head) >= size + 2 and fold(" ".join(head[-size:])) in GENDER_WORDS:
            found.put("gender", GENDER_WORDS[fold(" ".join(head[-size:]))], " ".join(head[-size:]))
            head = head[:-size]
            break
    if head:
        found.values["full_name"] = " ".join(head)
    index = 0
    while index < len(tail):
        for size in range(min(_WINDOW, len(tail) - index), 0, -1):
            if take(" ".join(tail[index : index + size]), exact=size == 1):
                index += size
                break
        else:
            found.problems.append(RowProblem("line", UNREAD, tail[index]))
            index += 1
    return found.values, found.problems


REQUIRED_FIELDS: Final = ("full_name", "gender", "birth_year", "joined_on")


def row_of(
    line: Line,
    *,
    today: date,
    branch: Unit,
    branches: Mapping[str, Unit],
    others: Mapping[str, Unit] | None = None,
) -> Row:
    """A line read and checked by the input model; `branch` where the line names none."""
    values, problems = read_line(line.text, today=today, branches=branches, others=others)
    values.setdefault("unit_id", branch.id)
    if isinstance(values.get("joined_on"), date):
        values["joined_on"] = values["joined_on"].isoformat()
    named = {problem.field for problem in problems}
    problems += [
        RowProblem(key, FieldCode.REQUIRED)
        for key in REQUIRED_FIELDS
        if key not in values and key not in named
    ]
    if problems:
        return Row(line, values, tuple(problems), None)
    try:
        data = validate_input(MemberInput, values, today=today)
    except ValidationError as error:
        found = tuple(RowProblem(problem.field, problem.code) for problem in field_problems(error))
        return Row(line, values, found, None)
    return Row(line, values, (), data)


def row_line(number: int, cells: Sequence[str]) -> Line | None:
    """A workbook row (number, name, gender…) as the line it would have been typed as."""
    kept = [cell.strip() for cell in cells if cell.strip()]
    if kept and kept[0].isdigit() and (len(kept) == 1 or _is_name(kept[1])):
        kept = kept[1:]  # the row's number (STT), before the name
    return Line(number, ", ".join(kept)) if kept else None


# ---------------------------------------------------------------- checking


@dataclass(frozen=True)
class Doubt:
    """A row that may be someone already a member, or an earlier row of the list."""

    row: Row
    twins: tuple[Member, ...]
    """Members in the commune with the same name and year of birth."""
    earlier: int | None
    """The number of an earlier line of the list with the same name and year of birth."""


@dataclass(frozen=True)
class Reading:
    ready: list[Row]
    doubtful: list[Doubt]
    problems: list[Row]

    @property
    def total(self) -> int:
        return len(self.ready) + len(self.doubtful) + len(self.problems)


@dataclass(frozen=True)
class Branches:
    """The branches a list's lines may name: of the chosen branch's commune, those this
    person may report for (`mine`) and the others (`others`), by folded name."""

    mine: dict[str, Unit]
    others: dict[str, Unit]


async def branches_for(db: Database, actor_id: int, branch: Unit) -> Branches:
    grants = await people.grants_of(db, actor_id)
    siblings = [branch]
    if branch.parent_id is not None:
        siblings = await unit_store.children(db, branch.parent_id) or [branch]
    mine: dict[str, Unit] = {}
    others: dict[str, Unit] = {}
    for unit in siblings:
        if unit.level is not Level.BRANCH:
            continue
        target = mine if reporting.can_report(grants, unit) else others
        target[_branch_key(fold(unit.name))] = unit
    return Branches(mine, others)


async def check(
    db: Database, actor_id: int, branch: Unit, lines: Sequence[Line], *, today: date
) -> Reading:
    """Every line read and checked, each valid one against the members of the commune and
    the earlier lines (nothing stored)."""
    reach = await branches_for(db, actor_id, branch)
    by_id = {unit.id: unit for unit in reach.mine.values()}
    ready: list[Row] = []
    doubtful: list[Doubt] = []
    problems: list[Row] = []
    first_of: dict[tuple[str, int], int] = {}
    for line in lines:
        row = row_of(line, today=today, branch=branch, branches=reach.mine, others=reach.others)
        if row.data is None:
            problems.append(row)
            continue
        key = (fold(row.data.full_name), row.data.birth_year)
        earlier = first_of.setdefault(key, line.number)
        home = by_id.get(row.data.unit_id, branch)
        twins = tuple(await members.likely_duplicates(db, row.data, home))
        if twins or earlier != line.number:
            doubtful.append(Doubt(row, twins, earlier if earlier != line.number else None))
        else:
            ready.append(row)
    return Reading(ready, doubtful, problems)


# ---------------------------------------------------------------- storing


class _Refused(Exception):
    def __init__(self, line: Line, error: ReportError) -> None:
        super().__init__(error.value)
        self.line = line
        self.error = error


async def store(
    db: Database,
    actor_id: int,
    rows: Sequence[Row],
    *,
    idempotency_key: str,
    now: datetime,
) -> list[Member] | tuple[Line, ReportError]:
    """Store the rows' members in one transaction, each as a single member is stored
    (`reporting.create`: scope, the branch, the counters, the audit line, saved once per
    key); a row refused leaves nothing stored and is named."""
    if not 1 <= len(idempotency_key) <= reporting.KEY_MAX - 10:
        raise ValueError("idempotency keys of lists are 1..90 characters")
    if len(rows) > MAX_ROWS:
        raise ValueError(f"at most {MAX_ROWS} rows in a list")
    try:
        async with db.transaction() as tx:
            created: list[Member] = []
            for row in rows:
                if row.data is None:
                    raise ValueError("a row with problems cannot be stored")
                result = await reporting.create(
                    tx,
                    Member,
                    actor_id,
                    row.data,
                    idempotency_key=f"{idempotency_key}:{row.line.number}",
                    now=now,
                )
                if isinstance(result, ReportError):
                    raise _Refused(row.line, result)
                created.append(result[0])
            return created
    except _Refused as refused:
        return refused.line, refused.error
