"""The chair's card of a list of nominations, and its decisions: ✅ recognise all, ↩️ return.

A list (`handlers.title_lists`) goes to the chairs who recognise its title as ONE card: what
it is, who sent it, its first names and where it stands. ✅ recognises the whole list in one
tap (a stateless button, checked again by the service); ↩️ asks why and returns it; ✂️ opens
the picker of `handlers.title_list_leave_out`, which shares the decision dialogs' base here
(`ListDecision`: the list it is about, who may still decide it, how it ends). The nominator
is told the outcome once per list, in their own language. Apart from the nominating dialog
because it is the chair's side: other people, other notices.

Callback data: `tl:ok:<id>` (recognise all), `tl:ex:<id>` (starts `title_list_out`),
`tl:rt:<id>` (starts `title_list_return`); ↩ Undo `tl:un:<id>` is `handlers.title_undo`'s.
"""

from __future__ import annotations

from typing import Any, Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.i18n import N_, Translator
from bot.numbers import parse_number
from bot.services import decision_undo, title_lists
from bot.services.reporting import ReportError
from bot.services.title_lists import ListStatus, TitleList
from bot.storage import units as unit_store
from bot.storage.records import NominationStatus
from handlers.common import (
    BotContext,
    answer,
    edit_or_reply,
    notify,
    parse_callback,
    reply,
    show_main_menu,
    tr,
    tr_for,
    unit_address,
)
from handlers.dialogs import Dialog, Entry, finish, on_screen
from handlers.report_texts import report_error_text
from handlers.title_decisions import UNDO, person_name, pressed_card, put_on_card, undo_markup
from handlers.title_lists import kind_label
from handlers.title_reject import reason_too_old

DECISION: Final = "tl"
NAMES_ON_CARD: Final = 10


async def card(context: BotContext, t: Translator, title_list: TitleList) -> str:
    """The list as a chair reads it, ending with where it stands."""
    db = context.db
    unit = await unit_store.get(db, title_list.unit_id)
    entries = await title_lists.entries(db, title_list.id)
    counts = await title_lists.counts(db, title_list.id)
    listed = [entry for entry in entries if entry.status is not NominationStatus.WITHDRAWN]
    names = "; ".join(entry.subject for entry in listed[:NAMES_ON_CARD])
    if len(listed) > NAMES_ON_CARD:
        names += "; " + t.gettext("… and {count} others.").format(
            count=t.number(len(listed) - NAMES_ON_CARD)
        )
    lines = [
        t.gettext("📋 List of nominations #{number}: {title}, {year}").format(
            number=title_list.id, title=kind_label(t, title_list.kind), year=title_list.year
        ),
        t.gettext("Entries: {count}").format(count=t.number(len(listed))),
        await unit_address(t, db, unit) if unit is not None else "?",
        t.gettext("Nominated by {name} at {time}").format(
            name=await person_name(db, title_list.reporter_id),
            time=t.datetime(title_list.created_at, context.runtime.settings.tz),
        ),
        names,
    ]
    decider = await person_name(db, title_list.decided_by)
    if title_list.status is ListStatus.PENDING:
        lines.append(t.gettext("⏳ Waiting for a decision"))
    elif title_list.status is ListStatus.DECIDED:
        lines.append(
            t.gettext("✅ Decided by {name}: {recognised} recognised, {rejected} not.").format(
                name=decider,
                recognised=t.number(counts.get(NominationStatus.RECOGNISED, 0)),
                rejected=t.number(counts.get(NominationStatus.REJECTED, 0)),
            )
        )
    else:
        lines.append(
            t.gettext("↩️ Returned by {name}. Reason: {reason}").format(
                name=decider, reason=title_list.return_reason or ""
            )
        )
    return "\n".join(lines)


async def pending_count(context: BotContext, title_list: TitleList) -> int:
    counts = await title_lists.counts(context.db, title_list.id)
    return counts.get(NominationStatus.PENDING, 0)


def decide_buttons(t: Translator, list_id: int, count: int) -> InlineKeyboardMarkup:
    """One row each: a shaky finger must not return what it meant to recognise."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.gettext("✅ Recognise all {count}").format(count=t.number(count)),
                    callback_data=f"{DECISION}:ok:{list_id}",
                )
            ],
            [
                InlineKeyboardButton(
                    t.gettext("✂️ Leave some out…"), callback_data=f"{DECISION}:ex:{list_id}"
                )
            ],
            [
                InlineKeyboardButton(
                    t.gettext("↩️ Return with a reason"), callback_data=f"{DECISION}:rt:{list_id}"
                )
            ],
        ]
    )


async def card_markup(
    context: BotContext, t: Translator, title_list: TitleList, *, viewer: int | None = None
) -> InlineKeyboardMarkup | None:
    """A pending list's decision buttons; a decided one's ↩ Undo, for `viewer` if they decided
    it and it can still be undone (`handlers.title_undo.list_undo_pressed`)."""
    if title_list.status is not ListStatus.PENDING:
        undoable = decision_undo.list_undoable(title_list, context.now())
        if viewer is not None and viewer == title_list.decided_by and undoable:
            return undo_markup(t, f"{DECISION}:{UNDO}:{title_list.id}")
        return None
    return decide_buttons(t, title_list.id, await pending_count(context, title_list))


async def ask_deciders(context: BotContext, list_id: int) -> None:
    """A new list (`NoticeKind.NOMINATION_LIST_SUBMITTED`): one card, with its buttons, to
    each chair a single nomination of its title there goes to; a list decided meanwhile goes
    to no one."""
    title_list = await title_lists.get(context.db, list_id)
    if title_list is None or title_list.status is not ListStatus.PENDING:
        return
    _, chairs = await title_lists.deciders(context.db, title_list)
    for chair_id in chairs:
        t = await tr_for(context, chair_id)
        await notify(
            context,
            chair_id,
            await card(context, t, title_list),
            await card_markup(context, t, title_list),
        )


async def show_card(
    update: Update, context: BotContext, t: Translator, title_list: TitleList, card_id: int | None
) -> None:
    """Put the list's current state on the chair's card (without buttons once decided, but
    ↩ Undo for a few minutes)."""
    viewer = update.effective_user.id if update.effective_user is not None else None
    markup = await card_markup(context, t, title_list, viewer=viewer)
    await put_on_card(update, context, card_id, await card(context, t, title_list), markup)


def list_error_text(t: Translator, error: ReportError) -> str:
    """Why a list cannot be decided; "already decided" said of a list, not a nomination."""
    if error is ReportError.ALREADY_DECIDED:
        return t.gettext("This list has already been decided.")
    return report_error_text(t, error)


def callback_id(update: Update, action: str) -> int | None:
    """`tl:<action>:<id>` → id; anything else → None."""
    assert update.callback_query is not None
    parts = parse_callback(update.callback_query.data, DECISION)
    if len(parts) != 2 or parts[0] != action:
        return None
    return parse_number(parts[1])


async def refuse_press(
    update: Update, context: BotContext, t: Translator, list_id: int, error: ReportError
) -> None:
    """Say why not; a card that is out of date is brought up to date."""
    text = list_error_text(t, error)
    await answer(update, text, alert=True)
    found = await title_lists.get(context.db, list_id)
    card_id = pressed_card(update)
    if error is ReportError.ALREADY_DECIDED and found is not None and card_id is not None:
        await show_card(update, context, t, found, card_id)


async def recognise_pressed(update: Update, context: BotContext) -> None:
    """`tl:ok:<id>`: the whole list recognised in one tap."""
    t = await tr(update, context)
    user = update.effective_user
    assert user is not None
    list_id = callback_id(update, "ok")
    if list_id is None:
        await answer(update, t.gettext("This button is not valid."), alert=True)
        return
    result = await title_lists.decide(
        context.db, list_id, user.id, recognise=True, now=context.now()
    )
    if isinstance(result, ReportError):
        await refuse_press(update, context, t, list_id, result)
        return
    counts = await title_lists.counts(context.db, list_id)
    await answer(
        update,
        t.gettext("✅ Recognised: {count}").format(
            count=t.number(counts.get(NominationStatus.RECOGNISED, 0))
        ),
    )
    await show_card(update, context, t, result, pressed_card(update))


async def tell_nominator(context: BotContext, list_id: int) -> None:
    """The outcome (`NoticeKind.NOMINATION_LIST_DECIDED`), once per list, in the nominator's
    language; a chair deciding their own list is not told."""
    title_list = await title_lists.get(context.db, list_id)
    if title_list is None or title_list.status is ListStatus.PENDING:
        return
    if title_list.reporter_id == title_list.decided_by:
        return
    t = await tr_for(context, title_list.reporter_id)
    entries = await title_lists.entries(context.db, list_id)
    recognised = [e for e in entries if e.status is NominationStatus.RECOGNISED]
    rejected = [
        e for e in entries if e.status is NominationStatus.REJECTED and e.decided_at is not None
    ]
    rejected = [e for e in rejected if e.decided_at == title_list.decided_at]
    details = {
        "number": title_list.id,
        "title": kind_label(t, title_list.kind),
        "year": title_list.year,
        "name": await person_name(context.db, title_list.decided_by),
    }
    if title_list.status is ListStatus.RETURNED:
        text = t.gettext(
            "Your list #{number} ({title}, {year}) was returned by {name}; nothing in it was "
            "recognised. Reason: {reason}\nCorrect it and send it again with /titlelist."
        ).format(**details, reason=title_list.return_reason or "")
        await notify(context, title_list.reporter_id, text)
        return
    text = (
        t.gettext(
            "🎉 Your list #{number} ({title}, {year}) has been decided by {name}: {count} "
            "recognised."
        ).format(**details, count=t.number(len(recognised)))
        if recognised
        else t.gettext(
            "Your list #{number} ({title}, {year}) has been decided by {name}: none of it was "
            "recognised."
        ).format(**details)
    )
    if rejected:
        names = "; ".join(e.subject for e in rejected[:20])
        if len(rejected) > 20:
            names += "; " + t.gettext("… and {count} others.").format(
                count=t.number(len(rejected) - 20)
            )
        text += "\n" + t.gettext("Not recognised ({count}): {names}. Reason: {reason}").format(
            count=t.number(len(rejected)), names=names, reason=rejected[0].reject_reason or ""
        )
    await notify(context, title_list.reporter_id, text)


async def waiting(context: BotContext, t: Translator, user_id: int) -> list[tuple[str, Any]]:
    """The cards of the lists waiting for this chair, with their buttons (/pending)."""
    found = []
    for title_list in await title_lists.pending_for(context.db, user_id):
        found.append(
            (await card(context, t, title_list), await card_markup(context, t, title_list))
        )
    return found


# ---------------------------------------------------------------- the decision dialogs


class ListDecision(Dialog):
    """What the two decision dialogs share: the list they are about, and how they end."""

    interruption = True
    action: str

    def _list_id(self, context: BotContext) -> int | None:
        found = self.data(context).get("id")
        return found if isinstance(found, int) else None

    async def _open(
        self, update: Update, context: BotContext
    ) -> tuple[Translator, TitleList] | None:
        """`tl:<action>:<id>`: the list, if this chair may still decide it."""
        t = await tr(update, context)
        user = update.effective_user
        assert user is not None
        list_id = callback_id(update, self.action)
        if list_id is None:
            await finish(context, self)
            await answer(update, t.gettext("This button is not valid."), alert=True)
            return None
        found = await title_lists.decidable(context.db, user.id, list_id)
        if isinstance(found, ReportError):
            await finish(context, self)
            await refuse_press(update, context, t, list_id, found)
            return None
        await answer(update)
        self.data(context).update(id=list_id, card=pressed_card(update))
        return t, found

    async def _current(self, update: Update, context: BotContext) -> TitleList | None:
        """The list, if it may still be decided; else the dialog ends saying why."""
        t = await tr(update, context)
        user = update.effective_user
        assert user is not None
        list_id = self._list_id(context)
        found = (
            await title_lists.decidable(context.db, user.id, list_id)
            if list_id is not None
            else ReportError.NOT_FOUND
        )
        if isinstance(found, ReportError):
            text = list_error_text(t, found)
            await self._end(update, context, text)
            return None
        return found

    def _stale_reason(self, context: BotContext) -> bool:
        return reason_too_old(self.data(context).get("asked_at"), context.now())

    async def _decide(
        self,
        update: Update,
        context: BotContext,
        *,
        recognise: bool,
        left_out: list[int],
        reason: str | None,
    ) -> bool:
        """Decide; False when the reason must be asked again (said in `note`)."""
        t = await tr(update, context)
        user = update.effective_user
        assert user is not None
        list_id = self._list_id(context)
        assert list_id is not None
        result = await title_lists.decide(
            context.db,
            list_id,
            user.id,
            recognise=recognise,
            left_out=left_out,
            reason=reason,
            now=context.now(),
        )
        if result in (ReportError.REASON_REQUIRED, ReportError.REASON_TOO_LONG):
            assert isinstance(result, ReportError)
            await self.show(update, context, note=report_error_text(t, result))
            return False
        card_id = self.data(context).get("card")
        card_id = card_id if isinstance(card_id, int) else None
        if isinstance(result, ReportError):
            current = await title_lists.get(context.db, list_id)
            if result is ReportError.ALREADY_DECIDED and current is not None and card_id:
                await show_card(update, context, t, current, card_id)
            text = list_error_text(t, result)
            await self._end(update, context, text)
            return True
        await show_card(update, context, t, result, card_id)
        counts = await title_lists.counts(context.db, list_id)
        if recognise:
            text = t.gettext(
                "Saved: list #{number}, {recognised} recognised, {rejected} not. The nominator "
                "has been told."
            ).format(
                number=list_id,
                recognised=t.number(counts.get(NominationStatus.RECOGNISED, 0)),
                rejected=t.number(len(left_out)),
            )
        else:
            text = t.gettext(
                "Saved: list #{number} is returned, nothing in it recognised. The nominator has "
                "been told."
            ).format(number=list_id)
        await self._end(update, context, text, edit=update.callback_query is not None)
        return True

    async def stray(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        await self.show(update, context, note=t.gettext("Please answer with text or the buttons."))

    async def cancelled(self, update: Update, context: BotContext) -> None:
        await self._leave(update, context)

    async def _leave(self, update: Update, context: BotContext) -> None:
        """✖ Cancel or /cancel: nothing is decided; the card keeps its buttons."""
        t = await tr(update, context)
        await answer(update)
        await finish(context, self)
        below = on_screen(context) is not None  # it asks its question again
        if update.callback_query is not None:
            await edit_or_reply(update, t.gettext("Nothing was decided."))
            if not below:
                await show_main_menu(update, context, t.gettext("Choose a task below."))
        elif below:
            await reply(update, t.gettext("Nothing was decided."))
        else:
            await show_main_menu(
                update, context, t.gettext("Nothing was decided. Choose a task below.")
            )

    async def _end(
        self, update: Update, context: BotContext, text: str, *, edit: bool = False
    ) -> None:
        """Done: `text` (in place of the question pressed), with the main menu unless a dialog
        below asks its question again."""
        t = await tr(update, context)
        await finish(context, self)
        below = on_screen(context) is not None
        if edit:
            await edit_or_reply(update, text)
            if not below:
                await show_main_menu(update, context, t.gettext("Choose a task below."))
        elif below:
            await reply(update, text)
        else:
            await show_main_menu(update, context, text)


class ReturnList(ListDecision):
    """↩️ on a card: why the list goes back; the chair types it, nothing is recognised."""

    name = "title_list_return"
    title = N_("Returning a list of nominations")
    entry = Entry(patterns=(rf"^{DECISION}:rt:[0-9]+$",))
    action = "rt"

    async def begin(self, update: Update, context: BotContext) -> None:
        opened = await self._open(update, context)
        if opened is None:
            return
        await self.show(update, context)

    async def show(self, update: Update, context: BotContext, *, note: str = "") -> None:
        title_list = await self._current(update, context)
        if title_list is None:
            return
        t = await tr(update, context)
        self.data(context)["asked_at"] = context.now().isoformat()
        text = t.gettext(
            "Why is list #{number} ({title}, {year}, {count} entries) returned? Type the reason; "
            "the nominator will read it, and nothing in the list is recognised."
        ).format(
            number=title_list.id,
            title=kind_label(t, title_list.kind),
            year=title_list.year,
            count=t.number(await pending_count(context, title_list)),
        )
        self.new_step(context)
        cancel = self.button(context, t.gettext("✖ Cancel"), "cancel")
        await reply(update, f"{note}\n{text}" if note else text, InlineKeyboardMarkup([[cancel]]))

    async def typed(self, update: Update, context: BotContext) -> None:
        assert update.message is not None and update.message.text is not None
        title_list = await self._current(update, context)
        if title_list is None:
            return
        t = await tr(update, context)
        if self._stale_reason(context):
            await self._end(
                update,
                context,
                t.gettext(
                    "The question was asked more than an hour ago, so nothing was decided. "
                    "Press ↩️ on the list again if you still want to."
                ),
            )
            return
        await self._decide(
            update, context, recognise=False, left_out=[], reason=update.message.text
        )

    async def pressed(self, update: Update, context: BotContext, parts: list[str]) -> None:
        if parts == ["cancel"]:
            await self._leave(update, context)
            return
        t = await tr(update, context)
        await answer(update, t.gettext("This button is not valid."), alert=True)


DIALOGS = (ReturnList(),)


def build() -> list[BaseHandler[Update, BotContext, Any]]:
    return [CallbackQueryHandler(recognise_pressed, pattern=rf"^{DECISION}:ok:")]
