"""What one fake remembers, set up in one place, and the signal that it changed.

Every feature mixin of :class:`~bot.fake_bot_api.FakeBotApi` builds on this base: the
constructor makes all the state (so one place shows what a fake holds), and waiters sleep on
the "something changed" event that requests, updates and confirmations set.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from aiohttp import web

from bot.fake_bot_api.records import (
    ApiCall,
    BotEvent,
    BotEventCallback,
    FakeStats,
    Handler,
    IdleHook,
    JsonDict,
    SentMessage,
    StoredFile,
    TelegramLimits,
    _QueuedUpdate,
)

if TYPE_CHECKING:
    from bot.fake_bot_api.user import FakeUser


class _FakeState:
    """The state every feature reads and writes, and the change signal."""

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

        self._methods: dict[str, Handler] = self._method_table()

    def _method_table(self) -> dict[str, Handler]:
        """The Bot API methods answered, by lower-case name (the whole class lists them)."""
        raise NotImplementedError

    def _notify(self) -> None:
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    def _touch(self) -> None:
        self._last_activity = time.monotonic()
        self._notify()

    async def _wait_until(self, predicate: Callable[[], bool]) -> None:
        while not predicate():
            await self._changed.wait()
