# -*- test-case-name: tests.crm.test_tickets -*-
"""Tickets (工单): open, change, comment, link; every change audited; overdue and due-soon
lists; per-category figures. Plain functions of a SQLAlchemy session, for ``Database.run``.

Times come in as epoch seconds (``now``): nothing here reads a clock. Each function
returns plain JSON-ready dicts. Bad input raises :class:`TicketError` with a code a REST
layer maps to a status (``bad_request`` 400, ``not_found`` 404, ``conflict`` 409: an
illegal status move, with the allowed ones named).

The audit (``crm_ticket_audit``) gets a row per field set at creation (old ``None``) and
per field changed after, so replaying it (:func:`replay_audit`) gives the ticket's fields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from switchboard.config import CrmSettings
from switchboard.crm.models import Customer
from switchboard.crm.sla import BusinessCalendar, calendar_for
from switchboard.crm.ticket_machine import (
    CLOSED_STATUSES,
    TYPES,
    TransitionError,
    allowed_from,
    next_status,
)
from switchboard.crm.ticket_rows import TicketAuditRow, TicketCommentRow, TicketLinkRow, TicketRow

__all__ = [
    "AUDITED",
    "LINK_KINDS",
    "TicketError",
    "TicketPolicy",
    "add_comment",
    "add_link",
    "category_figures",
    "due_soon",
    "list_tickets",
    "open_ticket",
    "open_tickets_of_customer",
    "overdue",
    "replay_audit",
    "ticket_detail",
    "update_ticket",
]

ErrorCode = Literal["bad_request", "not_found", "conflict"]
LINK_KINDS: Final = ("call", "recording")
AUDITED: Final = (
    "type",
    "category",
    "priority",
    "status",
    "subject",
    "description",
    "customer_id",
    "owner",
    "due_at",
    "resolved_at",
    "closed_at",
)
MAX_TEXT: Final = 10_000


class TicketError(ValueError):
    def __init__(self, code: ErrorCode, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.field = field


@dataclass(frozen=True, slots=True)
class TicketPolicy:
    """What ``[crm]`` says of tickets: categories, priorities, SLA hours, the calendar."""

    categories: Mapping[str, str]
    priorities: tuple[str, ...]
    sla_hours: Callable[[str, str], float]
    calendar: BusinessCalendar
    reopen_days: float = 7.0
    due_soon_s: float = 4 * 3600.0

    @classmethod
    def from_settings(cls, crm: CrmSettings, flows_dir: Path | None = None) -> TicketPolicy:
        return cls(
            crm.ticket_categories,
            tuple(crm.sla_hours),
            crm.sla_for,
            calendar_for(crm, flows_dir),
            crm.reopen_days,
            crm.due_soon_h * 3600.0,
        )

    def due(self, created: float, category: str, priority: str) -> float:
        return self.calendar.due_after(created, self.sla_hours(category, priority))


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _epoch(value: datetime | None) -> float | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def _text(value: Any) -> str | None:
    """A field's value as the audit stores it."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return str(value)


def _audit(
    session: Session,
    ticket: TicketRow,
    actor: str,
    now: float,
    changes: Mapping[str, tuple[Any, Any]],
) -> None:
    for name, (old, new) in changes.items():
        session.add(
            TicketAuditRow(
                ticket_id=ticket.id,
                actor=actor,
                at=_at(now),
                field=name,
                old=_text(old),
                new=_text(new),
            )
        )


def _checked_text(value: str, name: str, limit: int, *, required: bool = False) -> str:
    text = value.strip()
    if required and not text:
        raise TicketError("bad_request", f"give the ticket a {name}", name)
    if len(text) > limit:
        raise TicketError("bad_request", f"the {name} is limited to {limit} characters", name)
    if "\x00" in text:
        raise TicketError("bad_request", f"the {name} has a NUL character; send plain text", name)
    return text


def _choice(value: str, allowed: Iterable[str], name: str) -> str:
    options = tuple(allowed)
    if value not in options:
        raise TicketError(
            "bad_request", f"unknown {name} {value!r}; {name}s: {', '.join(options)}", name
        )
    return value


def _ticket(session: Session, ticket_id: int) -> TicketRow:
    ticket = session.get(TicketRow, ticket_id)
    if ticket is None:
        raise TicketError("not_found", f"no ticket {ticket_id}")
    return ticket


def _customer_checked(session: Session, customer_id: int | None) -> int | None:
    if customer_id is not None and session.get(Customer, customer_id) is None:
        raise TicketError("bad_request", f"no customer {customer_id}", "customer_id")
    return customer_id


def open_ticket(
    session: Session,
    policy: TicketPolicy,
    *,
    actor: str,
    now: float,
    type: str,
    category: str,
    priority: str,
    subject: str,
    description: str = "",
    customer_id: int | None = None,
    owner: str = "",
    call_id: str = "",
    recording_id: str = "",
) -> dict[str, Any]:
    """A new open ticket, due by its SLA; linked to the call/recording when given."""
    fields = {
        "type": _choice(type, TYPES, "type"),
        "category": _choice(category, policy.categories, "category"),
        "priority": _choice(priority, policy.priorities, "priority"),
        "status": "open",
        "subject": _checked_text(subject, "subject", 200, required=True),
        "description": _checked_text(description, "description", MAX_TEXT),
        "customer_id": _customer_checked(session, customer_id),
        "owner": _checked_text(owner or actor, "owner", 64),
        "due_at": _at(policy.due(now, category, priority)),
        "resolved_at": None,
        "closed_at": None,
    }
    ticket = TicketRow(**fields, created_by=actor, created_at=_at(now), updated_at=_at(now))
    session.add(ticket)
    session.flush()
    _audit(session, ticket, actor, now, {k: (None, v) for k, v in fields.items() if v is not None})
    for kind, ref in (("call", call_id), ("recording", recording_id)):
        if ref:
            add_link(session, ticket.id, actor=actor, now=now, kind=kind, ref=ref)
    if customer_id is not None:
        _touch_customer(session, customer_id, now)
    return ticket_detail(session, ticket.id, now=now, policy=policy)


def update_ticket(
    session: Session,
    policy: TicketPolicy,
    ticket_id: int,
    *,
    actor: str,
    now: float,
    status: str | None = None,
    owner: str | None = None,
    priority: str | None = None,
    category: str | None = None,
    subject: str | None = None,
    customer_id: int | None = None,
) -> dict[str, Any]:
    """Change fields; a status move must be legal (:class:`TicketError` ``conflict``)."""
    ticket = _ticket(session, ticket_id)
    wanted: dict[str, Any] = {}
    if priority is not None:
        wanted["priority"] = _choice(priority, policy.priorities, "priority")
    if category is not None:
        wanted["category"] = _choice(category, policy.categories, "category")
    if owner is not None:
        wanted["owner"] = _checked_text(owner, "owner", 64, required=True)
    if subject is not None:
        wanted["subject"] = _checked_text(subject, "subject", 200, required=True)
    if customer_id is not None:
        wanted["customer_id"] = _customer_checked(session, customer_id)
    if "priority" in wanted or "category" in wanted:
        created = _epoch(ticket.created_at) or now
        wanted["due_at"] = _at(
            policy.due(
                created,
                wanted.get("category", ticket.category),
                wanted.get("priority", ticket.priority),
            )
        )
    if status is not None and status != ticket.status:
        try:
            wanted["status"] = next_status(
                ticket.status,
                status,
                resolved_at=_epoch(ticket.resolved_at),
                now=now,
                reopen_days=policy.reopen_days,
            )
        except TransitionError as exc:
            raise TicketError("conflict", f"ticket {ticket_id}: {exc}", "status") from None
        if status == "resolved":
            wanted["resolved_at"] = _at(now)
        elif status == "closed":
            wanted["closed_at"] = _at(now)
        elif status == "open":  # reopened: the clock of resolution starts again
            wanted["resolved_at"] = None
            wanted["closed_at"] = None
    changes = {}
    for name, value in wanted.items():
        old = getattr(ticket, name)
        if _text(old) != _text(value):
            changes[name] = (old, value)
            setattr(ticket, name, value)
    if changes:
        ticket.updated_at = _at(now)
        _audit(session, ticket, actor, now, changes)
        session.flush()
    return ticket_detail(session, ticket_id, now=now, policy=policy)


def add_comment(
    session: Session, ticket_id: int, *, actor: str, now: float, body: str
) -> dict[str, Any]:
    ticket = _ticket(session, ticket_id)
    text = _checked_text(body, "comment", MAX_TEXT, required=True)
    row = TicketCommentRow(ticket_id=ticket.id, author=actor, at=_at(now), body=text)
    session.add(row)
    _audit(session, ticket, actor, now, {"comment": (None, text)})
    session.flush()
    return {"id": row.id, "author": actor, "at": now, "body": text}


def add_link(
    session: Session, ticket_id: int, *, actor: str, now: float, kind: str, ref: str
) -> dict[str, Any]:
    """Link a call (its call id) or a recording (its id) to the ticket; idempotent."""
    ticket = _ticket(session, ticket_id)
    _choice(kind, LINK_KINDS, "link kind")
    text = _checked_text(ref, f"{kind} reference", 128, required=True)
    exists = session.scalar(
        select(TicketLinkRow.id).where(
            TicketLinkRow.ticket_id == ticket.id,
            TicketLinkRow.kind == kind,
            TicketLinkRow.ref == text,
        )
    )
    if exists is None:
        session.add(TicketLinkRow(ticket_id=ticket.id, kind=kind, ref=text))
        _audit(session, ticket, actor, now, {"link": (None, f"{kind}:{text}")})
        session.flush()
    return {"kind": kind, "ref": text}


def _touch_customer(session: Session, customer_id: int, now: float) -> None:
    customer = session.get(Customer, customer_id)
    if customer is not None:
        last = _epoch(customer.last_contact_at)
        if last is None or last < now:
            customer.last_contact_at = _at(now)


def _summary(ticket: TicketRow, now: float | None = None) -> dict[str, Any]:
    due = _epoch(ticket.due_at) or 0.0
    found = {
        "id": ticket.id,
        "type": ticket.type,
        "category": ticket.category,
        "priority": ticket.priority,
        "status": ticket.status,
        "subject": ticket.subject,
        "customer_id": ticket.customer_id,
        "owner": ticket.owner,
        "created_by": ticket.created_by,
        "created_at": _epoch(ticket.created_at),
        "due_at": due,
        "resolved_at": _epoch(ticket.resolved_at),
        "closed_at": _epoch(ticket.closed_at),
    }
    if now is not None:
        found["overdue"] = ticket.status not in CLOSED_STATUSES and due < now
    return found


def ticket_detail(
    session: Session, ticket_id: int, *, now: float, policy: TicketPolicy
) -> dict[str, Any]:
    """The ticket with its comments, links, audit and the status moves allowed now."""
    ticket = _ticket(session, ticket_id)
    detail = _summary(ticket, now)
    detail["description"] = ticket.description
    detail["allowed_status"] = list(
        allowed_from(ticket.status, _epoch(ticket.resolved_at), now, policy.reopen_days)
    )
    detail["comments"] = [
        {"id": c.id, "author": c.author, "at": _epoch(c.at), "body": c.body}
        for c in session.scalars(
            select(TicketCommentRow)
            .where(TicketCommentRow.ticket_id == ticket_id)
            .order_by(TicketCommentRow.id)
        )
    ]
    detail["links"] = [
        {"kind": link.kind, "ref": link.ref}
        for link in session.scalars(
            select(TicketLinkRow)
            .where(TicketLinkRow.ticket_id == ticket_id)
            .order_by(TicketLinkRow.id)
        )
    ]
    detail["audit"] = [
        {"actor": a.actor, "at": _epoch(a.at), "field": a.field, "old": a.old, "new": a.new}
        for a in audit_rows(session, ticket_id)
    ]
    return detail


def audit_rows(session: Session, ticket_id: int) -> list[TicketAuditRow]:
    return list(
        session.scalars(
            select(TicketAuditRow)
            .where(TicketAuditRow.ticket_id == ticket_id)
            .order_by(TicketAuditRow.id)
        )
    )


def replay_audit(entries: Iterable[Mapping[str, Any]]) -> dict[str, str | None]:
    """The audited fields as the audit says they are now (comments and links left out)."""
    state: dict[str, str | None] = {}
    for entry in entries:
        if entry["field"] in AUDITED:
            if state.get(entry["field"]) != entry["old"]:
                raise ValueError(
                    f"audit of {entry['field']} does not chain: {state.get(entry['field'])!r}"
                    f" then a change from {entry['old']!r}"
                )
            state[entry["field"]] = entry["new"]
    return {k: v for k, v in state.items() if v is not None}


def current_fields(session: Session, ticket_id: int) -> dict[str, str | None]:
    """The audited fields of the stored ticket, as the audit writes them."""
    ticket = _ticket(session, ticket_id)
    values = {name: _text(getattr(ticket, name)) for name in AUDITED}
    return {k: v for k, v in values.items() if v is not None}


def list_tickets(
    session: Session,
    *,
    now: float,
    status: Iterable[str] = (),
    category: str | None = None,
    customer_id: int | None = None,
    owner: str | None = None,
    due_before: float | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Tickets by filter, soonest due first."""
    query = select(TicketRow)
    statuses = tuple(status)
    if statuses:
        query = query.where(TicketRow.status.in_(statuses))
    if category is not None:
        query = query.where(TicketRow.category == category)
    if customer_id is not None:
        query = query.where(TicketRow.customer_id == customer_id)
    if owner is not None:
        query = query.where(TicketRow.owner == owner)
    if due_before is not None:
        query = query.where(TicketRow.due_at < _at(due_before))
    rows = session.scalars(
        query.order_by(TicketRow.due_at, TicketRow.id).limit(max(1, min(limit, 1000)))
    )
    return [_summary(t, now) for t in rows]


def overdue(session: Session, *, now: float, limit: int = 100) -> list[dict[str, Any]]:
    """Open or in-progress tickets past their due time, most overdue first."""
    return list_tickets(
        session, now=now, status=("open", "in_progress"), due_before=now, limit=limit
    )


def due_soon(
    session: Session, policy: TicketPolicy, *, now: float, limit: int = 100
) -> list[dict[str, Any]]:
    """Open or in-progress tickets due within the policy's due-soon window (not yet late)."""
    found = list_tickets(
        session,
        now=now,
        status=("open", "in_progress"),
        due_before=now + policy.due_soon_s,
        limit=limit * 2,
    )
    return [t for t in found if not t["overdue"]][:limit]


def open_tickets_of_customer(
    session: Session, customer_id: int, *, now: float, limit: int = 10
) -> list[dict[str, Any]]:
    """The customer's tickets not yet resolved (the seat's pop lists them)."""
    return list_tickets(
        session, now=now, status=("open", "in_progress"), customer_id=customer_id, limit=limit
    )


def category_figures(
    session: Session, policy: TicketPolicy, *, start: float, end: float
) -> list[dict[str, Any]]:
    """Per category, tickets opened in [start, end): how many, how many resolved, how many
    resolved within their SLA, and the closure rate (resolved within SLA / opened)."""
    rows = session.execute(
        select(TicketRow.category, TicketRow.due_at, TicketRow.resolved_at, TicketRow.status).where(
            TicketRow.created_at >= _at(start), TicketRow.created_at < _at(end)
        )
    ).all()
    tallies = {code: [0, 0, 0] for code in policy.categories}  # opened, resolved, in SLA
    for category, due_at, resolved_at, status in rows:
        tally = tallies.setdefault(category, [0, 0, 0])
        tally[0] += 1
        if status in CLOSED_STATUSES:
            tally[1] += 1
            resolved, due = _epoch(resolved_at), _epoch(due_at)
            if resolved is not None and due is not None and resolved <= due:
                tally[2] += 1
    return [
        {
            "category": code,
            "label": policy.categories.get(code, code),
            "opened": opened,
            "resolved": resolved,
            "within_sla": within,
            "closure_rate": round(within / opened, 4) if opened else None,
        }
        for code, (opened, resolved, within) in tallies.items()
    ]


def ticket_counts(session: Session) -> dict[str, int]:
    """How many tickets are in each status."""
    return dict(
        session.execute(select(TicketRow.status, func.count()).group_by(TicketRow.status)).all()  # type: ignore[arg-type]
    )
