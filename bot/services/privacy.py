"""Personal data as Vietnam's Law 91/2025/QH15 on Personal Data Protection asks: the notice
and its acceptance, who sees members' phone numbers and years of birth, a person's own data
and its erasure, the record of exports, and how long the outbox and the audit log are kept.

The rules, in one place:

- **The notice.** Shown once at registration; registering goes on only once the person
  accepts it (`accept_notice`, a timestamp on the person). People registered before it
  existed see it once, without being stopped (`notice_due`, `mark_notice_shown`).
- **Phones and years of birth** of a member are shown whole only to the people of the
  member's own branch and to the chairs of its commune (`Viewer.sees`); anyone else (other
  branches, district and province level) sees them masked: "09•• ••• 678", "19••".
- **A person's own data** (`my_data`) goes to them as a file, recorded as an export.
- **Erasure** is asked by the person (`request_erasure`) and decided by a province admin
  (`decide_erasure`): erase or anonymise, or reject. The person's name becomes "Người dùng đã
  xóa #N" and their Telegram id a stand-in everywhere; their roles, conversation state and
  waiting messages go. What they reported stays and is counted: those records are the
  association's, and the members in them are other people.
- **Exports** of data (a statistics workbook, a person's data) are recorded: who, when, what
  kind, over which unit (`record_export`); the province admin reads the log (`export_log`).
- **Retention**: settled outbox rows after `outbox_days`, audit lines and export records
  after `audit_days` (`apply_retention`, a daily job).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.storage import notice_events, people
from bot.storage import privacy as store
from bot.storage.db import Database
from bot.storage.models import Grant, Level, Role, Unit
from bot.storage.notice_events import NoticeKind
from bot.storage.privacy import ErasureRow, ExportRecord

# ---------------------------------------------------------------- masking

MASK = "•"
ERASED_NAME = "Người dùng đã xóa #{number}"
"""The name an erased person's records keep (stored data, in the association's language)."""


def mask_phone(phone: str) -> str:
    """+84912345678 → "09•• ••• 678": enough to tell two numbers apart, not to call one."""
    national = "0" + phone[3:] if phone.startswith("+84") else phone
    digits = "".join(ch for ch in national if ch.isdigit())
    if len(digits) < 6:
        return MASK * 4
    return f"{digits[:2]}{MASK * 2} {MASK * 3} {digits[-3:]}"


def mask_birth_year(year: int) -> str:
    """1958 → "19••": the generation, not the year."""
    return f"{str(year)[:2]}{MASK * 2}"


def is_masked(value: object) -> bool:
    return isinstance(value, str) and MASK in value


@dataclass(frozen=True)
class Viewer:
    """Whose members' phone numbers and years of birth a person sees whole: the branches they
    belong to (volunteer, branch head) and everything under the communes they chair."""

    branch_ids: frozenset[int]
    commune_paths: tuple[str, ...]

    def sees(self, unit: Unit) -> bool:
        """True for a member of `unit` whose details this viewer may read unmasked."""
        if unit.id in self.branch_ids:
            return True
        return any(unit.path.startswith(path) for path in self.commune_paths)


def viewer_of(grants: Sequence[Grant]) -> Viewer:
    """Only the member's branch and its commune's chairs: a district chair or the province
    admin covers the member too, but reads masked values (the rule of issue 12)."""
    return Viewer(
        branch_ids=frozenset(
            g.unit.id for g in grants if g.role in (Role.VOLUNTEER, Role.BRANCH_HEAD)
        ),
        commune_paths=tuple(
            g.unit.path
            for g in grants
            if g.role is Role.COMMUNE_CHAIR and g.unit.level is Level.COMMUNE
        ),
    )


async def viewer(db: Database, telegram_id: int) -> Viewer:
    return viewer_of(await people.grants_of(db, telegram_id))


def shown_phone(who: Viewer, unit: Unit, phone: str | None) -> str | None:
    if phone is None or who.sees(unit):
        return phone
    return mask_phone(phone)


def shown_birth_year(who: Viewer, unit: Unit, year: int) -> str:
    return str(year) if who.sees(unit) else mask_birth_year(year)


MASKED_FIELDS = ("phone", "birth_year")


def masked_values(who: Viewer, unit: Unit, values: Mapping[str, Any]) -> dict[str, Any]:
    """A member's answers as this viewer may see them (a correction opened by a district
    chair shows "19••"); `restore_masked` puts the stored values back before saving."""
    shown = dict(values)
    if who.sees(unit):
        return shown
    if isinstance(shown.get("phone"), str):
        shown["phone"] = mask_phone(str(shown["phone"]))
    if isinstance(shown.get("birth_year"), int):
        shown["birth_year"] = mask_birth_year(int(shown["birth_year"]))
    return shown


def restore_masked(values: Mapping[str, Any], stored: Mapping[str, Any]) -> dict[str, Any]:
    """An answer still masked was not changed: it keeps the stored value."""
    restored = dict(values)
    for key in MASKED_FIELDS:
        if is_masked(restored.get(key)):
            restored[key] = stored.get(key)
    return restored


# ---------------------------------------------------------------- the notice


async def needs_acceptance(db: Database, telegram_id: int) -> bool:
    """At registration: True until the person has accepted the notice once."""
    state = await store.notice_state(db, telegram_id)
    return state is None or state.accepted_at is None


async def accept_notice(
    db: Database,
    telegram_id: int,
    at: datetime,
    *,
    language: str | None = None,
    registering: bool = True,
) -> bool:
    """The person pressed "Tôi đồng ý" (at `at`). Registering, that is the first thing stored
    about them; otherwise (the notice shown to someone already in) only a person the bot knows
    counts: False for anyone else."""
    async with db.transaction() as tx:
        if registering:
            await people.ensure_user(tx, telegram_id, language=language)
        elif await people.get_user(tx, telegram_id) is None:
            return False
        await store.set_accepted(tx, telegram_id, at)
    return True


async def notice_due(db: Database, telegram_id: int) -> bool:
    """For someone registered before the notice existed: not accepted and never shown."""
    state = await store.notice_state(db, telegram_id)
    if state is None or state.accepted_at is not None or state.shown_at is not None:
        return False
    return bool(await people.grants_of(db, telegram_id))


async def mark_notice_shown(db: Database, telegram_id: int, now: datetime) -> None:
    await store.set_shown(db, telegram_id, now)


# ---------------------------------------------------------------- the export log


class ExportKind(StrEnum):
    STATISTICS = "statistics"
    """A /stats workbook: figures per unit, no names."""
    OWN_DATA = "own_data"
    """/mydata: everything stored about the person who asked."""
    ROLLOUT = "rollout"
    """/rollout: the invite cards and links of the people of a sheet (names, phones)."""
    MEMBER_LIST_TEMPLATE = "member_list_template"
    """A workbook to fill with new members (empty)."""
    TITLE_LIST_TEMPLATE = "title_list_template"
    """A workbook of nominations for a title (filled with last year's recognised, if any)."""


PERSONAL_KINDS = frozenset({ExportKind.OWN_DATA, ExportKind.ROLLOUT})


async def record_export(
    db: Database,
    actor_id: int,
    kind: ExportKind | str,
    *,
    now: datetime,
    unit_id: int | None = None,
    detail: str | None = None,
    personal: bool | None = None,
    row_count: int | None = None,
) -> int:
    """Write down a file of data handed out, before it is sent."""
    if personal is None:
        personal = kind in PERSONAL_KINDS
    async with db.transaction() as tx:
        return await store.add_export(
            tx,
            at=now,
            actor_id=actor_id,
            kind=str(kind),
            unit_id=unit_id,
            detail=detail[:200] if detail else None,
            personal=personal,
            row_count=row_count,
        )


def is_province_admin(grants: Sequence[Grant]) -> bool:
    return any(grant.role is Role.PROVINCE_ADMIN for grant in grants)


EXPORT_LOG_LIMIT = 30


async def export_log(
    db: Database, telegram_id: int, *, limit: int = EXPORT_LOG_LIMIT
) -> list[ExportRecord] | None:
    """The latest exports, for a province admin; None for anyone else."""
    if not is_province_admin(await people.grants_of(db, telegram_id)):
        return None
    return await store.latest_exports(db, limit)


# ---------------------------------------------------------------- a person's own data


@dataclass(frozen=True)
class MyData:
    data: dict[str, Any]
    content: bytes
    """The file: UTF-8 JSON."""
    reports: int


async def my_data(db: Database, telegram_id: int, now: datetime) -> MyData | None:
    """Everything stored about the person, as the file they are sent, and the export written
    down; None when nothing is stored about them."""
    found = await store.person_data(db, telegram_id)
    if found is None:
        return None
    data = {
        "about": "Khuyến học bot: personal data of one person (Law 91/2025/QH15)",
        "made_at": now.isoformat(),
        **found,
        "not_included": (
            "The people in your reports (members, donors, students) are other people's data "
            "and the association's records: only what your reports are is listed here."
        ),
    }
    content = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    await record_export(
        db,
        telegram_id,
        ExportKind.OWN_DATA,
        now=now,
        detail="mydata.json",
        row_count=sum(len(v) for v in found.values() if isinstance(v, list)) + 1,
    )
    return MyData(data=data, content=content, reports=len(found["reports"]))


# ---------------------------------------------------------------- erasure


class ErasureProblem(StrEnum):
    NOTHING_STORED = "nothing_stored"
    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"
    ALREADY_DECIDED = "already_decided"


class ErasureAction(StrEnum):
    ERASE = "erased"
    """Everything of the person's own goes, their registration history too; reports stay."""
    ANONYMISE = "anonymised"
    """Their name and id go; their registration history stays under the stand-in name."""
    REJECT = "rejected"


@dataclass(frozen=True)
class ErasureRequest:
    row: ErasureRow
    created: bool


async def request_erasure(
    db: Database, telegram_id: int, now: datetime
) -> ErasureRequest | ErasureProblem:
    """The person asks for their data to be erased; a second request while one waits returns
    the first. The province admins are told (a notice written with the request)."""
    async with db.transaction() as tx:
        if await people.get_user(tx, telegram_id) is None:
            return ErasureProblem.NOTHING_STORED
        waiting = await store.pending_erasure_of(tx, telegram_id)
        if waiting is not None:
            return ErasureRequest(row=waiting, created=False)
        request_id = await store.insert_erasure(tx, telegram_id, now)
        await people.audit(
            tx,
            actor_id=telegram_id,
            action="create",
            entity="erasure_request",
            entity_id=request_id,
        )
        await notice_events.add(tx, NoticeKind.ERASURE_REQUESTED, request_id, now)
        row = await store.get_erasure(tx, request_id)
    assert row is not None
    return ErasureRequest(row=row, created=True)


@dataclass(frozen=True)
class ErasureCard:
    """What a province admin reads before deciding."""

    request: ErasureRow
    name: str | None
    grants: list[Grant]
    reports: int


async def erasure_card(db: Database, request_id: int) -> ErasureCard | None:
    row = await store.get_erasure(db, request_id)
    if row is None:
        return None
    user = await people.get_user(db, row.telegram_id)
    return ErasureCard(
        request=row,
        name=user.full_name if user else None,
        grants=await people.grants_of(db, row.telegram_id),
        reports=await store.count_reports(db, row.telegram_id),
    )


async def erasure_deciders(db: Database) -> list[int]:
    """Who is asked: the province admins who can be reached."""
    return await store.province_admins(db)


async def pending_erasures(db: Database, telegram_id: int) -> list[ErasureRow] | None:
    """The requests waiting, for a province admin; None for anyone else."""
    if not is_province_admin(await people.grants_of(db, telegram_id)):
        return None
    return await store.pending_erasures(db)


@dataclass(frozen=True)
class ErasureDecision:
    request: ErasureRow
    action: ErasureAction
    former_id: int
    """The person's own Telegram id, to tell them (it is stored nowhere any more)."""
    language: str
    stand_in_name: str
    erased: store.Erased | None


def stand_in_id(request_id: int) -> int:
    """The id an erased person's records are moved to: negative, which no Telegram user has,
    and one per erasure."""
    return -request_id


async def decide_erasure(
    db: Database, request_id: int, admin_id: int, action: ErasureAction, now: datetime
) -> ErasureDecision | ErasureProblem:
    """A province admin erases, anonymises or rejects; the statistics do not move: reports
    stay where they are, counted, under the stand-in name."""
    if not is_province_admin(await people.grants_of(db, admin_id)):
        return ErasureProblem.NOT_ALLOWED
    async with db.transaction() as tx:
        row = await store.get_erasure(tx, request_id)
        if row is None:
            return ErasureProblem.NOT_FOUND
        if row.status != "pending":
            return ErasureProblem.ALREADY_DECIDED
        user = await people.get_user(tx, row.telegram_id)
        language = user.language if user else "vi"
        name = ERASED_NAME.format(number=request_id)
        erased = None
        if action is not ErasureAction.REJECT and user is not None:
            erased = await store.erase_person(
                tx,
                row.telegram_id,
                stand_in_id(request_id),
                name,
                remove_history=action is ErasureAction.ERASE,
            )
        if not await store.decide_erasure(tx, request_id, action.value, admin_id, now):
            return ErasureProblem.ALREADY_DECIDED
        await people.audit(
            tx,
            actor_id=admin_id,
            action=action.value,
            entity="erasure_request",
            entity_id=request_id,
            before={"status": "pending"},
            after={
                "status": action.value,
                **(
                    {
                        "reports_kept": erased.reports_kept,
                        "grants_removed": erased.grants_removed,
                        "requests_removed": erased.requests_removed,
                    }
                    if erased is not None
                    else {}
                ),
            },
        )
        decided = await store.get_erasure(tx, request_id)
    assert decided is not None
    return ErasureDecision(
        request=decided,
        action=action,
        former_id=row.telegram_id,
        language=language,
        stand_in_name=name,
        erased=erased,
    )


# ---------------------------------------------------------------- retention


@dataclass(frozen=True)
class Retained:
    """How many rows the retention removed."""

    outbox: int
    audit: int
    exports: int


async def apply_retention(
    db: Database, now: datetime, *, outbox_days: int, audit_days: int
) -> Retained:
    """Settled outbox rows older than `outbox_days` (messages waiting or on the wire are never
    touched), audit lines and export records older than `audit_days`."""
    async with db.transaction() as tx:
        outbox = await store.delete_finished_outbox(tx, now - timedelta(days=outbox_days))
        audit = await store.delete_audit_before(tx, now - timedelta(days=audit_days))
        exports = await store.delete_exports_before(tx, now - timedelta(days=audit_days))
    return Retained(outbox=outbox, audit=audit, exports=exports)
