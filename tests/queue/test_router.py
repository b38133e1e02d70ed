# -*- test-case-name: tests.queue.test_router -*-
"""Each routing rule on its own, with the clock moved by hand."""

from __future__ import annotations

import pytest

from switchboard.queue.core._transitions import IllegalTransition
from switchboard.queue.core._waiting import CALL_TRANSITIONS, CallPhase
from switchboard.queue.core.decisions import (
    AgentStateChanged,
    Announce,
    CallAnswered,
    CallFinished,
    CallHandled,
    CallQueued,
    CancelOffer,
    MoveToQueue,
    OfferCall,
    OfferCallbackChoice,
    OriginateCallback,
    QueueLeft,
    Rejected,
    SendToFallback,
)
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
    DeviceStateChanged,
    OfferAnswered,
    OfferNotAnswered,
)
from switchboard.queue.core.model import (
    AgentState,
    CallOutcome,
    Fallback,
    OverflowRule,
    Queue,
    Strategy,
    frozen_map,
)
from tests.queue.helpers import START, Harness, agent, call, of_type


def offers(h: Harness) -> list[tuple[str, str]]:
    return [(c.call_id, c.agent_id) for c in of_type(h.last.commands, OfferCall)]


def state(h: Harness, agent_id: str) -> AgentState:
    return h.router.agents[agent_id].state


def test_a_call_goes_at_once_to_the_longest_idle_matching_agent() -> None:
    h = Harness.of(
        [Queue("sales", frozen_map({"sales": 2}))],
        [agent("a1", sales=1), agent("a2", sales=2), agent("a3", sales=3)],
    )
    h.send(AgentLoggedIn("a1", ready=True))
    h.advance(5)
    h.send(AgentLoggedIn("a3", ready=True))
    h.advance(5)
    h.send(AgentLoggedIn("a2", ready=True))
    h.send(CallArrived(call("c1", at=h.now)))
    assert offers(h) == [("c1", "a3")]  # a1 lacks the level; a3 idle longer than a2
    assert state(h, "a3") is AgentState.RESERVED


def _ready_all(h: Harness, ids: list[str]) -> None:
    for agent_id in ids:
        h.send(AgentLoggedIn(agent_id, ready=True))
        h.advance(1)


def test_strategies_pick_their_agent() -> None:
    skilled = [agent("a1", sales=1), agent("a2", sales=5), agent("a3", sales=3)]
    cases = {Strategy.LONGEST_IDLE: "a1", Strategy.HIGHEST_SKILL: "a2", Strategy.ROUND_ROBIN: "a1"}
    for strategy, expected in cases.items():
        h = Harness.of([Queue("sales", frozen_map({"sales": 1}), strategy)], skilled)
        _ready_all(h, ["a1", "a2", "a3"])
        h.send(CallArrived(call("c1", at=h.now)))
        assert offers(h) == [("c1", expected)], strategy


def test_fewest_calls_and_round_robin_rotate() -> None:
    # Ties (nobody offered yet) go to the smaller agent id; fewest calls ties on idle time.
    expected = {
        Strategy.FEWEST_CALLS: ["a2", "a1", "a2", "a1"],
        Strategy.ROUND_ROBIN: ["a1", "a2", "a1", "a2"],
    }
    for strategy in expected:
        h = Harness.of([Queue("sales", strategy=strategy, wrap_up_s=0)], [agent("a1"), agent("a2")])
        _ready_all(h, ["a2", "a1"])
        taken = []
        for n in range(4):
            h.send(CallArrived(call(f"c{n}", at=h.now)))
            ((call_id, agent_id),) = offers(h)
            taken.append(agent_id)
            h.send(OfferAnswered(call_id, agent_id))
            h.advance(1)
            h.send(CallEnded(call_id))
        assert taken == expected[strategy], strategy


def test_random_is_reproducible_with_a_seed() -> None:
    def run(seed: int) -> list[str]:
        h = Harness.of(
            [Queue("sales", strategy=Strategy.RANDOM, wrap_up_s=0)],
            [agent(f"a{n}") for n in range(8)],
            seed=seed,
        )
        _ready_all(h, [f"a{n}" for n in range(8)])
        picked = []
        for n in range(5):
            h.send(CallArrived(call(f"c{n}", at=h.now)))
            picked += [a for _c, a in offers(h)]
        return picked

    assert run(7) == run(7)
    assert len({tuple(run(s)) for s in range(6)}) > 1


def test_tiered_queue_prefers_the_better_level_whatever_the_strategy() -> None:
    h = Harness.of(
        [Queue("sales", frozen_map({"sales": 1}), tiered=True)],
        [agent("a1", sales=1), agent("a2", sales=9)],
    )
    _ready_all(h, ["a1", "a2"])
    h.send(CallArrived(call("c1", at=h.now)))
    assert offers(h) == [("c1", "a2")]


def test_a_ready_agent_takes_the_best_call_across_its_queues() -> None:
    queues = [Queue("sales", aging_per_min=0), Queue("support", weight=0)]
    h = Harness.of(queues, [agent("a1", queues=("sales", "support"))])
    h.send(AgentLoggedIn("a1"))
    h.send(CallArrived(call("old", "support", at=h.now)))
    h.advance(30)
    h.send(CallArrived(call("vip", "sales", at=h.now, priority=5)))
    h.send(CallArrived(call("new", "sales", at=h.now)))
    h.send(AgentReady("a1"))
    assert offers(h) == [("vip", "a1")]  # priority first, then the longer wait


def test_aging_lets_a_long_wait_overtake_priority() -> None:
    queues = [Queue("sales"), Queue("support", aging_per_min=2)]
    h = Harness.of(queues, [agent("a1", queues=("sales", "support"))])
    h.send(AgentLoggedIn("a1"))
    h.send(CallArrived(call("old", "support", at=h.now)))
    h.advance(180)  # 3 minutes: +6 points
    h.send(CallArrived(call("vip", "sales", at=h.now, priority=5)))
    h.send(AgentReady("a1"))
    assert offers(h) == [("old", "a1")]


def test_no_answer_pauses_the_agent_and_puts_the_call_back_at_the_head() -> None:
    h = Harness.of([Queue("sales")], [agent("a1"), agent("a2")])
    h.send(AgentLoggedIn("a1", ready=True))
    h.send(CallArrived(call("first", at=h.now)))
    h.advance(1)
    h.send(CallArrived(call("second", at=h.now)))
    h.send(OfferNotAnswered("first", "a1"))
    assert state(h, "a1") is AgentState.NOT_READY
    assert h.router.agents["a1"].reason == "missed_call"
    h.send(AgentLoggedIn("a2", ready=True))
    assert offers(h) == [("first", "a2")]


def test_the_router_enforces_the_ring_timeout() -> None:
    h = Harness.of([Queue("sales", ring_timeout_s=12)], [agent("a1")])
    h.send(AgentLoggedIn("a1", ready=True), CallArrived(call("c1", at=h.now)))
    h.advance(11)
    assert h.last.commands == ()
    h.advance(1)
    assert of_type(h.last.commands, CancelOffer) == [CancelOffer("c1", "a1")]
    assert state(h, "a1") is AgentState.NOT_READY


def test_busy_or_unavailable_devices_are_never_offered() -> None:
    h = Harness.of([Queue("sales")], [agent("a1")])
    h.send(DeviceStateChanged("PJSIP/a1", "INUSE"))
    h.send(AgentLoggedIn("a1", ready=True), CallArrived(call("c1", at=h.now)))
    assert offers(h) == []
    h.send(DeviceStateChanged("PJSIP/a1", "NOT_INUSE"))
    assert offers(h) == [("c1", "a1")]
    h.send(OfferNotAnswered("c1", "a1", "BUSY"))
    assert state(h, "a1") is AgentState.READY and offers(h) == []  # device marked busy


def test_answer_hangup_wrap_up_ready_then_the_next_call() -> None:
    h = Harness.of([Queue("sales", wrap_up_s=20)], [agent("a1")])
    h.send(
        AgentLoggedIn("a1", ready=True),
        CallArrived(call("c1", at=h.now)),
        CallArrived(call("c2", at=h.now)),
    )
    h.send(OfferAnswered("c1", "a1"))
    assert state(h, "a1") is AgentState.ON_CALL
    h.advance(60)
    h.send(CallEnded("c1"))
    assert state(h, "a1") is AgentState.WRAP_UP
    assert of_type(h.last.facts, CallFinished)[0].outcome is CallOutcome.ANSWERED
    h.advance(20)
    assert of_type(h.last.facts, CallHandled) == [CallHandled("c1", "sales", "a1", h.now, 60, 20)]
    assert offers(h) == [("c2", "a1")]


def test_pause_or_logout_asked_on_a_call_applies_after_it() -> None:
    h = Harness.of([Queue("sales", wrap_up_s=0)], [agent("a1")])
    h.send(
        AgentLoggedIn("a1", ready=True),
        CallArrived(call("c1", at=h.now)),
        OfferAnswered("c1", "a1"),
        CallArrived(call("c2", at=h.now)),
        AgentNotReady("a1", "lunch"),
    )
    h.send(CallEnded("c1"))
    assert (state(h, "a1"), h.router.agents["a1"].reason) == (AgentState.NOT_READY, "lunch")
    h.send(AgentReady("a1"))
    assert offers(h) == [("c2", "a1")]
    h.send(AgentLoggedOut("a1"))  # while ringing: the call goes back, the agent leaves
    assert of_type(h.last.commands, CancelOffer) == [CancelOffer("c2", "a1")]
    assert state(h, "a1") is AgentState.LOGGED_OUT
    assert "c2" in h.router.calls


def test_abandons_while_waiting_and_while_ringing() -> None:
    h = Harness.of([Queue("sales")], [agent("a1")])
    h.send(CallArrived(call("c1", at=h.now)))
    h.advance(3)
    h.send(CallerAbandoned("c1"))
    assert of_type(h.last.facts, QueueLeft)[0].waited_s == 3
    h.send(AgentLoggedIn("a1", ready=True), CallArrived(call("c2", at=h.now)))
    h.send(CallerAbandoned("c2"))
    assert of_type(h.last.commands, CancelOffer) == [CancelOffer("c2", "a1")]
    assert state(h, "a1") is AgentState.READY
    outcomes = [f.outcome for f in of_type(h.facts, CallFinished)]
    assert outcomes == [CallOutcome.ABANDONED, CallOutcome.ABANDONED]


def test_a_callback_keeps_the_callers_place_and_reserves_the_agent_first() -> None:
    h = Harness.of([Queue("sales", callback_attempts=2, callback_retry_s=60)], [agent("a1")])
    h.send(CallArrived(call("early", at=h.now)))
    h.advance(10)
    h.send(CallArrived(call("later", at=h.now)))
    h.send(CallbackRequested("early", "13800138000"))
    h.send(AgentLoggedIn("a1", ready=True))
    (originate,) = of_type(h.last.commands, OriginateCallback)
    assert (originate.call_id, originate.agent_id, originate.attempt) == ("early", "a1", 1)
    assert state(h, "a1") is AgentState.RESERVED
    h.send(CallbackOutcome("early", answered=False, reason="NOANSWER"))
    assert offers(h) == [("later", "a1")]  # the callback waits for its retry
    h.send(OfferAnswered("later", "a1"), CallEnded("later"))
    h.advance(70)
    (originate,) = of_type(h.commands, OriginateCallback)[1:]
    assert originate.attempt == 2
    h.send(CallbackOutcome("early", answered=True))
    assert of_type(h.last.facts, CallAnswered)[0].callback
    h.send(CallEnded("early"))
    assert of_type(h.last.facts, CallFinished)[0].outcome is CallOutcome.CALLED_BACK


def test_a_callback_that_is_never_reached_ends_unreached() -> None:
    h = Harness.of([Queue("sales", callback_attempts=1)], [agent("a1")])
    h.send(CallArrived(call("c1", at=h.now)), CallbackRequested("c1", "138", None, START + 50))
    h.advance(60)
    assert of_type(h.last.facts, CallFinished)[0].outcome is CallOutcome.CALLBACK_UNREACHED


def test_a_callback_window_in_the_future_is_waited_for() -> None:
    h = Harness.of([Queue("sales")], [agent("a1")])
    h.send(
        AgentLoggedIn("a1"),
        CallArrived(call("c1", at=h.now)),
        CallbackRequested("c1", "138", START + 3600, START + 7200),
        AgentReady("a1"),
    )
    assert of_type(h.last.commands, OriginateCallback) == []
    h.advance(3600)
    assert len(of_type(h.last.commands, OriginateCallback)) == 1


def test_overflow_widens_skills_then_adds_another_queues_agents() -> None:
    sales = Queue(
        "sales",
        frozen_map({"sales": 5}),
        overflow=(OverflowRule(30, min_level=2), OverflowRule(60, add_agents_of=("support",))),
    )
    h = Harness.of(
        [sales, Queue("support")],
        [agent("low", sales=2), agent("other", queues=("support",), sales=2)],
    )
    h.send(AgentLoggedIn("low", ready=True), CallArrived(call("c1", at=h.now)))
    h.advance(29)
    assert offers(h) == []
    h.advance(1)
    assert offers(h) == [("c1", "low")]  # level 5 widened to 2
    h.send(OfferNotAnswered("c1", "low"), AgentLoggedIn("other", ready=True))
    assert offers(h) == []  # a support agent: not before 60 s
    h.advance(30)
    assert offers(h) == [("c1", "other")]


def test_max_wait_moves_to_the_fallback_queue_keeping_the_place() -> None:
    queues = [
        Queue("sales", max_wait_s=60, fallback=Fallback("queue", "support")),
        Queue(
            "support",
            music_class="calm",
            max_wait_s=60,
            fallback=Fallback("voicemail", "100@default"),
        ),
    ]
    h = Harness.of(queues, [])
    h.send(CallArrived(call("c1", at=h.now)))
    h.advance(60)
    assert of_type(h.last.commands, MoveToQueue) == [MoveToQueue("c1", "support", "calm")]
    assert h.router.calls["c1"].call.enqueued_at == START
    h.advance(60)
    assert of_type(h.last.commands, SendToFallback) == [
        SendToFallback("c1", "voicemail", "100@default")
    ]
    assert of_type(h.last.facts, CallFinished)[0].outcome is CallOutcome.VOICEMAIL


def test_a_call_id_used_again_does_not_inherit_the_old_calls_timers() -> None:
    # The first c1's maximum wait (due at +60 s) must not cut the second c1's wait short.
    h = Harness.of([Queue("sales", max_wait_s=60, fallback=Fallback("exit", "ivr,s"))], [])
    h.send(CallArrived(call("c1", at=h.now)))
    h.advance(10)
    h.send(CallerAbandoned("c1"))
    h.advance(20)
    h.send(CallArrived(call("c1", at=h.now)))
    h.advance(40)
    assert of_type(h.commands, SendToFallback) == []
    h.advance(20)
    assert of_type(h.last.commands, SendToFallback) == [SendToFallback("c1", "exit", "ivr,s")]


def test_a_full_queue_sends_callers_to_its_fallback() -> None:
    h = Harness.of([Queue("sales", max_length=1, fallback=Fallback("exit", "ivr,s"))], [])
    h.send(CallArrived(call("c1", at=h.now)), CallArrived(call("c2", at=h.now)))
    assert of_type(h.last.commands, SendToFallback) == [SendToFallback("c2", "exit", "ivr,s")]
    assert [f.outcome for f in of_type(h.facts, CallFinished)] == [CallOutcome.OVERFLOWED]


def test_announcements_and_the_callback_offer() -> None:
    h = Harness.of(
        [Queue("sales", announce_interval_s=30, expected_handle_s=120, callback_offer_after_s=45)],
        [agent("a1")],
    )
    h.send(AgentLoggedIn("a1"), AgentNotReady("a1", "break"))
    h.send(CallArrived(call("c1", at=h.now)), CallArrived(call("c2", at=h.now)))
    h.advance(30)
    assert of_type(h.last.commands, Announce) == [
        Announce("c1", 1, 120.0),
        Announce("c2", 2, 240.0),
    ]
    h.advance(15)
    assert len(of_type(h.last.commands, OfferCallbackChoice)) == 2


def test_nonsense_is_refused_without_changing_anything() -> None:
    h = Harness.of([Queue("sales")], [agent("a1")])
    for event in (
        AgentReady("a1"),
        AgentReady("ghost"),
        OfferAnswered("c9", "a1"),
        CallEnded("c9"),
        AgentLoggedOut("a1"),
    ):
        out = h.send(event)
        assert len(of_type(out.commands, Rejected)) == 1
        assert out.facts == ()
    h.send(AgentLoggedIn("a1"))
    assert len(of_type(h.send(AgentLoggedIn("a1")).commands, Rejected)) == 1
    changes = of_type(h.facts, AgentStateChanged)
    assert [c.state for c in changes] == [AgentState.NOT_READY]


def test_a_call_walks_its_phase_table_and_an_illegal_step_raises() -> None:
    h = Harness.of([Queue("sales", wrap_up_s=0)], [agent("a1")])
    h.send(CallArrived(call("c1", at=h.now)))
    runtime = h.router.calls["c1"]
    assert runtime.phase is CallPhase.WAITING
    h.send(AgentLoggedIn("a1", ready=True))
    assert runtime.phase is CallPhase.OFFERED
    h.send(OfferAnswered("c1", "a1"))
    assert runtime.phase is CallPhase.CONNECTED
    with pytest.raises(
        IllegalTransition, match="call 'c1': no transition 'offer' from 'connected'"
    ):
        runtime.move("offer")
    h.send(CallEnded("c1"))
    assert runtime.phase is CallPhase.ENDED and "c1" not in h.router.calls
    assert all(phase is not CallPhase.ENDED for phase, _ in CALL_TRANSITIONS)


def test_an_illegal_agent_step_raises_naming_the_agent() -> None:
    h = Harness.of([Queue("sales")], [agent("a1")])
    with pytest.raises(
        IllegalTransition, match="agent 'a1': no transition 'answer' from 'logged_out'"
    ):
        h.router.move_agent(h.router.agents["a1"], "answer")


# -- supervisor actions: priority and move of a waiting caller ------------------------------
def test_a_raised_priority_puts_the_caller_ahead_of_earlier_callers() -> None:
    h = Harness.of([Queue("sales")], [agent("a1")])
    h.send(CallArrived(call("c1", at=h.now)))
    h.advance(5)
    h.send(CallArrived(call("c2", at=h.now)))
    assert h.router.waiting.position(h.router.calls["c2"]) == 2
    h.send(CallPriorityChanged("c2", 5))
    assert h.last.commands == ()
    assert h.router.waiting.position(h.router.calls["c2"]) == 1
    h.send(AgentLoggedIn("a1", ready=True))
    assert offers(h) == [("c2", "a1")]


def test_a_moved_caller_leaves_one_queue_and_waits_in_the_other_keeping_their_place() -> None:
    queues = [Queue("sales"), Queue("support", music_class="calm")]
    h = Harness.of(queues, [agent("s1", ["support"])])
    h.send(CallArrived(call("c1", at=h.now)))
    h.advance(30)
    h.send(CallArrived(call("c2", queue="support", at=h.now)))
    h.advance(10)
    h.send(CallMoveRequested("c1", "support"))
    assert of_type(h.last.commands, MoveToQueue) == [MoveToQueue("c1", "support", "calm")]
    left = of_type(h.last.facts, QueueLeft)
    assert [(f.queue, f.outcome, f.to_queue, f.waited_s) for f in left] == [
        ("sales", "moved", "support", 40.0)
    ]
    queued = of_type(h.last.facts, CallQueued)
    assert [(f.queue, f.enqueued_at) for f in queued] == [("support", START)]
    assert h.router.waiting.position(h.router.calls["c1"]) == 1  # earlier than c2
    h.advance(5)
    h.send(AgentLoggedIn("s1", ready=True))
    assert offers(h) == [("c1", "s1")]
    h.send(OfferAnswered("c1", "s1"))
    # The new queue's service level counts from the move, as for an overflow.
    assert [f.waited_s for f in of_type(h.last.facts, CallAnswered)] == [5.0]


def test_only_a_caller_waiting_in_line_can_be_moved_or_reprioritised() -> None:
    queues = [Queue("sales"), Queue("support", max_length=1), Queue("gone")]
    h = Harness.of(queues, [agent("a1")])
    h.send(CallArrived(call("c9", queue="support", at=h.now)))
    h.send(CallArrived(call("c1", at=h.now)), AgentLoggedIn("a1", ready=True))
    refused = {
        CallMoveRequested("c1", "support"): "call 'c1' is not waiting: it is ringing agent 'a1'",
        CallPriorityChanged("nope", 3): "unknown call 'nope'",
    }
    for event, reason in refused.items():
        h.send(event)
        assert of_type(h.last.commands, Rejected)[0].reason.startswith(reason)
        assert h.last.facts == ()
    h.send(OfferAnswered("c1", "a1"))
    h.send(CallPriorityChanged("c1", 3))
    assert "answered by agent 'a1'" in of_type(h.last.commands, Rejected)[0].reason
    h.send(CallArrived(call("c2", at=h.now)))
    for target, reason in (
        ("support", "queue 'support' is full (1 waiting)"),
        ("sales", "call 'c2' already waits in 'sales'"),
        ("nowhere", "unknown queue 'nowhere'"),
    ):
        h.send(CallMoveRequested("c2", target))
        assert of_type(h.last.commands, Rejected)[0].reason.startswith(reason)
        assert h.last.facts == ()
    assert h.router.calls["c2"].queue == "sales"
