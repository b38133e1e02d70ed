"""The complaints report: tickets opened, worked and resolved through the ticket rules
(business-hours SLA), every figure held against a simple recount, and the same figures
as ``switchboard tickets report`` over the same days, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from switchboard.config import ReportSettings
from switchboard.crm.ticket_rows import TicketRow
from switchboard.crm.tickets import category_figures
from switchboard.reports.complaints_report import build_complaints_report
from switchboard.reports.query import ReportQuery, parse_query
from switchboard.reports.table import Report
from tests.reports import naive
from tests.reports.more_seed import CATEGORIES, POLICY, seed_tickets
from tests.reports.seed import epoch_of

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _query(start: str, end: str, interval: str, now: float) -> ReportQuery:
    return parse_query(
        "complaints", ("complaints",), start=start, end=end, interval=interval, queue=None,
        agent=None, zone=SHANGHAI, now=now,
    )  # fmt: skip


def _report(engine: Engine, query: ReportQuery) -> Report:
    with Session(engine) as session:
        return build_complaints_report(session, query, ReportSettings())


def _recount(engine: Engine, query: ReportQuery) -> dict[tuple[float, str], dict[str, Any]]:
    starts = naive.interval_starts(query.start, query.end, query.interval, SHANGHAI)
    tickets = naive.rows(engine, TicketRow)
    out = {}
    for b in starts:
        for category in {t.category for t in tickets}:
            mine = [
                t for t in tickets if t.category == category
                and naive.bucket(starts, naive.s(t.created_at), query.end.timestamp()) == b  # type: ignore[arg-type]
            ]  # fmt: skip
            done = [t for t in mine if t.status in ("resolved", "closed")]
            in_time = [t for t in done if naive.s(t.resolved_at) <= naive.s(t.due_at)]  # type: ignore[operator]
            still = [t for t in mine if t not in done]
            out[(b, category)] = {
                "opened": len(mine),
                "complaints": len([t for t in mine if t.type == "complaint"]),
                "resolved": len(done),
                "within_sla": len(in_time),
                "closure_rate_pct": naive.pct(len(in_time), len(mine)),
                "still_open": len(still),
                "overdue": len([t for t in still if naive.s(t.due_at) < query.now]),  # type: ignore[operator]
            }
    return out


@pytest.mark.parametrize("interval", ["day", "week"])
def test_every_figure_per_category(engine: Engine, interval: str) -> None:
    start, end = epoch_of("2026-09-28T00:00:00+08:00"), epoch_of("2026-10-12T00:00:00+08:00")
    now = seed_tickets(engine, start, end, count=150) - 2 * 86400  # some are overdue now
    query = _query("2026-09-28", "2026-10-11", interval, now)
    records = _report(engine, query).records()
    expected = _recount(engine, query)
    assert {(r["interval"].timestamp(), r["category"]) for r in records} == set(expected)  # type: ignore[union-attr]
    for row in records:
        want = expected[(row["interval"].timestamp(), row["category"])]  # type: ignore[union-attr]
        wrong = {k: (row[k], v) for k, v in want.items() if not naive.same(row[k], v)}
        assert wrong == {}, (row["interval"], row["category"])
    assert sum(r["overdue"] for r in records) > 0  # type: ignore[misc]
    assert 0 < sum(r["within_sla"] for r in records) < sum(r["resolved"] for r in records)  # type: ignore[misc]
    # Every category any ticket has is a row of every interval, zeros where none opened.
    assert {r["category"] for r in records} == set(CATEGORIES)


def test_the_same_figures_as_the_tickets_report(engine: Engine) -> None:
    start, end = epoch_of("2026-09-01T00:00:00+08:00"), epoch_of("2026-10-01T00:00:00+08:00")
    now = seed_tickets(engine, start, end, count=120)
    query = _query("2026-09-01", "2026-09-30", "month", now)
    rows = {r["category"]: r for r in _report(engine, query).records()}
    # What `switchboard tickets report --from 2026-09-01 --to 2026-09-30` asks for.
    first = datetime.combine(date(2026, 9, 1), time(), SHANGHAI).timestamp()
    last = datetime.combine(date(2026, 9, 30), time(), SHANGHAI).timestamp() + 86400
    with Session(engine) as session:
        figures = category_figures(session, POLICY, start=first, end=last)
    for figure in figures:
        row = rows.get(figure["category"])
        if row is None:  # a configured category no ticket ever had
            assert figure["opened"] == 0
            continue
        assert (row["opened"], row["resolved"], row["within_sla"]) == (
            figure["opened"], figure["resolved"], figure["within_sla"],
        )  # fmt: skip
        rate = figure["closure_rate"]
        assert row["closure_rate_pct"] == (
            None if rate is None else pytest.approx(rate * 100, abs=0.01)
        )
    assert sum(f["opened"] for f in figures) == 120


def test_a_month_without_tickets_is_zeros(engine: Engine) -> None:
    seed_tickets(
        engine, epoch_of("2026-09-01T00:00:00+08:00"), epoch_of("2026-09-10T00:00:00+08:00"), 10
    )
    query = _query("2026-10-01", "2026-10-31", "month", epoch_of("2026-11-01T00:00:00+08:00"))
    records = _report(engine, query).records()
    assert len(records) == len(CATEGORIES)
    assert all(r["opened"] == 0 and r["closure_rate_pct"] is None for r in records)
