"""`khuyenhoc admin add`: give a Telegram user a role on a unit, such as the first province
administrator, who then invites everyone else from the bot."""

from __future__ import annotations

import argparse

from bot.cli.common import Command, Subcommands, add_command, database, fail, translator_for
from bot.config import Settings
from bot.services import invites
from bot.storage import units as unit_store
from bot.storage.models import ROLE_LEVEL, Role


async def _admin_add(args: argparse.Namespace, settings: Settings) -> int:
    t = translator_for(settings)
    role = Role(args.role)
    async with database(settings) as db:
        unit = await unit_store.by_code(db, args.unit) if args.unit else await unit_store.root(db)
        if unit is None:
            return fail(t.gettext("No unit has the code {code}.").format(code=args.unit))
        if unit.level is not ROLE_LEVEL[role]:
            return fail(
                t.gettext(
                    "The role {role} is held on a unit of level {level}; {code} is not."
                ).format(role=role.value, level=ROLE_LEVEL[role].value, code=unit.code)
            )
        grant = await invites.grant_role(db, args.telegram_id, role, unit, full_name=args.name)
        print(
            t.gettext("User {user} is now {role} of {unit} ({code}).").format(
                user=args.telegram_id, role=grant.role.value, unit=unit.name, code=unit.code
            )
        )
    return 0


def add_parsers(admin_commands: Subcommands) -> None:
    add = add_command(
        admin_commands, "add", Command(_admin_add), help="give a Telegram user a role on a unit"
    )
    add.add_argument("telegram_id", type=int)
    add.add_argument("--role", required=True, choices=[role.value for role in Role])
    add.add_argument("--unit", help="unit code (GSO code; branch code); default: the province")
    add.add_argument("--name", help="the person's full name")
