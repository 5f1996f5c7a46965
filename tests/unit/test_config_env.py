"""Each setting is read from `KHUYENHOC_<NAME>` (the Telegram ones by their own names), as the
README's Configuration table lists them, and nothing else in the environment is taken for one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import (
    ENV_PREFIX,
    HUNG_YEN_2025,
    Settings,
    SettingsError,
    env_name,
    load_settings,
)
from bot.resources import CHECKOUT, data_dir

TELEGRAM = {
    "telegram_bot_token": "TELEGRAM_BOT_TOKEN",
    "telegram_api_base_url": "TELEGRAM_API_BASE_URL",
    "telegram_api_base_file_url": "TELEGRAM_API_BASE_FILE_URL",
}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for field in Settings.model_fields:
        monkeypatch.delenv(env_name(field), raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_every_setting_has_the_prefixed_name_but_the_telegram_ones() -> None:
    for field in Settings.model_fields:
        assert env_name(field) == TELEGRAM.get(field, ENV_PREFIX + field.upper())


def test_the_readme_table_lists_every_setting() -> None:
    readme = (CHECKOUT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`((?:KHUYENHOC|TELEGRAM)_[A-Z_]+)`", table))
    assert {env_name(field) for field in Settings.model_fields} <= documented


@pytest.mark.parametrize(
    ("name", "value", "field", "expected"),
    [
        ("KHUYENHOC_DATABASE", "/srv/k.sqlite3", "database", Path("/srv/k.sqlite3")),
        ("KHUYENHOC_WEBHOOK_PORT", "8000", "webhook_port", 8000),
        ("KHUYENHOC_OPS_CHAT_ID", "-1001234567890", "ops_chat_id", -1001234567890),
        ("KHUYENHOC_LOG_FORMAT", "json", "log_format", "json"),
        ("khuyenhoc_log_level", "DEBUG", "log_level", "DEBUG"),  # any case, as before
        ("TELEGRAM_API_BASE_URL", "http://127.0.0.1:8081/bot", "telegram_api_base_url", None),
    ],
)
def test_a_setting_is_read_from_its_name(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, field: str, expected: object
) -> None:
    monkeypatch.setenv(name, value)
    assert getattr(load_settings(), field) == (value if expected is None else expected)


def test_bare_names_are_not_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """`DATABASE` or `TIMEZONE` set for some other program is not this bot's setting."""
    monkeypatch.setenv("DATABASE", "/elsewhere.sqlite3")
    monkeypatch.setenv("TIMEZONE", "Europe/Paris")
    monkeypatch.setenv("BOT_TOKEN", "123:abc")
    settings = load_settings()
    assert settings.database == Path("khuyenhoc.sqlite3")
    assert settings.timezone == "Asia/Ho_Chi_Minh"
    assert settings.token is None


def test_dotenv_reads_both_kinds_of_name(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "TELEGRAM_BOT_TOKEN=123456:ABCdef\nKHUYENHOC_LOG_FORMAT=json\nOTHER=1\n", encoding="utf-8"
    )
    settings = load_settings()
    assert settings.token == "123456:ABCdef" and settings.log_format == "json"


def test_code_may_still_give_settings_by_field_name() -> None:
    settings = Settings(telegram_bot_token="1:a", database=Path("x.sqlite3"))
    assert settings.token == "1:a" and settings.database == Path("x.sqlite3")


@pytest.mark.parametrize("name", ["KHUYENHOC_LOG_FORMAT", "KHUYENHOC_WEBHOOK_PORT"])
def test_a_bad_value_names_its_variable(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv(name, "loud")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith(f"{name}: ")


def test_the_default_map_is_the_shipped_file_wherever_the_bot_runs() -> None:
    settings = load_settings()  # the working folder is an empty tmp_path
    assert settings.units_csv == HUNG_YEN_2025.path == data_dir() / "hung_yen_2025_units.csv"
    assert settings.units_csv.is_absolute() and settings.units_csv.is_file()
    assert (settings.province_code, settings.province_name) == ("33", "Hưng Yên")


def test_a_given_units_path_stays_as_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KHUYENHOC_UNITS_CSV", "data/hung_yen_2025_units.csv")
    assert load_settings().units_csv == Path("data/hung_yen_2025_units.csv")
