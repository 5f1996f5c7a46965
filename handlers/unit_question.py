"""A dialog's question answered with the unit picker: a form's unit, /invite's unit,
/branches' commune.

One helper, so that every dialog asking for a unit behaves the same way: the picker's buttons
belong to the dialog's current question (`name:step:u:…`), a few typed letters filter the
list, ✖ Cancel is always offered, and a list with nothing to choose says so and offers what
to do (`when_empty`: a chair adds the missing branch there and then).

The walk down the hierarchy (`handlers.picker`) keeps its draft in the dialog's data under
`PICKER`; the dialog decides what comes before (`begin`, from the person's own unit) and what
a chosen unit does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

from telegram import InlineKeyboardButton, Update

from bot.i18n import Translator
from bot.storage.models import Level, Unit
from handlers import picker
from handlers.common import BotContext
from handlers.dialogs import Dialog

PICKER = "picker"
"""The key of the picker's draft in the dialog's data: present while it asks for a unit."""

_PRESSES = (["u"], ["p"], ["b"], ["h"])


class _Picking(TypedDict):
    prefix: str
    title: picker.Title
    extra_rows: list[list[InlineKeyboardButton]]
    when_empty: picker.WhenEmpty | None


def is_press(parts: list[str]) -> bool:
    """Whether a press of the dialog (the parts after `name:step:`) is one of the picker's."""
    return parts[:1] in _PRESSES


@dataclass(frozen=True)
class UnitQuestion:
    """The unit question of `dialog` as it is asked now."""

    dialog: Dialog
    title: picker.Title
    """The text above the list, given the unit whose children are listed."""
    levels: tuple[Level, ...]
    """The levels a unit may be chosen at."""
    cancel: str
    """The dialog's callback part for ✖ Cancel, the question's way out."""
    when_empty: picker.WhenEmpty | None = None

    def begin(self, context: BotContext, root: Unit) -> None:
        """Start the walk at `root` (the person's own unit)."""
        picker.start(self.dialog.data(context).setdefault(PICKER, {}), root)

    async def show(
        self, update: Update, context: BotContext, t: Translator, *, edit: bool = False
    ) -> None:
        """Ask: older buttons stop counting, the list of the current unit's children."""
        self.dialog.new_step(context)
        await picker.show(
            update,
            context,
            t,
            self._draft(context),
            edit=edit,
            targets=self.levels,
            **self._picking(context, t),
        )

    async def typed(self, update: Update, context: BotContext, t: Translator, text: str) -> None:
        """A few letters of a name: the list filtered."""
        await picker.typed(
            update,
            context,
            t,
            self._draft(context),
            text,
            targets=self.levels,
            **self._picking(context, t),
        )

    async def pressed(
        self, update: Update, context: BotContext, t: Translator, parts: list[str]
    ) -> Unit | None:
        """A press of the picker (`is_press`): the unit once one is chosen, else None (the
        list moved on, or the press was refused and said so)."""
        return await picker.pressed(
            update,
            context,
            t,
            self._draft(context),
            parts,
            target=self.levels,
            **self._picking(context, t),
        )

    def _draft(self, context: BotContext) -> dict[str, Any]:
        draft: dict[str, Any] = self.dialog.data(context)[PICKER]
        return draft

    def _picking(self, context: BotContext, t: Translator) -> _Picking:
        """What every call of the picker is given: the current question's prefix, the title,
        the way out, what to offer when there is nothing to choose."""
        cancel = self.dialog.button(context, t.gettext("✖ Cancel"), self.cancel)
        return _Picking(
            prefix=self.dialog.prefix(context),
            title=self.title,
            extra_rows=[[cancel]],
            when_empty=self.when_empty,
        )
