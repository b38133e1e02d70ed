# -*- test-case-name: tests.sim.test_agi_failures -*-
"""Failed AGI commands on the simulated PBX, against the ``agi-failures`` capture.

The capture's FastAGI server is replayed against the simulator (Asterisk 22.10.1 with the
core sounds ``beep`` and ``tt-monkeysintro`` and without app_voicemail). The AGISTATUS rule
is Asterisk's own (res/res_agi.c, ``run_agi``: a command whose handler returns
RESULT_FAILURE on a channel that is still up sets ``returnstatus = AGI_RESULT_FAILURE``,
which ``agi_exec_full`` turns into ``AGISTATUS=FAILURE`` however the session ends).
"""

from __future__ import annotations

import pytest

from switchboard.sim._config import DEFAULT_APPLICATIONS
from switchboard.sim.conformance import FLOATING, compare_transcripts, parse_transcript
from switchboard.sim.replay import captured_sessions, replay
from tests.sim._paths import captured_replies, captures

BASE = captures() / "agi-failures"
SOUNDS = frozenset({"en/beep", "en/tt-monkeysintro"})
NO_VOICEMAIL = DEFAULT_APPLICATIONS - {"voicemail"}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, dict[str, list[str]]]:
    heard: dict[str, list[str]] = {}
    raw = replay(
        BASE / "ami-agi-failures.jsonl",
        agi_sessions=captured_sessions(BASE / "agi"),
        agi_heard=heard,
        spool_dir=tmp_path_factory.mktemp("spool"),
        local_start=0x131,
        sounds=SOUNDS,
        applications=NO_VOICEMAIL,
    )
    return raw, heard


def test_events_match_the_capture_call_by_call(run: tuple[bytes, object]) -> None:
    real = parse_transcript((BASE / "ami-agi-failures.from-asterisk.raw").read_bytes())
    sim = parse_transcript(run[0])
    # app_queue's AgentComplete races the bridge clearing BRIDGEPEER: scenario-6calls has
    # it before that VarSet, this capture after. Its position is not compared.
    diffs = compare_transcripts(real, sim, floating=FLOATING | {"AgentComplete"})
    assert not diffs, "\n\n".join(str(d) for d in diffs)
    assert len({m.get("Linkedid") for m in sim if m.get("Linkedid")}) == 6


@pytest.mark.parametrize(("variant", "callerid", "expected"), captured_replies(BASE))
def test_agi_replies_are_the_captured_lines(
    run: tuple[bytes, dict[str, list[str]]], variant: str, callerid: str, expected: list[str]
) -> None:
    # a: STREAM FILE of a missing file "200 result=-1 endpos=0"; b: EXEC of a missing
    # application -2, EXEC Playback of a missing file 0 + PLAYBACKSTATUS=FAILED; c: VoiceMail
    # not loaded -2; d: control; e: Queue ignores the unknown option g; f: GET DATA -1 at once.
    assert run[1][callerid] == expected, variant


def test_agistatus_is_failure_only_after_a_failed_stream_file(run: tuple[bytes, object]) -> None:
    statuses = {
        m.get("Channel", "")[-11:]: m.get("Value")
        for m in parse_transcript(run[0])
        if m.event == "VarSet" and m.get("Variable") == "AGISTATUS"
    }
    assert sorted(statuses.values()) == ["FAILURE"] + ["SUCCESS"] * 5
    ends = [
        (m.get("Command"), m.get("ResultCode"), m.get("Result"))
        for m in parse_transcript(run[0])
        if m.event == "AGIExecEnd" and "no-such-prompt" in (m.get("Command") or "")
    ]
    assert ends == [
        ('STREAM FILE no-such-prompt ""', "-1", "Failure"),
        ("EXEC Playback no-such-prompt", "200", "Success"),
        ("GET DATA no-such-prompt 3000 4", "200", "Success"),
    ]


def test_a_failed_session_is_queued_by_the_fallback(run: tuple[bytes, object]) -> None:
    joins = [m for m in parse_transcript(run[0]) if m.event == "QueueCallerJoin"]
    assert [m.get("CallerIDNum") for m in joins] == ["5560001"]
