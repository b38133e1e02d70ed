"""The hourly roll-ups the agent report reads (migration 0021_agent_report_speed) against
the raw records they sum, recomputed here from the rows: after a sequence of calls, a
disposition correction, a CSAT answer stored before its call's answer was recorded (a
resync), a restart that closes the open states, and the migration's back-fill; and a
zone whose offset is not whole hours, read from the rows instead."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import URL, Engine, delete
from sqlalchemy.orm import Session

from switchboard.config import ReportSettings
from switchboard.ivr_flows.csat_hours import count_csat
from switchboard.ivr_flows.records import CsatHour, CsatResponse
from switchboard.queue.core.decisions import (
    CallAnswered,
    CallHandled,
    CallOffered,
    CallQueued,
    OfferEnded,
)
from switchboard.queue.store.agent_hours import AgentHourRow, AgentPauseHourRow
from switchboard.queue.store.records import (
    AgentStateRow,
    CallVisitRow,
    OfferRow,
    close_stale_agent_rows,
    record_facts,
)
from switchboard.reports.agent_report import build_agent_report
from switchboard.reports.query import ReportQuery, parse_query
from switchboard.seat.lookup import save_disposition
from switchboard.seat.models import SeatDisposition, SeatDispositionHour
from switchboard.store import upgrade_database
from tests.reports import naive
from tests.reports.seed import epoch_of, migrated_engine, seed

LONDON, KOLKATA = ZoneInfo("Europe/London"), ZoneInfo("Asia/Kolkata")
HOUR = 3600


def _hours(start: float, end: float) -> Iterator[tuple[int, float]]:
    hour = int(start // HOUR) * HOUR
    while hour < end:
        if (part := min(end, hour + HOUR) - max(start, hour)) > 0:
            yield hour, part
        hour += HOUR


def _from_rows(engine: Engine) -> dict[tuple[Any, ...], float]:
    """Every figure per agent and UTC hour, summed from the raw rows."""
    out: dict[tuple[Any, ...], float] = defaultdict(float)
    for r in naive.rows(engine, AgentStateRow):
        if r.ended_at is not None:
            for hour, part in _hours(naive.s(r.started_at), naive.s(r.ended_at)):
                out[("state", r.agent_id, hour, r.state, r.reason)] += part
    for o in naive.rows(engine, OfferRow):
        hour = int(naive.s(o.offered_at) // HOUR) * HOUR
        out[("offers", o.agent_id, hour)] += 1
        out[("missed", o.agent_id, hour)] += o.result in ("no_answer", "busy")
    visits = naive.rows(engine, CallVisitRow)
    for v in visits:
        if v.handled_at is not None:
            hour = int(naive.s(v.handled_at) // HOUR) * HOUR
            out[("handled", v.agent_id, hour)] += 1
            out[("handle_s", v.agent_id, hour)] += (v.talk_s or 0.0) + (v.wrap_s or 0.0)
    newest: dict[tuple[str, str], Any] = {}
    for d in sorted(naive.rows(engine, SeatDisposition), key=lambda d: d.id):
        newest[(d.call_id, d.agent_id)] = d
    for d in newest.values():
        out[("code", d.agent_id, int(naive.s(d.at) // HOUR) * HOUR, d.code)] += 1
    for a in naive.rows(engine, CsatResponse):
        agent = naive.csat_owner(a, visits)[0]
        out[("csat", agent, int(naive.s(a.created_at) // HOUR) * HOUR, a.score)] += 1
    return {k: v for k, v in out.items() if v}


def _rolled(engine: Engine) -> dict[tuple[Any, ...], float]:
    """The same figures as the roll-ups hold them."""
    out: dict[tuple[Any, ...], float] = {}
    for h in naive.rows(engine, AgentHourRow):
        for state in ("ready", "reserved", "on_call", "wrap_up"):
            out[("state", h.agent_id, h.hour_s, state, "")] = getattr(h, f"{state}_s")
        for name in ("offers", "missed", "handled", "handle_s"):
            out[(name, h.agent_id, h.hour_s)] = getattr(h, name)
    for p in naive.rows(engine, AgentPauseHourRow):
        out[("state", p.agent_id, p.hour_s, "not_ready", p.reason)] = p.seconds
    for d in naive.rows(engine, SeatDispositionHour):
        out[("code", d.agent_id, d.hour_s, d.code)] = d.calls
    for c in naive.rows(engine, CsatHour):
        out[("csat", c.agent_id, c.hour_s, c.score)] = c.answers
    return {k: v for k, v in out.items() if abs(v) > 1e-9}


def _assert_equal(engine: Engine) -> None:
    want, got = _from_rows(engine), _rolled(engine)
    assert set(got) == set(want)
    wrong = {k: (got[k], v) for k, v in want.items() if abs(got[k] - v) > 1e-6}
    assert wrong == {}


def _query(zone: ZoneInfo, start: str, end: str, now: float) -> ReportQuery:
    return parse_query(
        "agent", ("queue", "agent"), start=start, end=end, interval="day",
        queue=None, agent=None, zone=zone, now=now,
    )  # fmt: skip


def _check_report(engine: Engine, query: ReportQuery, zone: ZoneInfo) -> None:
    with Session(engine) as session:
        report = build_agent_report(session, query, ReportSettings(timezone=zone.key))
    starts = naive.interval_starts(query.start, query.end, query.interval, zone)
    expected = naive.expected_agents(engine, starts, query.end.timestamp(), query.now)
    records = report.records()
    assert {(r["interval"].timestamp(), r["agent"]) for r in records} == set(expected)  # type: ignore[union-attr]
    for row in records:
        want = expected[(row["interval"].timestamp(), row["agent"])]  # type: ignore[union-attr]
        got = {k: row.get(k, 0.0) for k in want}
        assert {k: (got[k], v) for k, v in want.items() if not naive.same(got[k], v)} == {}


def _a_day(engine: Engine) -> tuple[float, float]:
    start, end = epoch_of("2026-06-09T07:00:00+01:00"), epoch_of("2026-06-09T19:00:00+01:00")
    seed(engine, start, end, calls=150, seed_value=5)
    return start, end


def test_the_roll_ups_are_the_rows_summed_after_a_correction_a_resync_and_a_restart(
    engine: Engine,
) -> None:
    _, end = _a_day(engine)
    _assert_equal(engine)
    with Session(engine) as session, session.begin():
        # The agent corrects a call's code an hour later: the count moves to the new code.
        first = session.query(SeatDisposition).order_by(SeatDisposition.id).first()
        assert first is not None
        save_disposition(
            session, call_id=first.call_id, agent_id=first.agent_id, queue=first.queue,
            code="sale", note="", when=end + 3600,
        )  # fmt: skip
        # After a reconnect the survey's answer is stored before the call's answer is
        # recorded: it counts for the survey's agent, then for the one who answered.
        at = end - 600
        session.add(
            CsatResponse(
                call_id="late", agent="2001", queue="sales", score=2,
                created_at=datetime.fromtimestamp(at + 200, UTC),
            )
        )  # fmt: skip
        count_csat(session, "late")
        record_facts(
            session,
            [
                CallQueued("late", "sales", at, at, 0, "13800000001", "late"),
                CallOffered("late", "sales", "1002", at + 5),
                OfferEnded("late", "1002", at + 9, "answered"),
                CallAnswered("late", "sales", "1002", at + 9, 9.0),
                CallHandled("late", "sales", "1002", at + 150, 120.0, 21.0),
            ],
        )
    _assert_equal(engine)
    with Session(engine) as session, session.begin():
        assert session.query(AgentStateRow).filter(AgentStateRow.ended_at.is_(None)).count()
        close_stale_agent_rows(session)  # the next start: the open rows closed
        assert not session.query(AgentStateRow).filter(AgentStateRow.ended_at.is_(None)).count()
    _assert_equal(engine)
    _check_report(engine, _query(LONDON, "2026-06-09", "2026-06-10", now=end + 7200), LONDON)


def test_a_correction_counts_the_new_code_only(engine: Engine) -> None:
    at = epoch_of("2026-06-09T10:00:00+01:00")
    with Session(engine) as session, session.begin():
        for code, when in (("resolved", at), ("follow_up", at + 7200)):
            save_disposition(
                session, call_id="c1", agent_id="1001", queue="sales", code=code, note="",
                when=when,
            )  # fmt: skip
    query = _query(LONDON, "2026-06-09", "2026-06-09", now=at + 9000)
    with Session(engine) as session:
        [row] = build_agent_report(session, query, ReportSettings()).records()
    assert (row["dispositions"], row["disposition:follow_up"]) == (1, 1)
    assert row.get("disposition:resolved", 0) == 0
    _assert_equal(engine)


def test_a_zone_off_the_hour_reads_the_rows(engine: Engine) -> None:
    _, end = _a_day(engine)
    query = _query(KOLKATA, "2026-06-09", "2026-06-10", now=end)
    with Session(engine) as session, session.begin():  # roll-ups it must not read
        for table in (AgentHourRow, AgentPauseHourRow, SeatDispositionHour, CsatHour):
            session.execute(delete(table))
    _check_report(engine, query, KOLKATA)
    # The same day in London is read from the roll-ups: emptied, its calls are gone.
    london = _query(LONDON, "2026-06-09", "2026-06-09", now=end)
    with Session(engine) as session:
        report = build_agent_report(session, london, ReportSettings())
    assert sum(report.column("handled")) == 0  # type: ignore[arg-type]


def test_the_migration_back_fills_the_roll_ups(database_url: URL) -> None:
    from alembic import command

    from switchboard.store.migrate import alembic_config

    with migrated_engine(database_url) as engine:
        _a_day(engine)
        before = _rolled(engine)
        command.downgrade(alembic_config(database_url), "0020_queue_report_speed")
        upgrade_database(database_url)
        after = _rolled(engine)
        assert set(after) == set(before)
        assert {k for k in before if abs(after[k] - before[k]) > 1e-6} == set()
        _assert_equal(engine)
