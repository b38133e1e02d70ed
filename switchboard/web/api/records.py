# -*- test-case-name: tests.web.api.test_calls -*-
"""Reading calls out of the stored records, for the REST API (each
function runs inside one database transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from switchboard.ivr_flows.records import IvrSession
from switchboard.queue.store.records import CallVisitRow, OfferRow
from switchboard.seat.models import SeatDisposition
from switchboard.web.api import models as m

__all__ = ["call_detail", "recent_calls"]


def _epoch(value: datetime | None) -> float | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands back naive values: they were stored as UTC
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _outcome(row: CallVisitRow) -> str:
    return "answered" if row.answered_at is not None and not row.outcome else row.outcome


def recent_calls(session: Session, query: m.CallQuery, queues: Sequence[str] | None) -> m.CallList:
    """Queue visits, newest first (a moved call shows once per queue it visited)."""
    where: list[ColumnElement[bool]] = []
    if queues is not None:
        where.append(CallVisitRow.queue.in_(queues))
    if query.queue is not None:
        where.append(CallVisitRow.queue == query.queue)
    if query.agent_id is not None:
        where.append(CallVisitRow.agent_id == query.agent_id)
    if query.caller_number is not None:
        where.append(CallVisitRow.caller_number == query.caller_number)
    if query.since is not None:
        where.append(CallVisitRow.entered_at >= _at(query.since))
    if query.until is not None:
        where.append(CallVisitRow.entered_at < _at(query.until))
    if query.outcome == "answered":
        where.append(CallVisitRow.answered_at.is_not(None))
    elif query.outcome is not None:
        where.append(CallVisitRow.outcome == query.outcome)
    total = session.scalar(select(func.count()).select_from(CallVisitRow).where(*where)) or 0
    rows = session.scalars(
        select(CallVisitRow)
        .where(*where)
        .order_by(CallVisitRow.entered_at.desc(), CallVisitRow.id.desc())
        .limit(query.limit)
        .offset(query.offset)
    ).all()
    calls = [
        m.CallSummary(
            call_id=r.call_id,
            queue=r.queue,
            caller_number=r.caller_number,
            entered_at=_epoch(r.entered_at) or 0.0,
            answered_at=_epoch(r.answered_at),
            agent_id=r.agent_id,
            outcome=_outcome(r),
            waited_s=r.waited_s if r.waited_s is not None else r.left_waited_s,
            talk_s=r.talk_s,
        )
        for r in rows
    ]
    following = query.offset + len(calls)
    return m.CallList(
        calls=calls, total=total, next_offset=following if following < total else None
    )


def call_detail(session: Session, call_id: str) -> tuple[m.CallDetail, list[str]] | None:
    """The call and the queues it visited (for the caller's reach), or None."""
    visits = session.scalars(
        select(CallVisitRow).where(CallVisitRow.call_id == call_id).order_by(CallVisitRow.id)
    ).all()
    if not visits:
        return None
    offers = session.scalars(
        select(OfferRow).where(OfferRow.call_id == call_id).order_by(OfferRow.id)
    ).all()
    legs = [
        m.CallLeg(
            queue=v.queue,
            entered_at=_epoch(v.entered_at) or 0.0,
            priority=v.priority,
            answered_at=_epoch(v.answered_at),
            agent_id=v.agent_id,
            left_at=_epoch(v.left_at),
            outcome=_outcome(v),
            to_queue=v.to_queue,
            waited_s=v.waited_s if v.waited_s is not None else v.left_waited_s,
            talk_s=v.talk_s,
            wrap_s=v.wrap_s,
            offers=[
                m.Offer(
                    agent_id=o.agent_id,
                    offered_at=_epoch(o.offered_at) or 0.0,
                    ended_at=_epoch(o.ended_at),
                    result=o.result,
                )
                for o in offers
                if o.queue == v.queue
            ],
        )
        for v in visits
    ]
    path_ref = next((v.path_ref for v in visits if v.path_ref), "")
    ivr_row = (
        session.scalars(
            select(IvrSession).where(IvrSession.call_id == path_ref).order_by(IvrSession.id)
        ).first()
        if path_ref
        else None
    )
    ivr = None
    if ivr_row is not None:
        ivr = m.IvrPath(
            flow=ivr_row.flow,
            digits=ivr_row.digits,
            outcome=ivr_row.outcome,
            language=ivr_row.language,
            steps=_steps(ivr_row.trace),
        )
    row = session.scalars(
        select(SeatDisposition)
        .where(SeatDisposition.call_id == call_id)
        .order_by(SeatDisposition.id.desc())
    ).first()
    disposition = (
        None
        if row is None
        else m.Disposition(
            agent_id=row.agent_id, code=row.code, note=row.note, at=_epoch(row.at) or 0.0
        )
    )
    detail = m.CallDetail(
        call_id=call_id,
        caller_number=visits[0].caller_number,
        legs=legs,
        ivr=ivr,
        recording=None,
        disposition=disposition,
    )
    return detail, [v.queue for v in visits]


def _steps(trace: Sequence[object]) -> list[str]:
    """``flow/step`` of each step the trace passed through, once per visit."""
    steps: list[str] = []
    for entry in trace:
        if isinstance(entry, dict) and entry.get("step"):
            here = f"{entry.get('flow', '')}/{entry['step']}"
            if not steps or steps[-1] != here:
                steps.append(here)
    return steps
