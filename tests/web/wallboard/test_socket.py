"""/ws/wallboard in memory: the seat transport over the wallboard feed, for supervisors
(their queues only) and admins (all), refused to agents; deltas without a reload."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from autobahn.twisted.websocket import WebSocketClientFactory
from sqlalchemy import make_url
from twisted.internet.address import IPv4Address
from twisted.internet.task import Clock
from twisted.test.iosim import FakeTransport, connect
from twisted.web.resource import Resource
from twisted.web.server import Site

from switchboard.accounts.model import Role, User
from switchboard.config.model import WallboardSettings
from switchboard.hub import FACT, Hub
from switchboard.queue.core.decisions import CallAnswered, CallQueued
from switchboard.store import Database
from switchboard.wallboard.feed import WallboardFeed
from switchboard.web.wallboard_ws.socket import NOT_A_SUPERVISOR, wallboard_resource
from switchboard.web.ws.resource import ClockTimer
from tests.seat.helpers import HeldWork, migrated
from tests.wallboard.scenario import AGENTS, QUEUES, T
from tests.web.ws.harness import ORIGIN, Connection, SeatClient


class Sessions:
    def __init__(self) -> None:
        self.users: dict[str, User] = {}

    async def user_for_token(self, token: str) -> User | None:
        return self.users.get(token)


class Rig:
    def __init__(self, database: Database) -> None:
        self.clock = Clock()
        self.clock.advance(T)
        self.hub = Hub()
        self.feed = WallboardFeed(
            self.hub,
            self.clock,
            database,
            WallboardSettings(),
            timezone=ZoneInfo("UTC"),
            config=lambda: (QUEUES, AGENTS),
        )
        self.feed.start()
        self.sessions = Sessions()
        resource = wallboard_resource(
            self.feed, self.sessions, allowed_origin=ORIGIN, clock=self.clock
        )
        ws = Resource()
        ws.putChild(b"wallboard", resource)
        root = Resource()
        root.putChild(b"ws", ws)
        self.site = Site(root, reactor=self.clock)

    def user(self, token: str, role: Role, queues: tuple[str, ...] = ()) -> str:
        self.sessions.users[token] = User(1, token, token, role, None, "en", queues)
        return f"sb_session={token}"

    def connect(self, cookie: str) -> Connection:
        factory = WebSocketClientFactory(
            "ws://127.0.0.1:8080/ws/wallboard", origin=ORIGIN, headers={"Cookie": cookie}
        )
        factory.protocol = SeatClient
        factory._batched_timer = ClockTimer(self.clock)
        factory.setProtocolOptions(serverConnectionDropTimeout=0, autoPingInterval=0)
        client = factory.buildProtocol(None)
        server = self.site.buildProtocol(None)
        here, there = IPv4Address("TCP", "127.0.0.1", 8080), IPv4Address("TCP", "127.0.0.1", 4e4)
        server_transport = FakeTransport(server, True, hostAddress=here, peerAddress=there)
        client_transport = FakeTransport(client, False, hostAddress=there, peerAddress=here)
        pump = connect(server, server_transport, client, client_transport, clock=self.clock)
        return Connection(client, pump, server_transport)

    def tick(self, connection: Connection, seconds: float = 1.0) -> None:
        self.clock.advance(seconds)
        connection.flush()


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    for database in migrated(make_url(f"sqlite:///{tmp_path / 'wb.sqlite'}"), HeldWork()):
        yield Rig(database)


def test_a_supervisor_gets_a_snapshot_of_their_queues_then_the_numbers_change(rig: Rig) -> None:
    socket = rig.connect(rig.user("sup", Role.SUPERVISOR, ("sales",)))
    assert socket.client.opened, socket.client.raw
    snapshot = socket.client.messages[0]
    assert snapshot["type"] == "snapshot"
    assert [q["queue"] for q in snapshot["queues"]] == ["sales"]
    assert snapshot["queues"][0]["tile"]["waiting"] == 0
    rig.hub.publish(FACT, CallQueued("c1", "sales", T + 1, T + 1, 0, "13800138000"))
    rig.hub.publish(FACT, CallQueued("c2", "support", T + 1, T + 1))
    rig.tick(socket)
    waiting = [m for m in socket.client.messages if m["type"] == "queue"]
    assert [(m["queue"], m["tile"]["waiting"]) for m in waiting] == [("sales", 1)]
    rig.hub.publish(FACT, CallAnswered("c1", "sales", "1001", T + 4, 3.0))
    rig.tick(socket)
    last = [m for m in socket.client.messages if m["type"] == "queue"][-1]
    assert (last["tile"]["waiting"], last["tile"]["answered"]) == (0, 1)
    assert last["tile"]["service_level_pct"] == 100.0


def test_an_admin_sees_every_queue(rig: Rig) -> None:
    socket = rig.connect(rig.user("root", Role.ADMIN))
    assert [q["queue"] for q in socket.client.messages[0]["queues"]] == ["sales", "support"]


def test_an_agent_is_refused_with_the_reason(rig: Rig) -> None:
    socket = rig.connect(rig.user("agent", Role.AGENT))
    assert not socket.client.opened
    assert b"403" in socket.client.raw.split(b"\r\n")[0]
    assert NOT_A_SUPERVISOR.split(":")[0].encode() in socket.client.raw


def test_a_supervisor_given_other_queues_is_closed_to_reconnect_with_them(rig: Rig) -> None:
    socket = rig.connect(rig.user("sup", Role.SUPERVISOR, ("sales",)))
    rig.user("sup", Role.SUPERVISOR, ("sales", "support"))
    rig.tick(socket, 15.0)  # the session check
    assert socket.client.close is not None and socket.client.close[1] == 4001
