# -*- test-case-name: tests.protocol.test_ami_protocol -*-
"""The thin Twisted protocol around the AMI codec: feed, correlate, time out, keep alive."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog
from twisted.internet.defer import Deferred, fail, succeed
from twisted.internet.interfaces import IReactorTime, ITCPTransport
from twisted.internet.protocol import Protocol
from twisted.internet.task import LoopingCall
from twisted.python.failure import Failure

from switchboard.cti.ami import actions
from switchboard.cti.ami.errors import ActionTimeout, AmiActionFailed, AmiDisconnected
from switchboard.cti.ami.frames import AmiParser, Banner, FrameError, Message, MessageTooLarge
from switchboard.cti.ami.pending import Completion, PendingTable

__all__ = ["AmiProtocol"]

log = structlog.get_logger(__name__)


class AmiProtocol(Protocol):
    """One AMI connection. Events go to ``on_event``; each action gets its own Deferred."""

    transport: ITCPTransport  # set by makeConnection before any callback below runs

    def __init__(
        self,
        clock: IReactorTime,
        *,
        next_action_id: Callable[[], str],
        on_event: Callable[[Message], object],
        action_timeout_s: float,
        max_message_bytes: int,
    ) -> None:
        self._clock = clock
        self._next_id = next_action_id
        self._on_event = on_event
        self._timeout_s = action_timeout_s
        self._parser = AmiParser(expect_banner=True, max_message_bytes=max_message_bytes)
        self._pending = PendingTable()
        self._waiters: dict[str, Deferred[Any]] = {}
        self._keepalive: LoopingCall | None = None
        self._lost = False
        self._log = log
        self.banner: Banner | None = None
        self._banner_waiters: list[Deferred[Banner]] = []
        self.closed: Deferred[None] = Deferred()

    def connectionMade(self) -> None:
        self._log = log.bind(peer=str(self.transport.getPeer()))
        self._log.info("ami_connected")

    def dataReceived(self, data: bytes) -> None:
        for item in self._parser.feed(data):
            if self._lost or getattr(self.transport, "disconnecting", False):
                return  # we are cutting this peer off: deliver nothing more
            if type(item) is Message:
                routed = self._pending.route(item)
                if routed.completion is not None:
                    self._complete(routed.completion)
                elif not routed.consumed:
                    if item.event is not None:
                        self._on_event(item)
                    else:
                        self._log.debug("ami_unmatched_response", action_id=item.action_id)
            elif isinstance(item, Banner):
                self._log.info("ami_banner_received", banner=item.text)
                self.banner = item
                waiters, self._banner_waiters = self._banner_waiters, []
                for w in waiters:
                    w.callback(item)
            elif isinstance(item, MessageTooLarge):
                self._log.error("ami_peer_cut_off", reason=item.reason, size=item.size)
                self.transport.abortConnection()
            elif isinstance(item, FrameError):
                self._log.warning("ami_frame_rejected", reason=item.reason, data=item.data[:80])

    def when_banner(self) -> Deferred[Banner]:
        """Fire with the greeting line (at once if it has already arrived)."""
        if self.banner is not None:
            return succeed(self.banner)
        if self._lost:
            return fail(AmiDisconnected("connection lost before the banner"))
        d: Deferred[Banner] = Deferred()
        self._banner_waiters.append(d)
        return d

    def send(
        self, action: actions.Action, *, gather: bool = False, timeout_s: float | None = None
    ) -> Deferred[Any]:
        """Send ``action``; fire with its response (or EventList when ``gather``)."""
        if self._lost:
            return fail(AmiDisconnected(f"cannot send {action.name}: connection lost"))
        action_id = action.action_id or self._next_id()
        try:
            data = action.with_action_id(action_id).encode()
            self._pending.register(action_id, gather=gather)
        except ValueError as exc:
            return fail(exc)
        d: Deferred[Any] = Deferred(lambda _: self._forget(action_id))
        self._waiters[action_id] = d
        timeout = self._timeout_s if timeout_s is None else timeout_s

        def timed_out(result: object, _t: float) -> object:
            if isinstance(result, Failure):
                raise ActionTimeout(action.name, action_id, timeout)
            return result

        d.addTimeout(timeout, self._clock, onTimeoutCancel=timed_out)
        self._log.debug("ami_action_sent", action=action.name, action_id=action_id)
        self.transport.write(data)
        return d

    def _forget(self, action_id: str) -> None:
        self._waiters.pop(action_id, None)
        self._pending.abandon(action_id)

    def _complete(self, done: Completion) -> None:
        d = self._waiters.pop(done.action_id, None)
        if d is None:
            return
        if done.failed:
            d.errback(AmiActionFailed(done.response))
        else:
            d.callback(done.result)

    def start_keepalive(self, interval_s: float) -> None:
        """Ping every ``interval_s``; a Ping unanswered within ``interval_s`` drops the link."""
        self._keepalive = LoopingCall(self._ping, interval_s)
        self._keepalive.clock = self._clock
        self._keepalive.start(interval_s, now=False)

    def _ping(self, interval_s: float) -> None:
        def missed(failure: Failure) -> None:
            if failure.check(ActionTimeout) and not self._lost:
                self._log.warning("ami_keepalive_missed", timeout_s=interval_s)
                self.transport.abortConnection()

        self.send(actions.ping(), timeout_s=interval_s).addErrback(missed)

    def connectionLost(self, reason: Failure = Failure(AmiDisconnected())) -> None:  # noqa: B008
        self._lost = True
        if self._keepalive is not None and self._keepalive.running:
            self._keepalive.stop()
        self._pending.clear()
        waiters, self._waiters = self._waiters, {}
        self._log.info("ami_disconnected", reason=reason.getErrorMessage(), failed=len(waiters))
        for action_id, d in waiters.items():
            d.errback(AmiDisconnected(f"connection lost before {action_id} was answered"))
        banner_waiters, self._banner_waiters = self._banner_waiters, []
        for w in banner_waiters:
            w.errback(AmiDisconnected("connection lost before the banner"))
        self.closed.callback(None)
