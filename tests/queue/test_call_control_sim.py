# -*- test-case-name: tests.queue.test_call_control_sim -*-
"""A supervisor's priority change and move of a caller waiting in app_queue, through the
real AMI client against the simulated Asterisk.

The simulator answers as apps/app_queue.c does (asterisk/asterisk, apps/app_queue.c:
``manager_change_priority_caller_on_queue``, ``manager_request_withdraw_caller_from_queue``
and, for a withdrawn caller, ``record_abandoned`` then ``QUEUE_WITHDRAW_INFO`` and
``QUEUESTATUS=WITHDRAW``), and its dialplan queues a withdrawn caller again as
docs/asterisk.md says.
"""

from __future__ import annotations

from collections.abc import Coroutine
from dataclasses import asdict
from typing import Any, TypeVar

import pytest
from twisted.internet.defer import Deferred

from switchboard.cti.ami.frames import Message
from switchboard.queue.core.appqueue import AppQueueTracker
from switchboard.queue.core.decisions import (
    CallAnswered,
    CallFinished,
    CallQueued,
    Fact,
    QueueLeft,
)
from switchboard.queue.core.history import HistoryBuilder, recompute
from switchboard.queue.core.model import Queue
from switchboard.queue.core.stats import LiveStats
from switchboard.queue.shell.call_control import AppQueueCallControl, CallControlError
from switchboard.sim.channels import Channel
from switchboard.sim.events import Headers
from tests.queue.sim_ami import SimAmi

T = TypeVar("T")
QUEUES = (Queue("sales"), Queue("support"))


class _Site:
    def __init__(self) -> None:
        self.sim = SimAmi()
        self.sim.clock.advance(1_800_000_000)
        self.pbx = self.sim.pbx
        self.engine = self.sim.handler.dialplan.queues
        for q in self.engine.queues.values():
            for m in q.members:
                m.paused = True  # nobody answers until a test says so
        self.tracker = AppQueueTracker(QUEUES)
        self.facts: list[Fact] = []
        self.pbx.subscribe(self._event)
        self.ami = self.sim.client()
        self.sent: list[Any] = []
        send = self.ami.send

        def recording_send(action: Any, **kw: Any) -> Deferred[Any]:
            self.sent.append(action)
            return send(action, **kw)

        self.ami.send = recording_send  # type: ignore[method-assign]
        self.ami.startService()
        self.sim.settle()
        self.control = AppQueueCallControl(self.ami, self.tracker)

    def _event(self, headers: Headers) -> None:
        self.facts += self.tracker.feed(Message(headers), self.sim.clock.seconds()).facts

    def caller(self, queue: str) -> Channel:
        """A caller the documented dialplan puts in ``queue`` (re-queued when withdrawn)."""
        _one, two = self.pbx.new_local_pair("s", "switchboard-ivr")
        calls = self.sim.handler.dialplan.calls
        Deferred.fromCoroutine(calls.queue(two, queue, "agi://x/main")).addErrback(lambda _f: None)
        self.sim.settle(0.5)
        return two

    def waiting(self, queue: str) -> list[str]:
        return [chan.uniqueid for chan in self.engine.queues[queue].waiting]

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return self.sim.run(work)

    def stop(self) -> None:
        self.ami.stopService()
        self.sim.settle()


@pytest.fixture
def site() -> Any:
    s = _Site()
    yield s
    s.stop()


def test_a_raised_priority_puts_the_caller_first_in_app_queue(site: _Site) -> None:
    first, second = site.caller("sales"), site.caller("sales")
    done = site.run(site.control.set_priority(second.uniqueid, 5))
    assert (done.queue, done.priority) == ("sales", 5)
    assert site.sent[-1].to_headers()[:5] == [
        ("Action", "QueueChangePriorityCaller"),
        ("Queue", "sales"),
        ("Caller", second.name),
        ("Priority", "5"),
        ("Immediate", "true"),
    ]
    assert site.waiting("sales") == [second.uniqueid, first.uniqueid]


def test_a_moved_caller_waits_in_the_other_queue_and_is_counted_as_moved(site: _Site) -> None:
    caller = site.caller("sales")
    site.sim.settle(10)
    with pytest.raises(CallControlError, match="already waits in 'sales'"):
        site.run(site.control.move(caller.uniqueid, "sales"))
    site.run(site.control.move(caller.uniqueid, "support"))
    assert [a.name for a in site.sent][-1] == "QueueWithdrawCaller"
    site.sim.settle(2)  # app_queue notices the withdrawal at its next turn
    assert site.waiting("sales") == [] and site.waiting("support") == [caller.uniqueid]
    left = [f for f in site.facts if isinstance(f, QueueLeft)]
    assert [(f.queue, f.outcome, f.to_queue) for f in left] == [("sales", "moved", "support")]
    assert [f.queue for f in site.facts if isinstance(f, CallQueued)] == ["sales", "support"]
    assert not [f for f in site.facts if isinstance(f, CallFinished)]
    for m in site.engine.queues["support"].members:
        m.paused = False
    for _ in range(10):
        site.sim.settle(1)  # one turn at a time, as app_queue's waiting loop goes
    answered = [f for f in site.facts if isinstance(f, CallAnswered)]
    assert [(f.call_id, f.queue) for f in answered] == [(caller.uniqueid, "support")]
    now = site.sim.clock.seconds()
    live = LiveStats(QUEUES, ())
    live.apply(site.facts)
    history = HistoryBuilder()
    history.apply(site.facts)
    queues, _agents = recompute(history.visits, history.periods, QUEUES, (), now)
    assert [asdict(s) for s in live.queues(now)] == [asdict(s) for s in queues]


def test_what_app_queue_cannot_do_is_refused_with_the_reason(site: _Site) -> None:
    caller = site.caller("sales")
    with pytest.raises(CallControlError, match="no caller 'gone' is waiting"):
        site.run(site.control.move("gone", "support"))
    with pytest.raises(CallControlError, match="unknown queue 'nowhere'"):
        site.run(site.control.move(caller.uniqueid, "nowhere"))
    site.run(site.control.move(caller.uniqueid, "support"))
    # Asked twice before app_queue's next turn: Asterisk's own refusal comes back.
    with pytest.raises(
        CallControlError, match="Unable to request withdraw from queue: Already requested"
    ):
        site.run(site.control.move(caller.uniqueid, "support"))
