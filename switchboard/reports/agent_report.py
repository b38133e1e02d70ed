# -*- test-case-name: tests.reports.test_agent_report -*-
"""The agent report: per agent and interval, time logged in and in each state, calls
handled, missed offers, CSAT and dispositions.

Times are the parts of each stored stretch (a state, a log-in session) that fall inside
the interval, an open one counted up to the report's ``now``; a call counts in the
interval its handling ended (talk and wrap-up are known then), an offer where it rang.
With a queue filter the calls, offers, CSAT and dispositions are those of the queues;
the times stay the agent's own (a state is not of one queue).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from switchboard.config import ReportSettings
from switchboard.reports.intervals import Span
from switchboard.reports.query import ReportQuery, query_parameters
from switchboard.reports.source import (
    Csat,
    Disposition,
    Offer,
    Stretch,
    Visit,
    agent_stretches,
    csat_answers,
    dispositions,
    handled_visits,
    login_sessions,
    offers,
)
from switchboard.reports.table import Cell, Column, Report

__all__ = ["BUSY_STATES", "MISSED_RESULTS", "agent_report", "build_agent_report"]

# An offer the agent let ring out or refused; "cancelled" (another agent answered, the
# caller moved) and "abandoned" (the caller hung up while it rang) are not the agent's.
MISSED_RESULTS = frozenset({"no_answer", "busy"})
BUSY_STATES = ("reserved", "on_call", "wrap_up")
_STATE_COLUMNS = (
    ("ready", "Ready"),
    ("reserved", "Ringing (reserved)"),
    ("on_call", "On call"),
    ("wrap_up", "Wrap-up"),
    ("not_ready", "Not ready"),
)


@dataclass(slots=True)
class _Tally:
    logged_in_s: float = 0.0
    seconds: Counter[str] = field(default_factory=Counter)
    not_ready: Counter[str] = field(default_factory=Counter)
    offers: int = 0
    missed: int = 0
    handled: int = 0
    handle_sum: float = 0.0
    scores: list[int] = field(default_factory=list)
    codes: Counter[str] = field(default_factory=Counter)


def _mean(total: float, count: int) -> float | None:
    return round(total / count, 3) if count else None


def _index(starts: Sequence[float], spans: Sequence[Span], at: float) -> int | None:
    i = bisect_right(starts, at) - 1
    return i if 0 <= i < len(spans) and at < spans[i].end_s else None


def _overlaps(
    starts: Sequence[float], spans: Sequence[Span], begin: float, end: float
) -> Iterable[tuple[int, float]]:
    """``(interval index, seconds)`` of ``[begin, end)`` in each interval it touches."""
    i = max(bisect_right(starts, begin) - 1, 0)
    while i < len(spans) and spans[i].start_s < end:
        part = min(end, spans[i].end_s) - max(begin, spans[i].start_s)
        if part > 0:
            yield i, part
        i += 1


def agent_report(
    query: ReportQuery,
    settings: ReportSettings,
    *,
    states: Iterable[Stretch],
    sessions: Iterable[Stretch],
    handled: Iterable[Visit],
    offered: Iterable[Offer],
    answers: Iterable[Csat],
    coded: Iterable[Disposition],
) -> Report:
    """The report from rows already read (pure)."""
    spans = query.spans()
    starts = [s.start_s for s in spans]
    states, sessions = list(states), list(sessions)
    handled, offered = list(handled), list(offered)
    answers, coded = [a for a in answers if a.agent], list(coded)
    if query.queues:
        wanted = set(query.queues)
        handled = [v for v in handled if v.queue in wanted]
        offered = [o for o in offered if o.queue in wanted]
        answers = [a for a in answers if a.queue in wanted]
        coded = [d for d in coded if d.queue in wanted]
    if query.agents:
        agents = set(query.agents)
    else:
        agents = (
            {v.agent_id for v in handled}
            | {o.agent_id for o in offered}
            | {a.agent for a in answers}
            | {d.agent_id for d in coded}
        )
        if not query.queues:
            agents |= {s.agent_id for s in states} | {s.agent_id for s in sessions}
    agents.discard("")
    names = sorted(agents)
    tallies = {(a, i): _Tally() for a in names for i in range(len(spans))}

    def tally(agent: str, at: float) -> _Tally | None:
        i = _index(starts, spans, at)
        return None if i is None or agent not in agents else tallies[(agent, i)]

    for stretch in sessions + states:
        if stretch.agent_id not in agents:
            continue
        end = query.now if stretch.end is None else stretch.end
        for i, seconds in _overlaps(starts, spans, stretch.start, end):
            t = tallies[(stretch.agent_id, i)]
            if stretch.state == "logged_in":
                t.logged_in_s += seconds
            else:
                t.seconds[stretch.state] += seconds
                if stretch.state == "not_ready":
                    t.not_ready[stretch.reason] += seconds
    for visit in handled:
        if visit.handled_at is not None and (t := tally(visit.agent_id, visit.handled_at)):
            t.handled += 1
            t.handle_sum += (visit.talk_s or 0.0) + (visit.wrap_s or 0.0)
    for offer in offered:
        if t := tally(offer.agent_id, offer.offered_at):
            t.offers += 1
            t.missed += offer.result in MISSED_RESULTS
    for answer in answers:
        if t := tally(answer.agent, answer.at):
            t.scores.append(answer.score)
    for disposition in coded:
        if t := tally(disposition.agent_id, disposition.at):
            t.codes[disposition.code] += 1
    reasons = sorted({r for t in tallies.values() for r in t.not_ready})
    codes = sorted({c for t in tallies.values() for c in t.codes})
    columns = (
        Column("interval", "Interval", "interval"),
        Column("agent", "Agent", "text"),
        Column("logged_in_s", "Logged in", "s"),
        *(Column(f"{state}_s", label, "s") for state, label in _STATE_COLUMNS),
        *(Column(f"not_ready_s:{r}", f"Not ready: {r or '-'}", "s") for r in reasons),
        Column("occupancy_pct", "Occupancy", "pct"),
        Column("offers", "Offers", "count"),
        Column("missed_offers", "Missed offers", "count"),
        Column("handled", "Calls handled", "count"),
        Column("aht_s", "Average handling time", "s"),
        Column("csat_avg", "CSAT average", "score"),
        Column("csat_responses", "CSAT responses", "count"),
        Column("dispositions", "Dispositions", "count"),
        *(Column(f"disposition:{c}", f"Disposition: {c}", "count") for c in codes),
    )
    rows: list[tuple[Cell, ...]] = []
    for i, span in enumerate(spans):
        for agent in names:
            t = tallies[(agent, i)]
            busy = sum(t.seconds[s] for s in BUSY_STATES)
            available = busy + t.seconds["ready"]
            rows.append(
                (
                    span.start,
                    agent,
                    round(t.logged_in_s, 3),
                    *(round(t.seconds[state], 3) for state, _ in _STATE_COLUMNS),
                    *(round(t.not_ready[r], 3) for r in reasons),
                    round(100.0 * busy / available, 3) if available > 0 else None,
                    t.offers,
                    t.missed,
                    t.handled,
                    _mean(t.handle_sum, t.handled),
                    _mean(sum(t.scores), len(t.scores)),
                    len(t.scores),
                    sum(t.codes.values()),
                    *(t.codes[c] for c in codes),
                )
            )
    return Report("agent", "Agent report", columns, tuple(rows), query_parameters(query))


def build_agent_report(session: Session, query: ReportQuery, settings: ReportSettings) -> Report:
    start, end = query.start.timestamp(), query.end.timestamp()
    agents, queues = query.agents, query.queues
    return agent_report(
        query,
        settings,
        states=agent_stretches(session, start, end, agents),
        sessions=login_sessions(session, start, end, agents),
        handled=handled_visits(session, start, end, agents, queues),
        offered=offers(session, start, end, agents, queues),
        answers=csat_answers(session, start, end, agents, queues),
        coded=dispositions(session, start, end, agents, queues),
    )
