"""The files the fake knows: their store, getFile and the downloads.

A file the bot uploads or a fake user sends gets an id and a path; the bot can getFile it
and download it from ``base_file_url`` as from Telegram's file server.
"""

from __future__ import annotations

import mimetypes
import re
import time

from aiohttp import web

from bot.fake_bot_api.limits import _LimitsMixin
from bot.fake_bot_api.params import _bad, _opt_str
from bot.fake_bot_api.records import (
    MAX_DOWNLOAD_BYTES,
    JsonDict,
    MessageKind,
    SentMessage,
    StoredFile,
)


def _safe_suffix(file_name: str | None) -> str:
    if not file_name or "." not in file_name:
        return ""
    suffix = "." + file_name.rsplit(".", 1)[1]
    return suffix if re.fullmatch(r"\.[A-Za-z0-9]{1,8}", suffix) else ""


class _FilesMixin(_LimitsMixin):
    """The file store, getFile and downloads from ``base_file_url``."""

    def file(self, file_id: str) -> StoredFile | None:
        return self._files.get(file_id)

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
