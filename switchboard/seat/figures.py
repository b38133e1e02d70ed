# -*- test-case-name: tests.seat.test_figures -*-
"""An agent's own figures for today: calls handled, average handle time, missed offers,
time not ready by reason. Pure: facts in, numbers out, ``now`` passed in.

The figures are the stored records of today before the seat started (a
:class:`~switchboard.seat.lookup.Baseline`, read once a day per agent) plus the facts the
seat heard since; the two never overlap, so nothing is counted twice and a restart of
switchboard loses nothing that was stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from switchboard.queue.core.decisions import AgentStateChanged, CallHandled, OfferEnded
from switchboard.queue.core.model import AgentState
from switchboard.seat.lookup import MISSED_RESULTS, Baseline

__all__ = ["LiveTally", "day_start", "figures_json"]


def day_start(now: float, zone: ZoneInfo) -> float:
    """Epoch seconds of the last midnight in ``zone`` at or before ``now``."""
    local = datetime.fromtimestamp(now, zone)
    midnight = datetime(local.year, local.month, local.day, tzinfo=zone)
    return midnight.timestamp()


@dataclass(slots=True)
class LiveTally:
    """One agent's facts since the seat started (older than today's start are dropped)."""

    handled: list[tuple[float, float]] = field(default_factory=list)  # (at, talk + wrap)
    missed: list[float] = field(default_factory=list)
    pauses: list[tuple[str, float, float]] = field(default_factory=list)  # reason, from, to
    open_pause: tuple[str, float] | None = None  # reason, since

    def apply(self, fact: AgentStateChanged | CallHandled | OfferEnded, started: float) -> bool:
        """Count ``fact`` (one of this agent's); whether the figures changed.
        ``started``: when the seat began listening (a pause open then began no later)."""
        if isinstance(fact, CallHandled):
            self.handled.append((fact.at, fact.talk_s + fact.wrap_s))
            return True
        if isinstance(fact, OfferEnded):
            if fact.result in MISSED_RESULTS:
                self.missed.append(fact.at)
                return True
            return False
        changed = False
        if fact.previous is AgentState.NOT_READY:
            reason, since = self.open_pause or (fact.reason or "unknown", started)
            self.pauses.append((reason, since, fact.at))
            self.open_pause, changed = None, True
        if fact.state is AgentState.NOT_READY:
            self.open_pause = (fact.reason or "unknown", fact.at)
        return changed

    def note_pause(self, reason: str, since: float) -> None:
        """The agent is paused since ``since`` (learnt from agent control, not from a fact)."""
        if self.open_pause is None:
            self.open_pause = (reason or "unknown", since)

    def forget_before(self, start: float) -> None:
        self.handled = [h for h in self.handled if h[0] >= start]
        self.missed = [m for m in self.missed if m >= start]
        self.pauses = [p for p in self.pauses if p[2] > start]


def figures_json(
    base: Baseline, tally: LiveTally, start: float, now: float, day: str
) -> dict[str, Any]:
    """Today's figures (``start``: midnight) as the ``figures`` message's fields."""
    handled = base.handled + sum(1 for at, _ in tally.handled if at >= start)
    handle_s = base.handle_s + sum(s for at, s in tally.handled if at >= start)
    missed = base.missed + sum(1 for at in tally.missed if at >= start)
    not_ready = dict(base.not_ready_s)
    stretches = list(tally.pauses)
    if tally.open_pause is not None:
        stretches.append((*tally.open_pause, now))
    for reason, since, until in stretches:
        seconds = min(until, now) - max(since, start)
        if seconds > 0:
            not_ready[reason] = not_ready.get(reason, 0.0) + seconds
    return {
        "day": day,
        "calls_handled": handled,
        "aht_s": round(handle_s / handled, 1) if handled else None,
        "missed_offers": missed,
        "not_ready_s": {reason: round(s, 1) for reason, s in sorted(not_ready.items())},
        "not_ready_total_s": round(sum(not_ready.values()), 1),
    }
