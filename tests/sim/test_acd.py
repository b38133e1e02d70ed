# -*- test-case-name: tests.sim.test_acd -*-
"""ACD without app_queue: the FastAGI session holds the caller and dials agents itself.

The capture's own FastAGI server is replayed (its commands at their recorded times) against
the simulator on a fake clock; the AMI events must match ``agi-exec-dial`` call by call and
the FastAGI replies must be the captured bytes, line for line.
"""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from switchboard.sim._acd import parse_dial
from switchboard.sim.conformance import compare_transcripts, parse_transcript
from switchboard.sim.replay import captured_sessions, replay
from tests.sim._paths import captured_replies, captures

BASE = captures() / "agi-exec-dial"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, dict[str, list[str]], Path]:
    spool = tmp_path_factory.mktemp("spool")
    heard: dict[str, list[str]] = {}
    raw = replay(
        BASE / "ami-exec-dial.jsonl",
        agi_sessions=captured_sessions(BASE / "agi"),
        agi_heard=heard,
        spool_dir=spool,
    )
    return raw, heard, spool


def test_events_match_the_capture_call_by_call(run: tuple[bytes, object, Path]) -> None:
    real = parse_transcript((BASE / "ami-exec-dial.from-asterisk.raw").read_bytes())
    sim = parse_transcript(run[0])
    diffs = compare_transcripts(real, sim)
    assert not diffs, "\n\n".join(str(d) for d in diffs)
    assert len({m.get("Linkedid") for m in sim if m.get("Linkedid")}) == 8


@pytest.mark.parametrize(("variant", "callerid", "expected"), captured_replies(BASE))
def test_agi_replies_are_the_captured_lines(
    run: tuple[bytes, dict[str, list[str]], Path], variant: str, callerid: str, expected: list[str]
) -> None:
    # a: "-1" then (ANSWER); b: 0 (NOANSWER) then -1 (ANSWER); c: -1 HANGUP (CANCEL);
    # d: HANGUP while idle; e: g option gives 0; f: Dial on a dead channel; g; h.
    assert run[1][callerid] == expected, variant


def test_mixmonitor_writes_real_wav_files_only_bridged_audio(
    run: tuple[bytes, object, Path],
) -> None:
    files = {p.name: p for p in (run[2] / "monitor").glob("acd-*.wav")}
    assert len(files) == 8
    sizes = []
    for path in files.values():
        with wave.open(str(path)) as w:
            assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 8000)
            sizes.append(w.getnframes())
    # c, d and f were never bridged: header-only files; the others hold bridged audio,
    # as long as the talk (6-8 s in these runs, no cap).
    assert sorted(n == 0 for n in sizes).count(True) == 3
    assert max(sizes) >= 6 * 8000


def test_parse_dial() -> None:
    assert parse_dial("Local/agent1001@switchboard-agents/n,12,g") == (
        "Local/agent1001@switchboard-agents/n",
        12.0,
        "g",
    )
    assert parse_dial("Local/x@y/n") == ("Local/x@y/n", 3600.0, "")
