# -*- test-case-name: tests.web.test_tickets_pages -*-
"""The ticket list page's query: its filters read from the address, checked, and the
page of tickets they select, with the per-category figures at the top.

The crm's ``list_tickets`` answers the REST API and the CLI (status, category, owner,
customer); a supervisor's page also filters by type, priority, opening date, overdue and
due soon, counts what matched and pages through it, so it has its own query on the same
table. Plain functions of a session, for ``Database.run``; nothing here reads a clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final, TypeVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from switchboard.crm.models import Customer
from switchboard.crm.ticket_machine import STATUSES, TYPES
from switchboard.crm.ticket_rows import TicketRow
from switchboard.crm.tickets import TicketPolicy, category_figures

__all__ = ["ACTIVE", "PER_PAGE", "FilterError", "TicketFilter", "find_tickets", "month_of"]

PER_PAGE: Final = 50
ACTIVE: Final = ("open", "in_progress")  # the statuses whose due time still matters
_TEXT_LIMIT: Final = 100
_LAST_PAGE: Final = 100_000
Query = TypeVar("Query", bound="Select[*tuple[Any, ...]]")


class FilterError(ValueError):
    """A filter the page cannot use; ``field`` names it, the message says what fits."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class TicketFilter:
    status: str = ""  # "" any, "active" (open or in progress), or one status
    type: str = ""
    category: str = ""
    priority: str = ""
    owner: str = ""
    customer: str = ""  # a customer id, or part of a name
    overdue: bool = False
    due_soon: bool = False
    start: date | None = None  # opened on or after this day (the centre's timezone)
    end: date | None = None  # opened on or before this day
    page: int = 1

    @classmethod
    def read(cls, arg: Callable[[str], str], policy: TicketPolicy) -> TicketFilter:
        """The filter from the page's query arguments; :class:`FilterError` if one is bad."""
        status = arg("status").strip()
        if status and status != "active" and status not in STATUSES:
            raise FilterError("status", f"status: one of active, {', '.join(STATUSES)}")
        chosen = {
            "type": _one_of(arg("type"), TYPES, "type"),
            "category": _one_of(arg("category"), tuple(policy.categories), "category"),
            "priority": _one_of(arg("priority"), policy.priorities, "priority"),
        }
        start, end = _day(arg("from"), "from"), _day(arg("to"), "to")
        if start and end and end < start:
            raise FilterError("to", "the date range ends before it starts: swap the dates")
        return cls(
            status=status,
            owner=_short(arg("owner"), "owner"),
            customer=_short(arg("customer"), "customer"),
            overdue=arg("overdue") in ("1", "on", "true"),
            due_soon=arg("due_soon") in ("1", "on", "true"),
            start=start,
            end=end,
            page=_page(arg("page")),
            **chosen,
        )

    def query(self, **changes: Any) -> str:
        """The address's query string for this filter with ``changes`` (a page link)."""
        wanted = replace(self, **changes)
        pairs: list[tuple[str, str]] = []
        for item in fields(wanted):
            value = getattr(wanted, item.name)
            name = {"start": "from", "end": "to"}.get(item.name, item.name)
            if value in ("", None, False) or (item.name == "page" and value == 1):
                continue
            pairs.append((name, "1" if value is True else str(value)))
        return urlencode(pairs)


def _one_of(value: str, allowed: tuple[str, ...], name: str) -> str:
    text = value.strip()
    if text and text not in allowed:
        raise FilterError(name, f"{name}: one of {', '.join(allowed)}")
    return text


def _short(value: str, name: str) -> str:
    text = value.strip()
    if len(text) > _TEXT_LIMIT or "\x00" in text:
        raise FilterError(name, f"{name}: plain text of at most {_TEXT_LIMIT} characters")
    return text


def _day(value: str, name: str) -> date | None:
    text = value.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FilterError(name, f"{name}: a date such as 2026-09-30 (YYYY-MM-DD)") from None


def _page(value: str) -> int:
    text = value.strip() or "1"
    if not text.isdigit() or not 1 <= int(text) <= _LAST_PAGE:
        raise FilterError("page", f"page: a number from 1 to {_LAST_PAGE}")
    return int(text)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, zone).astimezone(UTC)


def month_of(now: float, zone: ZoneInfo) -> tuple[date, date]:
    """The first and last day of the month ``now`` is in (the figures' default period)."""
    today = datetime.fromtimestamp(now, zone).date()
    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def _epoch(value: datetime | None) -> float | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def _filtered(
    query: Query,
    wanted: TicketFilter,
    *,
    now: float,
    due_soon_s: float,
    zone: ZoneInfo,
    viewer: str | None,
) -> Query:
    if viewer is not None:  # an agent: the tickets they own or opened
        query = query.where(or_(TicketRow.owner == viewer, TicketRow.created_by == viewer))
    if wanted.status == "active":
        query = query.where(TicketRow.status.in_(ACTIVE))
    elif wanted.status:
        query = query.where(TicketRow.status == wanted.status)
    for name in ("type", "category", "priority", "owner"):
        if value := getattr(wanted, name):
            query = query.where(getattr(TicketRow, name) == value)
    if wanted.customer.isdigit():
        query = query.where(TicketRow.customer_id == int(wanted.customer))
    elif wanted.customer:
        named = select(Customer.id).where(Customer.name.contains(wanted.customer, autoescape=True))
        query = query.where(TicketRow.customer_id.in_(named))
    if wanted.start is not None:
        query = query.where(TicketRow.created_at >= _midnight(wanted.start, zone))
    if wanted.end is not None:
        query = query.where(TicketRow.created_at < _midnight(wanted.end + timedelta(days=1), zone))
    late = []
    at = datetime.fromtimestamp(now, UTC)
    if wanted.overdue:
        late.append(TicketRow.due_at < at)
    if wanted.due_soon:
        soon = datetime.fromtimestamp(now + due_soon_s, UTC)
        late.append((TicketRow.due_at >= at) & (TicketRow.due_at < soon))
    if late:
        query = query.where(TicketRow.status.in_(ACTIVE), or_(*late))
    return query


def _row(ticket: TicketRow, customer: str | None, now: float, due_soon_s: float) -> dict[str, Any]:
    due = _epoch(ticket.due_at) or 0.0
    active = ticket.status in ACTIVE
    return {
        "id": ticket.id,
        "type": ticket.type,
        "category": ticket.category,
        "priority": ticket.priority,
        "status": ticket.status,
        "subject": ticket.subject,
        "customer_id": ticket.customer_id,
        "customer": customer,
        "owner": ticket.owner,
        "created_at": _epoch(ticket.created_at),
        "due_at": due,
        "overdue": active and due < now,
        "due_soon": active and now <= due < now + due_soon_s,
    }


def find_tickets(
    session: Session,
    policy: TicketPolicy,
    wanted: TicketFilter,
    *,
    now: float,
    viewer: str | None = None,
    per_page: int = PER_PAGE,
) -> dict[str, Any]:
    """One page of the tickets ``wanted`` selects (soonest due first), how many matched,
    and, for a supervisor (``viewer`` None), the per-category figures of the period and
    the centre's overdue and due-soon counts. ``viewer``: an agent's username, who sees
    only the tickets they own or opened."""
    zone = ZoneInfo(policy.calendar.timezone)
    window = policy.due_soon_s

    def where(query: Query, of: TicketFilter) -> Query:
        return _filtered(query, of, now=now, due_soon_s=window, zone=zone, viewer=viewer)

    total = session.scalar(where(select(func.count()).select_from(TicketRow), wanted)) or 0
    pages = max(1, -(-total // per_page))
    rows = session.execute(
        where(select(TicketRow, Customer.name), wanted)
        .outerjoin(Customer, Customer.id == TicketRow.customer_id)
        .order_by(TicketRow.due_at, TicketRow.id)
        .offset((min(wanted.page, pages) - 1) * per_page)
        .limit(per_page)
    ).all()
    found: dict[str, Any] = {
        "tickets": [_row(ticket, name, now, window) for ticket, name in rows],
        "total": total,
        "pages": pages,
        "page": min(wanted.page, pages),
        "figures": None,
    }
    if viewer is None:
        first, last = month_of(now, zone)
        start, end = wanted.start or first, wanted.end or last
        found["figures"] = {
            "start": start,
            "end": end,
            "categories": category_figures(
                session,
                policy,
                start=_midnight(start, zone).timestamp(),
                end=_midnight(end + timedelta(days=1), zone).timestamp(),
            ),
            "overdue": session.scalar(
                where(select(func.count()).select_from(TicketRow), TicketFilter(overdue=True))
            ),
            "due_soon": session.scalar(
                where(select(func.count()).select_from(TicketRow), TicketFilter(due_soon=True))
            ),
        }
    return found
