# -*- test-case-name: tests.web.ws.test_seat_socket -*-
"""What the seat's websocket transport needs from its neighbours, as structural types.

The real classes live elsewhere (``switchboard.accounts`` for users and sessions,
``switchboard.seat`` for the feed); these Protocols name only what the transport uses, so
``app.py`` can hand it those objects and tests can hand it small fakes.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from switchboard.seat.ports import SeatFeed

__all__ = ["SeatFeed", "SeatUser", "SessionLookup", "SessionSockets"]


class SeatUser(Protocol):
    """A logged-in user, as far as the websocket cares: the agent they sit as, if any."""

    @property
    def agent_id(self) -> str | None: ...


class SessionLookup(Protocol):
    """``switchboard.accounts.sessions.Sessions``: the user behind a session cookie."""

    async def user_for_token(self, token: str) -> SeatUser | None:
        """None when the token is unknown, expired, logged out or its user disabled."""
        ...


@runtime_checkable
class SessionSockets(Protocol):
    """What the web tier tells the seat's websocket (``SeatResource``): a session ended."""

    def end_session(self, token: str) -> int:
        """Close the sockets opened with ``token`` at once; how many were closed."""
        ...
