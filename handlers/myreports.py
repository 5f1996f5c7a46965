"""/myreports: a reporter's latest reports, to look at, correct (48 h) or withdraw, and the
drafts put aside, to take up again.

Chairs can also open any report in their scope by its number (the `find_report` dialog), to
correct it at any time. Opening, correcting and withdrawing are re-checked by the services on
every press: the listing's buttons (`mr:…`) are stateless, they only name a record.

The listing shows `LIMIT` reports a page; "◀ Newer" / "Older ▶" carry the report at the page's
edge (`mr:pg:<o|n>:<kind>:<id>`: the page older or newer than that report, a keyset), so a
page does not shift when a report is saved meanwhile and an old listing's buttons still show
what they say; its number ("Trang 2") is counted from where it stands now.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler

from bot.i18n import N_, Translator
from bot.numbers import parse_number
from bot.services import report_access, scopes
from bot.services.reporting import ReportError
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.records import AnyRecord, ReportKind
from bot.text import shorten
from handlers.common import (
    MENU_MY_REPORTS,
    BotContext,
    answer,
    edit_or_reply,
    menu_filter,
    parse_callback,
    reply,
    show_main_menu,
    tr,
    unit_address,
)
from handlers.dialogs import (
    Dialog,
    DialogRouter,
    Entry,
    aside,
    finish,
    on_screen,
    resume_callback,
)
from handlers.report_texts import report_error_text

PREFIX = "mr"
LIMIT = 10
DRAFT_LABEL = 40
"""Characters of a draft's name on its ▶ button."""

ICONS = {
    ReportKind.MEMBER: "👤",
    ReportKind.NOMINATION: "🏅",
    ReportKind.CONTRIBUTION: "💰",
    ReportKind.AWARD: "🎓",
}
KIND_NAMES = {
    ReportKind.MEMBER: N_("New member"),
    ReportKind.NOMINATION: N_("Title nomination"),
    ReportKind.CONTRIBUTION: N_("Contribution"),
    ReportKind.AWARD: N_("Award paid"),
}
# The form that reopens each kind for correction (its callback prefix).
FORM_NAMES = {
    ReportKind.MEMBER: "member",
    ReportKind.NOMINATION: "title",
    ReportKind.CONTRIBUTION: "contribution",
    ReportKind.AWARD: "award",
}
STATUS_NAMES = {
    "withdrawn": N_("withdrawn"),
    "pending": N_("waiting for a decision"),
    "recognised": N_("recognised"),
    "rejected": N_("not recognised"),
}


def _label(record: AnyRecord) -> str:
    for name in ("full_name", "subject", "donor_name", "recipient_name"):
        value = getattr(record, name, None)
        if isinstance(value, str):
            return value
    return ""


def _line(
    t: Translator, kind: ReportKind, number: int, label: str, amount: int | None, status: str
) -> str:
    text = f"{ICONS[kind]} {t.gettext(KIND_NAMES[kind])} #{number}: {label}"
    if amount:
        text += f" — {t.money(amount)}"
    if status in STATUS_NAMES:
        text += f" ({t.gettext(STATUS_NAMES[status])})"
    return text


async def _is_chair(context: BotContext, user_id: int) -> bool:
    return scopes.is_chair(await people.grants_of(context.db, user_id))


def _router(context: BotContext) -> DialogRouter | None:
    """The application's dialog router (handlers/__init__ registers one), which knows every
    dialog by name."""
    for group in context.application.handlers.values():
        for handler in group:
            if isinstance(handler, DialogRouter):
                return handler
    return None


def _drafts(context: BotContext, t: Translator) -> list[tuple[int, str]]:
    """The drafts put aside, as (index for `resume_callback`, what it is): "Hội viên mới —
    Nguyễn Thị Hoa". A draft of a dialog the bot no longer has is left out."""
    router = _router(context)
    found = []
    for index, draft in enumerate(aside(context)):
        dialog = router.dialog(str(draft.get("dialog"))) if router is not None else None
        if dialog is None:
            continue
        data = draft.get("data")
        summary = dialog.summary(data) if isinstance(data, dict) else ""
        name = t.gettext(dialog.title)
        found.append((index, f"{name} — {summary}" if summary else name))
    return found


PAGE = "pg"
OLDER, NEWER = "o", "n"


def _page_callback(direction: str, edge: report_access.ReportSummary) -> str:
    return f"{PREFIX}:{PAGE}:{direction}:{edge.kind.value}:{edge.id}"


def _parse_page(parts: list[str]) -> tuple[str, tuple[ReportKind, int]] | None:
    """`pg:<o|n>:<kind>:<id>` → (direction, the report at the page's edge)."""
    if len(parts) != 4 or parts[1] not in (OLDER, NEWER):
        return None
    edge = _parse_record(["", parts[2], parts[3]])
    return (parts[1], edge) if edge is not None else None


async def list_reports(update: Update, context: BotContext) -> None:
    """The latest reports (the first page)."""
    await _list_page(update, context)


async def _list_page(
    update: Update,
    context: BotContext,
    *,
    older_than: tuple[ReportKind, int] | None = None,
    newer_than: tuple[ReportKind, int] | None = None,
) -> None:
    """A page of the person's reports with ◀ Newer / Older ▶ where there are more, the drafts
    put aside (▶ to take one up again; on the first page) and, for chairs, 🔎 to open any
    report by its number."""
    t = await tr(update, context)
    user = update.effective_user
    assert user is not None
    await answer(update)
    found = await report_access.report_page(
        context.db, user.id, limit=LIMIT, older_than=older_than, newer_than=newer_than
    )
    summaries = found.reports
    page = found.number
    chair = await _is_chair(context, user.id)
    drafts = _drafts(context, t) if page == 1 else []
    rows = [
        [
            InlineKeyboardButton(
                f"{ICONS[s.kind]} #{s.id} {shorten(s.label, 24)}",
                callback_data=f"{PREFIX}:o:{s.kind.value}:{s.id}",
            )
        ]
        for s in summaries
    ]
    paging = []
    if found.newer and summaries:
        paging.append(
            InlineKeyboardButton(
                t.gettext("◀ Newer"), callback_data=_page_callback(NEWER, summaries[0])
            )
        )
    if found.older and summaries:
        paging.append(
            InlineKeyboardButton(
                t.gettext("Older ▶"), callback_data=_page_callback(OLDER, summaries[-1])
            )
        )
    if paging:
        rows.append(paging)
    rows += [
        [
            InlineKeyboardButton(
                t.gettext("▶ Continue: {draft}").format(draft=shorten(label, DRAFT_LABEL)),
                callback_data=resume_callback(context, index),
            )
        ]
        for index, label in drafts
    ]
    if chair:
        rows.append(
            [
                InlineKeyboardButton(
                    t.gettext("🔎 Open a report by its number"), callback_data=f"{PREFIX}:find"
                )
            ]
        )
    if not summaries:
        lines = [t.gettext("You have not reported anything yet.")]
    else:
        lines = [
            t.gettext("Your latest reports (tap one to see, correct or withdraw it):")
            if page == 1
            else t.gettext("Your earlier reports (tap one to see, correct or withdraw it):")
        ]
        if paging:
            lines.append(t.gettext("Page {page}").format(page=t.number(page)))
        lines += [
            _line(t, s.kind, s.id, s.label, s.amount, s.status) + f" — {t.date(s.created_at)}"
            for s in summaries
        ]
    if drafts:
        lines.append(t.gettext("Put aside, not saved yet (tap ▶ to continue):"))
        lines += [f"⏸ {label}" for _, label in drafts]
    if not rows:
        await show_main_menu(update, context, "\n".join(lines))
        return
    await edit_or_reply(update, "\n".join(lines), InlineKeyboardMarkup(rows))


def _parse_record(parts: list[str]) -> tuple[ReportKind, int] | None:
    if len(parts) != 3 or parts[1] not in {k.value for k in ReportKind}:
        return None
    number = parse_number(parts[2])
    return (ReportKind(parts[1]), number) if number is not None else None


async def _show_record(
    update: Update, context: BotContext, t: Translator, kind: ReportKind, number: int
) -> None:
    user = update.effective_user
    assert user is not None
    record = await report_access.visible_record(context.db, user.id, kind, number)
    if record is None:
        refusal = report_error_text(t, ReportError.NOT_FOUND)
        if update.callback_query is not None:
            await answer(update, refusal, alert=True)
        else:
            await reply(update, refusal)
        return
    await answer(update)
    await _show_found(update, context, t, kind, record)


async def _show_found(
    update: Update, context: BotContext, t: Translator, kind: ReportKind, record: AnyRecord
) -> None:
    """The report, with ✏️ Change / ↩️ Withdraw while this person may, and ⬅ Back."""
    user = update.effective_user
    assert user is not None
    unit = await unit_store.get(context.db, record.unit_id)
    tz = context.runtime.settings.tz
    lines = [
        _line(
            t,
            kind,
            record.id,
            _label(record),
            getattr(record, "amount", None),
            str(getattr(record, "status", "")),
        ),
        await unit_address(t, context.db, unit) if unit else "",
        t.gettext("Saved at {time}.").format(time=t.datetime(record.created_at, tz)),
    ]
    rows = []
    blocked_by = await report_access.edit_refusal(context.db, user.id, record, context.now())
    if blocked_by is None:
        rows.append(
            [
                InlineKeyboardButton(
                    t.gettext("✏️ Change"), callback_data=f"{FORM_NAMES[kind]}:e:{record.id}"
                ),
                InlineKeyboardButton(
                    t.gettext("↩️ Withdraw"), callback_data=f"{PREFIX}:w:{kind.value}:{record.id}"
                ),
            ]
        )
    elif blocked_by is not ReportError.WITHDRAWN and record.reporter_id == user.id:
        lines.append(report_error_text(t, blocked_by))  # why the reporter cannot change it
    rows.append([InlineKeyboardButton(t.gettext("⬅ Back"), callback_data=f"{PREFIX}:l")])
    await edit_or_reply(
        update, "\n".join(line for line in lines if line), InlineKeyboardMarkup(rows)
    )


async def pressed(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    user = update.effective_user
    assert update.callback_query is not None and user is not None
    parts = parse_callback(update.callback_query.data, PREFIX)
    target = _parse_record(parts)
    page = _parse_page(parts) if parts[:1] == [PAGE] else None
    if parts == ["l"]:
        await list_reports(update, context)
    elif page is not None:
        direction, edge = page
        if direction == OLDER:
            await _list_page(update, context, older_than=edge)
        else:
            await _list_page(update, context, newer_than=edge)
    elif parts[:1] == ["o"] and target is not None:
        await _show_record(update, context, t, *target)
    elif parts[:1] == ["w"] and target is not None:
        await answer(update)
        kind, number = target
        buttons = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        t.gettext("↩️ Yes, withdraw"),
                        callback_data=f"{PREFIX}:wy:{kind.value}:{number}",
                    ),
                    InlineKeyboardButton(
                        t.gettext("⬅ No"), callback_data=f"{PREFIX}:o:{kind.value}:{number}"
                    ),
                ]
            ]
        )
        await edit_or_reply(
            update,
            t.gettext(
                "Withdraw report #{number}? It will no longer count in the statistics; "
                "nothing is deleted."
            ).format(number=number),
            buttons,
        )
    elif parts[:1] == ["wy"] and target is not None:
        kind, number = target
        result = await report_access.withdraw(context.db, user.id, kind, number, now=context.now())
        if isinstance(result, ReportError):
            await answer(update, report_error_text(t, result), alert=True)
            return
        await answer(update)
        await edit_or_reply(
            update, t.gettext("↩️ Report #{number} has been withdrawn.").format(number=number)
        )
    else:
        await answer(update, t.gettext("This button is not valid."), alert=True)


class FindReport(Dialog):
    """A chair opens any report in their scope by its number: which kind, then the number. It
    only reads until the chair picks, so it goes on top of a form the chair has open (an
    interruption), and the form asks its question again once the report is shown or left."""

    name = "find_report"
    title = N_("Opening a report by its number")
    entry = Entry(patterns=(rf"^{PREFIX}:find$",))
    interruption = True

    def _kind(self, context: BotContext) -> ReportKind | None:
        value = self.data(context).get("kind")
        return next((kind for kind in ReportKind if kind.value == value), None)

    async def begin(self, update: Update, context: BotContext) -> None:
        """`mr:find`, the listing's 🔎 button: chairs only."""
        t = await tr(update, context)
        user = update.effective_user
        assert user is not None
        if not await _is_chair(context, user.id):
            await finish(context, self)
            await answer(update, t.gettext("This button is not valid."), alert=True)
            return
        await answer(update)
        await self._ask_kind(update, context, t, edit=True)

    async def _ask_kind(
        self, update: Update, context: BotContext, t: Translator, *, edit: bool, note: str = ""
    ) -> None:
        self.data(context).pop("kind", None)
        self.new_step(context)
        rows = [
            [self.button(context, f"{ICONS[kind]} {t.gettext(KIND_NAMES[kind])}", "k", kind.value)]
            for kind in ReportKind
        ]
        rows.append([self.button(context, t.gettext("✖ Cancel"), "cancel")])
        text = "\n".join(filter(None, [note, t.gettext("Which kind of report?")]))
        send = edit_or_reply if edit else reply  # edit only the message pressed
        await send(update, text, InlineKeyboardMarkup(rows))

    async def _ask_number(
        self, update: Update, context: BotContext, t: Translator, *, edit: bool, note: str = ""
    ) -> None:
        self.new_step(context)
        row = [
            self.button(context, t.gettext("⬅ Back"), "back"),
            self.button(context, t.gettext("✖ Cancel"), "cancel"),
        ]
        text = "\n".join(
            filter(None, [note, t.gettext("Type the report's number, for example: 12.")])
        )
        send = edit_or_reply if edit else reply
        await send(update, text, InlineKeyboardMarkup([row]))

    async def show(self, update: Update, context: BotContext, *, note: str = "") -> None:
        t = await tr(update, context)
        if self._kind(context) is None:
            await self._ask_kind(update, context, t, edit=False, note=note)
        else:
            await self._ask_number(update, context, t, edit=False, note=note)

    async def pressed(self, update: Update, context: BotContext, parts: list[str]) -> None:
        t = await tr(update, context)
        kind = next((k for k in ReportKind if parts == ["k", k.value]), None)
        if parts == ["cancel"]:
            await self._leave(update, context)
        elif parts == ["back"]:
            await answer(update)
            await self._ask_kind(update, context, t, edit=True)
        elif kind is not None:
            await answer(update)
            self.data(context)["kind"] = kind.value
            await self._ask_number(update, context, t, edit=True)
        else:
            await answer(update, t.gettext("This button is not valid."), alert=True)

    async def typed(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        user = update.effective_user
        assert update.message is not None and update.message.text is not None and user is not None
        kind = self._kind(context)
        if kind is None:
            await self.show(update, context, note=t.gettext("Please choose one of the buttons."))
            return
        number = parse_number(update.message.text.strip().lstrip("#"))
        if number is None:
            await self._ask_number(update, context, t, edit=False)  # the prompt says how
            return
        record = await report_access.visible_record(context.db, user.id, kind, number)
        if record is None:
            note = report_error_text(t, ReportError.NOT_FOUND)
            await self._ask_number(update, context, t, edit=False, note=note)
            return
        await finish(context, self)
        await _show_found(update, context, t, kind, record)

    async def cancelled(self, update: Update, context: BotContext) -> None:
        await self._leave(update, context)

    async def _leave(self, update: Update, context: BotContext) -> None:
        """✖ Cancel or /cancel; a dialog below asks its question again, else the menu."""
        t = await tr(update, context)
        await answer(update)
        await finish(context, self)
        below = on_screen(context) is not None
        if update.callback_query is not None:
            await edit_or_reply(update, t.gettext("Cancelled."))  # its buttons go
            if not below:
                await show_main_menu(update, context, t.gettext("Choose a task below."))
        elif below:
            await reply(update, t.gettext("Cancelled."))
        else:
            await show_main_menu(update, context, t.gettext("Cancelled."))


FIND = FindReport()
DIALOGS = (FIND,)


def build() -> list[BaseHandler[Update, BotContext, Any]]:
    return [
        CommandHandler(["myreports", "baocaocuatoi"], list_reports),
        MessageHandler(menu_filter(MENU_MY_REPORTS), list_reports),
        CallbackQueryHandler(pressed, pattern=rf"^{PREFIX}:(l|o|w|wy|{PAGE})(:|$)"),
    ]
