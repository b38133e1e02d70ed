# -*- test-case-name: tests.calls.test_captures -*-
"""The call model replayed over real Asterisk 22 captures.

Every expected figure below was read off the capture by hand (the README tables in
tests/fixtures/captures and the transcript itself), not taken from the model's output.
"""

from __future__ import annotations

from switchboard.cti.calls import END_HANGUP, END_VANISHED, CallEnded, CallModel, CallStarted
from switchboard.cti.calls.values import Call
from tests.calls.replay import messages, replay

MONITOR = "/opt/ast-run/spool/monitor/"


def ended_by_caller(model: CallModel) -> dict[str, Call]:
    return {c.caller_number or "?": c for c in model.ended_calls()}


def test_scenario_6calls_gives_six_calls_with_their_callers_queues_and_agents() -> None:
    model = CallModel()
    changes = replay(model, "scenario-6calls/ami-scenario-6calls")

    # 6 Originates, 6 Linkedids; every call began and ended exactly once.
    assert [type(c) for c in changes].count(CallStarted) == 6
    assert [type(c) for c in changes].count(CallEnded) == 6
    assert model.live_calls() == ()
    calls = ended_by_caller(model)
    assert sorted(calls) == ["5551001", "5551002", "5551003", "5551004", "5551005", "5551006"]
    assert {c.end_reason for c in calls.values()} == {END_HANGUP}

    # README table: who answered. Alice rang agent1001 for 12 s (no answer), then agent1002.
    agents = {n: c.agent for n, c in calls.items()}
    assert agents == {
        "5551001": "Local/agent1002@switchboard-agents",
        "5551002": "Local/agent2001@switchboard-agents",
        "5551003": "Local/agent1002@switchboard-agents",
        "5551004": "Local/agent2001@switchboard-agents",
        "5551005": None,  # Eve hung up inside the AGI
        "5551006": None,  # Frank abandoned in the queue
    }
    # SWITCHBOARD_QUEUE as the IVR set it (Eve's dead session still chose sales).
    assert {n: c.queue for n, c in calls.items()} == {
        "5551001": "sales",
        "5551002": "support",
        "5551003": "sales",
        "5551004": "support",
        "5551005": "sales",
        "5551006": "support",
    }
    assert calls["5551001"].ivr.digits == "1"
    assert calls["5551002"].ivr.digits == "245"  # "2", then "45#"
    assert calls["5551003"].ivr.digits == ""
    assert calls["5551001"].ivr.session == "1795369105.20"  # SWITCHBOARD_CALLID = the ;2 leg
    assert calls["5551001"].caller_name == "Alice Customer"

    # SWITCHBOARD_RECORDING of the five that reached MixMonitor; Eve never did.
    assert calls["5551002"].recording == MONITOR + "support-20261122-173831-1795369105.22.wav"
    assert calls["5551006"].recording == MONITOR + "support-20261122-173832-1795369105.26.wav"
    assert [n for n, c in sorted(calls.items()) if c.recorded] == [
        "5551001",
        "5551002",
        "5551003",
        "5551004",
        "5551006",
    ]
    assert calls["5551005"].recording is None

    # The agent hangs up first in this dialplan; Eve and Frank hung up themselves (;1 side).
    for number in ("5551001", "5551002", "5551003", "5551004"):
        assert calls[number].first_hangup.startswith("Local/agent"), number
        assert calls[number].answered_at is not None
    assert calls["5551005"].first_hangup == "Local/s@switchboard-ivr-0000000b;1"
    assert calls["5551006"].first_hangup == "Local/s@switchboard-ivr-0000000c;1"


def test_scenario_times_come_from_the_capture() -> None:
    model = CallModel()
    replay(model, "scenario-6calls/ami-scenario-6calls")
    bob = ended_by_caller(model)["5551002"]
    # The capture runs about 33 s; Bob's call started within it and ended after its answer.
    assert bob.started_at is not None and bob.ended_at is not None
    assert bob.started_at < bob.answered_at < bob.ended_at
    assert bob.ended_at - bob.started_at < 33


def test_agi_exec_dial_gives_eight_calls_and_who_answered_them() -> None:
    model = CallModel()
    replay(model, "agi-exec-dial/ami-exec-dial")
    calls = ended_by_caller(model)
    assert len(calls) == 8
    a1001, a1002 = "Local/agent1001@switchboard-agents", "Local/agent1002@switchboard-agents"
    # README variants a..h: c rang and was cancelled, d never dialled, f dialled on a dead
    # channel (no agent channel at all); b's first Dial was NOANSWER, its second answered.
    assert {n: c.agent for n, c in calls.items()} == {
        "5556001": a1001,
        "5556002": a1002,
        "5556003": None,
        "5556004": None,
        "5556005": a1001,
        "5556008": a1001,
        "5556007": a1001,
        "5556006": None,
    }
    # The ACD records with EXEC MixMonitor (no SWITCHBOARD_RECORDING): Asterisk's own
    # MIXMONITOR_FILENAME names the file, acd-<uniqueid of the ;2 leg>.wav.
    assert calls["5556001"].recording == MONITOR + "acd-1795371031.1.wav"
    assert all(c.recording and c.recorded for c in calls.values())
    assert calls["5556001"].ivr.session == "1795371031.1"
    # g: the caller hung up mid-conversation; a: the agent did.
    assert calls["5556007"].first_hangup.startswith("Local/s@switchboard-acd-ivr-")
    assert calls["5556001"].first_hangup.startswith("Local/agent1001@")
    assert calls["5556007"].ringing == () and not calls["5556007"].bridged


def test_ami_callback_gives_seven_calls_with_their_answering_customers() -> None:
    model = CallModel()
    replay(model, "ami-callback/ami-callback")
    # 7 Originates (README table); ChannelId sets the Linkedid of cb-b3 and cb-c.
    ids = sorted(c.call_id for c in model.ended_calls())
    assert len(ids) == 7 and "cb-0004-agent" in ids and "cb-0007-agent" in ids
    calls = ended_by_caller(model)
    assert sorted(calls) == [f"555700{i}" for i in range(1, 8)]
    # Only cb-a and cb-c reached a customer; the agent leg dials, so the customer answers.
    assert {n: c.agent for n, c in calls.items() if c.agent} == {
        "5557001": "Local/5557001@switchboard-customer",
        "5557004": "Local/5557004@switchboard-customer",
    }
    # Busy: the Busy() leg hangs up with cause 17.
    assert calls["5557005"].hangup_cause_text == "User busy"


def test_reconnect_keeps_the_call_still_listed_by_core_show_channels() -> None:
    model = CallModel()
    started = replay(model, "ami-reconnect/ami-reconnect-1")
    assert isinstance(started[0], CallStarted)
    (held,) = model.live_calls()
    assert held.caller_number == "5559001"

    # Second connection: Asterisk replays nothing; the list shows both halves still up.
    model.begin_resync()
    listed, after = [], []
    for msg, wall in messages("ami-reconnect/ami-reconnect-2"):
        if msg.event == "CoreShowChannel":
            listed.append(msg)
        elif msg.event == "CoreShowChannelsComplete":
            after += model.resync(listed, wall)
        elif msg.event:
            after += model.feed(msg, wall)
    # The restart then hangs both halves up (Cause 0): one end, a real hang-up.
    ends = [c for c in after if isinstance(c, CallEnded)]
    assert [(e.call.call_id, e.reason) for e in ends] == [("1795371257.60", END_HANGUP)]
    assert len(listed) == 2


def test_call_gone_after_asterisk_restart_ends_as_vanished_not_a_ghost() -> None:
    model = CallModel()
    replay(model, "ami-reconnect/ami-reconnect-1")
    assert len(model.live_calls()) == 1
    # After `core restart now` the first full login lists no channel at all.
    model.begin_resync()
    listed = [
        m for m, _ in messages("ami-reconnect/ami-after-restart") if m.event == "CoreShowChannel"
    ]
    assert listed == []
    changes = model.resync(listed, 1795371264.0)
    (end,) = changes
    assert isinstance(end, CallEnded)
    assert end.reason == END_VANISHED == "vanished during AMI outage"
    assert end.call.caller_number == "5559001" and end.call.ended_at == 1795371264.0
    assert model.live_calls() == ()


def test_ami_actions_a_redirected_caller_stays_one_call() -> None:
    model = CallModel()
    replay(model, "ami-actions/ami-actions")
    # README: Zoe (5552002) presses 2 -> support, waits, is redirected to sales and answered
    # there, then hung up by AMI. The channels created while `Events: off` are never seen,
    # and their later Hangups create nothing.
    (zoe,) = [c for c in model.ended_calls() if c.caller_number == "5552002"]
    assert zoe.caller_name == "Zoe Caller" and zoe.ivr.digits == "2"
    assert zoe.queue == "sales"  # SWITCHBOARD_QUEUE followed the transfer
    assert zoe.agent == "Local/agent1003@switchboard-agents"
    assert zoe.recording == MONITOR + "support-20261122-173747-1795369063.14.wav"
    # The Setvar sent on her channel while she waited (an AMI action, not the IVR).
    assert dict(zoe.ivr.variables)["SWITCHBOARD_NOTE"] == "vip customer"
    assert model.call("1795369062.9") is None
