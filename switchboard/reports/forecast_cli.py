# -*- test-case-name: tests.reports.test_forecast_cli -*-
"""``switchboard forecast``: the agents a queue needs per weekday and interval, from its
stored history (docs/forecast.md).

The output is built as a header of column names and rows of plain values
(:func:`forecast_rows`), then written as a table, CSV or JSON; the shared report value
of ``switchboard report`` takes the same shape, so this can move onto its exporters.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import IO, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from switchboard.config import Settings

__all__ = ["COLUMNS", "add_commands", "forecast_rows", "run"]

FORMATS = ("table", "csv", "json")
DEFAULT_TIMEZONE = "Asia/Shanghai"
COLUMNS = (
    "weekday",
    "start",
    "offered",
    "aht_s",
    "traffic_erlangs",
    "agents",
    "scheduled",
    "service_level",
    "asa_s",
    "occupancy",
)


class UsageProblem(Exception):
    pass


def add_commands(subparsers: Any) -> None:
    from switchboard.reports.forecast_report import DEFAULTS

    forecast = subparsers.add_parser(
        "forecast",
        help="agents needed per interval to reach a service level (Erlang C on the history)",
        description="Average calls offered and handle time per weekday and interval over the"
        " last weeks of a queue's history, and the agents Erlang C says reach the target.",
    )
    forecast.add_argument("--queue", required=True, help="the queue's name")
    forecast.add_argument(
        "--target", help=f"PERCENT/SECONDS answered within (default {DEFAULTS['target']})"
    )
    forecast.add_argument(
        "--weeks", help=f"whole weeks of history before today (default {DEFAULTS['weeks']})"
    )
    forecast.add_argument("--interval", help=f"15m, 30m or 1h (default {DEFAULTS['interval']})")
    forecast.add_argument(
        "--shrinkage",
        help="share of paid time off the phones: breaks, training..."
        f" (default {DEFAULTS['shrinkage']})",
    )
    forecast.add_argument(
        "--max-occupancy",
        help="busiest share of time an agent may be on calls"
        f" (default {DEFAULTS['max_occupancy']})",
    )
    forecast.add_argument(
        "--weekday", action="append", default=[], help="mon ... sun (repeatable; default all)"
    )
    forecast.add_argument(
        "--timezone",
        help="the centre's time zone (default: [reports] timezone, else Asia/Shanghai)",
    )
    forecast.add_argument("--format", choices=FORMATS, default="table")
    forecast.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from switchboard.reports.erlang import TargetProblem
    from switchboard.reports.query import ReportProblem

    try:
        return _forecast(args, settings)
    except (UsageProblem, ReportProblem, TargetProblem) as exc:
        print(f"switchboard forecast: {exc}", file=sys.stderr)
        return 2


def _zone(args: argparse.Namespace, settings: Settings) -> ZoneInfo:
    # [reports] timezone comes with the reports area; read it only if it is there.
    configured = getattr(getattr(settings, "reports", None), "timezone", None)
    name = args.timezone or configured or DEFAULT_TIMEZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageProblem(
            f"time zone {name!r} is unknown: give a name such as Asia/Shanghai or Europe/London"
        ) from None


def _request(args: argparse.Namespace, settings: Settings) -> Any:
    from switchboard.reports.forecast_report import forecast_request

    return forecast_request(
        args.queue,
        _zone(args, settings),
        target=args.target,
        weeks=args.weeks,
        interval=args.interval,
        shrinkage=args.shrinkage,
        max_occupancy=args.max_occupancy,
        weekdays=args.weekday,
    )


def _configured_queues(settings: Settings) -> set[str]:
    from switchboard.queue.config.queue_file import QueueConfigError, load_queue_config

    path = settings.queues.file
    if path is None or not path.exists():
        return set()
    try:
        return {q.name for q in load_queue_config(path).queues}
    except QueueConfigError:
        return set()  # `queues check` reports the file's problems; history still counts


def _now() -> datetime:
    return datetime.now(UTC)


def _forecast(args: argparse.Namespace, settings: Settings) -> int:
    from switchboard.reports.forecast import forecast_queue
    from switchboard.reports.forecast_report import check_queue
    from switchboard.store.oneshot import in_database

    request = _request(args, settings)
    configured = sorted(_configured_queues(settings))
    now = _now()

    def work(session: Session) -> Any:
        check_queue(session, request.queue, configured)
        return forecast_queue(session, request, now)

    forecast = in_database(settings, work)
    write = {"table": _write_table, "csv": _write_csv, "json": _write_json}[args.format]
    write(sys.stdout, forecast)
    return 0


def forecast_rows(forecast: Any) -> list[tuple[Any, ...]]:
    """One row of plain values per interval, in :data:`COLUMNS` order."""
    from switchboard.reports.forecast_report import interval_figures

    return [
        (
            *interval_figures(i),
            round(i.staffing.service_level, 4),
            round(i.staffing.asa_s, 1),
            round(i.staffing.occupancy, 4),
        )
        for i in forecast.intervals
    ]


def _peak_rows(forecast: Any) -> list[dict[str, Any]]:
    from switchboard.reports.forecast import WEEKDAYS

    return [
        {
            "weekday": WEEKDAYS[d.weekday],
            "offered": round(d.offered, 2),
            "peak_scheduled": d.peak_scheduled,
            "peak": [f"{t:%H:%M}" for t in d.peak],
            "off_peak_scheduled": d.off_peak_scheduled,
            "off_peak": [f"{t:%H:%M}" for t in d.off_peak],
        }
        for d in forecast.days
    ]


def _about(forecast: Any) -> dict[str, Any]:
    request = forecast.request
    return {
        "queue": request.queue,
        "target": str(request.target),
        "timezone": request.timezone.key,
        "weeks": request.weeks,
        "interval_min": request.interval_min,
        "shrinkage": request.shrinkage,
        "max_occupancy": request.max_occupancy,
        "from": forecast.first_day.isoformat(),
        "to": forecast.end_day.isoformat(),  # not included
        "calls": forecast.calls,
        "queue_aht_s": round(forecast.queue_aht_s, 1),
    }


def _write_json(out: IO[str], forecast: Any) -> None:
    intervals = [dict(zip(COLUMNS, row, strict=True)) for row in forecast_rows(forecast)]
    body = {**_about(forecast), "intervals": intervals, "days": _peak_rows(forecast)}
    json.dump(body, out, indent=2, ensure_ascii=False)
    out.write("\n")


def _write_csv(out: IO[str], forecast: Any) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(forecast_rows(forecast))


def _cell(name: str, value: Any) -> str:
    if name in ("service_level", "occupancy"):
        return f"{value * 100:.1f}%"
    return str(value)


def _write_table(out: IO[str], forecast: Any) -> None:
    about = _about(forecast)
    out.write(
        f"queue {about['queue']}: target {about['target']}, shrinkage {about['shrinkage']:g},"
        f" max occupancy {about['max_occupancy']:g}; history {about['from']} to"
        f" {about['to']} (not included, {about['weeks']} weeks, {about['timezone']}):"
        f" {about['calls']} calls\n"
    )
    rows = [
        [_cell(n, v) for n, v in zip(COLUMNS, row, strict=True)] for row in forecast_rows(forecast)
    ]
    widths = [
        max(len(n), *(len(r[i]) for r in rows)) if rows else len(n) for i, n in enumerate(COLUMNS)
    ]
    out.write(_line(COLUMNS, widths))
    previous = None
    for row in rows:
        if previous is not None and row[0] != previous:
            out.write("\n")  # a blank line between weekdays
        previous = row[0]
        out.write(_line(row, widths))
    out.write("\n")
    for day in _peak_rows(forecast):
        if not day["peak"]:
            out.write(f"{day['weekday']}: no calls\n")
            continue
        out.write(
            f"{day['weekday']}: {day['offered']:g} calls; peak {day['peak_scheduled']} scheduled"
            f" at {', '.join(day['peak'])}; off-peak {day['off_peak_scheduled']} at"
            f" {', '.join(day['off_peak'])}\n"
        )


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    return (
        " ".join(
            c.rjust(w) if i > 1 else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()
        + "\n"
    )
