# -*- test-case-name: tests.queue.test_reload -*-
"""A new queue configuration applied to a running router: nothing lost, nobody stranded."""

from __future__ import annotations

from switchboard.queue.core._reload import Roster, reconfigured, tidied
from switchboard.queue.core.decisions import (
    AgentStateChanged,
    CallFinished,
    OfferCall,
    Rejected,
    SendToFallback,
)
from switchboard.queue.core.events import (
    AgentLoggedIn,
    AgentReady,
    CallArrived,
    CallEnded,
    ConfigChanged,
    OfferAnswered,
)
from switchboard.queue.core.model import Agent, AgentState, CallOutcome, Queue, frozen_map
from tests.queue.helpers import Harness, agent, call, of_type

SALES = Queue("sales", announce_interval_s=None, wrap_up_s=10)
SUPPORT = Queue("support", announce_interval_s=None, wrap_up_s=0)


def reload(h: Harness, queues: list[Queue], agents: list[Agent]) -> None:
    h.send(ConfigChanged(tuple(queues), tuple(agents)))


def offers(h: Harness) -> list[tuple[str, str]]:
    return [(c.call_id, c.agent_id) for c in of_type(h.last.commands, OfferCall)]


def test_added_queues_and_agents_appear_and_new_agents_start_logged_out() -> None:
    h = Harness.of([SALES], [agent("a1")])
    reload(h, [SALES, SUPPORT], [agent("a1"), agent("a2", queues=("support",))])
    assert set(h.router.queues) == {"sales", "support"}
    assert h.router.agents["a2"].state is AgentState.LOGGED_OUT
    assert h.last.facts == ()
    h.send(CallArrived(call("c1", "support", at=h.now)), AgentLoggedIn("a2", ready=True))
    assert offers(h) == [("c1", "a2")]


def test_a_changed_requirement_refiles_waiting_calls_and_a_ready_agent_takes_one() -> None:
    strict = Queue("sales", frozen_map({"sales": 3}), announce_interval_s=None)
    h = Harness.of([strict], [agent("a1", sales=1)])
    h.send(AgentLoggedIn("a1", ready=True))
    h.send(CallArrived(call("c1", at=h.now)))
    h.advance(5)
    h.send(CallArrived(call("c2", at=h.now)))
    assert offers(h) == []  # a1's level is too low
    h.advance(5)
    reload(
        h,
        [Queue("sales", frozen_map({"sales": 1}), announce_interval_s=None)],
        [agent("a1", sales=1)],
    )
    assert offers(h) == [("c1", "a1")]  # the first caller keeps their place
    runtime = h.router.calls["c2"]
    assert runtime.call.enqueued_at == h.now - 5 and h.router.waiting.position(runtime) == 1


def test_a_changed_ring_timeout_applies_to_the_next_offer() -> None:
    h = Harness.of([SALES], [agent("a1")])
    reload(h, [Queue("sales", ring_timeout_s=7, announce_interval_s=None)], [agent("a1")])
    h.send(AgentLoggedIn("a1", ready=True), CallArrived(call("c1", at=h.now)))
    assert of_type(h.last.commands, OfferCall)[0].ring_timeout_s == 7


def test_a_removed_queue_serves_its_calls_but_takes_no_new_ones_then_goes() -> None:
    h = Harness.of([SALES, SUPPORT], [agent("a1"), agent("a2", queues=("support",))])
    h.send(CallArrived(call("c1", at=h.now)))
    reload(h, [SUPPORT], [agent("a1", queues=("support",)), agent("a2", queues=("support",))])
    assert "sales" in h.router.queues and not h.router.accepting("sales")
    h.send(CallArrived(call("c2", at=h.now)))
    assert of_type(h.last.commands, SendToFallback) == [SendToFallback("c2", "exit", "")]
    assert "removed queue 'sales'" in of_type(h.last.commands, Rejected)[0].reason
    # a1 served sales when it was removed: it still answers sales's last caller.
    h.send(AgentLoggedIn("a1", ready=True))
    assert offers(h) == [("c1", "a1")]
    h.send(OfferAnswered("c1", "a1"))
    h.advance(30)
    h.send(CallEnded("c1"))
    assert "sales" not in h.router.queues and h.router.agents["a1"].agent.queues == ("support",)
    assert h.router.staffed == {"support": 1}
    h.advance(10)  # sales's wrap-up, then a1 serves support only
    assert h.router.agents["a1"].state is AgentState.READY
    outcomes = {f.call_id: f.outcome for f in of_type(h.facts, CallFinished)}
    assert outcomes == {"c1": CallOutcome.ANSWERED}


def test_a_removed_queue_without_calls_goes_at_once() -> None:
    h = Harness.of([SALES, SUPPORT], [agent("a1", queues=("sales", "support"))])
    h.send(AgentLoggedIn("a1", ready=True))
    reload(h, [SUPPORT], [agent("a1", queues=("support",))])
    assert set(h.router.queues) == {"support"} and h.router.staffed == {"support": 1}
    assert h.router.ready.size("sales") == 0


def test_a_removed_idle_agent_is_logged_out_and_forgotten() -> None:
    h = Harness.of([SALES], [agent("a1"), agent("a2")])
    h.send(AgentLoggedIn("a1", ready=True), AgentLoggedIn("a2"))
    reload(h, [SALES], [])
    changes = of_type(h.last.facts, AgentStateChanged)
    assert [(f.agent_id, f.state, f.reason) for f in changes] == [
        ("a1", AgentState.LOGGED_OUT, "removed"),
        ("a2", AgentState.LOGGED_OUT, "removed"),
    ]
    assert h.router.agents == {}
    h.send(CallArrived(call("c1", at=h.now)))
    assert offers(h) == []


def test_a_removed_agent_on_a_call_finishes_it_and_its_wrap_up_first() -> None:
    h = Harness.of([SALES], [agent("a1"), agent("a2")])
    h.send(
        AgentLoggedIn("a1", ready=True),
        CallArrived(call("c1", at=h.now)),
        OfferAnswered("c1", "a1"),
    )
    reload(h, [SALES], [agent("a2")])
    assert h.router.agents["a1"].state is AgentState.ON_CALL
    h.send(AgentReady("a1"))  # the seat cannot keep a removed agent in service
    assert "removed from the configuration" in of_type(h.last.commands, Rejected)[0].reason
    h.send(CallEnded("c1"))
    assert h.router.agents["a1"].state is AgentState.WRAP_UP
    h.advance(10)
    assert "a1" not in h.router.agents
    assert of_type(h.last.facts, AgentStateChanged)[-1].state is AgentState.LOGGED_OUT


def test_an_agent_removed_then_restored_before_leaving_stays() -> None:
    h = Harness.of([SALES], [agent("a1")])
    h.send(
        AgentLoggedIn("a1", ready=True),
        CallArrived(call("c1", at=h.now)),
        OfferAnswered("c1", "a1"),
    )
    reload(h, [SALES], [])
    reload(h, [SALES], [agent("a1")])
    h.send(CallEnded("c1"))
    h.advance(10)
    assert h.router.agents["a1"].state is AgentState.READY


def test_changed_agent_skills_apply_from_the_next_offer() -> None:
    vip = Queue("sales", frozen_map({"vip": 1}), announce_interval_s=None, wrap_up_s=0)
    h = Harness.of([SALES], [agent("a1")])
    h.send(
        AgentLoggedIn("a1", ready=True),
        CallArrived(call("c1", at=h.now)),
        OfferAnswered("c1", "a1"),
    )
    reload(h, [vip], [agent("a1", vip=2)])
    assert h.router.agents["a1"].call_id == "c1"  # the call in progress is untouched
    h.send(CallArrived(call("c2", at=h.now)))
    assert offers(h) == []
    h.send(CallEnded("c1"))
    assert offers(h) == [("c2", "a1")]


def test_a_new_device_is_watched_and_offered() -> None:
    h = Harness.of([SALES], [agent("a1")])
    moved = Agent("a1", device="PJSIP/desk9", languages=frozenset({"en"}), queues=("sales",))
    reload(h, [SALES], [moved])
    h.send(AgentLoggedIn("a1", ready=True), CallArrived(call("c1", at=h.now)))
    assert of_type(h.last.commands, OfferCall)[0].device == "PJSIP/desk9"


def test_update_config_is_the_same_as_the_event() -> None:
    h = Harness.of([SALES], [agent("a1")])
    out = h.router.update_config([SALES, SUPPORT], [agent("a1")], h.now)
    assert out.commands == () and set(h.router.queues) == {"sales", "support"}


def test_a_reload_is_planned_as_a_new_roster_leaving_the_old_one_as_it_was() -> None:
    before = Roster.of([SALES, SUPPORT], [agent("a1"), agent("a2", queues=("support",))])
    after = reconfigured(before, [SALES], [agent("a1")], in_use=frozenset({"support"}))
    assert set(before.queues) == {"sales", "support"} and before.removed == frozenset()
    assert after.retired == {"support": frozenset({"a2"})} and after.removed == {"a2"}
    assert not after.accepting("support") and after.accepting("sales")
    gone = tidied(after, ["a2"], in_use=frozenset())
    assert set(gone.queues) == {"sales"} and set(gone.configured) == {"a1"}
    assert gone.removed == frozenset() and after.removed == {"a2"}
