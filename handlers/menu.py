"""/help, /menu, /cancel outside any flow, and a friendly answer to anything unrecognised."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.i18n import Translator
from bot.services import scopes
from bot.services.registration import Standing
from bot.storage import people
from bot.storage.models import ROLE_RANK, Grant, Role
from handlers.common import (
    CANCEL_COMMANDS,
    HELP_COMMANDS,
    MENU_HELP,
    BotContext,
    answer,
    menu_filter,
    next_step_text,
    reply,
    role_label,
    show_main_menu,
    standing_of,
    tr,
    unit_address,
)
from handlers.start import forget_registration


def help_lines(t: Translator, grants: list[Grant]) -> list[str]:
    """What this person can do, by their highest role."""
    top = scopes.highest(grants)
    lines = [
        t.gettext("Send /start to register. After a chair approves you, your tasks appear here.")
    ]
    if top is None:
        return lines
    rank = ROLE_RANK[top.role]
    lines = [t.gettext("What you can do:")]
    lines.append(t.gettext("/member — report a new member"))
    lines.append(t.gettext("/title — nominate for a learning title"))
    if rank >= ROLE_RANK[Role.BRANCH_HEAD]:
        lines.append(
            t.gettext("/titlelist — nominate many for one title at once: a list or a workbook")
        )
    lines.append(t.gettext("/memberlist — report many new members at once: a list or a workbook"))
    lines.append(t.gettext("/contribution — report a contribution to a fund"))
    lines.append(t.gettext("/award — report a scholarship or award paid out"))
    lines.append(t.gettext("/myreports — see, correct or withdraw your reports"))
    lines.append(t.gettext("/stats — figures of your unit; /report — the report paragraph"))
    lines.append(t.gettext("/reminders off — no campaign reminders (on: again)"))
    if rank >= ROLE_RANK[Role.COMMUNE_CHAIR]:
        lines.append(t.gettext("/pending — nominations waiting for your decision"))
        lines.append(t.gettext("/invite — create a one-time invite link for a volunteer or chair"))
        lines.append(t.gettext("/branches — list and add the branches (chi hội) of a commune"))
        lines.append(t.gettext("/targets — your unit's population, households… and targets"))
        lines.append(t.gettext("/broadcast — send a message to the people of your unit"))
    if top.role is Role.PROVINCE_ADMIN:
        lines.append(t.gettext("/campaigns — campaign dates; send a CSV/XLSX file to import"))
        lines.append(
            t.gettext("/rollout — branches and personal invites for everyone, from one sheet")
        )
        lines.append(t.gettext("/exportlog — who exported which data, and requests to erase"))
    lines.append(t.gettext("/mydata — what the bot stores about you; ask to erase it"))
    lines.append(t.gettext("/language — Tiếng Việt or English"))
    lines.append(t.gettext("/cancel — stop what you are doing, from anywhere"))
    lines.append(t.gettext("/help — this message"))
    return lines


async def help_command(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    user = update.effective_user
    assert user is not None
    grants = await people.grants_of(context.db, user.id)
    if not grants:
        current = await standing_of(update, context)
        if current is not Standing.UNKNOWN:  # registering, or waiting: not "send /start"
            await reply(update, next_step_text(t, current))
            return
    lines = help_lines(t, grants)
    for grant in grants:
        lines.append(
            t.gettext("You are {role} of {unit}.").format(
                role=role_label(t, grant.role, grant.unit),
                unit=await unit_address(t, context.db, grant.unit),
            )
        )
    if grants:
        await show_main_menu(update, context, "\n".join(lines))
    else:
        await reply(update, "\n".join(lines))


async def menu_command(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    await show_main_menu(update, context, t.gettext("Choose a task below."))


async def _without_menu(update: Update, context: BotContext) -> Standing | None:
    """Where someone with no menu stands; None for the registered. Only updates no flow took
    come here, so a `registering` mark left behind has no conversation any more: drop it."""
    forget_registration(context)
    current = await standing_of(update, context)
    return None if current is Standing.REGISTERED else current


async def cancel_outside(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    current = await _without_menu(update, context)
    if current is not None:
        await reply(update, t.gettext("Nothing to cancel.") + " " + next_step_text(t, current))
        return
    await show_main_menu(update, context, t.gettext("Nothing to cancel. Choose a task below."))


async def not_understood(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    await answer(update)
    await _without_menu(update, context)
    await show_main_menu(
        update,
        context,
        t.gettext("Sorry, I did not understand that. Please choose a task from the menu below."),
    )


def build() -> list[BaseHandler[Update, BotContext, Any]]:
    return [
        CommandHandler(HELP_COMMANDS, help_command),
        MessageHandler(menu_filter(MENU_HELP), help_command),
        CommandHandler("menu", menu_command),
        CommandHandler(CANCEL_COMMANDS, cancel_outside),
    ]


async def stale_button(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    current = await _without_menu(update, context)
    if current is not None:
        text = t.gettext("This button is no longer active.") + " " + next_step_text(t, current)
    else:
        text = t.gettext("This button is no longer active. Choose a task from the menu.")
    await answer(update, text, alert=True)


def build_fallback() -> list[BaseHandler[Update, BotContext, Any]]:
    """Registered last: whatever no flow took."""
    return [
        MessageHandler(filters.ALL, not_understood),
        CallbackQueryHandler(stale_button),
    ]
