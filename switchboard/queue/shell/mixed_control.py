# -*- test-case-name: tests.queue.test_mixed_control -*-
"""Agent control for a queue file that mixes ``routing: switchboard`` and ``app_queue``.

The ACD controls the agents of its queues, app_queue (through AMI) the agents of
Asterisk's; :class:`MixedAgentControl` sends each command to the side(s) the agent's
queues are on. An agent in queues of both kinds is driven on both: a command that one
side refuses and the other accepts is done (the view says where it stands), one that
both refuse is refused with the first side's reason.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from functools import partial

from switchboard.queue.config.queue_file import QueueConfig
from switchboard.queue.shell.control import (
    AgentControl,
    AgentControlError,
    AgentView,
    unknown_agent,
)

__all__ = ["MixedAgentControl"]


class MixedAgentControl:
    """``acd`` for the ``switchboard`` queues, ``app_queue`` for the ``app_queue`` ones;
    ``config``: the whole queue file (which queue is whose)."""

    def __init__(self, acd: AgentControl, app_queue: AgentControl, config: QueueConfig) -> None:
        self._acd = acd
        self._app_queue = app_queue
        self._routing = {queue.name: queue.routing for queue in config.queues}
        self._queues = {agent.id: agent.queues for agent in config.agents}

    async def agents(self) -> list[AgentView]:
        return [await self.agent(agent_id) for agent_id in sorted(self._queues)]

    async def agent(self, agent_id: str) -> AgentView:
        return _merged([await side.agent(agent_id) for side in self._sides(agent_id)])

    async def log_in(
        self, agent_id: str, ready: bool = False, queues: Sequence[str] = ()
    ) -> AgentView:
        mine = self._queues_of(agent_id)
        foreign = [queue for queue in queues if queue not in mine]
        if foreign:
            raise AgentControlError(
                "bad_request",
                f"agent {agent_id!r} is not in queue(s) {', '.join(foreign)}; "
                f"their queues in the queue file: {', '.join(mine) or '(none)'}",
            )
        wanted = tuple(queues) or mine
        by_acd = [q for q in wanted if self._routing[q] == "switchboard"]
        by_app_queue = tuple(q for q in wanted if self._routing[q] == "app_queue")
        steps: list[Callable[[], Awaitable[AgentView]]] = []
        if by_acd:  # the ACD logs in to all the agent's queues of its own
            steps.append(lambda: self._acd.log_in(agent_id, ready))
        if by_app_queue:
            steps.append(lambda: self._app_queue.log_in(agent_id, ready, by_app_queue))
        return await self._each(agent_id, steps)

    async def ready(self, agent_id: str) -> AgentView:
        return await self._on_sides(agent_id, lambda side: side.ready(agent_id))

    async def pause(self, agent_id: str, reason: str = "break") -> AgentView:
        return await self._on_sides(agent_id, lambda side: side.pause(agent_id, reason))

    async def log_out(self, agent_id: str) -> AgentView:
        return await self._on_sides(agent_id, lambda side: side.log_out(agent_id))

    async def finish_wrapup(self, agent_id: str) -> AgentView:
        return await self._on_sides(agent_id, lambda side: side.finish_wrapup(agent_id))

    # -- dispatch --------------------------------------------------------------------------
    def _queues_of(self, agent_id: str) -> tuple[str, ...]:
        queues = self._queues.get(agent_id)
        if queues is None:
            raise unknown_agent(agent_id, self._queues)
        return queues

    def _sides(self, agent_id: str) -> list[AgentControl]:
        routings = {self._routing[queue] for queue in self._queues_of(agent_id)}
        sides = [self._acd] if "switchboard" in routings or not routings else []
        return sides + ([self._app_queue] if "app_queue" in routings else [])

    async def _on_sides(
        self, agent_id: str, command: Callable[[AgentControl], Awaitable[AgentView]]
    ) -> AgentView:
        return await self._each(
            agent_id, [partial(command, side) for side in self._sides(agent_id)]
        )

    async def _each(
        self, agent_id: str, steps: Sequence[Callable[[], Awaitable[AgentView]]]
    ) -> AgentView:
        refusals: list[AgentControlError] = []
        for step in steps:
            try:
                await step()
            except AgentControlError as refusal:
                if refusal.code != "refused":
                    raise  # a bad request, or Asterisk out of reach: say so at once
                refusals.append(refusal)
        if refusals and len(refusals) == len(steps):
            raise refusals[0]
        return await self.agent(agent_id)


def _merged(views: Sequence[AgentView]) -> AgentView:
    """One view of an agent on both sides: the busier side's state, every queue."""
    if len(views) == 1:
        return views[0]
    first = max(views, key=lambda view: _BUSIER.index(view.state.value))
    queues = tuple(dict.fromkeys(q for view in views for q in view.queues))
    return AgentView(
        first.id,
        first.name,
        first.device,
        first.state,
        first.reason,
        first.since,
        queues,
        first.call_id,
    )


# From least to most telling, to pick the state one view of a two-sided agent shows.
_BUSIER = ("logged_out", "not_ready", "ready", "wrap_up", "reserved", "on_call")
