"""One typed settings object, read from the environment and `.env`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.numbers import parse_number
from bot.resources import data_dir

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = data_dir()
"""The shipped data files: `data/` of the checkout, or the copy inside the installed package."""


@dataclass(frozen=True)
class ShippedMap:
    """A units file in data/ and what goes with it: the province row above it and the day
    it came into force (None: unknown)."""

    path: Path
    province_code: str
    province_name: str
    valid_from: date | None


HUNG_YEN_2025 = ShippedMap(DATA_DIR / "hung_yen_2025_units.csv", "33", "Hưng Yên", date(2025, 7, 1))
"""Today's map, loaded into a new database: Hưng Yên's 104 communes and wards directly under
the province (no districts since 1 July 2025; Thái Bình is part of it)."""
THAI_BINH_2024 = ShippedMap(DATA_DIR / "thai_binh_2024_units.csv", "34", "Thái Bình", None)
"""The map until 2024: Thái Bình, 8 districts, 260 communes; still shipped and loadable, and
the demo database's map for now."""
SHIPPED_MAPS = (HUNG_YEN_2025, THAI_BINH_2024)


def shipped_map(path: Path) -> ShippedMap | None:
    """The shipped map `path` names (relative to the working folder or not), if any."""
    try:
        resolved = path.resolve()
    except OSError:
        return None
    return next((known for known in SHIPPED_MAPS if known.path.resolve() == resolved), None)


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def parse_iso_day(text: str) -> date | None:
    """A day written YYYY-MM-DD (the only way a setting or an option gives one), else None."""
    if not _ISO_DAY.fullmatch(text.strip()):
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


ENV_PREFIX = "KHUYENHOC_"
"""Settings are read from `KHUYENHOC_<FIELD>`, except the Telegram ones (see `Settings`)."""

Language = Literal["vi", "en"]
LANGUAGES: tuple[Language, ...] = ("vi", "en")


class Settings(BaseSettings):
    """Everything the bot can be told from outside; nothing else reads os.environ.

    Each field is read from `KHUYENHOC_<FIELD>` (`ENV_PREFIX`); the Telegram ones keep the
    names Telegram's tools use (their `validation_alias`). `env_name` says which.
    """

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    telegram_bot_token: SecretStr | None = Field(
        default=None, validation_alias="TELEGRAM_BOT_TOKEN"
    )
    telegram_api_base_url: str = Field(
        default="https://api.telegram.org/bot", validation_alias="TELEGRAM_API_BASE_URL"
    )
    telegram_api_base_file_url: str = Field(
        default="https://api.telegram.org/file/bot", validation_alias="TELEGRAM_API_BASE_FILE_URL"
    )
    database: Path = Path("khuyenhoc.sqlite3")
    timezone: str = "Asia/Ho_Chi_Minh"
    default_language: Language = "vi"
    units_csv: Path = HUNG_YEN_2025.path
    """The shipped map unless given; a path given is read as given (relative to the working
    folder)."""
    province_code: str = "33"
    province_name: str = "Hưng Yên"
    units_valid_from: date | None = None
    """The day the units of a new database came into force (YYYY-MM-DD). The province and
    this day default to those of a shipped map (`SHIPPED_MAPS`); for another file, to 33 Hưng
    Yên and unknown."""
    invite_ttl_days: int = Field(default=7, ge=1, le=90)
    webhook_url: str | None = None
    """The public https address Telegram posts updates to (`/telegram` is appended); none:
    polling."""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_secret: SecretStr | None = None
    reminder_weekday: int = Field(default=0, ge=0, le=6)
    """0 = Monday … 6 = Sunday: the day of the weekly campaign reminder."""
    reminder_time: time = time(8, 0)
    ops_chat_id: int | None = None
    """The chat (an operator, or a group of them: negative) told of unexpected errors; none:
    errors are only logged."""
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    """`json`: one JSON object per log line, for a log collector; `text`: lines for a person."""
    backup_dir: Path | None = None
    """The folder of the daily backups (`khuyenhoc backup` writes there too); none: `backups/`
    beside the database."""
    backup_time: time = time(2, 30)
    """When the daily backup is made, in `timezone`."""
    outbox_retention_days: int = Field(default=30, ge=1, le=3650)
    """Broadcast and reminder messages settled (sent, failed…) longer ago than this are
    deleted by the daily retention job; the broadcast itself (who, when) stays."""
    audit_retention_days: int = Field(default=365, ge=30, le=36500)
    """Audit lines and export records older than this are deleted by the same job."""

    @field_validator("telegram_api_base_url", "telegram_api_base_file_url", "webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        bot_id, _, secret = value.get_secret_value().strip().partition(":")
        if parse_number(bot_id, max_digits=20) is None or not secret:
            raise ValueError("expected the form 123456789:ABC... given by @BotFather")
        return value

    @field_validator("ops_chat_id", mode="before")
    @classmethod
    def _chat_id(cls, value: object) -> int | None:
        """Telegram's ids are whole numbers (negative for groups), at most 52 bits."""
        text = "" if value is None else str(value).strip()
        if not text:
            return None
        number = parse_number(text.removeprefix("-"), max_digits=16)
        if not number:
            raise ValueError(
                "expected a Telegram chat id: a whole number such as 123456789, "
                "or -1001234567890 for a group"
            )
        return -number if text.startswith("-") else number

    @field_validator("backup_dir", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """`KHUYENHOC_BACKUP_DIR=` is the default folder, not the working one."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @field_validator("units_valid_from", mode="before")
    @classmethod
    def _iso_day(cls, value: object) -> object:
        """Only YYYY-MM-DD: a day typed another way would be read in some other order."""
        if value is None or isinstance(value, date):
            return value
        text = str(value).strip()
        if not text:
            return None
        day = parse_iso_day(text)
        if day is None:
            raise ValueError("expected a day as YYYY-MM-DD, such as 2025-07-01")
        return day

    @model_validator(mode="after")
    def _shipped_map(self) -> Settings:
        """`KHUYENHOC_UNITS_CSV=data/thai_binh_2024_units.csv` alone puts Thái Bình above it."""
        shipped = shipped_map(self.units_csv)
        given = set(self.model_fields_set)
        if shipped is not None and "province_code" not in given:
            self.province_code = shipped.province_code
            if "province_name" not in given:
                self.province_name = shipped.province_name
        if "units_valid_from" not in given:
            self.units_valid_from = shipped.valid_from if shipped is not None else None
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def token(self) -> str | None:
        return (
            self.telegram_bot_token.get_secret_value().strip() if self.telegram_bot_token else None
        )

    @property
    def backup_folder(self) -> Path:
        return self.backup_dir if self.backup_dir is not None else self.database.parent / "backups"


class SettingsError(Exception):
    """Raised with one readable line when the configuration cannot be used."""


def env_name(field: str) -> str:
    """The environment variable (or `.env` line) a setting is read from."""
    alias = Settings.model_fields[field].validation_alias
    return alias if isinstance(alias, str) else ENV_PREFIX + field.upper()


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning pydantic's report into one line naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "?"
        name = env_name(field) if field in Settings.model_fields else field.upper()
        message = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"{name}: {message}") from None
