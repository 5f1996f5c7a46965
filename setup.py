"""The one build step pyproject.toml cannot declare: the wheel carries the catalogs and data.

The checkout keeps `locales/` and `data/` at the top, the single source; the compiled `.mo`
files are not in git (`make catalogs` makes them for a checkout). Building a wheel copies
`data/*` into `bot/_shipped/data/` and compiles every `locales/<lang>/LC_MESSAGES/
messages.po` into `bot/_shipped/locales/`, where `bot/resources.py` looks first. An editable
install gets nothing copied: it reads the checkout's folders. Everything else is in
pyproject.toml.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = Path("bot", "_shipped")
DOMAIN = "messages"


class BuildPyWithResources(build_py):
    """`build_py`, then the shipped files into the build folder (never into the checkout)."""

    def run(self) -> None:
        super().run()
        if not self.editable_mode:
            target = Path(self.build_lib) / SHIPPED
            self._shipped = _copy_data(target / "data") + _compile_catalogs(target / "locales")

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        return [*super().get_outputs(include_bytecode), *getattr(self, "_shipped", [])]


def _copy_data(target: Path) -> list[str]:
    sources = sorted(path for path in (ROOT / "data").glob("*") if path.is_file())
    if not sources:
        raise SystemExit(f"no data files in {ROOT / 'data'}: the wheel would have no units map")
    target.mkdir(parents=True, exist_ok=True)
    for source in sources:
        (target / source.name).write_bytes(source.read_bytes())
    return [str(target / source.name) for source in sources]


def _compile_catalogs(target: Path) -> list[str]:
    """Each `.po` compiled as `pybabel compile` does (fuzzy entries left out)."""
    from babel.messages.mofile import write_mo  # a build requirement (pyproject.toml)
    from babel.messages.pofile import read_po

    catalogs = sorted((ROOT / "locales").glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    if not catalogs:
        raise SystemExit(f"no catalogs in {ROOT / 'locales'}: the wheel would speak English only")
    written = []
    for po_path in catalogs:
        lang = po_path.parent.parent.name
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=lang, domain=DOMAIN)
        mo_path = target / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with mo_path.open("wb") as handle:
            write_mo(handle, catalog)
        written.append(str(mo_path))
    return written


setup(cmdclass={"build_py": BuildPyWithResources})
