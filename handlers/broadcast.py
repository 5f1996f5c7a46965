"""/broadcast: a chair writes (or forwards) a message, picks who inside their scope gets it,
sees how many people that is, and confirms. Delivery goes through the outbox (see
bot/delivery.py), and one progress message is edited as it goes."""

from __future__ import annotations

import contextlib
import secrets
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.i18n import N_, Translator, translator
from bot.services import outbox, scopes
from bot.services.outbox import Progress
from bot.storage import people
from bot.storage.db import Database
from bot.storage.models import CHAIR_ROLES, Role, Unit
from handlers.common import (
    CANCEL_COMMANDS,
    MENU_BROADCAST,
    BotContext,
    answer,
    any_menu_label,
    edit_or_reply,
    menu_filter,
    parse_callback,
    reply,
    show_main_menu,
    tr,
    unit_title,
)

PREFIX = "bc"
TEXT, AUDIENCE, CONFIRM = "text", "audience", "confirm"
END = ConversationHandler.END
MAX_TEXT = 3500

AUDIENCES: dict[str, tuple[str, tuple[Role, ...]]] = {
    "all": (N_("👥 Everyone"), tuple(Role)),
    "chairs": (N_("🎖 Chairs only"), CHAIR_ROLES),
    "heads": (N_("🏷 Branch heads only"), (Role.BRANCH_HEAD,)),
}


async def _scope(update: Update, context: BotContext) -> Unit | None:
    """The sender's scope, if they are a chair."""
    assert update.effective_user is not None
    grants = await people.grants_of(context.db, update.effective_user.id)
    top = scopes.highest(grants)
    return top.unit if top is not None and top.role in CHAIR_ROLES else None


async def begin(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    if await _scope(update, context) is None:
        await reply(update, t.gettext("Only chairs can send messages to volunteers."))
        return END
    context.data["broadcast"] = {"id": secrets.token_hex(6)}
    await reply(update, t.gettext("Type the message to send, or forward one here. /cancel stops."))
    return TEXT


async def text_received(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    message = update.message
    assert message is not None
    body = (message.text or message.caption or "").strip()
    if not body:
        await reply(update, t.gettext("Only text can be sent. Type the message, please."))
        return TEXT
    if len(body) > MAX_TEXT:
        await reply(
            update,
            t.gettext("The message is too long (at most {count} characters).").format(
                count=MAX_TEXT
            ),
        )
        return TEXT
    context.data.setdefault("broadcast", {"id": secrets.token_hex(6)})["text"] = body
    rows = [
        [InlineKeyboardButton(t.gettext(label), callback_data=f"{PREFIX}:a:{key}")]
        for key, (label, _) in AUDIENCES.items()
    ]
    rows.append([InlineKeyboardButton(t.gettext("✖ Cancel"), callback_data=f"{PREFIX}:x")])
    await reply(update, t.gettext("Who should receive it?"), InlineKeyboardMarkup(rows))
    return AUDIENCE


async def _recipients(update: Update, context: BotContext, key: str) -> tuple[Unit, list[int]]:
    scope = await _scope(update, context)
    assert scope is not None and update.effective_user is not None
    roles = AUDIENCES[key][1]
    found = await people.audience(context.db, scope, roles, excluding=update.effective_user.id)
    return scope, found


async def pressed(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    user = update.effective_user
    assert update.callback_query is not None and user is not None
    parts = parse_callback(update.callback_query.data, PREFIX)
    draft = context.data.get("broadcast")
    if parts == ["x"] or not isinstance(draft, dict) or "text" not in draft:
        return await cancel(update, context)
    if await _scope(update, context) is None:
        await answer(update, t.gettext("Only chairs can send messages to volunteers."), alert=True)
        return END
    if parts[:1] == ["a"] and len(parts) == 2 and parts[1] in AUDIENCES:
        await answer(update)
        draft["audience"] = parts[1]
        scope, found = await _recipients(update, context, parts[1])
        buttons = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(t.gettext("📤 Send"), callback_data=f"{PREFIX}:go")],
                [InlineKeyboardButton(t.gettext("✖ Cancel"), callback_data=f"{PREFIX}:x")],
            ]
        )
        await edit_or_reply(
            update,
            t.gettext(
                "Preview:\n\n{text}\n\nIt will go to {count} people in {unit} ({audience})."
            ).format(
                text=draft["text"],
                count=t.number(len(found)),
                unit=unit_title(t, scope),
                audience=t.gettext(AUDIENCES[parts[1]][0]),
            ),
            buttons,
        )
        return CONFIRM
    if parts == ["go"] and draft.get("audience") in AUDIENCES:
        await answer(update)
        scope, found = await _recipients(update, context, str(draft["audience"]))
        broadcast_id, created = await outbox.enqueue(
            context.db,
            kind="broadcast",
            created_by=user.id,
            dedupe_key=f"broadcast:{user.id}:{draft['id']}",
            messages=[(recipient, str(draft["text"]), None) for recipient in found],
            now=context.now(),
            text=str(draft["text"]),
        )
        context.data.pop("broadcast", None)
        await edit_or_reply(update, t.gettext("Preview:\n\n{text}").format(text=draft["text"]))
        if created:
            chat = update.effective_chat
            assert chat is not None
            sent = await context.bot.send_message(
                chat.id, progress_text(t, Progress(pending=len(found)))
            )
            await outbox.set_progress_message(context.db, broadcast_id, chat.id, sent.message_id)
            context.runtime.wake_delivery()
        await show_main_menu(update, context, t.gettext("Choose a task below."))
        return END
    await answer(update, t.gettext("This button is not valid."), alert=True)
    return CONFIRM if "audience" in draft else AUDIENCE


def progress_text(t: Translator, progress: Progress) -> str:
    if not progress.finished:
        return t.gettext("📤 Sent {done}/{total}").format(
            done=t.number(progress.done), total=t.number(progress.total)
        )
    return t.gettext(
        "✅ Finished: delivered {sent}, failed {failed}, blocked the bot {blocked}."
    ).format(
        sent=t.number(progress.sent),
        failed=t.number(progress.failed + progress.unknown),
        blocked=t.number(progress.blocked),
    )


async def report_progress(
    bot: Bot, db: Database, broadcast_id: int, progress: Progress, default_language: str
) -> None:
    """Edit the sender's progress message (the deliverer calls this, throttled)."""
    broadcast = await outbox.get_broadcast(db, broadcast_id)
    if broadcast is None or broadcast.progress_chat_id is None or broadcast.created_by is None:
        return
    sender = await people.get_user(db, broadcast.created_by)
    t = translator(sender.language if sender else default_language)
    # An unchanged text, or a message the sender deleted: nothing to show.
    with contextlib.suppress(BadRequest):
        await bot.edit_message_text(
            progress_text(t, progress),
            chat_id=broadcast.progress_chat_id,
            message_id=broadcast.progress_message_id,
        )


async def cancel(update: Update, context: BotContext) -> int:
    t = await tr(update, context)
    await answer(update)
    context.data.pop("broadcast", None)
    await show_main_menu(update, context, t.gettext("Cancelled. Nothing was sent."))
    return END


def build() -> list[BaseHandler[Update, BotContext, Any]]:
    typed = (filters.TEXT | filters.CAPTION | filters.FORWARDED) & ~filters.COMMAND
    return [
        ConversationHandler(
            entry_points=[
                CommandHandler(["broadcast", "thongbao"], begin),
                MessageHandler(menu_filter(MENU_BROADCAST), begin),
            ],
            states={
                TEXT: [MessageHandler(typed & ~any_menu_label(), text_received)],
                AUDIENCE: [CallbackQueryHandler(pressed, pattern=rf"^{PREFIX}:")],
                CONFIRM: [CallbackQueryHandler(pressed, pattern=rf"^{PREFIX}:")],
            },
            fallbacks=[CommandHandler(list(CANCEL_COMMANDS), cancel)],
            allow_reentry=True,
            name="broadcast",
            persistent=True,
        )
    ]
