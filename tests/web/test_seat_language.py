"""The seat page offers the language switch, and after a switch every string of the page
follows: the template's, and the catalogue its scripts translate with."""

from __future__ import annotations

import json
import re

from tests.web.stack import Stack


def _catalogue(html: str) -> dict[str, str]:
    found = re.search(
        r'<script type="application/json" id="sb-catalogue">(.*?)</script>', html, re.S
    )
    assert found, "the page embeds no catalogue for its scripts"
    return dict(json.loads(found.group(1)))


def test_the_seat_page_offers_both_languages_and_follows_the_switch(stack: Stack) -> None:
    stack.add_user("wang", agent_id="1003", language="zh-CN")
    browser, csrf = stack.logged_in("wang")

    before = browser.get("/seat")
    assert before.status == 200
    # The switch is on the seat page, the current language pressed.
    assert re.search(r'data-sb-language="zh-CN"\s+aria-pressed="true"', before.text)
    assert 'data-sb-language="en"' in before.text
    assert "完成话后" in before.text  # the seat's own strings, in Chinese
    assert _catalogue(before.text)["Connection lost: reconnecting… (attempt {n})"] != (
        "Connection lost: reconnecting… (attempt {n})"
    )

    switched = browser.post_json("/api/v1/me/language", {"language": "en"}, csrf=csrf)
    assert switched.status == 200
    after = browser.get("/seat")

    assert after.meta("sb-lang") == "en" and '<html lang="en">' in after.text
    assert re.search(r'data-sb-language="en"\s+aria-pressed="true"', after.text)
    assert "Finish wrap-up" in after.text and "Looking up the caller…" in after.text
    assert "话后" not in after.text
    words = _catalogue(after.text)
    assert words["Show the full value"] == "Show the full value"
    assert words["Your session has ended: log in again."] == "Your session has ended: log in again."
