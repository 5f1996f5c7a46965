"""Names for the demo's people, clans, branches, agencies and donors, from
data/demo_names.json (`Names`), drawn by weight (`Weighted`)."""

from __future__ import annotations

import bisect
import json
import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from bot.config import DATA_DIR
from bot.text import fold

NAMES_FILE: Final = DATA_DIR / "demo_names.json"


class Weighted:
    """Words drawn by weight, with their folded forms ready."""

    def __init__(self, weights: Mapping[str, float]) -> None:
        self.words = tuple(weights)
        self.folded = tuple(fold(word) for word in self.words)
        running, cumulative = 0.0, []
        for word in self.words:
            running += float(weights[word])
            cumulative.append(running)
        self._cumulative = cumulative
        self._total = running

    def index(self, rng: random.Random) -> int:
        return bisect.bisect_right(self._cumulative, rng.random() * self._total)


GENDERS: Final = ("male", "female")


class Names:
    """data/demo_names.json: names of people, clans, branches, agencies and donors."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self.families = Weighted(raw["family_names"])
        self.middles = {g: Weighted(raw["middle_names"][g]) for g in GENDERS}
        self.givens = {g: Weighted(dict.fromkeys(raw["given_names"][g], 1.0)) for g in GENDERS}
        clan_weights = {
            f"{family} {middle}": float(weight)
            for family, weight in raw["family_names"].items()
            for middle in raw["clan_middle_names"]
        }
        self.clan_weights: Mapping[str, float] = clan_weights
        self.clan_picker = Weighted(clan_weights)
        self.types: Mapping[str, str] = raw["commune_types"]
        self.other_branches: Sequence[Mapping[str, str]] = raw["other_branches"]
        self.agencies: Sequence[str] = raw["agencies"]
        self.household_prefix = {
            g: fold(raw["family_subjects"][g].format(name="")) for g in GENDERS
        }
        """"Hộ ông {name}" → "ho ong": a household subject folds as this plus the name."""

    @classmethod
    def load(cls, path: Path = NAMES_FILE) -> Names:
        return cls(json.loads(path.read_text("utf-8")))

    def person(self, rng: random.Random, gender: str) -> tuple[str, str]:
        """(full name, folded) such as ("Phạm Thị Hương", "pham thi huong")."""
        f = self.families.index(rng)
        middle, given = self.middles[gender], self.givens[gender]
        m, g = middle.index(rng), given.index(rng)
        return (
            f"{self.families.words[f]} {middle.words[m]} {given.words[g]}",
            f"{self.families.folded[f]} {middle.folded[m]} {given.folded[g]}",
        )

    def clans(self, rng: random.Random, count: int) -> list[str]:
        """`count` different clans, common family names more likely (weighted sampling)."""
        keyed = sorted(
            self.clan_weights, key=lambda clan: -(rng.random() ** (1 / self.clan_weights[clan]))
        )
        return keyed[:count]
