# -*- test-case-name: tests.queue.test_stats -*-
"""Live queue and agent statistics, updated from the router's facts (``now`` passed in).

Per queue: waiting now, longest wait now, callbacks pending, agents by state, and over each
window (since the site's midnight, last 15 minutes, last hour): offered, answered,
abandoned, short abandons, service level %, ASA, AHT, callbacks. Per agent: state and time
in it, calls handled, AHT and occupancy over the same windows.

Definitions (the recomputation in :mod:`.history` uses the same ones):

- each figure counts an event in the window where it *happened* (offered when queued,
  answered when answered, abandoned when the caller hung up, AHT when wrap-up ended);
- service level = answered within the queue's target / (answered + abandoned - short
  abandons); ASA = mean wait of answered calls; AHT = mean talk + wrap-up;
- callbacks that reach the customer are ``called_back``, not ``answered``;
- occupancy = time reserved, on call or in wrap-up / that time plus time ready.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, tzinfo
from typing import Final

from switchboard.queue.core._windows import WINDOWS, WindowedSums, midnight
from switchboard.queue.core.decisions import (
    AgentStateChanged,
    CallAnswered,
    CallHandled,
    CallQueued,
    Fact,
    QueueLeft,
)
from switchboard.queue.core.model import Agent, AgentState, Queue

__all__ = [
    "AgentFigures",
    "AgentSnapshot",
    "LiveStats",
    "QueueFigures",
    "QueueSnapshot",
    "agent_figures",
    "queue_delta",
    "queue_figures",
]

# Positions in a queue's counter vector.
(
    OFFERED,
    ANSWERED,
    IN_SL,
    WAIT_SUM,
    ABANDONED,
    SHORT,
    CALLBACKS,
    CALLED_BACK,
    OVERFLOWED,
    VOICEMAIL,
    HANDLED,
    HANDLE_SUM,
    UNREACHED,
) = range(13)
QUEUE_WIDTH: Final = 13
BUSY_STATES: Final = (AgentState.RESERVED, AgentState.ON_CALL, AgentState.WRAP_UP)


@dataclass(frozen=True, slots=True)
class QueueFigures:
    offered: int
    answered: int
    abandoned: int
    short_abandons: int
    callbacks_requested: int
    called_back: int
    callbacks_unreached: int
    overflowed: int
    voicemail: int
    handled: int
    service_level_pct: float | None
    asa_s: float | None
    aht_s: float | None


@dataclass(frozen=True, slots=True)
class QueueSnapshot:
    queue: str
    waiting: int
    longest_wait_s: float
    callbacks_pending: int
    agents_by_state: Mapping[str, int]
    windows: Mapping[str, QueueFigures]  # "today", "15m", "1h"


@dataclass(frozen=True, slots=True)
class AgentFigures:
    handled: int
    aht_s: float | None
    occupancy_pct: float | None
    seconds_by_state: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class AgentSnapshot:
    agent_id: str
    state: AgentState
    reason: str
    in_state_s: float
    windows: Mapping[str, AgentFigures]


def queue_delta(fact: Fact, queue: Queue) -> list[float] | None:
    """What one fact adds to its queue's counters (None: nothing)."""
    delta = [0.0] * QUEUE_WIDTH
    if isinstance(fact, CallQueued):
        delta[OFFERED] = 1
    elif isinstance(fact, CallAnswered):
        if fact.callback:
            delta[CALLED_BACK] = 1
        else:
            delta[ANSWERED], delta[WAIT_SUM] = 1, fact.waited_s
            delta[IN_SL] = 1 if fact.waited_s <= queue.service_level_s else 0
    elif isinstance(fact, QueueLeft):
        index = {
            "abandoned": ABANDONED,
            "callback": CALLBACKS,
            "moved": OVERFLOWED,
            "overflowed": OVERFLOWED,
            "voicemail": VOICEMAIL,
            "callback_unreached": UNREACHED,
        }.get(fact.outcome)
        if index is None:
            return None
        delta[index] = 1
        if index == ABANDONED and fact.waited_s < queue.short_abandon_s:
            delta[SHORT] = 1
    elif isinstance(fact, CallHandled):
        delta[HANDLED], delta[HANDLE_SUM] = 1, fact.talk_s + fact.wrap_s
    else:
        return None
    return delta


def _mean(total: float, count: float) -> float | None:
    return round(total / count, 3) if count else None


def queue_figures(t: list[float]) -> QueueFigures:
    counted = t[ANSWERED] + t[ABANDONED] - t[SHORT]
    return QueueFigures(
        offered=int(t[OFFERED]),
        answered=int(t[ANSWERED]),
        abandoned=int(t[ABANDONED]),
        short_abandons=int(t[SHORT]),
        callbacks_requested=int(t[CALLBACKS]),
        called_back=int(t[CALLED_BACK]),
        callbacks_unreached=int(t[UNREACHED]),
        overflowed=int(t[OVERFLOWED]),
        voicemail=int(t[VOICEMAIL]),
        handled=int(t[HANDLED]),
        service_level_pct=round(100.0 * t[IN_SL] / counted, 3) if counted > 0 else None,
        asa_s=_mean(t[WAIT_SUM], t[ANSWERED]),
        aht_s=_mean(t[HANDLE_SUM], t[HANDLED]),
    )


def agent_figures(handled: float, handle_sum: float, seconds: Mapping[str, float]) -> AgentFigures:
    busy = sum(seconds.get(state, 0.0) for state in BUSY_STATES)
    available = busy + seconds.get(AgentState.READY, 0.0)
    return AgentFigures(
        handled=int(handled),
        aht_s=_mean(handle_sum, handled),
        occupancy_pct=round(100.0 * busy / available, 3) if available > 0 else None,
        seconds_by_state={state: round(value, 3) for state, value in sorted(seconds.items())},
    )


def overlap(start: float, end: float, window_start: float, now: float) -> float:
    return max(0.0, min(end, now) - max(start, window_start))


class _AgentTrack:
    def __init__(self) -> None:
        self.state = AgentState.LOGGED_OUT
        self.reason = ""
        self.since = 0.0
        self.counts = WindowedSums(2)
        self.periods: list[tuple[float, float, AgentState]] = []  # closed, last hour and today


class LiveStats:
    """Incremental figures: ``apply`` every batch of facts, read with ``now``.

    One instance can count for several sources at once (the ACD's queues and app_queue's,
    side by side): each reconfigures only its own ``part`` of the queues and agents."""

    def __init__(
        self, queues: Iterable[Queue], agents: Iterable[Agent], *, timezone: tzinfo = UTC
    ) -> None:
        self._queues = {q.name: q for q in queues}
        self._listed = sorted(self._queues)
        self._members = {a.id: a.queues for a in agents}
        # part -> (its queue names, its agents' queues); "": what the constructor got
        self._parts: dict[str, tuple[list[str], dict[str, tuple[str, ...]]]] = {
            "": (self._listed, dict(self._members))
        }
        self._tz = timezone
        self._sums = {name: WindowedSums(QUEUE_WIDTH) for name in self._queues}
        self._waiting: dict[str, dict[str, float]] = {name: {} for name in self._queues}
        self._callbacks: dict[str, set[str]] = {name: set() for name in self._queues}
        self._agents: dict[str, _AgentTrack] = {a: _AgentTrack() for a in self._members}

    def reconfigure(
        self, queues: Iterable[Queue], agents: Iterable[Agent], *, part: str = ""
    ) -> None:
        """A reloaded queue file: new queues and agents are counted from now on, changed
        ones count by their new rules; a removed queue keeps counting the calls it still
        holds but is no longer listed by :meth:`queues` (:meth:`queue` still answers).
        Only ``part``'s queues and agents change; the other parts' stay as they are."""
        queues, agents = list(queues), list(agents)
        for queue in queues:
            self._queues[queue.name] = queue
            self._sums.setdefault(queue.name, WindowedSums(QUEUE_WIDTH))
            self._waiting.setdefault(queue.name, {})
            self._callbacks.setdefault(queue.name, set())
        self._parts[part] = ([q.name for q in queues], {a.id: a.queues for a in agents})
        self._listed = sorted({name for names, _ in self._parts.values() for name in names})
        for agent in agents:
            self._agents.setdefault(agent.id, _AgentTrack())
            self._members[agent.id] = tuple(
                dict.fromkeys(
                    q for _, members in self._parts.values() for q in members.get(agent.id, ())
                )
            )

    def apply(self, facts: Iterable[Fact]) -> None:
        for fact in facts:
            self._apply(fact)

    def _apply(self, fact: Fact) -> None:
        if isinstance(fact, AgentStateChanged):
            self._agent_changed(fact)
            return
        name = getattr(fact, "queue", None)
        queue = self._queues.get(name) if isinstance(name, str) else None
        if queue is None:
            return
        delta = queue_delta(fact, queue)
        at: float = fact.at
        if delta is not None:
            self._sums[queue.name].add(at, delta, midnight(at, self._tz))
        waiting, callbacks = self._waiting[queue.name], self._callbacks[queue.name]
        if isinstance(fact, CallQueued):
            waiting[fact.call_id] = fact.at
        elif isinstance(fact, CallAnswered | QueueLeft):
            waiting.pop(fact.call_id, None)
            callbacks.discard(fact.call_id)
            if isinstance(fact, QueueLeft) and fact.outcome == "callback":
                callbacks.add(fact.call_id)
        if isinstance(fact, CallHandled) and fact.agent_id in self._agents:
            self._agents[fact.agent_id].counts.add(
                at, (1.0, fact.talk_s + fact.wrap_s), midnight(at, self._tz)
            )

    def _agent_changed(self, fact: AgentStateChanged) -> None:
        track = self._agents.setdefault(fact.agent_id, _AgentTrack())
        if track.state is not AgentState.LOGGED_OUT:
            track.periods.append((track.since, fact.at, track.state))
        track.state, track.reason, track.since = fact.state, fact.reason, fact.at
        horizon = min(fact.at - 3600.0, midnight(fact.at, self._tz))
        while track.periods and track.periods[0][1] <= horizon:
            track.periods.pop(0)

    def queue(self, name: str, now: float) -> QueueSnapshot:
        day = midnight(now, self._tz)
        by_state = dict.fromkeys((s.value for s in AgentState if s is not AgentState.LOGGED_OUT), 0)
        for agent_id, track in self._agents.items():
            if track.state is not AgentState.LOGGED_OUT and name in self._members.get(agent_id, ()):
                by_state[track.state.value] += 1
        waiting = self._waiting[name]
        return QueueSnapshot(
            queue=name,
            waiting=len(waiting),
            longest_wait_s=round(now - min(waiting.values()), 3) if waiting else 0.0,
            callbacks_pending=len(self._callbacks[name]),
            agents_by_state=by_state,
            windows={w: queue_figures(self._sums[name].totals(w, now, day)) for w in WINDOWS},
        )

    def agent(self, agent_id: str, now: float) -> AgentSnapshot:
        track = self._agents[agent_id]
        day = midnight(now, self._tz)
        windows: dict[str, AgentFigures] = {}
        for window, length in WINDOWS.items():
            start = day if length is None else now - length
            seconds: dict[str, float] = {}
            periods = list(track.periods)
            if track.state is not AgentState.LOGGED_OUT:
                periods.append((track.since, now, track.state))
            for begin, end, state in periods:
                if (spent := overlap(begin, end, start, now)) > 0:
                    seconds[state.value] = seconds.get(state.value, 0.0) + spent
            handled, handle_sum = track.counts.totals(window, now, day)
            windows[window] = agent_figures(handled, handle_sum, seconds)
        logged_in = track.state is not AgentState.LOGGED_OUT
        return AgentSnapshot(
            agent_id,
            track.state,
            track.reason if logged_in else "",
            round(now - track.since, 3) if logged_in else 0.0,
            windows,
        )

    def queues(self, now: float) -> list[QueueSnapshot]:
        return [self.queue(name, now) for name in self._listed]

    def agents(self, now: float) -> list[AgentSnapshot]:
        return [self.agent(agent_id, now) for agent_id in sorted(self._agents)]
