"""Texts the reporting flows share: receipts and the reasons a report is refused."""

from __future__ import annotations

from datetime import datetime

from bot.i18n import N_, Translator
from bot.services.reporting import ReportError
from handlers.common import BotContext

REPORT_ERRORS = {
    ReportError.NOT_FOUND: N_("That record does not exist."),
    ReportError.UNKNOWN_UNIT: N_("That unit is not available any more."),
    ReportError.UNKNOWN_FUND: N_("That fund is not available any more."),
    ReportError.NOT_A_BRANCH: N_("Members belong to a branch; please choose a branch."),
    ReportError.WRONG_LEVEL: N_("Clan and family funds belong to a branch or a commune."),
    ReportError.OUT_OF_SCOPE: N_("That is outside the units you are responsible for."),
    ReportError.DUPLICATE: N_("This subject already holds or awaits this title for that year."),
    ReportError.KEY_CONFLICT: N_("This draft was already used; please start again."),
    ReportError.ALREADY_DECIDED: N_("This nomination has already been decided."),
    ReportError.REASON_REQUIRED: N_("Please give a reason."),
    ReportError.REASON_TOO_LONG: N_("The reason is too long (at most 500 characters)."),
    ReportError.WITHDRAWN: N_("This record has been withdrawn."),
    ReportError.EDIT_WINDOW_CLOSED: N_(
        "Your own reports can be changed for 48 hours; ask your commune chair to correct it."
    ),
}


def report_error_text(t: Translator, error: ReportError) -> str:
    return t.gettext(REPORT_ERRORS[error])


def receipt(
    t: Translator, what: str, number: int, created_at: datetime, context: BotContext
) -> str:
    """ "✅ New member saved. Number 12, at 09:30 28/11/2026." — what a volunteer can quote."""
    return t.gettext("✅ {what} Number {number}, at {time}.").format(
        what=t.gettext(what),
        number=number,
        time=t.datetime(created_at, context.runtime.settings.tz),
    )
