"""The REST API as a supervisor's browser and a program with a token use it."""

from __future__ import annotations

from pathlib import Path

import pytest

from switchboard.accounts.model import Role
from switchboard.queue.core.model import AgentState
from tests.web.api.helpers import ApiStack, make_api_stack


@pytest.fixture
def stack(tmp_path: Path) -> ApiStack:
    s = make_api_stack(tmp_path / "api")
    s.add_user("boss", Role.SUPERVISOR, queues=("sales",))
    s.add_user("root", Role.ADMIN)
    s.add_user("li", Role.AGENT, agent_id="1001")
    return s


def test_supervisor_sees_only_agents_of_their_queues(stack: ApiStack) -> None:
    browser, _ = stack.logged_in("boss")
    answer = browser.get("/api/v1/agents")
    assert answer.status == 200
    assert [a["id"] for a in answer.json()["agents"]] == ["1001"]
    assert browser.get("/api/v1/agents/2001").json()["error"]["code"] == "forbidden"


def test_admin_sees_every_agent(stack: ApiStack) -> None:
    browser, _ = stack.logged_in("root")
    assert [a["id"] for a in browser.get("/api/v1/agents").json()["agents"]] == ["1001", "2001"]


def test_an_agent_may_not_use_supervisor_endpoints(stack: ApiStack) -> None:
    browser, csrf = stack.logged_in("li")
    answer = browser.get("/api/v1/agents")
    assert answer.status == 403
    assert answer.json()["error"]["code"] == "forbidden"
    assert browser.post_json("/api/v1/agents/1001/login", {}, csrf=csrf).status == 403
    assert stack.agents.views["1001"].state is AgentState.LOGGED_OUT


def test_supervisor_logs_an_agent_in_pauses_and_logs_out(stack: ApiStack) -> None:
    browser, csrf = stack.logged_in("boss")
    answer = browser.post_json("/api/v1/agents/1001/login", {"ready": True}, csrf=csrf)
    assert answer.status == 200 and answer.json()["state"] == "ready"
    paused = browser.post_json("/api/v1/agents/1001/pause", {"reason": "lunch"}, csrf=csrf)
    assert (paused.json()["state"], paused.json()["reason"]) == ("not_ready", "lunch")
    browser.post_json("/api/v1/agents/1001/logout", {}, csrf=csrf)
    assert stack.agents.views["1001"].state is AgentState.LOGGED_OUT


def test_state_change_without_csrf_header_is_refused(stack: ApiStack) -> None:
    browser, _ = stack.logged_in("boss")
    answer = browser.post_json("/api/v1/agents/1001/login", {})
    assert answer.status == 403 and answer.json()["error"]["code"] == "csrf"
    assert stack.agents.views["1001"].state is AgentState.LOGGED_OUT


def test_supervisor_may_not_control_an_agent_of_another_queue(stack: ApiStack) -> None:
    browser, csrf = stack.logged_in("boss")
    answer = browser.post_json("/api/v1/agents/2001/login", {}, csrf=csrf)
    assert answer.status == 403
    assert "outside the queues" in answer.json()["error"]["message"]
    assert stack.agents.views["2001"].state is AgentState.LOGGED_OUT


def test_control_errors_name_the_problem(stack: ApiStack) -> None:
    browser, csrf = stack.logged_in("root")
    unknown = browser.post_json("/api/v1/agents/9999/ready", {}, csrf=csrf)
    assert (
        unknown.status == 404 and "known agents: 1001, 2001" in unknown.json()["error"]["message"]
    )
    refused = browser.post_json("/api/v1/agents/1001/ready", {}, csrf=csrf)
    assert refused.status == 409 and "log in first" in refused.json()["error"]["message"]
    bad = browser.post_json("/api/v1/agents/1001/pause", {"reason": "nap"}, csrf=csrf)
    assert bad.status == 400
    assert bad.json()["error"] == {
        "code": "bad_request",
        "message": bad.json()["error"]["message"],
        "field": "reason",
    }
    assert "lunch" in bad.json()["error"]["message"]
    wrong_type = browser.post_json("/api/v1/agents/1001/login", {"ready": "yes"}, csrf=csrf)
    assert wrong_type.status == 400 and wrong_type.json()["error"]["field"] == "ready"
    extra = browser.post_json("/api/v1/agents/1001/login", {"redy": True}, csrf=csrf)
    assert extra.status == 400 and extra.json()["error"]["field"] == "redy"


def test_queues_show_settings_and_live_figures(stack: ApiStack) -> None:
    stack.agent_changed("1001", AgentState.READY)
    stack.queue_call("c1", "sales")
    stack.clock.advance(12)
    token = stack.token("read:stats")
    answer = stack.bearer(token, "GET", "/api/v1/queues")
    assert answer.status == 200
    sales = {q["name"]: q for q in answer.json()["queues"]}["sales"]
    assert sales["waiting"] == 1 and sales["longest_wait_s"] == 12.0
    assert sales["agents_by_state"]["ready"] == 1
    assert sales["windows"]["today"]["offered"] == 1
    assert sales["config"]["service_level_s"] == 20.0
    one = stack.bearer(token, "GET", "/api/v1/queues/support").json()
    assert one["name"] == "support" and one["waiting"] == 0
    assert stack.bearer(token, "GET", "/api/v1/queues/nope").status == 404


def test_token_scopes_limit_what_it_may_do(stack: ApiStack) -> None:
    reader = stack.token("read:stats")
    assert stack.bearer(reader, "GET", "/api/v1/agents").status == 200
    refused = stack.bearer(reader, "POST", "/api/v1/agents/1001/login", {})
    assert refused.status == 403 and "control:agents" in refused.json()["error"]["message"]
    assert stack.bearer(reader, "GET", "/api/v1/calls").status == 403
    controller = stack.token("control:agents")
    done = stack.bearer(controller, "POST", "/api/v1/agents/1001/login", {"ready": True})
    assert done.status == 200 and done.json()["state"] == "ready"


def test_a_token_limited_to_queues_reaches_only_those(stack: ApiStack) -> None:
    token = stack.token("read:stats", queues=("support",))
    names = [q["name"] for q in stack.bearer(token, "GET", "/api/v1/queues").json()["queues"]]
    assert names == ["support"]


def test_unknown_token_and_no_credentials_are_401(stack: ApiStack) -> None:
    assert stack.bearer("sbt_nope", "GET", "/api/v1/agents").status == 401
    anonymous = stack.browser().get("/api/v1/agents")
    assert anonymous.status == 401 and anonymous.json()["error"]["code"] == "unauthenticated"


def test_without_backends_the_api_says_it_is_unavailable(tmp_path: Path) -> None:
    stack = make_api_stack(tmp_path / "bare", with_backends=False)
    stack.add_user("root", Role.ADMIN)
    browser, _ = stack.logged_in("root")
    answer = browser.get("/api/v1/agents")
    assert answer.status == 503 and answer.json()["error"]["code"] == "unavailable"


def test_a_supervisor_without_queues_reaches_none(stack: ApiStack) -> None:
    stack.add_user("idle", Role.SUPERVISOR)
    browser, _ = stack.logged_in("idle")
    assert browser.get("/api/v1/agents").json()["agents"] == []
    assert browser.get("/api/v1/queues").json()["queues"] == []
    assert browser.get("/api/v1/queues/sales").status == 403
