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

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.orm import Session

from switchboard.config import ReportSettings
from switchboard.reports.agent_source import LOGGED_IN, AgentPieces, read_agent_pieces
from switchboard.reports.query import ReportQuery, query_parameters
from switchboard.reports.table import Cell, Column, Report

__all__ = ["BUSY_STATES", "agent_report", "build_agent_report"]

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
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    not_ready: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    offers: int = 0
    missed: int = 0
    handled: int = 0
    handle_sum: float = 0.0
    scores: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    codes: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _mean(total: float, count: int) -> float | None:
    return round(total / count, 3) if count else None


def _agents(query: ReportQuery, pieces: AgentPieces) -> list[str]:
    """The agents asked for; else everyone with a call, offer, answer or disposition in
    the queues asked for; else also everyone logged in."""
    if query.agents:
        return sorted(query.agents)
    found = {p[1] for p in (*pieces.handled, *pieces.offers, *pieces.scores, *pieces.codes)}
    if not query.queues:
        found |= {p.agent for p in pieces.seconds}
    found.discard("")
    return sorted(found)


def agent_report(query: ReportQuery, pieces: AgentPieces) -> Report:
    """The report from the sums read per interval (pure)."""
    spans = query.spans()
    names = _agents(query, pieces)
    tallies = {(a, i): _Tally() for a in names for i in range(len(spans))}
    for i, agent, state, reason, seconds in pieces.seconds:
        if (t := tallies.get((agent, i))) is None:
            continue
        if state == LOGGED_IN:
            t.logged_in_s += seconds
        else:
            t.seconds[state] += seconds
            if state == "not_ready":
                t.not_ready[reason] += seconds
    for i, agent, count, total in pieces.handled:
        if t := tallies.get((agent, i)):
            t.handled += count
            t.handle_sum += total
    for i, agent, count, misses in pieces.offers:
        if t := tallies.get((agent, i)):
            t.offers += count
            t.missed += misses
    for i, agent, score, count in pieces.scores:
        if t := tallies.get((agent, i)):
            t.scores[score] += count
    for i, agent, code, count in pieces.codes:
        if t := tallies.get((agent, i)):
            t.codes[code] += count
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
            answers = sum(t.scores.values())
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
                    _mean(sum(s * n for s, n in t.scores.items()), answers),
                    answers,
                    sum(t.codes.values()),
                    *(t.codes[c] for c in codes),
                )
            )
    return Report("agent", "Agent report", columns, tuple(rows), query_parameters(query))


def build_agent_report(session: Session, query: ReportQuery, settings: ReportSettings) -> Report:
    if session.get_bind().dialect.name == "postgresql":
        # Statements of a few ms over the roll-ups, costed high: JIT compiling took longer
        # than running them. The raw fallback's groupings fit in memory with 32 MB.
        session.execute(text("SET LOCAL jit = off"))
        session.execute(text("SET LOCAL work_mem = '32MB'"))
    pieces = read_agent_pieces(session, query.spans(), query.now, query.agents, query.queues)
    return agent_report(query, pieces)
