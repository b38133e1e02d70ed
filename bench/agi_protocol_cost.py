"""The Python cost of one 7-command FastAGI session, with no sockets (a profiling aid).

Feeds the environment and Asterisk's replies straight into the protocol objects over a
do-nothing transport, on the real reactor's timers, for switchboard's AgiServerFactory and
for the bare LineOnlyReceiver floor of ``bench_agi.py``. The difference is what our code
adds to every call; the rest of a socket session's cost (accept, read, write, close) is
Twisted's and the kernel's, the same for both.

    .venv/bin/python bench/agi_protocol_cost.py [SESSIONS]
    .venv/bin/python -m cProfile -s tottime bench/agi_protocol_cost.py 20000
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable
from typing import Any

from twisted.internet import reactor
from twisted.internet.address import IPv4Address
from twisted.internet.error import ConnectionDone
from twisted.protocols.basic import LineOnlyReceiver
from twisted.python.failure import Failure

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
from bench_agi import SCRIPT

from switchboard.config.model import AgiSettings, LoggingSettings
from switchboard.cti.agi import AgiChannel, Quoted
from switchboard.cti.agi.server import AgiServerFactory, session_options
from switchboard.logs import configure_logging

ENV = (
    b"agi_network: yes\nagi_network_script: main-menu\n"
    b"agi_request: agi://127.0.0.1:4573/main-menu\n"
    b"agi_channel: Local/s@switchboard-ivr-00000001;2\nagi_language: en\nagi_type: Local\n"
    b"agi_uniqueid: 1795369105.20\nagi_version: 22.10.1\nagi_callerid: 5551001\n"
    b"agi_calleridname: Load Test\nagi_context: switchboard-ivr\nagi_extension: s\n"
    b"agi_priority: 2\nagi_accountcode: \nagi_arg_1: 5551001\nagi_arg_2: en\n\n"
)
REPLIES = [
    b"200 result=0\n",
    b"200 result=49 endpos=13440\n",
    b"200 result=\n",
    b"200 result=1\n",
    b"200 result=1\n",
    b"200 result=1 (sales)\n",
    b"200 result=1\n",
]
PEER = IPv4Address("TCP", "127.0.0.1", 40000)


class NullTransport:
    disconnecting = False

    def __init__(self) -> None:
        self.writes = 0
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes += 1

    def writeSequence(self, data: list[bytes]) -> None:
        self.writes += 1

    def loseConnection(self) -> None:
        self.closed = True

    def getPeer(self) -> IPv4Address:
        return PEER


async def ivr(ch: AgiChannel) -> None:
    await ch.answer()
    await ch.stream_file("tt-monkeysintro", "0123456789*#")
    await ch.get_data("beep", 4000, 4)
    await ch.set_variable("SWITCHBOARD_QUEUE", "sales")
    await ch.set_variable("SWITCHBOARD_IVR_DIGITS", Quoted("1"))
    await ch.get_variable("SWITCHBOARD_QUEUE")
    await ch.verbose("routed")


class Floor(LineOnlyReceiver):
    delimiter = b"\n"
    step = -1
    lines = tuple(" ".join(words).encode() for words in SCRIPT)

    def lineReceived(self, line: bytes) -> None:
        if self.step < 0 and line:
            return
        self.step += 1
        if self.step < len(self.lines):
            self.sendLine(self.lines[self.step])
        else:
            self.transport.loseConnection()


def session_runner(build: Callable[[], Any]) -> Callable[[], None]:
    def one() -> None:
        protocol, transport = build(), NullTransport()
        protocol.makeConnection(transport)
        protocol.dataReceived(ENV)
        for reply in REPLIES:
            protocol.dataReceived(reply)
        assert transport.closed and transport.writes == 7
        protocol.connectionLost(Failure(ConnectionDone()))
        reactor.runUntilCurrent()  # type: ignore[attr-defined]  # timers, as in a real loop

    return one


def per_session_us(one: Callable[[], None], sessions: int, repeats: int = 5) -> float:
    for _ in range(min(sessions, 2000)):
        one()
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(sessions):
            one()
        best = min(best, time.perf_counter() - started)
    return best / sessions * 1e6


def measure(sessions: int = 20_000) -> dict[str, float]:
    configure_logging(
        LoggingSettings(format="json", level="warning"), io.StringIO(), capture_twisted=False
    )
    factory = AgiServerFactory(
        {"main-menu": ivr}, reactor, session_options(AgiSettings()), max_sessions=10_000
    )
    return {
        "switchboard": per_session_us(
            session_runner(lambda: factory.buildProtocol(PEER)), sessions
        ),
        "floor": per_session_us(session_runner(Floor), sessions),
    }


if __name__ == "__main__":
    result = measure(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
    print(
        f"Python cost per session, no sockets (best of 5): switchboard "
        f"{result['switchboard']:.1f} us, floor {result['floor']:.1f} us"
    )
