# -*- test-case-name: tests.sim.test_agi -*-
"""The simulated PBX's side of FastAGI: Asterisk connects out and obeys commands.

One :class:`AgiCallProtocol` per call. Commands are read one at a time (Asterisk only
reads the socket between commands) and answered in simulated time by
:class:`switchboard.sim._agi_commands.CommandRunner`. Hang-up facts from the captures:
the running media command returns ``-1``, a bare ``HANGUP`` follows at once, later
media commands get ``511``; when the server half-closes, a (second) ``HANGUP`` is sent
and the socket closed.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import structlog
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IHalfCloseableProtocol, ITCPTransport
from twisted.protocols.basic import LineOnlyReceiver
from twisted.python.failure import Failure
from zope.interface import implementer

from switchboard.sim.channels import Channel

if TYPE_CHECKING:
    from switchboard.sim._agi_commands import CommandRunner

log = structlog.get_logger(__name__)


def agi_environment(chan: Channel, url: str, args: list[str], thread_id: int) -> bytes:
    """The ``agi_*`` block, keys and order as Asterisk 22 sends them."""
    script = url.split("/", 3)[3] if url.count("/") >= 3 else ""
    pairs = [
        ("agi_network", "yes"),
        ("agi_network_script", script),
        ("agi_request", url),
        ("agi_channel", chan.name),
        ("agi_language", chan.language),
        ("agi_type", "Local"),
        ("agi_uniqueid", chan.uniqueid),
        ("agi_version", "22.10.1"),
        ("agi_callerid", chan.caller_num),
        ("agi_calleridname", chan.caller_name),
        ("agi_callingpres", "0"),
        ("agi_callingani2", "0"),
        ("agi_callington", "0"),
        ("agi_callingtns", "0"),
        ("agi_dnid", "unknown"),
        ("agi_rdnis", "unknown"),
        ("agi_context", chan.context),
        ("agi_extension", chan.exten),
        ("agi_priority", str(chan.priority)),
        ("agi_enhanced", "0.0"),
        ("agi_accountcode", chan.accountcode),
        ("agi_threadid", str(thread_id)),
    ]
    pairs += [(f"agi_arg_{i}", a) for i, a in enumerate(args, 1)]
    return "".join(f"{k}: {v}\n" for k, v in pairs).encode() + b"\n"


@implementer(IHalfCloseableProtocol)
class AgiCallProtocol(LineOnlyReceiver):
    """Asterisk's end of one FastAGI session."""

    transport: ITCPTransport  # set by makeConnection before the callbacks below

    delimiter = b"\n"
    MAX_LENGTH = 65536

    def __init__(self, runner: CommandRunner, env: bytes) -> None:
        self.runner = runner
        self.env = env
        self.finished: Deferred[str] = Deferred()  # fires with AGISTATUS
        self._pending: deque[str] = deque()
        self._busy = False
        self._closing = False
        self._hangup_sent = False
        self._status: str | None = None

    def connectionMade(self) -> None:
        self.runner.on_hangup(self._caller_gone)
        self.transport.write(self.env)

    def lineReceived(self, line: bytes) -> None:
        text = line.decode("utf-8", "replace").rstrip("\r")
        if not text.strip():
            return
        self._pending.append(text)
        self._next()

    def _next(self) -> None:
        if self._busy or not self._pending or self._closing:
            return
        self._busy = True
        line = self._pending.popleft()
        d = Deferred.fromCoroutine(self.runner.run(line))
        d.addCallbacks(self._reply, self._crashed, errbackArgs=(line,))

    def _reply(self, reply: str) -> None:
        self._busy = False
        if not self._closing:
            self.transport.write(reply.encode() + b"\n")
            if self.runner.dead and not self._hangup_sent:
                self._send_hangup()
        self._next()

    def _crashed(self, failure: Failure, line: str) -> None:
        log.error("sim_agi_command_crashed", command=line, failure=failure.getTraceback())
        self._reply("200 result=-1")

    def _caller_gone(self) -> None:
        if not self._busy and not self._hangup_sent and not self._closing:
            self._send_hangup()

    def _send_hangup(self) -> None:
        self._hangup_sent = True
        self.transport.write(b"HANGUP\n")

    def abort(self) -> None:
        """The PBX is going away: ``HANGUP`` (if not said yet), then close the socket."""
        if self._closing or self.transport is None:
            return
        self._closing = True
        if not self._hangup_sent:
            self._send_hangup()
        self.transport.loseConnection()

    # -- end of session ----------------------------------------------------------------
    def readConnectionLost(self) -> None:
        """The server closed its side: Asterisk says HANGUP (again) and closes."""
        self._closing = True
        self.transport.write(b"HANGUP\n")
        self.transport.loseConnection()

    def writeConnectionLost(self) -> None:
        self.transport.loseConnection()

    def connectionLost(self, reason: Failure = Failure(ConnectionError())) -> None:  # noqa: B008
        self._closing = True
        if not self.finished.called:
            status = "HANGUP" if self.runner.dead else "SUCCESS"
            self.finished.callback("FAILURE" if self.runner.failed else status)
