# -*- test-case-name: tests.ivr.test_engine -*-
"""The engine's state of one call, and the trace it leaves (immutable values)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

__all__ = ["CallInfo", "CallState", "Frame", "TraceEntry"]


def _empty() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class CallInfo:
    """What is known of the call when the IVR starts (from the AGI environment)."""

    call_id: str
    channel: str = ""
    caller_number: str = ""
    caller_name: str = ""
    dnid: str = ""
    language: str = ""
    args: tuple[str, ...] = ()
    query: Mapping[str, str] = field(default_factory=_empty)

    def variables(self) -> dict[str, str]:
        values = {
            "call_id": self.call_id,
            "uniqueid": self.call_id,
            "channel": self.channel,
            "caller_number": self.caller_number,
            "caller_name": self.caller_name,
            "dnid": self.dnid,
            # The line's own language, as Asterisk has it on the channel; ``language``
            # is the caller's choice, which may differ.
            "channel_language": self.language,
        }
        values.update({f"arg{n}": arg for n, arg in enumerate(self.args, 1)})
        values.update({f"query.{k}": v for k, v in self.query.items()})
        return values


@dataclass(frozen=True, slots=True)
class TraceEntry:
    """One thing that happened: ``t_ms`` after the IVR started, in ``flow``/``step``."""

    t_ms: int
    flow: str
    step: str
    event: str
    data: Mapping[str, Any] = field(default_factory=_empty)

    def to_json(self) -> dict[str, Any]:
        return {
            "t_ms": self.t_ms,
            "flow": self.flow,
            "step": self.step,
            "event": self.event,
            **({"data": dict(self.data)} if self.data else {}),
        }


@dataclass(frozen=True, slots=True)
class Frame:
    """Where to go back to when a called flow ends."""

    flow: str
    next: str | None


@dataclass(frozen=True, slots=True)
class CallState:
    """Everything the engine needs to go on with one call; never mutated, only replaced.

    ``stage``/``index``/``attempts``/``buffer``/``failure`` are the current step's
    progress; ``pending`` holds type-ahead digits (pressed during a prompt) that the next
    input step consumes; ``digits`` is every digit the caller pressed, in order.
    """

    call_id: str
    entry_flow: str
    flow: str
    started: float
    variables: Mapping[str, str]
    language: str = ""
    step: str = ""
    stage: str = ""
    index: int = 0
    attempts: int = 0
    buffer: str = ""
    failure: str = ""
    pending: str = ""
    digits: str = ""
    stack: tuple[Frame, ...] = ()
    trace: tuple[TraceEntry, ...] = ()
    queue: str = ""
    customer_id: int | None = None
    outcome: str = ""
    ended: float | None = None

    @property
    def finished(self) -> bool:
        return bool(self.outcome)
