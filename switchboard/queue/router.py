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

The queues and agents may be replaced while calls are in progress
(:meth:`Router.update_config`, rules in :mod:`._reload`).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from switchboard.queue import _callflow, _reload
from switchboard.queue._agents import (
    AGENT_TRANSITIONS,
    FREE_DEVICE_STATES,
    WORKING_STATES,
    AgentRuntime,
    ReadyAgents,
)
from switchboard.queue._waiting import CallPhase, CallRuntime, WaitingIndex, accepts
from switchboard.queue.decisions import (
    AgentStateChanged,
    CallHandled,
    Command,
    Decisions,
    Fact,
    Rejected,
)
from switchboard.queue.events import (
    AgentLoggedIn,
    AgentLoggedOut,
    AgentNotReady,
    AgentReady,
    CallArrived,
    CallbackOutcome,
    CallbackRequested,
    CallEnded,
    CallerAbandoned,
    ConfigChanged,
    DeviceStateChanged,
    Event,
    OfferAnswered,
    OfferNotAnswered,
    Tick,
    WrapUpEnded,
)
from switchboard.queue.model import Agent, AgentState, NotReadyReason, Queue

__all__ = ["Router"]

LOGOUT = "logout"


class Router:
    """Routes waiting calls to agents. One instance per site; not thread-safe (reactor)."""

    def __init__(self, queues: Iterable[Queue], agents: Iterable[Agent], *, seed: int = 0,
                 ring_grace_s: float = 0.0) -> None:
        # A shell whose dial enforces the ring timeout itself (EXEC Dial's timeout) reports
        # the outcome first; the router's deadline, this much later, only backs it up.
        self.ring_grace_s = ring_grace_s
        self.queues: Mapping[str, Queue] = MappingProxyType({q.name: q for q in queues})
        self.agents: dict[str, AgentRuntime] = {a.id: AgentRuntime(a) for a in agents}
        # Reloads: each agent as configured (``agents`` adds the queues it still serves
        # while they are retired), retired queues and who serves them, removed agents.
        self.configured: dict[str, Agent] = {i: r.agent for i, r in self.agents.items()}
        self.retired: dict[str, frozenset[str]] = {}
        self.removed: set[str] = set()
        self.calls: dict[str, CallRuntime] = {}
        self.waiting = WaitingIndex()
        self.ready = ReadyAgents(self.queues, seed)
        self._by_device: dict[str, list[str]] = {}
        self.index_devices()
        self._languages: dict[str, frozenset[str]] | None = None  # see languages_of
        self.staffed: dict[str, int] = dict.fromkeys(self.queues, 0)
        self.live_waiting: dict[str, int] = dict.fromkeys(self.queues, 0)
        self.handle_avg = {q.name: q.expected_handle_s for q in self.queues.values()}
        self._deadlines: list[tuple[float, int, str, str, int]] = []
        self._seq = 0
        self.now = 0.0
        self.commands: list[Command] = []
        self.facts: list[Fact] = []

    # -- the interface --------------------------------------------------------------------
    def handle(self, event: Event, now: float) -> Decisions:
        """Apply ``event`` at ``now`` (deadlines due by then first); say what to do."""
        self.commands, self.facts = [], []
        self.now = max(self.now, now)
        self._run_deadlines()
        self._dispatch(event)
        if self.retired or self.removed:
            _reload.tidy(self)
        return Decisions(tuple(self.commands), tuple(self.facts))

    def update_config(self, queues: Iterable[Queue], agents: Iterable[Agent],
                      now: float) -> Decisions:
        """Serve these queues and agents from ``now`` on (a reloaded queue file)."""
        return self.handle(ConfigChanged(tuple(queues), tuple(agents)), now)

    def accepting(self, queue: str) -> bool:
        """True if new calls may join ``queue`` (it exists and was not removed)."""
        return queue in self.queues and queue not in self.retired

    def index_devices(self) -> None:
        self._by_device = {}
        for runtime in self.agents.values():
            if runtime.agent.device:
                self._by_device.setdefault(runtime.agent.device, []).append(runtime.agent.id)

    def languages_of(self, queue: str) -> frozenset[str]:
        """Every language some agent of ``queue`` speaks (logged in or not)."""
        if self._languages is None:
            spoken: dict[str, set[str]] = {}
            for runtime in self.agents.values():
                for name in runtime.agent.queues:
                    spoken.setdefault(name, set()).update(runtime.agent.languages)
            self._languages = {name: frozenset(langs) for name, langs in spoken.items()}
        return self._languages.get(queue, frozenset())

    def forget_languages(self) -> None:
        """The agents changed (a reload): :meth:`languages_of` looks again."""
        self._languages = None

    def _dispatch(self, event: Event) -> None:
        match event:
            case CallArrived(call=call):
                _callflow.arrive(self, call)
            case CallerAbandoned(call_id=call_id):
                _callflow.abandon(self, call_id)
            case OfferAnswered():
                self._offer_answered(event)
            case OfferNotAnswered():
                self._offer_not_answered(event)
            case CallEnded(call_id=call_id):
                _callflow.call_ended(self, call_id)
            case CallbackRequested():
                _callflow.callback_requested(self, event)
            case CallbackOutcome():
                self._callback_outcome(event)
            case AgentLoggedIn():
                self._logged_in(event)
            case AgentReady():
                self._ready(event)
            case AgentNotReady():
                self._not_ready(event)
            case AgentLoggedOut():
                self._logged_out(event)
            case WrapUpEnded(agent_id=agent_id):
                self._wrap_up_ended(agent_id, None)
            case DeviceStateChanged():
                self._device_state(event)
            case ConfigChanged():
                _reload.apply_config(self, event.queues, event.agents)
            case Tick():
                pass

    def next_deadline(self) -> float | None:
        """When the shell should next call ``handle(Tick(), ...)`` (None: nothing pending)."""
        return self._deadlines[0][0] if self._deadlines else None

    # -- helpers used by _callflow --------------------------------------------------------
    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def reject(self, event: str, reason: str) -> None:
        self.commands.append(Rejected(event, reason))

    def schedule(self, at: float, kind: str, ident: str, token: int) -> None:
        heapq.heappush(self._deadlines, (at, self.next_seq(), kind, ident, token))

    def _run_deadlines(self) -> None:
        while self._deadlines and self._deadlines[0][0] <= self.now:
            _at, _seq, kind, ident, token = heapq.heappop(self._deadlines)
            if kind == "wrap":
                self._wrap_up_ended(ident, token)
            else:
                _callflow.deadline(self, kind, ident, token)

    def agent_for(self, runtime: CallRuntime) -> AgentRuntime | None:
        """The best routable agent that may take this waiting call."""
        need = self.waiting.requirement_of(runtime)
        return self.ready.best(self.waiting.serving(runtime), self.agents,
                               lambda agent: accepts(agent, need))

    def call_for(self, runtime: AgentRuntime) -> CallRuntime | None:
        """The best waiting call this agent may take, across all its queues."""
        best: tuple[float, float, int] | None = None
        best_id = ""
        agent = runtime.agent
        for need, key, call_id in self.waiting.heads_for(agent.queues):
            if not accepts(agent, need):
                continue
            queue = self.queues[self.calls[call_id].queue]
            # effective priority = rate * now - key[0]; higher first, then earlier, then seq.
            rank = (key[0] - queue.aging_per_min / 60.0 * self.now, key[1], key[2])
            if best is None or rank < best:
                best, best_id = rank, call_id
        return self.calls[best_id] if best is not None else None

    def agent_available(self, runtime: AgentRuntime) -> None:
        """The agent just became routable: give it a call, or file it as ready."""
        if not runtime.routable:
            return
        call = self.call_for(runtime)
        if call is not None:
            _callflow.offer(self, call, runtime)
        else:
            self.ready.add(runtime)

    def move_agent(self, runtime: AgentRuntime, trigger: str, reason: str = "") -> None:
        """Change state through the table, with the fact and the indexes kept true."""
        previous = runtime.state
        state = AGENT_TRANSITIONS[(previous, trigger)]
        runtime.state, runtime.reason, runtime.since = state, reason, self.now
        runtime.epoch += 1
        if state is AgentState.READY:
            runtime.idle_since = self.now
        was, now_working = previous in WORKING_STATES, state in WORKING_STATES
        if was != now_working:
            for name in runtime.agent.queues:
                if name in self.staffed:
                    self.staffed[name] += 1 if now_working else -1
        self.facts.append(AgentStateChanged(runtime.agent.id, self.now, state, previous, reason))

    def settle_agent(self, runtime: AgentRuntime, trigger: str) -> None:
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
            self.agent_available(runtime)

    # -- agent events ---------------------------------------------------------------------
    def _agent(self, event: str, agent_id: str) -> AgentRuntime | None:
        runtime = self.agents.get(agent_id)
        if runtime is None:
            self.reject(event, f"unknown agent {agent_id!r}")
        elif agent_id in self.removed and event != "AgentLoggedOut":
            self.reject(event, f"agent {agent_id!r} was removed from the configuration")
            return None
        return runtime

    def _logged_in(self, event: AgentLoggedIn) -> None:
        runtime = self._agent("AgentLoggedIn", event.agent_id)
        if runtime is None:
            return
        if runtime.state is not AgentState.LOGGED_OUT:
            self.reject("AgentLoggedIn", f"agent {event.agent_id!r} is already logged in")
            return
        if event.ready:
            self.move_agent(runtime, "login_ready")
            self.agent_available(runtime)
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
            self.agent_available(runtime)
        elif runtime.state is AgentState.LOGGED_OUT:
            self.reject("AgentReady", f"agent {event.agent_id!r} is logged out")

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
            self.reject("AgentNotReady", f"agent {event.agent_id!r} is logged out")

    def _logged_out(self, event: AgentLoggedOut) -> None:
        runtime = self._agent("AgentLoggedOut", event.agent_id)
        if runtime is None:
            return
        if runtime.state is AgentState.LOGGED_OUT:
            self.reject("AgentLoggedOut", f"agent {event.agent_id!r} is not logged in")
        elif runtime.state is AgentState.ON_CALL:
            runtime.pending = LOGOUT
        elif runtime.state is AgentState.RESERVED:
            runtime.pending = LOGOUT
            call = self.calls.get(runtime.call_id or "")
            # A callback being dialled is seen through; a ringing live call goes back.
            if call is not None and not call.virtual:
                _callflow.withdraw_offer(self, call, "cancelled")
        elif runtime.state is AgentState.WRAP_UP:
            self._leave_wrap_up(runtime, LOGOUT)
        else:
            self.move_agent(runtime, LOGOUT)

    def _wrap_up_ended(self, agent_id: str, token: int | None) -> None:
        runtime = self.agents.get(agent_id)
        if runtime is None or runtime.state is not AgentState.WRAP_UP:
            if token is None:
                self.reject("WrapUpEnded", f"agent {agent_id!r} is not in wrap-up")
            return
        if token is not None and token != runtime.wrap_token:
            return
        self._leave_wrap_up(runtime, None)

    def _leave_wrap_up(self, runtime: AgentRuntime, then: str | None) -> None:
        """Wrap-up is over: the handled call is counted, then ready / paused / logged out."""
        if then is None:
            then = runtime.pending
        runtime.pending = None
        if runtime.wrapping is not None:
            call_id, queue, talk_s = runtime.wrapping
            self.note_handled(runtime, call_id, queue, talk_s, self.now - runtime.since)
        runtime.call_id = None
        if then == LOGOUT:
            self.move_agent(runtime, LOGOUT)
        elif then is not None:
            self.move_agent(runtime, "not_ready", then)
        else:
            self.move_agent(runtime, "wrap_up_ended")
            self.agent_available(runtime)

    def note_handled(self, runtime: AgentRuntime, call_id: str, queue: str, talk_s: float,
                     wrap_s: float) -> None:
        runtime.wrapping = None
        if queue in self.handle_avg:
            self.handle_avg[queue] = 0.8 * self.handle_avg[queue] + 0.2 * (talk_s + wrap_s)
        self.facts.append(CallHandled(call_id, queue, runtime.agent.id, self.now, talk_s, wrap_s))

    def _device_state(self, event: DeviceStateChanged) -> None:
        free = event.state.upper() in FREE_DEVICE_STATES
        for agent_id in self._by_device.get(event.device, ()):
            runtime = self.agents[agent_id]
            if runtime.device_free == free:
                continue
            runtime.device_free = free
            runtime.epoch += 1
            if free:
                self.agent_available(runtime)

    # -- offers -----------------------------------------------------------------------------
    def _offered_call(self, event: str, call_id: str, agent_id: str) -> CallRuntime | None:
        call = self.calls.get(call_id)
        if call is None or call.phase is not CallPhase.OFFERED or call.agent_id != agent_id:
            self.reject(event, f"call {call_id!r} is not offered to agent {agent_id!r}")
            return None
        return call

    def _offer_answered(self, event: OfferAnswered) -> None:
        call = self._offered_call("OfferAnswered", event.call_id, event.agent_id)
        if call is not None:
            _callflow.connect(self, call)

    def _offer_not_answered(self, event: OfferNotAnswered) -> None:
        call = self._offered_call("OfferNotAnswered", event.call_id, event.agent_id)
        if call is None:
            return
        if call.virtual:
            _callflow.callback_failed(self, call, event.status.lower() or "no_answer")
        else:
            _callflow.offer_failed(self, call, event.status.upper())

    def _callback_outcome(self, event: CallbackOutcome) -> None:
        call = self.calls.get(event.call_id)
        if call is None or not call.virtual or call.phase is not CallPhase.OFFERED:
            self.reject("CallbackOutcome", f"no callback of {event.call_id!r} is being dialled")
            return
        if event.answered:
            _callflow.connect(self, call)
        else:
            _callflow.callback_failed(self, call, event.reason.lower() or "failed")
