"""Registration: /start, self-registration with a chair's approval, invite links, and the
waiting person's own request.

One dialog, `registration` (`Registration`), asks what registering needs:

- `/start`: the full name, then down the map by buttons to a branch (district → commune →
  branch on a map with districts, commune → branch on today's; paged; typing part of a name
  filters); the request goes to the chairs who approve it (`registration.approvers_for`);
- `/start CODE` (an invite link): only the name; the invite's role is granted at once;
- `regr:b:<id>` ("🔁 Choose another branch" under the person's waiting request): down the map
  again, the name kept; the old request is replaced only when a new branch is
  chosen, so giving up half-way leaves it waiting.

The access gate counts a person as registering exactly while this dialog is on screen. Its
buttons are the engine's (`registration:<step>:u:<id>`, `…:p:<page>`, `…:b`, `…:cancel`).
Stateless buttons, each carrying a request id: a chair's decision (`regd:ok:<id>`,
`regd:no:<id>`) and the waiting person's "↩ Withdraw the request" (`regr:x:<id>`).
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.i18n import N_, Translator
from bot.numbers import parse_number
from bot.services import registration
from bot.services.registration import (
    DecisionError,
    InviteProblem,
    NameProblem,
    RequestProblem,
    Standing,
    Submitted,
)
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.models import Level, RegistrationRequest, RequestStatus, Unit, UnitKind
from handlers.common import (
    REGISTRATION_DIALOG,
    BotContext,
    answer,
    command_or_menu,
    edit_or_reply,
    main_menu,
    next_step_text,
    notify,
    parse_callback,
    reply,
    role_label,
    show_main_menu,
    tr,
    tr_for,
    unit_address,
    unit_picker,
    unit_title,
)
from handlers.dialogs import Dialog, Entry, finish, on_screen

DECISION_PREFIX = "regd"
REQUEST_PREFIX = "regr"
"""The waiting person's own buttons: `regr:x:<id>` withdraws, `regr:b:<id>` moves."""

NAME, INVITE_NAME = "name", "invite_name"
PICK = "pick"
"""Choosing the branch: `trail` holds the units chosen so far, from the province down, so the
walk has as many steps as the map has levels above its branches."""
_PICKING_BEFORE = {"district": 0, "commune": 1, "branch": 2}
"""Steps of drafts written when every map had districts: their trail's length."""
SELF, INVITE, MOVE = "self", "invite", "move"  # how the dialog was started

TYPE_YOUR_NAME = N_("Please type your full name, for example: Nguyen Van An.")
MISSING = N_("Something is missing; send /start to begin again.")
NOT_VALID = N_("This button is not valid.")
# After these the answer itself points at the question above: no second copy of it.
_POINTS_ABOVE = frozenset({"help", "trogiup", "language", "ngonngu"})


def forget_registration(context: BotContext) -> None:
    """Drop the `registering` mark an older version kept in user_data: the gate now reads the
    dialog on screen, so a mark left behind must not count."""
    context.data.pop("registering", None)


def name_problem_text(t: Translator, problem: NameProblem) -> str:
    reasons = {
        NameProblem.TOO_SHORT: t.gettext("That name is too short."),
        NameProblem.TOO_LONG: t.gettext("That name is too long (at most 100 characters)."),
        NameProblem.NOT_A_NAME: t.gettext("A name has only letters and spaces."),
    }
    return reasons[problem] + " " + t.gettext(TYPE_YOUR_NAME)


def invite_problem_text(t: Translator, problem: InviteProblem) -> str:
    texts = {
        InviteProblem.NOT_FOUND: t.gettext(
            "This invite link is not valid. Ask the person who invited you for a new link, "
            "or send /start to register yourself."
        ),
        InviteProblem.EXPIRED: t.gettext(
            "This invite link has expired. Ask the person who invited you for a new link."
        ),
        InviteProblem.USED: t.gettext(
            "This invite link has already been used. Each link works once; ask for a new one."
        ),
        InviteProblem.NOT_ALLOWED: t.gettext("You cannot create this invite."),
        InviteProblem.ALREADY_REGISTERED: t.gettext("You are already registered."),
    }
    return texts[problem]


def request_problem_text(t: Translator, problem: RequestProblem) -> str:
    texts = {
        RequestProblem.NOT_FOUND: t.gettext(NOT_VALID),
        RequestProblem.WITHDRAWN: t.gettext(
            "This request has already been withdrawn. Send /start to register again."
        ),
        RequestProblem.DECIDED: t.gettext(
            "This request has already been decided; the answer was sent to you here."
        ),
    }
    return texts[problem]


def _start_argument(update: Update) -> str | None:
    """`/start CODE` → CODE (an invite link opens the chat with it); plain `/start` → None."""
    message = update.effective_message
    words = (message.text or "").split() if message is not None else []
    return words[1] if len(words) > 1 and words[0].lower().startswith("/start") else None


# ---------------------------------------------------------------- the waiting person's request


def waiting_buttons(t: Translator, request_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.gettext("↩ Withdraw the request"),
                    callback_data=f"{REQUEST_PREFIX}:x:{request_id}",
                )
            ],
            [
                InlineKeyboardButton(
                    t.gettext("🔁 Choose another branch"),
                    callback_data=f"{REQUEST_PREFIX}:b:{request_id}",
                )
            ],
        ]
    )


async def show_waiting(
    update: Update, context: BotContext, t: Translator, *, note: str = "", edit: bool = False
) -> bool:
    """The sender's request waiting for approval (name, branch) with the ways on: withdraw it,
    or choose another branch. False if nothing of theirs waits."""
    user = update.effective_user
    assert user is not None
    request = await people.pending_request_of(context.db, user.id)
    branch = await unit_store.get(context.db, request.unit_id) if request is not None else None
    if request is None or branch is None:
        return False
    lines = [note] if note else []
    lines.append(next_step_text(t, Standing.PENDING))
    lines.append(
        t.gettext("Your request #{number}: {name}\n{unit}").format(
            number=request.id,
            name=request.full_name,
            unit=await unit_address(t, context.db, branch),
        )
    )
    send = edit_or_reply if edit else reply
    await send(update, "\n".join(lines), waiting_buttons(t, request.id))
    return True


async def withdraw_pressed(update: Update, context: BotContext) -> None:
    """`regr:x:<id>`: the waiting person takes their request back (and any other `regr:` data
    the dialog did not take: a forged or malformed one)."""
    t = await tr(update, context)
    user = update.effective_user
    assert update.callback_query is not None and user is not None
    parts = parse_callback(update.callback_query.data, REQUEST_PREFIX)
    request_id = parse_number(parts[1]) if len(parts) == 2 and parts[0] == "x" else None
    if request_id is None:
        await answer(update, t.gettext(NOT_VALID), alert=True)
        return
    result = await registration.withdraw_request(context.db, user.id, request_id, context.now())
    if isinstance(result, RequestProblem):
        await answer(update, request_problem_text(t, result), alert=True)
        return
    await answer(update)
    if on_screen(context) == FLOW.name and FLOW.data(context).get("request") == request_id:
        await finish(context, FLOW)  # choosing another branch for it is over too
    await edit_or_reply(
        update,
        t.gettext(
            "Your request #{number} has been withdrawn. "
            "Send /start whenever you want to register again."
        ).format(number=result.id),
    )


# ---------------------------------------------------------------- the dialog


class Registration(Dialog):
    """/start: the name, then the branch; or an invite's name; or another branch."""

    name = REGISTRATION_DIALOG
    title = N_("Registration")
    entry = Entry(commands=("start",), patterns=(rf"^{REQUEST_PREFIX}:b:[0-9]+$",))

    def has_answers(self, data: dict[str, Any]) -> bool:
        """Never "put aside": /start again begins again, as it always did, and only registered
        people can take a draft up again."""
        return False

    # -- starting ------------------------------------------------------------------------

    async def begin(self, update: Update, context: BotContext) -> None:
        if update.callback_query is not None:
            await self.begin_move(update, context)
            return
        t = await tr(update, context)
        user = update.effective_user
        assert user is not None
        db = context.db
        current = await registration.standing(db, user.id)
        code = _start_argument(update)
        if code is not None:
            await self.begin_invite(update, context, t, code, current)
            return
        if current is Standing.REGISTERED:
            await finish(context, self)
            stored = await people.get_user(db, user.id)
            name = stored.full_name if stored and stored.full_name else user.full_name
            await show_main_menu(
                update,
                context,
                t.gettext("Welcome back, {name}! Choose a task below.").format(name=name),
            )
            return
        if current is Standing.PENDING:
            await finish(context, self)
            await show_waiting(update, context, t)
            return
        self.data(context).update(mode=SELF, step=NAME)
        await self._ask_name(
            update,
            context,
            t,
            t.gettext(
                "Welcome to the bot of the Association for the Promotion of Learning!\n"
                "To register, please type your full name, for example: Nguyen Van An."
            ),
        )

    async def begin_invite(
        self, update: Update, context: BotContext, t: Translator, code: str, current: Standing
    ) -> None:
        db = context.db
        if current is Standing.REGISTERED:
            await finish(context, self)
            await show_main_menu(
                update, context, invite_problem_text(t, InviteProblem.ALREADY_REGISTERED)
            )
            return
        checked = await registration.check_invite(db, code, context.now())
        if isinstance(checked, InviteProblem):
            await finish(context, self)  # this ends a registration under way too
            await reply(update, invite_problem_text(t, checked))
            return
        unit = await unit_store.get(db, checked.unit_id)
        assert unit is not None
        self.data(context).update(mode=INVITE, step=INVITE_NAME, invite=checked.code)
        await self._ask_name(
            update,
            context,
            t,
            t.gettext(
                "Welcome! You are invited as {role} of {unit}.\n"
                "Please type your full name, for example: Nguyen Van An."
            ).format(role=role_label(t, checked.role, unit), unit=await unit_address(t, db, unit)),
        )

    async def begin_move(self, update: Update, context: BotContext) -> None:
        """`regr:b:<id>`: choose the branch again for a request that waits."""
        t = await tr(update, context)
        user = update.effective_user
        assert update.callback_query is not None and user is not None
        parts = parse_callback(update.callback_query.data, REQUEST_PREFIX)
        request_id = parse_number(parts[1]) if len(parts) == 2 else None
        found: RegistrationRequest | RequestProblem = (
            await registration.own_waiting_request(context.db, user.id, request_id)
            if request_id is not None
            else RequestProblem.NOT_FOUND
        )
        if isinstance(found, RequestProblem):
            await finish(context, self)
            await answer(update, request_problem_text(t, found), alert=True)
            return
        await answer(update)
        self.data(context).update(
            mode=MOVE, request=found.id, name=found.full_name, step=PICK, trail=[], query="", page=0
        )
        await self._show_step(
            update,
            context,
            t,
            intro=t.gettext(
                "Choose the branch to ask for instead. Your request #{number} keeps waiting "
                "until you have chosen."
            ).format(number=found.id),
        )

    # -- asking --------------------------------------------------------------------------

    def _cancel_row(self, context: BotContext, t: Translator) -> list[InlineKeyboardButton]:
        return [self.button(context, t.gettext("✖ Cancel"), "cancel")]

    async def _ask_name(
        self, update: Update, context: BotContext, t: Translator, text: str
    ) -> None:
        self.new_step(context)
        await reply(update, text, InlineKeyboardMarkup([self._cancel_row(context, t)]))

    async def _parent(self, context: BotContext, data: dict[str, Any]) -> Unit | None:
        """The unit whose children are offered now: the province, then each one chosen."""
        trail = _trail(data)
        if trail is None:
            return None
        if not trail:
            return await unit_store.root(context.db)
        return await unit_store.get(context.db, trail[-1])

    async def _show_step(
        self,
        update: Update,
        context: BotContext,
        t: Translator,
        *,
        intro: str = "",
        edit: bool = False,
    ) -> None:
        """The list of districts (or areas), communes or branches to choose from, as buttons."""
        data = self.data(context)
        parent = await self._parent(context, data)
        if parent is None:
            await self._lost(update, context, t)
            return
        first = await unit_store.children(context.db, parent.id, limit=1)
        if not first:
            await self._lost(update, context, t)
            return
        self.new_step(context)
        query = str(data.get("query", ""))
        markup, total = await unit_picker(
            t,
            context.db,
            parent,
            prefix=self.prefix(context),
            page=int(data.get("page", 0)),
            query=query,
            back=bool(_trail(data)),
        )
        markup = InlineKeyboardMarkup([*markup.inline_keyboard, self._cancel_row(context, t)])
        listed = first[0]
        if listed.level is Level.BRANCH:
            question = t.gettext("Which branch of {unit} do you belong to?")
        elif listed.level is Level.COMMUNE:
            question = t.gettext("Which commune, ward or township of {unit}?")
        elif listed.kind is UnitKind.AREA:
            question = t.gettext("Which area (cluster of communes) is your branch in?")
        else:
            question = t.gettext("Which district or city is your branch in?")
        lines = [intro] if intro else []
        lines.append(question.format(unit=unit_title(t, parent)))
        if query and total == 0:
            lines.append(
                t.gettext('No name contains "{text}". Try fewer letters.').format(text=query)
            )
        elif query:
            lines.append(t.gettext('Showing names that contain "{text}".').format(text=query))
        else:
            lines.append(t.gettext("Tap a button, or type a few letters of the name to filter."))
        send = edit_or_reply if edit else reply
        await send(update, "\n".join(lines), markup)

    async def _lost(self, update: Update, context: BotContext, t: Translator) -> None:
        """The draft lacks what the question needs (it cannot, short of a bug): start again."""
        await finish(context, self)
        await answer(update)
        await reply(update, t.gettext(MISSING))

    async def show(self, update: Update, context: BotContext, *, note: str = "") -> None:
        if note and command_or_menu(update) in _POINTS_ABOVE:
            return  # /help and /language while registering: "answer the question above"
        t = await tr(update, context)
        data = self.data(context)
        step = data.get("step")
        if step in (NAME, INVITE_NAME):
            text = t.gettext(TYPE_YOUR_NAME)
            await self._ask_name(update, context, t, f"{note}\n{text}" if note else text)
        elif _trail(data) is not None:
            await answer(update)
            await self._show_step(update, context, t, intro=note)
        else:
            await self._lost(update, context, t)

    # -- answers -------------------------------------------------------------------------

    async def typed(self, update: Update, context: BotContext) -> None:
        t = await tr(update, context)
        assert update.message is not None and update.message.text is not None
        text = update.message.text
        data = self.data(context)
        step = data.get("step")
        if step in (NAME, INVITE_NAME):
            name, problem = registration.check_full_name(text)
            if problem is not None:
                await self._ask_name(update, context, t, name_problem_text(t, problem))
            elif step == INVITE_NAME:
                await self._redeem(update, context, t, name)
            else:
                data.update(name=name, step=PICK, trail=[], query="", page=0)
                intro = t.gettext("Thank you, {name}.").format(name=name)
                await self._show_step(update, context, t, intro=intro)
            return
        if _trail(data) is not None:
            data.update(query=text.strip()[:50], page=0)
            await self._show_step(update, context, t)
            return
        await self.show(update, context)

    async def pressed(self, update: Update, context: BotContext, parts: list[str]) -> None:
        t = await tr(update, context)
        if parts == ["cancel"]:
            await answer(update)
            await self.cancelled(update, context)
            return
        data = self.data(context)
        trail = _trail(data)
        if trail is None:
            await answer(update, t.gettext(NOT_VALID), alert=True)
            return
        if parts[:1] == ["p"] and len(parts) >= 2 and (page := parse_number(parts[1])) is not None:
            data["page"] = page
            if parts[2:] == ["all"]:
                data["query"] = ""
            await answer(update)
            await self._show_step(update, context, t, edit=True)
            return
        if parts == ["b"]:
            data.update(trail=trail[:-1], query="", page=0)
            await answer(update)
            await self._show_step(update, context, t, edit=True)
            return
        unit_id = parse_number(parts[1]) if parts[:1] == ["u"] and len(parts) == 2 else None
        parent = await self._parent(context, data)
        unit = await unit_store.get(context.db, unit_id) if unit_id is not None else None
        if unit is None or parent is None or unit.parent_id != parent.id or not unit.active:
            await answer(update, t.gettext("That choice is not available any more."), alert=True)
            await self._show_step(update, context, t)
            return
        await answer(update)
        if unit.level is Level.BRANCH:
            await self._submit(update, context, t, unit)
            return
        if (
            unit.level is Level.COMMUNE
            and await unit_store.count_children(context.db, unit.id) == 0
        ):
            await self._no_branches(update, context, t, unit)
            return
        data.update(trail=[*trail, unit.id], query="", page=0)
        await self._show_step(update, context, t, edit=True)

    async def _no_branches(
        self, update: Update, context: BotContext, t: Translator, commune: Unit
    ) -> None:
        """Not a dead end: back to the communes (the question stays the commune's), or out."""
        self.new_step(context)
        markup = InlineKeyboardMarkup(
            [
                [self.button(context, t.gettext("⬅ Back"), "p", 0, "all")],
                self._cancel_row(context, t),
            ]
        )
        await edit_or_reply(
            update,
            t.gettext(
                "{unit} has no branches in the bot yet. Please ask your commune's association "
                "to add its branches or to send you an invite link, or choose another commune."
            ).format(unit=unit_title(t, commune)),
            markup,
        )

    async def _submit(
        self, update: Update, context: BotContext, t: Translator, branch: Unit
    ) -> None:
        """Send the request (or the replacing one). The draft goes only once it is filed: if
        filing fails, one more tap on the branch finishes."""
        user = update.effective_user
        assert user is not None
        data = self.data(context)
        db = context.db
        address = await unit_address(t, db, branch)
        if data.get("mode") == MOVE:
            replaced = await registration.replace_request(
                db, user.id, int(data["request"]), branch, context.now()
            )
            await finish(context, self)
            if isinstance(replaced, RequestProblem):
                await edit_or_reply(update, request_problem_text(t, replaced))
                return
            submitted: Submitted = replaced
            if not submitted.created:
                await edit_or_reply(
                    update,
                    t.gettext(
                        "Your request to join {unit} is still waiting; nothing was changed."
                    ).format(unit=address),
                )
                return
        else:
            submitted = await registration.submit_request(
                db, user.id, str(data["name"]), branch, context.now(), language=t.lang
            )
            await finish(context, self)
        await edit_or_reply(
            update,
            t.gettext(
                "Your request to join {unit} has been sent to the chairs. "
                "You will get a message here as soon as it is approved."
            ).format(unit=address),
        )

    async def _redeem(self, update: Update, context: BotContext, t: Translator, name: str) -> None:
        user = update.effective_user
        assert user is not None
        code = str(self.data(context).get("invite", ""))
        result = await registration.redeem_invite(
            context.db, code, user.id, name, context.now(), language=t.lang
        )
        await finish(context, self)
        if isinstance(result, InviteProblem):
            await reply(update, invite_problem_text(t, result))
            return
        await show_main_menu(
            update,
            context,
            t.gettext("Welcome, {name}! You are now {role} of {unit}. Choose a task below.").format(
                name=name,
                role=role_label(t, result.role, result.unit),
                unit=await unit_address(t, context.db, result.unit),
            ),
        )

    async def cancelled(self, update: Update, context: BotContext) -> None:
        """/cancel or ✖ Cancel: nothing is sent; choosing another branch leaves the request
        that waits as it was, and says so."""
        t = await tr(update, context)
        moving = self.data(context).get("mode") == MOVE
        await finish(context, self)
        pressed = update.callback_query is not None
        if moving and await show_waiting(
            update, context, t, note=t.gettext("Nothing was changed."), edit=pressed
        ):
            return
        text = t.gettext("Registration cancelled. Send /start whenever you want to begin again.")
        if pressed:
            await edit_or_reply(update, text)
        else:
            await reply(update, text, ReplyKeyboardRemove())


def _trail(data: dict[str, Any]) -> list[int] | None:
    """The units chosen so far while choosing a branch; None when not choosing one. A draft
    of the version that assumed districts is read into a trail once."""
    step = data.get("step")
    if step in _PICKING_BEFORE:
        keys = ("district", "commune")[: _PICKING_BEFORE[str(step)]]
        chosen = [data.get(key) for key in keys]
        data.update(step=PICK, trail=[unit for unit in chosen if isinstance(unit, int)])
    elif step != PICK:
        return None
    trail = data.get("trail")
    return [unit for unit in trail if isinstance(unit, int)] if isinstance(trail, list) else []


FLOW = Registration()
DIALOGS = (FLOW,)


# ---------------------------------------------------------------- the chairs' decision


def decision_buttons(t: Translator, request_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.gettext("✅ Approve"), callback_data=f"{DECISION_PREFIX}:ok:{request_id}"
                ),
                InlineKeyboardButton(
                    t.gettext("❌ Reject"), callback_data=f"{DECISION_PREFIX}:no:{request_id}"
                ),
            ]
        ]
    )


async def request_card(context: BotContext, t: Translator, request: RegistrationRequest) -> str:
    """A waiting request as a chair reads it in /pending."""
    branch = await unit_store.get(context.db, request.unit_id)
    return t.gettext("📝 Registration request #{number}, sent {time}:\n{name}\n{unit}").format(
        number=request.id,
        time=t.datetime(request.requested_at, context.runtime.settings.tz),
        name=request.full_name,
        unit=await unit_address(t, context.db, branch) if branch is not None else "?",
    )


async def ask_chairs(context: BotContext, request_id: int) -> None:
    """A new request (`NoticeKind.REGISTRATION_REQUESTED`), to each chair who may approve it,
    with the buttons; one withdrawn before this ran is not shown to anyone."""
    request = await people.get_request(context.db, request_id)
    if request is None or request.status is not RequestStatus.PENDING:
        return
    branch = await unit_store.get(context.db, request.unit_id)
    assert branch is not None
    for chair_id in await registration.approvers_for(context.db, branch):
        await ask_chair(context, chair_id, request, branch)


async def ask_chair(
    context: BotContext, chair_id: int, request: RegistrationRequest, branch: Unit
) -> None:
    t = await tr_for(context, chair_id)
    text = t.gettext("New registration request #{number}:\n{name}\n{unit}").format(
        number=request.id,
        name=request.full_name,
        unit=await unit_address(t, context.db, branch),
    )
    await notify(context, chair_id, text, decision_buttons(t, request.id))


async def decide(update: Update, context: BotContext) -> None:
    """A chair pressed Approve or Reject under a registration request."""
    t = await tr(update, context)
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    parts = parse_callback(query.data, DECISION_PREFIX)
    request_id = parse_number(parts[1]) if len(parts) == 2 and parts[0] in ("ok", "no") else None
    if request_id is None:
        await answer(update, t.gettext(NOT_VALID), alert=True)
        return
    approve = parts[0] == "ok"
    result = await registration.decide(
        context.db, request_id, user.id, approve=approve, now=context.now()
    )
    if isinstance(result, DecisionError):
        texts = {
            DecisionError.NOT_FOUND: t.gettext("This request does not exist."),
            DecisionError.ALREADY_DECIDED: t.gettext("This request has already been decided."),
            DecisionError.WITHDRAWN: t.gettext(
                "This request has already been withdrawn by the person who sent it."
            ),
            DecisionError.OUT_OF_SCOPE: t.gettext(
                "You cannot decide on this request: "
                "it is outside the units you are responsible for."
            ),
        }
        await answer(update, texts[result], alert=True)
        return
    await answer(update)
    request = result.request
    verdict = t.gettext("✅ Approved") if approve else t.gettext("❌ Rejected")
    await edit_or_reply(
        update,
        t.gettext("Registration request #{number}: {name}\n{unit}\n{verdict}").format(
            number=request.id,
            name=request.full_name,
            unit=await unit_address(t, context.db, result.branch),
            verdict=verdict,
        ),
    )


async def tell_applicant(context: BotContext, request_id: int) -> None:
    """The decision on a request (`NoticeKind.REGISTRATION_DECIDED`), in the applicant's own
    language; once approved, with the menu of what they may now do."""
    request = await people.get_request(context.db, request_id)
    if request is None:
        return
    applicant_t = await tr_for(context, request.telegram_id)
    if request.status is RequestStatus.APPROVED:
        branch = await unit_store.get(context.db, request.unit_id)
        assert branch is not None
        grants = await people.grants_of(context.db, request.telegram_id)
        await notify(
            context,
            request.telegram_id,
            applicant_t.gettext(
                "🎉 Your registration has been approved! You are a volunteer of {unit}. "
                "Choose a task below."
            ).format(unit=await unit_address(applicant_t, context.db, branch)),
            main_menu(applicant_t, grants),
        )
    elif request.status is RequestStatus.REJECTED:
        await notify(
            context,
            request.telegram_id,
            applicant_t.gettext(
                "Your registration request was not approved. If you think this is a mistake, "
                "contact your commune's association, or send /start to register again."
            ),
        )


def build() -> list[BaseHandler[Update, BotContext, Any]]:
    return [
        CallbackQueryHandler(decide, pattern=rf"^{DECISION_PREFIX}:"),
        CallbackQueryHandler(withdraw_pressed, pattern=rf"^{REQUEST_PREFIX}:"),
    ]
