"""The agent report, every figure held against the naive implementation, on SQLite and
PostgreSQL; a state that spans midnight and the clocks going back is split exactly."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from switchboard.config import ReportSettings
from switchboard.queue.core.decisions import AgentStateChanged
from switchboard.queue.core.model import AgentState
from switchboard.queue.store.records import record_facts
from switchboard.reports.agent_report import build_agent_report
from switchboard.reports.query import ReportQuery, parse_query
from switchboard.reports.table import Report
from tests.reports import naive
from tests.reports.seed import epoch_of, seed

LONDON = ZoneInfo("Europe/London")
SETTINGS = ReportSettings(timezone="Europe/London")


def _query(start: str, end: str, interval: str, now: float, **kw: str) -> ReportQuery:
    return parse_query(
        "agent",
        ("queue", "agent"),
        start=start,
        end=end,
        interval=interval,
        queue=kw.get("queue"),
        agent=kw.get("agent"),
        zone=LONDON,
        now=now,
    )


def _report(engine: Engine, query: ReportQuery) -> Report:
    with Session(engine) as session:
        return build_agent_report(session, query, SETTINGS)


def _check(report: Report, engine: Engine, query: ReportQuery) -> None:
    starts = naive.interval_starts(query.start, query.end, query.interval, LONDON)
    expected = naive.expected_agents(engine, starts, query.end.timestamp(), query.now)
    records = report.records()
    assert {(r["interval"].timestamp(), r["agent"]) for r in records} == set(expected)  # type: ignore[union-attr]
    for row in records:
        want = expected[(row["interval"].timestamp(), row["agent"])]  # type: ignore[union-attr]
        got = {k: row.get(k, 0.0) for k in want}  # a reason nobody had here: no column
        wrong = {k: (got[k], v) for k, v in want.items() if not naive.same(got[k], v)}
        assert wrong == {}, (row["interval"], row["agent"])


@pytest.mark.parametrize("interval", ["15m", "hour", "day"])
def test_every_figure_of_every_agent_across_midnight(engine: Engine, interval: str) -> None:
    start, end = epoch_of("2026-06-09T18:00:00+01:00"), epoch_of("2026-06-10T06:00:00+01:00")
    seed(engine, start, end, calls=250, seed_value=13)
    now = end + 1800  # some agents are still logged in: counted up to now
    first, last = ("2026-06-09T22:00", "2026-06-10T02:00") if interval != "day" else (
        "2026-06-09", "2026-06-10")  # fmt: skip
    query = _query(first, last, interval, now=now)
    report = _report(engine, query)
    _check(report, engine, query)
    assert sum(report.column("handled")) > 20  # type: ignore[arg-type]
    assert sum(report.column("missed_offers")) > 0  # type: ignore[arg-type]
    assert sum(report.column("logged_in_s")) > 0  # type: ignore[arg-type]
    assert any(c.key.startswith("not_ready_s:") for c in report.columns)
    assert any(c.key.startswith("disposition:") for c in report.columns)


def _walk(engine: Engine, *steps: tuple[str, AgentState, str]) -> None:
    previous = AgentState.LOGGED_OUT
    facts = []
    for at, state, reason in steps:
        facts.append(AgentStateChanged("1001", epoch_of(at), state, previous, reason))
        previous = state
    with Session(engine) as session, session.begin():
        record_facts(session, facts)


def test_a_pause_across_midnight_and_the_clocks_going_back(engine: Engine) -> None:
    _walk(
        engine,
        ("2026-10-24T23:30:00+01:00", AgentState.NOT_READY, "logged_in"),
        ("2026-10-24T23:45:00+01:00", AgentState.READY, ""),
        ("2026-10-25T00:30:00+01:00", AgentState.NOT_READY, "lunch"),  # 2 real hours
        ("2026-10-25T01:30:00+00:00", AgentState.LOGGED_OUT, ""),
    )
    query = _query("2026-10-24T23:00", "2026-10-25T03:00", "hour", now=0.0)
    report = _report(engine, query)
    rows = {str(r["interval"].isoformat()): r for r in report.records()}  # type: ignore[union-attr]
    assert rows["2026-10-24T23:00:00+01:00"]["logged_in_s"] == 1800.0
    assert rows["2026-10-24T23:00:00+01:00"]["ready_s"] == 900.0
    assert rows["2026-10-25T00:00:00+01:00"]["not_ready_s:lunch"] == 1800.0
    assert rows["2026-10-25T01:00:00+01:00"]["not_ready_s:lunch"] == 3600.0
    assert rows["2026-10-25T01:00:00+00:00"]["not_ready_s:lunch"] == 1800.0
    assert rows["2026-10-25T01:00:00+00:00"]["logged_in_s"] == 1800.0
    assert rows["2026-10-25T02:00:00+00:00"]["logged_in_s"] == 0.0
    assert sum(report.column("logged_in_s")) == 3 * 3600.0  # type: ignore[arg-type]
    _check(report, engine, query)


def test_still_logged_in_counts_up_to_now(engine: Engine) -> None:
    _walk(engine, ("2026-06-09T10:00:00+01:00", AgentState.READY, ""))
    query = _query("2026-06-09", "2026-06-09", "day", now=epoch_of("2026-06-09T10:20:00+01:00"))
    [row] = _report(engine, query).records()
    assert row["logged_in_s"] == 1200.0 and row["ready_s"] == 1200.0
    assert row["occupancy_pct"] == 0.0


def test_an_agent_filter_and_a_quiet_agent(engine: Engine) -> None:
    query = _query("2026-06-09", "2026-06-09", "day", now=0.0, agent="1001,9999")
    report = _report(engine, query)
    assert report.column("agent") == ["1001", "9999"]
    assert report.column("handled") == [0, 0]
    assert report.column("aht_s") == [None, None]
