"""Who hears about a change, and in what words.

A service that makes a change someone else must hear about (a registration request, its
decision, a new nomination, its outcome) writes a `notice_event` in the change's own
transaction. `bot.updates` then asks the renderer below for the messages, collects them like
answers, and commits them to the reply queue in the transaction that deletes the event. So a
crash at any moment loses no notice and sends none twice; after one, the start (`resume`)
renders what was left.

The table is the one place to look up what each event sends; each renderer reads the record
again, so what it says is what is true when it is written.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

from telegram.ext import Application

from bot.storage.notice_events import NoticeEvent, NoticeKind
from bot.updates import NoticeRenderer
from handlers import (
    approvals,
    branches,
    map_notices,
    privacy,
    title_decisions,
    title_list_cards,
    title_undo,
    waiting_request,
)
from handlers.common import BotContext

RENDERERS: Final[Mapping[NoticeKind, Callable[[BotContext, int], Awaitable[None]]]] = {
    # the request, with ✅/❌, to the chairs who may approve it
    NoticeKind.REGISTRATION_REQUESTED: approvals.ask_chairs,
    # approved (with the menu) or not, to the person who asked
    NoticeKind.REGISTRATION_DECIDED: approvals.tell_applicant,
    # a chair took the decision back (↩ Undo): to the person, with the request waiting again
    NoticeKind.REGISTRATION_APPROVAL_UNDONE: approvals.tell_approval_undone,
    NoticeKind.REGISTRATION_REJECTION_UNDONE: approvals.tell_rejection_undone,
    # the nomination card, with its buttons, to the chairs who recognise the title
    NoticeKind.NOMINATION_SUBMITTED: title_decisions.ask_deciders,
    # recognised or not (with the reason), to the nominator
    NoticeKind.NOMINATION_DECIDED: title_decisions.tell_nominator,
    # a list of nominations: one card, with its buttons, to the chairs who recognise its title
    NoticeKind.NOMINATION_LIST_SUBMITTED: title_list_cards.ask_deciders,
    # the list decided or returned (with the reason), to its nominator, once per list
    NoticeKind.NOMINATION_LIST_DECIDED: title_list_cards.tell_nominator,
    # a decision taken back within minutes, to the nominator who had been told it
    NoticeKind.NOMINATION_UNDONE: title_undo.tell_undone,
    NoticeKind.NOMINATION_LIST_UNDONE: title_undo.tell_list_undone,
    # a branch closed, to the people with a role on it (what they keep, whom to ask)
    NoticeKind.BRANCH_CLOSED: branches.tell_closed,
    # the branch a registration request waits for was closed: to the person who asked, with
    # the ways on (choose another branch of the commune, withdraw)
    NoticeKind.REGISTRATION_BRANCH_CLOSED: waiting_request.tell_branch_closed,
    # the map changed: to each chair once, what became of each role (moved with its unit,
    # or stayed on the ended one)
    NoticeKind.MAP_CHANGED: map_notices.tell_chairs,
    # a person asks for their data to be erased: the card, with its buttons, to the
    # province admins
    NoticeKind.ERASURE_REQUESTED: privacy.ask_admins,
}


def renderer(application: Application[Any, Any, Any, Any, Any, Any]) -> NoticeRenderer:
    """The processor's `render_notice`: a context without an update, since a notice may be
    rendered for an event another person's update (or the last run) left."""

    async def render(event: NoticeEvent) -> None:
        await RENDERERS[event.kind](BotContext(application), event.record_id)

    return render
