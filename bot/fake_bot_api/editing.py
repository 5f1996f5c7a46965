"""The bot changing its messages: editMessageText, editMessageCaption, its markup, deleting.

Edits apply in place to the message the history keeps, with Telegram's errors for a message
that is missing, not the bot's, or not modified.
"""

from __future__ import annotations

import time

from bot.fake_bot_api.params import _bad, _chat_id, _opt_json, _opt_str, _req_int, _validate_markup
from bot.fake_bot_api.records import MAX_CAPTION_LENGTH, MAX_TEXT_LENGTH, JsonDict, SentMessage
from bot.fake_bot_api.sending import _SendingMixin

_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


class _EditingMixin(_SendingMixin):
    """editMessage… and deleteMessage."""

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
