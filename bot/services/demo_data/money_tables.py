"""How the demo's gifts and awards are drawn: who gives at each level and how much, which
drive a gift belongs to, why a scholarship or prize is given and how large it is. `money.py`
draws from these."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from bot.storage.models import Level
from bot.storage.records import AwardReason, Campaign, DonorKind, FundKind


@dataclass(frozen=True)
class DonorTable:
    kinds: list[DonorKind]
    cumulative: list[float]
    named: Mapping[DonorKind, list[str]]
    """Ready names for the kinds that do not need a person's name."""


DONORS: Final[Mapping[Level | FundKind, tuple[list[DonorKind], list[float]]]] = {
    Level.BRANCH: (
        [
            DonorKind.INDIVIDUAL,
            DonorKind.FAMILY,
            DonorKind.CLAN,
            DonorKind.COLLECTIVE,
            DonorKind.ENTERPRISE,
        ],
        [50, 25, 10, 8, 7],
    ),
    FundKind.CLAN: ([DonorKind.FAMILY, DonorKind.INDIVIDUAL, DonorKind.CLAN], [45, 40, 15]),
    Level.COMMUNE: (
        [
            DonorKind.INDIVIDUAL,
            DonorKind.FAMILY,
            DonorKind.ENTERPRISE,
            DonorKind.ORGANISATION,
            DonorKind.COLLECTIVE,
            DonorKind.CLAN,
        ],
        [20, 10, 25, 15, 20, 10],
    ),
    Level.DISTRICT: (
        [DonorKind.ENTERPRISE, DonorKind.ORGANISATION, DonorKind.COLLECTIVE],
        [50, 30, 20],
    ),
    Level.PROVINCE: (
        [DonorKind.ENTERPRISE, DonorKind.ORGANISATION, DonorKind.COLLECTIVE],
        [50, 30, 20],
    ),
}
GIFT_STEPS: Final = {
    Level.BRANCH: (1, 100, 2.0),
    Level.COMMUNE: (2, 500, 2.0),
    Level.DISTRICT: (20, 2_000, 1.6),
    Level.PROVINCE: (50, 5_000, 1.6),
}
"""(smallest, largest, skew) of a gift in `MONEY_STEP`s at each level; the larger the skew,
the likelier small gifts (about 1.3 million đồng on average to a branch, 5 to a commune)."""
FUND_WEIGHT: Final = {
    Level.BRANCH: 1.0,
    Level.COMMUNE: 3.0,
    Level.DISTRICT: 6.0,
    Level.PROVINCE: 10.0,
}
CAMPAIGNS: Final = list(Campaign)
CAMPAIGN_WEIGHTS: Final = [
    {
        Campaign.XUAN_KHUYEN_HOC: 30,
        Campaign.THANG_KHUYEN_HOC: 35,
        Campaign.ONE_DAY_SALARY: 15,
        Campaign.PIG_RAISING: 8,
        Campaign.OTHER: 12,
    }[c]
    for c in CAMPAIGNS
]
REASONS: Final = list(AwardReason)
REASON_WEIGHTS: Final = [
    {
        AwardReason.POOR_OVERCOMING: 35,
        AwardReason.EXCELLENT_STUDENT: 35,
        AwardReason.COMPETITION_PRIZE: 12,
        AwardReason.UNIVERSITY_ENTRANCE: 12,
        AwardReason.OTHER: 6,
    }[r]
    for r in REASONS
]
AWARD_STEPS: Final = [5, 10, 20, 30, 50, 100]
"""Scholarships and prizes, in `MONEY_STEP`s: 500 000 đồng to 10 million (on today's map,
twice as much: a commune of today is as large as a district was, and gives and pays out as
one did)."""
AWARD_WEIGHTS: Final = [15, 25, 25, 15, 12, 8]
CAMPAIGN_CUMULATIVE: Final = list(itertools.accumulate(CAMPAIGN_WEIGHTS))
REASON_CUMULATIVE: Final = list(itertools.accumulate(REASON_WEIGHTS))
AWARD_CUMULATIVE: Final = list(itertools.accumulate(AWARD_WEIGHTS))
