# -*- test-case-name: tests.reports.test_complaints_report -*-
"""The complaints report: per interval and ticket category, the tickets (工单) opened, how
many of them are resolved, resolved within their SLA, and overdue now.

The figures are those of ``switchboard tickets report`` (``crm.tickets.category_figures``,
docs/tickets.md), interval by interval: a ticket counts in the interval it was
**opened**, and what became of it (resolved, within its due time, overdue) is as it
stands at the report's ``now``. So a row is a cohort and its closure rate (resolved
within SLA / opened) never exceeds 100 %; over one interval spanning the same days both
give the same numbers.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from switchboard.config import ReportSettings
from switchboard.crm.ticket_machine import CLOSED_STATUSES
from switchboard.crm.ticket_rows import TicketRow
from switchboard.reports.intervals import Span
from switchboard.reports.query import ReportQuery, query_parameters
from switchboard.reports.table import Cell, Column, Report

__all__ = ["OpenedTicket", "build_complaints_report", "complaints_report", "read_tickets"]


@dataclass(frozen=True, slots=True)
class OpenedTicket:
    category: str
    type: str
    status: str
    opened: float
    due: float
    resolved: float | None


def _epoch(value: datetime) -> float:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def complaints_report(
    query: ReportQuery, tickets: Iterable[OpenedTicket], categories: Iterable[str]
) -> Report:
    """The report from the tickets opened in the range (pure); every one of
    ``categories`` is a row in every interval."""
    spans = query.spans()
    starts = [s.start_s for s in spans]
    names = sorted(set(categories))
    counts: dict[tuple[int, str], list[int]] = {}  # opened, complaints, resolved, in SLA, overdue
    for t in tickets:
        i = bisect.bisect_right(starts, t.opened) - 1
        if i < 0 or t.opened >= spans[-1].end_s:
            continue
        if t.category not in names:
            names = sorted({*names, t.category})
        c = counts.setdefault((i, t.category), [0, 0, 0, 0, 0])
        c[0] += 1
        c[1] += t.type == "complaint"
        if t.status in CLOSED_STATUSES:
            c[2] += 1
            c[3] += t.resolved is not None and t.resolved <= t.due
        elif t.due < query.now:
            c[4] += 1
    columns = (
        Column("interval", "Interval", "interval"),
        Column("category", "Category", "text"),
        Column("opened", "Opened", "count"),
        Column("complaints", "Of which complaints", "count"),
        Column("resolved", "Resolved", "count"),
        Column("within_sla", "Resolved within SLA", "count"),
        Column("closure_rate_pct", "Closure rate within SLA", "pct"),
        Column("still_open", "Still open", "count"),
        Column("overdue", "Overdue now", "count"),
    )
    rows: list[tuple[Cell, ...]] = []
    for i, span in enumerate(spans):
        for name in names:
            opened, complaints, resolved, within, late = counts.get((i, name), [0, 0, 0, 0, 0])
            rows.append(
                (
                    span.start,
                    name,
                    opened,
                    complaints,
                    resolved,
                    within,
                    round(100.0 * within / opened, 3) if opened else None,
                    opened - resolved,
                    late,
                )
            )
    parameters = {**query_parameters(query), "now": datetime.fromtimestamp(query.now, UTC)}
    return Report("complaints", "Complaints report", columns, tuple(rows), parameters)


def read_tickets(session: Session, spans: Sequence[Span]) -> tuple[list[OpenedTicket], list[str]]:
    """The tickets opened in the range, and every category any ticket has (a category
    nothing was opened in is still a row of zeros)."""
    if not spans:
        return [], []
    r = TicketRow
    lo = datetime.fromtimestamp(spans[0].start_s, UTC)
    hi = datetime.fromtimestamp(spans[-1].end_s, UTC)
    found = session.execute(
        select(r.category, r.type, r.status, r.created_at, r.due_at, r.resolved_at).where(
            r.created_at >= lo, r.created_at < hi
        )
    )
    tickets = [
        OpenedTicket(
            category,
            kind,
            status,
            _epoch(created),
            _epoch(due),
            None if resolved is None else _epoch(resolved),
        )
        for category, kind, status, created, due, resolved in found
    ]
    categories = list(session.scalars(select(r.category).distinct()))
    return tickets, categories


def build_complaints_report(
    session: Session, query: ReportQuery, settings: ReportSettings
) -> Report:
    tickets, categories = read_tickets(session, query.spans())
    return complaints_report(query, tickets, categories)
