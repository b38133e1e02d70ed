# -*- test-case-name: tests.sim.test_reconnect -*-
"""Replay a captured scenario made of several AMI connections to one (restarting) PBX.

``ami-reconnect`` is four client connections over ~10 s: one that originates a held
call and drops its socket without Logoff, one that logs in again and lists what is up,
one that sends ``core restart now``, and the first login after the restart; plus logins
polled during the restart. :func:`replay_connections` opens each connection at the
capture's wall-clock offset on one fake clock, feeds the client's bytes at their times
(not before the responses they waited for), drops it where the client dropped it, and
returns what the simulator sent on each. ``Command: core restart now`` restarts the
simulated process (:mod:`._restart`) on the same factory, as Asterisk re-executes itself
on the same port.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from twisted.internet.defer import Deferred
from twisted.internet.interfaces import ITCPTransport
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransportWithDisconnection
from twisted.protocols.basic import LineOnlyReceiver
from twisted.python.failure import Failure

from switchboard.sim._actions import ActionHandler
from switchboard.sim._dialplan import Dialplan
from switchboard.sim._restart import Restarter, RestartTiming
from switchboard.sim.ami import AmiServerFactory, AmiServerProtocol
from switchboard.sim.pbx import Pbx, PbxConfig
from switchboard.sim.replay import memory_connector


@dataclass(frozen=True, slots=True)
class ClientConnection:
    """One captured client connection: when it opened and closed, what it sent.

    ``chunks`` are (wall time, bytes, responses seen before) as in the capture's jsonl;
    ``closed_at`` is when the client dropped the socket itself (``None``: it did not).
    """

    name: str
    opened_at: float
    chunks: tuple[tuple[float, bytes, int], ...]
    closed_at: float | None = None


def load_connection(name: str, jsonl: Path, closed_at: float | None = None) -> ClientConnection:
    """A :class:`ClientConnection` from a capture's ``<name>.jsonl`` (``wall`` times)."""
    items = [json.loads(line) for line in jsonl.read_text().splitlines() if line.strip()]
    chunks: list[tuple[float, bytes, int]] = []
    seen = 0
    for item in items:
        data = item["data"].encode("latin-1")
        if item["dir"] == "client->asterisk":
            chunks.append((float(item["wall"]), data, seen))
        else:
            seen += data.count(b"Response: ")
    opened = float(items[0]["wall"]) - float(items[0]["t"]) if items else 0.0
    return ClientConnection(name, opened, tuple(chunks), closed_at)


def login_poll(name: str, at: float, secret: str) -> ClientConnection:
    """A fresh connection at ``at`` that only logs in (the capture's restart polls)."""
    login = (
        "Action: Login\r\nActionID: poll\r\nUsername: switchboard\r\n"
        f"Secret: {secret}\r\nEvents: off\r\n\r\n"
    ).encode()
    return ClientConnection(name, at, ((at, login, 0),), closed_at=at + 0.05)


class HoldScript(LineOnlyReceiver):
    """The capture's ``acd-hold`` FastAGI script, variant ``hold``: the prefix commands
    (ANSWER, MixMonitor, ACD_RECORDING, StartMusicOnHold), then idle until ``HANGUP``,
    then close its side."""

    transport: ITCPTransport  # set by makeConnection

    delimiter = b"\n"

    def __init__(self, spool_dir: Path) -> None:
        self.spool = str(spool_dir)
        self.env: dict[str, str] = {}
        self.in_env = True
        self.hangups = 0
        self._reply: Deferred[str] | None = None

    def lineReceived(self, line: bytes) -> None:
        text = line.decode()
        if self.in_env:
            if text:
                key, _, value = text.partition(": ")
                self.env[key] = value
            else:
                self.in_env = False
                Deferred.fromCoroutine(self.script())
            return
        if text == "HANGUP":
            self.hangups += 1
            if self.hangups == 1:
                self.transport.loseWriteConnection()
            return
        reply, self._reply = self._reply, None
        if reply is not None:
            reply.callback(text)

    def _cmd(self, line: str) -> Deferred[str]:
        self._reply = Deferred()
        self.transport.write(line.encode() + b"\n")
        return self._reply

    async def script(self) -> None:
        wav = f"{self.spool}/monitor/acd-{self.env.get('agi_uniqueid', '')}.wav"
        for line in (
            "ANSWER",
            f"EXEC MixMonitor {wav},b",
            f"SET VARIABLE ACD_RECORDING {wav}",
            "EXEC StartMusicOnHold default",
        ):
            if self.hangups:
                return
            await self._cmd(line)


@dataclass
class ConnectionsReplay:
    """What :func:`replay_connections` hands back."""

    sent: dict[str, bytes]  # per connection name: every byte the simulator sent
    restarts: int = 0
    handler: ActionHandler | None = None  # the process running at the end
    closed_by_server: dict[str, float] = field(default_factory=dict)  # name -> clock time


def replay_connections(
    connections: list[ClientConnection],
    *,
    spool_dir: Path,
    agi_script: Callable[[], LineOnlyReceiver] | None = None,
    agi_url: str = "agi://127.0.0.1:4573/acd-hold",
    secret: str = "switchboard-secret",
    seed: int = 1,
    local_start: int = 0,
    tail_s: float = 3.0,
    step_s: float = 0.001,
    timing: RestartTiming | None = None,
) -> ConnectionsReplay:
    """Run one simulated PBX through several captured client connections (wall-aligned).

    Args:
        connections: the client connections, each with its open/close times.
        spool_dir: where recordings go (the capture's spool folder is rewritten to it).
        agi_script: builds the FastAGI server for each call (default: :class:`HoldScript`).
        local_start: the capture's first Local pair number (actions name its channels).
        step_s: clock step; small, as the restart's facts are ms apart.
    """
    clock = Clock()
    rng = random.Random(seed)
    config = PbxConfig(ami_users={"switchboard": secret}, spool_dir=spool_dir, agi_url=agi_url)
    script = agi_script or (lambda: HoldScript(spool_dir))
    connect = memory_connector(clock, script)

    def boot(epoch: float | None = None, first: int = 0) -> ActionHandler:
        kwargs = {} if epoch is None else {"epoch": epoch}
        pbx = Pbx(
            clock,
            config,
            talk_time=lambda lo, hi: float(rng.randint(int(lo), int(hi))),
            local_start=first,
            **kwargs,  # type: ignore[arg-type]
        )
        return ActionHandler(pbx, Dialplan(pbx, rng, connect))

    factory = AmiServerFactory(boot(first=local_start))
    restarter = Restarter(
        clock, factory, lambda: boot(factory.handler.pbx.now()), timing=timing or RestartTiming()
    )
    base = min(c.opened_at for c in connections)
    end = max([c.chunks[-1][0] for c in connections if c.chunks] + [base]) - base + tail_s
    result = ConnectionsReplay(sent={})
    live: dict[str, tuple[AmiServerProtocol, StringTransportWithDisconnection]] = {}
    fed: dict[str, int] = {c.name: 0 for c in connections}

    def open_connection(conn: ClientConnection) -> None:
        proto = factory.buildProtocol(None)
        transport = StringTransportWithDisconnection()
        transport.protocol = proto
        proto.makeConnection(transport)
        live[conn.name] = proto, transport

    while clock.seconds() < end:
        now = clock.seconds() + base
        for conn in connections:
            if conn.name not in live and conn.name not in result.sent and conn.opened_at <= now:
                open_connection(conn)
            if conn.name not in live:
                continue
            proto, transport = live[conn.name]
            if not transport.connected:  # the server closed it
                result.sent[conn.name] = transport.value()
                result.closed_by_server[conn.name] = clock.seconds()
                del live[conn.name]
                continue
            i = fed[conn.name]
            while i < len(conn.chunks) and conn.chunks[i][0] <= now:
                if transport.value().count(b"Response: ") < conn.chunks[i][2]:
                    break
                proto.dataReceived(conn.chunks[i][1])
                i += 1
            fed[conn.name] = i
            if conn.closed_at is not None and conn.closed_at <= now and transport.connected:
                transport.loseConnection()  # the client's abrupt close, without Logoff
                result.sent[conn.name] = transport.value()
                del live[conn.name]
        clock.advance(step_s)
    for name, (proto, transport) in live.items():
        result.sent[name] = transport.value()
        proto.connectionLost(Failure(ConnectionError("replay over")))
    restarter.cancel()
    result.restarts = restarter.restarts
    result.handler = factory.handler
    return result
