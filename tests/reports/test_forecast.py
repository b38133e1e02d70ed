"""The staffing forecast from stored visits, on SQLite and PostgreSQL, against a second,
deliberately simple computation from the same seeded calls; local intervals across a
daylight-saving change and midnight."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import URL, Engine
from sqlalchemy.orm import Session

from switchboard.queue.store.records import CallVisitRow
from switchboard.reports.erlang import Target, TargetProblem
from switchboard.reports.forecast import ForecastRequest, forecast_queue, history_queues
from switchboard.store import upgrade_database
from switchboard.store.db import create_database_engine

SHANGHAI = ZoneInfo("Asia/Shanghai")
LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class SeedCall:
    queue: str
    entered: datetime  # aware, local
    talk_s: float | None  # None: never answered
    wrap_s: float = 0.0


def migrated_engine(url: URL) -> Iterator[Engine]:
    upgrade_database(url)
    engine = create_database_engine(url)
    yield engine
    engine.dispose()


def store(engine: Engine, calls: list[SeedCall]) -> None:
    with Session(engine) as session, session.begin():
        for n, call in enumerate(calls):
            entered = call.entered.astimezone(UTC)
            answered = entered + timedelta(seconds=5) if call.talk_s is not None else None
            session.add(
                CallVisitRow(
                    call_id=f"c{n}",
                    queue=call.queue,
                    entered_at=entered,
                    enqueued_at=entered,
                    priority=0,
                    caller_number="13800138000",
                    path_ref="",
                    language="zh",
                    customer_tier=0,
                    answered_at=answered,
                    waited_s=5.0 if answered else None,
                    via_callback=False,
                    agent_id="1001" if answered else "",
                    left_at=None if answered else entered + timedelta(seconds=40),
                    outcome="completed" if answered else "abandoned",
                    to_queue="",
                    handled_at=answered,
                    talk_s=call.talk_s,
                    wrap_s=call.wrap_s if answered else None,
                )
            )


def seeded_history(rng: random.Random, first: date, days: int) -> list[SeedCall]:
    """Busy late mornings, quiet evenings, some abandons and another queue's calls."""
    calls = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        for hour, count in ((9, 6), (10, 14), (11, 9), (14, 5), (20, 1)):
            for _ in range(rng.randint(count // 2, count)):
                minute, second = rng.randrange(60), rng.randrange(60)
                at = datetime.combine(day, time(hour, minute, second), SHANGHAI)
                answered = rng.random() > 0.15
                talk = float(rng.randint(60, 400)) if answered else None
                calls.append(SeedCall("sales", at, talk, float(rng.randint(0, 60))))
        calls.append(SeedCall("support", datetime.combine(day, time(10), SHANGHAI), 900.0))
    return calls


def simple_forecast(
    calls: list[SeedCall],
    queue: str,
    first: date,
    end: date,
    weeks: int,
    step_min: int,
    target: tuple[int, int],
    shrinkage: Fraction,
    cap: Fraction,
    zone: ZoneInfo = SHANGHAI,
) -> dict[tuple[int, str], tuple[float, float, int, int]]:
    """(weekday, "HH:MM") -> (offered, aht, agents, scheduled), the long way round."""
    calls = [SeedCall(c.queue, c.entered.astimezone(zone), c.talk_s, c.wrap_s) for c in calls]
    ours = [c for c in calls if c.queue == queue and first <= c.entered.date() < end]
    handled = [c.talk_s + c.wrap_s for c in ours if c.talk_s is not None]
    queue_aht = sum(handled) / len(handled)
    result = {}
    for weekday in range(7):
        for minute in range(0, 24 * 60, step_min):
            label = f"{minute // 60:02d}:{minute % 60:02d}"
            here = [
                c
                for c in ours
                if c.entered.weekday() == weekday
                and minute <= c.entered.hour * 60 + c.entered.minute < minute + step_min
            ]
            times = [c.talk_s + c.wrap_s for c in here if c.talk_s is not None]
            aht = sum(times) / len(times) if times else (queue_aht if here else 0.0)
            offered = len(here) / weeks
            agents = _simple_agents(offered * aht / (step_min * 60), aht, target, cap)
            scheduled = math.ceil(Fraction(agents) / (1 - shrinkage))
            result[weekday, label] = (offered, aht, agents, scheduled)
    return result


def _simple_agents(traffic: float, aht: float, target: tuple[int, int], cap: Fraction) -> int:
    if traffic == 0:
        return 0
    n = 1
    while True:
        if n > traffic and traffic / n <= cap:
            top = traffic**n / math.factorial(n) * n / (n - traffic)
            waits = top / (sum(traffic**k / math.factorial(k) for k in range(n)) + top)
            if 1 - waits * math.exp(-(n - traffic) * target[1] / aht) >= target[0] / 100:
                return n
        n += 1


@pytest.fixture
def engine(database_url: URL) -> Iterator[Engine]:
    yield from migrated_engine(database_url)


@pytest.mark.parametrize("zone", [SHANGHAI, ZoneInfo("Asia/Kathmandu")])  # +08:00, +05:45
def test_the_forecast_matches_a_simple_count_of_the_history(engine: Engine, zone: ZoneInfo) -> None:
    now = datetime(2026, 11, 25, 10, 30, tzinfo=SHANGHAI)  # a Wednesday
    history = seeded_history(random.Random(16), date(2026, 10, 25), 32)  # beyond the window
    store(engine, history)
    request = ForecastRequest(
        queue="sales",
        target=Target.parse("80/20"),
        timezone=zone,
        weeks=3,
        interval_min=30,
        shrinkage=0.3,
        max_occupancy=0.85,
    )
    with Session(engine) as session:
        forecast = forecast_queue(session, request, now.astimezone(UTC))
        assert history_queues(session) == ["sales", "support"]
    first, end = date(2026, 11, 4), date(2026, 11, 25)
    assert (forecast.first_day, forecast.end_day) == (first, end)
    expected = simple_forecast(
        history, "sales", first, end, 3, 30, (80, 20), Fraction(3, 10), Fraction(85, 100), zone
    )
    assert len(forecast.intervals) == 7 * 48  # empty intervals are there, at zero
    got = {
        (i.weekday, f"{i.start:%H:%M}"): (
            i.offered,
            i.aht_s,
            i.staffing.agents,
            i.staffing.scheduled,
        )
        for i in forecast.intervals
    }
    assert got.keys() == expected.keys()
    for key, (offered, aht, agents, scheduled) in expected.items():
        assert got[key][0] == pytest.approx(offered), key
        assert got[key][1] == pytest.approx(aht), key
        assert got[key][2:] == (agents, scheduled), key
    assert got[2, "03:00"] == (0.0, 0.0, 0, 0)
    # Peaks: the late-morning rush, named; the evening is off-peak.
    wednesday = forecast.days[2]
    assert wednesday.peak_scheduled == max(v[3] for k, v in expected.items() if k[0] == 2)
    assert wednesday.peak == tuple(
        datetime.strptime(k[1], "%H:%M").time()
        for k, v in expected.items()
        if k[0] == 2 and v[3] == wednesday.peak_scheduled and v[0] > 0
    )
    assert wednesday.off_peak_scheduled < wednesday.peak_scheduled


def test_one_weekday_and_hourly_intervals(engine: Engine) -> None:
    history = seeded_history(random.Random(7), date(2026, 11, 1), 24)
    store(engine, history)
    request = ForecastRequest(
        queue="sales",
        target=Target.parse("90/15"),
        timezone=SHANGHAI,
        weeks=2,
        interval_min=60,
        shrinkage=0.25,
        max_occupancy=0.9,
        weekdays=(0,),
    )
    now = datetime(2026, 11, 24, 8, 0, tzinfo=SHANGHAI)
    with Session(engine) as session:
        forecast = forecast_queue(session, request, now)
    assert [i.weekday for i in forecast.intervals] == [0] * 24
    expected = simple_forecast(
        history,
        "sales",
        date(2026, 11, 10),
        date(2026, 11, 24),
        2,
        60,
        (90, 15),
        Fraction(1, 4),
        Fraction(9, 10),
    )
    for i in forecast.intervals:
        key = (0, f"{i.start:%H:%M}")
        assert (i.staffing.agents, i.staffing.scheduled) == expected[key][2:], key
    assert [d.weekday for d in forecast.days] == [0]


def test_an_interval_of_abandons_borrows_the_queue_handle_time(engine: Engine) -> None:
    monday = date(2026, 11, 16)
    calls = [
        SeedCall("sales", datetime.combine(monday, time(9, 5), SHANGHAI), 200.0, 40.0),
        SeedCall("sales", datetime.combine(monday, time(9, 10), SHANGHAI), 100.0, 20.0),
        SeedCall("sales", datetime.combine(monday, time(15, 0), SHANGHAI), None),
    ]
    store(engine, calls)
    request = ForecastRequest("sales", Target.parse("80/20"), SHANGHAI, weeks=1)
    with Session(engine) as session:
        forecast = forecast_queue(session, request, datetime(2026, 11, 18, tzinfo=SHANGHAI))
    [abandoned] = [i for i in forecast.intervals if i.weekday == 0 and i.start == time(15)]
    assert abandoned.offered == 1 and abandoned.aht_s == 180.0 and abandoned.staffing.agents >= 1


def test_a_queue_nobody_answered_has_no_handle_time_to_plan_with(engine: Engine) -> None:
    monday = date(2026, 11, 16)
    store(engine, [SeedCall("sales", datetime.combine(monday, time(9), SHANGHAI), None)])
    request = ForecastRequest("sales", Target.parse("80/20"), SHANGHAI, weeks=1)
    with (
        Session(engine) as session,
        pytest.raises(TargetProblem, match=r"no call was answered in the 1 week\(s\) before today"),
    ):
        forecast_queue(session, request, datetime(2026, 11, 18, tzinfo=SHANGHAI))


def test_intervals_are_local_across_the_clock_change_and_midnight(engine: Engine) -> None:
    """Europe/London goes from GMT to BST on Sunday 29 March 2026: 09:10 local is 09:10 UTC
    one week and 08:10 UTC the next, and must land in the same 09:00 interval both times;
    00:15 on a Monday in BST is still Sunday in UTC."""
    calls = []
    first = date(2026, 3, 19)  # two whole weeks before Thursday 2 April
    for offset in range(14):
        day = first + timedelta(days=offset)
        calls += [
            SeedCall("sales", datetime.combine(day, time(9, 10, n), LONDON), 120.0)
            for n in range(3)
        ]
    late_sunday = datetime(2026, 3, 22, 23, 45, tzinfo=LONDON)
    early_monday = datetime(2026, 3, 30, 0, 15, tzinfo=LONDON)  # 2026-03-29 23:15 UTC
    outside = [
        datetime(2026, 3, 18, 23, 50, tzinfo=LONDON),  # the day before the window
        datetime(2026, 4, 2, 0, 30, tzinfo=LONDON),  # today (2026-04-01 23:30 UTC)
    ]
    calls += [SeedCall("sales", at, 120.0) for at in (late_sunday, early_monday, *outside)]
    store(engine, calls)
    request = ForecastRequest("sales", Target.parse("80/20"), LONDON, weeks=2, interval_min=15)
    now = datetime(2026, 4, 2, 12, 0, tzinfo=LONDON)
    with Session(engine) as session:
        forecast = forecast_queue(session, request, now)
    by_slot = {(i.weekday, f"{i.start:%H:%M}"): i.offered for i in forecast.intervals}
    assert forecast.calls == 14 * 3 + 2
    for weekday in range(7):
        assert by_slot[weekday, "09:00"] == 3.0  # 6 calls over 2 weeks, before and after
        assert by_slot[weekday, "08:00"] == 0.0
    assert by_slot[6, "23:45"] == 0.5  # Sunday's last quarter hour
    assert by_slot[0, "00:15"] == 0.5  # Monday, though Sunday in UTC
    assert by_slot[6, "23:15"] == 0.0  # not Sunday in UTC
    assert by_slot[2, "23:45"] == 0.0 and by_slot[3, "00:30"] == 0.0  # outside the window
