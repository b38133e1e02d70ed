# -*- test-case-name: tests.web.api.test_crm_tickets -*-
"""The customers and tickets routes' database work beyond what ``switchboard.crm`` offers
as it is: a page of tickets by every filter with its total, a status move by name, and
what an agent's access check needs of a ticket. Each runs inside one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from switchboard.crm.ticket_machine import TransitionError, next_status
from switchboard.crm.ticket_rows import TicketRow
from switchboard.crm.tickets import TicketError, TicketPolicy, update_ticket
from switchboard.crm.tickets import _summary as ticket_summary  # one JSON form of a ticket

__all__ = ["TicketFilter", "TicketOwners", "move_ticket", "ticket_owners", "ticket_page"]

LIVE = ("open", "in_progress")


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


@dataclass(frozen=True, slots=True)
class TicketFilter:
    statuses: tuple[str, ...] = ()
    type: str = ""
    category: str = ""
    owner: str = ""
    customer_id: int | None = None
    overdue: bool = False
    due_soon: bool = False
    page: int = 1
    per_page: int = 50


def ticket_page(
    session: Session, wanted: TicketFilter, *, now: float, policy: TicketPolicy
) -> dict[str, Any]:
    """One page of the tickets matching every filter given, soonest due first."""
    where: list[ColumnElement[bool]] = []
    if wanted.statuses:
        where.append(TicketRow.status.in_(wanted.statuses))
    if wanted.type:
        where.append(TicketRow.type == wanted.type)
    if wanted.category:
        where.append(TicketRow.category == wanted.category)
    if wanted.owner:
        where.append(TicketRow.owner == wanted.owner)
    if wanted.customer_id is not None:
        where.append(TicketRow.customer_id == wanted.customer_id)
    if wanted.overdue or wanted.due_soon:
        where.append(TicketRow.status.in_(LIVE))
    if wanted.overdue:
        where.append(TicketRow.due_at < _at(now))
    if wanted.due_soon:
        where.append(TicketRow.due_at >= _at(now))
        where.append(TicketRow.due_at < _at(now + policy.due_soon_s))
    total = session.scalar(select(func.count()).select_from(TicketRow).where(*where)) or 0
    rows = session.scalars(
        select(TicketRow)
        .where(*where)
        .order_by(TicketRow.due_at, TicketRow.id)
        .limit(wanted.per_page)
        .offset((wanted.page - 1) * wanted.per_page)
    )
    return {
        "total": total,
        "page": wanted.page,
        "per_page": wanted.per_page,
        "tickets": [ticket_summary(t, now) for t in rows],
    }


def move_ticket(
    session: Session, policy: TicketPolicy, ticket_id: int, to: str, *, actor: str, now: float
) -> dict[str, Any]:
    """The ticket moved to status ``to``; staying where it is is refused too (409), so a
    client that raced another learns the ticket's state instead of a silent no-op."""
    ticket = session.get(TicketRow, ticket_id)
    if ticket is None:
        raise TicketError("not_found", f"no ticket {ticket_id}")
    if to == ticket.status:
        resolved = ticket.resolved_at
        try:
            next_status(
                ticket.status,
                to,
                resolved_at=None if resolved is None else _epoch(resolved),
                now=now,
                reopen_days=policy.reopen_days,
            )
        except TransitionError as exc:
            raise TicketError("conflict", f"ticket {ticket_id}: {exc}", "to") from None
    try:
        return update_ticket(session, policy, ticket_id, actor=actor, now=now, status=to)
    except TicketError as exc:
        raise TicketError(
            exc.code, str(exc), "to" if exc.field == "status" else exc.field
        ) from None


def _epoch(value: datetime) -> float:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


@dataclass(frozen=True, slots=True)
class TicketOwners:
    customer_id: int | None
    owner: str
    created_by: str


def ticket_owners(session: Session, ticket_id: int) -> TicketOwners | None:
    """Whose the ticket is (for an agent's access check); None: no such ticket."""
    ticket = session.get(TicketRow, ticket_id)
    if ticket is None:
        return None
    return TicketOwners(ticket.customer_id, ticket.owner, ticket.created_by)
