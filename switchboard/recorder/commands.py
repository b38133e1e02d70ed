# -*- test-case-name: tests.recorder.test_search -*-
"""``switchboard recordings search|verify|reindex|retention|hold|link``: the recordings index
in the database of ``[database]`` (brought up to date first, as ``serve`` does)."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from switchboard.config import Settings
from switchboard.store.oneshot import in_database

__all__ = ["add_commands", "run"]

T = TypeVar("T")
FORMATS = ("table", "json", "csv")
_TABLE = (
    ("id", 7),
    ("started_at", 19),
    ("duration_s", 10),
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
        "recordings", help="call recordings: search, verify, reindex, retention, hold, link"
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
    reindex = sub.add_parser(
        "reindex", help="index a spool's files: match them to calls, report orphans both ways"
    )
    reindex.add_argument("dir", type=Path, help="the spool folder, as this machine sees it")
    reindex.add_argument("--batch", type=int, default=500, help="files per commit (resumable)")
    sub.add_parser("verify", help="re-check every file's checksum; exit 1 on any mismatch")
    keep = sub.add_parser("retention", help="delete recordings older than their queue's days")
    keep.add_argument("--dry-run", action="store_true", help="list what would go; delete none")
    hold = sub.add_parser("hold", help="put a legal hold on a recording, a call or a ticket")
    target = hold.add_mutually_exclusive_group(required=True)
    target.add_argument("--recording", type=int, metavar="ID")
    target.add_argument("--call", metavar="CALL_ID")
    target.add_argument("--ticket", metavar="TICKET")
    hold.add_argument("--reason", default="")
    hold.add_argument("--release", action="store_true", help="lift the hold instead")
    link = sub.add_parser("link", help="link CRM tickets to a recording (each must exist)")
    link.add_argument("recording", type=int, metavar="ID", help="the recording's index id")
    link.add_argument("tickets", nargs="+", metavar="TICKET", help="ticket numbers (42 or #42)")
    for parser in sub.choices.values():
        parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        return _ACTIONS[args.recordings_command](args, settings)
    except UsageProblem as exc:
        print(f"switchboard recordings: {exc}", file=sys.stderr)
        return 2


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
        body = {
            "total": page.total,
            "more": page.more,
            "page": page.page,
            "per_page": page.per_page,
        }
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
        for found in page.rows:
            row = {**found, "started_at": found["started_at"][:19].replace("T", " ")}
            if found["duration_s"] is not None:
                row["duration_s"] = f"{found['duration_s']:.1f}"
            cells = (str("" if row[n] is None else row[n]).ljust(w) for n, w in _TABLE)
            out.write(" ".join(cells).rstrip() + "\n")
        last = min(page.page * page.per_page, page.total)
        first = min((page.page - 1) * page.per_page + 1, last)
        more = "+" if page.more else ""  # counted up to a bound: "of 1000+"
        out.write(f"{first}-{last} of {page.total}{more} (page {page.page})\n")
    return 0


def _paths(settings: Settings) -> Any:
    from switchboard.recorder.paths import PathMap

    return PathMap(settings.recorder.path_map)


def _bar(total: int, what: str) -> Any:
    from rich.progress import Progress

    progress = Progress(transient=False, disable=not sys.stderr.isatty() or total == 0)
    task = progress.add_task(what, total=total)
    return progress, lambda done: progress.update(task, completed=done)


def _reindex(args: argparse.Namespace, settings: Settings) -> int:
    from switchboard.recorder.ops import audio_files, reindex
    from switchboard.store import database_url, upgrade_database
    from switchboard.store.db import create_database_engine

    if not args.dir.is_dir():
        raise UsageProblem(f"{args.dir} is not a folder: give the spool folder to scan")
    if args.batch < 1:
        raise UsageProblem("--batch must be 1 or more")
    url = database_url(settings.database)
    upgrade_database(url)
    engine = create_database_engine(url)
    files = list(audio_files(args.dir))
    progress, advance = _bar(len(files), "reindex")
    try:
        with progress:
            report = reindex(
                lambda: Session(engine, expire_on_commit=False),
                args.dir,
                _paths(settings),
                datetime.now(UTC).timestamp(),
                files=files,
                progress=advance,
                batch=args.batch,
            )
    finally:
        engine.dispose()
    print(
        f"{report.scanned} files: {report.already} already indexed, {report.by_filename} matched"
        f" by the recorded file name, {report.by_call} matched to a call by name"
    )
    print(f"files without a call: {len(report.files_without_call)}")
    for path in report.files_without_call:
        print(f"  {path}")
    print(f"calls without a file: {len(report.calls_without_file)}")
    for row_id, missing in report.calls_without_file:
        print(f"  #{row_id} {missing}")
    return 0


def _verify(args: argparse.Namespace, settings: Settings) -> int:
    from switchboard.recorder.ops import verify

    checked, wrong = in_database(settings, lambda s: verify(s, _paths(settings)))
    for row_id, path, what in wrong:
        print(f"#{row_id} {path}: {what}")
    print(f"{checked} recordings checked, {len(wrong)} mismatched")
    return 1 if wrong else 0


def _retention(args: argparse.Namespace, settings: Settings) -> int:
    from switchboard.recorder.ops import retention

    days = settings.recorder.retention_days
    if not days:
        print("no [recorder] retention_days: every recording is kept")
        return 0
    now = datetime.now(UTC).timestamp()

    def work(session: Session) -> tuple[list[str], list[str]]:
        gone, kept = retention(session, days, _paths(settings), now, dry_run=args.dry_run)
        return [f"#{r.id} {r.queue} {r.path}" for r in gone], [f"#{r.id} {r.path}" for r in kept]

    gone, kept = in_database(settings, work)
    verb = "would delete" if args.dry_run else "deleted"
    print(f"{verb} {len(gone)} recordings; {len(kept)} expired but under a legal hold")
    for line in gone:
        print(f"  {line}")
    for line in kept:
        print(f"  held: {line}")
    return 0


def _hold(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy import delete

    from switchboard.recorder.models import Recording, RecordingHold

    def work(session: Session) -> str:
        if args.recording is not None:
            row = session.get(Recording, args.recording)
            if row is None:
                raise UsageProblem(f"no recording #{args.recording}: see `recordings search`")
            row.legal_hold = not args.release
            return f"recording #{row.id}"
        kind, value = ("call", args.call) if args.call else ("ticket", args.ticket)
        if kind == "ticket":
            value = _ticket(session, value)
        if args.release:
            session.execute(
                delete(RecordingHold).where(
                    RecordingHold.kind == kind, RecordingHold.value == value
                )
            )
        else:
            session.add(
                RecordingHold(kind=kind, value=value, reason=args.reason, at=datetime.now(UTC))
            )
        return f"{kind} {value}"

    what = in_database(settings, work)
    print(f"{what}: legal hold {'lifted' if args.release else 'set'}")
    return 0


def _ticket(session: Session, reference: str) -> str:
    from switchboard.recorder.store import TicketProblem, checked_ticket

    try:
        return checked_ticket(session, reference)
    except TicketProblem as exc:
        raise UsageProblem(str(exc)) from None


def _link(args: argparse.Namespace, settings: Settings) -> int:
    from switchboard.recorder.store import TicketProblem, link_ticket

    def work(session: Session) -> list[str]:
        try:
            return link_ticket(session, args.recording, args.tickets)
        except TicketProblem as exc:
            raise UsageProblem(str(exc)) from None

    linked = in_database(settings, work)
    print(f"recording #{args.recording}: linked to ticket {', '.join(linked)}")
    return 0


_ACTIONS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "search": _search,
    "reindex": _reindex,
    "verify": _verify,
    "retention": _retention,
    "hold": _hold,
    "link": _link,
}
