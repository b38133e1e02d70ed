# -*- test-case-name: tests.recorder.test_search -*-
"""Recordings: search latency over 1,000,000 index rows in PostgreSQL; reindex speed.

Builds a throw-away PostgreSQL database at head, loads ``--rows`` recordings with COPY
(90 days, 20 queues, 300 agents, 200,000 callers, half the calls with a disposition, one
in twenty with a ticket, 50,000 CRM customers), runs ANALYZE, then times the searches a
supervisor runs most (each ``--queries`` times with fresh random keys, through
``recorder.search``, one session per query as the API does) and prints p50/p95 in ms.
Then it writes ``--files`` one-second WAV files named by call id and times
``recordings reindex`` over them (files per second). Aim: p95 under 20 ms.

    .venv/bin/python bench/bench_recordings.py [--url postgresql+psycopg://...] [--rows N]
        [--seconds 20]  # time bound per query kind
        [--database NAME]  # keep the loaded database under this name, reuse it next time
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import tempfile
import time
import wave
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy import URL, make_url
from sqlalchemy.orm import Session

from switchboard.recorder.ops import reindex
from switchboard.recorder.paths import PathMap
from switchboard.recorder.search import RecordingQuery, search
from switchboard.store import upgrade_database
from switchboard.store.db import create_database_engine

DEFAULT_URL = os.environ.get(
    "SWITCHBOARD_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
END = datetime(2026, 11, 30, tzinfo=UTC)
DAYS = 90
QUEUES = [f"q{n:02d}" for n in range(20)]
AGENTS = [str(1000 + n) for n in range(300)]
CODES = ["sold", "resolved", "escalated", "callback", "complaint", "wrong-number"]


def _conninfo(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _copy(conn: psycopg.Connection, table: str, columns: str, rows: list[str]) -> None:
    with conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        buffer = io.StringIO()
        for n, line in enumerate(rows, 1):
            buffer.write(line)
            if n % 50_000 == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())


def load(url: URL, rows: int, rng: random.Random) -> None:
    started = time.perf_counter()
    with psycopg.connect(_conninfo(url)) as conn:
        customers = [
            f"{n + 1}\tCustomer {n}\t0\t\t{{}}\t{END.isoformat()}\t{END.isoformat()}\n"
            for n in range(50_000)
        ]
        _copy(
            conn,
            "crm_customer",
            "id,name,vip_level,language,attributes,created_at,updated_at",
            customers,
        )
        identifiers = [f"{n + 1}\tphone\t{13800000000 + n}\n" for n in range(50_000)]
        _copy(conn, "crm_customer_identifier", "customer_id,kind,value", identifiers)
        recordings, dispositions, tickets = [], [], []
        for n in range(1, rows + 1):
            start = END - timedelta(seconds=rng.uniform(0, DAYS * 86400))
            talk = rng.uniform(5, 900)
            caller = 13800000000 + rng.randrange(200_000)
            customer = str(caller - 13800000000 + 1) if caller < 13800050000 else "\\N"
            call_id = f"1795{n:09d}.{n}"
            code = rng.choice(CODES) if n % 2 == 0 else ""  # as the recorder files it
            recordings.append(
                f"{call_id}\t{call_id}\t{caller}\t{customer}\t{rng.choice(AGENTS)}\t"
                f"{rng.choice(QUEUES)}\t{start.isoformat()}\t"
                f"{(start + timedelta(seconds=talk)).isoformat()}\t{talk:.2f}\t"
                f"/var/spool/asterisk/monitor/{call_id}.wav\t{int(talk * 16000) + 44}\twav\t"
                f"{n:064x}\tok\t\tf\t{start.isoformat()}\t{code}\n"
            )
            if code:
                dispositions.append(f"{call_id}\t{AGENTS[0]}\tq00\t{code}\t\t{start.isoformat()}\n")
            if n % 20 == 0:
                tickets.append(f"{n}\tT-{n // 20}\n")
        _copy(
            conn,
            "recording",
            "call_id,linked_id,caller_number,customer_id,agent_id,queue,started_at,ended_at,"
            "duration_s,path,size,format,sha256,status,problem,legal_hold,indexed_at,"
            "disposition",
            recordings,
        )
        _copy(conn, "seat_disposition", "call_id,agent_id,queue,code,note,at", dispositions)
        _copy(conn, "recording_ticket", "recording_id,ticket", tickets)
    with psycopg.connect(_conninfo(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")  # what autovacuum leaves: the visibility map set
    print(f"loaded {rows:,} recordings in {time.perf_counter() - started:.1f} s")


def _queries(rng: random.Random, rows: int) -> dict[str, Callable[[], RecordingQuery]]:
    def day() -> datetime:
        return END - timedelta(days=rng.randrange(1, DAYS))

    def week() -> tuple[datetime, datetime]:
        start = END - timedelta(days=rng.randrange(7, DAYS))
        return start, start + timedelta(days=7)

    return {
        "date range (a day)": lambda: RecordingQuery(
            since=(d := day()), until=d + timedelta(days=1)
        ),
        "caller": lambda: RecordingQuery(caller=str(13800000000 + rng.randrange(200_000))),
        "customer (identifier)": lambda: RecordingQuery(
            customer=str(13800000000 + rng.randrange(50_000))
        ),
        "agent + day": lambda: RecordingQuery(
            agent=rng.choice(AGENTS), since=(d := day()), until=d + timedelta(days=1)
        ),
        "queue + week, page 1": lambda: RecordingQuery(
            queue=rng.choice(QUEUES), since=(w := week())[0], until=w[1]
        ),
        "queue + week + disposition": lambda: RecordingQuery(
            queue=rng.choice(QUEUES), since=(w := week())[0], until=w[1], disposition="complaint"
        ),
        "disposition": lambda: RecordingQuery(disposition=rng.choice(CODES)),
        "queue + disposition": lambda: RecordingQuery(
            queue=rng.choice(QUEUES), disposition=rng.choice(CODES)
        ),
        "ticket": lambda: RecordingQuery(ticket=f"T-{rng.randrange(1, rows // 20)}"),
        "queue + day + duration > 10 min": lambda: RecordingQuery(
            queue=rng.choice(QUEUES), since=(d := day()), until=d + timedelta(days=1),
            min_duration_s=600,
        ),
        "duration > 10 min": lambda: RecordingQuery(min_duration_s=600),
        "supervisor's queues + day": lambda: RecordingQuery(
            queues=tuple(rng.sample(QUEUES, 3)), since=(d := day()), until=d + timedelta(days=1)
        ),
    }  # fmt: skip


def time_searches(url: URL, rows: int, queries: int, seconds: float, rng: random.Random) -> None:
    engine = create_database_engine(url)
    print(f"load average before the searches: {os.getloadavg()}")
    print(f"{'search':34} {'p50 ms':>8} {'p95 ms':>8} {'rows':>6} {'runs':>5}")
    for name, make in _queries(rng, rows).items():
        timings, found = [], 0
        budget = time.perf_counter() + seconds
        for n in range(queries):
            if n >= 20 and time.perf_counter() > budget:
                break  # bounded in time too
            query = make()
            began = time.perf_counter()
            with Session(engine) as session:
                page = search(session, query)
            timings.append((time.perf_counter() - began) * 1000)
            found += page.total
        cuts = statistics.quantiles(timings, n=20)
        print(
            f"{name:34} {statistics.median(timings):8.2f} {cuts[18]:8.2f}"
            f" {found // len(timings):6} {len(timings):5}"
        )
    print(f"load average after the searches: {os.getloadavg()}")
    engine.dispose()


def time_reindex(url: URL, files: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-reindex-") as folder:
        spool = Path(folder)
        at = END.isoformat()
        visits = []
        frames = b"\x00\x00" * 8000
        for n in range(files):
            call_id = f"1796{n:09d}.{n}"
            with wave.open(str(spool / f"q00-{call_id}.wav"), "wb") as out:
                out.setnchannels(1)
                out.setsampwidth(2)
                out.setframerate(8000)
                out.writeframes(frames)
            visits.append(
                f"{call_id}\tq00\t{at}\t{at}\t0\t13800000000\t\t\t0\t{at}\tf\t1001\t"
                f"answered\t\t{at}\n"
            )
        with psycopg.connect(_conninfo(url)) as conn:
            _copy(
                conn,
                "acd_call_visit",
                "call_id,queue,entered_at,enqueued_at,priority,caller_number,path_ref,language,"
                "customer_tier,answered_at,via_callback,agent_id,outcome,to_queue,ended_at",
                visits,
            )
        engine = create_database_engine(url)
        began = time.perf_counter()
        report = reindex(
            lambda: Session(engine, expire_on_commit=False), spool, PathMap({}), time.time()
        )
        took = time.perf_counter() - began
        engine.dispose()
    print(
        f"reindex: {report.scanned:,} files ({report.by_call:,} matched to calls) in {took:.1f} s"
        f" = {report.scanned / took:,.0f} files/s (index of {files:,} + 1M rows in memory)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=DEFAULT_URL, help="a PostgreSQL server (admin)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--files", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=20.0, help="time bound per query kind")
    parser.add_argument("--database", help="keep the loaded database under this name; reuse it")
    args = parser.parse_args()
    admin = make_url(args.url)
    name = args.database or f"bench_recordings_{os.getpid()}"
    with psycopg.connect(_conninfo(admin), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    url = admin.set(database=name)
    try:
        upgrade_database(url)
        rng = random.Random(args.seed)
        if not exists:
            load(url, args.rows, rng)
        else:
            with psycopg.connect(_conninfo(url), autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE")  # for the indexes a new migration may have added
        time_searches(url, args.rows, args.queries, args.seconds, rng)
        if not args.database:  # reindex writes rows: only into a database thrown away
            time_reindex(url, args.files)
    finally:
        if not args.database:
            with psycopg.connect(_conninfo(admin), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
