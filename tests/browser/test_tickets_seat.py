"""A ticket from the seat in two clicks, on the real stack in both routing modes (the
demo's site: simulated PBX, the ACD or app_queue, SQLite, the web tier): a known customer
calls; while the card shows them, "New ticket" then "Create" opens a complaint owned by
the agent, linked to the call and the customer, and the card's open tickets list it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from tests.browser.conftest import CHROMIUM_ARGS
from tests.browser.live import CUSTOMER, KEYS, LiveSite, running_site
from tests.browser.test_seat_e2e import CALL_LIMIT_MS, Seat


@pytest.fixture(scope="module", params=["switchboard", "app_queue"])
def site(request: pytest.FixtureRequest, chromium: Path) -> Iterator[LiveSite]:
    with running_site(request.param) as live:
        yield live


@pytest.fixture
def browser(chromium: Path) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def test_the_seat_opens_a_ticket_in_two_clicks_with_the_call_linked(
    site: LiveSite, browser: Browser
) -> None:
    agent = Seat(browser, site, "1001")
    page = agent.page
    page.locator("#btn-login").click()
    page.locator("#btn-ready").click()
    agent.state().to_have_attribute("data-state", "ready")
    customer_id = site.add_customer(**CUSTOMER)
    site.place_call(str(CUSTOMER["phone"]), KEYS)
    expect(page.locator("#customer-name")).to_have_text(
        str(CUSTOMER["name"]), timeout=CALL_LIMIT_MS
    )
    call_id = next(m["call"]["call_id"] for m in agent.received if m.get("type") == "pop")
    expect(page.locator("#btn-new-ticket")).to_contain_text("新建工单")

    page.locator("#btn-new-ticket").click()  # one
    expect(page.locator("#ticket-customer")).to_have_text(str(CUSTOMER["name"]))
    expect(page.locator("#ticket-type")).to_have_value("complaint")
    agent.screenshot(f"seat-ticket-form-{site.routing}-zh-CN.png")
    page.locator("#btn-ticket-create").click()  # two

    done = page.locator("#ticket-done")
    expect(done).to_contain_text("已创建工单 #")
    ticket_id = int(done.inner_text().rsplit("#", 1)[1])
    expect(page.locator("#call-tickets li").first).to_contain_text(f"#{ticket_id}")
    expect(page.locator("#call-tickets li").first).to_contain_text("待处理")
    # Written before the seat answered: the ticket, its call link and the audit.
    assert site.rows(
        "SELECT t.subject, t.type, t.category, t.status, t.owner, t.customer_id, l.kind, l.ref "
        "FROM crm_ticket t JOIN crm_ticket_link l ON l.ticket_id = t.id WHERE t.id = ?",
        ticket_id,
    ) == [("质量 · 张伟", "complaint", "quality", "open", "1001", customer_id, "call", call_id)]
    assert site.rows(
        "SELECT actor, new FROM crm_ticket_audit WHERE ticket_id = ? AND field = 'link'",
        ticket_id,
    ) == [("1001", f"call:{call_id}")]
    # The card keeps it: a reload's snapshot lists it too.
    page.reload()
    expect(page.locator("#call-tickets li").first).to_contain_text(f"#{ticket_id}")
    agent.speak("en")
    expect(page.locator("#btn-new-ticket")).to_contain_text("New ticket")
    page.keyboard.press("Alt+N")  # the keyboard's way: Alt+N, then Enter would create
    expect(page.locator("#btn-ticket-create")).to_be_focused()
    agent.screenshot(f"seat-ticket-form-{site.routing}-en.png")
    assert not agent.errors, agent.errors
