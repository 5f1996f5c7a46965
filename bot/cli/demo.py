"""The commands a newcomer tries the bot with, on the demo database unless KHUYENHOC_DATABASE
is set (so demo people and reports stay out of the real one): `khuyenhoc shell` (the offline
console, also what `run` opens without a token) and `khuyenhoc demo-data`."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bot.cli.common import Command, Subcommands, add_command, backup_name, fail, translator_for
from bot.config import THAI_BINH_2024, Settings
from bot.i18n import N_, Translator
from bot.services import demo_data
from bot.services.demo_data import DemoDataError, DemoDataProblem, Scale
from bot.services.reporting import local_today
from bot.storage.db import utc_now

DEMO_DATABASE = Path("khuyenhoc-demo.sqlite3")


def demo_database(args: argparse.Namespace, settings: Settings) -> Settings:
    """The demo database unless KHUYENHOC_DATABASE names one."""
    if "database" in settings.model_fields_set:
        return settings
    return settings.model_copy(update={"database": DEMO_DATABASE})


def demo_map(settings: Settings) -> Settings:
    """The province demo starts on Thái Bình's 2024 map, and moves onto today's; the small one
    and the console are on today's map (the default)."""
    return settings.model_copy(
        update={
            "units_csv": THAI_BINH_2024.path,
            "province_code": THAI_BINH_2024.province_code,
            "province_name": THAI_BINH_2024.province_name,
            "units_valid_from": THAI_BINH_2024.valid_from,
        }
    )


# --- The offline console ----------------------------------------------------------------------


async def _shell(args: argparse.Namespace, settings: Settings) -> int:
    print(
        translator_for(settings)
        .gettext("Offline console on {path} (no Telegram needed).")
        .format(path=settings.database),
        flush=True,
    )
    return await _console(settings, as_user=args.as_user)


async def _offline_console(args: argparse.Namespace, settings: Settings) -> int:
    print(
        translator_for(settings)
        .gettext(
            "No TELEGRAM_BOT_TOKEN: opening the offline console on {path} (no Telegram needed)."
        )
        .format(path=settings.database),
        flush=True,
    )
    return await _console(settings, as_user=None)


async def _console(settings: Settings, *, as_user: int | None) -> int:
    from bot.console import run_console

    return await run_console(settings, as_user=as_user)


# `khuyenhoc run` without TELEGRAM_BOT_TOKEN.
OFFLINE_CONSOLE = Command(_offline_console, quiet=True, prepare=demo_database)


def add_shell(commands: Subcommands) -> None:
    shell = add_command(
        commands,
        "shell",
        Command(_shell, quiet=True, prepare=demo_database),
        help="chat with the bot in this terminal, no Telegram",
    )
    shell.add_argument("--as", dest="as_user", type=int, default=None, help="Telegram user id")


# --- Demo data --------------------------------------------------------------------------------

DEMO_PROBLEMS = {
    DemoDataProblem.OCCUPIED: N_(
        "{path} already holds people, branches or reports, so nothing was generated. Add "
        "--force to rename it and start a new database."
    ),
    DemoDataProblem.NO_UNITS: N_("{path} has no province and communes to fill."),
    DemoDataProblem.TOO_EARLY: N_(
        "The computer's date is not after 1 July 2025, when today's map came into force; "
        "nothing was generated."
    ),
    DemoDataProblem.NOT_THAI_BINH: N_(
        "{path} is not on Thái Bình's map of 2024 (data/thai_binh_2024_units.csv), which the "
        "province demo starts from; nothing was generated. Leave KHUYENHOC_UNITS_CSV unset, or "
        "use --force for a new database."
    ),
}
DEMO_STEPS = {
    demo_data.Step.HISTORY: N_(
        "Thái Bình 2019–2024 on its map with districts, at its published 2023 size…"
    ),
    demo_data.Step.MAP_CHANGE: N_(
        "Moving it onto today's map on 1 July 2025, as `khuyenhoc units migrate` does…"
    ),
    demo_data.Step.TODAY: N_("Hưng Yên's 104 communes since then, on today's map…"),
}


def _demo_settings(args: argparse.Namespace, settings: Settings) -> Settings:
    """The demo database; the province demo starts on Thái Bình's 2024 map unless
    KHUYENHOC_UNITS_CSV names one."""
    settings = demo_database(args, settings)
    if args.scale == Scale.PROVINCE.value and "units_csv" not in settings.model_fields_set:
        settings = demo_map(settings)
    return settings


def _set_aside(path: Path) -> Path:
    """Rename a database (and its WAL files) to NAME.<UTC time>.bak.sqlite3; returns the name."""
    backup = backup_name(path)
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{path}{suffix}")
        if source.exists():
            source.rename(Path(f"{backup}{suffix}"))
    return backup


async def _demo_data(args: argparse.Namespace, settings: Settings) -> int:
    """Only an unused database is filled; `--force` renames a used one and starts anew."""
    from bot.app import open_database

    t = translator_for(settings)
    path = settings.database
    db = await open_database(settings)
    try:
        if await demo_data.occupied(db):
            if not args.force:
                problem = t.gettext(DEMO_PROBLEMS[DemoDataProblem.OCCUPIED])
                return fail(problem.format(path=path))
            await db.close()
            backup = _set_aside(path)
            print(t.gettext("Renamed the old database to {backup}.").format(backup=backup))
            db = await open_database(settings)
        started = time.perf_counter()
        scale = Scale(args.scale)

        def step(which: demo_data.Step) -> None:
            if scale is Scale.PROVINCE:
                print(t.gettext(DEMO_STEPS[which]), flush=True)

        try:
            summary = await demo_data.build(
                db, scale, seed=args.seed, today=local_today(utc_now()), started=step
            )
        except DemoDataError as error:
            return fail(t.gettext(DEMO_PROBLEMS[error.problem]).format(path=path))
        seconds = time.perf_counter() - started
    finally:
        await db.close()
    print(
        t.gettext(
            "Demo data ({scale}, seed {seed}) written to {path} in {seconds} s: {branches} "
            "branches, {people} people, {members} members, {nominations} title nominations, "
            "{contributions} contributions, {awards} awards, {figures} figures and {baselines} "
            "baseline values."
        ).format(
            scale=summary.scale.value,
            seed=summary.seed,
            path=path,
            seconds=t.number(round(seconds, 1)),
            branches=t.number(summary.branches),
            people=t.number(summary.people),
            members=t.number(summary.members),
            nominations=t.number(summary.nominations),
            contributions=t.number(summary.contributions),
            awards=t.number(summary.awards),
            figures=t.number(summary.figures),
            baselines=t.number(summary.baselines),
        )
    )
    _print_demo_steps(t, summary)
    print(
        t.gettext(
            "Try it with `khuyenhoc shell --as 1` (the province administrator); users 2-7 chair "
            "communes, 8 and 9 head branches, 10-20 are volunteers."
        )
    )
    if summary.map_change is not None:
        print(
            t.gettext(
                "Until 30 June 2025 the province was Thái Bình with its districts (users 3 and 4 "
                "chaired two of them); /stats and /report for 2024 and earlier show that map."
            )
        )
    return 0


def _print_demo_steps(t: Translator, summary: demo_data.Summary) -> None:
    """How long the province's steps took, and what moving onto today's map did."""
    took = dict(summary.steps)
    moved = summary.map_change
    if moved is None or demo_data.Step.HISTORY not in took:
        return
    print(
        t.gettext(
            "Steps: {history} s for the history, {move} s to move it onto today's map, {today} s "
            "since."
        ).format(
            history=t.number(round(took[demo_data.Step.HISTORY], 1)),
            move=t.number(round(took.get(demo_data.Step.MAP_CHANGE, 0.0), 1)),
            today=t.number(round(took.get(demo_data.Step.TODAY, 0.0), 1)),
        )
    )
    done = moved.plan
    print(
        t.gettext(
            "Today's map since {effective}: {created} units created and {ended} ended, "
            "{branches} branches moved to today's communes, {moved} grants moved with their unit "
            "and {kept} kept on the ended units, counters rebuilt on the map of each year "
            "({changed} changed, {mismatches} mismatches)."
        ).format(
            effective=t.date(done.effective),
            created=t.number(done.units_created),
            ended=t.number(done.units_ended),
            branches=t.number(len(done.branches)),
            moved=t.number(len(done.grants_moved)),
            kept=t.number(len(done.grants_kept)),
            changed=t.number(moved.counters_changed),
            mismatches=t.number(moved.mismatches),
        )
    )


def add_demo_data(commands: Subcommands) -> None:
    demo = add_command(
        commands,
        "demo-data",
        Command(_demo_data, quiet=True, prepare=_demo_settings),
        help="fill an unused database with demo data (the demo database unless "
        "KHUYENHOC_DATABASE is set)",
    )
    demo.add_argument(
        "--scale",
        required=True,
        choices=[scale.value for scale in Scale],
        help="province: Thái Bình's 2019-2024 on its map with districts at its published "
        "2023 size, moved onto today's map on 1 July 2025, and Hưng Yên's activity since "
        "(about two minutes); small: a few communes of today's map and people with ids 1-20, "
        "for `khuyenhoc shell`",
    )
    demo.add_argument("--seed", type=int, default=demo_data.DEFAULT_SEED)
    demo.add_argument(
        "--force",
        action="store_true",
        help="if the database is in use, rename it to NAME.<time>.bak.sqlite3 and start anew",
    )
