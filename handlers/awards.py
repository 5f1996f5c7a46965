"""Award paid out (trao học bổng, khen thưởng): to which student, why, how much, from which
fund, on which day. A payout past the fund's balance is saved only after a clear warning:
money is sometimes paid before the contributions that cover it are reported."""

from __future__ import annotations

from pydantic import ValidationError

from bot.i18n import N_, Translator
from bot.money import MAX_AMOUNT, amount_in_words
from bot.services import funds, report_access
from bot.services.reporting import ReportError
from bot.storage.models import LEVEL_ORDER
from bot.storage.records import Award, AwardInput, AwardReason, ReportKind, field_problems
from handlers import answers
from handlers.common import MENU_AWARD, BotContext
from handlers.contributions import (
    FUND,
    edit_refusal,
    fund_answers,
    fund_questions,
    fund_title,
    money_receipt,
    optional_text,
    refused,
    required_text,
    resolve_fund,
)
from handlers.form import FormFlow
from handlers.form_model import (
    UNIT_KEY,
    Editing,
    Form,
    FormRun,
    Option,
    Outcome,
    Question,
    Values,
    problem_text,
)
from handlers.report_texts import report_error_text

REASONS = (
    Option(AwardReason.POOR_OVERCOMING.value, N_("Poor, overcoming hardship")),
    Option(AwardReason.EXCELLENT_STUDENT.value, N_("Excellent student")),
    Option(AwardReason.COMPETITION_PRIZE.value, N_("Competition prize")),
    Option(AwardReason.UNIVERSITY_ENTRANCE.value, N_("University entrance")),
    Option(AwardReason.OTHER.value, N_("Other")),
)
INPUT_FIELDS = ("recipient_name", "school", "class_name", "reason", "amount", "awarded_on")


def show_balance(balance: int, t: Translator) -> str:
    """Like `answers.show_amount`, for a balance that may already be below zero."""
    if balance >= 0:
        return answers.show_amount(balance, t) if balance <= MAX_AMOUNT else t.money(balance)
    if -balance > MAX_AMOUNT:
        return t.money(balance)
    words = t.gettext("minus {amount}").format(amount=amount_in_words(-balance, t.lang))
    return f"{t.money(balance)} — {words}"


async def check(run: FormRun) -> str | None:
    """Before saving: does this payout take the fund below zero?"""
    amount = run.values.get("amount")
    if not isinstance(amount, int):
        return None
    fund = await resolve_fund(run)
    if isinstance(fund, Outcome):
        return None  # saving explains what is wrong with the fund
    db, t = run.context.db, run.t
    if not await funds.exceeds_balance(db, fund.id, amount, replacing_award_id=run.record_id):
        return None
    available = await funds.balance(db, fund.id)
    if run.record_id is not None:  # the award being corrected gives its old amount back
        old = await report_access.get_record(db, ReportKind.AWARD, run.record_id)
        if isinstance(old, Award) and old.fund_id == fund.id and not old.is_withdrawn:
            available += old.amount
    return "\n".join(
        [
            t.gettext("⚠️ This payment is more than the fund holds."),
            t.gettext("Fund: {fund}").format(fund=await fund_title(t, db, fund)),
            t.gettext("Balance now: {amount}").format(amount=show_balance(available, t)),
            t.gettext("This payment: {amount}").format(amount=answers.show_amount(amount, t)),
            t.gettext("Save anyway only if the money has really been paid out."),
        ]
    )


async def save(run: FormRun) -> Outcome:
    fund = await resolve_fund(run)
    if isinstance(fund, Outcome):
        return fund
    data = {key: run.values.get(key) for key in INPUT_FIELDS} | {"fund_id": fund.id}
    try:
        if run.record_id is None:
            created = await funds.create_award(
                run.context.db, run.user_id, data, idempotency_key=run.key, now=run.context.now()
            )
            result = created if isinstance(created, ReportError) else created[0]
        else:
            result = await report_access.edit_award(
                run.context.db, run.user_id, run.record_id, data, now=run.context.now()
            )
    except ValidationError as error:
        problem = field_problems(error)[0]
        field = FUND if problem.field == "fund_id" else problem.field
        return Outcome(problem_text(run.t, problem.code), saved=False, field=field)
    if isinstance(result, ReportError):
        return refused(run.t, result)
    what = N_("Award payment saved.") if run.record_id is None else N_("Award payment corrected.")
    return Outcome(await money_receipt(run, what, result, result.amount, fund), saved=True)


async def load(context: BotContext, t: Translator, user_id: int, record_id: int) -> Values | str:
    record = await report_access.get_record(context.db, ReportKind.AWARD, record_id)
    if not isinstance(record, Award):
        return report_error_text(t, ReportError.NOT_FOUND)
    refusal = await edit_refusal(context, t, user_id, record)
    if refusal is not None:
        return refusal
    fund = await funds.get_fund(context.db, record.fund_id)
    if fund is None:
        return report_error_text(t, ReportError.UNKNOWN_FUND)
    return {
        "recipient_name": record.recipient_name,
        "school": record.school,
        "class_name": record.class_name,
        "reason": record.reason.value,
        "amount": record.amount,
        **fund_answers(fund),
        "awarded_on": record.awarded_on.isoformat(),
    }


FORM = Form(
    name="award",
    title=N_("Award paid"),
    commands=("award", "hocbong"),
    menu=MENU_AWARD,
    model=AwardInput,
    questions=(
        Question(
            "recipient_name",
            N_("Student"),
            N_("The student's full name? For example: Nguyen Thi Mai."),
            parse=answers.name,
        ),
        Question(
            "school",
            N_("School"),
            N_("Which school? For example: THCS Dong Hop."),
            parse=required_text,
        ),
        Question(
            "class_name",
            N_("Class"),
            N_("Which class (optional)? For example: 8A."),
            parse=optional_text,
            optional=True,
        ),
        Question("reason", N_("Reason"), N_("What is it for?"), options=REASONS),
        Question(
            "amount",
            N_("Amount"),
            N_("How much was paid? For example: 500k, 1tr5 or 2 triệu."),
            parse=answers.amount,
            show=answers.show_amount,
        ),
        Question(UNIT_KEY, N_("Unit"), N_("Which unit paid it?"), levels=lambda _: LEVEL_ORDER),
        *fund_questions(N_("Which fund paid it?")),
        Question(
            "awarded_on",
            N_("Date paid"),
            N_("Date paid? Tap a button or type a date, for example 15/10/2025."),
            parse=answers.day,
            shortcuts=answers.day_shortcuts,
            show=answers.show_day,
        ),
    ),
    save=save,
    check=check,
    editing=Editing(load=load, save=save),
    doubts=(answers.small_amount("amount"),),
)

FLOW = FormFlow(FORM)
DIALOGS = (FLOW,)
