"""/broadcast: a chair writes (or forwards) a message, picks who inside their scope gets it,
sees how many people that is, and confirms. Delivery goes through the outbox (see
bot/delivery.py), and one progress message is edited as it goes."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.i18n import N_, Translator, translator
from bot.services import outbox, scopes
from bot.services.outbox import Progress
from bot.storage import people
from bot.storage.db import Database
from bot.storage.models import CHAIR_ROLES, Role, Unit
from bot.text import shorten
from handlers.common import (
    MENU_BROADCAST,
    BotContext,
    answer,
    edit_or_reply,
    reply,
    show_main_menu,
    tr,
    unit_title,
)
from handlers.dialogs import Dialog, Entry, finish

MAX_TEXT = 3500

AUDIENCES: dict[str, tuple[str, tuple[Role, ...]]] = {
    "all": (N_("👥 Everyone"), tuple(Role)),
    "chairs": (N_("🎖 Chairs only"), CHAIR_ROLES),
    "heads": (N_("🏷 Branch heads only"), (Role.BRANCH_HEAD,)),
}

NOT_A_CHAIR = N_("Only chairs can send messages to volunteers.")
CANCELLED = N_("Cancelled. Nothing was sent.")

Send = Callable[[Update, str, Any], Awaitable[None]]


async def _scope(update: Update, context: BotContext) -> Unit | None:
    """The sender's scope, if they are a chair."""
    assert update.effective_user is not None
    grants = await people.grants_of(context.db, update.effective_user.id)
    top = scopes.highest(grants)
    return top.unit if top is not None and top.role in CHAIR_ROLES else None


async def _recipients(update: Update, context: BotContext, scope: Unit, key: str) -> list[int]:
    assert update.effective_user is not None
    roles = AUDIENCES[key][1]
    return await people.audience(context.db, scope, roles, excluding=update.effective_user.id)


def _with_note(note: str, text: str) -> str:
    return f"{note}\n{text}" if note else text


class BroadcastDialog(Dialog):
    """The message, who gets it, the preview with the count, Send. The draft is
    `{"id", "text", "audience"}`; `id` makes a double-pressed Send one broadcast."""

    name = "broadcast"
    title = N_("Sending a message")
    entry = Entry(commands=("broadcast", "thongbao"), menu=MENU_BROADCAST)

    def has_answers(self, data: dict[str, Any]) -> bool:
        return bool(data.get("text"))

    def summary(self, data: dict[str, Any]) -> str:
        return shorten(str(data.get("text") or ""), 40)

    # -- entry and questions -------------------------------------------------------

    async def begin(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        if await _scope(update, context) is None:
            await finish(context, self)
            await reply(update, t.gettext(NOT_A_CHAIR))
            return
        context.data[self.name] = {"id": secrets.token_hex(6)}
        await self.show(update, context)

    async def show(self, update: Update, context: BotContext, *, note: str = "") -> None:
        await self._ask(update, context, reply, note=note)

    async def _ask(self, update: Update, context: BotContext, send: Send, *, note: str) -> None:
        """The question the draft is at: the message, its recipients, or the preview."""
        t = await tr(update, context)
        data = self.data(context)
        scope = await _scope(update, context)
        if scope is None:  # no longer a chair since the draft was begun
            await finish(context, self)
            await reply(update, t.gettext(NOT_A_CHAIR))
            return
        data.setdefault("id", secrets.token_hex(6))
        self.new_step(context)
        cancel = [self.button(context, t.gettext("✖ Cancel"), "cancel")]
        if not data.get("text"):
            text = t.gettext("Type the message to send, or forward one here. /cancel stops.")
            await send(update, _with_note(note, text), InlineKeyboardMarkup([cancel]))
            return
        key = data.get("audience")
        if key not in AUDIENCES:
            rows = [
                [self.button(context, t.gettext(label), "a", choice)]
                for choice, (label, _) in AUDIENCES.items()
            ]
            rows.append(cancel)
            text = t.gettext("Who should receive it?")
            await send(update, _with_note(note, text), InlineKeyboardMarkup(rows))
            return
        found = await _recipients(update, context, scope, str(key))
        names = {
            "text": data["text"],
            "count": t.number(len(found)),
            "unit": unit_title(t, scope),
            "audience": t.gettext(AUDIENCES[str(key)][0]),
        }
        back = [self.button(context, t.gettext("⬅ Back"), "back")]
        if not found:
            text = t.gettext(
                "Preview:\n\n{text}\n\nNobody in {unit} would receive it ({audience}). "
                "Choose other recipients, or cancel."
            ).format(**names)
            await send(update, _with_note(note, text), InlineKeyboardMarkup([back, cancel]))
            return
        text = t.gettext(
            "Preview:\n\n{text}\n\nIt will go to {count} people in {unit} ({audience})."
        ).format(**names)
        go = [self.button(context, t.gettext("📤 Send"), "go")]
        await send(update, _with_note(note, text), InlineKeyboardMarkup([go, back, cancel]))

    # -- answers -------------------------------------------------------------------

    async def typed(self, update: Update, context: BotContext) -> None:
        await self._message(update, context)

    async def stray(self, update: Update, context: BotContext) -> None:
        """A forwarded message or a photo with a caption is the message to send."""
        await self._message(update, context)

    async def _message(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        message = update.effective_message
        assert message is not None
        data = self.data(context)
        if data.get("text"):
            await self.show(update, context, note=t.gettext("Please choose one of the buttons."))
            return
        body = (message.text or message.caption or "").strip()
        if not body:
            note = t.gettext("Only text can be sent. Type the message, please.")
            await self.show(update, context, note=note)
            return
        if len(body) > MAX_TEXT:
            note = t.gettext("The message is too long (at most {count} characters).").format(
                count=MAX_TEXT
            )
            await self.show(update, context, note=note)
            return
        data["text"] = body
        await self.show(update, context)

    async def pressed(self, update: Update, context: BotContext, parts: list[str]) -> None:
        t = await tr(update, context)
        data = self.data(context)
        if parts == ["cancel"]:
            await self._cancel(update, context)
            return
        if await _scope(update, context) is None:
            await finish(context, self)
            await answer(update, t.gettext(NOT_A_CHAIR), alert=True)
            return
        if parts[:1] == ["a"] and len(parts) == 2 and parts[1] in AUDIENCES and data.get("text"):
            await answer(update)
            data["audience"] = parts[1]
            await self._ask(update, context, edit_or_reply, note="")
            return
        if parts == ["back"] and data.get("text"):
            await answer(update)
            data.pop("audience", None)
            await self._ask(update, context, edit_or_reply, note="")
            return
        if parts == ["go"] and data.get("text") and data.get("audience") in AUDIENCES:
            await self._send(update, context, t)
            return
        await answer(update, t.gettext("This button is not valid."), alert=True)

    async def _send(self, update: Update, context: BotContext, t: Translator) -> None:
        user, chat = update.effective_user, update.effective_chat
        assert user is not None and chat is not None
        data = self.data(context)
        scope = await _scope(update, context)
        assert scope is not None
        found = await _recipients(update, context, scope, str(data["audience"]))
        if not found:  # everyone left the audience since the preview
            await answer(update)
            await self._ask(update, context, edit_or_reply, note="")
            return
        await answer(update)
        text = str(data["text"])
        broadcast_id, created = await outbox.enqueue(
            context.db,
            kind="broadcast",
            created_by=user.id,
            dedupe_key=f"broadcast:{user.id}:{data['id']}",
            messages=[(recipient, text, None) for recipient in found],
            now=context.now(),
            text=text,
        )
        await finish(context, self)
        # The preview stays, without its buttons, as the record of what was sent.
        await edit_or_reply(update, t.gettext("Preview:\n\n{text}").format(text=text))
        if created:
            # Sent directly: its id is what the deliverer edits as delivery goes.
            sent = await context.bot.send_message(
                chat.id, progress_text(t, Progress(pending=len(found)))
            )
            await outbox.set_progress_message(context.db, broadcast_id, chat.id, sent.message_id)
            context.runtime.wake_delivery()
        await show_main_menu(update, context, t.gettext("Choose a task below."))

    async def _cancel(self, update: Update, context: BotContext) -> None:
        """✖ Cancel: the question's message says so, and the menu comes back."""
        t = await tr(update, context)
        await answer(update)
        await finish(context, self)
        await edit_or_reply(update, t.gettext(CANCELLED))
        await show_main_menu(update, context, t.gettext("Choose a task below."))

    async def cancelled(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        await finish(context, self)
        await show_main_menu(update, context, t.gettext(CANCELLED))


FLOW = BroadcastDialog()
DIALOGS = (FLOW,)


# ---------------------------------------------------------------- progress


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
