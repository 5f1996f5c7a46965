"""/invite: a chair creates a one-time link that registers someone with a role on a unit."""

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
from bot.services import registration, scopes
from bot.services.registration import InviteProblem
from bot.storage import people
from bot.storage.models import ROLE_LEVEL, Role, Unit
from handlers import picker
from handlers.common import (
    CANCEL_COMMANDS,
    FREE_TEXT,
    MENU_INVITE,
    BotContext,
    answer,
    edit_or_reply,
    menu_filter,
    parse_callback,
    reply,
    role_label,
    show_main_menu,
    tr,
    unit_address,
    unit_title,
)
from handlers.interrupting import forget, interrupting
from handlers.start import invite_problem_text

ROLE, UNIT = "role", "unit"
PREFIX = "inv"
END = ConversationHandler.END


def _draft(context: BotContext) -> dict[str, Any]:
    draft: dict[str, Any] = context.data.setdefault("invite_draft", {})
    return draft


async def begin(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    user = update.effective_user
    assert user is not None
    grants = await people.grants_of(context.db, user.id)
    roles = scopes.invitable_roles(grants)
    if not roles:
        await reply(update, t.gettext("Only chairs can invite people."))
        return END
    context.data["invite_draft"] = {}
    buttons = [
        [InlineKeyboardButton(role_label(t, role), callback_data=f"{PREFIX}:r:{role.value}")]
        for role in reversed(roles)
    ]
    buttons.append([InlineKeyboardButton(t.gettext("✖ Cancel"), callback_data=f"{PREFIX}:x")])
    await reply(update, t.gettext("Whom do you want to invite?"), InlineKeyboardMarkup(buttons))
    return ROLE


async def role_chosen(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    user = update.effective_user
    assert user is not None and update.callback_query is not None
    parts = parse_callback(update.callback_query.data, PREFIX)
    if parts == ["x"]:
        return await _cancelled(update, context, t)
    grants = await people.grants_of(context.db, user.id)
    allowed = scopes.invitable_roles(grants)
    role = next((r for r in allowed if parts == ["r", r.value]), None)
    if role is None:
        await answer(update, t.gettext("This button is not valid."), alert=True)
        return ROLE
    await answer(update)
    top = scopes.highest(grants)
    assert top is not None
    draft = _draft(context)
    draft["role"] = role.value
    picker.start(draft, top.unit)
    await picker.show(update, context, t, draft, prefix=PREFIX, title=_title(t, role), edit=True)
    return UNIT


def _title(t: Translator, role: Role) -> picker.Title:
    return lambda parent: t.gettext("Invite a {role}: choose the unit in {unit}.").format(
        role=role_label(t, role), unit=unit_title(t, parent)
    )


async def unit_typed(update: Update, context: BotContext) -> str:
    t = await tr(update, context)
    assert update.message is not None and update.message.text is not None
    draft = _draft(context)
    await picker.typed(
        update,
        context,
        t,
        draft,
        update.message.text,
        prefix=PREFIX,
        title=_title(t, Role(draft["role"])),
    )
    return UNIT


async def unit_chosen(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    assert update.callback_query is not None
    parts = parse_callback(update.callback_query.data, PREFIX)
    draft = _draft(context)
    if parts == ["x"]:
        return await _cancelled(update, context, t)
    if "role" not in draft:
        await answer(update)
        return await begin(update, context)
    role = Role(draft["role"])
    unit = await picker.pressed(
        update,
        context,
        t,
        draft,
        parts,
        prefix=PREFIX,
        title=_title(t, role),
        target=ROLE_LEVEL[role],
    )
    if unit is None:
        return UNIT
    return await _create(update, context, t, role, unit)


async def _create(
    update: Update, context: BotContext, t: Translator, role: Role, unit: Unit
) -> int:
    user = update.effective_user
    assert user is not None
    context.data.pop("invite_draft", None)
    invite = await registration.create_invite(
        context.db,
        user.id,
        role,
        unit,
        context.now(),
        ttl_days=context.runtime.settings.invite_ttl_days,
    )
    if isinstance(invite, InviteProblem):
        await edit_or_reply(update, invite_problem_text(t, invite))
        return END
    link = f"https://t.me/{context.bot.username}?start={invite.code}"
    await edit_or_reply(
        update,
        t.gettext(
            "Invite for {role} of {unit}.\nSend this link to the person; it works once and "
            "expires on {date}:\n{link}"
        ).format(
            role=role_label(t, role),
            unit=await unit_address(t, context.db, unit),
            date=t.datetime(invite.expires_at, context.runtime.settings.tz),
            link=link,
        ),
    )
    return END


async def _cancelled(update: Update, context: BotContext, t: Translator) -> int:
    context.data.pop("invite_draft", None)
    await answer(update)
    await edit_or_reply(update, t.gettext("Cancelled."))
    return END


async def cancel(update: Update, context: BotContext) -> int:
    t = await tr(update, context)
    context.data.pop("invite_draft", None)
    await show_main_menu(update, context, t.gettext("Cancelled."))
    return END


def build_interrupting() -> list[BaseHandler[Update, BotContext, Any]]:
    """A chair may invite someone in the middle of a form (see handlers/interrupting.py)."""
    return [
        interrupting(
            name="invite",
            entry_points=[
                CommandHandler(["invite", "moi"], begin),
                MessageHandler(menu_filter(MENU_INVITE), begin),
            ],
            states={
                ROLE: [CallbackQueryHandler(role_chosen, pattern=rf"^{PREFIX}:")],
                UNIT: [
                    CallbackQueryHandler(unit_chosen, pattern=rf"^{PREFIX}:"),
                    MessageHandler(FREE_TEXT, unit_typed),
                ],
            },
            fallbacks=[CommandHandler(CANCEL_COMMANDS, cancel)],
            leave=forget("invite_draft"),
        )
    ]
