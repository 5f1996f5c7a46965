"""Personal data (Law 91/2025/QH15): the privacy notice, /mydata with the request to erase it,
the province admins' decision, /exportlog, and the daily retention job.

The rules are `bot.services.privacy`'s; here they are worded and given buttons.

- The notice's text (`notice_text`) is shown by registration (handlers/start.py, a step of its
  dialog that must be accepted) and, once, to people registered before it existed, after the
  "welcome back" of their next /start (`offer_notice`): nothing is stopped for them, and the
  menu's buttons and every other command still give exactly one answer.
- Stateless buttons, each re-checked when pressed: the person's own `pd:ok` (accept the
  notice), `pd:ask` / `pd:send` / `pd:no` (ask to erase, confirmed); the province admin's
  `pde:<e|a|r>:<id>` (erase, anonymise, reject), `pde:<ey|ay>:<id>` (confirmed) and
  `pde:c:<id>` (the request's card again).
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.i18n import N_, Translator, translator
from bot.numbers import parse_number
from bot.services import privacy
from bot.services.privacy import (
    ErasureAction,
    ErasureCard,
    ErasureDecision,
    ErasureProblem,
    ExportKind,
)
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.privacy import ExportRecord
from handlers.common import (
    BotContext,
    Runtime,
    answer,
    edit_or_reply,
    next_step_text,
    notify,
    parse_callback,
    reply,
    role_label,
    show_main_menu,
    standing_of,
    tr,
    tr_for,
    unit_address,
)

_log = logging.getLogger(__name__)

PREFIX = "pd"
"""The person's own buttons (pass the access gate for everyone: see handlers/gate.py)."""
ADMIN_PREFIX = "pde"
MY_DATA_COMMANDS = ("mydata", "dulieucuatoi")
EXPORT_LOG_COMMANDS = ("exportlog", "nhatkyxuat")

AGREE = N_("✅ I agree")
LEAVE = N_("✖ No, leave")
NOT_VALID = N_("This button is not valid.")

NOTICE = N_(
    "🔒 How the bot handles personal data (Law 91/2025/QH15 on Personal Data Protection)\n"
    "What is stored: your full name, your branch and your Telegram id; for the members you "
    "report, their name, gender, year of birth and phone number (optional).\n"
    "Why: to register you with the association, to send you its messages, and to count its "
    "members, titles and funds.\n"
    "Who sees it: the chairs above your branch see your name and branch. A member's phone "
    "number and year of birth are shown only to the member's branch and the chairs of its "
    "commune; everyone else sees them masked.\n"
    "Your data: /mydata sends you everything stored about you, and there you can ask for it "
    "to be erased."
)


def notice_text(t: Translator) -> str:
    return t.gettext(NOTICE)


# ---------------------------------------------------------------- the notice, for people already in


async def offer_notice(update: Update, context: BotContext) -> None:
    """Once, to someone registered before the notice existed (after the answer to /start):
    the notice with ✅, recorded as shown whether or not they press."""
    user = update.effective_user
    if user is None or not await privacy.notice_due(context.db, user.id):
        return
    t = await tr(update, context)
    await privacy.mark_notice_shown(context.db, user.id, context.now())
    text = "\n".join(
        [
            notice_text(t),
            t.gettext(
                "You registered before this notice existed: nothing changes for you. Press "
                "✅ I agree to record that you have read it."
            ),
        ]
    )
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(t.gettext(AGREE), callback_data=f"{PREFIX}:ok")]]
    )
    await reply(update, text, markup)


# ---------------------------------------------------------------- /mydata


CAPTION_CHARS = 1024
"""Telegram's limit for a file's caption."""


def _erase_button(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t.gettext("🗑 Ask to erase my data"), callback_data=f"{PREFIX}:ask")]]
    )


async def my_data_command(update: Update, context: BotContext) -> None:
    """/mydata: everything stored about the sender, as a file, then the way to ask for its
    erasure (or the request that already waits)."""
    t = await tr(update, context)
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    found = await privacy.my_data(context.db, user.id, context.now())
    if found is None:
        current = await standing_of(update, context)
        await reply(
            update,
            t.gettext("The bot stores nothing about you.") + " " + next_step_text(t, current),
        )
        return
    lines = [
        t.gettext("Everything the bot stores about you (JSON)."),
        t.gettext(
            "The file holds your person, your roles, your registration requests, the reports "
            "you made ({count}: what they are, not the people in them), the exports you made, "
            "and when you accepted the privacy notice."
        ).format(count=t.number(found.reports)),
    ]
    waiting = [r for r in found.data.get("erasure_requests", []) if r.get("status") == "pending"]
    if waiting:
        lines.append(
            t.gettext(
                "Your request #{number} to erase your data is waiting for the province "
                "administrator."
            ).format(number=waiting[-1]["id"])
        )
    else:
        lines.append(
            t.gettext(
                "You can ask for your data to be erased: the province administrator decides. "
                "Your reports stay in the statistics without your name."
            )
        )
    # One answer: the file, its explanation as the caption, the button under it.
    await context.bot.send_document(
        chat.id,
        InputFile(found.content, filename=f"du-lieu-cua-toi-{user.id}.json"),
        caption="\n".join(lines)[:CAPTION_CHARS],
        reply_markup=None if waiting else _erase_button(t),
    )


async def own_pressed(update: Update, context: BotContext) -> None:
    """`pd:…`: the person's own buttons."""
    t = await tr(update, context)
    user = update.effective_user
    assert update.callback_query is not None and user is not None
    parts = parse_callback(update.callback_query.data, PREFIX)
    if parts == ["ok"]:
        if not await privacy.accept_notice(context.db, user.id, context.now(), registering=False):
            await answer(update, t.gettext(NOT_VALID), alert=True)
            return
        await answer(update)
        await edit_or_reply(
            update,
            t.gettext("Thank you: it is recorded that you have read and accepted the notice.")
            + "\n"
            + t.gettext("/mydata shows what is stored about you."),
        )
    elif parts == ["ask"]:
        await answer(update)
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        t.gettext("🗑 Yes, send the request"), callback_data=f"{PREFIX}:send"
                    ),
                    InlineKeyboardButton(t.gettext("⬅ No"), callback_data=f"{PREFIX}:no"),
                ]
            ]
        )
        await reply(  # under the file: a new message, the file keeps its caption
            update,
            t.gettext(
                "Send the province administrator a request to erase your data? Once it is "
                "done you can no longer use the bot with your roles (send /start to register "
                "again). Your reports stay, counted, without your name."
            ),
            markup,
        )
    elif parts == ["no"]:
        await answer(update)
        await edit_or_reply(update, t.gettext("Nothing was changed."))
    elif parts == ["send"]:
        result = await privacy.request_erasure(context.db, user.id, context.now())
        if isinstance(result, ErasureProblem):
            await answer(update, t.gettext("The bot stores nothing about you."), alert=True)
            return
        await answer(update)
        text = (
            t.gettext(
                "Your request #{number} has been sent to the province administrator. You will "
                "get a message here when it is decided."
            )
            if result.created
            else t.gettext(
                "Your request #{number} to erase your data is waiting for the province "
                "administrator."
            )
        )
        await edit_or_reply(update, text.format(number=result.row.id))
    else:
        await answer(update, t.gettext(NOT_VALID), alert=True)


# ---------------------------------------------------------------- the province admins' card


async def _card_text(context: BotContext, t: Translator, card: ErasureCard) -> str:
    request = card.request
    lines = [
        t.gettext("🗑 Request #{number} to erase personal data, sent {time}:").format(
            number=request.id,
            time=t.datetime(request.requested_at, context.runtime.settings.tz),
        ),
        t.gettext("{name} (Telegram id {id})").format(
            name=card.name or "?", id=request.telegram_id
        ),
    ]
    for grant in card.grants:
        lines.append(
            t.gettext("{role} of {unit}").format(
                role=role_label(t, grant.role, grant.unit),
                unit=await unit_address(t, context.db, grant.unit),
            )
        )
    lines.append(
        t.gettext(
            "Reports made: {count}. They stay and are counted, under the stand-in name; the "
            "people in them are other people's data."
        ).format(count=t.number(card.reports))
    )
    if request.status == "pending":
        lines.append(
            t.gettext(
                "🗑 Erase: their name, id, roles, registration history, conversation and "
                "waiting messages go. 🕶 Anonymise: the same, but their registration history "
                'stays under the name "{name}".'
            ).format(name=privacy.ERASED_NAME.format(number=request.id))
        )
    else:
        lines.append(_verdict(t, request.status))
    return "\n".join(lines)


def _verdict(t: Translator, status: str) -> str:
    texts = {
        ErasureAction.ERASE.value: t.gettext("✅ Erased."),
        ErasureAction.ANONYMISE.value: t.gettext("✅ Anonymised."),
        ErasureAction.REJECT.value: t.gettext("❌ Rejected."),
    }
    return texts.get(status, status)


def _card_buttons(t: Translator, request_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.gettext("🗑 Erase"), callback_data=f"{ADMIN_PREFIX}:e:{request_id}"
                ),
                InlineKeyboardButton(
                    t.gettext("🕶 Anonymise"), callback_data=f"{ADMIN_PREFIX}:a:{request_id}"
                ),
            ],
            [
                InlineKeyboardButton(
                    t.gettext("❌ Reject"), callback_data=f"{ADMIN_PREFIX}:r:{request_id}"
                )
            ],
        ]
    )


async def ask_admins(context: BotContext, request_id: int) -> None:
    """A new erasure request (`NoticeKind.ERASURE_REQUESTED`), to each province admin, with
    the buttons; one decided before this ran is not shown."""
    card = await privacy.erasure_card(context.db, request_id)
    if card is None or card.request.status != "pending":
        return
    for admin_id in await privacy.erasure_deciders(context.db):
        t = await tr_for(context, admin_id)
        await notify(
            context, admin_id, await _card_text(context, t, card), _card_buttons(t, request_id)
        )


_CONFIRM = {
    "e": (
        ErasureAction.ERASE,
        N_("Erase the data of {name} (request #{number})? This cannot be undone."),
        N_("✅ Yes, erase"),
    ),
    "a": (
        ErasureAction.ANONYMISE,
        N_("Anonymise the data of {name} (request #{number})? This cannot be undone."),
        N_("✅ Yes, anonymise"),
    ),
}
_DO = {"ey": ErasureAction.ERASE, "ay": ErasureAction.ANONYMISE, "r": ErasureAction.REJECT}


def _problem_text(t: Translator, problem: ErasureProblem) -> str:
    texts = {
        ErasureProblem.NOT_FOUND: t.gettext("This request does not exist."),
        ErasureProblem.NOT_ALLOWED: t.gettext(
            "Only a province administrator can decide on a request to erase data."
        ),
        ErasureProblem.ALREADY_DECIDED: t.gettext("This request has already been decided."),
        ErasureProblem.NOTHING_STORED: t.gettext("The bot stores nothing about you."),
    }
    return texts[problem]


async def admin_pressed(update: Update, context: BotContext) -> None:
    """`pde:…`: a province admin decides on an erasure request (erase and anonymise are asked
    once more), or opens its card again."""
    t = await tr(update, context)
    user = update.effective_user
    assert update.callback_query is not None and user is not None
    parts = parse_callback(update.callback_query.data, ADMIN_PREFIX)
    request_id = parse_number(parts[1]) if len(parts) == 2 else None
    action = parts[0] if parts else ""
    if request_id is None or action not in ("e", "a", "c", *_DO):
        await answer(update, t.gettext(NOT_VALID), alert=True)
        return
    if not privacy.is_province_admin(await people.grants_of(context.db, user.id)):
        await answer(update, _problem_text(t, ErasureProblem.NOT_ALLOWED), alert=True)
        return
    card = await privacy.erasure_card(context.db, request_id)
    if card is None:
        await answer(update, _problem_text(t, ErasureProblem.NOT_FOUND), alert=True)
        return
    if action in _DO:
        await _decide(update, context, t, card, _DO[action])
        return
    await answer(update)
    if action == "c" or card.request.status != "pending":
        pending = card.request.status == "pending"
        markup = _card_buttons(t, request_id) if pending else None
        await edit_or_reply(update, await _card_text(context, t, card), markup)
        return
    _, question, yes = _CONFIRM[action]
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.gettext(yes), callback_data=f"{ADMIN_PREFIX}:{action}y:{request_id}"
                ),
                InlineKeyboardButton(
                    t.gettext("⬅ Back"), callback_data=f"{ADMIN_PREFIX}:c:{request_id}"
                ),
            ]
        ]
    )
    await edit_or_reply(
        update,
        t.gettext(question).format(name=card.name or "?", number=request_id),
        markup,
    )


async def _decide(
    update: Update,
    context: BotContext,
    t: Translator,
    card: ErasureCard,
    action: ErasureAction,
) -> None:
    assert update.effective_user is not None
    result = await privacy.decide_erasure(
        context.db, card.request.id, update.effective_user.id, action, context.now()
    )
    if isinstance(result, ErasureProblem):
        await answer(update, _problem_text(t, result), alert=True)
        return
    await answer(update)
    if result.erased is not None:
        # The person's drafts and cached language, in this process too.
        context.application.drop_user_data(result.former_id)
        context.application.drop_chat_data(result.former_id)
    done = await privacy.erasure_card(context.db, card.request.id)
    shown = done if done is not None else card
    await edit_or_reply(update, await _card_text(context, t, shown))
    await _tell_person(context, result)


async def _tell_person(context: BotContext, result: ErasureDecision) -> None:
    """The decision, to the person who asked, in their language (their id is known only
    here, from before the erasure)."""
    t = translator(result.language)
    number = result.request.id
    if result.action is ErasureAction.REJECT:
        text = t.gettext(
            "The province administrator did not accept your request #{number} to erase your "
            "data. For questions, contact your commune's association."
        ).format(number=number)
        await notify(context, result.former_id, text)
        return
    text = t.gettext(
        "Your data has been erased as you asked (request #{number}). Your reports stay in "
        "the statistics without your name. Send /start if you want to register again."
    ).format(number=number)
    await notify(context, result.former_id, text, ReplyKeyboardRemove())


# ---------------------------------------------------------------- /exportlog

LOG_CHARS = 3500
"""Room for the log in one message (Telegram's limit is 4096), the requests waiting after it."""
KIND_NAMES = {
    ExportKind.STATISTICS.value: N_("statistics workbook (Excel)"),
    ExportKind.OWN_DATA.value: N_("own data (/mydata)"),
    ExportKind.ROLLOUT.value: N_("rollout: invite cards and links"),
    ExportKind.MEMBER_LIST_TEMPLATE.value: N_("new members' workbook"),
    ExportKind.TITLE_LIST_TEMPLATE.value: N_("title nominations' workbook"),
}


async def _export_line(context: BotContext, t: Translator, record: ExportRecord) -> str:
    unit = await unit_store.get(context.db, record.unit_id) if record.unit_id else None
    kind = t.gettext(KIND_NAMES[record.kind]) if record.kind in KIND_NAMES else record.kind
    parts = [
        f"#{record.id} {t.datetime(record.at, context.runtime.settings.tz)}",
        f"{record.actor_name or '?'} ({record.actor_id})",
        ("🔒 " if record.personal else "") + kind,
    ]
    if unit is not None:
        parts.append(await unit_address(t, context.db, unit) or unit.name)
    if record.detail:
        parts.append(record.detail)
    return " — ".join(parts)


async def export_log_command(update: Update, context: BotContext) -> None:
    """/exportlog: the latest files of data the bot sent and who got them, and the erasure
    requests waiting; province admins only."""
    t = await tr(update, context)
    user = update.effective_user
    assert user is not None
    records = await privacy.export_log(context.db, user.id)
    waiting = await privacy.pending_erasures(context.db, user.id)
    if records is None or waiting is None:
        await show_main_menu(
            update, context, t.gettext("Only the province administrator can read the export log.")
        )
        return
    if records:
        lines = [t.gettext("The latest exports of data (🔒: with personal data):")]
        for record in records:  # newest first, as many as one message holds
            line = await _export_line(context, t, record)
            if sum(len(text) + 1 for text in lines) + len(line) > LOG_CHARS:
                break
            lines.append(line)
    else:
        lines = [t.gettext("No export has been recorded yet.")]
    if not waiting:
        await show_main_menu(update, context, "\n".join(lines))
        return
    lines.append(t.gettext("Requests to erase data waiting for a decision:"))
    rows = [
        [
            InlineKeyboardButton(
                t.gettext("🗑 Request #{number}").format(number=row.id),
                callback_data=f"{ADMIN_PREFIX}:c:{row.id}",
            )
        ]
        for row in waiting
    ]
    await reply(update, "\n".join(lines), InlineKeyboardMarkup(rows))


# ---------------------------------------------------------------- retention

RETENTION_SECONDS = 24 * 3600


async def retention_job(context: BotContext) -> None:
    """Daily: settled outbox rows and old audit lines and export records go."""
    runtime: Runtime = context.application.bot_data["runtime"]
    settings = runtime.settings
    removed = await privacy.apply_retention(
        runtime.db,
        runtime.clock(),
        outbox_days=settings.outbox_retention_days,
        audit_days=settings.audit_retention_days,
    )
    if removed.outbox or removed.audit or removed.exports:
        _log.info(
            "Retention removed %s outbox rows, %s audit lines, %s export records",
            removed.outbox,
            removed.audit,
            removed.exports,
        )


def build() -> list[BaseHandler[Update, BotContext, Any]]:
    return [
        CommandHandler(MY_DATA_COMMANDS, my_data_command),
        CommandHandler(EXPORT_LOG_COMMANDS, export_log_command),
        CallbackQueryHandler(own_pressed, pattern=rf"^{PREFIX}:"),
        CallbackQueryHandler(admin_pressed, pattern=rf"^{ADMIN_PREFIX}:"),
    ]
