"""The words of /report a chair pastes: money in words, "as of" a year not over, "chưa đến
0,1%", the national targets beside the rates."""

from __future__ import annotations

from datetime import date

from bot.i18n import translator
from bot.services import national_targets
from bot.services.annual_report import AnnualReport, TitleLine
from bot.services.map_views import MapView
from bot.services.regroup import MapChoice
from bot.storage.models import Level, Unit, UnitKind
from bot.storage.records import NominationKind
from handlers.stats_common import Period
from handlers.stats_report import paragraph

PROVINCE = Unit(
    id=1,
    parent_id=None,
    level=Level.PROVINCE,
    code="33",
    name="Hưng Yên",
    kind=UnitKind.PROVINCE,
    path="/1/",
)


def report(year: int, family: int, households: int, members: int, population: int) -> AnnualReport:
    titles = tuple(
        TitleLine(
            kind=kind,
            count=family if kind is NominationKind.FAMILY else 0,
            denominator=households if kind is NominationKind.FAMILY else None,
            percent=100 * family / households if kind is NominationKind.FAMILY else None,
            target=None,
            national=national_targets.for_year(kind, year),
        )
        for kind in NominationKind
    )
    return AnnualReport(
        unit=PROVINCE,
        year=year,
        titles=titles,
        members=members,
        population=population,
        member_share=100 * members / population,
        districts=0,
        communes=104,
        branches=2_554,
        committees=None,
        funds_start_year=year,
        funds_end_year=year,
        raised=88_600_000_000,
        awarded=79_400_000_000,
        sub_unit_shares=(),
        map=MapView(MapChoice.TODAY, PROVINCE),
    )


def test_a_past_year_in_the_association_s_prose() -> None:
    t = translator("vi")
    text = paragraph(
        t, report(2025, 381_123, 581_000, 12, 1_900_000), Period(2025, 2025), date(2026, 12, 1)
    )
    assert text.startswith(
        'Đến hết năm 2025, toàn tỉnh có 381.123 gia đình đạt danh hiệu "Gia đình học tập" '
        "bằng 65,6%."
    )
    assert (
        "So với chỉ tiêu đến năm 2025 (Quyết định 387/QĐ-TTg): Gia đình học tập 65,6% "
        "(chỉ tiêu 70%)." in text
    )
    assert "12 hội viên chưa đến 0,1% dân số" in text  # not "bằng <0,1%"
    assert "huy động được 88,6 tỷ đồng và chi khen thưởng, trao học bổng 79,4 tỷ đồng." in text
    assert "₫" not in text


def test_the_year_not_over_is_as_of_today() -> None:
    t = translator("vi")
    text = paragraph(t, report(2026, 10, 100, 5, 10), Period(2026, 2026), date(2026, 12, 1))
    assert text.startswith("Tính đến ngày 01/12/2026, toàn tỉnh có 10 gia đình")


def test_rounded_parts_add_up_to_the_total_shown() -> None:
    t = translator("vi")
    # 15,74 = 14,04 + 1,70: rounded one by one, "15,7 = 14 + 1,7" reads wrong as "… 1,6".
    total, parts = t.money_short_split(15_740_000_000, [14_040_000_000, 1_700_000_000])
    assert (total, parts) == ("15,7 tỷ ₫", ["14 tỷ ₫", "1,7 tỷ ₫"])
    total, parts = t.money_short_split(15_660_000_000, [14_040_000_000, 1_620_000_000])
    assert (total, parts) == ("15,7 tỷ ₫", ["14,1 tỷ ₫", "1,6 tỷ ₫"])
    # A part too small for the unit keeps its own; a sum in millions.
    total, parts = t.money_short_split(474_800_000, [4_800_000, 470_000_000])
    assert (total, parts) == ("474,8 triệu ₫", ["4,8 triệu ₫", "470 triệu ₫"])
    total, parts = t.money_short_split(2_000_000_000, [1_999_000, 1_998_001_000])
    assert parts[0] == "2 triệu ₫"
