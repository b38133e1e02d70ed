# -*- test-case-name: tests.web.wallboard.test_socket -*-
"""``/ws/wallboard``: the seat's websocket transport, reused whole, for supervisors.

The seat transport (:mod:`switchboard.web.ws`) already does everything a wallboard socket
needs (the session cookie and Origin checks at the upgrade, snapshot then deltas, the
bounded outbox with a fresh snapshot after an overflow, heartbeats, the session re-check
and close on logout). It serves "the messages of one key": for a seat the key is the
agent id. Here :class:`Viewers` turns a supervisor's or admin's session into the key of
the queues they may see (:func:`~switchboard.wallboard.feed.viewer_key`), and any other
user into none, which the transport refuses; a supervisor whose queues change is closed
at the next session check and reconnects with the new key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn, Protocol

from twisted.internet.interfaces import IReactorTime
from twisted.web.resource import IResource

from switchboard.accounts.model import Role, User
from switchboard.wallboard.feed import viewer_key
from switchboard.web.ws.admission import NO_SEAT
from switchboard.web.ws.ports import SeatFeed
from switchboard.web.ws.resource import SeatResource, SeatSocketFactory
from switchboard.web.ws.seat_socket import SeatSocket

__all__ = ["NOT_A_SUPERVISOR", "Viewers", "wallboard_resource"]

NOT_A_SUPERVISOR = (
    "the wallboard is for supervisors and administrators: ask an administrator for the role"
)


def key_for(user: User) -> str | None:
    """The feed key of what ``user`` may see on the wallboard (None: not allowed)."""
    if user.role is Role.ADMIN:
        return viewer_key(None)
    if user.role is Role.SUPERVISOR:
        return viewer_key(user.queues)
    return None


@dataclass(frozen=True, slots=True)
class Viewer:
    agent_id: str | None  # the transport's name for the key it subscribes with


class UserSessions(Protocol):
    """``switchboard.accounts.sessions.Sessions``, as far as the wallboard asks it."""

    async def user_for_token(self, token: str) -> User | None: ...


class Viewers:
    """The sessions, as the seat transport asks them, answering with wallboard keys."""

    def __init__(self, sessions: UserSessions) -> None:
        self._sessions = sessions

    async def user_for_token(self, token: str) -> Viewer | None:
        user = await self._sessions.user_for_token(token)
        return None if user is None else Viewer(key_for(user))


class WallboardSocket(SeatSocket):
    def _refuse(self, reason: str) -> NoReturn:
        super()._refuse(NOT_A_SUPERVISOR if reason == NO_SEAT else reason)


class WallboardSocketFactory(SeatSocketFactory):
    protocol = WallboardSocket  # type: ignore[assignment]


def wallboard_resource(
    feed: SeatFeed,
    sessions: UserSessions,
    *,
    allowed_origin: str,
    clock: IReactorTime,
    max_buffered_messages: int = 64,
    heartbeat_s: float = 15.0,
) -> IResource:
    """The wallboard's websocket resource over ``feed`` (a ``WallboardFeed``).

    ``max_buffered_messages`` is smaller than a seat's: a wallboard's messages are whole
    queues, so a short backlog already means a peer far behind, better served a snapshot.
    """
    factory = WallboardSocketFactory(
        feed,
        Viewers(sessions),
        allowed_origin=allowed_origin,
        clock=clock,
        max_buffered_messages=max_buffered_messages,
        heartbeat_s=heartbeat_s,
        session_check_s=heartbeat_s,
    )
    return SeatResource(factory)
