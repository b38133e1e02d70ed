# -*- test-case-name: tests.reports.test_scorecard -*-
"""What an agent scorecard reads: the calls handled in the range (with whether the agent
set a disposition and whether a complaint ticket is about the call), the CSAT answers
given in the range with the agent who answered the call, and the agent report's pieces
(time by state for occupancy, missed offers)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from switchboard.crm.ticket_rows import TicketLinkRow, TicketRow
from switchboard.ivr_flows.records import CsatResponse
from switchboard.queue.store.records import CallVisitRow
from switchboard.reports.agent_source import AgentPieces, read_agent_pieces
from switchboard.reports.intervals import Span
from switchboard.reports.source import csat_owner
from switchboard.seat.models import SeatDisposition

__all__ = ["HandledCall", "ScorecardPieces", "ScoredAnswer", "read_scorecard_pieces"]


@dataclass(frozen=True, slots=True)
class HandledCall:
    agent: str
    handled: float  # epoch seconds: when talk and wrap-up were over
    handle_s: float  # talk + wrap-up
    disposed: bool  # the agent saved a disposition for the call
    complained: bool  # a complaint ticket is linked to the call


@dataclass(frozen=True, slots=True)
class ScoredAnswer:
    agent: str  # who answered the call (its answered visit), else the survey's agent
    at: float
    score: int


@dataclass
class ScorecardPieces:
    calls: list[HandledCall] = field(default_factory=list)  # every agent's (team medians)
    answers: list[ScoredAnswer] = field(default_factory=list)
    agent: AgentPieces = field(default_factory=AgentPieces)  # the agents asked for


def _epoch(value: datetime) -> float:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def read_scorecard_pieces(
    session: Session,
    spans: Sequence[Span],
    now: float,
    agents: Sequence[str] = (),
    queues: Sequence[str] = (),
) -> ScorecardPieces:
    pieces = ScorecardPieces()
    if not spans:
        return pieces
    lo = datetime.fromtimestamp(spans[0].start_s, UTC)
    hi = datetime.fromtimestamp(spans[-1].end_s, UTC)
    v, d, c = CallVisitRow, SeatDisposition, CsatResponse
    disposed = select(d.id).where(d.call_id == v.call_id, d.agent_id == v.agent_id).exists()
    complained = (
        select(TicketLinkRow.id)
        .join(TicketRow, TicketRow.id == TicketLinkRow.ticket_id)
        .where(
            TicketLinkRow.kind == "call",
            TicketLinkRow.ref == v.call_id,
            TicketRow.type == "complaint",
        )
        .exists()
    )
    handled = select(v.agent_id, v.handled_at, v.talk_s, v.wrap_s, disposed, complained).where(
        v.handled_at >= lo, v.handled_at < hi, *([v.queue.in_(queues)] if queues else [])
    )
    for agent, at, talk, wrap, has_code, has_complaint in session.execute(handled):
        if at is None:  # never: the range asks for a handling time
            continue
        pieces.calls.append(
            HandledCall(
                agent, _epoch(at), float(talk or 0.0) + float(wrap or 0.0), has_code, has_complaint
            )
        )
    rater, rated_queue = csat_owner()  # the agent and queue who answered the call
    scored = select(rater, rated_queue, c.created_at, c.score).where(
        c.created_at >= lo, c.created_at < hi, *([rated_queue.in_(queues)] if queues else [])
    )
    for who, _queue, at, score in session.execute(scored):
        if who:
            pieces.answers.append(ScoredAnswer(who, _epoch(at), int(score)))
    pieces.agent = read_agent_pieces(session, spans, now, agents, queues)
    return pieces
