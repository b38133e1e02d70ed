"""The agent seat page in chromium: what an agent sees and what the page sends.

Each test scripts the stand-in's websocket, then waits on what the page shows (Playwright's
``expect`` retries until the page agrees or its timeout runs out): never a fixed sleep.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser import messages as m
from tests.browser.conftest import ARTIFACTS, StandIn


def open_seat(page: Page, stand_in: StandIn, snapshot: dict[str, Any], lang: str = "en") -> None:
    stand_in.call("POST", "/_test/reset", {"snapshot": snapshot, "revealable": m.REVEALABLE})
    page.goto(stand_in.page_url(lang))
    expect(page.locator("#seat")).to_have_attribute("data-state", snapshot["state"]["state"])


def posts_to(stand_in: StandIn, suffix: str) -> list[dict[str, Any]]:
    return [p for p in stand_in.posted() if p["path"].endswith(suffix)]


def ring_answer_and_wrap_up(stand_in: StandIn, call_id: str) -> None:
    """A whole call up to wrap-up (30 s), as the websocket tells it."""
    for message in (
        m.pop(call_id),
        m.pop_update(call_id),
        m.call("answered", call_id),
        m.call("wrap_up", call_id, wrap_up_s=30),
        m.state("wrap_up"),
    ):
        stand_in.send(message)


def test_pop_shows_customer_vip_and_ivr_digits_while_ringing(page: Page, stand_in: StandIn) -> None:
    open_seat(page, stand_in, m.snapshot("ready"))
    expect(page.locator("#call-empty")).to_be_visible()

    stand_in.send(m.pop("c-1"))
    # At once, before the database answers: number, queue, VIP tier, language, the wait.
    expect(page.locator("#call-status")).to_have_text("Ringing")
    expect(page.locator("#call-queue")).to_have_text("support")
    expect(page.locator("#call-ids")).to_have_text("13812345678")
    expect(page.locator("#call-vip")).to_have_text("VIP ★★")
    expect(page.locator("#call-language")).to_have_text("Mandarin")
    expect(page.locator("#customer-name")).to_have_text("Looking up the caller…")
    expect(page.locator("#btn-new-customer")).to_be_hidden()
    # The wait is counted live while the phone rings.
    waited = page.locator("#call-waited")
    expect(waited).to_have_text(re.compile(r"^Waited 0:(1[89]|2\d)$"))
    first = waited.inner_text()
    expect(waited).not_to_have_text(first, timeout=5000)

    stand_in.send(m.pop_update("c-1"))
    expect(page.locator("#customer-name")).to_have_text("张伟")
    # The account is masked until the agent asks for it; the caller's own number is not.
    expect(page.locator("#call-ids")).to_have_text("13812345678 · Account ************7890")
    expect(page.locator("#ivr-path")).to_have_text("choose_language → menu → account")
    digits = page.locator("#ivr-digits li")
    expect(digits).to_have_text(
        ["Language: 1 → Mandarin", "Menu: 1 → self_service", "Account: ************7890"]
    )
    digits.nth(2).get_by_role("button").click()
    expect(digits.nth(2)).to_have_text("Account: 6222021234567890")  # as the server answered
    [look] = posts_to(stand_in, "/calls/c-1/reveal")
    assert look["body"] == {"field": "ivr.inputs.2"} and look["csrf_ok"]
    expect(page.locator("#call-tickets")).to_have_text("#1042 扣费投诉 (open)")
    history = page.locator("#call-history li")
    expect(history).to_have_count(5)  # six were sent: five are shown
    expect(history).to_have_text(
        [
            "11-28 Resolved · support",
            "11-27 Complaint · support",
            "11-26 Answered · support",  # no disposition saved: how it went
            "11-25 Resolved · support",
            "11-24 Resolved · support",
        ]
    )
    expect(page.locator("#call-csat")).to_have_text("4")
    expect(page.locator("#call-status")).to_have_text("Ringing")  # still before the answer

    stand_in.send(m.call("answered", "c-1"))
    expect(page.locator("#call-status")).to_have_text("On a call")
    expect(page.locator("#customer-name")).to_have_text("张伟")


def test_app_queue_pop_shows_the_keys_pressed_at_once(page: Page, stand_in: StandIn) -> None:
    open_seat(page, stand_in, m.snapshot("ready"))
    stand_in.send(dict(m.pop("c-6"), call=dict(m.pop("c-6")["call"], ivr_digits="*****1234")))
    expect(page.locator("#ivr-digits")).to_have_text("Keys pressed: *****1234")
    expect(page.locator("#call-status")).to_have_text("Ringing")
    page.locator("#ivr-digits").get_by_role("button").click()
    expect(page.locator("#ivr-digits")).to_have_text("Keys pressed: 162221234")


def test_pop_update_for_another_call_leaves_the_card_alone(page: Page, stand_in: StandIn) -> None:
    open_seat(page, stand_in, m.snapshot("ready"))
    stand_in.send(m.pop("c-2"))
    stand_in.send(m.pop_update("c-1"))
    stand_in.send(m.pop_update("c-2", known=False))
    expect(page.locator("#customer-name")).to_have_text("Unknown caller")
    stand_in.send(m.call("missed", "c-2", result="no_answer"))
    expect(page.locator("#call-empty")).to_be_visible()


def test_a_database_that_failed_leaves_what_the_pop_gave(page: Page, stand_in: StandIn) -> None:
    open_seat(page, stand_in, m.snapshot("ready"))
    stand_in.send(m.pop("c-3"))
    stand_in.send({"v": 1, "type": "pop_update", "call_id": "c-3", "error": "database timeout"})
    expect(page.locator("#customer-name")).to_have_text("Customer details could not be read")
    expect(page.locator("#call-ids")).to_have_text("13812345678")
    expect(page.locator("#call-vip")).to_have_text("VIP ★★")
    expect(page.locator("#btn-new-customer")).to_be_hidden()


def test_unknown_caller_is_created_from_the_card_with_the_number(
    page: Page, stand_in: StandIn
) -> None:
    open_seat(page, stand_in, m.snapshot("ready"))
    stand_in.send(m.pop("c-9", number="02187654321"))
    stand_in.send(m.pop_update("c-9", known=False))
    expect(page.locator("#customer-name")).to_have_text("Unknown caller")

    page.locator("#btn-new-customer").click()
    expect(page.locator("#new-customer-phone")).to_have_value("02187654321")
    expect(page.locator("#new-customer-name")).to_be_focused()
    page.keyboard.type("李娜")
    page.keyboard.press("Enter")

    expect(page.locator("#customer-name")).to_have_text("李娜")
    [created] = posts_to(stand_in, "/api/v1/seat/customers")
    assert created["body"] == {"name": "李娜", "phone": "02187654321"}
    assert created["csrf_ok"], "the POST lacked the page's X-CSRF-Token"


def test_disposition_and_note_are_posted_then_wrap_up_is_finished(
    page: Page, stand_in: StandIn
) -> None:
    open_seat(page, stand_in, m.snapshot("on_call", call=m.answered_card("c-3")))
    expect(page.locator("#call-status")).to_have_text("On a call")
    expect(page.locator("#btn-finish")).to_be_disabled()
    codes = page.locator("#disposition-codes label")
    labels = ["1Resolved", "2Follow up", "3Complaint", "4Escalated"]
    expect(codes).to_have_text(labels)

    stand_in.send(m.call("wrap_up", "c-3", wrap_up_s=30))
    stand_in.send(m.state("wrap_up"))
    expect(page.locator("#wrapup")).to_be_visible()
    expect(page.locator("#wrapup-text")).to_have_text(re.compile(r"^Wrap-up 0:0\d / 0:30$"))
    expect(page.locator("#btn-finish")).to_be_enabled()

    page.get_by_label("Follow up").check()
    page.locator("#disposition-note").fill("客户要求明天上午回电")
    page.locator("#btn-disposition").click()
    expect(page.locator("#disposition-saved")).to_have_text("Saved")
    [saved] = posts_to(stand_in, "/disposition")
    assert saved["path"] == "/api/v1/seat/calls/c-3/disposition"
    assert saved["body"] == {"code": "follow_up", "note": "客户要求明天上午回电"}
    assert saved["csrf_ok"], "the POST lacked the page's X-CSRF-Token"

    page.locator("#btn-finish").click()
    expect(page.locator("#state-label")).to_have_text("Ready")
    expect(page.locator("#call-empty")).to_be_visible()
    expect(page.locator("#wrapup")).to_be_hidden()
    assert [p["path"] for p in stand_in.posted()] == [
        "/api/v1/seat/calls/c-3/disposition",
        "/api/v1/seat/finish-wrapup",
    ], "the saved disposition must not be posted twice"


def test_not_ready_offers_the_configured_reasons(page: Page, stand_in: StandIn) -> None:
    open_seat(page, stand_in, m.snapshot("ready", reasons=("break", "lunch", "coaching")))
    page.locator("#btn-pause").click()
    items = page.locator("#pause-reasons button")
    # Known reasons translated, a site's own reason shown as configured.
    expect(items).to_have_text(["Break", "Lunch", "coaching"])

    items.nth(1).click()
    expect(page.locator("#state-label")).to_have_text("Not ready")
    expect(page.locator("#state-reason")).to_have_text("Lunch")
    expect(page.locator("#pause-reasons")).to_be_hidden()
    [pause] = posts_to(stand_in, "/api/v1/seat/pause")
    assert pause["body"] == {"reason": "lunch"}


def test_a_refused_action_shows_the_servers_message(page: Page, stand_in: StandIn) -> None:
    open_seat(page, stand_in, m.snapshot("not_ready", reason="lunch"))
    message = "agent 1003 is not logged in to any queue: log in first"
    stand_in.fail_next("/api/v1/seat/ready", 409, "conflict", message)
    page.locator("#btn-ready").click()
    expect(page.locator("#banner-error")).to_be_visible()
    expect(page.locator("#error-text")).to_have_text(message)
    expect(page.locator("#state-label")).to_have_text("Not ready")


def test_a_lost_socket_shows_reconnecting_and_catches_up_from_a_fresh_snapshot(
    page: Page, stand_in: StandIn
) -> None:
    open_seat(page, stand_in, m.snapshot("ready"))
    expect(page.locator("#banner-reconnect")).to_be_hidden()

    stand_in.set_snapshot(m.snapshot("on_call", call=m.answered_card("c-5")))
    stand_in.down()
    banner = page.locator("#banner-reconnect")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Connection lost: reconnecting…")
    # What is on screen is no longer live: marked stale, not shown as current.
    expect(page.locator("#seat")).to_have_class(re.compile(r"\bstale\b"))

    stand_in.up()
    expect(banner).to_be_hidden(timeout=20_000)  # the back-off reaches a few seconds
    expect(page.locator("#seat")).not_to_have_class(re.compile(r"\bstale\b"))
    expect(page.locator("#state-label")).to_have_text("On a call")
    expect(page.locator("#customer-name")).to_have_text("张伟")
    assert stand_in.status() == {"connects": 2, "open": 1}


def test_keyboard_shortcuts_change_state_and_finish_wrap_up(page: Page, stand_in: StandIn) -> None:
    open_seat(page, stand_in, m.snapshot("ready"))
    # F9: the reason list, focused; Escape closes it, arrows and Enter choose.
    page.keyboard.press("F9")
    expect(page.locator("#pause-reasons button").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#pause-reasons")).to_be_hidden()
    expect(page.locator("#btn-pause")).to_be_focused()
    page.keyboard.press("F9")
    expect(page.locator("#pause-reasons button").first).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#state-reason")).to_have_text("Lunch")
    # F8: ready again.
    page.keyboard.press("F8")
    expect(page.locator("#state-label")).to_have_text("Ready")

    ring_answer_and_wrap_up(stand_in, "c-7")
    expect(page.locator("#btn-finish")).to_be_enabled()
    # A digit picks a disposition; Ctrl+Enter saves it and finishes wrap-up.
    page.locator("body").press("3")
    expect(page.get_by_label("Complaint")).to_be_checked()
    page.keyboard.press("Control+Enter")
    expect(page.locator("#state-label")).to_have_text("Ready")
    expect(page.locator("#call-empty")).to_be_visible()
    assert [(p["path"], p["body"]) for p in stand_in.posted()] == [
        ("/api/v1/seat/pause", {"reason": "lunch"}),
        ("/api/v1/seat/ready", {}),
        ("/api/v1/seat/calls/c-7/disposition", {"code": "complaint", "note": ""}),
        ("/api/v1/seat/finish-wrapup", {}),
    ]


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_screenshot_fits_the_screen_without_horizontal_scrolling(
    page: Page, stand_in: StandIn, lang: str, size: tuple[int, int]
) -> None:
    width, height = size
    page.set_viewport_size({"width": width, "height": height})
    open_seat(page, stand_in, m.snapshot("ready"), lang=lang)
    ring_answer_and_wrap_up(stand_in, "c-8")
    expect(page.locator("#wrapup")).to_be_visible()
    expect(page.locator("#customer-name")).to_have_text("张伟")
    wrap_up = {"zh-CN": "话后处理", "en": "Wrap-up"}[lang]
    expect(page.locator("#state-label")).to_have_text(wrap_up)
    expect(page.locator("html")).to_have_attribute("lang", lang)

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"seat-{lang}-{width}x{height}.png"), full_page=True)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the seat scrolls sideways by {overflow}px at {width}x{height} ({lang})"
    # The main actions are on screen without scrolling at all.
    for action in ("#btn-finish", "#btn-pause", "#disposition-note"):
        box = page.locator(action).bounding_box()
        assert box is not None and box["y"] + box["height"] <= height, f"{action} is below the fold"


def test_wrap_up_that_runs_out_leaves_the_card_for_its_disposition(
    page: Page, stand_in: StandIn
) -> None:
    open_seat(page, stand_in, m.snapshot("ready"))
    ring_answer_and_wrap_up(stand_in, "c-4")
    expect(page.locator("#wrapup")).to_be_visible()

    stand_in.send(m.state("ready"))  # the server ended wrap-up by itself
    expect(page.locator("#state-label")).to_have_text("Ready")
    expect(page.locator("#wrapup")).to_be_hidden()
    expect(page.locator("#call-status")).to_have_text("Call ended")
    expect(page.locator("#btn-finish")).to_be_disabled()
    page.get_by_label("Resolved").check()
    page.locator("#btn-disposition").click()
    expect(page.locator("#disposition-saved")).to_have_text("Saved")
    assert [p["path"] for p in stand_in.posted()] == ["/api/v1/seat/calls/c-4/disposition"]
    stand_in.send(m.call("done", "c-4"))  # talk and wrap-up over: the card closes
    expect(page.locator("#call-empty")).to_be_visible()


def test_log_out_and_back_in_to_the_queues(page: Page, stand_in: StandIn) -> None:
    open_seat(page, stand_in, m.snapshot("not_ready", reason="break"))
    expect(page.locator("#state-reason")).to_have_text("Break")
    page.locator("#btn-logout").click()
    expect(page.locator("#state-label")).to_have_text("Logged out")
    expect(page.locator("#btn-ready")).to_be_disabled()
    expect(page.locator("#btn-pause")).to_be_disabled()
    page.locator("#btn-login").click()
    expect(page.locator("#state-label")).to_have_text("Not ready")
    assert [p["path"] for p in stand_in.posted()] == [
        "/api/v1/seat/logout",
        "/api/v1/seat/login",
    ]


def test_own_figures_follow_the_figures_message(page: Page, stand_in: StandIn) -> None:
    open_seat(page, stand_in, m.snapshot("ready"))
    expect(page.locator("#figures-short")).to_have_text("Today 23 calls · avg 4:05")
    stand_in.send({"v": 1, "type": "figures", "day": "2026-12-05", "calls_handled": 24,
                   "aht_s": 250.0, "missed_offers": 2,
                   "not_ready_s": {"lunch": 1800.0, "training": 75.0},
                   "not_ready_total_s": 1875.0})  # fmt: skip
    expect(page.locator("#figures-short")).to_have_text("Today 24 calls · avg 4:10")
    figures = page.locator("#figures-list dd")
    expect(figures).to_have_text(["24", "4:10", "2", "30:00", "1:15"])
    expect(page.locator("#figures-list dt").last).to_have_text("Not ready: Training")
    # A pause that runs on is counted on by the page, from the figures' moment.
    stand_in.send(m.state("not_ready", "lunch"))
    expect(figures.nth(3)).to_have_text(re.compile(r"^30:0[1-9]$"))


def test_an_ended_session_says_log_in_instead_of_reconnecting(
    page: Page, stand_in: StandIn
) -> None:
    open_seat(page, stand_in, m.snapshot("ready"))
    stand_in.call("POST", "/_test/end-session", {})
    banner = page.locator("#banner-reconnect")
    # Not "reconnecting": with the session gone, another attempt would only be refused.
    expect(banner).to_have_text("Your session has ended: log in again. Go to the login page")
    expect(banner.get_by_role("link")).to_have_attribute("href", "/login")
    expect(page.locator("#seat")).to_have_class(re.compile(r"\bstale\b"))


def test_a_snapshot_taken_in_wrap_up_shows_the_wrap_up_running(
    page: Page, stand_in: StandIn
) -> None:
    card = dict(m.answered_card("c-11"), phase="ended")
    snapshot = m.snapshot("wrap_up", call=card)
    snapshot["state"]["since"] = time.time() - 12  # wrap-up began 12 s ago
    open_seat(page, stand_in, snapshot)
    expect(page.locator("#wrapup-text")).to_have_text(re.compile(r"^Wrap-up 0:1[2-9]$"))
    expect(page.locator("#btn-finish")).to_be_enabled()


def test_a_call_handled_while_the_agent_chooses_keeps_its_card_until_saved(
    page: Page, stand_in: StandIn
) -> None:
    open_seat(page, stand_in, m.snapshot("ready"))
    ring_answer_and_wrap_up(stand_in, "c-12")
    page.get_by_label("Complaint").check()
    page.locator("#disposition-note").fill("账单错误")
    stand_in.send(m.state("ready"))  # wrap-up ran out: the server ends it ...
    stand_in.send(m.call("done", "c-12"))  # ... and the call is handled
    expect(page.locator("#call-status")).to_have_text("Call ended")
    expect(page.locator("#wrapup")).to_be_hidden()
    page.locator("#btn-disposition").click()
    expect(page.locator("#call-empty")).to_be_visible()  # saved: now the card closes
    [saved] = posts_to(stand_in, "/disposition")
    assert saved["body"] == {"code": "complaint", "note": "账单错误"}


def test_timers_count_on_the_servers_clock_not_the_browsers(page: Page, stand_in: StandIn) -> None:
    # The demo's clock starts at a simulated date, days away from the browser's.
    server_now = time.time() - 11 * 24 * 3600
    card = dict(m.answered_card("c-12"), phase="ended")
    snapshot = m.snapshot("wrap_up", call=card)
    snapshot.update(now=server_now, rate=1.0)
    snapshot["state"]["since"] = server_now - 12  # wrap-up began 12 s ago, server time
    open_seat(page, stand_in, snapshot)
    expect(page.locator("#state-timer")).to_have_text(re.compile(r"^00:00:1[2-9]$"))
    expect(page.locator("#wrapup-text")).to_have_text(re.compile(r"^Wrap-up 0:1[2-9]$"))

    pause = m.state("not_ready", "lunch")
    pause.update(since=server_now + 5, now=server_now + 8, rate=1.0)
    stand_in.send(pause)
    expect(page.locator("#state-timer")).to_have_text(re.compile(r"^00:00:0[3-9]$"))


def test_timers_run_at_the_servers_speed(page: Page, stand_in: StandIn) -> None:
    # A demo at 60x: a minute of its time passes each second of the browser's.
    server_now = time.time() - 11 * 24 * 3600
    snapshot = m.snapshot("not_ready", reason="break")
    snapshot.update(now=server_now, rate=60.0)
    snapshot["state"]["since"] = server_now
    open_seat(page, stand_in, snapshot)
    expect(page.locator("#state-timer")).to_have_text(re.compile(r"^00:0[2-9]:\d\d$"))


@pytest.mark.parametrize(
    ("lang", "label"),
    [("en", "Not ready: Logged in"), ("zh-CN", re.compile(r"已登录未就绪"))],
)
def test_switchboards_own_reasons_are_translated_a_sites_own_shown_as_is(
    page: Page, stand_in: StandIn, lang: str, label: Any
) -> None:
    snapshot = m.snapshot("not_ready", reason="logged_in")
    snapshot["figures"]["not_ready_s"] = {"logged_in": 120.0, "coaching": 60.0}
    open_seat(page, stand_in, snapshot, lang)
    terms = page.locator("#figures-list dt")
    expect(terms.filter(has_text=label)).to_have_count(1)
    expect(terms.filter(has_text="logged_in")).to_have_count(0)
    expect(terms.filter(has_text="coaching")).to_have_count(1)  # a site's word, as it is


def test_the_wait_reads_the_same_live_and_after_a_reload_in_wrap_up(
    page: Page, stand_in: StandIn
) -> None:
    open_seat(page, stand_in, m.snapshot("ready"))
    server_now = time.time()
    stand_in.send(dict(m.pop("c-13"), now=server_now, rate=1.0))  # waited 18 s in the queue
    answered = m.call("answered", "c-13", waited_s=25.0)
    stand_in.send(dict(answered, now=server_now + 7, rate=1.0))  # and rang 7 s
    expect(page.locator("#call-waited")).to_have_text("Waited 0:25")

    card = dict(m.answered_card("c-13"), phase="ended", waited_s=25.0)
    stand_in.call("POST", "/_test/snapshot", m.snapshot("wrap_up", call=card))
    page.reload()
    expect(page.locator("#seat")).to_have_attribute("data-state", "wrap_up")
    expect(page.locator("#call-waited")).to_have_text("Waited 0:25")
