"""A branch that is not in the list: the newcomer names it while registering.

Under a commune's branches (or in place of them when it has none), "➕ My branch is not in the
list" asks its name, then its kind (buttons, or typed: "thôn", "trường"); the request goes to
the chairs with the proposal, and nothing is created before a chair approves
(`handlers.approvals`). A name the commune has a branch of already (compared without
diacritics, `registration.branch_named`) is no proposal: that branch is offered. Apart from the
walk down the map (`handlers.branch_choice`) because it is the one step where the newcomer
types what the map does not have yet.

Its buttons are the registration dialog's: `registration:<step>:join:<id>`, `…:k:<kind>`,
`…:back`, `…:cancel`.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.i18n import Translator
from bot.numbers import parse_number
from bot.services import registration
from bot.services.registration import (
    Proposal,
)
from bot.storage import units as unit_store
from bot.storage.models import BRANCH_KINDS, Level, Unit, UnitKind
from handlers.answers import chosen_by_text
from handlers.approvals import decision_buttons as decision_buttons  # /pending's card
from handlers.approvals import request_card as request_card
from handlers.approvals import request_markup as request_markup
from handlers.branch_choice import PICK, ChoosingBranch
from handlers.common import (
    KIND_LABELS,
    BotContext,
    answer,
    edit_or_reply,
    reply,
    unit_title,
)
from handlers.form_model import Option
from handlers.screens import NOT_VALID

PROPOSE_NAME, PROPOSE_KIND = "propose_name", "propose_kind"
"""A branch that is not in the list: its name (typed), then its kind; `commune` holds the
commune, `proposed` the name, `trail` stays as it was for ⬅ Back."""
KIND_WORDS: dict[UnitKind, tuple[str, ...]] = {
    UnitKind.VILLAGE: ("thon", "xom", "lang", "ap", "ban", "village"),
    UnitKind.RESIDENTIAL_GROUP: ("to dan pho", "to", "khu pho", "tdp", "khu dan cu"),
    UnitKind.SCHOOL: ("truong", "truong hoc", "school"),
    UnitKind.CLAN: ("dong ho", "ho", "ho toc", "clan"),
    UnitKind.AGENCY: ("co quan", "don vi", "doanh nghiep", "agency"),
}
"""Besides the labels: what people type for a branch's kind (folded)."""
KIND_OPTIONS = tuple(
    Option(kind.value, KIND_LABELS[kind], KIND_WORDS.get(kind, ())) for kind in BRANCH_KINDS
)


class ProposingBranch(ChoosingBranch):
    """The proposal's two questions (`PROPOSE_NAME`, `PROPOSE_KIND`), on top of the walk."""

    async def _begin_proposal(
        self, update: Update, context: BotContext, t: Translator, parts: list[str]
    ) -> None:
        """➕ My branch is not in the list, under a commune's branches or in place of them."""
        data = self.data(context)
        commune_id = parse_number(parts[1]) if len(parts) == 2 else None
        commune = await unit_store.get(context.db, commune_id) if commune_id is not None else None
        parent = await self._parent(context, data)
        if (
            commune is None
            or parent is None
            or commune.level is not Level.COMMUNE
            or not commune.active
            or parent.id not in (commune.id, commune.parent_id)
        ):
            await answer(update, t.gettext("That choice is not available any more."), alert=True)
            return
        await answer(update)
        data.update(step=PROPOSE_NAME, commune=commune.id)
        data.pop("proposed", None)
        await self._ask_proposal(update, context, t, edit=True)

    async def _proposal_commune(self, context: BotContext) -> Unit | None:
        commune_id = self.data(context).get("commune")
        commune = await unit_store.get(context.db, commune_id) if commune_id else None
        if commune is None or commune.level is not Level.COMMUNE or not commune.active:
            return None
        return commune

    async def _ask_proposal(
        self,
        update: Update,
        context: BotContext,
        t: Translator,
        *,
        note: str = "",
        edit: bool = False,
        offered: Unit | None = None,
    ) -> None:
        """The proposal's question: the name (with `offered`, the commune's branch of that
        name as a button), or once named, the kind; ⬅ Back and ✖ Cancel on both."""
        data = self.data(context)
        commune = await self._proposal_commune(context)
        if commune is None:
            await self._lost(update, context, t)
            return
        self.new_step(context)
        lines = [note] if note else []
        rows: list[list[InlineKeyboardButton]] = []
        name = data.get("proposed")
        if data.get("step") == PROPOSE_KIND and isinstance(name, str):
            lines.append(t.gettext("What kind of branch is {name}?").format(name=name))
            lines.append(t.gettext("Tap a button, or type it (for example: thôn, trường)."))
            rows += [
                [self.button(context, t.gettext(option.label), "k", option.value)]
                for option in KIND_OPTIONS
            ]
        else:
            data["step"] = PROPOSE_NAME
            if offered is not None:
                lines.append(
                    t.gettext(
                        "{unit} already has {branch} in the list. If it is yours, press it; "
                        "otherwise type another name."
                    ).format(unit=unit_title(t, commune), branch=unit_title(t, offered))
                )
                rows.append([self.button(context, offered.name, "join", offered.id)])
            else:
                lines.append(
                    t.gettext(
                        "Type the name of your branch in {unit}, for example: Thon Ben. "
                        "The chair adds it when approving your request."
                    ).format(unit=unit_title(t, commune))
                )
        rows.append([self.button(context, t.gettext("⬅ Back"), "back")])
        rows.append(self._cancel_row(context, t))
        send = edit_or_reply if edit else reply
        await send(update, "\n".join(lines), InlineKeyboardMarkup(rows))

    async def _proposal_typed(
        self, update: Update, context: BotContext, t: Translator, text: str
    ) -> None:
        """The branch's name (one the commune has already: offered instead), or its kind."""
        data = self.data(context)
        commune = await self._proposal_commune(context)
        if commune is None:
            await self._lost(update, context, t)
            return
        if data.get("step") == PROPOSE_KIND:
            option = chosen_by_text(text, KIND_OPTIONS)
            if option is None:
                note = t.gettext("Please choose one of the buttons.")
                await self._ask_proposal(update, context, t, note=note)
                return
            await self._submit_proposal(update, context, t, commune, UnitKind(option.value))
            return
        name = registration.proposed_name(text)
        if name is None:
            note = t.gettext(
                "A branch name has 2 to 120 characters. Type the name, for example: Thon Ben."
            )
            await self._ask_proposal(update, context, t, note=note)
            return
        existing = await registration.branch_named(context.db, commune, name)
        if existing is not None:
            await self._ask_proposal(update, context, t, offered=existing)
            return
        data.update(step=PROPOSE_KIND, proposed=name)
        await self._ask_proposal(update, context, t)

    async def _proposal_pressed(
        self, update: Update, context: BotContext, t: Translator, parts: list[str]
    ) -> None:
        data = self.data(context)
        commune = await self._proposal_commune(context)
        if commune is None:
            await self._lost(update, context, t)
            return
        step = data.get("step")
        if parts == ["back"] and step == PROPOSE_KIND:
            await answer(update)
            data.update(step=PROPOSE_NAME)
            data.pop("proposed", None)
            await self._ask_proposal(update, context, t, edit=True)
            return
        if parts == ["back"]:
            await answer(update)
            data.update(step=PICK, query="", page=0)
            data.pop("commune", None)
            await self._show_step(update, context, t, edit=True)
            return
        if step == PROPOSE_KIND and parts[:1] == ["k"] and len(parts) == 2:
            option = next((o for o in KIND_OPTIONS if o.value == parts[1]), None)
            if option is not None:
                await answer(update)
                await self._submit_proposal(update, context, t, commune, UnitKind(option.value))
                return
        branch_id = parse_number(parts[1]) if parts[:1] == ["join"] and len(parts) == 2 else None
        branch = await unit_store.get(context.db, branch_id) if branch_id is not None else None
        if (
            branch is not None
            and step == PROPOSE_NAME
            and branch.level is Level.BRANCH
            and branch.active
            and branch.parent_id == commune.id
        ):
            await answer(update)
            await self._submit(update, context, t, branch)
            return
        await answer(update, t.gettext(NOT_VALID), alert=True)

    async def _submit_proposal(
        self, update: Update, context: BotContext, t: Translator, commune: Unit, kind: UnitKind
    ) -> None:
        name = self.data(context).get("proposed")
        if not isinstance(name, str):
            await self._ask_proposal(update, context, t)
            return
        await self._submit(update, context, t, commune, Proposal(name=name, kind=kind))
