# -*- test-case-name: tests.queue.test_stats -*-
"""Live statistics from a scripted day: each figure checked by hand, and windows rolling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from switchboard.queue.core.decisions import AgentStateChanged
from switchboard.queue.core.events import (
    AgentLoggedIn,
    AgentNotReady,
    CallArrived,
    CallbackRequested,
    CallEnded,
    CallerAbandoned,
    OfferAnswered,
)
from switchboard.queue.core.model import AgentState, Queue
from switchboard.queue.core.stats import LiveStats
from tests.queue.helpers import START, Harness, agent, call

SALES = Queue("sales", service_level_s=20, short_abandon_s=5, wrap_up_s=10)
NOON = datetime(2026, 11, 24, 12, 0, tzinfo=UTC).timestamp()


def scripted() -> Harness:
    h = Harness.of([SALES], [agent("a1")])
    h.now = NOON
    h.send(CallArrived(call("c1", at=h.now)), CallArrived(call("c2", at=h.now)))
    h.advance(10)
    h.send(AgentLoggedIn("a1", ready=True))  # c1 offered after 10 s
    h.send(OfferAnswered("c1", "a1"))
    h.advance(2)
    h.send(CallArrived(call("c3", at=h.now)))
    h.advance(2)
    h.send(CallerAbandoned("c3"))  # 2 s: a short abandon
    h.advance(76)
    h.send(CallEnded("c1"))  # talk 80 s
    h.advance(10)  # wrap-up 10 s; c2 offered after 100 s
    h.send(OfferAnswered("c2", "a1"))
    h.send(CallArrived(call("c4", at=h.now)))
    h.advance(30)
    h.send(CallerAbandoned("c4"))  # 30 s: counts against the service level
    h.send(CallArrived(call("c5", at=h.now, number="138")))
    h.send(CallbackRequested("c5", "138"))
    h.send(CallArrived(call("c6", at=h.now)))
    h.advance(5)
    return h


def test_queue_figures_by_hand() -> None:
    h = scripted()
    stats = LiveStats([SALES], [agent("a1")])
    stats.apply(h.facts)
    snap = stats.queue("sales", h.now)
    assert (snap.waiting, snap.longest_wait_s, snap.callbacks_pending) == (1, 5.0, 1)
    assert snap.agents_by_state["on_call"] == 1
    today = snap.windows["today"]
    assert (today.offered, today.answered, today.abandoned, today.short_abandons) == (6, 2, 2, 1)
    assert today.callbacks_requested == 1
    # 1 within 20 s (c1) of 2 answered + 1 counted abandon (c4; c3 was short)
    assert today.service_level_pct == 33.333
    assert today.asa_s == 55.0
    assert (today.handled, today.aht_s) == (1, 90.0)


def test_agent_figures_by_hand() -> None:
    h = scripted()
    stats = LiveStats([SALES], [agent("a1")])
    stats.apply(h.facts)
    snap = stats.agent("a1", h.now)
    assert snap.state is AgentState.ON_CALL and snap.in_state_s == 35.0
    today = snap.windows["today"]
    assert today.seconds_by_state == {"on_call": 115.0, "wrap_up": 10.0}
    assert (today.handled, today.aht_s, today.occupancy_pct) == (1, 90.0, 100.0)
    h.send(CallEnded("c2"))
    h.send(AgentNotReady("a1", "lunch"))
    stats.apply(h.last.facts)
    assert stats.agent("a1", h.now + 60).reason == "lunch"


def test_rolling_windows_forget_and_midnight_resets() -> None:
    h = scripted()
    stats = LiveStats([SALES], [agent("a1")])
    stats.apply(h.facts)
    assert stats.queue("sales", h.now + 900).windows["15m"].offered == 0
    assert stats.queue("sales", h.now + 900).windows["1h"].offered == 6
    assert stats.queue("sales", h.now + 3600).windows["1h"].offered == 0
    tomorrow = NOON + 12 * 3600
    assert stats.queue("sales", tomorrow).windows["today"].offered == 0


def test_midnight_is_the_sites() -> None:
    shanghai = timezone(timedelta(hours=8))
    h = scripted()  # 12:00 UTC is 20:00 in Shanghai; its midnight is 4 hours later
    stats = LiveStats([SALES], [agent("a1")], timezone=shanghai)
    stats.apply(h.facts)
    assert stats.queue("sales", NOON + 3 * 3600).windows["today"].offered == 6
    assert stats.queue("sales", NOON + 5 * 3600).windows["today"].offered == 0


def test_two_sources_count_side_by_side_and_reconfigure_only_their_own_part() -> None:
    """The ACD's queues (the constructor's) and app_queue's (part "app_queue") in one
    LiveStats: a reload of either keeps the other's queues listed."""
    stats = LiveStats([Queue("sales")], [agent("ann", ["sales"])])
    stats.reconfigure([Queue("support")], [agent("ann", ["support"])], part="app_queue")
    assert [s.queue for s in stats.queues(START)] == ["sales", "support"]
    stats.reconfigure([Queue("sales"), Queue("vip")], [agent("ann", ["sales"])])  # ACD reload
    assert [s.queue for s in stats.queues(START)] == ["sales", "support", "vip"]
    stats.apply([AgentStateChanged("ann", START, AgentState.READY, AgentState.LOGGED_OUT)])
    ready = {s.queue: s.agents_by_state.get("ready", 0) for s in stats.queues(START + 1)}
    assert ready == {"sales": 1, "support": 1, "vip": 0}  # ann is in both kinds of queue
