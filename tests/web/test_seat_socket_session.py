"""The seat's websocket and the web tier's session: logout closes the user's seat sockets
at once (the real web tier, its Sessions over SQLite, the real seat resource, in memory)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autobahn.twisted.websocket import WebSocketClientFactory
from twisted.internet.address import IPv4Address
from twisted.internet.task import Clock
from twisted.test.iosim import FakeTransport, connect

from switchboard.config import WebSettings
from switchboard.web.ws import seat_resource
from switchboard.web.ws.resource import ClockTimer
from tests.web.browser import Browser
from tests.web.stack import Stack, make_stack
from tests.web.ws.harness import Connection, FakeFeed, SeatClient

ORIGIN = WebSettings().origin


@dataclass
class SeatStack:
    stack: Stack
    feed: FakeFeed
    clock: Clock  # the socket's: heartbeats and session checks (never advanced here)

    def open_seat(self, browser: Browser) -> Connection:
        cookie = f"sb_session={browser.cookies['sb_session']}"
        connection = _open_socket(self.stack, cookie, self.clock)
        connection.flush()
        assert connection.client.opened, connection.client.raw
        return connection


def _seat_stack(tmp_path: Path) -> SeatStack:
    feed, clock = FakeFeed(), Clock()

    def ws_resource_for(sessions: Any) -> Any:
        return seat_resource(feed, sessions, allowed_origin=ORIGIN, clock=clock)

    return SeatStack(make_stack(tmp_path, ws_resource_for=ws_resource_for), feed, clock)


def _open_socket(stack: Stack, cookie: str, clock: Any) -> Connection:
    factory = WebSocketClientFactory(
        "ws://127.0.0.1:8080/ws/seat", origin=ORIGIN, headers={"Cookie": cookie}
    )
    factory.protocol = SeatClient
    factory._batched_timer = ClockTimer(clock)
    factory.setProtocolOptions(serverConnectionDropTimeout=0, autoPingInterval=0)
    client = factory.buildProtocol(None)
    assert isinstance(client, SeatClient)
    server = stack.web.site.buildProtocol(None)
    server_address = IPv4Address("TCP", "127.0.0.1", 8080)
    client_address = IPv4Address("TCP", "127.0.0.1", 40000)
    server_transport = FakeTransport(
        server, True, hostAddress=server_address, peerAddress=client_address
    )
    client_transport = FakeTransport(
        client, False, hostAddress=client_address, peerAddress=server_address
    )
    pump = connect(server, server_transport, client, client_transport, clock=clock)
    return Connection(client, pump, server_transport)


def test_logout_closes_that_sessions_seat_sockets_at_once_and_no_others(tmp_path: Path) -> None:
    rig = _seat_stack(tmp_path)
    rig.stack.add_user("wang", agent_id="1001")
    rig.stack.add_user("li", agent_id="1002")
    wang, csrf = rig.stack.logged_in("wang")
    li, _ = rig.stack.logged_in("li")
    wang_tab1, wang_tab2, li_tab = rig.open_seat(wang), rig.open_seat(wang), rig.open_seat(li)

    answer = wang.post_json("/logout", {}, csrf=csrf)
    for tab in (wang_tab1, wang_tab2, li_tab):
        tab.flush()  # no clock advanced: no session check has run

    assert answer.status == 200
    assert wang_tab1.client.close == (True, 4001, "session ended: log in again")
    assert wang_tab2.client.close == (True, 4001, "session ended: log in again")
    assert li_tab.client.close is None
    assert rig.feed.subscribers("1001") == 0 and rig.feed.subscribers("1002") == 1
