# -*- test-case-name: tests.recorder.test_search -*-
"""``switchboard recordings search|verify|reindex|retention|hold``: the recordings index
in the database of ``[database]`` (brought up to date first, as ``serve`` does)."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from switchboard.config import Settings

__all__ = ["add_commands", "run"]

T = TypeVar("T")
FORMATS = ("table", "json", "csv")
_TABLE = (
    ("id", 7),
    ("started_at", 25),
    ("duration_s", 8),
    ("caller_number", 14),
    ("agent_id", 8),
    ("queue", 10),
    ("disposition", 12),
    ("status", 8),
)


class UsageProblem(Exception):
    pass


def _moment(text: str) -> datetime:
    """``2026-11-24`` or ``2026-11-24T12:30`` (UTC unless an offset is given)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date: write 2026-11-24 or 2026-11-24T12:30 (UTC)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def add_commands(subparsers: Any) -> None:
    recordings = subparsers.add_parser(
        "recordings", help="call recordings: search, verify, reindex, retention, hold"
    )
    sub = recordings.add_subparsers(dest="recordings_command", metavar="ACTION", required=True)
    search = sub.add_parser("search", help="find recordings by any key, newest first")
    search.add_argument("--from", dest="since", type=_moment, help="started at or after")
    search.add_argument("--to", dest="until", type=_moment, help="started before")
    search.add_argument("--caller", help="the caller's number")
    search.add_argument("--customer", help="any identifier of the customer (phone, account...)")
    search.add_argument("--agent", help="agent id")
    search.add_argument("--queue")
    search.add_argument("--disposition", help="the call's disposition code")
    search.add_argument("--ticket", help="a linked ticket")
    search.add_argument("--min-duration", type=float, metavar="S", help="seconds")
    search.add_argument("--max-duration", type=float, metavar="S", help="seconds")
    search.add_argument("--status", choices=("ok", "empty", "missing", "corrupt"))
    search.add_argument("--page", type=int, default=1)
    search.add_argument("--per-page", type=int, default=50)
    search.add_argument("--format", choices=FORMATS, default="table")
    for parser in sub.choices.values():
        parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        return _ACTIONS[args.recordings_command](args, settings)
    except UsageProblem as exc:
        print(f"switchboard recordings: {exc}", file=sys.stderr)
        return 2


def in_database(settings: Settings, work: Callable[[Session], T]) -> T:
    from switchboard.store import database_url, upgrade_database
    from switchboard.store.db import create_database_engine

    url = database_url(settings.database)
    upgrade_database(url)
    engine = create_database_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session, session.begin():
            return work(session)
    finally:
        engine.dispose()


def _search(args: argparse.Namespace, settings: Settings) -> int:
    from switchboard.recorder.search import RecordingQuery, search

    query = RecordingQuery(
        since=args.since,
        until=args.until,
        caller=args.caller,
        customer=args.customer,
        agent=args.agent,
        queue=args.queue,
        disposition=args.disposition,
        ticket=args.ticket,
        min_duration_s=args.min_duration,
        max_duration_s=args.max_duration,
        status=args.status,
        page=args.page,
        per_page=args.per_page,
    )
    if problems := query.problems():
        raise UsageProblem("; ".join(problems))
    page = in_database(settings, lambda session: search(session, query))
    out = sys.stdout
    if args.format == "json":
        body = {"total": page.total, "page": page.page, "per_page": page.per_page}
        json.dump({**body, "recordings": list(page.rows)}, out, indent=2, ensure_ascii=False)
        out.write("\n")
    elif args.format == "csv":
        names = list(page.rows[0]) if page.rows else [name for name, _ in _TABLE]
        writer = csv.DictWriter(out, fieldnames=names, lineterminator="\n")
        writer.writeheader()
        for row in page.rows:
            writer.writerow({**row, "tickets": " ".join(row.get("tickets", []))})
    else:
        out.write(" ".join(name.ljust(width) for name, width in _TABLE).rstrip() + "\n")
        for row in page.rows:
            cells = (str("" if row[n] is None else row[n]).ljust(w) for n, w in _TABLE)
            out.write(" ".join(cells).rstrip() + "\n")
        last = min(page.page * page.per_page, page.total)
        first = min((page.page - 1) * page.per_page + 1, last)
        out.write(f"{first}-{last} of {page.total} (page {page.page})\n")
    return 0


_ACTIONS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {"search": _search}
