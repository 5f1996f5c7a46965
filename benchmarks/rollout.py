"""A rollout sheet of 2,000 rows (issue 10's benchmark): the time the bot takes to read and
check it (`rollout.check`: every row parsed and matched against the map, the branches, invites
and grants, nothing written), side by side with openpyxl alone reading the same workbook; and,
for the record, the time to create it all (`rollout.roll_out`) and to build the files.

Hưng Yên's 104 communes, about 19 rows each: its chair, and branch heads and volunteers of
19 branches, 5 of which exist already; communes by code, by name without diacritics, or with
"xã" typed before it. Prints figures; not a test. Run with `make bench` or
`.venv/bin/python benchmarks/rollout.py`.
"""

from __future__ import annotations

import asyncio
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openpyxl import Workbook, load_workbook

from bot.config import DATA_DIR
from bot.i18n import translator
from bot.services import hierarchy, rollout
from bot.services.rollout import Rollout
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import Level, UnitKind
from bot.text import fold
from handlers import rollout_files

ROWS = 2_000
RUNS = 5
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Đặng", "Ngô")
MIDDLE = ("Văn", "Thị", "Hữu", "Minh", "Ngọc")
GIVEN = ("An", "Bình", "Cúc", "Dũng", "Hoa", "Lan", "Nam", "Phúc", "Tâm", "Yến", "Hải", "Sơn")


def _name(n: int) -> str:
    return f"{SURNAMES[n % 10]} {MIDDLE[n // 10 % 5]} {GIVEN[n // 50 % 12]} {chr(65 + n // 600)}"


def _sheet(communes: list[tuple[str, str]]) -> bytes:
    """2,000 rows: per commune a chair, then branch heads and volunteers of its branches."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["STT", "Xã/phường", "Chi hội", "Loại chi hội", "Vai trò", "Họ và tên", "SĐT"])
    n = 0
    while n < ROWS:
        code, name = communes[n % len(communes)]
        commune = (code, fold(name), f"xã {name}")[n % 3]  # by code, without diacritics, typed
        if n < len(communes):
            row = [n + 1, commune, "", "", "Chủ tịch xã", _name(n), f"09{n:08d}"]
        else:
            branch = f"Thôn {n // len(communes)}"
            role = "Chi hội trưởng" if n // len(communes) % 3 else "Cộng tác viên"
            row = [n + 1, commune, branch, "Thôn", role, _name(n), f"09{n:08d}"]
        ws.append(row)
        n += 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _openpyxl_alone(data: bytes) -> int:
    """The baseline: openpyxl reading every cell of the first sheet, nothing else."""
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    rows = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return rows


def _timed(function: Callable[[bytes], object], data: bytes) -> float:
    started = time.perf_counter()
    function(data)
    return time.perf_counter() - started


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        async with Database(Path(folder) / "bench.sqlite3") as db:
            await hierarchy.load_units_csv(
                db,
                DATA_DIR / "hung_yen_2025_units.csv",
                province_code="33",
                province_name="Hưng Yên",
            )
            root = await unit_store.root(db)
            assert root is not None
            communes = await unit_store.beneath(db, root, [Level.COMMUNE], limit=1000)
            for commune in communes:  # Thôn 1, 3… 9 are there already
                for number in range(1, 10, 2):
                    await hierarchy.create_branch(
                        db, commune, f"Thôn {number}", UnitKind.VILLAGE, actor_id=None, since=None
                    )
            data = _sheet([(c.code, c.name) for c in communes])
            baseline = [_timed(_openpyxl_alone, data) for _ in range(RUNS)]
            checks = []
            for _ in range(RUNS):
                started = time.perf_counter()
                checked = await rollout.check(db, data, "bench.xlsx", actor_id=None, now=NOW)
                checks.append(time.perf_counter() - started)
                assert isinstance(checked, Rollout), checked
            started = time.perf_counter()
            done = await rollout.roll_out(db, data, "bench.xlsx", actor_id=None, now=NOW)
            created = time.perf_counter() - started
            assert isinstance(done, Rollout)
            t = translator("vi")
            started = time.perf_counter()
            rollout_files.links_workbook(t, done, "khuyenhoc_bot")
            workbook = time.perf_counter() - started
            started = time.perf_counter()
            rollout_files.cards_pdf(t, done, "khuyenhoc_bot", association="Hội Khuyến học")
            cards = time.perf_counter() - started
    size = len(data) / 1024
    print(f"a {ROWS:,}-row rollout workbook ({size:.0f} KiB, {len(communes)} communes):")
    print(
        f"  read and check (rollout.check):  median {statistics.median(checks) * 1000:.0f} ms "
        f"over {RUNS} runs"
    )
    print(
        f"  openpyxl alone reading it:       median {statistics.median(baseline) * 1000:.0f} ms "
        f"over {RUNS} runs"
    )
    print(
        f"  create it all (one transaction): {created * 1000:.0f} ms "
        f"({done.new_branches} branches, {len(done.people)} invites)"
    )
    print(f"  the workbook of links + QR codes: {workbook * 1000:.0f} ms")
    print(f"  the PDF of {len(done.with_links)} cards:        {cards * 1000:.0f} ms")


if __name__ == "__main__":
    asyncio.run(main())
