# -*- test-case-name: tests.control.test_api -*-
"""The control endpoint over in-memory HTTP: agents logged in, readied, paused and logged
out through the ACD's agent-control API, and every refusal a clear JSON error."""

from __future__ import annotations

from typing import Any

import pytest
from twisted.internet.task import Clock

from switchboard.control._resource import ControlApi
from switchboard.control.service import ControlSite
from switchboard.queue import AgentState, Queue
from switchboard.queue.shell.control import AcdAgentControl
from tests.control.http import raw_request, request
from tests.queue.helpers import agent
from tests.queue.test_hold import QUIET, Site, site


def _api(token: str | None = None) -> tuple[Site, ControlSite]:
    s = site([Queue("sales", ring_timeout_s=10, wrap_up_s=0, **QUIET)], [agent("a1"), agent("a2")])
    return s, ControlSite(ControlApi(AcdAgentControl(s.acd), token), reactor=s.clock)


def test_an_agent_is_logged_in_readied_paused_and_logged_out() -> None:
    s, web = _api()
    status, body = request(web, "POST", "/api/v1/agents/a1/login", {})
    assert status == 200 and body["agent"]["state"] == "not_ready"
    assert body["agent"]["reason"] == "logged_in"
    status, body = request(web, "POST", "/api/v1/agents/a1/ready", {})
    assert (status, body["agent"]["state"]) == (200, "ready")
    assert s.state("a1") is AgentState.READY
    status, body = request(web, "POST", "/api/v1/agents/a1/pause", {"reason": "lunch"})
    assert (body["agent"]["state"], body["agent"]["reason"]) == ("not_ready", "lunch")
    status, body = request(web, "POST", "/api/v1/agents/a1/logout", {})
    assert (status, body["agent"]["state"]) == (200, "logged_out")
    s.close()


def test_list_and_one_agent() -> None:
    s, web = _api()
    request(web, "POST", "/api/v1/agents/a2/login", {"ready": True})
    status, body = request(web, "GET", "/api/v1/agents")
    assert status == 200
    assert [(a["id"], a["state"]) for a in body["agents"]] == [
        ("a1", "logged_out"),
        ("a2", "ready"),
    ]
    assert body["agents"][1]["queues"] == ["sales"]
    assert body["agents"][1]["device"] == "PJSIP/a2"
    assert body["agents"][1]["since"] == s.clock.seconds()
    status, body = request(web, "GET", "/api/v1/agents/a2")
    assert (status, body["agent"]["id"]) == (200, "a2")
    s.close()


def test_an_agent_who_missed_a_call_is_made_ready_again() -> None:
    s, web = _api()
    request(web, "POST", "/api/v1/agents/a1/login", {"ready": True})
    ch = s.channel()
    s.hold(ch)
    ch.finish_dial("NOANSWER")  # rang out: not ready (missed call), the caller waits again
    assert s.acd.router.agents["a1"].reason == "missed_call"
    status, body = request(web, "POST", "/api/v1/agents/a1/ready", {})
    assert (status, body["agent"]["state"]) == (200, "reserved")  # offered the caller again
    assert body["agent"]["call_id"] == "c1"
    ch.hang_up()
    s.close()


def test_an_unknown_agent_is_a_404_listing_the_known_ones() -> None:
    s, web = _api()
    status, body = request(web, "POST", "/api/v1/agents/bob/ready", {})
    assert status == 404
    assert body["error"]["code"] == "unknown_agent"
    assert body["error"]["known"] == ["a1", "a2"]
    assert "known agents: a1, a2" in body["error"]["message"]
    s.close()


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/api/v1/agents/a1/ready", {}, "is logged out; log in first: switchboard agents login a1"),
        ("/api/v1/agents/a1/pause", {"reason": "lunch"}, "log in first"),
        ("/api/v1/agents/a1/logout", {}, "is not logged in"),
    ],
)
def test_what_the_acd_refuses_is_a_409_with_its_reason(path: str, body: Any, message: str) -> None:
    s, web = _api()
    status, answer = request(web, "POST", path, body)
    assert status == 409 and answer["error"]["code"] == "refused"
    assert message in answer["error"]["message"]
    s.close()


def test_logging_in_twice_is_refused() -> None:
    s, web = _api()
    request(web, "POST", "/api/v1/agents/a1/login", {})
    status, body = request(web, "POST", "/api/v1/agents/a1/login", {})
    assert status == 409 and body["error"]["message"] == (
        "agent 'a1' is already logged in (now not_ready; use ready or pause to change that)"
    )
    s.close()


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code", "words"),
    [
        (
            "POST",
            "/api/v1/agents/a1/pause",
            {"reason": "Gone Fishing!"},
            400,
            "bad_request",
            "unknown pause reason 'Gone Fishing!'; use one of: break, lunch",
        ),
        ("POST", "/api/v1/agents/a1/login", {"ready": "yes"}, 400, "bad_request", "true or false"),
        (
            "POST",
            "/api/v1/agents/a1/login",
            {"redy": True},
            400,
            "bad_request",
            "allowed here: ready",
        ),
        ("POST", "/api/v1/agents/a1/login", b"{oops", 400, "bad_request", "not JSON"),
        ("POST", "/api/v1/agents/a1/login", [1], 400, "bad_request", "JSON object"),
        ("GET", "/api/v1/agents/a1/ready", None, 405, "method_not_allowed", "use POST"),
        ("POST", "/api/v1/agents", {}, 405, "method_not_allowed", "use GET"),
        ("POST", "/api/v1/agents/a1/dance", {}, 404, "not_found", "use one of: login"),
        ("GET", "/api/v2/agents", None, 404, "not_found", "no such resource"),
    ],
)
def test_bad_requests_say_what_is_wrong(
    method: str, path: str, body: Any, status: int, code: str, words: str
) -> None:
    s, web = _api()
    got, answer = request(web, method, path, body)
    assert (got, answer["error"]["code"]) == (status, code)
    assert words in answer["error"]["message"]
    s.close()


def test_a_post_without_a_json_content_type_is_refused() -> None:
    # A web page on this machine could send text/plain without a preflight; not JSON.
    s, web = _api()
    status, answer = request(
        web, "POST", "/api/v1/agents/a1/login", b"{}", headers={"Content-Type": "text/plain"}
    )
    assert status == 400 and "application/json" in answer["error"]["message"]
    assert s.state("a1") is AgentState.LOGGED_OUT
    s.close()


def test_a_foreign_host_name_is_refused() -> None:
    # DNS rebinding: evil.example resolving to 127.0.0.1 in a local browser.
    s, web = _api()
    status, answer = request(web, "GET", "/api/v1/agents", host="evil.example:4575")
    assert status == 400 and "not a loopback name" in answer["error"]["message"]
    s.close()


def test_a_token_is_required_when_set() -> None:
    s, web = _api(token="s3cret")
    status, answer = request(web, "GET", "/api/v1/agents")
    assert (status, answer["error"]["code"]) == (401, "unauthorized")
    status, _ = request(web, "GET", "/api/v1/agents", headers={"Authorization": "Bearer nope"})
    assert status == 401
    status, answer = request(
        web, "GET", "/api/v1/agents", headers={"Authorization": "Bearer s3cret"}
    )
    assert status == 200 and len(answer["agents"]) == 2
    s.close()


def test_without_an_acd_agent_commands_are_a_503_that_says_why() -> None:
    web = ControlSite(ControlApi(None), reactor=Clock())
    status, answer = request(web, "GET", "/api/v1/agents")
    assert (status, answer["error"]["code"]) == (503, "no_acd")
    assert "[queues] file" in answer["error"]["message"]


def test_answers_are_never_cached() -> None:
    s, web = _api()
    head = b"GET /api/v1/agents HTTP/1.1\r\nHost: localhost\r\n\r\n"
    status, headers, _ = raw_request(web, head)
    assert status == 200 and headers["cache-control"] == "no-store"
    s.close()


def test_finish_wrapup_ends_the_acd_wrap_up_now_and_counts_it() -> None:
    s = site([Queue("sales", wrap_up_s=60, ring_timeout_s=10, **QUIET)], [agent("a1")])
    web = ControlSite(ControlApi(AcdAgentControl(s.acd)), reactor=s.clock)
    request(web, "POST", "/api/v1/agents/a1/login", {"ready": True})
    status, body = request(web, "POST", "/api/v1/agents/a1/finish-wrapup", {})
    assert status == 409 and "not in wrap-up (now ready)" in body["error"]["message"]
    ch = s.channel()
    s.hold(ch)
    s.clock.advance(2)
    s.ami.emit("DialEnd", Uniqueid="c1", DialStatus="ANSWER")
    s.clock.advance(30)
    ch.finish_dial("ANSWER")
    assert s.state("a1") is AgentState.WRAP_UP
    s.clock.advance(5)
    status, body = request(web, "POST", "/api/v1/agents/a1/finish-wrapup", {})
    assert (status, body["agent"]["state"]) == (200, "ready")
    today = s.acd.stats.agent("a1", s.clock.seconds()).windows["today"]
    assert today.handled == 1 and today.aht_s == 35.0  # 30 s talk + 5 s wrap-up
    s.close()
