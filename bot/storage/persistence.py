"""python-telegram-bot's persistence in the bot's own SQLite file.

PTB hands over conversation states and user data when it flushes; they are not written at once
but kept here per chat, and `bot.updates` writes a chat's share in the same transaction that
marks that chat's update handled (`take`). So what an update changed and the fact that it was
handled land together: after a `kill -9` an update is either handled again from the journal
with the state it found, or not at all. Data is stored as JSON, not pickle: drafts must stay
plain data, readable in the database.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from bot.storage import update_journal
from bot.storage.db import Database
from bot.storage.update_journal import StateWrites

UserData = dict[Any, Any]


class SqlitePersistence(BasePersistence[UserData, UserData, UserData]):
    def __init__(self, db: Database) -> None:
        # Writes are committed with each update; PTB's timer only hands over what jobs changed.
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=True, user_data=True, callback_data=False
            ),
            update_interval=30,
        )
        self.db = db
        self._pending: dict[int, StateWrites] = {}

    # ---------------------------------------------------------------- handing over to commits

    def _for(self, owner: int) -> StateWrites:
        return self._pending.setdefault(owner, StateWrites())

    def take(self, owners: Collection[int], *, busy: Collection[int] = ()) -> StateWrites:
        """The pending writes of `owners` (the chat and user of the update being committed) and
        of every chat not busy with an update of its own (what a job or another person's
        action changed), removed from the buffer."""
        taken = StateWrites()
        for owner in list(self._pending):
            if owner in owners or owner not in busy:
                taken.merge(self._pending.pop(owner))
        return taken

    async def flush(self) -> None:
        """On stop: everything still pending."""
        await update_journal.write_state(self.db, self.take((), busy=()))

    # ---------------------------------------------------------------- PTB's interface

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
        # Keys are (chat_id, user_id): the chat owns the write.
        owner = int(key[0])
        encoded = None if new_state is None else json.dumps(new_state)
        self._for(owner).conversations[(name, json.dumps(list(key)))] = encoded

    async def update_user_data(self, user_id: int, data: UserData) -> None:
        self._for(user_id).user_data[user_id] = json.dumps(data, ensure_ascii=False)

    async def update_chat_data(self, chat_id: int, data: UserData) -> None:
        self._for(chat_id).chat_data[chat_id] = json.dumps(data, ensure_ascii=False)

    async def update_bot_data(self, data: UserData) -> None:
        return None

    async def update_callback_data(self, data: CDCData) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        self._for(chat_id).chat_data[chat_id] = None

    async def drop_user_data(self, user_id: int) -> None:
        self._for(user_id).user_data[user_id] = None

    async def refresh_user_data(self, user_id: int, user_data: UserData) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: UserData) -> None:
        return None

    async def refresh_bot_data(self, bot_data: UserData) -> None:
        return None
