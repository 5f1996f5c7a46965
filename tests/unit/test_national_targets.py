"""The national programmes' targets shipped as data, and which one a year is measured against."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.services import national_targets
from bot.services.national_targets import NationalTarget, TargetsFileError
from bot.storage.records import NominationKind


def test_the_shipped_targets_are_the_decisions() -> None:
    found = {(t.indicator, t.year): (t.percent, t.decision) for t in national_targets.load()}
    assert found == {
        ("family", 2025): (70, "387/QĐ-TTg"),
        ("clan", 2025): (65, "387/QĐ-TTg"),
        ("village_community", 2025): (65, "387/QĐ-TTg"),
        ("learning_unit", 2025): (80, "387/QĐ-TTg"),
        ("citizen", 2025): (40, "677/QĐ-TTg"),
        ("citizen_staff", 2025): (60, "677/QĐ-TTg"),
    }


TARGETS = (
    NationalTarget("family", 2025, 70, "387/QĐ-TTg"),
    NationalTarget("family", 2030, 80, "X/QĐ-TTg"),
)


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2021, 70), (2025, 70), (2026, 80), (2030, 80), (2031, 80)],
)
def test_a_year_is_measured_against_the_nearest_deadline_ahead(year: int, expected: int) -> None:
    found = national_targets.for_year(NominationKind.FAMILY, year, TARGETS)
    assert found is not None and found.percent == expected


def test_no_target_for_a_title_without_one() -> None:
    assert national_targets.for_year(NominationKind.COMMUNE_COMMUNITY, 2025) is None
    assert national_targets.for_year(NominationKind.CLAN, 2025, TARGETS) is None


@pytest.mark.parametrize(
    "body",
    [
        "indicator,year,percent,decision\nfamily,2025,170,387/QĐ-TTg\n",
        "indicator,year,percent,decision\nfamily,năm 2025,70,387/QĐ-TTg\n",
        "indicator,year\nfamily,2025\n",
    ],
)
def test_a_broken_targets_file_names_its_line(tmp_path: Path, body: str) -> None:
    path = tmp_path / "targets.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(TargetsFileError, match="line 2"):
        national_targets.load(path)
