# -*- test-case-name: tests.reports.test_cli -*-
"""Every report by name, for the CLI and the REST API: a report is a function of a
database session, a checked query and the ``[reports]`` settings. A new report (IVR,
complaints, scorecards, forecast) adds one line here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from switchboard.config import ReportSettings
from switchboard.reports.agent_report import build_agent_report
from switchboard.reports.complaints_report import build_complaints_report
from switchboard.reports.ivr_report import build_ivr_report
from switchboard.reports.query import ReportQuery
from switchboard.reports.queue_report import build_queue_report
from switchboard.reports.scorecard import build_scorecard
from switchboard.reports.table import Report

__all__ = ["KINDS", "ReportKind", "make_report"]


@dataclass(frozen=True)
class ReportKind:
    summary: str
    build: Callable[[Session, ReportQuery, ReportSettings], Report]


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
}


def make_report(session: Session, query: ReportQuery, settings: ReportSettings) -> Report:
    return KINDS[query.kind].build(session, query, settings)
