"""The files of a rollout (`bot.services.rollout`), in the office's language: the template to
fill in, and what comes back: a workbook with each person's link and its QR code, and a
printable PDF with one card per person (A6, to print four to an A4 sheet). Also the words for
each problem of a sheet, for the chat and the command line alike.

Nothing here touches Telegram or the database: the caller passes the checked rollout and the
bot's username, and gets bytes (build them in a worker thread: 2,000 QR codes take seconds).
"""

from __future__ import annotations

import functools
import io
import unicodedata
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Final

import matplotlib
from openpyxl import Workbook
from openpyxl.drawing.image import Image as SheetImage
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from PIL import Image

from bot import import_problems
from bot.i18n import N_, Translator
from bot.services import rollout
from bot.services.imports import ImportErrorCode
from bot.services.reminder_schedule import VIETNAM_TZ
from bot.services.rollout import Person, Problem, Rollout, RowProblem, Status
from bot.storage.models import BRANCH_KINDS, Level, Role, Unit, UnitKind
from handlers.common import KIND_LABELS, role_label, unit_in_sentence

if TYPE_CHECKING:
    from fpdf import FPDF

TEMPLATE_NAME: Final = "mau-trien-khai.xlsx"

# --- Words ------------------------------------------------------------------------------------

HEADERS: Final = {
    rollout.NUMBER: N_("No."),
    rollout.COMMUNE: N_("Commune or ward (code or name)"),
    rollout.AREA: N_("Area (code or name)"),
    rollout.BRANCH: N_("Branch"),
    rollout.KIND: N_("Branch kind"),
    rollout.ROLE: N_("Role"),
    rollout.FULL_NAME: N_("Full name"),
    rollout.PHONE: N_("Phone"),
    rollout.NOTE: N_("Note"),
}
SHORT_HEADERS: Final = {
    rollout.COMMUNE: N_("Commune or ward"),
    rollout.AREA: N_("Area or district"),
}
"""How a problem names these columns (the template's headers say more)."""
DISTRICT_HEADER: Final = N_("District (code or name)")
"""The middle level's column on a map with districts."""
EXAMPLE: Final = N_("Example")

STATUS_TEXTS: Final = {
    Status.NEW: N_("new link"),
    Status.INVITED: N_("link made before, still valid"),
    Status.REGISTERED: N_("already registered"),
}

PROBLEMS: Final = {
    Problem.NOT_ALLOWED: N_("only the province administrator can roll out from a sheet"),
    Problem.UNKNOWN_COMMUNE: N_("no commune or ward has this code or name"),
    Problem.AMBIGUOUS_COMMUNE: N_(
        "more than one commune or ward has this name; write its code instead"
    ),
    Problem.UNKNOWN_AREA: N_("no area or district has this code or name"),
    Problem.AMBIGUOUS_AREA: N_("more than one area or district has this name; write its code"),
    Problem.NOT_IN_AREA: N_("this commune is not in the area or district of the row"),
    Problem.NO_MIDDLE_LEVEL: N_("the map has no areas or districts"),
    Problem.UNKNOWN_ROLE: N_("unknown role"),
    Problem.ROLE_NOT_ALLOWED: N_("a rollout sheet does not give this role"),
    Problem.BRANCH_FOR_CHAIR: N_("a chair's row names no branch and no branch kind"),
    Problem.UNKNOWN_KIND: N_("unknown branch kind"),
    Problem.KIND_DIFFERS: N_("this branch is of another kind (in the bot or on another row)"),
    Problem.BAD_BRANCH_NAME: N_("a branch name has 2 to 120 characters"),
    Problem.BRANCH_CLOSED: N_("a closed branch of this commune has this name"),
    Problem.BAD_NAME: N_("not a full name (letters and spaces, 2 to 100 characters)"),
    Problem.BAD_PHONE: N_("not a Vietnamese mobile number like 0912 345 678"),
    Problem.DUPLICATE_ROW: N_("the same person, role and unit as row {row}"),
    Problem.PERSON_TWICE: N_(
        "the same person as row {row}: one person gets one link (one role) per sheet"
    ),
}
_NEAR = N_("did you mean: {names}?")
_CANDIDATES = N_("candidates: {names}")
_ONE_OF = N_("write one of: {names}")
_IS_KIND = N_("it is: {kind}")


def header(t: Translator, column: str, *, districts: bool = False) -> str:
    if column == rollout.AREA and districts:
        return t.gettext(DISTRICT_HEADER)
    return t.gettext(HEADERS[column]) if column in HEADERS else column


def role_names(t: Translator, middle_kinds: Sequence[UnitKind] | None = None) -> list[str]:
    """The roles a sheet gives, as its users write them: the middle level's chair named for
    what the map has there (`middle_kinds`: an area coordinator on areas, none without a
    middle level; None: every name, for a refused role)."""
    names = [role_label(t, role) for role in rollout.SHEET_ROLES]
    if middle_kinds is None:
        return [*names, t.gettext("Area coordinator")]
    if not middle_kinds:
        return names[:-1]
    if all(kind is UnitKind.AREA for kind in middle_kinds):
        names[-1] = t.gettext("Area coordinator")
    return names


def kind_names(t: Translator) -> list[str]:
    return [t.gettext(KIND_LABELS[kind]) for kind in BRANCH_KINDS]


def describe(t: Translator, problem: RowProblem) -> str:
    """ "Dòng 7: không có xã, phường nào có mã hoặc tên này (Xã/phường (mã hoặc tên): Atlantis;
    có phải: Đông Hưng (12688)?)"."""
    code = problem.code
    if code in PROBLEMS:
        text = t.gettext(PROBLEMS[code]).format(row=problem.detail)
    else:
        text = import_problems.problem_text(t, ImportErrorCode(code.value))
    line = (
        t.gettext("Row {row}: {problem}").format(row=problem.row, problem=text)
        if problem.row is not None
        else t.gettext("The file: {problem}").format(problem=text)
    )
    extra = []
    if problem.column:
        short = SHORT_HEADERS.get(problem.column)
        column = t.gettext(short) if short else header(t, problem.column)
        extra.append(f"{column}: {problem.value}" if problem.value else column)
    elif problem.value:
        extra.append(problem.value)
    detail = _detail(t, problem)
    if detail:
        extra.append(detail)
    return f"{line} ({'; '.join(extra)})" if extra else line


def _detail(t: Translator, problem: RowProblem) -> str:
    code, detail = problem.code, problem.detail
    if code is Problem.UNKNOWN_COMMUNE and detail:
        return t.gettext(_NEAR).format(names=detail)
    if code in (Problem.AMBIGUOUS_COMMUNE, Problem.AMBIGUOUS_AREA) and detail:
        return t.gettext(_CANDIDATES).format(names=detail)
    if code is Problem.NOT_IN_AREA and detail:
        return detail
    if code is Problem.UNKNOWN_ROLE:
        return t.gettext(_ONE_OF).format(names=", ".join(role_names(t)))
    if code is Problem.UNKNOWN_KIND:
        return t.gettext(_ONE_OF).format(names=", ".join(kind_names(t)))
    if code is Problem.KIND_DIFFERS and detail:
        return t.gettext(_IS_KIND).format(kind=t.gettext(KIND_LABELS[UnitKind(detail)]))
    if code is Problem.BAD_PHONE and detail == "not_mobile":
        return t.gettext("a landline; write a mobile number")
    return ""


def status_text(t: Translator, person: Person) -> str:
    return t.gettext(STATUS_TEXTS[person.status])


def link(bot_username: str, code: str) -> str:
    """How an invite link is written (as /invite writes it)."""
    return f"https://t.me/{bot_username}?start={code}"


def place(t: Translator, person: Person) -> str:
    """ "Chi hội Thôn Đông, xã Bắc Tiên Hưng", "xã Đông Hưng", "cụm Bắc": the unit of the role."""
    if person.branch_name is not None:
        branch = t.gettext("Branch {name}").format(name=person.branch_name)
        commune = [unit_in_sentence(t, person.commune)] if person.commune is not None else []
        return ", ".join([branch, *commune])
    unit = person.area if person.role is Role.DISTRICT_CHAIR else person.commune
    return unit_in_sentence(t, unit) if unit is not None else ""


def valid_until(person: Person) -> date | None:
    """The day, in Vietnam, the person's link stops working."""
    invite = person.invite
    return invite.expires_at.astimezone(VIETNAM_TZ).date() if invite is not None else None


def _role(t: Translator, person: Person) -> str:
    return role_label(t, person.role, person.unit or person.area)


def phone_text(phone: str | None) -> str:
    """+84912345678 → 0912 345 678, as people read it."""
    if not phone:
        return ""
    national = "0" + phone.removeprefix("+84")
    return f"{national[:4]} {national[4:7]} {national[7:]}"


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# --- The template -----------------------------------------------------------------------------

_HEADER_FILL = PatternFill("solid", start_color="DDEBF7")
_EXAMPLE_FONT = Font(italic=True, color="808080")


def _headers(ws: Worksheet, titles: Sequence[str], widths: Sequence[float]) -> None:
    for index, (title, width) in enumerate(zip(titles, widths, strict=True), start=1):
        cell = ws.cell(row=1, column=index, value=_clean(title))
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"


def template_columns(middle: Level | None) -> tuple[str, ...]:
    """The template's columns: the area's only where the map has a middle level."""
    return tuple(c for c in rollout.COLUMNS if c != rollout.AREA or middle is not None)


def template_bytes(
    t: Translator, *, example_commune: Unit | None, middle_kinds: Sequence[UnitKind]
) -> bytes:
    """The sheet to fill in: headers, an example row (skipped when read back), lists to choose
    the kind and the role from, and a second sheet explaining every column."""
    areas = bool(middle_kinds) and all(kind is UnitKind.AREA for kind in middle_kinds)
    districts = bool(middle_kinds) and not areas
    columns = template_columns(Level.DISTRICT if middle_kinds else None)
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = t.gettext("List")[:31]
    widths = {
        rollout.NUMBER: 7.0,
        rollout.COMMUNE: 26.0,
        rollout.AREA: 20.0,
        rollout.BRANCH: 24.0,
        rollout.KIND: 16.0,
        rollout.ROLE: 28.0,
        rollout.FULL_NAME: 26.0,
        rollout.PHONE: 16.0,
        rollout.NOTE: 20.0,
    }
    _headers(ws, [header(t, c, districts=districts) for c in columns], [widths[c] for c in columns])
    example = {
        rollout.NUMBER: t.gettext(EXAMPLE),
        rollout.COMMUNE: example_commune.name if example_commune else "",
        rollout.AREA: "",
        rollout.BRANCH: t.gettext("Village") + " Đông",
        rollout.KIND: t.gettext("Village"),
        rollout.ROLE: role_label(t, Role.BRANCH_HEAD),
        rollout.FULL_NAME: "Nguyễn Văn An",
        rollout.PHONE: "0912 345 678",
        rollout.NOTE: t.gettext("this row is skipped"),
    }
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=2, column=index, value=_clean(example[column]))
        cell.font = _EXAMPLE_FONT
        cell.data_type = "s"
    for column, names in (
        (rollout.KIND, kind_names(t)),
        (rollout.ROLE, role_names(t, middle_kinds)),
    ):
        letter = get_column_letter(columns.index(column) + 1)
        choices = DataValidation(
            type="list",
            formula1='"' + ",".join(_clean(name) for name in names) + '"',
            allow_blank=True,
            showErrorMessage=False,  # a typed variant ("TDP") is read too
        )
        choices.add(f"{letter}2:{letter}5000")
        ws.add_data_validation(choices)
    phone_letter = get_column_letter(columns.index(rollout.PHONE) + 1)
    ws.column_dimensions[phone_letter].number_format = "@"  # text: the leading 0 stays
    _instructions(
        book.create_sheet(t.gettext("Instructions")[:31]), t, columns, middle_kinds, districts
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


COLUMN_HELP: Final = {
    rollout.NUMBER: N_("Optional, for you. A row whose number says “Example” is skipped."),
    rollout.COMMUNE: N_(
        "The commune or ward: its code (e.g. 12688) or its name, with or without diacritics "
        "and “xã”/“phường”; a former name is found too (“xa lien giang”). Required, except on "
        "the rows of an area's or district's chair."
    ),
    rollout.AREA: N_(
        "Only for the chair of an area or district (its code or name), or to tell apart two "
        "communes of the same name."
    ),
    rollout.BRANCH: N_(
        "The branch (chi hội), for its head and its volunteers. Created if the commune has no "
        "branch of that name yet. Empty on a chair's row."
    ),
    rollout.KIND: N_(
        "The kind of branch, one of the list below. May be left empty when the branch exists "
        "already or its name starts with it (“Thôn Đông”)."
    ),
    rollout.ROLE: N_(
        "One of the roles below. Empty on a row with a branch: the branch head. “Chủ tịch” "
        "alone: of the commune (or of the area, on a row with only the area)."
    ),
    rollout.FULL_NAME: N_("The person's full name. Required."),
    rollout.PHONE: N_(
        "A mobile number (0912 345 678 or +84 912 345 678), to send the link by Zalo or SMS. "
        "Optional; two people cannot have the same one."
    ),
    rollout.NOTE: N_("Optional, for you; not read."),
}
NOTES: Final = (
    N_(
        "Every row is checked first: if any is wrong, nothing is created and each problem is "
        "listed with its row number."
    ),
    N_(
        "Each person gets a personal link that works once, with a QR code, in a workbook and a "
        "PDF of cards to print or to send by Zalo/SMS."
    ),
    N_(
        "Sending the same sheet again (with rows added) creates only what is new; an expired "
        "link is renewed."
    ),
    N_("One person appears once: a Telegram account holds the role of its first link."),
)


def _instructions(
    ws: Worksheet,
    t: Translator,
    columns: Sequence[str],
    middle_kinds: Sequence[UnitKind],
    districts: bool,
) -> None:
    _headers(ws, [t.gettext("Column"), t.gettext("What to write")], [30.0, 90.0])
    row = 2
    wrap = Alignment(wrap_text=True, vertical="top")
    for column in columns:
        ws.cell(row=row, column=1, value=_clean(header(t, column, districts=districts)))
        ws.cell(row=row, column=2, value=_clean(t.gettext(COLUMN_HELP[column]))).alignment = wrap
        row += 1
    row += 1
    for title, names in (
        (t.gettext("Branch kinds"), kind_names(t)),
        (t.gettext("Roles"), role_names(t, middle_kinds)),
    ):
        ws.cell(row=row, column=1, value=_clean(title)).font = Font(bold=True)
        ws.cell(row=row, column=2, value=_clean(", ".join(names))).alignment = wrap
        row += 1
    row += 1
    for note in NOTES:
        ws.cell(row=row, column=2, value=_clean(t.gettext(note))).alignment = wrap
        row += 1


# --- QR codes ---------------------------------------------------------------------------------

_QR_VERSION = 4
"""33 modules a side: a link of up to 62 characters (`t.me/<bot>?start=<16>`)."""
_QR_BORDER = 4
_QR_SCALE = 6


@functools.lru_cache(maxsize=4096)
def qr_png(text: str) -> bytes:
    """The QR code of a link, as a PNG: black on white, 6 pixels a module, the quiet zone of
    the standard around it. Made once for the workbook and the cards (cached): drawn from the
    matrix in one step and with a fixed mask, 2,000 take seconds, not minutes (qrcode's own
    drawing and its search for the best of 8 masks took 27 ms each; any mask is valid)."""
    import qrcode  # type: ignore[import-untyped]  # (loaded only by a rollout)
    from qrcode.constants import ERROR_CORRECT_M  # type: ignore[import-untyped]
    from qrcode.exceptions import DataOverflowError  # type: ignore[import-untyped]

    code = qrcode.QRCode(
        version=_QR_VERSION, error_correction=ERROR_CORRECT_M, border=_QR_BORDER, mask_pattern=2
    )
    code.add_data(text)
    try:
        code.make(fit=False)
    except DataOverflowError:  # a bot's username longer than 26 letters
        code.version = None
        code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    size = len(matrix)
    pixels = bytes(0 if dark else 255 for row in matrix for dark in row)
    image = Image.frombytes("L", (size, size), pixels).resize(
        (size * _QR_SCALE, size * _QR_SCALE), Image.Resampling.NEAREST
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


# --- The workbook of links --------------------------------------------------------------------

_QR_PIXELS = 120
_ROW_POINTS = 95.0  # 120 px at 96 dpi is 90 pt, and a little room


def links_workbook(t: Translator, result: Rollout, bot_username: str) -> bytes:
    """One row per person of the sheet: the row they came from, who, the role and unit, where
    they stand, the link and its QR code; and a sheet of the totals."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = t.gettext("Links")[:31]
    titles = [
        t.gettext("Row"),
        t.gettext("Full name"),
        t.gettext("Phone"),
        t.gettext("Role"),
        t.gettext("Unit"),
        t.gettext("Status"),
        t.gettext("Link"),
        t.gettext("Valid until"),
        t.gettext("QR code"),
    ]
    _headers(ws, titles, [7.0, 26.0, 15.0, 26.0, 40.0, 24.0, 52.0, 13.0, 19.0])
    for offset, person in enumerate(result.people, start=2):
        invite = person.invite
        address = link(bot_username, invite.code) if invite is not None else ""
        values: list[str | int | date | None] = [
            person.row,
            _clean(person.full_name),
            phone_text(person.phone),
            _clean(_role(t, person)),
            _clean(place(t, person)),
            _clean(status_text(t, person)),
            address,
            valid_until(person),
        ]
        for index, value in enumerate(values, start=1):
            cell = ws.cell(row=offset, column=index, value=value)
            cell.alignment = Alignment(vertical="center", wrap_text=index in (4, 5))
            if isinstance(value, str):
                cell.data_type = "s"  # a name typed "=…" must never become a formula
            if isinstance(value, date):
                cell.number_format = "dd/mm/yyyy"
        if invite is not None:
            ws.cell(row=offset, column=7).hyperlink = address
            ws.cell(row=offset, column=7).font = Font(color="0563C1", underline="single")
            image = SheetImage(io.BytesIO(qr_png(address)))
            image.width = image.height = _QR_PIXELS
            ws.add_image(image, f"I{offset}")
            ws.row_dimensions[offset].height = _ROW_POINTS
    ws.auto_filter.ref = f"A1:H{len(result.people) + 1}"
    totals = book.create_sheet(t.gettext("Totals")[:31])
    _headers(totals, [t.gettext("What"), t.gettext("How many")], [44.0, 12.0])
    for offset, (label, count) in enumerate(_totals(t, result), start=2):
        totals.cell(row=offset, column=1, value=_clean(label))
        totals.cell(row=offset, column=2, value=count)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _totals(t: Translator, result: Rollout) -> list[tuple[str, int]]:
    return [
        (t.gettext("People on the sheet"), len(result.people)),
        (t.gettext("Branches created"), result.new_branches),
        (t.gettext("Branches already there"), result.existing_branches),
        (t.gettext("New links"), result.count(Status.NEW)),
        (t.gettext("Links made before, still valid"), result.count(Status.INVITED)),
        (t.gettext("Already registered"), result.count(Status.REGISTERED)),
    ]


# --- The cards --------------------------------------------------------------------------------

FONT_DIR: Final = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
"""DejaVu Sans ships with matplotlib and has every Vietnamese letter."""
_FONT = "DejaVu"

CARD_STEPS: Final = (
    N_("Install Telegram on your phone (CH Play or App Store) if you do not have it."),
    N_("Scan the QR code with the phone's camera, or open the link below it."),
    N_(
        "Press Start, read and agree to the notice on personal data, then confirm your full "
        "name: you are registered with your role at once."
    ),
)


class _Card:
    """Writes text on a card, each paragraph broken into lines once for the whole PDF: fpdf2's
    line breaking costs milliseconds a paragraph, and every card repeats the same steps."""

    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf
        self._lines: dict[tuple[str, float, float, str], list[str]] = {}

    def text(
        self,
        x: float,
        width: float,
        height: float,
        text: str,
        *,
        style: str = "",
        size: float = 9,
        align: str = "L",
    ) -> None:
        from fpdf.enums import MethodReturnValue, XPos, YPos

        pdf = self.pdf
        pdf.set_font(_FONT, style, size)
        text = _clean(text)
        key = (style, size, width, text)
        if key not in self._lines:
            lines = pdf.multi_cell(
                width, height, text, dry_run=True, output=MethodReturnValue.LINES
            )
            assert isinstance(lines, list)
            self._lines[key] = [str(line) for line in lines]
        for line in self._lines[key]:
            pdf.set_x(x)
            pdf.cell(width, height, line, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def cards_pdf(t: Translator, result: Rollout, bot_username: str, *, association: str) -> bytes:
    """One A6 card per person with a link: who, the role and unit, the QR code, the link and
    three steps (print four to a sheet: the print dialog's "4 pages per sheet")."""
    from fpdf import FPDF  # (loaded only by a rollout: it takes half a second)
    from fpdf.enums import WrapMode

    pdf = FPDF(orientation="landscape", unit="mm", format=(105, 148))  # A6
    pdf.set_auto_page_break(False)
    pdf.set_margins(8, 7, 8)
    pdf.add_font(_FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(_FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(_clean(t.gettext("Invitations")))
    pdf.set_creator("Khuyến học bot")
    card = _Card(pdf)
    steps = [f"{number}. {t.gettext(step)}" for number, step in enumerate(CARD_STEPS, start=1)]
    for person in result.with_links:
        assert person.invite is not None
        address = link(bot_username, person.invite.code)
        until = valid_until(person)
        assert until is not None
        pdf.add_page()
        pdf.set_draw_color(150, 150, 150)
        pdf.rect(3, 3, 142, 99)
        pdf.set_y(7)
        pdf.set_text_color(90, 90, 90)
        card.text(8, 132, 4, association.upper(), style="B", size=8)
        pdf.set_text_color(0, 0, 0)
        pdf.set_y(13)
        card.text(8, 86, 4.5, t.gettext("Invitation to the Khuyến học bot for"))
        card.text(8, 86, 7, person.full_name, style="B", size=15)
        card.text(8, 86, 5, _role(t, person), style="B", size=10)
        card.text(8, 86, 4.5, place(t, person))
        pdf.ln(2)
        for step in steps:
            card.text(8, 86, 3.8, step, size=8)
        pdf.set_y(89)
        pdf.set_text_color(90, 90, 90)
        note = t.gettext("The link works once, until {date}. It is yours: do not pass it on.")
        card.text(8, 86, 3.3, note.format(date=t.date(until)), size=7)
        pdf.set_text_color(0, 0, 0)
        pdf.image(io.BytesIO(qr_png(address)), x=98, y=14, w=44, h=44)
        pdf.set_y(60)
        start, code = address.rsplit("=", 1)
        pdf.set_font(_FONT, "", 7)
        if pdf.get_string_width(start + "=") <= 46:  # the link on two lines: its start, the code
            card.text(97, 46, 3.3, start + "=", size=7, align="C")
            card.text(97, 46, 3.3, code, size=7, align="C")
        else:
            pdf.set_x(97)
            pdf.multi_cell(46, 3.3, address, align="C", wrapmode=WrapMode.CHAR)
        pdf.link(97, 60, 46, 7, address)
    return bytes(pdf.output())
