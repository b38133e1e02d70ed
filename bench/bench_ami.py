# -*- test-case-name: tests.protocol.test_ami_protocol -*-
"""Events per second through the full AMI client path, beside a naive split baseline.

Prints figures only. The stream is ami-scenario-6calls repeated with its IDs rewritten
(every copy is a distinct set of calls and ActionIDs), fed to ``AmiProtocol.dataReceived``
in 4 KB chunks, dispatched to a subscriber that filters by event name, with every event
list gathered by ActionID. Run: ``.venv/bin/python bench/bench_ami.py [copies]``.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from pathlib import Path

import structlog
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport

from switchboard.cti.ami import actions
from switchboard.cti.ami.frames import AmiParser, Message
from switchboard.cti.ami.pending import EventList
from switchboard.cti.ami.protocol import AmiProtocol
from switchboard.cti.ami.subscriptions import Subscriptions

CAPTURE = Path(__file__).resolve().parent.parent / "tests/fixtures/captures/scenario-6calls"
BANNER = b"Asterisk Call Manager/11.0.0\r\n"
WANTED = {
    "Newchannel",
    "Hangup",
    "QueueCallerJoin",
    "QueueCallerLeave",
    "AgentConnect",
    "AgentComplete",
    "VarSet",
}


def build_stream(copies: int) -> tuple[bytes, list[str]]:
    raw = (CAPTURE / "ami-scenario-6calls.from-asterisk.raw").read_bytes()
    body = raw.split(b"\r\n", 1)[1]
    sent = (CAPTURE / "ami-scenario-6calls.to-asterisk.raw").read_bytes()
    ids = [m.action_id for m in AmiParser(expect_banner=False).feed(sent) if m.action_id]
    parts = [BANNER]
    all_ids: list[str] = []
    for k in range(copies):
        copy = re.sub(rb"(\d{10})\.(\d+)", lambda m, k=k: b"%d%s.%s" % (k, m[1][4:], m[2]), body)
        copy = re.sub(
            rb"-([0-9a-f]{8});", lambda m, k=k: b"-%08x;" % (k * 7919 + int(m[1], 16)), copy
        )
        copy = copy.replace(b"ActionID: sw-", b"ActionID: c%d-" % k)
        parts.append(copy)
        all_ids += [f"c{k}-{i.removeprefix('sw-')}" for i in ids]
    return b"".join(parts), all_ids


def run_client(stream: bytes, ids: list[str]) -> tuple[float, int, int, int]:
    clock = Clock()
    subs = Subscriptions()
    counted = [0]

    def on_event(msg: Message) -> None:
        if msg.event in WANTED:
            counted[0] += 1

    subs.subscribe("*", on_event)
    proto = AmiProtocol(
        clock,
        next_action_id=actions.ActionIdGenerator(),
        on_event=subs.dispatch,
        action_timeout_s=1e9,
        max_message_bytes=1 << 20,
    )
    proto.makeConnection(StringTransport())
    lists: list[EventList] = []
    for action_id in ids:  # as if each captured action had been sent; gather every answer
        d = proto.send(actions.Action("Replayed", action_id=action_id), gather=True)
        d.addCallback(lambda r: lists.append(r) if r.complete is not None else None)
        d.addErrback(lambda f: None)
    chunks = [stream[i : i + 4096] for i in range(0, len(stream), 4096)]
    start = time.perf_counter()
    for chunk in chunks:
        proto.dataReceived(chunk)
    elapsed = time.perf_counter() - start
    gathered_items = sum(len(x.items) for x in lists)
    for call in clock.getDelayedCalls():
        call.cancel()
    return elapsed, counted[0], len(lists), gathered_items


def run_baseline(stream: bytes) -> tuple[float, int]:
    start = time.perf_counter()
    n = 0
    for block in stream.split(b"\r\n\r\n"):
        headers = {}
        for line in block.split(b"\r\n"):
            name, _, value = line.partition(b": ")
            headers[name] = value
        if b"Event" in headers:
            n += 1
    return time.perf_counter() - start, n


def main() -> None:
    copies = int(sys.argv[1]) if len(sys.argv) > 1 else 90
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    stream, ids = build_stream(copies)
    events = sum(1 for m in AmiParser().feed(stream) if isinstance(m, Message) and m.event)
    best_client = best_base = float("inf")
    for _ in range(3):
        t, counted, lists, items = run_client(stream, ids)
        best_client = min(best_client, t)
        b, base_events = run_baseline(stream)
        best_base = min(best_base, b)
    print(f"stream: {len(stream) / 1e6:.1f} MB, {events} events, {len(ids)} actions, 4 KB chunks")
    print(
        f"client path : {events / best_client:>10,.0f} events/s  ({best_client:.3f} s); "
        f"subscriber matched {counted}, lists gathered {lists} ({items} items)"
    )
    print(f"naive split : {base_events / best_base:>10,.0f} events/s  ({best_base:.3f} s)")
    print(f"ratio client/naive: {best_base / best_client:.2f}x")


if __name__ == "__main__":
    main()
