# -*- test-case-name: tests.queue.test_stats -*-
"""Sums over time windows, kept up to date one event at a time.

A :class:`WindowedSums` holds a vector of counters three ways: since the site's midnight,
over the last 15 minutes and over the last hour. An event at ``at`` counts in a rolling
window of length W at ``now`` when ``now - W < at <= now``, and in *today* when ``at`` is
at or after today's midnight. Events must come in time order (the router's do).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Final

__all__ = ["WINDOWS", "WindowedSums", "midnight"]

# name -> length in seconds (None: since midnight)
WINDOWS: Final[dict[str, float | None]] = {"today": None, "15m": 900.0, "1h": 3600.0}


def midnight(now: float, tz: tzinfo) -> float:
    """Epoch seconds of the most recent local midnight in ``tz``."""
    local = datetime.fromtimestamp(now, tz)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()


class WindowedSums:
    def __init__(self, width: int) -> None:
        self.width = width
        self.day_start = float("-inf")
        self.today = [0.0] * width
        self._rolling: dict[str, tuple[float, list[float], deque[tuple[float, Sequence[float]]]]]
        self._rolling = {
            name: (length, [0.0] * width, deque())
            for name, length in WINDOWS.items()
            if length is not None
        }

    def add(self, at: float, delta: Sequence[float], day_start: float) -> None:
        self.roll_day(day_start)
        if at >= self.day_start:
            for i, value in enumerate(delta):
                self.today[i] += value
        for _length, totals, events in self._rolling.values():
            events.append((at, delta))
            for i, value in enumerate(delta):
                totals[i] += value

    def roll_day(self, day_start: float) -> None:
        if day_start > self.day_start:
            self.day_start = day_start
            self.today = [0.0] * self.width

    def totals(self, window: str, now: float, day_start: float) -> list[float]:
        self.roll_day(day_start)
        if window == "today":
            return list(self.today)
        length, totals, events = self._rolling[window]
        while events and events[0][0] <= now - length:
            _at, delta = events.popleft()
            for i, value in enumerate(delta):
                totals[i] -= value
        # Integer counts stay exact; sums of seconds lose nothing worth showing.
        return [round(value, 6) for value in totals]
