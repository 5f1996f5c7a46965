"""A local fake of the Telegram Bot API for end-to-end tests, the offline console and benchmarks.

The real PTB ``Application`` talks HTTP to it exactly as it would to api.telegram.org (long
polling with getUpdates, form/multipart/JSON bodies, file downloads), so tests exercise the same
code paths as production. Tests act like a person through :class:`FakeUser`; the fake records
everything the bot sent and can enforce Telegram's rate limits and "bot was blocked" errors.

Deliberate simplifications:

* ``parse_mode="HTML"`` is rendered like Telegram does (tags become entities, unsupported or
  unbalanced tags are a 400 "can't parse entities"), so ``SentMessage.text`` is what the person
  sees; Markdown/MarkdownV2 text is stored as sent (``raw_text`` always keeps the original).
* Every integer chat id is reachable; negative ids are groups. Only private chats have users.
* Inline messages (``inline_message_id``) are not supported.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import html
import inspect
import json
import logging
import math
import mimetypes
import random
import re
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from types import TracebackType
from typing import Any, Literal, Self

from aiohttp import ClientSession, web

__all__ = [
    "ApiCall",
    "BotEvent",
    "BotEventCallback",
    "CallbackAnswer",
    "EventKind",
    "FakeBotApi",
    "FakeStats",
    "FakeUser",
    "IdleHook",
    "MessageKind",
    "SentMessage",
    "StoredFile",
    "TelegramLimits",
    "UrlButtonError",
]

_log = logging.getLogger(__name__)

JsonDict = dict[str, Any]
MessageKind = Literal["text", "photo", "document"]
EventKind = Literal["sent", "edited", "deleted", "callback_answer"]
BotEventCallback = Callable[[int, "SentMessage", EventKind], Awaitable[None] | None]
IdleHook = Callable[[], Awaitable[Any]]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
MAX_UPLOAD_BYTES = 64 * 1024 * 1024

_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_BLOCKED = "Forbidden: bot was blocked by the user"
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
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_RECHECK_SECONDS = 0.1


# --------------------------------------------------------------------------------------------
# Public data types
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Internals: errors, parameter parsing, HTML rendering
# --------------------------------------------------------------------------------------------


class _ApiError(Exception):
    """A Telegram-style error answer."""

    def __init__(self, code: int, description: str, parameters: JsonDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> JsonDict:
        data: JsonDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            data["parameters"] = self.parameters
        return data


def _bad(description: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {description}")


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


@dataclass(frozen=True)
class _Action:
    """An update a fake user is about to cause, built before it is queued."""

    kind: str
    payload: JsonDict
    label: str
    message_id: int | None = None


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


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


def _resolve_attach(params: JsonDict, value: Any) -> Any:
    if isinstance(value, str) and value.startswith("attach://"):
        return params.get(value.removeprefix("attach://"))
    return value


def _opt_str(params: JsonDict, name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value)
    raise _bad(f"wrong type of the parameter {name}")


def _opt_int(params: JsonDict, name: str) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _bad(f"invalid {name} specified")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            raise _bad(f"invalid {name} specified") from None
    raise _bad(f"invalid {name} specified")


def _opt_float(params: JsonDict, name: str) -> float | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            raise _bad(f"invalid {name} specified") from None
    raise _bad(f"invalid {name} specified")


def _opt_bool(params: JsonDict, name: str) -> bool:
    value = params.get(name)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return False


def _opt_json(params: JsonDict, name: str) -> Any:
    value = params.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise _bad(f"can't parse {name} JSON object") from None
    return value


def _chat_id(params: JsonDict, name: str = "chat_id") -> int:
    value = params.get(name)
    if value is None or value == "":
        raise _bad(f"{name} is empty")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return int(value)
    raise _bad("chat not found")


def _req_int(params: JsonDict, name: str) -> int:
    value = _opt_int(params, name)
    if value is None:
        if name == "message_id":
            raise _bad("message identifier is not specified")
        raise _bad(f"{name} is empty")
    return value


_HTML_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


class _HtmlRenderer(HTMLParser):
    """Turns Telegram HTML into plain text plus entities, failing where Telegram fails."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self._source = source
        self._parts: list[str] = []
        self._length = 0
        self._stack: list[tuple[str, JsonDict | None, int]] = []
        self.entities: list[JsonDict] = []

    def _error(self, what: str) -> _ApiError:
        line, column = self.getpos()
        lines = self._source.splitlines(keepends=True)
        offset = sum(len(chunk) for chunk in lines[: line - 1]) + column
        byte_offset = len(self._source[:offset].encode())
        return _bad(f"can't parse entities: {what} at byte offset {byte_offset}")

    def _append(self, text: str) -> None:
        self._parts.append(text)
        self._length += _utf16_len(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        entity_type = _HTML_ENTITY_TYPES.get(tag)
        if entity_type is None or (tag == "span" and attributes.get("class") != "tg-spoiler"):
            raise self._error(f'Unsupported start tag "{tag}"')
        entity: JsonDict | None = {"type": entity_type}
        if tag == "a":
            entity = {"type": "text_link", "url": attributes.get("href", "")}
        elif tag == "blockquote" and "expandable" in attributes:
            entity = {"type": "expandable_blockquote"}
        elif tag == "tg-emoji":
            entity = {"type": "custom_emoji", "custom_emoji_id": attributes.get("emoji-id", "")}
        elif tag == "code" and self._stack and self._stack[-1][0] == "pre":
            language = attributes.get("class", "").removeprefix("language-")
            parent = self._stack[-1][1]
            if language and parent is not None:
                parent["language"] = language
                entity = None
        self._stack.append((tag, entity, self._length))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise self._error(f'Unsupported start tag "{tag}"')

    def handle_endtag(self, tag: str) -> None:
        if not self._stack:
            raise self._error(f'Unexpected end tag "{tag}"')
        open_tag, entity, start = self._stack[-1]
        if open_tag != tag:
            raise self._error(f'Unmatched end tag, expected "</{open_tag}>", found "</{tag}>"')
        self._stack.pop()
        if entity is not None and self._length > start:
            self.entities.append({**entity, "offset": start, "length": self._length - start})

    def handle_data(self, data: str) -> None:
        if "<" in data:
            raise self._error('Unexpected "<" (escape it as &lt;)')
        self._append(data)

    def handle_entityref(self, name: str) -> None:
        self._append(html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self._append(html.unescape(f"&#{name};"))

    def handle_comment(self, data: str) -> None:
        raise self._error("Unsupported comment")

    def handle_decl(self, decl: str) -> None:
        raise self._error("Unsupported declaration")

    def handle_pi(self, data: str) -> None:
        raise self._error("Unsupported processing instruction")

    def render(self) -> tuple[str, list[JsonDict]]:
        self.feed(self._source)
        self.close()
        if self._stack:
            tag = self._stack[-1][0]
            raise _bad(
                f"can't parse entities: Can't find end tag corresponding to start tag \"{tag}\""
            )
        entities = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return "".join(self._parts), entities


def _render(raw: str, parse_mode: str | None, entities: Any) -> tuple[str, list[JsonDict]]:
    """Apply ``parse_mode`` the way Telegram does (HTML only; others are kept verbatim)."""
    if parse_mode and parse_mode.lower() == "html":
        return _HtmlRenderer(raw).render()
    if isinstance(entities, list):
        return raw, [entity for entity in entities if isinstance(entity, dict)]
    return raw, []


def _validate_markup(markup: Any) -> JsonDict | None:
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise _bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        for button in (button for row in rows for button in row):
            if not isinstance(button, dict) or not button.get("text"):
                raise _bad(
                    "can't parse inline keyboard button: Text buttons are unallowed in "
                    "the inline keyboard"
                )
            if not any(action in button for action in _INLINE_ACTIONS):
                raise _bad(
                    "can't parse inline keyboard button: Text buttons are unallowed in "
                    "the inline keyboard"
                )
            if "callback_data" in button:
                data = button["callback_data"]
                size = len(str(data).encode())
                if not isinstance(data, str) or not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
                    raise _bad("BUTTON_DATA_INVALID")
            if "url" in button:
                url = str(button["url"])
                if not url.startswith(("http://", "https://", "tg://")):
                    raise _bad(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
        return markup
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')
        return markup
    if markup.get("remove_keyboard") or "force_reply" in markup:
        return markup
    raise _bad("can't parse reply keyboard markup JSON object")


def _safe_suffix(file_name: str | None) -> str:
    if not file_name or "." not in file_name:
        return ""
    suffix = "." + file_name.rsplit(".", 1)[1]
    return suffix if re.fullmatch(r"\.[A-Za-z0-9]{1,8}", suffix) else ""


def _shorten(text: str, size: int = 60) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= size else text[: size - 1] + "…"


def _summarize(method: str, params: JsonDict) -> str:
    shown = []
    for key in ("chat_id", "message_id", "text", "caption", "callback_query_id", "offset"):
        if key in params:
            shown.append(f"{key}={_shorten(str(params[key]))!r}")
    return f"{method}({', '.join(shown)})"


# --------------------------------------------------------------------------------------------
# The fake server
# --------------------------------------------------------------------------------------------


Handler = Callable[[JsonDict], Awaitable[Any]]


class FakeBotApi:
    """An in-process HTTP server speaking the Telegram Bot API, plus a person-like test client.

    One instance serves any token. Updates are shared by all tokens (one bot per fake).
    ``latency`` (seconds, settable at any time) delays every Bot API answer and file download,
    like the network between a bot and api.telegram.org; a long poll is delayed once, after its
    wait.
    """

    def __init__(
        self,
        *,
        bot_id: int = 7000000001,
        bot_username: str = "khuyenhoc_bot",
        bot_first_name: str = "Khuyến học",
        limits: TelegramLimits | None = None,
        forbidden_ratio: float = 0.0,
        seed: int = 0,
        quiet_period: float = 0.15,
        latency: float = 0.0,
        first_update_id: int = 1,
    ) -> None:
        """`first_update_id`: where update ids start, above those a reused database's update
        journal has seen (it handles an id once, as Telegram's ids never repeat)."""
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.limits = limits
        self.limits_clock: Callable[[], float] = time.monotonic
        """What the rate limits' windows are measured with. A test that counts the 429s of
        one burst stops it, so that a slow machine spreading the burst over more than the
        window does not change the count."""
        self.forbidden_ratio = forbidden_ratio
        self.seed = seed
        self.quiet_period = quiet_period
        self.latency = latency
        """Seconds every Bot API answer (and file download) is held back before it is sent."""
        self.settle_timeout = 15.0
        self.idle_hook: IdleHook | None = None
        """Awaited after the bot confirmed an update, e.g. ``application.update_queue.join``."""

        self.stats = FakeStats()
        self.requests: list[ApiCall] = []
        self.tokens_seen: set[str] = set()
        self.token: str | None = None
        self.accepted_tokens: set[str] | None = None
        """None: any token is a bot's. A set: any other token is answered 401 Unauthorized, as
        Telegram answers a wrong or revoked token."""
        self.webhook_url = ""
        self.webhook_secret = ""
        """With a webhook set, queued updates are POSTed to it (with this secret header), as
        Telegram does, instead of waiting for getUpdates."""
        self._webhook_confirmed: set[int] = set()
        self._pushes: set[asyncio.Task[None]] = set()
        self._push_lock = asyncio.Lock()
        self.my_commands: dict[tuple[str, str], list[JsonDict]] = {}
        """Commands by (JSON of the scope, language_code)."""
        self.menu_buttons: dict[int | None, JsonDict] = {}
        self.bot_settings: dict[str, JsonDict] = {}

        self._runner: web.AppRunner | None = None
        self._host = "127.0.0.1"
        self._port: int | None = None
        self._stopping = False

        self._updates: list[_QueuedUpdate] = []
        self._history: dict[int, _QueuedUpdate] = {}
        """Every update ever queued, by id (for redelivery and enqueue times)."""
        self._redelivery: dict[int, bool] = {}
        """Confirmed updates put back by :meth:`redeliver`; the value: handed out again yet."""
        self._handed_out: Counter[int] = Counter()
        self._next_update_id = first_update_id
        self._confirmed_offset = 0
        self._dropped: set[int] = set()
        self._poll_generation = 0
        self._last_poll_at: float | None = None

        self._changed = asyncio.Event()
        self._in_flight = 0
        self._last_activity = time.monotonic()
        self._last_request = "nothing yet"
        self._last_request_at: float | None = None

        self._users: dict[int, FakeUser] = {}
        self._message_ids: dict[int, int] = {}
        self._messages: dict[int, list[SentMessage]] = {}
        self._index: dict[tuple[int, int], SentMessage] = {}
        self._user_messages: dict[tuple[int, int], JsonDict] = {}
        self._reply_keyboards: dict[int, JsonDict | None] = {}
        self._events: list[BotEvent] = []
        self._sent_positions: dict[int, list[int]] = {}
        """Indexes into ``_events`` of the "sent" events, per chat."""
        self._callbacks: list[BotEventCallback] = []
        self._pending_queries: dict[str, tuple[int, int, int | None]] = {}
        self._next_query_id = 1
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._next_file = 1

        self._blocked: set[int] = set()
        self._unblocked: set[int] = set()
        self._ratio_cache: dict[int, bool] = {}
        self._global_window: deque[float] = deque()
        self._chat_windows: dict[int, deque[float]] = {}
        self._delivered: Counter[tuple[int, str, str]] = Counter()

        self._methods: dict[str, Handler] = {
            "getme": self._get_me,
            "getupdates": self._get_updates,
            "deletewebhook": self._delete_webhook,
            "setwebhook": self._set_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "setchatmenubutton": self._set_chat_menu_button,
            "getchatmenubutton": self._get_chat_menu_button,
            "setmydescription": self._store_setting("setMyDescription"),
            "setmyshortdescription": self._store_setting("setMyShortDescription"),
            "setmyname": self._store_setting("setMyName"),
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "editmessagecaption": self._edit_message_caption,
            "deletemessage": self._delete_message,
            "answercallbackquery": self._answer_callback_query,
            "sendphoto": self._send_photo,
            "senddocument": self._send_document,
            "sendchataction": self._send_chat_action,
            "copymessage": self._copy_message,
            "forwardmessage": self._forward_message,
            "getfile": self._get_file,
            "getchat": self._get_chat,
            "close": self._true,
            "logout": self._true,
        }

    # ---------------------------------------------------------------- lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on ``host:port`` (port 0 picks a free one)."""
        if self._runner is not None:
            raise RuntimeError("FakeBotApi is already running")
        self._stopping = False
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        address = runner.addresses[0]
        self._port = int(address[1])
        self._host = "127.0.0.1" if host in ("", "0.0.0.0") else host

    async def stop(self) -> None:
        """Release pending long polls and shut the server down."""
        self._stopping = True
        self._notify()
        for push in list(self._pushes):
            push.cancel()
        runner, self._runner = self._runner, None
        if runner is not None:
            await asyncio.sleep(0)  # let released long polls answer before closing sockets
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeBotApi is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url``: the token is appended directly."""
        return f"http://{self._host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url``."""
        return f"http://{self._host}:{self.port}/file/bot"

    # ---------------------------------------------------------------- public helpers

    def user(
        self,
        user_id: int,
        *,
        first_name: str = "Người dùng",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str = "vi",
    ) -> FakeUser:
        """The person with this id (created on first use; the same object afterwards)."""
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        created = FakeUser(
            self,
            user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        self._users[user_id] = created
        return created

    @property
    def users(self) -> dict[int, FakeUser]:
        return dict(self._users)

    def block(self, user_id: int) -> None:
        """Make the user "block the bot": sends to them answer 403."""
        self._blocked.add(user_id)
        self._unblocked.discard(user_id)

    def unblock(self, user_id: int) -> None:
        """Undo :meth:`block` (also overrides ``forbidden_ratio`` for this user)."""
        self._blocked.discard(user_id)
        self._unblocked.add(user_id)

    def is_blocked(self, chat_id: int) -> bool:
        """Whether sends to ``chat_id`` answer 403 (explicit block or the seeded ratio)."""
        if chat_id in self._blocked:
            return True
        if chat_id in self._unblocked or chat_id <= 0 or self.forbidden_ratio <= 0:
            return False
        cached = self._ratio_cache.get(chat_id)
        if cached is None:
            cached = random.Random(f"{self.seed}:{chat_id}").random() < self.forbidden_ratio
            self._ratio_cache[chat_id] = cached
        return cached

    def on_bot_event(self, callback: BotEventCallback) -> Callable[[], None]:
        """Call ``callback(chat_id, message, kind)`` for every sent/edited/deleted message and
        callback answer (for the latter, ``message.text`` is the answer text). Returns an
        unsubscribe function."""
        self._callbacks.append(callback)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._callbacks.remove(callback)

        return unsubscribe

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        """Every message the bot sent to ``chat_id`` (current state, deleted ones included)."""
        return list(self._messages.get(chat_id, []))

    @property
    def events(self) -> list[BotEvent]:
        return list(self._events)

    def duplicate_deliveries(self) -> int:
        """Accepted sends that repeated an earlier (chat, kind, content) delivery."""
        return sum(count - 1 for count in self._delivered.values() if count > 1)

    def file(self, file_id: str) -> StoredFile | None:
        return self._files.get(file_id)

    def reset_history(self) -> None:
        """Forget what the bot sent and the counters; users, files and ids carry on."""
        self.stats = FakeStats()
        self.requests.clear()
        self._messages.clear()
        self._index.clear()
        self._events.clear()
        self._sent_positions.clear()
        self._reply_keyboards.clear()
        self._delivered.clear()
        self._global_window.clear()
        self._chat_windows.clear()
        for person in self._users.values():
            person._answers.clear()
            person._mark = 0

    def enqueue_update(self, kind: str, payload: JsonDict) -> int:
        """Queue a raw update ``{"update_id": n, kind: payload}`` and return its id."""
        update_id = self._next_update_id
        self._next_update_id += 1
        queued = _QueuedUpdate(update_id, kind, payload, time.monotonic())
        self._updates.append(queued)
        self._history[update_id] = queued
        self._notify()
        if self.webhook_url:
            self._schedule_push(queued)
        return update_id

    def enqueued_at(self, update_id: int) -> float:
        """``time.monotonic()`` when ``update_id`` was queued (the person pressed "send")."""
        queued = self._history.get(update_id)
        if queued is None:
            raise KeyError(f"no update {update_id} was ever queued")
        return queued.enqueued_at

    def handed_out(self, update_id: int) -> int:
        """How many times the bot was given ``update_id`` (getUpdates answers, webhook posts)."""
        return self._handed_out[update_id]

    def redeliver(self, update_id: int) -> None:
        """Put a confirmed update back: the next getUpdates (or a webhook post) delivers it again
        with the same id and payload, as Telegram does when it missed the acknowledgement. It
        counts as unconfirmed until the bot acknowledges it again (a getUpdates with a higher
        offset after it was handed out, or a 200 from the webhook)."""
        queued = self._history.get(update_id)
        if queued is None:
            raise ValueError(f"no update {update_id} was ever queued")
        if update_id in self._dropped:
            raise ValueError(f"update {update_id} was dropped; Telegram never redelivers those")
        if not self.is_confirmed(update_id):
            raise ValueError(f"update {update_id} is not confirmed yet: it is still pending")
        self._redelivery[update_id] = False
        self._webhook_confirmed.discard(update_id)
        self._notify()
        if self.webhook_url:
            self._schedule_push(queued)

    def _schedule_push(self, queued: _QueuedUpdate) -> None:
        task = asyncio.get_running_loop().create_task(self._push(queued.json()))
        self._pushes.add(task)
        task.add_done_callback(self._pushes.discard)

    async def _push(self, update: JsonDict) -> None:
        """Deliver one update to the webhook, in order; a 200 answer confirms it."""
        async with self._push_lock, ClientSession() as session:
            headers = (
                {"X-Telegram-Bot-Api-Secret-Token": self.webhook_secret}
                if self.webhook_secret
                else {}
            )
            update_id = int(update["update_id"])
            self._handed_out[update_id] += 1
            async with session.post(self.webhook_url, json=update, headers=headers) as answer:
                if answer.status == 200:
                    self._webhook_confirmed.add(update_id)
                    self._redelivery.pop(update_id, None)
                    self._touch()
                    self._notify()

    def is_confirmed(self, update_id: int) -> bool:
        """Whether the bot acknowledged the update (getUpdates with a higher offset)."""
        if update_id in self._redelivery:
            return False
        return (
            update_id < self._confirmed_offset
            or update_id in self._dropped
            or update_id in self._webhook_confirmed
        )

    def _unconfirmed(self, up_to: int) -> list[int]:
        """Ids up to ``up_to`` the bot has not acknowledged yet, in order."""
        waiting = {u.update_id for u in self._updates if u.update_id <= up_to}
        waiting.update(uid for uid in self._redelivery if uid <= up_to)
        return sorted(uid for uid in waiting if not self.is_confirmed(uid))

    async def settle(self, update_id: int, label: str = "") -> None:
        """Wait until the bot has fetched and finished handling ``update_id``."""
        timeout = self.settle_timeout
        try:
            async with asyncio.timeout(timeout):
                await self._wait_until(lambda: self.is_confirmed(update_id))
                await self._wait_idle()
        except TimeoutError:
            raise TimeoutError(self._describe_stall(update_id, label, timeout)) from None

    async def settle_all(self, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Wait until every update queued so far is confirmed and the bot went idle (the
        ``idle_hook`` returned, else nothing happened for ``quiet_period``)."""
        limit = self.settle_timeout if timeout is None else timeout
        last = self._next_update_id - 1
        try:
            async with asyncio.timeout(limit):
                await self._wait_until(lambda: not self._unconfirmed(last))
                await self._wait_idle()
        except TimeoutError:
            waiting = self._unconfirmed(last)
            if not waiting:
                state = f"every update up to {last} is confirmed but the bot did not go idle"
                raise TimeoutError(f"{state} within {limit:g}s ({self._state()})") from None
            first = waiting[0]
            queued = self._history.get(first)
            label = f"{queued.kind}" if queued is not None else ""
            shown = ", ".join(str(uid) for uid in waiting[:10]) + (
                ", …" if len(waiting) > 10 else ""
            )
            raise TimeoutError(
                f"{len(waiting)} of the updates queued so far are unconfirmed ({shown}); "
                + self._describe_stall(first, label, limit)
            ) from None

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float | None = None,  # noqa: ASYNC109 (the timeout explains what it waited for)
        *,
        what: str | Callable[[], str] = "",
    ) -> None:
        """Wait until ``predicate()`` is true: checked now, whenever the fake's state changes (a
        Bot API request starts or ends, an update is queued or confirmed) and every 0.1 s.

        ``timeout`` defaults to ``settle_timeout``; past it a :class:`TimeoutError` names
        ``what`` (a text, or a function making one at that moment) and the fake's state.
        """
        limit = self.settle_timeout if timeout is None else timeout
        try:
            async with asyncio.timeout(limit):
                while not predicate():
                    changed = self._changed
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(changed.wait(), _RECHECK_SECONDS)
        except TimeoutError:
            described = what() if callable(what) else what
            raise TimeoutError(
                f"{described or 'the condition'} not reached within {limit:g}s ({self._state()})"
            ) from None

    def mark(self) -> int:
        """A position in the bot's history, for :meth:`new_messages` and
        :meth:`wait_for_answers` ("since now")."""
        return len(self._events)

    def new_messages(self, chat_id: int, since: int = 0) -> list[SentMessage]:
        """Messages the bot sent to ``chat_id`` after the mark ``since`` (new messages from
        sendMessage, sendPhoto, sendDocument, copyMessage or forwardMessage; not edits)."""
        positions = self._sent_positions.get(chat_id, [])
        start = bisect.bisect_left(positions, since)
        return [self._events[index].message for index in positions[start:]]

    def _count_new(self, chat_id: int, since: int) -> int:
        positions = self._sent_positions.get(chat_id, [])
        return len(positions) - bisect.bisect_left(positions, since)

    async def wait_for_answers(
        self,
        user_id: int,
        count: int = 1,
        timeout: float | None = None,  # noqa: ASYNC109
        *,
        since: int | None = None,
    ) -> list[SentMessage]:
        """Wait until the bot has sent at least ``count`` new messages (not edits) to the chat
        of ``user_id`` since the mark ``since`` (default: that user's latest action); returns
        them all. Does not wait for the bot to go quiet."""
        person = self._users.get(user_id)
        mark = since if since is not None else (person._mark if person is not None else 0)
        await self.wait_until(
            lambda: self._count_new(user_id, mark) >= count,
            timeout,
            what=lambda: (
                f"{count} new message(s) to chat {user_id} (got {self._count_new(user_id, mark)})"
            ),
        )
        return self.new_messages(user_id, mark)

    # ---------------------------------------------------------------- waiting machinery

    def _notify(self) -> None:
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    def _touch(self) -> None:
        self._last_activity = time.monotonic()
        self._notify()

    async def _wait_until(self, predicate: Callable[[], bool]) -> None:
        while not predicate():
            await self._changed.wait()

    async def _wait_idle(self) -> None:
        if self.idle_hook is not None:
            await self.idle_hook()
            await self._wait_until(lambda: self._in_flight == 0)
        else:
            await self._wait_quiet()

    async def _wait_quiet(self) -> None:
        while True:
            changed = self._changed
            if self._in_flight:
                await changed.wait()
                continue
            idle = time.monotonic() - self._last_activity
            if idle >= self.quiet_period:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), self.quiet_period - idle)

    def _last_request_text(self) -> str:
        last = self._last_request
        if self._last_request_at is not None:
            last += f" {time.monotonic() - self._last_request_at:.1f}s ago"
        return last

    def _state(self) -> str:
        waiting = len(self._unconfirmed(self._next_update_id - 1))
        return (
            f"{self._in_flight} requests in flight, {waiting} updates unconfirmed, confirmed "
            f"offset {self._confirmed_offset}, last bot request: {self._last_request_text()}"
        )

    def _describe_stall(self, update_id: int, label: str, timeout: float) -> str:
        now = time.monotonic()
        what = f"update {update_id}" + (f" ({label})" if label else "")
        if not self.is_confirmed(update_id):
            polled = (
                "the bot never called getUpdates"
                if self._last_poll_at is None
                else f"last getUpdates {now - self._last_poll_at:.1f}s ago"
            )
            state = (
                f"the bot never confirmed it ({polled}, confirmed offset {self._confirmed_offset})"
            )
        elif self.idle_hook is not None:
            state = f"the bot confirmed it but idle_hook did not return ({self._in_flight} "
            state += "requests in flight)"
        else:
            state = f"the bot confirmed it but did not go quiet ({self._in_flight} in flight)"
        return (
            f"{what} did not settle within {timeout:g}s: {state}; last bot "
            f"request: {self._last_request_text()}"
        )

    # ---------------------------------------------------------------- HTTP plumbing

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith("/file/bot"):
            return await self._handle_file(path.removeprefix("/file/bot"))
        if path.startswith("/bot"):
            token, sep, method = path.removeprefix("/bot").partition("/")
            if sep and token and method and "/" not in method:
                return await self._handle_method(request, token, method)
        return web.json_response(
            {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
        )

    async def _handle_file(self, rest: str) -> web.StreamResponse:
        self._in_flight += 1
        self._touch()
        try:
            token, _, file_path = rest.partition("/")
            self.tokens_seen.add(token)
            stored = self._files_by_path.get(file_path)
            self._last_request = f"download {file_path}"
            self._last_request_at = time.monotonic()
            await self._delay()
            if stored is None:
                return web.json_response(
                    {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
                )
            return web.Response(
                body=stored.content, content_type=stored.mime_type or "application/octet-stream"
            )
        finally:
            self._in_flight -= 1
            self._touch()

    async def _handle_method(self, request: web.Request, token: str, method: str) -> web.Response:
        if self.accepted_tokens is not None and token not in self.accepted_tokens:
            self.requests.append(ApiCall(method, {}, 401, time.time()))
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        self.tokens_seen.add(token)
        self.token = token
        name = method.lower()
        is_poll = name == "getupdates"
        if is_poll:
            self.stats.polls_started += 1
        else:
            self._in_flight += 1
            self._touch()
        params: JsonDict = {}
        try:
            try:
                params = await self._read_params(request)
                handler = self._methods.get(name)
                if handler is None:
                    raise _ApiError(404, "Not Found")
                result = await handler(params)
                status, payload = 200, {"ok": True, "result": result}
            except _ApiError as err:
                status, payload = err.code, err.payload()
                if err.code == 400:
                    self.stats.bad_requests += 1
            self.stats.calls[method] += 1
            self.requests.append(ApiCall(method, params, status, time.time()))
            if not is_poll:
                self._last_request = _summarize(method, params) + f" -> {status}"
                self._last_request_at = time.monotonic()
            await self._delay()
            return web.json_response(payload, status=status)
        finally:
            if not is_poll:
                self._in_flight -= 1
                self._touch()

    async def _delay(self) -> None:
        """Hold the answer back by ``latency`` (not while shutting down)."""
        if self.latency > 0 and not self._stopping:
            await asyncio.sleep(self.latency)

    async def _read_params(self, request: web.Request) -> JsonDict:
        params: JsonDict = dict(request.query)
        if request.method != "POST" or not request.body_exists:
            return params
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except json.JSONDecodeError:
                raise _bad("can't parse JSON body") from None
            if not isinstance(body, dict):
                raise _bad("JSON body must be an object")
            params.update(body)
            return params
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                params[key] = _Upload(value.filename, value.file.read(), value.content_type)
            elif isinstance(value, bytes | bytearray):
                params[key] = bytes(value).decode("utf-8", errors="replace")
            else:
                params[key] = value
        return params

    # ---------------------------------------------------------------- JSON shapes

    def _bot_user_json(self) -> JsonDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _chat_json(self, chat_id: int) -> JsonDict:
        if chat_id < 0:
            kind = "supergroup" if str(chat_id).startswith("-100") else "group"
            return {"id": chat_id, "type": kind, "title": f"Group {chat_id}"}
        person = self._users.get(chat_id)
        if person is None:
            return {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
        return person.chat_dict()

    def _message_json(self, message: SentMessage) -> JsonDict:
        data: JsonDict = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": self._chat_json(message.chat_id),
            "from": self._bot_user_json(),
        }
        if message.kind == "text":
            data["text"] = message.text or ""
            if message.entities:
                data["entities"] = message.entities
        else:
            stored = self._files.get(message.file_id or "")
            data.update(self._file_json(message.kind, stored, message))
            if message.caption:
                data["caption"] = message.caption
                if message.entities:
                    data["caption_entities"] = message.entities
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = {"inline_keyboard": message.reply_markup["inline_keyboard"]}
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        if message.forward_origin is not None:
            data["forward_origin"] = message.forward_origin
        return data

    def _file_json(
        self, kind: MessageKind, stored: StoredFile | None, message: SentMessage | None = None
    ) -> JsonDict:
        file_id = stored.file_id if stored else (message.file_id if message else "") or ""
        unique = stored.file_unique_id if stored else f"u-{file_id}"
        size = len(stored.content) if stored else 0
        if kind == "photo":
            return {
                "photo": [
                    {
                        "file_id": file_id,
                        "file_unique_id": unique,
                        "width": 800,
                        "height": 600,
                        "file_size": size,
                    }
                ]
            }
        document: JsonDict = {"file_id": file_id, "file_unique_id": unique, "file_size": size}
        if stored and stored.file_name:
            document["file_name"] = stored.file_name
        if stored and stored.mime_type:
            document["mime_type"] = stored.mime_type
        return {"document": document}

    def _store_file(
        self, content: bytes, file_name: str | None, mime_type: str | None, folder: str
    ) -> StoredFile:
        number = self._next_file
        self._next_file += 1
        if mime_type is None and file_name:
            mime_type = mimetypes.guess_type(file_name)[0]
        stored = StoredFile(
            file_id=f"fake-{folder}-{number}",
            file_unique_id=f"fakeuniq{number}",
            file_path=f"{folder}/file_{number}{_safe_suffix(file_name)}",
            file_name=file_name,
            content=content,
            mime_type=mime_type,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    # ---------------------------------------------------------------- sending machinery

    def _next_message_id(self, chat_id: int) -> int:
        number = self._message_ids.get(chat_id, 0) + 1
        self._message_ids[chat_id] = number
        return number

    def _window(self, chat_id: int) -> deque[float]:
        window = self._chat_windows.get(chat_id)
        if window is None:
            window = self._chat_windows[chat_id] = deque()
        return window

    def _check_rate(self, chat_id: int) -> None:
        limits = self.limits
        if limits is None:
            return
        now = self.limits_clock()
        checks: list[tuple[deque[float], int, float]] = [
            (self._global_window, limits.per_second_global, 1.0)
        ]
        if chat_id < 0:
            checks.append((self._window(chat_id), limits.per_group_per_minute, 60.0))
        else:
            burst = max(1, math.floor(limits.per_chat_per_second))
            checks.append((self._window(chat_id), burst, burst / limits.per_chat_per_second))
        exceeded = False
        wait = 0.0
        for window, max_count, span in checks:
            effective = max(span - limits.tolerance, 0.0)
            while window and window[0] <= now - effective:
                window.popleft()
            if len(window) >= max_count:
                exceeded = True
                wait = max(wait, window[0] + effective - now)
        if exceeded:
            self.stats.too_many_requests += 1
            seconds = max(1, math.ceil(wait))
            raise _ApiError(
                429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds}
            )
        for window, _, _ in checks:
            window.append(now)

    def _check_blocked(self, chat_id: int) -> None:
        if self.is_blocked(chat_id):
            self.stats.forbidden += 1
            raise _ApiError(403, _BLOCKED)

    def _gate_send(self, chat_id: int) -> None:
        """Rate limits first (a 403'd send still used a slot), then the block list."""
        self._check_rate(chat_id)
        self._check_blocked(chat_id)

    async def _record_event(self, message: SentMessage, kind: EventKind) -> None:
        if kind == "sent":
            self._sent_positions.setdefault(message.chat_id, []).append(len(self._events))
        self._events.append(
            BotEvent(message.chat_id, kind, message, message.content, time.monotonic())
        )
        await self._emit(message.chat_id, message, kind)

    async def _emit(self, chat_id: int, message: SentMessage, kind: EventKind) -> None:
        for callback in list(self._callbacks):
            try:
                outcome = callback(chat_id, message, kind)
                if inspect.isawaitable(outcome):
                    await outcome
            except Exception:
                _log.exception("bot event callback failed")

    async def _deliver(self, message: SentMessage) -> None:
        chat_id = message.chat_id
        message.received_at = time.monotonic()
        self._messages.setdefault(chat_id, []).append(message)
        self._index[(chat_id, message.message_id)] = message
        self.stats.sent += 1
        content = message.content or message.file_name or ""
        self._delivered[(chat_id, message.kind, content)] += 1
        markup = message.reply_markup
        if markup and "keyboard" in markup:
            self._reply_keyboards[chat_id] = markup
        elif markup and markup.get("remove_keyboard"):
            self._reply_keyboards[chat_id] = None
        await self._record_event(message, "sent")

    def _reply_to(self, params: JsonDict) -> int | None:
        reply = _opt_json(params, "reply_parameters")
        if isinstance(reply, dict) and reply.get("message_id") is not None:
            with contextlib.suppress(TypeError, ValueError):
                return int(reply["message_id"])
        return _opt_int(params, "reply_to_message_id")

    def _text_and_entities(
        self, params: JsonDict, name: str, limit: int, too_long: str
    ) -> tuple[str | None, str | None, list[JsonDict]]:
        raw = _opt_str(params, name)
        if raw is None:
            return None, None, []
        entities_name = "entities" if name == "text" else "caption_entities"
        text, entities = _render(
            raw, _opt_str(params, "parse_mode"), _opt_json(params, entities_name)
        )
        if _utf16_len(text) > limit:
            raise _bad(too_long)
        return raw, text, entities

    # ---------------------------------------------------------------- Bot API methods

    async def _true(self, params: JsonDict) -> bool:
        return True

    def _store_setting(self, method: str) -> Handler:
        async def store(params: JsonDict) -> bool:
            self.bot_settings[method] = dict(params)
            return True

        return store

    async def _get_me(self, params: JsonDict) -> JsonDict:
        return {
            **self._bot_user_json(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JsonDict) -> list[JsonDict]:
        if self.webhook_url:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        self._last_poll_at = time.monotonic()
        offset = _opt_int(params, "offset")
        limit = min(max(_opt_int(params, "limit") or 100, 1), 100)
        wait = max(_opt_float(params, "timeout") or 0.0, 0.0)
        allowed = _opt_json(params, "allowed_updates")
        if offset is not None:
            if offset < 0 and self._updates:
                offset = self._updates[-1].update_id + offset + 1
            acknowledged = [
                uid for uid, handed in self._redelivery.items() if handed and uid < offset
            ]
            for uid in acknowledged:
                del self._redelivery[uid]
            advanced = offset > self._confirmed_offset
            if advanced:
                self._confirmed_offset = offset
                self._updates = [u for u in self._updates if u.update_id >= offset]
            if advanced or acknowledged:
                self._touch()  # confirmation starts the bot's work: restart the quiet clock
        if isinstance(allowed, list) and allowed:
            for queued in self._updates:
                if queued.kind not in allowed:
                    self._dropped.add(queued.update_id)
            for uid in list(self._redelivery):
                if self._history[uid].kind not in allowed:
                    del self._redelivery[uid]
            self._updates = [u for u in self._updates if u.update_id not in self._dropped]
            self._notify()

        self._poll_generation += 1
        generation = self._poll_generation

        def pending() -> list[_QueuedUpdate]:
            again = [self._history[uid] for uid in sorted(self._redelivery)]
            fresh = [u for u in self._updates if u.update_id >= self._confirmed_offset]
            return (again + fresh)[:limit]

        def ready() -> bool:
            return bool(pending()) or self._stopping or generation != self._poll_generation

        if wait > 0 and not ready():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self._wait_until(ready)
        if generation != self._poll_generation:
            raise _ApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one bot "
                "instance is running",
            )
        if self._stopping:
            return []
        answer = pending()
        for queued in answer:
            self._handed_out[queued.update_id] += 1
            if queued.update_id in self._redelivery:
                self._redelivery[queued.update_id] = True
        return [queued.json() for queued in answer]

    async def _delete_webhook(self, params: JsonDict) -> bool:
        self.webhook_url = ""
        if _opt_bool(params, "drop_pending_updates"):
            self._drop_pending()
        return True

    async def _set_webhook(self, params: JsonDict) -> bool:
        url = _opt_str(params, "url")
        if url is None:
            raise _bad("url is empty")
        self.webhook_url = url
        self.webhook_secret = _opt_str(params, "secret_token") or ""
        if _opt_bool(params, "drop_pending_updates"):
            self._drop_pending()
        return True

    def _drop_pending(self) -> None:
        self._dropped.update(u.update_id for u in self._updates)
        self._dropped.update(self._redelivery)
        self._updates.clear()
        self._redelivery.clear()
        self._notify()

    async def _get_webhook_info(self, params: JsonDict) -> JsonDict:
        pending = [u for u in self._updates if u.update_id >= self._confirmed_offset]
        pending += [self._history[uid] for uid in self._redelivery]
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(pending),
        }

    def _commands_key(self, params: JsonDict) -> tuple[str, str]:
        scope = _opt_json(params, "scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), _opt_str(params, "language_code") or ""

    async def _set_my_commands(self, params: JsonDict) -> bool:
        commands = _opt_json(params, "commands")
        if not isinstance(commands, list):
            raise _bad("commands is empty")
        for command in commands:
            if not isinstance(command, dict):
                raise _bad("BOT_COMMAND_INVALID")
            if not _COMMAND_RE.match(str(command.get("command", ""))):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        self.my_commands[self._commands_key(params)] = commands
        return True

    async def _get_my_commands(self, params: JsonDict) -> list[JsonDict]:
        return self.my_commands.get(self._commands_key(params), [])

    async def _delete_my_commands(self, params: JsonDict) -> bool:
        self.my_commands.pop(self._commands_key(params), None)
        return True

    async def _set_chat_menu_button(self, params: JsonDict) -> bool:
        chat_id = _opt_int(params, "chat_id")
        button = _opt_json(params, "menu_button") or {"type": "default"}
        self.menu_buttons[chat_id] = button
        return True

    async def _get_chat_menu_button(self, params: JsonDict) -> JsonDict:
        chat_id = _opt_int(params, "chat_id")
        return self.menu_buttons.get(chat_id) or self.menu_buttons.get(None) or {"type": "commands"}

    async def _send_message(self, params: JsonDict) -> JsonDict:
        chat_id = _chat_id(params)
        raw, text, entities = self._text_and_entities(
            params, "text", MAX_TEXT_LENGTH, "message is too long"
        )
        if raw is None or text is None or not text.strip():
            raise _bad("message text is empty")
        markup = _validate_markup(_opt_json(params, "reply_markup"))
        reply_to = self._reply_to(params)
        self._gate_send(chat_id)
        message = SentMessage(
            message_id=self._next_message_id(chat_id),
            chat_id=chat_id,
            text=text,
            reply_markup=markup,
            kind="text",
            parse_mode=_opt_str(params, "parse_mode"),
            raw_text=raw,
            entities=entities,
            date=int(time.time()),
            reply_to_message_id=reply_to,
        )
        await self._deliver(message)
        return self._message_json(message)

    async def _send_file(self, params: JsonDict, kind: Literal["photo", "document"]) -> JsonDict:
        chat_id = _chat_id(params)
        value = _resolve_attach(params, params.get(kind))
        if isinstance(value, _Upload):
            stored = self._store_file(
                value.content,
                value.file_name,
                value.content_type if kind == "document" else "image/jpeg",
                "photos" if kind == "photo" else "documents",
            )
        elif isinstance(value, str) and value in self._files:
            stored = self._files[value]
        elif isinstance(value, str) and value.startswith(("http://", "https://")):
            name = value.rstrip("/").rsplit("/", 1)[-1] or None
            stored = self._store_file(b"", name, None, "photos" if kind == "photo" else "documents")
        elif value is None or value == "":
            raise _bad(f"there is no {kind} in the request")
        else:
            raise _bad("wrong file identifier/HTTP URL specified")
        raw, caption, entities = self._text_and_entities(
            params, "caption", MAX_CAPTION_LENGTH, "message caption is too long"
        )
        markup = _validate_markup(_opt_json(params, "reply_markup"))
        reply_to = self._reply_to(params)
        self._gate_send(chat_id)
        message = SentMessage(
            message_id=self._next_message_id(chat_id),
            chat_id=chat_id,
            caption=caption or None,
            reply_markup=markup,
            kind=kind,
            file_name=stored.file_name,
            file_bytes=stored.content,
            parse_mode=_opt_str(params, "parse_mode"),
            raw_text=raw,
            entities=entities,
            file_id=stored.file_id,
            mime_type=stored.mime_type,
            date=int(time.time()),
            reply_to_message_id=reply_to,
        )
        await self._deliver(message)
        return self._message_json(message)

    async def _send_photo(self, params: JsonDict) -> JsonDict:
        return await self._send_file(params, "photo")

    async def _send_document(self, params: JsonDict) -> JsonDict:
        return await self._send_file(params, "document")

    async def _send_chat_action(self, params: JsonDict) -> bool:
        chat_id = _chat_id(params)
        if not _opt_str(params, "action"):
            raise _bad("action is empty")
        self._check_blocked(chat_id)
        return True

    def _editable(self, params: JsonDict) -> SentMessage:
        if params.get("inline_message_id"):
            raise _bad("MESSAGE_ID_INVALID")
        chat_id = _chat_id(params)
        message_id = _req_int(params, "message_id")
        message = self._index.get((chat_id, message_id))
        if message is None or message.deleted:
            user_message = self._user_messages.get((chat_id, message_id))
            if user_message is not None and not user_message.get("_deleted"):
                raise _bad("message can't be edited")
            raise _bad("message to edit not found")
        return message

    @staticmethod
    def _edit_markup(params: JsonDict) -> JsonDict | None:
        markup = _validate_markup(_opt_json(params, "reply_markup"))
        if markup is not None and "inline_keyboard" not in markup:
            raise _bad("inline keyboard expected")
        return markup

    async def _apply_edit(self, message: SentMessage) -> JsonDict:
        message.edited = True
        message.edit_date = int(time.time())
        await self._record_event(message, "edited")
        return self._message_json(message)

    async def _edit_message_text(self, params: JsonDict) -> JsonDict:
        message = self._editable(params)
        raw, text, entities = self._text_and_entities(
            params, "text", MAX_TEXT_LENGTH, "message is too long"
        )
        if raw is None or text is None or not text.strip():
            raise _bad("message text is empty")
        if message.kind != "text":
            raise _bad("there is no text in the message to edit")
        markup = self._edit_markup(params)
        if (text, entities, markup) == (message.text, message.entities, message.reply_markup):
            raise _bad(_NOT_MODIFIED)
        self._check_blocked(message.chat_id)
        message.text, message.raw_text, message.entities = text, raw, entities
        message.parse_mode = _opt_str(params, "parse_mode")
        message.reply_markup = markup
        return await self._apply_edit(message)

    async def _edit_message_caption(self, params: JsonDict) -> JsonDict:
        message = self._editable(params)
        if message.kind == "text":
            raise _bad("there is no caption in the message to edit")
        raw, caption, entities = self._text_and_entities(
            params, "caption", MAX_CAPTION_LENGTH, "message caption is too long"
        )
        caption = caption or None
        markup = self._edit_markup(params)
        if (caption, entities, markup) == (message.caption, message.entities, message.reply_markup):
            raise _bad(_NOT_MODIFIED)
        self._check_blocked(message.chat_id)
        message.caption, message.raw_text, message.entities = caption, raw, entities
        message.parse_mode = _opt_str(params, "parse_mode")
        message.reply_markup = markup
        return await self._apply_edit(message)

    async def _edit_message_reply_markup(self, params: JsonDict) -> JsonDict:
        message = self._editable(params)
        markup = self._edit_markup(params)
        if markup == message.reply_markup:
            raise _bad(_NOT_MODIFIED)
        self._check_blocked(message.chat_id)
        message.reply_markup = markup
        return await self._apply_edit(message)

    async def _delete_message(self, params: JsonDict) -> bool:
        chat_id = _chat_id(params)
        message_id = _req_int(params, "message_id")
        message = self._index.get((chat_id, message_id))
        if message is not None and not message.deleted:
            message.deleted = True
            await self._record_event(message, "deleted")
            return True
        user_message = self._user_messages.get((chat_id, message_id))
        if user_message is not None and not user_message.get("_deleted"):
            user_message["_deleted"] = True
            return True
        raise _bad("message to delete not found")

    async def _answer_callback_query(self, params: JsonDict) -> bool:
        query_id = _opt_str(params, "callback_query_id")
        if not query_id:
            raise _bad("callback_query_id is empty")
        pending = self._pending_queries.pop(query_id, None)
        if pending is None:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        user_id, chat_id, message_id = pending
        answer = CallbackAnswer(
            text=_opt_str(params, "text") or "",
            show_alert=_opt_bool(params, "show_alert"),
            url=_opt_str(params, "url"),
            message_id=message_id,
        )
        person = self._users.get(user_id)
        if person is not None:
            person._answers.append(answer)
        note = SentMessage(message_id=message_id or 0, chat_id=chat_id, text=answer.text)
        self._events.append(
            BotEvent(chat_id, "callback_answer", note, answer.text, time.monotonic())
        )
        await self._emit(chat_id, note, "callback_answer")
        return True

    def _source_message(
        self, params: JsonDict, verb: str
    ) -> tuple[SentMessage | None, JsonDict | None, int]:
        from_chat_id = _chat_id(params, "from_chat_id")
        message_id = _req_int(params, "message_id")
        bot_message = self._index.get((from_chat_id, message_id))
        if bot_message is not None and not bot_message.deleted:
            return bot_message, None, from_chat_id
        user_message = self._user_messages.get((from_chat_id, message_id))
        if user_message is not None and not user_message.get("_deleted"):
            return None, user_message, from_chat_id
        raise _bad(f"message to {verb} not found")

    def _content_from_user_message(self, source: JsonDict) -> JsonDict:
        """Turn a user's message JSON into SentMessage fields (for copy/forward)."""
        if "text" in source:
            return {"kind": "text", "text": source["text"], "entities": source.get("entities", [])}
        for kind in ("document", "photo"):
            if kind in source:
                info = source[kind][-1] if kind == "photo" else source[kind]
                stored = self._files.get(info["file_id"])
                return {
                    "kind": kind,
                    "caption": source.get("caption"),
                    "entities": source.get("caption_entities", []),
                    "file_id": info["file_id"],
                    "file_name": stored.file_name if stored else info.get("file_name"),
                    "file_bytes": stored.content if stored else None,
                    "mime_type": stored.mime_type if stored else info.get("mime_type"),
                }
        raise _bad("message can't be copied")

    def _content_from_bot_message(self, source: SentMessage) -> JsonDict:
        return {
            "kind": source.kind,
            "text": source.text,
            "caption": source.caption,
            "entities": list(source.entities),
            "file_id": source.file_id,
            "file_name": source.file_name,
            "file_bytes": source.file_bytes,
            "mime_type": source.mime_type,
            "raw_text": source.raw_text,
            "parse_mode": source.parse_mode,
        }

    async def _copy_message(self, params: JsonDict) -> JsonDict:
        chat_id = _chat_id(params)
        bot_source, user_source, _ = self._source_message(params, "copy")
        content = (
            self._content_from_bot_message(bot_source)
            if bot_source is not None
            else self._content_from_user_message(user_source or {})
        )
        if "caption" in params and content["kind"] != "text":
            raw, caption, entities = self._text_and_entities(
                params, "caption", MAX_CAPTION_LENGTH, "message caption is too long"
            )
            content.update(
                caption=caption or None,
                raw_text=raw,
                entities=entities,
                parse_mode=_opt_str(params, "parse_mode"),
            )
        markup = _validate_markup(_opt_json(params, "reply_markup"))
        self._gate_send(chat_id)
        message = SentMessage(
            message_id=self._next_message_id(chat_id),
            chat_id=chat_id,
            reply_markup=markup,
            date=int(time.time()),
            reply_to_message_id=self._reply_to(params),
            **content,
        )
        await self._deliver(message)
        return {"message_id": message.message_id}

    async def _forward_message(self, params: JsonDict) -> JsonDict:
        chat_id = _chat_id(params)
        bot_source, user_source, from_chat_id = self._source_message(params, "forward")
        now = int(time.time())
        if bot_source is not None:
            content = self._content_from_bot_message(bot_source)
            content.pop("parse_mode")
            origin: JsonDict = bot_source.forward_origin or {
                "type": "user",
                "sender_user": self._bot_user_json(),
                "date": bot_source.date,
            }
            markup = None
        else:
            source = user_source or {}
            content = self._content_from_user_message(source)
            origin = source.get("forward_origin") or {
                "type": "user",
                "sender_user": source.get("from") or self._chat_json(from_chat_id),
                "date": source.get("date", now),
            }
            markup = None
        self._gate_send(chat_id)
        message = SentMessage(
            message_id=self._next_message_id(chat_id),
            chat_id=chat_id,
            reply_markup=markup,
            date=now,
            forward_origin=origin,
            **content,
        )
        await self._deliver(message)
        return self._message_json(message)

    async def _get_file(self, params: JsonDict) -> JsonDict:
        file_id = _opt_str(params, "file_id")
        if not file_id:
            raise _bad("file_id is empty")
        stored = self._files.get(file_id)
        if stored is None:
            raise _bad("invalid file_id")
        if len(stored.content) > MAX_DOWNLOAD_BYTES:
            raise _bad("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    async def _get_chat(self, params: JsonDict) -> JsonDict:
        chat_id = _chat_id(params)
        return {
            **self._chat_json(chat_id),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    # ---------------------------------------------------------------- used by FakeUser

    def _latest_inline_message(self, chat_id: int) -> SentMessage | None:
        for message in reversed(self._messages.get(chat_id, [])):
            if not message.deleted and message.inline_buttons:
                return message
        return None

    def _latest_message(self, chat_id: int) -> SentMessage | None:
        for message in reversed(self._messages.get(chat_id, [])):
            if not message.deleted:
                return message
        return None

    def _register_query(self, user_id: int, chat_id: int, message_id: int | None) -> str:
        query_id = f"{self.bot_id}{self._next_query_id:08d}"
        self._next_query_id += 1
        self._pending_queries[query_id] = (user_id, chat_id, message_id)
        return query_id


# --------------------------------------------------------------------------------------------
# The person
# --------------------------------------------------------------------------------------------


def _match_button(buttons: Iterable[JsonDict], label: str, *, exact: bool) -> JsonDict | None:
    candidates = list(buttons)
    if exact:
        return next((b for b in candidates if _button_text(b) == label), None)
    wanted = label.casefold()
    found = [b for b in candidates if wanted in _button_text(b).casefold()]
    if len(found) > 1:
        names = ", ".join(repr(_button_text(b)) for b in found)
        raise AssertionError(f"label {label!r} matches several buttons: {names}")
    return found[0] if found else None


class FakeUser:
    """A person chatting privately with the bot.

    Every action waits until the bot settled; the ``…_nowait`` variants only queue the update
    and return its id, so a test can act as many people at once (then wait with
    :meth:`FakeBotApi.wait_for_answers`, :meth:`FakeBotApi.wait_until` or
    :meth:`FakeBotApi.settle_all`).
    """

    def __init__(
        self,
        api: FakeBotApi,
        user_id: int,
        *,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language_code: str,
    ) -> None:
        self.api = api
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.phone_number: str | None = None
        """Shared when a ``request_contact`` reply button is pressed (a default is invented)."""
        self._mark = 0
        self._answers: list[CallbackAnswer] = []

    def __repr__(self) -> str:
        return f"FakeUser(id={self.id}, first_name={self.first_name!r})"

    @property
    def chat_id(self) -> int:
        return self.id

    def to_dict(self) -> JsonDict:
        """The Telegram ``User`` object of this person."""
        data: JsonDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def chat_dict(self) -> JsonDict:
        """The Telegram ``Chat`` object of the private chat with this person."""
        data: JsonDict = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        return data

    # ---------------------------------------------------------------- actions
    #
    # Each action is built by a ``_…_action`` method (finding the button, storing the message)
    # and then either queued and settled (``send``, ``press``…) or only queued (``…_nowait``).

    def _submit(self, action: _Action) -> int:
        self._mark = len(self.api._events)
        return self.api.enqueue_update(action.kind, action.payload)

    async def _act(self, action: _Action) -> None:
        update_id = self._submit(action)
        await self.api.settle(update_id, f"{action.label} from user {self.id}")

    async def _act_message(self, action: _Action) -> int:
        await self._act(action)
        assert action.message_id is not None
        return action.message_id

    def _message_action(self, content: JsonDict, label: str) -> _Action:
        message_id = self.api._next_message_id(self.id)
        message: JsonDict = {
            "message_id": message_id,
            "from": self.to_dict(),
            "chat": self.chat_dict(),
            "date": int(time.time()),
            **content,
        }
        self.api._user_messages[(self.id, message_id)] = message
        return _Action("message", message, label, message_id)

    def _text_action(self, text: str) -> _Action:
        content: JsonDict = {"text": text}
        if text.startswith("/") and len(text) > 1:
            command = text.split(maxsplit=1)[0]
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": _utf16_len(command)}
            ]
        return self._message_action(content, f"message {_shorten(text)!r}")

    async def send(self, text: str) -> int:
        """Type ``text`` into the chat; returns the message id of the user's message."""
        return await self._act_message(self._text_action(text))

    def send_nowait(self, text: str) -> int:
        """Like :meth:`send` but only queue the update; returns its update id at once."""
        return self._submit(self._text_action(text))

    def _press_action(self, label: str) -> _Action:
        latest = self.api._latest_inline_message(self.id)
        inline = latest.inline_buttons if latest else []
        reply = _flatten_keyboard(self.api._reply_keyboards.get(self.id), "keyboard")
        for exact in (True, False):
            button = _match_button(inline, label, exact=exact)
            if button is not None and latest is not None:
                return self._inline_action(button, latest)
            button = _match_button(reply, label, exact=exact)
            if button is not None:
                return self._reply_action(button)
        raise AssertionError(
            f"no button {label!r} for user {self.id}; inline buttons: "
            f"{[_button_text(b) for b in inline]}, reply keyboard: "
            f"{[_button_text(b) for b in reply]}"
        )

    async def press(self, label: str) -> None:
        """Press a button by its label: inline buttons first, then the reply keyboard."""
        await self._act(self._press_action(label))

    def press_nowait(self, label: str) -> int:
        """Like :meth:`press` but only queue the update; returns its update id at once."""
        return self._submit(self._press_action(label))

    def _inline_action(self, button: JsonDict, message: SentMessage) -> _Action:
        label = _button_text(button)
        if "url" in button:
            raise UrlButtonError(label, str(button["url"]))
        if "callback_data" not in button:
            kind = next((a for a in _INLINE_ACTIONS if a in button), "unknown")
            raise AssertionError(f"button {label!r} is a {kind} button; the fake cannot press it")
        return self._callback_action(str(button["callback_data"]), message, f"press {label!r}")

    def _reply_action(self, button: JsonDict) -> _Action:
        if button.get("request_contact"):
            return self._contact_action(self.phone_number or f"+8490{self.id % 10_000_000:07d}")
        special = [key for key in button if key.startswith("request_") or key == "web_app"]
        if special:
            raise AssertionError(
                f"reply button {_button_text(button)!r} is a {special[0]} button; the fake "
                "cannot press it"
            )
        return self._text_action(_button_text(button))

    def _callback_action(
        self, data: str, message: SentMessage | None, label: str, message_id: int | None = None
    ) -> _Action:
        mid = message.message_id if message is not None else message_id
        payload: JsonDict = {
            "id": self.api._register_query(self.id, self.id, mid),
            "from": self.to_dict(),
            "chat_instance": str(-((self.id * 2654435761) % 10**18)),
            "data": data,
        }
        if message is not None:
            payload["message"] = self.api._message_json(message)
        elif message_id is not None:
            payload["message"] = {
                "message_id": message_id,
                "chat": self.chat_dict(),
                "date": 0,
            }
        return _Action("callback_query", payload, label)

    def _press_data_action(self, data: str, message_id: int | None) -> _Action:
        if message_id is not None:
            message = self.api._index.get((self.id, message_id))
            if message is not None and message.deleted:
                message = None
        else:
            message = self.api._latest_inline_message(self.id) or self.api._latest_message(self.id)
        return self._callback_action(data, message, f"callback data {data!r}", message_id)

    async def press_data(self, data: str, message_id: int | None = None) -> None:
        """Send a raw (possibly forged) callback query, attached to ``message_id`` if given,
        else to the latest message with an inline keyboard (or the latest message)."""
        await self._act(self._press_data_action(data, message_id))

    def press_data_nowait(self, data: str, message_id: int | None = None) -> int:
        """Like :meth:`press_data` but only queue the update; returns its update id at once."""
        return self._submit(self._press_data_action(data, message_id))

    async def send_document(
        self, file_name: str, content: bytes, caption: str | None = None
    ) -> int:
        """Upload a file; the bot can getFile and download it."""
        mime_type = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        stored = self.api._store_file(content, file_name, mime_type, "documents")
        fields: JsonDict = {
            "document": {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_name": file_name,
                "mime_type": mime_type,
                "file_size": len(content),
            }
        }
        if caption is not None:
            fields["caption"] = caption
        return await self._act_message(self._message_action(fields, f"document {file_name!r}"))

    async def send_photo(
        self, content: bytes = b"\xff\xd8\xff\xe0", caption: str | None = None
    ) -> int:
        """Send a photo as the camera or gallery button does (compressed, no file name)."""
        stored = self.api._store_file(content, None, "image/jpeg", "photos")
        size = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
        fields: JsonDict = {
            "photo": [{**size, "width": 800, "height": 600, "file_size": len(content)}]
        }
        if caption is not None:
            fields["caption"] = caption
        return await self._act_message(self._message_action(fields, "photo"))

    def _contact_action(self, phone_number: str) -> _Action:
        contact: JsonDict = {
            "phone_number": phone_number,
            "first_name": self.first_name,
            "user_id": self.id,
        }
        if self.last_name:
            contact["last_name"] = self.last_name
        return self._message_action({"contact": contact}, f"contact {phone_number!r}")

    async def send_contact(self, phone_number: str) -> int:
        """Share a phone number as a contact of this very user."""
        return await self._act_message(self._contact_action(phone_number))

    async def forward(self, text: str, from_name: str) -> int:
        """Forward a text message from someone who hides their account."""
        origin = {"type": "hidden_user", "sender_user_name": from_name, "date": int(time.time())}
        action = self._message_action(
            {"text": text, "forward_origin": origin}, f"forward {_shorten(text)!r}"
        )
        return await self._act_message(action)

    # ---------------------------------------------------------------- views

    @property
    def messages(self) -> list[SentMessage]:
        """Messages the bot sent to this chat, current state (deleted ones flagged)."""
        return self.api.messages_to(self.id)

    @property
    def last(self) -> SentMessage | None:
        """The message the bot most recently sent or edited here (not deleted)."""
        for event in reversed(self.api._events):
            if (
                event.chat_id == self.id
                and event.kind in ("sent", "edited")
                and not event.message.deleted
            ):
                return event.message
        return None

    @property
    def last_text(self) -> str:
        last = self.last
        return last.content if last is not None else ""

    @property
    def texts(self) -> list[str]:
        """Texts/captions of the live messages in this chat, in order."""
        return [m.content for m in self.messages if not m.deleted and m.content]

    @property
    def new_messages(self) -> list[SentMessage]:
        """Messages the bot sent (not edited) here since this user's last action."""
        return self.api.new_messages(self.id, self._mark)

    @property
    def new_texts(self) -> list[str]:
        """Texts sent or edited since this user's last action."""
        return [
            event.text
            for event in self.api._events[self._mark :]
            if event.chat_id == self.id and event.kind in ("sent", "edited") and event.text
        ]

    @property
    def buttons(self) -> list[str]:
        """Labels of the latest inline keyboard in this chat."""
        latest = self.api._latest_inline_message(self.id)
        return latest.buttons if latest else []

    @property
    def reply_keyboard(self) -> list[str]:
        """Labels of the current reply keyboard ([] when none or removed)."""
        markup = self.api._reply_keyboards.get(self.id)
        return [_button_text(b) for b in _flatten_keyboard(markup, "keyboard")]

    @property
    def callback_answers(self) -> list[str]:
        """Texts the bot answered this user's button presses with ("" for a silent answer)."""
        return [answer.text for answer in self._answers]

    @property
    def callback_answer_details(self) -> list[CallbackAnswer]:
        return list(self._answers)

    @property
    def documents(self) -> list[SentMessage]:
        return [m for m in self.messages if m.kind == "document" and not m.deleted]

    @property
    def photos(self) -> list[SentMessage]:
        return [m for m in self.messages if m.kind == "photo" and not m.deleted]
