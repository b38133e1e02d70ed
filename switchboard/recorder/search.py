# -*- test-case-name: tests.recorder.test_search -*-
"""Finding recordings by any key, a page at a time (blocking; run through ``Database.run``).

The disposition is the newest ``seat_disposition`` code of the call (a correction counts),
as the recorder keeps it on the row (``Recording.disposition``);
the customer is found by any identifier (phone, account, ID card ...) through the CRM.
Newest first; a page is ``per_page`` rows and the total says how many match, counted up
to :data:`MAX_COUNTED` (``more`` then says there are more: a disposition over three months
can match 80,000 recordings, and counting them all takes seconds, where the first page
and a bounded count take milliseconds). Every search is served by an index of
0012_recordings or 0017_search_indexes (docs/performance.md has the figures).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, String, cast, func, or_, select
from sqlalchemy.orm import Session

from switchboard.crm.directory import find_customer
from switchboard.crm.ticket_rows import TicketLinkRow
from switchboard.recorder.models import Recording, RecordingTicket

__all__ = ["MAX_COUNTED", "MAX_PER_PAGE", "Page", "RecordingQuery", "search"]

MAX_PER_PAGE = 500
MAX_COUNTED = 1000


@dataclass(frozen=True, slots=True)
class RecordingQuery:
    since: datetime | None = None  # started at or after
    until: datetime | None = None  # started before
    caller: str | None = None
    customer: str | None = None  # any identifier of the customer
    agent: str | None = None
    queue: str | None = None
    disposition: str | None = None
    ticket: str | None = None
    min_duration_s: float | None = None
    max_duration_s: float | None = None
    status: str | None = None
    queues: tuple[str, ...] | None = None  # only these (a supervisor's); None: any
    page: int = 1
    per_page: int = 50

    def problems(self) -> list[str]:
        out = []
        if self.page < 1:
            out.append(f"page {self.page}: pages start at 1")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            out.append(f"per page {self.per_page}: give 1 to {MAX_PER_PAGE}")
        if self.since and self.until and self.since >= self.until:
            out.append("the date range is empty: --from must be before --to")
        return out


@dataclass(frozen=True, slots=True)
class Page:
    rows: tuple[dict[str, Any], ...]
    total: int  # at most MAX_COUNTED
    page: int
    per_page: int
    more: bool = False  # more than ``total`` match: later pages can still be asked for


def _conditions(session: Session, query: RecordingQuery) -> list[ColumnElement[bool]] | None:
    """The WHERE clauses; None when nothing can match (an unknown customer)."""
    where: list[ColumnElement[bool]] = [Recording.deleted_at.is_(None)]
    if query.since is not None:
        where.append(Recording.started_at >= query.since)
    if query.until is not None:
        where.append(Recording.started_at < query.until)
    if query.caller:
        where.append(Recording.caller_number == query.caller)
    if query.customer:
        customer = find_customer(session, "any", query.customer)
        if customer is None:
            return None
        where.append(Recording.customer_id == customer.id)
    for column, value in ((Recording.agent_id, query.agent), (Recording.queue, query.queue)):
        if value:
            where.append(column == value)
    if query.status:
        where.append(Recording.status == query.status)
    if query.queues is not None:
        where.append(Recording.queue.in_(query.queues))
    if query.min_duration_s is not None:
        where.append(Recording.duration_s >= query.min_duration_s)
    if query.max_duration_s is not None:
        where.append(Recording.duration_s <= query.max_duration_s)
    if query.ticket:
        linked = select(RecordingTicket.recording_id).where(RecordingTicket.ticket == query.ticket)
        where.append(or_(Recording.id.in_(linked), *_named_by_the_ticket(query.ticket)))
    if query.disposition:
        where.append(Recording.disposition == query.disposition)
    return where


def _named_by_the_ticket(ticket: str) -> list[ColumnElement[bool]]:
    """The ticket's own links (``crm_ticket_link``): a ticket opened from the seat names its
    call, and one linked from the ticket's side names a recording by id."""
    number = ticket.removeprefix("#")
    if not number.isdigit():
        return []

    def refs(kind: str) -> Select[Any]:
        mine = TicketLinkRow.ticket_id == int(number)
        return select(TicketLinkRow.ref).where(mine, TicketLinkRow.kind == kind)

    calls = refs("call")
    return [
        Recording.call_id.in_(calls),
        Recording.linked_id.in_(calls),
        cast(Recording.id, String).in_(refs("recording")),
    ]


def search(session: Session, query: RecordingQuery) -> Page:
    where = _conditions(session, query)
    if where is None:
        return Page((), 0, query.page, query.per_page)
    matching = select(Recording.id).where(*where).limit(MAX_COUNTED + 1).subquery()
    total = session.scalar(select(func.count()).select_from(matching)) or 0
    # The page's ids first, read from an index where one holds the keys, the time and the
    # id (0017_search_indexes); then only those rows, with their disposition.
    ids = list(
        session.scalars(
            select(Recording.id)
            .where(*where)
            .order_by(Recording.started_at.desc(), Recording.id.desc())
            .offset((query.page - 1) * query.per_page)
            .limit(query.per_page)
        )
    )
    found: Iterable[Recording] = (
        session.scalars(select(Recording).where(Recording.id.in_(ids))) if ids else ()
    )
    position = {recording_id: n for n, recording_id in enumerate(ids)}
    results = sorted(found, key=lambda row: position[row.id])
    tickets: dict[int, list[str]] = {}
    if ids:
        pairs = session.execute(
            select(RecordingTicket.recording_id, RecordingTicket.ticket)
            .where(RecordingTicket.recording_id.in_(ids))
            .order_by(RecordingTicket.id)
        )
        for recording_id, ticket in pairs:
            tickets.setdefault(recording_id, []).append(ticket)
    rows = tuple(as_dict(row, tickets.get(row.id, [])) for row in results)
    return Page(rows, min(total, MAX_COUNTED), query.page, query.per_page, more=total > MAX_COUNTED)


def as_dict(row: Recording, tickets: list[str]) -> dict[str, Any]:
    return {
        "id": row.id,
        "call_id": row.call_id,
        "linked_id": row.linked_id,
        "started_at": _iso(row.started_at),
        "ended_at": _iso(row.ended_at),
        "duration_s": row.duration_s,
        "caller_number": row.caller_number,
        "customer_id": row.customer_id,
        "agent_id": row.agent_id,
        "queue": row.queue,
        "disposition": row.disposition or "",
        "tickets": tickets,
        "status": row.status,
        "problem": row.problem,
        "legal_hold": row.legal_hold,
        "format": row.format,
        "size": row.size,
        "sha256": row.sha256,
        "path": row.path,
    }


def _iso(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.isoformat() if moment.tzinfo else moment.isoformat() + "+00:00"
