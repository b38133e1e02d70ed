"""Calls and customers through the REST API: the recent list with its filters and pages,
one call with its legs, IVR path and disposition, customers by id or identifier."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from switchboard.accounts.model import Role
from switchboard.crm.directory import add_customer
from switchboard.ivr_flows.records import IvrSession
from switchboard.queue.store.records import CallVisitRow, OfferRow
from switchboard.seat.models import SeatDisposition
from tests.web.api.helpers import ApiStack, make_api_stack

T0 = 1_800_000_000.0


def _at(offset: float) -> datetime:
    return datetime.fromtimestamp(T0 + offset, UTC)


def _visit(call_id: str, queue: str, offset: float, **kw: object) -> CallVisitRow:
    fields: dict[str, object] = {
        "call_id": call_id,
        "queue": queue,
        "entered_at": _at(offset),
        "enqueued_at": _at(offset),
        "priority": 0,
        "caller_number": "5550101",
        "path_ref": "",
        "language": "zh",
        "customer_tier": 0,
        "answered_at": None,
        "waited_s": None,
        "via_callback": False,
        "agent_id": "",
        "outcome": "",
        "to_queue": "",
    }
    fields.update(kw)
    return CallVisitRow(**fields)


def _calls(session: Session) -> None:
    session.add_all(
        [
            _visit(
                "c1",
                "sales",
                0,
                answered_at=_at(8),
                waited_s=8.0,
                agent_id="1001",
                path_ref="ivr-c1",
                talk_s=60.0,
            ),
            _visit("c2", "sales", 100, outcome="abandoned", left_waited_s=30.0),
            _visit("c3", "support", 200, outcome="moved", to_queue="sales"),
            _visit("c3", "sales", 230, answered_at=_at(240), waited_s=10.0, agent_id="1001"),
            OfferRow(
                call_id="c1",
                queue="sales",
                agent_id="1001",
                offered_at=_at(5),
                ended_at=_at(8),
                result="answered",
                callback_attempt=0,
            ),
            IvrSession(
                call_id="ivr-c1",
                flow="main",
                started_at=_at(-20),
                outcome="queued",
                language="zh",
                queue="sales",
                digits="1",
                trace=[
                    {"flow": "main", "step": "welcome", "event": "said"},
                    {"flow": "main", "step": "menu", "event": "asked"},
                    {"flow": "main", "step": "menu", "event": "pressed"},
                    {"flow": "main", "step": "to-sales", "event": "queued"},
                ],
            ),
            SeatDisposition(
                call_id="c1",
                agent_id="1001",
                queue="sales",
                code="sale",
                note="two boxes",
                at=_at(90),
            ),
        ]
    )
    add_customer(session, "Zhang Wei", {"phone": "555 0101"}, vip_level=2)


@pytest.fixture
def stack(tmp_path: Path) -> ApiStack:
    s = make_api_stack(tmp_path / "api")
    s.run(_calls)
    s.add_user("boss", Role.SUPERVISOR, queues=("support",))
    return s


def test_recent_calls_newest_first_with_pages(stack: ApiStack) -> None:
    token = stack.token("read:calls")
    first = stack.bearer(token, "GET", "/api/v1/calls?limit=2").json()
    assert [(c["call_id"], c["queue"]) for c in first["calls"]] == [
        ("c3", "sales"),
        ("c3", "support"),
    ]
    assert (first["total"], first["next_offset"]) == (4, 2)
    rest = stack.bearer(token, "GET", "/api/v1/calls?limit=2&offset=2").json()
    assert [c["call_id"] for c in rest["calls"]] == ["c2", "c1"]
    assert rest["next_offset"] is None
    assert rest["calls"][1]["outcome"] == "answered"


def test_recent_calls_filtered(stack: ApiStack) -> None:
    token = stack.token("read:calls")

    def ids(query: str) -> list[str]:
        return [
            c["call_id"]
            for c in stack.bearer(token, "GET", f"/api/v1/calls?{query}").json()["calls"]
        ]

    assert ids("outcome=abandoned") == ["c2"]
    assert ids("queue=support") == ["c3"]
    assert ids("agent_id=1001&outcome=answered") == ["c3", "c1"]
    assert ids(f"since={T0 + 50}&until={T0 + 210}") == ["c3", "c2"]


def test_bad_filter_names_the_field(stack: ApiStack) -> None:
    answer = stack.bearer(stack.token("read:calls"), "GET", "/api/v1/calls?limit=5000")
    assert answer.status == 400 and answer.json()["error"]["field"] == "limit"


def test_one_call_with_legs_ivr_path_and_disposition(stack: ApiStack) -> None:
    call = stack.bearer(stack.token("read:calls"), "GET", "/api/v1/calls/c1").json()
    assert call["legs"][0]["agent_id"] == "1001"
    assert call["legs"][0]["offers"] == [
        {"agent_id": "1001", "offered_at": T0 + 5, "ended_at": T0 + 8, "result": "answered"}
    ]
    assert call["ivr"]["steps"] == ["main/welcome", "main/menu", "main/to-sales"]
    assert call["ivr"]["digits"] == "1"
    assert call["disposition"]["code"] == "sale" and call["disposition"]["note"] == "two boxes"
    assert call["recording"] == "/var/spool/asterisk/monitor/sales-c1.wav"


def test_a_moved_call_has_a_leg_per_queue(stack: ApiStack) -> None:
    call = stack.bearer(stack.token("read:calls"), "GET", "/api/v1/calls/c3").json()
    assert [(leg["queue"], leg["outcome"]) for leg in call["legs"]] == [
        ("support", "moved"),
        ("sales", "answered"),
    ]
    assert call["recording"] is None and call["ivr"] is None and call["disposition"] is None


def test_supervisor_reads_only_calls_of_their_queues(stack: ApiStack) -> None:
    browser, _ = stack.logged_in("boss")
    assert [c["call_id"] for c in browser.get("/api/v1/calls").json()["calls"]] == ["c3"]
    assert browser.get("/api/v1/calls/c1").status == 403
    assert browser.get("/api/v1/calls/c3").status == 200
    assert browser.get("/api/v1/calls/none").status == 404


def test_customers_by_identifier_and_id(stack: ApiStack) -> None:
    token = stack.token("read:calls")
    found = stack.bearer(token, "GET", "/api/v1/customers?q=5550101").json()["customers"]
    assert [c["name"] for c in found] == ["Zhang Wei"]
    one = stack.bearer(token, "GET", f"/api/v1/customers/{found[0]['id']}").json()
    assert one["vip_level"] == 2 and one["identifiers"] == [{"kind": "phone", "value": "5550101"}]
    assert stack.bearer(token, "GET", "/api/v1/customers/999").status == 404
    missing_q = stack.bearer(token, "GET", "/api/v1/customers")
    assert missing_q.status == 400 and missing_q.json()["error"]["field"] == "q"
