"""/campaigns (province admin): see this year's campaigns, change their dates, end one, add one;
/reminders on|off for everyone."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
)

from bot.i18n import N_, Translator, translator
from bot.numbers import parse_number
from bot.services import campaigns, reminder_schedule, reminders
from bot.services.campaigns import CampaignProblem
from bot.services.reminder_schedule import ReminderSlot
from bot.services.reporting import local_today
from bot.storage import campaigns as campaign_store
from bot.storage import people
from bot.storage.campaigns import CampaignPeriod
from bot.text import clean_name
from handlers import answers
from handlers.common import (
    CANCEL_COMMANDS,
    FREE_TEXT,
    BotContext,
    answer,
    edit_or_reply,
    parse_callback,
    reply,
    show_main_menu,
    tr,
)
from handlers.form import Invalid
from handlers.interrupting import forget, interrupting

PREFIX = "cp"
NAME, START, END_DAY = "name", "start", "end"
END = ConversationHandler.END

PROBLEMS = {
    CampaignProblem.NOT_ALLOWED: N_("Only the province administrator manages campaigns."),
    CampaignProblem.NOT_FOUND: N_("That campaign does not exist."),
    CampaignProblem.END_BEFORE_START: N_("The end date is before the start date."),
    CampaignProblem.TOO_LONG: N_("A campaign lasts at most one year."),
    CampaignProblem.ALREADY_OVER: N_("That campaign is already over."),
    CampaignProblem.NOT_STARTED: N_("That campaign has not started; change its dates instead."),
}


def _draft(context: BotContext) -> dict[str, Any]:
    draft: dict[str, Any] = context.data.setdefault("campaign_draft", {})
    return draft


def _line(t: Translator, campaign: CampaignPeriod, today: date) -> str:
    state = (
        t.gettext("running")
        if campaign.covers(today)
        else t.gettext("over")
        if campaign.end_on < today
        else t.gettext("coming")
    )
    return f"{campaign.name}: {t.date(campaign.start_on)} – {t.date(campaign.end_on)} ({state})"


async def show_list(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    user = update.effective_user
    assert user is not None
    await answer(update)
    if not await campaigns.can_manage(context.db, user.id):
        await reply(update, t.gettext(PROBLEMS[CampaignProblem.NOT_ALLOWED]))
        return END
    today = local_today(context.now())
    await campaigns.ensure_defaults(context.db, range(today.year, today.year + 2))
    listed = await campaign_store.between(
        context.db, date(today.year, 1, 1), date(today.year + 1, 12, 31)
    )
    lines = [t.gettext("Campaigns this year and next:")]
    lines += [f"{i}. {_line(t, c, today)}" for i, c in enumerate(listed, start=1)]
    rows = [
        [InlineKeyboardButton(f"{i}. {c.name} {c.year}", callback_data=f"{PREFIX}:o:{c.id}")]
        for i, c in enumerate(listed, start=1)
        if c.end_on >= today
    ]
    rows.append(
        [InlineKeyboardButton(t.gettext("➕ Add a campaign"), callback_data=f"{PREFIX}:add")]
    )
    await edit_or_reply(update, "\n".join(lines), InlineKeyboardMarkup(rows))
    return END


async def pressed(update: Update, context: BotContext) -> str | int:
    """Buttons under the list and under one campaign; the admin check is repeated each time."""
    t = await tr(update, context)
    user = update.effective_user
    assert update.callback_query is not None and user is not None
    if not await campaigns.can_manage(context.db, user.id):
        await answer(update, t.gettext(PROBLEMS[CampaignProblem.NOT_ALLOWED]), alert=True)
        return END
    parts = parse_callback(update.callback_query.data, PREFIX)
    number = parse_number(parts[1]) if len(parts) == 2 else None
    campaign = await campaign_store.get(context.db, number) if number is not None else None
    today = local_today(context.now())
    if parts == ["add"]:
        await answer(update)
        context.data["campaign_draft"] = {"mode": "add"}
        await reply(
            update, t.gettext("Name of the new campaign? For example: Tuần lễ học tập suốt đời.")
        )
        return NAME
    if parts == ["list"]:
        return await show_list(update, context)
    if campaign is None:
        await answer(update, t.gettext(PROBLEMS[CampaignProblem.NOT_FOUND]), alert=True)
        return END
    await answer(update)
    if parts[0] == "o":
        rows = [
            [
                InlineKeyboardButton(
                    t.gettext("📅 Change the dates"), callback_data=f"{PREFIX}:d:{campaign.id}"
                )
            ]
        ]
        if campaign.covers(today):
            rows.append(
                [
                    InlineKeyboardButton(
                        t.gettext("⏹ End it today"), callback_data=f"{PREFIX}:x:{campaign.id}"
                    )
                ]
            )
        rows.append([InlineKeyboardButton(t.gettext("⬅ Back"), callback_data=f"{PREFIX}:list")])
        buttons = InlineKeyboardMarkup(rows)
        await edit_or_reply(update, _line(t, campaign, today), buttons)
        return END
    if parts[0] == "d":
        context.data["campaign_draft"] = {"mode": "dates", "id": campaign.id}
        await reply(
            update,
            t.gettext("{name}: new start date? For example: {example}.").format(
                name=campaign.name, example=t.date(campaign.start_on)
            ),
        )
        return START
    if parts[0] == "x":
        result = await campaigns.end_now(context.db, user.id, campaign.id, today)
        await _done(update, t, result)
        return END
    await answer(update, t.gettext("This button is not valid."), alert=True)
    return END


async def _done(update: Update, t: Translator, result: CampaignPeriod | CampaignProblem) -> None:
    if isinstance(result, CampaignProblem):
        await reply(update, t.gettext(PROBLEMS[result]))
        return
    await reply(
        update,
        t.gettext("✅ Saved: {name}, {start} – {end}.").format(
            name=result.name, start=t.date(result.start_on), end=t.date(result.end_on)
        ),
    )


def _read_day(text: str, t: Translator, today: date) -> date | str:
    try:
        return date.fromisoformat(str(answers.planned_day(text, t, today)))
    except Invalid as problem:
        return problem.message


async def name_typed(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    assert update.message is not None and update.message.text is not None
    name = clean_name(update.message.text)
    if not 2 <= len(name) <= 100:
        await reply(
            update, t.gettext("A campaign name has 2 to 100 characters. Please type it again.")
        )
        return NAME
    _draft(context)["name"] = name
    await reply(
        update,
        t.gettext("Start date? For example: {example}.").format(
            example=t.date(local_today(context.now()))
        ),
    )
    return START


async def start_typed(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    assert update.message is not None and update.message.text is not None
    day = _read_day(update.message.text, t, local_today(context.now()))
    if isinstance(day, str):
        await reply(update, day)
        return START
    _draft(context)["start"] = day.isoformat()
    await reply(
        update,
        t.gettext("End date? For example: {example}.").format(
            example=t.date(day + timedelta(days=30))
        ),
    )
    return END_DAY


async def end_typed(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    user = update.effective_user
    assert update.message is not None and update.message.text is not None and user is not None
    day = _read_day(update.message.text, t, local_today(context.now()))
    if isinstance(day, str):
        await reply(update, day)
        return END_DAY
    draft = _draft(context)
    start = date.fromisoformat(str(draft.get("start")))
    if draft.get("mode") == "dates":
        result = await campaigns.change_dates(context.db, user.id, int(draft["id"]), start, day)
    else:
        result = await campaigns.add(context.db, user.id, str(draft.get("name")), start, day)
    if result is CampaignProblem.END_BEFORE_START:
        await reply(update, t.gettext(PROBLEMS[result]) + " " + t.gettext("End date?"))
        return END_DAY
    context.data.pop("campaign_draft", None)
    await _done(update, t, result)
    return END


async def cancel(update: Update, context: BotContext) -> int:
    t = await tr(update, context)
    context.data.pop("campaign_draft", None)
    await show_main_menu(update, context, t.gettext("Cancelled."))
    return END


async def reminders_command(update: Update, context: BotContext) -> None:
    """`/reminders off` stops automatic campaign reminders; chair broadcasts still arrive."""
    t = await tr(update, context)
    user = update.effective_user
    assert user is not None
    choice = (context.args or [""])[0].lower()
    if choice in ("on", "bat", "bật"):
        await people.set_reminders(context.db, user.id, True)
        await reply(update, t.gettext("Campaign reminders are on."))
    elif choice in ("off", "tat", "tắt"):
        await people.set_reminders(context.db, user.id, False)
        await reply(
            update,
            t.gettext(
                "Campaign reminders are off. Messages from your chairs still arrive. "
                "Send /reminders on to turn them back on."
            ),
        )
    else:
        stored = await people.get_user(context.db, user.id)
        state = t.gettext("on") if stored is None or stored.reminders else t.gettext("off")
        await reply(
            update,
            t.gettext(
                "Campaign reminders are {state}. Send /reminders off or /reminders on."
            ).format(state=state),
        )


def build_interrupting() -> list[BaseHandler[Update, BotContext, Any]]:
    """The admin may change a campaign in the middle of a form (see handlers/interrupting.py)."""
    return [
        interrupting(
            name="campaigns",
            entry_points=[
                CommandHandler(["campaigns", "chiendich"], show_list),
                CallbackQueryHandler(pressed, pattern=rf"^{PREFIX}:"),
            ],
            states={
                NAME: [MessageHandler(FREE_TEXT, name_typed)],
                START: [MessageHandler(FREE_TEXT, start_typed)],
                END_DAY: [MessageHandler(FREE_TEXT, end_typed)],
            },
            fallbacks=[CommandHandler(list(CANCEL_COMMANDS), cancel)],
            leave=forget("campaign_draft"),
        )
    ]


def build() -> list[BaseHandler[Update, BotContext, Any]]:
    return [CommandHandler(["reminders", "nhacnho"], reminders_command)]


# ---------------------------------------------------------------- reminders

SLOT_OPENINGS = {
    reminder_schedule.KIND_START: N_("📣 {campaign} starts today and runs until {end}."),
    reminder_schedule.KIND_WEEKLY: N_("📣 Weekly reminder: {campaign} runs until {end}."),
    reminder_schedule.KIND_BEFORE_END: N_("📣 {campaign} ends in 3 days, on {end}."),
}


def reminder_message(
    campaign: CampaignPeriod, slot: ReminderSlot, person: reminders.Recipient
) -> tuple[str, dict[str, object]]:
    """One volunteer's reminder, in their language: their branch's progress in the
    campaign and one tap to start a report."""
    t = translator(person.language)
    progress = person.progress
    text = "\n".join(
        [
            t.gettext(SLOT_OPENINGS[slot.kind]).format(
                campaign=campaign.name, end=t.date(campaign.end_on)
            ),
            t.gettext(
                "So far branch {branch} has reported {members} new members and {raised} "
                "in contributions during the campaign."
            ).format(
                branch=person.branch_name,
                members=t.number(progress.members),
                raised=t.money(progress.raised),
            ),
            t.gettext("Tap to report now. /reminders off stops these reminders."),
        ]
    )
    markup: dict[str, object] = {
        "inline_keyboard": [
            [
                {"text": t.gettext("👤 New member"), "callback_data": "member:new"},
                {"text": t.gettext("💰 Contribution"), "callback_data": "contribution:new"},
            ]
        ]
    }
    return text, markup


async def reminder_job(context: BotContext) -> None:
    """Every minute: queue what is due; once a year (and at start-up), seed this year's and
    next year's default campaigns, rather than taking the write lock every minute."""
    runtime = context.runtime
    now = runtime.clock()
    today = local_today(now)
    job_data = context.job.data if context.job is not None else None
    seeded: dict[str, Any] = job_data if isinstance(job_data, dict) else {}
    if seeded.get("year") != today.year:
        await campaigns.ensure_defaults(runtime.db, range(today.year, today.year + 2))
        seeded["year"] = today.year
    schedule = reminders.Schedule(
        tz=runtime.settings.tz,
        weekly_weekday=runtime.settings.reminder_weekday,
        weekly_time=runtime.settings.reminder_time,
    )
    if await reminders.enqueue_due(runtime.db, now, schedule, reminder_message):
        runtime.wake_delivery()
