# -*- test-case-name: tests.integration.test_agi_loopback -*-
"""FastAGI throughput and latency: switchboard's server against a bare Twisted floor.

Runs, each in its own process on 127.0.0.1:
  * a server: ``switchboard`` (AgiServerFactory + a 7-command async handler) or ``floor``
    (a bare LineOnlyReceiver sending the same 7 commands, no sessions, no timeouts);
  * the load generator (``bench/agi_load.py``, asyncio) acting as Asterisk: it sends the
    environment and answers each command as Asterisk would, keeping N sessions in flight.

Prints sessions/s and command round-trip p50/p99 (generator's view: from its write of the
environment or a reply to the arrival of the next command). Figures only; nothing asserted.

    .venv/bin/python bench/bench_agi.py [--seconds 6] [--inflight 50 500]
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCRIPT = [
    ("ANSWER",),
    ("STREAM FILE", "tt-monkeysintro", '"0123456789*#"'),
    ("GET DATA", "beep", "4000", "4"),
    ("SET VARIABLE", "SWITCHBOARD_QUEUE", "sales"),
    ("SET VARIABLE", "SWITCHBOARD_IVR_DIGITS", '"1"'),
    ("GET VARIABLE", "SWITCHBOARD_QUEUE"),
    ("VERBOSE", '"routed"', "1"),
]


def serve(kind: str) -> None:
    import structlog
    from twisted.internet import reactor
    from twisted.internet.endpoints import TCP4ServerEndpoint
    from twisted.internet.protocol import Factory
    from twisted.protocols.basic import LineOnlyReceiver

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))

    if kind == "switchboard":
        from switchboard.cti.agi import AgiChannel, Quoted
        from switchboard.cti.agi.server import AgiServerFactory
        from switchboard.cti.agi.session import SessionOptions

        async def ivr(ch: AgiChannel) -> None:
            await ch.answer()
            await ch.stream_file("tt-monkeysintro", "0123456789*#")
            await ch.get_data("beep", 4000, 4)
            await ch.set_variable("SWITCHBOARD_QUEUE", "sales")
            await ch.set_variable("SWITCHBOARD_IVR_DIGITS", Quoted("1"))
            await ch.get_variable("SWITCHBOARD_QUEUE")
            await ch.verbose("routed")

        factory: Any = AgiServerFactory(
            {"main-menu": ivr},
            reactor,
            SessionOptions(),
            max_sessions=10_000,  # type: ignore[arg-type]
        )
    else:
        lines = [" ".join(words).encode() for words in SCRIPT]

        class Floor(LineOnlyReceiver):
            delimiter = b"\n"
            step = -1

            def lineReceived(self, line: bytes) -> None:
                if self.step < 0:
                    if line:
                        return
                elif line.startswith(b"HANGUP"):
                    return
                self.step += 1
                if self.step < len(lines):
                    self.sendLine(lines[self.step])
                else:
                    self.transport.loseConnection()

        factory = Factory.forProtocol(Floor)

    def listening(port: Any) -> None:
        print(port.getHost().port, flush=True)

    TCP4ServerEndpoint(reactor, 0, backlog=2048, interface="127.0.0.1").listen(factory).addCallback(
        listening
    )
    reactor.run()  # type: ignore[attr-defined]


def run_one(kind: str, inflight: int, seconds: float) -> dict[str, Any]:
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", kind], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        load = subprocess.run(
            [sys.executable, str(HERE / "agi_load.py"), str(port), str(inflight), str(seconds)],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        )
        return dict(json.loads(load.stdout), kind=kind, inflight=inflight)
    finally:
        server.terminate()
        server.wait(10)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", choices=["switchboard", "floor"])
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--inflight", type=int, nargs="+", default=[50, 500])
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return 0
    print(
        f"{'server':<12} {'in flight':>9} {'sessions/s':>11} {'cmd p50 ms':>11} "
        f"{'cmd p99 ms':>11} {'errors':>7}"
    )
    for inflight in args.inflight:
        results = {}
        for kind in ("floor", "switchboard"):
            r = results[kind] = run_one(kind, inflight, args.seconds)
            print(
                f"{kind:<12} {inflight:>9} {r['sessions_per_s']:>11.0f} {r['p50_ms']:>11.3f} "
                f"{r['p99_ms']:>11.3f} {r['errors']:>7}",
                flush=True,
            )
        ratio = results["switchboard"]["sessions_per_s"] / results["floor"]["sessions_per_s"]
        print(f"{'ratio':<12} {inflight:>9} {ratio:>11.2f}x of the floor", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
