# -*- test-case-name: tests.reports.test_forecast_report -*-
"""The staffing forecast (:mod:`.forecast`) as a report kind, and the reading of its
parameters that ``switchboard forecast``, ``switchboard report forecast`` and
``GET /api/v1/reports/forecast`` share.

A forecast is not a range cut into intervals: it reads the last whole ``weeks`` before
today and answers one row per weekday and time of day, so it checks its own parameters
(:func:`parse_forecast_query`) instead of ``from`` / ``to``. Its rows are the forecast's
figures as they are, marked ``peak`` / ``off_peak`` from the forecast's own peaks
(docs/forecast.md, docs/reports.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from switchboard.config import ReportSettings
from switchboard.reports.erlang import Target, TargetProblem
from switchboard.reports.forecast import (
    WEEKDAYS,
    Forecast,
    ForecastRequest,
    IntervalForecast,
    forecast_queue,
    history_queues,
    window,
)
from switchboard.reports.query import ReportProblem, ReportQuery
from switchboard.reports.table import Cell, Column, Report

__all__ = [
    "DAY_NAMES",
    "DEFAULTS",
    "INTERVAL_NAMES",
    "OPTIONS",
    "build_forecast_report",
    "check_queue",
    "forecast_report",
    "forecast_request",
    "interval_figures",
    "parse_forecast_query",
    "request_of",
]

# The forecast's own parameters (name -> what it is), beside queue and interval.
OPTIONS: dict[str, str] = {
    "target": "forecast: PERCENT/SECONDS answered within, such as 80/20",
    "weeks": "forecast: whole weeks of history before today, 1 to 52",
    "shrinkage": "forecast: share of paid time off the phones, 0 up to 1, such as 0.3",
    "max_occupancy": "forecast: busiest share of time on calls, above 0 up to 1, such as 0.85",
    "weekday": "forecast: only these weekdays (mon ... sun, comma-separated)",
}
DEFAULTS = {
    "target": "80/20",
    "weeks": "4",
    "interval": "30m",
    "shrinkage": "0.3",
    "max_occupancy": "0.85",
}
# Every spelling of an interval length, to its minutes; "hour" as the other reports say.
INTERVAL_NAMES = {"15m": 15, "15": 15, "30m": 30, "30": 30, "hour": 60, "1h": 60, "60m": 60}
_CANONICAL = {15: "15m", 30: "30m", 60: "hour"}
DAY_NAMES = {
    **{name: i for i, name in enumerate(WEEKDAYS)},
    **{
        name: i
        for i, name in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
}
# A TargetProblem's opening words -> the parameter it is about.
_PROBLEM_OF = {
    "interval": "interval",
    "weeks": "weeks",
    "weekday": "weekday",
    "shrinkage": "shrinkage",
    "maximum occupancy": "max_occupancy",
}


def _number(text: str, name: str, kind: type[int] | type[float]) -> int | float:
    try:
        return kind(text)
    except ValueError:
        example = "4" if kind is int else "0.3"
        raise ReportProblem(
            name, f"{name} {text!r} is not a number: write it like {example}", named=True
        ) from None


def forecast_request(
    queue: str,
    zone: ZoneInfo,
    *,
    target: str | None = None,
    weeks: str | None = None,
    interval: str | None = None,
    shrinkage: str | None = None,
    max_occupancy: str | None = None,
    weekdays: Sequence[str] = (),
) -> ForecastRequest:
    """The checked request from parameters as written (``None``: the default); a bad one
    is a :class:`ReportProblem` naming it and the fix, before any database work."""
    length = interval or DEFAULTS["interval"]
    if length not in INTERVAL_NAMES:
        raise ReportProblem("interval", f"interval {length!r}: give 15m, 30m or 1h", named=True)
    unknown = [d for d in weekdays if d.lower() not in DAY_NAMES]
    if unknown:
        raise ReportProblem(
            "weekday",
            f"weekday {unknown[0]!r}: give mon, tue, wed, thu, fri, sat or sun",
            named=True,
        )
    try:
        goal = Target.parse(target or DEFAULTS["target"])
    except TargetProblem as exc:
        raise ReportProblem("target", str(exc), named=True) from None
    numbers = (
        _number(weeks or DEFAULTS["weeks"], "weeks", int),
        _number(shrinkage or DEFAULTS["shrinkage"], "shrinkage", float),
        _number(max_occupancy or DEFAULTS["max_occupancy"], "max_occupancy", float),
    )
    try:
        return ForecastRequest(
            queue=queue,
            target=goal,
            timezone=zone,
            weeks=int(numbers[0]),
            interval_min=INTERVAL_NAMES[length],
            shrinkage=float(numbers[1]),
            max_occupancy=float(numbers[2]),
            weekdays=tuple(sorted({DAY_NAMES[d.lower()] for d in weekdays})),
        )
    except TargetProblem as exc:
        raise _problem(exc) from None


def _problem(exc: TargetProblem) -> ReportProblem:
    text = str(exc)
    parameter = next((p for words, p in _PROBLEM_OF.items() if text.startswith(words)), "queue")
    return ReportProblem(parameter, text, named=True)


def check_queue(session: Session, queue: str, configured: Sequence[str] = ()) -> None:
    """A queue to forecast is in the queue file or has stored calls: else the problem
    names the ones there are."""
    known = set(configured) | set(history_queues(session))
    if queue not in known:
        listed = ", ".join(sorted(known)) or "none yet"
        raise ReportProblem(
            "queue",
            f"no queue {queue!r} in the queue file or the call history; give one of: {listed}",
            named=True,
        )


def _comma(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def parse_forecast_query(
    *,
    start: str | None,
    end: str | None,
    interval: str | None,
    queue: str | None,
    agent: str | None,
    options: Mapping[str, str],
    zone: ZoneInfo,
    now: float,
) -> ReportQuery:
    """The forecast's query: one queue, the weeks of history before ``now``'s day in the
    centre's zone (its ``start`` / ``end``), the interval length, and the options checked
    and written back in their plain form."""
    if start or end:
        raise ReportProblem(
            "from" if start else "to",
            "the forecast reads whole weeks of history before today:"
            " leave from and to out and give weeks=4 (1 to 52)",
        )
    if agent:
        raise ReportProblem("agent", "the forecast is per queue: leave agent out")
    queues = _comma(queue)
    if len(queues) != 1:
        raise ReportProblem(
            "queue",
            "give the one queue to forecast, such as queue=sales"
            + (" (one at a time)" if queues else ""),
        )
    request = forecast_request(
        queues[0],
        zone,
        target=options.get("target"),
        weeks=options.get("weeks"),
        interval=interval,
        shrinkage=options.get("shrinkage"),
        max_occupancy=options.get("max_occupancy"),
        weekdays=_comma(options.get("weekday")),
    )
    first, last = window(datetime.fromtimestamp(now, zone).date(), request.weeks)
    plain = {
        "target": str(request.target),
        "weeks": str(request.weeks),
        "shrinkage": f"{request.shrinkage:g}",
        "max_occupancy": f"{request.max_occupancy:g}",
        "weekday": ",".join(WEEKDAYS[d] for d in request.weekdays),
    }
    return ReportQuery(
        "forecast",
        datetime.combine(first, time(), zone),
        datetime.combine(last, time(), zone),
        _CANONICAL[request.interval_min],
        zone,
        now,
        queues=(request.queue,),
        options=tuple(plain.items()),
    )


def request_of(query: ReportQuery) -> ForecastRequest:
    """The request a forecast query was checked into."""
    return forecast_request(
        query.queues[0],
        query.zone,
        target=query.option("target"),
        weeks=query.option("weeks"),
        interval=query.interval,
        shrinkage=query.option("shrinkage"),
        max_occupancy=query.option("max_occupancy"),
        weekdays=_comma(query.option("weekday")),
    )


COLUMNS = (
    Column("weekday", "Weekday", "text"),
    Column("start", "Start", "text"),
    Column("offered", "Offered (forecast)", "count"),
    Column("aht_s", "Average handling time", "s"),
    Column("traffic_erlangs", "Traffic (erlangs)", "erlang"),
    Column("agents", "Agents needed (Erlang C)", "count"),
    Column("scheduled", "Agents with shrinkage", "count"),
    Column("service_level_pct", "Expected service level", "pct"),
    Column("asa_s", "Expected ASA", "s"),
    Column("occupancy_pct", "Expected occupancy", "pct"),
    Column("peak", "Peak / off-peak", "text"),
)


def interval_figures(i: IntervalForecast) -> tuple[str, str, float, float, float, int, int]:
    """Weekday, start, offered, AHT, traffic, agents and scheduled agents of an interval,
    rounded as every face of the forecast shows them (the report, ``switchboard
    forecast``)."""
    return (
        WEEKDAYS[i.weekday],
        f"{i.start:%H:%M}",
        round(i.offered, 2),
        round(i.aht_s, 1),
        round(i.traffic, 3),
        i.staffing.agents,
        i.staffing.scheduled,
    )


def forecast_report(forecast: Forecast, query: ReportQuery) -> Report:
    """One row per weekday and interval of the day; ``peak`` is ``peak`` for the day's
    intervals needing the most scheduled agents, ``off_peak`` for those needing the
    fewest among the ones with calls. An interval without calls has no service level,
    ASA or occupancy to expect (``None``), as the other reports' empty intervals."""
    marks: dict[tuple[int, time], str] = {}
    for day in forecast.days:
        marks.update({(day.weekday, t): "off_peak" for t in day.off_peak})
        marks.update({(day.weekday, t): "peak" for t in day.peak})  # the same level: a peak
    rows: list[tuple[Cell, ...]] = []
    for i in forecast.intervals:
        busy = i.offered > 0
        rows.append(
            (
                *interval_figures(i),
                round(i.staffing.service_level * 100, 2) if busy else None,
                round(i.staffing.asa_s, 1) if busy else None,
                round(i.staffing.occupancy * 100, 2) if busy else None,
                marks.get((i.weekday, i.start), ""),
            )
        )
    request = forecast.request
    parameters = {
        "from": query.start,
        "to": query.end,  # not included
        "interval": query.interval,
        "timezone": query.zone.key,
        "queues": list(query.queues),
        "agents": [],
        "target": str(request.target),
        "weeks": request.weeks,
        "shrinkage": request.shrinkage,
        "max_occupancy": request.max_occupancy,
        "weekdays": [WEEKDAYS[d] for d in sorted({i.weekday for i in forecast.intervals})],
        "calls": forecast.calls,
        "queue_aht_s": round(forecast.queue_aht_s, 1),
        "now": datetime.fromtimestamp(query.now, UTC),
    }
    return Report("forecast", "Staffing forecast", COLUMNS, tuple(rows), parameters)


def build_forecast_report(session: Session, query: ReportQuery, settings: ReportSettings) -> Report:
    """The report kind's build. A queue that took no call in the window is a problem, not
    a table of zeros: a misspelt or new queue would look like a quiet one (and the names
    of the other queues are not the asker's to see)."""
    request = request_of(query)
    try:
        forecast = forecast_queue(session, request, datetime.fromtimestamp(query.now, UTC))
    except TargetProblem as exc:  # calls, none answered: no handle time to plan with
        raise ReportProblem("weeks", str(exc), named=True) from None
    if not forecast.calls:
        raise ReportProblem(
            "queue",
            f"queue {request.queue!r} took no calls in the {request.weeks} week(s) before"
            " today: there is nothing to forecast from; give more weeks or another queue",
            named=True,
        )
    return forecast_report(forecast, query)
