# -*- test-case-name: tests.queue.test_router -*-
"""The call side of the router: arrive, wait, be offered, talk, leave, be rung back.

:class:`CallFlow` is the part of the :class:`~switchboard.queue.core.router.Router` that owns
the calls (their runtimes, the index of waiting calls, each queue's live length). It
changes agents only through the router's agent-side methods (``reserve``, ``answered``,
``missed``, ``release`` ...), and reports through the shared outbox and timers. Order
matters in a few places, and is always: settle the call first (requeue or park it), then
release the agent, so that an agent freed by a call is never handed that same call back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from switchboard.queue.core._agents import AgentRuntime
from switchboard.queue.core._deadlines import (
    AnnounceDue,
    CallbackDue,
    CallbackOfferDue,
    CallbackWindowEnd,
    CallDeadline,
    LanguageLapse,
    MaxWait,
    OverflowStage,
    RingTimeout,
    Scope,
    Timers,
    is_live,
)
from switchboard.queue.core._outbox import Outbox
from switchboard.queue.core._waiting import CallPhase, CallRuntime, WaitingIndex, accepts
from switchboard.queue.core.decisions import (
    Announce,
    CallAnswered,
    CallbackAttemptEnded,
    CallbackScheduled,
    CallFinished,
    CallOffered,
    CallQueued,
    CancelOffer,
    MoveToQueue,
    OfferCall,
    OfferCallbackChoice,
    OfferEnded,
    OriginateCallback,
    QueueLeft,
    SendToFallback,
)
from switchboard.queue.core.events import (
    CallbackOutcome,
    CallbackRequested,
    OfferAnswered,
    OfferNotAnswered,
)
from switchboard.queue.core.model import CallOutcome, LanguageMatch, WaitingCall

if TYPE_CHECKING:
    from switchboard.queue.core.router import Router

__all__ = ["CallFlow"]

# Extra time a callback's agent stays reserved while the customer's phone rings.
CALLBACK_DIAL_S = 30.0
# How long a callback may be tried when the caller gave no window.
DEFAULT_CALLBACK_WINDOW_S = 4 * 3600.0


class CallFlow:
    """Every call in the ACD, from arrival to the end; one per router."""

    def __init__(self, desk: Router, out: Outbox, timers: Timers, queues: Iterable[str]) -> None:
        self._desk = desk  # the agent side, and the queues and time it works with
        self._out = out
        self._timers = timers
        self.calls: dict[str, CallRuntime] = {}
        self.waiting = WaitingIndex()
        self.live_waiting: dict[str, int] = dict.fromkeys(queues, 0)

    # -- what the agent side asks -------------------------------------------------------------
    def queues_in_use(self) -> frozenset[str]:
        return frozenset(runtime.queue for runtime in self.calls.values())

    def serve_queues(self, names: Iterable[str]) -> None:
        """The queues changed (a reload): keep the live length of those still served."""
        self.live_waiting = {name: self.live_waiting.get(name, 0) for name in names}

    def best_call_for(self, runtime: AgentRuntime) -> CallRuntime | None:
        """The best waiting call this agent may take, across all its queues."""
        best: tuple[float, float, int] | None = None
        best_id = ""
        agent = runtime.agent
        now = self._desk.now
        for need, key, call_id in self.waiting.heads_for(agent.queues):
            if not accepts(agent, need):
                continue
            queue = self._desk.queues[self.calls[call_id].queue]
            # effective priority = rate * now - key[0]; higher first, then earlier, then seq.
            rank = (key[0] - queue.aging_per_min / 60.0 * now, key[1], key[2])
            if best is None or rank < best:
                best, best_id = rank, call_id
        return self.calls[best_id] if best is not None else None

    def refile_waiting(self) -> None:
        """The rules changed (a reload): every waiting call filed again, best first."""
        waiting = [rt for rt in self.calls.values() if rt.phase is CallPhase.WAITING]
        for call in waiting:
            self.waiting.remove(call)
        for call in sorted(waiting, key=self._rank):
            self.route(call, "file")

    def _rank(self, runtime: CallRuntime) -> tuple[float, float, int]:
        queue = self._desk.queues[runtime.queue]
        call = runtime.call
        effective = (
            call.priority
            + queue.weight
            + queue.aging_per_min / 60.0 * (self._desk.now - call.enqueued_at)
        )
        return (-effective, call.enqueued_at, runtime.seq)

    def withdraw_offer(self, call_id: str) -> None:
        """The reserved agent is logging out: a ringing live call goes back to its place
        (a callback being dialled is seen through)."""
        runtime = self.calls.get(call_id)
        if runtime is None or runtime.virtual:
            return
        self._out.command(CancelOffer(call_id, runtime.agent_id))
        agent = self._end_offer(runtime, "cancelled")
        self.route(runtime, "requeue")
        self._desk.release(agent)

    # -- call events --------------------------------------------------------------------------
    def arrive(self, call: WaitingCall) -> None:
        if call.id in self.calls:
            self._out.reject("CallArrived", f"call {call.id!r} is already in the ACD")
            return
        if not self._desk.accepting(call.queue):
            what = "removed" if call.queue in self._desk.queues else "unknown"
            self._out.reject("CallArrived", f"{what} queue {call.queue!r}; sent to the exit")
            self._out.command(SendToFallback(call.id, "exit", ""))
            return
        runtime = CallRuntime(
            call=call, seq=self._timers.ordinal(), queue=call.queue, entered_at=self._desk.now
        )
        self.calls[call.id] = runtime
        self._enter_queue(runtime, call.queue)

    def abandon(self, call_id: str) -> None:
        runtime = self.calls.get(call_id)
        if runtime is None:
            self._out.reject("CallerAbandoned", f"unknown call {call_id!r}")
            return
        if runtime.phase is CallPhase.CONNECTED:
            self.call_ended(call_id)
            return
        agent = None
        if runtime.phase is CallPhase.OFFERED:
            self._out.command(CancelOffer(call_id, runtime.agent_id))
            agent = self._end_offer(runtime, "abandoned")
        self.waiting.remove(runtime)
        self._finish(runtime, CallOutcome.ABANDONED, "abandoned")
        if agent is not None:
            self._desk.release(agent)

    def call_ended(self, call_id: str) -> None:
        runtime = self.calls.get(call_id)
        if runtime is None or runtime.phase is not CallPhase.CONNECTED:
            if runtime is not None:
                self.abandon(call_id)  # hung up before being connected
            else:
                self._out.reject("CallEnded", f"unknown call {call_id!r}")
            return
        now = self._desk.now
        agent = self._desk.agents[runtime.agent_id]
        outcome = CallOutcome.CALLED_BACK if runtime.virtual else CallOutcome.ANSWERED
        runtime.move("hang_up")
        del self.calls[call_id]
        self._out.fact(CallFinished(call_id, runtime.queue, now, outcome, agent.agent.id))
        self._desk.call_over(agent, call_id, runtime.queue, now - runtime.answered_at)

    def callback_requested(self, event: CallbackRequested) -> None:
        runtime = self.calls.get(event.call_id)
        if (
            runtime is None
            or runtime.virtual
            or runtime.phase not in (CallPhase.WAITING, CallPhase.OFFERED)
        ):
            self._out.reject("CallbackRequested", f"call {event.call_id!r} is not waiting")
            return
        if not event.number:
            self._out.reject("CallbackRequested", "no number to call back")
            return
        now = self._desk.now
        start = max(now, event.window_start or now)
        end = event.window_end or start + DEFAULT_CALLBACK_WINDOW_S
        self._make_virtual(runtime, event.number, start, end)

    def offer_answered(self, event: OfferAnswered) -> None:
        runtime = self._offered("OfferAnswered", event.call_id, event.agent_id)
        if runtime is not None:
            self._connect(runtime)

    def offer_not_answered(self, event: OfferNotAnswered) -> None:
        runtime = self._offered("OfferNotAnswered", event.call_id, event.agent_id)
        if runtime is None:
            return
        if runtime.virtual:
            self._callback_failed(runtime, event.status.lower() or "no_answer")
        else:
            self._offer_failed(runtime, event.status.upper())

    def callback_outcome(self, event: CallbackOutcome) -> None:
        runtime = self.calls.get(event.call_id)
        if runtime is None or not runtime.virtual or runtime.phase is not CallPhase.OFFERED:
            self._out.reject(
                "CallbackOutcome", f"no callback of {event.call_id!r} is being dialled"
            )
            return
        if event.answered:
            self._connect(runtime)
        else:
            self._callback_failed(runtime, event.reason.lower() or "failed")

    def _offered(self, event: str, call_id: str, agent_id: str) -> CallRuntime | None:
        runtime = self.calls.get(call_id)
        if (
            runtime is None
            or runtime.phase is not CallPhase.OFFERED
            or (runtime.agent_id != agent_id)
        ):
            self._out.reject(event, f"call {call_id!r} is not offered to agent {agent_id!r}")
            return None
        return runtime

    # -- supervisor actions -------------------------------------------------------------------
    def _waiting_call(self, event: str, call_id: str) -> CallRuntime | None:
        """The live caller waiting in line, or a refusal that says why not."""
        runtime = self.calls.get(call_id)
        if runtime is None:
            self._out.reject(event, f"unknown call {call_id!r}: it left the queues or never came")
        elif runtime.virtual:
            self._out.reject(event, f"call {call_id!r} is a callback, not a caller in line")
        elif runtime.phase is not CallPhase.WAITING:
            what = {
                CallPhase.OFFERED: f"ringing agent {runtime.agent_id!r}",
                CallPhase.CONNECTED: f"answered by agent {runtime.agent_id!r}",
            }.get(runtime.phase, runtime.phase.value)
            self._out.reject(event, f"call {call_id!r} is not waiting: it is {what}")
        else:
            return runtime
        return None

    def change_priority(self, call_id: str, priority: int) -> None:
        """Refile the caller with the new priority: their place is recomputed from it."""
        runtime = self._waiting_call("CallPriorityChanged", call_id)
        if runtime is None:
            return
        self.waiting.remove(runtime)
        runtime.call = replace(runtime.call, priority=priority)
        self.route(runtime, "file")

    def move(self, call_id: str, name: str) -> None:
        """A supervisor's move: leave this queue ("moved"), join ``name`` as an overflow
        move does (original place kept; the new queue's wait and deadlines from now)."""
        runtime = self._waiting_call("CallMoveRequested", call_id)
        if runtime is None:
            return
        if name == runtime.queue:
            self._out.reject("CallMoveRequested", f"call {call_id!r} already waits in {name!r}")
            return
        if not self._desk.accepting(name):
            what = "removed" if name in self._desk.queues else "unknown"
            self._out.reject("CallMoveRequested", f"{what} queue {name!r}: move to a served one")
            return
        queue = self._desk.queues[name]
        if queue.max_length is not None and self.live_waiting[name] >= queue.max_length:
            self._out.reject(
                "CallMoveRequested",
                f"queue {name!r} is full ({queue.max_length} waiting): try again later",
            )
            return
        self._leave(runtime, "moved", to_queue=name)
        self._out.command(MoveToQueue(call_id, name, queue.music_class))
        self._enter_queue(runtime, name)

    # -- waiting ------------------------------------------------------------------------------
    def _enter_queue(self, runtime: CallRuntime, name: str) -> None:
        """Join queue ``name`` (first arrival or a move), with its deadlines, then route."""
        queue = self._desk.queues[name]
        now = self._desk.now
        runtime.queue, runtime.entered_at, runtime.stage = name, now, 0
        runtime.any_language = False
        visit = self._timers.open(runtime.tokens, Scope.VISIT)
        on_line = self._timers.open(runtime.tokens, Scope.ON_LINE)
        runtime.visited.append(name)
        call = runtime.call
        self._out.fact(
            CallQueued(
                call.id,
                name,
                now,
                call.enqueued_at,
                call.priority,
                call.caller_number,
                call.ivr_ref,
                call.language,
                call.customer_tier,
            )
        )
        if queue.max_length is not None and self.live_waiting[name] >= queue.max_length:
            self._fallback(runtime)
            return
        self.live_waiting[name] += 1
        runtime.counted = True
        schedule = self._timers.schedule
        for stage, rule in enumerate(queue.overflow, start=1):
            schedule(now + rule.after_s, OverflowStage(call.id, stage, visit))
        if queue.max_wait_s is not None:
            schedule(now + queue.max_wait_s, MaxWait(call.id, on_line))
        if queue.announce_interval_s:
            schedule(now + queue.announce_interval_s, AnnounceDue(call.id, on_line))
        if queue.callback_offer_after_s is not None:
            schedule(now + queue.callback_offer_after_s, CallbackOfferDue(call.id, on_line))
        if call.language and queue.language_match is LanguageMatch.PREFER:
            if queue.language_wait_s <= 0 or call.language not in self._desk.languages_of(name):
                runtime.any_language = True  # nobody to wait for
            else:
                schedule(now + queue.language_wait_s, LanguageLapse(call.id, visit))
        self.route(runtime, "file")

    def route(self, runtime: CallRuntime, trigger: str) -> None:
        """Put the call in line (``trigger``: how it came to wait, for the phase table);
        offer it at once if an agent is free for it."""
        runtime.move(trigger)
        runtime.tokens.close(Scope.PARKED)
        queue = self._desk.queues[runtime.queue]
        first = self.waiting.add(runtime, queue, queue.aging_per_min / 60.0)
        if not first:
            return  # calls ahead need the same agents: none is free
        agent = self._desk.best_agent(
            self.waiting.serving(runtime), self.waiting.requirement_of(runtime)
        )
        if agent is not None:
            self.offer(runtime, agent)

    def _fallback(self, runtime: CallRuntime) -> None:
        """Max wait passed or the queue was full: where the queue says, never lost."""
        now = self._desk.now
        queue = self._desk.queues[runtime.queue]
        call = runtime.call
        target = queue.fallback
        if (
            target.kind == "queue"
            and self._desk.accepting(target.target)
            and (target.target not in runtime.visited)
        ):
            self._leave(runtime, "moved", to_queue=target.target)
            new = self._desk.queues[target.target]
            self._out.command(MoveToQueue(call.id, new.name, new.music_class))
            self._enter_queue(runtime, new.name)
        elif target.kind == "callback" and call.caller_number:
            self._out.command(SendToFallback(call.id, "callback", call.caller_number))
            self._make_virtual(runtime, call.caller_number, now, now + DEFAULT_CALLBACK_WINDOW_S)
        elif target.kind == "voicemail":
            self._out.command(SendToFallback(call.id, "voicemail", target.target))
            self._finish(runtime, CallOutcome.VOICEMAIL, "voicemail")
        else:
            exit_to = target.target if target.kind == "exit" else ""
            self._out.command(SendToFallback(call.id, "exit", exit_to))
            self._finish(runtime, CallOutcome.OVERFLOWED, "overflowed")

    def _leave(self, runtime: CallRuntime, outcome: str, to_queue: str = "") -> None:
        self.waiting.remove(runtime)
        self._uncount(runtime)
        now = self._desk.now
        self._out.fact(
            QueueLeft(
                runtime.call.id, runtime.queue, now, outcome, now - runtime.entered_at, to_queue
            )
        )

    def _uncount(self, runtime: CallRuntime) -> None:
        """The caller no longer holds a place in the queue's length (max_length)."""
        if runtime.counted:
            runtime.counted = False
            self.live_waiting[runtime.queue] -= 1

    def _finish(self, runtime: CallRuntime, outcome: CallOutcome, left: str) -> None:
        """The call leaves the ACD for good (not answered): one QueueLeft, one CallFinished."""
        self._leave(runtime, left)
        runtime.move("finish")
        self.calls.pop(runtime.call.id, None)
        self._out.fact(CallFinished(runtime.call.id, runtime.queue, self._desk.now, outcome))

    # -- offers -------------------------------------------------------------------------------
    def offer(self, runtime: CallRuntime, agent: AgentRuntime) -> None:
        self.waiting.remove(runtime)
        queue = self._desk.queues[runtime.queue]
        call = runtime.call
        now = self._desk.now
        runtime.move("offer")
        runtime.agent_id = agent.agent.id
        token = self._timers.open(runtime.tokens, Scope.OFFER)
        self._desk.reserve(agent, call.id, queue.name)
        if runtime.virtual:
            runtime.attempts += 1
            self._out.command(
                OriginateCallback(
                    call.id,
                    agent.agent.id,
                    agent.agent.device,
                    queue.name,
                    runtime.number,
                    runtime.attempts,
                )
            )
            timeout = queue.ring_timeout_s + CALLBACK_DIAL_S
        else:
            self._out.command(
                OfferCall(
                    call.id, agent.agent.id, agent.agent.device, queue.name, queue.ring_timeout_s
                )
            )
            timeout = queue.ring_timeout_s + self._desk.ring_grace_s
        self._out.fact(
            CallOffered(
                call.id, queue.name, agent.agent.id, now, runtime.attempts if runtime.virtual else 0
            )
        )
        self._timers.schedule(now + timeout, RingTimeout(call.id, token))

    def _connect(self, runtime: CallRuntime) -> None:
        agent = self._desk.agents[runtime.agent_id]
        call = runtime.call
        now = self._desk.now
        runtime.move("answer")
        runtime.answered_at = now
        runtime.tokens.close(Scope.OFFER)
        self._out.fact(OfferEnded(call.id, agent.agent.id, now, "answered"))
        if runtime.virtual:
            self._out.fact(
                CallbackAttemptEnded(call.id, runtime.attempts, agent.agent.id, now, "answered")
            )
        self._out.fact(
            CallAnswered(
                call.id,
                runtime.queue,
                agent.agent.id,
                now,
                now - runtime.entered_at,
                runtime.virtual,
            )
        )
        self._uncount(runtime)
        self._desk.answered(agent)

    def _end_offer(self, runtime: CallRuntime, result: str) -> AgentRuntime:
        agent = self._desk.agents[runtime.agent_id]
        self._out.fact(OfferEnded(runtime.call.id, agent.agent.id, self._desk.now, result))
        runtime.agent_id = ""
        runtime.tokens.close(Scope.OFFER)
        return agent

    def _offer_failed(self, runtime: CallRuntime, status: str) -> None:
        """A live offer ended unanswered: the call goes back to its place, the agent pauses
        (not answering) or waits for its device (busy)."""
        agent = self._end_offer(runtime, "no_answer" if status == "NOANSWER" else "busy")
        self.route(runtime, "requeue")
        if status == "NOANSWER":
            self._desk.missed(agent)
        else:
            self._desk.release(agent, device_busy=True)

    # -- callbacks ----------------------------------------------------------------------------
    def _callback_failed(self, runtime: CallRuntime, result: str) -> None:
        agent = self._end_offer(runtime, result)
        now = self._desk.now
        self._out.fact(
            CallbackAttemptEnded(runtime.call.id, runtime.attempts, agent.agent.id, now, result)
        )
        queue = self._desk.queues[runtime.queue]
        retry_at = now + queue.callback_retry_s
        if runtime.attempts < queue.callback_attempts and retry_at < runtime.window_end:
            self._park(runtime, retry_at)
        else:
            self._finish(runtime, CallOutcome.CALLBACK_UNREACHED, "callback_unreached")
        self._desk.release(agent)

    def _park(self, runtime: CallRuntime, until: float) -> None:
        runtime.move("park")
        token = self._timers.open(runtime.tokens, Scope.PARKED)
        self._timers.schedule(until, CallbackDue(runtime.call.id, token))

    def _make_virtual(self, runtime: CallRuntime, number: str, start: float, end: float) -> None:
        """The caller hangs up; a virtual call keeps their place and is rung back."""
        now = self._desk.now
        agent = None
        back = "requeue" if runtime.phase is CallPhase.OFFERED else "file"
        if runtime.phase is CallPhase.OFFERED:
            self._out.command(CancelOffer(runtime.call.id, runtime.agent_id))
            agent = self._end_offer(runtime, "cancelled")
        call = runtime.call
        self._uncount(runtime)
        self._out.fact(QueueLeft(call.id, runtime.queue, now, "callback", now - runtime.entered_at))
        runtime.virtual, runtime.number = True, number
        runtime.window_start, runtime.window_end = start, end
        runtime.tokens.close(Scope.ON_LINE)  # no more announcements, maximum wait ...
        self._out.fact(
            CallbackScheduled(call.id, runtime.queue, number, now, start, end, call.enqueued_at)
        )
        token = self._timers.open(runtime.tokens, Scope.CALLBACK)
        self._timers.schedule(end, CallbackWindowEnd(call.id, token))
        if start > now:
            self.waiting.remove(runtime)
            self._park(runtime, start)
        elif runtime.bucket is None:
            self.route(runtime, back)
        if agent is not None:
            self._desk.release(agent)

    # -- deadlines ----------------------------------------------------------------------------
    def deadline(self, due: CallDeadline) -> None:
        """A deadline of a call fell due: applied if still live (see :mod:`._deadlines`)."""
        runtime = self.calls.get(due.call_id)
        if runtime is None or not is_live(due, runtime.tokens):
            return
        call_id = runtime.call.id
        waiting = runtime.phase is CallPhase.WAITING
        match due:
            case RingTimeout():
                self._out.command(CancelOffer(call_id, runtime.agent_id))
                if runtime.virtual:
                    self._callback_failed(runtime, "timeout")
                else:
                    self._offer_failed(runtime, "NOANSWER")
            case CallbackDue():
                self.route(runtime, "due")
            case CallbackWindowEnd():
                if runtime.phase in (CallPhase.WAITING, CallPhase.PARKED):
                    self._finish(runtime, CallOutcome.CALLBACK_UNREACHED, "callback_unreached")
            case OverflowStage(stage=stage):
                if stage > runtime.stage:
                    runtime.stage = stage
                    self._widened(runtime)
            case LanguageLapse():
                if not runtime.any_language:
                    runtime.any_language = True
                    self._widened(runtime)
            case MaxWait():
                if waiting:
                    self._fallback(runtime)
            case AnnounceDue(token=token):
                if waiting:
                    self._announce(runtime, token)
            case CallbackOfferDue():
                if waiting:
                    self._out.command(OfferCallbackChoice(call_id))

    def _announce(self, runtime: CallRuntime, token: int) -> None:
        queue = self._desk.queues[runtime.queue]
        position = self.waiting.position(runtime)
        wait_s = round(position * self._desk.handle_per_agent(queue.name), 1)
        self._out.command(Announce(runtime.call.id, position, wait_s))
        if queue.announce_interval_s:
            self._timers.schedule(
                self._desk.now + queue.announce_interval_s, AnnounceDue(runtime.call.id, token)
            )

    def _widened(self, runtime: CallRuntime) -> None:
        """More agents may take the call now: file it again (if waiting) to find one."""
        if runtime.phase is CallPhase.WAITING:
            self.waiting.remove(runtime)
            self.route(runtime, "file")
