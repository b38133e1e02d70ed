# -*- test-case-name: tests.crm.test_merge -*-
"""A customer's history: calls (queue, agent, outcome, disposition, IVR path), tickets and
CSAT scores, newest first. Calls are found by the customer's phone numbers and by the
IVR sessions that identified them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from switchboard.crm.models import Customer
from switchboard.crm.search import customer_json
from switchboard.crm.tickets import list_tickets
from switchboard.ivr_flows.records import CsatResponse, IvrSession
from switchboard.queue.store.records import CallVisitRow
from switchboard.seat.models import SeatDisposition

__all__ = ["customer_history"]


def _epoch(value: datetime | None) -> float | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def customer_history(
    session: Session, customer_id: int, *, now: float, limit: int = 50
) -> dict[str, Any] | None:
    """The customer with their calls, tickets and CSAT; None when there is no such customer."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        return None
    phones = [i.value for i in customer.identifiers if i.value.lstrip("+").isdigit()]
    ivr = {
        row.call_id: row
        for row in session.scalars(
            select(IvrSession)
            .where(IvrSession.customer_id == customer_id)
            .order_by(IvrSession.id.desc())
            .limit(limit)
        )
    }
    visits = session.scalars(
        select(CallVisitRow)
        .where(or_(CallVisitRow.caller_number.in_(phones), CallVisitRow.call_id.in_(list(ivr))))
        .order_by(CallVisitRow.entered_at.desc(), CallVisitRow.id.desc())
        .limit(limit * 2)
    ).all()
    calls: dict[str, dict[str, Any]] = {}
    for visit in visits:  # a call moved between queues has a visit per queue: newest wins
        if visit.call_id not in calls and len(calls) < limit:
            calls[visit.call_id] = {
                "call_id": visit.call_id,
                "at": _epoch(visit.entered_at),
                "queue": visit.queue,
                "agent_id": visit.agent_id,
                "outcome": visit.outcome,
                "talk_s": visit.talk_s,
                "ivr_path": None,
                "disposition": None,
                "recording": None,  # the recorder area links recordings by call id
            }
    for call_id, row in ivr.items():
        entry = calls.setdefault(
            call_id,
            {
                "call_id": call_id,
                "at": _epoch(row.started_at),
                "queue": row.queue,
                "agent_id": "",
                "outcome": row.outcome,
                "talk_s": None,
                "disposition": None,
                "recording": None,
            },
        )
        entry["ivr_path"] = {"flow": row.flow, "last_step": row.last_step, "digits": row.digits}
    ids = list(calls)
    for disposition in session.scalars(
        select(SeatDisposition).where(SeatDisposition.call_id.in_(ids)).order_by(SeatDisposition.id)
    ):
        calls[disposition.call_id]["disposition"] = {
            "code": disposition.code,
            "note": disposition.note,
            "agent_id": disposition.agent_id,
        }
    csat = [
        {"call_id": r.call_id, "score": r.score, "agent": r.agent, "at": _epoch(r.created_at)}
        for r in session.scalars(
            select(CsatResponse)
            .where(CsatResponse.call_id.in_(ids))
            .order_by(CsatResponse.created_at.desc(), CsatResponse.id.desc())
        )
    ]
    return {
        "customer": customer_json(customer),
        "merged_into_id": customer.merged_into_id,
        "calls": sorted(calls.values(), key=lambda c: -(c["at"] or 0.0)),
        "tickets": list_tickets(session, now=now, customer_id=customer_id, limit=limit),
        "csat": csat,
    }
