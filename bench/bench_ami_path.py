# -*- test-case-name: tests.calls.test_bench_ami_path -*-
"""Events per second through the whole AMI path, beside bench_ami's naive split baseline.

The path: ``AmiParser`` (4 KB chunks) -> ``CallModel`` (every event) -> ``AppQueueTracker``
(the events it subscribes to, as its shell does) -> ``LiveStats`` fed the tracker's facts and
reconfigured when memberships change, as :mod:`switchboard.queue.shell.appqueue_service`
hands them to its outlet. The stream is bench_ami's (ami-scenario-6calls repeated with its
IDs rewritten). The tracker's clock is synthetic: 10 ms per event, so runs are alike.

It also checks that nothing was lost: every call started and ended, and the facts name as
many queue calls (queued and finished) as the stream has ``QueueCallerJoin`` events.
Run: ``.venv/bin/python bench/bench_ami_path.py [copies]``.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass

from bench_ami import build_stream, run_baseline
from bench_calls import CALLS_PER_COPY, Tally, chunked, through_model

from switchboard.cti.calls import CallModel
from switchboard.queue.core.appqueue import EVENTS, AppQueueTracker
from switchboard.queue.core.decisions import CallFinished, CallQueued
from switchboard.queue.core.stats import LiveStats

START = 1_700_000_000.0  # the synthetic clock's first reading
TICK = 0.01


@dataclass(frozen=True)
class PathRun:
    seconds: float
    events: int
    calls_started: int
    calls_ended: int
    queued: int  # distinct call ids in CallQueued facts
    finished: int  # distinct call ids in CallFinished facts
    facts: int


def run_path(stream: bytes) -> PathRun:
    chunks = chunked(stream)
    tally = Tally()
    model = CallModel(max_ended=100_000)
    tracker = AppQueueTracker()  # no queue file: every queue seen on AMI is tracked
    stats = LiveStats(tracker.queues.values(), tracker.agents())
    wanted = frozenset(EVENTS)
    queued: set[str] = set()
    finished: set[str] = set()
    facts = 0
    start = time.perf_counter()
    for item in through_model(chunks, model, tally):
        if item.event not in wanted:
            continue
        tracked = tracker.feed(item, START + tally.events * TICK)
        if tracked.members_changed:
            stats.reconfigure(tracker.queues.values(), tracker.agents())
        if tracked.facts:
            stats.apply(tracked.facts)
            facts += len(tracked.facts)
            for fact in tracked.facts:
                if type(fact) is CallQueued:
                    queued.add(fact.call_id)
                elif type(fact) is CallFinished:
                    finished.add(fact.call_id)
    elapsed = time.perf_counter() - start
    return PathRun(
        elapsed, tally.events, tally.started, tally.ended, len(queued), len(finished), facts
    )


def queue_calls(stream: bytes) -> int:
    """The stream's queue calls: one ``QueueCallerJoin`` each (no call joins twice here)."""
    return stream.count(b"\r\nEvent: QueueCallerJoin\r\n")


def lost(run: PathRun, copies: int, stream_queue_calls: int) -> str:
    """Empty when nothing was lost, else what was."""
    problems = []
    calls = copies * CALLS_PER_COPY
    if not run.calls_started == run.calls_ended == calls:
        problems.append(f"calls started {run.calls_started}, ended {run.calls_ended}, not {calls}")
    if not run.queued == run.finished == stream_queue_calls:
        problems.append(
            f"queue calls queued {run.queued}, finished {run.finished}, "
            f"not the stream's {stream_queue_calls}"
        )
    return "; ".join(problems)


def main() -> None:
    copies = int(sys.argv[1]) if len(sys.argv) > 1 else 90
    stream, _ = build_stream(copies)
    best_path = best_base = float("inf")
    for _ in range(3):
        run = run_path(stream)
        best_path = min(best_path, run.seconds)
        b, base_events = run_baseline(stream)
        best_base = min(best_base, b)
    in_stream = queue_calls(stream)
    problems = lost(run, copies, in_stream)
    print(f"stream: {len(stream) / 1e6:.1f} MB, {run.events} events, 4 KB chunks")
    print(
        f"whole path  : {run.events / best_path:>10,.0f} events/s  ({best_path:.3f} s); "
        f"calls started {run.calls_started}, ended {run.calls_ended}; "
        f"{run.facts} facts, queue calls queued {run.queued}, finished {run.finished} "
        f"(stream: {in_stream})"
    )
    print(f"naive split : {base_events / best_base:>10,.0f} events/s  ({best_base:.3f} s)")
    print(f"ratio path/naive: {best_base / best_path:.2f}x (aim >= 0.35x)")
    print("nothing lost" if not problems else f"LOST: {problems}")
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
