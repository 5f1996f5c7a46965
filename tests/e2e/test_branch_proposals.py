"""A newcomer whose branch is not in the list proposes it; the chair approves the person and the
branch together (or corrects the name, or picks a branch already there, or rejects); a decision
can be undone for a few minutes."""

from __future__ import annotations

from datetime import date, timedelta

from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.services.registration import UNDO_WINDOW
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.models import RegistrationRequest, Unit
from bot.text import fold
from tests.e2e.conftest import BotUnderTest, World, step_prefix

NOT_LISTED = "➕ Chi hội của tôi không có trong danh sách"
APPROVE, REJECT, FIX, EXISTING, UNDO = (
    "✅ Duyệt",
    "❌ Từ chối",
    "✏ Sửa tên",
    "Chọn chi hội có sẵn",
    "↩ Hoàn tác",
)
KINDS = ["Thôn", "Tổ dân phố", "Trường học", "Dòng họ", "Cơ quan"]
WITHDRAW, MOVE = "↩ Rút lại yêu cầu", "🔁 Chọn chi hội khác"
TODAY = date(2026, 11, 28)  # the bot's clock: 28/11/2026 10:00 in Vietnam


async def to_the_branches(user: FakeUser, commune: Unit, name: str = "Nguyễn Văn An") -> None:
    """/start, the notice, the name, down to the commune's branches (or its empty list)."""
    await user.send("/start")
    await user.press("✅ Tôi đồng ý")
    await user.send(name)
    await user.press("Đông Hưng")
    await user.send(fold(commune.name))
    await user.press(commune.name)


async def propose(
    user: FakeUser, commune: Unit, branch: str, kind: str = "Thôn", name: str = "Nguyễn Văn An"
) -> None:
    await to_the_branches(user, commune, name)
    await user.press(NOT_LISTED)
    await user.send(branch)
    await user.press(kind)
    assert "đã được gửi tới chủ tịch hội" in user.last_text, user.last_text


async def request_of(bot: BotUnderTest, telegram_id: int) -> RegistrationRequest:
    row = await bot.db.fetchone(
        "SELECT id FROM registration_request WHERE telegram_id = ? ORDER BY id DESC LIMIT 1",
        (telegram_id,),
    )
    assert row is not None
    found = await people.get_request(bot.db, int(row[0]))
    assert found is not None
    return found


async def branch_names(bot: BotUnderTest, commune: Unit) -> list[str]:
    return [unit.name for unit in await unit_store.children(bot.db, commune.id)]


# ---------------------------------------------------------------- proposing and approving


async def test_a_newcomer_proposes_a_branch_and_the_chair_approves_both(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    newcomer = fake.user(5001)
    await to_the_branches(newcomer, world.commune)
    assert "chi hội nào" in newcomer.last_text
    assert NOT_LISTED in newcomer.buttons and "Thôn Đông" in newcomer.buttons
    await newcomer.press(NOT_LISTED)
    assert "Hãy gõ tên chi hội của bạn" in newcomer.last_text
    await newcomer.send("Chi hội thôn Bến")  # "Chi hội" is the bot's word: not part of the name
    assert "Thôn Bến là loại chi hội nào" in newcomer.last_text
    assert newcomer.buttons == [*KINDS, "⬅ Quay lại", "✖ Hủy"]
    await newcomer.send("làng")  # typed, forgiving: a village
    assert "chi hội mới Thôn Bến" in newcomer.last_text
    assert "đã được gửi tới chủ tịch hội" in newcomer.last_text

    # Nothing is created yet: the request waits on the commune, with the proposal.
    assert await branch_names(bot, world.commune) == ["Thôn Đông", "Thôn Tây"]
    request = await request_of(bot, 5001)
    assert request.unit_id == world.commune.id and request.proposes
    assert (request.proposed_branch_name, request.proposed_branch_kind) == ("Thôn Bến", "village")

    await newcomer.send("/start")  # the waiting request shows the proposal
    assert "Đề nghị thêm chi hội mới: Thôn Bến (Thôn)" in newcomer.last_text
    assert newcomer.buttons == [WITHDRAW, MOVE]

    chair = fake.user(World.CHAIR)
    assert "Yêu cầu đăng ký mới" in chair.last_text
    assert "Đề nghị thêm chi hội mới: Thôn Bến (Thôn)" in chair.last_text
    assert chair.buttons == [APPROVE, REJECT, FIX, EXISTING]
    assert fake.user(World.OTHER_CHAIR).messages == []
    await chair.press(APPROVE)
    assert "✅ Đã duyệt" in chair.last_text
    assert "Đã thêm chi hội Thôn Bến, có hiệu lực từ hôm nay" in chair.last_text
    assert chair.buttons == [UNDO]

    assert await branch_names(bot, world.commune) == ["Thôn Bến", "Thôn Đông", "Thôn Tây"]
    branch = (await unit_store.children(bot.db, world.commune.id, query="thon ben"))[0]
    assert branch.valid_from == TODAY and branch.kind == "village"
    grants = await people.grants_of(bot.db, 5001)
    assert [(g.role.value, g.unit.id) for g in grants] == [("volunteer", branch.id)]
    request = await request_of(bot, 5001)
    assert request.status == "approved" and request.unit_id == branch.id
    assert request.branch_created and request.proposed_branch_name == "Thôn Bến"
    assert "đã được duyệt" in newcomer.last_text and "Chi hội Thôn Bến" in newcomer.last_text
    assert "❓ Trợ giúp" in newcomer.reply_keyboard
    created = await bot.db.fetchall(
        "SELECT actor_id FROM audit_log WHERE entity = 'unit' AND action = 'create' "
        "AND entity_id = ?",
        (str(branch.id),),
    )
    assert [row[0] for row in created] == [World.CHAIR]


async def test_the_chair_corrects_the_name_then_it_is_approved(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    newcomer = fake.user(5002)
    await propose(newcomer, world.commune, "thon ben ha", kind="Tổ dân phố")
    chair = fake.user(World.CHAIR)
    card = chair.last
    assert card is not None
    await chair.press(FIX)
    assert "đề nghị thêm chi hội mới Thon ben ha" in chair.last_text
    assert chair.buttons == ["✖ Hủy"]
    await chair.send("T")
    assert "từ 2 đến 120 ký tự" in chair.last_text and chair.buttons == ["✖ Hủy"]
    await chair.send("Tổ dân phố Bến Hạ")
    assert "✅ Đã duyệt" in chair.last_text and chair.buttons == [UNDO]
    edited = next(m for m in chair.messages if m.message_id == card.message_id)
    assert "✅ Đã duyệt" in edited.content and edited.inline_buttons == []  # the card's buttons go
    branch = (await unit_store.children(bot.db, world.commune.id, query="ben ha"))[0]
    assert branch.name == "Tổ dân phố Bến Hạ" and branch.kind == "residential_group"
    assert [g.unit.id for g in await people.grants_of(bot.db, 5002)] == [branch.id]
    assert (await request_of(bot, 5002)).proposed_branch_name == "Thon ben ha"  # as proposed
    assert "đã được duyệt" in newcomer.last_text


async def test_the_chair_chooses_an_existing_branch_instead(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    newcomer = fake.user(5003)
    await propose(newcomer, world.commune, "Xóm Tây")
    chair = fake.user(World.CHAIR)
    await chair.press(EXISTING)
    assert "sẽ vào chi hội nào" in chair.last_text and "Xóm Tây" in chair.last_text
    assert chair.buttons == ["Thôn Đông", "Thôn Tây", "✖ Hủy"]
    await chair.send("tay")  # typing filters
    assert chair.buttons[:1] == ["Thôn Tây"]
    await chair.press("Thôn Tây")
    assert "✅ Đã duyệt" in chair.last_text and "thay cho chi hội được đề nghị Xóm Tây" in (
        chair.last_text
    )
    assert chair.buttons == [UNDO]
    assert await branch_names(bot, world.commune) == ["Thôn Đông", "Thôn Tây"]  # nothing added
    tay = (await unit_store.children(bot.db, world.commune.id, query="Thôn Tây"))[0]
    assert [g.unit.id for g in await people.grants_of(bot.db, 5003)] == [tay.id]
    request = await request_of(bot, 5003)
    assert request.unit_id == tay.id and not request.branch_created
    assert "đã được duyệt" in newcomer.last_text and "Chi hội Thôn Tây" in newcomer.last_text


async def test_a_proposal_equal_to_a_branch_in_the_list_is_offered_that_branch(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    newcomer = fake.user(5004)
    await to_the_branches(newcomer, world.commune)
    await newcomer.press(NOT_LISTED)
    await newcomer.send("THON DONG")  # folded, without diacritics: Thôn Đông is there
    assert "đã có Chi hội Thôn Đông trong danh sách" in newcomer.last_text
    assert newcomer.buttons == ["Thôn Đông", "⬅ Quay lại", "✖ Hủy"]
    await newcomer.press("Thôn Đông")
    assert "đã được gửi tới chủ tịch hội" in newcomer.last_text
    request = await request_of(bot, 5004)
    assert request.unit_id == world.branch.id and not request.proposes
    assert request.proposed_branch_name is None
    chair = fake.user(World.CHAIR)
    assert chair.buttons == [APPROVE, REJECT]  # an ordinary request


async def test_rejecting_a_proposal_creates_nothing(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    newcomer = fake.user(5005)
    await propose(newcomer, world.commune, "Thôn Bến")
    chair = fake.user(World.CHAIR)
    await chair.press(REJECT)
    assert "❌ Đã từ chối" in chair.last_text
    assert "Đề nghị thêm chi hội mới: Thôn Bến (Thôn)" in chair.last_text
    assert chair.buttons == [UNDO]
    assert await branch_names(bot, world.commune) == ["Thôn Đông", "Thôn Tây"]
    assert await people.grants_of(bot.db, 5005) == []
    assert "không được chấp thuận" in newcomer.last_text


async def test_a_commune_without_branches_takes_a_proposal(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    """Day one: nothing in the list. The branch is named, the district chair (no commune chair
    there) approves it; the /pending card offers the same buttons, no "existing" one."""
    empty = (await unit_store.children(bot.db, world.district.id))[2]
    newcomer = fake.user(5006)
    await to_the_branches(newcomer, empty)
    assert "chưa có chi hội nào" in newcomer.last_text
    assert newcomer.buttons == [NOT_LISTED, "⬅ Quay lại", "✖ Hủy"]
    await newcomer.press(NOT_LISTED)
    await newcomer.send("Thôn Một")
    await newcomer.press("Thôn")
    chair = fake.user(World.DISTRICT_CHAIR)
    assert "Đề nghị thêm chi hội mới: Thôn Một (Thôn)" in chair.last_text
    assert chair.buttons == [APPROVE, REJECT, FIX]  # nothing in the list to choose instead
    await chair.send("/pending")
    assert "Đề nghị thêm chi hội mới: Thôn Một (Thôn)" in chair.last_text
    assert chair.buttons == [APPROVE, REJECT, FIX]
    await chair.press(APPROVE)
    assert await branch_names(bot, empty) == ["Thôn Một"]
    assert "đã được duyệt" in newcomer.last_text


async def test_a_closed_branch_holding_the_name_asks_for_a_correction(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    await bot.db.execute("UPDATE unit SET active = 0 WHERE id = ?", (world.other_branch.id,))
    newcomer = fake.user(5007)
    await to_the_branches(newcomer, world.other_commune)
    await newcomer.press(NOT_LISTED)
    await newcomer.send("Thôn Bắc")  # not in the list any more: a proposal
    await newcomer.press("Thôn")
    chair = fake.user(World.OTHER_CHAIR)
    await chair.press(APPROVE)
    assert "không còn trong danh sách" in chair.callback_answers[-1]
    assert (await request_of(bot, 5007)).proposes  # still waiting, nothing created
    await chair.press(FIX)
    await chair.send("Thôn Bắc Mới")
    assert "✅ Đã duyệt" in chair.last_text
    assert await branch_names(bot, world.other_commune) == ["Thôn Bắc Mới"]


async def test_the_waiting_person_proposes_in_another_commune_instead(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    newcomer = fake.user(5008)
    await propose(newcomer, world.commune, "Thôn Bến")
    await newcomer.send("/start")
    await newcomer.press(MOVE)
    await newcomer.press("Đông Hưng")
    await newcomer.send(fold(world.commune.name))
    await newcomer.press(world.commune.name)
    await newcomer.press(NOT_LISTED)
    await newcomer.send("thon ben")  # the same proposal again: nothing changes
    await newcomer.press("Thôn")
    assert "vẫn đang chờ duyệt; không có gì thay đổi" in newcomer.last_text
    await newcomer.send("/start")
    await newcomer.press(MOVE)
    await newcomer.press("Đông Hưng")
    await newcomer.send(fold(world.other_commune.name))
    await newcomer.press(world.other_commune.name)
    await newcomer.press(NOT_LISTED)
    await newcomer.send("Xóm Chợ")
    await newcomer.press("Thôn")
    assert "chi hội mới Xóm Chợ" in newcomer.last_text
    rows = await bot.db.fetchall(
        "SELECT status, unit_id, proposed_branch_name FROM registration_request "
        "WHERE telegram_id = 5008 ORDER BY id"
    )
    assert [tuple(row) for row in rows] == [
        ("withdrawn", world.commune.id, "Thôn Bến"),
        ("pending", world.other_commune.id, "Xóm Chợ"),
    ]
    assert "Xóm Chợ" in fake.user(World.OTHER_CHAIR).last_text


# ---------------------------------------------------------------- undo


async def test_undo_an_approval_within_the_window(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    newcomer = fake.user(5010)
    await propose(newcomer, world.commune, "Thôn Bến")
    chair = fake.user(World.CHAIR)
    await chair.press(APPROVE)
    assert "đã được duyệt" in newcomer.last_text and newcomer.reply_keyboard
    branch = (await unit_store.children(bot.db, world.commune.id, query="thon ben"))[0]
    decided = chair.last
    assert decided is not None

    bot.advance(UNDO_WINDOW - timedelta(seconds=30))
    await chair.press(UNDO)
    assert chair.callback_answers[-1] == "↩ Đã hoàn tác."
    undone = next(m for m in chair.messages if m.message_id == decided.message_id)
    assert "Đã hoàn tác quyết định" in undone.content and "vừa thêm đã được xóa" in undone.content
    assert "Đề nghị thêm chi hội mới: Thôn Bến (Thôn)" in undone.content
    assert undone.buttons == [APPROVE, REJECT, FIX, EXISTING]  # the card again

    assert await people.grants_of(bot.db, 5010) == []
    assert await unit_store.get(bot.db, branch.id) is None  # nothing used it: removed
    request = await request_of(bot, 5010)
    assert request.status == "pending" and request.unit_id == world.commune.id
    assert request.proposes and request.decided_by is None and not request.branch_created
    told = newcomer.new_texts
    assert any("đã hoàn tác việc duyệt" in text for text in told), told
    assert newcomer.reply_keyboard == []  # the menu of a volunteer goes
    assert newcomer.buttons == [WITHDRAW, MOVE]
    await newcomer.send("/member")  # waiting again: the door says so
    assert "đang chờ chủ tịch hội duyệt" in newcomer.last_text
    audit = await bot.db.fetchall(
        "SELECT action, entity FROM audit_log WHERE actor_id = ? ORDER BY id", (World.CHAIR,)
    )
    assert [tuple(row) for row in audit][-4:] == [
        ("create", "unit"),
        ("approved", "registration_request"),
        ("delete", "unit"),
        ("undo", "registration_request"),
    ]

    await chair.press(APPROVE)  # decided again, on the card the undo brought back
    assert "✅ Đã duyệt" in chair.last_text
    assert await branch_names(bot, world.commune) == ["Thôn Bến", "Thôn Đông", "Thôn Tây"]
    assert "đã được duyệt" in newcomer.last_text


async def test_undo_a_rejection_within_the_window(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    newcomer = fake.user(5011)
    await to_the_branches(newcomer, world.commune)
    await newcomer.press("Thôn Tây")
    chair = fake.user(World.CHAIR)
    await chair.press(REJECT)
    assert "không được chấp thuận" in newcomer.last_text
    await chair.press(UNDO)
    assert "Đã hoàn tác quyết định" in chair.last_text and chair.buttons == [APPROVE, REJECT]
    assert "đã hoàn tác việc từ chối" in newcomer.last_text
    assert newcomer.buttons == [WITHDRAW, MOVE]
    request = await request_of(bot, 5011)
    assert request.status == "pending"
    assert chair.last is not None
    await chair.press_data(f"regd:undo:{request.id}", chair.last.message_id)  # twice
    assert "Không có quyết định nào để hoàn tác" in chair.callback_answers[-1]
    assert chair.buttons == [APPROVE, REJECT]
    await chair.press(APPROVE)
    assert [g.unit.name for g in await people.grants_of(bot.db, 5011)] == ["Thôn Tây"]


async def test_undo_after_the_window_is_too_late_and_the_button_goes(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    newcomer = fake.user(5012)
    await to_the_branches(newcomer, world.commune)
    await newcomer.press("Thôn Đông")
    chair = fake.user(World.CHAIR)
    await chair.press(APPROVE)
    decided = chair.last
    assert decided is not None and decided.buttons == [UNDO]
    bot.advance(UNDO_WINDOW + timedelta(seconds=1))
    heard = len(newcomer.texts)
    await chair.press(UNDO)
    assert "Đã quá thời hạn hoàn tác" in chair.callback_answers[-1]
    assert "5 phút" in chair.callback_answers[-1]
    after = next(m for m in chair.messages if m.message_id == decided.message_id)
    assert after.inline_buttons == [] and "✅ Đã duyệt" in after.content
    assert [g.unit.id for g in await people.grants_of(bot.db, 5012)] == [world.branch.id]
    assert (await request_of(bot, 5012)).status == "approved"
    assert len(newcomer.texts) == heard  # told nothing more


async def test_undo_keeps_a_new_branch_that_is_already_used(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    newcomer = fake.user(5013)
    await propose(newcomer, world.commune, "Thôn Bến")
    chair = fake.user(World.CHAIR)
    await chair.press(APPROVE)
    branch = (await unit_store.children(bot.db, world.commune.id, query="thon ben"))[0]
    await bot.db.execute("INSERT INTO app_user (telegram_id) VALUES (5099)")
    await bot.db.execute(
        "INSERT INTO role_grant (telegram_id, role, unit_id) VALUES (5099, 'branch_head', ?)",
        (branch.id,),
    )
    await chair.press(UNDO)
    assert "Đã hoàn tác quyết định" in chair.last_text
    assert "vừa thêm đã được xóa" not in chair.last_text
    assert chair.buttons == [APPROVE, REJECT]  # a request for the branch that stays
    assert await unit_store.get(bot.db, branch.id) is not None
    request = await request_of(bot, 5013)
    assert request.status == "pending" and request.unit_id == branch.id
    assert not request.proposes
    assert await people.grants_of(bot.db, 5013) == []


async def test_only_the_decider_undoes_and_not_after_the_person_moved_on(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    newcomer = fake.user(5014)
    await to_the_branches(newcomer, world.commune)
    await newcomer.press("Thôn Đông")
    chair = fake.user(World.CHAIR)
    await chair.press(REJECT)
    request = await request_of(bot, 5014)
    district = fake.user(World.DISTRICT_CHAIR)
    await district.send("/help")
    await district.press_data(f"regd:undo:{request.id}")  # forged: not theirs to undo
    assert "Chỉ người đã ra quyết định này" in district.callback_answers[-1]
    await newcomer.send("/start")  # rejected: registers again at once
    await newcomer.send("Nguyễn Văn An")
    await newcomer.press("Đông Hưng")
    await newcomer.send(fold(world.commune.name))
    await newcomer.press(world.commune.name)
    await newcomer.press("Thôn Tây")
    await chair.press_data(f"regd:undo:{request.id}", chair.messages[0].message_id)
    assert "Không thể hoàn tác nữa" in chair.callback_answers[-1]
    rows = await bot.db.fetchall(
        "SELECT status FROM registration_request WHERE telegram_id = 5014 ORDER BY id"
    )
    assert [row[0] for row in rows] == ["rejected", "pending"]


# ---------------------------------------------------------------- the dialogs' rules


async def test_an_old_button_of_the_new_steps_changes_nothing(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    newcomer = fake.user(5020)
    await to_the_branches(newcomer, world.commune)
    branches_list = step_prefix(newcomer)
    await newcomer.press(NOT_LISTED)
    name_question = step_prefix(newcomer)
    await newcomer.press_data(f"{branches_list}:u:{world.branch.id}")  # the list, pressed late
    assert "chưa có gì thay đổi" in newcomer.callback_answers[-1]
    await newcomer.send("Thôn Bến")
    await newcomer.press_data(f"{name_question}:back")  # the name question's ⬅, late
    assert "chưa có gì thay đổi" in newcomer.callback_answers[-1]
    kind_question = step_prefix(newcomer)
    await newcomer.press("Thôn")
    await newcomer.press_data(f"{kind_question}:k:school")  # the kind again: no second request
    assert newcomer.callback_answers[-1]
    rows = await bot.db.fetchall(
        "SELECT proposed_branch_kind FROM registration_request WHERE telegram_id = 5020"
    )
    assert [row[0] for row in rows] == ["village"]

    chair = fake.user(World.CHAIR)
    card = chair.last
    assert card is not None
    await chair.press(FIX)
    fix_question = step_prefix(chair)
    await chair.send("/cancel")
    assert "Chưa xét gì" in chair.last_text
    await chair.press_data(f"{fix_question}:x")  # the ✖ of a question left
    assert "chưa có gì thay đổi" in chair.callback_answers[-1]
    await chair.press_data(f"regd:ok:{(await request_of(bot, 5020)).id}", card.message_id)
    assert "✅ Đã duyệt" in chair.last_text
    await chair.press_data(f"regd:ed:{(await request_of(bot, 5020)).id}", card.message_id)
    assert "đã được xử lý" in chair.callback_answers[-1]  # the card's ✏, once decided
    await chair.press_data(f"regd:ex:{(await request_of(bot, 5020)).id}", card.message_id)
    assert "đã được xử lý" in chair.callback_answers[-1]
    assert len(await branch_names(bot, world.commune)) == 3


async def test_every_question_of_a_proposal_has_a_way_out_and_cancel_leaves_nothing(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    newcomer = fake.user(5021)
    await to_the_branches(newcomer, world.commune)
    await newcomer.press(NOT_LISTED)
    assert newcomer.buttons == ["⬅ Quay lại", "✖ Hủy"]
    await newcomer.press("⬅ Quay lại")
    assert "chi hội nào" in newcomer.last_text and NOT_LISTED in newcomer.buttons
    await newcomer.press(NOT_LISTED)
    await newcomer.send("x")
    assert "từ 2 đến 120 ký tự" in newcomer.last_text  # the same question again
    await newcomer.send("Thôn Bến")
    await newcomer.send("cái gì đó")  # not a kind
    assert (
        "Vui lòng bấm chọn một" in newcomer.last_text and "Thôn Bến là loại" in newcomer.last_text
    )
    await newcomer.press("⬅ Quay lại")
    assert "Hãy gõ tên chi hội" in newcomer.last_text
    await newcomer.send("/cancel")  # inside the new question
    assert "Đã hủy đăng ký" in newcomer.last_text
    assert await people.pending_request_of(bot.db, 5021) is None
    await newcomer.send("Thôn Bến")
    assert "Bạn chưa đăng ký" in newcomer.last_text

    await propose(fake.user(5023), world.commune, "Thôn Bến")
    chair = fake.user(World.CHAIR)
    await chair.press(EXISTING)
    assert chair.buttons[-1] == "✖ Hủy"
    await chair.press("✖ Hủy")
    assert "Chưa xét gì." in chair.new_texts
    assert (await request_of(bot, 5023)).proposes  # still waiting


async def test_a_proposal_card_during_a_form_takes_the_typed_name_and_the_form_comes_back(
    fake: FakeBotApi, bot: BotUnderTest, world: World
) -> None:
    newcomer = fake.user(5022)
    await propose(newcomer, world.commune, "Thon Ben")
    chair = fake.user(World.CHAIR)
    card = chair.last
    assert card is not None
    await chair.send("/member")
    await chair.send("Nguyễn Thị Hoa")
    fix = next(b for b in card.inline_buttons if b["text"] == FIX)
    await chair.press_data(str(fix["callback_data"]), card.message_id)
    assert "Hãy gõ tên đúng" in chair.last_text  # on top of the form, without asking
    await chair.send("Thôn Bến")  # to the correction, not to the form
    texts = chair.new_texts
    assert any("✅ Đã duyệt" in text for text in texts), texts
    assert texts[-1].startswith("Quay lại: Hội viên mới"), texts
    assert await branch_names(bot, world.commune) == ["Thôn Bến", "Thôn Đông", "Thôn Tây"]
    assert bot.application is not None
    assert bot.application.user_data[chair.id]["member"]["values"] == {
        "full_name": "Nguyễn Thị Hoa"
    }
