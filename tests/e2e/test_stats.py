"""/stats and /report on a small dataset whose figures are computed by hand here."""

from __future__ import annotations

import io
import re
from datetime import date

import openpyxl
import pytest

from bot.fake_bot_api import FakeBotApi
from bot.services import campaigns, figures, funds, imports, members, nominations
from bot.storage import units as unit_store
from bot.storage.records import NominationKind
from tests.e2e.conftest import VOLUNTEER, BotUnderTest, World

# Hand-made Đông Hưng: two communes with figures, a 2025 baseline, and 2026 reports.
POPULATION = (1_000, 2_000)  # commune, other commune
CITIZENS = (400, 600)
BASELINE_MEMBERS = (300, 500)  # end of 2025


@pytest.fixture
async def data(bot: BotUnderTest, world: World) -> World:
    db, now = bot.db, bot.now
    await campaigns.ensure_defaults(db, range(2025, 2027))  # as the running bot does
    for unit, population, citizens in zip(
        (world.commune, world.other_commune), POPULATION, CITIZENS, strict=True
    ):
        for figure, value in (
            (figures.Figure.POPULATION, population),
            (figures.Figure.CITIZENS, citizens),
        ):
            assert await figures.set_figure(db, World.ADMIN, unit, 2025, figure, value, now) is None
    rows = "\n".join(
        f"{unit.code},2025,{count},0,0"
        for unit, count in zip((world.commune, world.other_commune), BASELINE_MEMBERS, strict=True)
    )
    baseline = f"unit_code,year,members_total,fund_raised,fund_awarded\n{rows}\n".encode()
    result = await imports.import_baseline(db, baseline, "baseline.csv", actor_id=None, now=now)
    assert isinstance(result, imports.ImportResult), result
    await bot.db.execute("INSERT INTO app_user (telegram_id) VALUES (?)", (VOLUNTEER,))
    await bot.db.execute(
        "INSERT INTO role_grant (telegram_id, role, unit_id) VALUES (?, 'volunteer', ?)",
        (VOLUNTEER, world.branch.id),
    )
    for number, name in enumerate(("Nguyễn Văn A", "Trần Thị B")):
        created = await members.create_member(
            db,
            VOLUNTEER,
            {
                "full_name": name,
                "gender": "male",
                "birth_year": 1970,
                "joined_on": date(2026, 3, 1),
                "unit_id": world.branch.id,
            },
            idempotency_key=f"m{number}",
            now=now,
        )
        assert not isinstance(created, str)
    for number, subject in enumerate(("Lê Văn C", "Phạm Thị D", "Hoàng Văn E")):
        made = await nominations.create_nomination(
            db,
            VOLUNTEER,
            {"kind": "citizen", "subject": subject, "unit_id": world.branch.id, "year": 2026},
            idempotency_key=f"n{number}",
            now=now,
        )
        assert isinstance(made, tuple)
        if number < 2:  # two recognised, one left pending
            await nominations.decide(
                db, made[0].id, World.CHAIR, recognise=True, reason=None, now=now
            )
    fund = await funds.unit_fund(db, world.branch)
    await funds.create_contribution(
        db,
        VOLUNTEER,
        {
            "donor_name": "Công ty Minh Phát",
            "donor_kind": "enterprise",
            "amount": 5_000_000,
            "fund_id": fund.id,
            "campaign": "thang_khuyen_hoc",
            "contributed_on": date(2026, 10, 5),
        },
        idempotency_key="c1",
        now=now,
    )
    await funds.create_award(
        db,
        VOLUNTEER,
        {
            "recipient_name": "Đỗ Văn F",
            "reason": "excellent_student",
            "amount": 1_500_000,
            "fund_id": fund.id,
            "awarded_on": date(2026, 11, 1),
        },
        idempotency_key="a1",
        now=now,
    )
    await bot.tell_waiting()  # the chair's cards and the nominator's outcomes go out now
    return world


async def test_district_chair_drills_down_and_up(fake: FakeBotApi, data: World) -> None:
    chair = fake.user(World.DISTRICT_CHAIR)
    await chair.send("/stats")
    text = chair.last_text
    # Members: 300 + 500 baseline + 2 new = 802 of 3,000 people = 26.7 %.
    assert "📊 Huyện Đông Hưng, năm 2026" in text
    # Population is known for 2 of the district's 38 communes: the share is theirs, and says so.
    assert "👥 Hội viên: 802, bằng 26,7% dân số (số liệu của 2/38 xã) · mới trong kỳ: 2" in text
    assert "📋 1/38 xã có số liệu trong kỳ" in text  # members reported in 2026: one commune
    # The 36 communes without a population are not ranked by share, and the text says which.
    unranked = re.search(r"Chưa xếp hạng vì chưa có số dân \(36 xã\): (.*)", text)
    assert unranked is not None and unranked.group(1).count(" · ") == 5, text
    assert unranked.group(1).endswith(" …") and data.commune.name not in unranked.group(1)
    # Citizens: 2 recognised of 1,000 = 0.2 %, one pending.
    assert (
        "• Công dân học tập: 2/1.000 = 0,2% (chỉ tiêu toàn quốc 40% đến năm 2025 theo 677/QĐ-TTg)"
        " · 1 đang chờ xét"
    ) in text
    assert "huy động 5 triệu ₫ · đã chi 1,5 triệu ₫ · còn lại 3,5 triệu ₫" in text
    assert "Tháng Khuyến học 5 triệu ₫" in text and "Doanh nghiệp 5 triệu ₫" in text
    commune = data.commune.name
    await chair.press("🔽 Đơn vị trực thuộc")
    await chair.press(commune)
    # The commune: 300 + 2 = 302 of 1,000.
    assert "👥 Hội viên: 302, bằng 30,2% dân số" in chair.last_text
    await chair.press("🔼 Huyện Đông Hưng")
    await chair.press("◀ 2025")
    members_2025 = "👥 Hội viên: 800, bằng 26,7% dân số (số liệu của 2/38 xã) · mới trong kỳ: 0"
    assert members_2025 in chair.last_text


async def test_year_range_and_unit_by_name(fake: FakeBotApi, data: World) -> None:
    admin = fake.user(World.ADMIN)
    await admin.send("/stats dong hung 2025")
    assert "Huyện Đông Hưng, năm 2025" in admin.last_text
    assert "huy động 0\xa0₫" in admin.last_text
    await admin.send("/stats dong hung 2019-2026")
    assert "giai đoạn 2019–2026" in admin.last_text
    assert "huy động 5 triệu ₫" in admin.last_text
    await admin.send("/stats dong hung 2031")
    assert "trong khoảng 1990 đến 2026" in admin.last_text
    await admin.send("/stats khong co dau")
    assert 'Không có đơn vị nào tên "khong co dau"' in admin.last_text


async def test_scope_is_enforced(fake: FakeBotApi, data: World, bot: BotUnderTest) -> None:
    chair = fake.user(World.CHAIR)
    await chair.send("/stats kien xuong")
    assert "nằm ngoài phạm vi bạn phụ trách" in chair.last_text
    await chair.press_data(f"st:s:{data.district.id}:2026:2026")  # forged: their district
    assert "ngoài phạm vi" in chair.callback_answers[-1]
    await chair.press_data("st:s:abc:2026:2026")
    assert "không hợp lệ" in chair.callback_answers[-1]
    volunteer = fake.user(VOLUNTEER)
    await volunteer.send("/stats")
    assert "Chi hội Thôn Đông" in volunteer.last_text
    assert "👥 Hội viên: 2" in volunteer.last_text


async def test_chart_and_excel_match_the_text(fake: FakeBotApi, data: World) -> None:
    chair = fake.user(World.DISTRICT_CHAIR)
    await chair.send("/stats")
    await chair.press("📈 Biểu đồ")
    await chair.press("Tỷ lệ hội viên trên dân số")
    photo = chair.photos[-1]
    assert photo.file_bytes is not None and photo.file_bytes.startswith(b"\x89PNG\r\n\x1a\n")
    assert "Tỷ lệ hội viên trên dân số — Huyện Đông Hưng" in (photo.caption or "")

    await chair.press_data(f"st:x:{data.district.id}:2026:2026")
    document = chair.documents[-1]
    assert document.file_name == "thong-ke-huyen-dong-hung-2026.xlsx" and document.file_bytes
    book = openpyxl.load_workbook(io.BytesIO(document.file_bytes))
    assert book.sheetnames == ["Tổng hợp", "Hội viên", "Danh hiệu", "Quỹ", "Huy động theo loại"]
    rows: dict[object, tuple[object, ...]] = {
        row[0]: row[1:] for row in book["Tổng hợp"].iter_rows(values_only=True) if row[0]
    }
    assert rows["Hội viên"][0] == 802 and rows["Huy động (đồng)"][0] == 5_000_000
    # As the text says it: value, denominator, rate, target set, national target, coverage.
    assert rows["Hội viên"][:4] == (802, 3_000, pytest.approx(802 / 3_000), None)
    assert rows["Hội viên"][6] == "2/38 xã"
    assert rows["Công dân học tập"] == (
        2,
        1_000,
        pytest.approx(0.002),
        None,
        pytest.approx(0.4),
        "2025, 677/QĐ-TTg",
        "2/38 xã",
    )
    breakdown = list(book["Huy động theo loại"].iter_rows(values_only=True))
    assert ("Theo đợt vận động", "Tháng Khuyến học", 5_000_000) in breakdown
    assert ("Tổng huy động", None, 5_000_000) in breakdown
    last = list(book["Hội viên"].iter_rows(values_only=True))[-1]
    assert last[0] == "Tổng cộng" and last[1] == 802
    money_last = list(book["Quỹ"].iter_rows(values_only=True))[-1]
    assert money_last[1:4] == (5_000_000, 1_500_000, 3_500_000)


async def test_report_paragraph(fake: FakeBotApi, data: World) -> None:
    admin = fake.user(World.ADMIN)
    await admin.send("/report 2026")
    assert admin.last_text.startswith(
        'Tính đến ngày 28/11/2026, toàn tỉnh có 2 công dân đạt danh hiệu "Công dân học tập"'
    )
    assert "Toàn tỉnh có 802 hội viên" in admin.last_text
    assert "Trong năm 2026, quỹ khuyến học các cấp đã huy động được 5 triệu đồng" in admin.last_text
    assert (
        "So với chỉ tiêu đến năm 2025 (Quyết định 677/QĐ-TTg): Công dân học tập" in admin.last_text
    )
    await admin.send("/stats 2025")
    assert "(chỉ tiêu toàn quốc 40% đến năm 2025 theo 677/QĐ-TTg)" in admin.last_text
    await admin.send("/report hai nghin")
    assert "/baocao 2023" in admin.last_text  # the Vietnamese command, in Vietnamese
    assert NominationKind.CITIZEN.value == "citizen"


async def test_commune_chair_sets_figures_and_targets(
    fake: FakeBotApi, data: World, bot: BotUnderTest
) -> None:
    chair = fake.user(World.CHAIR)
    await chair.send("/targets")
    assert "• Dân số: 1.000" in chair.last_text  # set for 2025, still in force in 2026
    await chair.press("Hộ gia đình")
    await chair.send("nhiều")
    assert "Giá trị chưa hợp lệ (không phải là số)" in chair.last_text
    await chair.send("1.250")
    assert "• Hộ gia đình: 1.250" in chair.last_text
    await chair.press("Chỉ tiêu: Công dân học tập")
    await chair.send("26,8")
    assert "• Chỉ tiêu: Công dân học tập: 26,8%" in chair.last_text
    await chair.send("/stats")
    # The target set, and the national programme's (Decision 677/QĐ-TTg: 40% by 2025).
    assert "(chỉ tiêu 26,8%; toàn quốc 40% đến năm 2025 theo 677/QĐ-TTg)" in chair.last_text
    volunteer = fake.user(VOLUNTEER)
    await volunteer.send("/targets")
    assert "Chỉ chủ tịch hội mới có thể đặt số liệu" in volunteer.last_text


async def test_admin_imports_a_file_all_or_nothing(
    fake: FakeBotApi, data: World, bot: BotUnderTest
) -> None:
    admin = fake.user(World.ADMIN)
    good = f"unit_code,year,population\n{data.commune.code},2026,1100\n".encode()
    bad = (f"unit_code,year,population\n{data.commune.code},2026,1200\n99999,2026,5\n").encode()
    await admin.send_document("so-lieu.csv", bad)
    await admin.press("📐 Số liệu và chỉ tiêu")
    assert "Chưa nhập gì cả" in admin.last_text
    assert "Dòng 3: không có đơn vị nào mang mã này (unit_code, 99999)" in admin.last_text
    await admin.send_document("so-lieu.csv", good)
    await admin.press("📐 Số liệu và chỉ tiêu")
    assert "Đã nhập 1 dòng cho 1 đơn vị" in admin.last_text
    resolved = await figures.resolve(bot.db, data.commune, 2026)
    assert resolved[figures.Figure.POPULATION] == 1100
    chair = fake.user(World.CHAIR)
    await chair.send_document("so-lieu.csv", good)
    assert "Chỉ quản trị cấp tỉnh mới có thể nhập" in chair.last_text


async def test_a_running_campaign_shows_its_progress(
    fake: FakeBotApi, data: World, bot: BotUnderTest
) -> None:
    from datetime import UTC, datetime

    bot.now = datetime(2026, 10, 20, 3, 0, tzinfo=UTC)
    chair = fake.user(World.DISTRICT_CHAIR)
    await chair.send("/stats")
    # The contribution of 5 October falls in Tháng Khuyến học; the members joined in March.
    assert "📣 Tháng Khuyến học (đến 31/10/2026): 0 hội viên mới, đóng góp 5 triệu ₫" in (
        chair.last_text
    )


async def test_a_share_is_of_the_sub_units_whose_population_is_known(
    fake: FakeBotApi, data: World, bot: BotUnderTest
) -> None:
    """Members of a commune without a population figure are counted in the total but not in
    the share: 1.000 more members there leave "26,7% dân số (số liệu của 2/38 xã)"."""
    third = (await unit_store.children(bot.db, data.district.id))[2]
    sheet = f"unit_code,year,members_total\n{third.code},2025,1000\n".encode()
    result = await imports.import_baseline(bot.db, sheet, "b.csv", actor_id=None, now=bot.now)
    assert isinstance(result, imports.ImportResult), result
    chair = fake.user(World.DISTRICT_CHAIR)
    await chair.send("/stats 2025")
    assert "👥 Hội viên: 1.800, bằng 26,7% dân số (số liệu của 2/38 xã)" in chair.last_text
    assert "📋 3/38 xã có số liệu trong kỳ" in chair.last_text
