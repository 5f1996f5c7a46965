"""The files the bot reads are found in the checkout's folders, or in the installed package's
copy when there is one (tests/packaging builds and installs the real wheel)."""

from __future__ import annotations

from importlib.resources.abc import Traversable
from pathlib import Path

import pytest

from bot import resources
from bot.storage.db import migrations
from handlers.failure_report import _short_path


def test_a_checkout_reads_its_top_level_folders() -> None:
    assert resources.data_dir() == resources.CHECKOUT / "data"
    assert resources.locales_dir() == resources.CHECKOUT / "locales"
    assert (resources.data_dir() / "hung_yen_2025_units.csv").is_file()
    assert (resources.locales_dir() / "vi" / "LC_MESSAGES" / "messages.po").is_file()


def test_migrations_are_package_data() -> None:
    found = migrations()
    assert found[0][0] == 1 and found[0][1].name.startswith("001_")
    assert [number for number, _ in found] == list(range(1, len(found) + 1))
    assert "CREATE TABLE" in found[0][1].read_text(encoding="utf-8")


def test_an_installed_package_reads_its_shipped_copy(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    package = tmp_path / "site-packages" / "bot"
    (package / resources.SHIPPED / "data").mkdir(parents=True)
    (package / resources.SHIPPED / "locales").mkdir()

    def files(name: str) -> Traversable:
        assert name == "bot"
        return package

    monkeypatch.setattr(resources, "files", files)
    assert resources.data_dir() == package / "_shipped" / "data"
    assert resources.locales_dir() == package / "_shipped" / "locales"


def test_an_installed_packages_frames_are_the_projects_own() -> None:
    """The operators' report names where a failure was raised in the bot's code, also when
    it runs from the wheel."""
    site = "/opt/khuyenhoc/venv/lib/python3.12/site-packages"
    assert _short_path(f"{site}/handlers/members.py") == ("handlers/members.py", True)
    assert _short_path(f"{site}/bot/updates.py") == ("bot/updates.py", True)
    assert _short_path(f"{site}/telegram/_bot.py") == ("telegram/_bot.py", False)
