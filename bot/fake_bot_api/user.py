"""The person a test acts as: sends text, files and contacts, presses buttons, reads answers.

:class:`FakeUser` turns each action into the update Telegram would send and waits for the
bot to settle (or only queues it, for many people at once).
"""

from __future__ import annotations

import mimetypes
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.fake_bot_api.formatting import _utf16_len
from bot.fake_bot_api.params import _shorten
from bot.fake_bot_api.records import (
    _INLINE_ACTIONS,
    CallbackAnswer,
    JsonDict,
    SentMessage,
    UrlButtonError,
    _button_text,
    _flatten_keyboard,
)

if TYPE_CHECKING:
    from bot.fake_bot_api.server import FakeBotApi


@dataclass(frozen=True)
class _Action:
    """An update a fake user is about to cause, built before it is queued."""

    kind: str
    payload: JsonDict
    label: str
    message_id: int | None = None


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
