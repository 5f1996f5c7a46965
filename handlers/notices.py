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
from handlers import map_notices, start, titles
from handlers.common import BotContext

RENDERERS: Final[Mapping[NoticeKind, Callable[[BotContext, int], Awaitable[None]]]] = {
    # the request, with ✅/❌, to the chairs who may approve it
    NoticeKind.REGISTRATION_REQUESTED: start.ask_chairs,
    # approved (with the menu) or not, to the person who asked
    NoticeKind.REGISTRATION_DECIDED: start.tell_applicant,
    # the nomination card, with its buttons, to the chairs who recognise the title
    NoticeKind.NOMINATION_SUBMITTED: titles.ask_deciders,
    # recognised or not (with the reason), to the nominator
    NoticeKind.NOMINATION_DECIDED: titles.tell_nominator,
    # the map changed: the chair's role moved with its unit, or stayed on the ended one
    NoticeKind.MAP_CHANGED: map_notices.tell_chair,
}


def renderer(application: Application[Any, Any, Any, Any, Any, Any]) -> NoticeRenderer:
    """The processor's `render_notice`: a context without an update, since a notice may be
    rendered for an event another person's update (or the last run) left."""

    async def render(event: NoticeEvent) -> None:
        await RENDERERS[event.kind](BotContext(application), event.record_id)

    return render
