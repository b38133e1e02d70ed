"""The app_queue tracker replays the real captures into the router's facts.

Every expected figure below was counted by hand from the transcript
``tests/fixtures/captures/scenario-6calls/ami-scenario-6calls.jsonl`` (times are the
``wall`` of the chunk an event arrived in, written relative to the first chunk,
1795369105.060) and its README table, not taken from the code's output.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from switchboard.cti.ami.frames import Message
from switchboard.queue.core.appqueue import AppQueueTracker, Tracked
from switchboard.queue.core.decisions import (
    AgentStateChanged,
    CallAnswered,
    CallFinished,
    CallHandled,
    CallOffered,
    CallQueued,
    Fact,
    OfferEnded,
    QueueLeft,
)
from switchboard.queue.core.history import HistoryBuilder, recompute
from switchboard.queue.core.model import AgentState, CallOutcome, Queue
from switchboard.queue.core.stats import LiveStats
from tests.calls.replay import messages
from tests.queue.helpers import agent as agent_of

SCENARIO = "scenario-6calls/ami-scenario-6calls"
T0 = 1795369105.060  # the first chunk of the scenario capture
ALICE, BOB, CAROL, DAN, FRANK = (f"1795369105.{n}" for n in (20, 22, 28, 30, 26))
AGENT = "Local/agent{}@switchboard-agents/n".format


def _events(capture: str) -> Iterator[tuple[Message, float]]:
    """Events as a subscriber gets them: list items (they carry our ActionID) excluded."""
    for msg, wall in messages(capture):
        if msg.event and not msg.action_id:
            yield msg, wall


def _replay(tracker: AppQueueTracker, capture: str = SCENARIO) -> list[Tracked]:
    return [tracker.feed(msg, wall) for msg, wall in _events(capture)]


def _facts(results: list[Tracked]) -> list[Fact]:
    return [fact for result in results for fact in result.facts]


def _stats(tracker: AppQueueTracker, facts: list[Fact]) -> LiveStats:
    stats = LiveStats(tracker.queues.values(), tracker.agents())
    stats.apply(facts)
    return stats


def test_scenario_6calls_gives_the_calls_a_person_counts_in_the_transcript() -> None:
    tracker = AppQueueTracker()
    facts = _facts(_replay(tracker))
    queued = {f.call_id: f.queue for f in facts if isinstance(f, CallQueued)}
    # Five QueueCallerJoin (+4.620 Alice sales, +6.777 Bob support, +7.686 Frank support,
    # Dan support, Carol sales); Eve hung up inside the AGI and never joined.
    assert queued == {
        ALICE: "sales",
        BOB: "support",
        FRANK: "support",
        DAN: "support",
        CAROL: "sales",
    }
    finished = {f.call_id: f.outcome for f in facts if isinstance(f, CallFinished)}
    # Four AgentComplete, one QueueCallerAbandon (Frank at +14.007): one end per call.
    assert finished == {
        ALICE: CallOutcome.ANSWERED,
        BOB: CallOutcome.ANSWERED,
        CAROL: CallOutcome.ANSWERED,
        DAN: CallOutcome.ANSWERED,
        FRANK: CallOutcome.ABANDONED,
    }
    assert sum(isinstance(f, CallFinished) for f in facts) == 5
    offers = [(f.call_id, f.agent_id) for f in facts if isinstance(f, CallOffered)]
    # Five AgentCalled, in order: Alice->1001, Bob->2001, Carol->1002, Dan->2001, Alice->1002.
    assert offers == [
        (ALICE, AGENT("1001")),
        (BOB, AGENT("2001")),
        (CAROL, AGENT("1002")),
        (DAN, AGENT("2001")),
        (ALICE, AGENT("1002")),
    ]
    ended = [(f.call_id, f.agent_id, f.result) for f in facts if isinstance(f, OfferEnded)]
    # AgentRingNoAnswer at +16.619 (agent1001, RingTime 12000 ms); four AgentConnect.
    assert Counter(r for _, _, r in ended) == {"answered": 4, "no_answer": 1}
    assert (ALICE, AGENT("1001"), "no_answer") in ended
    waits = {f.call_id: f.waited_s for f in facts if isinstance(f, CallAnswered)}
    # AgentConnect time minus QueueCallerJoin time (Asterisk's HoldTime: 1, 1, 10, 15).
    assert waits == {
        BOB: pytest.approx(7.778 - 6.777, abs=0.002),
        CAROL: pytest.approx(8.689 - 7.686, abs=0.002),
        DAN: pytest.approx(17.694 - 7.686, abs=0.002),
        ALICE: pytest.approx(19.623 - 4.620, abs=0.002),
    }
    talks = {f.call_id: f.talk_s for f in facts if isinstance(f, CallHandled)}
    # AgentComplete time minus AgentConnect time (Asterisk's TalkTime: 4, 7, 6, 8).
    assert talks == {
        CAROL: pytest.approx(12.706 - 8.689, abs=0.002),
        BOB: pytest.approx(14.794 - 7.778, abs=0.002),
        DAN: pytest.approx(23.705 - 17.694, abs=0.002),
        ALICE: pytest.approx(27.627 - 19.623, abs=0.002),
    }
    left = [f for f in facts if isinstance(f, QueueLeft)]
    # Frank: joined +7.686, QueueCallerAbandon +14.007 (HoldTime 7).
    assert [(f.call_id, f.outcome) for f in left] == [(FRANK, "abandoned")]
    assert left[0].waited_s == pytest.approx(14.007 - 7.686, abs=0.002)


def test_scenario_6calls_final_figures_per_queue() -> None:
    tracker = AppQueueTracker()
    facts = _facts(_replay(tracker))
    stats = _stats(tracker, facts)
    end = T0 + 31.1
    sales, support = (stats.queue(name, end).windows["today"] for name in ("sales", "support"))
    # sales: Alice and Carol offered and answered, nobody abandoned.
    assert (sales.offered, sales.answered, sales.abandoned, sales.handled) == (2, 2, 0, 2)
    assert sales.asa_s == pytest.approx(((8.689 - 7.686) + (19.623 - 4.620)) / 2, abs=0.002)
    assert sales.service_level_pct == 100.0  # both within the default 20 s
    # support: Bob, Frank, Dan offered; Bob and Dan answered; Frank abandoned after 6.3 s
    # (not a short abandon: the default threshold is 5 s).
    assert (support.offered, support.answered, support.abandoned, support.handled) == (3, 2, 1, 2)
    assert support.short_abandons == 0
    assert support.asa_s == pytest.approx(((7.778 - 6.777) + (17.694 - 7.686)) / 2, abs=0.002)
    assert support.service_level_pct == pytest.approx(200 / 3, abs=0.001)
    # The QueueSummary at +31.023 says every agent is free again: 3 members per queue,
    # the two paused support agents unpaused at +31.024.
    assert {a.agent_id: a.state for a in stats.agents(end + 1)} == dict.fromkeys(
        [AGENT(n) for n in ("1001", "1002", "2001", "2002", "2003")], AgentState.READY
    )


def test_agents_follow_pauses_rings_and_calls() -> None:
    tracker = AppQueueTracker()
    facts = _facts(_replay(tracker))
    dave = [
        (f.previous.value, f.state.value)
        for f in facts
        if isinstance(f, AgentStateChanged) and f.agent_id == AGENT("2001")
    ]
    # agent2001 first appears in AgentCalled (+6.777): logged in, reserved, on call
    # (+7.778), free (+14.794), reserved (+16.692), on call (+17.694), free (+23.705).
    assert dave == [
        ("logged_out", "ready"),
        ("ready", "reserved"),
        ("reserved", "on_call"),
        ("on_call", "ready"),
        ("ready", "reserved"),
        ("reserved", "on_call"),
        ("on_call", "ready"),
    ]
    erin = [
        (f.state.value, f.reason)
        for f in facts
        if isinstance(f, AgentStateChanged) and f.agent_id == AGENT("2002")
    ]
    # QueueMemberPause Paused 1 "short-staffed" at +0.001, Paused 0 at +31.024.
    assert erin == [("not_ready", "short-staffed"), ("ready", "")]


def test_the_pop_carries_the_caller_and_the_ivr_session_that_ran_before_queue() -> None:
    tracker = AppQueueTracker()
    pops = [p for result in _replay(tracker) for p in result.offered]
    # One pop per AgentCalled. Bob's IVR (VarSet SWITCHBOARD_IVR_DIGITS 245 on his ;2,
    # uniqueid 1795369105.22, Linkedid .21) is the session of the call Queue() took.
    assert len(pops) == 5
    bob = next(p for p in pops if p.call_id == BOB)
    assert (bob.caller_number, bob.ivr_ref, bob.device, bob.queue) == (
        "5551002",
        BOB,
        AGENT("2001"),
        "support",
    )
    assert bob.extra["ivr_digits"] == "245"
    assert bob.extra["linkedid"] == "1795369105.21"


def test_an_ivr_that_set_switchboard_callid_is_the_visit_ivr_ref() -> None:
    # docs/asterisk.md sets __SWITCHBOARD_CALLID=${UNIQUEID} before the AGI: a Queue()
    # on another leg of the same call (same Linkedid) still joins that IVR session.
    tracker = AppQueueTracker()
    tracker.feed(
        Message(
            [
                ("Event", "VarSet"),
                ("Uniqueid", "9.2"),
                ("Linkedid", "9.1"),
                ("Variable", "__SWITCHBOARD_CALLID"),
                ("Value", "9.2"),
            ]
        ),
        1.0,
    )
    result = tracker.feed(
        Message(
            [
                ("Event", "QueueCallerJoin"),
                ("Uniqueid", "9.5"),
                ("Linkedid", "9.1"),
                ("Queue", "q"),
                ("CallerIDNum", "<unknown>"),
            ]
        ),
        2.0,
    )
    assert result.facts == (CallQueued("9.5", "q", 2.0, 2.0, 0, "", "9.2", ""),)


def test_stats_equal_a_recomputation_from_the_records_of_the_same_facts() -> None:
    tracker = AppQueueTracker()
    facts = _facts(_replay(tracker))
    stats = _stats(tracker, facts)
    history = HistoryBuilder()
    history.apply(facts)
    now = T0 + 40
    queues, agents = recompute(
        history.visits, history.periods, tracker.queues.values(), tracker.agents(), now
    )
    assert stats.queues(now) == queues
    assert stats.agents(now) == agents


def test_a_queue_file_limits_tracking_to_its_app_queue_queues() -> None:
    tracker = AppQueueTracker(queues=[Queue("support", service_level_s=5.0)])
    facts = _facts(_replay(tracker))
    assert {getattr(f, "queue", "support") for f in facts} == {"support"}
    stats = _stats(tracker, facts)
    # The configured target (5 s): Bob waited 1.0 s (in), Dan 10.0 s (out), Frank counted.
    assert stats.queue("support", T0 + 32).windows["today"].service_level_pct == pytest.approx(
        100 / 3, abs=0.001
    )


# -- reconnects ----------------------------------------------------------------------------
def _status_listing() -> tuple[list[Message], float]:
    """The QueueStatus the scenario took at +14.008 (ActionID sw-11)."""
    items = [
        (m, w)
        for m, w in messages(SCENARIO)
        if m.action_id == "sw-11" and m.event in ("QueueParams", "QueueMember", "QueueEntry")
    ]
    return [m for m, _ in items], items[0][1]


def test_a_link_down_from_7s_to_14s_is_rebuilt_from_queue_status() -> None:
    listing, at = _status_listing()
    tracker = AppQueueTracker()
    facts: list[Fact] = []
    resynced = False
    for msg, wall in _events(SCENARIO):
        if T0 + 7.0 <= wall < at:
            continue  # the link was down: Asterisk replays none of this
        if wall >= at and not resynced:
            facts += tracker.resync(listing, at).facts
            resynced = True
        facts += tracker.feed(msg, wall).facts
    # Seen before the drop: Alice (sales, ringing agent1001) and Bob (support, ringing
    # agent2001). The listing shows Alice still waiting, Bob gone and agent2001 InCall 1:
    # Bob was answered while we were away; his AgentComplete (+14.794, HoldTime 1,
    # TalkTime 7) dates the answer. Dan is listed waiting (Wait 7) and is counted from
    # the listing. Carol and Frank joined and left inside the gap: nobody can see them.
    queued = {f.call_id: f.at - T0 for f in facts if isinstance(f, CallQueued)}
    assert queued == pytest.approx({ALICE: 4.620, BOB: 6.777, DAN: at - 7 - T0}, abs=0.002)
    answered = {f.call_id: f.waited_s for f in facts if isinstance(f, CallAnswered)}
    assert answered[BOB] == 1.0
    assert answered[DAN] == pytest.approx(17.694 - (at - 7 - T0), abs=0.002)
    finished = {f.call_id: f.outcome for f in facts if isinstance(f, CallFinished)}
    assert finished == dict.fromkeys([ALICE, BOB, DAN], CallOutcome.ANSWERED)
    assert tracker.waiting() == []  # no ghost
    stats = _stats(tracker, facts)
    sales, support = (stats.queue(q, T0 + 32).windows["today"] for q in ("sales", "support"))
    assert (sales.offered, sales.answered, sales.abandoned) == (1, 1, 0)
    assert (support.offered, support.answered, support.abandoned) == (2, 2, 0)


def test_asterisk_restart_counters_do_not_reset_ours() -> None:
    tracker = AppQueueTracker()
    facts = _facts(_replay(tracker))
    listing, _ = _status_listing()
    # After `core restart now` app_queue starts again with Completed 0, Abandoned 0 and
    # nobody waiting: the same members, no QueueEntry.
    restarted = [
        Message([(k, "0" if k in ("Completed", "Abandoned", "Calls") else v) for k, v in m.headers])
        for m in listing
        if m.event != "QueueEntry"
    ]
    facts += tracker.resync(restarted, T0 + 60).facts
    stats = _stats(tracker, facts)
    sales, support = (stats.queue(q, T0 + 61).windows["today"] for q in ("sales", "support"))
    assert (sales.offered, sales.answered, support.offered, support.abandoned) == (2, 2, 3, 1)


def test_ami_reconnect_capture_invents_no_queue_visit() -> None:
    # The ami-reconnect capture was made with app_queue unloaded: the held caller is an
    # ACD call in an AGI, not a Queue() visit, so the tracker has nothing to say.
    tracker = AppQueueTracker()
    for name in ("ami-reconnect-1", "ami-reconnect-2", "ami-after-restart"):
        assert _facts(_replay(tracker, f"ami-reconnect/{name}")) == []
    assert tracker.resync([], T0).facts == ()
    assert tracker.waiting() == []


def test_the_queue_file_says_who_routes_each_queue() -> None:
    from switchboard.queue.config.queue_file import parse_queue_config

    config, problems = parse_queue_config(
        {"queues": {"sales": {}, "support": {"routing": "app_queue"}}}, "queues.yaml"
    )
    assert problems == [] and config is not None
    assert [q.name for q in config.routed_by("app_queue").queues] == ["support"]
    assert [q.name for q in config.routed_by("switchboard").queues] == ["sales"]
    _, problems = parse_queue_config({"queues": {"sales": {"routing": "asterisk"}}}, "q.yaml")
    assert [p.key for p in problems] == ["queues.sales.routing"]
    assert "app_queue" in problems[0].message


def test_a_flow_queueing_to_an_app_queue_queue_is_left_to_the_dialplan_queue() -> None:
    from tests.queue.test_hold import site

    s = site(
        [Queue("sales"), Queue("support", routing="app_queue")],
        [agent_of("a1", ("sales", "support"))],
    )
    s.acd.log_in("a1", ready=True)
    ch = s.channel()
    done = s.hold(ch, queue="support", queue_variable_set=True)
    assert done.called and done.result.outcome == "app_queue"
    # No music, no dial: Queue(${SWITCHBOARD_QUEUE}) routes, the tracker follows it.
    assert ch.sent == ["SET VARIABLE SWITCHBOARD_ROUTE routed"]
    assert s.facts == [f for f in s.facts if isinstance(f, AgentStateChanged)]
    assert set(s.acd.router.queues) == {"sales"}
    other = s.channel("c2")
    s.hold(other, queue="support")  # the flow did not set the queue: the ACD does
    assert other.sent == [
        "SET VARIABLE SWITCHBOARD_QUEUE support",
        "SET VARIABLE SWITCHBOARD_ROUTE routed",
    ]
