# -*- test-case-name: tests.protocol.test_agi_fidelity,tests.unit.test_agi_session -*-
"""FastAGI test kit: a fake Asterisk side over ``StringTransport`` and capture replay.

* :func:`env_block` builds the ``agi_*`` environment Asterisk sends first.
* :class:`FakeAsterisk` connects an :class:`~switchboard.cti.agi.server.AgiServerFactory`
  protocol to a ``StringTransport`` and a ``Clock``; it reads the commands the server
  wrote (split the way Asterisk splits them) and sends replies and ``HANGUP`` notices.
* :class:`Capture` loads one recorded session (``.rx.raw``, ``.tx.raw``, ``.jsonl``,
  ``.meta.json``); :func:`replay` plays Asterisk's side of it into a server protocol.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twisted.internet.address import IPv4Address
from twisted.internet.error import ConnectionDone
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.python.failure import Failure

from switchboard.cti.agi.protocol import AgiServerProtocol
from switchboard.cti.agi.server import AgiServerFactory
from switchboard.cti.agi.wire import AgiParser, HangupNotice, parse_command_line

__all__ = ["Capture", "FakeAsterisk", "ReplayStalled", "RxChunk", "env_block", "replay"]

PEER = IPv4Address("TCP", "127.0.0.1", 40000)


def env_block(
    script: str = "main-menu",
    args: Iterable[str] = (),
    callerid: str = "5551001",
    uniqueid: str = "1795369105.20",
    channel: str = "Local/s@switchboard-ivr-00000001;2",
    **extra: str,
) -> bytes:
    """The environment Asterisk 22 sends for ``AGI(agi://127.0.0.1:4573/<script>,<args>)``."""
    pairs = {
        "agi_network": "yes",
        "agi_network_script": script,
        "agi_request": f"agi://127.0.0.1:4573/{script}",
        "agi_channel": channel,
        "agi_language": "en",
        "agi_type": "Local",
        "agi_uniqueid": uniqueid,
        "agi_version": "22.10.1",
        "agi_callerid": callerid,
        "agi_calleridname": "Test Caller",
        "agi_context": "switchboard-ivr",
        "agi_extension": "s",
        "agi_priority": "2",
        "agi_accountcode": "",
    }
    pairs.update({f"agi_{k}": v for k, v in extra.items()})
    pairs.update({f"agi_arg_{n}": v for n, v in enumerate(args, 1)})
    return "".join(f"{k}: {v}\n" for k, v in pairs.items()).encode() + b"\n"


class FakeAsterisk:
    """Asterisk's end of one FastAGI connection, driven by hand in a test."""

    def __init__(self, factory: AgiServerFactory, clock: Clock) -> None:
        self.clock = clock
        self.transport = StringTransport(peerAddress=PEER)
        protocol = factory.buildProtocol(PEER)
        self.refused = protocol is None
        self.protocol: AgiServerProtocol | None = protocol
        self._read = 0
        self.closed_at: float | None = None
        lose = self.transport.loseConnection

        def lose_connection() -> None:
            if self.closed_at is None:
                self.closed_at = clock.seconds()
            lose()

        self.transport.loseConnection = lose_connection  # type: ignore[method-assign]
        if protocol is not None:
            protocol.makeConnection(self.transport)

    def send(self, data: bytes) -> None:
        assert self.protocol is not None, "connection was refused"
        self.protocol.dataReceived(data)

    def reply(self, *lines: str) -> None:
        self.send("".join(line + "\n" for line in lines).encode())

    def hangup(self) -> None:
        self.send(b"HANGUP\n")

    def commands(self) -> list[list[str]]:
        """Commands written since the last call, each split into words as Asterisk would."""
        data = self.transport.value()[self._read :]
        self._read += len(data)
        return [parse_command_line(line) for line in data.decode().splitlines()]

    @property
    def closed_by_server(self) -> bool:
        return bool(self.transport.disconnecting)

    def disconnect(self) -> None:
        """Asterisk closes its side (after the server did, or on its own)."""
        if self.protocol is not None:
            self.protocol.connectionLost(Failure(ConnectionDone()))


@dataclass(frozen=True)
class RxChunk:
    """One recv() of Asterisk's bytes, with what the server had sent before it."""

    t: float
    data: bytes
    tx_before: int
    hangup_only: bool


@dataclass
class Capture:
    """One recorded FastAGI session."""

    name: str
    rx: bytes
    tx: bytes
    chunks: list[RxChunk]
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, stem: Path) -> Capture:
        """Load ``<stem>.rx.raw``/``.tx.raw``/``.jsonl`` (and ``.meta.json`` if present)."""
        rx = Path(f"{stem}.rx.raw").read_bytes()
        tx = Path(f"{stem}.tx.raw").read_bytes()
        meta_path = Path(f"{stem}.meta.json")
        meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
        chunks: list[RxChunk] = []
        sent = 0
        for line in Path(f"{stem}.jsonl").read_text().splitlines():
            record = json.loads(line)
            data = record["data"].encode("latin-1")
            if record["dir"] == "agi->asterisk":
                sent += len(data)
            else:
                only = all(ln == b"HANGUP" for ln in data.splitlines())
                chunks.append(RxChunk(record["t"], data, sent, only))
        return cls(Path(stem).name, rx, tx, chunks, meta)

    def closing_hangup(self, index: int) -> bool:
        """Is chunk ``index`` the ``HANGUP`` Asterisk sends after the server closed?"""
        chunk = self.chunks[index]
        if not chunk.hangup_only:
            return False
        half_close = self.meta.get("t_server_half_close")
        if half_close is not None:
            return bool(chunk.t >= half_close)
        return index == len(self.chunks) - 1

    def items(self) -> list[Any]:
        return AgiParser().feed(self.rx)

    def hangup_count(self) -> int:
        return sum(isinstance(item, HangupNotice) for item in self.items())


class ReplayStalled(AssertionError):
    """The server never sent what the capture shows it sent before Asterisk's next bytes."""


def _advance_until(clock: Clock, ready: Any, what: str, limit_s: float, step_s: float) -> None:
    waited = 0.0
    while not ready():
        if waited > limit_s:
            raise ReplayStalled(what)
        clock.advance(step_s)
        waited += step_s


def replay(
    capture: Capture,
    asterisk: FakeAsterisk,
    limit_s: float = 120.0,
    step_s: float = 0.05,
) -> None:
    """Play Asterisk's side of ``capture`` into the server, then close the connection.

    Chunks are fed in recorded order at their recorded times (on the fake clock). A chunk
    holding replies waits until the server has written everything the capture shows it
    wrote before that chunk; the ``HANGUP`` Asterisk sends after the server closed waits
    until the server has closed. ``HANGUP`` notices from the caller are fed on time, so
    they can overtake a command, as they do on the wire.
    """
    sent = asterisk.transport.value
    for index, chunk in enumerate(capture.chunks):
        if chunk.t > asterisk.clock.seconds() and not asterisk.closed_by_server:
            asterisk.clock.advance(chunk.t - asterisk.clock.seconds())
        if capture.closing_hangup(index):
            _advance_until(
                asterisk.clock,
                lambda: asterisk.closed_by_server,
                f"{capture.name}: server never closed",
                limit_s,
                step_s,
            )
        elif not chunk.hangup_only:
            need = chunk.tx_before
            _advance_until(
                asterisk.clock,
                lambda need=need: len(sent()) >= need,  # type: ignore[misc]
                f"{capture.name}: server sent {sent()!r}, capture shows {need} bytes",
                limit_s,
                step_s,
            )
        asterisk.send(chunk.data)
    if not asterisk.closed_by_server:
        _advance_until(
            asterisk.clock,
            lambda: asterisk.closed_by_server,
            f"{capture.name}: server never closed",
            limit_s,
            step_s,
        )
    asterisk.disconnect()
