# -*- test-case-name: tests.queue.test_reload,tests.queue.test_properties -*-
"""A new queue configuration applied to a running router, losing nothing.

- Added queues and agents appear at once (new agents logged out).
- A changed queue applies to new decisions: waiting calls keep their enqueue time and
  sequence (their place), and are filed again under the new skills, strategy, weight and
  aging. Timers already set for a waiting call (overflow steps, maximum wait,
  announcements, callback offer) keep the times they were set with; calls joining later
  get the new ones. A call already offered or connected keeps its offer and its queue's
  new wrap-up time applies when it ends.
- A removed queue that still holds calls is *retired*: it takes no new calls (arrivals and
  fallbacks to it are turned away as for an unknown queue), keeps serving the ones it has
  with the agents that served it when it was removed, and is dropped when its last call
  ends. Without calls it goes at once.
- A changed agent (skills, languages, queues, device) applies at once; an agent holding a
  call keeps it, so the change shows from their next offer.
- A removed agent who is idle (ready or not ready) is logged out at once; one reserved,
  on a call or in wrap-up is logged out when that call and its wrap-up are over (events
  from them other than a log-out are refused meanwhile), then forgotten.

After the change, waiting calls are routed again in order of effective priority, so a
ready agent who may now take a call gets it at once.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import TYPE_CHECKING

from switchboard.queue import _callflow
from switchboard.queue._agents import WORKING_STATES, AgentRuntime
from switchboard.queue._waiting import CallPhase, CallRuntime
from switchboard.queue.model import Agent, AgentState, Queue

if TYPE_CHECKING:
    from switchboard.queue.router import Router

__all__ = ["apply_config", "tidy"]

LOGOUT = "logout"


def apply_config(router: Router, queues: tuple[Queue, ...], agents: tuple[Agent, ...]) -> None:
    wanted = {q.name: q for q in queues}
    in_use = {runtime.queue for runtime in router.calls.values()}
    retired: dict[str, frozenset[str]] = {}
    kept: dict[str, Queue] = {}
    for name, queue in router.queues.items():
        if name not in wanted and name in in_use:
            kept[name] = queue
            retired[name] = router.retired.get(name) or frozenset(
                agent_id for agent_id, runtime in router.agents.items()
                if name in runtime.agent.queues
            )
    router.retired = retired
    router.queues = MappingProxyType({**wanted, **kept})

    for agent in agents:
        runtime = router.agents.get(agent.id)
        if runtime is None:
            router.agents[agent.id] = AgentRuntime(agent)
        else:
            if agent.id in router.removed:  # removed, then back before it left: stays
                router.removed.discard(agent.id)
                if runtime.pending == LOGOUT:
                    runtime.pending = None
            if agent.device != runtime.agent.device:
                runtime.device_free, runtime.epoch = True, runtime.epoch + 1
        router.configured[agent.id] = agent
    listed = {agent.id for agent in agents}
    for agent_id in sorted(set(router.agents) - listed - router.removed):
        _remove_agent(router, router.agents[agent_id])
    _refresh(router)

    # Every waiting call filed again under its queue's new rules, best first, then routed.
    waiting = [rt for rt in router.calls.values() if rt.phase is CallPhase.WAITING]
    for call in waiting:
        router.waiting.remove(call)
    for call in sorted(waiting, key=lambda rt: _rank(router, rt)):
        _callflow.route(router, call)


def _rank(router: Router, runtime: CallRuntime) -> tuple[float, float, int]:
    queue = router.queues[runtime.queue]
    call = runtime.call
    effective = call.priority + queue.weight + queue.aging_per_min / 60.0 * (
        router.now - call.enqueued_at)
    return (-effective, call.enqueued_at, runtime.seq)


def _remove_agent(router: Router, runtime: AgentRuntime) -> None:
    router.removed.add(runtime.agent.id)
    if runtime.state in (AgentState.READY, AgentState.NOT_READY):
        router.move_agent(runtime, LOGOUT, "removed")
    elif runtime.state is not AgentState.LOGGED_OUT:
        runtime.pending = LOGOUT  # after the call and its wrap-up


def _refresh(router: Router) -> None:
    """Effective agents, the ready index, devices and per-queue counters made true again."""
    for agent_id, runtime in router.agents.items():
        agent = router.configured[agent_id]
        extra = tuple(name for name, members in router.retired.items()
                      if agent_id in members and name not in agent.queues)
        runtime.agent = replace(agent, queues=agent.queues + extra) if extra else agent
    router.forget_languages()
    router.ready.reset(router.queues)
    for runtime in router.agents.values():
        if runtime.routable:
            router.ready.add(runtime)
    router.index_devices()
    staffed = dict.fromkeys(router.queues, 0)
    for runtime in router.agents.values():
        if runtime.state in WORKING_STATES:
            for name in runtime.agent.queues:
                if name in staffed:
                    staffed[name] += 1
    router.staffed = staffed
    router.live_waiting = {name: router.live_waiting.get(name, 0) for name in router.queues}
    router.handle_avg = {
        name: router.handle_avg.get(name, queue.expected_handle_s)
        for name, queue in router.queues.items()
    }


def tidy(router: Router) -> None:
    """After each event: forget removed agents now logged out, drop retired queues that
    hold no call any more."""
    gone_agents = [agent_id for agent_id in router.removed
                   if router.agents[agent_id].state is AgentState.LOGGED_OUT]
    for agent_id in gone_agents:
        router.removed.discard(agent_id)
        del router.agents[agent_id]
        del router.configured[agent_id]
    in_use = {runtime.queue for runtime in router.calls.values()} if router.retired else set()
    gone_queues = [name for name in router.retired if name not in in_use]
    for name in gone_queues:
        del router.retired[name]
    if gone_queues:
        router.queues = MappingProxyType(
            {name: q for name, q in router.queues.items() if name not in gone_queues})
    if gone_agents or gone_queues:
        _refresh(router)
