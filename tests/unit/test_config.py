from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_API_BASE_URL",
        "TELEGRAM_API_BASE_FILE_URL",
        "KHUYENHOC_DATABASE",
        "KHUYENHOC_TIMEZONE",
        "KHUYENHOC_DEFAULT_LANGUAGE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults() -> None:
    settings = load_settings()
    assert settings.token is None
    assert settings.telegram_api_base_url == "https://api.telegram.org/bot"
    assert settings.timezone == "Asia/Ho_Chi_Minh"
    assert settings.default_language == "vi"


def test_reads_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:ABCdef")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:8081/bot")
    monkeypatch.setenv("KHUYENHOC_DATABASE", "/tmp/x.sqlite3")
    settings = load_settings()
    assert settings.token == "123456:ABCdef"
    assert settings.telegram_api_base_url == "http://127.0.0.1:8081/bot"
    assert settings.database == Path("/tmp/x.sqlite3")


def test_reads_dotenv(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("KHUYENHOC_DEFAULT_LANGUAGE=en\n", encoding="utf-8")
    assert load_settings().default_language == "en"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("TELEGRAM_BOT_TOKEN", "not-a-token", "TELEGRAM_BOT_TOKEN"),
        ("TELEGRAM_API_BASE_URL", "ftp://x", "TELEGRAM_API_BASE_URL"),
        ("KHUYENHOC_TIMEZONE", "Mars/Olympus", "KHUYENHOC_TIMEZONE"),
        ("KHUYENHOC_DEFAULT_LANGUAGE", "fr", "KHUYENHOC_DEFAULT_LANGUAGE"),
    ],
)
def test_bad_setting_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(expected + ":")
    assert "\n" not in message


def test_empty_token_means_no_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    assert load_settings().token is None
