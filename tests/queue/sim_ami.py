# -*- test-case-name: tests.queue.test_appqueue_control -*-
"""The real AmiClient wired to the simulated PBX's AMI in memory, on one fake clock.

Bytes cross on the next clock turn (like TCP); :meth:`SimAmi.settle` turns the clock
until nothing is due. :meth:`SimAmi.restart_asterisk` stands in for ``core restart now``:
a fresh simulated PBX (which knows only its static queue members) and the connection
closed, so the client reconnects and resyncs against the new one.
"""

from __future__ import annotations

import random
from collections.abc import Coroutine
from typing import Any, TypeVar

from twisted.internet.address import IPv4Address
from twisted.internet.defer import Deferred, succeed
from twisted.internet.error import ConnectionDone
from twisted.internet.interfaces import IStreamClientEndpoint
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.python.failure import Failure
from zope.interface import implementer

from switchboard.config.model import AmiSettings
from switchboard.cti.ami import actions
from switchboard.cti.ami.service import AmiClient
from switchboard.sim._actions import ActionHandler
from switchboard.sim._dialplan import Dialplan
from switchboard.sim.ami import AmiServerProtocol
from switchboard.sim.pbx import Pbx, PbxConfig

SECRET = "sim-secret"
T = TypeVar("T")


class _Pipe(StringTransport):
    """One direction of an in-memory connection; closing it closes both ends."""

    def __init__(self, clock: Clock, protocol: Any) -> None:
        super().__init__(peerAddress=IPv4Address("TCP", "127.0.0.1", 5038))
        self.clock, self.protocol = clock, protocol
        self.peer: _Pipe | None = None
        self.closed = False

    def write(self, data: bytes) -> None:
        if not self.closed:
            self.clock.callLater(0, self._deliver, data)

    def _deliver(self, data: bytes) -> None:
        if not self.closed and self.peer is not None:
            self.peer.protocol.dataReceived(data)

    def loseConnection(self) -> None:
        self.clock.callLater(0, self._close)

    def _close(self) -> None:
        for end in (self, self.peer):
            if end is not None and not end.closed:
                end.closed = True
                end.protocol.connectionLost(Failure(ConnectionDone("closed")))


@implementer(IStreamClientEndpoint)
class SimAmi:
    """An endpoint for ``AmiClient(endpoint=...)`` reaching a simulated PBX."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock or Clock()
        self._server: _Pipe | None = None
        self._boot()

    def _boot(self) -> None:
        self.pbx = Pbx(self.clock, PbxConfig(ami_users={"switchboard": SECRET}))
        self.handler = ActionHandler(self.pbx, Dialplan(self.pbx, random.Random(1), None))

    def connect(self, protocolFactory: Any) -> Deferred[Any]:
        client = protocolFactory.buildProtocol(None)
        server = AmiServerProtocol(self.handler)
        to_server, to_client = _Pipe(self.clock, client), _Pipe(self.clock, server)
        to_server.peer, to_client.peer = to_client, to_server
        self._server = to_client
        client.makeConnection(to_server)
        server.makeConnection(to_client)
        return succeed(client)

    def client(self) -> AmiClient:
        settings = AmiSettings(
            auth="plain", secret=SECRET, reconnect_initial_delay_s=1.0, reconnect_max_delay_s=1.0
        )
        return AmiClient(
            settings,
            self.clock,
            endpoint=self,
            jitter=lambda: 0.0,
            next_action_id=actions.ActionIdGenerator("sw-"),
        )

    def settle(self, seconds: float = 0.0) -> None:
        """Run the clock ``seconds`` on, then until nothing more is due now."""
        self.clock.advance(seconds)
        for _ in range(1000):
            if not any(c.getTime() <= self.clock.seconds() for c in self.clock.getDelayedCalls()):
                return
            self.clock.advance(0)
        raise AssertionError("the in-memory AMI never settled")

    def run(self, work: Coroutine[Any, Any, T] | Deferred[T]) -> T:
        """Run one command (or AMI action) to its end on the simulated clock."""
        done: list[Any] = []
        d = work if isinstance(work, Deferred) else Deferred.fromCoroutine(work)
        d.addBoth(done.append)
        self.settle()
        assert done, "the command never finished"
        if isinstance(done[0], Failure):
            done[0].raiseException()
        return done[0]  # type: ignore[no-any-return]

    def restart_asterisk(self) -> None:
        """Asterisk restarts: it forgets dynamic members; the connection drops."""
        self._boot()
        if self._server is not None:
            self._server.loseConnection()

    def members(self, queue: str) -> dict[str, tuple[bool, str, int]]:
        """Interface -> (paused, reason, penalty) of ``queue``'s members in the PBX now."""
        return {
            m.member.interface: (m.paused, m.reason, m.penalty)
            for m in self.handler.queue_actions.queues.queues[queue].members
        }
