"""The webhook server: Telegram's updates on `/telegram`, and `/healthz` for the operators.

Why not PTB's own (`Updater.start_webhook`): its tornado server serves Telegram's path and
nothing else, and adding a route means reaching into its private attributes. PTB documents the
other way, its "custom webhook bot" example: run a web server of one's own and put each update
in `Application.update_queue`. This is that, on aiohttp (already a dependency), and it does what
PTB's handler does: JSON only, the secret token checked (403 otherwise), the update decoded and
put in the queue before the answer; the queue (`DurableUpdateQueue`) returns once the update is
in the journal, so Telegram's 200 still means "written down". An error while writing answers
500, and Telegram sends the update again.

`GET /healthz` answers 200 `{"database": "ok", "backlog": N}` (N: outbox rows the deliverer has
still to send) when the database answers within `HEALTH_TIMEOUT`, else 503
`{"database": "unreachable"}`.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import sqlite3
from http import HTTPStatus
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application, ExtBot

from bot.storage import health
from bot.storage.db import Database

_log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/healthz"
HEALTH_TIMEOUT = 5.0
"""Seconds the database may take to answer /healthz before it counts as unreachable."""


async def database_health(db: Database) -> tuple[int, dict[str, Any]]:
    """The status and body of `/healthz`."""
    try:
        backlog = await asyncio.wait_for(health.outbox_backlog(db), HEALTH_TIMEOUT)
    except (sqlite3.Error, RuntimeError, ValueError, OSError, TimeoutError) as error:
        # sqlite3.Error: I/O or damage; RuntimeError/ValueError: the connection is closed
        _log.warning("Health check: the database does not answer: %r", error)
        return HTTPStatus.SERVICE_UNAVAILABLE, {"database": "unreachable"}
    return HTTPStatus.OK, {"database": "ok", "backlog": backlog}


class WebhookServer:
    """Serves `/<path>` for Telegram and `/healthz` on `listen:port` until :meth:`stop`."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        db: Database,
        *,
        listen: str,
        port: int,
        path: str,
        secret: str,
    ) -> None:
        self._application = application
        self._db = db
        self._listen = listen
        self._port = port
        self._path = "/" + path.strip("/")
        self._secret = secret
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post(self._path, self._telegram)
        app.router.add_post(self._path + "/", self._telegram)
        app.router.add_get(HEALTH_PATH, self._healthz)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=5.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, self._listen, self._port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _telegram(self, request: web.Request) -> web.Response:
        if request.content_type != "application/json":
            return web.Response(status=HTTPStatus.FORBIDDEN)
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self._secret.encode()):
            _log.debug("A webhook request without the right secret token")
            return web.Response(status=HTTPStatus.FORBIDDEN)
        try:
            data = await request.json()
            bot = self._application.bot
            update = Update.de_json(data, bot)
        except (ValueError, TypeError, KeyError, AttributeError):  # JSON, or not an update
            _log.warning("Telegram posted something that is not an update; not processed")
            return web.Response(status=HTTPStatus.BAD_REQUEST)
        if isinstance(bot, ExtBot):
            bot.insert_callback_data(update)
        await self._application.update_queue.put(update)  # in the journal once this returns
        return web.Response(status=HTTPStatus.OK)

    async def _healthz(self, _: web.Request) -> web.Response:
        status, body = await database_health(self._db)
        return web.json_response(body, status=status)
