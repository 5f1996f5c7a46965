"""The end of a form: the summary with 💾 Save / ✏️ Change / ✖ Cancel, the list of answers
to change, the form's check before saving (💾 Save anyway), and saving.

`FormReview` is the part of `handlers.form.FormFlow` that works on a complete draft; the
questions themselves are asked by `FormFlow.ask_next`. *Sửa* asks the one answer again and
comes back here; saving the same draft twice stores one record (its idempotency key is the
draft's id).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.i18n import Translator
from bot.numbers import parse_number
from bot.storage import units as unit_store
from handlers.common import (
    BotContext,
    answer,
    edit_or_reply,
    reply,
    show_main_menu,
    unit_address,
)
from handlers.dialogs import Dialog, finish
from handlers.form_model import (
    UNIT_KEY,
    Asking,
    Form,
    FormRun,
    JsonValue,
    Question,
    Values,
    asking_for,
)


class FormReview(Dialog, ABC):
    """A form's summary and what its buttons do; mixed into `FormFlow`."""

    form: Form

    @abstractmethod
    async def ask_next(
        self, update: Update, context: BotContext, t: Translator, *, note: str = ""
    ) -> None:
        """The first question still unanswered, or the summary: `FormFlow` asks the questions,
        and the review goes back to them when an answer is missing or is to be changed."""

    # -- the draft ---------------------------------------------------------

    def draft(self, context: BotContext) -> dict[str, Any]:
        return self.data(context)

    async def _asking(self, update: Update, context: BotContext) -> Asking:
        user = update.effective_user
        assert user is not None
        return await asking_for(context, user.id, self.draft(context)["values"])

    def _reopen(self, draft: dict[str, Any], key: str) -> None:
        """Ask `key` again (Sửa, or a refusal), remembering the old answer: what rests on it is
        checked only if the new answer differs."""
        values: Values = draft["values"]
        if key in values:
            draft.setdefault("was", {})[key] = values.pop(key)

    def _cancel_row(self, context: BotContext, t: Translator) -> list[InlineKeyboardButton]:
        return [self.button(context, t.gettext("✖ Cancel"), "cancel")]

    # -- the summary -------------------------------------------------------

    async def _shown(
        self, asking: Asking, t: Translator, question: Question, value: JsonValue
    ) -> str:
        """An answer as the summary shows it."""
        if value is None:
            return t.gettext("(none)")
        if question.levels is not None and isinstance(value, int):
            unit = await unit_store.get(asking.db, value)
            return await unit_address(t, asking.db, unit) if unit else "?"
        if question.show is not None:
            return question.show(value, t)
        for option in await question.options_in(asking):
            if option.value == value:
                return t.gettext(option.label)
        return str(value)

    async def summary_text(self, update: Update, context: BotContext, t: Translator) -> str:
        asking = await self._asking(update, context)
        values = asking.values
        lines = [t.gettext("Please check:") + " " + t.gettext(self.form.title)]
        for question in self.form.applicable(values):
            shown = await self._shown(asking, t, question, values.get(question.key))
            lines.append(f"• {t.gettext(question.label_in(values))}: {shown}")
        return "\n".join(lines)

    async def show_summary(
        self, update: Update, context: BotContext, t: Translator, *, note: str = ""
    ) -> None:
        text = await self.summary_text(update, context, t)
        buttons = self._review_buttons(context, t, t.gettext("💾 Save"), "save")
        await reply(update, f"{note}\n{text}" if note else text, buttons)
        return

    def _review_buttons(
        self, context: BotContext, t: Translator, save: str, save_part: str
    ) -> InlineKeyboardMarkup:
        """A new step's 💾 (`save`, pressed as `save_part`), ✏️ Change and ✖ Cancel."""
        self.new_step(context)
        change = self.button(context, t.gettext("✏️ Change"), "edit")
        return InlineKeyboardMarkup(
            [[self.button(context, save, save_part)], [change, *self._cancel_row(context, t)]]
        )

    async def review_pressed(
        self, update: Update, context: BotContext, t: Translator, parts: list[str]
    ) -> None:
        draft = self.draft(context)
        if self.form.next_question(draft["values"]) is not None:
            await answer(update)
            await self.ask_next(update, context, t)
            return
        if parts == ["edit"]:
            await answer(update)
            await self._show_changes(update, context, t)
            return
        if parts[:1] == ["f"]:
            index = parse_number(parts[1]) if len(parts) == 2 else None
            if index is None or index >= len(self.form.questions):
                await answer(update, t.gettext("This button is not valid."), alert=True)
                return
            await answer(update)
            self._reopen(draft, self.form.questions[index].key)
            await self.ask_next(update, context, t)
            return
        await self._save(update, context, t, confirmed=parts == ["force"])
        return

    async def _show_changes(self, update: Update, context: BotContext, t: Translator) -> None:
        """✏️ Change: a button for each answer of the draft (`f:<index in the form>`)."""
        values = self.draft(context)["values"]
        questions = self.form.applicable(values)
        self.new_step(context)
        rows = [
            [self.button(context, t.gettext(q.label_in(values)), "f", i)]
            for i, q in enumerate(self.form.questions)
            if q in questions
        ]
        rows.append(self._cancel_row(context, t))
        await edit_or_reply(
            update, t.gettext("Which answer do you want to change?"), InlineKeyboardMarkup(rows)
        )

    # -- saving ------------------------------------------------------------

    async def _save(
        self, update: Update, context: BotContext, t: Translator, *, confirmed: bool
    ) -> None:
        draft = self.draft(context)
        user = update.effective_user
        assert user is not None
        unit_id = draft["values"].get(UNIT_KEY)
        unit = await unit_store.get(context.db, int(unit_id)) if isinstance(unit_id, int) else None
        if unit is None:
            await answer(update)
            draft["values"].pop(UNIT_KEY, None)
            await self.ask_next(update, context, t)
            return
        run = FormRun(
            update=update,
            context=context,
            t=t,
            user_id=user.id,
            values=dict(draft["values"]),
            unit=unit,
            key=f"{self.form.name}:{user.id}:{draft['id']}",
            record_id=draft.get("record"),
            confirmed=confirmed,
        )
        if not confirmed and self.form.check is not None:
            warning = await self.form.check(run)
            if warning is not None:
                await answer(update)
                buttons = self._review_buttons(context, t, t.gettext("💾 Save anyway"), "force")
                await edit_or_reply(update, warning, buttons)
                return
        if run.record_id is not None and self.form.editing is not None:
            outcome = await self.form.editing.save(run)
        else:
            outcome = await self.form.save(run)
        await answer(update)
        if outcome.saved:
            # The summary stays in the chat, without buttons, as the record of what was saved.
            saved = (await self.summary_text(update, context, t)).split("\n", 1)[-1]
            await finish(context, self)
            await edit_or_reply(update, saved)
            await show_main_menu(update, context, outcome.text)
            return
        if outcome.field is not None and self.form.question(outcome.field) is not None:
            self._reopen(draft, outcome.field)
            await self.ask_next(update, context, t, note=outcome.text)
            return
        await self.show_summary(update, context, t, note=outcome.text)
        return
