# -*- test-case-name: tests.web.ws.test_seat_socket -*-
"""The seat's websocket as a twisted.web resource (mounted at ``/ws/seat`` by the web tier).

autobahn schedules its own timers (opening and closing handshake timeouts, the heartbeat
pings) through its factory's ``_batched_timer``, on txaio's global reactor. The factory
here puts them on the injected clock instead, so that a test drives heartbeats with a
``task.Clock`` and production with the reactor, like every other timer in switchboard.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from autobahn.exception import PayloadExceededError
from autobahn.twisted.resource import WebSocketResource
from autobahn.twisted.websocket import WebSocketServerFactory
from autobahn.websocket.protocol import PreparedMessage
from twisted.internet.interfaces import IDelayedCall, IReactorTime
from twisted.web.resource import IResource

from switchboard.web.ws.outbox import Message
from switchboard.web.ws.ports import SeatFeed, SessionLookup
from switchboard.web.ws.seat_socket import SeatSocket

__all__ = ["ClockTimer", "SeatResource", "SeatSocketFactory", "seat_resource"]

# A client sends pings and nothing else: a bigger frame is not one of ours. autobahn
# bounds whole messages (many frames) in both directions with one figure: generous.
MAX_CLIENT_FRAME_BYTES = 4096
MAX_MESSAGE_BYTES = 1 << 20
# Each check of each socket is one database read (the sessions live there). Logout closes
# its sockets at once (``end_session``), so the check only catches what happens elsewhere:
# expiry, a user disabled from the command line (another process). Every 60 s costs
# 1,000 seats about 17 reads a second; every 15 s (the heartbeat) would cost 67.
SESSION_CHECK_S = 60.0


class ClockTimer:
    """What autobahn asks of ``factory._batched_timer``, on an injected clock."""

    def __init__(self, clock: IReactorTime) -> None:
        self._clock = clock

    def call_later(
        self, delay: float, func: Callable[..., Any], *args: Any, **kw: Any
    ) -> IDelayedCall:
        return self._clock.callLater(delay, func, *args, **kw)


class SeatSocketFactory(WebSocketServerFactory):
    protocol = SeatSocket  # type: ignore[assignment]  # Factory's hint wants a callable

    def __init__(
        self,
        feed: SeatFeed,
        sessions: SessionLookup,
        *,
        allowed_origin: str,
        clock: IReactorTime,
        max_buffered_messages: int,
        heartbeat_s: float,
        session_check_s: float,
    ) -> None:
        if heartbeat_s <= 0 or session_check_s <= 0:
            raise ValueError(
                f"heartbeat_s ({heartbeat_s}) and session_check_s ({session_check_s}) "
                "must be positive numbers of seconds"
            )
        super().__init__()
        self._batched_timer = ClockTimer(clock)
        self.feed, self.sessions, self.clock = feed, sessions, clock
        self.allowed_origin = allowed_origin
        self.max_buffered_messages = max_buffered_messages
        self.session_check_s = session_check_s
        self.sockets: set[SeatSocket] = set()
        # The last message framed, and its frame: the feed hands the same message object
        # to every socket of an agent (several tabs), so it is encoded and framed once.
        self._last: tuple[Message, PreparedMessage] | None = None
        # A ping every heartbeat_s; no pong (nor any data) within another heartbeat_s
        # and the peer is dead: autobahn drops the connection.
        self.setProtocolOptions(
            autoPingInterval=heartbeat_s,
            autoPingTimeout=heartbeat_s,
            maxFramePayloadSize=MAX_CLIENT_FRAME_BYTES,
            maxMessagePayloadSize=MAX_MESSAGE_BYTES,
            openHandshakeTimeout=10.0,
            closeHandshakeTimeout=2.0,
        )

    def prepared(self, message: Message) -> PreparedMessage:
        """``message`` as JSON text in a websocket frame (raises on what JSON cannot say,
        or beyond the message size limit)."""
        last = self._last
        if last is not None and last[0] is message:
            return last[1]
        payload = json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode()
        if len(payload) > MAX_MESSAGE_BYTES:
            raise PayloadExceededError(
                f"a {len(payload)}-byte message exceeds the limit of {MAX_MESSAGE_BYTES}"
            )
        frame = self.prepareMessage(payload)
        self._last = (message, frame)  # held: its id cannot be reused while we compare
        return frame

    def opened(self, socket: SeatSocket) -> None:
        self.sockets.add(socket)

    def closed(self, socket: SeatSocket) -> None:
        self.sockets.discard(socket)


class SeatResource(WebSocketResource):
    """The websocket resource, plus what the web tier may tell its open sockets."""

    def __init__(self, factory: SeatSocketFactory) -> None:
        super().__init__(factory)
        self.factory = factory

    def end_session(self, token: str) -> int:
        """Close at once the sockets opened with session ``token`` (on logout); how many.

        Without this call they close at their next session check anyway."""
        ending = [s for s in self.factory.sockets if s.token == token]
        for socket in ending:
            socket.end_session()
        return len(ending)


def seat_resource(
    feed: SeatFeed,
    sessions: SessionLookup,
    *,
    allowed_origin: str,
    clock: IReactorTime,
    max_buffered_messages: int = 256,
    heartbeat_s: float = 15.0,
    session_check_s: float = SESSION_CHECK_S,
) -> IResource:
    """The seat's websocket resource (see :mod:`switchboard.web.ws.seat_socket`).

    Args:
        feed: each agent's messages (``switchboard.seat``'s ``LiveSeatFeed``).
        sessions: the user behind an ``sb_session`` cookie (``app.web.sessions``).
        allowed_origin: the only Origin admitted, the ``[web] origin`` setting.
        clock: the reactor (a ``task.Clock`` in tests) for heartbeats and session checks.
        max_buffered_messages: messages one slow socket may hold before its backlog is
            dropped for a fresh snapshot.
        heartbeat_s: seconds between the server's pings; a peer silent for another
            ``heartbeat_s`` after one is dropped.
        session_check_s: seconds between looks at each socket's session (expiry, a user
            disabled by another process); a logout in this process closes at once.
    """
    factory = SeatSocketFactory(
        feed,
        sessions,
        allowed_origin=allowed_origin,
        clock=clock,
        max_buffered_messages=max_buffered_messages,
        heartbeat_s=heartbeat_s,
        session_check_s=session_check_s,
    )
    return SeatResource(factory)
