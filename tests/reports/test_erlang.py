"""Erlang C against published worked examples, and the properties any staffing model keeps.

Sources (the figures below are theirs, not ours):

* Call Centre Helper, "Erlang C Formula - Made Simple With an Easy Worked Example",
  https://www.callcentrehelper.com/erlang-c-formula-example-121281.htm : 100 calls per
  30 minutes, AHT 180 s, 80% answered in 20 s, occupancy at most 85%, shrinkage 30%. Its
  results as published by two independent implementations of it:
  the R package ErlangC 0.1.0 (CRAN; https://rdocumentation.org/packages/ErlangC/versions/0.1.0):
  10 erlangs, 14 agents, wait probability 0.1741319, service level 0.88835, ASA
  7.83593701177724 s, occupancy 0.7142857, and 0.6821182 as the wait probability of the
  first candidate (11 agents); and pyworkforce 0.1.0 (https://pypi.org/project/pyworkforce/0.1.0/):
  raw_positions 14, positions 20 (after the 30% shrinkage), service_level
  0.8883500191794669, occupancy 0.7142857142857143, waiting_probability 0.1741319335950498.
* Avaya, "Basic Call Management System (BCMS) Operations", 07-300061 Issue 5.0, May 2005,
  "Engineering ACD applications with report data" (pp. 107-112): the 60-second average
  service time engineering table, whose rows give the calls per hour that the agents
  answer with 90 percent of the calls answered before the delay: 5 agents carry 186, 197
  and 202 calls per hour at 30, 40 and 45 seconds, 6 agents 238, 251 and 257.
"""

from __future__ import annotations

import math
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from switchboard.reports.erlang import (
    Target,
    TargetProblem,
    agents_needed,
    average_speed_of_answer,
    erlang_b,
    occupancy,
    service_level,
    staffing_for,
    wait_probability,
)

EIGHTY_TWENTY = Target(0.8, 20.0)


def test_call_centre_helper_worked_example() -> None:
    traffic = 100 * 180 / (30 * 60)
    assert traffic == 10.0
    assert wait_probability(11, traffic) == pytest.approx(0.6821182, abs=1e-7)
    plan = agents_needed(traffic, 180, EIGHTY_TWENTY, max_occupancy=0.85, shrinkage=0.3)
    assert (plan.agents, plan.scheduled) == (14, 20)
    assert plan.wait_probability == pytest.approx(0.1741319335950498, abs=1e-12)
    assert plan.service_level == pytest.approx(0.8883500191794669, abs=1e-12)
    assert plan.asa_s == pytest.approx(7.83593701177724, abs=1e-9)
    assert plan.occupancy == pytest.approx(0.7142857142857143, abs=1e-12)
    # The same figures asked for 14 agents directly.
    assert service_level(14, traffic, 180, 20) == pytest.approx(0.88835, abs=1e-5)
    assert average_speed_of_answer(14, traffic, 180) == pytest.approx(7.8359, abs=1e-4)
    assert occupancy(14, traffic) == pytest.approx(10 / 14)


@pytest.mark.parametrize(
    ("agents", "calls_per_hour", "delay_s"),
    [(5, 186, 30), (5, 197, 40), (5, 202, 45), (6, 238, 30), (6, 251, 40), (6, 257, 45)],
)
def test_avaya_bcms_engineering_table_60_second_service_time(
    agents: int, calls_per_hour: int, delay_s: int
) -> None:
    # The table's calls per hour are whole calls, so the service level is 90% to within
    # the rounding of one call.
    traffic = calls_per_hour * 60 / 3600
    assert service_level(agents, traffic, 60, delay_s) == pytest.approx(0.90, abs=0.002)
    # Five calls an hour more would miss 90%: the rows are the most those agents carry.
    assert service_level(agents, (calls_per_hour + 5) * 60 / 3600, 60, delay_s) < 0.90


def _erlang_c_by_factorials(agents: int, traffic: float) -> float:
    """The textbook sum, for small numbers only: the check on the recursion."""
    top = traffic**agents / math.factorial(agents) * agents / (agents - traffic)
    below = sum(traffic**k / math.factorial(k) for k in range(agents))
    return top / (below + top)


@given(
    traffic=st.floats(min_value=0.05, max_value=60, allow_nan=False),
    extra=st.integers(min_value=1, max_value=25),
)
def test_the_recursion_agrees_with_the_textbook_sum(traffic: float, extra: int) -> None:
    agents = math.floor(traffic) + extra
    assert wait_probability(agents, traffic) == pytest.approx(
        _erlang_c_by_factorials(agents, traffic), rel=1e-9
    )


def test_large_traffic_stays_finite_and_sensible() -> None:
    # 20,000 erlangs: 20000**20000 overflows any float; the recursion does not.
    plan = agents_needed(20_000, 300, EIGHTY_TWENTY, max_occupancy=1.0)
    assert 20_000 < plan.agents < 20_200
    assert 0.8 <= plan.service_level < 1
    assert 0 < erlang_b(plan.agents, 20_000) < 1


@given(
    traffic=st.floats(min_value=0.1, max_value=300, allow_nan=False),
    aht=st.floats(min_value=10, max_value=1200, allow_nan=False),
    answer=st.floats(min_value=0, max_value=120, allow_nan=False),
)
def test_service_level_grows_with_agents(traffic: float, aht: float, answer: float) -> None:
    first = math.floor(traffic) + 1
    levels = [service_level(n, traffic, aht, answer) for n in range(first, first + 30)]
    assert all(a <= b + 1e-12 for a, b in pairwise(levels))
    assert levels[0] >= 0 and levels[-1] <= 1


@given(
    traffic=st.floats(min_value=0.1, max_value=400, allow_nan=False),
    more=st.floats(min_value=0.01, max_value=50, allow_nan=False),
    level=st.floats(min_value=0.5, max_value=0.99),
    shrinkage=st.floats(min_value=0, max_value=0.6),
)
def test_more_traffic_never_needs_fewer_agents(
    traffic: float, more: float, level: float, shrinkage: float
) -> None:
    target = Target(level, 20.0)
    fewer = agents_needed(traffic, 180, target, max_occupancy=0.85, shrinkage=shrinkage)
    busier = agents_needed(traffic + more, 180, target, max_occupancy=0.85, shrinkage=shrinkage)
    assert busier.agents >= fewer.agents and busier.scheduled >= fewer.scheduled
    # The answer is the fewest: one agent less misses the target or the cap.
    short = staffing_for(fewer.agents - 1, traffic, 180, target)
    assert short.service_level < level or short.occupancy > 0.85 or fewer.agents - 1 <= traffic


def test_the_occupancy_cap_adds_agents_the_service_level_alone_would_not() -> None:
    # A long answer time is met by few agents; the cap keeps them from running flat out.
    loose = agents_needed(50, 180, Target(0.8, 600), max_occupancy=1.0)
    capped = agents_needed(50, 180, Target(0.8, 600), max_occupancy=0.85)
    assert loose.occupancy > 0.85
    assert capped.agents == math.ceil(50 / 0.85) and capped.occupancy <= 0.85


def test_no_traffic_needs_nobody() -> None:
    plan = agents_needed(0.0, 180, EIGHTY_TWENTY, max_occupancy=0.85, shrinkage=0.3)
    assert (plan.agents, plan.scheduled, plan.service_level, plan.asa_s) == (0, 0, 1.0, 0.0)


def test_too_few_agents_never_catch_up() -> None:
    assert wait_probability(10, 10.0) == 1.0
    assert service_level(9, 10.0, 180, 20) == 0.0
    assert average_speed_of_answer(10, 10.0, 180) == math.inf


@pytest.mark.parametrize(
    ("text", "fix"),
    [
        ("80", "write PERCENT/SECONDS, such as 80/20"),
        ("eighty/20", "write PERCENT/SECONDS"),
        ("100/20", "give more than 0 and less than 100"),
        ("80/-5", "give 0 seconds or more"),
    ],
)
def test_a_bad_target_names_the_fix(text: str, fix: str) -> None:
    with pytest.raises(TargetProblem, match=fix):
        Target.parse(text)


def test_targets_read_as_written() -> None:
    assert Target.parse("90/15") == Target(0.9, 15.0)
    assert str(Target.parse("80/20")) == "80/20"


@pytest.mark.parametrize(
    ("occupancy_cap", "shrinkage", "fix"),
    [(0.85, 1.2, "shrinkage 1.2: give a fraction"), (1.5, 0.3, "maximum occupancy 1.5")],
)
def test_impossible_plans_name_the_fix(occupancy_cap: float, shrinkage: float, fix: str) -> None:
    with pytest.raises(TargetProblem, match=fix):
        agents_needed(10, 180, EIGHTY_TWENTY, max_occupancy=occupancy_cap, shrinkage=shrinkage)
