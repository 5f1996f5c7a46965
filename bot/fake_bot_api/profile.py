"""Who the bot and the chats are: getMe, getChat, commands, menu buttons, names.

The bot's self-description methods store what they are given, for tests to read back.
"""

from __future__ import annotations

import json
import re

from bot.fake_bot_api.params import _bad, _chat_id, _opt_int, _opt_json, _opt_str
from bot.fake_bot_api.records import Handler, JsonDict
from bot.fake_bot_api.state import _FakeState

_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


class _ProfileMixin(_FakeState):
    """The bot's and the chats' descriptions, and the bot's settings."""

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
