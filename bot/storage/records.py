"""What volunteers report, as pydantic models: the inputs they fill in and the stored records.

Inputs carry every field limit, so one `ValidationError` explains everything wrong with a
draft; `field_problems` turns it into stable `(field, code)` pairs the handler translates.

"Today" reaches the validators through the validation context (`validate_input(..., today=)`),
never through the clock: services derive it from the `now` they are given. Without a context
the checks that need today (future dates, this year) are skipped, the fixed bounds are not.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar, NamedTuple, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from bot.dates import EARLIEST_DATE, MIN_BIRTH_YEAR
from bot.money import MAX_AMOUNT
from bot.phone import PhoneError, PhoneErrorCode, normalize_phone
from bot.text import clean_name, person_name

NAME_MIN, NAME_MAX = 2, 100
NOTE_MAX = 500
SHORT_TEXT_MAX = 100
TODAY = "today"
"""The validation-context key holding the local date the input is checked against."""


class ReportKind(StrEnum):
    """The four kinds of reported record; also their table and audit entity names."""

    MEMBER = "member"
    NOMINATION = "nomination"
    CONTRIBUTION = "contribution"
    AWARD = "award"


class RecordStatus(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class Gender(StrEnum):
    MALE = "male"
    FEMALE = "female"


class NominationKind(StrEnum):
    """Learning titles (danh hiệu học tập) a unit can nominate for."""

    CITIZEN = "citizen"
    FAMILY = "family"
    CLAN = "clan"
    VILLAGE_COMMUNITY = "village_community"
    LEARNING_UNIT = "learning_unit"
    COMMUNE_COMMUNITY = "commune_community"


class NominationStatus(StrEnum):
    PENDING = "pending"
    RECOGNISED = "recognised"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


OPEN_NOMINATION_STATUSES = (NominationStatus.PENDING, NominationStatus.RECOGNISED)
"""A subject may hold or await a title once per year: these statuses block a second one."""


class FundKind(StrEnum):
    UNIT = "unit"
    CLAN = "clan"
    FAMILY = "family"


class DonorKind(StrEnum):
    INDIVIDUAL = "individual"
    FAMILY = "family"
    CLAN = "clan"
    ENTERPRISE = "enterprise"
    ORGANISATION = "organisation"
    COLLECTIVE = "collective"


class Campaign(StrEnum):
    XUAN_KHUYEN_HOC = "xuan_khuyen_hoc"
    THANG_KHUYEN_HOC = "thang_khuyen_hoc"
    ONE_DAY_SALARY = "one_day_salary"
    PIG_RAISING = "pig_raising"
    OTHER = "other"


class AwardReason(StrEnum):
    POOR_OVERCOMING = "poor_overcoming"
    EXCELLENT_STUDENT = "excellent_student"
    COMPETITION_PRIZE = "competition_prize"
    UNIVERSITY_ENTRANCE = "university_entrance"
    OTHER = "other"


# --- Validation -------------------------------------------------------------------------------


class FieldCode(StrEnum):
    """Why a field was refused; handlers map each code to a translated message."""

    REQUIRED = "required"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    OUT_OF_RANGE = "out_of_range"
    FUTURE = "future"
    TOO_OLD = "too_old"
    """A date before 1945 or a year before the earliest allowed."""
    BEFORE_BIRTH = "before_birth"
    NOT_A_NAME = "not_a_name"
    NOT_MOBILE = "not_mobile"
    INVALID_CHOICE = "invalid_choice"
    INVALID = "invalid"


class FieldProblem(NamedTuple):
    field: str
    code: FieldCode


_PYDANTIC_CODES = {
    "missing": FieldCode.REQUIRED,
    "string_too_short": FieldCode.TOO_SHORT,
    "string_too_long": FieldCode.TOO_LONG,
    "greater_than": FieldCode.OUT_OF_RANGE,
    "greater_than_equal": FieldCode.OUT_OF_RANGE,
    "less_than": FieldCode.OUT_OF_RANGE,
    "less_than_equal": FieldCode.OUT_OF_RANGE,
    "enum": FieldCode.INVALID_CHOICE,
    "literal_error": FieldCode.INVALID_CHOICE,
}
_OWN_CODES = {code.value: code for code in FieldCode}


def field_problems(error: ValidationError) -> list[FieldProblem]:
    """Each refused field once, with the first reason pydantic gave for it."""
    problems: dict[str, FieldCode] = {}
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else ""
        kind = item["type"]
        code = _OWN_CODES.get(kind) or _PYDANTIC_CODES.get(kind, FieldCode.INVALID)
        problems.setdefault(field, code)
    return [FieldProblem(field, code) for field, code in problems.items()]


InputT = TypeVar("InputT", bound=BaseModel)


def validate_input(
    model: type[InputT], data: Mapping[str, Any] | BaseModel, *, today: date
) -> InputT:
    """Validate a draft against `today` (the association's local date); raises ValidationError."""
    raw = data.model_dump() if isinstance(data, BaseModel) else dict(data)
    return model.model_validate(raw, context={TODAY: today})


def field_problem(
    model: type[BaseModel], field: str, value: object, *, today: date
) -> FieldCode | None:
    """Check one answer against its field's own limits, as soon as it is typed.

    Rules between fields (joined after birth, a description for a gift in kind) need the
    whole input: `validate_input` applies them.
    """
    info = model.model_fields[field]
    adapter: TypeAdapter[Any] = TypeAdapter(info.rebuild_annotation())
    try:
        adapter.validate_python(value, context={TODAY: today})
    except ValidationError as error:
        problems = field_problems(error)
        return problems[0].code if problems else FieldCode.INVALID
    return None


def _today(info: ValidationInfo) -> date | None:
    context = info.context
    if isinstance(context, Mapping):
        value = context.get(TODAY)
        if isinstance(value, date):
            return value
    return None


def _problem(code: FieldCode) -> PydanticCustomError:
    return PydanticCustomError(code.value, code.value)


def tidy_text(text: str) -> str:
    """One line of tidy text: line breaks become spaces before `clean_name` drops controls."""
    return clean_name(" ".join(text.split()))


def _tidy(value: object) -> object:
    return tidy_text(value) if isinstance(value, str) else value


def _tidy_optional(value: object) -> object:
    """Blank optional text is no text."""
    if isinstance(value, str):
        return tidy_text(value) or None
    return value


def _person_name(value: str) -> str:
    """Letters and spaces, stored capitalised ("trần thị hoa" → "Trần Thị Hoa")."""
    if value.startswith("/") or not all(ch.isalpha() or ch in " .-'’" for ch in value):
        raise _problem(FieldCode.NOT_A_NAME)
    return person_name(value)


def _report_date(value: date, info: ValidationInfo) -> date:
    if value < EARLIEST_DATE:
        raise _problem(FieldCode.TOO_OLD)
    today = _today(info)
    if today is not None and value > today:
        raise _problem(FieldCode.FUTURE)
    return value


def _birth_year(value: int, info: ValidationInfo) -> int:
    today = _today(info)
    if today is not None and value > today.year:
        raise _problem(FieldCode.OUT_OF_RANGE)
    return value


def _title_year(value: int, info: ValidationInfo) -> int:
    if value < EARLIEST_DATE.year:
        raise _problem(FieldCode.TOO_OLD)
    today = _today(info)
    if today is not None and value > today.year:
        raise _problem(FieldCode.FUTURE)
    return value


def _phone(value: object) -> object:
    if not isinstance(value, str):
        return value
    if not value.strip():
        return None
    try:
        return normalize_phone(value)
    except PhoneError as error:
        code = (
            FieldCode.NOT_MOBILE if error.code is PhoneErrorCode.NOT_MOBILE else FieldCode.INVALID
        )
        raise _problem(code) from None


Name = Annotated[
    str, BeforeValidator(_tidy), StringConstraints(min_length=NAME_MIN, max_length=NAME_MAX)
]
PersonName = Annotated[Name, AfterValidator(_person_name)]
Note = Annotated[
    Annotated[str, StringConstraints(max_length=NOTE_MAX)] | None, BeforeValidator(_tidy_optional)
]
ShortText = Annotated[
    Annotated[str, StringConstraints(max_length=SHORT_TEXT_MAX)] | None,
    BeforeValidator(_tidy_optional),
]
ReportDate = Annotated[date, AfterValidator(_report_date)]
Amount = Annotated[int, Field(strict=True, ge=1, le=MAX_AMOUNT)]
Id = Annotated[int, Field(strict=True, ge=1)]
BirthYear = Annotated[int, Field(strict=True, ge=MIN_BIRTH_YEAR), AfterValidator(_birth_year)]
TitleYear = Annotated[int, Field(strict=True), AfterValidator(_title_year)]
Phone = Annotated[str | None, BeforeValidator(_phone)]


class _Input(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MemberInput(_Input):
    full_name: PersonName
    gender: Gender
    birth_year: BirthYear
    joined_on: ReportDate
    phone: Phone = None
    unit_id: Id
    """The branch (chi hội) the member joins."""

    @field_validator("joined_on")
    @classmethod
    def _not_before_birth(cls, value: date, info: ValidationInfo) -> date:
        birth_year = info.data.get("birth_year")
        if isinstance(birth_year, int) and value.year < birth_year:
            raise _problem(FieldCode.BEFORE_BIRTH)
        return value


class NominationInput(_Input):
    kind: NominationKind
    subject: Name
    """Who or what would hold the title: a person, a household head, a clan, a village…"""
    unit_id: Id
    year: TitleYear
    note: Note = None

    @field_validator("subject")
    @classmethod
    def _person_capitalised(cls, value: str, info: ValidationInfo) -> str:
        """A citizen's name is a person's name, stored capitalised. A family is named as
        people write it ("Gia đình ông Tư", "Hộ bà Lê Thị Hoa"): capitalising every word would
        make "Gia Đình Ông Tư", so it is kept as typed."""
        if info.data.get("kind") is NominationKind.CITIZEN:
            return person_name(value)
        return value


class ContributionInput(_Input):
    donor_name: Name
    donor_kind: DonorKind
    amount: Amount
    """Whole đồng; for a gift in kind, its estimated value."""
    in_kind: bool = Field(default=False, strict=True)
    in_kind_description: Note = Field(default=None, validate_default=True)
    fund_id: Id
    campaign: Campaign
    contributed_on: ReportDate

    @field_validator("in_kind_description")
    @classmethod
    def _described_when_in_kind(cls, value: str | None, info: ValidationInfo) -> str | None:
        if not info.data.get("in_kind"):
            return None
        if value is None:
            raise _problem(FieldCode.REQUIRED)
        return value


class AwardInput(_Input):
    recipient_name: PersonName
    school: ShortText = None
    class_name: ShortText = None
    reason: AwardReason
    amount: Amount
    fund_id: Id
    awarded_on: ReportDate


class FundInput(_Input):
    """A named (clan or family) fund; a unit's own fund needs no input."""

    kind: FundKind
    name: Name

    @field_validator("kind")
    @classmethod
    def _named_kind(cls, value: FundKind) -> FundKind:
        if value is FundKind.UNIT:
            raise _problem(FieldCode.INVALID_CHOICE)
        return value


# --- Stored records ---------------------------------------------------------------------------


class ReportRecord(BaseModel):
    """What the four reported kinds share: who reported it, where, when."""

    model_config = ConfigDict(frozen=True)

    KIND: ClassVar[ReportKind]
    INPUT: ClassVar[type[BaseModel]]

    id: int
    unit_id: int
    reporter_id: int
    created_at: datetime
    updated_at: datetime
    idempotency_key: str

    @property
    def is_withdrawn(self) -> bool:
        raise NotImplementedError

    def input_data(self) -> dict[str, Any]:
        """The record's fields as its input model takes them, to merge an edit into."""
        return self.model_dump(include=set(self.INPUT.model_fields))


class Member(ReportRecord):
    KIND: ClassVar[ReportKind] = ReportKind.MEMBER
    INPUT: ClassVar[type[BaseModel]] = MemberInput

    full_name: str
    gender: Gender
    birth_year: int
    joined_on: date
    phone: str | None = None
    status: RecordStatus = RecordStatus.ACTIVE

    @property
    def is_withdrawn(self) -> bool:
        return self.status is RecordStatus.WITHDRAWN


class Nomination(ReportRecord):
    KIND: ClassVar[ReportKind] = ReportKind.NOMINATION
    INPUT: ClassVar[type[BaseModel]] = NominationInput

    kind: NominationKind
    subject: str
    year: int
    note: str | None = None
    status: NominationStatus = NominationStatus.PENDING
    decided_by: int | None = None
    decided_at: datetime | None = None
    reject_reason: str | None = None

    @property
    def is_withdrawn(self) -> bool:
        return self.status is NominationStatus.WITHDRAWN


class Contribution(ReportRecord):
    KIND: ClassVar[ReportKind] = ReportKind.CONTRIBUTION
    INPUT: ClassVar[type[BaseModel]] = ContributionInput

    donor_name: str
    donor_kind: DonorKind
    amount: int
    in_kind: bool = False
    in_kind_description: str | None = None
    fund_id: int
    campaign: Campaign
    contributed_on: date
    status: RecordStatus = RecordStatus.ACTIVE

    @property
    def is_withdrawn(self) -> bool:
        return self.status is RecordStatus.WITHDRAWN


class Award(ReportRecord):
    KIND: ClassVar[ReportKind] = ReportKind.AWARD
    INPUT: ClassVar[type[BaseModel]] = AwardInput

    recipient_name: str
    school: str | None = None
    class_name: str | None = None
    reason: AwardReason
    amount: int
    fund_id: int
    awarded_on: date
    status: RecordStatus = RecordStatus.ACTIVE

    @property
    def is_withdrawn(self) -> bool:
        return self.status is RecordStatus.WITHDRAWN


AnyRecord = Member | Nomination | Contribution | Award
RECORD_MODELS: dict[ReportKind, type[AnyRecord]] = {
    ReportKind.MEMBER: Member,
    ReportKind.NOMINATION: Nomination,
    ReportKind.CONTRIBUTION: Contribution,
    ReportKind.AWARD: Award,
}


class Fund(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    unit_id: int
    kind: FundKind
    name: str
    """'' for a unit's own fund, which is shown with the unit's name."""
