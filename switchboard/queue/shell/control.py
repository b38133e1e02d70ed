# -*- test-case-name: tests.control.test_api,tests.control.test_cli -*-
"""Agent control: log in, ready, pause, log out, and read agents' states.

:class:`AgentControl` is the one API every front end uses (the ``switchboard agents``
command through the control endpoint today; the agent seat and the REST API later). Its
methods are ``async`` so that a back-end which must ask the PBX (app_queue through AMI
``QueueAdd`` / ``QueuePause``) fits behind it as well as the ACD, which answers at once.

Every refusal is an :class:`AgentControlError` whose ``code`` a front end maps to its own
form (the control endpoint to HTTP statuses) and whose message says what to do instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from switchboard.pause_reasons import DEFAULT_PAUSE_REASONS
from switchboard.queue.core.events import (
    AgentLoggedIn,
    AgentLoggedOut,
    AgentNotReady,
    AgentReady,
    WrapUpEnded,
)
from switchboard.queue.core.model import AgentState

if TYPE_CHECKING:
    from switchboard.queue.shell.service import AcdService

__all__ = [
    "DEFAULT_PAUSE_REASONS",
    "AcdAgentControl",
    "AgentControl",
    "AgentControlError",
    "AgentView",
    "check_reason",
    "unknown_agent",
]

_Command = AgentLoggedIn | AgentReady | AgentNotReady | AgentLoggedOut | WrapUpEnded
ErrorCode = Literal["unknown_agent", "refused", "bad_request", "unavailable"]


@dataclass(frozen=True, slots=True)
class AgentView:
    """One agent as an operator sees it (``since``: epoch seconds of the last change)."""

    id: str
    name: str
    device: str
    state: AgentState
    reason: str
    since: float
    queues: tuple[str, ...]
    call_id: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "device": self.device,
            "state": self.state.value,
            "reason": self.reason,
            "since": self.since,
            "queues": list(self.queues),
            "call_id": self.call_id,
        }


class AgentControlError(Exception):
    """A refused agent command. ``known``: the agent ids, when the agent was not found;
    ``valid``: the configured pause reasons, when the reason was not one of them."""

    def __init__(
        self, code: ErrorCode, message: str, known: Sequence[str] = (), valid: Sequence[str] = ()
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.known = tuple(known)
        self.valid = tuple(valid)


def unknown_agent(agent_id: str, known: Iterable[str], none: str = "(none)") -> AgentControlError:
    """The refusal of an agent id the queue file does not have, listing those it has."""
    ids = sorted(known)
    return AgentControlError(
        "unknown_agent",
        f"no agent {agent_id!r} in the queue file; known agents: " + (", ".join(ids) or none),
        ids,
    )


def check_reason(reason: str, valid: Sequence[str] = DEFAULT_PAUSE_REASONS) -> str:
    """The pause reason, or :class:`AgentControlError` listing the configured ones."""
    if reason not in valid:
        raise AgentControlError(
            "bad_request",
            f"unknown pause reason {reason!r}; use one of: {', '.join(valid)} "
            "(the list is [queues] pause_reasons in the settings)",
            valid=valid,
        )
    return reason


class AgentControl(Protocol):
    """What any agent-control back-end offers (the ACD today, app_queue later)."""

    async def agents(self) -> list[AgentView]: ...

    async def agent(self, agent_id: str) -> AgentView: ...

    async def log_in(
        self, agent_id: str, ready: bool = False, queues: Sequence[str] = ()
    ) -> AgentView: ...

    async def ready(self, agent_id: str) -> AgentView: ...

    async def pause(self, agent_id: str, reason: str = "break") -> AgentView: ...

    async def log_out(self, agent_id: str) -> AgentView: ...

    async def finish_wrapup(self, agent_id: str) -> AgentView:
        """End the agent's wrap-up now: ready, or the pause asked for during the call."""
        ...


class AcdAgentControl:
    """Agent control for switchboard's own ACD: the router decides, at once.

    Commands go through :meth:`AcdService.command`, which reports the router's refusal of
    exactly that command (already logged in, logged out ...) instead of only logging it.
    A command for an agent on a call takes effect when the call is over (a pause, a log
    out) and is accepted now: the view then still shows the call.
    """

    def __init__(
        self, acd: AcdService, pause_reasons: Sequence[str] = DEFAULT_PAUSE_REASONS
    ) -> None:
        self._acd = acd
        self._reasons = tuple(pause_reasons)

    async def agents(self) -> list[AgentView]:
        return [self._view(agent_id) for agent_id in sorted(self._acd.router.agents)]

    async def agent(self, agent_id: str) -> AgentView:
        return self._view(self._known(agent_id))

    async def log_in(
        self, agent_id: str, ready: bool = False, queues: Sequence[str] = ()
    ) -> AgentView:
        self._known(agent_id)
        if queues:
            raise AgentControlError(
                "bad_request",
                "the ACD logs an agent in to all the queues the queue file "
                f"gives them; leave out --queue (agent {agent_id!r})",
            )
        return self._run(AgentLoggedIn(agent_id, ready))

    async def ready(self, agent_id: str) -> AgentView:
        return self._run(AgentReady(self._known(agent_id)))

    async def pause(self, agent_id: str, reason: str = "break") -> AgentView:
        return self._run(AgentNotReady(self._known(agent_id), check_reason(reason, self._reasons)))

    async def log_out(self, agent_id: str) -> AgentView:
        return self._run(AgentLoggedOut(self._known(agent_id)))

    async def finish_wrapup(self, agent_id: str) -> AgentView:
        return self._run(WrapUpEnded(self._known(agent_id)))

    def _known(self, agent_id: str) -> str:
        if agent_id not in self._acd.router.agents:
            raise unknown_agent(agent_id, self._acd.router.agents)
        return agent_id

    def _run(self, event: _Command) -> AgentView:
        refusal = self._acd.command(event)
        if refusal:
            raise AgentControlError("refused", refusal + self._hint(event))
        return self._view(event.agent_id)

    def _hint(self, event: object) -> str:
        runtime = self._acd.router.agents.get(getattr(event, "agent_id", ""))
        if runtime is None:
            return ""
        if isinstance(event, AgentLoggedIn):
            return f" (now {runtime.state.value}; use ready or pause to change that)"
        if isinstance(event, WrapUpEnded):
            return f" (now {runtime.state.value})"
        if runtime.state is AgentState.LOGGED_OUT and not isinstance(event, AgentLoggedOut):
            return f"; log in first: switchboard agents login {runtime.agent.id}"
        return ""

    def _view(self, agent_id: str) -> AgentView:
        runtime = self._acd.router.agents[agent_id]
        agent = runtime.agent
        return AgentView(
            agent.id,
            agent.name,
            agent.device,
            runtime.state,
            runtime.reason,
            runtime.since,
            agent.queues,
            runtime.call_id or "",
        )
