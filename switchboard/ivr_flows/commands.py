# -*- test-case-name: tests.ivr.test_commands -*-
"""``switchboard flows``: check a flows directory, draw a flow, walk one with scripted keys."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from switchboard.config import Settings
from switchboard.ivr_flows.graph import to_dot, to_mermaid
from switchboard.ivr_flows.in_use import check_in_service, entry_flows
from switchboard.ivr_flows.load import check_directory

__all__ = ["add_commands"]


def add_commands(subparsers: Any) -> None:
    flows = subparsers.add_parser("flows", help="IVR flows: check, graph, try")
    sub = flows.add_subparsers(dest="flows_command", metavar="ACTION", required=True)

    check = sub.add_parser(
        "check",
        help="validate every flow of a directory and that the "
        "[flows] entry flows exist, listing all problems (exit 1 if any)",
    )
    check.add_argument("dir", nargs="?", help="flows directory (default: settings [flows] dir)")
    check.add_argument(
        "--sounds",
        type=Path,
        metavar="DIR",
        help="also report every prompt with no sound file in DIR (laid out "
        "as Asterisk's sounds folder), in every configured language",
    )
    check.set_defaults(run=_check)

    graph = sub.add_parser("graph", help="print a flow as a Mermaid or DOT diagram")
    graph.add_argument("flow")
    graph.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
    graph.add_argument("--dir", help="flows directory (default: settings [flows] dir)")
    graph.set_defaults(run=_graph)

    walk = sub.add_parser("try", help="walk a flow offline with scripted keys")
    walk.add_argument("flow")
    walk.add_argument("keys", nargs="*", help="'3', '1234#', '-' (silence), 'hangup'")
    walk.add_argument("--dir", help="flows directory (default: settings [flows] dir)")
    walk.add_argument("--caller", default="13800138000")
    walk.add_argument("--at", type=float, help="epoch seconds to run at (default: now)")
    walk.set_defaults(run=_try)


def _directory(given: str | None, settings: Settings) -> Path:
    return Path(given) if given else settings.flows.dir


def _check(args: argparse.Namespace, settings: Settings) -> int:
    """What ``serve`` would say at start, including an entry flow missing."""
    directory = _directory(args.dir, settings)
    flows, problems = check_in_service(directory, entry_flows(settings.flows))
    for problem in problems:
        print(problem)
    if flows is None:
        print(f"{directory}: {len(problems)} problem(s)")
        return 1
    if args.sounds is not None:
        return _check_sounds(flows, args.sounds)
    print(f"{directory}: ok ({len(flows.flows)} flows: {', '.join(sorted(flows.flows))})")
    return 0


def _check_sounds(flows: Any, sounds: Path) -> int:
    from switchboard.prompts.files import SoundsFolder, missing_sounds

    if not sounds.is_dir():
        print(
            f"{sounds}: no such directory (give Asterisk's sounds folder, e.g. "
            "/usr/share/asterisk/sounds, or the output of 'switchboard prompts build')"
        )
        return 1
    missing = missing_sounds(flows, SoundsFolder(sounds))
    for problem in missing:
        print(problem)
    if missing:
        print(f"{sounds}: {len(missing)} prompt file(s) missing")
        return 1
    print(f"{sounds}: every prompt of {len(flows.flows)} flows has its sound files")
    return 0


def _load(args: argparse.Namespace, settings: Settings) -> Any:
    directory = _directory(args.dir, settings)
    flows, problems = check_directory(directory)
    for problem in problems:
        print(problem)
    if flows is None:
        return None
    if args.flow not in flows.flows:
        print(f"no flow '{args.flow}' in {directory} (have: {', '.join(sorted(flows.flows))})")
        return None
    return flows


def _graph(args: argparse.Namespace, settings: Settings) -> int:
    flows = _load(args, settings)
    if flows is None:
        return 1
    flow = flows.flows[args.flow]
    print(to_dot(flow) if args.format == "dot" else to_mermaid(flow), end="")
    return 0


def _try(args: argparse.Namespace, settings: Settings) -> int:
    import time

    from switchboard.ivr_flows.engine import Engine
    from switchboard.ivr_flows.simulate import walk
    from switchboard.ivr_flows.state import CallInfo

    flows = _load(args, settings)
    if flows is None:
        return 1
    call = CallInfo(call_id="try-1", caller_number=args.caller, channel="TRY/1")
    now = args.at if args.at is not None else time.time()
    result = walk(Engine(flows), args.flow, args.keys, call=call, now=now)
    for entry in result.state.trace:
        data = " ".join(f"{k}={v}" for k, v in entry.data.items())
        print(
            f"{entry.t_ms / 1000:7.1f}s  {entry.flow}/{entry.step or '-'}  {entry.event}"
            f"  {data}".rstrip()
        )
    for name, value in result.variables_set.items():
        print(f"  {name}={value}")
    print(f"outcome: {result.state.outcome or 'unfinished'}")
    return 0
