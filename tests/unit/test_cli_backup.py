"""`khuyenhoc backup` and `khuyenhoc restore` as the operator sees them: one line per step."""

from __future__ import annotations

import asyncio
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.delivery import LEASE
from bot.storage import leases
from bot.storage.db import LATEST_VERSION, Database, utc_now


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, units_template: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "KHUYENHOC_BACKUP_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KHUYENHOC_DEFAULT_LANGUAGE", "en")
    path = tmp_path / "data" / "bot.sqlite3"
    path.parent.mkdir()
    shutil.copyfile(units_template, path)
    monkeypatch.setenv("KHUYENHOC_DATABASE", str(path))
    return path


def test_backup_then_restore(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backup"]) == 0
    lines = capsys.readouterr().out.splitlines()
    (made,) = (database.parent / "backups").iterdir()
    assert made.name.startswith("bot-") and made.name.endswith("Z.sqlite3.gz")
    assert lines[0].startswith(f"Copied {database} with SQLite's online backup (")
    assert lines[1].startswith(f"Checked the copy: integrity_check ok, version {LATEST_VERSION}, ")
    assert lines[2].startswith(f"Compressed (gzip) and written to {made} (")
    assert len(lines) == 3

    assert main(["restore", str(made)]) == 0
    lines = capsys.readouterr().out.splitlines()
    (kept,) = database.parent.glob("bot.*.replaced.sqlite3")
    assert lines[0].startswith(
        f"Checked the backup {made}: integrity_check ok, version {LATEST_VERSION}, "
    )
    assert lines[1:] == [
        f"No bot runs on {database}: nobody holds its outbox lease.",
        f"Kept the database it replaces as {kept}.",
        f"Restored {database}. Start the bot again.",
    ]


def test_backup_to_a_path(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["backup", str(tmp_path / "copy.sqlite3")]) == 0
    assert (tmp_path / "copy.sqlite3.gz").is_file()
    assert main(["backup", str(tmp_path)]) == 0
    assert len(list(tmp_path.glob("bot-*Z.sqlite3.gz"))) == 1
    capsys.readouterr()


def test_backup_of_no_database(
    database: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("KHUYENHOC_DATABASE", str(tmp_path / "none.sqlite3"))
    assert main(["backup"]) == 1
    err = capsys.readouterr().err
    assert err == f"There is no file {tmp_path / 'none.sqlite3'}. Nothing was backed up.\n"
    assert not (tmp_path / "none.sqlite3").exists()


def test_restore_refuses_while_the_bot_runs(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["backup"]) == 0
    (made,) = (database.parent / "backups").iterdir()

    async def hold() -> None:
        async with Database(database) as db:
            assert await leases.acquire(db, LEASE, "vm:42:ab", utc_now(), timedelta(minutes=5))

    asyncio.run(hold())
    capsys.readouterr()
    assert main(["restore", str(made)]) == 1
    out, err = capsys.readouterr()
    assert out.startswith(f"Checked the backup {made}: integrity_check ok")
    assert err == (
        f"A bot runs on {database} (vm:42:ab holds its outbox lease): stop it first, then "
        "restore. A bot that was killed lets go of the lease within 30 seconds. Nothing was "
        "changed.\n"
    )
    assert list(database.parent.glob("*.replaced.*")) == []


def test_restore_refuses_a_bad_backup(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.sqlite3.gz"
    bad.write_bytes(b"\x1f\x8b" + b"\x00" * 50)
    assert main(["restore", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{bad} is incomplete or damaged") and err.endswith(
        "Nothing was changed.\n"
    )
    assert main(["restore", str(tmp_path / "nothing.gz")]) == 1
    assert capsys.readouterr().err == (
        f"There is no file {tmp_path / 'nothing.gz'}. Nothing was changed.\n"
    )
