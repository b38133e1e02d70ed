# -*- test-case-name: tests.wallboard.test_board -*-
"""Today's 15-minute series per queue: service level and the most calls waiting at once.

An interval's service level counts the calls answered or abandoned in it, by the same
rules as the live figures (:func:`~switchboard.queue.core.stats.queue_delta`,
:func:`~switchboard.queue.core.stats.queue_figures`); its "waiting" is the peak number of
callers waiting at any moment of it. Pure: facts in time order, ``now`` passed in.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any, Final

from switchboard.queue.core._windows import midnight
from switchboard.queue.core.decisions import Fact
from switchboard.queue.core.model import Queue
from switchboard.queue.core.stats import QUEUE_WIDTH, queue_delta, queue_figures

__all__ = ["STEP_S", "DaySeries"]

STEP_S: Final = 900.0  # 15 minutes


class _QueueSeries:
    def __init__(self) -> None:
        self.counts: dict[int, list[float]] = {}
        self.peak: dict[int, int] = {}
        self.last: dict[int, int] = {}  # callers waiting after the interval's last fact


class DaySeries:
    """Per queue and interval of today: counters and the peak of calls waiting."""

    def __init__(self, timezone: tzinfo) -> None:
        self._tz = timezone
        self.day_start = float("-inf")
        self._queues: dict[str, _QueueSeries] = {}

    def _roll(self, at: float) -> None:
        day = midnight(at, self._tz)
        if day > self.day_start:
            self.day_start, self._queues = day, {}

    def _index(self, at: float) -> int:
        return int((at - self.day_start) // STEP_S)

    def add(self, fact: Fact, queue: Queue, waiting_now: int) -> None:
        """Count ``fact`` of ``queue``; ``waiting_now``: the queue's callers after it."""
        self._roll(fact.at)
        if fact.at < self.day_start:
            return
        series = self._queues.setdefault(queue.name, _QueueSeries())
        index = self._index(fact.at)
        if (delta := queue_delta(fact, queue)) is not None:
            sums = series.counts.setdefault(index, [0.0] * QUEUE_WIDTH)
            for i, value in enumerate(delta):
                sums[i] += value
        series.peak[index] = max(series.peak.get(index, 0), waiting_now)
        series.last[index] = waiting_now

    def json(self, queue: str, now: float, waiting_now: int) -> dict[str, Any]:
        """Every interval of today up to ``now``: ``service_level_pct`` (null when no call
        counted) and ``waiting`` (the peak; callers still waiting from an earlier interval
        count in each one they wait through)."""
        self._roll(now)
        series = self._queues.get(queue, _QueueSeries())
        last = self._index(now)
        levels: list[float | None] = []
        waiting: list[int] = []
        carried = 0
        for index in range(last + 1):
            counts = series.counts.get(index)
            levels.append(queue_figures(counts).service_level_pct if counts else None)
            # Callers waiting when the interval began count in its peak too.
            waiting.append(max(carried, series.peak.get(index, 0)))
            carried = series.last.get(index, carried)
        if waiting:
            waiting[-1] = max(waiting[-1], waiting_now)
        return {
            "start": self.day_start,
            "step_s": STEP_S,
            "service_level_pct": levels,
            "waiting": waiting,
        }
