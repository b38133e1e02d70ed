# -*- test-case-name: tests.callrecord.test_store -*-
"""Call records per second: the captured 6-call scenario, repeated, through the call model
and the call book into SQLite, one transaction per batch of events (a reactor turn).

Prints figures only: the book's cost (pure), the store's (SQLite in a temporary file),
and the rows written, checked against the calls the stream holds (all closed, none open).
Run: ``.venv/bin/python bench/bench_callrecord.py [copies] [events_per_turn]``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from bench_ami import build_stream
from bench_calls import CALLS_PER_COPY, chunked
from sqlalchemy import func, make_url, select
from sqlalchemy.orm import Session

from switchboard.callrecord.book import CallBook
from switchboard.callrecord.models import CallLegRow, CallRecordRow
from switchboard.callrecord.ops import Op
from switchboard.callrecord.store import apply_ops
from switchboard.cti.ami.frames import AmiParser, Message
from switchboard.cti.calls import CallModel
from switchboard.store import upgrade_database
from switchboard.store.db import create_database_engine


def batches(stream: bytes, per_turn: int) -> tuple[list[list[Op]], float, int]:
    """The book's operations in batches of ``per_turn`` events; seconds spent, events."""
    model, book = CallModel(max_ended=100_000), CallBook()
    out: list[list[Op]] = [[]]
    events = 0
    start = time.perf_counter()
    parser = AmiParser()
    for chunk in chunked(stream):
        for item in parser.feed(chunk):
            if type(item) is not Message or not item.event:
                continue
            events += 1
            for change in model.feed(item, float(events)):
                out[-1] += book.on_call(change)
            if events % per_turn == 0:
                out.append([])
    return out, time.perf_counter() - start, events


def main() -> None:
    copies = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    per_turn = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    stream, _ = build_stream(copies)
    ops, book_s, events = batches(stream, per_turn)
    with tempfile.TemporaryDirectory() as work:
        url = make_url(f"sqlite:///{Path(work) / 'bench.sqlite'}")
        upgrade_database(url)
        engine = create_database_engine(url)
        start = time.perf_counter()
        for batch in ops:
            with Session(engine) as session, session.begin():
                apply_ops(session, batch)
        store_s = time.perf_counter() - start
        with Session(engine) as session:
            calls = session.scalar(select(func.count()).select_from(CallRecordRow))
            still_open = session.scalar(
                select(func.count()).where(CallRecordRow.ended_at.is_(None))
            )
            legs = session.scalar(select(func.count()).select_from(CallLegRow))
        engine.dispose()
    expected = copies * CALLS_PER_COPY
    total = sum(len(b) for b in ops)
    check = "all closed" if calls == expected and not still_open else f"EXPECTED {expected}"
    print(f"{events} events, {expected} calls, {len(ops)} transactions of {per_turn} events")
    print(f"call book     : {events / book_s:>10,.0f} events/s  ({total} operations)")
    print(f"SQLite writes : {total / store_s:>10,.0f} operations/s, {calls / store_s:,.0f} calls/s")
    print(f"rows: {calls} calls ({check}, {still_open} open), {legs} legs")


if __name__ == "__main__":
    main()
