"""Start-up time: from `khuyenhoc run` to the first getUpdates, on a new and on an existing file.

Prints figures; not a test. Run with `make bench` or `.venv/bin/python benchmarks/startup.py`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.fake_bot_api import FakeBotApi

RUNS = 5


async def one_start(fake: FakeBotApi, database: Path) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "KHUYENHOC_"))}
    env.update(
        TELEGRAM_BOT_TOKEN="123456:bench",
        TELEGRAM_API_BASE_URL=fake.base_url,
        TELEGRAM_API_BASE_FILE_URL=fake.base_file_url,
        KHUYENHOC_DATABASE=str(database),
    )
    before = fake.stats.polls_started
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        env=env,
        cwd=database.parent,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    for _ in range(6000):  # at most 30 s
        if fake.stats.polls_started > before:
            break
        await asyncio.sleep(0.005)
    elapsed = time.perf_counter() - started
    process.terminate()
    await process.wait()
    return elapsed


async def main() -> None:
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)  # killed long polls
    async with FakeBotApi() as fake:
        with tempfile.TemporaryDirectory() as folder:
            fresh = []
            for run in range(RUNS):
                fresh.append(await one_start(fake, Path(folder) / f"new-{run}.sqlite3"))
            existing = [await one_start(fake, Path(folder) / "new-0.sqlite3") for _ in range(RUNS)]
    print(
        f"start-up to first getUpdates, new database (migrate + load 268 units): "
        f"median {statistics.median(fresh) * 1000:.0f} ms over {RUNS} runs"
    )
    print(
        f"start-up to first getUpdates, existing database: "
        f"median {statistics.median(existing) * 1000:.0f} ms over {RUNS} runs"
    )


if __name__ == "__main__":
    asyncio.run(main())
