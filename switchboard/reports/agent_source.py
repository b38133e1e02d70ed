# -*- test-case-name: tests.reports.test_agent_report -*-
"""What the agent report reads, summed in the database interval by interval: a month of
an agent's states is millions of rows, and only their sums per interval are wanted.

Times: for each interval the database sums the stretches (states, log-in sessions) that
*began* in it, cut at its end; the few that run on past their interval's end (or began
before the range) are read as rows and split over the following intervals here. Calls
handled, offers, CSAT answers and dispositions are counted per interval and agent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import DateTime, case, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from switchboard.ivr_flows.records import CsatResponse
from switchboard.queue.store.records import AgentSessionRow, AgentStateRow, CallVisitRow, OfferRow
from switchboard.reports.intervals import Span
from switchboard.reports.source import csat_owner
from switchboard.reports.sqltime import earlier, seconds_between
from switchboard.seat.models import SeatDisposition

__all__ = ["MISSED_RESULTS", "AgentPieces", "Seconds", "read_agent_pieces"]

# An offer the agent let ring out or refused; "cancelled" (another agent answered, the
# caller moved) and "abandoned" (the caller hung up while it rang) are not the agent's.
MISSED_RESULTS = ("no_answer", "busy")
LOGGED_IN = "logged_in"  # the "state" of a log-in session's seconds


class Seconds(NamedTuple):
    interval: int
    agent: str
    state: str  # an agent state, or LOGGED_IN
    reason: str
    seconds: float


@dataclass
class AgentPieces:
    """Per interval index and agent: ``(i, agent, ...)`` tuples."""

    seconds: list[Seconds] = field(default_factory=list)
    handled: list[tuple[int, str, int, float]] = field(default_factory=list)  # count, sum
    offers: list[tuple[int, str, int, int]] = field(default_factory=list)  # offers, missed
    scores: list[tuple[int, str, int, int]] = field(default_factory=list)  # score, count
    codes: list[tuple[int, str, str, int]] = field(default_factory=list)  # code, count


def _at(epoch: float) -> Any:
    return literal(datetime.fromtimestamp(epoch, UTC), DateTime(timezone=True))


def _s(value: datetime | None) -> float | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


@dataclass(frozen=True)
class _Stretches:
    """A table of stretches: who, what, why, from, to (NULL: open)."""

    agent: Any
    state: Any
    reason: Any
    start: Any
    end: Any


_STATES = _Stretches(
    AgentStateRow.agent_id,
    AgentStateRow.state,
    AgentStateRow.reason,
    AgentStateRow.started_at,
    AgentStateRow.ended_at,
)
_SESSIONS = _Stretches(
    AgentSessionRow.agent_id,
    literal(LOGGED_IN),
    literal(""),
    AgentSessionRow.logged_in_at,
    AgentSessionRow.logged_out_at,
)


def _overlaps(
    spans: Sequence[Span], first: int, begin: float, end: float
) -> Iterable[tuple[int, float]]:
    i = first
    while i < len(spans) and spans[i].start_s < end:
        part = min(end, spans[i].end_s) - max(begin, spans[i].start_s)
        if part > 0:
            yield i, part
        i += 1


def _seconds(
    session: Session, t: _Stretches, spans: Sequence[Span], now: float, agents: Sequence[str]
) -> list[Seconds]:
    out: list[Seconds] = []
    who = [t.agent.in_(agents)] if agents else []
    open_end = func.coalesce(t.end, _at(now))
    # Stretches that began before the range and run into it: every part of them counts.
    before = select(t.agent, t.state, t.reason, t.start, t.end).where(
        t.start < _at(spans[0].start_s), or_(t.end.is_(None), t.end > _at(spans[0].start_s)), *who
    )
    for agent, state, reason, start, end in session.execute(before):
        stop = now if end is None else _s(end) or 0.0
        for i, part in _overlaps(spans, 0, _s(start) or 0.0, stop):
            out.append(Seconds(i, agent, state, reason, part))
    for i, span in enumerate(spans):
        lo, hi = _at(span.start_s), _at(span.end_s)
        began_here = (t.start >= lo, t.start < hi, *who)
        summed = select(
            t.agent,
            t.state,
            t.reason,
            func.sum(seconds_between(earlier(open_end, hi), t.start)),
        ).where(*began_here)
        summed = summed.group_by(t.agent, t.state, t.reason)
        for agent, state, reason, seconds in session.execute(summed):
            out.append(Seconds(i, agent, state, reason, max(float(seconds or 0.0), 0.0)))
        running_on = select(t.agent, t.state, t.reason, t.end).where(
            *began_here, or_(t.end.is_(None), t.end > hi)
        )
        for agent, state, reason, end in session.execute(running_on):
            stop = now if end is None else _s(end) or 0.0
            for j, part in _overlaps(spans, i + 1, span.end_s, stop):
                out.append(Seconds(j, agent, state, reason, part))
    return out


def read_agent_pieces(
    session: Session,
    spans: Sequence[Span],
    now: float,
    agents: Sequence[str] = (),
    queues: Sequence[str] = (),
) -> AgentPieces:
    pieces = AgentPieces()
    if not spans:
        return pieces
    pieces.seconds = _seconds(session, _STATES, spans, now, agents) + _seconds(
        session, _SESSIONS, spans, now, agents
    )
    v, o, c, d = CallVisitRow, OfferRow, CsatResponse, SeatDisposition
    rated, rated_queue = csat_owner()  # by the visit the call was answered in
    newer = aliased(SeatDisposition)
    is_newest = (
        ~select(newer.id)
        .where(newer.call_id == d.call_id, newer.agent_id == d.agent_id, newer.id > d.id)
        .exists()
    )
    for i, span in enumerate(spans):
        lo, hi = _at(span.start_s), _at(span.end_s)

        def within(at: Any, agent: Any, queue: Any, lo: Any = lo, hi: Any = hi) -> list[Any]:
            where = [at >= lo, at < hi]
            where += [agent.in_(agents)] if agents else []
            where += [queue.in_(queues)] if queues else []
            return where

        handled = select(
            v.agent_id,
            func.count(),
            func.sum(func.coalesce(v.talk_s, 0.0) + func.coalesce(v.wrap_s, 0.0)),
        ).where(*within(v.handled_at, v.agent_id, v.queue))
        for agent, count, total in session.execute(handled.group_by(v.agent_id)):
            pieces.handled.append((i, agent, int(count), float(total or 0.0)))
        missed = func.sum(case((o.result.in_(MISSED_RESULTS), 1), else_=0))
        rung = select(o.agent_id, func.count(), missed).where(
            *within(o.offered_at, o.agent_id, o.queue)
        )
        for agent, count, misses in session.execute(rung.group_by(o.agent_id)):
            pieces.offers.append((i, agent, int(count), int(misses or 0)))
        scores = select(rated, c.score, func.count()).where(
            *within(c.created_at, rated, rated_queue), rated != ""
        )
        for agent, score, count in session.execute(scores.group_by(rated, c.score)):
            pieces.scores.append((i, agent, int(score), int(count)))
        codes = select(d.agent_id, d.code, func.count()).where(
            *within(d.at, d.agent_id, d.queue), is_newest
        )
        for agent, code, count in session.execute(codes.group_by(d.agent_id, d.code)):
            pieces.codes.append((i, agent, code, int(count)))
    return pieces
