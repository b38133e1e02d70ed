"""In-memory seat sockets: the real twisted.web Site and resource, autobahn clients, a
fake feed and fake sessions, connected by twisted's iosim on a ``task.Clock``."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from autobahn.twisted.websocket import WebSocketClientFactory, WebSocketClientProtocol
from twisted.internet.address import IPv4Address
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IPushProducer
from twisted.internet.task import Clock
from twisted.test.iosim import FakeTransport, IOPump, connect
from twisted.web.resource import Resource
from twisted.web.server import Site

from switchboard.web.ws import SeatResource, seat_resource
from switchboard.web.ws.resource import ClockTimer

ORIGIN = "http://127.0.0.1:8080"


@dataclass(frozen=True)
class FakeUser:
    agent_id: str | None


@dataclass
class FakeSessions:
    users: dict[str, FakeUser] = field(default_factory=dict)
    lookups: int = 0
    hold: bool = False  # each lookup waits in `held` until released
    held: list[Deferred[None]] = field(default_factory=list)
    broken: bool = False

    async def user_for_token(self, token: str) -> FakeUser | None:
        self.lookups += 1
        if self.hold:
            gate: Deferred[None] = Deferred()
            self.held.append(gate)
            await gate
        if self.broken:
            raise ConnectionError("session store unreachable")
        return self.users.get(token)


class FakeFeed:
    """Per-agent sinks; snapshots numbered per agent, optionally held until released."""

    def __init__(self) -> None:
        self.sinks: dict[str, list[Callable[[dict[str, Any]], None]]] = {}
        self.snapshots_built: dict[str, int] = {}
        self.hold_snapshots = False
        self.held: list[Deferred[None]] = []
        self.fail_snapshots = False

    def subscribe(
        self, agent_id: str, sink: Callable[[dict[str, Any]], None]
    ) -> Callable[[], None]:
        self.sinks.setdefault(agent_id, []).append(sink)
        return lambda: self.sinks[agent_id].remove(sink)

    def subscribers(self, agent_id: str) -> int:
        return len(self.sinks.get(agent_id, []))

    def publish(self, agent_id: str, message: dict[str, Any]) -> None:
        for sink in list(self.sinks.get(agent_id, [])):
            sink(message)

    async def snapshot(self, agent_id: str) -> dict[str, Any]:
        if self.hold_snapshots:
            gate: Deferred[None] = Deferred()
            self.held.append(gate)
            await gate
        if self.fail_snapshots:
            raise RuntimeError("database unavailable")
        n = self.snapshots_built[agent_id] = self.snapshots_built.get(agent_id, 0) + 1
        return {"v": 1, "type": "snapshot", "agent_id": agent_id, "n": n}

    def release(self) -> None:
        held, self.held = self.held, []
        for gate in held:
            gate.callback(None)


class SeatClient(WebSocketClientProtocol):
    """Records what the server sends: the raw handshake reply, messages, the close."""

    def __init__(self) -> None:
        super().__init__()
        self.raw = b""
        self.messages: list[dict[str, Any]] = []
        self.opened = False
        self.close: tuple[bool, int | None, str | None] | None = None

    def dataReceived(self, data: bytes) -> None:
        if not self.opened:
            self.raw += data
        super().dataReceived(data)

    def onOpen(self) -> None:
        self.opened = True

    def onMessage(self, payload: bytes, isBinary: bool) -> None:
        self.messages.append(json.loads(payload))

    def onClose(self, wasClean: bool, code: int | None, reason: str | None) -> None:
        self.close = (wasClean, code, reason)

    def types(self) -> list[str]:
        return [m["type"] for m in self.messages]


@dataclass
class Connection:
    client: SeatClient
    pump: IOPump
    server_transport: FakeTransport

    def flush(self) -> None:
        self.pump.flush()

    @property
    def producer(self) -> IPushProducer:
        """The producer registered on the server's transport: our socket, once open."""
        return self.server_transport.producer  # type: ignore[no-any-return]

    def send(self, payload: bytes, binary: bool = False) -> None:
        self.client.sendMessage(payload, isBinary=binary)
        self.flush()


class SeatRig:
    """The web tier's Site with the seat resource at /ws/seat, and clients to open it."""

    def __init__(
        self,
        max_buffered_messages: int = 256,
        heartbeat_s: float = 15.0,
        session_check_s: float | None = None,
    ) -> None:
        self.clock = Clock()
        self.feed = FakeFeed()
        self.sessions = FakeSessions()
        resource = seat_resource(
            self.feed,
            self.sessions,
            allowed_origin=ORIGIN,
            clock=self.clock,
            max_buffered_messages=max_buffered_messages,
            heartbeat_s=heartbeat_s,
            # The tests of session ends check as often as the heartbeat unless told.
            session_check_s=heartbeat_s if session_check_s is None else session_check_s,
        )
        assert isinstance(resource, SeatResource)
        self.resource = resource
        ws = Resource()
        ws.putChild(b"seat", resource)
        root = Resource()
        root.putChild(b"ws", ws)
        self.site = Site(root, reactor=self.clock)

    def log_in(self, token: str, agent_id: str | None) -> str:
        self.sessions.users[token] = FakeUser(agent_id)
        return f"sb_session={token}"

    def connect(self, cookie: str | None = None, origin: str | None = ORIGIN) -> Connection:
        headers = {"Cookie": cookie} if cookie is not None else None
        factory = WebSocketClientFactory(
            "ws://127.0.0.1:8080/ws/seat", origin=origin, headers=headers
        )
        factory.protocol = SeatClient
        factory._batched_timer = ClockTimer(self.clock)  # as the server's: no real timers
        factory.setProtocolOptions(serverConnectionDropTimeout=0, autoPingInterval=0)
        client = factory.buildProtocol(None)
        assert isinstance(client, SeatClient)
        server = self.site.buildProtocol(None)
        server_address = IPv4Address("TCP", "127.0.0.1", 8080)
        client_address = IPv4Address("TCP", "127.0.0.1", 40000)
        server_transport = FakeTransport(
            server, True, hostAddress=server_address, peerAddress=client_address
        )
        client_transport = FakeTransport(
            client, False, hostAddress=client_address, peerAddress=server_address
        )
        pump = connect(server, server_transport, client, client_transport, clock=self.clock)
        return Connection(client, pump, server_transport)

    def open_seat(self, token: str, agent_id: str) -> Connection:
        connection = self.connect(self.log_in(token, agent_id))
        assert connection.client.opened, connection.client.raw
        return connection
