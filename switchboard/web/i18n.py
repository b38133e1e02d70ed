"""The message catalogues: every ``*.po`` file under ``locale/<lang>/LC_MESSAGES/``, read
once at start with Babel and merged into one catalogue per language.

Pages call ``_("msgid")`` (jinja2) and ``t("msgid")`` (``static/i18n.js``, fed the whole
catalogue of the user's language). A msgid missing in a language falls back to itself on
screen; the catalogue test fails the build first.
"""

# test-case-name: tests.web.test_i18n

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from babel.messages.pofile import read_po

from switchboard.accounts.model import LANGUAGES

__all__ = ["LOCALE_DIR", "CatalogueError", "Catalogues", "pick_language"]

LOCALE_DIR = Path(__file__).resolve().parent / "locale"


class CatalogueError(ValueError):
    pass


def _language_of(folder: str) -> str:
    return folder.replace("_", "-")  # zh_CN (gettext's folder) is zh-CN (the page's lang)


class Catalogues:
    """``{language: {msgid: translation}}``; untranslated and fuzzy entries left out."""

    def __init__(self, by_language: dict[str, dict[str, str]]) -> None:
        self.by_language = by_language

    @classmethod
    def load(cls, locale_dir: Path = LOCALE_DIR) -> Catalogues:
        by_language: dict[str, dict[str, str]] = {}
        for folder in sorted(p for p in locale_dir.iterdir() if p.is_dir()):
            merged: dict[str, str] = {}
            seen: dict[str, Path] = {}
            for po in sorted((folder / "LC_MESSAGES").glob("*.po")):
                with po.open("rb") as f:
                    catalog = read_po(f)
                for message in catalog:
                    if not message.id or not isinstance(message.id, str):
                        continue  # the header; plural forms are not used here
                    text = message.string if isinstance(message.string, str) else ""
                    if message.id in merged and merged[message.id] != text:
                        raise CatalogueError(
                            f"{po}: msgid {message.id!r} is translated differently in "
                            f"{seen[message.id]}: keep one"
                        )
                    seen[message.id] = po
                    merged[message.id] = "" if message.fuzzy else text
            by_language[_language_of(folder.name)] = merged
        return cls(by_language)

    def with_site_labels(self, labels: Mapping[str, Mapping[str, Mapping[str, str]]]) -> Catalogues:
        """These catalogues with a site's own words on top: ``{msgid prefix: {code:
        {language: text}}}``, e.g. ``{"disposition.": {"sold": {"zh-CN": "已成交"}}}``. A
        site's label wins over a shipped translation; the settings checked the languages."""
        by_language = {lang: dict(catalogue) for lang, catalogue in self.by_language.items()}
        for prefix, codes in labels.items():
            for code, texts in codes.items():
                for language, text in texts.items():
                    by_language.setdefault(language, {})[prefix + code] = text
        return Catalogues(by_language)

    def missing(self) -> dict[str, list[str]]:
        """Per language, the msgids of any catalogue without a translation in it."""
        every = set().union(*(set(c) for c in self.by_language.values()))
        return {
            lang: sorted(m for m in every if not catalogue.get(m))
            for lang, catalogue in self.by_language.items()
            if any(not catalogue.get(m) for m in every)
        }

    def catalogue(self, language: str) -> dict[str, str]:
        return {k: v for k, v in self.by_language.get(language, {}).items() if v}

    def gettext(self, language: str, msgid: str) -> str:
        return self.by_language.get(language, {}).get(msgid) or msgid


def pick_language(wanted: str | None, accept_language: str | None) -> str:
    """``wanted`` if it is a shipped language, else the first of ``Accept-Language`` we
    have (``zh``/``zh-*`` count as zh-CN), else zh-CN."""
    if wanted in LANGUAGES:
        return wanted
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en"
    return LANGUAGES[0]
