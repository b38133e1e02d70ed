# -*- test-case-name: tests.web.test_reports_page -*-
"""The supervisors' ``/reports`` page, added to the web tier's app.

The page is a form and an empty table: ``static/reports.js`` asks
``GET /api/v1/reports/{kind}`` (the REST API decides what a supervisor may see) and draws
the table and the charts from the report's columns and units, so a new report kind needs
one line in :data:`REPORT_KINDS` (and its chart, if the default one does not fit, in
reports.js). The forecast reads weeks of history, not a period: the form swaps the
period, interval and agents for the forecast's own fields when it is chosen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from twisted.web.server import Request

from switchboard.accounts.model import Role
from switchboard.config import ReportSettings
from switchboard.reports.forecast_report import DEFAULTS
from switchboard.web.wallboard_ws.page import ECHARTS

if TYPE_CHECKING:
    from switchboard.web.routes import WebApp

__all__ = ["FORECAST_INTERVALS", "INTERVALS", "PRESETS", "REPORT_KINDS", "reports_routes"]

# (kind as the API names it, English msgid): the kinds the page offers, in this order.
REPORT_KINDS: tuple[tuple[str, str], ...] = (
    ("queue", "Queue report"),
    ("agent", "Agent report"),
    ("ivr", "IVR report"),
    ("complaints", "Complaints report"),
    ("scorecard", "Agent scorecards"),
    ("forecast", "Staffing forecast"),
)
# The forecast's interval lengths (reports/forecast_report.py), and its defaults as the
# form shows them: shrinkage and the occupancy cap as percentages.
FORECAST_INTERVALS: tuple[tuple[str, str], ...] = (
    ("15m", "15 minutes"),
    ("30m", "30 minutes"),
    ("hour", "Hour"),
)
FORECAST_DEFAULTS = {
    "interval": DEFAULTS["interval"],
    "weeks": DEFAULTS["weeks"],
    "target": DEFAULTS["target"],
    "shrinkage": f"{float(DEFAULTS['shrinkage']) * 100:g}",
    "occupancy": f"{float(DEFAULTS['max_occupancy']) * 100:g}",
}
INTERVALS: tuple[tuple[str, str], ...] = (
    ("15m", "15 minutes"),
    ("hour", "Hour"),
    ("day", "Day"),
    ("week", "Week"),
    ("month", "Month"),
)
PRESETS: tuple[tuple[str, str], ...] = (
    ("today", "Today"),
    ("yesterday", "Yesterday"),
    ("this_week", "This week"),
    ("last_week", "Last week"),
    ("this_month", "This month"),
    ("last_month", "Last month"),
    ("custom", "Custom"),
)
READERS = (Role.SUPERVISOR, Role.ADMIN)


def reports_routes(
    settings: ReportSettings, queue_names: Callable[[], Sequence[str]] = lambda: ()
) -> Callable[[WebApp], None]:
    """What ``build_web(extra_routes=...)`` calls with the app: adds ``GET /reports``.
    ``queue_names``: the configured queues, offered to an admin (a supervisor is offered
    the queues they supervise)."""

    def add(web: WebApp) -> None:
        async def page(request: Request) -> bytes:
            session = await web._gate.session(request)
            if session is None:
                return web._redirect(request, "/login")
            user = session.user
            if user.role not in READERS:
                return web._error_page(
                    request,
                    403,
                    "Supervisors only",
                    "The reports are for supervisors and administrators: ask an "
                    "administrator for the role.",
                    session,
                )
            try:
                echarts: str | None = web._static.url(ECHARTS)
            except KeyError:  # a checkout without `make vendor`: the table, without charts
                echarts = None
            queues = user.queues if user.role is Role.SUPERVISOR else queue_names()
            return web._page(
                request,
                "reports.html",
                user.language,
                session=session,
                echarts_url=echarts,
                kinds=REPORT_KINDS,
                intervals=INTERVALS,
                forecast_intervals=FORECAST_INTERVALS,
                forecast=FORECAST_DEFAULTS,
                presets=PRESETS,
                queues=sorted(queues),
                timezone=settings.timezone,
            )

        web.app.route("/reports", methods=["GET"], endpoint="reports_page")(page)

    return add
