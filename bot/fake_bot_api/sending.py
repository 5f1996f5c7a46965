"""The bot sending messages: sendMessage, sendPhoto, sendDocument, copyMessage, forwardMessage.

Each send is checked (text, markup), passes the rate-limit and block gate, then is
delivered into the chat's history; sendChatAction only checks the block.
"""

from __future__ import annotations

import contextlib
import time
from typing import Literal

from bot.fake_bot_api.formatting import _render, _utf16_len
from bot.fake_bot_api.history import _HistoryMixin
from bot.fake_bot_api.params import (
    _bad,
    _chat_id,
    _opt_int,
    _opt_json,
    _opt_str,
    _req_int,
    _resolve_attach,
    _validate_markup,
)
from bot.fake_bot_api.records import (
    MAX_CAPTION_LENGTH,
    MAX_TEXT_LENGTH,
    JsonDict,
    SentMessage,
    _Upload,
)


class _SendingMixin(_HistoryMixin):
    """The Bot API methods that put a new message into a chat."""

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
