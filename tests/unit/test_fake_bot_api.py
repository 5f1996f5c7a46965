"""The fake Bot API must look like Telegram to the real PTB Application, or e2e tests lie."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any, TypeAlias

import aiohttp
import pytest
import pytest_asyncio
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MessageOriginHiddenUser,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.fake_bot_api import FakeBotApi, SentMessage, TelegramLimits, UrlButtonError

pytestmark = pytest.mark.asyncio

TOKEN = "123456:TEST-token"
AnyApp: TypeAlias = "Application[Any, Any, Any, Any, Any, Any]"
DISTRICTS = {"dh": "Đông Hưng", "tt": "Thái Thụy"}


class Recorder:
    """What the tiny bot observed, so tests can assert on the bot side too."""

    def __init__(self) -> None:
        self.errors: list[BaseException] = []
        self.delay = 0.0
        self.update_ids: list[int] = []


def build_app(fake: FakeBotApi, recorder: Recorder) -> AnyApp:
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .build()
    )

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        if recorder.delay:
            await asyncio.sleep(recorder.delay)
        keyboard = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(name, callback_data=f"district:{key}")]
                for key, name in DISTRICTS.items()
            ]
            + [[InlineKeyboardButton("Trang web", url="https://example.org")]]
        )
        await update.effective_message.reply_text("Chào bạn! Chọn huyện:", reply_markup=keyboard)

    async def choose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None
        name = DISTRICTS.get(query.data.removeprefix("district:"), "?")
        await query.answer(f"Đã chọn {name}")
        await query.edit_message_text(f"Đã chọn <b>{name}</b>. Hồ sơ chờ duyệt.", parse_mode="HTML")

    async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        keyboard = ReplyKeyboardMarkup([["Trợ giúp", "Hủy"]], resize_keyboard=True)
        await update.effective_message.reply_text("Menu", reply_markup=keyboard)

    async def help_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("Đây là trợ giúp")
        await asyncio.sleep(0.05)  # a second message shortly after: still one settle
        await update.effective_message.reply_text("Hết", reply_markup=ReplyKeyboardRemove())

    async def document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.document is not None
        file = await context.bot.get_file(message.document.file_id)
        data = bytes(await file.download_as_bytearray())
        await message.reply_document(
            document=data[::-1],
            filename=f"echo_{message.document.file_name}",
            caption=f"{len(data)} bytes",
        )

    async def contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.contact is not None
        await message.reply_text(f"Số {message.contact.phone_number}")

    async def forwarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.forward_origin is not None
        origin = message.forward_origin
        assert isinstance(origin, MessageOriginHiddenUser)
        await message.reply_text(f"Chuyển tiếp từ {origin.sender_user_name}")

    async def forged(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.message is not None
        accessible = "có" if query.message.is_accessible else "không"
        await query.answer(f"Không hợp lệ ({accessible})")

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert context.error is not None
        recorder.errors.append(context.error)

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        recorder.update_ids.append(update.update_id)

    app.add_handler(TypeHandler(Update, record), group=-1)
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("menu", menu))
    app.add_handler(CallbackQueryHandler(choose, pattern=r"^district:"))
    app.add_handler(MessageHandler(filters.Text(["Trợ giúp"]), help_text))
    app.add_handler(MessageHandler(filters.Document.ALL, document))
    app.add_handler(MessageHandler(filters.CONTACT, contact))
    app.add_handler(MessageHandler(filters.FORWARDED, forwarded))
    app.add_handler(CallbackQueryHandler(forged))
    app.add_error_handler(on_error)
    return app


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as api:
        yield api


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest_asyncio.fixture
async def app(fake: FakeBotApi, recorder: Recorder) -> AsyncIterator[AnyApp]:
    application = build_app(fake, recorder)
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0.0, timeout=1)
    yield application
    await application.updater.stop()
    await application.stop()
    await application.shutdown()


async def test_start_press_and_edit(fake: FakeBotApi, app: AnyApp) -> None:
    user = fake.user(42, first_name="Lan")
    await user.send("/start")
    assert user.last_text == "Chào bạn! Chọn huyện:"
    assert user.buttons == ["Đông Hưng", "Thái Thụy", "Trang web"]

    await user.press("Đông Hưng")
    assert "chờ duyệt" in user.last_text
    assert user.last_text == "Đã chọn Đông Hưng. Hồ sơ chờ duyệt."  # HTML rendered
    assert user.last is not None and user.last.edited
    assert user.last.entities == [{"type": "bold", "offset": 8, "length": 9}]
    assert user.callback_answers == ["Đã chọn Đông Hưng"]
    assert user.new_texts == ["Đã chọn Đông Hưng. Hồ sơ chờ duyệt."]
    assert user.buttons == []  # editing without reply_markup drops the keyboard, like Telegram
    assert len(user.messages) == 1
    assert fake.token == TOKEN

    with pytest.raises(AssertionError, match="no button 'Hà Nội'"):
        await user.press("Hà Nội")


async def test_url_button_and_fuzzy_label(fake: FakeBotApi, app: AnyApp) -> None:
    user = fake.user(43)
    await user.send("/start")
    with pytest.raises(UrlButtonError) as info:
        await user.press("Trang web")
    assert info.value.url == "https://example.org"
    await user.press("thụy")  # unique case-insensitive substring
    assert user.last_text.startswith("Đã chọn Thái Thụy")


async def test_reply_keyboard_label_is_sent_as_text(fake: FakeBotApi, app: AnyApp) -> None:
    user = fake.user(44)
    await user.send("/menu")
    assert user.reply_keyboard == ["Trợ giúp", "Hủy"]
    await user.press("Trợ giúp")  # quiet-period settle covers both replies
    assert user.new_texts == ["Đây là trợ giúp", "Hết"]
    assert user.reply_keyboard == []
    assert user.texts == ["Menu", "Đây là trợ giúp", "Hết"]


async def test_document_round_trip(fake: FakeBotApi, app: AnyApp) -> None:
    user = fake.user(45)
    await user.send_document("danh_sach.csv", b"ten,so\nLan,1\n", caption="Danh sách")
    assert len(user.documents) == 1
    echoed = user.documents[0]
    assert echoed.file_bytes == b"ten,so\nLan,1\n"[::-1]
    assert echoed.file_name == "echo_danh_sach.csv"
    assert echoed.caption == "13 bytes"
    assert user.last_text == "13 bytes"


async def test_blocked_user_raises_forbidden_in_bot(
    fake: FakeBotApi,
    app: AnyApp,
    recorder: Recorder,
) -> None:
    user = fake.user(46)
    fake.block(user.id)
    await user.send("/start")
    assert user.messages == []
    assert len(recorder.errors) == 1 and isinstance(recorder.errors[0], Forbidden)
    assert "blocked by the user" in str(recorder.errors[0])
    assert fake.stats.forbidden == 1

    fake.unblock(user.id)
    await user.send("/start")
    assert user.last_text == "Chào bạn! Chọn huyện:"


async def test_idle_hook_waits_for_slow_handler(
    fake: FakeBotApi,
    app: AnyApp,
    recorder: Recorder,
) -> None:
    recorder.delay = fake.quiet_period * 3  # longer than the quiet period: only the hook waits
    fake.idle_hook = app.update_queue.join
    user = fake.user(47)
    await user.send("/start")
    assert user.last_text == "Chào bạn! Chọn huyện:"


async def test_settle_timeout_names_the_update(fake: FakeBotApi) -> None:
    fake.settle_timeout = 0.3
    with pytest.raises(TimeoutError, match=r"update 1 \(message '/start' from user 48\)"):
        await fake.user(48).send("/start")


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_rate_limits_answer_429(fake: FakeBotApi) -> None:
    fake.limits = TelegramLimits()
    fake.limits_clock = lambda: 1000.0  # the 40 sends land in one window however slow they are
    app = ApplicationBuilder().token(TOKEN).base_url(fake.base_url).build()
    async with app.bot as bot:
        results = await asyncio.gather(
            *(bot.send_message(chat_id=1000 + n, text=f"Tin {n}") for n in range(40)),
            return_exceptions=True,
        )
        limited = [r for r in results if isinstance(r, RetryAfter)]
        assert len(limited) == 10
        assert all(r.retry_after for r in limited)
        assert fake.stats.sent == 30
        assert fake.stats.too_many_requests == 10

        with pytest.raises(RetryAfter):  # per-chat limit: one message per second
            await bot.send_message(chat_id=1000, text="again")

    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{fake.base_url}{TOKEN}/sendMessage", data={"chat_id": 1, "text": "x"}) as r,
    ):
        assert r.status == 429
        body = await r.json()
        assert body["error_code"] == 429
        assert (
            body["description"]
            == f"Too Many Requests: retry after {body['parameters']['retry_after']}"
        )


async def test_http_shapes_and_errors(fake: FakeBotApi) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{fake.base_url}{TOKEN}/noSuchMethod") as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found",
            }
        async with session.post(
            f"{fake.base_url}{TOKEN}/sendMessage",
            json={"chat_id": 5, "text": "<b>x", "parse_mode": "HTML"},
        ) as response:
            assert response.status == 400
            assert "can't parse entities" in (await response.json())["description"]

    app = ApplicationBuilder().token(TOKEN).base_url(fake.base_url).build()
    async with app.bot as bot:
        assert bot.username == "khuyenhoc_bot"
        sent = await bot.send_message(chat_id=5, text="Một")
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await bot.edit_message_text("Một", chat_id=5, message_id=sent.message_id)
        with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
            await bot.edit_message_text("Hai", chat_id=5, message_id=999)
        with pytest.raises(BadRequest, match=r"(?i)text is empty"):
            await bot.send_message(chat_id=5, text="")
        assert await bot.delete_message(chat_id=5, message_id=sent.message_id)
        await bot.send_message(chat_id=5, text="Một")

    seen: list[tuple[int, str, str]] = []

    def listener(chat_id: int, message: SentMessage, kind: str) -> None:
        seen.append((chat_id, kind, message.content))

    fake.on_bot_event(listener)
    async with app.bot as bot:
        await bot.send_message(chat_id=6, text="Ba")
    assert seen == [(6, "sent", "Ba")]
    assert fake.duplicate_deliveries() == 1  # "Một" reached chat 5 twice


async def test_contact_forward_and_forged_callback(fake: FakeBotApi, app: AnyApp) -> None:
    user = fake.user(49, first_name="Hoa")
    await user.send_contact("+84901234567")
    assert user.last_text == "Số +84901234567"
    await user.forward("Tin nhắn gốc", from_name="Ẩn danh")
    assert user.last_text == "Chuyển tiếp từ Ẩn danh"

    await user.send("/start")
    await user.press_data("district:zz' OR 1=1")  # forged data on the latest keyboard
    assert user.callback_answers == ["Đã chọn ?"]
    await user.press_data("xyz", message_id=999)  # a message that does not exist
    assert user.callback_answers[-1] == "Không hợp lệ (không)"


# ------------------------------------------------------------------ latency, many people at once


async def test_latency_delays_every_answer_and_download(fake: FakeBotApi, app: AnyApp) -> None:
    user = fake.user(60)
    await user.send_document("a.txt", b"abc")
    fake.latency = 0.2
    app_bot = app.bot
    started = time.monotonic()
    sent = await app_bot.send_message(chat_id=60, text="Chậm")
    elapsed = time.monotonic() - started
    assert elapsed >= 0.2
    message = fake.messages_to(60)[-1]
    assert message.message_id == sent.message_id
    assert started <= message.received_at <= started + elapsed - 0.19  # stamped on arrival

    file_id = fake.messages_to(60)[0].file_id
    assert file_id is not None
    file = await app_bot.get_file(file_id)  # getFile and the download: two delays
    started = time.monotonic()
    assert bytes(await file.download_as_bytearray()) == b"abc"[::-1]
    assert time.monotonic() - started >= 0.2

    await user.send("/start")  # settling still works, the poll answers are delayed too
    assert user.last_text == "Chào bạn! Chọn huyện:"


async def test_many_people_at_once_without_waiting(
    fake: FakeBotApi, app: AnyApp, recorder: Recorder
) -> None:
    recorder.delay = 0.05
    lan, hoa = fake.user(61, first_name="Lan"), fake.user(62, first_name="Hoa")
    first = lan.send_nowait("/start")
    second = hoa.send_nowait("/start")
    assert second == first + 1
    assert fake.enqueued_at(first) <= fake.enqueued_at(second)
    assert lan.messages == [] and hoa.messages == []  # nothing waited

    answers = await fake.wait_for_answers(hoa.id, 1, timeout=5)
    assert [m.content for m in answers] == ["Chào bạn! Chọn huyện:"]
    assert answers[0].received_at >= fake.enqueued_at(second)
    await fake.wait_for_answers(lan.id, 1, timeout=5)

    mark = fake.mark()
    pressed = lan.press_nowait("Đông Hưng")  # answered by an edit, not a new message
    forged = hoa.press_data_nowait("district:tt")
    again = hoa.send_nowait("/start")
    assert (pressed, forged, again) == (second + 1, second + 2, second + 3)
    await fake.settle_all(timeout=5)
    assert recorder.update_ids == [first, second, pressed, forged, again]
    assert lan.callback_answers == ["Đã chọn Đông Hưng"]
    assert lan.last_text.startswith("Đã chọn Đông Hưng")
    assert fake.new_messages(lan.id, mark) == []  # edits are not new messages
    assert hoa.callback_answers == ["Đã chọn Thái Thụy"]
    assert [m.content for m in fake.new_messages(hoa.id, mark)] == ["Chào bạn! Chọn huyện:"]
    assert [m.content for m in hoa.new_messages] == ["Chào bạn! Chọn huyện:"]
    assert all(fake.is_confirmed(uid) for uid in (first, second, pressed, forged, again))


async def test_waiting_helpers_say_what_they_waited_for(fake: FakeBotApi) -> None:
    ticks: list[int] = []

    def later() -> bool:  # not tied to a state change: the periodic re-check sees it
        ticks.append(1)
        return len(ticks) > 3

    await fake.wait_until(later, timeout=2)
    with pytest.raises(TimeoutError, match=r"^the sky not reached within 0.2s \(0 requests"):
        await fake.wait_until(lambda: False, 0.2, what="the sky")

    user = fake.user(63)
    update_id = user.send_nowait("/start")  # no bot is running
    with pytest.raises(TimeoutError, match=r"1 new message\(s\) to chat 63 \(got 0\)"):
        await fake.wait_for_answers(user.id, 1, timeout=0.2)
    with pytest.raises(
        TimeoutError,
        match=rf"1 of the updates queued so far are unconfirmed \({update_id}\); update "
        rf"{update_id} \(message\) did not settle within 0.2s: the bot never confirmed it",
    ):
        await fake.settle_all(timeout=0.2)
    with pytest.raises(KeyError, match="no update 99"):
        fake.enqueued_at(99)


async def test_settle_all_with_nothing_queued_waits_for_quiet(fake: FakeBotApi) -> None:
    started = time.monotonic()
    await fake.settle_all(timeout=1)
    assert time.monotonic() - started < 1


async def test_redelivered_update_reaches_the_bot_again(
    fake: FakeBotApi, app: AnyApp, recorder: Recorder
) -> None:
    user = fake.user(64)
    update_id = user.send_nowait("/start")
    with pytest.raises(ValueError, match="not confirmed yet"):
        fake.redeliver(update_id)
    await fake.settle(update_id)
    with pytest.raises(ValueError, match="no update 999"):
        fake.redeliver(999)

    fake.redeliver(update_id)
    assert not fake.is_confirmed(update_id)
    newer = fake.user(65).send_nowait("/start")
    await fake.settle_all(timeout=5)
    assert recorder.update_ids == [update_id, update_id, newer]  # same id, in order
    assert fake.is_confirmed(update_id) and fake.handed_out(update_id) == 2
    assert user.texts == ["Chào bạn! Chọn huyện:"] * 2  # this tiny bot answers twice
    assert fake.duplicate_deliveries() == 1  # the greeting reached chat 64 twice

    await user.send("/menu")  # later updates flow as usual
    assert user.last_text == "Menu"
    assert recorder.update_ids[-1] == newer + 1


async def test_redelivery_over_the_webhook(fake: FakeBotApi) -> None:
    received: list[dict[str, Any]] = []

    async def hook(request: aiohttp.web.Request) -> aiohttp.web.Response:
        received.append(await request.json())
        return aiohttp.web.Response(text="ok")

    server = aiohttp.web.Application()
    server.router.add_post("/hook", hook)
    runner = aiohttp.web.AppRunner(server)
    await runner.setup()
    site = aiohttp.web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = runner.addresses[0][1]
        fake.webhook_url = f"http://127.0.0.1:{port}/hook"
        update_id = fake.user(66).send_nowait("xin chào")
        await fake.wait_until(lambda: fake.is_confirmed(update_id), timeout=5)
        fake.redeliver(update_id)
        await fake.wait_until(lambda: fake.is_confirmed(update_id), timeout=5)
    finally:
        await runner.cleanup()
    assert [u["update_id"] for u in received] == [update_id, update_id]
    assert received[0] == received[1]
    assert fake.handed_out(update_id) == 2
