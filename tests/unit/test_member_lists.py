"""Reading a line of a list of new members the way people write one."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.services.member_lists import NOT_IN_REACH, UNREAD, RowProblem, read_line, row_line
from bot.storage.models import Level, Unit, UnitKind
from bot.storage.records import FieldCode, Gender

TODAY = date(2026, 11, 28)


def unit(unit_id: int, name: str) -> Unit:
    return Unit(
        id=unit_id,
        parent_id=9,
        level=Level.BRANCH,
        code=f"B{unit_id}",
        name=name,
        kind=UnitKind.VILLAGE,
        path=f"/1/9/{unit_id}/",
    )


MINE = {"thon dong": unit(10, "Thôn Đông"), "thon tay": unit(11, "Thôn Tây")}
OTHERS = {"thon bac": unit(12, "Thôn Bắc")}
HOA = {
    "full_name": "Trần Thị Hoa",
    "gender": Gender.FEMALE,
    "birth_year": 1965,
    "joined_on": date(2025, 10, 15),
    "phone": "+84912345678",
}


@pytest.mark.parametrize(
    ("line", "values"),
    [
        ("Trần Thị Hoa, nữ, 1965, 15/10/2025, 0912345678", HOA),
        ("Trần Thị Hoa; Nữ; 1965; 15-10-2025; 0912 345 678", HOA),
        ("Trần Thị Hoa\tnữ\t1965\t15.10.2025\t+84 912 345 678", HOA),
        ("Trần Thị Hoa | 0912345678 | 15/10/2025 | 1965 | nữ", HOA),  # any order
        ("Trần Thị Hoa nữ 1965 15/10/2025 0912345678", HOA),  # spaces only
        ("Trần Thị Hoa nữ giới năm 1965 ngày 15 tháng 10 năm 2025 0912 345 678", HOA),
        ("3. Trần Thị Hoa, nữ, năm 1965, 15 tháng 10 năm 2025, 912345678", HOA),
        (
            "Nguyễn Văn Nam, nam, 1958, hôm nay, không có",
            {
                "full_name": "Nguyễn Văn Nam",
                "gender": Gender.MALE,
                "birth_year": 1958,
                "joined_on": TODAY,
                "phone": None,
            },
        ),
        (
            "Nguyễn Văn Nam nam 1958 hôm qua",
            {
                "full_name": "Nguyễn Văn Nam",
                "gender": Gender.MALE,
                "birth_year": 1958,
                "joined_on": date(2026, 11, 27),
            },
        ),
        (
            "Lê Thị Lan, nữ, 1970, 1/2/2025, Thôn Tây",
            {
                "full_name": "Lê Thị Lan",
                "gender": Gender.FEMALE,
                "birth_year": 1970,
                "joined_on": date(2025, 2, 1),
                "unit_id": 11,
            },
        ),
        (
            "Lê Thị Lan, nữ, 1970, 1/2/2025, chi hội Thôn Đông",
            {
                "full_name": "Lê Thị Lan",
                "gender": Gender.FEMALE,
                "birth_year": 1970,
                "joined_on": date(2025, 2, 1),
                "unit_id": 10,
            },
        ),
    ],
)
def test_lines_read_whatever_the_separators(line: str, values: dict[str, Any]) -> None:
    found, problems = read_line(line, today=TODAY, branches=MINE, others=OTHERS)
    assert problems == []
    assert found == values


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (
            "Trần Thị Hoa, nữ, 1965, 15/10/2027",
            RowProblem("joined_on", FieldCode.FUTURE, "15/10/2027"),
        ),
        (
            "Trần Thị Hoa, nữ, 1865, 15/10/2025",
            RowProblem("birth_year", FieldCode.OUT_OF_RANGE, "1865"),
        ),
        (
            "Trần Thị Hoa, nữ, 1965, 15/10/2025, 0227 3123 456",
            RowProblem("phone", FieldCode.NOT_MOBILE, "0227 3123 456"),
        ),
        (
            "Trần Thị Hoa, nữ, 1965, 15/10/2025, 0912",
            RowProblem("line", UNREAD, "0912"),
        ),
        (
            "Trần Thị Hoa, nữ, 1965, 15/10/2025, Thôn Bắc",
            RowProblem("unit_id", NOT_IN_REACH, "Thôn Bắc"),
        ),
        ("Trần Thị Hoa, nữ, 1965, 1966, 15/10/2025", RowProblem("line", UNREAD, "1966")),
        ("Trần Thị Hoa, nữ, 1965, 15/10/2025, Lê Văn Ba", RowProblem("line", UNREAD, "Lê Văn Ba")),
    ],
)
def test_a_part_that_cannot_be_right_is_named(line: str, problem: RowProblem) -> None:
    _, problems = read_line(line, today=TODAY, branches=MINE, others=OTHERS)
    assert problems == [problem]


def test_workbook_rows_become_lines() -> None:
    assert row_line(5, ["1", "Trần Thị Hoa", "nữ", "1965", "15/10/2025", "", "0912345678"]) == (
        row_line(5, ["Trần Thị Hoa", "nữ", "1965", "15/10/2025", "0912345678"])
    )
    line = row_line(7, ["12", "Trần Thị Hoa", "nữ", "1965"])
    assert line is not None and line.number == 7 and line.text == "Trần Thị Hoa, nữ, 1965"
    assert row_line(8, ["3", "", ""]) is None


def test_a_row_number_of_four_digits_is_not_a_year() -> None:
    line = row_line(1004, ["1000", "Lê Văn Nam", "nam", "1950", "15/10/2025"])
    assert line is not None and line.text == "Lê Văn Nam, nam, 1950, 15/10/2025"
