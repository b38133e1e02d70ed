# -*- test-case-name: tests.calls.test_model -*-
"""CallModel on hand-written events: resync edge cases, memory bound, the hub JSON form."""

from __future__ import annotations

import json

import pytest

from switchboard.cti.ami.frames import Message
from switchboard.cti.calls import (
    END_HANGUP,
    END_VANISHED,
    CallEnded,
    CallModel,
    CallStarted,
    CallUpdated,
)
from switchboard.hub import CALL
from tests.calls.replay import replay


def event(name: str, **headers: str) -> Message:
    return Message([("Event", name), *((k.replace("_", "-"), v) for k, v in headers.items())])


def channel(
    name: str,
    uid: str,
    linked: str,
    state: str = "Up",
    num: str = "5550100",
    kind: str = "Newchannel",
) -> Message:
    return event(
        kind,
        Channel=name,
        Uniqueid=uid,
        Linkedid=linked,
        ChannelStateDesc=state,
        CallerIDNum=num,
        CallerIDName="Test Caller",
    )


def listed(name: str, uid: str, linked: str, duration: str = "00:00:10") -> Message:
    return Message(
        [
            ("Event", "CoreShowChannel"),
            ("Channel", name),
            ("Uniqueid", uid),
            ("Linkedid", linked),
            ("ChannelStateDesc", "Up"),
            ("CallerIDNum", "5550100"),
            ("Duration", duration),
        ]
    )


def hangup(name: str, uid: str, linked: str, cause: str = "16") -> Message:
    return event(
        "Hangup",
        Channel=name,
        Uniqueid=uid,
        Linkedid=linked,
        ChannelStateDesc="Up",
        Cause=cause,
        Cause_txt="Normal Clearing",
    )


def test_a_call_starts_with_its_first_channel_and_ends_with_its_last() -> None:
    model = CallModel()
    (started,) = model.feed(channel("PJSIP/a-01", "1.1", "1.1"), at=100.0)
    assert isinstance(started, CallStarted)
    assert started.call.caller_number == "5550100" and started.call.started_at == 100.0
    model.feed(channel("PJSIP/b-02", "1.2", "1.1"), at=101.0)
    assert [c.call_id for c in model.live_calls()] == ["1.1"]
    (update,) = model.feed(hangup("PJSIP/b-02", "1.2", "1.1"), at=150.0)
    assert isinstance(update, CallUpdated) and "first_hangup" in update.changed
    (end,) = model.feed(hangup("PJSIP/a-01", "1.1", "1.1"), at=151.0)
    assert isinstance(end, CallEnded) and end.reason == END_HANGUP
    assert end.call.first_hangup == "PJSIP/b-02" and end.call.ended_at == 151.0


def test_only_switchboard_variables_are_read_from_varset() -> None:
    model = CallModel()
    model.feed(channel("PJSIP/a-01", "1.1", "1.1"))
    other = event(
        "VarSet",
        Channel="PJSIP/a-01",
        Uniqueid="1.1",
        Linkedid="1.1",
        Variable="BRIDGEPEER",
        Value="PJSIP/b-02",
    )
    assert model.feed(other) == []
    (update,) = model.feed(
        event(
            "VarSet",
            Channel="PJSIP/a-01",
            Uniqueid="1.1",
            Linkedid="1.1",
            Variable="SWITCHBOARD_QUEUE",
            Value="sales",
        )
    )
    assert update.changed == ("ivr", "queue") and update.call.queue == "sales"
    assert dict(update.call.ivr.variables) == {"SWITCHBOARD_QUEUE": "sales"}


def test_events_seen_during_the_resync_survive_a_list_taken_before_them() -> None:
    model = CallModel()
    model.feed(channel("PJSIP/old-01", "1.1", "1.1"), at=10.0)
    model.begin_resync()
    # A call that began while the list was on its way: its Newchannel is newer than it.
    model.feed(channel("PJSIP/new-02", "2.1", "2.1"), at=20.0)
    changes = model.resync([], at=21.0)
    assert [(type(c), c.call.call_id) for c in changes] == [(CallEnded, "1.1")]
    assert changes[0].reason == END_VANISHED
    assert [c.call_id for c in model.live_calls()] == ["2.1"]


def test_resync_adds_calls_that_began_during_the_outage_and_drops_vanished_legs() -> None:
    model = CallModel()
    model.feed(channel("Local/s@ivr-01;1", "1.1", "1.1"), at=10.0)
    model.feed(channel("Local/s@ivr-01;2", "1.2", "1.1"), at=10.0)
    model.begin_resync()
    changes = model.resync(
        [listed("Local/s@ivr-01;2", "1.2", "1.1"), listed("PJSIP/x-09", "3.1", "3.1", "00:01:05")],
        at=100.0,
    )
    kinds = {c.call.call_id: c for c in changes}
    assert isinstance(kinds["1.1"], CallUpdated)
    assert [ch.name for ch in kinds["1.1"].call.channels] == ["Local/s@ivr-01;2"]
    assert isinstance(kinds["3.1"], CallStarted)
    assert kinds["3.1"].call.started_at == 35.0  # 100 s minus its 1:05 duration


def test_resync_without_begin_treats_every_unlisted_channel_as_gone() -> None:
    model = CallModel()
    model.feed(channel("PJSIP/a-01", "1.1", "1.1"))
    (end,) = model.resync([])
    assert end.reason == END_VANISHED


def test_ended_calls_leave_after_the_grace() -> None:
    model = CallModel(grace_s=30.0)
    model.feed(channel("PJSIP/a-01", "1.1", "1.1"), at=0.0)
    model.feed(hangup("PJSIP/a-01", "1.1", "1.1"), at=10.0)
    assert model.expire(39.9) == 0 and model.call("1.1") is not None
    # Late events for an ended call do not bring it back.
    assert model.feed(channel("PJSIP/a-01", "1.1", "1.1", kind="Newstate"), at=20.0) == []
    assert model.expire(40.0) == 1
    assert model.call("1.1") is None and model.ended_calls() == ()


def test_ended_calls_are_bounded_in_number_even_without_a_clock() -> None:
    model = CallModel(max_ended=2)
    for i in range(5):
        model.feed(channel(f"PJSIP/a-0{i}", f"{i}.1", f"{i}.1"))
        model.feed(hangup(f"PJSIP/a-0{i}", f"{i}.1", f"{i}.1"))
    assert [c.call_id for c in model.ended_calls()] == ["3.1", "4.1"]


def test_bad_bounds_are_refused_with_the_values() -> None:
    with pytest.raises(ValueError, match=r"grace_s >= 0.*got -1"):
        CallModel(grace_s=-1)


def test_every_change_of_the_captured_calls_reads_back_equal_from_the_hub_json() -> None:
    # One JSON form per change: the hub's topic ``call`` (golden examples and field docs
    # in tests/unit/test_hub_payloads.py and docs/events.md).
    changes = replay(CallModel(), "scenario-6calls/ami-scenario-6calls")
    changes += replay(CallModel(), "ami-callback/ami-callback")
    assert {type(c) for c in changes} == {CallStarted, CallUpdated, CallEnded}
    for change in changes:
        doc = json.loads(json.dumps(CALL.to_json(change)))
        assert doc["v"] == 1 and doc["kind"] == change.kind
        assert CALL.from_json(doc) == change
