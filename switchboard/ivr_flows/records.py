# -*- test-case-name: tests.ivr.test_store -*-
"""IVR tables (created by migration 0002_ivr_crm) and the session record a call leaves.

:class:`SessionRecord` is the pure summary of one IVR session built from the engine's
final state; :class:`IvrSession` stores it with the call (``call_id`` = Asterisk's
uniqueid) so that the screen pop can show the path, digits and entered data later
(:func:`sessions_for_call`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from switchboard.ivr_flows.summary import (  # re-exported: the pure parts
    FAILED_OUTCOMES,
    SessionRecord,
    route_of,
    session_record,
)
from switchboard.store.models import Base

__all__ = [
    "FAILED_OUTCOMES",
    "CallbackRequestRow",
    "CsatHour",
    "CsatResponse",
    "IvrSession",
    "SessionRecord",
    "route_of",
    "session_record",
    "sessions_for_call",
]


def _at(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


class IvrSession(Base):
    __tablename__ = "ivr_session"
    # A customer's sessions with their call ids from the index alone (reports' first-call
    # resolution; migration 0020_queue_report_speed).
    __table_args__ = (Index("ix_ivr_session_customer_id", "customer_id", "call_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(128), default="")
    caller_number: Mapped[str] = mapped_column(String(64), default="", index=True)
    flow: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    outcome: Mapped[str] = mapped_column(String(32))
    last_flow: Mapped[str] = mapped_column(String(64), default="")
    last_step: Mapped[str] = mapped_column(String(64), default="")
    language: Mapped[str] = mapped_column(String(16), default="")
    queue: Mapped[str] = mapped_column(String(64), default="")
    digits: Mapped[str] = mapped_column(String(256), default="")
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("crm_customer.id", ondelete="SET NULL"), nullable=True
    )
    variables: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    trace: Mapped[list[Any]] = mapped_column(JSON, default=list)


class CallbackRequestRow(Base):
    __tablename__ = "ivr_callback_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(String(64), index=True)
    number: Mapped[str] = mapped_column(String(32))
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    window_end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    queue: Mapped[str] = mapped_column(String(64), default="")
    flow: Mapped[str] = mapped_column(String(64), default="")
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("crm_customer.id", ondelete="SET NULL"), nullable=True
    )
    status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CsatResponse(Base):
    __tablename__ = "ivr_csat_response"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 9", name="score_range"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(String(64), index=True)
    agent: Mapped[str] = mapped_column(String(64), default="", index=True)
    queue: Mapped[str] = mapped_column(String(64), default="")
    flow: Mapped[str] = mapped_column(String(64), default="")
    score: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )
    # The agent this answer is counted for in ``ivr_csat_hour`` (.csat_hours); NULL: not
    # counted yet (0021_agent_report_speed).
    counted_agent: Mapped[str | None] = mapped_column(String(64), nullable=True)


class CsatHour(Base):
    """How many CSAT answers gave ``score`` to an agent (the answering agent of the call,
    as ``reports.source.csat_owner`` finds it) by UTC hour (``hour_s``: its start, epoch
    seconds) of the answer (0021_agent_report_speed)."""

    __tablename__ = "ivr_csat_hour"

    agent_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    hour_s: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    score: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    answers: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


def sessions_for_call(session: Session, call_id: str) -> list[dict[str, Any]]:
    """Every IVR session of a call, oldest first, as plain dicts (for the screen pop)."""
    rows = session.scalars(
        select(IvrSession).where(IvrSession.call_id == call_id).order_by(IvrSession.id)
    )
    return [
        {
            "flow": r.flow,
            "outcome": r.outcome,
            "last_step": r.last_step,
            "queue": r.queue,
            "language": r.language,
            "digits": r.digits,
            "customer_id": r.customer_id,
            "started_at": r.started_at,
            "ended_at": r.ended_at,
            "variables": r.variables,
            "trace": r.trace,
        }
        for r in rows
    ]
