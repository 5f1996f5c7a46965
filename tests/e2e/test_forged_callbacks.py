"""Forged button presses with other scripts' digits where a number belongs (issue 13).

``"²".isdigit()`` is true and ``int("²")`` raises; ``int("１")`` is 1, so a full-width or
Arabic-Indic digit used to reach the right record (``mr:wy:member:１`` withdrew report 1,
``regd:ok:１`` approved request 1). Every callback prefix the handlers use is pressed with
each of its numbers in turn written in superscript, full-width, Arabic-Indic, Devanagari and
circled digits, by people in each kind of state: idle, in a form, in a unit picker, at a
summary, registering. Each press must get one polite answer, log no error and change nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from bot.fake_bot_api import FakeBotApi, FakeUser
from bot.i18n import translator
from bot.services import campaigns
from bot.storage import people
from bot.storage.db import Database
from bot.storage.models import Unit
from tests.e2e.conftest import VOLUNTEER, BotUnderTest, World
from tests.e2e.test_members import add_member
from tests.e2e.test_registration import register_until_request
from tests.e2e.test_titles import nominate

DIGITS = {
    "superscript": "⁰¹²³⁴⁵⁶⁷⁸⁹",
    "full-width": "０１２３４５６７８９",
    "arabic-indic": "٠١٢٣٤٥٦٧٨٩",
    "devanagari": "०१२३४५६७८९",
    "circled": "⓪①②③④⑤⑥⑦⑧⑨",
}
YEAR = 2026  # the year of BotUnderTest's clock
FORMS = ("member", "title", "contribution", "award")
REPORT_KINDS = ("member", "nomination", "contribution", "award")
APPLICANT, NEWCOMER = 1001, 1002
"""The first has a registration request waiting; the second is in the middle of /start."""
PEOPLE = {"admin": World.ADMIN, "chair": World.CHAIR, "volunteer": VOLUNTEER, "newcomer": NEWCOMER}

_vi = translator("vi")
APOLOGY = _vi.gettext(
    "Sorry, something went wrong on our side. What you entered before is kept. "
    "Please try again, or send /cancel to start over."
)
NOT_UNDERSTOOD = _vi.gettext(
    "Sorry, I did not understand that. Please choose a task from the menu below."
)
TYPE_A_NUMBER = _vi.gettext("Type the report's number, for example: 12.")
PICK_A_UNIT = _vi.gettext("Tap a button, or type a few letters of the name to filter.")


def forge(number: int, kind: str) -> str:
    return str(number).translate(str.maketrans("0123456789", DIGITS[kind]))


@dataclass(frozen=True)
class Button:
    """Callback data with ``{}`` where its numbers go, and the numbers a real button has."""

    template: str
    numbers: tuple[int, ...]

    def forged(self, kind: str, step: int = 0) -> Iterator[str]:
        """The data with one number at a time in another script, the others as sent;
        `STEP` stands for the step of the dialog question on screen."""
        numbers = [step if n == STEP else n for n in self.numbers]
        for slot in range(len(numbers)):
            values = [forge(n, kind) if i == slot else str(n) for i, n in enumerate(numbers)]
            yield self.template.format(*values)


STEP = -1
"""In a Button's numbers: the step of the dialog question on screen (`member:<step>:o:0`)."""


def b(template: str, *numbers: int) -> Button:
    return Button(template, numbers)


@dataclass(frozen=True)
class Seeded:
    """Ids of real things a forged number could be taken for."""

    member: int
    nomination: int
    request: int
    campaign: int


async def seed(fake: FakeBotApi, bot: BotUnderTest, world: World) -> Seeded:
    volunteer = fake.user(VOLUNTEER)
    await add_member(volunteer, "Hoàng Văn Nam", "1960")
    await nominate(volunteer, "Công dân học tập", "Nguyễn Văn Bình")
    await volunteer.press("💾 Lưu")
    await register_until_request(fake.user(APPLICANT), world)
    await campaigns.ensure_defaults(bot.db, range(YEAR, YEAR + 2))
    request = await people.pending_request_of(bot.db, APPLICANT)
    assert request is not None

    async def first(table: str) -> int:
        row = await bot.db.fetchone(f"SELECT min(id) FROM {table}")
        assert row is not None and row[0] is not None, table
        return int(row[0])

    member, nomination = await first("member"), await first("nomination")
    return Seeded(member, nomination, request.id, await first("campaign"))


def picker_buttons(prefix: str, child: Unit) -> list[Button]:
    """What common.unit_picker puts under a list of units: a unit, the pages."""
    return [b(prefix + ":u:{}", child.id), b(prefix + ":p:{}", 1), b(prefix + ":p:{}:all", 0)]


def dialog_picker_buttons(dialog: str, child: Unit) -> list[Button]:
    """The unit picker inside a dialog: its buttons carry the dialog's step."""
    return [
        b(dialog + ":{}:" + x.template.split(":", 1)[1], STEP, *x.numbers)
        for x in picker_buttons(dialog, child)
    ]


def form_buttons(form: str, record: int, child: Unit) -> list[Button]:
    """An option, a shortcut, an answer to change, a record to reopen, and the unit picker."""
    return [
        b(form + ":{}:o:{}", STEP, 0),
        b(form + ":{}:s:{}", STEP, 0),
        b(form + ":{}:f:{}", STEP, 0),
        b(form + ":e:{}", record),
        *dialog_picker_buttons(form, child),
    ]


def stats_buttons(home: Unit) -> list[Button]:
    tail = (home.id, YEAR, YEAR)
    return [
        b("st:s:{}:{}:{}", *tail),
        b("st:d:{}:{}:{}", *tail),
        b("st:d:{}:{}:{}:{}", *tail, 1),
        b("st:c:{}:{}:{}", *tail),
        b("st:x:{}:{}:{}", *tail),
        b("st:g:{}:{}:{}:m", *tail),
        b("st:g:{}:{}:{}:m:{}", *tail, 1),  # a chart's next page
        b("st:b:{}:{}:{}", *tail),  # the map menu
        # The same with the map they are on (the map of the year, today's), and /report's.
        b("st:s:{}:{}:{}:y", *tail),
        b("st:d:{}:{}:{}:t:{}", *tail, 1),
        b("st:x:{}:{}:{}:t", *tail),
        b("st:g:{}:{}:{}:y:m", *tail),
        b("st:b:{}:{}:{}:t:m", *tail),
        b("st:r:{}:{}:{}:t:{}", *tail, YEAR),
    ]


def idle_buttons(world: World, seeded: Seeded) -> list[Button]:
    """Every callback data of handlers/ with a number that is taken outside a conversation
    (the forms' other buttons and /stats' are pressed in their own scenarios below), and two
    that carry none."""
    return [
        *(b(f"mr:o:{kind}:{{}}", seeded.member) for kind in REPORT_KINDS),
        b("mr:w:member:{}", seeded.member),
        b("mr:wy:member:{}", seeded.member),
        *(b(form + ":e:{}", seeded.member) for form in FORMS),
        b("regd:ok:{}", seeded.request),
        b("regd:no:{}", seeded.request),
        *dialog_picker_buttons("registration", world.district),
        *picker_buttons("inv", world.district),
        *picker_buttons("br", world.district),
        b("tg:f:{}", 0),
        b("cp:o:{}", seeded.campaign),
        b("cp:d:{}", seeded.campaign),
        b("cp:x:{}", seeded.campaign),
        b("tt:ok:{}", seeded.nomination),
        b("tt:no:{}", seeded.nomination),
        b("lang:{}", 1),  # no number belongs here
        b("bc:a:{}", 1),
    ]


@dataclass(frozen=True)
class Scenario:
    name: str
    actions: tuple[str, ...]
    """Typed texts, ``press:<label>`` or ``data:<callback data>``, after a /cancel."""
    shows: str
    """Part of the text on screen once there, to be sure the scenario is where it says."""
    buttons: list[Button]

    async def enter(self, user: FakeUser) -> None:
        await user.send("/cancel")
        for action in self.actions:
            if action.startswith("press:"):
                await user.press(action.removeprefix("press:"))
            elif action.startswith("data:"):
                data = action.removeprefix("data:").replace("{step}", str(current_step(user)))
                await user.press_data(data)
            else:
                await user.send(action)
        assert self.shows in user.last_text, (self.name, user.last_text)


def scenarios(who: str, world: World, seeded: Seeded) -> list[Scenario]:
    """Where each kind of person can be when a forged press arrives."""
    helped = "/start" if who == "newcomer" else "/baocaocuatoi"  # what /help tells each to send
    idle = Scenario("idle", ("/help",), helped, idle_buttons(world, seeded))
    if who == "newcomer":
        registering = [
            *dialog_picker_buttons("registration", world.district),
            b("regd:ok:{}", seeded.request),  # not theirs to press, registering or not
            b("mr:o:member:{}", seeded.member),
        ]
        return [
            idle,
            Scenario(
                "registering",
                # the privacy notice is accepted the first time (later its press is refused)
                ("/start", "data:registration:{step}:agree", "Đỗ Văn Mới"),
                PICK_A_UNIT,
                registering,
            ),
        ]
    home = {"admin": world.province, "chair": world.commune, "volunteer": world.branch}[who]
    child = {"admin": world.district, "chair": world.branch, "volunteer": world.branch}[who]
    member = form_buttons("member", seeded.member, child)
    named = ("/member", "Trần Văn Tư")
    answered = (*named, "press:Nam", "1970")
    down = {
        "admin": [world.district, world.commune, world.branch],
        "chair": [world.branch],
        "volunteer": [],
    }[who]
    to_summary = (
        *answered,
        *(f"data:member:{{step}}:u:{unit.id}" for unit in down),
        "press:📅 Hôm nay",
        "press:⏭ Bỏ qua",
    )
    found = [
        idle,
        Scenario(
            "a form's first question",
            ("/title",),
            _vi.gettext("Which title?"),
            form_buttons("title", seeded.member, child),
        ),
        Scenario("a form's options", named, _vi.gettext("Male or female?"), member),
        Scenario("a form's summary", to_summary, _vi.gettext("Please check:"), member),
        Scenario("stats", ("/stats",), "📊", stats_buttons(home)),
    ]
    if who == "volunteer":
        return found
    commune_or_branch = world.district if who == "admin" else world.branch
    branches = [
        *picker_buttons("br", commune_or_branch),
        *dialog_picker_buttons("br", commune_or_branch),
    ]
    branch_list = PICK_A_UNIT if who == "admin" else world.branch.name  # a chair's own commune
    return [
        *found,
        Scenario("a form's unit picker", answered, PICK_A_UNIT, member),
        Scenario(
            "invite picker",
            ("/invite", "data:inv:{step}:r:volunteer"),
            PICK_A_UNIT,
            dialog_picker_buttons("inv", child),
        ),
        Scenario("branches", ("/branches",), branch_list, branches),
    ]


BOOKKEEPING = ("inbound_update", "reply_queue", "lease")
"""Tables of the updates themselves, which every press writes to, and the deliverer's lease."""


async def dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every table but the updates' bookkeeping and PTB's state (drafts may change)."""
    tables = await db.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' "
        "AND name NOT LIKE 'ptb_%' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    names = [str(row[0]) for row in tables if row[0] not in BOOKKEEPING]
    return {
        name: [tuple(row) for row in await db.fetchall(f"SELECT * FROM {name}")] for name in names
    }


class Watch:
    """What one action of one person caused: answers, messages, errors logged."""

    def __init__(self, fake: FakeBotApi, caplog: pytest.LogCaptureFixture) -> None:
        self.fake = fake
        self.caplog = caplog
        self._events = 0
        self._logs = 0

    def start(self) -> None:
        self._events = len(self.fake.events)
        self._logs = len(self.caplog.records)

    def problems(self, user: FakeUser, *, pressed: bool) -> list[str]:
        """Empty if ``user`` got one polite answer and nobody else heard of it."""
        events = self.fake.events[self._events :]
        errors = [r for r in self.caplog.records[self._logs :] if r.levelno >= logging.ERROR]
        answers = [e for e in events if e.kind == "callback_answer"]
        messages = [e for e in events if e.kind in ("sent", "edited")]
        visible = [e.text for e in [*answers, *messages] if e.text]
        found = [f"logged {r.name}: {r.getMessage()}" for r in errors]
        if any(e.chat_id != user.chat_id for e in events):
            found.append(f"others were told: {[(e.chat_id, e.text) for e in events]}")
        if pressed and len(answers) != 1:
            found.append(f"{len(answers)} callback answers")  # the spinner must stop, once
        if len(messages) > 1 or not visible:
            found.append(f"answers {visible!r}")  # silence, or one answer after another
        found += [f"answered {text!r}" for text in visible if text in (APOLOGY, NOT_UNDERSTOOD)]
        return found


def current_step(user: FakeUser) -> int:
    """The step in the buttons of the dialog question on screen, if one is."""
    last = user.last
    for button in last.inline_buttons if last is not None else []:
        parts = str(button.get("callback_data", "")).split(":")
        if len(parts) > 2 and parts[1].isascii() and parts[1].isdigit():
            return int(parts[1])
    return 0


@pytest.mark.parametrize("who", list(PEOPLE))
async def test_forged_digits_get_one_polite_answer(
    fake: FakeBotApi,
    bot: BotUnderTest,
    world: World,
    volunteer: FakeUser,
    caplog: pytest.LogCaptureFixture,
    who: str,
) -> None:
    caplog.set_level(logging.ERROR)
    seeded = await seed(fake, bot, world)
    user = fake.user(PEOPLE[who])
    watch = Watch(fake, caplog)
    problems: list[str] = []
    for scenario in scenarios(who, world, seeded):
        for kind in DIGITS:
            await scenario.enter(user)
            assert user.last is not None
            on_screen = user.last.message_id  # a fresh message for each round to replace
            step = current_step(user)
            before = await dump(bot.db)
            for button in scenario.buttons:
                for data in button.forged(kind, step):
                    watch.start()
                    await user.press_data(data, on_screen)
                    found = watch.problems(user, pressed=True)
                    after = await dump(bot.db)
                    if after != before:
                        changed = [name for name in after if after[name] != before.get(name)]
                        found.append(f"changed the tables {changed}")
                        before = after
                    problems += [f"{scenario.name}, {data!r}: {p}" for p in found]
    assert problems == []


@pytest.mark.parametrize("who", ["admin", "chair"])
async def test_a_report_number_in_other_digits_is_asked_again(
    fake: FakeBotApi,
    bot: BotUnderTest,
    world: World,
    volunteer: FakeUser,
    caplog: pytest.LogCaptureFixture,
    who: str,
) -> None:
    caplog.set_level(logging.ERROR)
    await add_member(volunteer, "Hoàng Văn Nam", "1960")
    chair = fake.user(PEOPLE[who])
    await chair.send("/myreports")
    await chair.press("🔎 Mở báo cáo theo số")
    await chair.press("👤 Hội viên mới")
    assert TYPE_A_NUMBER in chair.last_text
    before = await dump(bot.db)
    watch = Watch(fake, caplog)
    typed = ["²", "¹²", "1²", "#²", *(forge(1, kind) for kind in DIGITS), "#" + forge(1, "circled")]
    for text in typed:
        watch.start()
        await chair.send(text)
        assert watch.problems(chair, pressed=False) == [], text
        assert chair.new_texts == [TYPE_A_NUMBER], text  # asked again, nothing else
    assert await dump(bot.db) == before
    await chair.send(" #1 ")  # ASCII digits open the report, as before
    assert "Hoàng Văn Nam" in chair.last_text
