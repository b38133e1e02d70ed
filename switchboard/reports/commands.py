# -*- test-case-name: tests.reports.test_cli -*-
"""``switchboard report KIND --from --to [--queue] [--agent] [--interval] --format ...``:
a report on the database of ``[database]`` (brought up to date first), printed or
written to ``-o FILE``. ``report forecast --queue Q [--target 80/20] [--weeks 4] ...``
takes the forecast's options instead of the range (docs/reports.md)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from switchboard.config import Settings
from switchboard.reports.export import FORMATS, render
from switchboard.reports.intervals import INTERVALS
from switchboard.reports.kinds import KINDS, OPTIONS, make_report, parse_report_query
from switchboard.reports.query import DEFAULT_INTERVAL, ReportProblem
from switchboard.store.oneshot import in_database

__all__ = ["add_commands", "run"]

_OPTION = {"kind": "KIND", **{name: "--" + name.replace("_", "-") for name in OPTIONS}}


def add_commands(subparsers: Any) -> None:
    kinds = ", ".join(f"{name} ({kind.summary})" for name, kind in KINDS.items())
    report = subparsers.add_parser(
        "report",
        help="reports on the call records: " + ", ".join(KINDS),
        description=f"Reports: {kinds}. Times are the centre's ([reports] timezone).",
    )
    report.add_argument("kind", metavar="KIND", help="one of " + ", ".join(KINDS))
    report.add_argument(
        "--from", dest="start", help="first day (2026-12-01) or time (…T08:00); not forecast"
    )
    report.add_argument(
        "--to", dest="end", help="last day, included (2026-12-01), or a time; not forecast"
    )
    report.add_argument("--queue", help="only these queues (comma-separated); forecast: one")
    report.add_argument("--agent", help="only these agents (comma-separated)")
    report.add_argument(
        "--interval",
        help=f"one row per {', '.join(INTERVALS)} (default {DEFAULT_INTERVAL});"
        " forecast: 15m, 30m (default) or hour",
    )
    for name, about in OPTIONS.items():
        report.add_argument("--" + name.replace("_", "-"), dest=name, help=about)
    report.add_argument("--format", choices=FORMATS, default="table")
    report.add_argument("-o", "--output", type=Path, help="write to this file")
    report.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    zone = ZoneInfo(settings.reports.timezone)
    try:
        query = parse_report_query(
            args.kind,
            start=args.start,
            end=args.end,
            interval=args.interval,
            queue=args.queue,
            agent=args.agent,
            options={name: getattr(args, name) for name in OPTIONS},
            zone=zone,
            now=time.time(),
        )
    except ReportProblem as exc:
        return _refuse(exc)
    if args.format == "xlsx" and args.output is None:
        print("switchboard report: --format xlsx: give a file with -o report.xlsx", file=sys.stderr)
        return 2
    try:
        report = in_database(settings, lambda s: make_report(s, query, settings.reports))
    except ReportProblem as exc:  # the forecast's queue without calls
        return _refuse(exc)
    content = render(report, args.format)
    if args.output is not None:
        args.output.write_bytes(content)
        print(f"wrote {args.output} ({len(report.rows)} rows)", file=sys.stderr)
    else:
        sys.stdout.write(content.decode("utf-8"))
        sys.stdout.flush()
    return 0


def _refuse(exc: ReportProblem) -> int:
    if exc.named:
        print(f"switchboard report: {exc.message}", file=sys.stderr)
    else:
        option = _OPTION.get(exc.parameter, f"--{exc.parameter}")
        print(f"switchboard report: {option}: {exc.message}", file=sys.stderr)
    return 2
