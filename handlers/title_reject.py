"""Not recognising a nomination: the reason the chair types after ❌ Not recognise.

The nominator reads the reason, so it is asked for and checked (`ReportError.REASON_REQUIRED`,
`REASON_TOO_LONG`) before anything is decided. It is a dialog of its own (`title_reject`, an
interruption on top of whatever the chair has open) rather than part of the card's stateless
buttons (`handlers.title_decisions`), because it waits for typed text.

Callback data: it starts on a card's `tt:no:<id>`; its own buttons are `title_reject:<step>:…`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from telegram import InlineKeyboardMarkup, Update

from bot.i18n import N_, Translator
from bot.services import nominations, report_access
from bot.services.reporting import ReportError
from bot.storage.records import Nomination, ReportKind
from handlers.common import BotContext, answer, edit_or_reply, reply, show_main_menu, tr
from handlers.dialogs import Dialog, Entry, finish, on_screen
from handlers.report_texts import report_error_text
from handlers.title_decisions import DECISION, callback_id, pressed_card, refuse_press, show_card

REASON_TTL: Final = timedelta(hours=1)
"""A reason typed long after the question is more likely a stray message than a decision."""
REASON_PROBLEMS: Final = (ReportError.REASON_REQUIRED, ReportError.REASON_TOO_LONG)


def reason_too_old(asked_at: object, now: datetime) -> bool:
    """True when the question (asked at `asked_at`, as stored in the dialog's data) is older
    than `REASON_TTL`, or its time is missing: the text typed now decides nothing."""
    return not isinstance(asked_at, str) or now - datetime.fromisoformat(asked_at) > REASON_TTL


class RejectReason(Dialog):
    """Why a nomination is not recognised: the card's ❌ asks, the chair types it. It goes on
    top of whatever the chair has open (an interruption), and once the reason is saved or left
    the dialog below asks its question again. Commands that only read (/stats) come back here:
    the next text typed is still the reason."""

    name = "title_reject"
    title = N_("Not recognising a nomination")
    entry = Entry(patterns=(rf"^{DECISION}:no:[0-9]+$",))
    interruption = True

    async def begin(self, update: Update, context: BotContext) -> None:
        """`tt:no:<id>`: if this chair may still decide it, ask why."""
        t = await tr(update, context)
        user = update.effective_user
        assert user is not None
        nomination_id = callback_id(update, "no")
        if nomination_id is None:
            await finish(context, self)
            await answer(update, t.gettext("This button is not valid."), alert=True)
            return
        found = await nominations.decidable(context.db, user.id, nomination_id)
        if isinstance(found, ReportError):
            await finish(context, self)
            await refuse_press(update, context, t, user.id, nomination_id, found)
            return
        await answer(update)
        self.data(context).update(id=nomination_id, card=pressed_card(update))
        await self._ask(update, context, t, found)

    async def _ask(
        self,
        update: Update,
        context: BotContext,
        t: Translator,
        nomination: Nomination,
        note: str = "",
    ) -> None:
        """The question, with ✖ Cancel; a reason typed more than `REASON_TTL` after it
        decides nothing."""
        self.data(context)["asked_at"] = context.now().isoformat()
        lines = [note] if note else []
        lines.append(
            t.gettext(
                "Why is nomination #{number} ({subject}) not recognised? "
                "Please type the reason; the nominator will read it."
            ).format(number=nomination.id, subject=nomination.subject)
        )
        self.new_step(context)
        cancel = self.button(context, t.gettext("✖ Cancel"), "cancel")
        await reply(update, "\n".join(lines), InlineKeyboardMarkup([[cancel]]))

    def _nomination_id(self, context: BotContext) -> int | None:
        found = self.data(context).get("id")
        return found if isinstance(found, int) else None

    async def show(self, update: Update, context: BotContext, *, note: str = "") -> None:
        """Ask again, if the nomination may still be decided (another chair may have)."""
        t = await tr(update, context)
        user = update.effective_user
        assert user is not None
        nomination_id = self._nomination_id(context)
        found = (
            await nominations.decidable(context.db, user.id, nomination_id)
            if nomination_id is not None
            else ReportError.NOT_FOUND
        )
        if isinstance(found, ReportError):
            await self._end(update, context, report_error_text(t, found))
            return
        await self._ask(update, context, t, found, note)

    async def typed(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        user = update.effective_user
        assert update.message is not None and update.message.text is not None and user is not None
        data = self.data(context)
        nomination_id = self._nomination_id(context)
        if nomination_id is None:
            await self._end(update, context, t.gettext("Nothing was decided. Choose a task below."))
            return
        if reason_too_old(data.get("asked_at"), context.now()):
            text = t.gettext(
                "The question about nomination #{number} was asked more than an hour ago, so "
                "nothing was decided. Press ❌ Not recognise again if you still want to."
            )
            await self._end(update, context, text.format(number=nomination_id))
            return
        result = await nominations.decide(
            context.db,
            nomination_id,
            user.id,
            recognise=False,
            reason=update.message.text,
            now=context.now(),
        )
        if isinstance(result, ReportError) and result in REASON_PROBLEMS:
            await self.show(update, context, note=report_error_text(t, result))  # typed again
            return
        card_id = data.get("card") if isinstance(data.get("card"), int) else None
        if isinstance(result, ReportError):
            if result is ReportError.ALREADY_DECIDED and card_id is not None:
                # Another chair was quicker: the card shows their decision instead.
                current = await report_access.get_record(
                    context.db, ReportKind.NOMINATION, nomination_id
                )
                if isinstance(current, Nomination):
                    await show_card(update, context, t, current, card_id)
            await self._end(update, context, report_error_text(t, result))
            return
        await show_card(update, context, t, result, card_id)
        text = t.gettext(
            "Saved: nomination #{number} is not recognised. The nominator has been told."
        )
        await self._end(update, context, text.format(number=nomination_id))

    async def stray(self, update: Update, context: BotContext) -> None:
        """A sticker or photo instead of the reason: ask again."""
        t = await tr(update, context)
        await self.show(update, context, note=t.gettext("Please type the reason as text."))

    async def pressed(self, update: Update, context: BotContext, parts: list[str]) -> None:
        if parts == ["cancel"]:
            await self._leave(update, context)
            return
        t = await tr(update, context)
        await answer(update, t.gettext("This button is not valid."), alert=True)

    async def cancelled(self, update: Update, context: BotContext) -> None:
        await self._leave(update, context)

    async def _leave(self, update: Update, context: BotContext) -> None:
        """✖ Cancel or /cancel: nothing is decided; the card keeps its buttons."""
        t = await tr(update, context)
        await answer(update)
        await finish(context, self)
        below = on_screen(context) is not None  # it asks its question again
        if update.callback_query is not None:
            await edit_or_reply(update, t.gettext("Nothing was decided."))  # its ✖ goes
            if not below:
                await show_main_menu(update, context, t.gettext("Choose a task below."))
        elif below:
            await reply(update, t.gettext("Nothing was decided."))
        else:
            await show_main_menu(
                update, context, t.gettext("Nothing was decided. Choose a task below.")
            )

    async def _end(self, update: Update, context: BotContext, text: str) -> None:
        """Done: `text`, with the main menu unless a dialog below asks its question again."""
        await finish(context, self)
        if on_screen(context) is None:
            await show_main_menu(update, context, text)
        else:
            await reply(update, text)


REJECT = RejectReason()
DIALOGS = (REJECT,)
