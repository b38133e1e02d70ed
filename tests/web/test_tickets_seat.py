"""``POST /api/v1/seat/tickets``: an agent opens a ticket from a call on their card, the
call linked and the customer named only when theirs to read; the card is told of it.
Real :class:`SeatTickets` over the web tier's migrated SQLite, on a fake clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from switchboard.config import CrmSettings
from switchboard.crm.directory import add_customer
from switchboard.crm.ticket_rows import TicketLinkRow, TicketRow
from switchboard.crm.tickets import TicketPolicy
from switchboard.queue.core.decisions import CallOffered, CallQueued
from switchboard.queue.store.records import record_facts
from switchboard.seat.access import CustomerAccess
from switchboard.seat.tickets import SeatTickets
from switchboard.web.tickets_seat import seat_ticket_routes
from tests.web.stack import Stack, make_stack

CALL = "1800000000.7"
POLICY = TicketPolicy.from_settings(CrmSettings())


class Desk:
    """The seat's side: which calls are on whose card, whom they may read, what was shown."""

    def __init__(self) -> None:
        self.cards: set[tuple[str, str]] = {("1001", CALL)}
        self.access = CustomerAccess()
        self.shown: list[tuple[str, str, dict[str, Any]]] = []
        self.stack: Stack | None = None

    def tickets(self) -> SeatTickets:
        assert self.stack is not None
        return SeatTickets(
            self.stack.database,
            POLICY,
            self.stack.clock,
            self.access,
            lambda agent, call: (agent, call) in self.cards,
            lambda agent, call, ticket: self.shown.append((agent, call, ticket)),
        )


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    desk = Desk()
    routes: list[Any] = []

    def add(web: Any) -> None:  # the desk needs the stack's database: made after it
        routes.append(web)

    stack = make_stack(tmp_path / "web", extra_routes=(add,))
    desk.stack = stack
    seat_ticket_routes(desk.tickets())(routes[0])
    stack.add_user("wang", agent_id="1001")
    stack.add_user("li", agent_id="1002")
    stack.add_user("boss", agent_id=None)
    yield desk
    stack.database.close()


def _run(stack: Stack, work: Any) -> Any:
    found: list[Any] = []
    stack.database.run(work).addCallback(found.append)
    return found[0]


def _customer(desk: Desk) -> int:
    assert desk.stack is not None
    return int(_run(desk.stack, lambda s: add_customer(s, "张伟", {"phone": "13812345678"}).id))


def _post(desk: Desk, user: str, body: dict[str, Any], *, csrf: bool = True) -> Any:
    assert desk.stack is not None
    browser, token = desk.stack.logged_in(user)
    return browser.post_json("/api/v1/seat/tickets", body, csrf=token if csrf else None)


def test_a_ticket_is_opened_from_the_call_with_the_call_and_customer_linked(desk: Desk) -> None:
    assert desk.stack is not None
    customer = _customer(desk)
    desk.access.grant("1001", customer)
    answer = _post(
        desk,
        "wang",
        {
            "call_id": CALL,
            "customer_id": customer,
            "category": "quality",
            "note": "空调不制冷\n第二次",
        },
    )
    assert answer.status == 200, answer.text
    ticket = answer.json()["ticket"]
    assert (ticket["type"], ticket["status"], ticket["subject"]) == (
        "complaint",
        "open",
        "空调不制冷",
    )
    rows = _run(
        desk.stack,
        lambda s: [
            (t.customer_id, t.owner, t.created_by, t.description, t.category, t.priority)
            for t in s.scalars(select(TicketRow))
        ],
    )
    assert rows == [(customer, "wang", "wang", "空调不制冷\n第二次", "quality", "normal")]
    links = _run(desk.stack, lambda s: [(k.kind, k.ref) for k in s.scalars(select(TicketLinkRow))])
    assert links == [("call", CALL)]
    assert desk.shown == [("1001", CALL, ticket)]  # onto the card's open tickets


def test_an_unknown_caller_gets_a_ticket_too_named_after_its_category(desk: Desk) -> None:
    answer = _post(desk, "wang", {"call_id": CALL, "customer_id": None, "category": "emergency"})
    assert answer.status == 200, answer.text
    assert answer.json()["ticket"]["subject"] == f"突发 · {CALL}"
    named = _post(desk, "wang", {"call_id": CALL, "category": "general", "subject": "综合 · 139"})
    assert named.json()["ticket"]["subject"] == "综合 · 139"


def test_a_customer_the_agent_may_not_read_is_refused(desk: Desk) -> None:
    customer = _customer(desk)  # never offered to 1001 nor found by their search
    answer = _post(desk, "wang", {"call_id": CALL, "customer_id": customer, "category": "quality"})
    assert answer.status == 403
    assert answer.json()["error"]["field"] == "customer_id"
    assert desk.shown == []


def test_a_call_not_offered_to_the_agent_is_refused(desk: Desk) -> None:
    answer = _post(desk, "li", {"call_id": CALL, "category": "quality"})
    assert answer.status == 403
    assert "not offered to you (1002)" in answer.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"call_id": CALL, "category": "weather"}, "category"),
        ({"call_id": CALL, "category": "quality", "type": "gossip"}, "type"),
        ({"call_id": CALL, "category": "quality", "customer_id": "7 OR 1=1"}, "customer_id"),
        ({"call_id": "", "category": "quality"}, "call_id"),
        ({"call_id": CALL, "category": "quality", "note": "x" * 2001}, "note"),
        ({"call_id": CALL}, "category"),
        ({"call_id": CALL, "category": "quality", "subject": "长" * 201}, "subject"),
    ],
)
def test_bad_input_is_named(desk: Desk, body: dict[str, Any], field: str) -> None:
    answer = _post(desk, "wang", body)
    assert answer.status == 400, answer.text
    assert answer.json()["error"]["field"] == field


def test_without_the_csrf_header_or_a_seat_nothing_is_opened(desk: Desk) -> None:
    assert desk.stack is not None
    assert _post(desk, "wang", {"call_id": CALL, "category": "quality"}, csrf=False).status == 403
    assert _post(desk, "boss", {"call_id": CALL, "category": "quality"}).status == 403
    assert _run(desk.stack, lambda s: list(s.scalars(select(TicketRow)))) == []


def test_the_form_offers_the_types_and_categories(desk: Desk) -> None:
    assert desk.stack is not None
    browser, _ = desk.stack.logged_in("wang")
    form = browser.get("/api/v1/seat/tickets/form").json()
    assert form["default_type"] == "complaint" and "follow_up" in form["types"]
    assert form["categories"][0] == {"code": "quality", "label": "质量"}


def test_after_a_restart_the_stored_offer_says_whose_call_it_was(desk: Desk) -> None:
    assert desk.stack is not None
    desk.cards.clear()  # a restart forgot the cards
    at = desk.stack.clock.seconds() - 60
    facts = [CallQueued(CALL, "sales", at, at), CallOffered(CALL, "sales", "1001", at + 5)]
    _run(desk.stack, lambda s: record_facts(s, facts))
    assert _post(desk, "wang", {"call_id": CALL, "category": "quality"}).status == 200
    assert _post(desk, "li", {"call_id": CALL, "category": "quality"}).status == 403
