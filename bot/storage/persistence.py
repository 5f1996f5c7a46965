"""python-telegram-bot's persistence in the bot's own SQLite file.

Conversation states and user drafts are written after every update (see
`PersistingUpdateProcessor` in `bot.app`), so a `kill -9` loses nothing a user typed.
Data is stored as JSON, not pickle: drafts must stay plain data, readable in the database.
"""

from __future__ import annotations

import json
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from bot.storage.db import Database

UserData = dict[Any, Any]


class SqlitePersistence(BasePersistence[UserData, UserData, UserData]):
    def __init__(self, db: Database) -> None:
        # Flushing happens after every update; the timer is only a safety net.
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=True, user_data=True, callback_data=False
            ),
            update_interval=30,
        )
        self.db = db

    async def get_user_data(self) -> dict[int, UserData]:
        rows = await self.db.fetchall("SELECT user_id, data FROM ptb_user_data")
        return {int(row["user_id"]): json.loads(row["data"]) for row in rows}

    async def get_chat_data(self) -> dict[int, UserData]:
        rows = await self.db.fetchall("SELECT chat_id, data FROM ptb_chat_data")
        return {int(row["chat_id"]): json.loads(row["data"]) for row in rows}

    async def get_bot_data(self) -> UserData:
        return {}

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        rows = await self.db.fetchall(
            "SELECT key, state FROM ptb_conversation WHERE name = ?", (name,)
        )
        return {tuple(json.loads(row["key"])): json.loads(row["state"]) for row in rows}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        encoded_key = json.dumps(list(key))
        if new_state is None:
            await self.db.execute(
                "DELETE FROM ptb_conversation WHERE name = ? AND key = ?", (name, encoded_key)
            )
        else:
            await self.db.execute(
                "INSERT INTO ptb_conversation (name, key, state) VALUES (?, ?, ?) "
                "ON CONFLICT (name, key) DO UPDATE SET state = excluded.state",
                (name, encoded_key, json.dumps(new_state)),
            )

    async def update_user_data(self, user_id: int, data: UserData) -> None:
        await self.db.execute(
            "INSERT INTO ptb_user_data (user_id, data) VALUES (?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET data = excluded.data",
            (user_id, json.dumps(data, ensure_ascii=False)),
        )

    async def update_chat_data(self, chat_id: int, data: UserData) -> None:
        await self.db.execute(
            "INSERT INTO ptb_chat_data (chat_id, data) VALUES (?, ?) "
            "ON CONFLICT (chat_id) DO UPDATE SET data = excluded.data",
            (chat_id, json.dumps(data, ensure_ascii=False)),
        )

    async def update_bot_data(self, data: UserData) -> None:
        return None

    async def update_callback_data(self, data: CDCData) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        await self.db.execute("DELETE FROM ptb_chat_data WHERE chat_id = ?", (chat_id,))

    async def drop_user_data(self, user_id: int) -> None:
        await self.db.execute("DELETE FROM ptb_user_data WHERE user_id = ?", (user_id,))

    async def refresh_user_data(self, user_id: int, user_data: UserData) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: UserData) -> None:
        return None

    async def refresh_bot_data(self, bot_data: UserData) -> None:
        return None

    async def flush(self) -> None:
        return None
