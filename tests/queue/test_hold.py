# -*- test-case-name: tests.queue.test_hold -*-
"""The ACD shell's rules for a held caller, on a fake AGI channel and a hand-driven clock."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from structlog.testing import capture_logs
from twisted.internet.defer import Deferred
from twisted.internet.task import Clock

from switchboard.hub import Offered
from switchboard.queue import AgentState, CallOutcome, Queue
from switchboard.queue.config.queue_file import QueueConfig
from switchboard.queue.core.decisions import CallFinished, Fact
from switchboard.queue.core.model import Agent, Fallback
from switchboard.queue.shell.hold import QueueOutcome, QueueRequest
from switchboard.queue.shell.service import AcdOptions, AcdService
from switchboard.testing.acd import FakeAmi, FakeChannel
from tests.queue.helpers import START, agent


@dataclass
class Site:
    acd: AcdService
    clock: Clock
    ami: FakeAmi
    facts: list[Fact]
    offers: list[Offered]

    def hold(
        self, channel: FakeChannel, queue: str = "sales", **kw: object
    ) -> Deferred[QueueOutcome]:
        return Deferred.fromCoroutine(self.acd.hold(channel, QueueRequest(queue, **kw)))  # type: ignore[arg-type]

    def channel(self, uniqueid: str = "c1", **kw: object) -> FakeChannel:
        return FakeChannel(self.clock, uniqueid, **kw)  # type: ignore[arg-type]

    def state(self, agent_id: str) -> AgentState:
        return self.acd.router.agents[agent_id].state

    def finished(self) -> dict[str, CallOutcome]:
        return {f.call_id: f.outcome for f in self.facts if isinstance(f, CallFinished)}

    def close(self) -> None:
        self.acd.stopService()
        assert self.clock.getDelayedCalls() == []


def site(queues: Iterable[Queue], agents: Iterable[Agent], **options: object) -> Site:
    clock = Clock()
    clock.advance(START)
    ami = FakeAmi()
    acd = AcdService(
        QueueConfig(tuple(queues), tuple(agents)), clock, ami=ami, options=AcdOptions(**options)
    )  # type: ignore[arg-type]
    facts: list[Fact] = []
    offers: list[Offered] = []
    acd.hub.subscribe("fact", facts.append)  # type: ignore[arg-type]
    acd.hub.subscribe("offered", offers.append)  # type: ignore[arg-type]
    acd.startService()
    return Site(acd, clock, ami, facts, offers)


QUIET = {"announce_interval_s": None}


def test_a_caller_is_held_offered_answered_then_the_agent_wraps_up_and_is_ready() -> None:
    s = site(
        [Queue("sales", wrap_up_s=10, ring_timeout_s=12, music_class="jazz", **QUIET)],
        [agent("a1")],
    )
    s.acd.log_in("a1", ready=True)
    ch = s.channel()
    # An agent is free: the offer comes at once, after recording, and no music at all
    # (issue 8: StartMusicOnHold and StopMusicOnHold were sent back to back).
    result = s.hold(ch)
    assert ch.sent[:2] == ["ANSWER", "SET VARIABLE SWITCHBOARD_QUEUE sales"]
    assert ch.sent[2] == "EXEC MixMonitor /var/spool/asterisk/monitor/sales-c1.wav,b"
    assert ch.sent[3].startswith("SET VARIABLE SWITCHBOARD_RECORDING ")
    assert ch.sent[4] == "EXEC Dial PJSIP/a1,12,g"
    assert not [c for c in ch.sent if "MusicOnHold" in c]
    assert s.state("a1") is AgentState.RESERVED
    assert [(o.call_id, o.agent_id, o.caller_number) for o in s.offers] == [("c1", "a1", "5551001")]
    # AMI sees the agent answer (DialEnd on the caller's channel): on call from now.
    s.clock.advance(3)
    s.ami.emit("DialEnd", Uniqueid="c1", DialStatus="ANSWER")
    assert s.state("a1") is AgentState.ON_CALL
    s.clock.advance(60)  # talking; the router's ring deadline must not interfere
    ch.finish_dial("ANSWER")
    outcome = result.result
    assert outcome == QueueOutcome(
        "answered", "c1", "sales", "a1", "/var/spool/asterisk/monitor/sales-c1.wav", False
    )
    assert s.state("a1") is AgentState.WRAP_UP
    s.clock.advance(10)
    assert s.state("a1") is AgentState.READY
    assert s.finished() == {"c1": CallOutcome.ANSWERED}
    # The caller is still up (the agent hung up): served, never to be queued again.
    assert ch.sent[-2:] == [
        'SET VARIABLE SWITCHBOARD_QUEUE ""',
        "SET VARIABLE SWITCHBOARD_ROUTE routed",
    ]
    s.close()


def test_what_the_ivr_already_did_is_not_sent_again() -> None:
    # Issue 8: the hand-over sent ANSWER and SET VARIABLE SWITCHBOARD_QUEUE a second time.
    s = site([Queue("sales", **QUIET)], [agent("a1")], default_queue="sales")
    ch = s.channel()
    s.hold(ch, answered=True, queue_variable_set=True)
    assert ch.sent == ["EXEC StartMusicOnHold default"]
    # Sent to another queue than the one the IVR named: that one is set.
    other = s.channel("c2")
    s.hold(other, "nosuchqueue", answered=True, queue_variable_set=True)
    assert other.sent[0] == "SET VARIABLE SWITCHBOARD_QUEUE sales"
    ch.hang_up()
    other.hang_up()
    s.close()


def test_no_answer_makes_a_missed_call_and_the_caller_goes_to_the_next_agent() -> None:
    s = site([Queue("sales", ring_timeout_s=12, **QUIET)], [agent("a1"), agent("a2")])
    s.acd.log_in("a1", ready=True)
    s.clock.advance(1)
    s.acd.log_in("a2", ready=True)
    ch = s.channel()
    result = s.hold(ch)
    assert ch.sent[-1] == "EXEC Dial PJSIP/a1,12,g"  # longest idle first
    s.clock.advance(12)
    ch.finish_dial("NOANSWER")
    assert s.state("a1") is AgentState.NOT_READY
    assert s.acd.router.agents["a1"].reason == "missed_call"
    assert ch.sent[-3:] == [
        "EXEC StartMusicOnHold default",
        "EXEC StopMusicOnHold",
        "EXEC Dial PJSIP/a2,12,g",
    ]
    assert ch.sent.count("EXEC MixMonitor /var/spool/asterisk/monitor/sales-c1.wav,b") == 1
    s.clock.advance(2)
    ch.finish_dial("ANSWER")  # no AMI answer this time: learnt when Dial returns
    assert result.result.outcome == "answered" and result.result.agent_id == "a2"
    s.clock.advance(10)
    s.close()


def test_a_late_dial_uses_what_is_left_of_the_ring_timeout() -> None:
    s = site([Queue("sales", ring_timeout_s=12, callback_offer_after_s=0, **QUIET)], [agent("a1")])
    ch = s.channel()
    result = s.hold(ch)  # callback offer queued at 0 s: played first
    s.acd.log_in("a1", ready=True)
    assert any(line.startswith("EXEC Dial PJSIP/a1,") for line in ch.sent)
    ch.finish_dial("NOANSWER")
    ch.hang_up()
    assert result.result.outcome == "abandoned"
    s.close()


def test_a_caller_who_hangs_up_while_waiting_is_abandoned_and_nothing_is_sent_after() -> None:
    s = site([Queue("sales", **QUIET)], [agent("a1")])
    ch = s.channel()
    result = s.hold(ch)
    s.clock.advance(7)
    sent = len(ch.sent)
    ch.hang_up()
    assert result.result == QueueOutcome("abandoned", "c1", "sales", caller_gone=True)
    assert len(ch.sent) == sent
    assert s.finished() == {"c1": CallOutcome.ABANDONED}
    s.close()


def test_a_caller_who_hangs_up_while_the_agent_rings_frees_the_agent() -> None:
    s = site([Queue("sales", **QUIET)], [agent("a1")])
    s.acd.log_in("a1", ready=True)
    ch = s.channel()
    result = s.hold(ch)
    ch.caller_gone = True
    ch.finish_dial("CANCEL", caller_hung_up=True)
    assert result.result.outcome == "abandoned"
    assert s.state("a1") is AgentState.READY
    s.close()


def test_announcements_between_music_and_say_number_falls_back_to_digits() -> None:
    s = site([Queue("sales", announce_interval_s=30, expected_handle_s=240)], [agent("a1")])
    s.acd.log_in("a1", ready=False)
    s.acd.ready("a1")
    s.acd.not_ready("a1", "lunch")  # staffed, but busy: calls wait
    first, second = s.channel("c1"), s.channel("c2", say_number=False)
    r1, r2 = s.hold(first), s.hold(second)
    s.clock.advance(30)
    assert first.sent[3:6] == [
        "EXEC StopMusicOnHold",
        "STREAM FILE queue-youarenext",
        "STREAM FILE queue-holdtime",
    ]
    assert "SAY NUMBER 4" in first.sent and first.sent[-1] == "EXEC StartMusicOnHold default"
    assert "SAY NUMBER 2" in second.sent and "SAY DIGITS 2" in second.sent
    first.hang_up()
    second.hang_up()
    assert r1.result.outcome == r2.result.outcome == "abandoned"
    s.close()


def test_unknown_queue_goes_to_the_dialplan_fallback_or_the_default_queue() -> None:
    s = site([Queue("sales", **QUIET)], [agent("a1")])
    ch = s.channel()
    result = s.hold(ch, queue="nosuch")
    assert result.result.outcome == "overflowed"
    assert "SET VARIABLE SWITCHBOARD_FALLBACK acd_exit" in ch.sent
    s.close()
    s = site([Queue("sales", **QUIET)], [agent("a1")], default_queue="sales")
    s.acd.log_in("a1", ready=True)
    ch = s.channel()
    result = s.hold(ch, queue="nosuch")
    assert ch.sent[-1] == "EXEC Dial PJSIP/a1,15,g"
    ch.finish_dial("ANSWER")
    assert result.result.queue == "sales"
    s.clock.advance(10)
    s.close()


def test_max_wait_sends_the_caller_to_voicemail() -> None:
    s = site(
        [Queue("sales", max_wait_s=60, fallback=Fallback("voicemail", "100@default"), **QUIET)],
        [agent("a1")],
    )
    ch = s.channel()
    result = s.hold(ch)
    s.clock.advance(60)
    assert ch.sent[-3] == "EXEC VoiceMail 100@default"
    assert ch.sent[-1] == "SET VARIABLE SWITCHBOARD_ROUTE routed"
    assert result.result.outcome == "voicemail"
    assert s.finished() == {"c1": CallOutcome.VOICEMAIL}
    s.close()


def test_unknown_agents_and_bad_events_are_logged_not_raised() -> None:
    s = site([Queue("sales", **QUIET)], [agent("a1")])
    with capture_logs() as logs:
        s.acd.log_in("ghost")
        s.acd.ready("ghost")
        s.acd.end_wrap_up("a1")
        # AMI news about calls and devices the ACD does not know is none of its business.
        s.ami.emit("DialEnd", Uniqueid="nobody", DialStatus="ANSWER")
        s.ami.emit("OriginateResponse", Uniqueid="nobody", Response="Failure", Reason="3")
        s.ami.emit("DeviceStateChange", Device="PJSIP/unknown", State="INUSE")
    # The operator reads each refusal and its reason as a warning; nothing is an error.
    assert [(e["log_level"], e["event"], e["acd_event"], e["reason"]) for e in logs] == [
        ("warning", "acd_event_rejected", "AgentLoggedIn", "unknown agent 'ghost'"),
        ("warning", "acd_event_rejected", "AgentReady", "unknown agent 'ghost'"),
        ("warning", "acd_event_rejected", "WrapUpEnded", "agent 'a1' is not in wrap-up"),
    ]
    assert s.state("a1") is AgentState.LOGGED_OUT
    s.close()


def test_a_busy_device_is_never_offered_until_it_is_free_again() -> None:
    s = site([Queue("sales", **QUIET)], [agent("a1")])
    s.acd.log_in("a1", ready=True)
    s.ami.emit("DeviceStateChange", Device="PJSIP/a1", State="INUSE")
    ch = s.channel()
    result = s.hold(ch)
    assert not any("Dial" in line for line in ch.sent)
    s.ami.emit("DeviceStateChange", Device="PJSIP/a1", State="NOT_INUSE")
    assert ch.sent[-1] == "EXEC Dial PJSIP/a1,15,g"
    ch.finish_dial("BUSY")  # busy after all: not offered again until AMI says free
    assert not ch.sent[-1].startswith("EXEC Dial")
    ch.hang_up()
    assert result.result.outcome == "abandoned"
    s.close()


def test_a_missing_callback_offer_prompt_keeps_the_caller_waiting() -> None:
    # Issue 8 item 13: the ACD's prompts were missing; a failed STREAM FILE of the offer
    # ended the hold in the fallback. Nobody heard the offer: the caller keeps their place.
    s = site([Queue("sales", callback_offer_after_s=10, **QUIET)], [agent("a1")])
    ch = s.channel()
    ch.missing.add("switchboard-queue-callback-offer")
    result = s.hold(ch)
    s.clock.advance(10)
    assert ch.sent[-2:] == [
        "STREAM FILE switchboard-queue-callback-offer 1",
        "EXEC StartMusicOnHold default",
    ]
    assert not result.called
    assert "SWITCHBOARD_FALLBACK" not in " ".join(ch.sent)
    ch.hang_up()
    assert result.result.outcome == "abandoned"
    s.close()
