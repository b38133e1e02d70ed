# -*- test-case-name: tests.calls.test_bench_ami_path -*-
"""The whole-AMI-path bench loses nothing on a small stream (counts only, never time)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from bench_ami import build_stream
from bench_ami_path import lost, queue_calls, run_path


def test_two_copies_of_the_six_call_scenario_come_out_whole() -> None:
    stream, _ = build_stream(2)

    run = run_path(stream)

    # 6 calls per copy, 5 of them through app_queue (one hangs up in the IVR).
    assert (run.calls_started, run.calls_ended) == (12, 12)
    assert queue_calls(stream) == 10
    assert (run.queued, run.finished) == (10, 10)
    assert lost(run, 2, queue_calls(stream)) == ""
