# -*- test-case-name: tests.sim.test_loopback -*-
"""``switchboard sim``: run the simulated PBX standalone on 127.0.0.1.

Also runnable as ``python -m switchboard.sim`` (same options, default settings).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import structlog

from switchboard.sim.scenario import Scenario, load_scenario
from switchboard.sim.service import SimulatedPbx

log = structlog.get_logger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ami-port", type=int, default=5038, help="AMI port on 127.0.0.1 (0: any)")
    parser.add_argument("--port-file", type=Path, help="write the bound AMI port to this file")
    parser.add_argument("--agi", default="127.0.0.1:4573", help="FastAGI target host:port")
    parser.add_argument("--agi-script", default="main-menu", help="FastAGI script name")
    parser.add_argument(
        "--survey-script",
        default="",
        help="FastAGI script run after the queue when the agent hangs up (e.g. csat)",
    )
    parser.add_argument("--scenario", type=Path, help="scenario YAML file")
    parser.add_argument("--calls", type=int, help="random callers (default: scenario, else 10)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--speed", type=float, default=1.0, help="time compression factor")
    parser.add_argument("--max-calls", type=int, default=100)
    parser.add_argument("--max-duration", type=float, default=3600.0, help="simulated seconds")
    parser.add_argument("--recordings", type=Path, default=Path("recordings"))
    parser.add_argument("--username", help="AMI user (default: settings [ami] username)")
    parser.add_argument("--secret", help="AMI secret (default: settings [ami] secret)")


def add_commands(subparsers: Any) -> None:
    parser = subparsers.add_parser("sim", help="run the simulated Asterisk PBX (AMI + FastAGI)")
    add_arguments(parser)
    parser.set_defaults(run=run, needs_reactor=True)


def build_scenario(args: argparse.Namespace) -> Scenario:
    base = load_scenario(args.scenario) if args.scenario else Scenario(random_calls=10)
    return base.bounded(
        random_calls=args.calls, max_calls=args.max_calls, max_duration_s=args.max_duration
    )


def run(args: argparse.Namespace, settings: Any) -> int:
    reactor = args.reactor  # handed in by the CLI, which owns the real one
    scenario = build_scenario(args)
    host, _, port = args.agi.rpartition(":")
    username = args.username or settings.ami.username
    secret = args.secret or settings.ami.secret.get_secret_value()
    pbx = SimulatedPbx(
        reactor,
        scenario,
        seed=args.seed,
        speed=args.speed,
        ami_port=args.ami_port,
        agi_target=(host or "127.0.0.1", int(port)),
        agi_script=args.agi_script,
        survey_script=args.survey_script,
        recordings_dir=args.recordings,
        ami_users={username: secret},
    )
    started = pbx.startService()

    def announce(_: object) -> None:
        log.info("sim_listening", ami_port=pbx.ami_port, agi=args.agi, speed=args.speed)
        if args.port_file:
            tmp = args.port_file.with_suffix(".tmp")
            tmp.write_text(str(pbx.ami_port))
            tmp.replace(args.port_file)

    def failed(failure: Any) -> None:
        log.error("sim_start_failed", error=failure.getErrorMessage())
        reactor.stop()  # type: ignore[attr-defined]

    started.addCallbacks(announce, failed)
    stop_after = args.max_duration / args.speed + 1.0
    reactor.callLater(stop_after, reactor.stop)  # type: ignore[attr-defined]
    reactor.addSystemEventTrigger("before", "shutdown", pbx.stopService)  # type: ignore[attr-defined]
    reactor.run()  # type: ignore[attr-defined]
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m switchboard.sim ARGS`` is ``switchboard sim ARGS`` (settings, logging and
    the reactor come from the CLI, as for every command)."""
    import sys

    from switchboard.cli import main as cli_main

    return cli_main(["sim", *(sys.argv[1:] if argv is None else argv)])
