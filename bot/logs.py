"""How the process logs: one line per record, for a person (`text`) or a collector (`json`).

`KHUYENHOC_LOG_FORMAT=json` writes one JSON object per line: `time` (UTC, ISO 8601),
`level`, `logger`, `message`, the record's `extra` fields, and `exception` with its
traceback; a message's own line breaks stay inside the string.

What people typed and their phone numbers never reach a log line. The project's log calls
name ids, counts and kinds only (handlers/errors.py redacts a failure's report), and the
libraries that would write request bodies or the token are held back whatever the level:
python-telegram-bot logs every call's parameters and every update at DEBUG, aiosqlite every
statement with its values, and httpx puts each URL, with the token in it, at INFO. A phone
number that slipped into a message anyway is masked on the way out.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Literal

LogFormat = Literal["text", "json"]

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

LIBRARY_FLOORS = {
    "telegram": logging.INFO,
    "aiosqlite": logging.INFO,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "aiohttp.access": logging.WARNING,
    "tornado.access": logging.WARNING,
}
"""The least severe level each library logger may write: below it they log what people sent
(python-telegram-bot's calls and updates, aiosqlite's statements with their parameters), URLs
with the token (httpx) or every request line (the servers)."""

_PHONE = re.compile(r"(?<![\w+])(?:\+84|0084|0)[35789](?:[ .\-]?[0-9]){8}(?![0-9])", re.ASCII)
"""A Vietnamese mobile number as normalised (`+84912345678`) or as typed (`0912 345 678`)."""
PHONE_MASK = "[phone]"

_RECORD_FIELDS = frozenset(
    vars(logging.LogRecord("", logging.INFO, "", 0, "", None, None)).keys()
    | {"message", "asctime", "taskName"}
)
"""A LogRecord's own attributes: anything else on a record came from `extra=`."""


def mask_phones(text: str) -> str:
    return _PHONE.sub(PHONE_MASK, text)


class TextFormatter(logging.Formatter):
    """The human lines of before, with phone numbers masked."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        return mask_phones(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and not key.startswith("_") and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return mask_phones(json.dumps(entry, ensure_ascii=False, default=str))


def configure(level: str, log_format: LogFormat = "text") -> None:
    """The root logger to stderr at `level` in `log_format`, as `logging.basicConfig` does
    (a root that has handlers already, such as pytest's, is left as it is); the libraries'
    floors in any case."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
        root.addHandler(handler)
        root.setLevel(level)
    threshold: int = logging.getLevelNamesMapping()[level]
    for name, floor in LIBRARY_FLOORS.items():
        logging.getLogger(name).setLevel(max(floor, threshold))
