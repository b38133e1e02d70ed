# -*- test-case-name: tests.integration.test_seat_ws_loopback -*-
"""The seat socket on a real loopback socket, where twisted.web's HTTPChannel is still the
transport's producer after the upgrade (the in-memory tests are tests/web/ws/)."""

from __future__ import annotations

import json
from typing import Any

from autobahn.twisted.websocket import WebSocketClientFactory, WebSocketClientProtocol
from twisted.internet import defer, reactor
from twisted.trial.unittest import TestCase
from twisted.web.resource import Resource
from twisted.web.server import Site

from switchboard.web.ws import seat_resource
from tests.web.ws.harness import ORIGIN, FakeFeed, FakeSessions, FakeUser

BIG = "x" * 100_000  # one such message overfills the transport's 64 KiB buffer


class Client(WebSocketClientProtocol):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[dict[str, Any]] = []
        self.opened: defer.Deferred[None] = defer.Deferred()
        self.closed: defer.Deferred[None] = defer.Deferred()
        self.waiting: tuple[Any, defer.Deferred[None]] | None = None

    def onOpen(self) -> None:
        self.opened.callback(None)

    def onMessage(self, payload: bytes, isBinary: bool) -> None:
        self.messages.append(json.loads(payload))
        if self.waiting is not None and self.waiting[0](self.messages):
            done, self.waiting = self.waiting[1], None
            done.callback(None)

    def onClose(self, wasClean: bool, code: int | None, reason: str | None) -> None:
        self.closed.callback(None)

    def until(self, condition: Any) -> defer.Deferred[None]:
        done: defer.Deferred[None] = defer.Deferred()
        if condition(self.messages):
            done.callback(None)
        else:
            self.waiting = (condition, done)
        return done


class LoopbackTests(TestCase):
    timeout = 20

    @defer.inlineCallbacks
    def test_a_flooded_socket_resyncs_while_another_gets_every_message(self) -> Any:
        feed = FakeFeed()
        sessions = FakeSessions({"tok-a": FakeUser("a1"), "tok-b": FakeUser("a2")})
        ws = Resource()
        ws.putChild(
            b"seat",
            seat_resource(
                feed, sessions, allowed_origin=ORIGIN, clock=reactor, max_buffered_messages=8
            ),
        )
        root = Resource()
        root.putChild(b"ws", ws)
        port = reactor.listenTCP(0, Site(root), interface="127.0.0.1")
        self.addCleanup(port.stopListening)
        flooded = yield self.connect(port.getHost().port, "tok-a")
        steady = yield self.connect(port.getHost().port, "tok-b")
        yield flooded.until(lambda ms: len(ms) == 1)
        yield steady.until(lambda ms: len(ms) == 1)

        for n in range(100):  # far faster than one socket can carry
            feed.publish("a1", {"v": 1, "type": "pop", "call_id": f"old{n}", "pad": BIG})
            feed.publish("a2", {"v": 1, "type": "pop", "call_id": f"b{n}"})
        yield flooded.until(lambda ms: ms[-1]["type"] == "snapshot" and ms[-1]["n"] == 2)
        feed.publish("a1", {"v": 1, "type": "pop", "call_id": "new"})
        yield flooded.until(lambda ms: ms[-1].get("call_id") == "new")
        yield steady.until(lambda ms: len(ms) == 101)

        carried = [m["call_id"] for m in flooded.messages if m["type"] == "pop"]
        assert carried[-1] == "new" and len(carried) < 20  # the backlog was dropped
        assert [m["call_id"] for m in steady.messages[1:]] == [f"b{n}" for n in range(100)]
        for client in (flooded, steady):
            client.sendClose(1000)
            yield client.closed

    @defer.inlineCallbacks
    def connect(self, port: int, token: str) -> Any:
        factory = WebSocketClientFactory(
            f"ws://127.0.0.1:{port}/ws/seat",
            origin=ORIGIN,
            headers={"Cookie": f"sb_session={token}"},
        )
        factory.protocol = Client
        factory.setProtocolOptions(
            openHandshakeTimeout=0, closeHandshakeTimeout=0, serverConnectionDropTimeout=0
        )
        connected: defer.Deferred[Client] = defer.Deferred()
        factory.buildProtocol = _capture(factory.buildProtocol, connected)
        reactor.connectTCP("127.0.0.1", port, factory)
        client = yield connected
        yield client.opened
        return client


def _capture(build: Any, connected: defer.Deferred[Client]) -> Any:
    def building(addr: Any) -> Any:
        protocol = build(addr)
        connected.callback(protocol)
        return protocol

    return building
