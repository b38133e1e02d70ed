"""What a supervisor would ask of a demo run, counted from the ACD's facts (pure).

The tally adds up the same per-fact increments as the live statistics
(:func:`switchboard.queue.core.stats.queue_delta`), without time windows: the whole run, per
queue. It sees only router facts, so it knows nothing of the simulator.
"""

# test-case-name: tests.unit.test_demo_tally

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from switchboard.queue.core.decisions import Fact
from switchboard.queue.core.model import Queue
from switchboard.queue.core.stats import QUEUE_WIDTH, queue_delta, queue_figures

__all__ = ["FactTally", "summary_line"]


class FactTally:
    """Feed it every router fact; ``summary()`` gives the figures per queue."""

    def __init__(self, queues: Iterable[Queue]) -> None:
        self._queues = {q.name: q for q in queues}
        self._totals = {name: [0.0] * QUEUE_WIDTH for name in self._queues}

    def observe(self, fact: Fact) -> None:
        name = getattr(fact, "queue", None)
        queue = self._queues.get(name) if isinstance(name, str) else None
        if queue is None:
            return
        delta = queue_delta(fact, queue)
        if delta is not None:
            totals = self._totals[queue.name]
            for i, value in enumerate(delta):
                totals[i] += value

    def summary(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for name, totals in sorted(self._totals.items()):
            f = queue_figures([round(x, 6) for x in totals])
            out[name] = {
                "offered": f.offered,
                "answered": f.answered,
                "abandoned": f.abandoned,
                "short_abandons": f.short_abandons,
                "callbacks": f.callbacks_requested,
                "called_back": f.called_back,
                "callbacks_unreached": f.callbacks_unreached,
                "overflowed": f.overflowed,
                "voicemail": f.voicemail,
                "service_level_pct": _round(f.service_level_pct),
                "service_level_s": self._queues[name].service_level_s,
                "asa_s": _round(f.asa_s),
                "aht_s": _round(f.aht_s),
            }
        return out


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def summary_line(summary: Mapping[str, Mapping[str, Any]], waiting: Mapping[str, int]) -> str:
    """One line for the live view: per queue waiting, answered, abandoned, SL, ASA."""
    parts = []
    for name, q in summary.items():
        sl = q["service_level_pct"]
        parts.append(
            f"{name}: waiting {waiting.get(name, 0)}, answered {q['answered']}, "
            f"abandoned {q['abandoned']}, callbacks {q['callbacks']}, "
            f"SL {'-' if sl is None else f'{sl:.0f}%'}, ASA {_secs(q['asa_s'])}"
        )
    return " | ".join(parts)


def _secs(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}s"
