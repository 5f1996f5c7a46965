"""What every flow shares: the context, the user's language, keyboards, the unit picker, notices."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

from telegram import (
    Bot,
    Document,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest
from telegram.ext import CallbackContext, ExtBot, filters

from bot import updates
from bot.config import Settings
from bot.delivery import Deliverer
from bot.i18n import N_, Translator, in_every_language, translator
from bot.services import registration, scopes
from bot.services.registration import Standing
from bot.storage import people
from bot.storage import units as unit_store
from bot.storage.db import Database
from bot.storage.models import ROLE_RANK, Grant, Level, Role, Unit, UnitKind
from bot.text import fold

_log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """What handlers need besides Telegram: settings, the database, a clock tests can move,
    and the outbox deliverer once it runs."""

    settings: Settings
    db: Database
    clock: Callable[[], datetime]
    deliverer: Deliverer | None = None
    delivery_bot: Bot | None = None

    def wake_delivery(self) -> None:
        """Something was put in the outbox: send it now rather than at the next poll."""
        if self.deliverer is not None:
            self.deliverer.wake()


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.application.bot_data["runtime"]
        return runtime

    @property
    def db(self) -> Database:
        return self.runtime.db

    def now(self) -> datetime:
        return self.runtime.clock()

    @property
    def data(self) -> dict[Any, Any]:
        """This user's persisted drafts (keys are strings: they are stored as JSON)."""
        assert self.user_data is not None
        return self.user_data


# ---------------------------------------------------------------- language


async def tr(update: Update, context: BotContext) -> Translator:
    """The translator for the person behind this update, in the language they chose."""
    user = update.effective_user
    cached = context.user_data.get("lang") if context.user_data is not None else None
    if isinstance(cached, str):
        return translator(cached)
    lang = context.runtime.settings.default_language
    if user is not None:
        stored = await people.get_user(context.db, user.id)
        if stored is not None:
            lang = stored.language  # type: ignore[assignment]
        if context.user_data is not None:
            context.user_data["lang"] = lang
    return translator(lang)


async def tr_for(context: BotContext, telegram_id: int) -> Translator:
    stored = await people.get_user(context.db, telegram_id)
    return translator(stored.language if stored else context.runtime.settings.default_language)


# ---------------------------------------------------------------- names of things

KIND_LABELS = {
    UnitKind.PROVINCE: N_("Province"),
    UnitKind.CITY: N_("City"),
    UnitKind.TOWN: N_("Town"),
    UnitKind.URBAN_DISTRICT: N_("Urban district"),
    UnitKind.RURAL_DISTRICT: N_("District"),
    UnitKind.COMMUNE: N_("Commune"),
    UnitKind.WARD: N_("Ward"),
    UnitKind.TOWNSHIP: N_("Township"),
    UnitKind.VILLAGE: N_("Village"),
    UnitKind.RESIDENTIAL_GROUP: N_("Residential group"),
    UnitKind.SCHOOL: N_("School"),
    UnitKind.CLAN: N_("Clan"),
    UnitKind.AGENCY: N_("Agency"),
    UnitKind.AREA: N_("Area"),
}

ROLE_LABELS = {
    Role.VOLUNTEER: N_("Volunteer"),
    Role.BRANCH_HEAD: N_("Branch head"),
    Role.COMMUNE_CHAIR: N_("Commune chair"),
    Role.DISTRICT_CHAIR: N_("District chair"),
    Role.PROVINCE_ADMIN: N_("Province administrator"),
}
AREA_COORDINATOR = N_("Area coordinator")
"""`Role.DISTRICT_CHAIR` on an area (cụm): the middle level of a map without districts."""

# How a unit is named inside a sentence ("nay thuộc xã Đông Hưng"): its type, lower case.
_IN_SENTENCE = {
    UnitKind.PROVINCE: N_("province {name}"),
    UnitKind.CITY: N_("city {name}"),
    UnitKind.TOWN: N_("town {name}"),
    UnitKind.URBAN_DISTRICT: N_("urban district {name}"),
    UnitKind.RURAL_DISTRICT: N_("district {name}"),
    UnitKind.AREA: N_("area {name}"),
    UnitKind.COMMUNE: N_("commune {name}"),
    UnitKind.WARD: N_("ward {name}"),
    UnitKind.TOWNSHIP: N_("township {name}"),
}
_BRANCH_IN_SENTENCE = N_("branch {name}")


def _typed(template: str, name: str) -> str:
    """`template` ("xã {name}") filled with `name`, unless the name already starts with the
    type word (an area file may call its areas "Cụm Ba Vì"): then the type is not said twice."""
    word = template.replace("{name}", "").strip()
    if word and fold(name).startswith(fold(word) + " "):
        return word + name[len(word) :] if template.startswith(word) else name
    return template.format(name=name)


def unit_title(t: Translator, unit: Unit) -> str:
    """ "Huyện Đông Hưng", "Chi hội Thôn Đông (Thôn)": how a unit is named in a sentence."""
    if unit.level is Level.BRANCH:
        return t.gettext("Branch {name}").format(name=unit.name)
    kind = t.gettext(KIND_LABELS[unit.kind])
    return _typed(t.gettext("{kind} {name}").replace("{kind}", kind), unit.name)


def unit_in_sentence(t: Translator, unit: Unit) -> str:
    """ "xã Đông Hưng", "phường Trần Hưng Đạo", "chi hội Thôn Đông": a unit with its type
    inside a sentence."""
    return _typed(t.gettext(_IN_SENTENCE.get(unit.kind, _BRANCH_IN_SENTENCE)), unit.name)


def association_of(t: Translator, unit: Unit) -> str:
    """Who acts for a unit in a sentence ("do … công nhận", "đã được gửi tới …"): the
    association of a commune, district or province ("Hội Khuyến học huyện Đông Hưng"), the
    coordinator of an area."""
    if unit.kind is UnitKind.AREA:
        return t.gettext("the coordinator of {unit}").format(unit=unit_in_sentence(t, unit))
    return t.gettext("the association of {unit}").format(unit=unit_in_sentence(t, unit))


async def unit_address(t: Translator, db: Database, unit: Unit) -> str:
    """The unit and its parents below the province, nearest first; the province itself by
    its name ("Tỉnh Hưng Yên")."""
    chain = [unit, *reversed(await unit_store.ancestors(db, unit))]
    below = [unit_title(t, u) for u in chain if u.level is not Level.PROVINCE]
    return ", ".join(below) if below else unit_title(t, unit)


def role_label(t: Translator, role: Role, unit: Unit | None = None) -> str:
    """The role's name; held on `unit`, as it is called there: the middle level's chair is an
    area coordinator on an area (`middle_role_label` for the role before its unit is known)."""
    if role is Role.DISTRICT_CHAIR and unit is not None and unit.kind is UnitKind.AREA:
        return t.gettext(AREA_COORDINATOR)
    return t.gettext(ROLE_LABELS[role])


def middle_role_label(t: Translator, kinds: Sequence[UnitKind]) -> str:
    """`Role.DISTRICT_CHAIR` named for the middle-level units it may be held on (their kinds):
    an area coordinator when they are all areas, a district chair otherwise."""
    if kinds and all(kind is UnitKind.AREA for kind in kinds):
        return t.gettext(AREA_COORDINATOR)
    return t.gettext(ROLE_LABELS[Role.DISTRICT_CHAIR])


# ---------------------------------------------------------------- main menu


@dataclass(frozen=True)
class MenuItem:
    label: str
    command: str
    minimum: Role


MENU_MEMBER = MenuItem(N_("👤 New member"), "member", Role.VOLUNTEER)
MENU_TITLE = MenuItem(N_("🏅 Title nomination"), "title", Role.VOLUNTEER)
MENU_CONTRIBUTION = MenuItem(N_("💰 Contribution"), "contribution", Role.VOLUNTEER)
MENU_AWARD = MenuItem(N_("🎓 Award paid"), "award", Role.VOLUNTEER)
MENU_MY_REPORTS = MenuItem(N_("🗂 My reports"), "myreports", Role.VOLUNTEER)
MENU_PENDING = MenuItem(N_("⏳ Pending"), "pending", Role.COMMUNE_CHAIR)
MENU_STATS = MenuItem(N_("📊 Statistics"), "stats", Role.VOLUNTEER)
MENU_BROADCAST = MenuItem(N_("📣 Send a message"), "broadcast", Role.COMMUNE_CHAIR)
MENU_INVITE = MenuItem(N_("📨 Invite people"), "invite", Role.COMMUNE_CHAIR)
MENU_BRANCHES = MenuItem(N_("🏘 Branches"), "branches", Role.COMMUNE_CHAIR)
MENU_HELP = MenuItem(N_("❓ Help"), "help", Role.VOLUNTEER)
MENU_LANGUAGE = MenuItem(N_("🌐 Language"), "language", Role.VOLUNTEER)

MENU: tuple[MenuItem, ...] = (
    MENU_MEMBER,
    MENU_TITLE,
    MENU_CONTRIBUTION,
    MENU_AWARD,
    MENU_MY_REPORTS,
    MENU_STATS,
    MENU_PENDING,
    MENU_BROADCAST,
    MENU_INVITE,
    MENU_BRANCHES,
    MENU_HELP,
    MENU_LANGUAGE,
)

# English command, then a Vietnamese alias typed without diacritics.
CANCEL_COMMANDS = ("cancel", "huy")
HELP_COMMANDS = ("help", "trogiup")
LANGUAGE_COMMANDS = ("language", "ngonngu")


def menu_items(grants: Sequence[Grant]) -> list[MenuItem]:
    top = scopes.highest(grants)
    if top is None:
        return []
    return [item for item in MENU if top.rank >= ROLE_RANK[item.minimum]]


def main_menu(t: Translator, grants: Sequence[Grant]) -> ReplyKeyboardMarkup | ReplyKeyboardRemove:
    """The buttons of these roles. With no role there is no menu and the keyboard is removed:
    Telegram refuses an empty one ("Can't parse reply keyboard markup"), and buttons left from
    a former role would only be refused."""
    labels = [t.gettext(item.label) for item in menu_items(grants)]
    if not labels:
        return ReplyKeyboardRemove()
    rows = [
        [KeyboardButton(label) for label in labels[i : i + 2]] for i in range(0, len(labels), 2)
    ]
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, is_persistent=True)


REGISTRATION_DIALOG = "registration"
"""The name of the registration dialog (handlers/start.py): while it is on screen, its person
is registering."""


async def standing_of(update: Update, context: BotContext) -> Standing:
    """Where the sender stands. Someone is answering the registration questions exactly while
    the registration dialog is on screen; nothing else marks it."""
    from handlers.dialogs import on_screen  # handlers.dialogs builds on this module

    user = update.effective_user
    assert user is not None
    registering = on_screen(context) == REGISTRATION_DIALOG
    return await registration.standing(context.db, user.id, registering=registering)


def next_step_text(t: Translator, standing: Standing) -> str:
    """What to do now, for someone who has no menu yet: never a dead end."""
    if standing is Standing.REGISTERING:
        return t.gettext(
            "You are in the middle of registering. Please answer the question above, "
            "or send /cancel to stop."
        )
    if standing is Standing.PENDING:
        return t.gettext(
            "Your registration is waiting for a chair's approval. "
            "You will get a message here as soon as it is decided."
        )
    if standing is Standing.UNKNOWN:
        return t.gettext("You are not registered yet. Send /start to register.")
    return t.gettext("Choose a task below.")


def menu_filter(item: MenuItem) -> filters.BaseFilter:
    """Matches the menu button's label in any language the bot speaks."""
    return filters.Text(sorted(in_every_language(item.label)))


def any_menu_label() -> filters.BaseFilter:
    labels = sorted(label for item in MENU for label in in_every_language(item.label))
    return filters.Text(labels)


# What a flow treats as a typed answer: text that is neither a command nor a menu button.
FREE_TEXT = filters.TEXT & ~filters.COMMAND & ~any_menu_label()


def command_or_menu(update: Update) -> str | None:
    """The command or menu label a message carries, for the access gate."""
    message = update.effective_message
    if message is None or not message.text:
        return None
    text = message.text.strip()
    if text.startswith("/"):
        return text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() if len(text) > 1 else ""
    for item in MENU:
        if text in in_every_language(item.label):
            return item.command
    return None


async def show_main_menu(update: Update, context: BotContext, text: str) -> None:
    """Answer with `text` and (re)attach the main menu of this user's roles. Someone with no
    role has no menu, so "choose a task below" would leave them stuck: they are told what to
    do next instead (register, finish registering, or wait for the chair)."""
    t = await tr(update, context)
    assert update.effective_user is not None
    grants = await people.grants_of(context.db, update.effective_user.id)
    chat = update.effective_chat
    assert chat is not None
    if not menu_items(grants):
        text = next_step_text(t, await standing_of(update, context))
    await updates.send_text(context.bot, chat.id, text, main_menu(t, grants))


# ---------------------------------------------------------------- unit picker

PAGE_SIZE = 10
BUTTON_CHARS = 40
"""The longest label a button alone on its row shows whole on a phone (Telegram cuts the
rest off); the title question's names, one to a row, are as long."""
HALF_ROW_CHARS = 18
"""The longest labels two buttons side by side show whole."""
FORMERLY_IN = N_("{unit} (formerly in {district})")


def unit_button_label(t: Translator, unit: Unit) -> str:
    """A unit in a list of buttons: a commune-level unit with its type ("xã Đông Hưng",
    "phường Trần Hưng Đạo") and, on a map without districts, the district it was formed from
    ("xã Đông Hưng (trước thuộc Đông Hưng)") when that fits a phone's row whole (the type
    matters more: a few long names go without the district). Others by their name."""
    if unit.level is not Level.COMMUNE:
        return unit.name
    typed = unit_in_sentence(t, unit)
    if unit.former_district:
        label = t.gettext(FORMERLY_IN).format(unit=typed, district=unit.former_district)
        if len(label) <= BUTTON_CHARS:
            return label
    return typed


def button_rows(buttons: Sequence[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    """Two buttons to a row where both labels are short enough to be shown whole, else one."""
    rows: list[list[InlineKeyboardButton]] = []
    for button in buttons:
        last = rows[-1] if rows else None
        fits = len(button.text) <= HALF_ROW_CHARS
        if last is not None and len(last) == 1 and fits and len(last[0].text) <= HALF_ROW_CHARS:
            last.append(button)
        else:
            rows.append([button])
    return rows


async def unit_picker(
    t: Translator,
    db: Database,
    parent: Unit,
    *,
    prefix: str,
    page: int = 0,
    query: str = "",
    back: bool = False,
) -> tuple[InlineKeyboardMarkup, int]:
    """Buttons for the children of `parent`, paged and filtered; returns (markup, count)."""
    total = await unit_store.count_children(db, parent.id, query=query)
    last_page = max(0, (total - 1) // PAGE_SIZE)
    page = min(max(page, 0), last_page)
    units = await unit_store.children(
        db, parent.id, query=query, limit=PAGE_SIZE, offset=page * PAGE_SIZE
    )
    buttons = [
        InlineKeyboardButton(unit_button_label(t, u), callback_data=f"{prefix}:u:{u.id}")
        for u in units
    ]
    rows = button_rows(buttons)
    nav = []
    if page > 0:
        nav.append(
            InlineKeyboardButton(t.gettext("◀ Previous"), callback_data=f"{prefix}:p:{page - 1}")
        )
    if page < last_page:
        nav.append(
            InlineKeyboardButton(t.gettext("Next ▶"), callback_data=f"{prefix}:p:{page + 1}")
        )
    if nav:
        rows.append(nav)
    if query:
        rows.append(
            [InlineKeyboardButton(t.gettext("✖ Clear filter"), callback_data=f"{prefix}:p:0:all")]
        )
    if back:
        rows.append([InlineKeyboardButton(t.gettext("⬅ Back"), callback_data=f"{prefix}:b")])
    return InlineKeyboardMarkup(rows), total


def parse_callback(data: str | None, prefix: str) -> list[str]:
    """`reg:u:12` → ["u", "12"]; anything not ours or malformed → []."""
    if not data or not data.startswith(prefix + ":"):
        return []
    return data[len(prefix) + 1 :].split(":")


# ---------------------------------------------------------------- files people send


class SentFile(TypedDict):
    """A file a person sent, as a dialog keeps it (JSON, in `user_data`): Telegram's id to
    download it again when it is used (the draft stays small, and what is used is what was
    sent), its name, and its size as Telegram gave it (0: not given)."""

    id: str
    name: str
    size: int


def sent_file(document: Document, default_name: str = "file") -> SentFile:
    return {
        "id": document.file_id,
        "name": document.file_name or default_name,
        "size": document.file_size or 0,
    }


def kept_file(value: object) -> SentFile | None:
    """A `SentFile` read back from a draft (None if there is none, or it is not one)."""
    if not isinstance(value, dict) or not isinstance(value.get("id"), str):
        return None
    size = value.get("size")
    return {
        "id": value["id"],
        "name": str(value.get("name") or "file"),
        "size": size if isinstance(size, int) else 0,
    }


async def download(context: BotContext, file: SentFile) -> bytes:
    telegram_file = await context.bot.get_file(file["id"])
    return bytes(await telegram_file.download_as_bytearray())


# ---------------------------------------------------------------- notices to other people


async def notify(context: BotContext, chat_id: int, text: str, reply_markup: Any = None) -> None:
    """A message to someone other than the sender, from a notice renderer (`handlers.notices`):
    committed with the event it settles and sent like every answer (see `bot.updates`); a
    blocked bot marks them unreachable, one failing recipient does not stop the next, and
    nothing raises here."""
    await updates.send_text(context.bot, chat_id, text, reply_markup)


async def answer(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Acknowledge a button press (stops the spinner), optionally with a short notice."""
    query = update.callback_query
    if query is not None:
        try:
            await query.answer(text, show_alert=alert)
        except BadRequest:
            _log.debug("Callback query too old to answer")


async def reply(update: Update, text: str, reply_markup: Any = None) -> None:
    """Answer in the chat the update came from, whether it was a message or a button press;
    sent once this update's state is committed (`bot.updates`)."""
    chat = update.effective_chat
    assert chat is not None
    await updates.send_text(_bot(update), chat.id, text, reply_markup)


async def edit_or_reply(update: Update, text: str, reply_markup: Any = None) -> None:
    """After a button press, replace the message the button was on (or send a new one if it
    cannot be edited any more); otherwise send a new one."""
    query = update.callback_query
    if query is not None and query.message is not None:
        await updates.edit_text(
            _bot(update), query.message.chat.id, query.message.message_id, text, reply_markup
        )
        return
    await reply(update, text, reply_markup)


def _bot(update: Update) -> ExtBot[Any]:
    bot = update.get_bot()
    assert isinstance(bot, ExtBot)
    return bot
