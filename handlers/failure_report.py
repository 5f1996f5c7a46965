"""What an operator and the log are told of a failure: a *summary*, never the raw traceback.

A traceback's exception message and its frames' values can hold what a person typed (a name, a
phone number in `ValueError("invalid literal … '0912345678'")`). The summary (`summarize`)
keeps the exception's type, the frames as file:line:function, and its message with the
update's texts and the drafts' answers removed and long digit runs masked (`redact`);
`render` words it in one Telegram message. The same error repeated within `REPEAT_WINDOW` is
posted once (`Repeats`); the next post after the window says how many there were, so an
outage does not flood the operators' chat.

Nothing here sends or stores anything: `handlers.errors` is the handler that does.
"""

from __future__ import annotations

import re
import traceback
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import ConversationHandler

from bot.config import PROJECT_ROOT
from bot.i18n import Translator
from handlers.common import BotContext, command_or_menu

REPEAT_WINDOW = timedelta(minutes=10)
TELEGRAM_LIMIT = 4096
"""Telegram's longest message, in UTF-16 code units."""
MESSAGE_LIMIT = 800
"""Characters of an exception's message kept: room is left for the frames."""
CAUSES_LIMIT = 3

REMOVED = "‹…›"
MASKED = "‹#›"
# Six digits or more, possibly grouped as people type phone numbers: "0912 345 678", "+84…".
_DIGITS = re.compile(r"\+?\d(?:[ .\-]?\d){5,}")
_IDENTIFIER = re.compile(r"[a-z_]+")
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_CALLBACK_PREFIX = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,31}")
# Modules every flow goes through: the failing flow's own callback is named instead.
_PLUMBING = frozenset({"handlers/errors.py", "handlers/common.py", "handlers/dialogs.py"})
_MESSAGE_CONTENT = (
    "contact",
    "photo",
    "document",
    "sticker",
    "voice",
    "video",
    "video_note",
    "audio",
    "animation",
    "location",
    "venue",
    "poll",
    "dice",
)


# ---------------------------------------------------------------- what failed, redacted


@dataclass(frozen=True)
class Failure:
    """One error as an operator may read it: nothing a person typed is left in it."""

    flow: str
    """The dialog or conversation the person was in, else the handler's callback, else "—"."""
    kind: str
    """"message /member", "message (text)", "callback_query member", "—"."""
    user_id: int | None
    update_id: int | None
    job: str | None
    error: str
    """"ValueError: invalid literal … '‹…›'"."""
    frames: tuple[str, ...]
    """file:line:function, outermost first."""
    causes: tuple[tuple[str, str], ...] = ()
    """What it came from (`raise … from`, or raised while handling): the line and where."""
    key: tuple[str, str] = ("", "")
    """The exception's type and where it was raised: what makes two errors the same."""


@dataclass(frozen=True)
class Frame:
    path: str
    line: int
    function: str
    ours: bool

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.function}"


def summarize(error: BaseException, update: object, context: BotContext | None) -> Failure:
    """The redacted account of `error` raised while handling `update` (or a job)."""
    user_data = context.user_data if context is not None else None
    secrets = [*update_texts(update), *draft_texts(user_data)]
    frames = frames_of(error)
    ours = [frame for frame in frames if frame.ours]
    where = (ours or frames)[-1] if frames else None
    job = context.job if context is not None else None
    user_id: int | None = None
    if isinstance(update, Update) and update.effective_user is not None:
        user_id = update.effective_user.id
    elif job is not None:
        user_id = job.user_id or job.chat_id
    causes = []
    for cause in _causes(error):
        at = frames_of(cause)
        causes.append((exception_line(cause, secrets), str(at[-1]) if at else "?"))
    return Failure(
        flow=flow_of(update, context, frames),
        kind=update_kind(update),
        user_id=user_id,
        update_id=update.update_id if isinstance(update, Update) else None,
        job=(job.name or "?") if job is not None else None,
        error=exception_line(error, secrets),
        frames=tuple(str(frame) for frame in frames),
        causes=tuple(causes),
        key=(type_name(error), str(where) if where else "?"),
    )


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` without any of `secrets` (as typed, tidied, or as `repr` shows them), and with
    every run of six digits or more masked."""
    forms: set[str] = set()
    for secret in secrets:
        for variant in _variants(secret):
            if variant.strip():
                forms.add(variant)
    for form in sorted(forms, key=len, reverse=True):
        pattern = re.escape(form)
        if len(form) < 3:  # a one- or two-letter answer only as a word of its own
            pattern = rf"(?<!\w){pattern}(?!\w)"
        text = re.sub(pattern, REMOVED, text, flags=re.IGNORECASE)
    return _DIGITS.sub(MASKED, text)


def _variants(secret: str) -> Iterator[str]:
    for form in {secret, *(unicodedata.normalize(nf, secret) for nf in ("NFC", "NFD"))}:
        yield form
        yield form.strip()
        yield " ".join(form.split())
        yield repr(form)[1:-1]
        yield ascii(form)[1:-1]
        lines = form.splitlines()
        if len(lines) > 1:
            yield from (line.strip() for line in lines if len(line.strip()) >= 3)


def exception_line(error: BaseException, secrets: Iterable[str]) -> str:
    """ "ValueError: invalid literal for int() … '‹…›'": type and redacted message, one line."""
    message = " ".join(redact(str(error), secrets).split())
    if len(message) > MESSAGE_LIMIT:
        message = message[: MESSAGE_LIMIT - 1] + "…"
    name = type_name(error)
    return f"{name}: {message}" if message else name


def type_name(error: BaseException) -> str:
    """The exception's class, with its module unless it is a builtin: never its message."""
    kind = type(error)
    if kind.__module__ in ("builtins", "__main__"):
        return kind.__qualname__
    return f"{kind.__module__}.{kind.__qualname__}"


def _causes(error: BaseException) -> Iterator[BaseException]:
    seen = {id(error)}
    current: BaseException | None = error
    for _ in range(CAUSES_LIMIT):
        assert current is not None
        nxt = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
        if nxt is None or id(nxt) in seen:
            return
        seen.add(id(nxt))
        yield nxt
        current = nxt


def frames_of(error: BaseException) -> list[Frame]:
    """Where the error went, outermost first: only file, line and function, never values."""
    found = []
    for frame, line in traceback.walk_tb(error.__traceback__):
        path, ours = _short_path(frame.f_code.co_filename)
        found.append(Frame(path, line, frame.f_code.co_qualname, ours))
    return found


def _short_path(filename: str) -> tuple[str, bool]:
    """The project's files relative to it, libraries from their package on (the project's
    own too, when it is installed from its wheel)."""
    path = filename.replace("\\", "/")
    if "/site-packages/" in path:
        inside = path.split("/site-packages/", 1)[1]
        return inside, inside.startswith(("bot/", "handlers/"))
    root = PROJECT_ROOT.as_posix().rstrip("/") + "/"
    if path.startswith(root):
        return path.removeprefix(root), True
    parts = path.split("/")
    return "/".join(parts[-2:]), False


def update_texts(update: object) -> list[str]:
    """What a person typed or shared in this update: removed from whatever is reported."""
    if not isinstance(update, Update):
        return []
    found: list[str] = []
    if update.callback_query is not None:
        found.append(update.callback_query.data or "")
    message = update.effective_message
    if message is not None:
        found += [message.text or "", message.caption or ""]
        if message.contact is not None:
            contact = message.contact
            found += [contact.phone_number, contact.first_name, contact.last_name or ""]
    if update.inline_query is not None:
        found.append(update.inline_query.query)
    return [text for text in found if text]


def draft_texts(user_data: object, depth: int = 0) -> list[str]:
    """Answers typed earlier, kept in the drafts: a save that fails may quote them. Internal
    names ("member", "full_name") stay, so a KeyError still reads."""
    if depth > 6:
        return []
    if isinstance(user_data, str):
        keep = len(user_data) >= 3 and not _IDENTIFIER.fullmatch(user_data)
        return [user_data] if keep else []
    values: Iterable[Any]
    if isinstance(user_data, dict):
        values = user_data.values()
    elif isinstance(user_data, (list, tuple)):
        values = user_data
    else:
        return []
    return [text for value in values for text in draft_texts(value, depth + 1)]


def update_kind(update: object) -> str:
    """The kind of update and, for a message, its command or content; never its text."""
    if not isinstance(update, Update):
        return "—"
    kind = next((name for name in Update.ALL_TYPES if getattr(update, name, None)), "?")
    query = update.callback_query
    if query is not None:
        prefix = (query.data or "").split(":", 1)[0]
        return f"{kind} {prefix if _CALLBACK_PREFIX.fullmatch(prefix) else '?'}"
    message = update.effective_message
    if message is None:
        return kind
    if message.text:
        command = command_or_menu(update)
        if command is None:
            return f"{kind} (text)"
        if not _COMMAND.fullmatch(command):
            command = "?"
        command = _DIGITS.sub(MASKED, command)
        if message.text.lstrip().startswith("/"):
            return f"{kind} /{command}"
        return f"{kind} (menu {command})"
    content = next((name for name in _MESSAGE_CONTENT if getattr(message, name, None)), "other")
    return f"{kind} ({content})"


def flow_of(update: object, context: BotContext | None, frames: list[Frame]) -> str:
    """The dialog on screen, the conversations the person is in, else the handler that
    failed, else "—"."""
    names: list[str] = []
    user_data = context.user_data if context is not None else None
    screen = user_data.get("screen") if isinstance(user_data, dict) else None
    stack = screen.get("stack") if isinstance(screen, dict) else None
    if isinstance(stack, list) and stack and isinstance(stack[-1], dict):
        names.append(str(stack[-1].get("dialog", "?")))
    if context is not None and isinstance(update, Update):
        names += _conversations_of(update, context)
    if not names:
        ours = [f for f in frames if f.ours and f.path.startswith("handlers/")]
        flows = [f for f in ours if f.path not in _PLUMBING] or ours
        if flows:
            module = flows[0].path.removeprefix("handlers/").removesuffix(".py")
            names.append(f"{module}.{flows[0].function}")
    return ", ".join(dict.fromkeys(names)) or "—"


def _conversations_of(update: Update, context: BotContext) -> list[str]:
    """The PTB conversations with a state for this update's person and chat. PTB has no public
    reader of a conversation's state; if its private dict ever moves, this finds none."""
    found = []
    for group in context.application.handlers.values():
        for handler in group:
            if not isinstance(handler, ConversationHandler) or not handler.name:
                continue
            key: list[int | str] = []
            if handler.per_chat:
                if update.effective_chat is None:
                    continue
                key.append(update.effective_chat.id)
            if handler.per_user:
                if update.effective_user is None:
                    continue
                key.append(update.effective_user.id)
            if handler.per_message:
                continue
            states = getattr(handler, "_conversations", None)
            if isinstance(states, dict) and tuple(key) in states:
                found.append(handler.name)
    return found


# ---------------------------------------------------------------- repeats


@dataclass
class _Seen:
    posted_at: datetime
    unposted: int = 0


@dataclass(frozen=True)
class Verdict:
    post: bool
    count: int = 0
    """Occurrences since `since` (the last post), this one included; 0: nothing held back."""
    since: datetime | None = None


@dataclass
class Repeats:
    """The same error (type and place) within `window` of its last post is counted, not
    posted; kept in memory only, and small."""

    window: timedelta = REPEAT_WINDOW
    limit: int = 256
    _seen: dict[tuple[str, str], _Seen] = field(default_factory=dict)

    def note(self, key: tuple[str, str], now: datetime) -> Verdict:
        seen = self._seen.get(key)
        if seen is not None and now - seen.posted_at < self.window:
            seen.unposted += 1
            return Verdict(post=False)
        self._seen[key] = _Seen(posted_at=now)
        if len(self._seen) > self.limit:
            oldest = min(self._seen, key=lambda k: self._seen[k].posted_at)
            del self._seen[oldest]
        if seen is None or not seen.unposted:
            return Verdict(post=True)
        return Verdict(post=True, count=seen.unposted + 1, since=seen.posted_at)


# ---------------------------------------------------------------- the text


def render(
    t: Translator, failure: Failure, verdict: Verdict | None = None, tz: ZoneInfo | None = None
) -> str:
    """The summary in `t`'s language, cut to fit one Telegram message: the frames nearest the
    error are kept, the outermost left out first."""
    head = [t.gettext("⚠️ Unexpected error")]
    if failure.job is not None:
        head.append(t.gettext("Job: {name}").format(name=failure.job))
    else:
        head.append(t.gettext("Flow: {flow}").format(flow=failure.flow))
        head.append(
            t.gettext("Update {update_id}: {kind}").format(
                update_id=failure.update_id if failure.update_id is not None else "—",
                kind=failure.kind,
            )
        )
    head.append(
        t.gettext("User: {user}").format(
            user=failure.user_id if failure.user_id is not None else "—"
        )
    )
    head.append(t.gettext("Error: {error}").format(error=failure.error))
    tail = []
    for line, where in failure.causes:
        tail.append(t.gettext("Caused by: {error} at {where}").format(error=line, where=where))
    if verdict is not None and verdict.count and verdict.since is not None:
        since = t.datetime(verdict.since, tz) if tz is not None else verdict.since.isoformat()
        tail.append(t.gettext("(× {count} since {time})").format(count=verdict.count, time=since))
    frames = list(failure.frames)
    left_out = 0
    while True:
        trace = [t.gettext("Traceback, innermost last:")] if failure.frames else []
        if left_out:
            trace.append(t.gettext("… {count} frames left out …").format(count=left_out))
        text = "\n".join([*head, *trace, *frames, *tail])
        if _utf16_len(text) <= TELEGRAM_LIMIT or not frames:
            break
        frames.pop(0)
        left_out += 1
    if _utf16_len(text) > TELEGRAM_LIMIT:  # a head too long on its own
        text = text[: TELEGRAM_LIMIT - 1]
        while _utf16_len(text) > TELEGRAM_LIMIT - 1:
            text = text[:-1]
        text += "…"
    return text


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
