"""What a supervisor would ask of a demo run, counted from AMI events alone (pure).

The tally sees only what any AMI client sees: app_queue's events. It knows nothing
of the simulator, so the same counts come out of a real Asterisk.
"""

# test-case-name: tests.unit.test_demo_tally

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import mean
from typing import Any

from switchboard.cti.ami.frames import Message


@dataclass
class QueueFigures:
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    answered_in_sl: int = 0
    ring_no_answer: int = 0
    waits_s: list[int] = field(default_factory=list)  # HoldTime of answered calls
    talks_s: list[int] = field(default_factory=list)

    def as_dict(self, service_level_s: int) -> dict[str, Any]:
        return {
            "offered": self.offered,
            "answered": self.answered,
            "abandoned": self.abandoned,
            "ring_no_answer": self.ring_no_answer,
            f"service_level_{service_level_s}s_pct": _pct(self.answered_in_sl, self.offered),
            "abandon_rate_pct": _pct(self.abandoned, self.offered),
            "asa_s": round(mean(self.waits_s), 1) if self.waits_s else None,
            "aht_s": round(mean(self.talks_s), 1) if self.talks_s else None,
        }


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _int(msg: Message, name: str) -> int:
    try:
        return int(msg.get(name) or 0)
    except ValueError:
        return 0


class CallTally:
    """Feed it every AMI event; ``observe`` returns a line worth printing, if any."""

    def __init__(self, service_level_s: int = 20) -> None:
        self.service_level_s = service_level_s
        self.queues: dict[str, QueueFigures] = {}

    def _queue(self, msg: Message) -> QueueFigures:
        return self.queues.setdefault(msg.get("Queue") or "?", QueueFigures())

    def observe(self, msg: Message) -> str | None:
        event = msg.event
        caller = msg.get("CallerIDNum")
        if event == "QueueCallerJoin":
            self._queue(msg).offered += 1
            return f"{caller} waits in {msg.get('Queue')} (position {msg.get('Position')})"
        if event == "AgentConnect":
            figures, hold = self._queue(msg), _int(msg, "HoldTime")
            figures.answered += 1
            figures.waits_s.append(hold)
            figures.answered_in_sl += hold <= self.service_level_s
            return f"{caller} answered by {msg.get('MemberName')} after {hold} s"
        if event == "QueueCallerAbandon":
            self._queue(msg).abandoned += 1
            return f"{caller} abandoned {msg.get('Queue')} after {_int(msg, 'HoldTime')} s"
        if event == "AgentComplete":
            self._queue(msg).talks_s.append(_int(msg, "TalkTime"))
            return None
        if event == "AgentRingNoAnswer":
            self._queue(msg).ring_no_answer += 1
            return f"{msg.get('MemberName')} did not answer {caller}"
        return None

    def summary(self) -> dict[str, Any]:
        return {
            name: figures.as_dict(self.service_level_s)
            for name, figures in sorted(self.queues.items())
        }
