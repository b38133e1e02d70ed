"""The queue report, every figure of every row held against the naive implementation
(tests/reports/naive.py) on SQLite and PostgreSQL; across midnight and across both
daylight-saving changes of Europe/London."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from switchboard.config import ReportSettings
from switchboard.reports.query import ReportQuery, parse_query
from switchboard.reports.queue_report import build_queue_report
from switchboard.reports.table import Report
from tests.reports import naive
from tests.reports.seed import epoch_of, seed

LONDON = ZoneInfo("Europe/London")
SETTINGS = ReportSettings(timezone="Europe/London", service_level_s=(20.0, 30.0), fcr_days=1.0)


def _query(start: str, end: str, interval: str, now: float, **kw: str) -> ReportQuery:
    return parse_query(
        "queue",
        ("queue", "agent"),
        start=start,
        end=end,
        interval=interval,
        queue=kw.get("queue"),
        agent=None,
        zone=LONDON,
        now=now,
    )


def _report(engine: Engine, query: ReportQuery, settings: ReportSettings = SETTINGS) -> Report:
    with Session(engine) as session:
        return build_queue_report(session, query, settings)


def _check(report: Report, engine: Engine, query: ReportQuery, settings: ReportSettings) -> None:
    starts = naive.interval_starts(query.start, query.end, query.interval, LONDON)
    expected = naive.expected_queue(
        engine,
        starts,
        query.end.timestamp(),
        sl=settings.service_level_s,
        short_s=settings.short_abandon_s,
        fcr_days=settings.fcr_days,
    )
    records = report.records()
    assert {(r["interval"].timestamp(), r["queue"]) for r in records} == set(expected)  # type: ignore[union-attr]
    assert len(records) == len(expected)
    for row in records:
        want = expected[(row["interval"].timestamp(), row["queue"])]  # type: ignore[union-attr]
        wrong = {k: (row[k], v) for k, v in want.items() if not naive.same(row[k], v)}
        assert wrong == {}, (row["interval"], row["queue"])


def test_every_figure_of_every_quarter_hour_across_midnight(engine: Engine) -> None:
    start, end = epoch_of("2026-06-09T20:00:00+01:00"), epoch_of("2026-06-10T04:00:00+01:00")
    seeder = seed(engine, start, end, calls=400)
    query = _query("2026-06-09T21:00", "2026-06-10T03:00", "15m", now=end)
    report = _report(engine, query)
    _check(report, engine, query, SETTINGS)
    # The figures are not all zero: the comparison compared something.
    assert sum(report.column("offered")) > 150  # type: ignore[arg-type]
    assert sum(report.column("short_abandons")) > 0  # type: ignore[arg-type]
    assert sum(report.column("callbacks_completed")) > 0  # type: ignore[arg-type]
    assert any(v not in (None, 100.0) for v in report.column("fcr_pct"))
    assert seeder.count == 400


def test_hours_and_days_across_midnight(engine: Engine) -> None:
    start, end = epoch_of("2026-06-09T12:00:00+01:00"), epoch_of("2026-06-11T12:00:00+01:00")
    seed(engine, start, end, calls=300, seed_value=11)
    for interval, first, last in (("hour", "2026-06-09T22:00", "2026-06-10T02:00"),
                                  ("day", "2026-06-09", "2026-06-11")):  # fmt: skip
        query = _query(first, last, interval, now=end)
        _check(_report(engine, query), engine, query, SETTINGS)


@pytest.mark.parametrize(
    ("day", "hours"),
    [("2026-03-29", 23), ("2026-10-25", 25)],
    ids=["clocks-forward", "clocks-back"],
)
def test_a_day_when_the_clocks_change(engine: Engine, day: str, hours: int) -> None:
    start, end = (
        epoch_of(f"{day}T00:00:00+00:00") - 3600,
        epoch_of(f"{day}T00:00:00+00:00") + 26 * 3600,
    )
    seed(engine, start, end, calls=300, seed_value=5)
    query = _query(day, day, "hour", now=end)
    report = _report(engine, query)
    assert len(report.rows) == hours * 2  # two queues
    assert query.end.timestamp() - query.start.timestamp() == hours * 3600
    _check(report, engine, query, SETTINGS)
    daily = _query(day, day, "day", now=end)
    _check(_report(engine, daily), engine, daily, SETTINGS)


def test_the_two_one_oclock_hours_are_told_apart_by_their_offset(engine: Engine) -> None:
    query = _query("2026-10-25", "2026-10-25", "hour", now=0.0, queue="sales")
    starts = [str(s.isoformat()) for s in _report(engine, query).column("interval")]  # type: ignore[union-attr]
    assert starts[:4] == [
        "2026-10-25T00:00:00+01:00",
        "2026-10-25T01:00:00+01:00",
        "2026-10-25T01:00:00+00:00",
        "2026-10-25T02:00:00+00:00",
    ]


def test_empty_intervals_are_rows_of_zeros(engine: Engine) -> None:
    query = _query("2026-06-09", "2026-06-09", "hour", now=0.0, queue="sales,support")
    report = _report(engine, query)
    assert len(report.rows) == 48
    assert set(report.column("offered")) == {0}
    assert set(report.column("service_level_1_pct")) == {None}  # nothing to divide


def test_the_thresholds_come_from_the_settings(engine: Engine) -> None:
    start, end = epoch_of("2026-06-09T08:00:00+01:00"), epoch_of("2026-06-09T12:00:00+01:00")
    seed(engine, start, end, calls=150, seed_value=3)
    settings = ReportSettings(
        timezone="Europe/London", service_level_s=(10.0, 45.0), short_abandon_s=2.0, fcr_days=3
    )
    query = _query("2026-06-09", "2026-06-09", "hour", now=end)
    report = _report(engine, query, settings)
    _check(report, engine, query, settings)
    labels = [c.label for c in report.columns]
    assert "Service level (10 s)" in labels and "Service level (45 s)" in labels
    assert report.parameters["service_level_s"] == [10.0, 45.0]
