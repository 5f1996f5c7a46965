"""The Telegram conversation flows, one module per flow, registered in one place."""

from __future__ import annotations

import warnings

from telegram.ext import Application
from telegram.warnings import PTBUserWarning

from handlers import (
    awards,
    branches,
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

# Our conversations deliberately track per user and chat, not per message: a volunteer may press
# a button of an earlier message of the same flow. PTB warns about that choice at build time.
warnings.filterwarnings("ignore", message=r"If 'per_message=False'", category=PTBUserWarning)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Order matters inside group 0: conversations first, the catch-all last."""
    application.add_handler(gate.build(), group=GATE_GROUP)
    for flow in (
        start,
        members,
        titles,
        contributions,
        awards,
        myreports,
        stats,
        targets,
        invite,
        branches,
        campaigns,
        language,
        menu,
    ):
        application.add_handlers(flow.build())
    application.add_handlers(menu.build_fallback())
    application.add_error_handler(errors.on_error)
