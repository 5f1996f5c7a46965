"""Rollout from one spreadsheet: the province office lists, one row per person, the branch heads
(and their branches), the commune chairs and the chairs of the middle level; the branches that
are missing are created and each person gets a personal invite, all rows or none.

The sheet (CSV or XLSX; the first sheet of a workbook) has one header row, columns in any
order, headers matched as `imports.header_key` folds them (Vietnamese or English, see
`sheet`):

==============================  ===========================================================
``Xã/phường`` (commune)          the commune's statistics-office code or its name: without
                                 diacritics, with or without "xã"/"phường", or a former name
                                 ("xa lien giang" is today's Bắc Tiên Hưng)
``Cụm``/``Huyện`` (area)         optional: the middle-level unit (code or name), for its
                                 chairs (area coordinators), and to tell apart two communes
                                 of the same name
``Chi hội`` (branch)             the branch's name, for branch heads and volunteers; created
                                 when the commune has no branch of that name
``Loại chi hội`` (kind)          Thôn, Tổ dân phố, Trường học, Dòng họ, Cơ quan (forgiving:
                                 "to dan pho", "TDP", "xóm"…); may be left out when the branch
                                 exists or its name starts with it ("Thôn Đông La")
``Vai trò`` (role)               Chi hội trưởng, Cộng tác viên, Chủ tịch xã, Chủ tịch huyện or
                                 Điều phối cụm ("Chủ tịch" alone: of the commune, or of the
                                 area when only that is given); blank beside a branch: its head
``Họ và tên`` (full name)        the person, as `registration.check_full_name` reads a name
``Số điện thoại`` (phone)        optional, a Vietnamese mobile (`bot.phone`); a number cell
                                 that lost its leading 0 is read with it
``STT``, ``Ghi chú``             ignored; a row whose STT says "Ví dụ" is the template's example
==============================  ===========================================================

Every row is checked before anything is written (`check`): an unknown or ambiguous commune, a
bad kind, role, name or phone, the same row twice, one phone on two people. `roll_out` checks
again and writes in one transaction: the missing branches (in force from today) and one invite
per person, carrying their name (`invites.add_invite`). Rerunning the sheet adds only
what is new: a branch already there is not created again, and a person with the same role on
the same unit (same name, without diacritics) who holds it already or has a link that still
works is not invited again; their link is listed again. An expired link is replaced.

One module per part, named after it (this package re-exports their public names):

- `sheet`: reading the file (CSV or XLSX rows, the header row, the columns and their aliases;
  `is_sheet_header`: whether a file sent without /rollout is a sheet);
- `vocabulary`: the words of roles, branch kinds and unit types, folded;
- `places`: finding the commune and area a row names (code, name, former name);
- `rows`: checking one row on its own (name, phone, role, commune, branch, kind);
- `checking`: the whole sheet against itself and the database (kinds, duplicates, reruns);
- `problems` and `results`: what a check says (`Problem`, `Rejected`; `Person`, `Rollout`);
- `carry_out`: who may, `check`, and `roll_out` in one transaction.
"""

from bot.services.rollout.carry_out import ROLLOUT_TTL_DAYS, check, may_roll_out, roll_out
from bot.services.rollout.checking import check_table
from bot.services.rollout.problems import Problem, Rejected, RowProblem
from bot.services.rollout.results import Person, Rollout, Status
from bot.services.rollout.sheet import (
    AREA,
    BRANCH,
    COLUMNS,
    COMMUNE,
    EXAMPLE_MARKS,
    FULL_NAME,
    KIND,
    NOTE,
    NUMBER,
    PHONE,
    REQUIRED_COLUMNS,
    ROLE,
    is_sheet_header,
    read_table,
)
from bot.services.rollout.vocabulary import (
    CHAIR,
    SHEET_ROLES,
    kind_in_name,
    parse_kind,
    parse_role,
    words,
)

__all__ = [
    "AREA",
    "BRANCH",
    "CHAIR",
    "COLUMNS",
    "COMMUNE",
    "EXAMPLE_MARKS",
    "FULL_NAME",
    "KIND",
    "NOTE",
    "NUMBER",
    "PHONE",
    "REQUIRED_COLUMNS",
    "ROLE",
    "ROLLOUT_TTL_DAYS",
    "SHEET_ROLES",
    "Person",
    "Problem",
    "Rejected",
    "Rollout",
    "RowProblem",
    "Status",
    "check",
    "check_table",
    "is_sheet_header",
    "kind_in_name",
    "may_roll_out",
    "parse_kind",
    "parse_role",
    "read_table",
    "roll_out",
    "words",
]
