"""The seat end to end on the real stack, in both routing modes: chromium against the
demo's site (simulated PBX, the ACD or app_queue, SQLite, the web tier, the websocket).

An agent logs in at /login and goes ready on /seat; a known customer calls, picks English
and the operator; the pop shows the customer, the VIP tier and the IVR digits while the
phone still rings (it rings 10 s: ``switchboard.testing.livesite``); the simulated leg
answers, talks and hangs up; the agent sets a disposition and a note, which the call's
record in the database has; finishing wrap-up makes the agent ready again. A second agent
with the seat open meanwhile receives nothing of that call. Every wait is on what the page
shows (Playwright's ``expect``, bounded) or on a row written before the page is told.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from tests.browser.conftest import ARTIFACTS, CHROMIUM_ARGS, _note_console_error
from tests.browser.live import CUSTOMER, KEYS, LiveSite, running_site

CALL_LIMIT_MS = 60_000  # the IVR walk and the queue, at the site's x4
NOTE = "客户要求明天上午回电"


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


class Seat:
    """One agent's page (its own browser context: its own cookies), with every websocket
    message it received and every error it logged."""

    def __init__(self, browser: Browser, site: LiveSite, username: str) -> None:
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        self.page = context.new_page()
        self.site = site
        self.received: list[dict[str, Any]] = []
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.page.on("console", lambda msg: _note_console_error(msg, self.errors))
        self.page.on("websocket", self._socket)
        self.log_in(username)

    def _socket(self, ws: Any) -> None:
        ws.on("framereceived", lambda payload: self.received.append(json.loads(payload)))

    def log_in(self, username: str) -> None:
        page = self.page
        page.goto(f"{self.site.seat}/login")
        page.locator("#username").fill(username)
        page.locator("#password").fill(f"demo-{username}")
        page.locator("#password").press("Enter")
        page.wait_for_url(f"{self.site.seat}/seat")
        expect(page.locator("#seat")).to_have_attribute("data-state", "logged_out")

    def speak(self, language: str) -> None:
        """Switch the user's language (stored for them) and show the seat again."""
        csrf = self.page.locator('meta[name="csrf-token"]').get_attribute("content") or ""
        answer = self.page.request.post(
            f"{self.site.seat}/api/v1/me/language",
            data={"language": language},
            headers={"X-CSRF-Token": csrf},
        )
        assert answer.ok, answer.text()
        self.page.reload()
        expect(self.page.locator("html")).to_have_attribute("lang", language)

    def state(self) -> Any:
        return expect(self.page.locator("#seat"))

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / name), full_page=True)

    def types(self) -> list[str]:
        return [m.get("type", "") for m in self.received]


def test_a_call_pops_before_the_answer_and_its_disposition_is_on_the_record(
    site: LiveSite, browser: Browser
) -> None:
    alice = Seat(browser, site, "1001")  # sales
    bo = Seat(browser, site, "1002")  # sales too: a seat the call could have gone to
    alice.speak("en")
    page = alice.page

    page.locator("#btn-login").click()
    alice.state().to_have_attribute("data-state", "not_ready")
    page.locator("#btn-ready").click()
    alice.state().to_have_attribute("data-state", "ready")
    expect(page.locator("#state-label")).to_have_text("Ready")
    assert site.agent_state("1001") == "ready"  # the agent control agrees, not only the page
    assert site.agent_state("1002") == "logged_out"

    customer_id = site.add_customer(**CUSTOMER)
    site.place_call(str(CUSTOMER["phone"]), KEYS)

    # Ringing: the card is complete before the simulated leg answers.
    status = page.locator("#call-status")
    expect(status).to_have_text("Ringing", timeout=CALL_LIMIT_MS)
    expect(page.locator("#call-queue")).to_have_text("sales")
    expect(page.locator("#call-ids")).to_contain_text(str(CUSTOMER["phone"]))
    expect(page.locator("#call-vip")).to_have_text("VIP ★")
    expect(page.locator("#customer-name")).to_have_text(str(CUSTOMER["name"]))
    expect(page.locator("#ivr-digits li")).to_have_text(
        [re.compile(r"^Language: 3\b"), re.compile(r"^Menu: 0\b")]
    )
    expect(status).to_have_text("Ringing", timeout=1)  # still: all of it came first
    call_id = next(m["call"]["call_id"] for m in alice.received if m.get("type") == "pop")
    # The agent offered the call may read its customer; the other agent may not.
    path = f"{site.seat}/api/v1/seat/customers/{customer_id}"
    assert page.request.get(path).json()["name"] == CUSTOMER["name"]
    refused = bo.page.request.get(path)
    assert refused.status == 403 and refused.json()["error"]["code"] == "forbidden"

    # The simulated leg answers after its ring, talks and hangs up: wrap-up.
    expect(status).to_have_text("On a call", timeout=CALL_LIMIT_MS)
    alice.state().to_have_attribute("data-state", "wrap_up", timeout=CALL_LIMIT_MS)
    expect(page.locator("#btn-finish")).to_be_enabled()
    alice.screenshot(f"seat-e2e-{site.routing}-en.png")

    page.locator('#disposition-codes input[value="follow_up"]').check()
    page.locator("#disposition-note").fill(NOTE)
    page.locator("#btn-disposition").click()
    expect(page.locator("#disposition-saved")).to_have_text("Saved")
    # Written before the seat answered "saved": the call's record has it.
    assert site.rows(
        "SELECT d.code, d.note, v.queue, v.agent_id, v.caller_number FROM seat_disposition d "
        "JOIN acd_call_visit v ON v.call_id = d.call_id WHERE d.call_id = ?",
        call_id,
    ) == [("follow_up", NOTE, "sales", "1001", CUSTOMER["phone"])]

    alice.speak("zh-CN")  # the same seat in Chinese, caught up from the snapshot
    alice.state().to_have_attribute("data-state", "wrap_up")
    expect(page.locator("#state-label")).to_have_text("话后处理")
    expect(page.locator("#customer-name")).to_have_text(str(CUSTOMER["name"]))
    alice.screenshot(f"seat-e2e-{site.routing}-zh-CN.png")

    page.locator("#btn-finish").click()
    alice.state().to_have_attribute("data-state", "ready")
    expect(page.locator("#call-empty")).to_be_visible()
    assert site.agent_state("1001") == "ready"

    # The pop, the answer and the end, in that order, on Alice's socket ...
    mine = [m for m in alice.received if call_id in json.dumps(m)]
    kinds = [m["type"] if m["type"] != "call" else m["event"] for m in mine]
    assert kinds.index("pop") < kinds.index("answered"), kinds
    # ... and nothing of it on Bo's, whose socket was open all along.
    assert bo.types()[:1] == ["snapshot"], bo.types()
    assert not [m for m in bo.received if call_id in json.dumps(m) or m["type"] == "pop"]
    assert not alice.errors and not bo.errors, alice.errors + bo.errors
