# -*- test-case-name: tests.reports.test_forecast -*-
"""The staffing forecast: from a queue's stored history (``acd_call_visit``, written alike
in both routing modes), the average calls offered and handle time per weekday and
interval of the day, in the centre's time zone, over the last whole weeks; then, per
interval, the agents Erlang C says reach the service-level target.

Offered: the visits that entered the queue in the interval. Handle time: talk + wrap-up
of the visits answered and handled. An interval with calls but none handled borrows the
queue's handle time over the whole window (its calls still need agents). An interval
without calls is kept, at zero. See docs/forecast.md for the model and its assumptions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, and_, case, cast, func, select
from sqlalchemy.orm import Session

from switchboard.queue.store.records import CallVisitRow
from switchboard.reports.erlang import Staffing, Target, TargetProblem, agents_needed

__all__ = [
    "BUCKET_S",
    "INTERVALS_MIN",
    "WEEKDAYS",
    "Arrivals",
    "DayPeaks",
    "Forecast",
    "ForecastRequest",
    "IntervalForecast",
    "forecast_from_arrivals",
    "forecast_queue",
    "history_queues",
    "load_arrivals",
    "window",
]

INTERVALS_MIN = (15, 30, 60)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# The database counts arrivals per 15 minutes of UTC. Each such stretch lies inside one
# local interval because every zone's offset today is a whole number of quarter hours
# (+08:00, +05:30, +05:45, -03:30 ...).
BUCKET_S = 900


@dataclass(frozen=True)
class ForecastRequest:
    """What to forecast: ``weekdays`` as 0 (Monday) to 6, all of them when empty."""

    queue: str
    target: Target
    timezone: ZoneInfo
    weeks: int = 4
    interval_min: int = 30
    shrinkage: float = 0.3
    max_occupancy: float = 0.85
    weekdays: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.interval_min not in INTERVALS_MIN:
            raise TargetProblem(f"interval {self.interval_min} minutes: give 15m, 30m or 1h")
        if not 1 <= self.weeks <= 52:
            raise TargetProblem(f"weeks {self.weeks}: give 1 to 52 weeks of history")
        if bad := [d for d in self.weekdays if not 0 <= d <= 6]:
            raise TargetProblem(f"weekday {bad[0]}: give mon, tue, wed, thu, fri, sat or sun")
        # The same checks as the Erlang C planner, up front (before any database work).
        agents_needed(
            0.0, 1.0, self.target, max_occupancy=self.max_occupancy, shrinkage=self.shrinkage
        )


@dataclass(frozen=True)
class Arrivals:
    """The visits that entered in one stretch of time starting at ``at`` (epoch seconds),
    never straddling two local intervals: how many, how many an agent handled, and the
    talk + wrap-up seconds of those."""

    at: float
    offered: int
    handled: int
    handle_s: float


@dataclass(frozen=True)
class IntervalForecast:
    weekday: int  # 0 = Monday
    start: time  # local wall-clock time of the interval's start
    offered: float  # calls per interval, averaged over the weeks
    aht_s: float  # 0 when the interval had no calls
    traffic: float  # erlangs
    staffing: Staffing

    @property
    def label(self) -> str:
        return f"{WEEKDAYS[self.weekday]} {self.start:%H:%M}"


@dataclass(frozen=True)
class DayPeaks:
    """A weekday's busiest and quietest intervals that had calls, by scheduled agents."""

    weekday: int
    offered: float  # calls in the whole day, averaged over the weeks
    peak_scheduled: int
    peak: tuple[time, ...]
    off_peak_scheduled: int
    off_peak: tuple[time, ...]


@dataclass(frozen=True)
class Forecast:
    request: ForecastRequest
    first_day: date  # the window, in local days: first_day up to (not including) last_day
    end_day: date
    calls: int  # visits in the window
    queue_aht_s: float  # over the window; 0 with nothing handled
    intervals: tuple[IntervalForecast, ...]  # every weekday asked for, every interval
    days: tuple[DayPeaks, ...]


def history_queues(session: Session) -> list[str]:
    """Every queue with at least one stored visit."""
    rows = session.scalars(select(CallVisitRow.queue).distinct().order_by(CallVisitRow.queue))
    return list(rows)


def window(today: date, weeks: int) -> tuple[date, date]:
    """The last ``weeks`` whole weeks before ``today`` (local days): each weekday counted
    exactly ``weeks`` times, today's unfinished day left out."""
    return today - timedelta(weeks=weeks), today


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone)


def load_arrivals(
    session: Session, queue: str, since: datetime, until: datetime, bucket_s: int
) -> list[Arrivals]:
    """The queue's visits in [since, until), counted in the database per ``bucket_s``
    seconds of UTC: a few thousand rows to read back, however busy the queue."""
    entered = CallVisitRow.entered_at
    if session.get_bind().dialect.name == "postgresql":
        bucket: Any = func.floor(func.extract("epoch", entered) / bucket_s)
    else:  # SQLite keeps UTC text; strftime('%s') reads it as epoch seconds
        bucket = cast(func.strftime("%s", entered), Integer) / bucket_s
    done = and_(CallVisitRow.answered_at.is_not(None), CallVisitRow.talk_s.is_not(None))
    handle = CallVisitRow.talk_s + func.coalesce(CallVisitRow.wrap_s, 0.0)
    rows = session.execute(
        select(
            bucket,
            func.count(),
            func.count(case((done, 1))),
            func.coalesce(func.sum(case((done, handle))), 0.0),
        )
        .where(
            CallVisitRow.queue == queue,
            entered >= since.astimezone(UTC),
            entered < until.astimezone(UTC),
        )
        .group_by(bucket)
    )
    return [Arrivals(float(b) * bucket_s, n, h, float(s)) for b, n, h, s in rows]


def forecast_queue(session: Session, request: ForecastRequest, now: datetime) -> Forecast:
    """The forecast of ``request.queue`` from the weeks before ``now``'s local day."""
    first, end = window(now.astimezone(request.timezone).date(), request.weeks)
    since = _local_midnight(first, request.timezone)
    until = _local_midnight(end, request.timezone)
    arrivals = load_arrivals(session, request.queue, since, until, BUCKET_S)
    return forecast_from_arrivals(arrivals, request, first, end)


def forecast_from_arrivals(
    arrivals: Iterable[Arrivals], request: ForecastRequest, first: date, end: date
) -> Forecast:
    """The forecast from arrivals already counted (all inside the window)."""
    zone, step = request.timezone, request.interval_min
    offered: dict[tuple[int, int], int] = defaultdict(int)
    handled: dict[tuple[int, int], tuple[int, float]] = defaultdict(lambda: (0, 0.0))
    for stretch in arrivals:
        local = datetime.fromtimestamp(stretch.at, zone)
        slot = (local.weekday(), (local.hour * 60 + local.minute) // step)
        offered[slot] += stretch.offered
        count, seconds = handled[slot]
        handled[slot] = (count + stretch.handled, seconds + stretch.handle_s)
    total = sum(n for n, _ in handled.values())
    queue_aht = sum(s for _, s in handled.values()) / total if total else 0.0
    weekdays = sorted(set(request.weekdays or range(7)))
    intervals = tuple(
        _interval(request, (day, slot), offered[day, slot], handled[day, slot], queue_aht)
        for day in weekdays
        for slot in range(24 * 60 // step)
    )
    days = tuple(_peaks(day, [i for i in intervals if i.weekday == day]) for day in weekdays)
    return Forecast(request, first, end, sum(offered.values()), queue_aht, intervals, days)


def _interval(
    request: ForecastRequest,
    slot: tuple[int, int],
    offered: int,
    handled: tuple[int, float],
    queue_aht: float,
) -> IntervalForecast:
    day, index = slot
    minutes = index * request.interval_min
    start = time(minutes // 60, minutes % 60)
    calls = offered / request.weeks
    count, seconds = handled
    aht = seconds / count if count else (queue_aht if offered else 0.0)
    if calls and not aht:
        raise TargetProblem(
            f"queue {request.queue!r}: no call was answered in the {request.weeks} week(s)"
            " before today, so there is no handle time to plan with; give more weeks of history"
        )
    traffic = calls * aht / (request.interval_min * 60)
    staffing = agents_needed(
        traffic,
        aht or 1.0,
        request.target,
        max_occupancy=request.max_occupancy,
        shrinkage=request.shrinkage,
    )
    return IntervalForecast(day, start, calls, aht, traffic, staffing)


def _peaks(day: int, intervals: Iterable[IntervalForecast]) -> DayPeaks:
    busy = [i for i in intervals if i.offered > 0]
    if not busy:
        return DayPeaks(day, 0.0, 0, (), 0, ())
    most = max(i.staffing.scheduled for i in busy)
    least = min(i.staffing.scheduled for i in busy)
    return DayPeaks(
        weekday=day,
        offered=sum(i.offered for i in busy),
        peak_scheduled=most,
        peak=tuple(i.start for i in busy if i.staffing.scheduled == most),
        off_peak_scheduled=least,
        off_peak=tuple(i.start for i in busy if i.staffing.scheduled == least),
    )
