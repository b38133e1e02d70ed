"""Intervals in the centre's zone: whole, in order, back to back; 23 and 25 hours on the
days London's clocks change; weeks from Monday; months of their own length."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from switchboard.reports.intervals import align, spans

LONDON = ZoneInfo("Europe/London")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _local(text: str, zone: ZoneInfo = LONDON) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


@pytest.mark.parametrize(
    ("day", "hours", "quarters"),
    [("2026-03-29", 23, 92), ("2026-10-25", 25, 100), ("2026-06-10", 24, 96)],
)
def test_a_day_has_the_hours_the_clocks_give_it(day: str, hours: int, quarters: int) -> None:
    start = _local(f"{day}T00:00")
    end = start + timedelta(days=1)  # wall-clock arithmetic: the next local midnight
    [whole] = spans(start, end - timedelta(seconds=1), "day", LONDON)
    assert whole.end_s - whole.start_s == hours * 3600
    assert len(spans(whole.start, whole.end, "hour", LONDON)) == hours
    assert len(spans(whole.start, whole.end, "15m", LONDON)) == quarters


@pytest.mark.parametrize("interval", ["15m", "hour", "day", "week", "month"])
def test_back_to_back_and_covering(interval: str) -> None:
    start, end = _local("2026-03-27T13:07"), _local("2026-04-02T05:00")
    made = spans(start, end, interval, LONDON)  # type: ignore[arg-type]
    assert made[0].start <= start and made[-1].end >= end
    assert all(a.end == b.start for a, b in pairwise(made))
    assert all(s.start.tzinfo == LONDON for s in made)


def test_weeks_start_on_monday_and_months_on_the_first() -> None:
    weeks = spans(_local("2026-12-03T10:00"), _local("2026-12-20T00:00"), "week", SHANGHAI)
    assert [w.start.date().isoformat() for w in weeks] == ["2026-11-30", "2026-12-07", "2026-12-14"]
    months = spans(
        _local("2026-02-10", SHANGHAI), _local("2026-03-02", SHANGHAI), "month", SHANGHAI
    )
    assert [(m.start.isoformat(), m.end.isoformat()) for m in months] == [
        ("2026-02-01T00:00:00+08:00", "2026-03-01T00:00:00+08:00"),
        ("2026-03-01T00:00:00+08:00", "2026-04-01T00:00:00+08:00"),
    ]


def test_quarter_hours_on_the_wall_clock_of_a_half_hour_zone() -> None:
    kolkata = ZoneInfo("Asia/Kolkata")
    at = datetime.fromisoformat("2026-12-01T10:52:00+05:30")
    assert align(at, "15m", kolkata).isoformat() == "2026-12-01T10:45:00+05:30"
    assert align(at, "hour", kolkata).isoformat() == "2026-12-01T10:00:00+05:30"


def test_nothing_for_an_empty_range() -> None:
    at = _local("2026-06-10T00:00")
    assert spans(at, at, "hour", LONDON) == []
