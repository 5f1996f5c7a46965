"""Finding the commune and the area a row names: by its statistics-office code, by its name
(without diacritics, with or without its type word "xã", "phường", "huyện"…) or, for a
commune, by a former name; inside the row's area when it gives one. The units are read once
per sheet (`UnitMap`): a province's sheet names its hundred communes on thousands of rows."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.services.rollout.problems import Problem, RowProblem
from bot.services.rollout.sheet import AREA, COMMUNE
from bot.services.rollout.vocabulary import (
    AREA_WORDS,
    COMMUNE_WORDS,
    NO_KINDS,
    typed_unit,
    words,
)
from bot.storage import units as unit_store
from bot.storage.db import Database, Tx
from bot.storage.models import Level, Unit, UnitKind


@dataclass
class UnitMap:
    """The units a sheet is checked against, read once."""

    communes: list[Unit]
    areas: list[Unit]
    by_code: dict[str, Unit] = field(default_factory=dict)
    by_name: dict[str, list[Unit]] = field(default_factory=dict)
    area_by_code: dict[str, Unit] = field(default_factory=dict)
    area_by_name: dict[str, list[Unit]] = field(default_factory=dict)
    area_by_id: dict[int, Unit] = field(default_factory=dict)
    former: dict[str, list[Unit]] = field(default_factory=dict)
    """Former names looked up so far (folded) → the communes in force they went to."""

    def __post_init__(self) -> None:
        for unit in self.communes:
            self.by_code[unit.code] = unit
            self.by_name.setdefault(words(unit.name), []).append(unit)
        for unit in self.areas:
            self.area_by_code[unit.code] = unit
            self.area_by_name.setdefault(words(unit.name), []).append(unit)
            self.area_by_id[unit.id] = unit


async def unit_map(db: Database | Tx) -> UnitMap:
    """Every commune and every middle-level unit of the map."""
    root = await unit_store.root(db)
    communes = await unit_store.beneath(db, root, [Level.COMMUNE], limit=100_000) if root else []
    areas = await unit_store.beneath(db, root, [Level.DISTRICT], limit=100_000) if root else []
    return UnitMap(communes, areas)


def _listed(units: Sequence[Unit], found: UnitMap | None = None) -> str:
    """ "Đông Hưng (12688), Bắc Đông Hưng (12691)": candidates, with the codes to write (and
    their district or area, where the map has one)."""
    parts = []
    for unit in units[:5]:
        parent = found.area_by_id.get(unit.parent_id or 0) if found is not None else None
        where = f", {parent.name}" if parent is not None else ""
        parts.append(f"{unit.name} ({unit.code}{where})")
    return ", ".join(parts)


def _by_code(units: Mapping[str, Unit], text: str) -> Unit | None:
    if not (text.isascii() and text.isdigit()):
        return None
    return units.get(text) or units.get(text.zfill(3)) or units.get(text.zfill(5))


def _by_name(
    units: Mapping[str, list[Unit]], text: str, type_words: Mapping[str, tuple[UnitKind, ...]]
) -> tuple[str, tuple[UnitKind, ...], list[Unit]]:
    """The units named `text`, or else named it without its type word ("xã Liên Giang"): the
    name looked up, the kinds its type word says, the units."""
    name, kinds = words(text), NO_KINDS
    named = units.get(name, [])
    if not named:
        name, kinds = typed_unit(text, type_words)
        named = units.get(name, [])
    return name, kinds, named


def _of_kinds(units: list[Unit], kinds: tuple[UnitKind, ...]) -> list[Unit]:
    """Namesakes told apart by the type word written ("huyện" or "thị xã"), if it helps."""
    if len(units) > 1 and kinds:
        return [unit for unit in units if unit.kind in kinds] or units
    return units


def find_area(found: UnitMap, text: str) -> Unit | RowProblem:
    """By code, then by name (its type word left out)."""
    if not found.areas:
        return RowProblem(None, Problem.NO_MIDDLE_LEVEL, AREA, text)
    unit = _by_code(found.area_by_code, text)
    if unit is not None:
        return unit
    _, kinds, named = _by_name(found.area_by_name, text, AREA_WORDS)
    named = _of_kinds(named, kinds)
    if len(named) == 1:
        return named[0]
    if named:
        return RowProblem(None, Problem.AMBIGUOUS_AREA, AREA, text, _listed(named))
    return RowProblem(None, Problem.UNKNOWN_AREA, AREA, text)


async def find_commune(
    db: Database | Tx, found: UnitMap, text: str, area: Unit | None
) -> Unit | RowProblem:
    """By code, by name (its type word left out), then by a former name; inside `area` when
    the row gives one."""
    unit = _by_code(found.by_code, text)
    if unit is not None:
        if area is not None and not area.covers(unit):
            return RowProblem(None, Problem.NOT_IN_AREA, COMMUNE, text, area.name)
        return unit
    name, kinds, candidates = _by_name(found.by_name, text, COMMUNE_WORDS)
    if not candidates:
        if name not in found.former:
            hits = await unit_store.former_names(db, name, levels=[Level.COMMUNE])
            found.former[name] = [hit.unit for hit in hits if words(hit.former or "") == name]
        candidates = found.former[name]
    if area is not None and candidates:
        inside = [unit for unit in candidates if area.covers(unit)]
        if not inside:
            return RowProblem(None, Problem.NOT_IN_AREA, COMMUNE, text, area.name)
        candidates = inside
    candidates = _of_kinds(candidates, kinds)
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        return RowProblem(
            None, Problem.AMBIGUOUS_COMMUNE, COMMUNE, text, _listed(candidates, found)
        )
    near = [unit for unit in found.communes if name and name in words(unit.name)]
    if not near:  # a typo ("Đông Hưngg"): the names closest to it
        close = difflib.get_close_matches(name, list(found.by_name), n=3, cutoff=0.8)
        near = [unit for key in close for unit in found.by_name[key]]
    return RowProblem(None, Problem.UNKNOWN_COMMUNE, COMMUNE, text, _listed(near[:3], found))
