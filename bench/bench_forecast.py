# -*- test-case-name: tests.reports.test_forecast -*-
"""The staffing forecast over a big call history in PostgreSQL.

Builds a throw-away PostgreSQL database at head, loads ``--rows`` queue visits with COPY
(90 days, 20 queues, one of them, ``big``, taking a third of the calls; busy days and
quiet nights; 15 % abandoned), runs ANALYZE, then times ``forecast_queue`` (read the
last four weeks, bucket them in local time, Erlang C per interval) for a typical queue
and for ``big``, at 15-minute and 30-minute intervals, and prints the times. Aim: each
under 1 s.

    .venv/bin/python bench/bench_forecast.py [--url postgresql+psycopg://...] [--rows N]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
from sqlalchemy import URL, make_url
from sqlalchemy.orm import Session

from switchboard.reports.erlang import Target
from switchboard.reports.forecast import ForecastRequest, forecast_queue
from switchboard.store import upgrade_database
from switchboard.store.db import create_database_engine

DEFAULT_URL = os.environ.get(
    "SWITCHBOARD_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
ZONE = ZoneInfo("Asia/Shanghai")
END = datetime(2026, 11, 30, tzinfo=ZONE)
DAYS = 90
QUEUES = ["big"] * 10 + [f"q{n:02d}" for n in range(19)]
# Calls by local hour: nights almost empty, the late morning busiest.
HOURS = [1, 1, 1, 1, 1, 2, 4, 10, 30, 60, 80, 70, 40, 50, 60, 55, 45, 30, 15, 10, 6, 4, 2, 1]
COLUMNS = (
    "call_id,queue,entered_at,enqueued_at,priority,caller_number,path_ref,language,"
    "customer_tier,answered_at,waited_s,via_callback,agent_id,outcome,to_queue,"
    "handled_at,talk_s,wrap_s"
)


def _conninfo(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def load(url: URL, rows: int, rng: random.Random) -> None:
    started = time.perf_counter()
    start = END - timedelta(days=DAYS)
    hours = rng.choices(range(24), weights=HOURS, k=rows)
    with psycopg.connect(_conninfo(url)) as conn:
        with conn.cursor().copy(f"COPY acd_call_visit ({COLUMNS}) FROM STDIN") as copy:
            buffer = io.StringIO()
            for n, hour in enumerate(hours):
                day = start + timedelta(days=rng.randrange(DAYS))
                entered = day.replace(hour=hour) + timedelta(seconds=rng.randrange(3600))
                at = entered.astimezone(UTC).isoformat()
                queue = rng.choice(QUEUES)
                if rng.random() < 0.15:
                    tail = "\\N\t\\N\tf\t\tabandoned\t\t\\N\t\\N\t\\N\n"
                else:
                    answered = (entered + timedelta(seconds=12)).astimezone(UTC).isoformat()
                    talk, wrap = rng.randint(40, 600), rng.randint(0, 90)
                    tail = f"{answered}\t12\tf\t1001\tcompleted\t\t{answered}\t{talk}\t{wrap}\n"
                buffer.write(f"c{n}\t{queue}\t{at}\t{at}\t0\t13800138000\t\tzh\t0\t{tail}")
                if n % 50_000 == 0:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE acd_call_visit")
    print(f"loaded {rows:,} visits in {time.perf_counter() - started:.1f} s")


def time_forecasts(url: URL) -> None:
    engine = create_database_engine(url)
    now = END.astimezone(UTC)
    try:
        for queue in ("q07", "big"):
            for step in (30, 15):
                request = ForecastRequest(
                    queue, Target.parse("80/20"), ZONE, weeks=4, interval_min=step
                )
                with Session(engine) as session:
                    forecast_queue(session, request, now)  # warm the cache and the plan
                    started = time.perf_counter()
                    forecast = forecast_queue(session, request, now)
                    took = time.perf_counter() - started
                peak = max(d.peak_scheduled for d in forecast.days)
                print(
                    f"forecast {queue:>4}, 4 weeks, {step}-minute intervals: {forecast.calls:,}"
                    f" calls, {len(forecast.intervals)} intervals, peak {peak} scheduled"
                    f" in {took * 1000:.0f} ms"
                )
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=DEFAULT_URL, help="a PostgreSQL server (admin)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    admin = make_url(args.url)
    name = f"bench_forecast_{os.getpid()}"
    with psycopg.connect(_conninfo(admin), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = admin.set(database=name)
    try:
        upgrade_database(url)
        load(url, args.rows, random.Random(args.seed))
        time_forecasts(url)
    finally:
        with psycopg.connect(_conninfo(admin), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
