"""``switchboard demo``: a simulated PBX, the FastAGI server and the AMI client, on loopback.

Scripted callers ring the simulated Asterisk; it runs each call through switchboard's
FastAGI ``main-menu`` and then app_queue, exactly as the dialplan of ``docs/asterisk.md``
would; switchboard's AMI client follows the calls and the demo prints what a supervisor
would want to know. Everything listens on 127.0.0.1 and the run is bounded.
"""

# test-case-name: tests.integration.test_demo

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

from twisted.internet import defer, task

from switchboard.app import build_agi, build_ami
from switchboard.config import LoggingSettings, Settings
from switchboard.cti.ami.frames import Message
from switchboard.demo_tally import CallTally
from switchboard.logs import configure_logging
from switchboard.sim.scenario import Scenario, random_caller
from switchboard.sim.service import SimulatedPbx, agent_queues


def add_commands(subparsers: Any) -> None:
    demo = subparsers.add_parser("demo", help="run calls through a simulated PBX on loopback")
    demo.add_argument("--calls", type=int, default=30, help="callers to place (default 30)")
    demo.add_argument("--agents", type=int, default=3, help="agents per queue (default 3)")
    demo.add_argument("--seed", type=int, default=1, help="same seed, same run")
    demo.add_argument("--speed", type=float, default=20.0, help="time compression (default 20)")
    demo.add_argument(
        "--spread", type=float, default=120.0, help="simulated seconds over which callers arrive"
    )
    demo.add_argument("--json", action="store_true", help="print only the summary, as JSON")
    demo.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.calls < 1 or args.agents < 1 or args.speed <= 0:
        print("switchboard demo: --calls, --agents and --speed must be positive", file=sys.stderr)
        return 2
    # The demo's own story goes to stdout; only problems go to the log.
    configure_logging(LoggingSettings(format=settings.logging.format, level="warning"))
    out: list[dict[str, Any]] = []
    try:
        task.react(
            lambda reactor: defer.Deferred.fromCoroutine(_demo(reactor, settings, args, out))
        )
    except SystemExit as exc:  # react() always exits; the summary comes after it
        if exc.code or not out:
            return int(exc.code or 1)
    summary = out[0]
    if args.json:
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        _print_summary(summary)
    return 0


async def _demo(reactor: Any, settings: Settings, args: argparse.Namespace, out: list[Any]) -> None:
    say = (lambda _line: None) if args.json else (lambda line: print(line, flush=True))
    local = settings.model_copy(update={"agi": settings.agi.model_copy(update={"port": 0})})
    agi = build_agi(local, reactor)
    agi.startService()
    await agi.listening()

    rng = random.Random(args.seed)
    calls = [random_caller(rng, n + 1, spread_s=args.spread) for n in range(args.calls)]
    recordings = Path(tempfile.mkdtemp(prefix="switchboard-demo-"))
    secret = settings.ami.secret.get_secret_value()
    pbx = SimulatedPbx(
        reactor,
        Scenario(max_duration_s=args.spread + 3600),  # calls are placed below, once we listen
        seed=args.seed,
        speed=args.speed,
        ami_port=0,
        agi_target=("127.0.0.1", agi.port),
        recordings_dir=recordings,
        ami_users={settings.ami.username: secret},
        queues=agent_queues(args.agents),
    )
    await pbx.startService()
    ami_settings = settings.ami.model_copy(update={"host": "127.0.0.1", "port": pbx.ami_port})
    ami = build_ami(local.model_copy(update={"ami": ami_settings}), reactor)
    tally = CallTally()
    start = reactor.seconds()

    def show(msg: Message) -> None:
        line = tally.observe(msg)
        if line:
            say(f"[{(reactor.seconds() - start) * args.speed:7.1f}s] {line}")

    ami.subscribe("*", show)
    ami.startService()
    await ami.when_ready()
    say(
        f"demo: {args.calls} callers, {args.agents} agents per queue (sales, support), "
        f"FastAGI on 127.0.0.1:{agi.port}, simulated AMI on 127.0.0.1:{pbx.ami_port}, "
        f"speed x{args.speed:g}"
    )
    for call in calls:
        reactor.callLater(call.at_s / args.speed, pbx.place, call)
    await _until_quiet(reactor, pbx, len(calls))
    await ami.stopService()
    await pbx.stopService()
    await agi.stopService()
    out.append(
        {
            "calls_placed": pbx.placed,
            "simulated_seconds": round((reactor.seconds() - start) * args.speed, 1),
            "queues": tally.summary(),
        }
    )


async def _until_quiet(reactor: Any, pbx: SimulatedPbx, expected: int) -> None:
    """Wait until every call has been placed and every channel has hung up."""
    while pbx.placed < expected or pbx.pbx.channels:
        await task.deferLater(reactor, 0.1, lambda: None)


def _print_summary(summary: dict[str, Any]) -> None:
    print(
        f"\n{summary['calls_placed']} calls in {summary['simulated_seconds']} simulated seconds"
    )
    header = f"{'queue':<10}{'offered':>8}{'answered':>9}{'abandoned':>10}{'SL20':>8}"
    print(header + f"{'ASA':>7}{'AHT':>7}")
    for name, q in summary["queues"].items():
        sl = q["service_level_20s_pct"]
        print(
            f"{name:<10}{q['offered']:>8}{q['answered']:>9}{q['abandoned']:>10}"
            f"{'-' if sl is None else f'{sl:.0f}%':>8}"
            f"{_seconds(q['asa_s']):>7}{_seconds(q['aht_s']):>7}"
        )


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}s"
