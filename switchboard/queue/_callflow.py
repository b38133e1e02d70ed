# -*- test-case-name: tests.queue.test_router -*-
"""The call side of the router: arrive, wait, be offered, talk, leave, be rung back.

Functions of the :class:`~switchboard.queue.router.Router` they are given; split out only
to keep each module readable. Order matters in a few places, and is always: settle the
call first (requeue or park it), then release the agent, so that an agent freed by a
call is never handed that same call back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from switchboard.queue._agents import AgentRuntime
from switchboard.queue._waiting import CallPhase, CallRuntime
from switchboard.queue.decisions import (
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
from switchboard.queue.events import CallbackRequested
from switchboard.queue.model import CallOutcome, LanguageMatch, NotReadyReason, WaitingCall

if TYPE_CHECKING:
    from switchboard.queue.router import Router

# Extra time a callback's agent stays reserved while the customer's phone rings.
CALLBACK_DIAL_S = 30.0
# How long a callback may be tried when the caller gave no window.
DEFAULT_CALLBACK_WINDOW_S = 4 * 3600.0


def arrive(router: Router, call: WaitingCall) -> None:
    if call.id in router.calls:
        router.reject("CallArrived", f"call {call.id!r} is already in the ACD")
        return
    if not router.accepting(call.queue):
        what = "removed" if call.queue in router.queues else "unknown"
        router.reject("CallArrived", f"{what} queue {call.queue!r}; sent to the exit")
        router.commands.append(SendToFallback(call.id, "exit", ""))
        return
    runtime = CallRuntime(call=call, seq=router.next_seq(), queue=call.queue,
                          entered_at=router.now)
    router.calls[call.id] = runtime
    enter_queue(router, runtime, call.queue)


def enter_queue(router: Router, runtime: CallRuntime, name: str) -> None:
    """Join queue ``name`` (first arrival or a move), with its deadlines, then route."""
    queue = router.queues[name]
    now = router.now
    runtime.queue, runtime.entered_at, runtime.stage = name, now, 0
    runtime.any_language = False
    runtime.visit += 1
    runtime.visited.append(name)
    call = runtime.call
    router.facts.append(CallQueued(call.id, name, now, call.enqueued_at, call.priority,
                                   call.caller_number, call.ivr_ref, call.language,
                                   call.customer_tier))
    if queue.max_length is not None and router.live_waiting[name] >= queue.max_length:
        fallback(router, runtime)
        return
    router.live_waiting[name] += 1
    runtime.counted = True
    token = runtime.visit
    for stage, rule in enumerate(queue.overflow, start=1):
        router.schedule(now + rule.after_s, f"overflow:{stage}", call.id, token)
    if queue.max_wait_s is not None:
        router.schedule(now + queue.max_wait_s, "max_wait", call.id, token)
    if queue.announce_interval_s:
        router.schedule(now + queue.announce_interval_s, "announce", call.id, token)
    if queue.callback_offer_after_s is not None:
        router.schedule(now + queue.callback_offer_after_s, "callback_offer", call.id, token)
    if call.language and queue.language_match is LanguageMatch.PREFER:
        if queue.language_wait_s <= 0 or call.language not in router.languages_of(name):
            runtime.any_language = True  # nobody to wait for
        else:
            router.schedule(now + queue.language_wait_s, "language", call.id, token)
    route(router, runtime)


def route(router: Router, runtime: CallRuntime) -> None:
    """Put the call in line; offer it at once if an agent is free for it."""
    runtime.phase = CallPhase.WAITING
    queue = router.queues[runtime.queue]
    first = router.waiting.add(runtime, queue, queue.aging_per_min / 60.0)
    if not first:
        return  # calls ahead need the same agents: none is free
    agent = router.agent_for(runtime)
    if agent is not None:
        offer(router, runtime, agent)


def offer(router: Router, runtime: CallRuntime, agent: AgentRuntime) -> None:
    router.waiting.remove(runtime)
    queue = router.queues[runtime.queue]
    call = runtime.call
    runtime.phase, runtime.agent_id = CallPhase.OFFERED, agent.agent.id
    runtime.offer_token = router.next_seq()
    agent.call_id = call.id
    agent.last_offer_seq[queue.name] = router.next_seq()
    router.move_agent(agent, "offer")
    if runtime.virtual:
        runtime.attempts += 1
        router.commands.append(OriginateCallback(call.id, agent.agent.id, agent.agent.device,
                                                 queue.name, runtime.number, runtime.attempts))
        timeout = queue.ring_timeout_s + CALLBACK_DIAL_S
    else:
        router.commands.append(OfferCall(call.id, agent.agent.id, agent.agent.device,
                                         queue.name, queue.ring_timeout_s))
        timeout = queue.ring_timeout_s + router.ring_grace_s
    router.facts.append(CallOffered(call.id, queue.name, agent.agent.id, router.now,
                                    runtime.attempts if runtime.virtual else 0))
    router.schedule(router.now + timeout, "ring", call.id, runtime.offer_token)


def connect(router: Router, runtime: CallRuntime) -> None:
    agent = router.agents[runtime.agent_id]
    call = runtime.call
    runtime.phase, runtime.answered_at = CallPhase.CONNECTED, router.now
    router.facts.append(OfferEnded(call.id, agent.agent.id, router.now, "answered"))
    if runtime.virtual:
        router.facts.append(CallbackAttemptEnded(call.id, runtime.attempts, agent.agent.id,
                                                 router.now, "answered"))
    router.facts.append(CallAnswered(call.id, runtime.queue, agent.agent.id, router.now,
                                     router.now - runtime.entered_at, runtime.virtual))
    agent.calls_taken += 1
    _uncount(router, runtime)
    router.move_agent(agent, "answer")


def _end_offer(router: Router, runtime: CallRuntime, result: str) -> AgentRuntime:
    agent = router.agents[runtime.agent_id]
    router.facts.append(OfferEnded(runtime.call.id, agent.agent.id, router.now, result))
    runtime.agent_id = ""
    return agent


def offer_failed(router: Router, runtime: CallRuntime, status: str) -> None:
    """A live offer ended unanswered: the call goes back to its place, the agent pauses."""
    agent = _end_offer(router, runtime, "no_answer" if status == "NOANSWER" else "busy")
    route(router, runtime)
    if status == "NOANSWER":
        pending, agent.pending = agent.pending, None
        agent.call_id = None
        router.move_agent(agent, "no_answer", NotReadyReason.MISSED_CALL)
        if pending == "logout":
            router.move_agent(agent, "logout")
    else:
        agent.device_free = False  # until AMI says the device is free again
        router.settle_agent(agent, "released")


def withdraw_offer(router: Router, runtime: CallRuntime, result: str) -> None:
    """Stop ringing (agent logging out): the call goes back to its place."""
    router.commands.append(CancelOffer(runtime.call.id, runtime.agent_id))
    agent = _end_offer(router, runtime, result)
    route(router, runtime)
    router.settle_agent(agent, "released")


def callback_failed(router: Router, runtime: CallRuntime, result: str) -> None:
    agent = _end_offer(router, runtime, result)
    router.facts.append(CallbackAttemptEnded(runtime.call.id, runtime.attempts,
                                             agent.agent.id, router.now, result))
    queue = router.queues[runtime.queue]
    retry_at = router.now + queue.callback_retry_s
    if runtime.attempts < queue.callback_attempts and retry_at < runtime.window_end:
        _park(router, runtime, retry_at)
    else:
        _finish(router, runtime, CallOutcome.CALLBACK_UNREACHED, "callback_unreached")
    router.settle_agent(agent, "released")


def _park(router: Router, runtime: CallRuntime, until: float) -> None:
    runtime.phase = CallPhase.PARKED
    router.schedule(until, "callback_due", runtime.call.id, runtime.attempts)


def abandon(router: Router, call_id: str) -> None:
    runtime = router.calls.get(call_id)
    if runtime is None:
        router.reject("CallerAbandoned", f"unknown call {call_id!r}")
        return
    if runtime.phase is CallPhase.CONNECTED:
        call_ended(router, call_id)
        return
    agent = None
    if runtime.phase is CallPhase.OFFERED:
        router.commands.append(CancelOffer(call_id, runtime.agent_id))
        agent = _end_offer(router, runtime, "abandoned")
    router.waiting.remove(runtime)
    _finish(router, runtime, CallOutcome.ABANDONED, "abandoned")
    if agent is not None:
        router.settle_agent(agent, "released")


def call_ended(router: Router, call_id: str) -> None:
    runtime = router.calls.get(call_id)
    if runtime is None or runtime.phase is not CallPhase.CONNECTED:
        if runtime is not None:
            abandon(router, call_id)  # hung up before being connected
        else:
            router.reject("CallEnded", f"unknown call {call_id!r}")
        return
    agent = router.agents[runtime.agent_id]
    outcome = CallOutcome.CALLED_BACK if runtime.virtual else CallOutcome.ANSWERED
    talk_s = router.now - runtime.answered_at
    del router.calls[call_id]
    router.facts.append(CallFinished(call_id, runtime.queue, router.now, outcome,
                                     agent.agent.id))
    wrap_s = router.queues[runtime.queue].wrap_up_s
    if wrap_s > 0:
        agent.wrapping = (call_id, runtime.queue, talk_s)
        agent.wrap_token = router.next_seq()
        router.move_agent(agent, "call_ended")
        router.schedule(router.now + wrap_s, "wrap", agent.agent.id, agent.wrap_token)
    else:
        router.note_handled(agent, call_id, runtime.queue, talk_s, 0.0)
        router.settle_agent(agent, "call_ended_no_wrap")


def callback_requested(router: Router, event: CallbackRequested) -> None:
    runtime = router.calls.get(event.call_id)
    if runtime is None or runtime.virtual or runtime.phase not in (
        CallPhase.WAITING, CallPhase.OFFERED
    ):
        router.reject("CallbackRequested", f"call {event.call_id!r} is not waiting")
        return
    if not event.number:
        router.reject("CallbackRequested", "no number to call back")
        return
    start = max(router.now, event.window_start or router.now)
    end = event.window_end or start + DEFAULT_CALLBACK_WINDOW_S
    make_virtual(router, runtime, event.number, start, end)


def make_virtual(router: Router, runtime: CallRuntime, number: str, start: float,
                 end: float) -> None:
    """The caller hangs up; a virtual call keeps their place and is rung back."""
    agent = None
    if runtime.phase is CallPhase.OFFERED:
        router.commands.append(CancelOffer(runtime.call.id, runtime.agent_id))
        agent = _end_offer(router, runtime, "cancelled")
    call = runtime.call
    _uncount(router, runtime)
    router.facts.append(QueueLeft(call.id, runtime.queue, router.now, "callback",
                                  router.now - runtime.entered_at))
    runtime.virtual, runtime.number = True, number
    runtime.window_start, runtime.window_end = start, end
    router.facts.append(CallbackScheduled(call.id, runtime.queue, number, router.now, start,
                                          end, call.enqueued_at))
    router.schedule(end, "callback_window_end", call.id, 0)
    if start > router.now:
        router.waiting.remove(runtime)
        _park(router, runtime, start)
    elif runtime.bucket is None:
        route(router, runtime)
    if agent is not None:
        router.settle_agent(agent, "released")


def fallback(router: Router, runtime: CallRuntime) -> None:
    """Max wait passed or the queue was full: where the queue says, never lost."""
    queue = router.queues[runtime.queue]
    call = runtime.call
    target = queue.fallback
    if target.kind == "queue" and router.accepting(target.target) and (
        target.target not in runtime.visited
    ):
        _leave(router, runtime, "moved", to_queue=target.target)
        new = router.queues[target.target]
        router.commands.append(MoveToQueue(call.id, new.name, new.music_class))
        enter_queue(router, runtime, new.name)
    elif target.kind == "callback" and call.caller_number:
        router.commands.append(SendToFallback(call.id, "callback", call.caller_number))
        make_virtual(router, runtime, call.caller_number, router.now,
                     router.now + DEFAULT_CALLBACK_WINDOW_S)
    elif target.kind == "voicemail":
        router.commands.append(SendToFallback(call.id, "voicemail", target.target))
        _finish(router, runtime, CallOutcome.VOICEMAIL, "voicemail")
    else:
        exit_to = target.target if target.kind == "exit" else ""
        router.commands.append(SendToFallback(call.id, "exit", exit_to))
        _finish(router, runtime, CallOutcome.OVERFLOWED, "overflowed")


def _leave(router: Router, runtime: CallRuntime, outcome: str, to_queue: str = "") -> None:
    router.waiting.remove(runtime)
    _uncount(router, runtime)
    router.facts.append(QueueLeft(runtime.call.id, runtime.queue, router.now, outcome,
                                  router.now - runtime.entered_at, to_queue))


def _uncount(router: Router, runtime: CallRuntime) -> None:
    """The caller no longer holds a place in the queue's length (max_length)."""
    if runtime.counted:
        runtime.counted = False
        router.live_waiting[runtime.queue] -= 1


def _finish(router: Router, runtime: CallRuntime, outcome: CallOutcome, left: str) -> None:
    """The call leaves the ACD for good (not answered): one QueueLeft, one CallFinished."""
    _leave(router, runtime, left)
    router.calls.pop(runtime.call.id, None)
    router.facts.append(CallFinished(runtime.call.id, runtime.queue, router.now, outcome))


def deadline(router: Router, kind: str, call_id: str, token: int) -> None:
    runtime = router.calls.get(call_id)
    if runtime is None:
        return
    if kind == "ring":
        if runtime.phase is CallPhase.OFFERED and runtime.offer_token == token:
            router.commands.append(CancelOffer(call_id, runtime.agent_id))
            if runtime.virtual:
                callback_failed(router, runtime, "timeout")
            else:
                offer_failed(router, runtime, "NOANSWER")
        return
    if kind == "callback_due":
        if runtime.phase is CallPhase.PARKED and runtime.attempts == token:
            route(router, runtime)
        return
    if kind == "callback_window_end":
        if runtime.virtual and runtime.phase in (CallPhase.WAITING, CallPhase.PARKED):
            _finish(router, runtime, CallOutcome.CALLBACK_UNREACHED, "callback_unreached")
        return
    widens = kind == "language" or kind.startswith("overflow:")
    if runtime.visit != token or (runtime.virtual and not widens):
        return
    waiting = runtime.phase is CallPhase.WAITING
    queue = router.queues[runtime.queue]
    if widens:
        stage = int(kind.partition(":")[2]) if kind != "language" else runtime.stage
        if stage > runtime.stage or (kind == "language" and not runtime.any_language):
            runtime.stage = stage
            runtime.any_language |= kind == "language"
            if waiting:
                router.waiting.remove(runtime)
                route(router, runtime)
    elif kind == "max_wait" and waiting:
        fallback(router, runtime)
    elif kind == "announce" and waiting:
        position = router.waiting.position(runtime)
        per_agent = router.handle_avg[queue.name] / max(1, router.staffed[queue.name])
        router.commands.append(Announce(call_id, position, round(position * per_agent, 1)))
        if queue.announce_interval_s:
            router.schedule(router.now + queue.announce_interval_s, "announce", call_id, token)
    elif kind == "callback_offer" and waiting:
        router.commands.append(OfferCallbackChoice(call_id))
