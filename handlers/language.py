"""/language: Tiếng Việt or English, remembered per user."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler

from bot.config import LANGUAGES
from bot.i18n import translator
from bot.services.registration import Standing
from bot.storage import people
from handlers.common import (
    LANGUAGE_COMMANDS,
    MENU_LANGUAGE,
    BotContext,
    answer,
    edit_or_reply,
    menu_filter,
    next_step_text,
    parse_callback,
    reply,
    show_main_menu,
    standing_of,
    tr,
)

PREFIX = "lang"
LANGUAGE_NAMES = {"vi": "🇻🇳 Tiếng Việt", "en": "🇬🇧 English"}


async def ask(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    buttons = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(LANGUAGE_NAMES[lang], callback_data=f"{PREFIX}:{lang}")]
            for lang in LANGUAGES
        ]
    )
    await reply(update, t.gettext("Choose your language:"), buttons)


async def chosen(update: Update, context: BotContext) -> None:
    user = update.effective_user
    assert user is not None
    parts = parse_callback(update.callback_query.data if update.callback_query else None, PREFIX)
    lang = parts[0] if len(parts) == 1 and parts[0] in LANGUAGES else None
    if lang is None:
        t = await tr(update, context)
        await answer(update, t.gettext("This button is not valid."), alert=True)
        return
    await people.set_language(context.db, user.id, lang)
    context.data["lang"] = lang
    t = translator(lang)
    await answer(update)
    text = (
        t.gettext("Language set to English.")
        if lang == "en"
        else t.gettext("Language set to Vietnamese.")
    )
    current = await standing_of(update, context)
    if current is Standing.REGISTERED:
        await edit_or_reply(update, text)
        await show_main_menu(update, context, t.gettext("The menu below is now in your language."))
    else:  # no menu to redraw: say what to do next, in the new language
        await edit_or_reply(update, text + "\n" + next_step_text(t, current))


def build() -> list[BaseHandler[Update, BotContext, Any]]:
    return [
        CommandHandler(LANGUAGE_COMMANDS, ask),
        MessageHandler(menu_filter(MENU_LANGUAGE), ask),
        CallbackQueryHandler(chosen, pattern=rf"^{PREFIX}:"),
    ]
