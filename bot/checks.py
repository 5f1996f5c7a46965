"""`khuyenhoc check`: whether this installation can run, one result per check.

Nothing here changes anything: the database is read with a connection of its own (so a check
can run beside the bot, as the container's health check does), and a missing database or
backup folder is reported, not created. Each result carries a message id and its fields; the
command line translates them.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.request import HTTPXRequest

from bot.config import Settings
from bot.i18n import N_, Translator
from bot.services import backups
from bot.storage import backup as backup_store
from bot.storage.backup import BackupFailed
from bot.storage.db import LATEST_VERSION

TOKEN_TIMEOUT = 10.0
"""Seconds getMe may take, connecting and reading."""


@dataclass(frozen=True)
class CheckResult:
    subject: str
    ok: bool
    message: str
    fields: Mapping[str, object] = field(default_factory=dict)

    def render(self, t: Translator) -> str:
        """`✓ Database: …` or `✗ Token: …`, in the operator's language."""
        mark = "✓" if self.ok else "✗"
        text = t.gettext(self.message).format(**self.fields)
        return f"{mark} {t.gettext(self.subject)}: {text}"


CONFIGURATION = N_("Configuration")
DATABASE = N_("Database")
BACKUPS = N_("Backups")
TOKEN = N_("Token")
BOT = N_("Bot")


def api_address(settings: Settings) -> str:
    """The Bot API server without the path the token is appended to."""
    parts = urlsplit(settings.telegram_api_base_url)
    return f"{parts.scheme}://{parts.netloc}"


def configuration(settings: Settings) -> CheckResult:
    """The settings were read (a malformed one stops `khuyenhoc` before any check)."""
    if settings.webhook_url:
        return CheckResult(
            CONFIGURATION,
            True,
            N_(
                "read; webhook at {url} (listening on {listen}:{port}), database {database}, "
                "time zone {timezone}"
            ),
            {
                "url": settings.webhook_url,
                "listen": settings.webhook_listen,
                "port": settings.webhook_port,
                "database": settings.database,
                "timezone": settings.timezone,
            },
        )
    return CheckResult(
        CONFIGURATION,
        True,
        N_("read; polling {api}, database {database}, time zone {timezone}"),
        {
            "api": api_address(settings),
            "database": settings.database,
            "timezone": settings.timezone,
        },
    )


async def database(settings: Settings) -> CheckResult:
    """The file opens, its migrations are current, `PRAGMA quick_check` finds nothing."""
    path = settings.database
    if not await asyncio.to_thread(path.is_file):
        return CheckResult(
            DATABASE,
            False,
            N_("{path} does not exist; `khuyenhoc migrate` creates it"),
            {"path": path},
        )
    try:
        version, findings = await asyncio.to_thread(backup_store.quick_check, path)
    except BackupFailed as error:
        return CheckResult(
            DATABASE,
            False,
            N_("{path} cannot be read: {detail}"),
            {"path": path, "detail": error.detail or error.problem.value},
        )
    if findings:
        return CheckResult(
            DATABASE,
            False,
            N_("{path} is damaged (quick_check: {findings}); restore it from a backup"),
            {"path": path, "findings": "; ".join(findings)},
        )
    if version < LATEST_VERSION:
        return CheckResult(
            DATABASE,
            False,
            N_(
                "{path} is at version {version}, this bot needs {latest}: `khuyenhoc migrate` "
                "upgrades it (as `khuyenhoc run` does)"
            ),
            {"path": path, "version": version, "latest": LATEST_VERSION},
        )
    if version > LATEST_VERSION:
        return CheckResult(
            DATABASE,
            False,
            N_(
                "{path} is at version {version}, made by a newer bot than this one "
                "({latest}): install that version"
            ),
            {"path": path, "version": version, "latest": LATEST_VERSION},
        )
    return CheckResult(
        DATABASE,
        True,
        N_("{path} opens, migrations current (version {version}), quick_check ok"),
        {"path": path, "version": version},
    )


def _writable_ancestor(folder: Path) -> Path | None:
    """The nearest existing folder above `folder` if the bot may create folders in it."""
    for parent in folder.parents:
        if parent.exists():
            return parent if parent.is_dir() and os.access(parent, os.W_OK | os.X_OK) else None
    return None


def backup_folder(settings: Settings) -> CheckResult:
    """The daily backup can be written: the folder is writable, or can be created."""
    folder = settings.backup_folder
    if folder.is_dir():
        if not os.access(folder, os.W_OK | os.X_OK):
            return CheckResult(
                BACKUPS, False, N_("{folder} cannot be written to"), {"folder": folder}
            )
        found = backups.backups_in(folder, settings.database)
        if not found:
            return CheckResult(
                BACKUPS,
                True,
                N_("{folder} is writable, no backup yet; daily at {time}"),
                {"folder": folder, "time": settings.backup_time.strftime("%H:%M")},
            )
        newest = max(found.values()).astimezone(settings.tz)
        return CheckResult(
            BACKUPS,
            True,
            N_("{folder}: backups: {count}, the newest of {newest}; daily at {time}"),
            {
                "folder": folder,
                "count": len(found),
                "newest": newest.strftime("%Y-%m-%d %H:%M"),
                "time": settings.backup_time.strftime("%H:%M"),
            },
        )
    if folder.exists() or _writable_ancestor(folder) is None:
        return CheckResult(
            BACKUPS,
            False,
            N_("{folder} is not a folder the bot can create or write to; set KHUYENHOC_BACKUP_DIR"),
            {"folder": folder},
        )
    return CheckResult(
        BACKUPS,
        True,
        N_("{folder} will be created by the first backup; daily at {time}"),
        {"folder": folder, "time": settings.backup_time.strftime("%H:%M")},
    )


async def token(settings: Settings) -> CheckResult:
    """Telegram (the configured Bot API) knows the token: getMe answers."""
    api = api_address(settings)
    if settings.token is None:
        return CheckResult(
            TOKEN,
            False,
            N_("TELEGRAM_BOT_TOKEN is not set; `khuyenhoc run` would open the offline console"),
        )
    bot = Bot(
        settings.token,
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.telegram_api_base_file_url,
        request=HTTPXRequest(connect_timeout=TOKEN_TIMEOUT, read_timeout=TOKEN_TIMEOUT),
    )
    try:
        me = await bot.get_me()
    except InvalidToken as error:
        return CheckResult(
            TOKEN,
            False,
            N_("{api} refuses it ({detail}); check TELEGRAM_BOT_TOKEN with @BotFather"),
            {"api": api, "detail": error.message},
        )
    except NetworkError as error:
        return CheckResult(
            TOKEN,
            False,
            N_("{api} cannot be reached ({detail}); check TELEGRAM_API_BASE_URL and the network"),
            {"api": api, "detail": error.message},
        )
    except TelegramError as error:
        return CheckResult(
            TOKEN, False, N_("{api} answers: {detail}"), {"api": api, "detail": error.message}
        )
    finally:
        await bot.shutdown()
    return CheckResult(
        TOKEN,
        True,
        N_("getMe answers @{username} (id {id}) at {api}"),
        {"username": me.username, "id": me.id, "api": api},
    )


async def running(settings: Settings, lease: str, now: datetime, *, required: bool) -> CheckResult:
    """Whether a bot runs on the database (the deliverer's lease; see `backups.bot_running`).
    Only a failure when `required` (the health check of a running container)."""
    try:
        holder = await backups.bot_running(settings.database, lease, now)
    except backups.RestoreRefused as refused:
        return CheckResult(
            BOT, False, N_("cannot tell whether a bot runs: {detail}"), {"detail": refused.detail}
        )
    if holder is not None:
        return CheckResult(BOT, True, N_("running on this database ({holder})"), {"holder": holder})
    return CheckResult(BOT, not required, N_("no bot runs on this database now"))


async def run_all(
    settings: Settings, *, lease: str, now: datetime, offline: bool, require_running: bool
) -> list[CheckResult]:
    """Every check, in the order an operator fixes them; `offline` skips getMe."""
    results = [configuration(settings), await database(settings), backup_folder(settings)]
    if not offline:
        results.append(await token(settings))
    if results[1].ok or require_running:
        results.append(await running(settings, lease, now, required=require_running))
    return results
