"""``GET /api/v1/seat/session``: what the seat page asks when its socket will not reconnect,
to tell an ended session (log in again) from a network failure (keep trying)."""

from __future__ import annotations

from switchboard.accounts.model import Role
from switchboard.config import WebSettings
from tests.web.stack import Stack

PROBE = "/api/v1/seat/session"


def test_a_live_session_with_a_seat_answers_200_with_who_it_is(stack: Stack) -> None:
    stack.add_user("wang", agent_id="1003", language="en")
    browser, _ = stack.logged_in("wang")

    answer = browser.get(PROBE)

    assert answer.status == 200
    who = answer.json()
    assert (who["username"], who["agent_id"], who["language"]) == ("wang", "1003", "en")
    assert answer.header("cache-control") == "no-store"


def test_after_logout_expiry_or_without_a_cookie_it_answers_401(stack: Stack) -> None:
    stack.add_user("wang")
    stack.add_user("li", agent_id="1002")
    wang, csrf = stack.logged_in("wang")
    li, _ = stack.logged_in("li")

    wang.post_json("/logout", {}, csrf=csrf)
    stack.clock.advance(WebSettings().session_lifetime_s)

    for who in (wang, li, stack.browser()):
        answer = who.get(PROBE)
        assert answer.status == 401
        assert answer.json()["error"]["code"] == "unauthenticated"


def test_a_user_without_a_seat_answers_403(stack: Stack) -> None:
    stack.add_user("boss", role=Role.SUPERVISOR, agent_id=None)
    browser, _ = stack.logged_in("boss")
    answer = browser.get(PROBE)
    assert answer.status == 403 and answer.json()["error"]["code"] == "forbidden"
