# -*- test-case-name: tests.protocol.test_ami_captures,tests.protocol.test_ami_service -*-
"""AMI test kit: replay captured Asterisk bytes, and a fake AMI peer over StringTransport.

Captures are the files of ``tests/fixtures/captures/<scenario>/``: ``NAME.jsonl`` (one
JSON object per socket read/write, ``data`` decoded as latin-1) and the two ``.raw`` files.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from twisted.internet.address import IPv4Address
from twisted.internet.defer import Deferred, fail, succeed
from twisted.internet.error import ConnectionDone, ConnectionRefusedError
from twisted.internet.interfaces import IStreamClientEndpoint
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.python.failure import Failure
from zope.interface import implementer

from switchboard.cti.ami.frames import AmiParser, Message, ParsedItem, encode_message

__all__ = [
    "FROM_ASTERISK",
    "TO_ASTERISK",
    "Capture",
    "FakeAmiConnection",
    "FakeAmiServer",
    "feed_all",
    "load_capture",
    "split_at",
]

FROM_ASTERISK = "asterisk->client"
TO_ASTERISK = "client->asterisk"
BANNER = b"Asterisk Call Manager/11.0.0\r\n"


@dataclass(frozen=True)
class Capture:
    """One captured AMI connection: chunks as TCP split them, and the raw byte streams."""

    name: str
    chunks: tuple[tuple[str, bytes], ...]  # (direction, bytes) in capture order
    from_asterisk: bytes
    to_asterisk: bytes

    def chunks_from_asterisk(self) -> list[bytes]:
        return [data for d, data in self.chunks if d == FROM_ASTERISK]

    def chunks_to_asterisk(self) -> list[bytes]:
        return [data for d, data in self.chunks if d == TO_ASTERISK]


def load_capture(path: str | Path) -> Capture:
    """Load ``.../NAME`` (or any of its ``.jsonl``/``.raw`` files) into a :class:`Capture`."""
    path = Path(path)
    name = path.name
    for suffix in (".jsonl", ".from-asterisk.raw", ".to-asterisk.raw"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    base = path.parent / name
    chunks: list[tuple[str, bytes]] = []
    jsonl = base.with_name(name + ".jsonl")
    if jsonl.exists():
        for line in jsonl.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                chunks.append((row["dir"], row["data"].encode("latin-1")))
    return Capture(
        name,
        tuple(chunks),
        base.with_name(name + ".from-asterisk.raw").read_bytes(),
        base.with_name(name + ".to-asterisk.raw").read_bytes(),
    )


def split_at(data: bytes, offsets: Iterable[int]) -> list[bytes]:
    """Cut ``data`` at the given offsets (any order, duplicates and bounds are fine)."""
    cuts = sorted({o for o in offsets if 0 < o < len(data)})
    edges = [0, *cuts, len(data)]
    return [data[a:b] for a, b in pairwise(edges)]


def feed_all(parser: AmiParser, chunks: Iterable[bytes]) -> list[ParsedItem]:
    """Feed every chunk in order and return everything the parser produced."""
    out: list[ParsedItem] = []
    for chunk in chunks:
        out.extend(parser.feed(chunk))
    return out


class _FakeTransport(StringTransport):
    """A StringTransport whose close reaches the protocol on the next clock turn, like TCP."""

    def __init__(self, clock: Clock, protocol: Any) -> None:
        super().__init__(peerAddress=IPv4Address("TCP", "127.0.0.1", 5038))
        self._clock = clock
        self.protocol = protocol
        self.closed = False

    def loseConnection(self) -> None:
        if not self.disconnecting:
            self.disconnecting = True
            self._clock.callLater(0, self._close, ConnectionDone("closed by client"))

    def _close(self, exc: Exception) -> None:
        if not self.closed:
            self.closed = True
            self.protocol.connectionLost(Failure(exc))


class FakeAmiConnection:
    """The Asterisk side of one fake connection: read the client's actions, answer them."""

    def __init__(self, protocol: Any, transport: _FakeTransport) -> None:
        self.protocol = protocol
        self.transport = transport
        self._parser = AmiParser(expect_banner=False)
        self.received: list[Message] = []

    def actions(self) -> list[Message]:
        """Actions written by the client since the last call."""
        data = self.transport.value()
        self.transport.clear()
        new = [m for m in self._parser.feed(data) if isinstance(m, Message)]
        self.received.extend(new)
        return new

    def next_action(self, name: str | None = None) -> Message:
        pending = self.actions()
        if not pending:
            raise AssertionError("the client sent no action")
        action = pending[0]
        if name is not None and (action.action or "").lower() != name.lower():
            raise AssertionError(f"expected {name}, client sent {action.action}")
        if len(pending) > 1:
            raise AssertionError(f"client sent more than one action: {pending}")
        return action

    def send(self, data: bytes | Sequence[tuple[str, str]]) -> None:
        if not isinstance(data, bytes):
            data = encode_message(data)
        self.protocol.dataReceived(data)

    def banner(self) -> None:
        self.send(BANNER)

    def respond(
        self, action: Message, response: str = "Success", *headers: tuple[str, str]
    ) -> None:
        reply = [("Response", response)]
        if action.action_id is not None:
            reply.append(("ActionID", action.action_id))
        self.send([*reply, *headers])

    def accept_login(self, md5_challenge: str | None = None) -> Message:
        """Answer the Challenge (when MD5) and the Login with success; return the Login."""
        if md5_challenge is not None:
            self.respond(self.next_action("Challenge"), "Success", ("Challenge", md5_challenge))
        login = self.next_action("Login")
        self.respond(login, "Success", ("Message", "Authentication accepted"))
        return login

    def close(self) -> None:
        """Asterisk closes the TCP connection (delivered at once)."""
        self.transport.disconnecting = True
        self.transport._close(ConnectionDone("closed by Asterisk"))


@implementer(IStreamClientEndpoint)
class FakeAmiServer:
    """An endpoint for ``AmiClient(endpoint=...)``: each connect makes a FakeAmiConnection.

    Set ``refuse`` to refuse the next N connects; ``attempts`` counts every connect.
    """

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.connections: list[FakeAmiConnection] = []
        self.attempts = 0
        self.refuse = 0

    @property
    def last(self) -> FakeAmiConnection:
        return self.connections[-1]

    def connect(self, protocolFactory: Any) -> Deferred[Any]:
        self.attempts += 1
        if self.refuse > 0:
            self.refuse -= 1
            return fail(ConnectionRefusedError("fake AMI refused"))
        proto = protocolFactory.buildProtocol(IPv4Address("TCP", "127.0.0.1", 5038))
        transport = _FakeTransport(self.clock, proto)
        proto.makeConnection(transport)
        self.connections.append(FakeAmiConnection(proto, transport))
        return succeed(proto)

    def __iter__(self) -> Iterator[FakeAmiConnection]:
        return iter(self.connections)
