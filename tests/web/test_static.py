"""Static assets: served under names carrying their content hash, cached for a year."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from switchboard.web.static import CACHE_FOREVER, StaticFiles
from tests.web.stack import Stack


def test_pages_link_assets_by_hashed_name_and_those_are_cached_for_good(stack: Stack) -> None:
    page = stack.browser().get("/login")
    urls = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
    assert {u.split("/")[-1].split(".")[0] for u in urls} >= {"i18n", "base"}
    for url in urls:
        assert re.fullmatch(r"/static/[\w/-]+\.[0-9a-f]{12}\.(js|css)", url), url
        asset = stack.browser().get(url)
        assert asset.status == 200 and asset.body
        assert asset.header("cache-control") == CACHE_FOREVER
        kind = "text/javascript" if url.endswith(".js") else "text/css"
        assert (asset.header("content-type") or "").startswith(kind)


def test_an_unhashed_or_stale_name_is_not_served(stack: Stack) -> None:
    assert stack.browser().get("/static/i18n.js").status == 404
    assert stack.browser().get("/static/i18n.000000000000.js").status == 404
    assert stack.browser().get("/static/../routes.py").status == 404


def test_a_changed_file_gets_a_new_name(tmp_path: Path) -> None:
    (tmp_path / "seat.js").write_text("one")
    first = StaticFiles(tmp_path).url("seat.js")
    (tmp_path / "seat.js").write_text("two")
    second = StaticFiles(tmp_path).url("seat.js")
    assert first != second and first.startswith("/static/seat.") and first.endswith(".js")


def test_a_template_naming_a_missing_asset_fails_with_the_list(tmp_path: Path) -> None:
    (tmp_path / "seat.js").write_text("x")
    with pytest.raises(KeyError, match=r"no static file 'seet.js'.*have: seat.js"):
        StaticFiles(tmp_path).url("seet.js")
