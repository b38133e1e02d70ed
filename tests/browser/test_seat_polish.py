"""The seat page in chromium, on the stand-in: a masked value is shown only when the server
has logged the look and answered; a socket that will not come back because the session
ended says "log in again" and stops trying; the language switch; wrap-up's "elapsed / total".
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser import messages as m
from tests.browser.conftest import StandIn
from tests.browser.test_seat_page import open_seat, posts_to


def test_a_refused_reveal_leaves_the_value_masked_and_says_why(
    page: Page, stand_in: StandIn
) -> None:
    open_seat(page, stand_in, m.snapshot("ready"))
    stand_in.send(m.pop("c-1"))
    stand_in.send(m.pop_update("c-1"))
    account = page.locator("#call-ids .identifier").last
    expect(account).to_have_text("Account ************7890")
    stand_in.fail_next(
        "/api/v1/seat/calls/c-1/reveal", 403, "forbidden", "call 'c-1' was not offered to you"
    )

    account.get_by_role("button").click()

    expect(page.locator("#error-text")).to_have_text("call 'c-1' was not offered to you")
    expect(account).to_have_text("Account ************7890")
    # Asked again, the server answers: the full value replaces the mask, and stays on the
    # card when the card is drawn again (the call is answered).
    account.get_by_role("button").click()
    expect(account).to_have_text("Account 6222021234567890")
    stand_in.send(m.call("answered", "c-1"))
    expect(page.locator("#call-status")).to_have_text("On a call")
    expect(account).to_have_text("Account 6222021234567890")
    assert [p["body"] for p in posts_to(stand_in, "/calls/c-1/reveal")] == [
        {"field": "identifiers.1"},
        {"field": "identifiers.1"},
    ]


def test_a_reconnect_refused_for_an_ended_session_says_log_in_and_stops_trying(
    page: Page, stand_in: StandIn
) -> None:
    page.clock.install()  # the page's timers (the back-off) run when the test says
    open_seat(page, stand_in, m.snapshot("ready"))
    stand_in.call("POST", "/_test/session", {"valid": False})  # expired while the page ran
    stand_in.down()  # the socket drops; the upgrades after it are refused
    banner = page.locator("#banner-reconnect")
    expect(banner).to_contain_text("Connection lost: reconnecting…")

    page.clock.run_for(20_000)  # past the first back-off: one refused attempt, one probe

    expect(banner).to_have_text("Your session has ended: log in again. Go to the login page")
    assert len(posts_to(stand_in, "/api/v1/seat/session")) == 1
    stand_in.up()
    page.clock.run_for(120_000)  # had it kept retrying, a socket would open now
    expect(banner).to_contain_text("Your session has ended")
    assert stand_in.status() == {"connects": 1, "open": 0}
    assert len(posts_to(stand_in, "/api/v1/seat/session")) == 1


def test_a_reconnect_refused_while_the_session_is_fine_keeps_retrying(
    page: Page, stand_in: StandIn
) -> None:
    open_seat(page, stand_in, m.snapshot("ready"))
    stand_in.down()
    banner = page.locator("#banner-reconnect")
    expect(banner).to_contain_text("Connection lost: reconnecting…")
    expect(banner).to_contain_text(re.compile(r"attempt [2-9]"), timeout=20_000)
    assert posts_to(stand_in, "/api/v1/seat/session")  # asked, and told the session is fine
    stand_in.up()
    expect(banner).to_be_hidden(timeout=20_000)
