"""/myreports: a reporter's latest reports, to look at, correct (48 h) or withdraw.

Chairs can also open any report in their scope by its number, to correct it at any time.
Opening, correcting and withdrawing are re-checked by the services on every press.
"""

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

from bot.i18n import N_, Translator
from bot.numbers import parse_number
from bot.services import report_access, scopes
from bot.services.reporting import ReportError
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.models import Role
from bot.storage.records import AnyRecord, ReportKind
from handlers.common import (
    CANCEL_COMMANDS,
    FREE_TEXT,
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
from handlers.interrupting import forget, interrupting
from handlers.report_texts import report_error_text

PREFIX = "mr"
NUMBER = "number"
END = ConversationHandler.END
LIMIT = 10

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


async def list_reports(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    user = update.effective_user
    assert user is not None
    await answer(update)
    summaries = await report_access.my_reports(context.db, user.id, limit=LIMIT)
    chair = await _is_chair(context, user.id)
    rows = [
        [
            InlineKeyboardButton(
                f"{ICONS[s.kind]} #{s.id} {s.label[:24]}",
                callback_data=f"{PREFIX}:o:{s.kind.value}:{s.id}",
            )
        ]
        for s in summaries
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
        text = t.gettext("You have not reported anything yet.")
        if not chair:
            await show_main_menu(update, context, text)
            return
    else:
        lines = [t.gettext("Your latest reports (tap one to see, correct or withdraw it):")]
        lines += [
            _line(t, s.kind, s.id, s.label, s.amount, s.status) + f" — {t.date(s.created_at)}"
            for s in summaries
        ]
        text = "\n".join(lines)
    await edit_or_reply(update, text, InlineKeyboardMarkup(rows))


async def _visible(context: BotContext, user_id: int, record: AnyRecord) -> bool:
    """Reporters see their own; chairs see everything in their scope."""
    if record.reporter_id == user_id:
        return True
    unit = await unit_store.get(context.db, record.unit_id)
    grants = await people.grants_of(context.db, user_id)
    return unit is not None and scopes.covers(grants, unit, minimum=Role.COMMUNE_CHAIR)


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
    record = await report_access.get_record(context.db, kind, number)
    if record is None or not await _visible(context, user.id, record):
        refusal = report_error_text(t, ReportError.NOT_FOUND)
        if update.callback_query is not None:
            await answer(update, refusal, alert=True)
        else:
            await reply(update, refusal)
        return
    await answer(update)
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
    if parts == ["l"]:
        await list_reports(update, context)
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


async def find_kind(update: Update, context: BotContext) -> str | int:
    """A chair opens a report by number: first which kind, then the number."""
    t = await tr(update, context)
    user = update.effective_user
    assert update.callback_query is not None and user is not None
    await answer(update)
    if not await _is_chair(context, user.id):
        await reply(update, t.gettext("This button is not valid."))
        return END
    parts = parse_callback(update.callback_query.data, PREFIX)
    if parts == ["find"]:
        rows = [
            [
                InlineKeyboardButton(
                    f"{ICONS[kind]} {t.gettext(KIND_NAMES[kind])}",
                    callback_data=f"{PREFIX}:fk:{kind.value}",
                )
            ]
            for kind in ReportKind
        ]
        await edit_or_reply(update, t.gettext("Which kind of report?"), InlineKeyboardMarkup(rows))
        return NUMBER
    kind = next((k for k in ReportKind if parts == ["fk", k.value]), None)
    if kind is None:
        return NUMBER
    context.data["myreports_find"] = kind.value
    await edit_or_reply(update, t.gettext("Type the report's number, for example: 12."))
    return NUMBER


async def number_typed(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    assert update.message is not None and update.message.text is not None
    kind_value = context.data.get("myreports_find")
    number = parse_number(update.message.text.strip().lstrip("#"))
    if kind_value not in {k.value for k in ReportKind}:
        return END
    if number is None:
        await reply(update, t.gettext("Type the report's number, for example: 12."))
        return NUMBER
    context.data.pop("myreports_find", None)
    await _show_record(update, context, t, ReportKind(str(kind_value)), number)
    return END


async def cancel(update: Update, context: BotContext) -> int:
    t = await tr(update, context)
    context.data.pop("myreports_find", None)
    await show_main_menu(update, context, t.gettext("Cancelled."))
    return END


def build_interrupting() -> list[BaseHandler[Update, BotContext, Any]]:
    """Opening a report by its number, which a chair may do in the middle of a form."""
    return [
        interrupting(
            name="myreports_find",
            entry_points=[CallbackQueryHandler(find_kind, pattern=rf"^{PREFIX}:find$")],
            states={
                NUMBER: [
                    CallbackQueryHandler(find_kind, pattern=rf"^{PREFIX}:fk:"),
                    MessageHandler(FREE_TEXT, number_typed),
                ],
            },
            fallbacks=[CommandHandler(list(CANCEL_COMMANDS), cancel)],
            leave=forget("myreports_find"),
        )
    ]


def build() -> list[BaseHandler[Update, BotContext, Any]]:
    return [
        CommandHandler(["myreports", "baocaocuatoi"], list_reports),
        MessageHandler(menu_filter(MENU_MY_REPORTS), list_reports),
        CallbackQueryHandler(pressed, pattern=rf"^{PREFIX}:(l|o|w|wy)(:|$)"),
    ]
