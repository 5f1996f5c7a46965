"""`khuyenhoc rollout FILE [--out DIR]`: the province office's rollout sheet (see
`bot.services.rollout`): the missing branches and a personal invite per person, all rows or
none, and the workbook of links with QR codes and the PDF of cards written next to it."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from telegram import Bot
from telegram.error import TelegramError

from bot.cli.common import Command, Subcommands, add_command, database, fail, translator_for
from bot.config import Settings
from bot.i18n import Translator
from bot.services import rollout
from bot.services.rollout import ROLLOUT_TTL_DAYS, Rejected, Rollout, Status
from bot.storage import units as unit_store
from bot.storage.db import utc_now


def _counts(t: Translator, result: Rollout, *, done: bool) -> list[str]:
    number = t.number
    lines = [
        (
            t.gettext("Created {branches} branches and {invites} invites for {people} people.")
            if done
            else t.gettext(
                "Checked: {people} people; {branches} branches and {invites} invites to create."
            )
        ).format(
            branches=number(result.new_branches),
            invites=number(result.count(Status.NEW)),
            people=number(len(result.people)),
        ),
        t.gettext(
            "Skipped {skipped}: {branches} branches already there, {invited} links still valid, "
            "{registered} people already registered."
        ).format(
            skipped=number(result.skipped),
            branches=number(result.existing_branches),
            invited=number(result.count(Status.INVITED)),
            registered=number(result.count(Status.REGISTERED)),
        ),
    ]
    return lines


async def _bot_username(settings: Settings, given: str | None) -> str | None:
    """The bot's @username for the links: given, else asked of the Bot API (getMe)."""
    if given:
        return given.removeprefix("@")
    if settings.token is None:
        return None
    bot = Bot(
        settings.token,
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.telegram_api_base_file_url,
    )
    try:
        return (await bot.get_me()).username
    except TelegramError:
        return None
    finally:
        await bot.shutdown()


async def _rollout(args: argparse.Namespace, settings: Settings) -> int:
    from handlers import rollout_files  # the files' words and layout; loads only here
    from handlers.common import association_of

    t = translator_for(settings)
    path: Path = args.file
    out: Path = args.out or path.parent
    username = None if args.dry_run else await _bot_username(settings, args.bot)
    if not args.dry_run and not username:
        return fail(
            t.gettext(
                "The bot's username is needed for the links: give it with --bot USERNAME, or "
                "set TELEGRAM_BOT_TOKEN so that getMe can tell it."
            )
        )
    async with database(settings) as db:
        now = utc_now()
        if args.dry_run:
            result = await rollout.check(db, path, path.name, actor_id=None, now=now)
        else:
            result = await rollout.roll_out(
                db, path, path.name, actor_id=None, now=now, ttl_days=args.days
            )
        root = await unit_store.root(db)
    if isinstance(result, Rejected):
        count = len(result.errors)
        heading = t.ngettext(
            "Nothing was created from {file}: {count} problem.",
            "Nothing was created from {file}: {count} problems.",
            count,
        ).format(file=path, count=t.number(count))
        problems = [rollout_files.describe(t, error) for error in result.errors]
        return fail("\n".join([heading, *problems]))
    for line in _counts(t, result, done=not args.dry_run):
        print(line)
    if args.dry_run:
        return 0
    assert username is not None
    association = association_of(t, root) if root is not None else ""
    workbook = await asyncio.to_thread(rollout_files.links_workbook, t, result, username)
    written = await asyncio.to_thread(_write, out, f"{path.stem}-lien-ket.xlsx", workbook)
    print(t.gettext("The links and QR codes: {file}").format(file=written))
    if result.with_links:
        cards = await asyncio.to_thread(
            rollout_files.cards_pdf, t, result, username, association=association
        )
        written = await asyncio.to_thread(_write, out, f"{path.stem}-the-moi.pdf", cards)
        print(t.gettext("The cards to print: {file}").format(file=written))
    return 0


def _write(folder: Path, name: str, content: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content)
    return path


def _days(text: str) -> int:
    days = int(text) if text.isdigit() else 0
    if not 1 <= days <= 90:
        raise argparse.ArgumentTypeError(f"expected a number of days from 1 to 90: {text}")
    return days


def add_parsers(commands: Subcommands) -> None:
    parser = add_command(
        commands,
        "rollout",
        Command(_rollout),
        help="create branches and personal invites from a rollout sheet (CSV or XLSX)",
    )
    parser.add_argument("file", type=Path)
    parser.add_argument(
        "--out", type=Path, help="folder for the workbook and the PDF (default: the sheet's)"
    )
    parser.add_argument("--bot", help="the bot's username, for the links (default: getMe)")
    parser.add_argument(
        "--days",
        type=_days,
        default=ROLLOUT_TTL_DAYS,
        help=f"how long the links work (default {ROLLOUT_TTL_DAYS})",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="check every row and print the counts only"
    )
