"""A report's parameters: whole days in the centre's zone, times with or without an
offset, names listed once, the range widened to whole intervals."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from switchboard.reports.query import ReportProblem, parse_moment, parse_query

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _query(start: str, end: str, interval: str = "hour", **kw: str):  # type: ignore[no-untyped-def]
    return parse_query(
        "queue", ("queue", "agent"), start=start, end=end, interval=interval,
        queue=kw.get("queue"), agent=kw.get("agent"), zone=SHANGHAI, now=0.0,
    )  # fmt: skip


def test_a_day_is_its_local_midnights() -> None:
    assert parse_moment("2026-12-01", SHANGHAI).isoformat() == "2026-12-01T00:00:00+08:00"
    end = parse_moment("2026-12-01", SHANGHAI, end=True)
    assert end.isoformat() == "2026-12-02T00:00:00+08:00"


def test_a_time_is_local_unless_it_has_an_offset() -> None:
    assert parse_moment("2026-12-01T08:30", SHANGHAI).isoformat() == "2026-12-01T08:30:00+08:00"
    given = parse_moment("2026-12-01T08:30+00:00", SHANGHAI)
    assert given.isoformat() == "2026-12-01T08:30:00+00:00"


def test_the_range_is_widened_to_whole_intervals() -> None:
    query = _query("2026-12-01T08:20", "2026-12-01T09:10", "hour")
    assert (query.start.isoformat(), query.end.isoformat()) == (
        "2026-12-01T08:00:00+08:00",
        "2026-12-01T10:00:00+08:00",
    )
    weekly = _query("2026-12-03", "2026-12-03", "week")
    assert weekly.start.isoformat() == "2026-11-30T00:00:00+08:00"


def test_names_are_split_trimmed_and_listed_once() -> None:
    query = _query("2026-12-01", "2026-12-01", queue=" sales,support ,sales,", agent="")
    assert query.queues == ("sales", "support") and query.agents == ()


@pytest.mark.parametrize(
    ("start", "end", "interval", "parameter"),
    [
        ("", "2026-12-01", "hour", "from"),
        ("2026-12-01", "", "hour", "to"),
        ("2026-13-01", "2026-12-01", "hour", "from"),
        ("2026-12-01", "2026-12-01T00:00", "hour", "to"),
        ("2026-12-01", "2026-12-01", "fortnight", "interval"),
    ],
)
def test_each_bad_parameter_is_named(start: str, end: str, interval: str, parameter: str) -> None:
    with pytest.raises(ReportProblem) as caught:
        _query(start, end, interval)
    assert caught.value.parameter == parameter
