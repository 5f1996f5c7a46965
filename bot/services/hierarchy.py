"""Loading the administrative units and managing branches (chi hội)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final

from bot.config import DATA_DIR
from bot.services.reminder_schedule import VIETNAM_TZ
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.db import Database, Tx
from bot.storage.models import BRANCH_KINDS, Level, Role, Unit, UnitKind
from bot.text import clean_name, fold, vi_sort_key

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
_KIND_WORDS: Final = {
    "tinh": UnitKind.PROVINCE,
    **_DISTRICT_KINDS,
    **_COMMUNE_KINDS,
    "cum": UnitKind.AREA,
}


def split_kind_word(query: str) -> tuple[str, UnitKind | None]:
    """A search that starts with what the unit is ("xã Đông Hưng", "thi tran dong hung"):
    the name after that word and the kind it names; the query itself and None when it starts
    with no such word or is nothing else. Units are named without it, and a chair types it
    because that is how they say it, or to tell the commune of today from the township of
    the same name that ended."""
    words = query.split()
    folded = [fold(word) for word in words]
    for size in (2, 1):  # "thị xã" before "xã"
        kind = _KIND_WORDS.get(" ".join(folded[:size]))
        if kind is not None and len(words) > size:
            return " ".join(words[size:]), kind
    return query, None


DISTRICT_COLUMNS = ("district_code", "district_name", "district_type")
COMMUNE_COLUMNS = ("commune_code", "commune_name", "commune_type")
AREA_COLUMNS = ("area_code", "area_name")
UNITS_CSV_COLUMNS = (*DISTRICT_COLUMNS, *COMMUNE_COLUMNS)
"""The district format: the map until 30 June 2025 (province → district → commune)."""
OPTIONAL_COLUMNS = (
    "former_province",
    "former_district",
    "former_districts_all",
    "former_communes",
    "lat",
    "lon",
    "area_km2",
    *AREA_COLUMNS,
)
"""Besides `COMMUNE_COLUMNS`, the commune format (today's map) may have these. Loaded:
`former_communes` (`|`-separated, `*` for a commune split over several new units: its
aliases), `former_district` (the district most of it came from, shown beside its name in
lists), the coordinates and area, and the area columns (a middle level of kind AREA); the
former province and `former_districts_all` are there for people reading the file."""
_FORMER_SEPARATOR = "|"
_SPLIT_MARK = "*"
_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?", re.ASCII)
_RANGES = {"lat": (-90.0, 90.0), "lon": (-180.0, 180.0), "area_km2": (0.0, 1e6)}
NAME_LENGTH = (1, 120)


class HierarchyError(ValueError):
    """A units or branches file that cannot be loaded; `line` is 1-based, header = 1, and 0
    when the problem is not on a line of the file (the province given with it)."""

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
    """What a units file holds (`districts` or `areas`: its middle level, often none) and
    what loading it added to the database."""

    districts: int
    communes: int
    added: int
    areas: int = 0
    aliases: int = 0
    province: Unit | None = None


@dataclass(frozen=True)
class _Middle:
    line: int
    code: str
    name: str
    kind: UnitKind


@dataclass(frozen=True)
class _Commune:
    line: int
    code: str
    name: str
    kind: UnitKind
    middle: _Middle | None
    former: tuple[tuple[str, bool], ...] = ()
    former_district: str | None = None
    lat: float | None = None
    lon: float | None = None
    area_km2: float | None = None


def _cell(row: dict[str | None, Any], column: str) -> str:
    value = row.get(column)
    return value.strip() if isinstance(value, str) else ""


def _name(row: dict[str | None, Any], column: str, line: int) -> str:
    name = clean_name(_cell(row, column))
    shortest, longest = NAME_LENGTH
    if not shortest <= len(name) <= longest:
        raise HierarchyError("bad_name", line, name[:40] or column)
    return name


def _number(row: dict[str | None, Any], column: str, line: int) -> float | None:
    """A decimal in ASCII digits ("20.5634") within the column's range; blank is None."""
    text = _cell(row, column)
    if not text:
        return None
    low, high = _RANGES[column]
    value = float(text) if _DECIMAL.fullmatch(text) else None
    if value is None or not low <= value <= high or (column == "area_km2" and value == 0):
        raise HierarchyError("bad_number", line, f"{column}={text[:40]}")
    return value


def _former(row: dict[str | None, Any], line: int) -> tuple[tuple[str, bool], ...]:
    names = []
    for part in _cell(row, "former_communes").split(_FORMER_SEPARATOR):
        part = part.strip()
        partly = part.endswith(_SPLIT_MARK)
        name = clean_name(part.rstrip(_SPLIT_MARK))
        if not name:
            continue
        if len(name) > NAME_LENGTH[1]:
            raise HierarchyError("bad_name", line, name[:40])
        names.append((name, partly))
    return tuple(names)


def _former_district(row: dict[str | None, Any], line: int) -> str | None:
    name = clean_name(_cell(row, "former_district"))
    if len(name) > NAME_LENGTH[1]:
        raise HierarchyError("bad_name", line, name[:40])
    return name or None


def _read_units(path: Path) -> list[_Commune]:
    """Every row of a units file in either format, checked; raises `HierarchyError` at the
    first problem, before anything is written."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            fields = [name.strip() for name in reader.fieldnames or []]
            reader.fieldnames = fields
            rows = list(reader)
    except (UnicodeDecodeError, csv.Error) as error:
        raise HierarchyError("not_csv", 0, str(error)[:80]) from None
    districts = "district_code" in fields
    areas = any(column in fields for column in AREA_COLUMNS)
    if districts and areas:
        raise HierarchyError("two_middle_levels", 1, ", ".join(AREA_COLUMNS))
    needed = UNITS_CSV_COLUMNS if districts else COMMUNE_COLUMNS + (AREA_COLUMNS if areas else ())
    missing = [column for column in needed if column not in fields]
    if missing:
        raise HierarchyError("missing_columns", 1, ", ".join(missing))
    middles: dict[str, _Middle] = {}
    communes: list[_Commune] = []
    codes: dict[str, int] = {}
    names: set[tuple[str, str]] = set()
    for line, row in enumerate(rows, start=2):
        if row.get(None):  # more fields than the header names: a comma in a value?
            raise HierarchyError("extra_fields", line, ",".join(map(str, row[None]))[:40])
        middle = _read_middle(row, line, districts, areas)
        if middle is not None:
            middle = middles.setdefault(middle.code, middle)
        code = _cell(row, "commune_code")
        if not code:
            raise HierarchyError("missing_code", line)
        kind = _COMMUNE_KINDS.get(fold(_cell(row, "commune_type")))
        if kind is None:
            raise HierarchyError("unknown_commune_type", line, _cell(row, "commune_type"))
        name = _name(row, "commune_name", line)
        if code in codes or code in middles:
            raise HierarchyError("duplicate_code", line, code)
        codes[code] = line
        sibling = (middle.code if middle else "", fold(name))
        if sibling in names:
            raise HierarchyError("duplicate_name", line, name)
        names.add(sibling)
        communes.append(
            _Commune(
                line=line,
                code=code,
                name=name,
                kind=kind,
                middle=middle,
                former=_former(row, line),
                former_district=_former_district(row, line),
                lat=_number(row, "lat", line),
                lon=_number(row, "lon", line),
                area_km2=_number(row, "area_km2", line),
            )
        )
    if set(codes) & set(middles):
        code = next(iter(set(codes) & set(middles)))
        raise HierarchyError("duplicate_code", codes[code], code)
    return communes


def _read_middle(
    row: dict[str | None, Any], line: int, districts: bool, areas: bool
) -> _Middle | None:
    """The row's district (district format) or area (when given): its middle-level unit."""
    if districts:
        code = _cell(row, "district_code")
        kind = _DISTRICT_KINDS.get(fold(_cell(row, "district_type")))
        if kind is None:
            raise HierarchyError("unknown_district_type", line, _cell(row, "district_type"))
        if not code:
            raise HierarchyError("missing_code", line)
        return _Middle(line, code, _name(row, "district_name", line), kind)
    if not areas or not (_cell(row, "area_code") or _cell(row, "area_name")):
        return None  # this commune hangs directly under the province
    code = _cell(row, "area_code")
    if not code:
        raise HierarchyError("missing_code", line)
    return _Middle(line, code, _name(row, "area_name", line), UnitKind.AREA)


@dataclass(frozen=True)
class UnitsFile:
    """A units file read and checked, nothing written yet: what `load_units_in` loads, and what
    a map change (`bot.services.map_change`) looks its new units up in."""

    path: Path
    communes: tuple[_Commune, ...]

    def commune(self, code: str) -> tuple[str, UnitKind] | None:
        """The name and kind of the file's commune with this code."""
        found = next((c for c in self.communes if c.code == code), None)
        return (found.name, found.kind) if found else None

    @property
    def codes(self) -> dict[str, tuple[str, UnitKind]]:
        """Every commune code of the file, with its name and kind, in the file's order."""
        return {c.code: (c.name, c.kind) for c in self.communes}

    @property
    def middles(self) -> int:
        """How many middle-level units (districts or areas) the file has."""
        return len({c.middle.code for c in self.communes if c.middle is not None})


def read_units_file(path: Path) -> UnitsFile:
    """Read and check a units file in either format (see `load_units_csv`); raises
    `UnitsFileUnreadable` or `HierarchyError`, before anything is written."""
    check_units_file(path)
    return UnitsFile(path, tuple(_read_units(path)))


async def load_units_csv(
    db: Database,
    path: Path,
    *,
    province_code: str,
    province_name: str,
    valid_from: date | None = None,
) -> LoadResult:
    """Load a units file in one transaction; loading the same file twice adds nothing.

    Two formats: the district format (`UNITS_CSV_COLUMNS`: province → district → commune)
    and the commune format (`COMMUNE_COLUMNS` and any of `OPTIONAL_COLUMNS`), whose communes
    hang directly under the province unless the file gives their area. Units created get
    `valid_from`; units already in force with the same code are kept as they are. A code held
    by a unit in force elsewhere (another province, another level) stops the load: a new map
    goes in after the old one has ended.
    """
    units = read_units_file(path)
    async with db.transaction() as tx:
        return await load_units_in(
            tx,
            units,
            province_code=province_code,
            province_name=province_name,
            valid_from=valid_from,
        )


async def load_units_in(
    tx: Tx,
    units: UnitsFile,
    *,
    province_code: str,
    province_name: str,
    valid_from: date | None = None,
) -> LoadResult:
    """`load_units_csv` inside a transaction the caller holds (a map change loads the new map
    in the transaction that ends the old one)."""
    communes = units.communes
    added = aliases = 0
    province = await unit_store.in_force_by_code(tx, province_code)
    if province is not None and province.level is not Level.PROVINCE:
        raise HierarchyError("province_code_taken", 0, province_code)
    if province is None:
        province = await _insert(
            tx,
            None,
            Level.PROVINCE,
            province_code.strip(),
            clean_name(province_name),
            UnitKind.PROVINCE,
            valid_from=valid_from,
        )
        added += 1
    middles: dict[str, Unit] = {}
    for commune in communes:
        parent = province
        if commune.middle is not None:
            middle = commune.middle
            if middle.code not in middles:
                unit = await _existing(tx, province, Level.DISTRICT, middle.code, middle.line)
                if unit is None:
                    unit = await _insert(
                        tx,
                        province,
                        Level.DISTRICT,
                        middle.code,
                        middle.name,
                        middle.kind,
                        line=middle.line,
                        valid_from=valid_from,
                    )
                    added += 1
                middles[middle.code] = unit
            parent = middles[middle.code]
        unit = await _existing(tx, province, Level.COMMUNE, commune.code, commune.line)
        if unit is None:
            unit = await _insert(
                tx,
                parent,
                Level.COMMUNE,
                commune.code,
                commune.name,
                commune.kind,
                line=commune.line,
                valid_from=valid_from,
                lat=commune.lat,
                lon=commune.lon,
                area_km2=commune.area_km2,
                former_district=commune.former_district,
            )
            added += 1
        elif commune.former_district and unit.former_district is None:
            await unit_store.fill_former_district(tx, unit, commune.former_district)
        for name, partly in commune.former:
            aliases += int(await unit_store.add_alias(tx, unit, name, partly=partly))
    aliases += await _earlier_names(tx, province)
    kinds = {commune.middle.kind for commune in communes if commune.middle is not None}
    return LoadResult(
        districts=0 if UnitKind.AREA in kinds else len(middles),
        areas=len(middles) if UnitKind.AREA in kinds else 0,
        communes=len(communes),
        added=added,
        aliases=aliases,
        province=province,
    )


async def _existing(tx: Tx, province: Unit, level: Level, code: str, line: int) -> Unit | None:
    """The unit in force with this code, when it is the same one (a file loaded again)."""
    unit = await unit_store.in_force_by_code(tx, code)
    if unit is None:
        return None
    if unit.level is not level or not province.covers(unit):
        raise HierarchyError("code_taken", line, code)
    return unit


async def _insert(
    tx: Tx,
    parent: Unit | None,
    level: Level,
    code: str,
    name: str,
    kind: UnitKind,
    *,
    line: int = 0,
    valid_from: date | None = None,
    lat: float | None = None,
    lon: float | None = None,
    area_km2: float | None = None,
    former_district: str | None = None,
) -> Unit:
    """A new unit, unless a sibling in force has the same name (under another code)."""
    taken = await tx.fetchone(
        "SELECT 1 FROM unit WHERE coalesce(parent_id, 0) = ? AND name_folded = ? "
        "AND valid_to IS NULL",
        (parent.id if parent else 0, fold(name)),
    )
    if taken:
        raise HierarchyError("name_taken", line, name)
    return await unit_store.insert(
        tx,
        parent=parent,
        level=level,
        code=code,
        name=name,
        kind=kind,
        valid_from=valid_from,
        lat=lat,
        lon=lon,
        area_km2=area_km2,
        former_district=former_district,
    )


EARLIER_NAMES: Final = {"33": DATA_DIR / "thai_binh_units_2024_to_2025.csv"}
"""Per province code, a file naming communes of an earlier map and the unit of today's they
went to (`commune_name_2024`, `commune_name_nov2024` → `unit_code_jul2025`). Hưng Yên's
units file lists the communes of early 2025, so the ones merged on 1 November 2024 ("Liên
Giang") are recorded from here as former names too, for a database that never held them."""


async def _earlier_names(tx: Tx, province: Unit) -> int:
    """Record the earlier names `EARLIER_NAMES` gives for this province's communes in force;
    how many were new. Nothing for another province, or when the file is not there."""
    path = EARLIER_NAMES.get(province.code)
    if path is None or not path.is_file():
        return 0
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    added = 0
    for row in rows:
        unit = await unit_store.in_force_by_code(tx, _cell(row, "unit_code_jul2025"))
        if unit is None or unit.level is not Level.COMMUNE or not province.covers(unit):
            continue
        for column in ("commune_name_2024", "commune_name_nov2024"):
            name = clean_name(_cell(row, column))
            if name and len(name) <= NAME_LENGTH[1] and fold(name) != fold(unit.name):
                added += int(await unit_store.add_alias(tx, unit, name))
    return added


async def ensure_units_loaded(
    db: Database,
    path: Path,
    *,
    province_code: str,
    province_name: str,
    valid_from: date | None = None,
) -> bool:
    """Load the shipped units into a database that has none yet; True if it loaded them.

    A units file that cannot be opened raises `UnitsFileUnreadable`, naming the setting's path.
    """
    if await unit_store.root(db) is not None:
        return False
    check_units_file(path)
    await load_units_csv(
        db, path, province_code=province_code, province_name=province_name, valid_from=valid_from
    )
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
            names = [u.full_name for u in users if u and u.full_name]
            return BranchKeepers(unit, sorted(names, key=vi_sort_key))
    return BranchKeepers(None, [])


async def create_branch(
    db: Database | None,
    commune: Unit,
    name: str,
    kind: UnitKind,
    *,
    actor_id: int | None,
    since: date | None,
    tx: Tx | None = None,
) -> Unit:
    """A new branch of `commune`, in force from `since`: the day it is created in the bot (or
    the day a rollout sheet says it was founded), so the statistics of earlier years never
    count it; None only for branches that were always there (a demo's seed)."""
    if commune.level is not Level.COMMUNE:
        raise ValueError("branches belong to communes")
    if kind not in BRANCH_KINDS:
        raise ValueError(f"not a branch kind: {kind}")
    name = clean_name(name)
    if tx is None:
        assert db is not None
        async with db.transaction() as own_tx:
            return await _create_branch(own_tx, commune, name, kind, actor_id, since)
    return await _create_branch(tx, commune, name, kind, actor_id, since)


async def _create_branch(
    tx: Tx, commune: Unit, name: str, kind: UnitKind, actor_id: int | None, since: date | None
) -> Unit:
    taken = await tx.fetchone(
        "SELECT 1 FROM unit WHERE parent_id = ? AND name_folded = ?", (commune.id, fold(name))
    )
    if taken:
        raise BranchNameTaken(name)
    code = await unit_store.next_branch_code(tx, commune)
    branch = await unit_store.insert(
        tx, parent=commune, level=Level.BRANCH, code=code, name=name, kind=kind, valid_from=since
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


async def import_branches_csv(
    db: Database, path: Path, *, actor_id: int | None, today: date | None = None
) -> int:
    """Create branches from `commune_code, branch_name, branch_kind`; all rows or none.

    Existing branches with the same name are skipped, so re-importing a file is harmless. The
    branches are in force from `today` (the association's today when None): past years'
    statistics do not change.
    """
    since = today or datetime.now(UTC).astimezone(VIETNAM_TZ).date()
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
                await create_branch(
                    None, commune, name, kind, actor_id=actor_id, since=since, tx=tx
                )
                created += 1
            except BranchNameTaken:
                continue
    return created
