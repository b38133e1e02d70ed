# -*- test-case-name: tests.wallboard.test_board -*-
"""The wallboard's picture of the floor, from facts (pure: facts in, JSON-ready rows out).

The queue figures are :class:`~switchboard.queue.core.stats.LiveStats`' (the same
definitions as the ACD's own and as :func:`~switchboard.queue.core.history.recompute`);
this module adds what a supervisor reads beside them: who waits (number, customer, VIP
tier, language, position), each agent's current call, today's 15-minute series and the
colour of each tile. Facts must come in time order: stored ones first (replayed at start,
see :mod:`.replay`), then the hub's.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any, Final

from switchboard.config.model import WallboardColours
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
from switchboard.queue.core.stats import BUSY_STATES, LiveStats
from switchboard.wallboard.series import DaySeries

__all__ = ["AGENTS", "Board", "Visibility", "tile_level"]

AGENTS: Final = "*agents*"  # in the set :meth:`Board.apply` returns: agent rows changed

# Queue names one viewer may see; None: every queue (an admin).
Visibility = Collection[str] | None


@dataclass(slots=True)
class _Caller:
    call_id: str
    queue: str
    since: float  # joined this queue
    enqueued_at: float  # the caller's original place
    priority: int
    number: str
    language: str
    tier: int
    customer: str = ""
    callback: bool = False


@dataclass(slots=True)
class _Call:
    queue: str
    since: float


def tile_level(
    colours: WallboardColours, service_level_pct: float | None, longest_wait_s: float
) -> str:
    """ "ok", "amber" or "red": the worse of what the service level and the wait say."""
    if (service_level_pct is not None and service_level_pct < colours.red_below_pct) or (
        longest_wait_s > colours.red_wait_s
    ):
        return "red"
    if (service_level_pct is not None and service_level_pct < colours.amber_below_pct) or (
        longest_wait_s > colours.amber_wait_s
    ):
        return "amber"
    return "ok"


def _pct(part: float, whole: float) -> float | None:
    return round(100.0 * part / whole, 1) if whole > 0 else None


class Board:
    def __init__(
        self,
        queues: Iterable[Queue],
        agents: Iterable[Agent],
        *,
        timezone: tzinfo,
        colours: dict[str, WallboardColours] | None = None,
        default_colours: WallboardColours | None = None,
    ) -> None:
        queues, agents = list(queues), list(agents)
        self.stats = LiveStats(queues, agents, timezone=timezone)
        self.series = DaySeries(timezone)
        self._colours = colours or {}
        self._default_colours = default_colours or WallboardColours()
        self._queues: dict[str, Queue] = {}
        self._agents: dict[str, Agent] = {}
        self._callers: dict[str, _Caller] = {}  # call id -> waiting or awaiting a callback
        self._calls: dict[str, _Call] = {}  # agent id -> the call they are on
        # agent id -> (state, reason, since) of the logged-in: what a row shows, without
        # LiveStats' per-window figures (too dear for a thousand agents every second)
        self._states: dict[str, tuple[AgentState, str, float]] = {}
        self._set_config(queues, agents)

    # -- configuration ----------------------------------------------------------------------
    def _set_config(self, queues: list[Queue], agents: list[Agent]) -> None:
        self._queues.update({q.name: q for q in queues})
        self._listed = sorted(q.name for q in queues)
        self._agents.update({a.id: a for a in agents})

    def reconfigure(self, queues: Iterable[Queue], agents: Iterable[Agent]) -> None:
        queues, agents = list(queues), list(agents)
        self.stats.reconfigure(queues, agents)
        self._set_config(queues, agents)

    @property
    def queue_names(self) -> list[str]:
        return list(self._listed)

    # -- facts ------------------------------------------------------------------------------
    def apply(self, facts: Iterable[Fact]) -> set[str]:
        """Count ``facts``; the queues whose tile changed (and :data:`AGENTS`)."""
        touched: set[str] = set()
        for fact in facts:
            self.stats.apply((fact,))
            touched |= self._apply(fact)
        return touched

    def _apply(self, fact: Fact) -> set[str]:
        if isinstance(fact, AgentStateChanged):
            if fact.state is AgentState.LOGGED_OUT:
                self._states.pop(fact.agent_id, None)
            else:
                self._states[fact.agent_id] = (fact.state, fact.reason, fact.at)
            if fact.state not in BUSY_STATES:
                self._calls.pop(fact.agent_id, None)
            return {AGENTS, *self._agent_queues(fact.agent_id)}
        queue = self._queues.get(getattr(fact, "queue", ""))
        if queue is None:
            return set()
        touched = {queue.name}
        if isinstance(fact, CallQueued):
            self._callers[fact.call_id] = _Caller(
                fact.call_id,
                fact.queue,
                fact.at,
                fact.enqueued_at or fact.at,
                fact.priority,
                fact.caller_number,
                fact.language,
                fact.customer_tier,
            )
        elif isinstance(fact, CallAnswered):
            self._callers.pop(fact.call_id, None)
            self._calls[fact.agent_id] = _Call(fact.queue, fact.at)
            touched.add(AGENTS)
        elif isinstance(fact, QueueLeft):
            caller = self._callers.pop(fact.call_id, None)
            if fact.outcome == "callback" and caller is not None:
                caller.callback, caller.since = True, fact.at
                self._callers[fact.call_id] = caller
        elif isinstance(fact, CallHandled | CallFinished):
            agent_id = fact.agent_id
            if agent_id and agent_id in self._calls and isinstance(fact, CallHandled):
                self._calls.pop(agent_id)
                touched.add(AGENTS)
        self.series.add(fact, queue, self._waiting_count(queue.name))
        return touched

    def name_customer(self, call_id: str, name: str, tier: int) -> str | None:
        """The CRM found the caller: their name (and tier, if the call had none); the queue."""
        caller = self._callers.get(call_id)
        if caller is None:
            return None
        caller.customer = name
        caller.tier = caller.tier or tier
        return caller.queue

    def callers_without_name(self) -> list[tuple[str, str]]:
        """(call id, number) of callers the CRM has not been asked about yet."""
        return [
            (c.call_id, c.number) for c in self._callers.values() if c.number and not c.customer
        ]

    # -- reading ----------------------------------------------------------------------------
    def _waiting_count(self, queue: str) -> int:
        return sum(1 for c in self._callers.values() if c.queue == queue and not c.callback)

    def _agent_queues(self, agent_id: str) -> tuple[str, ...]:
        agent = self._agents.get(agent_id)
        return agent.queues if agent is not None else ()

    def visible_queues(self, visibility: Visibility) -> list[str]:
        if visibility is None:
            return self.queue_names
        return [name for name in self._listed if name in visibility]

    def queue_json(self, name: str, now: float) -> dict[str, Any]:
        """One queue: its tile, its callers and today's series."""
        snap = self.stats.queue(name, now)
        today = snap.windows["today"]
        by_state = snap.agents_by_state
        counted = today.answered + today.abandoned - today.short_abandons
        colours = self._colours.get(name, self._default_colours)
        waiting_callers = self._callers_of(name)
        oldest = min((c.since for c in waiting_callers if not c.callback), default=None)
        queue = self._queues[name]
        return {
            "queue": name,
            "tile": {
                "waiting": snap.waiting,
                "longest_wait_s": snap.longest_wait_s,
                "oldest_since": oldest,
                "service_level_pct": today.service_level_pct,
                "service_level_s": queue.service_level_s,
                "abandoned_pct": _pct(today.abandoned - today.short_abandons, counted),
                "short_abandons": today.short_abandons,
                "asa_s": today.asa_s,
                "aht_s": today.aht_s,
                "offered": today.offered,
                "answered": today.answered,
                "abandoned": today.abandoned,
                "callbacks_pending": snap.callbacks_pending,
                "agents": {
                    "ready": by_state.get(AgentState.READY.value, 0),
                    "busy": sum(by_state.get(s.value, 0) for s in BUSY_STATES),
                    "not_ready": by_state.get(AgentState.NOT_READY.value, 0),
                },
                "colours": colours.model_dump(),
                "level": tile_level(colours, today.service_level_pct, snap.longest_wait_s),
            },
            "waiting": [
                self._caller_json(c, position)
                for position, c in waiting_callers_ranked(waiting_callers)
            ],
            "series": self.series.json(name, now, snap.waiting),
        }

    def _callers_of(self, queue: str) -> list[_Caller]:
        return [c for c in self._callers.values() if c.queue == queue]

    @staticmethod
    def _caller_json(caller: _Caller, position: int | None) -> dict[str, Any]:
        return {
            "call_id": caller.call_id,
            "number": caller.number,
            "customer": caller.customer,
            "vip_tier": caller.tier,
            "language": caller.language,
            "queue": caller.queue,
            "since": caller.since,
            "position": position,
            "callback": caller.callback,
        }

    def agent_rows(self, now: float, visibility: Visibility) -> list[dict[str, Any]]:
        """Logged-in agents who serve a visible queue (an admin sees every agent)."""
        rows = []
        for agent_id in sorted(self._states):
            state, reason, since = self._states[agent_id]
            queues = self._agent_queues(agent_id)
            if visibility is not None and not any(q in visibility for q in queues):
                continue
            agent = self._agents.get(agent_id)
            call = self._calls.get(agent_id) if state in BUSY_STATES else None
            rows.append(
                {
                    "agent_id": agent_id,
                    "name": agent.name if agent is not None and agent.name else agent_id,
                    "state": state.value,
                    "reason": reason if state is AgentState.NOT_READY else "",
                    "since": since,
                    "queues": list(queues),
                    "call": None if call is None else {"queue": call.queue, "since": call.since},
                }
            )
        return rows


def waiting_callers_ranked(callers: list[_Caller]) -> list[tuple[int | None, _Caller]]:
    """Live callers by priority then original place (the ACD's order before aging and
    weights: an estimate), then the callbacks awaiting their turn (no position)."""
    live = sorted(
        (c for c in callers if not c.callback), key=lambda c: (-c.priority, c.enqueued_at)
    )
    callbacks = sorted((c for c in callers if c.callback), key=lambda c: c.enqueued_at)
    return [(i, c) for i, c in enumerate(live, 1)] + [(None, c) for c in callbacks]
