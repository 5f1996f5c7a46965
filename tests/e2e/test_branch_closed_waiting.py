"""What waits for a branch when its chair closes it, and a renamed branch at registration:

- a newcomer's registration request for it is not left dangling: the newcomer is told and
  chooses another branch of the commune (their name kept), and the chair cannot approve it
  onto the closed branch, only onto another branch of the commune, or reject it;
- its unused invite links are revoked in the same step, and opening one says the branch was
  closed and whom to ask, instead of giving a role on it;
- a branch renamed is found at registration by its former name."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.fake_bot_api import FakeBotApi, FakeUser, SentMessage
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.db import from_db_time
from bot.storage.models import RegistrationRequest, Role, Unit
from bot.text import fold
from tests.conftest import branch, person
from tests.e2e.conftest import BotUnderTest, World, step_prefix
from tests.e2e.test_branch_changes import open_branch
from tests.e2e.test_registration import AGREE, invite_link, register_until_request

WITHDRAW, MOVE = "↩ Rút lại yêu cầu", "🔁 Chọn chi hội khác"
APPROVE, REJECT = "✅ Duyệt", "❌ Từ chối"
ELSEWHERE = "Chọn chi hội khác của xã"
CLOSED_TODAY = "đã đóng từ ngày 28/11/2026"
NOT_LISTED = "➕ Chi hội của tôi không có trong danh sách"


async def close(chair: FakeUser, name: str) -> tuple[str, str]:
    """Close a branch from /chihoi: the question asked before closing, and what it says
    once closed."""
    await open_branch(chair, name)
    await chair.press("🔒 Đóng chi hội")
    question = chair.last_text
    await chair.press("🔒 Có, đóng chi hội")
    done = chair.last_text
    assert f"🔒 Đã đóng Chi hội {name}." in done
    await chair.press("✔ Xong")
    return question, done


async def requests_of(bot: BotUnderTest, telegram_id: int) -> list[tuple[str, int]]:
    rows = await bot.db.fetchall(
        "SELECT status, unit_id FROM registration_request WHERE telegram_id = ? ORDER BY id",
        (telegram_id,),
    )
    return [(str(row[0]), int(row[1])) for row in rows]


async def the_request(bot: BotUnderTest, telegram_id: int) -> RegistrationRequest:
    rows = await bot.db.fetchall(
        "SELECT id FROM registration_request WHERE telegram_id = ? ORDER BY id DESC",
        (telegram_id,),
    )
    request = await people.get_request(bot.db, int(rows[0][0]))
    assert request is not None
    return request


def card_of(chair: FakeUser, name: str) -> SentMessage:
    """The chair's card of the request `name` sent."""
    return next(
        m for m in chair.messages if "Yêu cầu đăng ký mới" in m.content and name in m.content
    )


async def west(bot: BotUnderTest, world: World) -> Unit:
    return next(
        u for u in await unit_store.children(bot.db, world.commune.id) if u.name == "Thôn Tây"
    )


# ---------------------------------------------------------------- a request that waits


async def test_a_waiting_newcomer_is_told_and_chooses_another_branch(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    newcomer, chair = fake.user(6001), fake.user(World.CHAIR)
    await register_until_request(newcomer, world, "Nguyễn Văn An")
    request = await the_request(bot, 6001)
    card = card_of(chair, "Nguyễn Văn An")
    assert card.buttons == [APPROVE, REJECT]

    question, done = await close(chair, "Thôn Đông")
    assert "Số yêu cầu đăng ký đang chờ duyệt vào chi hội: 1" in question
    assert "không yêu cầu nào được duyệt vào chi hội này nữa" in question
    assert "đường dẫn mời" not in question  # none to revoke: not mentioned
    assert "Số yêu cầu đăng ký đang chờ duyệt vào chi hội: 1 (người gửi được báo" in done

    # The newcomer hears it at once, in Vietnamese, with the ways on; the request still waits.
    told = newcomer.last_text
    assert told.startswith(f"🔒 Chi hội Thôn Đông, xã An Châu {CLOSED_TODAY}")
    assert f"yêu cầu số {request.id} của bạn không thể được duyệt vào đó" in told
    assert "Mọi thông tin bạn đã nhập vẫn được giữ" in told and "Nguyễn Văn An" in told
    assert newcomer.buttons == [WITHDRAW, MOVE]
    assert await requests_of(bot, 6001) == [("pending", world.branch.id)]
    # …and again whatever they send next.
    await newcomer.send("/start")
    assert newcomer.last_text.startswith("🔒 Chi hội Thôn Đông")
    assert newcomer.buttons == [WITHDRAW, MOVE]

    # The chair's old ✅ is refused with the reason; the card shows what may still be done.
    await chair.press_data(f"regd:ok:{request.id}", card.message_id)
    assert "Chi hội này đã đóng nên không thể duyệt ai vào đó nữa" in chair.callback_answers[-1]
    assert await people.grants_of(bot.db, 6001) == []
    assert await requests_of(bot, 6001) == [("pending", world.branch.id)]
    assert card.buttons == [ELSEWHERE, REJECT]
    assert f"🔒 Chi hội này {CLOSED_TODAY}: không ai vào được nữa" in card.content

    # 🔁 opens the same commune's branches (the closed one is not there), the name kept.
    await newcomer.press(MOVE)
    assert "Chi hội Thôn Đông đã đóng. Hãy chọn chi hội khác của Xã An Châu" in newcomer.last_text
    assert newcomer.buttons == ["Thôn Tây", "⬅ Quay lại", NOT_LISTED, "✖ Hủy"]
    await newcomer.press("Thôn Tây")
    assert "đã được gửi tới chủ tịch hội" in newcomer.last_text
    tay = await west(bot, world)
    assert await requests_of(bot, 6001) == [("withdrawn", world.branch.id), ("pending", tay.id)]
    moved = await the_request(bot, 6001)
    assert moved.full_name == "Nguyễn Văn An"

    # The old card is stale now; the new one is an ordinary request.
    await chair.press_data(f"regd:ex:{request.id}", card.message_id)
    assert "đã được người gửi rút lại" in chair.callback_answers[-1]
    assert chair.buttons == [APPROVE, REJECT]
    await chair.press(APPROVE)
    assert [g.unit.id for g in await people.grants_of(bot.db, 6001)] == [tay.id]
    assert "đã được duyệt" in newcomer.last_text and "Chi hội Thôn Tây" in newcomer.last_text


async def test_the_chair_approves_a_closed_branchs_request_onto_another_branch(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    newcomer, chair = fake.user(6002), fake.user(World.CHAIR)
    await register_until_request(newcomer, world, "Trần Thị Bình")
    request = await the_request(bot, 6002)
    await close(chair, "Thôn Đông")

    await chair.send("/pending")
    assert "Trần Thị Bình" in chair.last_text and f"🔒 Chi hội này {CLOSED_TODAY}" in (
        chair.last_text
    )
    assert chair.buttons == [ELSEWHERE, REJECT]  # no ✅ onto the closed branch
    await chair.press(ELSEWHERE)
    assert "Chi hội mà Trần Thị Bình xin tham gia đã đóng" in chair.last_text
    assert chair.buttons == ["Thôn Tây", "✖ Hủy"]
    await chair.press("✖ Hủy")  # a way out: nothing decided
    assert await requests_of(bot, 6002) == [("pending", world.branch.id)]
    await chair.send("/pending")
    await chair.press(ELSEWHERE)
    picking = step_prefix(chair)
    # A forged press on the closed branch, or a branch of another commune, takes no one.
    await chair.press_data(f"{picking}:u:{world.branch.id}")
    await chair.press_data(f"{picking}:u:{world.other_branch.id}")
    assert await people.grants_of(bot.db, 6002) == []
    await chair.press("Thôn Tây")
    assert "✅ Đã duyệt" in chair.last_text and "Chi hội Thôn Tây" in chair.last_text
    tay = await west(bot, world)
    assert [g.unit.id for g in await people.grants_of(bot.db, 6002)] == [tay.id]
    decided = await people.get_request(bot.db, request.id)
    assert decided is not None and decided.status.value == "approved"
    assert decided.unit_id == tay.id  # where the person was approved
    assert "đã được duyệt" in newcomer.last_text and "Chi hội Thôn Tây" in newcomer.last_text
    # A forged ✅ on the decided request changes nothing more.
    await chair.press_data(f"regd:ok:{request.id}")
    assert "đã được xử lý" in chair.callback_answers[-1]
    assert len(await people.grants_of(bot.db, 6002)) == 1


async def test_the_communes_last_branch_closed_leaves_a_way_on(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    """No other branch to choose: the newcomer may name theirs (➕) or go to another commune,
    the chair may only reject."""
    newcomer, chair = fake.user(6003), fake.user(World.CHAIR)
    await register_until_request(newcomer, world, "Lê Văn Cường")
    await close(chair, "Thôn Tây")
    await close(chair, "Thôn Đông")
    await chair.send("/pending")
    assert "xã không còn chi hội nào khác trong danh sách" in chair.last_text
    assert chair.buttons == [REJECT]

    await newcomer.send("/start")
    await newcomer.press(MOVE)
    assert "Chi hội Thôn Đông đã đóng" in newcomer.last_text
    assert "chưa có chi hội nào" in newcomer.last_text
    assert newcomer.buttons == [NOT_LISTED, "⬅ Quay lại", "✖ Hủy"]
    await newcomer.send("/cancel")  # nothing changed: the request waits as it was
    assert "Không có gì thay đổi" in newcomer.last_text
    assert await requests_of(bot, 6003) == [("pending", world.branch.id)]
    await chair.send("/pending")
    await chair.press(REJECT)
    assert "❌ Đã từ chối" in chair.last_text
    assert "không được chấp thuận" in newcomer.last_text


# ---------------------------------------------------------------- invite links


async def test_closing_revokes_the_branchs_invites_and_an_old_link_says_why(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.CHAIR)
    east_code = await invite_link(chair, "Cộng tác viên", "Thôn Đông")
    used_code = await invite_link(chair, "Cộng tác viên", "Thôn Đông")
    west_code = await invite_link(chair, "Chi hội trưởng", "Thôn Tây")
    early = fake.user(6010)  # opens a link before the close, types the name after it
    await early.send(f"/start {east_code}")
    await early.press(AGREE)
    assert "được mời làm Cộng tác viên" in early.last_text
    taken = fake.user(6011)
    await taken.send(f"/start {used_code}")
    await taken.press(AGREE)
    await taken.send("Phạm Thị Dung")
    assert "Bạn đã là Cộng tác viên" in taken.last_text

    question, done = await close(chair, "Thôn Đông")
    assert "Số đường dẫn mời vào chi hội chưa được dùng: 1" in question
    assert "Số đường dẫn mời bị thu hồi: 1." in done
    # Revoked in the same step: it expired then, with an audit line; the used one is as it was.
    row = await bot.db.fetchone(
        "SELECT expires_at, used_by FROM invite WHERE code = ?", (east_code,)
    )
    assert row is not None and from_db_time(row[0]) == bot.now and row[1] is None
    used = await bot.db.fetchone("SELECT used_by FROM invite WHERE code = ?", (used_code,))
    assert used is not None and used[0] == 6011
    audit = await bot.db.fetchall(
        "SELECT actor_id, entity_id FROM audit_log WHERE action = 'revoke' AND entity = 'invite'"
    )
    assert [(r[0], r[1]) for r in audit] == [(World.CHAIR, east_code)]

    # The one who had opened it: the name typed now gives no role on the closed branch.
    await early.send("Hoàng Văn Em")
    refused = early.last_text
    assert refused.startswith("Đường dẫn mời này dành cho Chi hội Thôn Đông (Xã An Châu")
    assert CLOSED_TODAY in refused
    assert "Hãy nhờ Chủ Tịch Xã (chủ tịch hội Xã An Châu) giao cho bạn vai trò" in refused
    assert "gửi /start để tự đăng ký" in refused
    assert await people.grants_of(bot.db, 6010) == []
    # Someone opening it later, even after it would have run out anyway, is told the same.
    bot.advance(timedelta(days=8))
    late = fake.user(6012)
    await late.send(f"/start {east_code}")
    assert late.last_text.startswith("Đường dẫn mời này dành cho Chi hội Thôn Đông")
    assert "hết hạn" not in late.last_text
    await late.send("Vũ Thị Giang")  # the dialog is over: no name question is waiting
    assert await people.grants_of(bot.db, 6012) == []
    # The other branch's link still works (within its week).
    bot.advance(timedelta(days=-8))
    other = fake.user(6013)
    await other.send(f"/start {west_code}")
    await other.press(AGREE)
    await other.send("Đỗ Văn Hải")
    assert "Bạn đã là Chi hội trưởng" in other.last_text
    # And no new link can be made to it (a forged press on /invite's old list).
    await chair.send("/invite")
    await chair.press("Cộng tác viên")
    await chair.press_data(f"{step_prefix(chair)}:u:{world.branch.id}")
    assert "start=" not in chair.last_text
    rows = await bot.db.fetchall("SELECT 1 FROM invite WHERE unit_id = ?", (world.branch.id,))
    assert len(rows) == 2


# ---------------------------------------------------------------- a former name


async def test_registration_finds_a_renamed_branch_by_its_former_name(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    chair = fake.user(World.CHAIR)
    await open_branch(chair, "Thôn Đông")
    await chair.press("✏ Đổi tên")
    await chair.send("Xóm Mới")
    assert "✅ Chi hội Thôn Đông nay mang tên Xóm Mới" in chair.last_text

    newcomer = fake.user(6020)
    await newcomer.send("/start")
    await newcomer.press(AGREE)
    await newcomer.send("Bùi Thị Hạnh")
    await newcomer.press("Đông Hưng")
    await newcomer.send(fold(world.commune.name))
    await newcomer.press(world.commune.name)
    assert newcomer.buttons[:2] == ["Thôn Tây", "Xóm Mới"]
    await newcomer.send("thon dong")  # its old name, without diacritics
    hit = "Thôn Đông, nay thuộc chi hội Xóm Mới"
    assert hit in newcomer.buttons
    assert 'Không có tên hiện nay nào chứa "thon dong"' in newcomer.last_text
    assert "✖ Bỏ lọc" in newcomer.buttons and "✖ Hủy" in newcomer.buttons
    await newcomer.send("thon")  # a name in force and a former one: both, the former marked
    assert newcomer.buttons[:2] == ["Thôn Tây", hit]
    assert 'Các tên cũ chứa "thon" được ghi kèm' in newcomer.last_text
    # A forged former-name press outside the commune listed is not available.
    prefix = step_prefix(newcomer)
    await newcomer.press_data(f"{prefix}:u:{world.other_branch.id}:n")
    assert "Lựa chọn này không còn nữa" in newcomer.callback_answers[-1]
    assert await requests_of(bot, 6020) == []
    await newcomer.press(hit)
    assert "đã được gửi tới chủ tịch hội" in newcomer.last_text
    assert "Xóm Mới" in newcomer.last_text
    assert await requests_of(bot, 6020) == [("pending", world.branch.id)]
    assert "Xóm Mới" in chair.last_text and "Bùi Thị Hạnh" in chair.last_text


@pytest.fixture
async def new_map_bot(
    fake: FakeBotApi, tmp_path: Path, new_map_template: Path
) -> AsyncIterator[BotUnderTest]:
    """Hưng Yên's map of 1 July 2025 (communes merged, no districts); xã Đông Hưng has a
    chair and a branch."""
    shutil.copyfile(new_map_template, tmp_path / "bot.sqlite3")
    under_test = BotUnderTest(fake, tmp_path / "bot.sqlite3")
    await under_test.start()
    dong_hung = await unit_store.by_code(under_test.db, "12688")
    assert dong_hung is not None
    await person(under_test.db, World.CHAIR, Role.COMMUNE_CHAIR, dong_hung, "Chủ Tịch Xã")
    await branch(under_test.db, dong_hung, "Thôn Đông La")
    yield under_test
    await under_test.stop()


async def test_registration_finds_a_merged_commune_by_its_former_name(
    fake: FakeBotApi, new_map_bot: BotUnderTest
) -> None:
    newcomer = fake.user(6021)
    await newcomer.send("/start")
    await newcomer.press(AGREE)
    await newcomer.send("Bùi Thị Hạnh")
    await newcomer.send("dong son")  # a commune merged into xã Đông Hưng in 2025
    hit = "Đông Sơn, nay thuộc xã Đông Hưng"
    assert hit in newcomer.buttons
    await newcomer.press(hit)
    assert "Bạn thuộc chi hội nào của Xã Đông Hưng?" in newcomer.last_text
    assert newcomer.buttons[:2] == ["Thôn Đông La", "⬅ Quay lại"]
    await newcomer.press("⬅ Quay lại")  # back up to the communes, as if chosen step by step
    assert "Xã, phường hoặc thị trấn nào của Tỉnh Hưng Yên?" in newcomer.last_text
    await newcomer.send("dong son")
    await newcomer.press(hit)
    await newcomer.press("Thôn Đông La")
    assert "đã được gửi tới chủ tịch hội" in newcomer.last_text
    request = await the_request(new_map_bot, 6021)
    thon = await unit_store.get(new_map_bot.db, request.unit_id)
    assert thon is not None and thon.name == "Thôn Đông La"
