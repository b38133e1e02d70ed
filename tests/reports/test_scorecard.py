"""Agent scorecards: every component and the weighted score held against a simple
recount from the raw rows, on SQLite and PostgreSQL; CSAT answers with no agent (app_queue
mode) found through the call; the weights' settings refused with the fix."""

from __future__ import annotations

import random
import statistics
from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from switchboard.config import CrmSettings, ReportSettings
from switchboard.crm.ticket_rows import TicketLinkRow, TicketRow
from switchboard.crm.tickets import TicketPolicy, open_ticket
from switchboard.ivr_flows.csat_hours import count_csat
from switchboard.ivr_flows.records import CsatHour, CsatResponse
from switchboard.queue.store.records import CallVisitRow
from switchboard.reports.query import ReportQuery, parse_query
from switchboard.reports.scorecard import build_scorecard, weighted_score
from switchboard.reports.table import Report
from switchboard.seat.models import SeatDisposition
from tests.reports import naive
from tests.reports.seed import epoch_of, seed

LONDON = ZoneInfo("Europe/London")
SETTINGS = ReportSettings(timezone="Europe/London")


def _seed(engine: Engine, start: float, end: float) -> None:
    """The report seed, plus complaints about some calls and CSAT answers that name no
    agent or queue (as app_queue mode stores them)."""
    seed(engine, start, end, calls=300, seed_value=21)
    rng = random.Random(3)
    policy = TicketPolicy.from_settings(CrmSettings())
    with Session(engine) as session, session.begin():
        visits = list(session.query(CallVisitRow).filter(CallVisitRow.answered_at.is_not(None)))
        for v in rng.sample(visits, 30):
            open_ticket(
                session, policy, actor="qa", now=end, type=rng.choice(("complaint", "request")),
                category="service", priority="normal", subject="about a call", call_id=v.call_id,
            )  # fmt: skip
        for v in rng.sample(visits, 40):
            if v.handled_at is not None:
                at = v.handled_at if v.handled_at.tzinfo else v.handled_at.replace(tzinfo=UTC)
                answer = CsatResponse(call_id=v.call_id, agent="", queue="", created_at=at)
                answer.score = rng.randint(1, 5)
                session.add(answer)
                count_csat(session, v.call_id)  # as the survey does


def _query(start: str, end: str, interval: str, now: float, **kw: str) -> ReportQuery:
    return parse_query(
        "scorecard", ("scorecard",), start=start, end=end, interval=interval,
        queue=kw.get("queue"), agent=kw.get("agent"), zone=LONDON, now=now,
    )  # fmt: skip


def _report(engine: Engine, query: ReportQuery, settings: ReportSettings = SETTINGS) -> Report:
    with Session(engine) as session:
        return build_scorecard(session, query, settings)


def _recount(engine: Engine, query: ReportQuery, settings: ReportSettings) -> dict[Any, Any]:
    starts = naive.interval_starts(query.start, query.end, query.interval, LONDON)
    end = query.end.timestamp()
    agents = naive.expected_agents(engine, starts, end, query.now)  # occupancy, missed offers
    visits = naive.rows(engine, CallVisitRow)
    codes = naive.rows(engine, SeatDisposition)
    tickets = {t.id: t for t in naive.rows(engine, TicketRow)}
    complained = {
        link.ref for link in naive.rows(engine, TicketLinkRow)
        if link.kind == "call" and tickets[link.ticket_id].type == "complaint"
    }  # fmt: skip
    csat = naive.rows(engine, CsatResponse)

    def answered_by(answer: CsatResponse) -> str:
        mine = [v for v in visits if v.call_id == answer.call_id and v.answered_at is not None]
        if not mine:
            return answer.agent
        return max(mine, key=lambda v: (naive.s(v.answered_at), v.id)).agent_id  # type: ignore[no-any-return]

    out = {}
    for b in starts:
        done = [
            v for v in visits
            if v.handled_at and naive.bucket(starts, naive.s(v.handled_at), end) == b  # type: ignore[arg-type]
        ]  # fmt: skip
        team = {v.agent_id for v in done}
        ahts = {
            a: statistics.mean(v.talk_s + v.wrap_s for v in done if v.agent_id == a) for a in team
        }
        median = statistics.median(ahts.values()) if ahts else None
        for agent in {a for (bb, a) in agents if bb == b}:
            mine = [v for v in done if v.agent_id == agent]
            good = [
                v for v in mine if v.call_id not in complained
                and any(d.call_id == v.call_id and d.agent_id == agent for d in codes)
            ]  # fmt: skip
            scores = [
                a.score for a in csat
                if naive.bucket(starts, naive.s(a.created_at), end) == b and answered_by(a) == agent  # type: ignore[arg-type]
            ]  # fmt: skip
            quality = 100 * len(good) / len(mine) if mine else None
            aht_score = None
            if mine:
                aht_score = min(100.0, 100 * median / ahts[agent])  # type: ignore[operator]
            occupancy = agents[(b, agent)]["occupancy_pct"]
            known = [x for x in (aht_score, occupancy) if x is not None]
            efficiency = sum(known) / len(known) if known else None
            csat_pct = 100 * (statistics.mean(scores) - 1) / 4 if scores else None
            missed = agents[(b, agent)]["missed_offers"]
            parts = {"quality": quality, "efficiency": efficiency, "csat": csat_pct}
            w = {k: v for k, v in settings.scorecard_weights.items() if parts[k] is not None}
            score = None
            if sum(w.values()):
                raw = sum(w[k] * parts[k] for k in w) / sum(w.values())  # type: ignore[operator]
                score = max(0.0, raw - settings.scorecard_missed_offer_penalty * missed)
            out[(b, agent)] = {
                "score": score,
                "quality_pct": quality,
                "efficiency_pct": efficiency,
                "csat_pct": csat_pct,
                "missed_offers": missed,
                "handled": len(mine),
                "disposed_no_complaint": len(good),
                "complaints": len([v for v in mine if v.call_id in complained]),
                "team_median_aht_s": median,
                "aht_score_pct": aht_score,
                "occupancy_pct": occupancy,
                "csat_responses": len(scores),
            }
    return out


def _check(report: Report, expected: dict[Any, Any]) -> None:
    records = report.records()
    assert {(r["interval"].timestamp(), r["agent"]) for r in records} == set(expected)  # type: ignore[union-attr]
    for row in records:
        want = expected[(row["interval"].timestamp(), row["agent"])]  # type: ignore[union-attr]
        wrong = {k: (row[k], v) for k, v in want.items() if not naive.same(row[k], v)}
        assert wrong == {}, (row["interval"], row["agent"])


@pytest.mark.parametrize("interval", ["day", "week"])
def test_every_component_and_score_of_every_agent(engine: Engine, interval: str) -> None:
    start, end = epoch_of("2026-10-24T08:00:00+01:00"), epoch_of("2026-10-26T20:00:00+00:00")
    _seed(engine, start, end)
    query = _query("2026-10-24", "2026-10-27", interval, now=end + 600)
    report = _report(engine, query)
    _check(report, _recount(engine, query, SETTINGS))
    assert sum(report.column("complaints")) > 0  # type: ignore[arg-type]
    assert sum(report.column("missed_offers")) > 0  # type: ignore[arg-type]
    assert all(s is None or 0 <= s <= 100 for s in report.column("score"))  # type: ignore[operator]


def test_other_weights_and_penalty(engine: Engine) -> None:
    start, end = epoch_of("2026-06-01T08:00:00+01:00"), epoch_of("2026-06-01T20:00:00+01:00")
    _seed(engine, start, end)
    settings = ReportSettings(
        timezone="Europe/London",
        scorecard_weights={"quality": 20, "efficiency": 0, "csat": 80},
        scorecard_missed_offer_penalty=5,
    )
    query = _query("2026-06-01", "2026-06-01", "day", now=end)
    report = _report(engine, query, settings)
    _check(report, _recount(engine, query, settings))
    assert report.parameters["weight_csat"] == 80


def test_app_queue_csat_is_the_answering_agents(engine: Engine) -> None:
    """A survey that names no agent counts for the agent who answered the call."""
    start, end = epoch_of("2026-06-01T08:00:00+01:00"), epoch_of("2026-06-01T10:00:00+01:00")
    seed(engine, start, end, calls=40, seed_value=2)
    with Session(engine) as session, session.begin():
        session.query(CsatResponse).delete()  # the answers and their hourly counts
        session.query(CsatHour).delete()
        visit = session.query(CallVisitRow).filter(CallVisitRow.handled_at.is_not(None)).first()
        assert visit is not None
        agent, at = visit.agent_id, visit.handled_at
        session.add(CsatResponse(call_id=visit.call_id, agent="", queue="", score=5, created_at=at))
        count_csat(session, visit.call_id)
    query = _query("2026-06-01", "2026-06-01", "day", now=end, agent=agent)
    (row,) = _report(engine, query).records()
    assert (row["csat_responses"], row["csat_pct"], row["csat_avg"]) == (1, 100.0, 5.0)


def test_the_score_of_known_components() -> None:
    weights = {"quality": 60.0, "efficiency": 30.0, "csat": 10.0}
    full = {"quality": 90.0, "efficiency": 80.0, "csat": 50.0}
    assert weighted_score(full, weights, 0) == pytest.approx(83.0)
    assert weighted_score(full, weights, 4) == pytest.approx(79.0)
    # No CSAT answers: quality and efficiency carry the score (60:30).
    assert weighted_score({**full, "csat": None}, weights, 0) == pytest.approx(260 / 3)
    assert weighted_score(full, weights, 500) == 0.0
    assert weighted_score(dict.fromkeys(full), weights, 0) is None


@pytest.mark.parametrize(
    ("weights", "words"),
    [
        ({"quality": 60, "efficiency": 30}, "the weights sum to 90, not 100"),
        ({"quality": 60, "efficiency": 30, "qa": 10}, "unknown scorecard component 'qa'"),
        ({"quality": 110, "efficiency": -10}, "'efficiency' is below 0"),
    ],
)
def test_bad_weights_are_refused_with_the_fix(weights: dict[str, float], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        ReportSettings(scorecard_weights=weights)
