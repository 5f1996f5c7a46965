"""Walking down the hierarchy by buttons from a chair's own unit to a unit of the level wanted.

The draft (a dict in user_data) holds `root`, `parent`, `query` and `page`; every press is
checked against the database: a unit must be a child of the current parent, and the parent
must stay inside the root, whatever the callback data says.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.i18n import Translator
from bot.numbers import parse_number
from bot.storage import units as unit_store
from bot.storage.models import LEVEL_ORDER, Level, Unit
from handlers.common import (
    BotContext,
    answer,
    edit_or_reply,
    reply,
    unit_picker,
    unit_title,
)

Title = Callable[[Unit], str]


@dataclass(frozen=True)
class Empty:
    """What a list with nothing to choose offers besides its way out: a line saying what to
    do, buttons that do it (a chair adds the missing branch there and then)."""

    text: str = ""
    rows: Sequence[Sequence[InlineKeyboardButton]] = ()


WhenEmpty = Callable[[Unit], Awaitable[Empty]]
"""Asked with the parent whose list is empty (and no filter typed)."""


def start(draft: dict[str, Any], root: Unit) -> None:
    draft.update(root=root.id, parent=root.id, query="", page=0)


async def show(
    update: Update,
    context: BotContext,
    t: Translator,
    draft: dict[str, Any],
    *,
    prefix: str,
    title: Title,
    edit: bool = False,
    targets: Collection[Level] = (),
    extra_rows: Sequence[Sequence[InlineKeyboardButton]] = (),
    when_empty: WhenEmpty | None = None,
) -> None:
    """The children of the current parent as buttons; with `targets` including the parent's
    level, a first button chooses the parent itself; `extra_rows` (a way out) go last, after
    what `when_empty` offers when there is nothing to choose."""
    parent = await unit_store.get(context.db, int(draft["parent"]))
    assert parent is not None
    query = str(draft.get("query", ""))
    markup, total = await unit_picker(
        t,
        context.db,
        parent,
        prefix=prefix,
        page=int(draft.get("page", 0)),
        query=query,
        back=draft["parent"] != draft["root"],
    )
    if parent.level in targets:
        here = InlineKeyboardButton(
            t.gettext("✔ {unit}").format(unit=unit_title(t, parent)), callback_data=f"{prefix}:h"
        )
        markup = InlineKeyboardMarkup([[here], *markup.inline_keyboard])
        total += 1
    empty = Empty()
    if total == 0 and not query and when_empty is not None:
        empty = await when_empty(parent)
    if extra_rows or empty.rows:
        markup = InlineKeyboardMarkup([*markup.inline_keyboard, *empty.rows, *extra_rows])
    lines = [title(parent)]
    if total == 0:
        lines.append(
            t.gettext('No name contains "{text}". Try fewer letters.').format(text=query)
            if query
            else t.gettext("There is nothing to choose here.")
        )
        if empty.text:
            lines.append(empty.text)
    else:
        lines.append(t.gettext("Tap a button, or type a few letters of the name to filter."))
    if edit:
        await edit_or_reply(update, "\n".join(lines), markup)
    else:
        await reply(update, "\n".join(lines), markup)


async def typed(
    update: Update,
    context: BotContext,
    t: Translator,
    draft: dict[str, Any],
    text: str,
    *,
    prefix: str,
    title: Title,
    targets: Collection[Level] = (),
    extra_rows: Sequence[Sequence[InlineKeyboardButton]] = (),
    when_empty: WhenEmpty | None = None,
) -> None:
    draft.update(query=text.strip()[:50], page=0)
    await show(
        update,
        context,
        t,
        draft,
        prefix=prefix,
        title=title,
        targets=targets,
        extra_rows=extra_rows,
        when_empty=when_empty,
    )


async def pressed(
    update: Update,
    context: BotContext,
    t: Translator,
    draft: dict[str, Any],
    parts: list[str],
    *,
    prefix: str,
    title: Title,
    target: Level | Collection[Level],
    extra_rows: Sequence[Sequence[InlineKeyboardButton]] = (),
    when_empty: WhenEmpty | None = None,
) -> Unit | None:
    """Handle one press; returns the unit once one of a `target` level is chosen.

    A unit of the deepest target level is chosen by pressing it; a shallower target is chosen
    with the "✔" button shown while its children are listed.
    """
    targets = (target,) if isinstance(target, Level) else tuple(target)
    deepest = max(targets, key=LEVEL_ORDER.index)
    parent = await unit_store.get(context.db, int(draft["parent"]))
    assert parent is not None
    if parts == ["h"]:
        if parent.level in targets:
            await answer(update)
            return parent
        await answer(update, t.gettext("That choice is not available any more."), alert=True)
        return None
    if parts[:1] == ["p"] and len(parts) >= 2 and (page := parse_number(parts[1])) is not None:
        draft["page"] = page
        if parts[2:] == ["all"]:
            draft["query"] = ""
    elif parts == ["b"]:
        if parent.id != draft["root"] and parent.parent_id is not None:
            draft.update(parent=parent.parent_id, query="", page=0)
    else:
        unit_id = parse_number(parts[1]) if parts[:1] == ["u"] and len(parts) == 2 else None
        unit = await unit_store.get(context.db, unit_id) if unit_id is not None else None
        if unit is None or unit.parent_id != parent.id or not unit.active:
            await answer(update, t.gettext("That choice is not available any more."), alert=True)
            return None
        if unit.level is deepest:
            await answer(update)
            return unit
        draft.update(parent=unit.id, query="", page=0)
    await answer(update)
    await show(
        update,
        context,
        t,
        draft,
        prefix=prefix,
        title=title,
        edit=True,
        targets=targets,
        extra_rows=extra_rows,
        when_empty=when_empty,
    )
    return None
