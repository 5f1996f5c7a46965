"""Dialogs: the one way a conversation is written here.

A *dialog* is a conversation that waits for the person: a report form, registration, the
reason for a rejection, a branch's name. The rules every dialog keeps, whoever writes it:

- **One dialog on screen.** A person has a stack of dialogs, persisted in their `user_data`
  (`screen`); the top one is on screen and gets their typed text. Starting a full flow while
  another waits asks first: continue the old one, or put it aside (its draft is kept and can be
  taken up again from /myreports). A short *interruption* (a rejection's reason, a branch added
  from inside a form) goes on top without asking, and when it ends the dialog below shows its
  question again. Commands that only read (/stats, /help…) answer and then show the waiting
  question again (`come_back`).
- **Buttons belong to their question.** Every button a dialog shows carries the dialog's name
  and the *step* (a counter moved each time the dialog asks something new):
  `member:7:o:2`. A press whose step is not the current one changes nothing and says so.
- **No dead ends**: a dialog's question always offers a way on or out (✖ Cancel at least).

A dialog is a class with `name`, `title`, how it starts (`entry`), and four coroutines:
`begin` (start it), `typed` (text while it is on screen), `pressed` (its current buttons, the
step already checked, given the parts after the step) and `show` (ask the current question
again). It keeps its own data in `context.data[name]` and calls `finish` when it is done.
`DialogRouter` routes updates to dialogs; register it once with every dialog.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, BaseHandler, filters

from bot.i18n import N_, in_every_language
from bot.numbers import parse_number
from handlers.common import (
    CANCEL_COMMANDS,
    FREE_TEXT,
    BotContext,
    MenuItem,
    answer,
    command_or_menu,
    reply,
    tr,
)

_log = logging.getLogger(__name__)

SCREEN = "screen"
ASIDE_LIMIT = 5


@dataclass(frozen=True)
class Entry:
    """How a dialog starts: commands, a main-menu button, callback data of another message
    (a reminder's "start a report", a /myreports "correct" button: `prefix:action:…`)."""

    commands: tuple[str, ...] = ()
    menu: MenuItem | None = None
    callbacks: tuple[str, ...] = ()
    """First callback part after the dialog's name that starts it, e.g. `new` for `member:new`."""
    patterns: tuple[str, ...] = ()
    """Regular expressions on the whole callback data of a button of another message that
    start it, e.g. `^tt:no:[0-9]+$` (a nomination card's ❌ starts the reason question)."""


class Dialog:
    """Base of every dialog; see the module docstring."""

    name: str
    title: str  # msgid, e.g. "New member": what the person is doing
    entry: Entry = Entry()
    interruption: bool = False
    """Goes on top of the dialog on screen without asking, which comes back when it ends."""

    # -- what a dialog implements -------------------------------------------------------

    async def begin(self, update: Update, context: BotContext) -> None:
        raise NotImplementedError

    async def typed(self, update: Update, context: BotContext) -> None:
        """Text (not a command or a menu label) while this dialog is on screen."""
        await self.show(update, context)

    async def pressed(self, update: Update, context: BotContext, parts: list[str]) -> None:
        """A press on one of the current buttons: `parts` follow `name:step:`."""
        await answer(update)
        await self.show(update, context)

    async def show(self, update: Update, context: BotContext, *, note: str = "") -> None:
        """Ask the current question again (after an interruption, a stale press…)."""
        raise NotImplementedError

    async def stray(self, update: Update, context: BotContext) -> None:
        """A photo, a sticker or a document while on screen: ask again."""
        await self.show(update, context)

    def summary(self, data: dict[str, Any]) -> str:
        """A few words naming a draft put aside ("Nguyễn Văn An"); empty if nothing to say."""
        return ""

    def has_answers(self, data: dict[str, Any]) -> bool:
        """Whether leaving would lose something the person entered: then starting something
        else asks first. Forms answer from their values; by default, any data counts."""
        return bool(data)

    async def cancelled(self, update: Update, context: BotContext) -> None:
        """/cancel while on screen; by default the dialog ends and the menu comes back."""
        from handlers.common import show_main_menu

        t = await tr(update, context)
        await finish(context, self)
        await show_main_menu(update, context, t.gettext("Cancelled. Nothing was saved."))

    # -- what a dialog uses -------------------------------------------------------------

    def data(self, context: BotContext) -> dict[str, Any]:
        found: dict[str, Any] = context.data.setdefault(self.name, {})
        return found

    def callback(self, context: BotContext, *parts: object) -> str:
        """Callback data for a button of the question being asked now."""
        return ":".join([self.name, str(current_step(context, self)), *map(str, parts)])

    def button(self, context: BotContext, label: str, *parts: object) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=self.callback(context, *parts))

    def new_step(self, context: BotContext) -> int:
        """Call before showing a new question: older buttons stop counting from here. Steps
        count per person, not per dialog, so a button of a draft put aside never matches a
        question of the next one."""
        frame = _frame(context, self)
        if frame is None:
            raise RuntimeError(f"dialog {self.name} is not open")
        screen = _screen(context)
        screen["seq"] = int(screen.get("seq", 0)) + 1
        frame["step"] = screen["seq"]
        return int(frame["step"])

    def prefix(self, context: BotContext) -> str:
        """`name:step`, for code that builds its own callback data (the unit picker)."""
        return f"{self.name}:{current_step(context, self)}"


# ---------------------------------------------------------------- the stack


def _screen(context: BotContext) -> dict[str, Any]:
    screen: dict[str, Any] = context.data.setdefault(SCREEN, {})
    screen.setdefault("stack", [])
    screen.setdefault("aside", [])
    return screen


def _frame(context: BotContext, dialog: Dialog) -> dict[str, Any] | None:
    for frame in _screen(context)["stack"]:
        if frame["dialog"] == dialog.name:
            found: dict[str, Any] = frame
            return found
    return None


def current_step(context: BotContext, dialog: Dialog) -> int:
    frame = _frame(context, dialog)
    return int(frame.get("step", 0)) if frame else 0


def on_screen(context: BotContext) -> str | None:
    """The name of the dialog on screen, if any."""
    stack = _screen(context)["stack"]
    return str(stack[-1]["dialog"]) if stack else None


def open_dialog(context: BotContext, dialog: Dialog) -> None:
    """Put `dialog` on top (fresh data); what was on screen waits below it."""
    stack = _screen(context)["stack"]
    stack[:] = [frame for frame in stack if frame["dialog"] != dialog.name]
    stack.append({"dialog": dialog.name, "step": 0})
    context.data[dialog.name] = {}


async def finish(context: BotContext, dialog: Dialog) -> None:
    """The dialog is done (saved, cancelled): its data goes, the one below is on screen."""
    screen = _screen(context)
    screen["stack"] = [frame for frame in screen["stack"] if frame["dialog"] != dialog.name]
    context.data.pop(dialog.name, None)
    screen.pop("switch", None)


def put_aside(context: BotContext, dialog: Dialog) -> None:
    """Keep the draft for later (at most `ASIDE_LIMIT`, the oldest goes) and close it."""
    screen = _screen(context)
    data = context.data.pop(dialog.name, None)
    screen["stack"] = [frame for frame in screen["stack"] if frame["dialog"] != dialog.name]
    if data:
        screen["aside_seq"] = int(screen.get("aside_seq", 0)) + 1
        screen["aside"].append({"dialog": dialog.name, "data": data, "id": screen["aside_seq"]})
        del screen["aside"][:-ASIDE_LIMIT]


def aside(context: BotContext) -> list[dict[str, Any]]:
    """Drafts put aside, oldest first: `{"dialog": name, "data": …}`."""
    found: list[dict[str, Any]] = _screen(context)["aside"]
    return found


def take_aside(context: BotContext, index: int) -> dict[str, Any] | None:
    drafts = aside(context)
    return drafts.pop(index) if 0 <= index < len(drafts) else None


def resume_callback(context: BotContext, index: int) -> str:
    """Callback data of a button that takes up the draft put aside at `index` of `aside`. It
    names the draft, not the position: an old listing pressed later takes up that draft or
    none."""
    entry = aside(context)[index]
    return f"switch:resume:{entry.get('id', index)}"


def _aside_index(context: BotContext, draft_id: int) -> int | None:
    for index, entry in enumerate(aside(context)):
        if entry.get("id", index) == draft_id:
            return index
    return None


# ---------------------------------------------------------------- texts

STALE = N_("That button belongs to an earlier question; nothing was changed.")
SWITCH = N_(
    "You have not finished: {current}. Continue it, or put it aside (it is kept, and /myreports "
    "lets you take it up again) and start {new}?"
)
CONTINUE = N_("▶ Continue: {current}")
PUT_ASIDE = N_("⏸ Put aside, start: {new}")
BACK_TO = N_("Back to: {current}")


# ---------------------------------------------------------------- routing


@dataclass
class DialogRouter(BaseHandler[Update, BotContext, None]):
    """One handler for every dialog, in the flows' group before everything else there:

    - a callback `name:step:…` of a dialog: to it if it is on screen and the step is current,
      else a polite "nothing changed"; `name:<entry>:…`: starts it (as the commands do);
    - `switch:…`: the answer to "continue or put aside";
    - a dialog's command or menu button: starts it (or asks first, see the module);
    - /cancel while a dialog is on screen: to that dialog;
    - any other text, photo, document while a dialog is on screen: to it.

    Everything else (commands that only read, stateless buttons such as a chair's decision on
    a nomination card) is left to the handlers after it.
    """

    dialogs: Sequence[Dialog] = ()
    application: Application[Any, Any, Any, Any, Any, Any] | None = None
    _by_name: dict[str, Dialog] = field(default_factory=dict)
    _by_command: dict[str, Dialog] = field(default_factory=dict)
    _by_label: dict[str, Dialog] = field(default_factory=dict)
    _patterns: list[tuple[re.Pattern[str], Dialog]] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self._unused)
        for dialog in self.dialogs:
            self._patterns += [(re.compile(p), dialog) for p in dialog.entry.patterns]
            self._by_name[dialog.name] = dialog
            for command in dialog.entry.commands:
                self._by_command[command] = dialog
            if dialog.entry.menu is not None:
                for label in in_every_language(dialog.entry.menu.label):
                    self._by_label[label] = dialog

    def dialog(self, name: str) -> Dialog | None:
        return self._by_name.get(name)

    # -- matching (synchronous: PTB asks every handler in turn) ---------------------------

    def _screen_of(self, update: Update) -> str | None:
        if self.application is None or update.effective_user is None:
            return None
        data = self.application.user_data.get(update.effective_user.id) or {}
        stack = (data.get(SCREEN) or {}).get("stack") or []
        return str(stack[-1]["dialog"]) if stack else None

    def check_update(self, update: object) -> Any:
        if not isinstance(update, Update) or update.effective_user is None:
            return None
        query = update.callback_query
        if query is not None:
            data = query.data or ""
            parts = data.split(":")
            if parts[0] == "switch":
                return ("switch", None)
            dialog = self._by_name.get(parts[0])
            if dialog is not None and len(parts) > 1:
                if parts[1] in dialog.entry.callbacks:
                    return ("start", dialog.name)
                if parts[1].isascii() and parts[1].isdigit():
                    return ("press", dialog.name)
            for pattern, started in self._patterns:
                if pattern.match(data):
                    return ("start", started.name)
            return None
        message = update.effective_message
        if message is None or update.edited_message is not None:
            return None
        text = (message.text or "").strip()
        if text.startswith("/"):
            command = text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() if text[1:] else ""
            if command in self._by_command:
                return ("start", self._by_command[command].name)
            if command in CANCEL_COMMANDS and self._screen_of(update) is not None:
                return ("cancel", None)
            return None
        if text in self._by_label:
            return ("start", self._by_label[text].name)
        if command_or_menu(update) is not None:
            return None  # another feature's menu button (❓ Help, 🌐 Language): not an answer
        if self._screen_of(update) is None:
            return None
        if FREE_TEXT.check_update(update):
            return ("typed", None)
        if filters.ALL.check_update(update) and not filters.COMMAND.check_update(update):
            return ("stray", None)
        return None

    # -- handling ----------------------------------------------------------------------

    async def _unused(self, update: Update, context: BotContext) -> None:
        raise AssertionError("handle_update routes without the callback")

    async def handle_update(  # type: ignore[override]
        self,
        update: Update,
        application: Application[Any, Any, Any, Any, Any, Any],
        check_result: tuple[str, str | None],
        context: BotContext,
    ) -> None:
        self.collect_additional_context(context, update, application, check_result)
        await self._route(update, context, *check_result)

    async def _route(
        self, update: Update, context: BotContext, kind: str, name: str | None
    ) -> None:
        before = on_screen(context)
        below = [frame["dialog"] for frame in _screen(context)["stack"][:-1]]
        if kind == "start" and name is not None:
            await self.start(update, context, self._by_name[name])
        elif kind == "press" and name is not None:
            await self._pressed(update, context, name)
        elif kind == "switch":
            await self._switch_pressed(update, context)
        else:
            top = self._by_name.get(on_screen(context) or "")
            if top is None:
                return
            if kind == "cancel":
                await top.cancelled(update, context)
            elif kind == "typed":
                await top.typed(update, context)
            else:
                await top.stray(update, context)
        # An interruption ended: the dialog that waited below asks its question again.
        now = on_screen(context)
        if now is not None and now != before and now in below:
            await self.show_current(update, context)

    async def show_current(self, update: Update, context: BotContext) -> None:
        """Ask the question of the dialog on screen again, saying what it belongs to."""
        dialog = self._by_name.get(on_screen(context) or "")
        if dialog is None:
            return
        t = await tr(update, context)
        await dialog.show(
            update, context, note=t.gettext(BACK_TO).format(current=t.gettext(dialog.title))
        )

    async def start(
        self, update: Update, context: BotContext, dialog: Dialog, *, resume: int | None = None
    ) -> None:
        """Start `dialog` (or take up the draft put aside at `resume`), unless another full
        flow waits with answers in it: then ask first."""
        stack = _screen(context)["stack"]
        if resume is None and any(frame["dialog"] == dialog.name for frame in stack[:-1]):
            # It waits below an interruption: leave the interruption, keep its draft.
            while on_screen(context) not in (dialog.name, None):
                above = self._by_name.get(on_screen(context) or "")
                if above is None:
                    break
                await finish(context, above)
            await answer(update)
            await dialog.show(update, context)
            return
        current = self._by_name.get(on_screen(context) or "")
        if (
            current is not None
            and not dialog.interruption
            and not current.interruption
            and current.has_answers(current.data(context))
        ):
            await answer(update)
            await self._ask_switch(update, context, current, dialog, resume)
            return
        if current is not None and not dialog.interruption and not current.interruption:
            await finish(context, current)  # nothing in it yet: nothing to keep
        await self._open(update, context, dialog, resume)

    async def _open(
        self, update: Update, context: BotContext, dialog: Dialog, resume: int | None
    ) -> None:
        open_dialog(context, dialog)
        kept = take_aside(context, resume) if resume is not None else None
        if kept is not None and kept["dialog"] == dialog.name:
            context.data[dialog.name] = kept["data"]
            await answer(update)
            await dialog.show(update, context)
            return
        await dialog.begin(update, context)

    async def resume(self, update: Update, context: BotContext, index: int) -> None:
        """Take up a draft put aside (a /myreports button)."""
        drafts = aside(context)
        dialog = self._by_name.get(drafts[index]["dialog"]) if 0 <= index < len(drafts) else None
        if dialog is None:
            t = await tr(update, context)
            await answer(update, t.gettext(STALE), alert=True)
            return
        await self.start(update, context, dialog, resume=index)

    async def _ask_switch(
        self,
        update: Update,
        context: BotContext,
        current: Dialog,
        new: Dialog,
        resume: int | None,
    ) -> None:
        t = await tr(update, context)
        screen = _screen(context)
        screen["switch"] = {"to": new.name, "update": update.to_dict(), "resume": resume}
        names = {"current": t.gettext(current.title), "new": t.gettext(new.title)}
        keep = InlineKeyboardButton(
            t.gettext(CONTINUE).format(**names), callback_data="switch:keep"
        )
        leave = InlineKeyboardButton(
            t.gettext(PUT_ASIDE).format(**names), callback_data=f"switch:aside:{new.name}"
        )
        markup = InlineKeyboardMarkup([[keep], [leave]])
        await reply(update, t.gettext(SWITCH).format(**names), markup)

    async def _pressed(self, update: Update, context: BotContext, name: str) -> None:
        assert update.callback_query is not None
        parts = (update.callback_query.data or "").split(":")
        t = await tr(update, context)
        dialog = self._by_name[name]
        rest = parts[1:]
        step = parse_number(rest[0]) if rest else None
        if on_screen(context) != name or step is None or step != current_step(context, dialog):
            await answer(update, t.gettext(STALE), alert=True)
            return
        await dialog.pressed(update, context, rest[1:])

    async def _switch_pressed(self, update: Update, context: BotContext) -> None:
        assert update.callback_query is not None
        parts = (update.callback_query.data or "").split(":")[1:]
        if parts[:1] == ["resume"] and len(parts) == 2:
            draft_id = parse_number(parts[1])
            index = _aside_index(context, draft_id) if draft_id is not None else None
            await self.resume(update, context, -1 if index is None else index)
            return
        screen = _screen(context)
        switch = screen.get("switch")
        current = self._by_name.get(on_screen(context) or "")
        t = await tr(update, context)
        if switch is None or current is None:
            await answer(update, t.gettext(STALE), alert=True)
            return
        screen.pop("switch", None)
        await answer(update)
        new = self._by_name.get(str(switch["to"]))
        if parts == ["aside", str(switch["to"])] and new is not None:
            resume = switch.get("resume")
            kept = take_aside(context, resume) if isinstance(resume, int) else None
            put_aside(context, current)
            open_dialog(context, new)
            if kept is not None and kept["dialog"] == new.name:
                context.data[new.name] = kept["data"]
                await new.show(update, context)
                return
            original = Update.de_json(switch["update"], context.bot)
            await new.begin(original if original is not None else update, context)
            return
        await current.show(update, context)


def adopt_open_drafts(
    application: Application[Any, Any, Any, Any, Any, Any], dialogs: Sequence[Dialog]
) -> int:
    """Drafts of forms opened before dialogs existed (PTB conversations kept them in
    `user_data` under the form's name): put each on its person's screen, so the next message
    answers it instead of being "not understood". Returns how many were adopted."""
    names = {dialog.name for dialog in dialogs}
    adopted = 0
    for user_id, data in application.user_data.items():
        if not isinstance(data, dict) or SCREEN in data:
            continue
        open_names = [name for name in names if isinstance(data.get(name), dict) and data[name]]
        if open_names:
            data[SCREEN] = {
                "stack": [{"dialog": name, "step": 0} for name in sorted(open_names)],
                "aside": [],
            }
            application.mark_data_for_update_persistence(user_ids=user_id)
            adopted += 1
    return adopted
