"""Many volunteers at once: N people send /member at the same moment, then each types a name.

Prints figures; not a test. Run with `make bench` or
`.venv/bin/python benchmarks/load.py [--people N] [--only bare,bot,kill,broadcast]`
(everything, 200 people, takes a few minutes).

Every run starts a fresh ``FakeBotApi`` holding the bot to Telegram's limits (``TelegramLimits``:
30 messages/s overall, one per second per private chat; past them it answers 429) and a fresh
database where the N people are volunteers of one branch. All N queue `/member` at once; as soon
as a person gets the first answer, they take ``--think`` seconds to type a name (with no pause,
every bot's reply to the name would break the one-message-per-second-per-chat limit). Per person
the run measures the first-answer latency (from queueing /member to the bot's first message to
them) and the latency of the answer to the name (from queueing the name to the next message).

* ``bot``: this project's bot, ``python -m bot.cli run`` as its own process.
* ``bare``: a minimal PTB ``Application`` (256 concurrent updates, ``AIORateLimiter`` pacing
  sends at 30/s) answering /member with a fixed question and any text with a fixed reply, also
  its own process (this script with ``--bare-bot``): the ceiling for a PTB bot respecting
  Telegram's limits. Both run at each ``--latencies`` value: the fake delays every Bot API
  answer by it.
* ``kill``: the bot is killed with SIGKILL ``--kill-after`` seconds into the burst and started
  again. A question sent twice in a row to the same person is a message answered twice.
* ``broadcast``: the same burst while a ``--broadcast``-recipient broadcast, queued through the
  outbox service before the bot started, is being delivered.

A message still unanswered when the run is over (every update confirmed and the bot silent for
``--stall`` seconds; with the broadcast: no volunteer got anything for that long) is lost.

Peak memory is the process's VmHWM from /proc. The exit status is non-zero only when something
broke (a bot did not start or died on its own); missed targets are printed, not failed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import math
import os
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

# The project's modules are imported inside the functions that use them: the bare bot process
# runs this file too, and its memory figure must be PTB's alone.
if TYPE_CHECKING:
    from bot.fake_bot_api import FakeBotApi, FakeUser, SentMessage

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SCRIPT = Path(__file__).resolve()
TOKEN = "123456:bench-load"
FIRST_VOLUNTEER = 5_000_001
FIRST_RECIPIENT = 1_000_001
START_TIMEOUT = 60.0
BROADCAST_WARM_UP = 3.0
BARE_QUESTION = "Họ và tên của hội viên mới? Ví dụ: Nguyễn Văn An."
BARE_REPLY = "Nam hay nữ?"

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô")
MIDDLE = ("Văn", "Thị", "Hữu", "Minh", "Thu")
GIVEN = ("An", "Bình", "Cúc", "Dũng", "Hà", "Hằng", "Hoa", "Hùng", "Lan", "Mai", "Nam", "Phúc")

BotKind = Literal["bot", "bare"]


class BenchmarkError(RuntimeError):
    """Something broke (not a missed target): the run's figures would mean nothing."""


def full_name(index: int) -> str:
    """ "Nguyễn Văn An", "Trần Văn An", …: distinct for the first 600 people."""
    return (
        f"{FAMILY[index % len(FAMILY)]} {MIDDLE[index // len(FAMILY) % len(MIDDLE)]} "
        f"{GIVEN[index // (len(FAMILY) * len(MIDDLE)) % len(GIVEN)]}"
    )


def volunteers(count: int) -> list[int]:
    return list(range(FIRST_VOLUNTEER, FIRST_VOLUNTEER + count))


# ------------------------------------------------------------------------------ the bare bot


def bare_bot_main() -> None:
    """A minimal PTB bot, configured from the same environment variables as `khuyenhoc run`."""
    application = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .base_file_url(os.environ["TELEGRAM_API_BASE_FILE_URL"])
        .concurrent_updates(256)
        # Paced one message per 1/30 s rather than PTB's default bucket of 30 per second, which
        # bursts past Telegram's sliding window, pauses everything on the 429s and drops
        # replies after the retries: this bot is the ceiling, so it keeps exactly to 30/s.
        .rate_limiter(AIORateLimiter(overall_max_rate=1, overall_time_period=1 / 30, max_retries=2))
        .build()
    )
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Nam", callback_data="g:m"),
                InlineKeyboardButton("Nữ", callback_data="g:f"),
            ]
        ]
    )

    async def member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is not None:
            await update.effective_message.reply_text(BARE_QUESTION)

    async def text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is not None:
            await update.effective_message.reply_text(BARE_REPLY, reply_markup=keyboard)

    application.add_handler(CommandHandler("member", member))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, text))
    application.run_polling(poll_interval=0.0, timeout=10, allowed_updates=Update.ALL_TYPES)


# ------------------------------------------------------------------------------- databases


async def prepare_database(path: Path, people: Sequence[int]) -> None:
    """Units, one branch (Thôn Đông) and `people` as its volunteers, through the services."""
    from bot.app import open_database
    from bot.config import Settings
    from bot.services import hierarchy, invites
    from bot.storage import units as unit_store
    from bot.storage.models import Level, Role, UnitKind

    db = await open_database(Settings(database=path))  # today's map: xã Đông Hưng, Hưng Yên
    try:
        commune = (await unit_store.search(db, "dong hung", levels=[Level.COMMUNE]))[0]
        branch = await hierarchy.create_branch(
            db, commune, "Thôn Đông", UnitKind.VILLAGE, actor_id=None, since=None
        )
        for index, person in enumerate(people):
            await invites.grant_role(
                db, person, Role.VOLUNTEER, branch, full_name=f"Tình nguyện viên {index + 1}"
            )
    finally:
        await db.close()


async def add_broadcast(path: Path, count: int) -> None:
    """`count` more people and one reminder to each of them, queued in the outbox."""
    from bot.services import outbox
    from bot.storage.db import Database, utc_now

    recipients = range(FIRST_RECIPIENT, FIRST_RECIPIENT + count)
    async with Database(path) as db:
        await db.executemany(
            "INSERT INTO app_user (telegram_id, full_name) VALUES (?, ?)",
            [(person, f"Hội viên {person - FIRST_RECIPIENT + 1}") for person in recipients],
        )
        messages: list[outbox.Message] = [
            (
                person,
                f"Kính gửi Hội viên {person - FIRST_RECIPIENT + 1}: Tháng khuyến học 2026 bắt "
                "đầu, mời anh/chị cập nhật số liệu của chi hội.",
                None,
            )
            for person in recipients
        ]
        await outbox.enqueue(
            db,
            kind="reminder",
            created_by=None,
            dedupe_key="reminder:bench-load:2026:start",
            messages=messages,
            now=utc_now(),
        )


# ------------------------------------------------------------------------- bot processes


class BotProcess:
    """`khuyenhoc run` or the bare bot, as a child process polling the fake."""

    def __init__(self, kind: BotKind, fake: FakeBotApi, database: Path, folder: Path) -> None:
        self.kind = kind
        self.fake = fake
        self.database = database
        self.folder = folder
        self.log = folder / f"{kind}.log"
        self.process: asyncio.subprocess.Process | None = None
        self.peak_kib = 0
        self.stopping = False

    def _command(self) -> list[str]:
        if self.kind == "bot":
            return [sys.executable, "-m", "bot.cli", "run"]
        return [sys.executable, str(SCRIPT), "--bare-bot"]

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "KHUYENHOC_"))}
        env.update(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=self.fake.base_url,
            TELEGRAM_API_BASE_FILE_URL=self.fake.base_file_url,
            KHUYENHOC_DATABASE=str(self.database),
            KHUYENHOC_LOG_LEVEL="WARNING",
        )
        return env

    async def start(self) -> float:
        """Start and wait for the first getUpdates; returns the seconds that took."""
        polls = self.fake.stats.polls_started
        started = time.monotonic()
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                *self._command(),
                env=self._env(),
                cwd=self.folder,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=log,
            )
        self.stopping = False
        while self.fake.stats.polls_started == polls:
            if self.process.returncode is not None:
                raise BenchmarkError(
                    f"the {self.kind} process exited with {self.process.returncode} before "
                    f"polling{self.log_tail()}"
                )
            if time.monotonic() - started > START_TIMEOUT:
                self.process.kill()
                await self.process.wait()
                raise BenchmarkError(
                    f"the {self.kind} process did not poll within {START_TIMEOUT:g}s"
                    f"{self.log_tail()}"
                )
            await asyncio.sleep(0.01)
        return time.monotonic() - started

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log.read_text(errors="replace").strip().splitlines()[-lines:]
        except OSError:
            return ""
        return ("; its log ends:\n    " + "\n    ".join(text)) if text else ""

    def sample_memory(self) -> None:
        """Remember the peak resident set size (VmHWM) of the process, while it is alive."""
        if self.process is None or self.process.returncode is not None:
            return
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                self.peak_kib = max(self.peak_kib, int(line.split()[1]))

    def check_alive(self) -> None:
        if self.process is not None and self.process.returncode is not None and not self.stopping:
            raise BenchmarkError(
                f"the {self.kind} process died on its own (exit {self.process.returncode})"
                f"{self.log_tail()}"
            )

    async def kill9(self) -> None:
        assert self.process is not None
        self.sample_memory()
        self.stopping = True
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        process = self.process
        if process is None or process.returncode is not None:
            return
        self.sample_memory()
        self.stopping = True
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 20)
        except TimeoutError:
            process.kill()
            await process.wait()


# ------------------------------------------------------------------------------- the crowd


@dataclass
class Person:
    user: FakeUser
    name: str
    member_at: float = 0.0
    first_answer_at: float | None = None
    name_at: float | None = None
    name_answer_at: float | None = None
    received: list[str] = field(default_factory=list)
    thinking: bool = False


class Crowd:
    """The volunteers: everyone sends /member at once, then a name once the bot asked."""

    def __init__(self, fake: FakeBotApi, people: Sequence[int], think: float) -> None:
        self.fake = fake
        self.think = think
        self.people = {
            uid: Person(fake.user(uid, first_name=f"TNV {i + 1}"), full_name(i))
            for i, uid in enumerate(people)
        }
        self.started_at = 0.0
        self.last_progress = 0.0
        self.names_typed = 0
        self.unsubscribe = fake.on_bot_event(self._on_event)

    def burst(self) -> None:
        """Everyone sends /member "at the same moment" (queued back to back)."""
        self.started_at = self.last_progress = time.monotonic()
        for person in self.people.values():
            update_id = person.user.send_nowait("/member")
            person.member_at = self.fake.enqueued_at(update_id)

    def _on_event(self, chat_id: int, message: SentMessage, kind: str) -> None:
        person = self.people.get(chat_id)
        if person is None or kind != "sent":
            return
        previous = person.received[-1] if person.received else None
        person.received.append(message.content)
        self.last_progress = time.monotonic()
        if person.first_answer_at is None:
            person.first_answer_at = message.received_at
            person.thinking = True
            asyncio.get_running_loop().call_later(self.think, self._type_name, person)
        elif (
            person.name_at is not None
            and person.name_answer_at is None
            and message.received_at >= person.name_at
            and message.content != previous  # the question again is not an answer
        ):
            person.name_answer_at = message.received_at

    def _type_name(self, person: Person) -> None:
        update_id = person.user.send_nowait(person.name)
        person.name_at = self.fake.enqueued_at(update_id)
        person.thinking = False
        self.names_typed += 1
        self.last_progress = time.monotonic()

    @property
    def thinking(self) -> int:
        return sum(1 for p in self.people.values() if p.thinking)

    def done(self) -> bool:
        return all(p.name_answer_at is not None for p in self.people.values())

    async def wait_for_end(self, cap: float, stall: float, *, busy_bot: bool) -> None:
        """Until everyone has both answers, or it is over: nobody is typing, every update is
        confirmed and the bot made no request for `stall` seconds (a bot pausing after a 429 is
        silent for a second or more). With a broadcast going on the bot is never silent: then
        it is over when no volunteer got anything for `stall` seconds. At most `cap` seconds."""
        deadline = time.monotonic() + cap
        self.fake.quiet_period = stall
        while not self.done():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            if self.thinking:
                with contextlib.suppress(TimeoutError):
                    await self.fake.wait_until(lambda: self.thinking == 0, timeout=left)
                continue
            if busy_bot:
                if time.monotonic() - self.last_progress > stall:
                    return
                with contextlib.suppress(TimeoutError):
                    await self.fake.wait_until(self.done, timeout=min(1.0, left))
                continue
            typed = self.names_typed
            try:
                await self.fake.settle_all(timeout=left)
            except TimeoutError:
                continue
            if not self.thinking and self.names_typed == typed:  # nothing queued meanwhile
                return


# ------------------------------------------------------------------------------- figures


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


@dataclass
class Figures:
    name: str
    people: int
    latency_ms: int
    first: list[float]
    names: list[float]
    answers_per_second: float
    lost_messages: int
    lost_people: int
    answered_twice: int
    too_many_requests: int
    peak_mib: float
    elapsed: float
    answers: Counter[str]
    note: str = ""

    def p50(self) -> float:
        return percentile(self.first, 0.5)


def seconds(value: float) -> str:
    return "    -" if math.isnan(value) else f"{value:5.2f}"


def measure(name: str, crowd: Crowd, fake: FakeBotApi, latency_ms: int, peak_kib: int) -> Figures:
    people = list(crowd.people.values())
    first = [p.first_answer_at - p.member_at for p in people if p.first_answer_at is not None]
    names = [
        p.name_answer_at - p.name_at
        for p in people
        if p.name_answer_at is not None and p.name_at is not None
    ]
    lost_member = sum(1 for p in people if p.first_answer_at is None)
    lost_name = sum(1 for p in people if p.name_at is not None and p.name_answer_at is None)
    lost_people = sum(1 for p in people if p.first_answer_at is None or p.name_answer_at is None)
    twice = sum(
        1
        for p in people
        for before, after in zip(p.received, p.received[1:], strict=False)
        if before == after
    )
    answer_times = [
        t for p in people for t in (p.first_answer_at, p.name_answer_at) if t is not None
    ]
    span = max(answer_times) - crowd.started_at if answer_times else math.nan
    rate = len(answer_times) / span if span > 0 else math.nan
    answers: Counter[str] = Counter()
    for p in people:
        answers.update(text.split("\n", 1)[0][:48] for text in p.received[:2])
    return Figures(
        name=name,
        people=len(people),
        latency_ms=latency_ms,
        first=first,
        names=names,
        answers_per_second=rate,
        lost_messages=lost_member + lost_name,
        lost_people=lost_people,
        answered_twice=twice,
        too_many_requests=fake.stats.too_many_requests,
        peak_mib=peak_kib / 1024,
        elapsed=span,
        answers=answers,
    )


def broadcast_rates(fake: FakeBotApi, crowd: Crowd, ended: float) -> tuple[float, float]:
    """Broadcast messages accepted per second before the burst and during it."""
    times = [
        event.at
        for event in fake.events
        if event.kind == "sent" and event.chat_id not in crowd.people
    ]
    start = crowd.started_at
    before = sum(1 for t in times if start - BROADCAST_WARM_UP <= t < start) / BROADCAST_WARM_UP
    during = sum(1 for t in times if start <= t <= ended) / max(ended - start, 1e-9)
    return before, during


def print_figures(figures: Figures) -> None:
    def row(label: str, values: list[float]) -> str:
        return (
            f"  {label:<22} p50 {seconds(percentile(values, 0.5))} s  p90 "
            f"{seconds(percentile(values, 0.9))} s  p99 {seconds(percentile(values, 0.99))} s  "
            f"max {seconds(max(values, default=math.nan))} s  ({len(values)}/{figures.people})"
        )

    print(row("first answer", figures.first))
    print(row("answer to the name", figures.names))
    print(
        f"  answers/s {figures.answers_per_second:6.1f}   lost {figures.lost_messages} messages "
        f"({figures.lost_people} people)   answered twice {figures.answered_twice}   "
        f"429s {figures.too_many_requests}   peak RSS {figures.peak_mib:.0f} MiB   last answer "
        f"{figures.elapsed:.1f} s after the burst"
    )
    common = ", ".join(f"{count}× {text!r}" for text, count in figures.answers.most_common(3))
    print(f"  answers seen: {common or 'none'}")
    if figures.note:
        print(f"  {figures.note}")


# ----------------------------------------------------------------------------------- runs


@dataclass
class Options:
    people: int
    think: float
    cap: float
    kill_after: float
    kill_latency_ms: int
    stall: float
    broadcast: int
    broadcast_latency_ms: int


class Bench:
    def __init__(self, options: Options, folder: Path) -> None:
        self.options = options
        self.folder = folder
        self.template = folder / "template.sqlite3"
        self.broadcast_template = folder / "broadcast.sqlite3"
        self.results: list[Figures] = []
        self.errors: list[str] = []
        self.runs = 0

    async def prepare(self, *, broadcast: bool) -> None:
        if not self.template.exists():
            await prepare_database(self.template, volunteers(self.options.people))
        if broadcast and not self.broadcast_template.exists():
            shutil.copyfile(self.template, self.broadcast_template)
            await add_broadcast(self.broadcast_template, self.options.broadcast)

    def fresh_database(self, template: Path) -> tuple[Path, Path]:
        self.runs += 1
        run_folder = self.folder / f"run-{self.runs}"
        run_folder.mkdir()
        database = run_folder / "bot.sqlite3"
        shutil.copyfile(template, database)
        return database, run_folder

    async def run(
        self,
        name: str,
        kind: BotKind,
        latency_ms: int,
        *,
        kill: bool = False,
        broadcast: bool = False,
    ) -> None:
        from bot.fake_bot_api import FakeBotApi, TelegramLimits

        print(f"== {name}", flush=True)
        database, run_folder = self.fresh_database(
            self.broadcast_template if broadcast else self.template
        )
        latency = latency_ms / 1000
        async with FakeBotApi(limits=TelegramLimits(), quiet_period=1.0, latency=latency) as fake:
            crowd = Crowd(fake, volunteers(self.options.people), self.options.think)
            bot = BotProcess(kind, fake, database, run_folder)
            try:
                start_seconds = await bot.start()
                if broadcast:
                    await asyncio.sleep(BROADCAST_WARM_UP)  # the broadcast is in full flow
                else:
                    await fake.settle_all(timeout=30)  # start-up calls are over
                before_429 = fake.stats.too_many_requests
                crowd.burst()
                note = f"start-up {start_seconds:.1f} s"
                if kill:
                    await asyncio.sleep(self.options.kill_after)
                    bot.check_alive()
                    answered = sum(
                        1 for p in crowd.people.values() if p.first_answer_at is not None
                    )
                    await bot.kill9()
                    crowd.last_progress = time.monotonic()
                    restart = await bot.start()
                    note = (
                        f"kill -9 {self.options.kill_after:g} s in ({answered} first answers "
                        f"by then), back polling {restart:.1f} s later"
                    )
                await crowd.wait_for_end(self.options.cap, self.options.stall, busy_bot=broadcast)
                bot.check_alive()
                bot.sample_memory()
                figures = measure(name, crowd, fake, latency_ms, bot.peak_kib)
                figures.too_many_requests -= before_429
                if broadcast:
                    before, during = broadcast_rates(
                        fake, crowd, crowd.started_at + figures.elapsed
                    )
                    note += (
                        f"; broadcast {before:.1f} msg/s in the {BROADCAST_WARM_UP:g} s before "
                        f"the burst, {during:.1f} msg/s during it"
                    )
                figures.note = note
            except BenchmarkError as error:
                self.errors.append(f"{name}: {error}")
                print(f"  ERROR: {error}", flush=True)
                return
            finally:
                crowd.unsubscribe()
                await bot.stop()
        self.results.append(figures)
        print_figures(figures)
        sys.stdout.flush()

    def find(self, name: str) -> Figures | None:
        return next((f for f in self.results if f.name == name), None)


def target_line(label: str, value: str, met: bool | None) -> str:
    verdict = "n/a (not run)" if met is None else ("met" if met else "missed")
    return f"  {label:<44} {value:<28} {verdict}"


def print_summary(bench: Bench) -> None:
    if not bench.results:
        return
    print()
    print(
        f"summary: {bench.options.people} volunteers, Telegram's limits, "
        f"{bench.options.think:g} s to type a name"
    )
    print(
        f"  {'run':<16} {'first p50':>9} {'p90':>6} {'p99':>6} {'max':>6} "
        f"{'name p50':>9} {'p90':>6} {'max':>6} {'ans/s':>6} {'lost':>5} {'twice':>5} "
        f"{'429s':>5} {'RSS MiB':>8}"
    )
    for f in bench.results:
        print(
            f"  {f.name:<16} {seconds(f.p50()):>9} {seconds(percentile(f.first, 0.9)):>6} "
            f"{seconds(percentile(f.first, 0.99)):>6} {seconds(max(f.first, default=math.nan)):>6} "
            f"{seconds(percentile(f.names, 0.5)):>9} {seconds(percentile(f.names, 0.9)):>6} "
            f"{seconds(max(f.names, default=math.nan)):>6} {f.answers_per_second:6.1f} "
            f"{f.lost_messages:>5} {f.answered_twice:>5} {f.too_many_requests:>5} "
            f"{f.peak_mib:8.0f}"
        )
    print()
    print("targets:")
    bot, bare = bench.find("bot 100 ms"), bench.find("bare 100 ms")
    if bot is not None and bare is not None:
        ratio = bot.p50() / bare.p50() if bare.p50() > 0 else math.nan
        value = f"{bot.p50():.2f} s vs {bare.p50():.2f} s = {ratio:.2f}×"
        print(target_line("first answer p50 at 100 ms ≤ 1.25 × bare", value, ratio <= 1.25))
    else:
        print(target_line("first answer p50 at 100 ms ≤ 1.25 × bare", "", None))
    kill = bench.find("bot kill -9")
    lost = f"{kill.lost_messages} ({kill.lost_people} people)" if kill else ""
    twice = str(kill.answered_twice) if kill else ""
    print(target_line("kill -9: 0 messages lost", lost, kill.lost_messages == 0 if kill else None))
    print(
        target_line("kill -9: 0 answered twice", twice, kill.answered_twice == 0 if kill else None)
    )
    busy = bench.find("bot + broadcast")
    if busy is not None:
        calm = bench.find(f"bot {bench.options.broadcast_latency_ms} ms")
        print()
        print(f"first-answer latency with and without the broadcast, at {busy.latency_ms} ms:")
        for label, figures in (("without", calm), ("with", busy)):
            if figures is None:
                print(f"  {label:<8} n/a (not run)")
                continue
            print(
                f"  {label:<8} p50 {seconds(figures.p50())} s  p90 "
                f"{seconds(percentile(figures.first, 0.9))} s  max "
                f"{seconds(max(figures.first, default=math.nan))} s"
            )


RUN_GROUPS = ("bare", "bot", "kill", "broadcast")


def parse_list(text: str, convert: Callable[[str], Any]) -> list[Any]:
    return [convert(part.strip()) for part in text.split(",") if part.strip()]


async def benchmark(args: argparse.Namespace) -> int:
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)  # killed long polls
    groups = set(args.only)
    options = Options(
        people=args.people,
        think=args.think,
        cap=args.cap,
        kill_after=args.kill_after,
        kill_latency_ms=args.kill_latency,
        stall=args.stall,
        broadcast=args.broadcast,
        broadcast_latency_ms=args.broadcast_latency,
    )
    print(
        f"load: {options.people} volunteers send /member at once, then a name "
        f"{options.think:g} s after the question; runs: {', '.join(args.only)}; load average "
        f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs",
        flush=True,
    )
    with contextlib.ExitStack() as stack:
        if args.workdir is not None:
            folder = args.workdir.resolve()
            folder.mkdir(parents=True, exist_ok=True)
            if any(folder.iterdir()):
                print(f"--workdir {folder} is not empty", file=sys.stderr)
                return 2
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        bench = Bench(options, folder)
        await bench.prepare(broadcast="broadcast" in groups)
        for latency in args.latencies:
            if "bare" in groups:
                await bench.run(f"bare {latency} ms", "bare", latency)
            if "bot" in groups:
                await bench.run(f"bot {latency} ms", "bot", latency)
        if "kill" in groups:
            await bench.run("bot kill -9", "bot", options.kill_latency_ms, kill=True)
        if "broadcast" in groups:
            await bench.run("bot + broadcast", "bot", options.broadcast_latency_ms, broadcast=True)
        print_summary(bench)
    if bench.errors:
        print("\nerrors:", *bench.errors, sep="\n  ", file=sys.stderr)
        return 1
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=200, help="volunteers (default 200)")
    parser.add_argument(
        "--only",
        type=lambda text: parse_list(text, str),
        default=list(RUN_GROUPS),
        help=f"comma-separated subset of {','.join(RUN_GROUPS)} (default: all)",
    )
    parser.add_argument(
        "--latencies",
        type=lambda text: parse_list(text, int),
        default=[0, 100],
        help="fake Bot API latencies in ms for the bare and bot runs (default 0,100)",
    )
    parser.add_argument("--think", type=float, default=1.0, help="seconds to type the name")
    parser.add_argument("--cap", type=float, default=150.0, help="longest wait per run, seconds")
    parser.add_argument(
        "--stall",
        type=float,
        default=10.0,
        help="seconds of silence after which what is unanswered counts as lost (default 10)",
    )
    parser.add_argument("--kill-after", type=float, default=2.0, help="seconds into the burst")
    parser.add_argument("--kill-latency", type=int, default=100, help="ms, for the kill run")
    parser.add_argument("--broadcast", type=int, default=10_000, help="broadcast recipients")
    parser.add_argument("--broadcast-latency", type=int, default=100, help="ms, broadcast run")
    parser.add_argument(
        "--workdir", type=Path, help="keep databases and bot logs in this (new) folder"
    )
    parser.add_argument("--bare-bot", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_bot:
        bare_bot_main()
        return
    unknown = sorted(set(args.only) - set(RUN_GROUPS))
    if unknown or args.people < 1:
        parser.error(f"unknown runs {unknown}" if unknown else "--people must be at least 1")
    sys.exit(asyncio.run(benchmark(args)))


if __name__ == "__main__":
    main()
