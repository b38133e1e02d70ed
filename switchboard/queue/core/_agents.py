# -*- test-case-name: tests.queue.test_router -*-
"""Agents as the router sees them: the state table, and the index of ready agents.

Rule 1 (as in h11's ``_state.py``): every agent state change goes through
:data:`AGENT_TRANSITIONS`; a (state, trigger) pair missing from it raises
:class:`~switchboard.queue.core._transitions.IllegalTransition` (calls have the same rule, in
:mod:`._waiting`).

Ready agents are kept per queue in a heap ordered by the queue's strategy. Entries are
never removed in place: an entry is stale once the agent's ``epoch`` moved on (it left
READY, or its device became unusable), and stale entries are dropped when they surface.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from switchboard.queue.core._deadlines import Tokens
from switchboard.queue.core.model import Agent, AgentState, Queue, Strategy

__all__ = ["AGENT_TRANSITIONS", "WORKING_STATES", "AgentRuntime", "ReadyAgents"]

S = AgentState
AGENT_TRANSITIONS: Final[Mapping[tuple[AgentState, str], AgentState]] = {
    (S.LOGGED_OUT, "login"): S.NOT_READY,
    (S.LOGGED_OUT, "login_ready"): S.READY,
    (S.NOT_READY, "ready"): S.READY,
    (S.NOT_READY, "not_ready"): S.NOT_READY,
    (S.READY, "not_ready"): S.NOT_READY,
    (S.READY, "offer"): S.RESERVED,
    (S.RESERVED, "answer"): S.ON_CALL,
    (S.RESERVED, "no_answer"): S.NOT_READY,
    (S.RESERVED, "released"): S.READY,
    (S.RESERVED, "logout"): S.LOGGED_OUT,
    (S.ON_CALL, "call_ended"): S.WRAP_UP,
    (S.ON_CALL, "call_ended_no_wrap"): S.READY,
    (S.WRAP_UP, "wrap_up_ended"): S.READY,
    (S.WRAP_UP, "ready"): S.READY,
    (S.WRAP_UP, "not_ready"): S.NOT_READY,
    (S.READY, "logout"): S.LOGGED_OUT,
    (S.NOT_READY, "logout"): S.LOGGED_OUT,
    (S.WRAP_UP, "logout"): S.LOGGED_OUT,
}
WORKING_STATES: Final = frozenset({S.READY, S.RESERVED, S.ON_CALL, S.WRAP_UP})
# Device states (AMI DeviceStateChange) in which a device may be offered a call.
FREE_DEVICE_STATES: Final = frozenset({"NOT_INUSE", "UNKNOWN"})


@dataclass(slots=True)
class AgentRuntime:
    agent: Agent
    state: AgentState = AgentState.LOGGED_OUT
    reason: str = ""
    since: float = 0.0
    device_free: bool = True
    call_id: str | None = None  # the one call this agent holds (reserved, on call, wrap-up)
    # Pause reason (or "logout") asked for while on a call: applied when it is over.
    pending: str | None = None
    epoch: int = 0  # bumped whenever the agent stops being routable
    idle_since: float = 0.0
    calls_taken: int = 0
    last_offer_seq: dict[str, int] = field(default_factory=dict)
    tokens: Tokens = field(default_factory=Tokens)  # for the wrap-up deadline
    # (call_id, queue, talk_s) of the call being wrapped up, for CallHandled.
    wrapping: tuple[str, str, float] | None = None

    @property
    def routable(self) -> bool:
        return self.state is AgentState.READY and self.device_free


def strategy_key(
    queue: Queue, runtime: AgentRuntime, draw: Callable[[], float]
) -> tuple[float, ...]:
    """The agent's rank in ``queue`` while it stays ready: smaller is offered first."""
    agent = runtime.agent
    if queue.strategy is Strategy.FEWEST_CALLS:
        key: tuple[float, ...] = (runtime.calls_taken, runtime.idle_since)
    elif queue.strategy is Strategy.ROUND_ROBIN:
        key = (runtime.last_offer_seq.get(queue.name, 0),)
    elif queue.strategy is Strategy.HIGHEST_SKILL:
        key = (-sum(agent.level(s) for s in queue.required_skills), runtime.idle_since)
    elif queue.strategy is Strategy.RANDOM:
        key = (draw(),)
    else:
        key = (runtime.idle_since,)
    if queue.tiered:
        key = (-sum(agent.level(s) for s in queue.required_skills), *key)
    return key


class ReadyAgents:
    """Per queue, the ready agents in the order that queue's strategy offers them."""

    def __init__(self, queues: Mapping[str, Queue], seed: int) -> None:
        self._queues = queues
        self._heaps: dict[str, list[tuple[tuple[float, ...], str, int]]] = {
            name: [] for name in queues
        }
        self._random = random.Random(seed)

    def reset(self, queues: Mapping[str, Queue]) -> None:
        """Serve ``queues`` (a reload) with every heap empty: the caller files the ready
        agents again, ranked by the queues' new strategies."""
        self._queues = queues
        self._heaps = {name: [] for name in queues}

    def add(self, runtime: AgentRuntime) -> None:
        for name in runtime.agent.queues:
            queue = self._queues.get(name)
            if queue is not None:
                key = strategy_key(queue, runtime, self._random.random)
                heapq.heappush(self._heaps[name], (key, runtime.agent.id, runtime.epoch))

    def best(
        self,
        queue_names: Iterable[str],
        agents: Mapping[str, AgentRuntime],
        accepts: Callable[[Agent], bool],
    ) -> AgentRuntime | None:
        """The first routable agent that ``accepts``, own queue's agents before others'."""
        for name in queue_names:
            heap = self._heaps.get(name)
            if not heap:
                continue
            skipped: list[tuple[tuple[float, ...], str, int]] = []
            found: AgentRuntime | None = None
            while heap:
                entry = heap[0]
                runtime = agents.get(entry[1])  # None: removed by a reload
                if runtime is None or not runtime.routable or runtime.epoch != entry[2]:
                    heapq.heappop(heap)  # stale
                    continue
                if accepts(runtime.agent):
                    found = runtime
                    break
                skipped.append(heapq.heappop(heap))
            for entry in skipped:
                heapq.heappush(heap, entry)
            if found is not None:
                return found
        return None

    def size(self, name: str) -> int:
        """Entries held for ``name`` (stale ones included): for tests and the benchmark."""
        return len(self._heaps.get(name, ()))
