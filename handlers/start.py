"""Registration: /start, self-registration with a chair's approval, and invite links."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.i18n import Translator
from bot.numbers import parse_number
from bot.services import registration
from bot.services.registration import DecisionError, InviteProblem, NameProblem, Standing
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.models import Level, Unit
from handlers.common import (
    CANCEL_COMMANDS,
    FREE_TEXT,
    BotContext,
    answer,
    any_menu_label,
    edit_or_reply,
    main_menu,
    notify,
    parse_callback,
    reply,
    role_label,
    show_main_menu,
    tr,
    tr_for,
    unit_address,
    unit_picker,
    unit_title,
)

NAME, PICK, INVITE_NAME = "name", "pick", "invite_name"
PREFIX = "reg"
DECISION_PREFIX = "regd"
END = ConversationHandler.END

_STEP_LEVEL = {"district": Level.DISTRICT, "commune": Level.COMMUNE, "branch": Level.BRANCH}


def _draft(context: BotContext) -> dict[str, Any]:
    draft: dict[str, Any] = context.data.setdefault("registration", {})
    return draft


def forget_registration(context: BotContext) -> None:
    """Drop the draft and the `registering` mark, which the access gate reads: call it on
    every way out of the conversation, or the person stays half-registered for the gate."""
    context.data.pop("registration", None)
    context.data.pop("registering", None)


def name_problem_text(t: Translator, problem: NameProblem) -> str:
    reasons = {
        NameProblem.TOO_SHORT: t.gettext("That name is too short."),
        NameProblem.TOO_LONG: t.gettext("That name is too long (at most 100 characters)."),
        NameProblem.NOT_A_NAME: t.gettext("A name has only letters and spaces."),
    }
    return (
        reasons[problem]
        + " "
        + t.gettext("Please type your full name, for example: Nguyen Van An.")
    )


def invite_problem_text(t: Translator, problem: InviteProblem) -> str:
    texts = {
        InviteProblem.NOT_FOUND: t.gettext(
            "This invite link is not valid. Ask the person who invited you for a new link, "
            "or send /start to register yourself."
        ),
        InviteProblem.EXPIRED: t.gettext(
            "This invite link has expired. Ask the person who invited you for a new link."
        ),
        InviteProblem.USED: t.gettext(
            "This invite link has already been used. Each link works once; ask for a new one."
        ),
        InviteProblem.NOT_ALLOWED: t.gettext("You cannot create this invite."),
        InviteProblem.ALREADY_REGISTERED: t.gettext("You are already registered."),
    }
    return texts[problem]


async def start(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    user = update.effective_user
    assert user is not None
    db = context.db
    current = await registration.standing(db, user.id)
    if context.args:
        if current is Standing.REGISTERED:
            forget_registration(context)
            await show_main_menu(
                update, context, invite_problem_text(t, InviteProblem.ALREADY_REGISTERED)
            )
            return END
        checked = await registration.check_invite(db, context.args[0], context.now())
        if isinstance(checked, InviteProblem):
            forget_registration(context)  # this ends a registration under way too
            await reply(update, invite_problem_text(t, checked))
            return END
        unit = await unit_store.get(db, checked.unit_id)
        assert unit is not None
        context.data["registration"] = {"invite": checked.code}
        context.data["registering"] = True
        await reply(
            update,
            t.gettext(
                "Welcome! You are invited as {role} of {unit}.\n"
                "Please type your full name, for example: Nguyen Van An."
            ).format(role=role_label(t, checked.role), unit=await unit_address(t, db, unit)),
            ReplyKeyboardRemove(),
        )
        return INVITE_NAME
    if current is Standing.REGISTERED:
        forget_registration(context)
        stored = await people.get_user(db, user.id)
        name = stored.full_name if stored and stored.full_name else user.full_name
        await show_main_menu(
            update,
            context,
            t.gettext("Welcome back, {name}! Choose a task below.").format(name=name),
        )
        return END
    if current is Standing.PENDING:
        forget_registration(context)
        await reply(
            update,
            t.gettext(
                "Your registration is waiting for a chair's approval. "
                "You will get a message here as soon as it is decided."
            ),
        )
        return END
    context.data["registration"] = {}
    context.data["registering"] = True
    await reply(
        update,
        t.gettext(
            "Welcome to the bot of the Association for the Promotion of Learning!\n"
            "To register, please type your full name, for example: Nguyen Van An."
        ),
        ReplyKeyboardRemove(),
    )
    return NAME


async def name_received(update: Update, context: BotContext) -> str:
    t = await tr(update, context)
    assert update.message is not None and update.message.text is not None
    name, problem = registration.check_full_name(update.message.text)
    if problem is not None:
        await reply(update, name_problem_text(t, problem))
        return NAME
    draft = _draft(context)
    draft.update(name=name, step="district", query="", page=0)
    await _show_step(update, context, t, intro=t.gettext("Thank you, {name}.").format(name=name))
    return PICK


async def _parent_for_step(context: BotContext, draft: dict[str, Any]) -> Unit | None:
    db = context.db
    step = draft.get("step")
    if step == "district":
        return await unit_store.root(db)
    if step == "commune":
        return await unit_store.get(db, int(draft["district"]))
    if step == "branch":
        return await unit_store.get(db, int(draft["commune"]))
    return None


async def _show_step(
    update: Update, context: BotContext, t: Translator, *, intro: str = "", edit: bool = False
) -> None:
    draft = _draft(context)
    parent = await _parent_for_step(context, draft)
    if parent is None:
        await reply(update, t.gettext("Something is missing; send /start to begin again."))
        return
    query = str(draft.get("query", ""))
    markup, total = await unit_picker(
        t,
        context.db,
        parent,
        prefix=PREFIX,
        page=int(draft.get("page", 0)),
        query=query,
        back=draft["step"] != "district",
    )
    questions = {
        "district": t.gettext("Which district or city is your branch in?"),
        "commune": t.gettext("Which commune, ward or township of {unit}?"),
        "branch": t.gettext("Which branch of {unit} do you belong to?"),
    }
    lines = [intro] if intro else []
    lines.append(questions[draft["step"]].format(unit=unit_title(t, parent)))
    if query and total == 0:
        lines.append(t.gettext('No name contains "{text}". Try fewer letters.').format(text=query))
    elif query:
        lines.append(t.gettext('Showing names that contain "{text}".').format(text=query))
    else:
        lines.append(t.gettext("Tap a button, or type a few letters of the name to filter."))
    if edit:
        await edit_or_reply(update, "\n".join(lines), markup)
    else:
        await reply(update, "\n".join(lines), markup)


async def filter_typed(update: Update, context: BotContext) -> str:
    t = await tr(update, context)
    assert update.message is not None and update.message.text is not None
    draft = _draft(context)
    draft.update(query=update.message.text.strip()[:50], page=0)
    await _show_step(update, context, t)
    return PICK


async def picked(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    assert update.callback_query is not None
    parts = parse_callback(update.callback_query.data, PREFIX)
    draft = _draft(context)
    if "step" not in draft:
        forget_registration(context)
        await answer(update)
        await reply(update, t.gettext("Something is missing; send /start to begin again."))
        return END
    if parts[:1] == ["p"] and len(parts) >= 2 and (page := parse_number(parts[1])) is not None:
        draft["page"] = page
        if parts[2:] == ["all"]:
            draft["query"] = ""
        await answer(update)
        await _show_step(update, context, t, edit=True)
        return PICK
    if parts == ["b"]:
        previous = {"commune": "district", "branch": "commune"}.get(draft["step"])
        if previous:
            draft.update(step=previous, query="", page=0)
        await answer(update)
        await _show_step(update, context, t, edit=True)
        return PICK
    unit_id = parse_number(parts[1]) if parts[:1] == ["u"] and len(parts) == 2 else None
    parent = await _parent_for_step(context, draft)
    unit = await unit_store.get(context.db, unit_id) if unit_id is not None else None
    if unit is None or parent is None or unit.parent_id != parent.id or not unit.active:
        await answer(update, t.gettext("That choice is not available any more."), alert=True)
        await _show_step(update, context, t)
        return PICK
    await answer(update)
    step = draft["step"]
    if step == "district":
        draft.update(district=unit.id, step="commune", query="", page=0)
    elif step == "commune":
        if await unit_store.count_children(context.db, unit.id) == 0:
            await edit_or_reply(
                update,
                t.gettext(
                    "{unit} has no branches in the bot yet. Please ask your commune's association "
                    "to add its branches or to send you an invite link, or choose another commune."
                ).format(unit=unit_title(t, unit)),
                InlineKeyboardMarkup(
                    [[InlineKeyboardButton(t.gettext("⬅ Back"), callback_data=f"{PREFIX}:p:0:all")]]
                ),
            )
            return PICK
        draft.update(commune=unit.id, step="branch", query="", page=0)
    else:
        return await _submit(update, context, t, unit)
    await _show_step(update, context, t, edit=True)
    return PICK


async def _submit(update: Update, context: BotContext, t: Translator, branch: Unit) -> int:
    user = update.effective_user
    assert user is not None
    draft = _draft(context)
    submitted = await registration.submit_request(
        context.db, user.id, str(draft["name"]), branch, context.now(), language=t.lang
    )
    forget_registration(context)
    address = await unit_address(t, context.db, branch)
    await edit_or_reply(
        update,
        t.gettext(
            "Your request to join {unit} has been sent to the chairs. "
            "You will get a message here as soon as it is approved."
        ).format(unit=address),
    )
    if submitted.created:
        for chair_id in submitted.approvers:
            await _ask_chair(
                context, chair_id, submitted.request.id, submitted.request.full_name, branch
            )
    return END


async def _ask_chair(
    context: BotContext, chair_id: int, request_id: int, full_name: str, branch: Unit
) -> None:
    t = await tr_for(context, chair_id)
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.gettext("✅ Approve"), callback_data=f"{DECISION_PREFIX}:ok:{request_id}"
                ),
                InlineKeyboardButton(
                    t.gettext("❌ Reject"), callback_data=f"{DECISION_PREFIX}:no:{request_id}"
                ),
            ]
        ]
    )
    text = t.gettext("New registration request #{number}:\n{name}\n{unit}").format(
        number=request_id, name=full_name, unit=await unit_address(t, context.db, branch)
    )
    await notify(context, chair_id, text, buttons)


async def invite_name_received(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    user = update.effective_user
    assert update.message is not None and update.message.text is not None and user is not None
    name, problem = registration.check_full_name(update.message.text)
    if problem is not None:
        await reply(update, name_problem_text(t, problem))
        return INVITE_NAME
    code = str(_draft(context).get("invite", ""))
    result = await registration.redeem_invite(
        context.db, code, user.id, name, context.now(), language=t.lang
    )
    forget_registration(context)
    if isinstance(result, InviteProblem):
        await reply(update, invite_problem_text(t, result))
        return END
    await show_main_menu(
        update,
        context,
        t.gettext("Welcome, {name}! You are now {role} of {unit}. Choose a task below.").format(
            name=name,
            role=role_label(t, result.role),
            unit=await unit_address(t, context.db, result.unit),
        ),
    )
    return END


async def reask(update: Update, context: BotContext) -> str | int:
    """Anything unexpected (a sticker, a photo) gets the current question again."""
    t = await tr(update, context)
    draft = _draft(context)
    if "invite" in draft:
        await reply(update, t.gettext("Please type your full name, for example: Nguyen Van An."))
        return INVITE_NAME
    if "step" in draft:
        await answer(update)
        await _show_step(update, context, t)
        return PICK
    await reply(update, t.gettext("Please type your full name, for example: Nguyen Van An."))
    return NAME


async def cancel(update: Update, context: BotContext) -> int:
    t = await tr(update, context)
    forget_registration(context)
    await reply(
        update,
        t.gettext("Registration cancelled. Send /start whenever you want to begin again."),
        ReplyKeyboardRemove(),
    )
    return END


async def decide(update: Update, context: BotContext) -> None:
    """A chair pressed Approve or Reject under a registration request."""
    t = await tr(update, context)
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    parts = parse_callback(query.data, DECISION_PREFIX)
    request_id = parse_number(parts[1]) if len(parts) == 2 and parts[0] in ("ok", "no") else None
    if request_id is None:
        await answer(update, t.gettext("This button is not valid."), alert=True)
        return
    approve = parts[0] == "ok"
    result = await registration.decide(
        context.db, request_id, user.id, approve=approve, now=context.now()
    )
    if isinstance(result, DecisionError):
        texts = {
            DecisionError.NOT_FOUND: t.gettext("This request does not exist."),
            DecisionError.ALREADY_DECIDED: t.gettext("This request has already been decided."),
            DecisionError.OUT_OF_SCOPE: t.gettext(
                "You cannot decide on this request: "
                "it is outside the units you are responsible for."
            ),
        }
        await answer(update, texts[result], alert=True)
        return
    await answer(update)
    request = result.request
    verdict = t.gettext("✅ Approved") if approve else t.gettext("❌ Rejected")
    await edit_or_reply(
        update,
        t.gettext("Registration request #{number}: {name}\n{unit}\n{verdict}").format(
            number=request.id,
            name=request.full_name,
            unit=await unit_address(t, context.db, result.branch),
            verdict=verdict,
        ),
    )
    applicant_t = await tr_for(context, request.telegram_id)
    if approve:
        grants = await people.grants_of(context.db, request.telegram_id)
        await notify(
            context,
            request.telegram_id,
            applicant_t.gettext(
                "🎉 Your registration has been approved! You are a volunteer of {unit}. "
                "Choose a task below."
            ).format(unit=await unit_address(applicant_t, context.db, result.branch)),
            main_menu(applicant_t, grants),
        )
    else:
        await notify(
            context,
            request.telegram_id,
            applicant_t.gettext(
                "Your registration request was not approved. If you think this is a mistake, "
                "contact your commune's association, or send /start to register again."
            ),
        )


def build() -> list[BaseHandler[Update, BotContext, Any]]:
    # Main-menu buttons are not answers: /help's and /language's go on to their handlers (the
    # access gate has already answered the others), and the question stays.
    text = FREE_TEXT
    conversation: ConversationHandler[BotContext] = ConversationHandler(
        entry_points=[CommandHandler("start", start)],
        states={
            NAME: [MessageHandler(text, name_received)],
            PICK: [
                CallbackQueryHandler(picked, pattern=rf"^{PREFIX}:"),
                MessageHandler(text, filter_typed),
            ],
            INVITE_NAME: [MessageHandler(text, invite_name_received)],
        },
        fallbacks=[
            CommandHandler(CANCEL_COMMANDS, cancel),
            MessageHandler(filters.ALL & ~filters.COMMAND & ~any_menu_label(), reask),
            CallbackQueryHandler(reask, pattern=rf"^{PREFIX}:"),
        ],
        allow_reentry=True,
        name="registration",
        persistent=True,
    )
    return [
        conversation,
        CallbackQueryHandler(decide, pattern=rf"^{DECISION_PREFIX}:"),
    ]
