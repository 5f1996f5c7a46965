"""The Telegram conversation flows, one module per flow, registered in one place."""

from __future__ import annotations

import warnings

from telegram.ext import Application
from telegram.warnings import PTBUserWarning

from handlers import (
    awards,
    branches,
    broadcast,
    campaigns,
    contributions,
    errors,
    gate,
    invite,
    language,
    members,
    menu,
    myreports,
    start,
    stats,
    targets,
    titles,
)

GATE_GROUP = -1
INTERRUPTING_GROUP = 0
"""Short conversations that may interrupt a form; they stop the updates they take."""
FLOW_GROUP = 1

# Our conversations deliberately track per user and chat, not per message: a volunteer may press
# a button of an earlier message of the same flow. PTB warns about that choice at build time.
warnings.filterwarnings("ignore", message=r"If 'per_message=False'", category=PTBUserWarning)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """The gate, then what interrupts a form (a rejection's reason typed mid-form must not
    become the form's answer), then the flows. Order matters inside a group, where the first
    handler that matches wins: conversations first, the catch-all last."""
    application.add_handler(gate.build(), group=GATE_GROUP)
    for interruption in (titles, myreports, invite, branches, campaigns, targets):
        application.add_handlers(interruption.build_interrupting(), group=INTERRUPTING_GROUP)
    for flow in (
        start,
        members,
        titles,
        contributions,
        awards,
        myreports,
        stats,
        targets,
        broadcast,
        campaigns,
        language,
        menu,
    ):
        application.add_handlers(flow.build(), group=FLOW_GROUP)
    application.add_handlers(menu.build_fallback(), group=FLOW_GROUP)
    application.add_error_handler(errors.on_error)
