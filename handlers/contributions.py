"""Contribution to a fund (đóng góp quỹ khuyến học): who gave, cash or in kind, how much, to
which fund, for which campaign, on which day.

The choice of fund lives here too; the award flow (handlers/awards.py) asks it the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from pydantic import ValidationError

from bot.i18n import N_, Translator
from bot.services import funds, report_access, scopes
from bot.services.funds import NAMED_FUND_LEVELS
from bot.services.reporting import ReportError
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import LEVEL_ORDER, Level, UnitKind
from bot.storage.records import (
    Campaign,
    Contribution,
    ContributionInput,
    DonorKind,
    FieldCode,
    Fund,
    FundInput,
    FundKind,
    ReportKind,
    ReportRecord,
    field_problem,
    field_problems,
    tidy_text,
)
from handlers import answers
from handlers.common import MENU_CONTRIBUTION, BotContext, unit_title
from handlers.form import FormFlow
from handlers.form_model import (
    UNIT_KEY,
    Asking,
    Editing,
    Form,
    FormRun,
    Invalid,
    JsonValue,
    Option,
    Outcome,
    Question,
    Values,
    asking_for,
    problem_text,
)
from handlers.report_texts import receipt, report_error_text

# ---------------------------------------------------------------- typed answers


def required_text(answer: str, t: Translator, today: date) -> JsonValue:
    """Free text that must say something (a gift, a school): blank is refused when typed."""
    value = tidy_text(answer)
    if not value:
        raise Invalid(problem_text(t, FieldCode.REQUIRED))
    return value


def optional_text(answer: str, t: Translator, today: date) -> JsonValue:
    return tidy_text(answer) or None


def fund_name(answer: str, t: Translator, today: date) -> JsonValue:
    """A clan's or family's name, checked against the fund's own limits as soon as typed."""
    value = tidy_text(answer)
    code = field_problem(FundInput, "name", value, today=today)
    if code is not None:
        raise Invalid(problem_text(t, code))
    return value


# ---------------------------------------------------------------- which fund

FUND, CLAN_NAME, FAMILY_NAME = "fund", "clan_name", "family_name"

UNIT_FUND_LABELS = {
    Level.BRANCH: N_("Branch fund"),
    Level.COMMUNE: N_("Commune fund"),
    Level.DISTRICT: N_("District fund"),
    Level.PROVINCE: N_("Province fund"),
}
AREA_FUND_LABEL = N_("Area fund")
"""The fund of a middle-level unit that is an area (cụm), not a district."""
NAMED_FUND_LABELS = {
    FundKind.CLAN: N_("A clan's fund"),
    FundKind.FAMILY: N_("A family's fund"),
}


def fund_choice(kind: FundKind, holder_id: int) -> str:
    """A fund button's value, "<kind>:<unit id>": the unit's own fund or a clan's or family's
    kept there; it names its unit, so a choice made for another unit never fits this one."""
    return f"{kind.value}:{holder_id}"


def chosen_fund(values: Mapping[str, JsonValue]) -> tuple[FundKind, int] | None:
    kind, _, holder = str(values.get(FUND) or "").partition(":")
    try:
        return FundKind(kind), int(holder)
    except ValueError:
        return None


def _chose(kind: FundKind) -> Callable[[Mapping[str, JsonValue]], bool]:
    def applies(values: Mapping[str, JsonValue]) -> bool:
        chosen = chosen_fund(values)
        return chosen is not None and chosen[0] is kind

    return applies


async def fund_options(asking: Asking) -> list[Option]:
    """The funds of the unit answered and of the units above it, nearest first, up to the
    highest this person may report into (records belong to the fund's unit, so a fund out of
    reach would be refused); a branch or commune also keeps clan and family funds."""
    unit_id = asking.values.get(UNIT_KEY)
    unit = await unit_store.get(asking.db, unit_id) if isinstance(unit_id, int) else None
    if unit is None:
        return []
    chain = [*await unit_store.ancestors(asking.db, unit), unit]
    reach = next((i for i, u in enumerate(chain) if scopes.covers(asking.grants, u)), -1)
    options = [
        Option(
            fund_choice(FundKind.UNIT, u.id),
            AREA_FUND_LABEL if u.kind is UnitKind.AREA else UNIT_FUND_LABELS[u.level],
        )
        for u in reversed(chain[reach:])
    ]
    if unit.level in NAMED_FUND_LEVELS:
        options += [
            Option(fund_choice(kind, unit.id), label) for kind, label in NAMED_FUND_LABELS.items()
        ]
    return options


def fund_questions(prompt: str) -> tuple[Question, ...]:
    """Which fund (asked again when the unit changes and it no longer fits), then the name of
    the clan or family when one of those funds is chosen."""
    return (
        Question(FUND, N_("Fund"), prompt, options_for=fund_options, depends_on=(UNIT_KEY,)),
        Question(
            CLAN_NAME,
            N_("Clan"),
            N_("Which clan? Type its name, for example: Nguyen Dinh."),
            parse=fund_name,
            applies=_chose(FundKind.CLAN),
        ),
        Question(
            FAMILY_NAME,
            N_("Family"),
            N_("Whose family? Type the head of the household, for example: Tran Van Binh."),
            parse=fund_name,
            applies=_chose(FundKind.FAMILY),
        ),
    )


def fund_answers(fund: Fund) -> Values:
    """A saved record's fund as the answers that choose it again (to reopen the record)."""
    values: Values = {UNIT_KEY: fund.unit_id, FUND: fund_choice(fund.kind, fund.unit_id)}
    if fund.kind is FundKind.CLAN:
        values[CLAN_NAME] = fund.name
    elif fund.kind is FundKind.FAMILY:
        values[FAMILY_NAME] = fund.name
    return values


async def resolve_fund(run: FormRun) -> Fund | Outcome:
    """The fund chosen (created on first use), if it is still offered; else the answer to ask
    again."""
    t, db = run.t, run.context.db
    chosen = chosen_fund(run.values)
    offered = await fund_options(await asking_for(run.context, run.user_id, run.values))
    holder = await unit_store.get(db, chosen[1]) if chosen is not None else None
    if chosen is None or holder is None or run.values[FUND] not in [o.value for o in offered]:
        return Outcome(report_error_text(t, ReportError.UNKNOWN_FUND), saved=False, field=FUND)
    kind = chosen[0]
    if kind is FundKind.UNIT:
        return await funds.unit_fund(db, holder, actor_id=run.user_id)
    name_key = CLAN_NAME if kind is FundKind.CLAN else FAMILY_NAME
    try:
        found = await funds.named_fund(
            db, holder, kind, str(run.values.get(name_key) or ""), actor_id=run.user_id
        )
    except ValidationError as error:
        code = field_problems(error)[0].code
        return Outcome(problem_text(t, code), saved=False, field=name_key)
    if isinstance(found, ReportError):
        return Outcome(report_error_text(t, found), saved=False, field=UNIT_KEY)
    return found


async def fund_title(t: Translator, db: Database, fund: Fund) -> str:
    """ "Quỹ khuyến học Xã Đông Hợp", "Quỹ dòng họ Nguyễn Đình (Chi hội Thôn Đông)"."""
    unit = await unit_store.get(db, fund.unit_id)
    place = unit_title(t, unit) if unit is not None else "?"
    if fund.kind is FundKind.CLAN:
        return t.gettext("{name} clan fund ({unit})").format(name=fund.name, unit=place)
    if fund.kind is FundKind.FAMILY:
        return t.gettext("{name} family fund ({unit})").format(name=fund.name, unit=place)
    return t.gettext("Learning promotion fund of {unit}").format(unit=place)


# ---------------------------------------------------------------- shared by both money flows

PLACE_ERRORS = (
    ReportError.OUT_OF_SCOPE,
    ReportError.UNKNOWN_FUND,
    ReportError.UNKNOWN_UNIT,
    ReportError.WRONG_LEVEL,
)
"""Refusals about where the money went: the unit is asked again, then the fund."""


def refused(t: Translator, error: ReportError) -> Outcome:
    field = UNIT_KEY if error in PLACE_ERRORS else None
    return Outcome(report_error_text(t, error), saved=False, field=field)


async def money_receipt(
    run: FormRun, what: str, record: ReportRecord, amount: int, fund: Fund, *, value: bool = False
) -> str:
    """The receipt, with the amount in figures and in words as Vietnamese receipts have it."""
    t = run.t
    at = record.updated_at if run.record_id is not None else record.created_at
    line = N_("Estimated value: {amount}") if value else N_("Amount: {amount}")
    return "\n".join(
        [
            receipt(t, what, record.id, at, run.context),
            t.gettext(line).format(amount=answers.show_amount(amount, t)),
            t.gettext("Fund: {fund}").format(fund=await fund_title(t, run.context.db, fund)),
        ]
    )


async def edit_refusal(
    context: BotContext, t: Translator, user_id: int, record: ReportRecord
) -> str | None:
    """Why this person may not reopen the record, in words, or None."""
    refusal = await report_access.edit_refusal(context.db, user_id, record, context.now())
    return None if refusal is None else report_error_text(t, refusal)


# ---------------------------------------------------------------- the contribution form

GIVEN_AS, CASH, IN_KIND = "given_as", "cash", "in_kind"
AMOUNT, VALUE = "amount", "value"

DONOR_KINDS = (
    Option(DonorKind.INDIVIDUAL.value, N_("Individual")),
    Option(DonorKind.FAMILY.value, N_("Family")),
    Option(DonorKind.CLAN.value, N_("Clan")),
    Option(DonorKind.ENTERPRISE.value, N_("Enterprise")),
    Option(DonorKind.ORGANISATION.value, N_("Agency or organisation")),
    Option(DonorKind.COLLECTIVE.value, N_("Collective")),
)
GIVEN_AS_OPTIONS = (Option(CASH, N_("💵 Cash")), Option(IN_KIND, N_("🎁 In kind")))
CAMPAIGNS = (
    Option(Campaign.XUAN_KHUYEN_HOC.value, N_("Learning Spring")),
    Option(Campaign.THANG_KHUYEN_HOC.value, N_("Learning Month")),
    Option(Campaign.ONE_DAY_SALARY.value, N_("One day's salary")),
    Option(Campaign.PIG_RAISING.value, N_("Pig raising for learning")),
    Option(Campaign.OTHER.value, N_("Other")),
)


def _in_kind(values: Mapping[str, JsonValue]) -> bool:
    return values.get(GIVEN_AS) == IN_KIND


def _data(values: Values, fund_id: int) -> dict[str, JsonValue]:
    """The answers as the service's input: the amount is the gift's value when in kind."""
    in_kind = _in_kind(values)
    return {
        "donor_name": values.get("donor_name"),
        "donor_kind": values.get("donor_kind"),
        "in_kind": in_kind,
        "in_kind_description": values.get("in_kind_description") if in_kind else None,
        "amount": values.get(VALUE if in_kind else AMOUNT),
        "fund_id": fund_id,
        "campaign": values.get("campaign"),
        "contributed_on": values.get("contributed_on"),
    }


def _invalid(run: FormRun, error: ValidationError) -> Outcome:
    problem = field_problems(error)[0]
    questions = {
        "amount": VALUE if _in_kind(run.values) else AMOUNT,
        "in_kind": GIVEN_AS,
        "fund_id": FUND,
    }
    field = questions.get(problem.field, problem.field)
    return Outcome(problem_text(run.t, problem.code), saved=False, field=field)


async def save(run: FormRun) -> Outcome:
    fund = await resolve_fund(run)
    if isinstance(fund, Outcome):
        return fund
    data = _data(run.values, fund.id)
    try:
        if run.record_id is None:
            created = await funds.create_contribution(
                run.context.db, run.user_id, data, idempotency_key=run.key, now=run.context.now()
            )
            result = created if isinstance(created, ReportError) else created[0]
        else:
            result = await report_access.edit_contribution(
                run.context.db, run.user_id, run.record_id, data, now=run.context.now()
            )
    except ValidationError as error:
        return _invalid(run, error)
    if isinstance(result, ReportError):
        return refused(run.t, result)
    what = N_("Contribution saved.") if run.record_id is None else N_("Contribution corrected.")
    text = await money_receipt(run, what, result, result.amount, fund, value=result.in_kind)
    return Outcome(text, saved=True)


async def load(context: BotContext, t: Translator, user_id: int, record_id: int) -> Values | str:
    record = await report_access.get_record(context.db, ReportKind.CONTRIBUTION, record_id)
    if not isinstance(record, Contribution):
        return report_error_text(t, ReportError.NOT_FOUND)
    refusal = await edit_refusal(context, t, user_id, record)
    if refusal is not None:
        return refusal
    fund = await funds.get_fund(context.db, record.fund_id)
    if fund is None:
        return report_error_text(t, ReportError.UNKNOWN_FUND)
    where = fund_answers(fund)
    values: Values = {
        "donor_name": record.donor_name,
        "donor_kind": record.donor_kind.value,
        GIVEN_AS: IN_KIND if record.in_kind else CASH,
        **where,
        "campaign": record.campaign.value,
        "contributed_on": record.contributed_on.isoformat(),
    }
    if record.in_kind:
        values.update(in_kind_description=record.in_kind_description, value=record.amount)
    else:
        values[AMOUNT] = record.amount
    return values


FORM = Form(
    name="contribution",
    title=N_("Contribution"),
    commands=("contribution", "donggop"),
    menu=MENU_CONTRIBUTION,
    model=ContributionInput,
    questions=(
        Question(
            "donor_name",
            N_("Donor"),
            N_(
                "Who gave it? Type the name of the person, family or organisation, "
                "for example: Nguyen Van An."
            ),
            parse=answers.text,
        ),
        Question("donor_kind", N_("Donor type"), N_("The donor is:"), options=DONOR_KINDS),
        Question(
            GIVEN_AS, N_("Given as"), N_("Money or a gift in kind?"), options=GIVEN_AS_OPTIONS
        ),
        Question(
            "in_kind_description",
            N_("Gift in kind"),
            N_("What was given? For example: 50 notebooks and 10 school bags."),
            parse=required_text,
            applies=_in_kind,
        ),
        Question(
            VALUE,
            N_("Estimated value"),
            N_("Roughly what is it worth? For example: 500k, 1tr5 or 2 triệu."),
            parse=answers.amount,
            show=answers.show_amount,
            applies=_in_kind,
        ),
        Question(
            AMOUNT,
            N_("Amount"),
            N_("How much? For example: 500k, 1tr5 or 5 triệu."),
            parse=answers.amount,
            show=answers.show_amount,
            applies=lambda values: not _in_kind(values),
        ),
        Question(
            UNIT_KEY,
            N_("Unit"),
            N_("Which unit received it?"),
            levels=lambda _: LEVEL_ORDER,
        ),
        *fund_questions(N_("Which fund is it for?")),
        Question("campaign", N_("Campaign"), N_("For which campaign?"), options=CAMPAIGNS),
        Question(
            "contributed_on",
            N_("Date given"),
            N_("Date given? Tap a button or type a date, for example 15/10/2025."),
            parse=answers.day,
            shortcuts=answers.day_shortcuts,
            show=answers.show_day,
        ),
    ),
    save=save,
    editing=Editing(load=load, save=save),
    doubts=(answers.small_amount(AMOUNT), answers.small_amount(VALUE)),
)

FLOW = FormFlow(FORM)
DIALOGS = (FLOW,)
