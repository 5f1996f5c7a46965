"""`khuyenhoc check [--offline] [--running]`: is this installation ready? One line per check
(`bot.checks`), ✓ or ✗ with the reason; the exit code is 1 when any check fails.

`--offline` leaves out getMe (the container's health check in polling mode must not depend on
Telegram's servers); `--running` also fails when no bot runs on the database.
"""

from __future__ import annotations

import argparse

from bot.cli.common import Command, Subcommands, add_command, translator_for
from bot.config import Settings
from bot.storage.db import utc_now


async def _check(args: argparse.Namespace, settings: Settings) -> int:
    from bot import checks
    from bot.delivery import LEASE

    t = translator_for(settings)
    results = await checks.run_all(
        settings, lease=LEASE, now=utc_now(), offline=args.offline, require_running=args.running
    )
    for result in results:
        print(result.render(t), flush=True)
    return 0 if all(result.ok for result in results) else 1


def add_parsers(commands: Subcommands) -> None:
    check = add_command(
        commands,
        "check",
        Command(_check, quiet=True),
        help="check the configuration, the database, the backup folder and the token (getMe); "
        "one line each, exit code 1 if any fails",
    )
    check.add_argument(
        "--offline", action="store_true", help="leave out the token check (no network)"
    )
    check.add_argument(
        "--running",
        action="store_true",
        help="fail also when no bot runs on the database (a container's health check)",
    )
