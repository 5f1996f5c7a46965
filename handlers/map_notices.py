"""What a chair is told when the map changed under them (`NoticeKind.MAP_CHANGED`).

`khuyenhoc units migrate` writes one event per map change. Each person whose chair grants it
touched hears once, in their language, of all of them (`scope_notices.scope_notices`): a grant
moved with its unit to the successor (a one-to-one mapping, the province), or stayed on the
ended unit, which its holder still reads for the years before.
"""

from __future__ import annotations

from bot.i18n import N_, Translator
from bot.services import scope_notices
from bot.services.scope_notices import ChangedScope, ScopeNotice
from handlers.common import BotContext, notify, role_label, tr_for, unit_in_sentence

SCOPE_MOVED = N_(
    "🗺 The map changed on {effective}: {former} is now part of {unit}. Your role ({role}) "
    "moved with it: you now look after {unit}. Figures of the years before {year} stay on "
    "the old map, as they were reported."
)
SCOPE_ENDED = N_(
    "🗺 The map changed on {effective}: {unit} no longer exists; it is now part of "
    "{successors}. Your role ({role}) stays with {unit}, so you can still read its figures "
    "for the years before {year}. To look after a unit of the new map, ask the province's "
    "administrator for an invitation."
)
SCOPES = N_("🗺 The map changed on {effective}. For your roles:")
"""Several grants of one person: the heading, then a line for each."""
SCOPE_MOVED_LINE = N_(
    "• {former} is now part of {unit}: your role ({role}) moved with it, you now look after {unit}."
)
SCOPE_ENDED_LINE = N_(
    "• {unit} no longer exists; it is now part of {successors}. Your role ({role}) stays "
    "with {unit}."
)
FIGURES_STAY = N_(
    "Figures of the years before {year} stay on the old map, as they were reported, and you "
    "can still read them."
)
ASK_FOR_INVITATION = N_(
    "To look after a unit of the new map, ask the province's administrator for an invitation."
)
TO_PLACE = N_(
    "📍 {count} branches of split communes were placed provisionally: confirm or move them "
    "in /branches."
)


def _names(t: Translator, scope: ChangedScope) -> dict[str, str]:
    unit = unit_in_sentence(t, scope.unit)
    return {
        "unit": unit,
        "former": unit_in_sentence(t, scope.former) if scope.former else unit,
        "successors": ", ".join(unit_in_sentence(t, u) for u in scope.successors) or "—",
        "role": role_label(t, scope.role, scope.unit),
    }


def text(t: Translator, notice: ScopeNotice) -> str:
    """The notice in the words of `t`: one grant in a sentence, several a line each."""
    effective = t.date(notice.effective)
    year = notice.effective.year
    if len(notice.scopes) == 1:
        [scope] = notice.scopes
        said = t.gettext(SCOPE_MOVED if scope.moved else SCOPE_ENDED).format(
            effective=effective, year=year, **_names(t, scope)
        )
    else:
        lines = [t.gettext(SCOPES).format(effective=effective)]
        lines += [
            t.gettext(SCOPE_MOVED_LINE if scope.moved else SCOPE_ENDED_LINE).format(
                **_names(t, scope)
            )
            for scope in notice.scopes
        ]
        lines.append(t.gettext(FIGURES_STAY).format(year=year))
        if not all(scope.moved for scope in notice.scopes):
            lines.append(t.gettext(ASK_FOR_INVITATION))
        said = "\n".join(lines)
    if notice.to_place:
        said += "\n" + t.gettext(TO_PLACE).format(count=t.number(notice.to_place))
    return said


async def tell_chairs(context: BotContext, change_id: int) -> None:
    """`NoticeKind.MAP_CHANGED`: to each person the change touched, once, in their language."""
    for notice in await scope_notices.scope_notices(context.db, change_id):
        t = await tr_for(context, notice.telegram_id)
        await notify(context, notice.telegram_id, text(t, notice))
