"""The customer pages in chromium against the real web tier (switchboard.testing.ticketsite):
a supervisor searches by pinyin, opens the customer and sees their ticket; an administrator
merges a duplicate through the confirmation. Screenshots in zh-CN (boss) and en (root)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_tickets import NOW, Site, log_in
from tests.browser.test_tickets import page as page
from tests.browser.test_tickets import site as site


@pytest.fixture
def seeded(site: Site) -> Iterator[tuple[Site, list[int]]]:
    ids = site.tickets(
        {"subject": "空调不制冷", "customer": {"name": "张伟", "phone": "13812345678"}},
        {"subject": "噪音", "customer": {"name": "张伟", "phone": "01062345678"}, "at": NOW},
    )
    yield site, ids


def test_search_open_history_and_merge_a_duplicate(seeded: Any, page: Any) -> None:
    site, _ = seeded
    log_in(page, site, "boss")
    page.goto(site.url + "/customers?q=zhangwei")
    rows = page.locator("#customer-results tbody tr")
    expect(rows).to_have_count(2)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "customers-search-zh-CN.png"), full_page=True)
    first, second = (int(r) for r in rows.evaluate_all("rs => rs.map(r => r.dataset.customer)"))
    rows.first.locator("a").click()
    expect(page.locator("#customer-tickets li")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(ARTIFACTS / "customers-history-zh-CN.png"), full_page=True)

    page.fill("#merge-start input[name=duplicate]", str(second))
    page.click("#merge-start button")
    expect(page.locator("#customer-merge")).to_contain_text("张伟")
    page.click("#merge-form button")
    page.wait_for_url(re.compile(rf"/customers/{first}$"))
    expect(page.locator("#customer-tickets li")).to_have_count(
        2
    )  # the duplicate's ticket came along

    page.context.clear_cookies()
    log_in(page, site, "root")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(site.url + f"/customers/{second}")
    expect(page.locator("#merged-into")).to_contain_text("Merged into")
    page.screenshot(path=str(ARTIFACTS / "customers-merged-en.png"), full_page=True)
    page.click("#undo-form button")
    expect(page.locator("#merged-into")).to_have_count(0)
