"""Steps to nominate and recognise 150 learning families: one list against 150 single forms.

A step is what a person does: a tap (an inline button or a menu button) or a message sent (a
typed answer, a pasted list, a file). The bot is the real one (`build_application`), driven
over HTTP through the fake Bot API, on a fresh database of today's map with one commune, one
branch, its head and the commune's chair; every step below is counted as it is made, so a
change to a flow changes these figures. The single flow is driven once for one family, and
its steps are multiplied by 150 (the baseline of issue 10: "6 steps for each: 900 steps").

Also timed: the bot's answer to the pasted list (read and checked), the list sent (one
transaction), the list recognised (one transaction), and a 2,000-row workbook of new members
read and checked (each row against the commune's members).

Prints figures; not a test. Run with `make bench` or `.venv/bin/python benchmarks/lists.py`.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import logging
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openpyxl import load_workbook

from bot.app import BotApplication, build_application, open_database, start_bot, stop_bot
from bot.config import Settings
from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.rate_limit import Limits
from bot.services import counters, hierarchy, invites, title_lists
from bot.services.reminder_schedule import VIETNAM_TZ
from bot.services.reporting import ReportError
from bot.services.title_lists import Line
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import Level, Role, UnitKind
from bot.storage.records import NominationKind

FAMILIES = 150
WORKBOOK_ROWS = 2000
HEAD, CHAIR = 8, 2
SCRIPTED = Limits(private_chat=(), group_chat=())
"""A script types faster than any person: Telegram's one message a second per chat would only
make the run wait (as in tests/e2e/conftest.py)."""


class Steps:
    """A person whose every tap and message is counted."""

    def __init__(self, user: FakeUser) -> None:
        self.user = user
        self.count = 0

    async def send(self, text: str) -> None:
        self.count += 1
        await self.user.send(text)

    async def press(self, label: str) -> None:
        self.count += 1
        await self.user.press(label)

    async def send_document(self, name: str, content: bytes) -> None:
        self.count += 1
        await self.user.send_document(name, content)


def names(count: int) -> list[str]:
    surnames = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Đặng", "Ngô")
    middle = ("Văn", "Thị", "Đình", "Minh", "Quang", "Hữu", "Ngọc")
    given = ("An", "Bình", "Cúc", "Dũng", "Giang", "Hoa", "Khoa", "Lan", "Mai", "Nam")
    found = [" ".join(parts) for parts in itertools.product(surnames, middle, given)]
    while len(found) < count:
        found += [f"{name} {extra}" for name in found for extra in ("Anh", "Hải")]
    return found[:count]


STARTED: list[World] = []


class World:
    """A fresh database of today's map: one commune, its branch, the head and the chair."""

    def __init__(self, fake: FakeBotApi, folder: Path, name: str) -> None:
        self.fake = fake
        self.settings = Settings(
            telegram_bot_token="123456:bench",
            telegram_api_base_url=fake.base_url,
            telegram_api_base_file_url=fake.base_file_url,
            database=folder / f"{name}.sqlite3",
        )
        self.application: BotApplication | None = None
        self.db: Database | None = None

    async def start(self) -> None:
        STARTED.append(self)
        self.db = await open_database(self.settings)
        root = await unit_store.root(self.db)
        assert root is not None
        commune = (await unit_store.beneath(self.db, root, [Level.COMMUNE], limit=1))[0]
        branch = await hierarchy.create_branch(
            self.db, commune, "Thôn Đông", UnitKind.VILLAGE, actor_id=None, since=None
        )
        await invites.grant_role(
            self.db, HEAD, Role.BRANCH_HEAD, branch, full_name="Trưởng Chi Hội"
        )
        await invites.grant_role(
            self.db, CHAIR, Role.COMMUNE_CHAIR, commune, full_name="Chủ Tịch Xã"
        )
        self.application = build_application(self.settings, self.db, rate_limits=SCRIPTED)
        await start_bot(self.application)
        self.fake.idle_hook = self.application.update_queue.join

    async def stop(self) -> None:
        """Idempotent: `main` stops whatever a failed step left running."""
        self.fake.idle_hook = None
        if self.application is not None:
            await stop_bot(self.application)
            self.application = None
        if self.db is not None:
            await self.db.close()
            self.db = None


def this_year() -> str:
    return str(datetime.now(UTC).astimezone(VIETNAM_TZ).year)


async def single(fake: FakeBotApi, folder: Path) -> tuple[int, int]:
    """One family through the single form, and its card recognised: (head's, chair's steps)."""
    world = World(fake, folder, "single")
    await world.start()
    head, chair = Steps(fake.user(HEAD)), Steps(fake.user(CHAIR))
    await head.send("/title")
    await head.press("Gia đình học tập")
    await head.send("Trần Văn Bình")
    await head.press(this_year())
    await head.press("⏭ Bỏ qua")
    await head.press("💾 Lưu")
    assert "Đã lưu đề cử" in " ".join(head.user.texts), head.user.last_text
    await chair.press("✅ Công nhận")
    assert "✅ Đã công nhận" in chair.user.callback_answers[-1]
    await world.stop()
    return head.count, chair.count


async def listed(fake: FakeBotApi, folder: Path) -> dict[str, float]:
    """150 families pasted as one list, recognised in one tap; then again with one left out."""
    found: dict[str, float] = {}
    world = World(fake, folder, "list")
    await world.start()
    head, chair = Steps(fake.user(HEAD)), Steps(fake.user(CHAIR))
    families = names(FAMILIES)
    await head.send("/danhsach")
    await head.press("Gia đình học tập")
    await head.press(this_year())
    started = time.perf_counter()
    await head.send("\n".join(families))
    await head.press(f"✅ Xong ({FAMILIES} dòng)")
    found["check_ms"] = (time.perf_counter() - started) * 1000
    assert f"✅ Sẽ gửi: {FAMILIES}" in head.user.last_text, head.user.last_text
    started = time.perf_counter()
    await head.press(f"📤 Gửi danh sách ({FAMILIES})")
    found["send_ms"] = (time.perf_counter() - started) * 1000
    found["head"] = head.count
    started = time.perf_counter()
    await chair.press(f"✅ Công nhận cả {FAMILIES}")
    found["decide_ms"] = (time.perf_counter() - started) * 1000
    found["chair"] = chair.count
    assert world.db is not None
    assert await counters.recompute(world.db) == []
    recognised = await world.db.fetchone(
        "SELECT count(*) FROM nomination WHERE status = 'recognised'"
    )
    assert recognised is not None and recognised[0] == FAMILIES

    # With one family left out, found by typing a few letters of the name.
    await world.stop()
    world = World(fake, folder, "list-out")
    await world.start()
    head, chair = Steps(fake.user(HEAD)), Steps(fake.user(CHAIR))
    await head.send("/danhsach")
    await head.press("Gia đình học tập")
    await head.press(this_year())
    await head.send("\n".join(families))
    await head.press(f"✅ Xong ({FAMILIES} dòng)")
    await head.press(f"📤 Gửi danh sách ({FAMILIES})")
    await chair.press("✂️ Loại bớt rồi công nhận…")
    await chair.send(families[77])
    await chair.press(next(label for label in chair.user.buttons if families[77] in label))
    await chair.press(f"✅ Công nhận {FAMILIES - 1}, loại 1")
    await chair.press("⏭ Bỏ qua")
    assert any(f"{FAMILIES - 1} mục được công nhận" in text for text in chair.user.texts[-3:])
    found["chair_one_out"] = chair.count
    await world.stop()
    return found


async def renewal(fake: FakeBotApi, folder: Path) -> int:
    """Last year's 150 recognised families renewed: the workbook comes filled with them and
    is sent back as it is. The head's steps."""
    world = World(fake, folder, "renewal")
    await world.start()
    assert world.db is not None
    now = datetime.now(UTC)
    lines = [Line(number, name) for number, name in enumerate(names(FAMILIES), start=1)]
    sent = await title_lists.submit(
        world.db,
        HEAD,
        kind=NominationKind.FAMILY,
        unit_id=(await world.db.fetchall("SELECT id FROM unit WHERE name = 'Thôn Đông'"))[0][0],
        year=int(this_year()) - 1,
        lines=lines,
        idempotency_key="last-year",
        now=now,
    )
    assert not isinstance(sent, ReportError)
    decided = await title_lists.decide(world.db, sent.title_list.id, CHAIR, recognise=True, now=now)
    assert not isinstance(decided, ReportError)
    head = Steps(fake.user(HEAD))
    await head.send("/danhsach")
    await head.press("Gia đình học tập")
    await head.press(this_year())
    await head.press("📥 Tệp Excel để điền")
    document = head.user.documents[-1]
    assert document.file_bytes is not None and document.file_name is not None
    await head.send_document(document.file_name, document.file_bytes)
    await head.press(f"📤 Gửi danh sách ({FAMILIES})")
    assert "✅ Đã gửi danh sách số 2" in head.user.last_text, head.user.last_text
    await world.stop()
    return head.count


async def workbook_check(fake: FakeBotApi, folder: Path) -> float:
    """Seconds from a 2,000-row members workbook sent to the bot's check of it."""
    world = World(fake, folder, "members")
    await world.start()
    head = fake.user(HEAD)
    await head.send("/dshoivien")
    await head.press("📥 Tệp Excel để điền")
    document = head.documents[-1]
    assert document.file_bytes is not None and document.file_name is not None
    book = load_workbook(io.BytesIO(document.file_bytes))
    sheet = book.active
    assert sheet is not None
    for index, name in enumerate(names(WORKBOOK_ROWS), start=1):
        row = 4 + index
        values: tuple[int | str, ...] = (
            index,
            name,
            "nữ" if index % 2 else "nam",
            1950 + index % 50,
            "15/10/2025",
        )
        for column, value in enumerate(values, start=1):
            sheet.cell(row, column, value)
        sheet.cell(row, 7, f"09{index:08d}")
    buffer = io.BytesIO()
    book.save(buffer)
    started = time.perf_counter()
    await head.send_document(document.file_name, buffer.getvalue())
    elapsed = time.perf_counter() - started
    assert "✅ Sẵn sàng lưu: 2.000" in head.last_text, head.last_text[-1500:]
    await world.stop()
    return elapsed


async def main() -> None:
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    logging.getLogger("bot.i18n").setLevel(logging.ERROR)
    async with FakeBotApi() as fake:
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            try:
                head_one, chair_one = await single(fake, folder)
                found = await listed(fake, folder)
                renewed = await renewal(fake, folder)
                seconds = await workbook_check(fake, folder)
            finally:
                for world in STARTED:
                    await world.stop()
    head_list, chair_list = int(found["head"]), int(found["chair"])
    print(
        f"steps (taps + messages) for {FAMILIES} learning families, driven over the fake Bot API:"
    )
    print(
        f"  branch head, single nominations: {head_one} per family × {FAMILIES} = "
        f"{head_one * FAMILIES}"
    )
    print(
        f"  branch head, one list pasted:    {head_list}  "
        f"(target under 10: {'met' if head_list < 10 else 'NOT met'})"
    )
    print(f"  branch head, last year's list renewed (the workbook sent back): {renewed}")
    print(
        f"  chair, single cards:             {chair_one} per card × {FAMILIES} = "
        f"{chair_one * FAMILIES}"
    )
    print(
        f"  chair, the list's card:          {chair_list}, or {chair_list + 1} opening it from "
        f"/choduyet (target under 5: {'met' if chair_list + 1 < 5 else 'NOT met'})"
    )
    print(f"  chair, the list with one left out (found by typing): {int(found['chair_one_out'])}")
    print(
        f"time: {FAMILIES} pasted names read and checked {found['check_ms']:.0f} ms; the list "
        f"sent {found['send_ms']:.0f} ms; recognised {found['decide_ms']:.0f} ms "
        f"(each one transaction)"
    )
    print(
        f"time: a {WORKBOOK_ROWS:,}-row workbook of new members read and checked (each row "
        f"against the commune's members): {seconds:.2f} s"
    )


if __name__ == "__main__":
    asyncio.run(main())
