"""New member (hội viên mới): name, gender, year of birth, branch, date joined, phone.

A member's year of birth and phone number are shown whole only to the member's branch and
its commune's chairs (`bot.services.privacy`): the likely duplicates before saving and a
correction opened by anyone else show them masked ("19••", "09•• ••• 678"), and a masked
answer left as it was keeps the stored value."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from pydantic import ValidationError

from bot.i18n import N_, Translator
from bot.services import members, privacy, report_access
from bot.services.reporting import ReportError
from bot.storage import units as unit_store
from bot.storage.models import Level
from bot.storage.records import Member, MemberInput, ReportKind, field_problems, validate_input
from handlers import answers
from handlers.common import MENU_MEMBER, BotContext
from handlers.form import FormFlow
from handlers.form_model import (
    Doubt,
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

GENDERS = (
    Option("male", N_("Male"), words=("nam gioi", "dan ong", "trai", "m")),
    Option("female", N_("Female"), words=("nu gioi", "phu nu", "gai", "f")),
)


def _joined_before_birth(values: Mapping[str, JsonValue]) -> bool:
    birth_year, joined_on = values.get("birth_year"), values.get("joined_on")
    if not isinstance(birth_year, int) or not isinstance(joined_on, str):
        return False
    try:
        return date.fromisoformat(joined_on).year < birth_year
    except ValueError:
        return False


def _joined_before_birth_question(values: Mapping[str, JsonValue], t: Translator) -> str:
    return t.gettext(
        "⚠️ The date joined ({date}) is before the year of birth ({year}). "
        "Is the year of birth {year} right?"
    ).format(date=answers.show_day(values.get("joined_on"), t), year=values.get("birth_year"))


JOINED_BEFORE_BIRTH = Doubt(
    name="joined_before_birth",
    keys=("birth_year", "joined_on"),
    arises=_joined_before_birth,
    question=_joined_before_birth_question,
    yes=N_("✅ Yes: change the date joined"),
    no=N_("✏️ No: change the year of birth"),
    yes_asks="joined_on",
    no_asks="birth_year",
)
"""Both cannot be right: the one that is wrong is asked again, the other is kept."""


def _input(run: FormRun) -> MemberInput:
    return validate_input(MemberInput, run.values, today=run.today)


async def _unmasked(run: FormRun) -> None:
    """A correction opened with masked answers: those left unchanged get the stored values
    back before anything checks or saves them."""
    if run.record_id is None:
        return
    record = await report_access.get_record(run.context.db, ReportKind.MEMBER, run.record_id)
    if isinstance(record, Member):
        run.values = privacy.restore_masked(run.values, record.input_data())


async def check(run: FormRun) -> str | None:
    """Before saving: someone with the same name and birth year already in the commune?"""
    t = run.t
    await _unmasked(run)
    try:
        data = _input(run)
    except ValidationError:
        return None
    twins = await members.likely_duplicates(
        run.context.db, data, run.unit, excluding_id=run.record_id
    )
    if not twins:
        return None
    viewer = await privacy.viewer(run.context.db, run.user_id)
    lines = [t.gettext("This person may already be a member:")]
    for twin in twins[:5]:
        branch = await unit_store.get(run.context.db, twin.unit_id)
        lines.append(
            t.gettext("• {name}, born {year}, {branch}, number {number}").format(
                name=twin.full_name,
                year=(
                    privacy.shown_birth_year(viewer, branch, twin.birth_year)
                    if branch
                    else privacy.mask_birth_year(twin.birth_year)
                ),
                number=twin.id,
                branch=branch.name if branch else "?",
            )
        )
    lines.append(t.gettext("Save anyway only if this is a different person."))
    return "\n".join(lines)


async def save(run: FormRun) -> Outcome:
    """Create the member, or (reopened from /myreports) correct it."""
    t, db, now = run.t, run.context.db, run.context.now()
    await _unmasked(run)
    try:
        if run.record_id is None:
            created = await members.create_member(
                db, run.user_id, run.values, idempotency_key=run.key, now=now
            )
            result = created if isinstance(created, ReportError) else created[0]
        else:
            result = await report_access.edit_member(
                db, run.user_id, run.record_id, run.values, now=now
            )
    except ValidationError as error:
        problem = field_problems(error)[0]
        return Outcome(problem_text(t, problem.code), saved=False, field=problem.field)
    if isinstance(result, ReportError):
        return Outcome(report_error_text(t, result), saved=False)
    if run.record_id is None:
        text = receipt(t, N_("New member saved."), result.id, result.created_at, run.context)
    else:
        text = receipt(t, N_("Member corrected."), result.id, result.updated_at, run.context)
    return Outcome(text, saved=True)


async def load(context: BotContext, t: Translator, user_id: int, member_id: int) -> Values | str:
    record = await report_access.get_record(context.db, ReportKind.MEMBER, member_id)
    if not isinstance(record, Member):
        return report_error_text(t, ReportError.NOT_FOUND)
    refusal = await report_access.edit_refusal(context.db, user_id, record, context.now())
    if refusal is not None:
        return report_error_text(t, refusal)
    values = record.input_data()
    values["joined_on"] = record.joined_on.isoformat()
    values["gender"] = record.gender.value
    unit = await unit_store.get(context.db, record.unit_id)
    if unit is None:
        return report_error_text(t, ReportError.NOT_FOUND)
    shown: Values = privacy.masked_values(await privacy.viewer(context.db, user_id), unit, values)
    return shown


FORM = Form(
    name="member",
    title=N_("New member"),
    commands=("member", "hoivien"),
    menu=MENU_MEMBER,
    model=MemberInput,
    questions=(
        Question(
            "full_name",
            N_("Full name"),
            N_("What is the new member's full name? For example: Nguyen Van An."),
            parse=answers.name,
        ),
        Question("gender", N_("Gender"), N_("Male or female?"), options=GENDERS),
        Question(
            "birth_year",
            N_("Year of birth"),
            N_("Year of birth? For example: 1958."),
            parse=answers.birth_year,
        ),
        Question(
            "unit_id",
            N_("Branch"),
            N_("Which branch does the member join?"),
            levels=lambda _: (Level.BRANCH,),
        ),
        Question(
            "joined_on",
            N_("Date joined"),
            N_("Date joined? Tap a button or type a date, for example 15/10/2025."),
            parse=answers.day,
            shortcuts=answers.day_shortcuts,
            show=answers.show_day,
        ),
        Question(
            "phone",
            N_("Phone"),
            N_("Mobile phone number (optional)? For example: 0912 345 678."),
            parse=answers.phone,
            optional=True,
        ),
    ),
    save=save,
    check=check,
    editing=Editing(load=load, save=save),
    doubts=(JOINED_BEFORE_BIRTH,),
)

FLOW = FormFlow(FORM)
DIALOGS = (FLOW,)
