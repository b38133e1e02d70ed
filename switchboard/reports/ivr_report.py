# -*- test-case-name: tests.reports.test_ivr_report -*-
"""The IVR report: per interval, flow and menu, how many callers the IVR served on its
own (containment), where callers hung up, which keys they chose, and how often they
pressed a wrong key or nothing.

Read from the ``ivr_session`` rows the runner stores when a session ends: the outcome,
the last flow and step, and the trace (``entered`` with the step's type, ``chose`` with
the digit, ``invalid`` and ``timeout``; :mod:`switchboard.ivr_flows._input`). A session
and everything in its trace count in the interval the session **started**, so a row
adds up. A flow's row (``step`` empty) sums its menus.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from switchboard.config import ReportSettings
from switchboard.ivr_flows.records import IvrSession
from switchboard.reports.intervals import Span
from switchboard.reports.query import ReportQuery, query_parameters
from switchboard.reports.table import Cell, Column, Report

__all__ = [
    "CALLER_HANGUP",
    "CONTAINED_OUTCOMES",
    "MENU_TYPES",
    "IvrVisit",
    "build_ivr_report",
    "ivr_report",
]

# The flow finished the call itself (it played what the caller needed and ended, or hung
# up by a hangup step): self-service. Every other ending handed the caller on (a queue,
# an agent or number dialled, a transfer, voicemail, the dialplan's fallback after a
# failed menu or an error) or the caller left.
CONTAINED_OUTCOMES = frozenset({"completed", "hangup"})
CALLER_HANGUP = "caller_hangup"
MENU_TYPES = frozenset({"menu", "language"})  # steps where a caller chooses one key


@dataclass(frozen=True, slots=True)
class IvrVisit:
    """What the report needs of one stored session."""

    started: float
    outcome: str
    last_flow: str
    last_step: str
    trace: Sequence[dict[str, Any]]


@dataclass(slots=True)
class _Tally:
    sessions: int = 0
    contained: int = 0
    caller_hangups: int = 0
    visits: int = 0
    invalid: int = 0
    timeout: int = 0
    options: Counter[str] = field(default_factory=Counter)

    def add(self, other: _Tally) -> None:
        self.visits += other.visits
        self.invalid += other.invalid
        self.timeout += other.timeout
        self.options.update(other.options)


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 3) if whole else None


def _steps_of(visit: IvrVisit) -> tuple[set[tuple[str, str]], dict[tuple[str, str], str]]:
    """The (flow, step) pairs the caller reached, and the type of each."""
    reached: set[tuple[str, str]] = set()
    types: dict[tuple[str, str], str] = {}
    for entry in visit.trace:
        if entry.get("event") == "entered":
            key = (str(entry.get("flow", "")), str(entry.get("step", "")))
            reached.add(key)
            types[key] = str((entry.get("data") or {}).get("type", ""))
    return reached, types


def ivr_report(query: ReportQuery, visits: Iterable[IvrVisit]) -> Report:
    """The report from the sessions started in the range (pure)."""
    spans = query.spans()
    starts = [s.start_s for s in spans]
    tallies: dict[tuple[int, str, str], _Tally] = {}
    types: dict[tuple[str, str], str] = {}
    keys: set[tuple[str, str]] = set()

    def tally(i: int, flow: str, step: str) -> _Tally:
        keys.add((flow, step))
        return tallies.setdefault((i, flow, step), _Tally())

    for visit in visits:
        i = bisect.bisect_right(starts, visit.started) - 1
        if i < 0 or visit.started >= spans[-1].end_s:
            continue
        reached, found = _steps_of(visit)
        types.update(found)
        menus = {k for k in reached if found.get(k) in MENU_TYPES}
        contained = visit.outcome in CONTAINED_OUTCOMES
        # Every step and flow reached counts the session; only menus, the steps callers
        # hung up at and the flows become rows.
        for flow, step in reached | {(f, "") for f, _ in reached}:
            t = tallies.setdefault((i, flow, step), _Tally())
            t.sessions += 1
            t.contained += contained
        keys.update(menus | {(f, "") for f, _ in reached})
        if visit.outcome == CALLER_HANGUP:
            last = (visit.last_flow, visit.last_step)
            tally(i, *last).caller_hangups += 1
            if last[1]:
                tally(i, last[0], "").caller_hangups += 1
        for entry in visit.trace:
            key = (str(entry.get("flow", "")), str(entry.get("step", "")))
            event = entry.get("event")
            if key not in menus or event not in ("entered", "chose", "invalid", "timeout"):
                continue
            t = tally(i, *key)
            if event == "entered":
                t.visits += 1
            elif event == "chose":
                t.options[str((entry.get("data") or {}).get("digit", ""))] += 1
            elif event == "invalid":
                t.invalid += 1
            else:
                t.timeout += 1
    for (i, flow, step), t in list(tallies.items()):
        if step and (flow, step) in keys:
            tally(i, flow, "").add(t)
    digits = sorted({d for t in tallies.values() for d in t.options})
    columns = (
        Column("interval", "Interval", "interval"),
        Column("flow", "Flow", "text"),
        Column("step", "Step", "text"),
        Column("step_type", "Step type", "text"),
        Column("sessions", "Sessions", "count"),
        Column("contained", "Contained", "count"),
        Column("contained_pct", "Containment", "pct"),
        Column("caller_hangups", "Caller hang-ups", "count"),
        Column("caller_hangup_pct", "Caller hang-up rate", "pct"),
        Column("visits", "Menu visits", "count"),
        Column("answers", "Menu answers", "count"),
        Column("invalid", "Invalid keys", "count"),
        Column("timeouts", "Timeouts", "count"),
        Column("invalid_pct", "Invalid rate", "pct"),
        Column("timeout_pct", "Timeout rate", "pct"),
        *(Column(f"option:{d}", f"Option {d}", "count") for d in digits),
    )
    rows: list[tuple[Cell, ...]] = []
    for i, span in enumerate(spans):
        for flow, step in sorted(keys):
            t = tallies.get((i, flow, step)) or _Tally()
            answers = sum(t.options.values()) + t.invalid + t.timeout
            rows.append(
                (
                    span.start,
                    flow,
                    step,
                    types.get((flow, step), "flow" if not step else ""),
                    t.sessions,
                    t.contained,
                    _pct(t.contained, t.sessions),
                    t.caller_hangups,
                    _pct(t.caller_hangups, t.sessions),
                    t.visits,
                    answers,
                    t.invalid,
                    t.timeout,
                    _pct(t.invalid, answers),
                    _pct(t.timeout, answers),
                    *(t.options[d] for d in digits),
                )
            )
    return Report("ivr", "IVR report", columns, tuple(rows), query_parameters(query))


def _epoch(value: datetime) -> float:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def read_ivr_visits(
    session: Session, spans: Sequence[Span], queues: Sequence[str] = ()
) -> list[IvrVisit]:
    """The sessions started in the range (with ``queues``: those handed to them)."""
    if not spans:
        return []
    s = IvrSession
    lo = datetime.fromtimestamp(spans[0].start_s, UTC)
    hi = datetime.fromtimestamp(spans[-1].end_s, UTC)
    where = [s.started_at >= lo, s.started_at < hi]
    where += [s.queue.in_(queues)] if queues else []
    rows = session.execute(
        select(s.started_at, s.outcome, s.last_flow, s.last_step, s.trace).where(*where)
    )
    return [
        IvrVisit(_epoch(started), outcome, last_flow, last_step, trace or [])
        for started, outcome, last_flow, last_step, trace in rows
    ]


def build_ivr_report(session: Session, query: ReportQuery, settings: ReportSettings) -> Report:
    return ivr_report(query, read_ivr_visits(session, query.spans(), query.queues))
