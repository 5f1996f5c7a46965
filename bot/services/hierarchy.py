"""Loading the administrative units and managing branches (chi hội)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.db import Database, Tx
from bot.storage.models import BRANCH_KINDS, Level, Role, Unit, UnitKind
from bot.text import clean_name, fold

# Type words as written in the national statistics office's lists, folded.
_DISTRICT_KINDS = {
    "thanh pho": UnitKind.CITY,
    "thi xa": UnitKind.TOWN,
    "quan": UnitKind.URBAN_DISTRICT,
    "huyen": UnitKind.RURAL_DISTRICT,
}
_COMMUNE_KINDS = {
    "xa": UnitKind.COMMUNE,
    "phuong": UnitKind.WARD,
    "thi tran": UnitKind.TOWNSHIP,
}
UNITS_CSV_COLUMNS = (
    "district_code",
    "district_name",
    "district_type",
    "commune_code",
    "commune_name",
    "commune_type",
)


class HierarchyError(ValueError):
    """A units or branches file that cannot be loaded; `line` is 1-based, header = 1."""

    def __init__(self, code: str, line: int = 0, value: str = "") -> None:
        super().__init__(f"{code} at line {line}: {value}")
        self.code = code
        self.line = line
        self.value = value


class UnitsFileUnreadable(Exception):
    """The configured units file (KHUYENHOC_UNITS_CSV) cannot be opened for a new database.

    `missing` tells a wrong path from other refusals (a folder, no permission), `detail` is
    the system's reason.
    """

    def __init__(self, path: Path, error: OSError) -> None:
        super().__init__(f"{path}: {error.strerror or error}")
        self.path = path
        self.missing = isinstance(error, FileNotFoundError)
        self.detail = error.strerror or str(error)


def check_units_file(path: Path) -> None:
    """Raise `UnitsFileUnreadable` unless the units file can be opened for reading."""
    try:
        with path.open("rb"):
            pass
    except OSError as error:
        raise UnitsFileUnreadable(path, error) from error


@dataclass(frozen=True)
class LoadResult:
    districts: int
    communes: int
    added: int


async def load_units_csv(
    db: Database, path: Path, *, province_code: str, province_name: str
) -> LoadResult:
    """Load a GSO-style district/commune list; loading the same file twice adds nothing."""
    check_units_file(path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in UNITS_CSV_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise HierarchyError("missing_columns", 1, ", ".join(missing))
        rows = list(reader)
    for line, row in enumerate(rows, start=2):
        if fold(row["district_type"]) not in _DISTRICT_KINDS:
            raise HierarchyError("unknown_district_type", line, row["district_type"])
        if fold(row["commune_type"]) not in _COMMUNE_KINDS:
            raise HierarchyError("unknown_commune_type", line, row["commune_type"])
        if not row["district_code"].strip() or not row["commune_code"].strip():
            raise HierarchyError("missing_code", line)
    added = 0
    async with db.transaction() as tx:
        province = await unit_store.by_code(tx, province_code)
        if province is None:
            province = await unit_store.insert(
                tx,
                parent=None,
                level=Level.PROVINCE,
                code=province_code,
                name=clean_name(province_name),
                kind=UnitKind.PROVINCE,
            )
            added += 1
        districts: dict[str, Unit] = {}
        communes = 0
        for row in rows:
            code = row["district_code"].strip()
            if code not in districts:
                district = await unit_store.by_code(tx, code)
                if district is None:
                    district = await unit_store.insert(
                        tx,
                        parent=province,
                        level=Level.DISTRICT,
                        code=code,
                        name=clean_name(row["district_name"]),
                        kind=_DISTRICT_KINDS[fold(row["district_type"])],
                    )
                    added += 1
                districts[code] = district
            commune_code = row["commune_code"].strip()
            communes += 1
            if await unit_store.by_code(tx, commune_code) is None:
                await unit_store.insert(
                    tx,
                    parent=districts[code],
                    level=Level.COMMUNE,
                    code=commune_code,
                    name=clean_name(row["commune_name"]),
                    kind=_COMMUNE_KINDS[fold(row["commune_type"])],
                )
                added += 1
    return LoadResult(districts=len(districts), communes=communes, added=added)


async def ensure_units_loaded(
    db: Database, path: Path, *, province_code: str, province_name: str
) -> bool:
    """Load the shipped units into a database that has none yet; True if it loaded them.

    A units file that cannot be opened raises `UnitsFileUnreadable`, naming the setting's path.
    """
    if await unit_store.root(db) is not None:
        return False
    check_units_file(path)
    await load_units_csv(db, path, province_code=province_code, province_name=province_name)
    return True


class BranchNameTaken(ValueError):
    """The commune already has a branch of that name (compared without diacritics)."""


BRANCH_NAME_LENGTH = (2, 120)


def branch_name(text: str) -> str | None:
    """The name as it would be stored, or None when it is not 2 to 120 characters long: the
    same rule for a chair typing it and for a file of branches."""
    name = clean_name(text)
    shortest, longest = BRANCH_NAME_LENGTH
    return name if shortest <= len(name) <= longest else None


@dataclass(frozen=True)
class BranchKeepers:
    """Who adds a commune's branches, for someone who may not: the chairs of `unit` (the
    commune, else the nearest unit above it that has a chair; None if nobody does), with the
    names they registered under (maybe none)."""

    unit: Unit | None
    names: list[str]


async def branch_keepers(db: Database, commune: Unit) -> BranchKeepers:
    chain = [*await unit_store.ancestors(db, commune), commune]
    by_level = {unit.level: unit for unit in chain}
    for level, role in (
        (Level.COMMUNE, Role.COMMUNE_CHAIR),
        (Level.DISTRICT, Role.DISTRICT_CHAIR),
        (Level.PROVINCE, Role.PROVINCE_ADMIN),
    ):
        unit = by_level.get(level)
        found = await people.holders(db, [unit.id], [role]) if unit is not None else []
        if unit is not None and found:
            users = [await people.get_user(db, telegram_id) for telegram_id in found]
            return BranchKeepers(unit, [u.full_name for u in users if u and u.full_name])
    return BranchKeepers(None, [])


async def create_branch(
    db: Database | None,
    commune: Unit,
    name: str,
    kind: UnitKind,
    *,
    actor_id: int | None,
    tx: Tx | None = None,
) -> Unit:
    if commune.level is not Level.COMMUNE:
        raise ValueError("branches belong to communes")
    if kind not in BRANCH_KINDS:
        raise ValueError(f"not a branch kind: {kind}")
    name = clean_name(name)
    if tx is None:
        assert db is not None
        async with db.transaction() as own_tx:
            return await _create_branch(own_tx, commune, name, kind, actor_id)
    return await _create_branch(tx, commune, name, kind, actor_id)


async def _create_branch(
    tx: Tx, commune: Unit, name: str, kind: UnitKind, actor_id: int | None
) -> Unit:
    taken = await tx.fetchone(
        "SELECT 1 FROM unit WHERE parent_id = ? AND name_folded = ?", (commune.id, fold(name))
    )
    if taken:
        raise BranchNameTaken(name)
    code = await unit_store.next_branch_code(tx, commune)
    branch = await unit_store.insert(
        tx, parent=commune, level=Level.BRANCH, code=code, name=name, kind=kind
    )
    await people.audit(
        tx,
        actor_id=actor_id,
        action="create",
        entity="unit",
        entity_id=branch.id,
        after=branch.model_dump(mode="json"),
    )
    return branch


BRANCH_CSV_COLUMNS = ("commune_code", "branch_name", "branch_kind")


async def import_branches_csv(db: Database, path: Path, *, actor_id: int | None) -> int:
    """Create branches from `commune_code, branch_name, branch_kind`; all rows or none.

    Existing branches with the same name are skipped, so re-importing a file is harmless.
    """
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in BRANCH_CSV_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise HierarchyError("missing_columns", 1, ", ".join(missing))
        rows = list(reader)
    created = 0
    async with db.transaction() as tx:
        for line, row in enumerate(rows, start=2):
            commune = await unit_store.by_code(tx, row["commune_code"].strip())
            if commune is None or commune.level is not Level.COMMUNE:
                raise HierarchyError("unknown_commune", line, row["commune_code"])
            try:
                kind = UnitKind(row["branch_kind"].strip())
            except ValueError:
                raise HierarchyError("unknown_branch_kind", line, row["branch_kind"]) from None
            name = branch_name(row["branch_name"])
            if name is None or kind not in BRANCH_KINDS:
                raise HierarchyError("bad_branch", line, row["branch_name"])
            try:
                await create_branch(None, commune, name, kind, actor_id=actor_id, tx=tx)
                created += 1
            except BranchNameTaken:
                continue
    return created
