# -*- test-case-name: tests.queue.test_stats -*-
"""The stored shape of the ACD's history, and the statistics recomputed from it.

:class:`VisitRecord` is one call's stay in one queue (a call moved by a fallback has one
per queue); :class:`AgentPeriod` is one stretch of one agent state. :class:`HistoryBuilder`
folds facts into them in memory; :mod:`..store.records` stores the same thing in the database and
reads it back. :func:`recompute` derives every figure of :mod:`.stats` from the records
alone, in one pass and without the incremental machinery, so a test can hold the live
figures against it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, tzinfo

from switchboard.queue.core._windows import WINDOWS, midnight
from switchboard.queue.core.decisions import (
    AgentStateChanged,
    CallAnswered,
    CallFinished,
    CallHandled,
    CallQueued,
    Fact,
    QueueLeft,
)
from switchboard.queue.core.model import Agent, AgentState, Queue
from switchboard.queue.core.stats import (
    QUEUE_WIDTH,
    AgentSnapshot,
    QueueSnapshot,
    agent_figures,
    overlap,
    queue_delta,
    queue_figures,
)

__all__ = ["AgentPeriod", "HistoryBuilder", "VisitRecord", "recompute", "visit_facts"]


@dataclass(slots=True)
class VisitRecord:
    call_id: str
    queue: str
    entered_at: float
    enqueued_at: float = 0.0
    priority: int = 0
    caller_number: str = ""
    ivr_ref: str = ""
    answered_at: float | None = None
    waited_s: float | None = None
    via_callback: bool = False
    agent_id: str = ""
    callback_at: float | None = None
    callback_waited_s: float | None = None
    left_at: float | None = None
    outcome: str = ""  # abandoned, moved, voicemail, overflowed, callback_unreached,
    #                   answered, called_back
    left_waited_s: float | None = None
    to_queue: str = ""
    ended_at: float | None = None
    handled_at: float | None = None
    talk_s: float | None = None
    wrap_s: float | None = None


@dataclass(slots=True)
class AgentPeriod:
    agent_id: str
    state: AgentState
    reason: str
    started_at: float
    ended_at: float | None = None


class HistoryBuilder:
    """Facts in, records out: what the store keeps, without a database."""

    def __init__(self) -> None:
        self.visits: list[VisitRecord] = []
        self.periods: list[AgentPeriod] = []
        self._current: dict[str, VisitRecord] = {}
        self._open: dict[str, AgentPeriod] = {}

    def apply(self, facts: Iterable[Fact]) -> None:
        for fact in facts:
            self._apply(fact)

    def _apply(self, fact: Fact) -> None:
        if isinstance(fact, AgentStateChanged):
            if (period := self._open.pop(fact.agent_id, None)) is not None:
                period.ended_at = fact.at
            if fact.state is not AgentState.LOGGED_OUT:
                period = AgentPeriod(fact.agent_id, fact.state, fact.reason, fact.at)
                self._open[fact.agent_id] = period
                self.periods.append(period)
            return
        if isinstance(fact, CallQueued):
            new = VisitRecord(
                fact.call_id,
                fact.queue,
                fact.at,
                fact.enqueued_at,
                fact.priority,
                fact.caller_number,
                fact.ivr_ref,
            )
            self._current[fact.call_id] = new
            self.visits.append(new)
            return
        visit = self._current.get(getattr(fact, "call_id", ""))
        if visit is None:
            return
        if isinstance(fact, CallAnswered):
            visit.answered_at, visit.waited_s = fact.at, fact.waited_s
            visit.via_callback, visit.agent_id = fact.callback, fact.agent_id
        elif isinstance(fact, QueueLeft) and fact.outcome == "callback":
            visit.callback_at, visit.callback_waited_s = fact.at, fact.waited_s
        elif isinstance(fact, QueueLeft):
            visit.left_at, visit.outcome = fact.at, fact.outcome
            visit.left_waited_s, visit.to_queue = fact.waited_s, fact.to_queue
        elif isinstance(fact, CallFinished) and visit.answered_at is not None:
            visit.ended_at, visit.outcome = fact.at, fact.outcome.value
        elif isinstance(fact, CallHandled):
            visit.handled_at, visit.talk_s, visit.wrap_s = fact.at, fact.talk_s, fact.wrap_s
            visit.agent_id = fact.agent_id


def visit_facts(visit: VisitRecord) -> list[Fact]:
    """The facts a stored visit stands for, in the order they happened (the wallboard
    replays them at start; :func:`recompute` counts them)."""
    facts: list[Fact] = [
        CallQueued(
            visit.call_id,
            visit.queue,
            visit.entered_at,
            visit.enqueued_at,
            visit.priority,
            visit.caller_number,
            visit.ivr_ref,
        )
    ]
    if visit.answered_at is not None and visit.waited_s is not None:
        facts.append(
            CallAnswered(
                visit.call_id,
                visit.queue,
                visit.agent_id,
                visit.answered_at,
                visit.waited_s,
                visit.via_callback,
            )
        )
    if visit.callback_at is not None:
        facts.append(
            QueueLeft(
                visit.call_id,
                visit.queue,
                visit.callback_at,
                "callback",
                visit.callback_waited_s or 0.0,
            )
        )
    if visit.left_at is not None:
        facts.append(
            QueueLeft(
                visit.call_id, visit.queue, visit.left_at, visit.outcome, visit.left_waited_s or 0.0
            )
        )
    if visit.handled_at is not None:
        facts.append(
            CallHandled(
                visit.call_id,
                visit.queue,
                visit.agent_id,
                visit.handled_at,
                visit.talk_s or 0.0,
                visit.wrap_s or 0.0,
            )
        )
    return facts


def _dated_deltas(visit: VisitRecord, queue: Queue) -> Iterable[tuple[float, list[float]]]:
    """The counter increments a visit stands for, each at the time it happened."""
    for fact in visit_facts(visit):
        if (delta := queue_delta(fact, queue)) is not None:
            yield fact.at, delta


def _window_start(window: str, now: float, day: float) -> tuple[float, bool]:
    length = WINDOWS[window]
    return (day, True) if length is None else (now - length, False)


def recompute(
    visits: Sequence[VisitRecord],
    periods: Sequence[AgentPeriod],
    queues: Iterable[Queue],
    agents: Iterable[Agent],
    now: float,
    *,
    timezone: tzinfo = UTC,
) -> tuple[list[QueueSnapshot], list[AgentSnapshot]]:
    """Every queue's and agent's figures at ``now``, from the records alone."""
    day = midnight(now, timezone)
    by_name = {q.name: q for q in queues}
    members = {a.id: a.queues for a in agents}
    open_periods = {p.agent_id: p for p in periods if p.ended_at is None}
    queue_rows: list[QueueSnapshot] = []
    for name in sorted(by_name):
        mine = [v for v in visits if v.queue == name]
        totals = {w: [0.0] * QUEUE_WIDTH for w in WINDOWS}
        for visit in mine:
            for at, delta in _dated_deltas(visit, by_name[name]):
                for window, sums in totals.items():
                    start, inclusive = _window_start(window, now, day)
                    if (at >= start if inclusive else at > start) and at <= now:
                        for i, value in enumerate(delta):
                            sums[i] += value
        waiting = [
            v.entered_at
            for v in mine
            if v.answered_at is None and v.callback_at is None and v.left_at is None
        ]
        pending = [
            v
            for v in mine
            if v.callback_at is not None and v.answered_at is None and v.left_at is None
        ]
        by_state = dict.fromkeys((s.value for s in AgentState if s is not AgentState.LOGGED_OUT), 0)
        for agent_id, period in open_periods.items():
            if name in members.get(agent_id, ()):
                by_state[period.state.value] += 1
        queue_rows.append(
            QueueSnapshot(
                queue=name,
                waiting=len(waiting),
                longest_wait_s=round(now - min(waiting), 3) if waiting else 0.0,
                callbacks_pending=len(pending),
                agents_by_state=by_state,
                windows={w: queue_figures([round(x, 6) for x in totals[w]]) for w in WINDOWS},
            )
        )
    agent_rows: list[AgentSnapshot] = []
    for agent_id in sorted(members):
        current = open_periods.get(agent_id)
        windows = {}
        for window in WINDOWS:
            start, inclusive = _window_start(window, now, day)
            seconds: dict[str, float] = {}
            for period in (p for p in periods if p.agent_id == agent_id):
                end = now if period.ended_at is None else period.ended_at
                if (spent := overlap(period.started_at, end, start, now)) > 0:
                    seconds[period.state.value] = seconds.get(period.state.value, 0.0) + spent
            handled = [
                v
                for v in visits
                if v.agent_id == agent_id
                and v.handled_at is not None
                and (v.handled_at >= start if inclusive else v.handled_at > start)
            ]
            windows[window] = agent_figures(
                len(handled), sum((v.talk_s or 0.0) + (v.wrap_s or 0.0) for v in handled), seconds
            )
        state = current.state if current else AgentState.LOGGED_OUT
        agent_rows.append(
            AgentSnapshot(
                agent_id,
                state,
                current.reason if current else "",
                round(now - current.started_at, 3) if current else 0.0,
                windows,
            )
        )
    return queue_rows, agent_rows
