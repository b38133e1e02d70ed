# -*- test-case-name: tests.integration.test_agi_loopback -*-
"""FastAGI throughput and latency: switchboard's server against a bare Twisted floor.

Both servers run for the whole bench, each in its own process on 127.0.0.1:
  * ``switchboard``: AgiServerFactory + a 7-command async handler, production logging
    (JSON, level warning);
  * ``floor``: a bare LineOnlyReceiver sending the same 7 commands, no sessions, no timeouts.

One load generator acts as Asterisk for both: ``bench/agi_load.c`` (epoll, compiled here with
the system C compiler) or, when there is none, ``bench/agi_load.py`` (asyncio). It sends the
environment and answers each command as Asterisk would, keeping N sessions in flight.
At the end, ``agi_protocol_cost.py`` measures what our code costs per session without
sockets, beside the floor's protocol.

This machine's cores are shared by server and generator, so on two or more cores the servers
are pinned to the last core and the generator to the others: they never fight over one core.
Noise is still large, so each in-flight level runs several rounds, alternating which server
goes first, and the medians are compared. Round trip is the generator's view: from its write
of the environment or of a reply to the arrival of the next command. Figures only; nothing
is asserted.

    .venv/bin/python bench/bench_agi.py [--seconds 3] [--rounds 5] [--inflight 50 500]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
KINDS = ("floor", "switchboard")
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
    from twisted.internet import reactor
    from twisted.internet.endpoints import TCP4ServerEndpoint
    from twisted.internet.protocol import Factory
    from twisted.protocols.basic import LineOnlyReceiver

    if kind == "switchboard":
        from switchboard.config.model import AgiSettings, LoggingSettings
        from switchboard.cti.agi import AgiChannel, Quoted
        from switchboard.cti.agi.server import AgiServerFactory, session_options
        from switchboard.logs import configure_logging

        # The production logging set-up, at a level where a clean session logs nothing.
        configure_logging(LoggingSettings(format="json", level="warning"), capture_twisted=False)

        async def ivr(ch: AgiChannel) -> None:
            await ch.answer()
            await ch.stream_file("tt-monkeysintro", "0123456789*#")
            await ch.get_data("beep", 4000, 4)
            await ch.set_variable("SWITCHBOARD_QUEUE", "sales")
            await ch.set_variable("SWITCHBOARD_IVR_DIGITS", Quoted("1"))
            await ch.get_variable("SWITCHBOARD_QUEUE")
            await ch.verbose("routed")

        settings = AgiSettings(max_sessions=10_000)
        factory: Any = AgiServerFactory(
            {"main-menu": ivr}, reactor, session_options(settings), max_sessions=10_000
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


# -- the harness ------------------------------------------------------------------------------


def machine_info() -> str:
    import twisted

    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"machine: {os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))}), {model}; "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}, "
        f"Twisted {twisted.__version__}"
    )


def build_generator(workdir: Path, choice: str) -> tuple[list[str], str]:
    """The load generator's command line (without its arguments) and a label for it."""
    python = [sys.executable, str(HERE / "agi_load.py")]
    cc = shutil.which("gcc") or shutil.which("cc")
    if choice == "python" or cc is None:
        return python, "asyncio (bench/agi_load.py)" + ("" if cc else ", no C compiler found")
    binary = workdir / "agi_load"
    build = subprocess.run(
        [cc, "-O2", "-o", str(binary), str(HERE / "agi_load.c")], capture_output=True, text=True
    )
    if build.returncode != 0:
        print(f"C generator did not build, using asyncio:\n{build.stderr}", file=sys.stderr)
        return python, "asyncio (bench/agi_load.py), C build failed"
    return [str(binary)], f"C epoll (bench/agi_load.c, {Path(cc).name} -O2)"


def cpu_plan(pin: bool) -> tuple[set[int] | None, set[int] | None, str]:
    """CPU sets for the servers and the generator: servers on the last core, generator not."""
    cpus = sorted(os.sched_getaffinity(0))
    if not pin or len(cpus) < 2:
        return None, None, "not pinned"
    server, generator = {cpus[-1]}, set(cpus[:-1])
    return server, generator, f"servers on CPU {cpus[-1]}, generator on CPU {cpus[:-1]}"


class Server:
    """One server process for the whole bench, with its CPU time read from /proc.

    ``tree`` runs switchboard from another source tree (``--compare-tree``) instead.
    """

    def __init__(self, kind: str, cpus: set[int] | None, tree: Path | None = None) -> None:
        self.kind = kind
        env = dict(os.environ)
        if tree is not None:
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tree), env.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve", kind.partition("@")[0]],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        if cpus:
            os.sched_setaffinity(self.process.pid, cpus)
        assert self.process.stdout is not None
        self.port = int(self.process.stdout.readline())

    def cpu_s(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def run_load(
    generator: list[str],
    server: Server,
    inflight: int,
    seconds: float,
    warmup_s: float,
    cpus: set[int] | None,
) -> dict[str, Any]:
    cpu_before, started = server.cpu_s(), time.monotonic()
    load = subprocess.Popen(
        [*generator, str(server.port), str(inflight), str(seconds), str(warmup_s)],
        stdout=subprocess.PIPE,
        text=True,
    )
    if cpus:
        os.sched_setaffinity(load.pid, cpus)
    out, _ = load.communicate(timeout=seconds + warmup_s + 60)
    if load.returncode != 0:
        raise RuntimeError(f"load generator failed with exit status {load.returncode}")
    result: dict[str, Any] = json.loads(out)
    elapsed = time.monotonic() - started
    result["server_cpu"] = (server.cpu_s() - cpu_before) / elapsed
    result["load_cpu"] = result.pop("load_cpu_s") / elapsed
    return result


def row(label: str, inflight: int, r: dict[str, Any]) -> str:
    return (
        f"{label:<24} {inflight:>6} {r['sessions_per_s']:>11.0f} {r['p50_ms']:>9.3f} "
        f"{r['p99_ms']:>9.3f} {r['errors']:>6} {r['server_cpu']:>8.0%} {r['load_cpu']:>8.0%}"
    )


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        key: statistics.median(run[key] for run in runs)
        for key in ("sessions_per_s", "p50_ms", "p99_ms", "errors", "server_cpu", "load_cpu")
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=3.0, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=0.5, help="unmeasured seconds per run")
    parser.add_argument("--rounds", type=int, default=5, help="runs per server and level")
    parser.add_argument("--inflight", type=int, nargs="+", default=[50, 500])
    parser.add_argument("--generator", choices=["auto", "python"], default="auto")
    parser.add_argument("--no-pin", action="store_true", help="let the scheduler place processes")
    parser.add_argument("--json", type=Path, help="also write every run here")
    parser.add_argument(
        "--compare-tree",
        type=Path,
        help="also run switchboard from this source tree (e.g. `git archive HEAD | tar -x`) "
        "in the same rounds, as 'switchboard@tree': a before/after on equal terms",
    )
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return 0

    server_cpus, load_cpus, placement = cpu_plan(not args.no_pin)
    with tempfile.TemporaryDirectory(prefix="bench_agi.") as workdir:
        generator, label = build_generator(Path(workdir), args.generator)
        print(machine_info())
        print(f"load generator: {label}; {placement}")
        print(
            f"{args.rounds} rounds x {args.seconds:g} s (+{args.warmup:g} s warm-up) per server "
            "and level, servers alternating; medians compared\n"
        )
        kinds = KINDS + (("switchboard@tree",) if args.compare_tree else ())
        servers = {kind: Server(kind, server_cpus) for kind in KINDS}
        if args.compare_tree:
            tree = args.compare_tree.resolve()
            servers["switchboard@tree"] = Server("switchboard@tree", server_cpus, tree)
        report: list[dict[str, Any]] = []
        try:
            header = (
                f"{'server':<24} {'flight':>6} {'sessions/s':>11} {'p50 ms':>9} {'p99 ms':>9} "
                f"{'errors':>6} {'srv cpu':>8} {'gen cpu':>8}"
            )
            summary: list[str] = []
            for inflight in args.inflight:
                print(header)
                runs: dict[str, list[dict[str, Any]]] = {kind: [] for kind in kinds}
                for round_no in range(args.rounds):
                    order = kinds if round_no % 2 == 0 else kinds[::-1]
                    for kind in order:
                        r = run_load(
                            generator, servers[kind], inflight, args.seconds, args.warmup, load_cpus
                        )
                        runs[kind].append(r)
                        report.append(dict(r, kind=kind, inflight=inflight, round=round_no))
                        print(row(f"{kind} #{round_no + 1}", inflight, r), flush=True)
                medians = {kind: median_of(runs[kind]) for kind in kinds}
                lines = [row(f"{kind} median", inflight, medians[kind]) for kind in kinds]
                for kind in kinds[1:]:
                    ratios = [
                        s["sessions_per_s"] / f["sessions_per_s"]
                        for s, f in zip(runs[kind], runs["floor"], strict=True)
                    ]
                    ratio = medians[kind]["sessions_per_s"] / medians["floor"]["sessions_per_s"]
                    label = "ratio" if kind == "switchboard" else f"ratio {kind.partition('@')[2]}"
                    lines.append(
                        f"{label:<24} {inflight:>6} {ratio:>10.2f}x of the floor (per round: "
                        + ", ".join(f"{x:.2f}" for x in ratios)
                        + ")"
                    )
                print("\n".join(lines) + "\n", flush=True)
                summary += lines
            print("summary (medians)\n" + header + "\n" + "\n".join(summary))
        finally:
            for server in servers.values():
                server.stop()
    # What our code adds per call, without the sockets (bench/agi_protocol_cost.py).
    from agi_protocol_cost import measure

    cost = measure(10_000)
    print(
        f"Python cost per session, no sockets: switchboard {cost['switchboard']:.1f} us, "
        f"floor {cost['floor']:.1f} us"
    )
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
