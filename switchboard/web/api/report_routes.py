# -*- test-case-name: tests.reports.test_rest -*-
"""``GET /api/v1/reports/{kind}``: a report (docs/reports.md) as JSON for a chart, or as
a CSV or XLSX file. The parameters are the CLI's and are checked by the same code; a bad
one is a 400 naming it. A supervisor sees their queues only: the queue report of those
queues, and the agent report of the calls in them; the forecast of one of them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from switchboard.config import ReportSettings
from switchboard.queue.shell.control import AgentControl
from switchboard.reports.export import CONTENT_TYPES, render
from switchboard.reports.kinds import KINDS, OPTIONS, make_report, parse_report_query
from switchboard.reports.query import ReportProblem, ReportQuery
from switchboard.store import Database
from switchboard.web.api import models as m
from switchboard.web.api.access import Caller
from switchboard.web.api.spec import Endpoint
from switchboard.web.gate import Download, Refusal

__all__ = ["report_endpoint"]

_FILES = ("csv", "xlsx")


def _reachable(query: ReportQuery, caller: Caller) -> tuple[str, ...]:
    """The queues the report may cover: the ones asked for, each one the caller's."""
    if caller.queues is None:
        return query.queues
    if not caller.queues:
        raise Refusal("forbidden", f"{caller.name} supervises no queue: there is nothing to show")
    for queue in query.queues:
        caller.reach((queue,), f"queue {queue!r}")
    return query.queues or tuple(sorted(caller.queues))


class ReportRoute:
    def __init__(
        self,
        database: Callable[[], Database],
        settings: Callable[[], ReportSettings],
        now: Callable[[], float],
        agents: Callable[[], AgentControl | None],
    ) -> None:
        self._database, self._settings, self._now = database, settings, now
        self._agents = agents

    async def report(self, caller: Caller, kind: str, query: m.ReportQueryArgs) -> Any:
        settings = self._settings()
        if query.format not in ("json", *_FILES):
            raise Refusal("bad_request", "format: choose json, csv or xlsx", "format")
        try:
            asked = parse_report_query(
                kind,
                start=query.start,
                end=query.end,
                interval=query.interval,
                queue=query.queue,
                agent=query.agent,
                options={name: getattr(query, name) for name in OPTIONS},
                zone=ZoneInfo(settings.timezone),
                now=self._now(),
            )
        except ReportProblem as exc:
            return self._refuse(exc)
        asked = replace(asked, queues=_reachable(asked, caller))
        await self._check_agents(caller, asked.agents)
        try:
            report = await self._database().run(lambda s: make_report(s, asked, settings))
        except ReportProblem as exc:  # the forecast's queue that took no calls
            return self._refuse(exc)
        if query.format == "json":
            return m.Report.model_validate(report.to_json())
        day = asked.start.date().isoformat()
        return Download(
            render(report, query.format),  # type: ignore[arg-type]
            CONTENT_TYPES[query.format],
            f"{kind}-report-{day}-{asked.interval}.{query.format}",
        )

    async def _check_agents(self, caller: Caller, agents: tuple[str, ...]) -> None:
        """A supervisor may name only agents of their queues (an agent's times are the
        agent's own, whatever queue they served)."""
        if caller.queues is None or not agents:
            return
        control = self._agents()
        views = {} if control is None else {v.id: v for v in await control.agents()}
        for agent in agents:
            view = views.get(agent)
            if view is None or not caller.reaches(view.queues):
                raise Refusal(
                    "forbidden",
                    f"agent {agent!r} is not an agent of the queues {caller.name} supervises",
                    "agent",
                )

    @staticmethod
    def _refuse(exc: ReportProblem) -> Any:
        raise Refusal("bad_request", exc.text, exc.parameter)


def report_endpoint(backends: Callable[[], Any], prefix: str) -> Endpoint:
    """The endpoint on the REST API's back-ends (``database``, ``now``, ``reports``)."""
    route = ReportRoute(
        lambda: backends().database,
        lambda: getattr(backends(), "reports", ReportSettings()),
        lambda: backends().now(),
        lambda: backends().agents,
    )
    kinds: Mapping[str, str] = {name: kind.summary for name, kind in KINDS.items()}
    return Endpoint(
        "GET",
        f"{prefix}/reports/<kind>",
        "get_report",
        "A report per interval: " + "; ".join(f"{k}: {v}" for k, v in kinds.items()),
        "read:stats",
        m.Report,
        route.report,
        query=m.ReportQueryArgs,
        path_params={"kind": "the report: " + ", ".join(kinds)},
        files={
            CONTENT_TYPES["csv"]: "format=csv: the rows, keys as the header",
            CONTENT_TYPES["xlsx"]: "format=xlsx: a workbook, labels as the header",
        },
    )
