"""Learning-title nominations (đề cử danh hiệu học tập): the single nomination form.

Anyone registered nominates a person, family, clan, village, agency or commune for one title
of one year; the form asks what, who, where and when, and the service files it
(`nominations.create_nomination`). What happens next lives elsewhere, so this module stays
the form: the chairs' cards and decisions, /pending (`handlers.title_decisions`), the reason
for not recognising one (`handlers.title_reject`) and taking a decision back
(`handlers.title_undo`). The titles' labels and subjects (`KIND_LABELS`, `SUBJECTS`) are
defined here and read by all of them and by the lists of nominations (`handlers.title_lists`).

Callback data: the form's own (`title:…`, the engine's; `title:e:<id>` reopens a saved one for
correction).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final

from pydantic import ValidationError

from bot.i18n import N_, Translator
from bot.services import nominations, report_access
from bot.services.reporting import ReportError
from bot.storage import units as unit_store
from bot.storage.models import Level, Unit
from bot.storage.records import (
    Nomination,
    NominationInput,
    NominationKind,
    ReportKind,
    field_problems,
    tidy_text,
)
from handlers import answers
from handlers.common import MENU_TITLE, BotContext, association_of
from handlers.form import FormFlow
from handlers.form_model import (
    Editing,
    Form,
    FormRun,
    JsonValue,
    Option,
    Outcome,
    Parser,
    Question,
    Values,
    problem_text,
)
from handlers.report_texts import receipt, report_error_text

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


PERSON_SUBJECTS: Final = (NominationKind.CITIZEN, NominationKind.FAMILY)
"""Titles whose subject is a person's name (the citizen, the head of household): capitalised."""


def subject_parser(values: Mapping[str, JsonValue]) -> Parser:
    return answers.name if kind_of(values) in PERSON_SUBJECTS else answers.text


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
        parse_for=subject_parser,
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
DIALOGS = (FLOW,)
