# -*- test-case-name: tests.seat.test_feed,tests.seat.test_actions -*-
"""What the web tier asks of the seat domain (issue 12's contract), and its one error.

:class:`SeatFeed` is what the websocket transport reads: a stream of JSON-ready messages
for one agent, and the full picture on (re)connect. :class:`SeatActions` is what the seat's
REST endpoints call. Both speak plain dicts in the forms of ``docs/websocket-api.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final, Literal, Protocol

from switchboard.accounts.model import User

__all__ = [
    "RECORDING_ACTIONS",
    "VERSION",
    "ErrorCode",
    "RecordingControl",
    "SeatActionError",
    "SeatActions",
    "SeatFeed",
]

VERSION: Final = 1  # the "v" of every message; a change of form is a new version

ErrorCode = Literal["bad_request", "forbidden", "not_found", "conflict", "unavailable"]
RECORDING_ACTIONS: Final = ("start", "pause", "resume")


class SeatActionError(Exception):
    """A refused seat action; ``code`` maps to an HTTP status (400, 403, 404, 409, 503),
    ``field`` names the request field at fault when there is one."""

    def __init__(self, code: ErrorCode, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "field": self.field}


class SeatFeed(Protocol):
    def subscribe(
        self, agent_id: str, sink: Callable[[dict[str, Any]], None]
    ) -> Callable[[], None]:
        """Deliver each delta message for ``agent_id`` to ``sink``; returns unsubscribe."""
        ...

    async def snapshot(self, agent_id: str) -> dict[str, Any]:
        """The full ``snapshot`` message for ``agent_id``."""
        ...


class SeatActions(Protocol):
    async def log_in(self, user: User) -> dict[str, Any]: ...

    async def ready(self, user: User) -> dict[str, Any]: ...

    async def pause(self, user: User, reason: str) -> dict[str, Any]: ...

    async def log_out(self, user: User) -> dict[str, Any]: ...

    async def finish_wrapup(self, user: User) -> dict[str, Any]: ...

    async def save_disposition(
        self, user: User, call_id: str, code: str, note: str
    ) -> dict[str, Any]: ...

    async def customer(self, user: User, customer_id: int, address: str = "") -> dict[str, Any]:
        """The customer's record, if this user's seat may read it; the read is logged (who,
        when, which customer, ``address``)."""
        ...

    async def search_customers(
        self, user: User, query: str, address: str = ""
    ) -> list[dict[str, Any]]:
        """The customers found (each then readable by this seat; each listed one logged)."""
        ...

    async def create_customer(self, user: User, fields: Mapping[str, str]) -> dict[str, Any]: ...

    async def reveal(self, user: User, call_id: str, field: str, address: str) -> dict[str, Any]:
        """The full value behind a masked ``field`` of the card of a call offered to this
        user's agent, written to the audit (who, when, call, field, ``address``) first."""
        ...

    async def recording(self, user: User, call_id: str, action: str) -> dict[str, Any]:
        """Start, pause or resume the recording of this user's agent's own answered call
        (one of :data:`RECORDING_ACTIONS`). The page learns the outcome from the
        ``recording`` message, which follows what Asterisk reports."""
        ...


class RecordingControl(Protocol):
    """What the seat asks of the recorder (``switchboard.recorder.seat_link``)."""

    def agent_of(self, call_id: str) -> str | None:
        """The agent who answered ``call_id``, while it lasts; None for another call."""
        ...

    async def change(self, call_id: str, action: str, by: str) -> None:
        """Carry out ``action`` (start, pause, resume) for user ``by``; refusals are
        :class:`SeatActionError` with a message for the agent."""
        ...
