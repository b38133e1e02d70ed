# -*- test-case-name: tests.reports.test_cli -*-
"""``switchboard report KIND --from --to [--queue] [--agent] [--interval] --format ...``:
a report on the database of ``[database]`` (brought up to date first), printed or
written to ``-o FILE``."""

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
from switchboard.reports.kinds import KINDS, make_report
from switchboard.reports.query import DEFAULT_INTERVAL, ReportProblem, parse_query
from switchboard.store.oneshot import in_database

__all__ = ["add_commands", "run"]

_OPTION = {"from": "--from", "to": "--to", "interval": "--interval", "kind": "KIND"}


def add_commands(subparsers: Any) -> None:
    kinds = ", ".join(f"{name} ({kind.summary})" for name, kind in KINDS.items())
    report = subparsers.add_parser(
        "report",
        help="reports on the call records: " + ", ".join(KINDS),
        description=f"Reports: {kinds}. Times are the centre's ([reports] timezone).",
    )
    report.add_argument("kind", metavar="KIND", help="one of " + ", ".join(KINDS))
    report.add_argument(
        "--from", dest="start", required=True, help="first day (2026-12-01) or time (…T08:00)"
    )
    report.add_argument(
        "--to", dest="end", required=True, help="last day, included (2026-12-01), or a time"
    )
    report.add_argument("--queue", help="only these queues (comma-separated)")
    report.add_argument("--agent", help="only these agents (comma-separated)")
    report.add_argument(
        "--interval", choices=INTERVALS, default=DEFAULT_INTERVAL, help="one row per ..."
    )
    report.add_argument("--format", choices=FORMATS, default="table")
    report.add_argument("-o", "--output", type=Path, help="write to this file")
    report.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    zone = ZoneInfo(settings.reports.timezone)
    try:
        query = parse_query(
            args.kind,
            tuple(KINDS),
            start=args.start,
            end=args.end,
            interval=args.interval,
            queue=args.queue,
            agent=args.agent,
            zone=zone,
            now=time.time(),
        )
    except ReportProblem as exc:
        option = _OPTION.get(exc.parameter, f"--{exc.parameter}")
        print(f"switchboard report: {option}: {exc.message}", file=sys.stderr)
        return 2
    if args.format == "xlsx" and args.output is None:
        print("switchboard report: --format xlsx: give a file with -o report.xlsx", file=sys.stderr)
        return 2
    report = in_database(settings, lambda s: make_report(s, query, settings.reports))
    content = render(report, args.format)
    if args.output is not None:
        args.output.write_bytes(content)
        print(f"wrote {args.output} ({len(report.rows)} rows)", file=sys.stderr)
    else:
        sys.stdout.write(content.decode("utf-8"))
        sys.stdout.flush()
    return 0
