# -*- test-case-name: tests.ivr.test_parse -*-
"""Business hours: a weekly plan in a timezone, holidays and make-up working days (pure).

``is_open`` takes ``now`` as epoch seconds; nothing here reads a clock.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Final, Literal
from zoneinfo import ZoneInfo

__all__ = [
    "WEEKDAYS",
    "HoursState",
    "hours_state",
    "local_time",
    "parse_date_spec",
    "parse_minute_range",
    "parse_weekdays",
]

WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE: Final = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
HoursState = Literal["open", "closed", "holiday"]


def parse_weekdays(spec: str) -> list[int]:
    """``mon-fri`` / ``sat`` / ``mon,wed`` -> weekday numbers (Monday is 0)."""
    days: list[int] = []
    for part in spec.lower().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        start = WEEKDAYS.index(first)
        end = WEEKDAYS.index(last) if last else start
        if end < start:
            raise ValueError(f"'{part}' runs backwards")
        days.extend(range(start, end + 1))
    return days


def parse_minute_range(spec: str) -> tuple[int, int]:
    """``09:00-18:00`` -> (540, 1080); ``24:00`` is allowed as an end."""
    match = _RANGE.match(spec)
    if match is None:
        raise ValueError(f"'{spec}' is not HH:MM-HH:MM")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if m1 > 59 or m2 > 59 or start >= 24 * 60 or end > 24 * 60 or end <= start:
        raise ValueError(f"'{spec}' is not a range within one day")
    return start, end


def parse_date_spec(spec: object) -> list[date]:
    """A date, or ``2026-10-01..2026-10-07`` (inclusive) -> the dates it covers."""
    if isinstance(spec, datetime):
        return [spec.date()]
    if isinstance(spec, date):
        return [spec]
    text = str(spec).strip()
    first, sep, last = text.partition("..")
    start = date.fromisoformat(first.strip())
    end = date.fromisoformat(last.strip()) if sep else start
    if end < start or (end - start).days > 366:
        raise ValueError(f"'{text}' is not a forward range of at most a year")
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def local_time(now: float, timezone: str) -> datetime:
    return datetime.fromtimestamp(now, UTC).astimezone(ZoneInfo(timezone))


def hours_state(
    now: float,
    timezone: str,
    schedule: Mapping[int, tuple[tuple[int, int], ...]],
    holidays: frozenset[date] = frozenset(),
    workdays: frozenset[date] = frozenset(),
) -> HoursState:
    """Open, closed or holiday at ``now`` for this plan (holidays win over the plan)."""
    local = local_time(now, timezone)
    today = local.date()
    if today in holidays:
        return "holiday"
    weekday = 0 if today in workdays else local.weekday()
    minute = local.hour * 60 + local.minute
    for start, end in schedule.get(weekday, ()):
        if start <= minute < end:
            return "open"
    return "closed"
