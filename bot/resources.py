"""Where the files the bot reads at run time are: message catalogs, data files, migrations.

A checkout keeps them where people edit them, the single source: `locales/` (the `.po`
files; `make catalogs` compiles the `.mo`) and `data/` at the top, the migrations in
`bot/storage/migrations/`. An installed wheel has no top-level folders: its build (`setup.py`)
copies `data/*` into `bot/_shipped/data/` and compiles each `locales/<lang>/LC_MESSAGES/
messages.po` into `bot/_shipped/locales/`. Both are found through `importlib.resources`, so
the same code reads the one that is there, whatever the working folder.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

SHIPPED = "_shipped"
"""The folder of the `bot` package that an installed wheel carries the files in."""
CHECKOUT = Path(__file__).resolve().parents[1]
"""The top of the checkout, when the package is imported from one (an editable install)."""


def _folder(name: str) -> Path:
    """`bot/_shipped/NAME` when installed, else the checkout's top-level `NAME/`.

    A Path, not only a Traversable: settings name files by path (`KHUYENHOC_UNITS_CSV`), and
    a wheel is always unpacked onto the disk.
    """
    shipped = files("bot") / SHIPPED / name
    if not shipped.is_dir():
        return CHECKOUT / name
    if not isinstance(shipped, Path):  # imported from a zip: the files are not on the disk
        raise RuntimeError(f"bot is imported from an archive; install it to run: {shipped}")
    return shipped


def data_dir() -> Path:
    """The units maps, their mappings and the demo's names and figures (`data/`)."""
    return _folder("data")


def locales_dir() -> Path:
    """`<lang>/LC_MESSAGES/messages.mo` (and, in a checkout, the `.po` it is compiled from)."""
    return _folder("locales")


def migrations_dir() -> Traversable:
    """The numbered SQL migrations, package data of `bot.storage` in a checkout or a wheel."""
    return files("bot.storage") / "migrations"
