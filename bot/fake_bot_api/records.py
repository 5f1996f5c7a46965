"""The records a fake keeps and hands to tests, and Telegram's size limits.

Plain data shared by every feature of the fake (and the public types tests import), kept
apart from the server so that reading them needs none of its machinery.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

JsonDict = dict[str, Any]


MessageKind = Literal["text", "photo", "document"]


EventKind = Literal["sent", "edited", "deleted", "callback_answer"]


BotEventCallback = Callable[[int, "SentMessage", EventKind], Awaitable[None] | None]


IdleHook = Callable[[], Awaitable[Any]]


Handler = Callable[[JsonDict], Awaitable[Any]]


MAX_TEXT_LENGTH = 4096


MAX_CAPTION_LENGTH = 1024


MAX_CALLBACK_DATA_BYTES = 64


MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024


MAX_UPLOAD_BYTES = 64 * 1024 * 1024


_INLINE_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


@dataclass(frozen=True)
class TelegramLimits:
    """Telegram's broadcast limits; sends past them get a 429 with ``retry_after``.

    Windows slide. ``tolerance`` seconds are trimmed from every window so that a sender pacing
    itself exactly at the limit is not punished for scheduling jitter: with the default 50 ms
    the effective global window is 0.95 s (about 5 % headroom). ``per_chat_per_second`` below 1
    means one message per ``1 / rate`` seconds; above 1 it allows ``floor(rate)`` per window.
    Private chats (positive ids) use the per-chat limit, groups (negative ids) the per-minute one.
    Only sendMessage, sendPhoto, sendDocument, copyMessage and forwardMessage are limited; a send
    that then fails with 403 still used its slot, as on Telegram.
    """

    per_second_global: int = 30
    per_chat_per_second: float = 1.0
    per_group_per_minute: int = 20
    tolerance: float = 0.05


@dataclass
class SentMessage:
    """One message the bot put into a chat, kept in its current state (edits apply in place)."""

    message_id: int
    chat_id: int
    text: str | None = None
    caption: str | None = None
    reply_markup: JsonDict | None = None
    kind: MessageKind = "text"
    file_name: str | None = None
    file_bytes: bytes | None = None
    parse_mode: str | None = None
    edited: bool = False
    deleted: bool = False
    raw_text: str | None = None
    """Text or caption exactly as the bot sent it, before ``parse_mode`` rendering."""
    entities: list[JsonDict] = field(default_factory=list)
    file_id: str | None = None
    mime_type: str | None = None
    date: int = 0
    edit_date: int | None = None
    reply_to_message_id: int | None = None
    forward_origin: JsonDict | None = None
    received_at: float = 0.0
    """``time.monotonic()`` when the fake accepted the send (before any ``latency`` delay)."""

    @property
    def content(self) -> str:
        """What the person reads: the text, else the caption, else ""."""
        return self.text or self.caption or ""

    @property
    def inline_buttons(self) -> list[JsonDict]:
        """Inline keyboard buttons, flattened row by row."""
        return _flatten_keyboard(self.reply_markup, "inline_keyboard")

    @property
    def buttons(self) -> list[str]:
        """Labels of the inline keyboard, flattened row by row."""
        return [_button_text(button) for button in self.inline_buttons]


@dataclass(frozen=True)
class BotEvent:
    """One thing the bot did to a chat, in order; ``text`` is the content at that moment."""

    chat_id: int
    kind: EventKind
    message: SentMessage
    text: str
    at: float


@dataclass(frozen=True)
class CallbackAnswer:
    """An answerCallbackQuery made for a button press of a fake user."""

    text: str
    show_alert: bool
    url: str | None
    message_id: int | None


@dataclass
class ApiCall:
    """One Bot API request the bot made, for assertions and debugging."""

    method: str
    params: JsonDict
    status: int
    at: float


@dataclass
class FakeStats:
    """Counters for benchmarks: accepted sends, 429s, 403s, 400s and calls per method."""

    sent: int = 0
    too_many_requests: int = 0
    forbidden: int = 0
    bad_requests: int = 0
    calls: Counter[str] = field(default_factory=Counter)
    """Completed calls per method (a long poll counts when it returns)."""
    polls_started: int = 0
    """getUpdates requests received, counted on arrival: the bot is polling."""


@dataclass(frozen=True)
class StoredFile:
    """A file known to the fake (uploaded by the bot or sent by a fake user)."""

    file_id: str
    file_unique_id: str
    file_path: str
    file_name: str | None
    content: bytes
    mime_type: str | None


class UrlButtonError(AssertionError):
    """Raised when a test presses a URL button: it opens a link and never reaches the bot."""

    def __init__(self, label: str, url: str) -> None:
        super().__init__(
            f"button {label!r} is a URL button ({url}); pressing it opens the link and sends "
            "nothing to the bot"
        )
        self.url = url


@dataclass(frozen=True)
class _Upload:
    """A multipart file part as received."""

    file_name: str | None
    content: bytes
    content_type: str | None


@dataclass
class _QueuedUpdate:
    update_id: int
    kind: str
    payload: JsonDict
    enqueued_at: float = 0.0

    def json(self) -> JsonDict:
        return {"update_id": self.update_id, self.kind: self.payload}


def _button_text(button: Any) -> str:
    if isinstance(button, str):
        return button
    if isinstance(button, dict):
        return str(button.get("text", ""))
    return str(button)


def _flatten_keyboard(markup: JsonDict | None, key: str) -> list[JsonDict]:
    if not markup:
        return []
    rows = markup.get(key)
    if not isinstance(rows, list):
        return []
    buttons: list[JsonDict] = []
    for row in rows:
        if not isinstance(row, list):
            continue
        for button in row:
            buttons.append(button if isinstance(button, dict) else {"text": str(button)})
    return buttons
