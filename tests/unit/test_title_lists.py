"""Reading a pasted list of names for a title, and the workbook sent back."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook

from bot import list_workbooks
from bot.list_workbooks import Column, Unreadable, WorkbookUnreadable
from bot.services.title_lists import Line, read, row_line, split_lines, subject_and_note
from bot.storage.records import FieldCode, NominationKind

TODAY = date(2026, 11, 28)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Trần Văn Bình", ("Trần Văn Bình", None)),
        ("12. Trần Văn Bình", ("Trần Văn Bình", None)),
        ("12) Trần Văn Bình, 3 con đỗ đại học", ("Trần Văn Bình", "3 con đỗ đại học")),
        ("- Trần Văn Bình; thôn Đông", ("Trần Văn Bình", "thôn Đông")),
        ("• Trần  Văn   Bình — gia đình hiếu học", ("Trần Văn Bình", "gia đình hiếu học")),
        ("3\tTrần Văn Bình\tghi chú", ("Trần Văn Bình", "ghi chú")),
        ("Tổ dân phố số 3", ("Tổ dân phố số 3", None)),
    ],
)
def test_subject_and_note(text: str, expected: tuple[str, str | None]) -> None:
    assert subject_and_note(text) == expected


def test_a_list_read_line_by_line() -> None:
    lines = split_lines(
        "trần văn bình\n\n  Lê Thị Hoa, 3 con đỗ đại học \nTRẦN VĂN BÌNH\n123\nA", 1
    )
    assert [line.number for line in lines] == [1, 2, 3, 4, 5]
    reading = read(NominationKind.CITIZEN, lines, today=TODAY)
    assert [(e.subject, e.note) for e in reading.ready] == [
        ("Trần Văn Bình", None),  # a citizen's name capitalised
        ("Lê Thị Hoa", "3 con đỗ đại học"),
    ]
    assert [(e.line.number, first) for e, first in reading.repeated] == [(3, 1)]
    assert [line.text for line in reading.unreadable] == ["123"]
    assert [(line.number, field, code) for line, field, code in reading.problems] == [
        (5, "subject", FieldCode.TOO_SHORT)
    ]
    assert reading.total == 5


def test_names_of_villages_and_families_as_people_write_them() -> None:
    reading = read(NominationKind.VILLAGE_COMMUNITY, [Line(1, "Tổ dân phố số 3")], today=TODAY)
    assert [e.subject for e in reading.ready] == ["Tổ dân phố số 3"]
    family = [Line(1, "Gia đình ông Tư (xóm 3)"), Line(2, "gia đình ông tư (xóm 3)")]
    reading = read(NominationKind.FAMILY, family, today=TODAY)
    assert [e.subject for e in reading.ready] == ["Gia đình ông Tư (xóm 3)"]
    assert [first for _, first in reading.repeated] == [1]
    assert read(NominationKind.CITIZEN, [Line(1, "Nguyễn Văn 3")], today=TODAY).unreadable


def test_a_template_read_back() -> None:
    content = list_workbooks.template_bytes(
        sheet="Gia đình",
        title="Gia đình học tập, năm 2026",
        hint="Mỗi dòng một mục",
        columns=[Column("STT"), Column("Chủ hộ", text=True), Column("Ghi chú", text=True)],
        rows=[[1, "Trần Văn Bình", None], [2, "Lê Thị Hoa", "3 con đỗ đại học"]],
    )
    rows = list_workbooks.read_rows(content, "x.xlsx", headers=["Chủ hộ"])
    assert rows == [(5, ["1", "Trần Văn Bình"]), (6, ["2", "Lê Thị Hoa", "3 con đỗ đại học"])]
    assert [row_line(n, cells) for n, cells in rows] == [
        Line(5, "Trần Văn Bình"),
        Line(6, "Lê Thị Hoa\t3 con đỗ đại học"),
    ]


def test_any_workbook_or_csv() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Trần Văn Bình", date(2025, 10, 15), 1965.0])
    buffer = io.BytesIO()
    book.save(buffer)
    assert list_workbooks.read_rows(buffer.getvalue(), "a.xlsx") == [
        (1, ["Trần Văn Bình", "15/10/2025", "1965"])
    ]
    csv = "Họ và tên;Giới tính\nTrần Thị Hoa;nữ\n".encode("utf-8-sig")
    assert list_workbooks.read_rows(csv, "a.csv", headers=["họ và tên"]) == [
        (2, ["Trần Thị Hoa", "nữ"])
    ]
    with pytest.raises(WorkbookUnreadable) as error:
        list_workbooks.read_rows(b"PK-not-really", "a.xlsx")
    assert error.value.code is Unreadable.NOT_A_WORKBOOK
