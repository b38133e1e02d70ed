# -*- test-case-name: tests.web.test_tickets_seat -*-
"""The seat's ticket calls: ``GET /api/v1/seat/tickets/form`` (what the card's "New
ticket" form offers) and ``POST /api/v1/seat/tickets`` (open one from the call, linked).

A seat user only, the POST with the CSRF header, as every ``/api/v1/seat/*`` call; the
checks (the call offered to them, the customer theirs to read) are
:class:`~switchboard.seat.tickets.SeatTickets`'.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from twisted.web.server import Request

from switchboard.seat.tickets import SeatTickets
from switchboard.web.gate import Refusal, json_body, json_route, text_field

if TYPE_CHECKING:
    from switchboard.web.routes import WebApp

__all__ = ["seat_ticket_routes"]

NOTE_LIMIT = 2000


def seat_ticket_routes(tickets: SeatTickets | None) -> Callable[[WebApp], None]:
    def desk() -> SeatTickets:
        if tickets is None:
            raise Refusal("unavailable", "tickets are not served here: check [crm] in the log")
        return tickets

    def add(web: WebApp) -> None:
        gate = web._gate

        async def ticket_form(request: Request) -> Any:
            await gate.seat_user(request)
            return desk().form()

        async def open_ticket(request: Request) -> Any:
            user = await gate.seat_user(request)
            body = json_body(request)
            customer = body.get("customer_id")
            if customer is not None and (type(customer) is not int or customer < 1):
                raise Refusal(
                    "bad_request", "customer_id: a customer's number, or null", "customer_id"
                )
            note = text_field(body, "note", required=False)
            if len(note) > NOTE_LIMIT:
                raise Refusal(
                    "bad_request", f"the note is limited to {NOTE_LIMIT} characters", "note"
                )
            return await desk().open_from_call(
                user,
                call_id=text_field(body, "call_id").strip(),
                customer_id=customer,
                type=text_field(body, "type", required=False).strip(),
                category=text_field(body, "category").strip(),
                priority=text_field(body, "priority", required=False).strip(),
                note=note,
                subject=text_field(body, "subject", required=False),
            )

        route = web.app.route
        route("/api/v1/seat/tickets/form", methods=["GET"], endpoint="seat_ticket_form")(
            json_route(ticket_form)
        )
        route("/api/v1/seat/tickets", methods=["POST"], endpoint="seat_open_ticket")(
            json_route(open_ticket)
        )

    return add
