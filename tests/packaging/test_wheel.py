"""The built wheel runs anywhere: installed into a fresh venv and run from another folder, it
migrates, grants a role and answers /start in Vietnamese with the shipped map.

How: the checkout's sources are copied to a temporary folder, an sdist is built from the copy
and the wheel from the sdist (as `python -m build` does), with this venv's setuptools
(`--no-build-isolation --no-index`: no network). The fresh venv (`--without-pip`) gets the
wheel and nothing else: its dependencies are this venv's site-packages, added by a `.pth`
line. Such a line only adds the folder to `sys.path` (the `.pth` files in it, among them the
editable install's finder, are not run), so the checkout stays out of reach, which
`test_the_installed_copy_is_the_one_imported` checks. Deselect with `-m "not packaging"`.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import sysconfig
import tarfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.support import Translations

from bot.cli import FILE_UNREADABLE
from bot.cli.common import UNITS_FILE_MISSING
from bot.fake_bot_api import FakeBotApi
from bot.i18n import translator
from bot.resources import CHECKOUT
from bot.storage.db import LATEST_VERSION
from tests.e2e.conftest import TOKEN

pytestmark = pytest.mark.packaging

SOURCES = (
    "pyproject.toml",
    "setup.py",
    "MANIFEST.in",
    "README.md",
    "babel.cfg",
    "bot",
    "handlers",
    "locales",
    "data",
)
"""What the build reads; nothing else of the checkout (no tests, no .venv) is copied."""
COMMAND_TIMEOUT = 120
"""A command that has not exited by then hangs (the reported failure)."""
VIETNAMESE = re.compile("[ăâđêôơưạảấầẩậắằặẹẻẽếềểễệịọỏốồổỗộớờởợụủứừửữựỳỵỷỹ]", re.IGNORECASE)
t = translator("vi")


@dataclass(frozen=True)
class Installed:
    sdist: Path
    wheel: Path
    venv: Path
    python: Path
    khuyenhoc: Path
    seconds: dict[str, float]


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=COMMAND_TIMEOUT
    )
    assert done.returncode == 0, f"{command[:4]}…: {done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    root = tmp_path_factory.mktemp("packaging")
    seconds: dict[str, float] = {}
    started = time.monotonic()
    source, dist = root / "source", root / "dist"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo")
    source.mkdir()
    for name in SOURCES:
        if (CHECKOUT / name).is_dir():
            shutil.copytree(CHECKOUT / name, source / name, ignore=ignore)
        else:
            shutil.copy2(CHECKOUT / name, source / name)
    build_sdist = "import sys; from setuptools import build_meta as b; b.build_sdist(sys.argv[1])"
    _run([sys.executable, "-c", build_sdist, str(dist)], source)
    (sdist,) = dist.glob("*.tar.gz")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    wheel_command = ["wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w"]
    _run([*pip, *wheel_command, str(dist), str(sdist)], root)
    (wheel,) = dist.glob("*.whl")
    seconds["build"] = time.monotonic() - started

    started = time.monotonic()
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], root)
    python = venv / "bin" / "python"
    install = ["install", "--no-deps", "--no-index", "-q", str(wheel)]
    _run([*pip, "--python", str(python), *install], root)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))
    (site / "_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    seconds["install"] = time.monotonic() - started
    yield Installed(sdist, wheel, venv, python, venv / "bin" / "khuyenhoc", seconds)
    print("\nseconds: " + ", ".join(f"{step} {took:.1f}" for step, took in seconds.items()))


def clean_env(**settings: str) -> dict[str, str]:
    """This process's environment without the bot's settings or a Python path."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "KHUYENHOC_", "PYTHON", "VIRTUAL_ENV"))
    }
    env.update(settings)
    return env


def khuyenhoc(
    installed: Installed, cwd: Path, *args: str, **settings: str
) -> subprocess.CompletedProcess[str]:
    started = time.monotonic()
    done = subprocess.run(
        [str(installed.khuyenhoc), *args],
        cwd=cwd,
        env=clean_env(**settings),
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,  # TimeoutExpired: the command hung
    )
    installed.seconds[" ".join(args[:2])] = time.monotonic() - started
    return done


def test_the_wheel_carries_catalogs_data_and_migrations_and_no_tests(
    installed: Installed,
) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    assert not [name for name in names if name.startswith(("tests/", "benchmarks/"))]
    data = {path.name for path in (CHECKOUT / "data").iterdir() if path.is_file()}
    assert {f"bot/_shipped/data/{name}" for name in data} <= names
    migrations = {path.name for path in (CHECKOUT / "bot/storage/migrations").glob("*.sql")}
    assert {f"bot/storage/migrations/{name}" for name in migrations} <= names
    for lang in ("vi", "en"):
        assert f"bot/_shipped/locales/{lang}/LC_MESSAGES/messages.mo" in names
    with zipfile.ZipFile(installed.wheel).open(
        "bot/_shipped/locales/vi/LC_MESSAGES/messages.mo"
    ) as handle:
        assert Translations(handle).gettext("❓ Help") == "❓ Trợ giúp"
    # The sdist carries the sources of those files, not compiled catalogs.
    with tarfile.open(installed.sdist) as sdist:
        members = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert "locales/vi/LC_MESSAGES/messages.po" in members and "setup.py" in members
    assert {f"data/{name}" for name in data} <= members
    assert not [name for name in members if name.endswith(".mo") or name.startswith("tests/")]


def test_the_installed_copy_is_the_one_imported(installed: Installed, tmp_path: Path) -> None:
    probe = (
        "from importlib.util import find_spec as f; "
        "print(f('bot').origin, f('handlers').origin, f('tests'), sep='\\n')"
    )
    lines = _run([str(installed.python), "-c", probe], tmp_path, clean_env()).splitlines()
    assert all(line.startswith(str(installed.venv)) for line in lines[:2]), lines
    assert lines[2] == "None"  # the checkout's tests are not importable


def test_migrate_and_admin_add_from_another_folder_in_vietnamese(
    installed: Installed, tmp_path: Path
) -> None:
    migrated = khuyenhoc(installed, tmp_path, "migrate", KHUYENHOC_LOG_FORMAT="json")
    assert migrated.returncode == 0, migrated.stderr
    assert migrated.stdout.strip() == t.gettext("Database {path} is at version {version}.").format(
        path="khuyenhoc.sqlite3", version=LATEST_VERSION
    )
    logged = [json.loads(line) for line in migrated.stderr.splitlines()]  # JSON, every line
    shipped = installed.venv / "lib"
    loaded = [entry for entry in logged if entry["message"].startswith("Loaded the adminis")]
    assert len(loaded) == 1 and str(shipped) in loaded[0]["message"]
    assert loaded[0]["message"].endswith("bot/_shipped/data/hung_yen_2025_units.csv")

    added = khuyenhoc(
        installed, tmp_path, "admin", "add", "123456789", "--role", "province_admin",
        "--name", "Nguyễn Văn A",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    granted = t.gettext("User {user} is now {role} of {unit} ({code}).")
    assert added.stdout.strip() == granted.format(
        user=123456789, role="province_admin", unit="Hưng Yên", code="33"
    )
    with sqlite3.connect(tmp_path / "khuyenhoc.sqlite3") as db:
        (communes,) = db.execute("SELECT count(*) FROM unit WHERE level = 'commune'").fetchone()
        (name,) = db.execute(
            "SELECT full_name FROM app_user WHERE telegram_id = 123456789"
        ).fetchone()
    assert communes == 104 and name == "Nguyễn Văn A"


def test_a_missing_units_file_is_one_line_and_the_command_exits(
    installed: Installed, tmp_path: Path
) -> None:
    env = clean_env(KHUYENHOC_UNITS_CSV="nowhere.csv")  # given: read as given, from here
    commands = (["migrate"], ["admin", "add", "5", "--role", "province_admin"])
    running = [
        subprocess.Popen(
            [str(installed.khuyenhoc), *args],
            cwd=tmp_path,
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for args in commands
    ]  # at once: each is mostly the interpreter starting
    for process in running:
        _, stderr = process.communicate(timeout=COMMAND_TIMEOUT)  # TimeoutExpired: it hung
        assert process.returncode == 1
        assert stderr.strip() == t.gettext(UNITS_FILE_MISSING).format(path="nowhere.csv")
    assert not (tmp_path / "khuyenhoc.sqlite3").exists()


def test_a_shipped_file_gone_is_one_line_too(installed: Installed, tmp_path: Path) -> None:
    """A broken install (a data file deleted): the command says which, and exits."""
    names = next(installed.venv.glob("lib/python*/site-packages/bot/_shipped/data/demo_names.json"))
    names.rename(names.with_suffix(".gone"))
    try:
        done = khuyenhoc(installed, tmp_path, "demo-data", "--scale", "small")
    finally:
        names.with_suffix(".gone").rename(names)
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    assert line == t.gettext(FILE_UNREADABLE).format(path=names, detail="No such file or directory")


async def test_the_installed_bot_answers_start_in_vietnamese(
    installed: Installed, tmp_path: Path
) -> None:
    async with FakeBotApi(quiet_period=1.2) as fake:
        process = await asyncio.create_subprocess_exec(
            str(installed.khuyenhoc),
            "run",
            cwd=tmp_path,
            env=clean_env(
                TELEGRAM_BOT_TOKEN=TOKEN,
                TELEGRAM_API_BASE_URL=fake.base_url,
                TELEGRAM_API_BASE_FILE_URL=fake.base_file_url,
            ),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            started = time.monotonic()
            while fake.stats.polls_started == 0:
                assert process.returncode is None, "the installed bot stopped before polling"
                assert time.monotonic() - started < COMMAND_TIMEOUT, "no poll"
                await asyncio.sleep(0.1)
            installed.seconds["run: polling"] = time.monotonic() - started
            user = fake.user(3001)
            await user.send("/start")
            assert VIETNAMESE.search(user.last_text), user.last_text
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(process.communicate(), COMMAND_TIMEOUT)
    assert process.returncode == 0, stderr.decode()
    assert (tmp_path / "khuyenhoc.sqlite3").is_file()  # created where it runs, the map loaded
