# -*- test-case-name: tests.reports.test_queue_report -*-
"""Reports over 1,000,000 calls in PostgreSQL: a day's queue report by quarter-hour and a
month's agent report by day.

Builds a throw-away PostgreSQL database at 0020_queue_report_speed and loads, with COPY
and in time order (as they are written), ``--calls`` calls spread over 30 days (20
queues, 300 agents, 200,000 callers, a third of them known CRM customers): one queue
visit and one IVR session per call, the offers (one in ten missed first), four agent
states per answered call (ringing, on call, wrap-up, ready), pauses and a log-in session
per agent per day, a CSAT answer for three answered calls in ten and a disposition for
half; then migrates to head, so that 0021_agent_report_speed back-fills the agent
report's hourly roll-ups from those rows (COPY goes past the code that keeps them), and
prints how long that took. Then it times each report ``--runs`` times through the code
the CLI and the REST API run (``reports.kinds.make_report``) and prints every time, in
ms. Aim: each under 1 s.

    .venv/bin/python bench/bench_reports.py [--url postgresql+psycopg://...] [--calls N]
        [--database NAME]  # keep the loaded database under this name, reuse it next time
        [--report queue]   # time only this report
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
from alembic import command
from sqlalchemy import URL, make_url
from sqlalchemy.orm import Session

from switchboard.config import ReportSettings
from switchboard.reports.kinds import make_report
from switchboard.reports.query import parse_query
from switchboard.store import upgrade_database
from switchboard.store.db import create_database_engine
from switchboard.store.migrate import alembic_config

DEFAULT_URL = os.environ.get(
    "SWITCHBOARD_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
ZONE = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 1, tzinfo=ZONE)
DAYS = 30
QUEUES = [f"q{n:02d}" for n in range(20)]
AGENTS = [str(1000 + n) for n in range(300)]
CUSTOMERS = 66_000


def _conninfo(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class Copier:
    """Rows for one table, written with COPY 100,000 at a time."""

    def __init__(self, conn: psycopg.Connection, table: str, columns: str) -> None:
        self.conn, self.table, self.columns = conn, table, columns
        self.buffer, self.count = io.StringIO(), 0

    def add(self, *values: object) -> None:
        self.buffer.write("\t".join("\\N" if v is None else str(v) for v in values) + "\n")
        self.count += 1
        if self.count % 100_000 == 0:
            self.flush()

    def flush(self) -> None:
        with self.conn.cursor().copy(f"COPY {self.table} ({self.columns}) FROM STDIN") as copy:
            copy.write(self.buffer.getvalue())
        self.buffer = io.StringIO()


def _ts(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat()


def load(url: URL, calls: int, rng: random.Random) -> None:
    started = time.perf_counter()
    t0 = START.timestamp()
    with psycopg.connect(_conninfo(url)) as conn:
        people = Copier(
            conn, "crm_customer", "id,name,vip_level,language,attributes,created_at,updated_at"
        )
        for n in range(1, CUSTOMERS + 1):
            people.add(n, f"Customer {n}", 0, "", "{}", _ts(t0), _ts(t0))
        people.flush()
        visits = Copier(
            conn,
            "acd_call_visit",
            "call_id,queue,entered_at,enqueued_at,priority,caller_number,path_ref,language,"
            "customer_tier,answered_at,waited_s,via_callback,agent_id,callback_at,"
            "callback_waited_s,left_at,outcome,left_waited_s,to_queue,ended_at,handled_at,"
            "talk_s,wrap_s",
        )
        sessions = Copier(
            conn,
            "ivr_session",
            "call_id,channel,caller_number,flow,started_at,outcome,last_flow,last_step,"
            "language,queue,digits,customer_id,variables,trace",
        )
        offers = Copier(
            conn, "acd_offer", "call_id,queue,agent_id,offered_at,ended_at,result,callback_attempt"
        )
        states = Copier(
            conn, "acd_agent_state", "agent_id,state,reason,started_at,ended_at,end_reason"
        )
        csat = Copier(conn, "ivr_csat_response", "call_id,agent,queue,flow,score,created_at")
        codes = Copier(conn, "seat_disposition", "call_id,agent_id,queue,code,note,at")
        # In time order, as switchboard appends them: a range of rows is a range of pages.
        arrivals = sorted(t0 + rng.random() * DAYS * 86400 for _ in range(calls))
        for n, at in enumerate(arrivals):
            call_id, queue = f"{int(at)}.{n}", rng.choice(QUEUES)
            caller = rng.randrange(200_000)
            number = str(13800000000 + caller)
            customer = caller + 1 if caller < CUSTOMERS else None
            sessions.add(call_id, "", number, "main", _ts(at - 30), "queued", "main", "queue",
                         "zh", queue, "1", customer, "{}", "[]")  # fmt: skip
            wait = rng.expovariate(1 / 25)
            roll = rng.random()
            if roll < 0.85:
                agent = rng.choice(AGENTS)
                answer = at + wait
                if rng.random() < 0.1:
                    miss = rng.choice(AGENTS)
                    offers.add(
                        call_id, queue, miss, _ts(at + wait / 3), _ts(at + wait / 2), "no_answer", 0
                    )
                offers.add(call_id, queue, agent, _ts(answer - 3), _ts(answer), "answered", 0)
                talk, wrap = rng.uniform(30, 500), rng.uniform(0, 60)
                done = answer + talk + wrap
                visits.add(call_id, queue, _ts(at), _ts(at), 0, number, call_id, "zh", 0,
                           _ts(answer), f"{wait:.3f}", "f", agent, None, None, None,
                           "answered", None, "", _ts(answer + talk), _ts(done),
                           f"{talk:.3f}", f"{wrap:.3f}")  # fmt: skip
                states.add(agent, "reserved", "", _ts(answer - 3), _ts(answer), "")
                states.add(agent, "on_call", "", _ts(answer), _ts(answer + talk), "")
                states.add(agent, "wrap_up", "", _ts(answer + talk), _ts(done), "")
                states.add(agent, "ready", "", _ts(done), _ts(done + rng.uniform(5, 120)), "")
                if rng.random() < 0.3:
                    csat.add(call_id, agent, queue, "survey", rng.randint(1, 5), _ts(done + 10))
                if rng.random() < 0.5:
                    code = rng.choice(("resolved", "follow_up", "complaint", "sale"))
                    codes.add(call_id, agent, queue, code, "", _ts(done - wrap / 2))
            else:
                outcome = "abandoned" if roll < 0.97 else "voicemail"
                visits.add(call_id, queue, _ts(at), _ts(at), 0, number, call_id, "zh", 0,
                           None, None, "f", "", None, None, _ts(at + wait), outcome,
                           f"{wait:.3f}", "", None, None, None, None)  # fmt: skip
        logins = Copier(conn, "acd_agent_session", "agent_id,logged_in_at,logged_out_at,end_reason")
        for day in range(DAYS):
            for agent in AGENTS:
                shift = t0 + day * 86400 + rng.uniform(0, 16) * 3600
                logins.add(agent, _ts(shift), _ts(shift + 8 * 3600), "logged_out")
                for _ in range(3):
                    pause = shift + rng.uniform(0, 8) * 3600
                    reason = rng.choice(("break", "lunch", "training"))
                    states.add(agent, "not_ready", reason, _ts(pause), _ts(pause + 900), "")
        for copier in (visits, sessions, offers, states, csat, codes, logins):
            copier.flush()
        print(
            f"loaded {calls:,} calls: {offers.count:,} offers, {states.count:,} agent states,"
            f" {csat.count:,} CSAT answers, {codes.count:,} dispositions"
            f" in {time.perf_counter() - started:.1f} s"
        )
    with psycopg.connect(_conninfo(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")  # what autovacuum leaves: the visibility map set


def time_report(url: URL, kind: str, day: str, last: str, interval: str, runs: int) -> None:
    engine = create_database_engine(url)
    settings = ReportSettings(timezone=ZONE.key)
    now = (START + timedelta(days=DAYS + 1)).timestamp()
    query = parse_query(
        kind, ("queue", "agent"), start=day, end=last, interval=interval,
        queue=None, agent=None, zone=ZONE, now=now,
    )  # fmt: skip
    times, rows = [], 0
    try:
        for _ in range(runs):
            began = time.perf_counter()
            with Session(engine) as session:
                rows = len(make_report(session, query, settings).rows)
            times.append((time.perf_counter() - began) * 1000)
    finally:
        engine.dispose()
    shown = ", ".join(f"{t:.0f}" for t in times)
    print(
        f"{kind} report {day}..{last} by {interval}: {rows:,} rows;"
        f" median {statistics.median(times):.0f} ms (runs: {shown} ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=DEFAULT_URL, help="a PostgreSQL server (admin)")
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", help="keep the loaded database under this name; reuse it")
    parser.add_argument("--report", choices=("queue", "agent"), help="time only this report")
    args = parser.parse_args()
    admin = make_url(args.url)
    name = args.database or f"bench_reports_{os.getpid()}"
    with psycopg.connect(_conninfo(admin), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    url = admin.set(database=name)
    try:
        if not exists:  # loaded at the revision before the roll-ups: migration 0021 fills them
            command.upgrade(alembic_config(url), "0020_queue_report_speed")
            load(url, args.calls, random.Random(args.seed))
        began = time.perf_counter()
        upgrade_database(url)
        print(f"migrated to head in {time.perf_counter() - began:.1f} s")
        if exists:  # loaded by an earlier run (--calls and --seed are those of that run)
            with psycopg.connect(_conninfo(url), autocommit=True) as conn:
                conn.execute("ANALYZE")  # indexes a new migration may have added
        else:
            with psycopg.connect(_conninfo(url), autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE")  # the roll-ups' tables too
        print(f"load average before timing: {', '.join(f'{n:.1f}' for n in os.getloadavg())}")
        if args.report in (None, "queue"):
            time_report(url, "queue", "2026-11-17", "2026-11-17", "15m", args.runs)
        if args.report in (None, "agent"):
            time_report(url, "agent", "2026-11-01", "2026-11-30", "day", args.runs)
        print(f"load average after timing: {', '.join(f'{n:.1f}' for n in os.getloadavg())}")
    finally:
        if not args.database:
            with psycopg.connect(_conninfo(admin), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
