"""Who may hold a FastAGI session slot: allow-list, per-address cap, short environment
limit and listen backlog (issue 9, item 7: 1,000 idle sockets took every slot for 30 s)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import ValidationError
from structlog.testing import capture_logs
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.error import ConnectionDone
from twisted.internet.task import Clock
from twisted.internet.testing import MemoryReactorClock, StringTransport
from twisted.python.failure import Failure

from switchboard.config.model import AgiSettings
from switchboard.cti.agi._peers import PeerPolicy, allowed_networks
from switchboard.cti.agi.builtin import BUILTIN_HANDLERS
from switchboard.cti.agi.channel import AgiChannel
from switchboard.cti.agi.protocol import AgiServerProtocol
from switchboard.cti.agi.server import AgiServerFactory, AgiServerService
from switchboard.cti.agi.session import SessionOptions
from switchboard.testing.agi import env_block


def _v4(host: str) -> IPv4Address:
    return IPv4Address("TCP", host, 40000)


def _connect(factory: AgiServerFactory, addr: Any) -> AgiServerProtocol | None:
    protocol = factory.buildProtocol(addr)
    if protocol is not None:
        protocol.makeConnection(StringTransport(peerAddress=addr))
    return protocol


def _kernel_closes(protocol: AgiServerProtocol) -> None:
    protocol.connectionLost(Failure(ConnectionDone()))


@pytest.fixture
def logs() -> Iterator[list[dict[str, Any]]]:
    with capture_logs() as captured:
        yield captured


def _started_service(**settings: Any) -> tuple[AgiServerService, MemoryReactorClock]:
    reactor = MemoryReactorClock()
    service = AgiServerService(
        AgiSettings(port=0, **settings), reactor, BUILTIN_HANDLERS, ami_host="10.0.0.5"
    )
    service.startService()
    return service, reactor


def test_by_default_only_loopback_and_the_ami_host_may_connect(
    logs: list[dict[str, Any]],
) -> None:
    service, _ = _started_service()
    factory = service.factory
    assert _connect(factory, _v4("127.0.0.1")) is not None
    assert _connect(factory, _v4("10.0.0.5")) is not None
    assert _connect(factory, IPv6Address("TCP", "::1", 40000)) is not None
    assert _connect(factory, IPv6Address("TCP", "::ffff:127.0.0.1", 40000)) is not None
    assert _connect(factory, _v4("192.0.2.7")) is None
    refused = [e for e in logs if e["event"] == "agi_connection_refused"]
    assert refused == [
        {
            "event": "agi_connection_refused",
            "peer": "192.0.2.7",
            "reason": "not_allowed",
            "count": 1,
            "log_level": "warning",
        }
    ]
    service.stopService()


def test_an_explicit_allow_list_replaces_the_default() -> None:
    service, _ = _started_service(allowed_peers=("192.0.2.0/24",))
    assert _connect(service.factory, _v4("192.0.2.7")) is not None
    assert _connect(service.factory, _v4("127.0.0.1")) is None
    service.stopService()


def test_the_listen_backlog_is_the_setting_not_twisteds_50() -> None:
    service, reactor = _started_service()
    [(_port, _factory, backlog, _interface)] = reactor.tcpServers
    assert backlog == 1024
    # The environment comes at once or not at all: far shorter than a command's allowance.
    assert service.factory.env_timeout_s == 5.0 < AgiSettings().command_timeout_s
    service.stopService()


def test_idle_connections_give_their_slots_back_after_the_environment_limit() -> None:
    clock = Clock()

    async def on_hold(channel: AgiChannel) -> None:
        await channel.sleep(60)

    factory = AgiServerFactory(
        {"main-menu": on_hold}, clock, SessionOptions(), max_sessions=10, env_timeout_s=5.0
    )
    idle = [_connect(factory, _v4("127.0.0.1")) for _ in range(10)]
    assert _connect(factory, _v4("127.0.0.1")) is None  # every slot taken
    clock.advance(5)  # none sent its environment: each is closed ...
    for protocol in idle:
        assert protocol is not None and protocol.transport.disconnecting  # type: ignore[union-attr]
        _kernel_closes(protocol)  # ... and the kernel reports it
    caller = _connect(factory, _v4("127.0.0.1"))
    assert caller is not None  # a real call gets a slot again
    caller.dataReceived(env_block("main-menu"))
    clock.advance(6)
    assert not caller.transport.disconnecting  # type: ignore[union-attr]
    caller.close()
    _kernel_closes(caller)
    assert clock.getDelayedCalls() == [] and factory.active == set()


def test_one_address_cannot_take_more_than_its_share() -> None:
    factory = AgiServerFactory(
        BUILTIN_HANDLERS, Clock(), SessionOptions(), peers=PeerPolicy(None, max_per_peer=2)
    )
    first = _connect(factory, _v4("10.0.0.1"))
    assert _connect(factory, _v4("10.0.0.1")) is not None
    assert _connect(factory, _v4("10.0.0.1")) is None
    assert _connect(factory, _v4("10.0.0.2")) is not None  # another PBX is unaffected
    assert first is not None
    _kernel_closes(first)
    assert _connect(factory, _v4("10.0.0.1")) is not None


def test_a_flood_of_refusals_logs_a_handful_of_lines(logs: list[dict[str, Any]]) -> None:
    factory = AgiServerFactory(
        BUILTIN_HANDLERS, Clock(), SessionOptions(), peers=PeerPolicy((), max_per_peer=5)
    )
    for _ in range(1000):
        assert _connect(factory, _v4("198.51.100.1")) is None
    counts = [e["count"] for e in logs if e["event"] == "agi_connection_refused"]
    assert counts == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]


def test_host_names_are_resolved_and_unresolved_ones_reported() -> None:
    table = {"pbx.example": ["10.9.0.1", "fd00::1"]}
    networks, unresolved = allowed_networks(
        ["127.0.0.0/8", "pbx.example", "gone.example"], lambda n: table.get(n, [])
    )
    assert [str(n) for n in networks] == ["127.0.0.0/8", "10.9.0.1/32", "fd00::1/128"]
    assert unresolved == ["gone.example"]


def test_a_bad_allow_list_entry_is_a_settings_error() -> None:
    with pytest.raises(ValidationError, match=r"a network such as 10\.1\.0\.0/24"):
        AgiSettings(allowed_peers=("10.0.0.0/33 ",))


def test_an_endless_environment_is_closed_before_the_timeout(logs: list[dict[str, Any]]) -> None:
    clock = Clock()
    factory = AgiServerFactory(BUILTIN_HANDLERS, clock, SessionOptions(), max_line_bytes=1024)
    protocol = _connect(factory, _v4("127.0.0.1"))
    assert protocol is not None
    for _ in range(100):
        protocol.dataReceived(b"agi_padding: " + b"x" * 50 + b"\n")
    assert protocol.transport.disconnecting  # type: ignore[union-attr]
    assert "agi_protocol_error_received" in [e["event"] for e in logs]
    _kernel_closes(protocol)
    assert factory.active == set() and clock.getDelayedCalls() == []
