"""`khuyenhoc shell`: the complete bot in a terminal, no Telegram and no token.

The real python-telegram-bot `Application` polls a local fake Bot API (`bot.fake_bot_api`);
what the bot sends is printed, inline buttons as a numbered list (type the number to press),
the menu keyboard as labels you can type.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from typing import TextIO

from bot.app import OFFLINE_TOKEN, BotApplication, open_database, serve
from bot.config import Settings
from bot.fake_bot_api import FakeBotApi, SentMessage
from bot.i18n import translator
from bot.numbers import parse_number
from bot.services import hierarchy, invites
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import Level, Role, Unit, UnitKind
from handlers.common import unit_in_sentence

DEFAULT_USER = 1001
DEMO_ADMIN, DEMO_CHAIR = 1, 2


async def seed_demo(db: Database) -> Unit | None:
    """On a database nobody uses yet: a province admin, a commune chair and three branches,
    so registration can be tried end to end (`:as 2` approves). The commune is the first one
    registration offers (on today's map the first of the province's communes and wards; on a
    map with districts, the first of the first district), so pressing the first button at
    each step reaches it. Returns it if it seeded."""
    row = await db.fetchone("SELECT count(*) FROM role_grant")
    if row is None or row[0] > 0:
        return None
    province = await unit_store.root(db)
    if province is None or not province.in_force:
        return None
    commune = province
    while commune.level is not Level.COMMUNE:
        below = await unit_store.children(db, commune.id, limit=1)
        if not below or below[0].level is Level.BRANCH:
            return None
        commune = below[0]
    for name in ("Thôn Đông", "Thôn Tây", "Thôn Nam"):
        if not await unit_store.children(db, commune.id, query=name):
            await hierarchy.create_branch(
                db, commune, name, UnitKind.VILLAGE, actor_id=None, since=None
            )
    await invites.grant_role(
        db, DEMO_ADMIN, Role.PROVINCE_ADMIN, province, full_name="Quản trị viên"
    )
    await invites.grant_role(db, DEMO_CHAIR, Role.COMMUNE_CHAIR, commune, full_name="Chủ tịch xã")
    return commune


async def _stdin_lines(stream: TextIO) -> AsyncIterator[str]:
    while True:
        line = await asyncio.to_thread(stream.readline)
        if not line:
            return
        yield line.rstrip("\n")


class _Printer:
    """Prints what the bot does, as it happens."""

    def __init__(self, out: TextIO, current: list[int]) -> None:
        self.out = out
        self.current = current

    def __call__(self, chat_id: int, message: SentMessage, kind: str) -> None:
        prefix = "" if chat_id == self.current[0] else f"[→ {chat_id}] "
        if kind == "callback_answer":
            if message.text:
                print(f"   {prefix}ⓘ {message.text}", file=self.out, flush=True)
            return
        if kind == "deleted":
            return
        marker = "✎" if kind == "edited" else "🤖"
        body = message.content or f"<{message.kind}: {message.file_name or ''}>"
        print(f"{prefix}{marker} " + body.replace("\n", "\n   "), file=self.out)
        for number, label in enumerate(message.buttons, start=1):
            print(f"   [{number}] {label}", file=self.out)
        keyboard = (message.reply_markup or {}).get("keyboard")
        if keyboard:
            labels = [b["text"] if isinstance(b, dict) else str(b) for row in keyboard for b in row]
            print("   ▤ " + " | ".join(labels), file=self.out)
        self.out.flush()


async def run_console(
    settings: Settings,
    *,
    as_user: int | None = None,
    lines: AsyncIterator[str] | None = None,
    out: TextIO = sys.stdout,
) -> int:
    t = translator(settings.default_language)
    fake = FakeBotApi()
    await fake.start()
    db = await open_database(settings)
    seeded = await seed_demo(db)
    local = settings.model_copy(
        update={
            "telegram_api_base_url": fake.base_url,
            "telegram_api_base_file_url": fake.base_file_url,
        }
    )
    stop = asyncio.Event()
    started = asyncio.Event()

    async def on_started(application: BotApplication) -> None:
        fake.idle_hook = application.update_queue.join
        started.set()

    server = asyncio.create_task(serve(local, db, stop, token=OFFLINE_TOKEN, on_started=on_started))
    waiter = asyncio.create_task(started.wait())
    await asyncio.wait({server, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if server.done():
        waiter.cancel()
        await fake.stop()
        await db.close()
        server.result()
        return 1
    current = [as_user or DEFAULT_USER]
    unsubscribe = fake.on_bot_event(_Printer(out, current))
    print(
        t.gettext(
            "Offline console. You are Telegram user {user}. Type a message, or the number of a "
            "button to press it. :as ID switches user, :say TEXT sends text as it is, :quit leaves."
        ).format(user=current[0]),
        file=out,
    )
    if seeded is not None:
        print(
            t.gettext(
                "Demo data: user {admin} is the province administrator, user {chair} the chair of "
                "{commune} with three branches. Send /start to register there (the first button "
                "at each step), then `:as {chair}` to approve."
            ).format(admin=DEMO_ADMIN, chair=DEMO_CHAIR, commune=unit_in_sentence(t, seeded)),
            file=out,
        )
    out.flush()
    try:
        async for raw in lines if lines is not None else _stdin_lines(sys.stdin):
            if not await _one_line(fake, current, raw.strip(), out):
                break
    finally:
        unsubscribe()
        stop.set()
        await server
        await fake.stop()
        await db.close()
    return 0


async def _one_line(fake: FakeBotApi, current: list[int], line: str, out: TextIO) -> bool:
    """Act on one typed line; False ends the console."""
    if not line:
        return True
    if line in (":quit", ":q", ":exit"):
        return False
    if line.startswith(":as "):
        user_id = parse_number(line[4:])
        if user_id is not None:
            current[0] = user_id
            print(f"→ {current[0]}", file=out, flush=True)
        return True
    user = fake.user(current[0])
    buttons = user.last.buttons if user.last is not None else []
    number = parse_number(line) or 0
    try:
        if line.startswith(":say "):
            await user.send(line[5:])
        elif 1 <= number <= len(buttons):
            await user.press(buttons[number - 1])
        else:
            await user.send(line)
    except (AssertionError, TimeoutError) as error:
        print(f"⚠ {error}", file=out, flush=True)
    return True
