"""Which of the bot's files a file is, by what its readers look for (`incoming_files.recognise`
over `list_workbooks.peek`), and who may do what with one (`incoming_files.uses`)."""

from __future__ import annotations

import io
from collections.abc import Sequence

import pytest
from openpyxl import Workbook

from bot import list_workbooks
from bot.list_workbooks import Peek, Unreadable, WorkbookUnreadable
from bot.services.incoming_files import ListTemplates, Recognised, Use, recognise, uses
from bot.storage.models import Grant, Level, Role, Unit, UnitKind
from bot.storage.records import NominationKind
from tests.unit.test_imports import windows_1258

Cell = str | int | None

TEMPLATES = ListTemplates(
    member_names=frozenset({"Họ và tên", "Full name"}),
    member_marks=frozenset({"Giới tính (nam/nữ)", "Gender (nam/nữ)"}),
    title_subjects={"Chủ hộ": NominationKind.FAMILY, "Dòng họ": NominationKind.CLAN},
    title_names={
        "Gia đình học tập": NominationKind.FAMILY,
        "Dòng họ học tập": NominationKind.CLAN,
    },
    title_others=frozenset({"STT", "Ghi chú", "No.", "Note"}),
)


def xlsx(rows: Sequence[Sequence[Cell]], sheets: tuple[str, ...] = ("Sheet",)) -> bytes:
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = sheets[0]
    for extra in sheets[1:]:
        book.create_sheet(extra)
    for number, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            first.cell(number, column, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def of(content: bytes, name: str = "f.xlsx") -> Recognised:
    return recognise(list_workbooks.peek(content, name), TEMPLATES)


def test_the_list_templates_by_their_header_row_below_the_title() -> None:
    member = xlsx(
        [
            ["👥 Hội viên mới — Chi hội Thôn Đông"],
            ["Mỗi dòng một hội viên"],
            [],
            ["STT", "Họ và tên", "Giới tính (nam/nữ)", "Năm sinh"],
            [1, "Trần Thị Hoa", "nữ", 1965],
        ],
        ("Hội viên mới",),
    )
    assert of(member) == Recognised(Use.MEMBER_LIST)
    title = [["Gia đình học tập, năm 2026 — Chi hội Thôn Đông"], [], [], ["STT", "Chủ hộ"]]
    assert of(xlsx(title, ("Gia đình học tập",))) == Recognised(
        Use.TITLE_LIST, NominationKind.FAMILY, 2026
    )
    # The sheet renamed and the title line gone: the name column and the others still say it.
    bare: list[list[Cell]] = [["No.", "Dòng họ", "Note"], [1, "Dòng họ Phạm Văn"]]
    assert of(xlsx(bare)) == Recognised(Use.TITLE_LIST, NominationKind.CLAN, None)
    # A column named like a title's alone is not enough.
    assert of(xlsx([["Dòng họ"], ["Dòng họ Phạm"]])) == Recognised(None)
    # A list of one's own, headed as people head one, in a CSV.
    own = "Họ tên;Giới tính;Năm sinh\nLê Văn Bảy;nam;1981\n".encode()
    assert of(own, "ds.csv") == Recognised(Use.MEMBER_LIST)


def test_the_office_files_by_their_first_row() -> None:
    sheet = [["STT", "Xã/phường (mã hoặc tên)", "Chi hội", "Vai trò", "Họ và tên"]]
    assert of(xlsx(sheet, ("Danh sách", "Hướng dẫn"))) == Recognised(Use.ROLLOUT)
    assert of(b"ho ten,xa,chi hoi\nA,B,C\n", "s.csv") == Recognised(Use.ROLLOUT)
    figures = "Mã đơn vị,Năm,Dân số\n12688,2026,1100\n".encode()
    assert of(figures, "so-lieu.csv") == Recognised(Use.FIGURES)
    assert of(b"unit_code;year;members_total\n", "b.csv") == Recognised(Use.FIGURES)
    # Below a title line they are not: their readers take the first row as the header.
    assert of(xlsx([["Số liệu 2026"], ["unit_code", "year", "population"]])) == Recognised(None)


def test_anything_else_is_not_recognised() -> None:
    assert of(b"Le Van Bay;nam;1981;2/2/2025\n", "ds.csv") == Recognised(None)
    assert of(xlsx([])) == Recognised(None)
    assert of(b"", "empty.csv") == Recognised(None)


def test_peek_reads_only_the_start_and_refuses_what_is_not_a_spreadsheet() -> None:
    many = "\n".join(f"row {n};{n}" for n in range(20_000)).encode()
    found = list_workbooks.peek(many, "big.csv")
    assert len(found.rows) == list_workbooks.PEEK_ROWS and found.rows[0] == (1, ["row 0", "0"])
    assert list_workbooks.peek(xlsx([[None], ["a"]], ("A", "B")), "x.xlsx") == Peek(
        ("A", "B"), ((2, ["a"]),)
    )
    windows = windows_1258("Tên;Giới tính\n")
    assert list_workbooks.peek(windows, "w.csv").rows == ((1, ["Tên", "Giới tính"]),)
    for content, name in (
        (b"%PDF-1.4 ...", "ds.pdf"),
        (b"\xd0\xcf\x11\xe0 an old .xls", "ds.xls"),
        (b"PK\x03\x04 a damaged one", "ds.xlsx"),
        (b"\x00\x01\x02", "ds.csv"),
    ):
        with pytest.raises(WorkbookUnreadable) as raised:
            list_workbooks.peek(content, name)
        assert raised.value.code is Unreadable.NOT_A_WORKBOOK
    with pytest.raises(WorkbookUnreadable) as raised:
        list_workbooks.peek(b"x" * (list_workbooks.MAX_BYTES + 1), "big.xlsx")
    assert raised.value.code is Unreadable.TOO_LARGE


def grant(role: Role) -> Grant:
    unit = Unit(
        id=1,
        parent_id=None,
        code="1",
        name="X",
        level=Level.PROVINCE,
        kind=UnitKind.PROVINCE,
        path="/1/",
    )
    return Grant(id=1, telegram_id=7, role=role, unit=unit)


def test_uses_follow_the_commands_rules() -> None:
    assert uses([]) == ()
    assert uses([grant(Role.VOLUNTEER)]) == (Use.MEMBER_LIST,)
    assert uses([grant(Role.BRANCH_HEAD)]) == (Use.MEMBER_LIST, Use.TITLE_LIST)
    assert uses([grant(Role.COMMUNE_CHAIR)]) == (Use.MEMBER_LIST, Use.TITLE_LIST)
    assert uses([grant(Role.PROVINCE_ADMIN)]) == tuple(Use)
