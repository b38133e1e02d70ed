"""The seat page in chromium, on the stand-in: a masked value is shown only when the server
has logged the look and answered; a socket that will not come back because the session
ended says "log in again" and stops trying; the language switch; wrap-up's "elapsed / total".
"""

from __future__ import annotations

import re
import time

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


def test_a_snapshot_in_wrap_up_shows_elapsed_of_total_from_when_it_began(
    page: Page, stand_in: StandIn
) -> None:
    # The server's card in wrap-up carries the queue's wrap_up_s; the state's since is
    # when the wrap-up began (12 s before the page connected).
    card = dict(m.answered_card("c-12"), phase="wrap_up", wrap_up_s=30)
    snapshot = m.snapshot("wrap_up", call=card)
    snapshot["state"]["since"] = time.time() - 12
    open_seat(page, stand_in, snapshot)
    expect(page.locator("#wrapup-text")).to_have_text(re.compile(r"^Wrap-up 0:1[2-9] / 0:30$"))
    progress = float(page.locator("#wrapup-progress").get_attribute("value") or "0")
    assert 0.4 <= progress < 0.7


def test_wrap_up_without_a_known_length_shows_the_elapsed_time_only(
    page: Page, stand_in: StandIn
) -> None:
    open_seat(page, stand_in, m.snapshot("ready"))
    stand_in.send(m.pop("c-13"))
    stand_in.send(m.call("answered", "c-13"))
    stand_in.send(m.call("wrap_up", "c-13", wrap_up_s=None))
    stand_in.send(m.state("wrap_up"))
    expect(page.locator("#wrapup-text")).to_have_text(re.compile(r"^Wrap-up 0:0\d$"))
    expect(page.locator("#wrapup-progress")).to_be_hidden()
