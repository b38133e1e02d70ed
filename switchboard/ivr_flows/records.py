# -*- test-case-name: tests.ivr.test_store -*-
"""IVR tables (created by migration 0002_ivr_crm) and the session record a call leaves.

:class:`SessionRecord` is the pure summary of one IVR session built from the engine's
final state; :class:`IvrSession` stores it with the call (``call_id`` = Asterisk's
uniqueid) so that the screen pop can show the path, digits and entered data later
(:func:`sessions_for_call`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Final

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from switchboard.dialplan_vars import FAILED, ROUTED
from switchboard.ivr_flows.state import CallInfo, CallState
from switchboard.store.models import Base

__all__ = [
    "CallbackRequestRow",
    "CsatResponse",
    "IvrSession",
    "SessionRecord",
    "session_record",
    "sessions_for_call",
]

_HIDDEN_PREFIXES = ("call_id", "uniqueid", "channel", "flow")


def _at(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


class IvrSession(Base):
    __tablename__ = "ivr_session"

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
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


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
        DateTime(timezone=True), server_default=func.now()
    )


def _empty() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """One IVR session as stored: where the caller went, what they pressed, how it ended."""

    call_id: str
    channel: str
    caller_number: str
    flow: str
    started: float
    ended: float | None
    outcome: str
    last_flow: str
    last_step: str
    language: str
    queue: str
    digits: str
    customer_id: int | None
    variables: Mapping[str, str] = field(default_factory=_empty)
    trace: tuple[dict[str, Any], ...] = ()

    def to_row(self) -> IvrSession:
        return IvrSession(
            call_id=self.call_id, channel=self.channel, caller_number=self.caller_number,
            flow=self.flow, started_at=_at(self.started), ended_at=_at(self.ended),
            outcome=self.outcome, last_flow=self.last_flow, last_step=self.last_step,
            language=self.language, queue=self.queue, digits=self.digits[:256],
            customer_id=self.customer_id, variables=dict(self.variables),
            trace=list(self.trace),
        )


# Outcomes after which the dialplan's fallback takes the call; after any other the call
# goes where switchboard sent it (``Queue()`` by SWITCHBOARD_QUEUE when ``queued``).
FAILED_OUTCOMES: Final = frozenset({"error", "menu_failed", "no_answer"})


def route_of(outcome: str) -> str:
    """``SWITCHBOARD_ROUTE`` for a flow that ended with ``outcome``."""
    failed = outcome in FAILED_OUTCOMES or outcome.endswith(("_failed", "_unavailable"))
    return FAILED if failed else ROUTED


def session_record(state: CallState, call: CallInfo) -> SessionRecord:
    """The record of a finished (or abandoned) session."""
    variables = {k: v for k, v in state.variables.items()
                 if not k.startswith(_HIDDEN_PREFIXES)}
    return SessionRecord(
        call_id=state.call_id, channel=call.channel, caller_number=call.caller_number,
        flow=state.entry_flow, started=state.started, ended=state.ended,
        outcome=state.outcome or "unfinished", last_flow=state.flow, last_step=state.step,
        language=state.language, queue=state.queue, digits=state.digits,
        customer_id=state.customer_id, variables=MappingProxyType(variables),
        trace=tuple(entry.to_json() for entry in state.trace),
    )


def sessions_for_call(session: Session, call_id: str) -> list[dict[str, Any]]:
    """Every IVR session of a call, oldest first, as plain dicts (for the screen pop)."""
    rows = session.scalars(
        select(IvrSession).where(IvrSession.call_id == call_id).order_by(IvrSession.id)
    )
    return [
        {"flow": r.flow, "outcome": r.outcome, "last_step": r.last_step, "queue": r.queue,
         "language": r.language, "digits": r.digits, "customer_id": r.customer_id,
         "started_at": r.started_at, "ended_at": r.ended_at, "variables": r.variables,
         "trace": r.trace}
        for r in rows
    ]
