# -*- test-case-name: tests.queue.test_router -*-
"""The ACD: a pure state machine. Events and ``now`` in, :class:`Decisions` out.

No sockets, timers or logging here: the shell feeds events (from the IVR ``queue`` step,
the agent seat and AMI), carries out the commands, and calls ``handle(Tick(), now)`` at
:meth:`Router.next_deadline`. Deadlines (ring timeouts, wrap-ups, overflow stages, max
wait, announcements, callback retries) live in one heap; an event arriving late is
handled as of ``now``, after every deadline that fell due before it.

Rules: a call goes at once to the best ready agent that may take it (own queue's agents
first, then overflow queues'); an agent becoming ready takes the best call it may take
across all its queues (effective priority, then longest wait). A ready agent with the
needed skills is never idle while a call it may take waits.

The router is the agent side; it composes the parts that hold the rest: the calls
(:class:`~._callflow.CallFlow`), the timers (:class:`~._deadlines.Timers`), what is
decided while one event is handled (:class:`~._outbox.Outbox`) and the roster of queues
and agents served (:class:`~._reload.Roster`, replaced whole by a reload while calls are
in progress: :meth:`Router.update_config`, rules in :mod:`._reload`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from switchboard.queue.core._agents import (
    AGENT_TRANSITIONS,
    FREE_DEVICE_STATES,
    WORKING_STATES,
    AgentRuntime,
    ReadyAgents,
)
from switchboard.queue.core._callflow import CallFlow
from switchboard.queue.core._deadlines import Scope, Timers, WrapUpOver, is_live
from switchboard.queue.core._outbox import Outbox
from switchboard.queue.core._reload import Roster, reconfigured, tidied
from switchboard.queue.core._transitions import next_state
from switchboard.queue.core._waiting import CallRuntime, Requirement, WaitingIndex, accepts
from switchboard.queue.core.decisions import AgentStateChanged, CallHandled, Decisions
from switchboard.queue.core.events import (
    AgentLoggedIn,
    AgentLoggedOut,
    AgentNotReady,
    AgentReady,
    CallArrived,
    CallbackOutcome,
    CallbackRequested,
    CallEnded,
    CallerAbandoned,
    CallMoveRequested,
    CallPriorityChanged,
    ConfigChanged,
    DeviceStateChanged,
    Event,
    OfferAnswered,
    OfferNotAnswered,
    Tick,
    WrapUpEnded,
)
from switchboard.queue.core.model import Agent, AgentState, NotReadyReason, Queue

__all__ = ["Router"]

LOGOUT = "logout"


class Router:
    """Routes waiting calls to agents. One instance per site; not thread-safe (reactor)."""

    def __init__(
        self,
        queues: Iterable[Queue],
        agents: Iterable[Agent],
        *,
        seed: int = 0,
        ring_grace_s: float = 0.0,
    ) -> None:
        # A shell whose dial enforces the ring timeout itself (EXEC Dial's timeout) reports
        # the outcome first; the router's deadline, this much later, only backs it up.
        self.ring_grace_s = ring_grace_s
        self._roster = Roster.of(queues, agents)
        self.agents: dict[str, AgentRuntime] = {
            agent_id: AgentRuntime(agent) for agent_id, agent in self._roster.configured.items()
        }
        self.ready = ReadyAgents(self.queues, seed)
        self._by_device: dict[str, list[str]] = {}
        self._index_devices()
        self._languages: dict[str, frozenset[str]] | None = None  # see languages_of
        self.staffed: dict[str, int] = dict.fromkeys(self.queues, 0)
        self.handle_avg = {q.name: q.expected_handle_s for q in self.queues.values()}
        self.now = 0.0
        self._out = Outbox()
        self._timers = Timers()
        self._flow = CallFlow(self, self._out, self._timers, self.queues)

    # -- the interface --------------------------------------------------------------------
    def handle(self, event: Event, now: float) -> Decisions:
        """Apply ``event`` at ``now`` (deadlines due by then first); say what to do."""
        self._out.take()  # nothing is left over from a handler that raised
        self.now = max(self.now, now)
        while (deadline := self._timers.pop_due(self.now)) is not None:
            if isinstance(deadline, WrapUpOver):
                agent = self.agents.get(deadline.agent_id)
                if agent is not None and is_live(deadline, agent.tokens):
                    self._leave_wrap_up(agent, None)
            else:
                self._flow.deadline(deadline)
        self._dispatch(event)
        if self._roster.retired or self._roster.removed:
            self._tidy()
        return self._out.take()

    def update_config(
        self, queues: Iterable[Queue], agents: Iterable[Agent], now: float
    ) -> Decisions:
        """Serve these queues and agents from ``now`` on (a reloaded queue file)."""
        return self.handle(ConfigChanged(tuple(queues), tuple(agents)), now)

    def next_deadline(self) -> float | None:
        """When the shell should next call ``handle(Tick(), ...)`` (None: nothing pending)."""
        return self._timers.next_at()

    @property
    def queues(self) -> Mapping[str, Queue]:
        """The queues served, retired ones included until their last call ends."""
        return self._roster.queues

    @property
    def calls(self) -> Mapping[str, CallRuntime]:
        """The calls in the ACD (read-only: the call flow changes them)."""
        return self._flow.calls

    @property
    def waiting(self) -> WaitingIndex:
        return self._flow.waiting

    def accepting(self, queue: str) -> bool:
        """True if new calls may join ``queue`` (it exists and was not removed)."""
        return self._roster.accepting(queue)

    def languages_of(self, queue: str) -> frozenset[str]:
        """Every language some agent of ``queue`` speaks (logged in or not)."""
        if self._languages is None:
            spoken: dict[str, set[str]] = {}
            for runtime in self.agents.values():
                for name in runtime.agent.queues:
                    spoken.setdefault(name, set()).update(runtime.agent.languages)
            self._languages = {name: frozenset(langs) for name, langs in spoken.items()}
        return self._languages.get(queue, frozenset())

    def handle_per_agent(self, queue: str) -> float:
        """Seconds of the queue's work per staffed agent (for expected-wait figures)."""
        return self.handle_avg[queue] / max(1, self.staffed[queue])

    def _dispatch(self, event: Event) -> None:
        match event:
            case CallArrived(call=call):
                self._flow.arrive(call)
            case CallerAbandoned(call_id=call_id):
                self._flow.abandon(call_id)
            case OfferAnswered():
                self._flow.offer_answered(event)
            case OfferNotAnswered():
                self._flow.offer_not_answered(event)
            case CallEnded(call_id=call_id):
                self._flow.call_ended(call_id)
            case CallbackRequested():
                self._flow.callback_requested(event)
            case CallbackOutcome():
                self._flow.callback_outcome(event)
            case AgentLoggedIn():
                self._logged_in(event)
            case AgentReady():
                self._ready(event)
            case AgentNotReady():
                self._not_ready(event)
            case AgentLoggedOut():
                self._logged_out(event)
            case WrapUpEnded(agent_id=agent_id):
                self._wrap_up_ended(agent_id)
            case DeviceStateChanged():
                self._device_state(event)
            case CallPriorityChanged():
                self._flow.change_priority(event.call_id, event.priority)
            case CallMoveRequested():
                self._flow.move(event.call_id, event.queue)
            case ConfigChanged():
                self._apply_config(event.queues, event.agents)
            case Tick():
                pass

    # -- what the call flow asks of the agent side ----------------------------------------
    def best_agent(self, serving: tuple[str, ...], need: Requirement) -> AgentRuntime | None:
        """The best routable agent of these queues (in this order) that meets ``need``."""
        return self.ready.best(serving, self.agents, lambda agent: accepts(agent, need))

    def reserve(self, runtime: AgentRuntime, call_id: str, queue: str) -> None:
        """The agent is offered this call (ringing, or a callback being dialled)."""
        runtime.call_id = call_id
        runtime.last_offer_seq[queue] = self._timers.ordinal()
        self.move_agent(runtime, "offer")

    def answered(self, runtime: AgentRuntime) -> None:
        runtime.calls_taken += 1
        self.move_agent(runtime, "answer")

    def missed(self, runtime: AgentRuntime) -> None:
        """The agent let an offer ring out: not at the desk, so paused (or logged out, if
        that was asked for meanwhile)."""
        pending, runtime.pending = runtime.pending, None
        runtime.call_id = None
        self.move_agent(runtime, "no_answer", NotReadyReason.MISSED_CALL)
        if pending == LOGOUT:
            self.move_agent(runtime, LOGOUT)

    def release(self, runtime: AgentRuntime, *, device_busy: bool = False) -> None:
        """The offer is over without a call (``device_busy``: until AMI says it is free)."""
        if device_busy:
            runtime.device_free = False
        self._settle_agent(runtime, "released")

    def call_over(self, runtime: AgentRuntime, call_id: str, queue: str, talk_s: float) -> None:
        """The agent's call ended: wrap-up if the queue has one, else the next call."""
        wrap_s = self.queues[queue].wrap_up_s
        if wrap_s > 0:
            runtime.wrapping = (call_id, queue, talk_s)
            token = self._timers.open(runtime.tokens, Scope.WRAP_UP)
            self.move_agent(runtime, "call_ended")
            self._timers.schedule(self.now + wrap_s, WrapUpOver(runtime.agent.id, token))
        else:
            self._note_handled(runtime, call_id, queue, talk_s, 0.0)
            self._settle_agent(runtime, "call_ended_no_wrap")

    # -- agent state ----------------------------------------------------------------------
    def move_agent(self, runtime: AgentRuntime, trigger: str, reason: str = "") -> None:
        """Change state through the table, with the fact and the indexes kept true."""
        previous = runtime.state
        state = next_state(AGENT_TRANSITIONS, f"agent {runtime.agent.id!r}", previous, trigger)
        runtime.state, runtime.reason, runtime.since = state, reason, self.now
        runtime.epoch += 1
        if state is AgentState.READY:
            runtime.idle_since = self.now
        was, now_working = previous in WORKING_STATES, state in WORKING_STATES
        if was != now_working:
            for name in runtime.agent.queues:
                if name in self.staffed:
                    self.staffed[name] += 1 if now_working else -1
        self._out.fact(AgentStateChanged(runtime.agent.id, self.now, state, previous, reason))

    def _agent_available(self, runtime: AgentRuntime) -> None:
        """The agent just became routable: give it a call, or file it as ready."""
        if not runtime.routable:
            return
        call = self._flow.best_call_for(runtime)
        if call is not None:
            self._flow.offer(call, runtime)
        else:
            self.ready.add(runtime)

    def _settle_agent(self, runtime: AgentRuntime, trigger: str) -> None:
        """The agent leaves a reservation or a call into READY; a pause or logout asked for
        meanwhile applies now, else it takes the next call."""
        pending, runtime.pending = runtime.pending, None
        runtime.call_id = None
        self.move_agent(runtime, trigger)
        if pending == LOGOUT:
            self.move_agent(runtime, LOGOUT)
        elif pending is not None:
            self.move_agent(runtime, "not_ready", pending)
        else:
            self._agent_available(runtime)

    # -- agent events ---------------------------------------------------------------------
    def _agent(self, event: str, agent_id: str) -> AgentRuntime | None:
        runtime = self.agents.get(agent_id)
        if runtime is None:
            self._out.reject(event, f"unknown agent {agent_id!r}")
        elif agent_id in self._roster.removed and event != "AgentLoggedOut":
            self._out.reject(event, f"agent {agent_id!r} was removed from the configuration")
            return None
        return runtime

    def _logged_in(self, event: AgentLoggedIn) -> None:
        runtime = self._agent("AgentLoggedIn", event.agent_id)
        if runtime is None:
            return
        if runtime.state is not AgentState.LOGGED_OUT:
            self._out.reject("AgentLoggedIn", f"agent {event.agent_id!r} is already logged in")
            return
        if event.ready:
            self.move_agent(runtime, "login_ready")
            self._agent_available(runtime)
        else:
            self.move_agent(runtime, "login", NotReadyReason.LOGGED_IN)

    def _ready(self, event: AgentReady) -> None:
        runtime = self._agent("AgentReady", event.agent_id)
        if runtime is None:
            return
        if runtime.state in (AgentState.RESERVED, AgentState.ON_CALL):
            runtime.pending = None  # ready again once this call is over
        elif runtime.state is AgentState.WRAP_UP:
            runtime.pending = None
            self._leave_wrap_up(runtime, None)
        elif runtime.state is AgentState.NOT_READY:
            self.move_agent(runtime, "ready")
            self._agent_available(runtime)
        elif runtime.state is AgentState.LOGGED_OUT:
            self._out.reject("AgentReady", f"agent {event.agent_id!r} is logged out")

    def _not_ready(self, event: AgentNotReady) -> None:
        runtime = self._agent("AgentNotReady", event.agent_id)
        if runtime is None:
            return
        reason = event.reason or "break"
        if runtime.state in (AgentState.RESERVED, AgentState.ON_CALL):
            runtime.pending = reason
        elif runtime.state is AgentState.WRAP_UP:
            self._leave_wrap_up(runtime, reason)
        elif runtime.state in (AgentState.READY, AgentState.NOT_READY):
            self.move_agent(runtime, "not_ready", reason)
        else:
            self._out.reject("AgentNotReady", f"agent {event.agent_id!r} is logged out")

    def _logged_out(self, event: AgentLoggedOut) -> None:
        runtime = self._agent("AgentLoggedOut", event.agent_id)
        if runtime is None:
            return
        if runtime.state is AgentState.LOGGED_OUT:
            self._out.reject("AgentLoggedOut", f"agent {event.agent_id!r} is not logged in")
        elif runtime.state is AgentState.ON_CALL:
            runtime.pending = LOGOUT
        elif runtime.state is AgentState.RESERVED:
            runtime.pending = LOGOUT
            self._flow.withdraw_offer(runtime.call_id or "")
        elif runtime.state is AgentState.WRAP_UP:
            self._leave_wrap_up(runtime, LOGOUT)
        else:
            self.move_agent(runtime, LOGOUT)

    def _wrap_up_ended(self, agent_id: str) -> None:
        runtime = self.agents.get(agent_id)
        if runtime is None or runtime.state is not AgentState.WRAP_UP:
            self._out.reject("WrapUpEnded", f"agent {agent_id!r} is not in wrap-up")
            return
        self._leave_wrap_up(runtime, None)

    def _leave_wrap_up(self, runtime: AgentRuntime, then: str | None) -> None:
        """Wrap-up is over: the handled call is counted, then ready / paused / logged out."""
        if then is None:
            then = runtime.pending
        runtime.pending = None
        runtime.tokens.close(Scope.WRAP_UP)
        if runtime.wrapping is not None:
            call_id, queue, talk_s = runtime.wrapping
            self._note_handled(runtime, call_id, queue, talk_s, self.now - runtime.since)
        runtime.call_id = None
        if then == LOGOUT:
            self.move_agent(runtime, LOGOUT)
        elif then is not None:
            self.move_agent(runtime, "not_ready", then)
        else:
            self.move_agent(runtime, "wrap_up_ended")
            self._agent_available(runtime)

    def _note_handled(
        self, runtime: AgentRuntime, call_id: str, queue: str, talk_s: float, wrap_s: float
    ) -> None:
        runtime.wrapping = None
        if queue in self.handle_avg:
            self.handle_avg[queue] = 0.8 * self.handle_avg[queue] + 0.2 * (talk_s + wrap_s)
        self._out.fact(CallHandled(call_id, queue, runtime.agent.id, self.now, talk_s, wrap_s))

    def _device_state(self, event: DeviceStateChanged) -> None:
        free = event.state.upper() in FREE_DEVICE_STATES
        for agent_id in self._by_device.get(event.device, ()):
            runtime = self.agents[agent_id]
            if runtime.device_free == free:
                continue
            runtime.device_free = free
            runtime.epoch += 1
            if free:
                self._agent_available(runtime)

    # -- reloads (rules in _reload) -------------------------------------------------------
    def _apply_config(self, queues: tuple[Queue, ...], agents: tuple[Agent, ...]) -> None:
        before = self._roster
        self._roster = reconfigured(before, queues, agents, self._flow.queues_in_use())
        for agent in agents:
            runtime = self.agents.get(agent.id)
            if runtime is None:
                self.agents[agent.id] = AgentRuntime(agent)
                continue
            if agent.id in before.removed and runtime.pending == LOGOUT:
                runtime.pending = None  # removed, then back before it left: stays
            if agent.device != runtime.agent.device:
                runtime.device_free, runtime.epoch = True, runtime.epoch + 1
        for agent_id in sorted(self._roster.removed - before.removed):
            runtime = self.agents[agent_id]
            if runtime.state in (AgentState.READY, AgentState.NOT_READY):
                self.move_agent(runtime, LOGOUT, "removed")
            elif runtime.state is not AgentState.LOGGED_OUT:
                runtime.pending = LOGOUT  # after the call and its wrap-up
        self._refresh()
        self._flow.refile_waiting()

    def _tidy(self) -> None:
        """After each event: forget removed agents now logged out, drop retired queues that
        hold no call any more."""
        gone = [
            agent_id
            for agent_id in self._roster.removed
            if self.agents[agent_id].state is AgentState.LOGGED_OUT
        ]
        for agent_id in gone:
            del self.agents[agent_id]
        roster = tidied(self._roster, gone, self._flow.queues_in_use())
        if roster is not self._roster:
            self._roster = roster
            self._refresh()

    def _refresh(self) -> None:
        """Effective agents, the ready index, devices and per-queue counters made true again."""
        for agent_id, runtime in self.agents.items():
            runtime.agent = self._roster.effective(agent_id)
        self._languages = None
        self.ready.reset(self.queues)
        for runtime in self.agents.values():
            if runtime.routable:
                self.ready.add(runtime)
        self._index_devices()
        staffed = dict.fromkeys(self.queues, 0)
        for runtime in self.agents.values():
            if runtime.state in WORKING_STATES:
                for name in runtime.agent.queues:
                    if name in staffed:
                        staffed[name] += 1
        self.staffed = staffed
        self._flow.serve_queues(self.queues)
        self.handle_avg = {
            name: self.handle_avg.get(name, queue.expected_handle_s)
            for name, queue in self.queues.items()
        }

    def _index_devices(self) -> None:
        self._by_device = {}
        for runtime in self.agents.values():
            if runtime.agent.device:
                self._by_device.setdefault(runtime.agent.device, []).append(runtime.agent.id)
