"""Tickets (工单) through the REST API: open, read with comments, links and audit, move
through the status machine (illegal moves refused with the allowed ones named), change,
list by every filter, the per-category report; and what an agent may do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from switchboard.accounts.model import Role
from switchboard.crm.directory import add_customer
from tests.web.api.helpers import ApiStack, make_api_stack

ZHANG, LI = 1, 2
# The stack's clock: 2027-01-15 08:00 UTC, a Friday, 16:00 in Shanghai.
COMPLAINT = {"type": "complaint", "category": "quality", "subject": "空调不制冷"}


def _customers(session: Session) -> None:
    add_customer(session, "张伟", {"phone": "13800138000"})
    add_customer(session, "李雷", {"phone": "13900139000"})


@pytest.fixture
def stack(tmp_path: Path) -> ApiStack:
    s = make_api_stack(tmp_path / "api")
    s.run(_customers)
    s.add_user("boss", Role.SUPERVISOR, queues=("sales",))
    s.add_user("li", Role.AGENT, agent_id="1001")
    return s


@pytest.fixture
def token(stack: ApiStack) -> str:
    return stack.token("read:tickets", "write:tickets", "manage:tickets", "read:customers")


def _open(stack: ApiStack, token: str, **fields: Any) -> dict[str, Any]:
    answer = stack.bearer(token, "POST", "/api/v1/tickets", {**COMPLAINT, **fields})
    assert answer.status == 200, answer.text
    ticket: dict[str, Any] = answer.json()
    return ticket


def test_open_a_ticket_linked_to_a_call_due_by_its_sla(stack: ApiStack, token: str) -> None:
    ticket = _open(stack, token, priority="high", customer_id=ZHANG, call_id="c-17")
    assert (ticket["status"], ticket["owner"], ticket["created_by"]) == (
        "open",
        "token:ci",
        "token:ci",
    )
    assert ticket["allowed_status"] == ["in_progress", "resolved"]
    assert ticket["links"] == [{"kind": "call", "ref": "c-17"}]
    # 8 business hours from Friday 16:00: 2 on Friday, 6 on Monday from 09:00 -> 15:00
    assert ticket["due_at"] == stack.clock.seconds() + 3 * 86400 - 3600
    fields = {entry["field"] for entry in ticket["audit"]}
    assert {"type", "category", "priority", "status", "subject", "link"} <= fields
    customer = stack.bearer(token, "GET", f"/api/v1/customers/{ZHANG}").json()
    assert customer["last_contact_at"] == stack.clock.seconds()


def test_open_refusals_name_the_field(stack: ApiStack, token: str) -> None:
    for fields, field in (
        ({"category": "weather"}, "category"),
        ({"priority": "whenever"}, "priority"),
        ({"type": "praise"}, "type"),
        ({"subject": ""}, "subject"),
        ({"subject": "x" * 201}, "subject"),
        ({"customer_id": 99}, "customer_id"),
        ({"customer_id": "1"}, "customer_id"),
        ({"colour": "red"}, "colour"),
    ):
        answer = stack.bearer(token, "POST", "/api/v1/tickets", {**COMPLAINT, **fields})
        assert answer.status == 400, fields
        assert answer.json()["error"]["field"] == field, (fields, answer.json())
    assert stack.bearer(token, "GET", "/api/v1/tickets").json()["total"] == 0


def test_the_status_machine_refuses_with_the_allowed_moves(stack: ApiStack, token: str) -> None:
    ticket = _open(stack, token)
    path = f"/api/v1/tickets/{ticket['id']}/transition"
    closed = stack.bearer(token, "POST", path, {"to": "closed"})
    assert closed.status == 409
    error = closed.json()["error"]
    assert error["field"] == "to"
    assert error["message"].endswith("from open it can become: in_progress, resolved")
    same = stack.bearer(token, "POST", path, {"to": "open"})
    assert same.status == 409 and "already open" in same.json()["error"]["message"]
    unknown = stack.bearer(token, "POST", path, {"to": "done"})
    assert unknown.status == 400 and "in_progress" in unknown.json()["error"]["message"]
    moved = stack.bearer(token, "POST", path, {"to": "in_progress"}).json()
    assert (moved["status"], moved["allowed_status"]) == ("in_progress", ["resolved"])
    resolved = stack.bearer(token, "POST", path, {"to": "resolved"}).json()
    assert resolved["resolved_at"] == stack.clock.seconds()
    stack.clock.advance(8 * 86400)
    late = stack.bearer(token, "POST", path, {"to": "open"})
    assert late.status == 409 and "too late to reopen" in late.json()["error"]["message"]
    assert stack.bearer(token, "POST", path, {"to": "closed"}).json()["status"] == "closed"
    missing = stack.bearer(token, "POST", "/api/v1/tickets/99/transition", {"to": "resolved"})
    assert missing.status == 404


def test_comment_change_link_and_read_the_audit(stack: ApiStack, token: str) -> None:
    ticket = _open(stack, token)
    path = f"/api/v1/tickets/{ticket['id']}"
    stack.clock.advance(60)
    commented = stack.bearer(token, "POST", path + "/comments", {"body": "已联系客户"}).json()
    assert [(c["author"], c["body"]) for c in commented["comments"]] == [("token:ci", "已联系客户")]
    changed = stack.bearer(token, "PATCH", path, {"owner": "wang", "priority": "urgent"}).json()
    assert (changed["owner"], changed["priority"]) == ("wang", "urgent")
    assert changed["due_at"] < ticket["due_at"]  # recomputed from the opening time
    linked = stack.bearer(token, "POST", path + "/links", {"kind": "recording", "ref": "r-9"})
    assert linked.json()["links"] == [{"kind": "recording", "ref": "r-9"}]
    detail = stack.bearer(token, "GET", path).json()
    changes = [(a["field"], a["old"], a["new"]) for a in detail["audit"][-5:]]
    assert changes[0] == ("comment", None, "已联系客户")
    assert ("owner", "token:ci", "wang") in changes and ("link", None, "recording:r-9") in changes
    nothing = stack.bearer(token, "PATCH", path, {})
    assert nothing.status == 400 and "transition" in nothing.json()["error"]["message"]
    status = stack.bearer(token, "PATCH", path, {"status": "closed"})
    assert status.status == 400 and status.json()["error"]["field"] == "status"
    bad_link = stack.bearer(token, "POST", path + "/links", {"kind": "email", "ref": "x"})
    assert bad_link.status == 400 and bad_link.json()["error"]["field"] == "kind"
    blank_ref = stack.bearer(token, "POST", path + "/links", {"kind": "call", "ref": "  "})
    assert blank_ref.status == 400 and blank_ref.json()["error"]["field"] == "ref"
    blank = stack.bearer(token, "POST", path + "/comments", {"body": "  "})
    assert blank.status == 400 and blank.json()["error"]["field"] == "body"
    blank_call = stack.bearer(token, "POST", "/api/v1/tickets", {**COMPLAINT, "call_id": " "})
    assert blank_call.status == 400 and blank_call.json()["error"]["field"] == "call_id"
    assert stack.bearer(token, "GET", "/api/v1/tickets").json()["total"] == 1  # none half-made


def test_list_by_each_filter_in_pages(stack: ApiStack, token: str) -> None:
    first = _open(stack, token, customer_id=ZHANG)
    _open(stack, token, type="request", category="service", owner="wang")
    _open(stack, token, category="emergency", priority="urgent", customer_id=LI)
    stack.bearer(token, "POST", f"/api/v1/tickets/{first['id']}/transition", {"to": "resolved"})

    def ids(query: str) -> list[int]:
        answer = stack.bearer(token, "GET", "/api/v1/tickets" + query)
        assert answer.status == 200, answer.text
        return [t["id"] for t in answer.json()["tickets"]]

    assert ids("") == [3, 1, 2]  # soonest due first: emergency, then by opening
    assert ids("?status=open") == [3, 2]
    assert ids("?status=open,resolved&category=quality") == [1]
    assert ids("?type=request") == [2]
    assert ids("?owner=wang") == [2]
    assert ids(f"?customer={LI}") == [3]
    # urgent emergency: 1 business hour, due Friday 17:00, within the 4 h due-soon window
    assert ids("?due_soon=true") == [3]
    assert ids("?overdue=true") == []
    stack.clock.advance(2 * 3600)
    assert ids("?overdue=true") == [3]
    page = stack.bearer(token, "GET", "/api/v1/tickets?per_page=2&page=2").json()
    assert (page["total"], [t["id"] for t in page["tickets"]]) == (3, [2])
    for query, field in (
        ("?status=done", "status"),
        ("?type=praise", "type"),
        ("?category=weather", "category"),
        ("?customer=abc", "customer"),
        ("?overdue=perhaps", "overdue"),
        ("?per_page=500", "per_page"),
    ):
        answer = stack.bearer(token, "GET", "/api/v1/tickets" + query)
        assert answer.status == 400 and answer.json()["error"]["field"] == field, query


def test_the_report_counts_per_category_and_the_closure_rate(stack: ApiStack, token: str) -> None:
    quick = _open(stack, token)
    _open(stack, token)
    _open(stack, token, category="service")
    stack.bearer(token, "POST", f"/api/v1/tickets/{quick['id']}/transition", {"to": "resolved"})
    report = stack.bearer(token, "GET", "/api/v1/tickets/report").json()
    by_category = {c["category"]: c for c in report["categories"]}
    assert by_category["quality"] == {
        "category": "quality",
        "label": "质量",
        "opened": 2,
        "resolved": 1,
        "within_sla": 1,
        "closure_rate": 0.5,
    }
    assert by_category["service"]["closure_rate"] == 0.0
    assert by_category["general"]["closure_rate"] is None
    before = stack.bearer(token, "GET", "/api/v1/tickets/report?start=2026-01-01&end=2026-01-31")
    assert {c["opened"] for c in before.json()["categories"]} == {0}
    backwards = stack.bearer(token, "GET", "/api/v1/tickets/report?start=2026-02-01&end=2026-01-01")
    assert backwards.status == 400 and backwards.json()["error"]["field"] == "end"


def test_an_agent_opens_and_comments_on_tickets_of_customers_they_may_read(
    stack: ApiStack, token: str
) -> None:
    browser, csrf = stack.logged_in("li")

    def post(path: str, body: dict[str, Any]) -> Any:
        return browser.post_json(path, body, csrf=csrf)

    refused = post("/api/v1/tickets", {**COMPLAINT, "customer_id": ZHANG})
    assert refused.status == 403
    stack.access.grant("1001", ZHANG)  # the pop offered 张伟 to agent 1001
    mine = post("/api/v1/tickets", {**COMPLAINT, "customer_id": ZHANG}).json()
    assert mine["created_by"] == "li"
    assert post(f"/api/v1/tickets/{mine['id']}/comments", {"body": "回电"}).status == 200
    # a colleague's ticket for a customer li was never offered
    other = _open(stack, token, customer_id=LI)
    assert post(f"/api/v1/tickets/{other['id']}/comments", {"body": "x"}).status == 403
    assert browser.get(f"/api/v1/tickets/{other['id']}").status == 403
    assert browser.get(f"/api/v1/tickets/{mine['id']}").status == 200
    # the status machine, changes and links are a supervisor's
    transition = post(f"/api/v1/tickets/{mine['id']}/transition", {"to": "resolved"})
    assert transition.status == 403
    listing = browser.get("/api/v1/tickets")
    assert listing.status == 403 and "owner=li" in listing.json()["error"]["message"]
    assert [
        t["id"] for t in browser.get(f"/api/v1/tickets?customer={ZHANG}").json()["tickets"]
    ] == [mine["id"]]
    assert browser.get("/api/v1/tickets?owner=li").status == 200
    assert browser.get(f"/api/v1/tickets?customer={LI}").status == 403
    assert browser.get("/api/v1/tickets/report").status == 403
    unowned = post("/api/v1/tickets", COMPLAINT)  # no customer: theirs, so they reach it
    assert browser.get(f"/api/v1/tickets/{unowned.json()['id']}").status == 200


def test_a_supervisor_session_does_everything_but_needs_its_csrf_header(stack: ApiStack) -> None:
    browser, csrf = stack.logged_in("boss")
    assert browser.post_json("/api/v1/tickets", COMPLAINT).status == 403
    ticket = browser.post_json("/api/v1/tickets", COMPLAINT, csrf=csrf).json()
    patched = browser.request(
        "PATCH",
        f"/api/v1/tickets/{ticket['id']}",
        body=b'{"owner": "zhao"}',
        headers={"X-CSRF-Token": csrf, "Content-Type": "application/json"},
    )
    assert patched.status == 200 and patched.json()["owner"] == "zhao"
    assert browser.get("/api/v1/tickets/report").status == 200
