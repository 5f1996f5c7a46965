"""Walking down the hierarchy by buttons from a chair's own unit to a unit of the level wanted.

The draft (a dict in user_data) holds `root`, `parent`, `query` and `page`; every press is
checked against the database: a unit must be a child of the current parent, and the parent
must stay inside the root, whatever the callback data says.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from telegram import Update

from bot.i18n import Translator
from bot.storage import units as unit_store
from bot.storage.models import Level, Unit
from handlers.common import BotContext, answer, edit_or_reply, parse_int, reply, unit_picker

Title = Callable[[Unit], str]


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
) -> None:
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
    lines = [title(parent)]
    if total == 0:
        lines.append(
            t.gettext('No name contains "{text}". Try fewer letters.').format(text=query)
            if query
            else t.gettext("There is nothing to choose here.")
        )
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
) -> None:
    draft.update(query=text.strip()[:50], page=0)
    await show(update, context, t, draft, prefix=prefix, title=title)


async def pressed(
    update: Update,
    context: BotContext,
    t: Translator,
    draft: dict[str, Any],
    parts: list[str],
    *,
    prefix: str,
    title: Title,
    target: Level,
) -> Unit | None:
    """Handle one press; returns the unit once one of the `target` level is chosen."""
    parent = await unit_store.get(context.db, int(draft["parent"]))
    assert parent is not None
    if parts[:1] == ["p"] and len(parts) >= 2 and parse_int(parts[1]) is not None:
        draft["page"] = int(parts[1])
        if parts[2:] == ["all"]:
            draft["query"] = ""
    elif parts == ["b"]:
        if parent.id != draft["root"] and parent.parent_id is not None:
            draft.update(parent=parent.parent_id, query="", page=0)
    else:
        unit_id = parse_int(parts[1]) if parts[:1] == ["u"] and len(parts) == 2 else None
        unit = await unit_store.get(context.db, unit_id) if unit_id is not None else None
        if unit is None or unit.parent_id != parent.id or not unit.active:
            await answer(update, t.gettext("That choice is not available any more."), alert=True)
            return None
        if unit.level is target:
            await answer(update)
            return unit
        draft.update(parent=unit.id, query="", page=0)
    await answer(update)
    await show(update, context, t, draft, prefix=prefix, title=title, edit=True)
    return None
