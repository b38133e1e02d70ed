"""A supervisor raises a waiting caller's priority and moves them to another queue, through
the REST API, with the ACD's router behind it; only in the queues they supervise."""

from __future__ import annotations

from pathlib import Path

import pytest

from switchboard.accounts.model import Role
from tests.web.api.helpers import ApiStack, make_api_stack


@pytest.fixture
def stack(tmp_path: Path) -> ApiStack:
    s = make_api_stack(tmp_path / "api")
    s.add_user("boss", Role.SUPERVISOR, queues=("sales", "support"))
    s.add_user("sales-boss", Role.SUPERVISOR, queues=("sales",))
    s.add_user("li", Role.AGENT, agent_id="1001")
    s.acd.caller_waits("c1", "sales")
    s.clock.advance(10)
    s.acd.caller_waits("c2", "sales")
    return s


def test_a_supervisor_puts_a_caller_first_in_line(stack: ApiStack) -> None:
    browser, csrf = stack.logged_in("boss")
    answer = browser.post_json("/api/v1/calls/c2/priority", {"priority": 7}, csrf=csrf)
    assert answer.status == 200, answer.text
    assert answer.json() == {"call_id": "c2", "queue": "sales", "priority": 7}
    router = stack.acd.router
    assert router.waiting.position(router.calls["c2"]) == 1


def test_a_supervisor_moves_a_caller_to_another_queue_they_supervise(stack: ApiStack) -> None:
    browser, csrf = stack.logged_in("boss")
    answer = browser.post_json("/api/v1/calls/c1/move", {"queue": "support"}, csrf=csrf)
    assert answer.status == 200, answer.text
    assert answer.json()["queue"] == "support"
    assert stack.acd.router.calls["c1"].queue == "support"


def test_only_the_queues_a_supervisor_supervises_on_both_ends(stack: ApiStack) -> None:
    browser, csrf = stack.logged_in("sales-boss")
    moved = browser.post_json("/api/v1/calls/c1/move", {"queue": "support"}, csrf=csrf)
    assert moved.status == 403
    assert "queue 'support' is outside the queues sales-boss supervises" in moved.text
    stack.acd.caller_waits("c3", "support")
    raised = browser.post_json("/api/v1/calls/c3/priority", {"priority": 1}, csrf=csrf)
    assert raised.status == 403
    assert stack.acd.router.calls["c1"].queue == "sales"
    assert stack.acd.router.calls["c3"].call.priority == 0


def test_an_agent_may_not_move_callers(stack: ApiStack) -> None:
    browser, csrf = stack.logged_in("li")
    answer = browser.post_json("/api/v1/calls/c1/move", {"queue": "support"}, csrf=csrf)
    assert answer.status == 403 and answer.json()["error"]["code"] == "forbidden"
    assert stack.acd.router.calls["c1"].queue == "sales"


def test_refusals_name_the_problem(stack: ApiStack) -> None:
    browser, csrf = stack.logged_in("boss")
    gone = browser.post_json("/api/v1/calls/nope/priority", {"priority": 1}, csrf=csrf)
    assert gone.status == 404 and "no caller 'nope' is waiting" in gone.text
    same = browser.post_json("/api/v1/calls/c1/move", {"queue": "sales"}, csrf=csrf)
    assert same.status == 409 and "already waits in 'sales'" in same.text
    bad = browser.post_json("/api/v1/calls/c1/priority", {"priority": "high"}, csrf=csrf)
    assert bad.status == 400 and "priority" in bad.text
