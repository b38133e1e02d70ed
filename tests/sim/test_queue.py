# -*- test-case-name: tests.sim.test_queue -*-
"""app_queue's engine on a fake clock: rrmemory, ring timeout, wrap-up, pause, abandon."""

from __future__ import annotations

import random

from twisted.internet.defer import Deferred
from twisted.internet.task import Clock

from switchboard.sim._queue import QueueEngine
from switchboard.sim._queue_state import MemberState, QueueState, pick_member
from switchboard.sim.events import Headers
from switchboard.sim.pbx import DEFAULT_QUEUES, AgentBehaviour, Pbx, PbxConfig


def _engine(**agents: AgentBehaviour) -> tuple[Clock, Pbx, QueueEngine, list[Headers]]:
    clock = Clock()
    pbx = Pbx(clock, PbxConfig(agents=dict(agents)), talk_time=lambda lo, hi: 5.0)
    events: list[Headers] = []
    pbx.subscribe(events.append)
    return clock, pbx, QueueEngine(pbx, random.Random(1)), events


def _named(events: list[Headers], name: str) -> list[dict[str, str]]:
    return [dict(e) for e in events if e[0] == ("Event", name)]


def test_rrmemory_skips_paused_ringing_and_wrapping_up_members() -> None:
    q = QueueState(DEFAULT_QUEUES[0], [])
    q.members = [MemberState(m, "sales") for m in q.config.members]
    assert pick_member(q, now=0.0) is q.members[0]
    q.last_index = 0
    assert pick_member(q, now=0.0) is q.members[1]  # round robin with memory
    q.members[1].paused = True
    q.members[2].wrapup_until = 10.0
    assert pick_member(q, now=5.0) is q.members[0]  # 1 paused, 2 wrapping up
    assert pick_member(q, now=10.0) is q.members[2]  # wrap-up over
    q.members[0].ringing = q.members[2].ringing = True
    assert pick_member(q, now=10.0) is None


def test_ring_timeout_gives_agent_ring_no_answer_in_ms_then_next_member() -> None:
    clock, pbx, engine, events = _engine(agent1001=AgentBehaviour(answer_after_s=None))
    _one, two = pbx.new_local_pair("s", "switchboard-ivr")
    done = Deferred.fromCoroutine(engine.run(two, "sales"))
    clock.pump([0.5] * 60)  # 30 s
    (noanswer,) = _named(events, "AgentRingNoAnswer")
    assert noanswer["RingTime"] == "12000"  # the queue's 12 s timeout, in ms
    assert noanswer["MemberName"] == "Alice Sales"
    connect = _named(events, "AgentConnect")[0]
    assert connect["MemberName"] == "Bob Sales"  # after retry, rrmemory moves on
    assert connect["RingTime"] == "1"  # seconds here
    assert done.called  # talk 5 s: the agent hung up, the caller goes on
    complete = _named(events, "AgentComplete")[0]
    assert complete["Reason"] == "agent"
    bob = engine.queues["sales"].members[1]
    assert bob.calls == 1 and bob.wrapup_until == bob.last_call + 2.0  # 2 s wrap-up


def test_paused_queue_holds_then_abandon_gives_abandon_and_leave() -> None:
    clock, pbx, engine, events = _engine()
    for m in engine.queues["support"].members:
        engine.pause(m, True, "meeting")
    pause = _named(events, "QueueMemberPause")[0]
    assert (pause["Paused"], pause["PausedReason"]) == ("1", "meeting")
    _one, two = pbx.new_local_pair("s", "switchboard-ivr")
    done = Deferred.fromCoroutine(engine.run(two, "support"))
    clock.pump([0.5] * 14)  # 7 s of hold: nobody is rung
    assert not _named(events, "AgentCalled")
    pbx.hangup_request(two)
    clock.pump([0.0, 0.0])
    assert done.called
    done.addErrback(lambda f: None)
    names = [e[0][1] for e in events]
    abandon = names.index("QueueCallerAbandon")
    assert names.index("QueueCallerLeave") > abandon
    assert _named(events, "QueueCallerAbandon")[0]["HoldTime"] == "7"
    assert engine.queues["support"].waiting == []
