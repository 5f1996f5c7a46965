"""The national programmes' targets the association reports its titles against, shipped as data
(`data/national_targets.csv`: indicator, year, percent, decision, measure).

* Decision 387/QĐ-TTg (25 March 2022, learning models in families, clans and communities): by
  2025, 70% of households learning families, 65% of clans learning clans, 65% of villages and
  residential groups learning communities, 80% of the units at commune level learning units.
* Decision 677/QĐ-TTg (3 June 2022, learning citizens): by 2025, 40% of the adults in learning
  families, clans and communities, and 60% of the staff of learning units, learning citizens.
  The bot's citizen figure is the adults' count, so the 40% is shown beside the citizen title;
  the staff indicator is shipped but shown nowhere, the figures not counting staff apart.

A target set by the province for a year (`/targets`) comes first; the national one is shown
beside it. For a year, the target that applies is the one of the nearest deadline not yet
passed (a 2023 report is measured against the 2025 target), else the latest one.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from bot.config import DATA_DIR
from bot.storage.records import NominationKind

TARGETS_CSV: Final = DATA_DIR / "national_targets.csv"


@dataclass(frozen=True)
class NationalTarget:
    indicator: str
    """A `NominationKind` value, or an indicator the bot has no rate for (`citizen_staff`)."""
    year: int
    """The year it is to be reached by."""
    percent: float
    decision: str
    """The decision that sets it, as it is cited: "387/QĐ-TTg"."""


class TargetsFileError(ValueError):
    """The targets file cannot be read (a broken checkout or package): says which line."""


@cache
def load(path: Path = TARGETS_CSV) -> tuple[NationalTarget, ...]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as error:
        raise TargetsFileError(f"{path}: {error.strerror or error}") from None
    found = []
    for line, row in enumerate(rows, start=2):
        try:
            target = NationalTarget(
                indicator=row["indicator"].strip(),
                year=int(row["year"]),
                percent=float(row["percent"]),
                decision=row["decision"].strip(),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            raise TargetsFileError(f"{path}, line {line}: {row}") from None
        if not 0 < target.percent <= 100 or not target.decision:
            raise TargetsFileError(f"{path}, line {line}: {row}")
        found.append(target)
    return tuple(found)


def for_year(
    kind: NominationKind, year: int, targets: Sequence[NationalTarget] | None = None
) -> NationalTarget | None:
    """The national target a title's rate of `year` is measured against, if any."""
    if targets is None:
        return _shipped_for_year(kind, year)
    return _nearest(kind, year, targets)


@cache
def _shipped_for_year(kind: NominationKind, year: int) -> NationalTarget | None:
    """`for_year` of the shipped file, asked for every line of every /stats answer."""
    return _nearest(kind, year, load())


def _nearest(
    kind: NominationKind, year: int, targets: Sequence[NationalTarget]
) -> NationalTarget | None:
    mine = sorted((t for t in targets if t.indicator == kind.value), key=lambda t: t.year)
    ahead = [t for t in mine if t.year >= year]
    if ahead:
        return ahead[0]
    return mine[-1] if mine else None
