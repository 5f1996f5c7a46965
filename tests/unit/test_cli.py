"""The office's command line: granting the first admin, loading units and branches."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import THAI_BINH_2024
from bot.storage import people
from bot.storage.db import Database


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "KHUYENHOC_DEFAULT_LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "cli.sqlite3"
    monkeypatch.setenv("KHUYENHOC_DATABASE", str(path))
    monkeypatch.setenv("KHUYENHOC_UNITS_CSV", str(THAI_BINH_2024.path))  # codes 34, 340, 12433
    return path


def grants(path: Path, telegram_id: int) -> list[tuple[str, str]]:
    async def read() -> list[tuple[str, str]]:
        async with Database(path) as db:
            return [(g.role.value, g.unit.code) for g in await people.grants_of(db, telegram_id)]

    return asyncio.run(read())


def test_admin_add(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["admin", "add", "123456789", "--role", "province_admin", "--name", "Ngô Thị A"]) == 0
    )
    assert "123456789" in capsys.readouterr().out
    assert grants(database, 123456789) == [("province_admin", "34")]
    assert main(["admin", "add", "55", "--role", "district_chair", "--unit", "340"]) == 0
    assert grants(database, 55) == [("district_chair", "340")]


def test_admin_add_refuses_a_wrong_level_or_code(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["admin", "add", "55", "--role", "commune_chair", "--unit", "340"]) == 1
    assert "340" in capsys.readouterr().err
    assert main(["admin", "add", "55", "--role", "commune_chair", "--unit", "99999"]) == 1
    assert "Không có đơn vị nào mang mã 99999" in capsys.readouterr().err
    assert grants(database, 55) == []


def test_branches_import_and_errors(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "branches.csv"
    good.write_text(
        "commune_code,branch_name,branch_kind\n12433,Tổ 1,residential_group\n", encoding="utf-8"
    )
    assert main(["branches", "import", str(good)]) == 0
    assert "Đã tạo 1 chi hội" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("commune_code,branch_name,branch_kind\n1,Tổ 1,castle\n", encoding="utf-8")
    assert main(["branches", "import", str(bad)]) == 1
    assert "dòng 2" in capsys.readouterr().err


def test_bad_setting_is_one_line(
    database: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KHUYENHOC_TIMEZONE", "Nowhere/Atlantis")
    assert main(["migrate"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Lỗi cấu hình: KHUYENHOC_TIMEZONE:")
    assert err.count("\n") == 1 and "Traceback" not in err
