"""The one application factory used by `run`, `shell` and the tests."""

from __future__ import annotations

import asyncio
import logging
import secrets
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ContextTypes,
    Defaults,
)
from telegram.request import HTTPXRequest

import handlers
from bot.config import Settings
from bot.delivery import Deliverer, delivery_bot
from bot.i18n import N_, translator
from bot.rate_limit import Limits, TelegramRateLimiter
from bot.services import backups, hierarchy
from bot.services.outbox import Progress
from bot.storage import update_journal
from bot.storage.db import Database, DatabaseProblem, DatabaseUnusable, utc_now
from bot.storage.persistence import SqlitePersistence
from bot.updates import (
    AnswerOrderBot,
    DurableUpdateQueue,
    PerChatUpdateProcessor,
    resume,
)
from bot.webhook import WebhookServer
from handlers.broadcast import report_progress
from handlers.campaigns import reminder_job
from handlers.common import BotContext, Runtime
from handlers.dialogs import adopt_open_drafts
from handlers.privacy import RETENTION_SECONDS, retention_job

# A syntactically valid token for the offline console; it never leaves this machine.
OFFLINE_TOKEN = "123456:offline-console-token"
_log = logging.getLogger(__name__)

BotApplication = Application[Any, BotContext, Any, Any, Any, Any]


COMMANDS = (
    ("start", N_("Register or open the main menu")),
    ("member", N_("Report a new member")),
    ("title", N_("Nominate for a learning title")),
    ("contribution", N_("Report a contribution to a fund")),
    ("award", N_("Report a scholarship or award paid out")),
    ("myreports", N_("Your latest reports")),
    ("stats", N_("Statistics of your unit")),
    ("report", N_("The report paragraph of your unit")),
    ("pending", N_("Nominations waiting for a decision (chairs)")),
    ("invite", N_("Invite a volunteer or chair (chairs)")),
    ("branches", N_("Branches of a commune (chairs)")),
    ("targets", N_("Population, households and targets (chairs)")),
    ("broadcast", N_("Send a message to your unit (chairs)")),
    ("campaigns", N_("Campaign dates (province)")),
    ("reminders", N_("Campaign reminders on or off")),
    ("mydata", N_("What the bot stores about you")),
    ("language", N_("Tiếng Việt / English")),
    ("help", N_("What you can do")),
    ("cancel", N_("Stop what you are doing")),
)


VIETNAMESE_COMMANDS = {
    "member": "hoivien",
    "title": "danhhieu",
    "contribution": "donggop",
    "award": "hocbong",
    "myreports": "baocaocuatoi",
    "stats": "thongke",
    "report": "baocao",
    "pending": "choduyet",
    "invite": "moi",
    "branches": "chihoi",
    "targets": "chitieu",
    "broadcast": "thongbao",
    "campaigns": "chiendich",
    "reminders": "nhacnho",
    "mydata": "dulieucuatoi",
    "language": "ngonngu",
    "help": "trogiup",
    "cancel": "huy",
}
"""Each command's Vietnamese alias (typed without diacritics), which the Vietnamese menu
shows, as every Vietnamese text names the commands."""


async def _publish_commands(application: BotApplication) -> None:
    """The command list in Telegram's menu, in Vietnamese by default (by the Vietnamese
    aliases) and in English for `en`."""
    for lang, code in (("vi", None), ("en", "en")):
        t = translator(lang)
        commands = [
            BotCommand(
                name if lang == "en" else VIETNAMESE_COMMANDS.get(name, name),
                t.gettext(description),
            )
            for name, description in COMMANDS
        ]
        await application.bot.set_my_commands(commands, language_code=code)


def build_application(
    settings: Settings,
    db: Database,
    *,
    token: str | None = None,
    clock: Callable[[], datetime] = utc_now,
    rate_limits: Limits | None = None,
) -> BotApplication:
    """A fully wired bot: handlers, the update journal and persistence in `db`, one rate
    limiter, the configured Bot API. See `bot.updates` for how an update is handled.

    `rate_limits` are Telegram's; tests against a fake Bot API without limits may relax them
    (one message a second per person makes a scripted conversation slow)."""
    bot = AnswerOrderBot(
        token or settings.token or OFFLINE_TOKEN,
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.telegram_api_base_file_url,
        defaults=Defaults(tzinfo=settings.tz),
        # the token's one limiter: the deliverer's Bot shares it (see _deliverer)
        rate_limiter=TelegramRateLimiter(rate_limits or Limits(), max_retries=2),
        request=HTTPXRequest(connection_pool_size=256),
        get_updates_request=HTTPXRequest(connection_pool_size=1),
    )
    persistence = SqlitePersistence(db)
    processor = PerChatUpdateProcessor(db, clock)
    application: BotApplication = (
        ApplicationBuilder()
        .bot(bot)
        .update_queue(DurableUpdateQueue(db, clock))
        .persistence(persistence)
        .context_types(ContextTypes(context=BotContext))
        .concurrent_updates(processor)
        .build()
    )
    processor.attach(application, persistence)
    application.bot_data["runtime"] = Runtime(settings=settings, db=db, clock=clock)
    handlers.register(application)
    return application


async def open_database(settings: Settings) -> Database:
    """Open (creating or upgrading in place) the database and load the shipped units if empty.

    Raises `DatabaseUnusable` or `UnitsFileUnreadable` with nothing left open. A new database
    is not created at all when its units file cannot be read.
    """
    if not settings.database.exists():
        hierarchy.check_units_file(settings.units_csv)
    db = await Database(settings.database).open()
    try:
        loaded = await hierarchy.ensure_units_loaded(
            db,
            settings.units_csv,
            province_code=settings.province_code,
            province_name=settings.province_name,
            valid_from=settings.units_valid_from,
        )
    except BaseException as error:
        await db.close()
        if isinstance(error, sqlite3.Error):  # damage that the check on opening did not reach
            unusable = DatabaseUnusable.from_sqlite(settings.database, error)
            if unusable.problem is DatabaseProblem.DAMAGED:
                raise unusable from error
        raise
    if loaded:
        _log.info("Loaded the administrative units from %s", settings.units_csv)
    return db


REMINDER_CHECK_SECONDS = 60
JOURNAL_PRUNE_SECONDS = 3600
# Telegram redelivers an unacknowledged update for up to 24 hours; ids are kept twice as long.
JOURNAL_KEEP = timedelta(days=2)


NOTICE_SWEEP_SECONDS = 30


async def _sweep_notices(context: BotContext) -> None:
    """Each update settles the events waiting; this catches those written while nobody wrote
    (a command-line change, a job), so their notices do not wait for the next message."""
    processor = context.application.update_processor
    if isinstance(processor, PerChatUpdateProcessor):
        await processor.flush_notices()


async def _prune_journal(context: BotContext) -> None:
    runtime: Runtime = context.application.bot_data["runtime"]
    await update_journal.prune(runtime.db, runtime.clock() - JOURNAL_KEEP)


async def _daily_backup(context: BotContext) -> None:
    """The day's backup in the backup folder, then retention (`bot.services.backups`). Only
    the process that delivers makes it (one per database; a standby waits). A failure goes to
    the error handler, which tells the operators."""
    runtime: Runtime = context.application.bot_data["runtime"]
    if runtime.deliverer is not None and not runtime.deliverer.holds_lease:
        return
    settings = runtime.settings
    done = await backups.daily_backup(
        settings.database, settings.backup_folder, utc_now(), settings.tz
    )
    _log.info(
        "Backed the database up to %s (%s bytes, integrity checked); %s old backups removed",
        done.copy.path,
        done.copy.compressed_bytes,
        len(done.removed),
    )


WEBHOOK_PATH = "telegram"
WEBHOOK_SERVER = "webhook_server"
"""Where the running `WebhookServer` is kept in `bot_data` (not persisted)."""


async def start_bot(application: BotApplication, *, deliver: bool = True) -> None:
    """Initialise and start; receive updates by polling, or on the configured webhook; start
    the outbox deliverer and the reminder check; publish the command menu (a failure there is
    only logged)."""
    await application.initialize()
    await application.start()
    assert application.updater is not None
    runtime: Runtime = application.bot_data["runtime"]
    # Forms left open by a version without dialogs get back on their person's screen.
    if adopted := adopt_open_drafts(application, handlers.dialogs()):
        _log.info("Put %s open drafts back on screen", adopted)
    # What the last run wrote down but did not finish comes first, in order.
    await resume(application, runtime.db)
    settings = runtime.settings
    if settings.webhook_url:
        # Our own server rather than `updater.start_webhook`: it also answers /healthz (see
        # bot.webhook); it is listening before Telegram is told where to post.
        secret = (
            settings.webhook_secret.get_secret_value()
            if settings.webhook_secret
            else secrets.token_urlsafe(32)
        )
        server = WebhookServer(
            application,
            runtime.db,
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            path=WEBHOOK_PATH,
            secret=secret,
        )
        await server.start()
        application.bot_data[WEBHOOK_SERVER] = server
        try:
            await application.bot.set_webhook(
                url=settings.webhook_url.rstrip("/") + "/" + WEBHOOK_PATH,
                secret_token=secret,
                allowed_updates=Update.ALL_TYPES,
            )
        except BaseException:
            await application.bot_data.pop(WEBHOOK_SERVER).stop()
            raise
    else:
        await application.updater.start_polling(
            allowed_updates=Update.ALL_TYPES, poll_interval=0.0, timeout=10
        )
    if deliver:
        runtime.deliverer = _deliverer(application, runtime)
        await runtime.deliverer.start()
    assert application.job_queue is not None
    application.job_queue.run_repeating(
        reminder_job, interval=REMINDER_CHECK_SECONDS, first=5, name="reminders", data={}
    )
    application.job_queue.run_repeating(
        _prune_journal, interval=JOURNAL_PRUNE_SECONDS, first=60, name="journal"
    )
    application.job_queue.run_repeating(
        _sweep_notices, interval=NOTICE_SWEEP_SECONDS, first=NOTICE_SWEEP_SECONDS, name="notices"
    )
    # Personal data is kept no longer than it must be (bot.services.privacy).
    application.job_queue.run_repeating(
        retention_job, interval=RETENTION_SECONDS, first=600, name="retention"
    )
    application.job_queue.run_daily(
        _daily_backup, time=settings.backup_time.replace(tzinfo=settings.tz), name="backup"
    )
    try:
        await _publish_commands(application)
    except TelegramError as error:
        _log.warning("Could not publish the command list: %s", error)
    _log.info("Bot @%s is running", application.bot.username)


def _deliverer(application: BotApplication, runtime: Runtime) -> Deliverer:
    """Broadcasts and reminders go out through their own Bot, in the bulk lane of the
    application bot's rate limiter: one limiter per token, replies to people first."""

    async def on_progress(broadcast_id: int, progress: Progress) -> None:
        await report_progress(
            application.bot, runtime.db, broadcast_id, progress, runtime.settings.default_language
        )

    limiter = application.bot.rate_limiter
    assert isinstance(limiter, TelegramRateLimiter)
    bot = delivery_bot(
        application.bot.token, base_url=runtime.settings.telegram_api_base_url, limiter=limiter
    )
    runtime.delivery_bot = bot
    return Deliverer(runtime.db, bot, on_progress=on_progress)


async def stop_bot(application: BotApplication) -> None:
    """Stop in the reverse order; pending state is flushed to the database by `stop()`."""
    runtime: Runtime = application.bot_data["runtime"]
    if runtime.deliverer is not None:
        await runtime.deliverer.stop()
        runtime.deliverer = None
    if runtime.delivery_bot is not None:
        await runtime.delivery_bot.shutdown()  # its own HTTP connections
        runtime.delivery_bot = None
    server = application.bot_data.pop(WEBHOOK_SERVER, None)
    if isinstance(server, WebhookServer):
        await server.stop()
    assert application.updater is not None
    if application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()


async def serve(
    settings: Settings,
    db: Database,
    stop: asyncio.Event,
    *,
    token: str | None = None,
    on_started: Callable[[BotApplication], Awaitable[None]] | None = None,
) -> None:
    """Serve the configured Bot API (polling or webhook) until `stop` is set."""
    application = build_application(settings, db, token=token)
    await start_bot(application)
    try:
        if on_started is not None:
            await on_started(application)
        await stop.wait()
    finally:
        await stop_bot(application)
