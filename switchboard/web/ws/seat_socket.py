# -*- test-case-name: tests.web.ws.test_seat_socket -*-
"""One agent's seat socket: admitted at the upgrade, then the feed's messages, bounded.

The HTTP upgrade is admitted by the ``sb_session`` cookie, the Origin header and the user's
seat (else HTTP 403 with the reason). Once open, the socket subscribes to its own agent's
deltas, sends the snapshot, then each delta (the :class:`~.outbox.Outbox` decides what is
written and what waits). The socket is the transport's producer: the transport pauses it
when its buffer is full (a slow peer) and resumes it when drained, so a slow peer costs
at most ``max_buffered_messages`` held messages and never delays another socket.
The session is looked up again every ``session_check_s``; when it has ended (logout,
expiry, disabled user) the socket is closed with code 4001.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, NoReturn

import structlog
from autobahn.exception import PayloadExceededError
from autobahn.twisted.websocket import WebSocketServerProtocol
from autobahn.websocket.types import ConnectionDeny, ConnectionRequest
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IDelayedCall, IPushProducer
from twisted.python.failure import Failure
from zope.interface import implementer

from switchboard.web.ws.admission import (
    NO_SEAT,
    NO_SESSION,
    SESSIONS_UNAVAILABLE,
    UNKNOWN_SESSION,
    origin_refusal,
    session_token,
)
from switchboard.web.ws.outbox import Message, Outbox
from switchboard.web.ws.ports import SeatUser

if TYPE_CHECKING:
    from switchboard.web.ws.resource import SeatSocketFactory

__all__ = ["SESSION_ENDED", "SeatSocket"]

log = structlog.get_logger(__name__)

VERSION = 1
SESSION_ENDED = 4001  # close code: log in again
FEED_FAILED = 4002  # close code: the snapshot could not be built; the page reconnects


def _error(code: str, message: str) -> Message:
    return {"v": VERSION, "type": "error", "code": code, "message": message}


@implementer(IPushProducer)
class SeatSocket(WebSocketServerProtocol):
    factory: SeatSocketFactory

    _agent_id: str | None = None
    _token: str = ""
    _outbox: Outbox | None = None
    _unsubscribe: Callable[[], None] | None = None
    _session_check: IDelayedCall | None = None
    _closed = False

    # ---- upgrade -------------------------------------------------------------------------

    # autobahn waits on a Deferred from onConnect (txaio.as_future); its hint omits it.
    def onConnect(self, request: ConnectionRequest) -> Deferred[None]:  # type: ignore[override]
        return Deferred.fromCoroutine(self._admit(request))

    async def _admit(self, request: ConnectionRequest) -> None:
        refusal = origin_refusal(request.headers.get("origin"), self.factory.allowed_origin)
        if refusal is not None:
            self._refuse(refusal)
        token = session_token(request.headers)
        if token is None:
            self._refuse(NO_SESSION)
        try:
            user = await self.factory.sessions.user_for_token(token)
        except Exception as exc:  # the store is down: not the user's fault, not a 500
            log.error("seat_session_lookup_failed", peer=self.peer, error=str(exc))
            raise ConnectionDeny(ConnectionDeny.SERVICE_UNAVAILABLE, SESSIONS_UNAVAILABLE) from exc
        if self._closed:  # the peer left during the lookup; autobahn would open it anyway
            raise ConnectionDeny(ConnectionDeny.BAD_REQUEST, "the client left")
        if user is None:
            self._refuse(UNKNOWN_SESSION)
        if user.agent_id is None:
            self._refuse(NO_SEAT)
        self._token, self._agent_id = token, user.agent_id

    def _refuse(self, reason: str) -> NoReturn:
        log.info("seat_socket_refused", peer=self.peer, reason=reason)
        raise ConnectionDeny(ConnectionDeny.FORBIDDEN, reason)

    # ---- open: snapshot, then deltas -----------------------------------------------------

    def onOpen(self) -> None:
        assert self._agent_id is not None  # admitted
        self._outbox = Outbox(self.factory.max_buffered_messages)
        # twisted.web's HTTPChannel stays the transport's producer after the takeover;
        # only one may be registered, and ours is the one that must hear of a full buffer.
        with contextlib.suppress(RuntimeError):  # in-memory transports refuse an empty one
            self.unregisterProducer()
        self.registerProducer(self, True)
        # Subscribe before the snapshot: a delta that races it is held and follows it.
        self._unsubscribe = self.factory.feed.subscribe(self._agent_id, self._deliver)
        self.factory.opened(self)
        log.info("seat_socket_opened", agent_id=self._agent_id, peer=self.peer)
        self._fetch_snapshot()
        self._schedule_session_check()

    def _deliver(self, message: Message) -> None:
        if self._outbox is not None and not self._closed and self._outbox.push(message):
            self._write(message)

    def _fetch_snapshot(self) -> None:
        assert self._agent_id is not None
        done = Deferred.fromCoroutine(self.factory.feed.snapshot(self._agent_id))
        done.addCallbacks(self._snapshot_arrived, self._snapshot_failed)
        done.addErrback(self._unexpected, "seat_snapshot_delivery_failed")

    def _snapshot_arrived(self, snapshot: Message) -> None:
        if self._closed or self._outbox is None:
            return
        if self._outbox.snapshot_arrived(snapshot):
            self._flush()
        else:  # deltas were dropped while it was built: it may be older than they were
            self._fetch_snapshot()

    def _snapshot_failed(self, failure: Failure) -> None:
        log.error("seat_snapshot_failed", agent_id=self._agent_id, error=str(failure.value))
        if not self._closed:
            self.sendClose(FEED_FAILED, "the seat's state could not be read: reconnect")

    def _flush(self) -> None:
        assert self._outbox is not None
        while not self._closed and (message := self._outbox.next_to_write()) is not None:
            self._write(message)  # may pause us: next_to_write then answers None

    def _write(self, message: Message) -> None:
        # Called from the feed's publish: whatever happens here must not reach the feed.
        if self.state != self.STATE_OPEN:
            return  # closing: the page reconnects and gets a snapshot
        try:
            self.sendPreparedMessage(self.factory.prepared(message))
        except (PayloadExceededError, TypeError, ValueError) as exc:  # a feed bug: say so
            log.error(
                "seat_message_not_sent",
                agent_id=self._agent_id,
                type=message.get("type"),
                error=str(exc),
            )

    # ---- the transport's producer: a full buffer pauses, a drained one resumes ------------

    def pauseProducing(self) -> None:
        if self._outbox is not None:
            self._outbox.pause()

    def resumeProducing(self) -> None:
        if self._outbox is None or self._closed:
            return
        if self._outbox.resume():
            log.info("seat_backlog_dropped", agent_id=self._agent_id, times=self._outbox.overflows)
            self._fetch_snapshot()
        else:
            self._flush()

    def stopProducing(self) -> None:
        self._end()

    # ---- client messages -----------------------------------------------------------------

    def onMessage(self, payload: bytes, isBinary: bool) -> None:
        kind = None
        if not isBinary:
            with contextlib.suppress(ValueError):
                decoded = json.loads(payload)
                kind = decoded.get("type") if isinstance(decoded, dict) else None
        if kind == "ping":
            self._deliver({"v": VERSION, "type": "pong"})
        else:
            self._deliver(
                _error(
                    "unknown_message",
                    'the seat socket takes only {"type":"ping"} (JSON text); '
                    "actions go through POST /api/v1/seat/...",
                )
            )

    # ---- session re-check ----------------------------------------------------------------

    def _schedule_session_check(self) -> None:
        self._session_check = self.factory.clock.callLater(
            self.factory.session_check_s, self._check_session
        )

    def _check_session(self) -> None:
        self._session_check = None
        done = Deferred.fromCoroutine(self.factory.sessions.user_for_token(self._token))
        done.addCallbacks(self._session_checked, self._session_check_failed)
        done.addErrback(self._unexpected, "seat_session_check_crashed")

    def _session_checked(self, user: SeatUser | None) -> None:
        if self._closed:
            return
        if user is None or user.agent_id != self._agent_id:
            self.end_session()
        else:
            self._schedule_session_check()

    def _session_check_failed(self, failure: Failure) -> None:
        # A lookup that failed says nothing about the session: keep the socket, ask again.
        log.warning("seat_session_check_failed", agent_id=self._agent_id, error=str(failure.value))
        if not self._closed:
            self._schedule_session_check()

    def end_session(self) -> None:
        """The session behind this socket ended: close it, telling the page to log in."""
        log.info("seat_socket_session_ended", agent_id=self._agent_id)
        self.sendClose(SESSION_ENDED, "session ended: log in again")

    def _unexpected(self, failure: Failure, event: str) -> None:
        log.error(event, agent_id=self._agent_id, error=failure.getTraceback())

    # ---- close ---------------------------------------------------------------------------

    def onClose(self, wasClean: bool, code: int | None, reason: str | None) -> None:
        if self._agent_id is not None and not self._closed:
            log.info("seat_socket_closed", agent_id=self._agent_id, code=code, clean=wasClean)
        self._end()

    def _end(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._session_check is not None and self._session_check.active():
            self._session_check.cancel()
        self._session_check = None
        self.factory.closed(self)

    @property
    def agent_id(self) -> str | None:
        return self._agent_id

    @property
    def token(self) -> str:
        return self._token
