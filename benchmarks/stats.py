"""/stats on the province demo (`khuyenhoc demo-data --scale province`): Thái Bình at its
published 2023 size, moved onto today's map, and Hưng Yên since.

Measures: the time to build that database; for today's province, xã Đông Hưng and one commune,
the database work of /stats (`stats.compute`, counters only: asked again, just after a report,
and just after a change to the map or the figures, when nothing kept between answers can be
used) against deriving the same numbers from the raw tables (`stats.full_scan`), as a ratio;
and the whole /stats handler, from sending the message to the bot having settled, through the
real Application and the fake Bot API. Then prints `/report 2023` as the province
administrator gets it.

Prints figures; not a test. Run with `make bench` or
`.venv/bin/python benchmarks/stats.py [--database PATH] [--runs 20] [--scan-runs 3]`.
Without --database the province is built in a temporary folder and deleted afterwards; with it,
an existing file is reused as it is (or built there and kept), which skips the minute of building.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Final

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.app import build_application, open_database, start_bot, stop_bot
from bot.cli import demo_map
from bot.config import PROJECT_ROOT, Settings
from bot.fake_bot_api import FakeBotApi
from bot.services import counters, demo_data, stats
from bot.services.reporting import local_today
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.db import Database, utc_now
from bot.storage.models import Level, Unit

TOKEN = "123456:bench-stats"
ADMIN = 1
"""The demo's province administrator (`demo_data.SMALL_PEOPLE`)."""
TARGET_MS = 100.0
"""Most database time /stats may take for the whole province."""


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


async def median(runs: int, work: Callable[[], Awaitable[object]]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def median_after(
    db: Database, runs: int, unit: Unit, year: int, write: tuple[str, tuple[object, ...]]
) -> float:
    """`stats.compute`'s median, each run just after the write `write` (not timed)."""
    times = []
    for _ in range(runs):
        await db.execute(*write)
        started = time.perf_counter()
        await stats.compute(db, unit, start_year=year, end_year=year)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def after_report(unit: Unit, year: int) -> tuple[str, tuple[object, ...]]:
    """A write to the counters as a report makes (the values left as they are): what is kept
    stays valid, but SQLite's page cache of the reading connection starts again."""
    return (
        "UPDATE stat_counter SET value = value WHERE unit_id = ? AND year = ?",
        (unit.id, year),
    )


COLD: Final = ("UPDATE data_revision SET value = random()", ())
"""New revisions for the maps and the figures, as any write to those tables gives them:
nothing kept can be used."""


async def prepare(path: Path) -> None:
    """Build the province into `path` unless it already holds data."""
    db = await open_database(demo_map(Settings(database=path)))
    try:
        if await demo_data.occupied(db):
            print(f"database: reusing {path}")
            return
        started = time.perf_counter()
        await demo_data.build(db, demo_data.Scale.PROVINCE, today=local_today(utc_now()))
        print(f"database: built in {time.perf_counter() - started:.1f} s at {path}")
        started = time.perf_counter()
        wrong = await counters.recompute(db)
        print(
            f"counters.recompute: {len(wrong)} mismatches ({time.perf_counter() - started:.1f} s)"
        )
    finally:
        await db.close()


async def sizes(db: Database) -> str:
    found = []
    for table in ("unit", "member", "nomination", "contribution", "award", "stat_counter"):
        row = await db.fetchone(f"SELECT count(*) FROM {table}")
        found.append(f"{table} {int(row[0]) if row else 0:,}")
    return ", ".join(found)


async def scopes(db: Database) -> list[tuple[str, Unit, str]]:
    """(label, unit, what to type after /stats): today's province, xã Đông Hưng (the demo's
    user 2 chairs it), and the first commune whose name finds no other unit."""
    province = await unit_store.root(db)
    dong_hung = await unit_store.in_force_by_code(db, demo_data.SMALL_COMMUNES[0])
    assert province is not None and dong_hung is not None
    communes = await unit_store.children(db, province.id)
    alone = [c for c in communes if len(await unit_store.search(db, c.name)) == 1]
    commune = (alone or communes)[0]
    # Its code is also old Đông Hưng's (an ended commune): typed alone it asks which is meant.
    grants = await people.grants_of(db, ADMIN)
    typed = [
        query
        for query in (dong_hung.code, f"xã {dong_hung.name}", dong_hung.name)
        if (await stats.find_units(db, grants, query)).choices == (dong_hung,)
    ]
    return [
        (f"{province.name} (province)", province, ""),
        (f"{dong_hung.name} (commune)", dong_hung, (typed or [dong_hung.code])[0]),
        (f"{commune.name} (commune)", commune, commune.name),
    ]


async def database_work(
    db: Database, targets: list[tuple[str, Unit, str]], year: int, runs: int, scan_runs: int
) -> float:
    """Prints compute against full_scan; returns the province's compute median."""
    print(f"\nperiod {year} (what /stats shows by default); times are medians")
    print(
        "compute: asked again (the maps, structure and figures kept, bot/services/derived.py); "
        "after report:\njust after a report's write; cold: just after a change to the map or "
        "the figures (nothing kept usable)"
    )
    print(
        f"{'scope':28} {f'compute ×{runs}':>14} {'after report':>13} {'cold':>9} "
        f"{f'full_scan ×{scan_runs}':>16} {'ratio':>8}  same"
    )
    province_time = 0.0
    for label, unit, _ in targets:

        async def fast(unit: Unit = unit) -> stats.ScopeStats:
            return await stats.compute(db, unit, start_year=year, end_year=year)

        async def slow(unit: Unit = unit) -> stats.ScopeStats:
            return await stats.full_scan(db, unit, start_year=year, end_year=year)

        quick = await median(runs, fast)
        reported = await median_after(db, runs, unit, year, after_report(unit, year))
        cold = await median_after(db, runs, unit, year, COLD)
        scanned = await median(scan_runs, slow)
        same = await fast() == await slow()
        print(
            f"{label:28} {ms(quick):>14} {ms(reported):>13} {ms(cold):>9} {ms(scanned):>16} "
            f"{scanned / quick:>7.0f}×  {'yes' if same else 'NO'}"
        )
        if unit.level is Level.PROVINCE:
            province_time = max(quick, reported)
    return province_time


async def handler_work(
    path: Path, db: Database, targets: list[tuple[str, Unit, str]], runs: int
) -> None:
    """/stats through the real Application; then /report 2023 as the province admin sees it."""
    if not (PROJECT_ROOT / "handlers" / "stats.py").exists():
        print("\nhandlers/stats.py does not exist yet: no handler timings")
        return
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    row = await db.fetchone("SELECT coalesce(max(update_id), 0) + 1 FROM inbound_update")
    first_update_id = int(row[0]) if row else 1
    async with FakeBotApi(first_update_id=first_update_id) as fake:
        settings = Settings(
            telegram_bot_token=TOKEN,
            telegram_api_base_url=fake.base_url,
            telegram_api_base_file_url=fake.base_file_url,
            database=path,
        )
        application = build_application(settings, db)
        await start_bot(application)
        fake.idle_hook = application.update_queue.join
        admin = fake.user(ADMIN)
        try:
            print(f"\n/stats handler as the province admin, send → settled, median of {runs}")
            for label, _, query in targets:
                text = f"/stats {query}".strip()

                async def send(text: str = text) -> int:
                    return await admin.send(text)

                took = await median(runs, send)
                answer = fake.messages_to(ADMIN)[-1].content.splitlines()[0]
                print(f"{text:36} {ms(took):>10}   ({label}) → {answer[:60]}")
                if not answer.startswith("📊"):
                    print(f"   NOT the statistics: the bot answered {answer!r}")
            from handlers import stats as stats_handlers

            if hasattr(stats_handlers, "report_command"):
                for text in ("/report 2023", "/report 2023 2019-2024"):
                    await admin.send(text)
                    print(f"\n{text}:\n{fake.messages_to(ADMIN)[-1].content}")
        finally:
            fake.idle_hook = None
            await stop_bot(application)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, help="reuse (or build and keep) this file")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--scan-runs", type=int, default=3, help="full_scan takes seconds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.database or Path(folder) / "province.sqlite3"
        await prepare(path)
        db = await Database(path).open()
        try:
            print(f"rows: {await sizes(db)}")
            targets = await scopes(db)
            year = local_today(utc_now()).year
            province_time = await database_work(db, targets, year, args.runs, args.scan_runs)
            verdict = "OK" if province_time * 1000 <= TARGET_MS else "TOO SLOW"
            print(
                f"\ntarget: province /stats at most {TARGET_MS:.0f} ms of database time, asked "
                f"again or after a report (a campaign week): {ms(province_time)}, {verdict}"
            )
            await handler_work(path, db, targets, args.runs)
        finally:
            await db.close()


if __name__ == "__main__":
    asyncio.run(main())
