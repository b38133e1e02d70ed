# -*- test-case-name: tests.integration.test_demo_people -*-
"""The demo's seats for people: agents the demo's bot leaves alone.

A person who logs in to the seat as one of these agents decides when they are ready or
not: the bot never logs them in or readies them (in app_queue mode they are not the
queues' static members either, so they join with the seat's log-in, ``QueueAdd``). Their
simulated phone still does what a phone does: it rings, the simulated agent leg answers
after :data:`RING_S` (so the pop is on screen a while before the answer), talks for
:data:`TALK_S`, and hangs up; wrap-up is then the person's (``finish wrap-up``) or the
queue's wrap-up time.

One seat per queue in turn, each an agent of that queue only where there is one (the
lowest id): with the example queues, ``1001`` (sales) and ``2001`` (support).
"""

from __future__ import annotations

from collections.abc import Sequence

from switchboard.queue.core.model import Agent, Queue
from switchboard.sim.pbx import AgentBehaviour

__all__ = ["RING_S", "TALK_S", "human_seats", "person_phone"]

RING_S = 8.0  # simulated seconds a person's phone rings before the simulated leg answers
TALK_S = 40.0  # simulated seconds the simulated leg talks, then hangs up
RING_SHARE = 0.6  # of the shortest ring timeout of their queues, when that is under RING_S


def human_seats(agents: Sequence[Agent], queues: Sequence[Queue], people: int) -> list[Agent]:
    """``people`` agents, one per queue in turn: of each queue the agent with the fewest
    queues, then the lowest id (a seat that sees that queue's calls)."""
    chosen: list[Agent] = []
    while len(chosen) < min(people, len(agents)):
        before = len(chosen)
        for queue in queues:
            free = [a for a in agents if queue.name in a.queues and a not in chosen]
            if free and len(chosen) < people:
                chosen.append(min(free, key=lambda a: (len(a.queues), a.id)))
        if len(chosen) == before:  # agents in no queue: taken by id
            chosen.extend(sorted((a for a in agents if a not in chosen), key=lambda a: a.id))
    return chosen[:people]


def person_phone(agent: Agent, queues: Sequence[Queue]) -> AgentBehaviour:
    """The person's simulated phone: answers after :data:`RING_S`, or sooner when a queue
    of theirs stops ringing before that (a ring that outlasts it would be a missed call)."""
    timeouts = [q.ring_timeout_s for q in queues if q.name in agent.queues]
    ring = min([RING_S, *(t * RING_SHARE for t in timeouts)])
    return AgentBehaviour(answer_after_s=round(ring, 1), talk_s=TALK_S)
