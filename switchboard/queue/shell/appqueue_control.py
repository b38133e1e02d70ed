# -*- test-case-name: tests.queue.test_appqueue_control -*-
"""Agent control when Asterisk's app_queue routes the calls: AMI queue-member actions.

The same :class:`~switchboard.queue.shell.control.AgentControl` API as the ACD's, so that
``switchboard agents ...`` and the control endpoint work in either mode. Agents, their
devices, queues and skills come from the queue file. Each command becomes AMI actions
whose headers and answers are those of the ``ami-actions`` capture:

* log in: ``QueueAdd`` per queue (``MemberName``, ``StateInterface``, a ``Penalty``
  derived from the agent's skill levels, ``Paused``), then ``QueuePause`` with a
  ``Reason`` when not ready. ``Unable to add interface: Already there`` is a member
  Asterisk kept: its pause is set as asked.
* ready / pause: ``QueuePause`` per queue (``Reason`` from ``[queues] pause_reasons``).
* log out: ``QueueRemove`` per queue; ``Unable to remove interface: Not there`` is fine.
* wrap-up (Asterisk 22 has none on AMI): when the tracker's fact says an agent went to
  ``wrap_up`` (:meth:`on_fact`, subscribed to the hub's ``fact`` topic in ``app.py``),
  ``QueuePause`` with the reason ``wrap-up`` per queue; after the queue's wrap-up time (or
  at :meth:`finish_wrapup`) the member gets back the pause it should have (none when
  ready). The tracker ends the wrap-up when it sees that pause.

The views show the live state the tracker's facts tell (ringing, on a call, wrap-up)
over the stored one.

What each agent should be is stored (:mod:`switchboard.queue.store.member_store`): it survives
a switchboard restart, and after every AMI (re)login the members are compared with
``QueueStatus`` and put back as they were (``QueueAdd`` again after an Asterisk restart,
which forgets dynamic members; ``QueuePause`` / ``QueuePenalty`` where they differ).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

import structlog
from twisted.application.service import Service
from twisted.internet.defer import Deferred, succeed
from twisted.internet.interfaces import IDelayedCall

from switchboard.cti.ami import actions, values
from switchboard.cti.ami.errors import AmiActionFailed, AmiError
from switchboard.cti.ami.frames import Message
from switchboard.pause_reasons import DEFAULT_PAUSE_REASONS
from switchboard.queue.config.queue_file import QueueConfig
from switchboard.queue.core.appqueue import WRAPUP_REASON
from switchboard.queue.core.decisions import AgentStateChanged, CallAnswered, CallOffered, Fact
from switchboard.queue.core.model import MAX_SKILL_LEVEL, Agent, AgentState, Queue
from switchboard.queue.shell.control import (
    AgentControlError,
    AgentView,
    check_reason,
    unknown_agent,
)
from switchboard.queue.store.member_store import (
    DesiredMember,
    forget_desired,
    load_desired,
    store_desired,
)
from switchboard.store import Database

__all__ = ["AppQueueAgentControl", "penalty_for"]

log = structlog.get_logger(__name__)

LOGIN_REASON = "logged_in"  # the pause reason of an agent logged in but not ready (as the ACD)
_ALREADY_THERE = "Already there"
_NOT_THERE = "Not there"
# States only the tracker's facts know (what is stored is logged in, ready or paused).
_LIVE: Final = (AgentState.RESERVED, AgentState.ON_CALL, AgentState.WRAP_UP)


def penalty_for(agent: Agent, queue: Queue | None) -> int:
    """app_queue's penalty (lower rings first) from skill levels (higher is better): the
    weakest of the queue's required skills, else the agent's best skill, counted down from
    the top level. An agent without skills gets penalty 0."""
    if queue is not None and queue.required_skills:
        level = min(agent.skills.get(skill, 0) for skill in queue.required_skills)
    else:
        level = max(agent.skills.values(), default=MAX_SKILL_LEVEL)
    return max(0, MAX_SKILL_LEVEL - level)


class AppQueueAgentControl(Service):
    """Agents as app_queue dynamic members, driven through ``ami`` (an AmiClient)."""

    def __init__(
        self,
        ami: Any,
        config: QueueConfig,
        clock: Any,
        database: Database | None = None,
        pause_reasons: Sequence[str] = DEFAULT_PAUSE_REASONS,
    ) -> None:
        self._ami = ami
        self._agents = {agent.id: agent for agent in config.agents}
        self._queues = {queue.name: queue for queue in config.queues}
        self._clock = clock
        self._database = database
        self._reasons = tuple(pause_reasons)
        self._desired: dict[str, DesiredMember] = {}
        self._loaded: Deferred[None] = succeed(None)
        self._unsubscribe: Callable[[], None] | None = None
        self._live: dict[str, AgentStateChanged] = {}  # the last state fact per agent
        self._calls: dict[str, tuple[str, str]] = {}  # agent -> (call id, queue) rung/taken
        self._wrapups: dict[str, IDelayedCall] = {}  # agents in wrap-up -> its end
        # The last resync after an AMI login (tests and the log wait for it).
        self.last_resync: Deferred[list[str]] = succeed([])

    # -- service ---------------------------------------------------------------------------
    def startService(self) -> None:
        super().startService()
        if self._database is not None:
            self._loaded = self._database.run(load_desired).addCallbacks(
                self._restore,
                lambda failure: log.error(
                    "appqueue_agents_not_restored",
                    error=failure.getErrorMessage(),
                    hint="agents start logged out; check the database",
                ),
            )
        self._unsubscribe = self._ami.on_resynced(self._resynced)

    def stopService(self) -> Any:
        if self._unsubscribe is not None:
            self._unsubscribe()
        for timer in self._wrapups.values():
            timer.cancel()
        self._wrapups.clear()
        return super().stopService()

    def _restore(self, desired: dict[str, DesiredMember]) -> None:
        self._desired.update(desired)
        log.info("appqueue_agents_restored", agents=sorted(desired))

    def _resynced(self) -> None:
        self.last_resync = Deferred.fromCoroutine(self.resync())
        self.last_resync.addErrback(
            lambda failure: log.error("appqueue_resync_failed", error=failure.getErrorMessage())
        )

    # -- AgentControl ----------------------------------------------------------------------
    async def agents(self) -> list[AgentView]:
        await self._loaded
        return [self._view(agent_id) for agent_id in sorted(self._agents)]

    async def agent(self, agent_id: str) -> AgentView:
        await self._loaded
        return self._view(self._known(agent_id).id)

    async def log_in(
        self, agent_id: str, ready: bool = False, queues: Sequence[str] = ()
    ) -> AgentView:
        await self._loaded
        agent = self._known(agent_id)
        wanted = tuple(queues) or agent.queues
        foreign = [queue for queue in wanted if queue not in agent.queues]
        if foreign or not wanted:
            raise AgentControlError(
                "bad_request",
                f"agent {agent_id!r} is not in queue(s) {', '.join(foreign)}; "
                f"their queues in the queue file: {', '.join(agent.queues) or '(none)'}",
            )
        current = self._desired.get(agent_id)
        new = [queue for queue in wanted if current is None or queue not in current.queues]
        if not new:
            assert current is not None
            raise AgentControlError(
                "refused",
                f"agent {agent_id!r} is already logged in to "
                f"{', '.join(wanted)} (now {self._state(current).value}; use ready or pause "
                "to change that)",
            )
        paused = current.paused if current else not ready
        reason = current.reason if current else ("" if ready else LOGIN_REASON)
        joined = list(current.queues) if current else []
        try:
            for queue in new:
                await self._add(agent, queue, paused, reason)
                joined.append(queue)
        finally:
            if joined:
                await self._store(
                    agent_id, DesiredMember(tuple(joined), paused, reason, self._clock.seconds())
                )
        return self._view(agent_id)

    async def ready(self, agent_id: str) -> AgentView:
        return await self._set_pause(agent_id, False, "")

    async def pause(self, agent_id: str, reason: str = "break") -> AgentView:
        return await self._set_pause(agent_id, True, check_reason(reason, self._reasons))

    async def log_out(self, agent_id: str) -> AgentView:
        current = await self._logged_in(agent_id)
        agent = self._agents[agent_id]
        for queue in current.queues:
            await self._send(actions.queue_remove(queue, agent.device), ok=(_NOT_THERE,))
        self._desired.pop(agent_id, None)
        self._live.pop(agent_id, None)  # (a state the tracker told before the removal)
        if self._database is not None:
            await self._database.run(lambda session: forget_desired(session, agent_id))
        return self._view(agent_id)

    async def finish_wrapup(self, agent_id: str) -> AgentView:
        """End the agent's wrap-up now: the member gets back the pause it should have."""
        await self._loaded
        self._known(agent_id)
        live = self._live.get(agent_id)
        if live is None or live.state is not AgentState.WRAP_UP:
            state = self._view(agent_id).state.value
            raise AgentControlError(
                "refused", f"agent {agent_id!r} is not in wrap-up (now {state})"
            )
        timer = self._wrapups.pop(agent_id, None)
        if timer is not None:
            timer.cancel()
        await self._end_wrapup(agent_id)
        if self._live.get(agent_id) is live:  # the tracker has not told the end yet
            desired = self._desired.get(agent_id)
            paused = desired is not None and desired.paused
            self._live[agent_id] = AgentStateChanged(
                agent_id,
                self._clock.seconds(),
                AgentState.NOT_READY if paused else AgentState.READY,
                AgentState.WRAP_UP,
                desired.reason if desired and paused else "",
            )
        return self._view(agent_id)

    # -- live state and wrap-up, from the tracker's facts ------------------------------------
    def on_fact(self, fact: Fact) -> None:
        """Follow the queue file's app_queue agents (subscribed to the hub's ``fact``)."""
        if isinstance(fact, CallOffered | CallAnswered):
            if fact.queue in self._queues:
                self._calls[fact.agent_id] = (fact.call_id, fact.queue)
            return
        if not isinstance(fact, AgentStateChanged) or not self._in_app_queue(fact.agent_id):
            return
        agent_id = fact.agent_id
        _, queue = self._calls.get(agent_id, ("", ""))
        if fact.state is AgentState.WRAP_UP and queue in self._queues:
            self._live[agent_id] = fact
            self._start_wrapup(agent_id, self._queues[queue].wrap_up_s)
            return
        if fact.previous is AgentState.WRAP_UP and (timer := self._wrapups.pop(agent_id, None)):
            timer.cancel()  # ended otherwise: ready, paused or logged out meanwhile
            if fact.state is AgentState.READY:  # (maybe rung before the wrap-up pause
                self._background(self._end_wrapup(agent_id), "end")  # took: undo it)
        self._live[agent_id] = fact
        if fact.state not in _LIVE:
            self._calls.pop(agent_id, None)

    def _in_app_queue(self, agent_id: str) -> bool:
        agent = self._agents.get(agent_id)
        return agent is not None and bool(agent.queues)  # (not an agent of the ACD's only)

    def _start_wrapup(self, agent_id: str, wrap_up_s: float) -> None:
        if (old := self._wrapups.pop(agent_id, None)) is not None:
            old.cancel()
        self._wrapups[agent_id] = self._clock.callLater(wrap_up_s, self._wrapup_over, agent_id)
        agent = self._agents[agent_id]
        self._background(self._pause_member(agent, True, WRAPUP_REASON), "start")

    def _wrapup_over(self, agent_id: str) -> None:
        self._wrapups.pop(agent_id, None)
        self._background(self._end_wrapup(agent_id), "end")

    async def _end_wrapup(self, agent_id: str) -> None:
        desired = self._desired.get(agent_id)
        paused, reason = (desired.paused, desired.reason) if desired else (False, "")
        await self._pause_member(self._agents[agent_id], paused, reason if paused else "")

    async def _pause_member(self, agent: Agent, paused: bool, reason: str) -> None:
        desired = self._desired.get(agent.id)
        for queue in desired.queues if desired else agent.queues:
            await self._pause(agent, queue, paused, reason)

    def _background(self, work: Any, step: str) -> None:
        Deferred.fromCoroutine(work).addErrback(
            lambda failure: log.error(
                "appqueue_wrapup_failed",
                step=step,
                error=failure.getErrorMessage(),
                hint="the next AMI login puts the member's pause back as stored",
            )
        )

    # -- after an AMI (re)login ------------------------------------------------------------
    async def resync(self) -> list[str]:
        """Put app_queue's members back as stored; returns the actions sent (for the log).

        Members Asterisk has that nobody asked for are left alone (a static member from
        queues.conf, or one added at the console)."""
        await self._loaded
        status = await self._ami.send_list(actions.queue_status())
        members = {
            (m.get("Queue"), m.get("Location")): m for m in status.items if m.event == "QueueMember"
        }
        sent: list[str] = []
        for agent_id, desired in sorted(self._desired.items()):
            agent = self._agents.get(agent_id)
            if agent is None:
                log.warning(
                    "appqueue_agent_not_in_queue_file",
                    agent=agent_id,
                    hint="not re-added; log them out or put them back in the file",
                )
                continue
            for queue in desired.queues:
                try:
                    sent += await self._repair(
                        agent, queue, desired, members.get((queue, agent.device))
                    )
                except AgentControlError as exc:
                    log.error(
                        "appqueue_member_not_restored",
                        agent=agent_id,
                        queue=queue,
                        error=exc.message,
                    )
        log.info("appqueue_members_resynced", actions=len(sent))
        return sent

    async def _repair(
        self, agent: Agent, queue: str, desired: DesiredMember, member: Message | None
    ) -> list[str]:
        if member is None:
            await self._add(agent, queue, desired.paused, desired.reason)
            return [f"QueueAdd {queue} {agent.id}"]
        sent = []
        paused = (member.get("Paused") or "0").strip() == "1"
        if agent.id in self._wrapups:
            pass  # in wrap-up: its end puts the pause back
        elif paused != desired.paused or (paused and member.get("PausedReason") != desired.reason):
            await self._pause(agent, queue, desired.paused, desired.reason)
            sent.append(f"QueuePause {queue} {agent.id}")
        penalty = penalty_for(agent, self._queues.get(queue))
        if (member.get("Penalty") or "0").strip() != str(penalty):
            await self._send(actions.queue_penalty(agent.device, penalty, queue))
            sent.append(f"QueuePenalty {queue} {agent.id}")
        return sent

    # -- AMI -------------------------------------------------------------------------------
    async def _add(self, agent: Agent, queue: str, paused: bool, reason: str) -> None:
        added = await self._send(
            actions.queue_add(
                queue,
                agent.device,
                penalty=penalty_for(agent, self._queues.get(queue)),
                paused=paused,
                member_name=values.member_name(agent.name),
                state_interface=agent.device,
            ),
            ok=(_ALREADY_THERE,),
        )
        # A member Asterisk kept gets the pause asked for; a new paused one its reason.
        if added is None or (paused and reason):
            await self._pause(agent, queue, paused, reason)

    async def _pause(self, agent: Agent, queue: str, paused: bool, reason: str) -> None:
        await self._send(
            actions.queue_pause(
                agent.device, paused, queue=queue, reason=reason if paused and reason else None
            )
        )

    async def _send(self, action: actions.Action, ok: Sequence[str] = ()) -> Message | None:
        """The answer; None for an error in ``ok`` (a state Asterisk already has)."""
        try:
            return await self._ami.send(action)  # type: ignore[no-any-return]
        except AmiActionFailed as exc:
            if any(exc.message.endswith(text) for text in ok):
                return None
            raise AgentControlError(
                "refused", f"Asterisk refused {action.name}: {exc.message}" + _hint(exc.message)
            ) from None
        except AmiError as exc:
            raise AgentControlError(
                "unavailable",
                f"Asterisk did not answer {action.name} ({exc}); try again "
                "once switchboard is connected to AMI",
            ) from None

    # -- state -----------------------------------------------------------------------------
    async def _set_pause(self, agent_id: str, paused: bool, reason: str) -> AgentView:
        current = await self._logged_in(agent_id)
        agent = self._agents[agent_id]
        for queue in current.queues:
            await self._pause(agent, queue, paused, reason)
        await self._store(
            agent_id, DesiredMember(current.queues, paused, reason, self._clock.seconds())
        )
        return self._view(agent_id)

    async def _logged_in(self, agent_id: str) -> DesiredMember:
        await self._loaded
        self._known(agent_id)
        current = self._desired.get(agent_id)
        if current is None:
            raise AgentControlError(
                "refused",
                f"agent {agent_id!r} is logged out; log in first: "
                f"switchboard agents login {agent_id}",
            )
        return current

    async def _store(self, agent_id: str, member: DesiredMember) -> None:
        self._desired[agent_id] = member
        if self._database is not None:
            await self._database.run(lambda session: store_desired(session, agent_id, member))

    def _known(self, agent_id: str) -> Agent:
        agent = self._agents.get(agent_id)
        if agent is None:
            raise unknown_agent(
                agent_id, self._agents, "(none: add them under 'agents:' in [queues] file)"
            )
        return agent

    @staticmethod
    def _state(member: DesiredMember | None) -> AgentState:
        if member is None:
            return AgentState.LOGGED_OUT
        return AgentState.NOT_READY if member.paused else AgentState.READY

    def _view(self, agent_id: str) -> AgentView:
        agent = self._agents[agent_id]
        member = self._desired.get(agent_id)
        live = self._live.get(agent_id)
        # On a call the tracker knows best; otherwise what was asked, or else (a member
        # switchboard did not log in: a static one) what the tracker saw.
        if live is not None and (live.state in _LIVE or member is None):
            return AgentView(
                agent.id,
                agent.name,
                agent.device,
                live.state,
                live.reason,
                live.at,
                member.queues if member else agent.queues,
                self._calls.get(agent_id, ("", ""))[0],
            )
        return AgentView(
            agent.id,
            agent.name,
            agent.device,
            self._state(member),
            member.reason if member else "",
            member.since if member else 0.0,
            member.queues if member else agent.queues,
        )


def _hint(message: str) -> str:
    if message.endswith("No such queue"):
        return ": define the queue in Asterisk's queues.conf (and 'module reload app_queue')"
    return ""
