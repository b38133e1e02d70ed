# -*- test-case-name: tests.reports.test_cli -*-
"""Every report by name, for the CLI and the REST API: a report is a function of a
database session, a checked query and the ``[reports]`` settings. A new report (IVR,
complaints, scorecards, forecast) adds one line here. A kind whose parameters are not a
range cut into intervals (the forecast) brings its own ``parse``; every other kind is
read by :func:`.query.parse_query` and refuses the forecast's options."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from switchboard.config import ReportSettings
from switchboard.reports.agent_report import build_agent_report
from switchboard.reports.complaints_report import build_complaints_report
from switchboard.reports.forecast_report import OPTIONS, build_forecast_report, parse_forecast_query
from switchboard.reports.ivr_report import build_ivr_report
from switchboard.reports.query import ReportProblem, ReportQuery, parse_query
from switchboard.reports.queue_report import build_queue_report
from switchboard.reports.scorecard import build_scorecard
from switchboard.reports.table import Report

__all__ = ["KINDS", "OPTIONS", "ReportKind", "make_report", "parse_report_query"]


@dataclass(frozen=True)
class ReportKind:
    summary: str
    build: Callable[[Session, ReportQuery, ReportSettings], Report]
    # Keyword arguments: start, end, interval, queue, agent, options, zone, now.
    parse: Callable[..., ReportQuery] | None = None


KINDS: dict[str, ReportKind] = {
    "queue": ReportKind(
        "per queue and interval: offered, answered, SL, ASA, AHT ...", build_queue_report
    ),
    "agent": ReportKind(
        "per agent and interval: time by state, calls, AHT, occupancy ...", build_agent_report
    ),
    "ivr": ReportKind(
        "per flow and menu: containment, hang-ups, options, invalid/timeout", build_ivr_report
    ),
    "complaints": ReportKind(
        "per ticket category: opened, resolved, closure within SLA, overdue",
        build_complaints_report,
    ),
    "scorecard": ReportKind(
        "per agent: weighted score of quality, efficiency, CSAT less missed offers",
        build_scorecard,
    ),
    "forecast": ReportKind(
        "per weekday and interval of one queue: agents needed (Erlang C) for a target",
        build_forecast_report,
        parse_forecast_query,
    ),
}


def parse_report_query(
    kind: str,
    *,
    start: str | None,
    end: str | None,
    interval: str | None,
    queue: str | None,
    agent: str | None,
    options: Mapping[str, str | None],
    zone: ZoneInfo,
    now: float,
) -> ReportQuery:
    """The checked query of any kind; ``options`` are the forecast's (:data:`OPTIONS`),
    ``None`` or empty when not given. A bad parameter is a :class:`ReportProblem`."""
    given = {name: value for name, value in options.items() if value}
    chosen = KINDS.get(kind)
    if chosen is not None and chosen.parse is not None:
        return chosen.parse(
            start=start, end=end, interval=interval, queue=queue, agent=agent,
            options=given, zone=zone, now=now,
        )  # fmt: skip
    if chosen is not None and given:
        name = sorted(given)[0]
        raise ReportProblem(name, f"only the forecast takes {name}: leave it out")
    return parse_query(
        kind, tuple(KINDS), start=start, end=end, interval=interval, queue=queue,
        agent=agent, zone=zone, now=now,
    )  # fmt: skip


def make_report(session: Session, query: ReportQuery, settings: ReportSettings) -> Report:
    return KINDS[query.kind].build(session, query, settings)
