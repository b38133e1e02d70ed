"""The IVR report: sessions made by running real flows on the engine with scripted
callers (every key, wrong keys, silence, hang-ups, a sub-flow), stored as the runner
stores them, and every figure held against a simple recount, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from switchboard.config import ReportSettings
from switchboard.ivr_flows.records import IvrSession, session_record
from switchboard.ivr_flows.simulate import walk
from switchboard.ivr_flows.state import CallInfo
from switchboard.reports.ivr_report import build_ivr_report
from switchboard.reports.query import ReportQuery, parse_query
from tests.ivr.helpers import engine as flow_engine
from tests.reports import naive
from tests.reports.more_seed import BILLING, MAIN, seed_ivr
from tests.reports.seed import epoch_of

LONDON = ZoneInfo("Europe/London")
HOUR = (
    datetime.fromisoformat("2026-06-01T10:00:00+01:00").timestamp(),
    datetime.fromisoformat("2026-06-01T11:00:00+01:00").timestamp(),
)


def _query(start: str, end: str, interval: str, queue: str | None = None) -> ReportQuery:
    return parse_query(
        "ivr", ("ivr",), start=start, end=end, interval=interval, queue=queue, agent=None,
        zone=LONDON, now=0.0,
    )  # fmt: skip


def _recount(engine: Engine, query: ReportQuery) -> dict[tuple[float, str, str], dict[str, Any]]:
    """Loop over the sessions once per row: what reached it, what happened there."""
    starts = naive.interval_starts(query.start, query.end, query.interval, LONDON)
    sessions = naive.rows(engine, IvrSession)
    if query.queues:
        sessions = [s for s in sessions if s.queue in query.queues]
    menus, flows, hangup_steps = set(), set(), set()
    for s in sessions:
        for e in s.trace:
            if e["event"] == "entered":
                flows.add(e["flow"])
                if e["data"]["type"] in ("menu", "language"):
                    menus.add((e["flow"], e["step"]))
        if s.outcome == "caller_hangup":
            hangup_steps.add((s.last_flow, s.last_step))
    out = {}
    for b in starts:
        end = query.end.timestamp()
        mine = [s for s in sessions if naive.bucket(starts, naive.s(s.started_at), end) == b]  # type: ignore[arg-type]
        for flow, step in menus | hangup_steps | {(f, "") for f in flows}:

            def here(e: dict[str, Any], flow: str = flow, step: str = step) -> bool:
                return e["flow"] == flow and (step == "" or e["step"] == step)

            def counted(e: dict[str, Any], flow: str = flow, step: str = step) -> bool:
                return here(e) and (e["flow"], e["step"]) in menus

            reached = [s for s in mine if any(e["event"] == "entered" and here(e) for e in s.trace)]
            contained = [s for s in reached if s.outcome in ("completed", "hangup")]
            left = [
                s for s in mine if s.outcome == "caller_hangup" and s.last_flow == flow
                and (step == "" or s.last_step == step)
            ]  # fmt: skip
            events = Counter(e["event"] for s in mine for e in s.trace if counted(e))
            chosen = Counter(
                e["data"]["digit"] for s in mine for e in s.trace
                if counted(e) and e["event"] == "chose"
            )  # fmt: skip
            answers = events["chose"] + events["invalid"] + events["timeout"]
            row = {
                "sessions": len(reached),
                "contained": len(contained),
                "contained_pct": naive.pct(len(contained), len(reached)),
                "caller_hangups": len(left),
                "caller_hangup_pct": naive.pct(len(left), len(reached)),
                "visits": events["entered"],
                "answers": answers,
                "invalid": events["invalid"],
                "timeouts": events["timeout"],
                "invalid_pct": naive.pct(events["invalid"], answers),
                "timeout_pct": naive.pct(events["timeout"], answers),
            }
            row |= {f"option:{d}": n for d, n in chosen.items()}
            out[(b, flow, step)] = row
    return out


def _check(engine: Engine, query: ReportQuery) -> list[dict[str, Any]]:
    with Session(engine) as session:
        records = build_ivr_report(session, query, ReportSettings()).records()
    expected = _recount(engine, query)
    got_keys = {(r["interval"].timestamp(), r["flow"], r["step"]) for r in records}  # type: ignore[union-attr]
    assert got_keys == set(expected)
    for row in records:
        want = expected[(row["interval"].timestamp(), row["flow"], row["step"])]  # type: ignore[union-attr]
        options = {k: v for k, v in row.items() if k.startswith("option:") and v}
        assert options == {k: v for k, v in want.items() if k.startswith("option:")}
        wrong = {k: (row[k], v) for k, v in want.items() if not naive.same(row.get(k, 0), v)}
        assert wrong == {}, (row["interval"], row["flow"], row["step"])
    return records


@pytest.mark.parametrize("interval", ["hour", "day"])
def test_every_figure_per_flow_and_menu_across_midnight(
    engine: Engine, tmp_path: Path, interval: str
) -> None:
    start, end = epoch_of("2026-10-24T21:00:00+01:00"), epoch_of("2026-10-25T03:00:00+00:00")
    outcomes = seed_ivr(engine, tmp_path, start, end, calls=160)
    # The scripts reach every ending the report tells apart.
    assert {"completed", "hangup", "queued", "menu_failed", "caller_hangup"} <= set(outcomes)
    query = _query("2026-10-24T22:00", "2026-10-25T02:00", interval)
    records = _check(engine, query)
    flows = {r["step"]: r for r in records if r["flow"] == "main" and r["step"] == ""}
    assert flows  # a flow's row is there in every interval
    total = sum(r["sessions"] for r in records if r["flow"] == "main" and r["step"] == "")
    assert total > 50
    assert sum(r["invalid"] for r in records if r["step"] == "menu") > 0
    assert sum(r["caller_hangups"] for r in records if r["step"] == "info") > 0


def test_containment_of_known_callers(engine: Engine, tmp_path: Path) -> None:
    """Three callers, by hand: one self-served, one queued, one hung up in the menu."""
    flows = flow_engine(tmp_path / "flows", main=MAIN, billing=BILLING)
    at = epoch_of("2026-06-01T10:05:00+01:00")
    with Session(engine) as session, session.begin():
        for n, script in enumerate((["1"], ["2"], ["9", "hangup"])):
            call = CallInfo(call_id=f"k{n}", caller_number="1", channel="SIP/1")
            walked = walk(flows, "main", script, call=call, now=at + n)
            session.add(session_record(walked.state, call).to_row())
    query = _query("2026-06-01", "2026-06-01", "day")
    with Session(engine) as session:
        rows = {r["step"]: r for r in build_ivr_report(session, query, ReportSettings()).records()}
    assert set(rows) == {"", "menu"}  # the sub-flow was not reached: no row for it
    main = rows[""]
    assert (main["sessions"], main["contained"], main["caller_hangups"]) == (3, 1, 1)
    assert main["contained_pct"] == pytest.approx(100 / 3, abs=0.001)
    menu = rows["menu"]
    assert (menu["option:1"], menu["option:2"], menu["invalid"], menu["answers"]) == (1, 1, 1, 3)
    assert menu["caller_hangups"] == 1 and menu["invalid_pct"] == pytest.approx(100 / 3, abs=0.001)


def test_a_day_without_calls_is_zeros(engine: Engine, tmp_path: Path) -> None:
    seed_ivr(engine, tmp_path, *HOUR, 20)
    query = _query("2026-06-01", "2026-06-02", "day")
    with Session(engine) as session:
        records = build_ivr_report(session, query, ReportSettings()).records()
    second = [r for r in records if r["interval"].isoformat().startswith("2026-06-02")]  # type: ignore[union-attr]
    assert second and all(r["sessions"] == 0 and r["contained_pct"] is None for r in second)
    assert len(second) == len(records) // 2


def test_a_queue_keeps_the_callers_handed_to_it(engine: Engine, tmp_path: Path) -> None:
    seed_ivr(engine, tmp_path, *HOUR, 60)
    records = _check(engine, _query("2026-06-01", "2026-06-01", "day", queue="billing"))
    main = next(r for r in records if r["flow"] == "main" and r["step"] == "")
    assert main["sessions"] > 0 and main["contained"] == 0
