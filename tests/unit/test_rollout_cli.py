"""`khuyenhoc rollout FILE [--out DIR]`: one line per problem and nothing created, or the
counts and where the workbook of links and the PDF of cards were written."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.cli import main

SHEET = (
    "STT,Xã/phường,Chi hội,Loại chi hội,Vai trò,Họ và tên,Số điện thoại\n"
    "1,12688,Thôn Đông La,Thôn,Chi hội trưởng,Trần Thị Hoa,0912345678\n"
    "2,xa lien giang,,,Chủ tịch xã,Lê Văn Ba,\n"
)


@pytest.fixture
def office(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The shipped map (Hưng Yên) in a new database; no token."""
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "KHUYENHOC_DEFAULT_LANGUAGE", "KHUYENHOC_UNITS_CSV"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KHUYENHOC_DATABASE", str(tmp_path / "office.sqlite3"))
    path = tmp_path / "trien-khai.csv"
    path.write_text(SHEET, encoding="utf-8")
    return path


def test_rollout_writes_the_links_and_the_cards(
    office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["rollout", str(office), "--dry-run"]) == 0
    assert "sẽ tạo 1 chi hội và 2 lời mời" in capsys.readouterr().out
    assert main(["rollout", str(office), "--bot", "@khuyenhoc_bot", "--out", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "Đã tạo 1 chi hội và 2 lời mời cho 2 người."
    assert printed[2:] == [
        f"Các liên kết và mã QR: {out / 'trien-khai-lien-ket.xlsx'}",
        f"Các thẻ để in: {out / 'trien-khai-the-moi.pdf'}",
    ]
    book = load_workbook(io.BytesIO((out / "trien-khai-lien-ket.xlsx").read_bytes()))
    link = str(book.worksheets[0].cell(row=2, column=7).value)
    assert link.startswith("https://t.me/khuyenhoc_bot?start=")
    assert (out / "trien-khai-the-moi.pdf").read_bytes().startswith(b"%PDF")

    assert main(["rollout", str(office), "--bot", "khuyenhoc_bot", "--out", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[:2] == [
        "Đã tạo 0 chi hội và 0 lời mời cho 2 người.",
        "Bỏ qua 3: 1 chi hội đã có, 2 liên kết còn hiệu lực, 0 người đã đăng ký.",
    ]


def test_rollout_names_every_problem_and_creates_nothing(
    office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    office.write_text(SHEET + "3,Atlantis,Thôn Tây,Thôn,,Ngô Văn Ba,123\n", encoding="utf-8")
    assert main(["rollout", str(office), "--bot", "khuyenhoc_bot"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"Không có gì được tạo từ {office}: 2 lỗi."
    assert [line.split(":")[0] for line in err[1:]] == ["Dòng 4", "Dòng 4"]
    assert not list(tmp_path.glob("*.pdf"))


def test_rollout_needs_the_bots_name(office: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rollout", str(office)]) == 1
    assert "--bot USERNAME" in capsys.readouterr().err
