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
    """The report from the sums read per interval (pure). The sums are kept in flat
    dicts keyed by interval and agent (a month by day is 9,000 rows and some 150,000
    pieces: an object per row cost more than the rest)."""
    spans = query.spans()
    names = _agents(query, pieces)
    wanted = set(names)
    seconds: dict[tuple[int, str, str], float] = defaultdict(float)
    paused: dict[tuple[int, str, str], float] = defaultdict(float)
    for i, agent, state, reason, part in pieces.seconds:
        seconds[(i, agent, state)] += part
        if state == "not_ready":
            paused[(i, agent, reason)] += part
    handled: dict[tuple[int, str], tuple[int, float]] = {}  # calls, talk + wrap-up
    for i, agent, count, total in pieces.handled:
        calls, summed = handled.get((i, agent), (0, 0.0))
        handled[(i, agent)] = (calls + count, summed + total)
    offers: dict[tuple[int, str], tuple[int, int]] = {}  # offers, missed
    for i, agent, count, misses in pieces.offers:
        rung, missed = offers.get((i, agent), (0, 0))
        offers[(i, agent)] = (rung + count, missed + misses)
    scores: dict[tuple[int, str], tuple[int, int]] = {}  # sum of scores, answers
    for i, agent, score, count in pieces.scores:
        total_, answers = scores.get((i, agent), (0, 0))
        scores[(i, agent)] = (total_ + score * count, answers + count)
    codes: dict[tuple[int, str, str], int] = defaultdict(int)
    for i, agent, code, count in pieces.codes:
        codes[(i, agent, code)] += count
    in_range = range(len(spans))
    reasons = sorted({r for i, a, r in paused if a in wanted and i in in_range})
    code_names = sorted({c for i, a, c in codes if a in wanted and i in in_range})
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
        *(Column(f"disposition:{c}", f"Disposition: {c}", "count") for c in code_names),
    )
    rows: list[tuple[Cell, ...]] = []
    for i, span in enumerate(spans):
        for agent in names:
            state_s = [seconds.get((i, agent, state), 0.0) for state, _ in _STATE_COLUMNS]
            busy = sum(seconds.get((i, agent, state), 0.0) for state in BUSY_STATES)
            available = busy + state_s[0]  # ready
            done, handle_sum = handled.get((i, agent), (0, 0.0))
            rung, missed = offers.get((i, agent), (0, 0))
            score_sum, answers = scores.get((i, agent), (0, 0))
            per_code = [codes.get((i, agent, c), 0) for c in code_names]
            rows.append(
                (
                    span.start,
                    agent,
                    round(seconds.get((i, agent, LOGGED_IN), 0.0), 3),
                    *(round(v, 3) for v in state_s),
                    *(round(paused.get((i, agent, r), 0.0), 3) for r in reasons),
                    round(100.0 * busy / available, 3) if available > 0 else None,
                    rung,
                    missed,
                    done,
                    _mean(handle_sum, done),
                    _mean(score_sum, answers),
                    answers,
                    sum(per_code),
                    *per_code,
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
