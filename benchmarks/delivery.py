"""Broadcast delivery: throughput under Telegram's limits, and `kill -9` half-way through.

Prints figures; not a test. Run with `make bench` or
`.venv/bin/python benchmarks/delivery.py [--recipients N]` (10,000 take about 6 minutes per run).

Steady run: N people (1 % of them have blocked the bot) get one personalised message each from a
real ``telegram.Bot`` through the Deliverer, against ``FakeBotApi`` enforcing 30 msg/s overall.

Crash run: the same delivery runs in a child process (this script with ``--worker``) against the
fake in this process. When the fake accepts message N/2 it SIGKILLs the child from inside that
request, before answering: the worst moment, the message delivered but not yet recorded. A new
child then recovers and finishes. The fake sees every delivery, so duplicates and misses are
counted from what people actually received, not from what the bot believes.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.delivery import DEFAULT_CONCURRENCY, Deliverer, delivery_bot
from bot.fake_bot_api import FakeBotApi, SentMessage, TelegramLimits
from bot.services import outbox
from bot.services.outbox import Progress
from bot.storage.db import Database, utc_now

SCRIPT = Path(__file__).resolve()
TOKEN = "123456:bench-delivery"
FIRST_ID = 1_000_001
BLOCKED_RATIO = 0.01
LIMIT_PER_SECOND = 30


class GcPauses:
    """Full collections in this process: the fake stamps a request when its loop gets to it, so a
    long pause here bunches requests the child spaced correctly (an artifact, not the sender)."""

    def __init__(self) -> None:
        self.pauses: list[tuple[float, float]] = []  # (wall time at the end, seconds)
        self._started = 0.0

    def start(self) -> GcPauses:
        gc.callbacks.append(self._callback)
        return self

    def stop(self) -> None:
        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append((time.time(), time.perf_counter() - self._started))

    def longest(self) -> float:
        return max((seconds for _, seconds in self.pauses), default=0.0)

    def before(self, moment: float, within: float = 1.0) -> float:
        """The longest pause that ended in the `within` seconds before `moment`."""
        return max(
            (s for end, s in self.pauses if moment - within <= end <= moment + 0.05), default=0.0
        )


def recipients(count: int) -> list[int]:
    return list(range(FIRST_ID, FIRST_ID + count))


async def prepare(path: Path, count: int) -> int:
    """A database with `count` people and one reminder to all of them; returns its id."""
    async with Database(path) as db:
        people = recipients(count)
        await db.executemany(
            "INSERT INTO app_user (telegram_id, full_name) VALUES (?, ?)",
            [(person, f"Hội viên {person - FIRST_ID + 1}") for person in people],
        )
        messages: list[outbox.Message] = [
            (
                person,
                f"Kính gửi Hội viên {person - FIRST_ID + 1}: Tháng khuyến học 2026 bắt đầu, "
                "mời anh/chị cập nhật số liệu của chi hội.",
                None,
            )
            for person in people
        ]
        broadcast_id, _ = await outbox.enqueue(
            db,
            kind="reminder",
            created_by=None,
            dedupe_key="reminder:bench:2026:start",
            messages=messages,
            now=utc_now(),
        )
    return broadcast_id


def deliveries(fake: FakeBotApi, people: list[int]) -> Counter[int]:
    return Counter({person: len(fake.messages_to(person)) for person in people})


async def status_counts(path: Path, broadcast_id: int) -> Progress:
    async with Database(path) as db:
        return await outbox.progress(db, broadcast_id)


async def ticker(fake: FakeBotApi, total: int, label: str) -> None:
    """A line every 30 s so a six-minute run is visibly alive."""
    while True:
        await asyncio.sleep(30)
        done = fake.stats.sent + fake.stats.forbidden
        print(f"    … {label}: {done}/{total} answered", flush=True)


# ------------------------------------------------------------------------------- steady run


async def steady_run(count: int, concurrency: int) -> None:
    people = recipients(count)
    progress_calls: list[Progress] = []

    async def on_progress(_: int, counts: Progress) -> None:
        progress_calls.append(counts)

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "steady.sqlite3"
        broadcast_id = await prepare(path, count)
        limits = TelegramLimits()
        async with FakeBotApi(limits=limits, forbidden_ratio=BLOCKED_RATIO) as fake:
            tick = asyncio.create_task(ticker(fake, count, "steady"))
            async with (
                Database(path) as db,
                delivery_bot(TOKEN, base_url=fake.base_url, concurrency=concurrency) as bot,
            ):
                deliverer = Deliverer(db, bot, on_progress=on_progress, concurrency=concurrency)
                started = time.perf_counter()
                stats = await deliverer.run_until_idle()
                elapsed = time.perf_counter() - started
                unreachable = await db.fetchone("SELECT count(*) FROM app_user WHERE reachable = 0")
            tick.cancel()
            answered = sorted(
                call.at
                for call in fake.requests
                if call.method == "sendMessage" and call.status in (200, 403)
            )
            span = answered[-1] - answered[0] if len(answered) > 1 else float("nan")
            sustained = (len(answered) - 1) / span
            delivered_rate = fake.stats.sent / span
            received = deliveries(fake, people)
            missed = sum(1 for p in people if received[p] == 0 and not fake.is_blocked(p))
            counts = await status_counts(path, broadcast_id)
            print(f"steady run: {count} recipients, {BLOCKED_RATIO:.0%} have blocked the bot")
            print(f"  time to finish             {elapsed:8.1f} s")
            print(
                f"  sends/s sustained          {sustained:8.2f}  "
                f"({sustained / LIMIT_PER_SECOND:.1%} of 30/s; every request Telegram counts, "
                "403s included)"
            )
            print(
                f"  delivered/s                {delivered_rate:8.2f}  "
                f"({delivered_rate / LIMIT_PER_SECOND:.1%} of 30/s)"
            )
            print(f"  429 answers                {fake.stats.too_many_requests:8d}")
            print(f"  duplicates                 {fake.duplicate_deliveries():8d}")
            print(
                f"  blocked (403)              {fake.stats.forbidden:8d}  "
                f"(outbox blocked {counts.blocked}, app_user unreachable "
                f"{unreachable[0] if unreachable else 0})"
            )
            print(f"  missed                     {missed:8d}")
            print(
                f"  outbox sent/failed/unknown {counts.sent}/{counts.failed}/{counts.unknown}; "
                f"deliverer stats {asdict(stats)}"
            )
            print(
                f"  on_progress calls          {len(progress_calls):8d}  "
                f"(last: {progress_calls[-1].done}/{progress_calls[-1].total}, "
                f"finished={progress_calls[-1].finished})"
                if progress_calls
                else "  on_progress calls                 0"
            )


# -------------------------------------------------------------------------------- crash run


async def spawn_worker(path: Path, base_url: str, concurrency: int) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(SCRIPT),
        "--worker",
        str(path),
        base_url,
        "--concurrency",
        str(concurrency),
        stdout=asyncio.subprocess.PIPE,
    )


async def crash_run(count: int, concurrency: int, kill_mode: str) -> None:
    people = recipients(count)
    target = count // 2
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "crash.sqlite3"
        broadcast_id = await prepare(path, count)
        async with FakeBotApi(limits=TelegramLimits(), forbidden_ratio=BLOCKED_RATIO) as fake:
            tick = asyncio.create_task(ticker(fake, count, "crash"))
            pauses = GcPauses().start()
            child: asyncio.subprocess.Process | None = None
            killed: dict[str, float] = {}

            def kill_child() -> None:
                if child is not None and child.returncode is None and "at" not in killed:
                    os.kill(child.pid, signal.SIGKILL)
                    killed["at"] = time.perf_counter()
                    killed["sent"] = fake.stats.sent

            reached = asyncio.Event()

            def on_event(_: int, __: SentMessage, kind: str) -> None:
                if kind == "sent" and fake.stats.sent >= target:
                    if kill_mode == "wire":
                        kill_child()  # inside the request, before the child gets its answer
                    reached.set()

            fake.on_bot_event(on_event)
            started = time.perf_counter()
            child = await spawn_worker(path, fake.base_url, concurrency)
            if kill_mode == "timer":  # from outside, at whatever the child is doing then
                waiter = asyncio.create_task(reached.wait())
                await asyncio.wait(
                    [waiter, asyncio.create_task(child.wait())], return_when=asyncio.FIRST_COMPLETED
                )
                waiter.cancel()
                kill_child()
            await child.wait()
            first_code = child.returncode
            restarted = time.perf_counter()
            restart_wall = time.time()
            child = await spawn_worker(path, fake.base_url, concurrency)
            output, _ = await child.communicate()
            finished = time.perf_counter()
            tick.cancel()
            pauses.stop()
            report = json.loads(output.decode().strip().splitlines()[-1])

            received = deliveries(fake, people)
            async with Database(path) as db:
                unknown_rows = await db.fetchall(
                    "SELECT recipient_id FROM outbox WHERE broadcast_id = ? AND status = 'unknown'",
                    (broadcast_id,),
                )
            unknown = [int(row[0]) for row in unknown_rows]
            unknown_delivered = sum(1 for person in unknown if received[person] > 0)
            missed = [p for p in people if received[p] == 0 and not fake.is_blocked(p)]
            twice = sum(1 for p in people if received[p] > 1)
            counts = await status_counts(path, broadcast_id)

            print(f"crash run: {count} recipients, kill -9 ({kill_mode}) at ~{target} sent")
            print(
                f"  first child                exit {first_code}, killed after "
                f"{killed.get('sent', 0):.0f} accepted sends, "
                f"{killed.get('at', restarted) - started:.1f} s in"
            )
            print(
                f"  second child recovery      requeued {report['requeued']}, "
                f"marked unknown {report['unknown']}; then sent {report['sent']}, "
                f"blocked {report['blocked']}, 429s seen {report['rate_limited']}"
            )
            print(f"  time to finish (both)      {finished - started:8.1f} s")
            sends = [c for c in fake.requests if c.method == "sendMessage"]
            killed_wall = max(c.at for c in sends if c.at <= restart_wall)
            first_after = min((c.at for c in sends if c.at > restart_wall), default=killed_wall)
            limited = [
                f"{c.at - killed_wall:+.2f}s (fake's GC pause just before: "
                f"{pauses.before(c.at) * 1000:.0f} ms)"
                for c in sends
                if c.status == 429
            ]
            print(
                f"  restart gap                {first_after - killed_wall:8.2f} s  "
                f"(last send of the killed child to the first of the new one; 429s at "
                f"{', '.join(limited) or 'none'})"
            )
            print(
                f"  fake's full GC pauses      {len(pauses.pauses):8d}  "
                f"(longest {pauses.longest() * 1000:.0f} ms)"
            )
            print(
                f"  duplicates                 {fake.duplicate_deliveries():8d}  "
                f"(recipients with 2+ messages: {twice})"
            )
            print(f"  missed                     {len(missed):8d}  (no message and not blocked)")
            print(
                f"  unknown (in flight)        {len(unknown):8d}  "
                f"(delivered per the fake: {unknown_delivered}, not delivered: "
                f"{len(unknown) - unknown_delivered})"
            )
            print(f"  429 answers                {fake.stats.too_many_requests:8d}")
            print(
                f"  outbox sent/blocked/failed/unknown "
                f"{counts.sent}/{counts.blocked}/{counts.failed}/{counts.unknown}"
            )


# ----------------------------------------------------------------------------------- worker


async def worker(path: Path, base_url: str, concurrency: int) -> None:
    """The child: recover what a killed predecessor left, deliver everything, report as JSON."""
    async with (
        Database(path) as db,
        delivery_bot(TOKEN, base_url=base_url, concurrency=concurrency) as bot,
    ):
        deliverer = Deliverer(db, bot, concurrency=concurrency)
        stats = await deliverer.run_until_idle()
        recovery = deliverer.last_recovery
        print(
            json.dumps(
                {
                    **asdict(stats),
                    "requeued": recovery.requeued if recovery else 0,
                    "unknown": recovery.unknown if recovery else 0,
                }
            ),
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    parser.add_argument("--kill-mode", choices=("wire", "timer"), default="wire")
    parser.add_argument("--skip-steady", action="store_true")
    parser.add_argument("--skip-crash", action="store_true")
    parser.add_argument("--worker", nargs=2, metavar=("DATABASE", "BASE_URL"))
    args = parser.parse_args()
    if args.worker:
        asyncio.run(worker(Path(args.worker[0]), args.worker[1], args.concurrency))
        return
    if not args.skip_steady:
        asyncio.run(steady_run(args.recipients, args.concurrency))
    if not args.skip_crash:
        asyncio.run(crash_run(args.recipients, args.concurrency, args.kill_mode))


if __name__ == "__main__":
    main()
