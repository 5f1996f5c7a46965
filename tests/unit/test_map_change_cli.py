"""`khuyenhoc units migrate`: a dry run prints the plan and changes nothing, the real run
backs the database up and moves it, a rerun says so and changes nothing, and a foreseeable
problem is one line in Vietnamese."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.services import invites
from bot.storage import map_changes as map_store
from bot.storage import units as unit_store
from bot.storage.db import Database, utc_now
from bot.storage.models import Role
from tests.conftest import NEW_MAP_CSV, OLD_TO_NEW_CSV, branch, person

MIGRATE = [
    "units",
    "migrate",
    "--to",
    str(NEW_MAP_CSV),
    "--mapping",
    str(OLD_TO_NEW_CSV),
    "--effective",
    "2025-07-01",
]


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, units_template: Path) -> Path:
    """Thái Bình's 2024 map with a branch in each of two communes, their chairs and the
    province admin."""
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "KHUYENHOC_DEFAULT_LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "live.sqlite3"
    shutil.copyfile(units_template, path)
    monkeypatch.setenv("KHUYENHOC_DATABASE", str(path))

    async def seed() -> None:
        async with Database(path) as db:
            root = await unit_store.root(db)
            first = await unit_store.in_force_by_code(db, "12433")  # Lê Hồng Phong
            second = await unit_store.in_force_by_code(db, "12436")  # Bồ Xuyên
            assert root and first and second
            await branch(db, first, "Tổ 1")
            await branch(db, second, "Tổ 1")
            await person(db, 1, Role.PROVINCE_ADMIN, root, "Nguyễn Văn Tỉnh")
            await person(db, 2, Role.COMMUNE_CHAIR, first, "Trần Thị Xã")
            invite = await invites.create_invite(
                db, 1, Role.COMMUNE_CHAIR, second, utc_now(), ttl_days=7
            )
            assert not isinstance(invite, invites.InviteProblem)

    asyncio.run(seed())
    return path


def changes(path: Path) -> int:
    async def read() -> int:
        async with Database(path) as db:
            return len(await map_store.map_changes(db))

    return asyncio.run(read())


def backups(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.stem}.*.bak{path.suffix}"))


def test_dry_run_then_real_run_then_rerun(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = database.read_bytes()
    assert main([*MIGRATE, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Chạy thử, không thay đổi gì")
    assert "Đơn vị tạo mới: 105: tỉnh Hưng Yên và 104 xã, phường của tỉnh." in out
    assert "Đơn vị kết thúc từ ngày 01/07/2025: 269: tỉnh Thái Bình, 8 huyện và 260 xã." in out
    assert "Chi hội chuyển sang xã mới: 2." in out
    assert "Tổ 1 (Lê Hồng Phong)" in out and "Tổ 1 (Bồ Xuyên)" in out
    assert "Quyền chuyển theo đơn vị: 1." in out
    assert "Nguyễn Văn Tỉnh (1): Quản trị cấp tỉnh, Tỉnh Thái Bình → Tỉnh Hưng Yên" in out
    assert "Trần Thị Xã (2): Chủ tịch Hội Khuyến học xã, Phường Lê Hồng Phong" in out
    assert "Chạy lại không có --dry-run" in out
    revoked = "Lời mời chưa dùng vào đơn vị đã kết thúc, bị thu hồi khi chuyển: 1."
    assert revoked in out
    assert database.read_bytes() == before and not backups(database)
    assert changes(database) == 0

    assert main(MIGRATE) == 0
    out = capsys.readouterr().out
    [backup] = backups(database)
    assert f"Đã sao lưu cơ sở dữ liệu vào {backup}." in out
    assert "counters.recompute thấy 0 sai lệch" in out and "lần chuyển địa giới #1" in out
    assert revoked in out
    assert changes(database) == 1 and changes(backup) == 0

    assert main(MIGRATE) == 0
    out = capsys.readouterr().out
    assert "đã được chuyển sang địa giới này từ ngày 01/07/2025" in out
    assert "không thay đổi gì" in out
    assert changes(database) == 1 and backups(database) == [backup]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (["--mapping", "nowhere.csv"], "Chưa thay đổi gì: Không có tệp nowhere.csv."),
        (["--to", "nowhere.csv"], "Chưa thay đổi gì: Không có tệp nowhere.csv."),
        (
            ["--mapping", str(OLD_TO_NEW_CSV.with_name("hung_yen_2025_from_legacy.csv"))],
            "Chưa thay đổi gì: Bảng chuyển đổi không cho biết 18 xã",
        ),
        (["--mapping", "wrong.csv"], "Chưa thay đổi gì: 1 xã trong bảng chuyển đổi không có"),
        (["--mapping", "unknown.csv"], "Chưa thay đổi gì: 1 mã mới trong bảng chuyển đổi"),
    ],
)
def test_a_foreseeable_problem_is_one_line(
    database: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: list[str],
    expected: str,
) -> None:
    text = OLD_TO_NEW_CSV.read_text(encoding="utf-8")
    (tmp_path / "wrong.csv").write_text(text.replace("\n12433,", "\n99999,", 1), encoding="utf-8")
    (tmp_path / "unknown.csv").write_text(text.replace(",13225,", ",99998,", 1), encoding="utf-8")
    args = list(MIGRATE)
    args[args.index(change[0]) + 1] = change[1]
    before = database.read_bytes()
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.startswith(expected), err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert database.read_bytes() == before and not backups(database)


def test_no_database_is_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KHUYENHOC_DATABASE", str(tmp_path / "none.sqlite3"))
    assert main(MIGRATE) == 1
    err = capsys.readouterr().err
    assert err.startswith("Chưa thay đổi gì: không có cơ sở dữ liệu tại") and err.count("\n") == 1
    assert not (tmp_path / "none.sqlite3").exists()
