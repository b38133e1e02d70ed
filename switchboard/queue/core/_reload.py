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

The functions here are pure: they compute the next :class:`Roster` (which queues and agents
are served, retired and removed); the router applies what follows from it to the agents
and calls it holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from switchboard.queue.core.model import Agent, Queue

__all__ = ["Roster", "reconfigured", "tidied"]


@dataclass(frozen=True, slots=True)
class Roster:
    """The queues and agents a router serves, as configured, and what a reload left over.

    ``retired``: removed queues that still hold calls, with the agents that serve them
    until then; ``removed``: agents no longer configured who still hold a call.
    """

    queues: Mapping[str, Queue]
    configured: Mapping[str, Agent]
    retired: Mapping[str, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}))
    removed: frozenset[str] = frozenset()

    @classmethod
    def of(cls, queues: Iterable[Queue], agents: Iterable[Agent]) -> Roster:
        return cls(
            MappingProxyType({q.name: q for q in queues}),
            MappingProxyType({a.id: a for a in agents}),
        )

    def accepting(self, queue: str) -> bool:
        """True if new calls may join ``queue`` (it exists and was not removed)."""
        return queue in self.queues and queue not in self.retired

    def effective(self, agent_id: str) -> Agent:
        """The agent as configured, plus the retired queues it still serves."""
        agent = self.configured[agent_id]
        extra = tuple(
            name
            for name, members in self.retired.items()
            if agent_id in members and name not in agent.queues
        )
        return replace(agent, queues=agent.queues + extra) if extra else agent


def reconfigured(
    roster: Roster, queues: Iterable[Queue], agents: Iterable[Agent], in_use: frozenset[str]
) -> Roster:
    """The roster after a reload to ``queues`` and ``agents``, with calls in ``in_use``
    queues still waiting, ringing or talking."""
    wanted = {q.name: q for q in queues}
    retired: dict[str, frozenset[str]] = {}
    kept: dict[str, Queue] = {}
    for name, queue in roster.queues.items():
        if name not in wanted and name in in_use:
            kept[name] = queue
            retired[name] = roster.retired.get(name) or frozenset(
                agent_id
                for agent_id in roster.configured
                if name in roster.effective(agent_id).queues
            )
    configured = {**roster.configured, **{agent.id: agent for agent in agents}}
    listed = {agent.id for agent in agents}
    return Roster(
        MappingProxyType({**wanted, **kept}),
        MappingProxyType(configured),
        MappingProxyType(retired),
        frozenset(set(configured) - listed),
    )


def tidied(roster: Roster, gone_agents: Iterable[str], in_use: frozenset[str]) -> Roster:
    """The roster without removed agents now gone and retired queues no call holds."""
    gone = set(gone_agents)
    gone_queues = {name for name in roster.retired if name not in in_use}
    if not gone and not gone_queues:
        return roster
    return Roster(
        MappingProxyType({n: q for n, q in roster.queues.items() if n not in gone_queues}),
        MappingProxyType({i: a for i, a in roster.configured.items() if i not in gone}),
        MappingProxyType({n: m for n, m in roster.retired.items() if n not in gone_queues}),
        roster.removed - gone,
    )
