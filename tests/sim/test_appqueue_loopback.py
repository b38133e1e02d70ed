# -*- test-case-name: tests.sim.test_appqueue_loopback -*-
"""The app_queue tracker end to end: the simulated PBX's app_queue over loopback AMI.

The real :class:`AmiClient` logs in to the simulator; :class:`AppQueueService` asks
QueueStatus at login (the six members come from it) and turns the events of one caller
(IVR, presses 2, support, answered, agent hangs up) into the same facts and pop the ACD
publishes. Simulated time runs fast; every wait is bounded by trial's ``timeout``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from twisted.internet import defer
from twisted.trial.unittest import TestCase

from switchboard.config.model import AmiSettings
from switchboard.cti.ami.service import AmiClient
from switchboard.hub import Hub
from switchboard.queue.core.decisions import CallHandled
from switchboard.queue.shell.appqueue_service import AppQueueService
from switchboard.sim.service import Scenario, ScriptedCall, SimulatedPbx
from tests.sim.test_loopback import SECRET, SPEED, _reactor, _TempPaths


class AppQueueEndToEndTest(_TempPaths, TestCase):
    timeout = 20

    @defer.inlineCallbacks
    def test_one_app_queue_call_gives_the_acd_s_facts_and_pop(self) -> defer.Generator:
        reactor = _reactor()
        agi = yield self.listening_agi(reactor)
        call = ScriptedCall(
            at_s=2.0,
            number="5551002",
            name="Bob Customer",
            behaviour="dtmf",
            digits="2",
            delay_s=1.0,
            more_digits="#",
        )
        sim = SimulatedPbx(
            reactor,
            Scenario(calls=(call,), max_duration_s=120.0),
            seed=3,
            speed=SPEED,
            ami_port=0,
            agi_target=("127.0.0.1", agi.port),
            recordings_dir=Path(self.temp_path()),
            ami_users={"switchboard": SECRET},
        )
        yield sim.startService()
        self.addCleanup(sim.stopService)
        client = AmiClient(
            AmiSettings(host="127.0.0.1", port=sim.ami_port, auth="md5", secret=SECRET), reactor
        )
        hub = Hub()
        seen: list[tuple[str, Any]] = []
        finished: defer.Deferred[None] = defer.Deferred()

        def on_fact(fact: Any) -> None:
            seen.append(("fact", fact))
            if isinstance(fact, CallHandled) and not finished.called:
                finished.callback(None)

        hub.subscribe("fact", on_fact)
        hub.subscribe("offered", lambda pop: seen.append(("offered", pop)))
        tracker = AppQueueService(client, reactor, hub)
        tracker.startService()
        self.addCleanup(tracker.stopService)
        client.startService()
        self.addCleanup(client.stopService)
        yield client.when_ready(fail_after_failures=1)
        yield finished
        kinds = [
            type(p).__name__
            for t, p in seen
            if t == "fact" and type(p).__name__ != "AgentStateChanged"
        ]
        assert kinds == [
            "CallQueued",
            "CallOffered",
            "OfferEnded",
            "CallAnswered",
            "CallFinished",
            "CallHandled",
        ]
        (pop,) = [p for t, p in seen if t == "offered"]
        assert (pop.queue, pop.caller_number, pop.extra.get("ivr_digits")) == (
            "support",
            "5551002",
            "2",
        )
        assert pop.ivr_ref == pop.call_id  # the IVR ran on the channel Queue() took
        support = next(s for s in tracker.queue_stats() if s.queue == "support")
        today = support.windows["today"]
        assert (today.offered, today.answered, today.abandoned) == (1, 1, 0)
        assert len(tracker.agent_stats()) == 6  # the QueueStatus at login listed them
