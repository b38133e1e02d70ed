# -*- test-case-name: tests.sim.test_conformance -*-
"""The simulator, put through a captured scenario, matches the real Asterisk call by call."""

from __future__ import annotations

from pathlib import Path

import pytest

from switchboard.cti.ami.frames import Message
from switchboard.sim.conformance import compare_call, compare_transcripts, parse_transcript
from switchboard.sim.replay import captured_sessions, replay
from tests.sim._paths import captures

# (folder, connection, FastAGI main-menu?, calls, the capture's first Local pair number)
SCENARIOS = [
    ("scenario-6calls", "ami-scenario-6calls", True, 6, 0),
    ("agi-unreachable", "ami-agi-unreachable", False, 1, 0),
    ("ami-callback", "ami-callback", True, 7, 0),  # answered, NOANSWER, busy, congested ...
    # The client's Getvar/Redirect/Hangup name Zoe's ``...-00000006;2``: the simulator
    # numbers its Local pairs from the capture's first one (the sync Originate, 4).
    ("ami-actions", "ami-actions", True, 3, 4),
]


@pytest.mark.parametrize(("folder", "name", "agi", "ncalls", "local_start"), SCENARIOS)
def test_simulator_matches_capture_per_call(
    folder: str, name: str, agi: bool, ncalls: int, local_start: int, tmp_path: Path
) -> None:
    base = captures() / folder
    real = parse_transcript((base / f"{name}.from-asterisk.raw").read_bytes())
    raw = replay(base / f"{name}.jsonl", agi=agi, spool_dir=tmp_path, local_start=local_start)
    sim = parse_transcript(raw)
    diffs = compare_transcripts(real, sim)
    assert not diffs, "\n\n".join(str(d) for d in diffs)
    calls = {m.get("Linkedid") for m in sim if m.get("Linkedid")}
    assert len(calls) == ncalls


def test_same_seed_same_transcript(tmp_path: Path) -> None:
    jsonl = captures() / "scenario-6calls" / "ami-scenario-6calls.jsonl"
    assert replay(jsonl, seed=7, spool_dir=tmp_path) == replay(jsonl, seed=7, spool_dir=tmp_path)


def test_comparison_names_the_first_difference() -> None:
    base = captures() / "agi-unreachable"
    real = parse_transcript((base / "ami-agi-unreachable.from-asterisk.raw").read_bytes())
    events = [m for m in real if m.event]
    call = [m for m in events if m.get("Linkedid")]
    broken = [m for m in call if m.event != "MusicOnHoldStart"]
    diff = compare_call("x", call, broken)
    assert diff is not None
    assert diff.expected is not None and diff.expected.event == "MusicOnHoldStart"
    assert "MusicOnHoldStart" in str(diff)
    renamed = [
        Message([(n, v) for n, v in m.headers if n != "Exten"]) if m.event == "Hangup" else m
        for m in call
    ]
    diff = compare_call("x", call, renamed)
    assert diff is not None and "missing headers: ['Exten']" in str(diff)


def _responses(raw: bytes) -> list[tuple[str | None, str | None, str | None]]:
    """(ActionID, Response, Message) of every response, in order."""
    return [
        (m.action_id, m.response, m.get("Message"))
        for m in parse_transcript(raw)
        if m.response is not None
    ]


def test_every_action_gets_the_captured_response(tmp_path: Path) -> None:
    # Each of the 56 messages of ami-actions.to-asterisk.raw (one has no Action header)
    # gets the captured Response and Message; values (timestamps, ids) are not compared.
    base = captures() / "ami-actions"
    sent = parse_transcript((base / "ami-actions.to-asterisk.raw").read_bytes())
    real = _responses((base / "ami-actions.from-asterisk.raw").read_bytes())
    sim = _responses(replay(base / "ami-actions.jsonl", spool_dir=tmp_path, local_start=4))
    assert len(real) == len(sent) == 56
    assert sorted(sim, key=str) == sorted(real, key=str)
    assert [r[0] for r in sim] == [r[0] for r in real]  # and in the same order


def test_supervisor_chanspy_legs_match_the_capture(tmp_path: Path) -> None:
    # Listen (qE), whisper (qwE) and barge (qBE) legs on the agent's ;1; the ACD call's
    # FastAGI server is the captured one. Local pairs start at the capture's 0x19.
    base = captures() / "ami-supervisor"
    real = parse_transcript((base / "ami-supervisor.from-asterisk.raw").read_bytes())
    raw = replay(
        base / "ami-supervisor.jsonl",
        agi_sessions=captured_sessions(base / "agi"),
        spool_dir=tmp_path,
        local_start=0x19,
    )
    sim = parse_transcript(raw)
    diffs = compare_transcripts(real, sim)
    assert not diffs, "\n\n".join(str(d) for d in diffs)
    spies = [m for m in sim if m.event == "OriginateResponse" and m.get("Application")]
    assert [(m.get("Application"), m.get("Data", "").rsplit(",", 1)[1]) for m in spies] == [
        ("ChanSpy", "qE"),
        ("ChanSpy", "qwE"),
        ("ChanSpy", "qBE"),
    ]
    starts = [m for m in sim if m.event == "ChanSpyStart"]
    stops = [m for m in sim if m.event == "ChanSpyStop"]
    assert len(starts) == len(stops) == 3
    assert {m.get("SpyeeChannel") for m in starts} == {spies[0].get("Data", "").split(",")[0]}
