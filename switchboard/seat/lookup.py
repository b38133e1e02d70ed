# -*- test-case-name: tests.seat.test_feed,tests.seat.test_actions -*-
"""The seat's database reads and writes: plain functions of a session, for ``Database.run``.

Each runs off the reactor thread; none keeps ORM objects past its session, so what they
return are plain dicts and numbers the feed can hand to a websocket as they are.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from switchboard.crm.directory import add_customer, normalize
from switchboard.crm.models import Customer, CustomerIdentifier
from switchboard.crm.search import CustomerQuery, SearchError, search_customers
from switchboard.crm.tickets import open_tickets_of_customer
from switchboard.ivr_flows.records import CsatResponse, sessions_for_call
from switchboard.queue.store.records import AgentStateRow, CallVisitRow, OfferRow
from switchboard.seat.card import customer_json, ivr_summary
from switchboard.seat.disposition_hours import count_newest
from switchboard.seat.models import SeatDisposition, SeatReveal

__all__ = [
    "MISSED_RESULTS",
    "Baseline",
    "assemble_pop",
    "assemble_pops",
    "baseline_figures",
    "call_of_agent",
    "create_customer",
    "customer_by_id",
    "customers_matching",
    "record_reveal",
    "save_disposition",
]

LAST_CALLS: Final = 5
# An offer the agent let pass: it rang out, the device was busy, or the ring timeout ended
# it. ("abandoned": the caller hung up while it rang, which is not the agent's doing.)
MISSED_RESULTS: Final = frozenset({"no_answer", "busy", "cancelled"})


def at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def epoch(value: datetime | None) -> float | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands back naive values: they were stored as UTC
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def _customer(customer: Customer) -> dict[str, Any]:
    return customer_json(
        customer.id,
        customer.name,
        customer.vip_level,
        customer.language,
        [(i.kind, i.value) for i in customer.identifiers],
        customer.attributes or {},
    )


def customer_by_id(session: Session, customer_id: int) -> dict[str, Any] | None:
    customer = session.get(Customer, customer_id)
    return None if customer is None else _customer(customer)


def create_customer(
    session: Session, *, name: str, identifiers: Mapping[str, str], language: str
) -> dict[str, Any]:
    """A new customer (``IntegrityError`` when an identifier is someone else's)."""
    return _customer(add_customer(session, name, identifiers, language=language))


def customers_matching(session: Session, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Customers found by the CRM search (any identifier, a phone's last digits, name,
    pinyin or initials), best match first; none for a search it refuses."""
    try:
        page = search_customers(session, CustomerQuery(query, per_page=limit))
    except SearchError:
        return []
    ids = [found["id"] for found in page.customers]
    rows = {c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(ids)))}
    return [_customer(rows[i]) for i in ids]


def assemble_pop(
    session: Session, *, call_id: str, caller_number: str, ivr_ref: str, now: float = 0.0
) -> dict[str, Any]:
    """The rest of the card: customer, IVR path and inputs, last calls, last CSAT, tickets."""
    sessions = sessions_for_call(session, ivr_ref) if ivr_ref else []
    customer: Customer | None = None
    for ivr in reversed(sessions):  # the IVR may have found them by an account number
        if ivr["customer_id"] is not None:
            customer = session.get(Customer, ivr["customer_id"])
            break
    if customer is None and caller_number:
        customer = _by_phone(session, caller_number)
    numbers = {caller_number, normalize("phone", caller_number)}
    if customer is not None:
        numbers |= {i.value for i in customer.identifiers if i.kind == "phone"}
    numbers.discard("")
    history = _calls_of(session, numbers, exclude=call_id)
    found = _customer(customer) if customer is not None else None
    return {
        "customer": found,
        "unknown_caller": found is None,
        "new_customer": None if found is not None else {"phone": caller_number},
        "vip": found["vip_level"] if found is not None else None,
        "language": (found["language"] if found is not None else "") or None,
        "ivr": ivr_summary(sessions),
        "last_calls": history[:LAST_CALLS],
        "csat": _last_csat(session, [c["call_id"] for c in history]),
        "tickets": (
            open_tickets_of_customer(session, customer.id, now=now) if customer is not None else []
        ),
    }


def assemble_pops(
    session: Session, *, offers: list[dict[str, str]], now: float = 0.0
) -> list[dict[str, Any]]:
    """:func:`assemble_pop` for several offers (``call_id``, ``caller_number``, ``ivr_ref``
    each) in one session, in their order; ``now``: when (open tickets' due state)."""
    return [assemble_pop(session, **offer, now=now) for offer in offers]


def _by_phone(session: Session, number: str) -> Customer | None:
    wanted = normalize("phone", number)
    if not wanted:
        return None
    match = session.scalars(
        select(CustomerIdentifier)
        .where(CustomerIdentifier.kind == "phone", CustomerIdentifier.value == wanted)
        .limit(1)
    ).first()
    return match.customer if match is not None else None


def _calls_of(session: Session, numbers: Collection[str], exclude: str) -> list[dict[str, Any]]:
    """The caller's earlier calls, newest first (up to 50, for the CSAT search)."""
    if not numbers:
        return []
    rows = session.scalars(
        select(CallVisitRow)
        .where(CallVisitRow.caller_number.in_(numbers), CallVisitRow.call_id != exclude)
        .order_by(CallVisitRow.entered_at.desc(), CallVisitRow.id.desc())
        .limit(200)
    ).all()
    calls: dict[str, dict[str, Any]] = {}
    for row in rows:  # a call moved between queues has a row per queue: keep the newest
        if row.call_id not in calls and len(calls) < 50:
            calls[row.call_id] = {
                "call_id": row.call_id,
                "at": epoch(row.entered_at),
                "queue": row.queue,
                "agent_id": row.agent_id,
                "outcome": row.outcome,
                "talk_s": row.talk_s,
                "disposition": None,
            }
    for call_id, disposition in _dispositions(session, list(calls)[:LAST_CALLS]).items():
        calls[call_id]["disposition"] = disposition
    return list(calls.values())


def _dispositions(session: Session, call_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The newest disposition of each call."""
    found: dict[str, dict[str, Any]] = {}
    if not call_ids:
        return found
    rows = session.scalars(
        select(SeatDisposition)
        .where(SeatDisposition.call_id.in_(call_ids))
        .order_by(SeatDisposition.id)
    )
    for row in rows:
        found[row.call_id] = {
            "code": row.code,
            "note": row.note,
            "agent_id": row.agent_id,
            "at": epoch(row.at),
        }
    return found


def _last_csat(session: Session, call_ids: list[str]) -> dict[str, Any] | None:
    if not call_ids:
        return None
    row = session.scalars(
        select(CsatResponse)
        .where(CsatResponse.call_id.in_(call_ids))
        .order_by(CsatResponse.created_at.desc(), CsatResponse.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return {"score": row.score, "call_id": row.call_id, "at": epoch(row.created_at)}


def call_of_agent(session: Session, call_id: str, agent_id: str) -> tuple[str, bool] | None:
    """``(queue, offered to agent_id)`` of a stored call; None when no call has that id."""
    visit = session.scalars(
        select(CallVisitRow)
        .where(CallVisitRow.call_id == call_id)
        .order_by(CallVisitRow.id.desc())
        .limit(1)
    ).first()
    if visit is None:
        return None
    offered = (
        visit.agent_id == agent_id
        or (
            session.scalar(
                select(func.count())
                .select_from(OfferRow)
                .where(OfferRow.call_id == call_id, OfferRow.agent_id == agent_id)
            )
            or 0
        )
        > 0
    )
    return visit.queue, offered


def save_disposition(
    session: Session, *, call_id: str, agent_id: str, queue: str, code: str, note: str, when: float
) -> int:
    row = SeatDisposition(
        call_id=call_id, agent_id=agent_id, queue=queue, code=code, note=note, at=at(when)
    )
    session.add(row)
    session.flush()
    count_newest(session, row)
    return row.id


def record_reveal(
    session: Session,
    *,
    user_id: int,
    username: str,
    agent_id: str,
    call_id: str,
    field: str,
    address: str,
    when: float,
) -> int:
    row = SeatReveal(
        at=at(when),
        user_id=user_id,
        username=username,
        agent_id=agent_id,
        call_id=call_id,
        field=field,
        address=address[:64],
    )
    session.add(row)
    session.flush()
    return row.id


@dataclass(slots=True)
class Baseline:
    """An agent's figures from the stored records of one stretch of the day."""

    handled: int = 0
    handle_s: float = 0.0
    missed: int = 0
    not_ready_s: dict[str, float] = field(default_factory=dict)


def baseline_figures(session: Session, agent_id: str, start: float, end: float) -> Baseline:
    """What the stored records say of ``agent_id`` between ``start`` and ``end``."""
    base = Baseline()
    if end <= start:
        return base
    lo, hi = at(start), at(end)
    handled = session.execute(
        select(
            func.count(), func.coalesce(func.sum(CallVisitRow.talk_s + CallVisitRow.wrap_s), 0.0)
        ).where(
            CallVisitRow.agent_id == agent_id,
            CallVisitRow.handled_at >= lo,
            CallVisitRow.handled_at < hi,
        )
    ).one()
    base.handled, base.handle_s = int(handled[0]), float(handled[1] or 0.0)
    base.missed = int(
        session.scalar(
            select(func.count())
            .select_from(OfferRow)
            .where(
                OfferRow.agent_id == agent_id,
                OfferRow.offered_at >= lo,
                OfferRow.offered_at < hi,
                OfferRow.result.in_(MISSED_RESULTS),
            )
        )
        or 0
    )
    pauses = session.scalars(
        select(AgentStateRow).where(
            AgentStateRow.agent_id == agent_id,
            AgentStateRow.state == "not_ready",
            AgentStateRow.started_at < hi,
            (AgentStateRow.ended_at.is_(None)) | (AgentStateRow.ended_at > lo),
        )
    )
    for row in pauses:
        began = max(epoch(row.started_at) or start, start)
        ended = min(epoch(row.ended_at) or end, end)
        if ended > began:
            reason = row.reason or "unknown"
            base.not_ready_s[reason] = base.not_ready_s.get(reason, 0.0) + (ended - began)
    return base
