# -*- test-case-name: tests.unit.test_simnet,tests.queue.test_acd_sim -*-
"""One fake clock and an in-memory TCP network, given to switchboard as its reactor.

The simulated PBX and switchboard run in one process on :class:`SimNet`: the PBX's AMI
server listens, switchboard's FastAGI server listens, switchboard's AMI client and the
PBX's FastAGI caller connect, all through Twisted's own endpoints and
``listenTCP``/``connectTCP``, so production code runs unchanged. Bytes travel through
``twisted.test.iosim`` transports and are pumped, like every timer, by the one
:class:`~twisted.internet.task.Clock`: simulated minutes pass in milliseconds, the same
way on every run, however busy the machine is. Nothing here sleeps or touches the real
reactor.

Drive it from a plain test::

    net = SimNet()
    site = net.wait(start_site(net, ..., database_runner=net.database_runner))
    net.run_until(lambda: site.acd.held_calls == 0, limit_s=600, what="calls over")

Time only moves inside :meth:`SimNet.advance`, :meth:`SimNet.run_until` and
:meth:`SimNet.wait`; between them the test reads and changes state at leisure.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from twisted.internet import task
from twisted.internet.address import IPv4Address
from twisted.internet.defer import Deferred, ensureDeferred, succeed
from twisted.internet.error import CannotListenError, ConnectionRefusedError
from twisted.internet.interfaces import (
    IConnector,
    IHalfCloseableProtocol,
    IHostnameResolver,
    IHostResolution,
    IListeningPort,
    IReactorPluggableNameResolver,
    IReactorTCP,
    IResolutionReceiver,
)
from twisted.internet.protocol import ClientFactory, Protocol, ServerFactory
from twisted.python.failure import Failure
from twisted.test.iosim import FakeTransport, IOPump
from zope.interface import implementer

__all__ = ["NetworkBusy", "SimNet", "Stalled"]

T = TypeVar("T")
LOOPBACK = "127.0.0.1"
SETTLE_LIMIT = 100_000  # rounds of bytes and due timers before "never quiet" is declared


def _when(call: Any) -> float:
    return float(call.getTime())


class Stalled(AssertionError):
    """What a test waited for did not happen within its simulated time (or ever)."""


class NetworkBusy(AssertionError):
    """Bytes or zero-delay timers kept coming without time moving: a busy loop."""


class _Transport(FakeTransport):
    """An iosim transport that also half-closes (``loseWriteConnection``) and tells the
    client factory its connection was lost."""

    def __init__(self, *args: Any, lost: Callable[[Failure], None] | None = None, **kw: Any):
        super().__init__(*args, **kw)
        self._lost = lost
        self.write_closed = False  # loseWriteConnection() called
        self.eof_delivered = False  # ... and the peer has read the end of the stream

    def write(self, data: bytes) -> None:
        if not self.write_closed:
            super().write(data)

    def loseWriteConnection(self) -> None:
        self.write_closed = True

    def reportDisconnect(self) -> None:
        super().reportDisconnect()
        if self._lost is not None:
            self._lost(Failure(self.disconnectReason))


class _Pump(IOPump):
    """Pumps bytes as iosim does, then delivers a half-close once its bytes are read:
    ``readConnectionLost`` to a half-closeable peer, else the connection is closed."""

    clientIO: _Transport
    serverIO: _Transport

    def pump(self, debug: bool = False, advanceClock: bool = False) -> bool:
        if super().pump(debug, advanceClock):
            return True
        for writer, reader in ((self.clientIO, self.serverIO), (self.serverIO, self.clientIO)):
            if writer.write_closed and not writer.eof_delivered and not writer.disconnected:
                writer.eof_delivered = True
                half = IHalfCloseableProtocol(reader.protocol, None)
                if half is not None:
                    half.readConnectionLost()
                else:
                    reader.loseConnection()
                return True
        return False


class _Refuse(Protocol):
    """Stands in when a server factory declines a connection: accept, then close."""

    def connectionMade(self) -> None:
        assert self.transport is not None
        self.transport.loseConnection()


@implementer(IListeningPort)
class _Listener:
    def __init__(self, net: SimNet, factory: ServerFactory, address: IPv4Address) -> None:
        self.net, self.factory, self.address = net, factory, address

    def startListening(self) -> None:
        """Already listening: :meth:`SimNet.listenTCP` did it."""

    def stopListening(self) -> Deferred[None]:
        if self.net._listeners.get(self.address.port) is self:
            del self.net._listeners[self.address.port]
            self.factory.doStop()
        return succeed(None)

    def getHost(self) -> IPv4Address:
        return self.address


@implementer(IConnector)
class _Connector:
    """One outgoing connection: made on the next turn of the clock, or refused."""

    def __init__(self, net: SimNet, host: str, port: int, factory: ClientFactory) -> None:
        self.net, self.host, self.port, self.factory = net, host, port, factory
        self.transport: _Transport | None = None
        self._pending: Any = None

    def connect(self) -> None:
        self.factory.doStart()
        self.factory.startedConnecting(self)
        self._pending = self.net.callLater(0, self._complete)

    def stopConnecting(self) -> None:
        if self._pending is not None and self._pending.active():
            self._pending.cancel()
            self._pending = None
            self._failed(Failure(ConnectionRefusedError("connection attempt stopped")))

    def disconnect(self) -> None:
        if self.transport is not None:
            self.transport.loseConnection()
        else:
            self.stopConnecting()

    def getDestination(self) -> IPv4Address:
        return IPv4Address("TCP", self.host, self.port)

    def _failed(self, reason: Failure) -> None:
        self.factory.clientConnectionFailed(self, reason)
        self.factory.doStop()

    def _complete(self) -> None:
        self._pending = None
        listener = self.net._listening_at(self.host, self.port)
        if listener is None:
            where = f"{self.host}:{self.port}"
            self._failed(Failure(ConnectionRefusedError(f"nothing listens on {where}")))
            return
        client_address = IPv4Address("TCP", LOOPBACK, self.net._ephemeral_port())
        server_address = listener.address
        server = listener.factory.buildProtocol(client_address) or _Refuse()
        client = self.factory.buildProtocol(server_address)
        if client is None:
            self._failed(Failure(ConnectionRefusedError("client factory built no protocol")))
            return

        def lost(reason: Failure) -> None:
            self.factory.clientConnectionLost(self, reason)
            self.factory.doStop()

        server_side = _Transport(
            server, isServer=True, hostAddress=server_address, peerAddress=client_address
        )
        self.transport = _Transport(
            client,
            isServer=False,
            hostAddress=client_address,
            peerAddress=server_address,
            lost=lost,
        )
        server.makeConnection(server_side)
        client.makeConnection(self.transport)
        self.net._pumps.append(_Pump(client, server, self.transport, server_side, False))


@implementer(IHostResolution)
class _Resolution:
    def __init__(self, name: str) -> None:
        self.name = name

    def cancel(self) -> None:
        """Resolution finished before it could be cancelled."""


@implementer(IHostnameResolver)
class _LiteralResolver:
    """Resolves IPv4 literals and ``localhost`` at once, without threads or DNS."""

    def resolveHostName(
        self,
        resolutionReceiver: IResolutionReceiver,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Any = None,
        transportSemantics: str = "TCP",
    ) -> IHostResolution:
        resolution = _Resolution(hostName)
        resolutionReceiver.resolutionBegan(resolution)
        host = LOOPBACK if hostName == "localhost" else hostName
        resolutionReceiver.addressResolved(IPv4Address("TCP", host, portNumber))
        resolutionReceiver.resolutionComplete()
        return resolution


@implementer(IReactorTCP, IReactorPluggableNameResolver)
class SimNet(task.Clock):
    """A :class:`~twisted.internet.task.Clock` that is also a loopback TCP network.

    ``advance`` moves time through every due timer in order and, after each, delivers
    every byte and connection change until the network is quiet.
    """

    def __init__(self) -> None:
        super().__init__()
        self._listeners: dict[int, _Listener] = {}
        self._pumps: list[IOPump] = []
        self._ports = itertools.count(40000)
        self._free_ports = itertools.count(30000)
        self.nameResolver: IHostnameResolver = _LiteralResolver()
        self.shutdown_triggers: list[tuple[str, Callable[..., Any]]] = []

    # -- IReactorPluggableNameResolver ------------------------------------------------
    def installNameResolver(self, resolver: IHostnameResolver) -> IHostnameResolver:
        previous, self.nameResolver = self.nameResolver, resolver
        return previous

    # -- IReactorTCP ---------------------------------------------------------------------
    def listenTCP(
        self, port: int, factory: ServerFactory, backlog: int = 50, interface: str = ""
    ) -> IListeningPort:
        if port == 0:
            port = next(p for p in self._free_ports if p not in self._listeners)
        if port in self._listeners:
            raise CannotListenError(interface, port, OSError("address already in use"))
        listener = _Listener(self, factory, IPv4Address("TCP", interface or "0.0.0.0", port))
        self._listeners[port] = listener
        factory.doStart()
        return listener

    def connectTCP(
        self,
        host: str,
        port: int,
        factory: ClientFactory[Any],  # any protocol: SimNet only moves bytes
        timeout: float = 30,
        bindAddress: Any = None,
    ) -> IConnector:
        connector = _Connector(self, host, port, factory)
        connector.connect()
        return connector

    # -- the bits of a reactor that services ask for -------------------------------------
    def callWhenRunning(self, f: Callable[..., Any], *args: Any, **kw: Any) -> None:
        self.callLater(0, f, *args, **kw)

    def callFromThread(self, f: Callable[..., Any], *args: Any, **kw: Any) -> None:
        """From this thread only (there are no others here): on the next turn."""
        self.callLater(0, f, *args, **kw)

    def addSystemEventTrigger(
        self, phase: str, event: str, f: Callable[..., Any], *args: Any, **kw: Any
    ) -> tuple[str, Callable[..., Any]]:
        """Kept, never fired: a test stops its services itself."""
        trigger = (f"{phase} {event}", f)
        self.shutdown_triggers.append(trigger)
        return trigger

    def database_runner(self, work: Callable[[], T]) -> Deferred[T]:
        """For ``Database(runner=...)``: the work runs on the next turn, in this thread."""
        return task.deferLater(self, 0, work)

    # -- time ------------------------------------------------------------------------------
    def settle(self) -> None:
        """Deliver bytes, connection changes and due timers until nothing moves."""
        for _ in range(SETTLE_LIMIT):
            moved = self._run_due()
            for pump in list(self._pumps):
                if pump.pump(advanceClock=False):
                    moved = True
                elif pump.clientIO.disconnected and pump.serverIO.disconnected:
                    self._pumps.remove(pump)
            if not moved:
                return
        raise NetworkBusy(f"the network never went quiet at t={self.rightNow:.3f}")

    def advance(self, amount: float) -> None:
        """Move time on by ``amount``, firing each due timer at its own moment."""
        end = self.rightNow + amount
        self.settle()
        while (due := self._next_due()) is not None and due <= end:
            self.rightNow = max(self.rightNow, due)
            self.settle()
        self.rightNow = end
        self.settle()

    def run_until(self, done: Callable[[], object], limit_s: float, what: str = "") -> None:
        """Run timers in order until ``done()`` holds; :class:`Stalled` if it does not
        within ``limit_s`` seconds of clock time, or if nothing is left to happen."""
        give_up = self.rightNow + limit_s
        self.settle()
        while not done():
            due = self._next_due()
            waited = f"{what or 'the condition'} at t={self.rightNow:.3f}"
            if due is None:
                raise Stalled(f"{waited}: nothing left on the clock, it never held")
            if due > give_up:
                raise Stalled(f"{waited}: not within {limit_s:g} s")
            self.rightNow = max(self.rightNow, due)
            self.settle()

    def wait(
        self,
        awaitable: Deferred[T] | Coroutine[Any, Any, T],
        limit_s: float = 60.0,
        what: str = "",
    ) -> T:
        """Run the clock until ``awaitable`` has a result; return it (or raise its error)."""
        d = awaitable if isinstance(awaitable, Deferred) else ensureDeferred(awaitable)
        outcome: list[Any] = []
        d.addBoth(outcome.append)
        self.run_until(lambda: outcome, limit_s, what or repr(awaitable))
        result = outcome[0]
        if isinstance(result, Failure):
            result.raiseException()
        return result  # type: ignore[no-any-return]

    def leftovers(self) -> list[str]:
        """Timers, connections and listeners still alive (after a test stopped everything,
        each one is a leak)."""
        return (
            [f"timer at t={c.getTime():g}: {c.func!r}" for c in self.calls]
            + [f"connection {p.clientIO!r} <-> {p.serverIO!r}" for p in self._pumps]
            + [f"listener on port {port}" for port in self._listeners]
        )

    # -- internals -------------------------------------------------------------------------
    def _run_due(self) -> bool:
        """Fire the timers due now, in time order, as ``Clock.advance`` does; those they
        schedule for now wait for the next round (so a busy loop can be caught)."""
        due = sorted((c for c in self.calls if c.getTime() <= self.rightNow), key=_when)
        for call in due:
            if call in self.calls:  # not cancelled by an earlier one
                self.calls.remove(call)
                call.called = 1
                call.func(*call.args, **call.kw)
        return bool(due)

    def _next_due(self) -> float | None:
        return min((call.getTime() for call in self.calls), default=None)

    def _listening_at(self, host: str, port: int) -> _Listener | None:
        listener = self._listeners.get(port)
        if listener is None:
            return None
        return listener if listener.address.host in ("0.0.0.0", host) else None

    def _ephemeral_port(self) -> int:
        return next(self._ports)
