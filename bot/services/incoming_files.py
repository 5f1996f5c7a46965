"""A file sent when no conversation waits for one: which of the bot's own files it is, and
what its sender may do with it.

The bot hands out workbooks to fill in (a list of new members, a list of nominations, the
rollout sheet) and takes the province's figures and baselines as files; people send them back
days later, outside the flow they came from. `recognise` tells them apart by what the bot's
readers look for, nothing else (a file is never guessed from its name):

- a rollout sheet and a figures or baseline file by their first non-blank row, the header row
  their readers take (`rollout.is_sheet_header`, `imports.is_import_header`);
- a list of members or of nominations by the header row of the template (among its first
  rows, below the title line), in any language the bot speaks: the template's own headers come
  translated from the handlers that write it (`ListTemplates`), beside the plain words a
  person heads such a list with ("Họ và tên", "Giới tính"). A list of nominations also says
  its title (the sheet's name, the title line, or the name column: "Chủ hộ") and often its
  year (the title line: "Gia đình học tập, năm 2026 — …").

`uses` is who may do what with a file: the rules of the commands themselves, not new ones.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from bot.list_workbooks import Peek, Row
from bot.services import imports, rollout, title_lists
from bot.services.imports import header_key
from bot.storage.models import Grant
from bot.storage.records import NominationKind


class Use(StrEnum):
    """What a file can be used for; the values go into callback data, so they are short."""

    MEMBER_LIST = "m"
    TITLE_LIST = "t"
    ROLLOUT = "r"
    FIGURES = "f"
    BASELINE = "b"


def uses(grants: Sequence[Grant]) -> tuple[Use, ...]:
    """What this person may do with a file, in the order they are offered: everyone
    registered sends lists of members; lists of nominations by `title_lists.may_submit`; the
    rollout, figures and baselines are the province administrator's."""
    if not grants:
        return ()
    found = [Use.MEMBER_LIST]
    if title_lists.may_submit(grants):
        found.append(Use.TITLE_LIST)
    if rollout.may_roll_out(grants):
        found.append(Use.ROLLOUT)
    if imports.may_import(grants):
        found += [Use.FIGURES, Use.BASELINE]
    return tuple(found)


@dataclass(frozen=True)
class ListTemplates:
    """How the bot's list workbooks are headed, every translation of each header (the
    handlers write them, translated; `recognise` folds them)."""

    member_names: frozenset[str]
    """The full name column of a list of members."""
    member_marks: frozenset[str]
    """Its columns no other file has: the gender ("Giới tính (nam/nữ)"), the date joined."""
    title_subjects: Mapping[str, NominationKind]
    """The name column of a list of nominations, by title ("Chủ hộ": families)."""
    title_names: Mapping[str, NominationKind]
    """The titles' names: the sheet's name and the start of the title line."""
    title_others: frozenset[str]
    """The other columns of a list of nominations ("STT", "Ghi chú")."""


MEMBER_NAME_WORDS: Final = frozenset({"ho_va_ten", "ho_ten", "ten", "full_name", "name"})
"""How people head the name column of a list of their own, folded."""
MEMBER_MARK_WORDS: Final = frozenset(
    {"gioi_tinh", "gioi", "gender", "sex", "nam_sinh", "year_of_birth", "ngay_vao_hoi"}
)
"""… and the columns that make it a list of members."""

_YEAR = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])")


@dataclass(frozen=True)
class Recognised:
    """What a file is: `use` None when it is none of the bot's files. A list of nominations
    carries the title and the year it says, where it says them (the dialog checks them)."""

    use: Use | None
    title_kind: NominationKind | None = None
    year: int | None = None


@dataclass(frozen=True)
class _Folded:
    member_names: frozenset[str]
    member_marks: frozenset[str]
    title_subjects: Mapping[str, NominationKind]
    title_names: Mapping[str, NominationKind]
    title_others: frozenset[str]


def _folded(templates: ListTemplates) -> _Folded:
    return _Folded(
        member_names=frozenset(map(header_key, templates.member_names)) | MEMBER_NAME_WORDS,
        member_marks=frozenset(map(header_key, templates.member_marks)) | MEMBER_MARK_WORDS,
        title_subjects={header_key(k): kind for k, kind in templates.title_subjects.items()},
        title_names={header_key(k): kind for k, kind in templates.title_names.items()},
        title_others=frozenset(map(header_key, templates.title_others)),
    )


def recognise(found: Peek, templates: ListTemplates) -> Recognised:
    """Which file `found` (`list_workbooks.peek`) is; see the module docstring. The office's
    files first: their header is the first row, and a list's headers could not be one."""
    if not found.rows:
        return Recognised(None)
    first = found.rows[0][1]
    if rollout.is_sheet_header(first):
        return Recognised(Use.ROLLOUT)
    if imports.is_import_header(first):
        return Recognised(Use.FIGURES)
    words = _folded(templates)
    for index, (_, cells) in enumerate(found.rows):
        keys = {header_key(cell) for cell in cells}
        if keys & words.member_names and keys & words.member_marks:
            return Recognised(Use.MEMBER_LIST)
        subject = next((words.title_subjects[k] for k in keys if k in words.title_subjects), None)
        if subject is None:
            continue
        named = _title_named(found, words, found.rows[:index])
        if named is None and not keys & words.title_others:
            continue
        return Recognised(Use.TITLE_LIST, named or subject, _year(found.rows[:index]))
    return Recognised(None)


def _title_named(found: Peek, words: _Folded, above: Sequence[Row]) -> NominationKind | None:
    """The title the sheet's name or the title line above the headers names, if one does (a
    sheet's name is cut at 31 characters)."""
    for sheet in found.sheets[:1]:
        key = header_key(sheet)
        for name, kind in words.title_names.items():
            if key and (key == name or (len(sheet) == 31 and name.startswith(key))):
                return kind
    for _, cells in above:
        line = header_key(" ".join(cells))
        for name, kind in sorted(words.title_names.items(), key=lambda item: -len(item[0])):
            if line.startswith(name):
                return kind
    return None


def _year(above: Sequence[Row]) -> int | None:
    """The year the title line says ("…, năm 2026 — Chi hội Thôn Đông"), if one does."""
    for _, cells in above:
        match = _YEAR.search(" ".join(cells))
        if match is not None:
            return int(match.group())
    return None
