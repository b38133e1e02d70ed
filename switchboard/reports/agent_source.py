# -*- test-case-name: tests.reports.test_agent_report -*-
"""What the agent report reads, summed in the database per interval: a month of an
agent's states is millions of rows, and only their sums per interval are wanted.

When every boundary of the report's intervals is a whole UTC hour (days, weeks, months
and hours in a zone whose offset is whole hours) the closed states, offers, calls
handled, dispositions and CSAT answers come from the hourly roll-ups their writers keep
(queue.store.agent_hours, seat.disposition_hours, ivr_flows.csat_hours); the states
still open are read as rows, up to ``now``. Otherwise (quarter-hours; a zone such as
Asia/Kolkata, +5:30) the raw rows are summed; with a queue filter the calls, offers,
CSAT answers and dispositions are (the roll-ups are per agent, not per queue). Log-in
sessions, one a day per agent, are always read as rows.

Raw times: for each interval the database sums the stretches that *began* in it, cut at
its end; the few that run on past their interval's end (or began before the range) are
read as rows and split over the following intervals here. Raw counts: one statement
per kind, grouped by interval (.buckets).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import DateTime, case, func, literal, or_, select
from sqlalchemy.orm import Session

from switchboard.ivr_flows.records import CsatHour, CsatResponse
from switchboard.queue.store.agent_hours import (
    HOUR_S,
    MISSED_RESULTS,
    STATE_COLUMNS,
    AgentHourRow,
    AgentPauseHourRow,
)
from switchboard.queue.store.records import AgentSessionRow, AgentStateRow, CallVisitRow, OfferRow
from switchboard.reports.buckets import edges_of, grouped, interval_index, on_step
from switchboard.reports.intervals import Span
from switchboard.reports.source import csat_owner
from switchboard.reports.sqltime import earlier, epoch, seconds_between
from switchboard.seat.models import SeatDisposition, SeatDispositionHour

__all__ = ["MISSED_RESULTS", "AgentPieces", "Seconds", "read_agent_pieces"]

LOGGED_IN = "logged_in"  # the "state" of a log-in session's seconds
_SCORES = range(1, 10)  # ivr_csat_response's check: score BETWEEN 1 AND 9


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


def _at(at: float) -> Any:
    return literal(datetime.fromtimestamp(at, UTC), DateTime(timezone=True))


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


def _logins(
    session: Session, spans: Sequence[Span], now: float, agents: Sequence[str]
) -> list[Seconds]:
    """The log-in sessions' seconds: about one a day per agent, read as rows (their times
    as epochs) and split over the intervals here; an open one counted up to ``now``."""
    t = AgentSessionRow
    first, last = spans[0].start_s, spans[-1].end_s
    where = [
        t.logged_in_at < _at(last),
        or_(t.logged_out_at.is_(None), t.logged_out_at > _at(first)),
    ]
    where += [t.agent_id.in_(agents)] if agents else []
    rows = select(t.agent_id, epoch(t.logged_in_at), epoch(t.logged_out_at)).where(*where)
    starts = [span.start_s for span in spans]
    out = []
    for agent, start, end in session.connection().execute(rows):
        stop = now if end is None else end
        first_span = max(bisect_right(starts, start) - 1, 0)
        for i, part in _overlaps(spans, first_span, start, stop):
            out.append(Seconds(i, agent, LOGGED_IN, "", part))
    return out


def _open_states(
    session: Session, spans: Sequence[Span], now: float, agents: Sequence[str]
) -> list[Seconds]:
    """The state rows still open, counted up to ``now`` (the roll-ups hold closed ones)."""
    t = AgentStateRow
    who = [t.agent_id.in_(agents)] if agents else []
    rows = select(t.agent_id, t.state, t.reason, t.started_at).where(t.ended_at.is_(None), *who)
    out = []
    for agent, state, reason, start in session.execute(rows):
        for i, part in _overlaps(spans, 0, _s(start) or 0.0, now):
            out.append(Seconds(i, agent, state, reason, part))
    return out


def _hour_rows(table: Any, edges: Sequence[float], agents: Sequence[str], *sums: Any) -> Any:
    """``sums`` over a roll-up's rows of the range, per interval and agent."""
    index, by_index = grouped(interval_index(table.hour_s, edges, whole=True), "i")
    where = [table.hour_s >= int(edges[0]), table.hour_s < int(edges[-1])]
    where += [table.agent_id.in_(agents)] if agents else []
    return select(index, table.agent_id, *sums).where(*where).group_by(by_index, table.agent_id)


def _from_hours(
    session: Session,
    pieces: AgentPieces,
    edges: Sequence[float],
    agents: Sequence[str],
    *,
    counts: bool,
) -> None:
    """The closed states' seconds from the hourly roll-ups, per interval; with ``counts``
    the calls handled, offers, dispositions and CSAT answers too."""
    h, p, d, c = AgentHourRow, AgentPauseHourRow, SeatDispositionHour, CsatHour
    states = [func.sum(getattr(h, column)) for column in STATE_COLUMNS.values()]
    numbers = (h.handled, h.handle_s, h.offers, h.missed) if counts else ()
    run = session.connection().execute  # plain rows: no ORM result processing
    for i, agent, *figures in run(
        _hour_rows(h, edges, agents, *states, *(func.sum(n) for n in numbers))
    ).all():
        for state, value in zip(STATE_COLUMNS, figures, strict=False):
            if value:
                pieces.seconds.append(Seconds(i, agent, state, "", float(value)))
        if counts:
            handled, total, offers, missed = figures[len(STATE_COLUMNS) :]
            if handled:
                pieces.handled.append((i, agent, int(handled), float(total or 0.0)))
            if offers:
                pieces.offers.append((i, agent, int(offers), int(missed or 0)))
    paused = _hour_rows(p, edges, agents, p.reason, func.sum(p.seconds)).group_by(p.reason)
    for i, agent, reason, value in run(paused).all():
        if value:
            pieces.seconds.append(Seconds(i, agent, "not_ready", reason, float(value)))
    if not counts:
        return
    coded = _hour_rows(d, edges, agents, d.code, func.sum(d.calls)).group_by(d.code)
    for i, agent, code, calls in run(coded).all():
        if calls:
            pieces.codes.append((i, agent, code, int(calls)))
    # One row per interval and agent, the answers per score in columns (the scale is 1-9).
    per_score = [func.sum(case((c.score == n, c.answers), else_=0)) for n in _SCORES]
    for i, agent, *answers in run(_hour_rows(c, edges, agents, *per_score)).all():
        if agent:  # an answer for no agent counts for nobody
            pieces.scores += [
                (i, agent, n, int(a)) for n, a in zip(_SCORES, answers, strict=True) if a
            ]


def _raw_counts(
    session: Session,
    pieces: AgentPieces,
    edges: Sequence[float],
    agents: Sequence[str],
    queues: Sequence[str],
) -> None:
    """Calls handled, offers and (newest) dispositions from their rows, per interval."""
    v, o, d = CallVisitRow, OfferRow, SeatDisposition

    def within(at: Any, agent: Any, queue: Any) -> list[Any]:
        where = [at >= _at(edges[0]), at < _at(edges[-1])]
        where += [agent.in_(agents)] if agents else []
        where += [queue.in_(queues)] if queues else []
        return where

    index, by_index = grouped(interval_index(epoch(v.handled_at), edges), "i")
    handled = select(
        index,
        v.agent_id,
        func.count(),
        func.sum(func.coalesce(v.talk_s, 0.0) + func.coalesce(v.wrap_s, 0.0)),
    ).where(*within(v.handled_at, v.agent_id, v.queue))
    for i, agent, count, total in session.execute(handled.group_by(by_index, v.agent_id)):
        pieces.handled.append((i, agent, int(count), float(total or 0.0)))
    index, by_index = grouped(interval_index(epoch(o.offered_at), edges), "i")
    missed = func.sum(case((o.result.in_(MISSED_RESULTS), 1), else_=0))
    rung = select(index, o.agent_id, func.count(), missed).where(
        *within(o.offered_at, o.agent_id, o.queue)
    )
    for i, agent, count, misses in session.execute(rung.group_by(by_index, o.agent_id)):
        pieces.offers.append((i, agent, int(count), int(misses or 0)))
    index, by_index = grouped(interval_index(epoch(d.at), edges), "i")
    codes = select(index, d.agent_id, d.code, func.count()).where(
        *within(d.at, d.agent_id, d.queue), d.superseded.is_(False)
    )
    for i, agent, code, count in session.execute(codes.group_by(by_index, d.agent_id, d.code)):
        pieces.codes.append((i, agent, code, int(count)))


def _scores(
    session: Session,
    pieces: AgentPieces,
    edges: Sequence[float],
    agents: Sequence[str],
    queues: Sequence[str],
) -> None:
    """CSAT answers per interval, agent and score, for the agent and queue they count for
    (``csat_owner``). Without a filter the owner is looked up once, in the grouping, and
    the answers of no agent dropped here."""
    c = CsatResponse
    rated, rated_queue = csat_owner()
    owner, by_owner = grouped(rated, "owner_agent")
    index, by_index = grouped(interval_index(epoch(c.created_at), edges), "i")
    where = [c.created_at >= _at(edges[0]), c.created_at < _at(edges[-1])]
    where += [rated.in_(agents)] if agents else []
    where += [rated_queue.in_(queues)] if queues else []
    statement = select(index, owner, c.score, func.count()).where(*where)
    for i, agent, score, count in session.execute(statement.group_by(by_index, by_owner, c.score)):
        if agent:
            pieces.scores.append((i, agent, int(score), int(count)))


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
    edges = edges_of(spans)
    hourly = on_step(edges, HOUR_S)
    if hourly:
        _from_hours(session, pieces, edges, agents, counts=not queues)
        pieces.seconds += _open_states(session, spans, now, agents)
    else:
        pieces.seconds = _seconds(session, _STATES, spans, now, agents)
    pieces.seconds += _logins(session, spans, now, agents)
    if not hourly or queues:
        _raw_counts(session, pieces, edges, agents, queues)
        _scores(session, pieces, edges, agents, queues)
    return pieces
