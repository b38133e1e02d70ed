# -*- test-case-name: tests.crm.test_cli -*-
"""``switchboard customers search|import|show``: the customer file from a terminal, on the
database of ``[database]`` (brought up to date first, as ``serve`` does)."""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from switchboard.config import CrmSettings, Settings
from switchboard.crm.identifiers import IdentifierRules
from switchboard.store.oneshot import database_engine, in_database

__all__ = ["add_commands", "database_engine", "in_database", "rules_for"]

T = TypeVar("T")


def rules_for(crm: CrmSettings) -> IdentifierRules:
    return IdentifierRules(dict(crm.identifier_kinds), crm.phone_region)


def add_commands(subparsers: Any) -> None:
    customers = subparsers.add_parser("customers", help="the customer file: search, import, show")
    sub = customers.add_subparsers(dest="customers_command", metavar="ACTION", required=True)
    search = sub.add_parser(
        "search",
        help="by any identifier, a phone's last digits, name, pinyin or initials",
        allow_abbrev=False,
    )
    search.add_argument("text", nargs="?", default="", help="e.g. 13800138000, 5678, 张伟, zw")
    search.add_argument("--tag", action="append", default=[], dest="tags", help="repeatable")
    search.add_argument("--contacted-from", type=_day, metavar="YYYY-MM-DD")
    search.add_argument("--contacted-to", type=_day, metavar="YYYY-MM-DD", help="inclusive")
    search.add_argument("--page", type=int, default=1)
    search.add_argument("--per-page", type=int, default=20)
    search.add_argument("--json", action="store_true", help="print JSON")
    search.set_defaults(run=run_search)
    show = sub.add_parser("show", help="one customer with every identifier")
    show.add_argument("customer_id", type=int)
    show.set_defaults(run=run_show)
    history = sub.add_parser("history", help="a customer's calls, tickets and CSAT scores")
    history.add_argument("customer_id", type=int)
    history.set_defaults(run=run_history)
    merge = sub.add_parser("merge", help="merge DUPLICATE into SURVIVOR (undo: unmerge)")
    merge.add_argument("survivor_id", type=int)
    merge.add_argument("duplicate_id", type=int)
    merge.add_argument("--as", dest="actor", default="", help="who merges (default: you)")
    merge.set_defaults(run=run_merge)
    unmerge = sub.add_parser("unmerge", help="undo a merge (the command line acts as admin)")
    unmerge.add_argument("merge_id", type=int)
    unmerge.add_argument("--as", dest="actor", default="", help="who undoes it (default: you)")
    unmerge.set_defaults(run=run_merge)
    load = sub.add_parser(
        "import", help="CSV or XLSX: upsert by identifier, bad rows to FILE.rejects.csv"
    )
    load.add_argument("file", type=Path)
    load.add_argument("--mapping", type=Path, help='TOML: [columns] "header" = "field"')
    load.add_argument("--encoding", help="CSV encoding (default: detect UTF-8/BOM/GB18030)")
    load.add_argument("--batch", type=int, default=1000, help="rows per committed batch")
    load.set_defaults(run=run_import)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write 2026-11-20") from None


def run_search(args: argparse.Namespace, settings: Settings) -> int:
    from switchboard.crm.search import CustomerQuery, SearchError, search_customers

    zone = ZoneInfo(settings.crm.timezone)

    def start_of(day: date | None, days: int = 0) -> datetime | None:
        if day is None:
            return None
        return datetime.combine(day.fromordinal(day.toordinal() + days), time(), zone)

    query = CustomerQuery(
        args.text,
        tuple(args.tags),
        start_of(args.contacted_from),
        start_of(args.contacted_to, 1),
        args.page,
        args.per_page,
    )
    rules = rules_for(settings.crm)
    try:

        def search(session: Session) -> Any:
            found = search_customers(session, query, rules)
            _logged(session, [c["id"] for c in found.customers], "cli:search")
            return found

        page = in_database(settings, search)
    except SearchError as exc:
        print(f"switchboard customers search: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(
            json.dumps(
                {
                    "total": page.total,
                    "more": page.more,
                    "page": page.page,
                    "customers": page.customers,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    if not page.customers:
        print("no customer matches")
        return 0
    tiers = settings.crm.vip_tiers
    for c in page.customers:
        keys = ", ".join(f"{i['kind']}={i['value']}" for i in c["identifiers"])
        tier = tiers[c["vip_level"]] if 0 <= c["vip_level"] < len(tiers) else c["vip_level"]
        contact = (
            datetime.fromtimestamp(c["last_contact_at"], UTC).astimezone(zone).date().isoformat()
            if c["last_contact_at"] is not None
            else "-"
        )
        tags = ",".join(c["tags"]) or "-"
        print(f"{c['id']:>8}  {c['name']}  [{c['match']}]  {tier}  {contact}  {tags}  {keys}")
    last = min(page.total, page.page * page.per_page)
    print(f"{(page.page - 1) * page.per_page + 1}-{last} of {page.total}{'+' if page.more else ''}")
    return 0


def _logged(session: Session, customer_ids: list[int], via: str) -> None:
    """A person read these records at this terminal (docs/crm.md, "Who read a customer")."""
    import getpass
    import time

    from switchboard.crm.reads import record_reads

    record_reads(
        session, customer_ids, username=getpass.getuser(), via=via, address="local", now=time.time()
    )


def run_show(args: argparse.Namespace, settings: Settings) -> int:
    from switchboard.crm.models import Customer
    from switchboard.crm.search import customer_json

    def read(session: Session) -> dict[str, Any] | None:
        customer = session.get(Customer, args.customer_id)
        if customer is None:
            return None
        _logged(session, [customer.id], "cli")
        return customer_json(customer)

    found = in_database(settings, read)
    if found is None:
        print(f"switchboard customers: no customer {args.customer_id}", file=sys.stderr)
        return 1
    print(json.dumps(found, ensure_ascii=False, indent=2))
    return 0


def run_history(args: argparse.Namespace, settings: Settings) -> int:
    import time

    from switchboard.crm.history import customer_history

    def read(session: Session) -> dict[str, Any] | None:
        found = customer_history(session, args.customer_id, now=time.time())
        if found is not None:
            _logged(session, [args.customer_id], "cli:history")
        return found

    found = in_database(settings, read)
    if found is None:
        print(f"switchboard customers: no customer {args.customer_id}", file=sys.stderr)
        return 1
    print(json.dumps(found, ensure_ascii=False, indent=2))
    return 0


def run_merge(args: argparse.Namespace, settings: Settings, now: float | None = None) -> int:
    """``merge`` and ``unmerge``: whoever runs the command line holds the database, so
    they act as an administrator."""
    import getpass
    import time

    from switchboard.crm.merge import MergeError, merge_customers, undo_merge

    actor = args.actor or getpass.getuser()
    at = time.time() if now is None else now

    def act(session: Session) -> dict[str, Any]:
        if args.customers_command == "merge":
            return merge_customers(
                session, args.survivor_id, args.duplicate_id, actor=actor, now=at
            )
        return undo_merge(session, args.merge_id, actor=actor, now=at, is_admin=True)

    try:
        print(json.dumps(in_database(settings, act), ensure_ascii=False, indent=2))
    except MergeError as exc:
        print(f"switchboard customers: {exc}", file=sys.stderr)
        return 1
    return 0


def run_import(args: argparse.Namespace, settings: Settings) -> int:
    from switchboard.crm.importer import import_customers, rejects_path
    from switchboard.crm.reading import ReadError, open_source
    from switchboard.crm.rows import plan_columns

    rules = rules_for(settings.crm)
    try:
        source = open_source(args.file, args.encoding)
        mapping = _mapping(args.mapping) if args.mapping else None
        plan = plan_columns(source.headers, rules, mapping)
    except (ReadError, ValueError) as exc:
        print(f"switchboard customers import: {exc}", file=sys.stderr)
        return 2
    total = sum(1 for _ in source.rows())
    with database_engine(settings) as engine, _progress_bar(total) as advance:
        counts = import_customers(
            engine,
            source,
            plan,
            rules=rules,
            vip_tiers=settings.crm.vip_tiers,
            zone=ZoneInfo(settings.crm.timezone),
            batch=max(1, args.batch),
            progress=advance,
        )
    if counts.resumed_from_line:
        print(f"resumed after line {counts.resumed_from_line}")
    print(
        f"{args.file} ({source.encoding}): {counts.rows} rows: {counts.created} created, "
        f"{counts.updated} updated, {counts.unchanged} unchanged, {counts.rejected} rejected"
    )
    if counts.rejected:
        print(f"rejected rows, with line, column and reason: {rejects_path(args.file)}")
    return 1 if counts.rejected else 0


def _mapping(path: Path) -> dict[str, str]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"mapping {path}: {exc}") from None
    columns = data.get("columns")
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise ValueError(f'mapping {path}: expected [columns] with "header" = "field" lines')
    return dict(columns)


@contextmanager
def _progress_bar(total: int) -> Iterator[Callable[[int], None]]:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        Task,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.text import Text

    class RowsPerSecond(ProgressColumn):
        def render(self, task: Task) -> Text:
            return Text(f"{task.speed or 0:,.0f} rows/s")

    bar = Progress(
        TextColumn("importing"),
        BarColumn(),
        MofNCompleteColumn(),
        RowsPerSecond(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    )
    task = bar.add_task("rows", total=total)
    with bar:
        yield lambda done: bar.update(task, completed=done)
