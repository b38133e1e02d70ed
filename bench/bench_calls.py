# -*- test-case-name: tests.calls.test_captures -*-
"""Events per second from bytes through the parser into the live call model.

Prints figures only, beside bench_ami's naive split baseline on the same stream
(ami-scenario-6calls repeated with its IDs rewritten, so every copy is 6 new calls), fed
to ``AmiParser`` in 4 KB chunks, every event handed to ``CallModel.feed``. It also checks
that nothing was lost: every call of every copy must have started and ended.
Run: ``.venv/bin/python bench/bench_calls.py [copies]``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

from bench_ami import build_stream, run_baseline

from switchboard.cti.ami.frames import AmiParser, Message
from switchboard.cti.calls import CallEnded, CallModel, CallStarted

CALLS_PER_COPY = 6


@dataclass
class Tally:
    events: int = 0
    started: int = 0
    ended: int = 0


def chunked(stream: bytes) -> list[bytes]:
    return [stream[i : i + 4096] for i in range(0, len(stream), 4096)]


def through_model(chunks: list[bytes], model: CallModel, tally: Tally) -> Iterator[Message]:
    """Every event of ``chunks``, parsed, after ``model`` has taken it (counted in ``tally``)."""
    parser = AmiParser()
    for chunk in chunks:
        for item in parser.feed(chunk):
            if type(item) is Message and item.event:
                tally.events += 1
                for change in model.feed(item):
                    if type(change) is CallStarted:
                        tally.started += 1
                    elif type(change) is CallEnded:
                        tally.ended += 1
                yield item


def run_model(stream: bytes) -> tuple[float, int, int, int]:
    """Seconds spent, events fed, calls started, calls ended."""
    chunks = chunked(stream)
    tally = Tally()
    start = time.perf_counter()
    for _ in through_model(chunks, CallModel(max_ended=100_000), tally):
        pass
    return time.perf_counter() - start, tally.events, tally.started, tally.ended


def main() -> None:
    copies = int(sys.argv[1]) if len(sys.argv) > 1 else 90
    stream, _ = build_stream(copies)
    best_model = best_base = float("inf")
    for _ in range(3):
        t, events, started, ended = run_model(stream)
        best_model = min(best_model, t)
        b, base_events = run_baseline(stream)
        best_base = min(best_base, b)
    expected = copies * CALLS_PER_COPY
    lost = "nothing lost" if started == ended == expected else f"LOST: expected {expected}"
    print(f"stream: {len(stream) / 1e6:.1f} MB, {events} events, 4 KB chunks")
    print(
        f"parser -> call model: {events / best_model:>10,.0f} events/s  ({best_model:.3f} s); "
        f"calls started {started}, ended {ended} ({lost})"
    )
    print(f"naive split         : {base_events / best_base:>10,.0f} events/s  ({best_base:.3f} s)")
    print(f"ratio model/naive: {best_base / best_model:.2f}x")


if __name__ == "__main__":
    main()
