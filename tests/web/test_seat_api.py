"""``/api/v1/seat/*``: each route calls its ``SeatActions`` method for the session's user,
with the body's fields; seat errors come back as JSON with the contract's status."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from switchboard.accounts.model import Role
from switchboard.web.seat_port import SeatActionError
from tests.web.stack import Stack, make_stack

ROUTES = [
    ("POST", "/api/v1/seat/login", {}, ("log_in", ("wang",))),
    ("POST", "/api/v1/seat/ready", {}, ("ready", ("wang",))),
    ("POST", "/api/v1/seat/pause", {"reason": "lunch"}, ("pause", ("wang", "lunch"))),
    ("POST", "/api/v1/seat/logout", {}, ("log_out", ("wang",))),
    ("POST", "/api/v1/seat/finish-wrapup", {}, ("finish_wrapup", ("wang",))),
    (
        "POST",
        "/api/v1/seat/calls/1700000000.42/disposition",
        {"code": "resolved", "note": "回访"},
        ("save_disposition", ("wang", "1700000000.42", "resolved", "回访")),
    ),
    (
        "POST",
        "/api/v1/seat/calls/1700000000.42/reveal",
        {"field": "ivr.inputs.2"},
        ("reveal", ("wang", "1700000000.42", "ivr.inputs.2", "192.0.2.10")),
    ),
    (
        "POST",
        "/api/v1/seat/calls/1700000000.42/recording/pause",
        {},
        ("recording", ("wang", "1700000000.42", "pause")),
    ),
    ("GET", "/api/v1/seat/customers/17", None, ("customer", ("wang", 17))),
    ("GET", "/api/v1/seat/customers?q=138", None, ("search_customers", ("wang", "138"))),
    (
        "POST",
        "/api/v1/seat/customers",
        {"fields": {"phone": "13800138000", "name": "张伟"}},
        ("create_customer", ("wang", {"phone": "13800138000", "name": "张伟"})),
    ),
]


def _call(stack: Stack, method: str, path: str, body: Any) -> Any:
    browser, csrf = stack.logged_in("wang")
    if method == "GET":
        return browser.get(path)
    return browser.post_json(path, body, csrf=csrf)


@pytest.mark.parametrize(("method", "path", "body", "expected"), ROUTES)
def test_each_route_calls_its_action_for_the_sessions_user(
    stack: Stack, method: str, path: str, body: Any, expected: tuple[str, Any]
) -> None:
    stack.add_user("wang", agent_id="1003")
    answer = _call(stack, method, path, body)
    assert answer.status == 200, answer.text
    assert answer.header("content-type") == "application/json; charset=utf-8"
    assert stack.seat.calls == [expected]
    result = answer.json()
    state = result[0] if isinstance(result, list) else result
    assert state["did"] == expected[0] and state["agent_id"] == "1003"


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("bad_request", 400),
        ("forbidden", 403),
        ("not_found", 404),
        ("conflict", 409),
        ("unavailable", 503),
    ],
)
def test_a_seat_error_is_json_with_the_status_of_its_code(
    stack: Stack, code: str, status: int
) -> None:
    stack.add_user("wang")
    stack.seat.fail_with = SeatActionError(code, "not now", "reason")
    answer = _call(stack, "POST", "/api/v1/seat/pause", {"reason": "lunch"})
    assert answer.status == status
    assert answer.json() == {"error": {"code": code, "message": "not now", "field": "reason"}}


def test_a_customer_not_offered_is_refused_by_the_seat_domain_as_403(stack: Stack) -> None:
    stack.add_user("wang")
    stack.seat.fail_with = SeatActionError("forbidden", "customer 9 was not offered to you")
    answer = _call(stack, "GET", "/api/v1/seat/customers/9", None)
    assert answer.status == 403 and answer.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(("method", "path", "body", "_expected"), ROUTES)
def test_a_user_without_a_seat_is_refused_every_seat_route(
    stack: Stack, method: str, path: str, body: Any, _expected: object
) -> None:
    stack.add_user("wang", role=Role.SUPERVISOR, agent_id=None)
    answer = _call(stack, method, path, body)
    assert answer.status == 403 and answer.json()["error"]["code"] == "forbidden"
    assert stack.seat.calls == []


@pytest.mark.parametrize(("method", "path", "body", "_expected"), ROUTES)
def test_without_a_session_every_seat_route_answers_401(
    stack: Stack, method: str, path: str, body: Any, _expected: object
) -> None:
    browser = stack.browser()
    answer = browser.get(path) if method == "GET" else browser.post_json(path, body, csrf="x")
    assert answer.status == 401 and answer.json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/seat/pause", {}, "reason"),
        ("/api/v1/seat/pause", {"reason": 3}, "reason"),
        ("/api/v1/seat/calls/c1/disposition", {"note": "x"}, "code"),
        ("/api/v1/seat/customers", {"fields": {"phone": 13800138000}}, "fields"),
    ],
)
def test_a_malformed_body_is_a_400_naming_the_field(
    stack: Stack, path: str, body: Any, field: str
) -> None:
    stack.add_user("wang")
    answer = _call(stack, "POST", path, body)
    assert answer.status == 400 and answer.json()["error"]["field"] == field
    assert stack.seat.calls == []


def test_a_body_that_is_not_json_is_a_400(stack: Stack) -> None:
    stack.add_user("wang")
    browser, csrf = stack.logged_in("wang")
    answer = browser.request(
        "POST", "/api/v1/seat/pause", body=b"{nope", headers={"X-CSRF-Token": csrf}
    )
    assert answer.status == 400 and "not JSON" in answer.json()["error"]["message"]


def test_an_empty_search_is_a_400(stack: Stack) -> None:
    stack.add_user("wang")
    answer = _call(stack, "GET", "/api/v1/seat/customers?q=%20", None)
    assert answer.status == 400 and answer.json()["error"]["field"] == "q"


def test_without_a_seat_service_the_routes_say_it_is_unavailable(tmp_path: Path) -> None:
    stack = make_stack(tmp_path, with_seat=False)
    stack.add_user("wang")
    answer = _call(stack, "POST", "/api/v1/seat/ready", {})
    assert answer.status == 503 and answer.json()["error"]["code"] == "unavailable"
    stack.database.close()


def test_an_unexpected_failure_is_a_500_without_details(stack: Stack) -> None:
    stack.add_user("wang")

    async def broken(user: object) -> dict[str, Any]:
        raise RuntimeError("database password is hunter2")

    stack.seat.ready = broken  # type: ignore[method-assign]
    answer = _call(stack, "POST", "/api/v1/seat/ready", {})
    assert answer.status == 500
    assert answer.json() == {
        "error": {"code": "internal", "message": "internal error", "field": None}
    }
