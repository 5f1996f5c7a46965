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

The package holds one module per feature. :class:`FakeBotApi` (``server.py``) is put together
from one mixin class per feature; each mixin subclasses the mixins whose methods it calls, down
to ``state.py``, so every call between features is checked by the type checker:

* ``records.py``: the public records (``SentMessage``, ``TelegramLimits``…), size limits;
* ``params.py``: reading a request's parameters and checking reply markup (Telegram's 400s);
* ``formatting.py``: ``parse_mode="HTML"`` rendered into text and entities;
* ``state.py``: everything one fake remembers, and the "something changed" signal;
* ``server.py``: the HTTP server, its lifecycle and the dispatch of Bot API methods;
* ``updates.py``: the update queue, getUpdates, the webhook and redelivery;
* ``waiting.py``: waiting for the bot to settle, go idle or answer (``settle``, ``wait_until``);
* ``history.py``: what the bot put into the chats, its events and their subscribers;
* ``sending.py``: sendMessage, sendPhoto, sendDocument, sendChatAction, copy and forward;
* ``editing.py``: editing and deleting messages;
* ``files.py``: the stored files, getFile and downloads;
* ``callbacks.py``: button presses' callback queries and their answers;
* ``profile.py``: getMe, getChat, commands, menu buttons and the bot's names;
* ``limits.py``: rate limits (429), blocked users (403) and latency;
* ``user.py``: :class:`FakeUser`, the person a test acts as.
"""

from __future__ import annotations

from bot.fake_bot_api.records import (
    ApiCall,
    BotEvent,
    BotEventCallback,
    CallbackAnswer,
    EventKind,
    FakeStats,
    IdleHook,
    MessageKind,
    SentMessage,
    StoredFile,
    TelegramLimits,
    UrlButtonError,
)
from bot.fake_bot_api.server import FakeBotApi
from bot.fake_bot_api.user import FakeUser

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
