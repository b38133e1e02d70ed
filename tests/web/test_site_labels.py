"""A site's own words for its codes reach every page: the settings' labels go through
``switchboard.app.build_web_tier`` into the catalogue each page embeds (and its
templates read), over the shipped translation, leaving other languages alone."""

from __future__ import annotations

import json
import re
from pathlib import Path

from twisted.internet.task import Clock

from switchboard.app import build_web_tier
from switchboard.config import QueuesSettings, SeatSettings, Settings
from switchboard.web.i18n import Catalogues
from tests.web.browser import Browser
from tests.web.stack import make_stack


def test_site_labels_go_over_the_shipped_words_and_add_the_sites_own() -> None:
    shipped = Catalogues.load()
    labelled = shipped.with_site_labels(
        {"disposition.": {"resolved": {"zh-CN": "一次解决"}, "sold": {"en": "Sold"}}}
    )
    assert labelled.gettext("zh-CN", "disposition.resolved") == "一次解决"
    assert labelled.gettext("en", "disposition.resolved") == "Resolved"  # not given: shipped
    assert labelled.gettext("en", "disposition.sold") == "Sold"
    assert labelled.gettext("zh-CN", "disposition.sold") == "disposition.sold"  # the code shows
    assert shipped.gettext("zh-CN", "disposition.resolved") == "已解决"  # a copy, not changed


def _catalogue(browser: Browser, language: str) -> dict[str, str]:
    page = browser.get(f"/login?lang={language}")
    block = re.search(r'id="sb-catalogue">(.*?)</script>', page.text, re.S)
    assert block is not None, page.text
    return json.loads(block.group(1))  # type: ignore[no-any-return]


def test_the_settings_labels_are_in_the_catalogue_every_page_embeds(tmp_path: Path) -> None:
    database = make_stack(tmp_path / "stack").database  # a migrated SQLite
    settings = Settings(
        seat=SeatSettings(
            dispositions=("resolved", "sold"),
            disposition_labels={"sold": {"zh-CN": "已成交", "en": "Sold"}},
        ),
        queues=QueuesSettings(
            pause_reasons=("lunch", "coaching"),
            pause_reason_labels={"coaching": {"zh-CN": "辅导"}},
        ),
    )
    web = build_web_tier(settings, Clock(), database)
    assert web is not None
    browser = Browser(web.site)
    zh, en = _catalogue(browser, "zh-CN"), _catalogue(browser, "en")
    assert (zh["disposition.sold"], en["disposition.sold"]) == ("已成交", "Sold")
    assert zh["pause_reason.coaching"] == "辅导" and "pause_reason.coaching" not in en
    assert zh["disposition.resolved"] == "已解决"  # shipped words stay where none given
    database.close()
