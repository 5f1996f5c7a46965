"""/branches: a commune chair lists the commune's branches (chi hội) and adds new ones."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
)

from bot.i18n import Translator
from bot.services import hierarchy, scopes
from bot.services.hierarchy import BranchNameTaken
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.models import BRANCH_KINDS, ROLE_RANK, Level, Role, Unit, UnitKind
from bot.text import clean_name
from handlers import picker
from handlers.common import (
    CANCEL_COMMANDS,
    FREE_TEXT,
    KIND_LABELS,
    MENU_BRANCHES,
    BotContext,
    answer,
    edit_or_reply,
    menu_filter,
    parse_callback,
    reply,
    show_main_menu,
    tr,
    unit_title,
)
from handlers.interrupting import forget, interrupting

COMMUNE, LIST, NAME, KIND = "commune", "list", "name", "kind"
PREFIX = "br"
END = ConversationHandler.END


def _draft(context: BotContext) -> dict[str, Any]:
    draft: dict[str, Any] = context.data.setdefault("branches_draft", {})
    return draft


def _title(t: Translator) -> picker.Title:
    return lambda parent: t.gettext("Whose branches? Choose a commune in {unit}.").format(
        unit=unit_title(t, parent)
    )


async def begin(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    user = update.effective_user
    assert user is not None
    top = scopes.highest(await people.grants_of(context.db, user.id))
    if top is None or top.rank < ROLE_RANK[Role.COMMUNE_CHAIR]:
        await reply(update, t.gettext("Only chairs can manage branches."))
        return END
    context.data["branches_draft"] = {}
    if top.unit.level is Level.COMMUNE:
        return await _show_list(update, context, t, top.unit)
    draft = _draft(context)
    picker.start(draft, top.unit)
    await picker.show(update, context, t, draft, prefix=PREFIX, title=_title(t))
    return COMMUNE


async def _commune(update: Update, context: BotContext) -> Unit | None:
    """The commune in the draft, re-checked against the user's scope."""
    commune_id = _draft(context).get("commune")
    commune = await unit_store.get(context.db, int(commune_id)) if commune_id else None
    if commune is None or update.effective_user is None:
        return None
    grants = await people.grants_of(context.db, update.effective_user.id)
    return commune if scopes.can_manage_branches(grants, commune) else None


async def _show_list(
    update: Update,
    context: BotContext,
    t: Translator,
    commune: Unit,
    *,
    note: str = "",
    edit: bool = False,
) -> str:
    _draft(context)["commune"] = commune.id
    branches = await unit_store.children(context.db, commune.id)
    lines = [note] if note else []
    lines.append(
        t.gettext("Branches of {unit}: {count}").format(
            unit=unit_title(t, commune), count=t.number(len(branches))
        )
    )
    lines += [
        f"{number}. {branch.name} ({t.gettext(KIND_LABELS[branch.kind])})"
        for number, branch in enumerate(branches, start=1)
    ]
    buttons = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t.gettext("➕ Add a branch"), callback_data=f"{PREFIX}:add")],
            [InlineKeyboardButton(t.gettext("✔ Done"), callback_data=f"{PREFIX}:x")],
        ]
    )
    if edit:
        await edit_or_reply(update, "\n".join(lines), buttons)
    else:
        await reply(update, "\n".join(lines), buttons)
    return LIST


async def commune_typed(update: Update, context: BotContext) -> str:
    t = await tr(update, context)
    assert update.message is not None and update.message.text is not None
    await picker.typed(
        update, context, t, _draft(context), update.message.text, prefix=PREFIX, title=_title(t)
    )
    return COMMUNE


async def commune_pressed(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    assert update.callback_query is not None
    parts = parse_callback(update.callback_query.data, PREFIX)
    draft = _draft(context)
    if "root" not in draft:
        await answer(update)
        return await begin(update, context)
    commune = await picker.pressed(
        update, context, t, draft, parts, prefix=PREFIX, title=_title(t), target=Level.COMMUNE
    )
    if commune is None:
        return COMMUNE
    return await _show_list(update, context, t, commune, edit=True)


async def list_pressed(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    assert update.callback_query is not None
    parts = parse_callback(update.callback_query.data, PREFIX)
    await answer(update)
    if parts == ["add"] and await _commune(update, context) is not None:
        await reply(update, t.gettext("Type the new branch's name, for example: Thon Dong."))
        return NAME
    context.data.pop("branches_draft", None)
    await edit_or_reply(update, t.gettext("Done."))
    return END


async def name_typed(update: Update, context: BotContext) -> str:
    t = await tr(update, context)
    assert update.message is not None and update.message.text is not None
    name = clean_name(update.message.text)
    if not 2 <= len(name) <= 120:
        await reply(
            update,
            t.gettext(
                "A branch name has 2 to 120 characters. Type the name, for example: Thon Dong."
            ),
        )
        return NAME
    _draft(context)["name"] = name
    buttons = [
        [
            InlineKeyboardButton(
                t.gettext(KIND_LABELS[kind]), callback_data=f"{PREFIX}:k:{kind.value}"
            )
        ]
        for kind in BRANCH_KINDS
    ]
    await reply(
        update,
        t.gettext("What kind of branch is {name}?").format(name=name),
        InlineKeyboardMarkup(buttons),
    )
    return KIND


async def kind_pressed(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    user = update.effective_user
    assert update.callback_query is not None and user is not None
    parts = parse_callback(update.callback_query.data, PREFIX)
    kind = next((k for k in BRANCH_KINDS if parts == ["k", k.value]), None)
    commune = await _commune(update, context)
    name = _draft(context).get("name")
    if kind is None or commune is None or not isinstance(name, str):
        await answer(update, t.gettext("This button is not valid."), alert=True)
        return KIND
    await answer(update)
    try:
        branch = await hierarchy.create_branch(
            context.db, commune, name, UnitKind(kind), actor_id=user.id
        )
    except BranchNameTaken:
        await edit_or_reply(
            update,
            t.gettext("{unit} already has a branch called {name}. Type another name.").format(
                unit=unit_title(t, commune), name=name
            ),
        )
        return NAME
    return await _show_list(
        update,
        context,
        t,
        commune,
        note=t.gettext("✅ Added {unit}.").format(unit=unit_title(t, branch)),
        edit=True,
    )


async def cancel(update: Update, context: BotContext) -> int:
    t = await tr(update, context)
    context.data.pop("branches_draft", None)
    await show_main_menu(update, context, t.gettext("Cancelled."))
    return END


def build_interrupting() -> list[BaseHandler[Update, BotContext, Any]]:
    """A chair may add a missing branch in the middle of a form (see handlers/interrupting.py)."""
    return [
        interrupting(
            name="branches",
            entry_points=[
                CommandHandler(["branches", "chihoi"], begin),
                MessageHandler(menu_filter(MENU_BRANCHES), begin),
            ],
            states={
                COMMUNE: [
                    CallbackQueryHandler(commune_pressed, pattern=rf"^{PREFIX}:"),
                    MessageHandler(FREE_TEXT, commune_typed),
                ],
                LIST: [CallbackQueryHandler(list_pressed, pattern=rf"^{PREFIX}:")],
                NAME: [MessageHandler(FREE_TEXT, name_typed)],
                KIND: [CallbackQueryHandler(kind_pressed, pattern=rf"^{PREFIX}:")],
            },
            fallbacks=[CommandHandler(CANCEL_COMMANDS, cancel)],
            leave=forget("branches_draft"),
        )
    ]
