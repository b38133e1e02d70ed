# -*- test-case-name: tests.unit.test_hub_payloads -*-
"""Every hub payload's JSON form, frozen: the examples in ``tests/fixtures/events/v1.json``.

A message bus will carry these between processes of different versions, so a change of
form must be deliberate: a new field, a renamed one or a changed value breaks the
example's test here, and then ``docs/events.md`` and the version must change with it.
"""

from __future__ import annotations

import json
import typing
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from switchboard.cti.calls import (
    Call,
    CallEnded,
    CallNews,
    CallsResynced,
    CallStarted,
    CallUpdated,
    ChannelView,
    IvrSession,
    LegHangup,
)
from switchboard.hub import (
    CALL,
    FACT,
    OFFERED,
    TOPICS,
    DispositionSaved,
    Offered,
    PayloadFormatError,
    RecordingState,
    topic_named,
)
from switchboard.queue.core.decisions import (
    AgentStateChanged,
    CallAnswered,
    CallbackAttemptEnded,
    CallbackScheduled,
    CallFinished,
    CallHandled,
    CallOffered,
    CallQueued,
    CallTransferred,
    Fact,
    OfferEnded,
    QueueLeft,
)
from switchboard.queue.core.model import AgentState, CallOutcome
from switchboard.queue.core.stats import QueueFigures, QueueSnapshot

GOLDEN = Path(__file__).parents[1] / "fixtures" / "events" / "v1.json"
T = 1795485600.0  # Tue 2026-11-24 10:00 Asia/Shanghai

FIGURES = QueueFigures(
    offered=12,
    answered=9,
    abandoned=2,
    short_abandons=1,
    callbacks_requested=1,
    called_back=1,
    callbacks_unreached=0,
    overflowed=0,
    voicemail=0,
    handled=8,
    service_level_pct=80.0,
    asa_s=14.5,
    aht_s=131.25,
)
EMPTY = QueueFigures(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, None, None, None)

CALLER = ChannelView("PJSIP/trunk-00000011", "1795485600.17", "Up")
AGENT_LEG = ChannelView("PJSIP/1001-00000012", "1795485600.18", "Ringing")
LIVE_CALL = Call(
    "1795485600.17",
    started_at=T,
    caller_number="13800138000",
    caller_name="Li Wei",
    ivr=IvrSession(
        session="1795485600.17",
        digits="1",
        language="cmn",
        variables=MappingProxyType(
            {
                "SWITCHBOARD_CALLID": "1795485600.17",
                "SWITCHBOARD_IVR_DIGITS": "1",
                "SWITCHBOARD_LANGUAGE": "cmn",
                "SWITCHBOARD_QUEUE": "sales",
            }
        ),
    ),
    queue="sales",
    ringing=("PJSIP/1001",),
    channels=(CALLER, AGENT_LEG),
)
ENDED_CALL = Call(
    "1795485600.17",
    started_at=T,
    caller_number="13800138000",
    caller_name="Li Wei",
    ivr=LIVE_CALL.ivr,
    queue="sales",
    agent="PJSIP/1001",
    answered_at=T + 35.0,
    recording="/var/spool/asterisk/monitor/sales/1795485600.17.wav",
    recorded=True,
    first_hangup="PJSIP/trunk-00000011",
    hangup_cause=16,
    hangup_cause_text="Normal Clearing",
    ended_at=T + 160.0,
    end_reason="hangup",
    dialled_number="4008001234",
    hold_count=1,
    hold_s=12.5,
    last_hangup=LegHangup("PJSIP/1001-00000012", "1795485600.18", 16, "Normal Clearing"),
)

# (topic, payload): one example of every kind each topic carries.
EXAMPLES: list[tuple[str, Any]] = [
    (
        "offered",
        Offered(
            "1795485600.17",
            "1001",
            "PJSIP/1001",
            "sales",
            T + 31.5,
            caller_number="13800138000",
            ivr_ref="ivr:42",
        ),
    ),
    (
        "offered",
        Offered(
            "1795485600.18",
            "2001",
            "PJSIP/2001",
            "support",
            T + 400.0,
            caller_number="5559001",
            callback=True,
            attempt=2,
            extra=MappingProxyType({"language": "yue"}),
        ),
    ),
    (
        "fact",
        CallQueued(
            "1795485600.17",
            "sales",
            T + 12.0,
            T + 12.0,
            priority=5,
            caller_number="13800138000",
            ivr_ref="ivr:42",
            language="cmn",
            customer_tier=2,
        ),
    ),
    ("fact", CallOffered("1795485600.17", "sales", "1001", T + 31.5)),
    ("fact", OfferEnded("1795485600.17", "1001", T + 35.0, "answered")),
    ("fact", CallAnswered("1795485600.17", "sales", "1001", T + 35.0, 23.0)),
    ("fact", QueueLeft("1795485600.19", "sales", T + 80.0, "moved", 60.0, to_queue="support")),
    ("fact", CallHandled("1795485600.17", "sales", "1001", T + 170.0, 125.0, 10.0)),
    ("fact", CallFinished("1795485600.17", "sales", T + 160.0, CallOutcome.ANSWERED, "1001")),
    (
        "fact",
        CallbackScheduled(
            "1795485600.18", "support", "5559001", T + 50.0, T + 50.0, T + 3650.0, T + 5.0
        ),
    ),
    ("fact", CallbackAttemptEnded("1795485600.18", 1, "2001", T + 200.0, "NOANSWER")),
    ("fact", AgentStateChanged("1001", T + 170.0, AgentState.READY, AgentState.WRAP_UP)),
    (
        "fact",
        CallTransferred(
            "1795485600.17",
            "sales",
            "1001",
            T + 95.0,
            "blind",
            target="2000@switchboard-transfer",
            linkedid="1795485600.17",
        ),
    ),
    (
        "agent_state",
        AgentStateChanged(
            "1002", T + 60.0, AgentState.NOT_READY, AgentState.RESERVED, "missed_call"
        ),
    ),
    (
        "queue_stats",
        QueueSnapshot(
            "sales",
            waiting=3,
            longest_wait_s=42.25,
            callbacks_pending=1,
            agents_by_state=MappingProxyType(
                {"ready": 2, "reserved": 1, "on_call": 3, "wrap_up": 0, "not_ready": 1}
            ),
            windows=MappingProxyType({"today": FIGURES, "15m": FIGURES, "1h": EMPTY}),
        ),
    ),
    (
        "call",
        CallStarted(
            Call(
                "1795485600.17",
                started_at=T,
                caller_number="13800138000",
                channels=(ChannelView(CALLER.name, CALLER.uniqueid, "Ring"),),
            ),
            T,
        ),
    ),
    ("call", CallUpdated(LIVE_CALL, ("ringing", "channels"), T + 31.5)),
    ("call", CallEnded(ENDED_CALL, "hangup", T + 160.0)),
    ("recording", RecordingState("1795485600.17", "1001", "paused", T + 45.0)),
    ("disposition", DispositionSaved("1795485600.17", "1001", "sales", "complaint", T + 100.0)),
    ("call", CallsResynced(("1795485600.17", "1795485700.3"), T + 200.0)),
]
_ENDED = next(p for _, p in EXAMPLES if isinstance(p, CallEnded))  # the ended call's example


def _golden() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return data


def test_every_kind_of_every_topic_has_an_example() -> None:
    covered = {(name, type(payload)) for name, payload in EXAMPLES}
    assert covered == {(t.name, cls) for t in TOPICS.values() for cls in t.kinds.values()}
    # A fact the router learns to produce must get a JSON kind before it can be published.
    assert set(FACT.kinds.values()) == set(typing.get_args(Fact))
    assert set(CALL.kinds.values()) == set(typing.get_args(CallNews))


def test_a_call_change_is_published_under_the_kind_it_names_itself() -> None:
    for name, payload in EXAMPLES:
        if name == "call":
            assert CALL.to_json(payload)["kind"] == payload.kind


@pytest.mark.parametrize("index", range(len(EXAMPLES)))
def test_the_json_form_is_the_frozen_example_and_reads_back_equal(index: int) -> None:
    name, payload = EXAMPLES[index]
    golden = _golden()[index]
    topic = topic_named(name)
    assert golden.pop("topic") == name
    # Compared as text through json, as a bus would carry it.
    assert json.loads(json.dumps(topic.to_json(payload))) == golden
    assert topic.from_json(golden) == payload


def test_the_golden_file_has_exactly_the_examples() -> None:
    assert len(_golden()) == len(EXAMPLES)


def test_another_version_is_refused_naming_the_version_read() -> None:
    message = OFFERED.to_json(EXAMPLES[0][1])
    with pytest.raises(PayloadFormatError, match=r"version 2 is not one .* reads v1"):
        OFFERED.from_json({**message, "v": 2})


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"kind": "call_offered"}, r"unknown kind 'call_offered'; expected one of offered"),
        ({"at": "soon"}, r"topic 'offered' offered\.at: expected float, found str 'soon'"),
        ({"callback": 1}, r"offered\.callback: expected bool, found int 1"),
        ({"extra": {"language": 3}}, r"offered\.extra\.language: expected str, found int 3"),
    ],
)
def test_a_malformed_payload_is_refused_naming_the_field(
    change: dict[str, Any], problem: str
) -> None:
    message = {**OFFERED.to_json(EXAMPLES[0][1]), **change}
    with pytest.raises(PayloadFormatError, match=problem):
        OFFERED.from_json(message)


def test_a_missing_field_is_named_and_unknown_fields_of_a_newer_publisher_are_ignored() -> None:
    message = FACT.to_json(EXAMPLES[3][1])
    with pytest.raises(PayloadFormatError, match=r"call_offered: the field 'agent_id' is missing"):
        FACT.from_json({k: v for k, v in message.items() if k != "agent_id"})
    assert FACT.from_json({**message, "seat": "7"}) == EXAMPLES[3][1]
    # An optional field absent: its default (an older publisher).
    assert (
        FACT.from_json({k: v for k, v in message.items() if k != "callback_attempt"})
        == (EXAMPLES[3][1])
    )


def test_a_call_snapshot_with_a_malformed_channel_list_is_refused_naming_the_item() -> None:
    message = CALL.to_json(_ENDED)
    message["call"] = {**message["call"], "channels": [{"name": "PJSIP/x", "uniqueid": "1"}]}
    with pytest.raises(PayloadFormatError, match=r"call\.channels\[0\]: the field 'state'"):
        CALL.from_json(message)
    message["call"]["channels"] = "PJSIP/x"
    with pytest.raises(PayloadFormatError, match=r"channels: expected a JSON array, found str"):
        CALL.from_json(message)


def test_a_bad_enum_value_lists_the_valid_ones() -> None:
    message = {**FACT.to_json(EXAMPLES[8][1]), "outcome": "lost"}
    with pytest.raises(PayloadFormatError, match=r"outcome: 'lost' is not one of 'answered', "):
        FACT.from_json(message)


def test_a_call_of_an_older_v1_publisher_reads_with_the_later_optional_fields_at_rest() -> None:
    """Hold, the dialled number and the last leg's hang-up came later within v1: a
    message without them is a call never held, number and last leg unknown."""
    message = CALL.to_json(_ENDED)
    later = ("dialled_number", "on_hold", "hold_count", "hold_s", "last_hangup")
    message["call"] = {k: v for k, v in message["call"].items() if k not in later}
    read = CALL.from_json(message)
    assert (read.call.hold_count, read.call.hold_s, read.call.on_hold) == (0, 0.0, False)
    assert read.call.dialled_number is None and read.call.last_hangup is None
    assert read.call.hangup_cause == 16  # the rest as it was
