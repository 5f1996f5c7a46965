"""Walking down the hierarchy by buttons from a chair's own unit to a unit of the level wanted.

The draft (a dict in user_data) holds `root`, `parent`, `query` and `page`; every press is
checked against the database: a unit must be a child of the current parent, and the parent
must stay inside the root, whatever the callback data says.

Typed letters also find units by a former name (a commune merged into today's, or an ended
unit's name): "Liên Giang, nay thuộc xã Bắc Tiên Hưng" is offered below the names that match,
as `u:<id>:n`; it may lie deeper than the list shown (a commune while districts are listed),
and choosing it chooses the unit in force, or walks into it when something beneath it is
wanted.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.i18n import N_, Translator
from bot.numbers import parse_number
from bot.storage import units as unit_store
from bot.storage.models import LEVEL_ORDER, Level, Unit
from bot.storage.units import Found
from bot.text import fold
from handlers.common import (
    BotContext,
    answer,
    edit_or_reply,
    reply,
    unit_picker,
    unit_title,
)
from handlers.common import unit_in_sentence as unit_in_sentence

Title = Callable[[Unit], str]

FORMER_HITS = 6
"""At most this many units found by a former name are offered at once."""
FORMER = "n"
"""The last part of a unit button found by a former name: `u:<id>:n`."""

FORMER_NAME = N_("{former}, now in {unit}")
FORMER_NAME_PART = N_("{former} (in part), now in {unit}")
ONLY_FORMER = N_(
    'No name contains "{text}" now; former names that do are shown with the unit they are '
    "part of today."
)
FORMER_TOO = N_(
    'Former names that contain "{text}" are shown with the unit they are part of today.'
)


def former_label(t: Translator, found: Found) -> str:
    """ "Liên Giang, nay thuộc xã Bắc Tiên Hưng": a unit found by a former name."""
    text = FORMER_NAME_PART if found.partly else FORMER_NAME
    return t.gettext(text).format(former=found.former, unit=unit_in_sentence(t, found.unit))


def _reachable(parent: Unit, targets: Collection[Level]) -> list[Level]:
    """The levels beneath `parent` down to the deepest target: where a hit may lie (a map
    may have no middle level; nothing here counts on one)."""
    below = LEVEL_ORDER[LEVEL_ORDER.index(parent.level) + 1 :]
    if not targets:
        return list(below)
    deepest = max(targets, key=LEVEL_ORDER.index)
    return [level for level in below if LEVEL_ORDER.index(level) <= LEVEL_ORDER.index(deepest)]


async def former_hits(
    context: BotContext, parent: Unit, query: str, targets: Collection[Level]
) -> list[Found]:
    """Units beneath `parent` found by a former name containing `query`, except the children
    the list shows already by their own name."""
    folded = fold(query)
    levels = _reachable(parent, targets)
    if not folded or not levels:
        return []
    found = await unit_store.former_names(
        context.db, query, within=parent, levels=levels, limit=FORMER_HITS * 2
    )
    hits = [
        hit
        for hit in found
        if hit.unit.id != parent.id
        and not (hit.unit.parent_id == parent.id and folded in fold(hit.unit.name))
    ]
    return hits[:FORMER_HITS]


def with_hits(
    rows: Sequence[Sequence[InlineKeyboardButton]],
    hits: Sequence[InlineKeyboardButton],
    prefix: str,
) -> list[Sequence[InlineKeyboardButton]]:
    """The hits, one a row, right after the last row of units (before paging and ways out)."""
    starts = (f"{prefix}:u:", f"{prefix}:h")
    last = max(
        (
            index
            for index, row in enumerate(rows)
            if row and str(row[0].callback_data).startswith(starts)
        ),
        default=-1,
    )
    return [*rows[: last + 1], *([hit] for hit in hits), *rows[last + 1 :]]


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
    hits = await former_hits(context, parent, query, targets) if query else []
    if hits and int(draft.get("page", 0)) == 0:
        buttons = [
            InlineKeyboardButton(
                former_label(t, hit), callback_data=f"{prefix}:u:{hit.unit.id}:{FORMER}"
            )
            for hit in hits
        ]
        markup = InlineKeyboardMarkup(with_hits(markup.inline_keyboard, buttons, prefix))
    else:
        hits = []
    empty = Empty()
    if total == 0 and not query and when_empty is not None:
        empty = await when_empty(parent)
    if extra_rows or empty.rows:
        markup = InlineKeyboardMarkup([*markup.inline_keyboard, *empty.rows, *extra_rows])
    lines = [title(parent)]
    if total == 0 and hits:
        lines.append(t.gettext(ONLY_FORMER).format(text=query))
    elif total == 0:
        lines.append(
            t.gettext('No name contains "{text}". Try fewer letters.').format(text=query)
            if query
            else t.gettext("There is nothing to choose here.")
        )
        if empty.text:
            lines.append(empty.text)
    else:
        lines.append(t.gettext("Tap a button, or type a few letters of the name to filter."))
        if hits:
            lines.append(t.gettext(FORMER_TOO).format(text=query))
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
        unit = await _pressed_unit(context, draft, parent, parts, targets)
        if unit is None:
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


async def _pressed_unit(
    context: BotContext,
    draft: dict[str, Any],
    parent: Unit,
    parts: list[str],
    targets: Collection[Level],
) -> Unit | None:
    """The unit a `u:<id>` press chose: a child of the parent in force; with `:n` (found by a
    former name), one in force anywhere beneath it within the root, down to the deepest
    target level. None for anything else."""
    by_former = parts[2:] == [FORMER]
    if parts[:1] != ["u"] or len(parts) != (3 if by_former else 2):
        return None
    unit_id = parse_number(parts[1])
    unit = await unit_store.get(context.db, unit_id) if unit_id is not None else None
    if unit is None or not unit.active:
        return None
    if not by_former:
        return unit if unit.parent_id == parent.id else None
    root = await unit_store.get(context.db, int(draft["root"]))
    inside = root is not None and root.covers(unit) and parent.covers(unit)
    if not inside or unit.id == parent.id or unit.level not in _reachable(parent, targets):
        return None
    return unit
