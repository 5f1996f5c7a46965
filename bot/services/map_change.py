"""Moving a live database onto a new map: `khuyenhoc units migrate` (docs/map-change.md).

`plan` reads the new map's units file and the mapping from the old communes to the new ones
and says what would happen, writing nothing; `apply` does it in one transaction: the new units
created, the old ones ended with their successors, the branches of an ended commune moved to
the commune that took it (those of a split commune placed provisionally, for the province
admin to confirm or move: `bot.services.branch_placing`), grants moved where the mapping is
one-to-one, unused invites to ended units revoked, counters rebuilt on the map of each year
and checked, the change recorded, and the chairs concerned told, once each
(`bot.services.scope_notices`). Every record keeps the unit it was filed under. Running it
again with the same files changes nothing.

Two mapping formats are read (`THAI_BINH_FORMAT`, `LEGACY_FORMAT`); what goes wrong with the
files or the database is a `MapChangeError` naming the problem, the line and the value.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

from bot.config import shipped_map
from bot.services import branch_placing, counters, hierarchy
from bot.services.hierarchy import UnitsFile
from bot.storage import map_changes as map_store
from bot.storage import notice_events, people
from bot.storage import units as unit_store
from bot.storage.db import Database, Tx, utc_now
from bot.storage.map_changes import GrantRow, InviteRow, MapChangeRow, UnitMove
from bot.storage.models import CHAIR_ROLES, ROLE_LEVEL, Level, Role, Unit, UnitKind
from bot.storage.notice_events import NoticeKind
from bot.text import clean_name, fold

THAI_BINH_FORMAT: Final = ("commune_code_2024", "unit_code_jul2025")
"""`thai_binh_units_2024_to_2025.csv`: one row per old commune, its one new unit's code."""
LEGACY_FORMAT: Final = ("legacy_province", "legacy_commune_code", "new_commune_codes", "partly")
"""`hung_yen_2025_from_legacy.csv`: one row per old commune of one of several old provinces
(only the database's province's rows are used), its new codes `|`-separated in the official
order, `partly` = 1 when it was split over them."""
_CODES_SEPARATOR = "|"
_NAME_COLUMNS = ("commune_name_2024", "legacy_commune")
_SHOWN = 5
"""How many codes a problem names before "…"."""


class MapProblem(StrEnum):
    MISSING_FILE = "missing_file"
    """value: the path."""
    UNREADABLE_FILE = "unreadable_file"
    MAPPING_NOT_CSV = "mapping_not_csv"
    MAPPING_COLUMNS = "mapping_columns"
    """value: the columns either format needs."""
    MAPPING_NO_CODE = "mapping_no_code"
    MAPPING_DUPLICATE = "mapping_duplicate"
    MAPPING_BAD_PARTLY = "mapping_bad_partly"
    NO_PROVINCE = "no_province"
    PROVINCE_NEEDED = "province_needed"
    NO_ROWS = "no_rows"
    """value: the database's province: a legacy file without a row of it."""
    NOT_IN_DATABASE = "not_in_database"
    ALREADY_ENDED = "already_ended"
    NOT_IN_UNITS_FILE = "not_in_units_file"
    UNCOVERED = "uncovered"
    CODE_TAKEN = "code_taken"
    TOO_EARLY = "too_early"
    COUNTERS = "counters"
    """value: how many counters still differ from the raw rows after the rebuild."""


class MapChangeError(Exception):
    """A map change that cannot be planned or applied; nothing was written. `line` is the
    mapping file's (header = 1), 0 when the problem is not on one line; `count` how many
    codes had it (`value` names the first few)."""

    def __init__(self, problem: MapProblem, value: str = "", *, line: int = 0, count: int = 0):
        super().__init__(f"{problem.value} at line {line}: {value}")
        self.problem = problem
        self.value = value
        self.line = line
        self.count = count


# --- The mapping file -----------------------------------------------------------------------


@dataclass(frozen=True)
class MappingRow:
    line: int
    old_code: str
    old_name: str
    new_codes: tuple[str, ...]
    partly: bool
    province: str | None
    """The old province the row belongs to (legacy format), else None."""


def _cell(row: dict[str | None, Any], column: str) -> str:
    value = row.get(column)
    return value.strip() if isinstance(value, str) else ""


def read_mapping(path: Path) -> list[MappingRow]:
    """Every row of a mapping file in either format, checked."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            fields = [name.strip() for name in reader.fieldnames or []]
            reader.fieldnames = fields
            rows = list(reader)
    except FileNotFoundError:
        raise MapChangeError(MapProblem.MISSING_FILE, str(path)) from None
    except OSError as error:
        raise MapChangeError(MapProblem.UNREADABLE_FILE, f"{path}: {error.strerror}") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise MapChangeError(MapProblem.MAPPING_NOT_CSV, str(error)[:80]) from None
    legacy = all(column in fields for column in LEGACY_FORMAT)
    if not legacy and not all(column in fields for column in THAI_BINH_FORMAT):
        expected = f"{', '.join(THAI_BINH_FORMAT)} | {', '.join(LEGACY_FORMAT)}"
        raise MapChangeError(MapProblem.MAPPING_COLUMNS, expected, line=1)
    found: list[MappingRow] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in enumerate(rows, start=2):
        old = _cell(row, "legacy_commune_code" if legacy else "commune_code_2024")
        new_text = _cell(row, "new_commune_codes" if legacy else "unit_code_jul2025")
        new = tuple(code.strip() for code in new_text.split(_CODES_SEPARATOR) if code.strip())
        if not old or not new:
            raise MapChangeError(MapProblem.MAPPING_NO_CODE, line=line)
        partly_text = _cell(row, "partly") if legacy else ""
        if partly_text not in ("", "0", "1"):
            raise MapChangeError(MapProblem.MAPPING_BAD_PARTLY, partly_text[:20], line=line)
        province = clean_name(_cell(row, "legacy_province")) if legacy else None
        key = (fold(province or ""), old)
        if key in seen or len(set(new)) != len(new):
            raise MapChangeError(MapProblem.MAPPING_DUPLICATE, old, line=line)
        seen[key] = line
        name = next((_cell(row, column) for column in _NAME_COLUMNS if _cell(row, column)), "")
        found.append(
            MappingRow(
                line=line,
                old_code=old,
                old_name=name,
                new_codes=new,
                partly=partly_text == "1" or len(new) > 1,
                province=province,
            )
        )
    return found


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as error:
        raise MapChangeError(MapProblem.UNREADABLE_FILE, f"{path}: {error.strerror}") from None


# --- The plan --------------------------------------------------------------------------------


@dataclass(frozen=True)
class EndedCommune:
    unit: Unit
    successors: tuple[str, ...]
    """The new codes that take it, in the mapping's order (rank 0 first)."""
    partly: bool


@dataclass(frozen=True)
class BranchMove:
    branch: Unit
    old_commune: Unit
    candidates: tuple[str, ...]
    """The old commune's successors; the branch goes to the first, provisionally when there
    are several (a split commune)."""
    name: str
    """Its name in the new commune: its own, or with the old commune's when another branch
    there has the same name."""

    @property
    def to_code(self) -> str:
        return self.candidates[0]

    @property
    def provisional(self) -> bool:
        return len(self.candidates) > 1

    @property
    def renamed(self) -> bool:
        return self.name != self.branch.name


@dataclass(frozen=True)
class GrantChange:
    grant: GrantRow
    unit: Unit
    """The ended unit it is held on."""
    to_code: str | None
    """The unit of the new map it moves to; None: kept on the ended unit."""


@dataclass(frozen=True)
class _Base:
    """What a plan knows before it looks at the mapping's rows: the files, the day, the
    provinces (all a plan of a change carried out already says)."""

    effective: date
    units_file: Path
    mapping_file: Path
    digests: dict[str, str]
    province: Unit
    """The province in force before the change."""
    new_province_code: str
    new_province_name: str
    same_province: bool
    """The new map's province is the one in force (not ended)."""
    creates_province: bool
    """The new map's province is not in the database yet."""
    skipped_rows: int
    """Rows of the mapping of another old province (legacy format)."""
    units: UnitsFile = field(repr=False)


@dataclass(frozen=True)
class MapChangePlan(_Base):
    """What `apply` will do (or, in `MapChangeResult.plan`, did)."""

    new_units: dict[str, tuple[str, UnitKind]] = field(default_factory=dict)
    """The new map's communes: code → name, kind, in the file's order."""
    middles: int = 0
    communes: tuple[EndedCommune, ...] = ()
    districts: tuple[Unit, ...] = ()
    branches: tuple[BranchMove, ...] = ()
    grants_moved: tuple[GrantChange, ...] = ()
    grants_kept: tuple[GrantChange, ...] = ()
    invites: tuple[InviteRow, ...] = ()
    """Unused invites to the units that end: revoked by the change."""
    former_districts: dict[str, str] = field(default_factory=dict)
    """New communes under the province or an area that the units file names no former
    district for: code → the old district most of their former communes were in (kept as
    `unit.former_district`)."""
    records: dict[str, int] = field(default_factory=dict)
    done: MapChangeRow | None = None
    """The same change carried out before: then nothing is left to do."""

    @property
    def units_created(self) -> int:
        if self.done is not None:
            return 0
        return len(self.new_units) + self.middles + int(self.creates_province)

    @property
    def units_ended(self) -> int:
        if self.done is not None:
            return 0
        return len(self.communes) + len(self.districts) + (0 if self.same_province else 1)

    @property
    def provisional(self) -> tuple[BranchMove, ...]:
        return tuple(move for move in self.branches if move.provisional)

    @property
    def renamed(self) -> tuple[BranchMove, ...]:
        return tuple(move for move in self.branches if move.renamed)

    def new_unit(self, code: str) -> Unit:
        """A unit of the new map as the plan knows it before it exists (id 0): its name, kind
        and level, for saying where something goes."""
        if code == self.new_province_code:
            name, kind, level = self.new_province_name, UnitKind.PROVINCE, Level.PROVINCE
        else:
            name, kind = self.new_units.get(code, (code, UnitKind.COMMUNE))
            level = Level.COMMUNE
        return Unit(id=0, parent_id=None, level=level, code=code, name=name, kind=kind, path="/0/")


@dataclass(frozen=True)
class MapChangeResult:
    plan: MapChangePlan
    """What was done (grants found held on the successor already are among the kept)."""
    change_id: int
    applied: bool
    """False: the same change was carried out before (`plan.done`), nothing was changed."""
    counters_changed: int = 0
    mismatches: int = 0
    invites_revoked: int = 0
    """Of `plan.invites`, how many were revoked (all that were still unused)."""


async def plan(
    db: Database | Tx,
    units_file: Path,
    mapping_file: Path,
    effective: date,
    *,
    province_code: str | None = None,
    province_name: str | None = None,
    now: datetime | None = None,
) -> MapChangePlan:
    """What moving the database onto the map of `units_file` on `effective` would do, through
    `mapping_file`; writes nothing. The new map's province is `province_code`/`province_name`,
    by default the shipped map's (`data/hung_yen_2025_units.csv`: 33 Hưng Yên)."""
    now = now or utc_now()
    mapping = read_mapping(mapping_file)
    try:
        units = hierarchy.read_units_file(units_file)
    except hierarchy.UnitsFileUnreadable as error:
        problem = MapProblem.MISSING_FILE if error.missing else MapProblem.UNREADABLE_FILE
        raise MapChangeError(problem, str(units_file)) from None
    digests = {"units": _digest(units_file), "mapping": _digest(mapping_file)}
    shipped = shipped_map(units_file)
    code = (province_code or (shipped.province_code if shipped else "")).strip()
    name = province_name or (
        shipped.province_name if shipped and shipped.province_code == code else ""
    )
    if not code:
        raise MapChangeError(MapProblem.PROVINCE_NEEDED, str(units_file))
    province = await unit_store.root(db)
    if province is None or not province.in_force:
        raise MapChangeError(MapProblem.NO_PROVINCE)
    existing = await unit_store.in_force_by_code(db, code)
    if existing is not None and existing.level is not Level.PROVINCE:
        raise MapChangeError(MapProblem.CODE_TAKEN, code, count=1)
    if existing is None and not clean_name(name):
        raise MapChangeError(MapProblem.PROVINCE_NEEDED, code)
    same_province = existing is not None and existing.id == province.id
    done = await _done(db, effective, digests)
    rows = [r for r in mapping if r.province is None or fold(r.province) == fold(province.name)]
    base = _Base(
        effective=effective,
        units_file=units_file,
        mapping_file=mapping_file,
        digests=digests,
        province=province,
        new_province_code=code,
        new_province_name=clean_name(name) or (existing.name if existing else code),
        same_province=same_province,
        creates_province=existing is None,
        skipped_rows=len(mapping) - len(rows),
        units=units,
    )
    if done is not None:
        return await _plan_done(db, base, done)
    if not rows:
        raise MapChangeError(MapProblem.NO_ROWS, province.name)
    communes = await _ended_communes(db, province, rows, units)
    await _check_new_codes(db, units, communes)
    ended_ids = {c.unit.id for c in communes}
    districts = await _ended_districts(db, province, ended_ids, ends=not same_province)
    too_early = [
        u
        for u in [*(c.unit for c in communes), *districts]
        if u.valid_from and u.valid_from >= effective
    ]
    if not same_province and province.valid_from and province.valid_from >= effective:
        too_early.append(province)
    if too_early:
        raise MapChangeError(
            MapProblem.TOO_EARLY, _codes(u.code for u in too_early), count=len(too_early)
        )
    ended_units = [*(c.unit for c in communes), *districts]
    if not same_province:
        ended_units.append(province)
    branches = await _branch_moves(db, communes)
    moved, kept = await _grant_changes(db, base, communes, districts)
    return MapChangePlan(
        **_fields(base),
        new_units=units.codes,
        middles=units.middles,
        communes=tuple(communes),
        districts=tuple(districts),
        branches=tuple(branches),
        grants_moved=tuple(moved),
        grants_kept=tuple(kept),
        invites=tuple(await map_store.open_invites_on(db, [u.id for u in ended_units], now)),
        former_districts=await _former_districts(db, units, communes),
        records=await map_store.record_counts(db),
    )


def _fields(base: _Base) -> dict[str, Any]:
    """A plan's share of what every plan knows, to build one from."""
    return {name.name: getattr(base, name.name) for name in fields(_Base)}


def _codes(codes: Iterable[str]) -> str:
    listed = list(codes)
    shown = ", ".join(listed[:_SHOWN])
    return f"{shown}, …" if len(listed) > _SHOWN else shown


async def _done(db: Database | Tx, effective: date, digests: dict[str, str]) -> MapChangeRow | None:
    for change in await map_store.map_changes(db):
        if change.effective == effective and change.summary.get("digests") == digests:
            return change
    return None


async def _plan_done(db: Database | Tx, base: _Base, done: MapChangeRow) -> MapChangePlan:
    """The plan of a change carried out already: nothing to do."""
    return MapChangePlan(
        **_fields(replace(base, creates_province=False)),
        records=await map_store.record_counts(db),
        done=done,
    )


async def _ended_communes(
    db: Database | Tx, province: Unit, rows: list[MappingRow], units: UnitsFile
) -> list[EndedCommune]:
    missing: list[MappingRow] = []
    ended: list[tuple[MappingRow, Unit]] = []
    found: list[EndedCommune] = []
    for row in rows:
        unit = await unit_store.in_force_by_code(db, row.old_code)
        if unit is None or unit.level is not Level.COMMUNE or not province.covers(unit):
            former = await unit_store.by_code(db, row.old_code)
            if former is not None and former.level is Level.COMMUNE and not former.in_force:
                ended.append((row, former))
            else:
                missing.append(row)
            continue
        found.append(EndedCommune(unit, row.new_codes, row.partly))
    if ended:
        row, former = ended[0]
        value = f"{_codes(r.old_code for r, _ in ended)} ({former.valid_to})"
        raise MapChangeError(MapProblem.ALREADY_ENDED, value, line=row.line, count=len(ended))
    if missing:
        value = _codes(f"{r.old_code} {r.old_name}".strip() for r in missing)
        raise MapChangeError(
            MapProblem.NOT_IN_DATABASE, value, line=missing[0].line, count=len(missing)
        )
    unknown = [(row, code) for row in rows for code in row.new_codes if code not in units.codes]
    if unknown:
        row, _ = unknown[0]
        value = _codes(dict.fromkeys(code for _, code in unknown))
        raise MapChangeError(
            MapProblem.NOT_IN_UNITS_FILE, value, line=row.line, count=len({c for _, c in unknown})
        )
    return found


async def _check_new_codes(
    db: Database | Tx, units: UnitsFile, communes: list[EndedCommune]
) -> None:
    """A code of the new map may be held only by a unit that ends with this change."""
    ending = {c.unit.id for c in communes}
    taken = []
    for code in units.codes:
        unit = await unit_store.in_force_by_code(db, code)
        if unit is not None and unit.id not in ending:
            taken.append(code)
    if taken:
        raise MapChangeError(MapProblem.CODE_TAKEN, _codes(taken), count=len(taken))


async def _ended_districts(
    db: Database | Tx, province: Unit, ended: set[int], *, ends: bool
) -> list[Unit]:
    """The middle-level units that end: all of them when the province ends (then every
    commune of it must be in the mapping), else those whose communes all end."""
    communes = await map_store.in_force_under(db, province, Level.COMMUNE.value)
    left = [unit_id for unit_id in communes if unit_id not in ended]
    if ends and left:
        names = [u for u in [await unit_store.get(db, i) for i in left] if u is not None]
        raise MapChangeError(
            MapProblem.UNCOVERED, _codes(f"{u.code} {u.name}" for u in names), count=len(left)
        )
    found = []
    for district_id in await map_store.in_force_under(db, province, Level.DISTRICT.value):
        children = (await map_store.children_ids(db, [district_id]))[district_id]
        if ends or (children and all(child in ended for child in children)):
            district = await unit_store.get(db, district_id)
            if district is not None:
                found.append(district)
    return found


async def _former_districts(
    db: Database | Tx, units: UnitsFile, communes: list[EndedCommune]
) -> dict[str, str]:
    """For the new communes hanging under the province or an area whose file names no former
    district: the district of the old map most of their former communes were in (the first
    of them in the mapping's order when as many were in two)."""
    wanted = {
        c.code
        for c in units.communes
        if not c.former_district and (c.middle is None or c.middle.kind is UnitKind.AREA)
    }
    parents: dict[int, Unit | None] = {}
    counted: dict[str, Counter[str]] = {}
    for commune in communes:
        parent_id = commune.unit.parent_id
        if parent_id is None:
            continue
        if parent_id not in parents:
            parents[parent_id] = await unit_store.get(db, parent_id)
        district = parents[parent_id]
        if district is None or district.level is not Level.DISTRICT:
            continue
        if district.kind is UnitKind.AREA:
            continue
        for code in commune.successors:
            if code in wanted:
                counted.setdefault(code, Counter())[district.name] += 1
    return {
        code: names.most_common(1)[0][0] for code in units.codes if (names := counted.get(code))
    }


async def _branch_moves(db: Database | Tx, communes: list[EndedCommune]) -> list[BranchMove]:
    """Each branch of an ended commune, where it goes and under which name: branches coming
    from different communes into one with the same name are told apart by their old
    commune's ("Thôn 1 (Lê Hồng Phong)")."""
    children = await map_store.children_ids(db, [c.unit.id for c in communes])
    moves: list[BranchMove] = []
    for commune in communes:
        for branch_id in children[commune.unit.id]:
            branch = await unit_store.get(db, branch_id)
            if branch is None or branch.level is not Level.BRANCH:
                continue
            moves.append(BranchMove(branch, commune.unit, commune.successors, branch.name))
    by_target: dict[str, Counter[str]] = {}
    for move in moves:
        by_target.setdefault(move.to_code, Counter())[fold(move.branch.name)] += 1
    named: list[BranchMove] = []
    taken: dict[str, set[str]] = {}
    for move in moves:
        used = taken.setdefault(move.to_code, set())
        name = move.branch.name
        if by_target[move.to_code][fold(name)] > 1:
            name = branch_placing.distinct_name(name, move.old_commune, used)
        used.add(fold(name))
        named.append(replace(move, name=name))
    return named


async def _grant_changes(
    db: Database | Tx, base: _Base, communes: list[EndedCommune], districts: list[Unit]
) -> tuple[list[GrantChange], list[GrantChange]]:
    """Grants on ended units: moved to the successor when the mapping is one-to-one within
    this database (one successor, which no other ended unit goes to) and it is of the role's
    level; the province admin's follows the province; every other kept."""
    province = (base.new_province_code,)
    successors: dict[int, tuple[tuple[str, ...], Level]] = {
        c.unit.id: (c.successors, Level.COMMUNE) for c in communes
    }
    for district in districts:
        successors[district.id] = (province, Level.PROVINCE)
    ended: dict[int, Unit] = {c.unit.id: c.unit for c in communes}
    ended.update({d.id: d for d in districts})
    if not base.same_province:
        successors[base.province.id] = (province, Level.PROVINCE)
        ended[base.province.id] = base.province
    taken_by = Counter(code for codes, _ in successors.values() for code in codes)
    moved: list[GrantChange] = []
    kept: list[GrantChange] = []
    for grant in await map_store.grants_on(db, ended):
        unit = ended[grant.unit_id]
        codes, level = successors[grant.unit_id]
        follows = grant.role is Role.PROVINCE_ADMIN and unit.id == base.province.id
        one_to_one = len(codes) == 1 and taken_by[codes[0]] == 1
        if follows or (one_to_one and ROLE_LEVEL[grant.role] is level):
            moved.append(GrantChange(grant, unit, codes[0]))
        else:
            kept.append(GrantChange(grant, unit, None))
    return moved, kept


# --- Applying it -----------------------------------------------------------------------------


async def apply(db: Database, planned: MapChangePlan, *, now: datetime) -> MapChangeResult:
    """Carry out the change `planned` describes, in one transaction (planned again inside it,
    so what is done is what the database holds then). Nothing is changed when it was carried
    out before with the same files; a counter check that fails rolls everything back
    (`MapProblem.COUNTERS`)."""
    async with db.transaction() as tx:
        fresh = await plan(
            tx,
            planned.units_file,
            planned.mapping_file,
            planned.effective,
            province_code=planned.new_province_code,
            province_name=planned.new_province_name,
            now=now,
        )
        if fresh.done is not None:
            return MapChangeResult(plan=fresh, change_id=fresh.done.id, applied=False)
        return await _apply(tx, fresh, now)


async def _apply(tx: Tx, fresh: MapChangePlan, now: datetime) -> MapChangeResult:
    effective = fresh.effective
    for commune in fresh.communes:
        await unit_store.end(tx, commune.unit, effective)
    for district in fresh.districts:
        await unit_store.end(tx, district, effective)
    if not fresh.same_province:
        await unit_store.end(tx, fresh.province, effective)
    loaded = await hierarchy.load_units_in(
        tx,
        fresh.units,
        province_code=fresh.new_province_code,
        province_name=fresh.new_province_name,
        valid_from=effective,
    )
    new_province = loaded.province
    assert new_province is not None
    new: dict[str, Unit] = {}
    for code in fresh.new_units:
        unit = await unit_store.in_force_by_code(tx, code)
        assert unit is not None, code
        new[code] = unit
    for code, former in fresh.former_districts.items():
        if new[code].former_district is None:
            await unit_store.fill_former_district(tx, new[code], former)
    for commune in fresh.communes:
        for rank, code in enumerate(commune.successors):
            await map_store.add_successor(
                tx, commune.unit.id, new[code].id, partly=commune.partly, rank=rank
            )
    for district in fresh.districts:
        await map_store.add_successor(tx, district.id, new_province.id, partly=False, rank=0)
    if not fresh.same_province:
        await map_store.add_successor(tx, fresh.province.id, new_province.id, partly=False, rank=0)
    for move in fresh.branches:
        await _move_branch(tx, move, new[move.to_code], effective)
    new[fresh.new_province_code] = new_province
    moved, kept = await _move_grants(tx, fresh, new)
    fresh = replace(fresh, grants_moved=tuple(moved), grants_kept=tuple(kept))
    revoked = await revoke_invites(tx, fresh.invites, now)
    mismatches, left = await counters.rebuild_checked(tx)
    if left:
        raise MapChangeError(MapProblem.COUNTERS, str(len(left)), count=len(left))
    summary = _summary(fresh, len(mismatches), revoked)
    change_id = await map_store.add_map_change(
        tx,
        effective=effective,
        units_file=str(fresh.units_file),
        mapping_file=str(fresh.mapping_file),
        applied_at=now,
        summary=summary,
    )
    await people.audit(
        tx,
        actor_id=None,
        action="map_change",
        entity="map_change",
        entity_id=change_id,
        after=summary,
    )
    if any(change.grant.role in CHAIR_ROLES for change in (*moved, *kept)):
        # One event for the change: each chair is told once, of all their grants it touched.
        await notice_events.add(tx, NoticeKind.MAP_CHANGED, change_id, now)
    return MapChangeResult(
        plan=fresh,
        change_id=change_id,
        applied=True,
        counters_changed=len(mismatches),
        invites_revoked=revoked,
    )


async def _move_branch(tx: Tx, move: BranchMove, commune: Unit, effective: date) -> None:
    before = move.branch.model_dump(mode="json")
    if move.renamed:
        await map_store.rename(tx, move.branch.id, move.name)
    path = await map_store.reparent(tx, move.branch, commune)
    await map_store.add_move(
        tx,
        UnitMove(
            unit_id=move.branch.id,
            from_parent_id=move.old_commune.id,
            to_parent_id=commune.id,
            effective=effective,
            settled=not move.provisional,
        ),
    )
    await people.audit(
        tx,
        actor_id=None,
        action="move",
        entity="unit",
        entity_id=move.branch.id,
        before=before,
        after={**before, "name": move.name, "parent_id": commune.id, "path": path},
    )


async def _move_grants(
    tx: Tx, fresh: MapChangePlan, new: dict[str, Unit]
) -> tuple[list[GrantChange], list[GrantChange]]:
    moved: list[GrantChange] = []
    kept = list(fresh.grants_kept)
    for change in fresh.grants_moved:
        assert change.to_code is not None
        target = new[change.to_code]
        grant = change.grant
        if await map_store.holds(tx, grant.telegram_id, grant.role, target.id):
            kept.append(replace(change, to_code=None))
            continue
        await map_store.move_grant(tx, grant.id, target.id)
        await people.audit(
            tx,
            actor_id=None,
            action="move",
            entity="role_grant",
            entity_id=grant.id,
            before={"unit_id": grant.unit_id},
            after={"unit_id": target.id},
        )
        moved.append(change)
    return moved, kept


async def revoke_invites(
    tx: Tx,
    invites: Iterable[InviteRow],
    now: datetime,
    *,
    actor_id: int | None = None,
    closed: Unit | None = None,
) -> int:
    """Unused invites to units that end expire now, each with an audit line: a role on an
    ended unit is not given any more (whoever opens one is told it expired, or that its
    branch closed, and whom to ask). `actor_id`: the chair who closed `closed`, a branch
    (None: a map change)."""
    revoked = 0
    for invite in invites:
        if await map_store.revoke_invite(tx, invite.code, now):
            revoked += 1
            after: dict[str, object] = {"expires_at": now.isoformat()}
            if closed is not None:
                after["unit_closed"] = closed.id
            await people.audit(
                tx,
                actor_id=actor_id,
                action="revoke",
                entity="invite",
                entity_id=invite.code,
                before={"expires_at": invite.expires_at.isoformat()},
                after=after,
            )
    return revoked


def _summary(fresh: MapChangePlan, counters_changed: int, invites_revoked: int) -> dict[str, Any]:
    """What the `map_change` row keeps: enough to tell the change again, and to know a rerun."""
    return {
        "digests": fresh.digests,
        "province": {"old": fresh.province.code, "new": fresh.new_province_code},
        "units_created": fresh.units_created,
        "units_ended": fresh.units_ended,
        "communes_ended": [c.unit.id for c in fresh.communes],
        "districts_ended": [d.id for d in fresh.districts],
        "branches_moved": [m.branch.id for m in fresh.branches],
        "branches_provisional": [m.branch.id for m in fresh.provisional],
        "branches_renamed": [m.branch.id for m in fresh.renamed],
        "grants_moved": [g.grant.id for g in fresh.grants_moved],
        "grants_kept": [g.grant.id for g in fresh.grants_kept],
        "invites": [invite.code for invite in fresh.invites],
        "invites_revoked": invites_revoked,
        "former_districts": fresh.former_districts,
        "records": fresh.records,
        "counters_changed": counters_changed,
        "mismatches": 0,
    }
