"""``/api/v1/seat/*``: the seat page's JSON calls, each onto one ``SeatActions`` method.

Every call needs a session whose user has a seat; the state changes need the CSRF header
too (:class:`~switchboard.web.gate.Gate`). Answers are what the seat domain returns.
"""

# test-case-name: tests.web.test_seat_api

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from klein import Klein
from twisted.web.server import Request

from switchboard.accounts.model import User
from switchboard.web.gate import Gate, Refusal, arg, json_body, json_route, text_field
from switchboard.web.seat_port import SeatActions

__all__ = ["add_seat_api"]

PREFIX = "/api/v1/seat"
Route = TypeVar("Route", bound=Callable[..., Any])


def add_seat_api(app: Klein, gate: Gate, seat: SeatActions | None) -> None:
    # Function names are klein endpoint names: unique across the app, hence seat_*.
    def actions() -> SeatActions:
        if seat is None:
            raise Refusal("unavailable", "the seat service is not running in this process")
        return seat

    def post(path: str) -> Callable[[Route], Route]:
        route: Callable[[Route], Route] = app.route(PREFIX + path, methods=["POST"])
        return route

    @app.route(PREFIX + "/session", methods=["GET"])
    @json_route
    async def seat_session(request: Request) -> Any:
        # Cheap and side-effect free: the page asks it when its socket will not reconnect,
        # because a refused upgrade (403) looks like a network failure to a script. 401: log
        # in again; 403: no seat; 200: the session is fine, so the network is at fault.
        user = await gate.seat_user(request)
        return {
            "username": user.username,
            "display_name": user.display_name,
            "agent_id": user.agent_id,
            "language": user.language,
        }

    @post("/pause")
    @json_route
    async def seat_pause(request: Request) -> Any:
        user = await gate.seat_user(request)
        reason = text_field(json_body(request), "reason")
        return await actions().pause(user, reason)

    # The body-less state changes: each route calls the method of the same name.
    for path, name in (
        ("/login", "log_in"),
        ("/ready", "ready"),
        ("/logout", "log_out"),
        ("/finish-wrapup", "finish_wrapup"),
    ):
        app.route(PREFIX + path, methods=["POST"], endpoint=f"seat_{name}")(
            json_route(_state_change(gate, actions, name))
        )

    @post("/calls/<call_id>/disposition")
    @json_route
    async def seat_disposition(request: Request, call_id: str) -> Any:
        user = await gate.seat_user(request)
        body = json_body(request)
        code = text_field(body, "code")
        note = text_field(body, "note", required=False)
        return await actions().save_disposition(user, call_id, code, note)

    @post("/calls/<call_id>/reveal")
    @json_route
    async def seat_reveal(request: Request, call_id: str) -> Any:
        user = await gate.seat_user(request)
        field = text_field(json_body(request), "field")
        address = request.getClientAddress().host or ""
        return await actions().reveal(user, call_id, field, address)

    # -- the call's recording: start / pause / resume (the agent's own answered call) ----
    @post("/calls/<call_id>/recording/<action>")
    @json_route
    async def seat_recording(request: Request, call_id: str, action: str) -> Any:
        user = await gate.seat_user(request)
        return await actions().recording(user, call_id, action)

    @app.route(PREFIX + "/customers/<int:customer_id>", methods=["GET"])
    @json_route
    async def seat_customer(request: Request, customer_id: int) -> Any:
        user = await gate.seat_user(request)
        address = request.getClientAddress().host or ""
        return await actions().customer(user, customer_id, address)

    @app.route(PREFIX + "/customers", methods=["GET"])
    @json_route
    async def seat_search(request: Request) -> Any:
        user = await gate.seat_user(request)
        query = arg(request, "q").strip()
        if not query:
            raise Refusal("bad_request", "say what to look for: ?q=<number, name or id>", "q")
        address = request.getClientAddress().host or ""
        return await actions().search_customers(user, query, address)  # a JSON array

    @post("/customers")
    @json_route
    async def seat_create(request: Request) -> Any:
        user = await gate.seat_user(request)
        body = json_body(request)
        fields = body.get("fields", body)
        if not isinstance(fields, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in fields.items()
        ):
            raise Refusal("bad_request", "fields must be an object of strings", "fields")
        return await actions().create_customer(user, fields)


def _state_change(
    gate: Gate, actions: Callable[[], SeatActions], name: str
) -> Callable[[Request], Awaitable[Any]]:
    async def change(request: Request) -> Any:
        user = await gate.seat_user(request)
        method: Callable[[User], Awaitable[dict[str, Any]]] = getattr(actions(), name)
        return await method(user)

    return change
