# -*- test-case-name: tests.queue.test_cancel_offer -*-
"""The router cancels an offer while the caller's Dial still rings the agent: the shell
hangs up the agent leg that AMI's ``DialBegin`` named, and the Dial's late result is not
counted (fake AGI channel, fake AMI, hand-driven clock)."""

from __future__ import annotations

from structlog.testing import capture_logs
from twisted.internet.defer import Deferred
from twisted.internet.task import Clock

from switchboard.queue import AgentState, CallOutcome, Queue
from switchboard.queue.config.queue_file import QueueConfig
from switchboard.queue.core.decisions import CallAnswered, OfferEnded
from switchboard.queue.shell.hold import QueueRequest
from switchboard.queue.shell.service import AcdService
from switchboard.testing.acd import FakeChannel
from tests.queue.helpers import START, agent
from tests.queue.test_hold import QUIET, Site, site

LEG = "Local/agent-a1@switchboard-agents-00000001;1"


def _ringing_a1(ready_a2: bool = True) -> tuple[Site, FakeChannel]:
    s = site([Queue("sales", ring_timeout_s=12, **QUIET)], [agent("a1"), agent("a2")])
    s.acd.log_in("a1", ready=True)
    s.clock.advance(1)
    s.acd.log_in("a2", ready=ready_a2)
    ch = s.channel()
    s.hold(ch)
    assert ch.sent[-1] == "EXEC Dial PJSIP/a1,12,g"
    s.ami.emit("DialBegin", Uniqueid="c1", Channel="Local/s@acd-c1;2", DestChannel=LEG)
    return s, ch


def _offers(s: Site) -> list[tuple[str, str]]:
    return [(f.agent_id, f.result) for f in s.facts if isinstance(f, OfferEnded)]


def _answers(s: Site) -> list[str]:
    return [f.agent_id for f in s.facts if isinstance(f, CallAnswered)]


def test_an_agent_logging_out_while_rung_is_hung_up_and_the_caller_goes_to_the_next() -> None:
    s, ch = _ringing_a1()
    with capture_logs() as logs:
        s.acd.log_out("a1")
        sent = len(s.ami.sent)
        assert s.ami.headers_of(-1) == {"Action": ["Hangup"], "Channel": [LEG]}
        # The router offered a2 at once; the caller takes it once a1's Dial has returned.
        assert ch.sent[-1] == "EXEC Dial PJSIP/a1,12,g"
        s.clock.advance(0.2)
        ch.finish_dial("NOANSWER")  # what Dial says once its only callee is gone
        assert ch.sent[-1] == "EXEC Dial PJSIP/a2,12,g"
        assert len(s.ami.sent) == sent  # one Hangup, no more
        assert s.state("a1") is AgentState.LOGGED_OUT
        assert s.acd.router.agents["a1"].reason != "missed_call"
        s.ami.emit("DialBegin", Uniqueid="c1", DestChannel="Local/agent-a2@x-2;1")
        s.ami.emit("DialEnd", Uniqueid="c1", DialStatus="ANSWER")
        assert s.state("a2") is AgentState.ON_CALL
        s.clock.advance(30)
        ch.finish_dial("ANSWER")
    assert _offers(s) == [("a1", "cancelled"), ("a2", "answered")]
    assert _answers(s) == ["a2"]
    assert s.finished() == {"c1": CallOutcome.ANSWERED}
    assert not [e for e in logs if e["event"] == "acd_event_rejected"]
    s.clock.advance(60)
    s.close()


def test_a_late_answer_of_a_cancelled_offer_is_not_counted() -> None:
    s, ch = _ringing_a1(ready_a2=False)
    with capture_logs() as logs:
        s.acd.log_out("a1")
        assert s.ami.headers_of(-1)["Channel"] == [LEG]
        # a1 picked up just before the Hangup landed: neither AMI nor Dial makes it count.
        s.ami.emit("DialEnd", Uniqueid="c1", DestChannel=LEG, DialStatus="ANSWER")
        ch.finish_dial("ANSWER")
        assert ch.sent[-1] == "EXEC StartMusicOnHold default"  # waiting again
        assert s.acd.router.calls["c1"].agent_id == ""
        s.acd.ready("a2")
        assert ch.sent[-1] == "EXEC Dial PJSIP/a2,12,g"
        ch.finish_dial("ANSWER")
    assert _answers(s) == ["a2"]
    assert _offers(s) == [("a1", "cancelled"), ("a2", "answered")]
    assert s.finished() == {"c1": CallOutcome.ANSWERED}
    assert not [e for e in logs if e["event"] == "acd_event_rejected"]
    s.clock.advance(60)
    s.close()


def test_the_routers_ring_deadline_hangs_up_the_leg_and_counts_one_missed_call() -> None:
    s, ch = _ringing_a1()
    s.clock.advance(17)  # 12 s Dial timeout + 5 s grace, and the Dial is still ringing
    assert s.ami.headers_of(-1) == {"Action": ["Hangup"], "Channel": [LEG]}
    assert s.acd.router.agents["a1"].reason == "missed_call"
    ch.finish_dial("NOANSWER")
    assert ch.sent[-1] == "EXEC Dial PJSIP/a2,12,g"
    assert _offers(s) == [("a1", "no_answer")]  # once, not again for the late NOANSWER
    ch.hang_up()
    assert s.finished() == {"c1": CallOutcome.ABANDONED}
    s.close()


def test_a_caller_hanging_up_after_the_cancel_is_still_abandoned() -> None:
    s, ch = _ringing_a1(ready_a2=False)
    s.acd.log_out("a1")
    ch.hang_up()  # Dial says CANCEL
    assert s.finished() == {"c1": CallOutcome.ABANDONED}
    s.close()


def test_without_the_agent_leg_the_dial_rings_on_and_is_logged() -> None:
    s = site([Queue("sales", ring_timeout_s=12, **QUIET)], [agent("a1"), agent("a2")])
    s.acd.log_in("a1", ready=True)
    ch = s.channel()
    result = s.hold(ch)
    s.ami.emit("DialBegin", Uniqueid="someone-else", DestChannel=LEG)
    sent = len(s.ami.sent)
    with capture_logs() as logs:
        s.acd.log_out("a1")
    assert len(s.ami.sent) == sent  # nothing to hang up
    assert [e["event"] for e in logs if e["log_level"] == "warning"] == [
        "acd_cancelled_offer_rings_on"
    ]
    ch.finish_dial("ANSWER")  # a1 answered anyway, then hung up: not counted
    assert not result.called and s.acd.router.calls["c1"].agent_id == ""
    assert _answers(s) == []
    ch.hang_up()
    assert s.finished() == {"c1": CallOutcome.ABANDONED}
    s.close()


def test_without_ami_the_late_result_of_a_cancelled_offer_is_not_fed() -> None:
    clock = Clock()
    clock.advance(START)
    config = QueueConfig((Queue("sales", ring_timeout_s=12, **QUIET),), (agent("a1"),))
    acd = AcdService(config, clock)
    acd.startService()
    acd.log_in("a1", ready=True)
    ch = FakeChannel(clock, "c1")
    result = Deferred.fromCoroutine(acd.hold(ch, QueueRequest("sales")))  # type: ignore[arg-type]
    assert ch.sent[-1] == "EXEC Dial PJSIP/a1,12,g"
    clock.advance(17)  # the router's ring deadline
    assert acd.router.agents["a1"].reason == "missed_call"
    with capture_logs() as logs:
        ch.finish_dial("NOANSWER")
    assert not [e for e in logs if e["event"] == "acd_event_rejected"]
    assert ch.sent[-1] == "EXEC StartMusicOnHold default"
    ch.hang_up()
    assert result.result.outcome == "abandoned"
    acd.stopService()
