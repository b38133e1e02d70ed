# -*- test-case-name: tests.queue.test_records,tests.queue.test_agent_rows -*-
"""The ACD's durable history (migrations 0003_acd, 0004_agent_end_reason), written as it
happens.

Every function takes a SQLAlchemy ``Session`` first, for ``Database.run``: the shell hands
each batch of router facts to ``db.run(lambda s: record_facts(s, facts))``.
:func:`load_history` reads the rows back as :mod:`..core.history` records, from which
:func:`~switchboard.queue.core.history.recompute` derives the statistics.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Float, Index, Integer, String, func, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from switchboard.queue.core.decisions import (
    AgentStateChanged,
    CallAnswered,
    CallbackAttemptEnded,
    CallbackScheduled,
    CallFinished,
    CallHandled,
    CallOffered,
    CallQueued,
    CallTransferred,
    Fact,
    OfferEnded,
    QueueLeft,
)
from switchboard.queue.core.history import AgentPeriod, VisitRecord
from switchboard.queue.core.model import AgentState
from switchboard.queue.store.agent_hours import MISSED_RESULTS, add_handled, add_offer, add_stretch
from switchboard.store.models import Base

__all__ = [
    "END_STOPPED",
    "END_UNCLEAN",
    "AgentSessionRow",
    "AgentStateRow",
    "CallVisitRow",
    "CallbackAttemptRow",
    "CallbackRow",
    "OfferRow",
    "close_agent_rows",
    "close_stale_agent_rows",
    "load_history",
    "record_facts",
]

# Why an agent's open rows were closed other than by the agent's own next state.
END_STOPPED = "switchboard_stopped"  # a clean stop of serve
END_UNCLEAN = "unclean_stop"  # found open at the next start (crash, kill, power loss)

_Time = DateTime(timezone=True)


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _epoch(value: datetime | None) -> float | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands back naive values: they were stored as UTC
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


class CallVisitRow(Base):
    """One call's stay in one queue; a call moved by a fallback has one row per queue."""

    __tablename__ = "acd_call_visit"
    # A caller's later visits, by number and by IVR session, read from the index alone
    # (first-call resolution, reports/source.py; migration 0020_queue_report_speed).
    __table_args__ = (
        Index("ix_acd_call_visit_caller_number", "caller_number", "entered_at", "call_id"),
        Index("ix_acd_call_visit_path_ref", "path_ref", "entered_at", "call_id"),
        # Whom a CSAT answer counts for (reports/source.csat_owner), from the index alone
        # (0021_agent_report_speed).
        Index("ix_acd_call_visit_answered", "call_id", "answered_at", "id", "agent_id", "queue"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(String(64), index=True)
    queue: Mapped[str] = mapped_column(String(64), index=True)
    entered_at: Mapped[datetime] = mapped_column(_Time, index=True)
    enqueued_at: Mapped[datetime] = mapped_column(_Time)
    priority: Mapped[int] = mapped_column(Integer)
    caller_number: Mapped[str] = mapped_column(String(64))
    # The IVR session (its call_id) the caller came through: the path and digits.
    path_ref: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(16))
    customer_tier: Mapped[int] = mapped_column(Integer)
    answered_at: Mapped[datetime | None] = mapped_column(_Time, nullable=True)
    waited_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    via_callback: Mapped[bool] = mapped_column(Boolean)
    agent_id: Mapped[str] = mapped_column(String(64), index=True)
    callback_at: Mapped[datetime | None] = mapped_column(_Time, nullable=True)
    callback_waited_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    left_at: Mapped[datetime | None] = mapped_column(_Time, nullable=True)
    outcome: Mapped[str] = mapped_column(String(32))
    left_waited_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    to_queue: Mapped[str] = mapped_column(String(64))
    ended_at: Mapped[datetime | None] = mapped_column(_Time, nullable=True)
    handled_at: Mapped[datetime | None] = mapped_column(_Time, nullable=True, index=True)
    talk_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    wrap_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    # The answering agent handed the caller on (AMI Blind/AttendedTransfer; 0018).
    transferred_at: Mapped[datetime | None] = mapped_column(_Time, nullable=True)


class OfferRow(Base):
    """Each time an agent was offered (rung for) a call, and how it ended."""

    __tablename__ = "acd_offer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(String(64), index=True)
    queue: Mapped[str] = mapped_column(String(64))
    agent_id: Mapped[str] = mapped_column(String(64), index=True)
    offered_at: Mapped[datetime] = mapped_column(_Time, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(_Time, nullable=True)
    result: Mapped[str] = mapped_column(String(32))  # "" while ringing
    callback_attempt: Mapped[int] = mapped_column(Integer)


class AgentStateRow(Base):
    """One stretch of one agent state (pauses are the not_ready rows, with their reason)."""

    __tablename__ = "acd_agent_state"
    # The open rows, which the agent report reads as rows (0021_agent_report_speed).
    __table_args__ = (
        Index(
            "ix_acd_agent_state_open",
            "agent_id",
            postgresql_where=text("ended_at IS NULL"),
            sqlite_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agent_id: Mapped[str] = mapped_column(String(64), index=True)
    state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(_Time, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(_Time, nullable=True)
    # "" : the next state began; else see END_STOPPED / END_UNCLEAN.
    end_reason: Mapped[str] = mapped_column(String(32), default="", server_default="")


class AgentSessionRow(Base):
    """From log-in to log-out; at most one open (``logged_out_at`` NULL) per agent."""

    __tablename__ = "acd_agent_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agent_id: Mapped[str] = mapped_column(String(64), index=True)
    logged_in_at: Mapped[datetime] = mapped_column(_Time)
    logged_out_at: Mapped[datetime | None] = mapped_column(_Time, nullable=True)
    # logged_out (or removed, superseded, END_STOPPED, END_UNCLEAN); "" while open.
    end_reason: Mapped[str] = mapped_column(String(32), default="", server_default="")


class CallbackRow(Base):
    __tablename__ = "acd_callback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(String(64), index=True)
    queue: Mapped[str] = mapped_column(String(64))
    number: Mapped[str] = mapped_column(String(32))
    requested_at: Mapped[datetime] = mapped_column(_Time)
    window_start: Mapped[datetime] = mapped_column(_Time)
    window_end: Mapped[datetime] = mapped_column(_Time)
    enqueued_at: Mapped[datetime] = mapped_column(_Time)  # the place the caller kept
    attempts: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(32))  # "" while pending
    finished_at: Mapped[datetime | None] = mapped_column(_Time, nullable=True)


class CallbackAttemptRow(Base):
    __tablename__ = "acd_callback_attempt"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(String(64), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    agent_id: Mapped[str] = mapped_column(String(64))
    ended_at: Mapped[datetime] = mapped_column(_Time)
    result: Mapped[str] = mapped_column(String(32))


def _latest(session: Session, model: type[Base], *where: Any) -> Base | None:
    statement = select(model).where(*where).order_by(model.id.desc())  # type: ignore[attr-defined]
    statement = statement.limit(1)
    return session.scalars(statement).first()


def record_facts(session: Session, facts: Iterable[Fact]) -> None:
    """Store a batch of router facts, in order."""
    for fact in facts:
        _record(session, fact)
        session.flush()


def _record(session: Session, fact: Fact) -> None:
    if isinstance(fact, AgentStateChanged):
        _record_agent(session, fact)
        return
    if isinstance(fact, CallQueued):
        session.add(
            CallVisitRow(
                call_id=fact.call_id,
                queue=fact.queue,
                entered_at=_at(fact.at),
                enqueued_at=_at(fact.enqueued_at),
                priority=fact.priority,
                caller_number=fact.caller_number[:64],
                path_ref=fact.ivr_ref[:64],
                language=fact.language[:16],
                customer_tier=fact.customer_tier,
                via_callback=False,
                agent_id="",
                outcome="",
                to_queue="",
            )
        )
        return
    if isinstance(fact, CallOffered):
        session.add(
            OfferRow(
                call_id=fact.call_id,
                queue=fact.queue,
                agent_id=fact.agent_id,
                offered_at=_at(fact.at),
                result="",
                callback_attempt=fact.callback_attempt,
            )
        )
        add_offer(session, fact.agent_id, fact.at, 1, 0)
        return
    if isinstance(fact, OfferEnded):
        offer = _latest(
            session,
            OfferRow,
            OfferRow.call_id == fact.call_id,
            OfferRow.agent_id == fact.agent_id,
            OfferRow.ended_at.is_(None),
        )
        if isinstance(offer, OfferRow):
            was_missed = offer.result in MISSED_RESULTS
            offer.ended_at, offer.result = _at(fact.at), fact.result
            missed = int(offer.result in MISSED_RESULTS) - int(was_missed)
            add_offer(session, offer.agent_id, _epoch(offer.offered_at) or 0.0, 0, missed)
        return
    if isinstance(fact, CallbackScheduled):
        session.add(
            CallbackRow(
                call_id=fact.call_id,
                queue=fact.queue,
                number=fact.number[:32],
                requested_at=_at(fact.at),
                window_start=_at(fact.window_start),
                window_end=_at(fact.window_end),
                enqueued_at=_at(fact.enqueued_at),
                attempts=0,
                outcome="",
            )
        )
        return
    if isinstance(fact, CallbackAttemptEnded):
        session.add(
            CallbackAttemptRow(
                call_id=fact.call_id,
                attempt=fact.attempt,
                agent_id=fact.agent_id,
                ended_at=_at(fact.at),
                result=fact.result,
            )
        )
        callback = _latest(session, CallbackRow, CallbackRow.call_id == fact.call_id)
        if isinstance(callback, CallbackRow):
            callback.attempts = fact.attempt
        return
    if isinstance(fact, CallTransferred):
        answered = _latest(
            session,
            CallVisitRow,
            CallVisitRow.call_id == fact.call_id,
            CallVisitRow.queue == fact.queue,
            CallVisitRow.answered_at.is_not(None),
        )
        if isinstance(answered, CallVisitRow) and answered.transferred_at is None:
            answered.transferred_at = _at(fact.at)
        return
    visit = _latest(session, CallVisitRow, CallVisitRow.call_id == fact.call_id)
    if not isinstance(visit, CallVisitRow):
        return
    before, owner = _handling(visit), (visit.answered_at, visit.agent_id)
    _record_visit(session, visit, fact)
    if (after := _handling(visit)) != before:  # the hour roll-up follows: old out, new in
        if before is not None:
            add_handled(session, before[0], before[1], -1, -before[2])
        if after is not None:
            add_handled(session, after[0], after[1], 1, after[2])
    if visit.answered_at is not None and (visit.answered_at, visit.agent_id) != owner:
        # Whom the call's CSAT answers count for may have changed (an answer stored before
        # the visit's answer was recorded, after a resync): the IVR's counts follow. Late
        # import: the IVR's records read this module's visits.
        from switchboard.ivr_flows.csat_hours import count_csat

        count_csat(session, fact.call_id)


def _handling(visit: CallVisitRow) -> tuple[str, float, float] | None:
    """What a visit adds to its agent's handled calls: agent, when, talk plus wrap-up."""
    if visit.handled_at is None:
        return None
    seconds = (visit.talk_s or 0.0) + (visit.wrap_s or 0.0)
    return visit.agent_id, _epoch(visit.handled_at) or 0.0, seconds


def _record_visit(session: Session, visit: CallVisitRow, fact: Fact) -> None:
    if isinstance(fact, CallAnswered):
        visit.answered_at, visit.waited_s = _at(fact.at), fact.waited_s
        visit.via_callback, visit.agent_id = fact.callback, fact.agent_id
    elif isinstance(fact, QueueLeft) and fact.outcome == "callback":
        visit.callback_at, visit.callback_waited_s = _at(fact.at), fact.waited_s
    elif isinstance(fact, QueueLeft):
        visit.left_at, visit.outcome = _at(fact.at), fact.outcome
        visit.left_waited_s, visit.to_queue = fact.waited_s, fact.to_queue
    elif isinstance(fact, CallFinished):
        if visit.answered_at is not None:
            visit.ended_at, visit.outcome = _at(fact.at), fact.outcome.value
        callback = _latest(session, CallbackRow, CallbackRow.call_id == fact.call_id)
        if isinstance(callback, CallbackRow):
            callback.outcome, callback.finished_at = fact.outcome.value, _at(fact.at)
    elif isinstance(fact, CallHandled):
        visit.handled_at, visit.talk_s, visit.wrap_s = _at(fact.at), fact.talk_s, fact.wrap_s
        visit.agent_id = fact.agent_id


def _record_agent(session: Session, fact: AgentStateChanged) -> None:
    open_row = _latest(
        session,
        AgentStateRow,
        AgentStateRow.agent_id == fact.agent_id,
        AgentStateRow.ended_at.is_(None),
    )
    if isinstance(open_row, AgentStateRow):
        _close_state(session, open_row, _at(fact.at))
    if fact.state is not AgentState.LOGGED_OUT:
        session.add(
            AgentStateRow(
                agent_id=fact.agent_id,
                state=fact.state.value,
                reason=fact.reason[:64],
                started_at=_at(fact.at),
            )
        )
    if fact.previous is AgentState.LOGGED_OUT or fact.state is AgentState.LOGGED_OUT:
        # A log-in closes any session still open: never two open sessions for one agent.
        reason = (
            "superseded"
            if fact.previous is AgentState.LOGGED_OUT
            else (fact.reason or "logged_out")
        )
        for login in session.scalars(
            select(AgentSessionRow).where(
                AgentSessionRow.agent_id == fact.agent_id, AgentSessionRow.logged_out_at.is_(None)
            )
        ):
            login.logged_out_at, login.end_reason = _at(fact.at), reason
    if fact.previous is AgentState.LOGGED_OUT:
        session.add(AgentSessionRow(agent_id=fact.agent_id, logged_in_at=_at(fact.at)))


def _close_state(
    session: Session, row: AgentStateRow, at: datetime, end_reason: str | None = None
) -> None:
    """Every state row closes here, and its seconds go into the agent's hours then: the
    roll-up (.agent_hours) cannot miss a close, at a restart or resync either."""
    row.ended_at = at
    if end_reason is not None:
        row.end_reason = end_reason
    start = _epoch(row.started_at) or 0.0
    add_stretch(session, row.agent_id, row.state, row.reason, start, _epoch(at) or 0.0)


def close_agent_rows(session: Session, at: float, reason: str = END_STOPPED) -> int:
    """Close every open agent session and state row at ``at`` (never before it began);
    the number of sessions closed."""
    return _close_open(session, _at(at), reason)


def close_stale_agent_rows(session: Session, reason: str = END_UNCLEAN) -> int:
    """At start: close the rows a previous run left open, at the last moment anything was
    recorded (the crash came some time after it; later would count time nobody saw)."""
    return _close_open(session, _last_activity(session), reason)


def _close_open(session: Session, at: datetime | None, reason: str) -> int:
    def end(began: datetime) -> datetime:  # never before the row began
        return max(at or began, began, key=lambda t: _epoch(t) or 0.0)

    for state in session.scalars(select(AgentStateRow).where(AgentStateRow.ended_at.is_(None))):
        _close_state(session, state, end(state.started_at), reason)
    sessions = session.scalars(
        select(AgentSessionRow).where(AgentSessionRow.logged_out_at.is_(None))
    ).all()
    for login in sessions:
        login.logged_out_at, login.end_reason = end(login.logged_in_at), reason
    session.flush()
    return len(sessions)


def _last_activity(session: Session) -> datetime | None:
    columns = (
        AgentStateRow.started_at,
        AgentStateRow.ended_at,
        AgentSessionRow.logged_in_at,
        AgentSessionRow.logged_out_at,
        OfferRow.offered_at,
        OfferRow.ended_at,
        CallVisitRow.entered_at,
        CallVisitRow.answered_at,
        CallVisitRow.left_at,
        CallVisitRow.ended_at,
        CallVisitRow.handled_at,
    )
    times = [session.scalar(select(func.max(column))) for column in columns]
    known = [t for t in times if t is not None]
    return max(known, key=lambda t: _epoch(t) or 0.0) if known else None


def load_history(
    session: Session, since: float | None = None
) -> tuple[list[VisitRecord], list[AgentPeriod]]:
    """Visits that entered at or after ``since`` and agent periods still open or ended after
    it (everything when None), as :mod:`..core.history` records."""
    visits = select(CallVisitRow).order_by(CallVisitRow.id)
    periods = select(AgentStateRow).order_by(AgentStateRow.id)
    if since is not None:
        visits = visits.where(CallVisitRow.entered_at >= _at(since))
        periods = periods.where(
            (AgentStateRow.ended_at.is_(None)) | (AgentStateRow.ended_at > _at(since))
        )
    return (
        [
            VisitRecord(
                call_id=r.call_id,
                queue=r.queue,
                entered_at=_epoch(r.entered_at) or 0.0,
                enqueued_at=_epoch(r.enqueued_at) or 0.0,
                priority=r.priority,
                caller_number=r.caller_number,
                ivr_ref=r.path_ref,
                answered_at=_epoch(r.answered_at),
                waited_s=r.waited_s,
                via_callback=r.via_callback,
                agent_id=r.agent_id,
                callback_at=_epoch(r.callback_at),
                callback_waited_s=r.callback_waited_s,
                left_at=_epoch(r.left_at),
                outcome=r.outcome,
                left_waited_s=r.left_waited_s,
                to_queue=r.to_queue,
                ended_at=_epoch(r.ended_at),
                handled_at=_epoch(r.handled_at),
                talk_s=r.talk_s,
                wrap_s=r.wrap_s,
            )
            for r in session.scalars(visits)
        ],
        [
            AgentPeriod(
                r.agent_id,
                AgentState(r.state),
                r.reason,
                _epoch(r.started_at) or 0.0,
                _epoch(r.ended_at),
            )
            for r in session.scalars(periods)
        ],
    )
