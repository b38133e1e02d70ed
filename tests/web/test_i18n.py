"""The catalogues: every msgid translated in both languages (the build's guard), every
string a template or script asks for present, and several .po files per language merged."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from switchboard.web.i18n import LOCALE_DIR, CatalogueError, Catalogues, pick_language
from switchboard.web.static import STATIC_DIR
from switchboard.web.templating import TEMPLATE_DIR

PO_HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'


def _po(folder: Path, lang: str, name: str, entries: dict[str, str]) -> None:
    target = folder / lang / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    body = "".join(f'msgid "{k}"\nmsgstr "{v}"\n\n' for k, v in entries.items())
    (target / name).write_text(PO_HEADER + body, encoding="utf-8")


def test_every_msgid_is_translated_in_both_languages() -> None:
    catalogues = Catalogues.load()
    assert set(catalogues.by_language) == {"zh-CN", "en"}
    assert catalogues.missing() == {}, (
        "translate these msgids in switchboard/web/locale/<lang>/LC_MESSAGES/*.po"
    )


def test_every_string_the_pages_and_scripts_ask_for_is_in_the_catalogues() -> None:
    known = set(Catalogues.load().by_language["en"])
    asked: dict[str, set[str]] = {}
    patterns = {".html": r"""_\(\s*(["'])(.+?)\1\s*\)""", ".js": r"""\bt\(\s*(["'])(.+?)\1\s*\)"""}
    for folder in (TEMPLATE_DIR, STATIC_DIR):
        for path in folder.rglob("*"):
            if path.suffix in patterns and "vendor" not in path.parts:  # npm's, not ours
                for match in re.finditer(patterns[path.suffix], path.read_text(encoding="utf-8")):
                    asked.setdefault(match.group(2), set()).add(path.name)
    assert "Log in" in asked  # the scan itself works
    missing = {msgid: files for msgid, files in asked.items() if msgid not in known}
    assert missing == {}, "add these msgids to the .po files of both languages"


def test_the_missing_check_names_each_untranslated_msgid(tmp_path: Path) -> None:
    _po(tmp_path, "zh_CN", "messages.po", {"Ready": "就绪", "Pause": ""})
    _po(tmp_path, "en", "messages.po", {"Ready": "Ready"})
    assert Catalogues.load(tmp_path).missing() == {"zh-CN": ["Pause"], "en": ["Pause"]}


def test_every_po_file_of_a_language_is_merged(tmp_path: Path) -> None:
    _po(tmp_path, "zh_CN", "messages.po", {"Log in": "登录"})
    _po(tmp_path, "zh_CN", "seat.po", {"Ready": "就绪"})
    _po(tmp_path, "en", "messages.po", {"Log in": "Log in"})
    _po(tmp_path, "en", "seat.po", {"Ready": "Ready"})
    catalogues = Catalogues.load(tmp_path)
    assert catalogues.catalogue("zh-CN") == {"Log in": "登录", "Ready": "就绪"}
    assert catalogues.missing() == {}
    assert catalogues.gettext("zh-CN", "Not there") == "Not there"


def test_two_files_translating_one_msgid_differently_are_refused(tmp_path: Path) -> None:
    _po(tmp_path, "zh_CN", "messages.po", {"Ready": "就绪"})
    _po(tmp_path, "zh_CN", "seat.po", {"Ready": "准备好"})
    with pytest.raises(CatalogueError, match="'Ready' is translated differently"):
        Catalogues.load(tmp_path)


def test_the_shipped_locale_folders_are_the_two_languages() -> None:
    assert sorted(p.name for p in LOCALE_DIR.iterdir() if p.is_dir()) == ["en", "zh_CN"]


@pytest.mark.parametrize(
    ("wanted", "accept", "language"),
    [
        ("en", "zh-CN", "en"),
        (None, "en-US,en;q=0.9", "en"),
        (None, "zh-TW", "zh-CN"),
        ("fr", "de", "zh-CN"),
        (None, None, "zh-CN"),
    ],
)
def test_the_language_of_a_page_before_login(
    wanted: str | None, accept: str | None, language: str
) -> None:
    assert pick_language(wanted, accept) == language


def test_the_page_embeds_the_users_catalogue_as_json_for_i18n_js(tmp_path: Path) -> None:
    from tests.web.stack import make_stack

    stack = make_stack(tmp_path)
    page = stack.browser().get("/login?lang=zh-CN")
    block = re.search(
        r'<script type="application/json" id="sb-catalogue">(.*?)</script>', page.text, re.S
    )
    assert block is not None
    import json

    catalogue = json.loads(block.group(1))
    assert catalogue["Log out"] == "退出"
    stack.database.close()
