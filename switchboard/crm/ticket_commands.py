# -*- test-case-name: tests.crm.test_cli -*-
"""``switchboard tickets open|show|list|set|comment|link|report``: tickets (工单) from a
terminal, on the database of ``[database]``, with the SLA rules of ``[crm]``."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
import time
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from switchboard.config import Settings
from switchboard.crm.commands import in_database
from switchboard.crm.ticket_machine import STATUSES, TYPES

__all__ = ["add_commands"]


def add_commands(subparsers: Any) -> None:
    tickets = subparsers.add_parser(
        "tickets", help="tickets (工单): open, show, list, set, comment, link, report"
    )
    sub = tickets.add_subparsers(dest="tickets_command", metavar="ACTION", required=True)
    opened = sub.add_parser("open", help="open a ticket; its due time comes from the SLA")
    opened.add_argument("--type", choices=TYPES, default="complaint")
    opened.add_argument("--category", required=True, help="e.g. quality, service ([crm])")
    opened.add_argument("--priority", default="normal")
    opened.add_argument("--subject", required=True)
    opened.add_argument("--description", default="")
    opened.add_argument("--customer", type=int, help="customer id")
    opened.add_argument("--owner", default="", help="user or group (default: you)")
    opened.add_argument("--call", default="", help="link this call id")
    show = sub.add_parser("show", help="a ticket with comments, links and its audit")
    show.add_argument("ticket_id", type=int)
    listing = sub.add_parser("list", help="tickets by filter, soonest due first")
    listing.add_argument("--status", action="append", choices=STATUSES, default=[])
    listing.add_argument("--category")
    listing.add_argument("--customer", type=int)
    listing.add_argument("--owner")
    late = listing.add_mutually_exclusive_group()
    late.add_argument("--overdue", action="store_true", help="past due, not resolved")
    late.add_argument("--due-soon", action="store_true", help="due within [crm] due_soon_h")
    change = sub.add_parser("set", help="change status, owner, priority or category")
    change.add_argument("ticket_id", type=int)
    change.add_argument("--status", help=f"one of {', '.join(STATUSES)}")
    change.add_argument("--owner")
    change.add_argument("--priority")
    change.add_argument("--category")
    comment = sub.add_parser("comment", help="add a comment")
    comment.add_argument("ticket_id", type=int)
    comment.add_argument("text")
    link = sub.add_parser("link", help="link a call or a recording")
    link.add_argument("ticket_id", type=int)
    link.add_argument("kind", choices=("call", "recording"))
    link.add_argument("ref")
    report = sub.add_parser("report", help="per category: opened, resolved, closure rate")
    report.add_argument("--from", dest="start", type=date.fromisoformat, metavar="YYYY-MM-DD")
    report.add_argument("--to", dest="end", type=date.fromisoformat, metavar="YYYY-MM-DD")
    for parser in sub.choices.values():
        parser.add_argument("--as", dest="actor", default="", help="who acts (default: you)")
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings, now: float | None = None) -> int:
    from switchboard.crm.tickets import TicketError, TicketPolicy

    try:
        policy = TicketPolicy.from_settings(settings.crm, settings.flows.dir)
    except ValueError as exc:
        print(f"switchboard tickets: {exc}", file=sys.stderr)
        return 2
    actor = args.actor or getpass.getuser()
    at = time.time() if now is None else now
    try:
        result = in_database(settings, lambda s: _act(s, args, policy, actor, at, settings))
    except TicketError as exc:
        print(f"switchboard tickets: {exc}", file=sys.stderr)
        return 1
    if args.json or not isinstance(result, list):
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        _print_list(result, settings)
    return 0


def _act(
    session: Session,
    args: argparse.Namespace,
    policy: Any,
    actor: str,
    now: float,
    settings: Settings,
) -> Any:
    from switchboard.crm import tickets as t

    action = args.tickets_command
    if action == "open":
        return t.open_ticket(
            session,
            policy,
            actor=actor,
            now=now,
            type=args.type,
            category=args.category,
            priority=args.priority,
            subject=args.subject,
            description=args.description,
            customer_id=args.customer,
            owner=args.owner,
            call_id=args.call,
        )
    if action == "show":
        return t.ticket_detail(session, args.ticket_id, now=now, policy=policy)
    if action == "set":
        return t.update_ticket(
            session,
            policy,
            args.ticket_id,
            actor=actor,
            now=now,
            status=args.status,
            owner=args.owner,
            priority=args.priority,
            category=args.category,
        )
    if action == "comment":
        return t.add_comment(session, args.ticket_id, actor=actor, now=now, body=args.text)
    if action == "link":
        return t.add_link(
            session, args.ticket_id, actor=actor, now=now, kind=args.kind, ref=args.ref
        )
    if action == "report":
        zone = ZoneInfo(settings.crm.timezone)
        end = args.end or datetime.fromtimestamp(now, zone).date()
        start = args.start or end.replace(day=1)
        return t.category_figures(
            session,
            policy,
            start=datetime.combine(start, datetime.min.time(), zone).timestamp(),
            end=datetime.combine(end, datetime.min.time(), zone).timestamp() + 86400,
        )
    if args.overdue:
        return t.overdue(session, now=now)
    if args.due_soon:
        return t.due_soon(session, policy, now=now)
    return t.list_tickets(
        session,
        now=now,
        status=args.status,
        category=args.category,
        customer_id=args.customer,
        owner=args.owner,
    )


def _print_list(tickets: list[dict[str, Any]], settings: Settings) -> None:
    if not tickets:
        print("no tickets")
        return
    zone = ZoneInfo(settings.crm.timezone)
    for ticket in tickets:
        if "due_at" not in ticket:  # report rows
            rate = ticket["closure_rate"]
            print(
                f"{ticket['category']:<12}{ticket['label']:<8}opened {ticket['opened']:>5}  "
                f"resolved {ticket['resolved']:>5}  within SLA {ticket['within_sla']:>5}  "
                f"closure rate {'-' if rate is None else f'{rate:.0%}'}"
            )
            continue
        due = datetime.fromtimestamp(ticket["due_at"], zone).strftime("%Y-%m-%d %H:%M")
        late = " OVERDUE" if ticket.get("overdue") else ""
        print(
            f"#{ticket['id']:<6}{ticket['status']:<12}{ticket['category']:<11}"
            f"{ticket['priority']:<8}due {due}{late}  {ticket['owner']}  {ticket['subject']}"
        )
