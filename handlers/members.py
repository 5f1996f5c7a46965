"""New member (hội viên mới): name, gender, year of birth, branch, date joined, phone."""

from __future__ import annotations

from pydantic import ValidationError

from bot.i18n import N_, Translator
from bot.services import members, report_access
from bot.services.reporting import ReportError
from bot.storage import units as unit_store
from bot.storage.models import Level
from bot.storage.records import Member, MemberInput, ReportKind, field_problems, validate_input
from handlers import answers
from handlers.common import MENU_MEMBER, BotContext
from handlers.form import FormFlow
from handlers.form_model import (
    Editing,
    Form,
    FormRun,
    Option,
    Outcome,
    Question,
    Values,
    problem_text,
)
from handlers.report_texts import receipt, report_error_text

GENDERS = (Option("male", N_("Male")), Option("female", N_("Female")))


def _input(run: FormRun) -> MemberInput:
    return validate_input(MemberInput, run.values, today=run.today)


async def check(run: FormRun) -> str | None:
    """Before saving: someone with the same name and birth year already in the commune?"""
    t = run.t
    try:
        data = _input(run)
    except ValidationError:
        return None
    twins = await members.likely_duplicates(
        run.context.db, data, run.unit, excluding_id=run.record_id
    )
    if not twins:
        return None
    lines = [t.gettext("This person may already be a member:")]
    for twin in twins[:5]:
        branch = await unit_store.get(run.context.db, twin.unit_id)
        lines.append(
            t.gettext("• {name}, born {year}, {branch}, number {number}").format(
                name=twin.full_name,
                year=twin.birth_year,
                number=twin.id,
                branch=branch.name if branch else "?",
            )
        )
    lines.append(t.gettext("Save anyway only if this is a different person."))
    return "\n".join(lines)


async def save(run: FormRun) -> Outcome:
    """Create the member, or (reopened from /myreports) correct it."""
    t, db, now = run.t, run.context.db, run.context.now()
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
    return values


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
            parse=answers.text,
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
)

FLOW = FormFlow(FORM)
DIALOGS = (FLOW,)
