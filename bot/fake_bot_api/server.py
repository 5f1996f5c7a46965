"""The fake's HTTP server: its lifecycle, the routes and the dispatch of Bot API methods.

:class:`FakeBotApi` is put together here from the feature mixins (the three named bring the
others they build on); this module adds what every request goes through (token check,
parameters, counters, latency), the table of the methods answered and the fake users.
"""

from __future__ import annotations

import asyncio
import json
import time
from types import TracebackType
from typing import Self

from aiohttp import web

from bot.fake_bot_api.callbacks import _CallbacksMixin
from bot.fake_bot_api.editing import _EditingMixin
from bot.fake_bot_api.params import _ApiError, _bad, _summarize
from bot.fake_bot_api.records import MAX_UPLOAD_BYTES, ApiCall, Handler, JsonDict, _Upload
from bot.fake_bot_api.user import FakeUser
from bot.fake_bot_api.waiting import _WaitingMixin


class FakeBotApi(_WaitingMixin, _EditingMixin, _CallbacksMixin):
    """An in-process HTTP server speaking the Telegram Bot API, plus a person-like test client.

    One instance serves any token. Updates are shared by all tokens (one bot per fake).
    ``latency`` (seconds, settable at any time) delays every Bot API answer and file download,
    like the network between a bot and api.telegram.org; a long poll is delayed once, after its
    wait.
    """

    def _method_table(self) -> dict[str, Handler]:
        """The Bot API methods answered, by lower-case name."""
        return {
            "getme": self._get_me,
            "getupdates": self._get_updates,
            "deletewebhook": self._delete_webhook,
            "setwebhook": self._set_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "setchatmenubutton": self._set_chat_menu_button,
            "getchatmenubutton": self._get_chat_menu_button,
            "setmydescription": self._store_setting("setMyDescription"),
            "setmyshortdescription": self._store_setting("setMyShortDescription"),
            "setmyname": self._store_setting("setMyName"),
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "editmessagecaption": self._edit_message_caption,
            "deletemessage": self._delete_message,
            "answercallbackquery": self._answer_callback_query,
            "sendphoto": self._send_photo,
            "senddocument": self._send_document,
            "sendchataction": self._send_chat_action,
            "copymessage": self._copy_message,
            "forwardmessage": self._forward_message,
            "getfile": self._get_file,
            "getchat": self._get_chat,
            "close": self._true,
            "logout": self._true,
        }

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on ``host:port`` (port 0 picks a free one)."""
        if self._runner is not None:
            raise RuntimeError("FakeBotApi is already running")
        self._stopping = False
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        address = runner.addresses[0]
        self._port = int(address[1])
        self._host = "127.0.0.1" if host in ("", "0.0.0.0") else host

    async def stop(self) -> None:
        """Release pending long polls and shut the server down."""
        self._stopping = True
        self._notify()
        for push in list(self._pushes):
            push.cancel()
        runner, self._runner = self._runner, None
        if runner is not None:
            await asyncio.sleep(0)  # let released long polls answer before closing sockets
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeBotApi is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url``: the token is appended directly."""
        return f"http://{self._host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url``."""
        return f"http://{self._host}:{self.port}/file/bot"

    def user(
        self,
        user_id: int,
        *,
        first_name: str = "Người dùng",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str = "vi",
    ) -> FakeUser:
        """The person with this id (created on first use; the same object afterwards)."""
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        created = FakeUser(
            self,
            user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        self._users[user_id] = created
        return created

    @property
    def users(self) -> dict[int, FakeUser]:
        return dict(self._users)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith("/file/bot"):
            return await self._handle_file(path.removeprefix("/file/bot"))
        if path.startswith("/bot"):
            token, sep, method = path.removeprefix("/bot").partition("/")
            if sep and token and method and "/" not in method:
                return await self._handle_method(request, token, method)
        return web.json_response(
            {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
        )

    async def _handle_method(self, request: web.Request, token: str, method: str) -> web.Response:
        if self.accepted_tokens is not None and token not in self.accepted_tokens:
            self.requests.append(ApiCall(method, {}, 401, time.time()))
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        self.tokens_seen.add(token)
        self.token = token
        name = method.lower()
        is_poll = name == "getupdates"
        if is_poll:
            self.stats.polls_started += 1
        else:
            self._in_flight += 1
            self._touch()
        params: JsonDict = {}
        try:
            try:
                params = await self._read_params(request)
                handler = self._methods.get(name)
                if handler is None:
                    raise _ApiError(404, "Not Found")
                result = await handler(params)
                status, payload = 200, {"ok": True, "result": result}
            except _ApiError as err:
                status, payload = err.code, err.payload()
                if err.code == 400:
                    self.stats.bad_requests += 1
            self.stats.calls[method] += 1
            self.requests.append(ApiCall(method, params, status, time.time()))
            if not is_poll:
                self._last_request = _summarize(method, params) + f" -> {status}"
                self._last_request_at = time.monotonic()
            await self._delay()
            return web.json_response(payload, status=status)
        finally:
            if not is_poll:
                self._in_flight -= 1
                self._touch()

    async def _read_params(self, request: web.Request) -> JsonDict:
        params: JsonDict = dict(request.query)
        if request.method != "POST" or not request.body_exists:
            return params
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except json.JSONDecodeError:
                raise _bad("can't parse JSON body") from None
            if not isinstance(body, dict):
                raise _bad("JSON body must be an object")
            params.update(body)
            return params
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                params[key] = _Upload(value.filename, value.file.read(), value.content_type)
            elif isinstance(value, bytes | bytearray):
                params[key] = bytes(value).decode("utf-8", errors="replace")
            else:
                params[key] = value
        return params
