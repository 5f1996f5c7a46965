"""What a chair is told when the map changed under them (`NoticeKind.MAP_CHANGED`).

`khuyenhoc units migrate` writes one event per chair's grant on an ended unit: the grant moved
with its unit to the successor (a one-to-one mapping, the province), or it stayed on the ended
unit, which its holder still reads for the years before. The renderer reads the grant again
(`map_change.scope_notice`) and says so in the chair's language.
"""

from __future__ import annotations

from bot.i18n import N_, Translator
from bot.services import map_change
from bot.services.map_change import ScopeNotice
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
TO_PLACE = N_(
    "📍 {count} branches of split communes were placed provisionally: confirm or move them "
    "in /branches."
)


def text(t: Translator, notice: ScopeNotice) -> str:
    """The notice in the words of `t`."""
    effective = t.date(notice.effective)
    year = notice.effective.year
    if notice.moved:
        assert notice.former is not None
        said = t.gettext(SCOPE_MOVED).format(
            effective=effective,
            former=unit_in_sentence(t, notice.former),
            unit=unit_in_sentence(t, notice.unit),
            role=role_label(t, notice.role, notice.unit),
            year=year,
        )
    else:
        said = t.gettext(SCOPE_ENDED).format(
            effective=effective,
            unit=unit_in_sentence(t, notice.unit),
            successors=", ".join(unit_in_sentence(t, u) for u in notice.successors) or "—",
            role=role_label(t, notice.role, notice.unit),
            year=year,
        )
    if notice.to_place:
        said += "\n" + t.gettext(TO_PLACE).format(count=t.number(notice.to_place))
    return said


async def tell_chair(context: BotContext, grant_id: int) -> None:
    """`NoticeKind.MAP_CHANGED`: to the holder of the grant, in their language."""
    notice = await map_change.scope_notice(context.db, grant_id)
    if notice is None:
        return
    t = await tr_for(context, notice.telegram_id)
    await notify(context, notice.telegram_id, text(t, notice))
