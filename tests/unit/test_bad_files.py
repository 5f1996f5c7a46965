"""A bad database or units file ends the command at once with one line, not a traceback.

Before, a damaged database left aiosqlite's thread running and the process hung after the
traceback; the operator saw neither the file nor what to do about it.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.app import open_database
from bot.cli import main
from bot.config import Settings
from bot.services.hierarchy import UnitsFileUnreadable
from bot.storage.db import Database, DatabaseProblem, DatabaseUnusable

TOKEN = "123456:test-token"
SECONDS = 10
HANG_SECONDS = 60
"""A command still running then hangs. It starts in about 5 s on an idle core (the imports,
the units file) but shares the CPUs with the other pytest-xdist workers, so a tighter limit
would fail a slow start, not a hang."""
STALE_CATALOG = "bot.i18n: Compiling "


@dataclass(frozen=True)
class Case:
    """A database path (and units file) set up to fail; `names` must appear in the message."""

    database: Path
    names: Path
    advice: str
    units_csv: Path | None = None


def _random_bytes(tmp_path: Path, _: Path) -> Case:
    path = tmp_path / "random.sqlite3"
    path.write_bytes(os.urandom(64 * 1024))
    return Case(path, path, "sao lưu")


def _header_then_garbage(tmp_path: Path, _: Path) -> Case:
    path = tmp_path / "header.sqlite3"
    path.write_bytes(b"SQLite format 3\0" + os.urandom(64 * 1024))
    return Case(path, path, "sao lưu")


def _truncated(tmp_path: Path, template: Path) -> Case:
    path = tmp_path / "truncated.sqlite3"
    data = template.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    return Case(path, path, "sao lưu")


def _damaged_table(tmp_path: Path, template: Path) -> Case:
    """Header and schema intact, the units table's first page overwritten: only a query fails."""
    path = tmp_path / "table.sqlite3"
    shutil.copyfile(template, path)
    with sqlite3.connect(path) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'unit'").fetchone()[0]
    conn.close()
    with path.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xff" * page_size)
    return Case(path, path, "sao lưu")


def _directory(tmp_path: Path, _: Path) -> Case:
    path = tmp_path / "folder.sqlite3"
    path.mkdir()
    return Case(path, path, "KHUYENHOC_DATABASE")


def _under_a_file(tmp_path: Path, _: Path) -> Case:
    plain = tmp_path / "somefile.txt"
    plain.write_text("not a folder\n", encoding="utf-8")
    return Case(plain / "bot.sqlite3", plain / "bot.sqlite3", "KHUYENHOC_DATABASE")


def _missing_units_csv(tmp_path: Path, _: Path) -> Case:
    missing = tmp_path / "no-such-units.csv"
    return Case(tmp_path / "new.sqlite3", missing, "KHUYENHOC_UNITS_CSV", units_csv=missing)


CASES: dict[str, Callable[[Path, Path], Case]] = {
    "random_bytes": _random_bytes,
    "header_then_garbage": _header_then_garbage,
    "truncated": _truncated,
    "damaged_table": _damaged_table,
    "directory": _directory,
    "under_a_file": _under_a_file,
    "missing_units_csv": _missing_units_csv,
}
DATABASE_CASES = [name for name in CASES if name != "missing_units_csv"]


def _closed_port() -> int:
    """A port nothing listens on: the bot must fail on its files before any network."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _env(case: Case) -> dict[str, str]:
    """Like `tests/e2e/test_processes.py::bot_env`, with a Bot API that is not there."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "KHUYENHOC_"))}
    base = f"http://127.0.0.1:{_closed_port()}"
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=f"{base}/bot",
        TELEGRAM_API_BASE_FILE_URL=f"{base}/file/bot",
        KHUYENHOC_DATABASE=str(case.database),
    )
    if case.units_csv is not None:
        env["KHUYENHOC_UNITS_CSV"] = str(case.units_csv)
    return env


@pytest.mark.parametrize("command", ["run", "migrate"])
@pytest.mark.parametrize("name", list(CASES))
def test_the_cli_says_one_line_and_exits(
    name: str, command: str, tmp_path: Path, units_template: Path
) -> None:
    case = CASES[name](tmp_path, units_template)
    before = case.database.read_bytes() if case.database.is_file() else None
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bot.cli", command],
            env=_env(case),
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=HANG_SECONDS,
        )
    except subprocess.TimeoutExpired as expired:
        pytest.fail(f"still running after {HANG_SECONDS} s; stderr: {expired.stderr!r}")
    # A checkout whose compiled catalogs are older than the .po files logs that it compiles
    # them in memory; that is about the checkout (`make test` compiles first), not this file.
    lines = [line for line in done.stderr.splitlines() if STALE_CATALOG not in line]
    assert done.returncode != 0
    assert len(lines) == 1 and lines[0].strip(), done.stderr
    assert done.stdout == ""
    assert str(case.names) in lines[0]
    assert case.advice in lines[0]
    assert "Traceback" not in done.stderr
    if before is not None:  # a damaged file is left as it was, for the operator to rescue
        assert case.database.read_bytes() == before
    if name == "missing_units_csv":  # no empty database is left behind for the next start
        assert not case.database.exists()


def test_the_line_is_in_the_operators_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    case = _random_bytes(tmp_path, tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("KHUYENHOC_DATABASE", str(case.database))
    monkeypatch.setenv("KHUYENHOC_DEFAULT_LANGUAGE", "en")
    assert main(["migrate"]) == 1
    assert capsys.readouterr().err == (
        f"The database {case.database} is damaged or is not a SQLite file. Restore it from a "
        "backup, or move it aside to start a new one.\n"
    )


def _threads_end(before: set[threading.Thread]) -> None:
    for thread in set(threading.enumerate()) - before:
        thread.join(timeout=SECONDS)
        assert not thread.is_alive(), thread


EXPECTED = {
    "random_bytes": DatabaseProblem.DAMAGED,
    "header_then_garbage": DatabaseProblem.DAMAGED,
    "truncated": DatabaseProblem.DAMAGED,
    "directory": DatabaseProblem.DIRECTORY,
    "under_a_file": DatabaseProblem.NOT_A_FOLDER,
}


@pytest.mark.parametrize("name", list(EXPECTED))
async def test_open_raises_and_leaves_no_thread(
    name: str, tmp_path: Path, units_template: Path
) -> None:
    case = CASES[name](tmp_path, units_template)
    before = set(threading.enumerate())
    database = Database(case.database)
    with pytest.raises(DatabaseUnusable) as raised:
        await database.open()
    assert raised.value.problem is EXPECTED[name]
    assert raised.value.path == case.database
    _threads_end(before)
    with pytest.raises(RuntimeError):
        database.conn  # noqa: B018 - nothing half-open is kept


@pytest.mark.parametrize("name", DATABASE_CASES)
async def test_open_database_raises_and_leaves_no_thread(
    name: str, tmp_path: Path, units_template: Path
) -> None:
    case = CASES[name](tmp_path, units_template)
    before = set(threading.enumerate())
    with pytest.raises(DatabaseUnusable):
        await open_database(Settings(database=case.database))
    _threads_end(before)


async def test_a_migrated_database_without_units_and_no_units_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    async with Database(path):
        pass
    missing = tmp_path / "missing.csv"
    before = set(threading.enumerate())
    with pytest.raises(UnitsFileUnreadable) as raised:
        await open_database(Settings(database=path, units_csv=missing))
    assert raised.value.path == missing and raised.value.missing
    _threads_end(before)
    with pytest.raises(UnitsFileUnreadable) as raised:
        await open_database(Settings(database=path, units_csv=tmp_path))
    assert not raised.value.missing
    _threads_end(before)


async def test_a_good_database_still_opens(tmp_path: Path, units_template: Path) -> None:
    path = tmp_path / "good.sqlite3"
    shutil.copyfile(units_template, path)
    db = await open_database(Settings(database=path))
    try:
        assert await db.fetchone("SELECT 1 FROM unit WHERE code = '34'") is not None
    finally:
        await db.close()


def test_units_load_of_a_missing_or_malformed_file_is_one_line(tmp_path: Path) -> None:
    """`units load FILE` and a malformed configured units file: one line each, no traceback."""
    malformed = tmp_path / "units.csv"
    malformed.write_text("district_code,district_name\n1,A\n", encoding="utf-8")
    for args, extra in (
        (["units", "load", str(tmp_path / "missing.csv")], {}),
        (["migrate"], {"KHUYENHOC_UNITS_CSV": str(malformed)}),
    ):
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "KHUYENHOC_"))
        }
        env.update(KHUYENHOC_DATABASE=str(tmp_path / f"db{len(args)}.sqlite3"), **extra)
        done = subprocess.run(
            [sys.executable, "-m", "bot.cli", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=30,
        )
        lines = [
            line
            for line in done.stderr.splitlines()
            if "Compiling" not in line and " INFO " not in line
        ]
        assert done.returncode != 0, (args, done.stderr)
        assert len(lines) == 1 and "Traceback" not in done.stderr, (args, done.stderr)
