"""/campaigns (province admin): see this year's campaigns, change their dates, end one, add one;
/reminders on|off for everyone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.i18n import N_, Translator, translator
from bot.numbers import parse_number
from bot.services import campaigns, deadlines, reminder_schedule, reminders
from bot.services.campaigns import CampaignProblem
from bot.services.reminder_schedule import KIND_START, ReminderSlot
from bot.services.reporting import local_today
from bot.storage import campaigns as campaign_store
from bot.storage import people
from bot.storage.campaigns import CampaignPeriod, Progress
from bot.text import clean_name, shorten
from handlers import answers
from handlers.common import (
    BotContext,
    answer,
    edit_or_reply,
    parse_callback,
    reply,
    show_main_menu,
    tr,
)
from handlers.dialogs import Dialog, Entry, finish, on_screen
from handlers.form_model import Invalid

PREFIX = "cp"

PROBLEMS = {
    CampaignProblem.NOT_ALLOWED: N_("Only the province administrator manages campaigns."),
    CampaignProblem.NOT_FOUND: N_("That campaign does not exist."),
    CampaignProblem.END_BEFORE_START: N_("The end date is before the start date."),
    CampaignProblem.TOO_LONG: N_("A campaign lasts at most one year."),
    CampaignProblem.ALREADY_OVER: N_("That campaign is already over."),
    CampaignProblem.NOT_STARTED: N_("That campaign has not started; change its dates instead."),
}
RETYPE_END = (CampaignProblem.END_BEFORE_START, CampaignProblem.TOO_LONG)
"""Problems of the end date typed: it is asked again, the start kept."""


def _line(t: Translator, campaign: CampaignPeriod, today: date) -> str:
    state = (
        t.gettext("running")
        if campaign.covers(today)
        else t.gettext("over")
        if campaign.end_on < today
        else t.gettext("coming")
    )
    return f"{campaign.name}: {t.date(campaign.start_on)} – {t.date(campaign.end_on)} ({state})"


# ---------------------------------------------------------------- the list and its cards
#
# Stateless: /campaigns only reads, and a card's buttons carry the campaign's id. What needs
# typing (a new campaign, new dates) is the dialog below, started by `cp:add` and `cp:d:<id>`.


async def show_list(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    user = update.effective_user
    assert user is not None
    await answer(update)
    if not await campaigns.can_manage(context.db, user.id):
        await reply(update, t.gettext(PROBLEMS[CampaignProblem.NOT_ALLOWED]))
        return
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


async def card_pressed(update: Update, context: BotContext) -> None:
    """Buttons under the list and under one campaign; the admin check is repeated each time."""
    t = await tr(update, context)
    user = update.effective_user
    assert update.callback_query is not None and user is not None
    if not await campaigns.can_manage(context.db, user.id):
        await answer(update, t.gettext(PROBLEMS[CampaignProblem.NOT_ALLOWED]), alert=True)
        return
    parts = parse_callback(update.callback_query.data, PREFIX)
    if parts == ["list"]:
        await show_list(update, context)
        return
    number = parse_number(parts[1]) if len(parts) == 2 and parts[0] in ("o", "x") else None
    if number is None:
        await answer(update, t.gettext("This button is not valid."), alert=True)
        return
    campaign = await campaign_store.get(context.db, number)
    if campaign is None:
        await answer(update, t.gettext(PROBLEMS[CampaignProblem.NOT_FOUND]), alert=True)
        return
    await answer(update)
    today = local_today(context.now())
    if parts[0] == "x":
        result = await campaigns.end_now(context.db, user.id, campaign.id, today)
        await reply(update, _result_text(t, result))
        return
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
    await edit_or_reply(update, _line(t, campaign, today), InlineKeyboardMarkup(rows))


def _result_text(t: Translator, result: CampaignPeriod | CampaignProblem) -> str:
    if isinstance(result, CampaignProblem):
        return t.gettext(PROBLEMS[result])
    return t.gettext("✅ Saved: {name}, {start} – {end}.").format(
        name=result.name, start=t.date(result.start_on), end=t.date(result.end_on)
    )


def _read_day(text: str, t: Translator, today: date) -> date | str:
    try:
        return date.fromisoformat(str(answers.planned_day(text, t, today)))
    except Invalid as problem:
        return problem.message


def _sample_reminder(t: Translator, data: dict[str, Any], start: date, end: date) -> str:
    """The campaign's opening reminder as a volunteer would read it (in the administrator's
    language; each person gets it in theirs, with their own branch's progress)."""
    draft = CampaignPeriod(
        id=0,
        key=campaign_store.CUSTOM,
        year=start.year,
        name=str(data.get("name") or ""),
        start_on=start,
        end_on=end,
    )
    slot = ReminderSlot(draft.key, draft.year, KIND_START, KIND_START, datetime.now(UTC))
    sample = reminders.Recipient(
        telegram_id=0,
        language=t.lang,
        branch_name=t.gettext("(their branch)"),
        progress=Progress(members=0, contributions=0, raised=0),
    )
    text, _ = reminder_message(draft, slot, sample)
    return "\n".join(f"│ {line}" for line in text.splitlines())


# ---------------------------------------------------------------- the dialog


class CampaignDialog(Dialog):
    """A new campaign (name, start, end) or new dates for one (start, end). An interruption:
    the administrator may do it in the middle of a form, which asks its question again after.
    The draft: `mode` ("add" or "dates"), `id` and `name` of the campaign, `start`, and
    `asking` (the question on screen: "name", "start" or "end")."""

    name = "campaign"
    title = N_("Campaign dates")
    interruption = True
    entry = Entry(patterns=(rf"^{PREFIX}:add$", rf"^{PREFIX}:d:[0-9]+$"))

    def has_answers(self, data: dict[str, Any]) -> bool:
        return (data.get("mode") == "add" and "name" in data) or "start" in data

    def summary(self, data: dict[str, Any]) -> str:
        return shorten(str(data.get("name") or ""), 40)

    async def begin(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        user = update.effective_user
        assert update.callback_query is not None and user is not None
        if not await campaigns.can_manage(context.db, user.id):
            await finish(context, self)
            await answer(update, t.gettext(PROBLEMS[CampaignProblem.NOT_ALLOWED]), alert=True)
            return
        parts = parse_callback(update.callback_query.data, PREFIX)
        if parts == ["add"]:
            await answer(update)
            context.data[self.name] = {"mode": "add", "asking": "name"}
            await self.show(update, context)
            return
        number = parse_number(parts[1]) if len(parts) == 2 else None
        campaign = await campaign_store.get(context.db, number) if number is not None else None
        if campaign is None:
            await finish(context, self)
            await answer(update, t.gettext(PROBLEMS[CampaignProblem.NOT_FOUND]), alert=True)
            return
        await answer(update)
        context.data[self.name] = {
            "mode": "dates",
            "id": campaign.id,
            "name": campaign.name,
            "was": campaign.start_on.isoformat(),
            "asking": "start",
        }
        await self.show(update, context)

    async def show(self, update: Update, context: BotContext, *, note: str = "") -> None:
        t = await tr(update, context)
        data = self.data(context)
        asking = data.get("asking")
        today = local_today(context.now())
        if asking == "name":
            text = t.gettext("Name of the new campaign? For example: Tuần lễ học tập suốt đời.")
        elif asking == "start" and data.get("mode") == "dates":
            text = t.gettext("{name}: new start date? For example: {example}.").format(
                name=data.get("name"), example=t.date(date.fromisoformat(str(data["was"])))
            )
        elif asking == "start":
            text = t.gettext("Start date? For example: {example}.").format(example=t.date(today))
        elif asking == "end":
            start = date.fromisoformat(str(data["start"]))
            text = t.gettext("End date? For example: {example}.").format(
                example=t.date(start + timedelta(days=30))
            )
        elif asking == "confirm":
            await self._confirm(update, context, t, note)
            return
        else:  # nothing left to ask (a draft from before this dialog existed)
            await finish(context, self)
            return
        self.new_step(context)
        cancel = InlineKeyboardMarkup([[self.button(context, t.gettext("✖ Cancel"), "cancel")]])
        await reply(update, f"{note}\n{text}" if note else text, cancel)

    async def _confirm(self, update: Update, context: BotContext, t: Translator, note: str) -> None:
        """The campaign as it would be saved, the campaigns it overlaps, and who would be
        reminded when: nothing is saved, and no one messaged, before "Save"."""
        data = self.data(context)
        start, end = date.fromisoformat(str(data["start"])), date.fromisoformat(str(data["end"]))
        campaign_id = int(data["id"]) if data.get("mode") == "dates" else None
        settings = context.runtime.settings
        schedule = reminders.Schedule(
            tz=settings.tz,
            weekly_weekday=settings.reminder_weekday,
            weekly_time=settings.reminder_time,
        )
        now = context.now()
        found = await campaigns.preview(
            context.db, start, end, now=now, schedule=schedule, campaign_id=campaign_id
        )
        lines = [note] if note else []
        lines.append(
            t.gettext("{name}: {start} – {end}.").format(
                name=data.get("name"), start=t.date(start), end=t.date(end)
            )
        )
        for other in found.overlaps:
            lines.append(
                t.gettext("⚠ Overlaps {name} ({start} – {end}).").format(
                    name=other.name, start=t.date(other.start_on), end=t.date(other.end_on)
                )
            )
        if found.first_reminder is None or not found.recipients:
            lines.append(t.gettext("No reminder will be sent for it."))
        else:
            when = (
                t.gettext("as soon as you save")
                if found.first_reminder <= now
                else t.datetime(found.first_reminder, settings.tz)
            )
            lines.append(
                t.ngettext(
                    "🔔 {count} person will be reminded, first {when}; the first reminder:",
                    "🔔 {count} people will be reminded, first {when}; the first reminder:",
                    found.recipients,
                ).format(count=t.number(found.recipients), when=when)
            )
            lines.append(_sample_reminder(t, data, start, end))
        lines.append(t.gettext("Save it?"))
        self.new_step(context)
        keyboard = InlineKeyboardMarkup(
            [
                [self.button(context, t.gettext("✅ Save"), "save")],
                [self.button(context, t.gettext("📅 Other dates"), "redo")],
                [self.button(context, t.gettext("✖ Cancel"), "cancel")],
            ]
        )
        await reply(update, "\n".join(lines), keyboard)

    async def typed(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        assert update.message is not None and update.message.text is not None
        text = update.message.text
        data = self.data(context)
        asking = data.get("asking")
        if asking == "name":
            name = clean_name(text)
            if not 2 <= len(name) <= 100:
                note = t.gettext("A campaign name has 2 to 100 characters. Please type it again.")
                await self.show(update, context, note=note)
                return
            data.update(name=name, asking="start")
            await self.show(update, context)
            return
        if asking not in ("start", "end"):
            await self.show(update, context)
            return
        day = _read_day(text, t, local_today(context.now()))
        if isinstance(day, str):
            await self.show(update, context, note=day)
            return
        if asking == "start":
            data.update(start=day.isoformat(), asking="end")
            await self.show(update, context)
            return
        start = date.fromisoformat(str(data["start"]))
        problem = campaigns.check_dates(start, day)
        if problem is not None:
            await self.show(update, context, note=t.gettext(PROBLEMS[problem]))
            return
        data.update(end=day.isoformat(), asking="confirm")
        await self.show(update, context)

    async def _save(
        self, update: Update, context: BotContext, t: Translator, start: date, end: date
    ) -> None:
        user = update.effective_user
        assert user is not None
        data = self.data(context)
        if data.get("mode") == "dates":
            result = await campaigns.change_dates(context.db, user.id, int(data["id"]), start, end)
        else:
            result = await campaigns.add(context.db, user.id, str(data.get("name")), start, end)
        if result in RETYPE_END:
            data.update(asking="end")
            await self.show(update, context, note=_result_text(t, result))
            return
        await finish(context, self)
        await reply(update, _result_text(t, result))

    async def pressed(self, update: Update, context: BotContext, parts: list[str]) -> None:
        t = await tr(update, context)
        data = self.data(context)
        if parts in (["save"], ["redo"]) and data.get("asking") == "confirm":
            await answer(update)
            if parts == ["redo"]:
                data.update(asking="start")
                data.pop("end", None)
                await self.show(update, context)
                return
            start = date.fromisoformat(str(data["start"]))
            await self._save(update, context, t, start, date.fromisoformat(str(data["end"])))
            return
        if parts != ["cancel"]:
            await answer(update, t.gettext("This button is not valid."), alert=True)
            return
        await answer(update)
        await finish(context, self)
        await edit_or_reply(update, t.gettext("Cancelled. Nothing was saved."))
        if on_screen(context) is None:  # else the dialog below asks its question again
            await show_main_menu(update, context, t.gettext("Choose a task below."))


FLOW = CampaignDialog()
DIALOGS = (FLOW,)


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


def build() -> list[BaseHandler[Update, BotContext, Any]]:
    return [
        CommandHandler(["campaigns", "chiendich"], show_list),
        CallbackQueryHandler(card_pressed, pattern=rf"^{PREFIX}:"),
        CommandHandler(["reminders", "nhacnho"], reminders_command),
    ]


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
    queued = await reminders.enqueue_due(runtime.db, now, schedule, reminder_message)
    queued += await deadlines.enqueue_due(runtime.db, now, runtime.settings.tz, deadline_message)
    if queued:
        runtime.wake_delivery()


def deadline_message(
    deadline: deadlines.Deadline, on: date, language: str
) -> tuple[str, dict[str, object] | None]:
    """A chair's reminder of a date that matters, in their language, with the command that
    gives the paragraph to paste."""
    t = translator(language)
    text = t.gettext(DEADLINE_TEXTS[deadline.key]).format(year=on.year, date=t.date(on))
    return text, None


DEADLINE_TEXTS = {
    deadlines.ANNUAL_REPORT.key: N_(
        "📅 The {year} report to the national association is due before {date}. "
        "/report {year} gives the paragraph with the year's figures to paste into it; "
        "/stats gives the details and the Excel file."
    ),
}
