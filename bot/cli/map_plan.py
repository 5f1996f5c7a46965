"""What `khuyenhoc units migrate` prints about a move onto a new map: the same lines for a dry
run (what would be done) and for the move (what was done)."""

from __future__ import annotations

from bot.i18n import Translator
from bot.services.map_change import MapChangePlan
from bot.storage.map_changes import GrantRow


def print_map_plan(t: Translator, planned: MapChangePlan) -> None:
    """Every line `units migrate` prints about what is (or would be) done."""
    from handlers.common import role_label, unit_title

    province = planned.new_province_name
    communes, middles = t.number(len(planned.new_units)), t.number(planned.middles)
    if not planned.creates_province:
        created = (
            t.gettext(
                "Units created: {count}: {middles} districts or areas and {communes} communes and "
                "wards under {province}."
            )
            if planned.middles
            else t.gettext(
                "Units created: {count}: {communes} communes and wards under {province}."
            )
        )
    else:
        created = (
            t.gettext(
                "Units created: {count}: the province {province}, {middles} districts or areas "
                "and {communes} communes and wards."
            )
            if planned.middles
            else t.gettext(
                "Units created: {count}: the province {province} and its {communes} communes "
                "and wards."
            )
        )
    print(
        created.format(
            count=t.number(planned.units_created),
            middles=middles,
            communes=communes,
            province=province,
        )
    )
    ended = (
        t.gettext(
            "Units ended on {effective}: {count}: {districts} districts and {communes} communes."
        )
        if planned.same_province
        else t.gettext(
            "Units ended on {effective}: {count}: the province {province}, {districts} districts "
            "and {communes} communes."
        )
    )
    print(
        ended.format(
            effective=t.date(planned.effective),
            count=t.number(planned.units_ended),
            province=planned.province.name,
            districts=t.number(len(planned.districts)),
            communes=t.number(len(planned.communes)),
        )
    )
    if planned.skipped_rows:
        print(
            t.gettext("{count} rows of the mapping are of another province, left aside.").format(
                count=t.number(planned.skipped_rows)
            )
        )
    settled = len(planned.branches) - len(planned.provisional)
    print(
        t.gettext("Branches moved to the commune that took theirs: {count}.").format(
            count=t.number(settled)
        )
    )
    if planned.renamed:
        examples = ", ".join(move.name for move in planned.renamed[:3])
        print(
            t.gettext(
                "Of the branches moved, {count} take their old commune's name after their own, "
                "to stay distinct in the new commune (such as {examples})."
            ).format(count=t.number(len(planned.renamed)), examples=examples)
        )
    print(
        t.gettext(
            "Branches placed provisionally (their commune was split; the province admin "
            "confirms or moves them in /branches): {count}."
        ).format(count=t.number(len(planned.provisional)))
    )
    for move in planned.provisional:
        print(
            "  - "
            + t.gettext("{branch} (of {old}): placed in {first}; may go to {candidates}").format(
                branch=unit_title(t, move.branch),
                old=unit_title(t, move.old_commune),
                first=unit_title(t, planned.new_unit(move.to_code)),
                candidates=", ".join(
                    unit_title(t, planned.new_unit(code)) for code in move.candidates
                ),
            )
        )
    print(
        t.gettext("Grants moved with their unit: {count}.").format(
            count=t.number(len(planned.grants_moved))
        )
    )
    for change in planned.grants_moved:
        target = unit_title(t, planned.new_unit(change.to_code or ""))
        print(
            "  - "
            + t.gettext("{person}: {role}, {old} → {new}").format(
                person=_person(change.grant),
                role=role_label(t, change.grant.role),
                old=unit_title(t, change.unit),
                new=target,
            )
        )
    print(
        t.gettext(
            "Grants kept on the ended unit (its holder reads it for the years before): {count}."
        ).format(count=t.number(len(planned.grants_kept)))
    )
    for change in planned.grants_kept:
        print(
            "  - "
            + t.gettext("{person}: {role}, {unit}").format(
                person=_person(change.grant),
                role=role_label(t, change.grant.role, change.unit),
                unit=unit_title(t, change.unit),
            )
        )
    print(
        t.gettext("Unused invites to ended units, revoked by the change: {count}.").format(
            count=t.number(len(planned.invites))
        )
    )
    ended_units = {c.unit.id: c.unit for c in planned.communes}
    ended_units.update({d.id: d for d in planned.districts})
    ended_units[planned.province.id] = planned.province
    for invite in planned.invites:
        unit = ended_units.get(invite.unit_id)
        print(
            "  - "
            + t.gettext("{code}: {role}, {unit}, valid until {until}").format(
                code=invite.code,
                role=role_label(t, invite.role),
                unit=unit_title(t, unit) if unit else invite.unit_id,
                until=t.date(invite.expires_at.date()),
            )
        )
    records = planned.records
    print(
        t.gettext(
            "Records untouched, each on the unit it was filed under: {members} members, "
            "{nominations} title nominations, {contributions} contributions, {awards} awards."
        ).format(
            members=t.number(records.get("member", 0)),
            nominations=t.number(records.get("nomination", 0)),
            contributions=t.number(records.get("contribution", 0)),
            awards=t.number(records.get("award", 0)),
        )
    )


def _person(grant: GrantRow) -> str:
    return f"{grant.full_name} ({grant.telegram_id})" if grant.full_name else str(grant.telegram_id)
