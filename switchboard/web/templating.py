"""Server-side pages: jinja2 with autoescaping, ``_("msgid")`` in the reader's language,
``static_url("seat.js")`` for hashed asset URLs."""

# test-case-name: tests.web.test_pages

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from switchboard.web.i18n import Catalogues
from switchboard.web.static import StaticFiles

__all__ = ["TEMPLATE_DIR", "Pages"]

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"


class Pages:
    def __init__(
        self, catalogues: Catalogues, static: StaticFiles, folder: Path = TEMPLATE_DIR
    ) -> None:
        self._catalogues = catalogues
        self._env = Environment(
            loader=FileSystemLoader(folder),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,  # a misspelt name fails the page, not blanks it
        )
        self._env.globals["static_url"] = static.url
        self._folder = folder

    def exists(self, name: str) -> bool:
        return (self._folder / name).is_file()

    def render(self, name: str, language: str, **context: Any) -> bytes:
        catalogues = self._catalogues

        def translate(msgid: str) -> str:
            return catalogues.gettext(language, msgid)

        page = self._env.get_template(name).render(
            _=translate,
            lang=language,
            catalogue=catalogues.catalogue(language),
            **context,
        )
        return page.encode("utf-8")
