# -*- test-case-name: tests.callrecord.test_store -*-
"""The call book's operations applied to ``call_record`` and ``call_leg``, in one
transaction per batch (the service runs :func:`apply_ops` through ``Database.run``).

A row's outcome is worked out from the row itself whenever a closed row changes, so facts
that arrive after the hang-up (wrap-up, a callback's result) refine it, and a row closed
by a reconciliation gets the same rule as one closed by its hang-up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from switchboard.callrecord.models import CallLegRow, CallRecordRow
from switchboard.callrecord.ops import (
    END_STOPPED,
    END_UNCLEAN,
    LegWrite,
    Op,
    Reconcile,
    RecordWrite,
    Stopped,
)
from switchboard.ivr_flows.records import IvrSession

__all__ = [
    "ANSWERED",
    "CALLBACK",
    "ENDED_IN_IVR",
    "FAILED",
    "OUTCOMES",
    "QUEUE_ABANDONED",
    "apply_ops",
    "epoch",
    "outcome_of",
]

ANSWERED: Final = "answered"
QUEUE_ABANDONED: Final = "abandoned"  # waited in a queue, no agent took it
ENDED_IN_IVR: Final = "ended_in_ivr"  # finished in self-service (or voicemail)
CALLBACK: Final = "callback"  # the caller chose to be called back
FAILED: Final = "failed"  # none of those: a failed dial, a call that never got anywhere
OUTCOMES: Final = (ANSWERED, QUEUE_ABANDONED, ENDED_IN_IVR, CALLBACK, FAILED)
_CALLBACK_OUTCOMES: Final = frozenset({"callback", "called_back", "callback_unreached"})
_TIMES: Final = frozenset({"started_at", "answered_at", "ended_at", "last_seen_at"})
_DEFAULTS: Final[Mapping[str, object]] = {
    "queue_call_id": "",
    "parent_call_id": "",
    "direction": "other",
    "caller_number": "",
    "caller_name": "",
    "dialled_number": "",
    "ivr_ref": "",
    "ivr_flow": "",
    "first_queue": "",
    "last_queue": "",
    "queue_wait_s": 0.0,
    "queue_outcome": "",
    "offers": 0,
    "missed_offers": 0,
    "agent_id": "",
    "agent_device": "",
    "hold_s": 0.0,
    "hold_count": 0,
    "transfers": 0,
    "callback_attempts": 0,
    "callback_result": "",
    "recording": "",
    "outcome": "",
    "end_reason": "",
    "first_hangup": "",
    "hangup_cause_text": "",
}
_LIMITS: Final = {
    c.name: getattr(c.type, "length", None)
    for c in CallRecordRow.__table__.columns
    if getattr(c.type, "length", None) is not None
}


def _at(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def epoch(value: datetime | None) -> float | None:
    """Seconds since the epoch of a stored time (SQLite hands back naive UTC values)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def _stored(name: str, value: object) -> object:
    if name in _TIMES and isinstance(value, int | float):
        return _at(float(value))
    limit = _LIMITS.get(name)
    if isinstance(value, str) and limit is not None:
        return value[:limit]
    return value


def _empty(value: object) -> bool:
    return value is None or value == ""


def apply_ops(session: Session, ops: Iterable[Op]) -> list[RecordWrite]:
    """Apply ``ops`` in order; return the fact writes whose call has no row yet."""
    unmatched: list[RecordWrite] = []
    for op in ops:
        if isinstance(op, RecordWrite):
            if not _write_record(session, op):
                unmatched.append(op)
        elif isinstance(op, LegWrite):
            _write_leg(session, op)
        elif isinstance(op, Stopped):
            _stopped(session, op)
        else:
            _reconcile(session, op)
    return unmatched


def _find(session: Session, op: RecordWrite) -> CallRecordRow | None:
    if op.call_id:
        row = session.get(CallRecordRow, op.call_id)
        if row is not None or op.creates:
            return row
    key = op.queue_call_id
    if not key:
        return None
    statement = (
        select(CallRecordRow)
        .where(or_(CallRecordRow.queue_call_id == key, CallRecordRow.call_id == key))
        .order_by(CallRecordRow.started_at.desc())
        .limit(1)
    )
    return session.scalars(statement).first()


def _write_record(session: Session, op: RecordWrite) -> bool:
    row = _find(session, op)
    if row is None:
        if not op.creates:
            return False
        started = op.first.get("started_at") or op.seen_at or 0.0
        row = CallRecordRow(
            call_id=op.call_id,
            started_at=_at(float(started)),  # type: ignore[arg-type]
            last_seen_at=_at(float(op.seen_at or started)),  # type: ignore[arg-type]
            **_DEFAULTS,
        )
        session.add(row)
        session.flush()  # found by the next operation's lookup
    for name, value in op.first.items():
        if not _empty(value) and _empty(getattr(row, name)):
            setattr(row, name, _stored(name, value))
    for name, value in op.last.items():
        if value is not None and not (name == "direction" and value == "other"):
            setattr(row, name, _stored(name, value))
    for name, amount in op.add.items():
        setattr(row, name, (getattr(row, name) or 0) + amount)
    if op.seen_at is not None and row.ended_at is None:
        row.last_seen_at = _at(max(epoch(row.last_seen_at) or 0.0, op.seen_at))
        if op.creates and row.end_reason == END_STOPPED:
            row.end_reason = ""  # seen live again after the restart: it goes on
    if op.end is not None and row.ended_at is None:
        _close(session, row, *op.end)
    elif row.ended_at is not None:
        row.outcome = outcome_of(row)
    return True


def _close(session: Session, row: CallRecordRow, ended_at: float, reason: str) -> None:
    """End the row (and its open legs) at ``ended_at``: talk, IVR flow, outcome."""
    row.ended_at = _at(ended_at)
    row.last_seen_at = row.ended_at
    row.end_reason = reason[:32]
    answered = epoch(row.answered_at)
    if answered is not None:
        row.talk_s = round(max(0.0, ended_at - answered), 3)  # stored times are to the µs
    if row.ivr_ref and not row.ivr_flow:
        flow = session.scalars(
            select(IvrSession.flow)
            .where(IvrSession.call_id == row.ivr_ref)
            .order_by(IvrSession.started_at)
            .limit(1)
        ).first()
        row.ivr_flow = (flow or "")[:64]
    legs = select(CallLegRow).where(
        CallLegRow.call_id == row.call_id, CallLegRow.ended_at.is_(None)
    )
    for leg in session.scalars(legs):
        leg.ended_at = row.ended_at
    row.outcome = outcome_of(row)


def outcome_of(row: CallRecordRow) -> str:
    """The call's outcome, one of :data:`OUTCOMES`, from what its row says."""
    if row.queue_outcome in _CALLBACK_OUTCOMES:
        return CALLBACK
    if row.answered_at is not None:
        return ANSWERED
    if row.queue_outcome == "voicemail":
        return ENDED_IN_IVR
    if row.first_queue:
        return QUEUE_ABANDONED
    if row.ivr_ref or row.ivr_flow:
        return ENDED_IN_IVR
    return FAILED


def _write_leg(session: Session, op: LegWrite) -> None:
    statement = select(CallLegRow).where(
        CallLegRow.call_id == op.call_id, CallLegRow.uniqueid == op.uniqueid
    )
    leg = session.scalars(statement).first()
    if leg is None:
        if session.get(CallRecordRow, op.call_id) is None:
            return  # the call's row comes first, in the same batch: a leg never orphaned
        start = op.started_at if op.started_at is not None else op.ended_at or 0.0
        leg = CallLegRow(
            call_id=op.call_id,
            uniqueid=op.uniqueid[:64],
            channel=op.channel[:128],
            role=op.role,
            started_at=_at(start),
            cause_text="",
        )
        session.add(leg)
        session.flush()
    if op.channel:
        leg.channel = op.channel[:128]
    if op.role != "other":
        leg.role = op.role
    if op.answered_at is not None and leg.answered_at is None:
        leg.answered_at = _at(op.answered_at)
    if op.ended_at is not None and leg.ended_at is None:
        leg.ended_at = _at(op.ended_at)
    if op.cause is not None:
        leg.cause = op.cause
    if op.cause_text:
        leg.cause_text = op.cause_text[:64]


def _stopped(session: Session, op: Stopped) -> None:
    for call_id in op.live:
        row = session.get(CallRecordRow, call_id)
        if row is not None and row.ended_at is None:
            row.last_seen_at = _at(op.at)
            row.end_reason = END_STOPPED


def _reconcile(session: Session, op: Reconcile) -> None:
    open_rows = select(CallRecordRow).where(CallRecordRow.ended_at.is_(None))
    for row in session.scalars(open_rows).all():
        if row.call_id in op.live:
            continue
        if row.call_id in op.followed:
            _close(session, row, op.at, op.vanished_reason)
        else:  # left open by the run before this one
            reason = END_STOPPED if row.end_reason == END_STOPPED else END_UNCLEAN
            _close(session, row, epoch(row.last_seen_at) or op.at, reason)
