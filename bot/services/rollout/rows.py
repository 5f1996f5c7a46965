"""Checking one row on its own: the person's name and phone, the role, the commune and area it
names, the branch and its kind. Every problem of the row is listed, not only the first, so
the office corrects the row once; what depends on other rows or on what the bot holds
already (a branch's kind, a person twice, a rerun) is `checking`'s."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from bot.phone import PhoneError, normalize_phone
from bot.services import hierarchy, registration
from bot.services.imports import Cell
from bot.services.rollout.places import UnitMap, find_area, find_commune
from bot.services.rollout.problems import Problem, RowProblem
from bot.services.rollout.sheet import (
    AREA,
    BRANCH,
    COMMUNE,
    FULL_NAME,
    KIND,
    PHONE,
    ROLE,
    cell_phone,
    cell_text,
)
from bot.services.rollout.vocabulary import CHAIR, SHEET_ROLES, kind_in_name, parse_kind, parse_role
from bot.storage.db import Database, Tx
from bot.storage.models import Role, Unit, UnitKind


@dataclass(frozen=True)
class Row:
    """A row read, before it is matched against what the database holds."""

    number: int
    role: Role
    full_name: str
    phone: str | None
    commune: Unit | None
    area: Unit | None
    branch_name: str | None
    kind: UnitKind | None
    kind_typed: bool


async def read_row(
    db: Database | Tx, found: UnitMap, number: int, cell: Mapping[str, Cell]
) -> Row | list[RowProblem]:
    """The row read, or every problem in it."""
    problems: list[RowProblem] = []

    def problem(code: Problem, column: str, value: str = "", detail: str = "") -> None:
        problems.append(RowProblem(number, code, column, value, detail))

    def located(result: Unit | RowProblem) -> Unit | None:
        if isinstance(result, RowProblem):
            problems.append(replace(result, row=number))
            return None
        return result

    name_text = cell_text(cell.get(FULL_NAME))
    full_name, name_problem = registration.check_full_name(name_text)
    if not name_text:
        problem(Problem.REQUIRED, FULL_NAME)
    elif name_problem is not None:
        problem(Problem.BAD_NAME, FULL_NAME, name_text, name_problem.value)
    phone_text = cell_phone(cell.get(PHONE))
    phone: str | None = None
    if phone_text:
        try:
            phone = normalize_phone(phone_text)
        except PhoneError as error:
            problem(Problem.BAD_PHONE, PHONE, phone_text, error.code.value)

    branch_text = cell_text(cell.get(BRANCH))
    kind_text = cell_text(cell.get(KIND))
    role_text = cell_text(cell.get(ROLE))
    area_text = cell_text(cell.get(AREA))
    commune_text = cell_text(cell.get(COMMUNE))
    parsed = parse_role(role_text) if role_text else (Role.BRANCH_HEAD if branch_text else None)
    role: Role | None = None
    if parsed is None:
        if role_text:
            problem(Problem.UNKNOWN_ROLE, ROLE, role_text)
        else:
            problem(Problem.REQUIRED, ROLE)
    elif parsed == CHAIR:
        role = Role.COMMUNE_CHAIR if commune_text or not area_text else Role.DISTRICT_CHAIR
    elif isinstance(parsed, Role) and parsed not in SHEET_ROLES:
        problem(Problem.ROLE_NOT_ALLOWED, ROLE, role_text)
    elif isinstance(parsed, Role):
        role = parsed

    area = located(find_area(found, area_text)) if area_text else None
    commune: Unit | None = None
    needs_commune = role is not Role.DISTRICT_CHAIR
    if commune_text and (area is not None or not area_text):
        commune = located(await find_commune(db, found, commune_text, area))
    elif needs_commune and role is not None and not commune_text:
        problem(Problem.REQUIRED, COMMUNE)
    if role is Role.DISTRICT_CHAIR and not area_text:
        if found.areas:
            problem(Problem.REQUIRED, AREA)
        else:
            problem(Problem.NO_MIDDLE_LEVEL, ROLE, role_text)

    branch_name: str | None = None
    kind: UnitKind | None = None
    if role in (Role.BRANCH_HEAD, Role.VOLUNTEER):
        if not branch_text:
            problem(Problem.REQUIRED, BRANCH)
        else:
            branch_name = hierarchy.branch_name(branch_text)
            if branch_name is None:
                problem(Problem.BAD_BRANCH_NAME, BRANCH, branch_text)
        if kind_text:
            kind = parse_kind(kind_text)
            if kind is None:
                problem(Problem.UNKNOWN_KIND, KIND, kind_text)
        elif branch_name is not None:
            kind = kind_in_name(branch_name)
    elif role is not None and (branch_text or kind_text):
        problem(Problem.BRANCH_FOR_CHAIR, BRANCH, branch_text or kind_text, role.value)
    if problems or role is None:
        return problems
    return Row(
        number=number,
        role=role,
        full_name=full_name,
        phone=phone,
        commune=commune,
        area=area,
        branch_name=branch_name,
        kind=kind,
        kind_typed=bool(kind_text),
    )
