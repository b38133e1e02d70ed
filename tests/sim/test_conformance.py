# -*- test-case-name: tests.sim.test_conformance -*-
"""The simulator, put through a captured scenario, matches the real Asterisk call by call."""

from __future__ import annotations

from pathlib import Path

import pytest

from switchboard.cti.ami.frames import Message
from switchboard.sim.conformance import compare_call, compare_transcripts, parse_transcript
from switchboard.sim.replay import replay
from tests.sim._paths import captures

SCENARIOS = [
    ("scenario-6calls", "ami-scenario-6calls", True),
    ("agi-unreachable", "ami-agi-unreachable", False),
]


@pytest.mark.parametrize(("folder", "name", "agi"), SCENARIOS)
def test_simulator_matches_capture_per_call(
    folder: str, name: str, agi: bool, tmp_path: Path
) -> None:
    base = captures() / folder
    real = parse_transcript((base / f"{name}.from-asterisk.raw").read_bytes())
    sim = parse_transcript(replay(base / f"{name}.jsonl", agi=agi, spool_dir=tmp_path))
    diffs = compare_transcripts(real, sim)
    assert not diffs, "\n\n".join(str(d) for d in diffs)
    calls = {m.get("Linkedid") for m in sim if m.get("Linkedid")}
    assert len(calls) == (6 if agi else 1)


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
