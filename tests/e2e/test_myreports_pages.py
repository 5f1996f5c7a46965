"""/myreports beyond the latest 10: ◀ Mới hơn / Cũ hơn ▶ page through every report, newest
first, with the page's number; a page stays put when a report is saved meanwhile."""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.services import members, nominations
from bot.storage.records import NominationKind
from tests.e2e.conftest import VOLUNTEER, BotUnderTest, World

NEWER, OLDER = "◀ Mới hơn", "Cũ hơn ▶"
GIVEN = (
    *("An", "Bình", "Cúc", "Dung", "Đào", "Giang", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Khánh"),
    *("Lan", "Linh", "Loan", "Mai", "Minh", "Nam", "Nga", "Ngọc", "Oanh", "Phúc", "Quang"),
    *("Sơn", "Tâm", "Thảo"),
)
LINE = re.compile(r"^(👤|🏅) .* #(\d+): (.*?)(?: \(.*\))? — \d\d/\d\d/\d{4}$")


async def report(bot: BotUnderTest, world: World, number: int) -> None:
    """Report number `number`: odd ones a member, even ones a nomination, two a minute (a
    member and a nomination at the same time), as a volunteer would through the forms."""
    found: object
    if number % 2:
        found = await members.create_member(
            bot.db,
            VOLUNTEER,
            {
                "full_name": named(number),
                "gender": "female",
                "birth_year": 1970,
                "joined_on": date(2026, 11, 1),
                "unit_id": world.branch.id,
            },
            idempotency_key=f"page-{number}",
            now=bot.now,
        )
    else:
        found = await nominations.create_nomination(
            bot.db,
            VOLUNTEER,
            {
                "kind": NominationKind.CITIZEN,
                "subject": named(number),
                "unit_id": world.branch.id,
                "year": 2026,
            },
            idempotency_key=f"page-{number}",
            now=bot.now,
        )
        bot.advance(timedelta(minutes=1))
    assert isinstance(found, tuple)


def listed(text: str) -> list[str]:
    """The names of the reports a listing shows, in order."""
    return [m.group(3) for line in text.splitlines() if (m := LINE.match(line))]


def named(number: int) -> str:
    """Report `number`'s name: "Hội Viên An" (a member), "Công Dân Bình" (a nomination)."""
    return f"{'Hội Viên' if number % 2 else 'Công Dân'} {GIVEN[number - 1]}"


async def test_25_reports_paged(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest, world: World
) -> None:
    for number in range(1, 26):
        await report(bot, world, number)
    await bot.tell_waiting()
    newest_first = [named(n) for n in range(25, 0, -1)]
    # The same minute: the nomination (saved after) before the member.
    assert newest_first[:3] == ["Hội Viên Tâm", "Công Dân Sơn", "Hội Viên Quang"]

    await volunteer.send("/myreports")
    first = volunteer.last_text
    assert "Các báo cáo gần đây của bạn" in first and "Trang 1" in first
    assert listed(first) == newest_first[:10]
    assert volunteer.buttons[10:] == [OLDER]  # no newer page
    assert len(volunteer.buttons) == 11

    await volunteer.press(OLDER)
    second = volunteer.last_text
    assert "Các báo cáo trước đó của bạn" in second and "Trang 2" in second
    assert listed(second) == newest_first[10:20]
    assert volunteer.buttons[10:] == [NEWER, OLDER]
    page_two = volunteer.last
    assert page_two is not None
    older_of_two = next(b for b in page_two.inline_buttons if b["text"] == OLDER)

    await volunteer.press(OLDER)
    third = volunteer.last_text
    assert "Trang 3" in third and listed(third) == newest_first[20:]
    assert volunteer.buttons[5:] == [NEWER]  # five on the last page, no older one

    await volunteer.press(NEWER)
    assert listed(volunteer.last_text) == newest_first[10:20]
    assert "Trang 2" in volunteer.last_text
    await volunteer.press(NEWER)
    assert listed(volunteer.last_text) == newest_first[:10]
    assert "Trang 1" in volunteer.last_text
    assert NEWER not in volunteer.buttons

    # A report saved meanwhile: page two's old "Cũ hơn ▶" still shows the same five.
    await report(bot, world, 26)
    await volunteer.press_data(str(older_of_two["callback_data"]), page_two.message_id)
    assert listed(volunteer.last_text) == newest_first[20:]
    assert "Trang 4" in volunteer.last_text  # 21 newer reports now: three pages before it
    # A report opened from a page, and back: the latest again.
    await volunteer.press(NEWER)
    assert listed(volunteer.last_text) == [named(n) for n in range(15, 5, -1)]
    await volunteer.press(NEWER)
    assert listed(volunteer.last_text) == [named(n) for n in range(25, 15, -1)]
    assert "Trang 2" in volunteer.last_text  # report 26 alone is page 1 now
    await volunteer.press(f"🏅 #12 {named(24)}")  # report 24 is nomination #12
    assert named(24) in volunteer.last_text
    await volunteer.press("⬅ Quay lại")
    assert listed(volunteer.last_text)[0] == named(26)


async def test_a_short_list_has_no_pages(
    volunteer: FakeUser, bot: BotUnderTest, world: World
) -> None:
    for number in range(1, 11):
        await report(bot, world, number)
    await volunteer.send("/myreports")
    assert "Trang" not in volunteer.last_text
    assert NEWER not in volunteer.buttons and OLDER not in volunteer.buttons
    await report(bot, world, 11)
    await volunteer.send("/myreports")
    assert "Trang 1" in volunteer.last_text and volunteer.buttons[-1] == OLDER


async def test_forged_page_buttons_show_only_ones_own_reports(
    fake: FakeBotApi, volunteer: FakeUser, bot: BotUnderTest, world: World
) -> None:
    for number in range(1, 13):
        await report(bot, world, number)
    await bot.tell_waiting()  # the chair's nomination cards
    other = fake.user(World.CHAIR)
    await other.send("/myreports")
    listing = other.last
    assert listing is not None and "Bạn chưa gửi báo cáo nào" in listing.content
    await other.press_data("mr:pg:o:member:3", listing.message_id)  # someone else's report
    assert "Bạn chưa gửi báo cáo nào" in other.last_text and listed(other.last_text) == []
    await volunteer.send("/myreports")
    for data in ("mr:pg:o:member:999", "mr:pg:x:member:1", "mr:pg:o:spaceship:1"):
        await volunteer.press_data(data)
        assert volunteer.callback_answers[-1] in ("", "Nút này không hợp lệ.")
    await volunteer.press_data("mr:pg:n:nomination:6")  # nothing newer than the newest
    assert listed(volunteer.last_text) == [named(n) for n in range(12, 2, -1)]
