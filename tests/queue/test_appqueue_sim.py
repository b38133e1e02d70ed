"""The tracker on the simulated PBX's app_queue, in memory on a fake clock.

Callers are queued by the simulator's app_queue engine (rrmemory, ring timeout, wrap-up,
pause, abandon); its events reach the tracker as an AMI subscriber gets them, except while
the link is "down", after which the tracker resyncs from the simulator's QueueStatus.
Whatever the outages, no call stays waiting for ever (no ghost), each queued call ends at
most once, and the live figures equal a recomputation from the records the facts make.
"""

from __future__ import annotations

import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twisted.internet.defer import Deferred
from twisted.internet.task import Clock

from switchboard.cti.ami.frames import Message
from switchboard.queue.core.appqueue import AppQueueTracker
from switchboard.queue.core.decisions import CallAnswered, CallFinished, CallQueued, Fact, QueueLeft
from switchboard.queue.core.history import HistoryBuilder, recompute
from switchboard.queue.core.stats import LiveStats
from switchboard.sim._queue import QueueEngine
from switchboard.sim._queue_actions import QueueActions
from switchboard.sim.events import Headers
from switchboard.sim.pbx import AgentBehaviour, Pbx, PbxConfig


class _Listing:
    """What an AMI server protocol offers QueueActions: the sent list items are kept."""

    def __init__(self) -> None:
        self.items: list[Message] = []

    def respond(self, *_args: Any) -> None:
        pass

    def send(self, headers: Headers) -> None:
        self.items.append(Message(headers))


class _Lister(QueueActions):
    def __init__(self, engine: QueueEngine) -> None:
        self.queues = engine

    def listing(self) -> list[Message]:
        out = _Listing()
        self.do_queuestatus(out, Message([("Action", "QueueStatus"), ("ActionID", "r")]))  # type: ignore[arg-type]
        return [m for m in out.items if m.event != "QueueStatusComplete"]


class _Site:
    def __init__(self, seed: int, outages: list[tuple[float, float]]) -> None:
        self.clock = Clock()
        self.clock.advance(1_800_000_000)
        self.start = self.clock.seconds()
        config = PbxConfig(agents={"agent1001": AgentBehaviour(answer_after_s=None)})
        self.pbx = Pbx(self.clock, config, talk_time=lambda lo, hi: 5.0)
        self.engine = QueueEngine(self.pbx, random.Random(seed))
        self.lister = _Lister(self.engine)
        self.tracker = AppQueueTracker()
        self.facts: list[Fact] = []
        self.outages = [(self.start + a, self.start + b) for a, b in outages]
        self.pbx.subscribe(self._event)

    def down(self) -> bool:
        now = self.clock.seconds()
        return any(a <= now < b for a, b in self.outages)

    def _event(self, headers: Headers) -> None:
        if not self.down():
            self.facts += self.tracker.feed(Message(headers), self.clock.seconds()).facts

    def resync(self) -> None:
        self.facts += self.tracker.resync(self.lister.listing(), self.clock.seconds()).facts

    def call(self, queue: str, hang_up_after_s: float | None) -> None:
        _one, two = self.pbx.new_local_pair("s", "switchboard-ivr")
        done = Deferred.fromCoroutine(self.engine.run(two, queue))
        done.addErrback(lambda _f: None)
        if hang_up_after_s is not None:
            self.clock.callLater(hang_up_after_s, self.pbx.hangup_request, two)

    def run(self, seconds: float) -> None:
        was_down = False
        for _ in range(int(seconds * 2)):
            self.clock.advance(0.5)
            if was_down and not self.down():
                self.resync()  # logged in again: QueueStatus
            was_down = self.down()


def _calls(site: _Site, plan: list[tuple[str, float | None, float]]) -> None:
    for queue, hang_up, at in plan:
        site.clock.callLater(at, site.call, queue, hang_up)


_PLAN = [
    ("sales", None, 0.0),
    ("support", None, 0.5),
    ("sales", 3.0, 1.0),
    ("support", None, 2.0),
    ("sales", None, 4.0),
    ("support", 20.0, 4.0),
    ("sales", None, 9.0),
    ("support", None, 12.0),
]


def test_sim_app_queue_calls_give_the_same_kinds_of_record_as_the_acd() -> None:
    site = _Site(seed=1, outages=[])
    _calls(site, _PLAN)
    site.run(120)
    queued = [f for f in site.facts if isinstance(f, CallQueued)]
    finished = {f.call_id: f.outcome.value for f in site.facts if isinstance(f, CallFinished)}
    assert len(queued) == 8 and set(finished) == {f.call_id for f in queued}
    # The third caller hangs up after 3 s, before agent1001 (who never answers) rings out.
    assert sorted(finished.values()).count("abandoned") == 1
    assert sorted(finished.values()).count("answered") == 7
    assert site.tracker.waiting() == []
    _assert_stats_equal_records(site)


def _assert_stats_equal_records(site: _Site) -> None:
    stats = LiveStats(site.tracker.queues.values(), site.tracker.agents())
    stats.apply(site.facts)
    history = HistoryBuilder()
    history.apply(site.facts)
    now = site.clock.seconds()
    queues, agents = recompute(
        history.visits, history.periods, site.tracker.queues.values(), site.tracker.agents(), now
    )
    assert stats.queues(now) == queues
    assert stats.agents(now) == agents


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 1000),
    outages=st.lists(st.tuples(st.floats(0, 60), st.floats(0.5, 15)), max_size=3),
)
def test_no_ghost_and_no_call_ended_twice_whatever_the_reconnects(
    seed: int, outages: list[tuple[float, float]]
) -> None:
    site = _Site(seed, [(start, start + length) for start, length in outages])
    _calls(site, _PLAN)
    site.run(120)
    site.resync()  # a last login: whatever was missed is settled
    ends = [f.call_id for f in site.facts if isinstance(f, CallFinished)]
    assert len(ends) == len(set(ends))  # at most one end per call
    assert site.tracker.waiting() == []  # no ghost left waiting
    queued = {f.call_id for f in site.facts if isinstance(f, CallQueued)}
    assert set(ends) == queued  # and every queued call ended: none left "in call" either
    left_or_answered = {f.call_id for f in site.facts if isinstance(f, QueueLeft | CallAnswered)}
    assert queued <= left_or_answered  # every queued call was seen leaving the queue
    _assert_stats_equal_records(site)
