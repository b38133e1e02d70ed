"""SimNet: Twisted's own endpoints connect through memory, and only the fake clock moves."""

from __future__ import annotations

import pytest
from twisted.internet.endpoints import (
    HostnameEndpoint,
    TCP4ClientEndpoint,
    TCP4ServerEndpoint,
    connectProtocol,
)
from twisted.internet.error import ConnectionRefusedError
from twisted.internet.interfaces import IHalfCloseableProtocol
from twisted.internet.protocol import Factory, Protocol
from twisted.python.failure import Failure
from zope.interface import implementer

from switchboard.testing.simnet import NetworkBusy, SimNet, Stalled


class Echo(Protocol):
    def dataReceived(self, data: bytes) -> None:
        assert self.transport is not None
        self.transport.write(data.upper())


class Client(Protocol):
    def __init__(self) -> None:
        self.received = b""
        self.lost: Failure | None = None

    def dataReceived(self, data: bytes) -> None:
        self.received += data

    def connectionLost(self, reason: Failure = Failure(Exception())) -> None:  # noqa: B008
        self.lost = reason


def _echo_server(net: SimNet) -> int:
    port = net.wait(
        TCP4ServerEndpoint(net, 0, interface="127.0.0.1").listen(Factory.forProtocol(Echo))
    )
    return int(port.getHost().port)


def test_bytes_cross_only_when_the_clock_turns_and_both_ends_see_the_close() -> None:
    net = SimNet()
    port = _echo_server(net)
    client = Client()
    connected = connectProtocol(TCP4ClientEndpoint(net, "127.0.0.1", port), client)
    assert not connected.called  # connecting takes a turn of the clock, as TCP does
    assert net.wait(connected) is client
    assert client.transport is not None
    client.transport.write(b"hello")
    assert client.received == b""  # nothing moves between turns: the test reads at leisure
    net.advance(0)
    assert client.received == b"HELLO"
    assert client.transport.getPeer().port == port
    client.transport.loseConnection()
    net.advance(0)
    assert client.lost is not None
    assert net.leftovers() == [f"listener on port {port}"]


def test_a_hostname_endpoint_connects_without_threads_or_dns() -> None:
    net = SimNet()
    port = _echo_server(net)
    client = net.wait(connectProtocol(HostnameEndpoint(net, "localhost", port), Client()))
    assert client.transport is not None


def test_nothing_listening_is_a_refused_connection() -> None:
    net = SimNet()
    with pytest.raises(ConnectionRefusedError, match=r"nothing listens on 127\.0\.0\.1:5038"):
        net.wait(connectProtocol(TCP4ClientEndpoint(net, "127.0.0.1", 5038), Client()))


def test_timers_fire_at_their_own_time_and_their_bytes_arrive_before_the_next() -> None:
    net = SimNet()
    port = _echo_server(net)
    client = net.wait(connectProtocol(TCP4ClientEndpoint(net, "127.0.0.1", port), Client()))
    assert client.transport is not None
    seen: list[tuple[float, bytes]] = []
    net.callLater(2.0, client.transport.write, b"a")
    net.callLater(5.0, lambda: seen.append((net.seconds(), client.received)))
    net.advance(10.0)
    assert seen == [(5.0, b"A")]
    assert net.seconds() == 10.0


def test_waiting_for_what_never_comes_says_what_and_when() -> None:
    net = SimNet()
    net.callLater(30.0, lambda: None)
    with pytest.raises(Stalled, match=r"the call at t=0.000: not within 10 s"):
        net.run_until(lambda: False, 10.0, "the call")
    with pytest.raises(Stalled, match="nothing left on the clock"):
        net.run_until(lambda: False, 100.0, "the call")


def test_a_busy_loop_is_reported_not_run_for_ever() -> None:
    net = SimNet()

    def again() -> None:
        net.callLater(0, again)

    net.callLater(0, again)
    with pytest.raises(NetworkBusy, match="never went quiet"):
        net.advance(0)


@implementer(IHalfCloseableProtocol)
class HalfCloseable(Client):
    def __init__(self) -> None:
        super().__init__()
        self.read_closed = False

    def readConnectionLost(self) -> None:
        self.read_closed = True
        assert self.transport is not None
        self.transport.write(b"bye")  # the other direction still works
        self.transport.loseConnection()

    def writeConnectionLost(self) -> None:
        """Not used here."""


def test_a_half_close_reaches_a_half_closeable_peer_after_the_bytes_before_it() -> None:
    net = SimNet()
    server = HalfCloseable()
    port = (
        net.wait(
            TCP4ServerEndpoint(net, 0, interface="127.0.0.1").listen(
                Factory.forProtocol(lambda: server)
            )
        )
        .getHost()
        .port
    )
    client = net.wait(connectProtocol(TCP4ClientEndpoint(net, "127.0.0.1", port), Client()))
    assert client.transport is not None
    client.transport.write(b"last words")
    client.transport.loseWriteConnection()
    client.transport.write(b"never sent")
    net.advance(0)
    assert (server.received, server.read_closed) == (b"last words", True)
    assert client.received == b"bye"
    assert client.lost is not None and server.lost is not None


def test_a_half_close_closes_a_peer_that_cannot_half_close() -> None:
    net = SimNet()
    port = _echo_server(net)
    client = net.wait(connectProtocol(TCP4ClientEndpoint(net, "127.0.0.1", port), Client()))
    assert client.transport is not None
    client.transport.loseWriteConnection()
    net.advance(0)
    assert client.lost is not None
