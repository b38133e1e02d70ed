# -*- test-case-name: tests.unit.test_hub_payloads -*-
"""Payloads that belong to the hub itself rather than to the area that publishes them.

The router's facts (:mod:`switchboard.queue.core.decisions`) and the queue figures
(:class:`switchboard.queue.core.stats.QueueSnapshot`) are published as they are; the screen pop
is assembled by the publisher from several of its own records, so its form is defined here,
where every publisher (the ACD now, the app_queue tracker next) and every subscriber finds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

__all__ = ["RECORDING_STATES", "DispositionSaved", "Offered", "RecordingState"]


def _no_extra() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Offered:
    """The screen pop: an agent's device is offered a call (live or a callback attempt)."""

    call_id: str
    agent_id: str
    device: str
    queue: str
    at: float
    caller_number: str = ""
    ivr_ref: str = ""
    callback: bool = False
    attempt: int = 0  # the callback attempt (1, 2 ...); 0 for a live caller
    extra: Mapping[str, str] = field(default_factory=_no_extra)


RECORDING_STATES: Final = ("recording", "paused", "off")


@dataclass(frozen=True, slots=True)
class RecordingState:
    """Whether an answered call is being recorded: ``recording``, ``paused`` (muted for
    sensitive input; silence is written) or ``off``; published by the recorder when the
    agent answers and at each change, for the agent's seat."""

    call_id: str  # the queue's call id, as in the facts and the pop
    agent_id: str
    state: str  # one of RECORDING_STATES
    at: float


@dataclass(frozen=True, slots=True)
class DispositionSaved:
    """An agent saved a disposition for a call (the seat; a correction is a new one, and
    the newest counts): for the areas that file the call under it, such as the recorder."""

    call_id: str  # the queue's call id, as in the facts and the pop
    agent_id: str
    queue: str
    code: str
    at: float
