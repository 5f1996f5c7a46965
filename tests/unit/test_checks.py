"""`khuyenhoc check`'s checks, one by one: what each says about a good and a bad installation."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import checks
from bot.config import Settings
from bot.fake_bot_api import FakeBotApi
from bot.i18n import translator
from bot.storage import leases
from bot.storage.db import LATEST_VERSION, Database

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
GOOD, BAD = "123456:good-token", "123456:revoked-token"


@pytest.fixture
def database(tmp_path: Path, units_template: Path) -> Path:
    path = tmp_path / "bot.sqlite3"
    shutil.copyfile(units_template, path)
    return path


def settings_for(path: Path, **more: object) -> Settings:
    return Settings(database=path, **more)  # type: ignore[arg-type]


def line(result: checks.CheckResult) -> str:
    return result.render(translator("en"))


async def test_a_sound_database(database: Path) -> None:
    result = await checks.database(settings_for(database))
    assert result.ok, line(result)
    assert line(result) == (
        f"✓ Database: {database} opens, migrations current (version {LATEST_VERSION}), "
        "quick_check ok"
    )


async def test_database_problems(tmp_path: Path, database: Path) -> None:
    missing = await checks.database(settings_for(tmp_path / "none.sqlite3"))
    assert not missing.ok and "`khuyenhoc migrate` creates it" in line(missing)
    assert not (tmp_path / "none.sqlite3").exists()  # a check creates nothing

    with closing(sqlite3.connect(database)) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST_VERSION - 1}")
    old = await checks.database(settings_for(database))
    assert not old.ok and f"version {LATEST_VERSION - 1}, this bot needs" in line(old)
    with closing(sqlite3.connect(database)) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    newer = await checks.database(settings_for(database))
    assert not newer.ok and "newer bot" in line(newer)

    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"this is not a database" * 500)
    damaged = await checks.database(settings_for(garbage))
    assert not damaged.ok and line(damaged).startswith(f"✗ Database: {garbage} cannot be read")


async def test_backup_folder(tmp_path: Path, database: Path) -> None:
    later = checks.backup_folder(settings_for(database))
    assert later.ok and "will be created by the first backup; daily at 02:30" in line(later)
    (tmp_path / "backups").mkdir()
    (tmp_path / "backups" / "bot-20261130-193000Z.sqlite3.gz").write_bytes(b"x")
    some = checks.backup_folder(settings_for(database))
    assert some.ok and "backups: 1, the newest of 2026-12-01 02:30" in line(some)
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder should be", encoding="utf-8")
    bad = checks.backup_folder(settings_for(database, backup_dir=blocked / "backups"))
    assert not bad.ok and "KHUYENHOC_BACKUP_DIR" in line(bad)


async def test_token_good_bad_and_unreachable(database: Path) -> None:
    async with FakeBotApi() as fake:
        fake.accepted_tokens = {GOOD}
        api = {"telegram_api_base_url": fake.base_url}
        good = await checks.token(settings_for(database, telegram_bot_token=GOOD, **api))
        assert good.ok
        assert line(good) == (
            f"✓ Token: getMe answers @khuyenhoc_bot (id {fake.bot_id}) at "
            f"http://127.0.0.1:{fake.port}"
        )
        bad = await checks.token(settings_for(database, telegram_bot_token=BAD, **api))
        assert not bad.ok
        assert line(bad) == (
            f"✗ Token: http://127.0.0.1:{fake.port} refuses it (Unauthorized); check "
            "TELEGRAM_BOT_TOKEN with @BotFather"
        )
        assert [call.status for call in fake.requests if call.method == "getMe"] == [200, 401]
        port = fake.port
    gone = await checks.token(
        settings_for(
            database, telegram_bot_token=GOOD, telegram_api_base_url=f"http://127.0.0.1:{port}/bot"
        )
    )
    assert not gone.ok and "cannot be reached" in line(gone)
    unset = await checks.token(settings_for(database))
    assert not unset.ok and "TELEGRAM_BOT_TOKEN is not set" in line(unset)


async def test_running_bot(database: Path) -> None:
    settings = settings_for(database)
    idle = await checks.running(settings, "outbox", NOW, required=False)
    assert idle.ok and line(idle) == "✓ Bot: no bot runs on this database now"
    required = await checks.running(settings, "outbox", NOW, required=True)
    assert not required.ok
    async with Database(database) as db:
        assert await leases.acquire(db, "outbox", "vm:42:ab", NOW, timedelta(seconds=30))
    runs = await checks.running(settings, "outbox", NOW, required=True)
    assert runs.ok and line(runs) == "✓ Bot: running on this database (vm:42:ab)"


async def test_run_all_offline_leaves_out_the_token(database: Path) -> None:
    results = await checks.run_all(
        settings_for(database), lease="outbox", now=NOW, offline=True, require_running=False
    )
    assert [r.subject for r in results] == ["Configuration", "Database", "Backups", "Bot"]
    assert all(r.ok for r in results), [line(r) for r in results]
