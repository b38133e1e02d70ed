# -*- test-case-name: tests.reports.test_intervals -*-
"""Report intervals in the centre's time zone: 15 minutes, an hour, a day, a week
(Monday first, as ISO 8601) or a month.

Days, weeks and months are counted on the wall clock (a day starts at local midnight, so
the day the clocks go forward has 23 hours and the day they go back 25). Quarters and
hours are counted on the real clock: on the day the clocks go back there are two 01:00
hours, told apart by their offset; on the day they go forward there is no 01:00 hour at
all. Both hold because every zone moves its clocks by whole hours at hour boundaries
(the rare half-hour changes, Lord Howe Island's, would give half-hours here).

Every interval of the range is listed, so an interval nothing happened in is a row of
zeros, never a missing row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

__all__ = ["INTERVALS", "Interval", "Span", "align", "spans"]

Interval = Literal["15m", "hour", "day", "week", "month"]
INTERVALS: tuple[Interval, ...] = ("15m", "hour", "day", "week", "month")
_FIXED_S = {"15m": 900, "hour": 3600}
# A generous limit: a year of quarter-hours is 35,040 rows nobody reads.
MAX_SPANS = 10_000


@dataclass(frozen=True, slots=True)
class Span:
    """One interval: ``start`` (local time, with its offset) to ``end``, end excluded;
    both in epoch seconds too (``datetime.timestamp`` is slow in a loop)."""

    start: datetime
    end: datetime
    start_s: float = field(init=False)
    end_s: float = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "start_s", self.start.timestamp())
        object.__setattr__(self, "end_s", self.end.timestamp())


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    # Through UTC and back: a midnight the clocks skip (a few zones change at 00:00)
    # becomes the first instant that exists that day.
    naive = datetime(day.year, day.month, day.day)
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def _first_day(day: date, interval: Interval) -> date:
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


def _next_day(day: date, interval: Interval) -> date:
    if interval == "week":
        return day + timedelta(days=7)
    if interval == "month":
        return date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return day + timedelta(days=1)


def align(moment: datetime, interval: Interval, zone: ZoneInfo) -> datetime:
    """The start of the interval holding ``moment`` (an aware datetime), local to ``zone``."""
    local = moment.astimezone(zone)
    if interval in _FIXED_S:
        step = _FIXED_S[interval]
        # Offsets are whole quarter-hours, so local quarter-hour and hour boundaries fall
        # on the same real instants as the offset-shifted grid.
        offset = int((local.utcoffset() or timedelta()).total_seconds())
        epoch = int(local.timestamp())
        start = epoch - (epoch + offset) % step
        return datetime.fromtimestamp(start, UTC).astimezone(zone)
    return _local_midnight(_first_day(local.date(), interval), zone)


def spans(start: datetime, end: datetime, interval: Interval, zone: ZoneInfo) -> list[Span]:
    """The intervals covering ``[start, end)``: the first begins at or before ``start``
    (the range is widened to whole intervals), the last ends at or after ``end``."""
    if end <= start:
        return []
    first = align(start, interval, zone)
    out: list[Span] = []
    if interval in _FIXED_S:
        step = _FIXED_S[interval]
        at = int(first.timestamp())
        stop = end.timestamp()
        while at < stop:
            out.append(
                Span(
                    datetime.fromtimestamp(at, UTC).astimezone(zone),
                    datetime.fromtimestamp(at + step, UTC).astimezone(zone),
                )
            )
            at += step
            if len(out) > MAX_SPANS:
                raise ValueError(f"more than {MAX_SPANS} intervals: choose a longer interval")
        return out
    day = first.date()
    while _local_midnight(day, zone) < end:
        following = _next_day(day, interval)
        out.append(Span(_local_midnight(day, zone), _local_midnight(following, zone)))
        day = following
        if len(out) > MAX_SPANS:
            raise ValueError(f"more than {MAX_SPANS} intervals: choose a longer interval")
    return out
