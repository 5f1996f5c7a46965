"""Learning-title nominations (đề cử danh hiệu học tập): the form, the chairs' decision, /pending.

Anyone registered nominates a person, family, clan, village, agency or commune; the chairs who
may recognise that title get the nomination with Công nhận / Không công nhận buttons, and the
nominator is told the outcome in their own language. Every press is checked again by the
service: callback data only names a nomination, it never grants anything.

Who is asked and who may decide is the service's rule (`nominations.deciders_for`,
`decidable`); this module asks it and renders.

Callback data: the form uses `title:…` (the engine's; `title:e:<id>` reopens a saved one for
correction), decisions `tt:ok:<id>` (recognise, a stateless button) and `tt:no:<id>` (reject:
starts the reason dialog `title_reject`, whose buttons are `title_reject:<step>:…`). `tt:x`, the
leave button of reason questions from before the dialog, only says it is no longer active.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final

from pydantic import ValidationError
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler

from bot.i18n import N_, Translator
from bot.numbers import parse_number
from bot.services import nominations, report_access, scopes
from bot.services.reporting import ReportError
from bot.storage import people, reports
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import ROLE_RANK, Level, Role, Unit
from bot.storage.records import (
    Nomination,
    NominationInput,
    NominationKind,
    NominationStatus,
    ReportKind,
    field_problems,
    tidy_text,
)
from handlers import answers
from handlers.common import (
    MENU_PENDING,
    MENU_TITLE,
    BotContext,
    answer,
    association_of,
    edit_or_reply,
    menu_filter,
    notify,
    parse_callback,
    reply,
    show_main_menu,
    tr,
    tr_for,
    unit_address,
)
from handlers.dialogs import Dialog, Entry, finish, on_screen
from handlers.form import FormFlow
from handlers.form_model import (
    Editing,
    Form,
    FormRun,
    JsonValue,
    Option,
    Outcome,
    Question,
    Values,
    problem_text,
)
from handlers.report_texts import receipt, report_error_text

DECISION: Final = "tt"
PENDING_SHOWN: Final = 10
REASON_TTL: Final = timedelta(hours=1)
"""A reason typed long after the question is more likely a stray message than a decision."""
PENDING_COMMANDS = ("pending", "choduyet")

KIND_LABELS: Final = {
    NominationKind.CITIZEN: N_("Learning citizen"),
    NominationKind.FAMILY: N_("Learning family"),
    NominationKind.CLAN: N_("Learning clan"),
    NominationKind.VILLAGE_COMMUNITY: N_("Learning community (village, residential group)"),
    NominationKind.LEARNING_UNIT: N_("Learning unit"),
    NominationKind.COMMUNE_COMMUNITY: N_("Commune learning community"),
}

LEVELS: Final = {
    NominationKind.CITIZEN: (Level.BRANCH,),
    NominationKind.FAMILY: (Level.BRANCH,),
    NominationKind.CLAN: (Level.BRANCH,),
    NominationKind.VILLAGE_COMMUNITY: (Level.BRANCH,),
    NominationKind.LEARNING_UNIT: (Level.BRANCH, Level.COMMUNE),
    NominationKind.COMMUNE_COMMUNITY: (Level.COMMUNE,),
}
"""Where each title's nomination is filed: its unit decides who may recognise it."""


@dataclass(frozen=True)
class Subject:
    """How to ask who or what is nominated, for one title."""

    label: str  # msgid
    prompt: str  # msgid


# A commune's title names the commune itself, so it has no subject to ask.
SUBJECTS: Final = {
    NominationKind.CITIZEN: Subject(
        N_("Person nominated"),
        N_("Who is nominated? Type the full name, for example: Nguyen Van An."),
    ),
    NominationKind.FAMILY: Subject(
        N_("Head of household"),
        N_(
            "Which family? Type the full name of the head of household, for example: Tran Van Binh."
        ),
    ),
    NominationKind.CLAN: Subject(
        N_("Clan"), N_("Which clan? Type the clan's name, for example: Pham Van clan.")
    ),
    NominationKind.VILLAGE_COMMUNITY: Subject(
        N_("Village or residential group"),
        N_("Which village or residential group? Type its name, for example: Dong village."),
    ),
    NominationKind.LEARNING_UNIT: Subject(
        N_("Agency or unit"),
        N_(
            "Which agency, school or enterprise? Type its name, "
            "for example: Dong Ha Primary School."
        ),
    ),
}


def kind_of(values: Mapping[str, JsonValue]) -> NominationKind | None:
    try:
        return NominationKind(str(values.get("kind")))
    except ValueError:
        return None


def subject_of(values: Mapping[str, JsonValue]) -> Subject:
    """The wording for the title chosen (a person's, while none is)."""
    kind = kind_of(values)
    found = SUBJECTS.get(kind) if kind is not None else None
    return found or SUBJECTS[NominationKind.CITIZEN]


# ---------------------------------------------------------------- answers


def note_answer(answer: str, t: Translator, today: date) -> JsonValue:
    """Blank is no note, so the summary says "(none)" rather than showing nothing."""
    return tidy_text(answer) or None


def year_shortcuts(t: Translator, today: date) -> list[tuple[str, JsonValue]]:
    return [(str(today.year), today.year), (str(today.year - 1), today.year - 1)]


def unit_levels(values: Mapping[str, JsonValue]) -> tuple[Level, ...]:
    kind = kind_of(values)
    return LEVELS[kind] if kind is not None else (Level.BRANCH,)


QUESTIONS: Final = (
    Question(
        "kind",
        N_("Title"),
        N_("Which title?"),
        options=tuple(Option(kind.value, label) for kind, label in KIND_LABELS.items()),
        columns=1,  # the names are long: two to a row get cut off on a small phone
    ),
    Question(
        "subject",
        SUBJECTS[NominationKind.CITIZEN].label,
        SUBJECTS[NominationKind.CITIZEN].prompt,
        parse=answers.text,
        applies=lambda values: kind_of(values) in SUBJECTS,
        label_for=lambda values: subject_of(values).label,
        prompt_for=lambda values: subject_of(values).prompt,
        depends_on=("kind",),  # another title asks again, in its own words
    ),
    Question(
        "unit_id",
        N_("Place"),
        N_("Which branch or commune is it in?"),
        levels=unit_levels,
        depends_on=("kind",),  # kept while its level still fits the title
    ),
    Question(
        "year",
        N_("Year"),
        N_("For which year? Tap a button or type a year."),
        parse=answers.title_year,
        shortcuts=year_shortcuts,
    ),
    Question(
        "note",
        N_("Note"),
        N_(
            "A short note for the chairs (optional)? "
            "For example: three children passed the university entrance exam."
        ),
        parse=note_answer,
        optional=True,
    ),
)


def nomination_data(values: Mapping[str, JsonValue], unit: Unit) -> dict[str, JsonValue]:
    """The draft's answers as `NominationInput` takes them; a commune's title names it."""
    data = {key: values.get(key) for key in ("kind", "unit_id", "year", "note")}
    data["subject"] = values.get("subject") if kind_of(values) in SUBJECTS else unit.name
    return data


# ---------------------------------------------------------------- saving


def invalid_outcome(run: FormRun, error: ValidationError) -> Outcome:
    problem = field_problems(error)[0]
    return Outcome(problem_text(run.t, problem.code), saved=False, field=problem.field)


def refused_outcome(run: FormRun, error: ReportError) -> Outcome:
    t = run.t
    kind = kind_of(run.values)
    if error is ReportError.DUPLICATE and kind is not None:
        data = nomination_data(run.values, run.unit)
        text = t.gettext(
            '"{subject}" already holds or awaits the title "{title}" for {year}, so nothing new '
            "was saved. Change the name or the year, or cancel."
        ).format(subject=data["subject"], title=t.gettext(KIND_LABELS[kind]), year=data["year"])
        return Outcome(text, saved=False)
    if error is ReportError.OUT_OF_SCOPE and kind is NominationKind.COMMUNE_COMMUNITY:
        text = t.gettext("Only chairs can nominate a whole commune. Please choose another title.")
        return Outcome(text, saved=False, field="kind")
    field = "unit_id" if error is ReportError.UNKNOWN_UNIT else None
    return Outcome(report_error_text(t, error), saved=False, field=field)


async def save(run: FormRun) -> Outcome:
    try:
        result = await nominations.create_nomination(
            run.context.db,
            run.user_id,
            nomination_data(run.values, run.unit),
            idempotency_key=run.key,
            now=run.context.now(),
        )
    except ValidationError as error:
        return invalid_outcome(run, error)
    if isinstance(result, ReportError):
        return refused_outcome(run, result)
    nomination, _ = result  # the chairs are asked from the event it wrote (`notices`)
    t = run.t
    unit = await unit_store.get(run.context.db, nomination.unit_id)
    chaired, _ = (
        await nominations.deciders(run.context.db, unit, nomination.kind) if unit else (None, [])
    )
    sent = (
        t.gettext(
            "It has been sent to {decider} for recognition; "
            "you will get a message here when it is decided."
        ).format(decider=association_of(t, chaired))
        if chaired is not None
        else t.gettext(
            "It has been sent to the chairs for recognition; "
            "you will get a message here when it is decided."
        )
    )
    text = (
        receipt(t, N_("Nomination saved."), nomination.id, nomination.created_at, run.context)
        + "\n"
        + sent
    )
    return Outcome(text, saved=True)


async def load(context: BotContext, t: Translator, user_id: int, record_id: int) -> Values | str:
    """A saved nomination's answers, for /myreports' correction button."""
    record = await report_access.get_record(context.db, ReportKind.NOMINATION, record_id)
    if not isinstance(record, Nomination):
        return report_error_text(t, ReportError.NOT_FOUND)
    refusal = await report_access.edit_refusal(context.db, user_id, record, context.now())
    if refusal is not None:
        return report_error_text(t, refusal)
    values: Values = {
        "kind": record.kind.value,
        "unit_id": record.unit_id,
        "year": record.year,
        "note": record.note,
    }
    if record.kind in SUBJECTS:
        values["subject"] = record.subject
    return values


async def save_edit(run: FormRun) -> Outcome:
    assert run.record_id is not None
    try:
        result = await report_access.edit_nomination(
            run.context.db,
            run.user_id,
            run.record_id,
            nomination_data(run.values, run.unit),
            now=run.context.now(),
        )
    except ValidationError as error:
        return invalid_outcome(run, error)
    if isinstance(result, ReportError):
        return refused_outcome(run, result)
    return Outcome(
        receipt(run.t, N_("Nomination corrected."), result.id, result.updated_at, run.context),
        saved=True,
    )


FORM = Form(
    name="title",
    title=N_("Title nomination"),
    commands=("title", "danhhieu"),
    menu=MENU_TITLE,
    model=NominationInput,
    questions=QUESTIONS,
    save=save,
    editing=Editing(load=load, save=save_edit),
)

FLOW = FormFlow(FORM)


# ---------------------------------------------------------------- who decides


def decide_buttons(t: Translator, nomination_id: int) -> InlineKeyboardMarkup:
    """Two big rows, so a shaky finger does not recognise what it meant to reject."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.gettext("✅ Recognise"), callback_data=f"{DECISION}:ok:{nomination_id}"
                )
            ],
            [
                InlineKeyboardButton(
                    t.gettext("❌ Not recognise"), callback_data=f"{DECISION}:no:{nomination_id}"
                )
            ],
        ]
    )


async def person_name(db: Database, telegram_id: int | None) -> str:
    user = await people.get_user(db, telegram_id) if telegram_id is not None else None
    return user.full_name if user is not None and user.full_name else "?"


def subject_line(t: Translator, nomination: Nomination) -> str:
    """ "Chủ hộ: Trần Văn Bình"; a commune's title names the commune, shown just below."""
    subject = SUBJECTS.get(nomination.kind)
    if subject is None:
        return nomination.subject
    return f"{t.gettext(subject.label)}: {nomination.subject}"


async def card(context: BotContext, t: Translator, nomination: Nomination) -> str:
    """The nomination as a chair reads it, ending with where it stands."""
    db = context.db
    unit = await unit_store.get(db, nomination.unit_id)
    lines = [
        t.gettext("🏅 Nomination #{number}: {title}, {year}").format(
            number=nomination.id,
            title=t.gettext(KIND_LABELS[nomination.kind]),
            year=nomination.year,
        ),
        subject_line(t, nomination),
        await unit_address(t, db, unit) if unit is not None else "?",
        t.gettext("Nominated by {name} at {time}").format(
            name=await person_name(db, nomination.reporter_id),
            time=t.datetime(nomination.created_at, context.runtime.settings.tz),
        ),
    ]
    if nomination.note:
        lines.append(t.gettext("Note: {note}").format(note=nomination.note))
    decider = await person_name(db, nomination.decided_by)
    if nomination.status is NominationStatus.PENDING:
        lines.append(t.gettext("⏳ Waiting for a decision"))
    elif nomination.status is NominationStatus.RECOGNISED:
        lines.append(t.gettext("✅ Recognised by {name}").format(name=decider))
    elif nomination.status is NominationStatus.REJECTED:
        lines.append(
            t.gettext("❌ Not recognised by {name}. Reason: {reason}").format(
                name=decider, reason=nomination.reject_reason or ""
            )
        )
    else:
        lines.append(report_error_text(t, ReportError.WITHDRAWN))
    return "\n".join(lines)


async def ask_deciders(context: BotContext, nomination_id: int) -> None:
    """A new nomination (`NoticeKind.NOMINATION_SUBMITTED`): the card, with its buttons, to
    the chairs the service names; one withdrawn or decided meanwhile goes to no one."""
    nomination = await reports.get(context.db, Nomination, nomination_id)
    if nomination is None or nomination.status is not NominationStatus.PENDING:
        return
    unit = await unit_store.get(context.db, nomination.unit_id)
    assert unit is not None
    for chair_id in await nominations.deciders_for(context.db, unit, nomination.kind):
        t = await tr_for(context, chair_id)
        text = await card(context, t, nomination)
        await notify(context, chair_id, text, decide_buttons(t, nomination.id))


# ---------------------------------------------------------------- deciding


def callback_id(update: Update, action: str) -> int | None:
    """`tt:<action>:<id>` → id; anything else → None."""
    assert update.callback_query is not None
    parts = parse_callback(update.callback_query.data, DECISION)
    if len(parts) != 2 or parts[0] != action:
        return None
    return parse_number(parts[1])


def pressed_card(update: Update) -> int | None:
    """The id of the message pressed, if its own buttons carry this data: a forged press
    attached to some other message must not overwrite that message."""
    query = update.callback_query
    message = query.message if query is not None else None
    if query is None or not isinstance(message, Message) or message.reply_markup is None:
        return None
    data = {button.callback_data for row in message.reply_markup.inline_keyboard for button in row}
    return message.message_id if query.data in data else None


async def show_card(
    update: Update, context: BotContext, t: Translator, nomination: Nomination, card_id: int | None
) -> None:
    """Put the nomination's current state on the chair's card (without buttons once decided)."""
    text = await card(context, t, nomination)
    markup = (
        decide_buttons(t, nomination.id) if nomination.status is NominationStatus.PENDING else None
    )
    chat = update.effective_chat
    assert chat is not None
    if card_id is not None:
        try:
            await context.bot.edit_message_text(
                text, chat_id=chat.id, message_id=card_id, reply_markup=markup
            )
            return
        except BadRequest as error:
            if "not modified" in str(error).lower():
                return
    await reply(update, text, markup)


async def refuse_press(
    update: Update,
    context: BotContext,
    t: Translator,
    user_id: int,
    nomination_id: int,
    error: ReportError,
) -> None:
    """Say why not; a card that is out of date is brought up to date."""
    text = report_error_text(t, error)
    record = await report_access.get_record(context.db, ReportKind.NOMINATION, nomination_id)
    if (
        error is ReportError.OUT_OF_SCOPE
        and isinstance(record, Nomination)
        and await nominations.decided_above(context.db, user_id, record)
        and (above := await nominations.recognised_at(context.db, record)) is not None
    ):
        text = t.gettext(
            "Learning units and commune learning communities are recognised by {decider}."
        ).format(decider=association_of(t, above))
    await answer(update, text, alert=True)
    card_id = pressed_card(update)
    if error is ReportError.ALREADY_DECIDED and isinstance(record, Nomination) and card_id:
        await show_card(update, context, t, record, card_id)


async def tell_nominator(context: BotContext, nomination_id: int) -> None:
    """The outcome (`NoticeKind.NOMINATION_DECIDED`), in the nominator's own language; a
    chair deciding their own is not told."""
    nomination = await reports.get(context.db, Nomination, nomination_id)
    if nomination is None or nomination.status not in (
        NominationStatus.RECOGNISED,
        NominationStatus.REJECTED,
    ):
        return
    if nomination.reporter_id == nomination.decided_by:
        return
    t = await tr_for(context, nomination.reporter_id)
    details = {
        "number": nomination.id,
        "title": t.gettext(KIND_LABELS[nomination.kind]),
        "year": nomination.year,
        "subject": nomination.subject,
    }
    if nomination.status is NominationStatus.RECOGNISED:
        text = t.gettext(
            "🎉 Good news: your nomination #{number} has been recognised: "
            "{title}, {year} — {subject}."
        ).format(**details)
    else:
        text = t.gettext(
            "Your nomination #{number} ({title}, {year} — {subject}) was not recognised. "
            "Reason: {reason}"
        ).format(**details, reason=nomination.reject_reason or "")
    await notify(context, nomination.reporter_id, text)


async def recognise_pressed(update: Update, context: BotContext) -> None:
    """`tt:ok:<id>`, and any other `tt:` data the reason dialog did not take (`tt:x` is the
    leave button of reason questions asked before they were a dialog)."""
    t = await tr(update, context)
    user = update.effective_user
    assert user is not None
    nomination_id = callback_id(update, "ok")
    if nomination_id is None:
        assert update.callback_query is not None
        left = update.callback_query.data == f"{DECISION}:x"  # the reason question is over
        await answer(
            update,
            t.gettext("This button is no longer active. Choose a task from the menu.")
            if left
            else t.gettext("This button is not valid."),
            alert=True,
        )
        return
    result = await nominations.decide(
        context.db, nomination_id, user.id, recognise=True, reason=None, now=context.now()
    )
    if isinstance(result, ReportError):
        await refuse_press(update, context, t, user.id, nomination_id, result)
        return
    await answer(update, t.gettext("✅ Recognised"))
    await show_card(update, context, t, result, pressed_card(update))


REASON_PROBLEMS: Final = (ReportError.REASON_REQUIRED, ReportError.REASON_TOO_LONG)


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
        asked_at = data.get("asked_at")
        if (
            not isinstance(asked_at, str)
            or context.now() - datetime.fromisoformat(asked_at) > REASON_TTL
        ):
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
DIALOGS = (FLOW, REJECT)


# ---------------------------------------------------------------- /pending


async def pending(update: Update, context: BotContext) -> None:
    """The chair's queue, oldest first, each with its own buttons: the nominations to decide,
    then the registration requests waiting for this chair (the ones they were told of)."""
    from bot.services import registration  # who approves a registration is its rule
    from handlers import start  # a registration request's card and buttons

    t = await tr(update, context)
    user = update.effective_user
    assert user is not None
    top = scopes.highest(await people.grants_of(context.db, user.id))
    if top is None or top.rank < ROLE_RANK[Role.COMMUNE_CHAIR]:
        await show_main_menu(
            update,
            context,
            t.gettext(
                "Title nominations are decided by the chairs of the commune and of the levels "
                "above it. You will get a message here when one of yours is decided."
            ),
        )
        return
    queue = await nominations.pending_for(context.db, user.id)
    requests = await registration.waiting_for(context.db, user.id)
    if not queue and not requests:
        await show_main_menu(update, context, t.gettext("Nothing is waiting for your decision."))
        return
    lines = []
    if queue:
        lines.append(
            t.gettext("Nominations waiting for your decision: {count}.").format(count=len(queue))
        )
    if len(queue) > PENDING_SHOWN:
        lines.append(
            t.gettext(
                "Here are the oldest {shown}; send /pending again after deciding them."
            ).format(shown=PENDING_SHOWN)
        )
    if requests:
        lines.append(
            t.gettext("Registration requests waiting for your approval: {count}.").format(
                count=len(requests)
            )
        )
    if len(requests) > PENDING_SHOWN:
        lines.append(
            t.gettext(
                "Here are the oldest {shown} requests; send /pending again after deciding them."
            ).format(shown=PENDING_SHOWN)
        )
    await show_main_menu(update, context, "\n".join(lines))
    for nomination in queue[:PENDING_SHOWN]:
        await reply(update, await card(context, t, nomination), decide_buttons(t, nomination.id))
    for request in requests[:PENDING_SHOWN]:
        text = await start.request_card(context, t, request)
        await reply(update, text, start.decision_buttons(t, request.id))


# ---------------------------------------------------------------- wiring


def build() -> list[BaseHandler[Update, BotContext, Any]]:
    return [
        CallbackQueryHandler(recognise_pressed, pattern=rf"^{DECISION}:"),
        CommandHandler(list(PENDING_COMMANDS), pending),
        MessageHandler(menu_filter(MENU_PENDING), pending),
    ]
