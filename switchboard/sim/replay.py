# -*- test-case-name: tests.sim.test_conformance -*-
"""Put the simulator through a captured scenario, in memory and on a fake clock.

The client's actions are replayed at the times the capture recorded them, and the
capture's FastAGI script (``main-menu``, described in the captures' README) answers
the simulated PBX's FastAGI calls. The result is the AMI byte stream the simulator
sent, ready for :func:`switchboard.sim.conformance.compare_transcripts`.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

from twisted.internet import task
from twisted.internet.defer import Deferred, succeed
from twisted.internet.interfaces import ITCPTransport
from twisted.internet.protocol import Protocol
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.protocols.basic import LineOnlyReceiver
from twisted.python.failure import Failure

from switchboard.sim._actions import ActionHandler
from switchboard.sim._config import DEFAULT_APPLICATIONS
from switchboard.sim._dialplan import Dialplan
from switchboard.sim.ami import AmiServerProtocol
from switchboard.sim.pbx import Pbx, PbxConfig


class MemoryTransport:
    """One end of an in-memory stream; delivery goes through the clock (no re-entrancy)."""

    disconnecting = False

    def __init__(
        self, clock: Clock, own: Callable[[], Protocol], peer: Callable[[], Protocol]
    ) -> None:
        self.clock, self._own, self._peer = clock, own, peer
        self.closed = False

    def write(self, data: bytes) -> None:
        if not self.closed:
            self.clock.callLater(0, self._deliver, data)

    def _deliver(self, data: bytes) -> None:
        peer = self._peer()
        if not getattr(peer.transport, "closed", False):
            peer.dataReceived(data)

    def writeSequence(self, data: list[bytes]) -> None:
        self.write(b"".join(data))

    def loseWriteConnection(self) -> None:
        self.clock.callLater(0, lambda: getattr(self._peer(), "readConnectionLost", lambda: None)())

    def loseConnection(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.disconnecting = True

        def gone() -> None:
            self._own().connectionLost(Failure(ConnectionError("closed")))
            peer = self._peer()
            peer_transport = peer.transport
            if isinstance(peer_transport, MemoryTransport) and not peer_transport.closed:
                peer_transport.closed = True
                peer.connectionLost(Failure(ConnectionError("closed")))

        self.clock.callLater(0, gone)

    def getPeer(self) -> None:
        return None

    def getHost(self) -> None:
        return None


def memory_connector(
    clock: Clock, server_factory: Callable[[], Protocol]
) -> Callable[[Protocol], Deferred[object]]:
    """An AGI connector that links the simulator's caller to an in-memory server."""

    def connect(client: Protocol) -> Deferred[object]:
        server = server_factory()
        client.makeConnection(MemoryTransport(clock, lambda: client, lambda: server))  # type: ignore[arg-type]
        server.makeConnection(MemoryTransport(clock, lambda: server, lambda: client))  # type: ignore[arg-type]
        return succeed(None)

    return connect


class MainMenuScript(LineOnlyReceiver):
    """The capture's ``main-menu`` FastAGI script (see the captures' README)."""

    transport: ITCPTransport  # set by makeConnection (a MemoryTransport in replays)

    delimiter = b"\n"

    def __init__(self) -> None:
        self.env: dict[str, str] = {}
        self.in_env = True
        self.hangup_seen = False
        self._replies: list[Deferred[str]] = []

    def lineReceived(self, line: bytes) -> None:
        text = line.decode()
        if self.in_env:
            if not text:
                self.in_env = False
                Deferred.fromCoroutine(self.script())
            else:
                key, _, value = text.partition(": ")
                self.env[key] = value
            return
        if text == "HANGUP":
            self.hangup_seen = True
            return
        if self._in_usage:
            self._in_usage = not text.startswith("520 ")
            if self._in_usage:
                return
        elif text.startswith("520-"):
            self._in_usage = True
            return
        if self._replies:
            self._replies.pop(0).callback(text)

    _in_usage = False

    def cmd(self, line: str) -> Deferred[str]:
        d: Deferred[str] = Deferred()
        self._replies.append(d)
        self.transport.write(line.encode() + b"\n")
        return d

    async def script(self) -> None:
        num = self.env.get("agi_callerid", "")
        await self.cmd("ANSWER")
        await self.cmd(f'VERBOSE "switchboard main-menu for {num}" 1')
        await self.cmd("CHANNEL STATUS")
        digits = ""
        r = await self.cmd('STREAM FILE tt-monkeysintro "0123456789*#"')
        code = r.split("result=")[1].split()[0] if "result=" in r else "0"
        if code.isdigit() and int(code) > 0:
            digits += chr(int(code))
        r = await self.cmd("GET DATA beep 4000 4")
        got = (
            r.split("result=", 1)[1].split(" ")[0] if "result=" in r and r.startswith("200") else ""
        )
        digits += got if got.isdigit() else ""
        if digits:
            await self.cmd(f'SAY DIGITS {digits} ""')
        await self.cmd("WAIT FOR DIGIT 500")
        if digits:
            queue = "sales" if digits[0] == "1" else "support"
        else:
            queue = "support" if num[-1:] in "02468" and num else "sales"
        await self.cmd(f"SET VARIABLE SWITCHBOARD_QUEUE {queue}")
        await self.cmd(f'SET VARIABLE SWITCHBOARD_IVR_DIGITS "{digits}"')
        await self.cmd("GET VARIABLE SWITCHBOARD_QUEUE")
        await self.cmd("GET VARIABLE NO_SUCH_VARIABLE")
        await self.cmd(
            'GET FULL VARIABLE "${CALLERID(num)}|${CALLERID(name)}|${CHANNEL(linkedid)}'
            '|${SWITCHBOARD_CALLID}"'
        )
        await self.cmd(f"DATABASE PUT switchboard lastqueue/{num} {queue}")
        await self.cmd(f"DATABASE GET switchboard lastqueue/{num}")
        await self.cmd("DATABASE GET switchboard no/such/key")
        await self.cmd("FROBNICATE the widgets")
        await self.cmd("STREAM FILE")
        await self.cmd(
            f"VERBOSE \"routing {num} to {queue} digits='{digits}' "
            f'hangup_seen={self.hangup_seen}" 1'
        )
        self.transport.loseWriteConnection()


CAPTURE_SPOOL = "/opt/ast-run/spool"  # the captured PBX's spool folder
SessionScript = tuple[list[tuple[float, str]], float]


def captured_sessions(agi_dir: Path) -> dict[str, SessionScript]:
    """Per caller ID: the commands a captured FastAGI server sent (time after accept,
    line) and when it half-closed, from ``agi/*.jsonl`` + ``*.meta.json``."""
    out: dict[str, SessionScript] = {}
    for meta_path in sorted(agi_dir.glob("*.meta.json")):
        meta = json.loads(meta_path.read_text())
        jsonl = meta_path.with_name(meta_path.name.replace(".meta.json", ".jsonl"))
        commands: list[tuple[float, str]] = []
        for line in jsonl.read_text().splitlines():
            item = json.loads(line)
            if item["dir"] == "agi->asterisk":
                for text in item["data"].splitlines():
                    commands.append((float(item["t"]), text))
        out[str(meta["agi_callerid"])] = (commands, float(meta["t_server_half_close"]))
    return out


class CapturedScript(LineOnlyReceiver):
    """Replays a captured FastAGI server: each command at its recorded time (after the
    previous reply), then the half-close; the session is chosen by ``agi_callerid``."""

    transport: ITCPTransport  # set by makeConnection (a MemoryTransport in replays)
    lines: list[str]  # what this session heard, set once the environment is read

    delimiter = b"\n"

    def __init__(
        self,
        clock: Clock,
        sessions: dict[str, SessionScript],
        heard: dict[str, list[str]] | None = None,
        spool: tuple[str, str] = ("", ""),
    ) -> None:
        self.clock, self.sessions, self.spool = clock, sessions, spool
        self.heard = heard if heard is not None else {}
        self.env: dict[str, str] = {}
        self.in_env = True
        self._waiting: Deferred[str] | None = None
        self._in_usage = False

    def lineReceived(self, line: bytes) -> None:
        text = line.decode()
        if not self.in_env:
            self.lines.append(text)
        if self.in_env:
            if text:
                key, _, value = text.partition(": ")
                self.env[key] = value
                return
            self.in_env = False
            self.start = self.clock.seconds()
            self.lines = self.heard.setdefault(self.env.get("agi_callerid", ""), [])
            Deferred.fromCoroutine(self.script())
            return
        if text == "HANGUP" or (text.startswith("520-") or self._in_usage):
            self._in_usage = text.startswith("520-") or (self._in_usage and text[:4] != "520 ")
            if text == "HANGUP" or self._in_usage:
                return
        waiting, self._waiting = self._waiting, None
        if waiting is not None:
            waiting.callback(text)

    async def _until(self, t: float) -> None:
        delay = self.start + t - self.clock.seconds()
        if delay > 0:
            await task.deferLater(self.clock, delay, lambda: None)

    async def script(self) -> None:
        commands, close_t = self.sessions.get(self.env.get("agi_callerid", ""), ([], 0.0))
        for t, line in commands:
            await self._until(t)
            self._waiting = Deferred()
            reply = self._waiting
            if self.spool[0]:  # the capture's spool folder → this run's
                line = line.replace(*self.spool)
            self.transport.write(line.encode() + b"\n")
            await reply
        await self._until(close_t)
        self.transport.loseWriteConnection()


def client_chunks(jsonl: Path) -> list[tuple[float, bytes]]:
    """(time, bytes) of everything the capture's client sent."""
    return [(t, data) for t, data, _ in gated_client_chunks(jsonl)]


def gated_client_chunks(jsonl: Path) -> list[tuple[float, bytes, int]]:
    """(time, bytes, responses) of the client's chunks: ``responses`` is how many
    responses Asterisk had sent before it (a client waits for a sync Originate)."""
    out = []
    seen = 0
    for line in jsonl.read_text().splitlines():
        item = json.loads(line)
        data = item["data"].encode("latin-1")
        if item["dir"] == "client->asterisk":
            out.append((float(item["t"]), data, seen))
        else:
            seen += data.count(b"Response: ")
    return out


def replay(
    jsonl: Path,
    *,
    agi: bool = True,
    agi_sessions: dict[str, SessionScript] | None = None,
    agi_heard: dict[str, list[str]] | None = None,
    spool_dir: Path = Path("/tmp/switchboard-sim/spool"),
    seed: int = 1,
    secret: str = "switchboard-secret",
    tail_s: float = 5.0,
    step_s: float = 0.01,
    local_start: int = 0,
    sounds: frozenset[str] | None = None,
    applications: frozenset[str] = DEFAULT_APPLICATIONS,
) -> bytes:
    """Run the simulator through one captured AMI connection; return its bytes.

    ``local_start`` numbers the simulator's Local pairs from the capture's first one,
    so actions that name captured channels (``Local/s@switchboard-ivr-00000006;2``)
    reach the same calls in the simulator.
    """
    clock = Clock()
    rng = random.Random(seed)
    config = PbxConfig(
        ami_users={"switchboard": secret},
        spool_dir=spool_dir,
        sounds=sounds,
        applications=applications,
    )
    pbx = Pbx(
        clock,
        config,
        talk_time=lambda lo, hi: float(rng.randint(int(lo), int(hi))),
        local_start=local_start,
    )
    connect: Callable[[Protocol], Deferred[object]] | None
    if agi_sessions is not None:
        sessions = agi_sessions
        connect = memory_connector(
            clock,
            lambda: CapturedScript(clock, sessions, agi_heard, (CAPTURE_SPOOL, str(spool_dir))),
        )
    else:
        connect = memory_connector(clock, MainMenuScript) if agi else None
    dialplan = Dialplan(pbx, rng, connect)
    handler = ActionHandler(pbx, dialplan)
    session = AmiServerProtocol(handler)
    transport = StringTransport()
    session.makeConnection(transport)
    chunks = gated_client_chunks(jsonl)
    end = (chunks[-1][0] if chunks else 0.0) + tail_s
    i, answered, scanned = 0, 0, 0

    def count_responses() -> int:
        nonlocal scanned
        out = transport.value()
        new = out.count(b"Response: ", max(0, scanned - 16))
        new -= out.count(b"Response: ", max(0, scanned - 16), scanned)
        scanned = len(out)
        return new

    while clock.seconds() < end or i < len(chunks):
        answered += count_responses()
        # Each chunk at its recorded time, and not before the responses it waited for.
        while i < len(chunks) and chunks[i][0] <= clock.seconds() and answered >= chunks[i][2]:
            session.dataReceived(chunks[i][1])
            i += 1
            answered += count_responses()
        if clock.seconds() > end + 600:
            raise RuntimeError(f"replay stuck before client chunk {i} of {jsonl.name}")
        clock.advance(step_s)
    return transport.value()
