"""The FastAGI server on a real loopback socket, driven by a tiny fake Asterisk client."""

from __future__ import annotations

from typing import Any

from twisted.internet import defer, reactor
from twisted.internet.endpoints import TCP4ClientEndpoint, connectProtocol
from twisted.internet.protocol import Protocol
from twisted.trial.unittest import TestCase

from switchboard.config.model import AgiSettings
from switchboard.cti.agi import BUILTIN_HANDLERS
from switchboard.cti.agi.server import AgiServerService
from switchboard.cti.agi.wire import parse_command_line
from switchboard.testing.agi import env_block

ANSWERS = {
    "ANSWER": "200 result=0",
    "STREAM": "200 result=49 endpos=100",
    "GET": "200 result=9",
    "SET": "200 result=1",
}


class AsteriskClient(Protocol):
    """Sends the environment, answers each command, and records them until EOF."""

    def __init__(self) -> None:
        self.buffer = b""
        self.commands: list[list[str]] = []
        self.closed: defer.Deferred[list[list[str]]] = defer.Deferred()

    def connectionMade(self) -> None:
        assert self.transport is not None
        self.transport.write(env_block("main-menu", callerid="5551002"))

    def dataReceived(self, data: bytes) -> None:
        assert self.transport is not None
        self.buffer += data
        while b"\n" in self.buffer:
            line, self.buffer = self.buffer.split(b"\n", 1)
            words = parse_command_line(line.decode())
            self.commands.append(words)
            self.transport.write(ANSWERS[words[0]].encode() + b"\n")

    def connectionLost(self, reason: Any = None) -> None:
        self.closed.callback(self.commands)


class LoopbackTests(TestCase):
    timeout = 20

    @defer.inlineCallbacks
    def test_builtin_main_menu_over_a_real_socket(self) -> Any:
        service = AgiServerService(AgiSettings(port=0), reactor, BUILTIN_HANDLERS)
        service.startService()
        self.addCleanup(service.stopService)
        yield service.listening()
        client = AsteriskClient()
        endpoint = TCP4ClientEndpoint(reactor, "127.0.0.1", service.port)
        yield connectProtocol(endpoint, client)
        commands = yield client.closed
        assert commands[0] == ["ANSWER"]
        assert commands[-2:] == [
            ["SET", "VARIABLE", "SWITCHBOARD_QUEUE", "sales"],
            ["SET", "VARIABLE", "SWITCHBOARD_IVR_DIGITS", "19"],
        ]
