# -*- test-case-name: tests.reports.test_erlang -*-
"""Erlang C (M/M/N: Poisson arrivals, exponential handle times, nobody abandons): the
chance a caller waits, the service level, ASA and occupancy for N agents, and the fewest
agents that reach a service-level target under an occupancy cap, grossed up for shrinkage.

Traffic is in erlangs (arrival rate x average handle time, in one time unit). Erlang C
is derived from Erlang B, built by its recursion ``B(k) = A·B(k-1) / (k + A·B(k-1))``:
no factorial or power of A, so it stays exact to float precision for thousands of agents.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "Staffing",
    "Target",
    "TargetProblem",
    "agents_needed",
    "average_speed_of_answer",
    "erlang_b",
    "occupancy",
    "service_level",
    "staffing_for",
    "wait_probability",
]

# ceil(14 / 0.7) is 21 in floats (14 / 0.7 = 20.000000000000004): a whole agent for a
# rounding error.
_ROUNDING = 1e-9


class TargetProblem(ValueError):
    """A target, shrinkage or occupancy cap that cannot be planned for; says the fix."""


@dataclass(frozen=True)
class Target:
    """``level`` of the calls answered within ``answer_s`` seconds (80/20: 0.8, 20.0)."""

    level: float
    answer_s: float

    def __post_init__(self) -> None:
        if not 0 < self.level < 1:
            raise TargetProblem(
                f"service level {self.level * 100:g}%: give more than 0 and less than 100"
            )
        if not (self.answer_s >= 0 and math.isfinite(self.answer_s)):
            raise TargetProblem(f"answer time {self.answer_s:g} s: give 0 seconds or more")

    @classmethod
    def parse(cls, text: str) -> Target:
        """``80/20``: 80 % of the calls answered within 20 seconds."""
        level, slash, answer = text.partition("/")
        try:
            if not slash:
                raise ValueError
            parsed = cls(float(level) / 100, float(answer))
        except ValueError as exc:
            if isinstance(exc, TargetProblem):
                raise TargetProblem(f"target {text!r}: {exc}") from None
            raise TargetProblem(
                f"target {text!r}: write PERCENT/SECONDS, such as 80/20 (80% of the calls"
                " answered within 20 seconds)"
            ) from None
        return parsed

    def __str__(self) -> str:
        return f"{self.level * 100:g}/{self.answer_s:g}"


@dataclass(frozen=True)
class Staffing:
    """What ``agents`` on the phones give, and ``scheduled``: the agents to roster so that
    ``agents`` are on the phones after shrinkage."""

    agents: int
    scheduled: int
    wait_probability: float
    service_level: float
    asa_s: float
    occupancy: float


def erlang_b(agents: int, traffic: float) -> float:
    """The chance a call finds all ``agents`` busy when it is lost, not queued."""
    blocked = 1.0
    for k in range(1, agents + 1):
        blocked = traffic * blocked / (k + traffic * blocked)
    return blocked


def _erlang_c_from_b(agents: int, traffic: float, blocked: float) -> float:
    if agents <= traffic:
        return 1.0  # the queue grows without end: everybody waits
    return agents * blocked / (agents - traffic * (1 - blocked))


def wait_probability(agents: int, traffic: float) -> float:
    """Erlang C: the chance a caller is not answered at once and waits."""
    if traffic <= 0:
        return 0.0
    return _erlang_c_from_b(agents, traffic, erlang_b(agents, traffic))


def _service_level(agents: int, traffic: float, waits: float, aht_s: float, t_s: float) -> float:
    if traffic <= 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    return 1.0 - waits * math.exp(-(agents - traffic) * t_s / aht_s)


def service_level(agents: int, traffic: float, aht_s: float, target_s: float) -> float:
    """The share of the calls answered within ``target_s`` seconds."""
    return _service_level(agents, traffic, wait_probability(agents, traffic), aht_s, target_s)


def _asa(agents: int, traffic: float, waits: float, aht_s: float) -> float:
    if traffic <= 0:
        return 0.0
    if agents <= traffic:
        return math.inf
    return waits * aht_s / (agents - traffic)


def average_speed_of_answer(agents: int, traffic: float, aht_s: float) -> float:
    """The mean wait before an answer, over every call (those answered at once count 0)."""
    return _asa(agents, traffic, wait_probability(agents, traffic), aht_s)


def occupancy(agents: int, traffic: float) -> float:
    """The share of the agents' time spent handling calls (at most 1)."""
    if traffic <= 0 or agents <= 0:
        return 0.0
    return min(1.0, traffic / agents)


def _check_plan(max_occupancy: float, shrinkage: float) -> None:
    if not 0 < max_occupancy <= 1:
        raise TargetProblem(
            f"maximum occupancy {max_occupancy:g}: give a fraction above 0 and at most 1,"
            " such as 0.85"
        )
    if not 0 <= shrinkage < 1:
        raise TargetProblem(
            f"shrinkage {shrinkage:g}: give a fraction from 0 up to (not including) 1,"
            " such as 0.3 for 30%"
        )


def _scheduled(agents: int, shrinkage: float) -> int:
    return math.ceil(agents / (1 - shrinkage) - _ROUNDING) if agents else 0


def _staffing(
    agents: int, traffic: float, blocked: float, aht_s: float, target: Target, shrinkage: float
) -> Staffing:
    waits = _erlang_c_from_b(agents, traffic, blocked) if traffic > 0 else 0.0
    return Staffing(
        agents=agents,
        scheduled=_scheduled(agents, shrinkage),
        wait_probability=waits,
        service_level=_service_level(agents, traffic, waits, aht_s, target.answer_s),
        asa_s=_asa(agents, traffic, waits, aht_s),
        occupancy=occupancy(agents, traffic),
    )


def staffing_for(
    agents: int, traffic: float, aht_s: float, target: Target, shrinkage: float = 0.0
) -> Staffing:
    """The figures of exactly ``agents`` on the phones."""
    _check_plan(1.0, shrinkage)
    return _staffing(agents, traffic, erlang_b(agents, traffic), aht_s, target, shrinkage)


def agents_needed(
    traffic: float,
    aht_s: float,
    target: Target,
    *,
    max_occupancy: float = 1.0,
    shrinkage: float = 0.0,
) -> Staffing:
    """The fewest agents whose service level reaches ``target`` and whose occupancy is at
    most ``max_occupancy``; none for no traffic."""
    _check_plan(max_occupancy, shrinkage)
    if traffic < 0 or not math.isfinite(traffic):
        raise TargetProblem(f"traffic {traffic:g} erlangs: give 0 or more")
    if traffic == 0:
        return staffing_for(0, 0.0, aht_s, target, shrinkage)
    if aht_s <= 0:
        raise TargetProblem(f"average handle time {aht_s:g} s: give more than 0 seconds")
    # Fewer than this many would be busier than the cap (or could never catch up).
    floor = max(math.floor(traffic) + 1, math.ceil(traffic / max_occupancy - _ROUNDING))
    blocked, agents = 1.0, 0
    while True:  # Erlang B one agent at a time: each candidate costs O(1)
        agents += 1
        blocked = traffic * blocked / (agents + traffic * blocked)
        if agents < floor:
            continue
        staffing = _staffing(agents, traffic, blocked, aht_s, target, shrinkage)
        if staffing.service_level >= target.level - _ROUNDING:
            return staffing
