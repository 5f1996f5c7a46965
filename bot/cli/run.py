"""`khuyenhoc run`: the bot on Telegram (polling or webhook) until SIGINT or SIGTERM; without
a token, the offline console instead."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from bot.cli.common import Command, Subcommands, add_command, database
from bot.cli.demo import OFFLINE_CONSOLE
from bot.config import Settings


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import serve

    async with database(settings) as db:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(signum, stop.set)
        await serve(settings, db, stop)
    return 0


def add_parsers(commands: Subcommands) -> None:
    add_command(
        commands,
        "run",
        Command(_run, without_token=OFFLINE_CONSOLE),
        help="run the bot (polling); without a token, the offline console",
    )
