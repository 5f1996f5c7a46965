"""Campaigns in the database: defaults from the lunar calendar, tagging, admin changes."""

from __future__ import annotations

from datetime import date, timedelta

from bot.services import campaigns, funds, members, report_access
from bot.services.campaigns import CampaignProblem
from bot.storage import campaigns as campaign_store
from bot.storage.db import Database
from bot.storage.records import Member
from tests.unit.reporting_helpers import (
    ADMIN,
    CHAIR,
    NOW,
    VOLUNTEER,
    contribution_data,
    key,
    make_world,
    member_data,
    ok,
)


async def test_defaults_are_seeded_once_per_year(db: Database) -> None:
    assert await campaigns.ensure_defaults(db, range(2025, 2028)) == 6
    assert await campaigns.ensure_defaults(db, range(2025, 2028)) == 0
    october = await campaign_store.covering(db, date(2026, 10, 2))
    assert [(c.key, c.name, c.start_on, c.end_on) for c in october] == [
        ("thang_khuyen_hoc", "Tháng Khuyến học", date(2026, 10, 1), date(2026, 10, 31))
    ]
    spring = await campaign_store.covering(db, date(2026, 2, 17))  # Tết Bính Ngọ
    assert [(c.key, c.start_on, c.end_on) for c in spring] == [
        ("xuan_khuyen_hoc", date(2026, 2, 10), date(2026, 3, 3))
    ]
    assert await campaign_store.covering(db, date(2026, 6, 1)) == []


async def test_reports_are_tagged_with_the_campaign_of_their_date(db: Database) -> None:
    world = await make_world(db)
    await campaigns.ensure_defaults(db, range(2026, 2027))
    october = (await campaign_store.covering(db, date(2026, 10, 2)))[0]
    in_october = ok(
        await members.create_member(
            db, VOLUNTEER, member_data(world.b1), idempotency_key=key(), now=NOW
        )
    )
    later = ok(
        await members.create_member(
            db,
            VOLUNTEER,
            member_data(world.b1, full_name="Trần Văn Bình", joined_on=date(2026, 11, 20)),
            idempotency_key=key(),
            now=NOW,
        )
    )
    tags = {row[0]: row[1] for row in await db.fetchall("SELECT id, campaign_id FROM member")}
    assert tags == {in_october.id: october.id, later.id: None}

    fund = await funds.unit_fund(db, world.b1)
    ok(
        await funds.create_contribution(
            db,
            VOLUNTEER,
            contribution_data(fund, contributed_on=date(2026, 10, 15), amount=2_000_000),
            idempotency_key=key(),
            now=NOW,
        )
    )
    progress = await campaigns.progress(db, october.id, world.commune.path)
    assert (progress.members, progress.contributions, progress.raised) == (1, 1, 2_000_000)

    moved = await report_access.edit_member(
        db, VOLUNTEER, later.id, {"joined_on": date(2026, 10, 30)}, now=NOW
    )
    assert isinstance(moved, Member)
    row = await db.fetchone("SELECT campaign_id FROM member WHERE id = ?", (later.id,))
    assert row is not None and row[0] == october.id
    assert (await campaigns.progress(db, october.id, world.b1.path)).members == 2


async def test_only_the_province_admin_changes_campaigns(db: Database) -> None:
    await make_world(db)
    await campaigns.ensure_defaults(db, range(2026, 2027))
    october = (await campaign_store.covering(db, date(2026, 10, 2)))[0]
    start, end = date(2026, 10, 2), date(2026, 10, 20)
    assert await campaigns.change_dates(db, CHAIR, october.id, start, end) is (
        CampaignProblem.NOT_ALLOWED
    )
    assert await campaigns.change_dates(db, ADMIN, october.id, end, start) is (
        CampaignProblem.END_BEFORE_START
    )
    changed = await campaigns.change_dates(db, ADMIN, october.id, start, end)
    assert not isinstance(changed, CampaignProblem) and changed.end_on == end

    custom = await campaigns.add(
        db, ADMIN, "Tuần lễ học tập suốt đời", date(2026, 12, 1), date(2026, 12, 7)
    )
    assert not isinstance(custom, CampaignProblem) and custom.key == "custom"
    assert (
        await campaigns.add(
            db, ADMIN, "Quá dài", date(2026, 1, 1), date(2026, 1, 1) + timedelta(days=400)
        )
        is CampaignProblem.TOO_LONG
    )
    ended = await campaigns.end_now(db, ADMIN, custom.id, date(2026, 12, 3))
    assert not isinstance(ended, CampaignProblem) and ended.end_on == date(2026, 12, 3)
    assert await campaigns.end_now(db, ADMIN, october.id, date(2026, 12, 3)) is (
        CampaignProblem.ALREADY_OVER
    )
    audit = await db.fetchall("SELECT action FROM audit_log WHERE entity = 'campaign'")
    assert [r[0] for r in audit] == ["edit", "create", "edit"]
