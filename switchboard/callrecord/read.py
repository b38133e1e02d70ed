# -*- test-case-name: tests.callrecord.test_read -*-
"""Reading call records back, with everything else the centre stored about each call.

Other areas name a call by its queue id (``queue_call_id``) or by its ``Linkedid``; the
reader looks in their tables, through their public models, by both: the IVR sessions,
queue visits, offers and callbacks (both routing modes store the same rows), the newest
disposition, the tickets linked to the call, the recordings and the CSAT answer.
Times are epoch seconds, as on the hub. One query per table for a whole page of calls.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from switchboard.callrecord.models import CallLegRow, CallRecordRow
from switchboard.callrecord.store import epoch
from switchboard.crm.ticket_rows import TicketLinkRow, TicketRow
from switchboard.ivr_flows.records import CsatResponse, IvrSession
from switchboard.queue.store.records import (
    CallbackAttemptRow,
    CallbackRow,
    CallVisitRow,
    OfferRow,
)
from switchboard.recorder.models import Recording
from switchboard.seat.models import SeatDisposition

__all__ = ["call_record_json", "list_call_records"]

MAX_PAGE = 500


def call_record_json(session: Session, call_id: str) -> dict[str, Any] | None:
    """The call ``call_id`` (its ``Linkedid`` or its queue id) with all it links to;
    None if there is no such call."""
    row = session.get(CallRecordRow, call_id)
    if row is None:
        row = session.scalars(
            select(CallRecordRow).where(CallRecordRow.queue_call_id == call_id).limit(1)
        ).first()
    if row is None:
        return None
    return _with_links(session, [row])[0]


def list_call_records(
    session: Session,
    *,
    since: float | None = None,
    until: float | None = None,
    queue: str | None = None,
    agent_id: str | None = None,
    caller_number: str | None = None,
    open_only: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Calls that started in ``[since, until)``, newest first, filtered; a page of at
    most ``limit`` (up to :data:`MAX_PAGE`; ``ValueError`` beyond, naming the limit)."""
    if not 0 < limit <= MAX_PAGE or offset < 0:
        raise ValueError(f"limit must be 1..{MAX_PAGE} and offset >= 0 (got {limit}, {offset})")
    statement = select(CallRecordRow)
    if since is not None:
        statement = statement.where(CallRecordRow.started_at >= _at(since))
    if until is not None:
        statement = statement.where(CallRecordRow.started_at < _at(until))
    if queue:
        statement = statement.where(
            or_(CallRecordRow.first_queue == queue, CallRecordRow.last_queue == queue)
        )
    if agent_id:
        statement = statement.where(CallRecordRow.agent_id == agent_id)
    if caller_number:
        statement = statement.where(CallRecordRow.caller_number == caller_number)
    if open_only:
        statement = statement.where(CallRecordRow.ended_at.is_(None))
    statement = statement.order_by(CallRecordRow.started_at.desc(), CallRecordRow.call_id)
    rows = list(session.scalars(statement.limit(limit).offset(offset)))
    return _with_links(session, rows)


def _at(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def _ids(row: CallRecordRow) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in (row.call_id, row.queue_call_id) if i))


def _by_call(rows: Iterable[Any], key: str = "call_id") -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = defaultdict(list)
    for item in rows:
        out[getattr(item, key)].append(item)
    return out


def _with_links(session: Session, rows: Sequence[CallRecordRow]) -> list[dict[str, Any]]:
    ids = sorted({i for row in rows for i in _ids(row)})
    if not ids:
        return []
    calls = [row.call_id for row in rows]

    def of(model: Any, order: Any, column: Any = None) -> dict[str, list[Any]]:
        column = model.call_id if column is None else column
        return _by_call(session.scalars(select(model).where(column.in_(ids)).order_by(order)))

    legs = _by_call(
        session.scalars(
            select(CallLegRow)
            .where(CallLegRow.call_id.in_(calls))
            .order_by(CallLegRow.started_at, CallLegRow.id)
        )
    )
    visits = of(CallVisitRow, CallVisitRow.id)
    offers = of(OfferRow, OfferRow.id)
    callbacks = of(CallbackRow, CallbackRow.id)
    attempts = of(CallbackAttemptRow, CallbackAttemptRow.id)
    ivr = of(IvrSession, IvrSession.id)
    dispositions = of(SeatDisposition, SeatDisposition.id)
    csat = of(CsatResponse, CsatResponse.id)
    recordings = of(Recording, Recording.id)
    recordings_linked = _by_call(
        session.scalars(
            select(Recording)
            .where(Recording.linked_id.in_(calls), Recording.deleted_at.is_(None))
            .order_by(Recording.id)
        ),
        "linked_id",
    )
    links = list(
        session.execute(
            select(TicketLinkRow.ref, TicketRow)
            .join(TicketRow, TicketRow.id == TicketLinkRow.ticket_id)
            .where(TicketLinkRow.kind == "call", TicketLinkRow.ref.in_(ids))
            .order_by(TicketRow.id)
        )
    )
    tickets: dict[str, list[TicketRow]] = defaultdict(list)
    for ref, ticket in links:
        tickets[ref].append(ticket)

    out = []
    for row in rows:
        keys = _ids(row)

        def gather(table: dict[str, list[Any]], keys: tuple[str, ...] = keys) -> list[Any]:
            seen: dict[int, Any] = {}
            for key in keys:
                for item in table.get(key, ()):
                    seen.setdefault(item.id, item)
            return sorted(seen.values(), key=lambda item: item.id)

        found_recordings = {
            r.id: r
            for r in [*gather(recordings), *recordings_linked.get(row.call_id, ())]
            if r.deleted_at is None
        }
        out.append(
            _record_json(
                row,
                legs.get(row.call_id, []),
                visits=gather(visits),
                offers=gather(offers),
                callbacks=gather(callbacks),
                attempts=gather(attempts),
                ivr=gather(ivr),
                dispositions=gather(dispositions),
                csat=gather(csat),
                recordings=[found_recordings[k] for k in sorted(found_recordings)],
                tickets=gather(tickets),
            )
        )
    return out


def _record_json(row: CallRecordRow, legs: list[CallLegRow], **linked: list[Any]) -> dict[str, Any]:
    disposition = linked["dispositions"][-1] if linked["dispositions"] else None
    csat = linked["csat"][-1] if linked["csat"] else None
    return {
        "call_id": row.call_id,
        "queue_call_id": row.queue_call_id,
        "parent_call_id": row.parent_call_id,
        "direction": row.direction,
        "started_at": epoch(row.started_at),
        "answered_at": epoch(row.answered_at),
        "ended_at": epoch(row.ended_at),
        "open": row.ended_at is None,
        "last_seen_at": epoch(row.last_seen_at),
        "caller_number": row.caller_number,
        "caller_name": row.caller_name,
        "dialled_number": row.dialled_number,
        "ivr": {
            "ref": row.ivr_ref,
            "flow": row.ivr_flow,
            "sessions": [
                {
                    "flow": s.flow,
                    "outcome": s.outcome,
                    "last_step": s.last_step,
                    "digits": s.digits,
                    "language": s.language,
                    "started_at": epoch(s.started_at),
                    "ended_at": epoch(s.ended_at),
                }
                for s in linked["ivr"]
            ],
        },
        "queue": {
            "first": row.first_queue,
            "last": row.last_queue,
            "wait_s": row.queue_wait_s,
            "outcome": row.queue_outcome,
            "visits": [
                {
                    "queue": v.queue,
                    "entered_at": epoch(v.entered_at),
                    "answered_at": epoch(v.answered_at),
                    "waited_s": v.waited_s if v.waited_s is not None else v.left_waited_s,
                    "agent_id": v.agent_id,
                    "outcome": v.outcome,
                    "to_queue": v.to_queue,
                }
                for v in linked["visits"]
            ],
        },
        "offers": {
            "count": row.offers,
            "missed": row.missed_offers,
            "list": [
                {
                    "queue": o.queue,
                    "agent_id": o.agent_id,
                    "offered_at": epoch(o.offered_at),
                    "ended_at": epoch(o.ended_at),
                    "result": o.result,
                    "callback_attempt": o.callback_attempt,
                }
                for o in linked["offers"]
            ],
        },
        "agent_id": row.agent_id,
        "agent_device": row.agent_device,
        "talk_s": row.talk_s,
        "hold_s": row.hold_s,
        "hold_count": row.hold_count,
        "wrap_s": row.wrap_s,
        "transfers": row.transfers,
        "callback": {
            "attempts": row.callback_attempts,
            "result": row.callback_result,
            "requests": [
                {
                    "queue": c.queue,
                    "number": c.number,
                    "requested_at": epoch(c.requested_at),
                    "outcome": c.outcome,
                    "attempts": c.attempts,
                }
                for c in linked["callbacks"]
            ],
            "attempt_list": [
                {
                    "attempt": a.attempt,
                    "agent_id": a.agent_id,
                    "ended_at": epoch(a.ended_at),
                    "result": a.result,
                }
                for a in linked["attempts"]
            ],
        },
        "outcome": row.outcome,
        "end_reason": row.end_reason,
        "hangup": {
            "first": row.first_hangup,
            "cause": row.hangup_cause,
            "cause_text": row.hangup_cause_text,
        },
        "recording": row.recording,
        "legs": [
            {
                "uniqueid": leg.uniqueid,
                "channel": leg.channel,
                "role": leg.role,
                "started_at": epoch(leg.started_at),
                "answered_at": epoch(leg.answered_at),
                "ended_at": epoch(leg.ended_at),
                "cause": leg.cause,
                "cause_text": leg.cause_text,
            }
            for leg in legs
        ],
        "disposition": None
        if disposition is None
        else {
            "code": disposition.code,
            "note": disposition.note,
            "agent_id": disposition.agent_id,
            "at": epoch(disposition.at),
        },
        "tickets": [
            {
                "id": t.id,
                "type": t.type,
                "category": t.category,
                "status": t.status,
                "subject": t.subject,
            }
            for t in linked["tickets"]
        ],
        "recordings": [
            {
                "id": r.id,
                "path": r.path,
                "status": r.status,
                "duration_s": r.duration_s,
            }
            for r in linked["recordings"]
        ],
        "csat": None
        if csat is None
        else {"score": csat.score, "agent": csat.agent, "at": epoch(csat.created_at)},
    }
