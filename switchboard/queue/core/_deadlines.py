# -*- test-case-name: tests.queue.test_router,tests.queue.test_properties -*-
"""The router's timers as typed values, and the one rule that makes an old timer void.

A deadline is set *for* something that may end before the deadline falls due: a call's
stay in a queue, a caller's wait on the line, an offer ringing, a callback parked until
its next attempt, an agent's wrap-up. That something is the deadline's :class:`Scope`.
Entering a scope gives the call or agent a fresh token for it (:meth:`Tokens.open`, with
a token unique in the router, so a call id used again cannot revive an old timer),
leaving it closes the token (:meth:`Tokens.close`), and every deadline carries the token
it was set with. The one staleness rule (:func:`is_live`): a deadline applies only while its
subject still holds that very token for its scope.

Whether a live deadline still has something to do (an announcement while the call is
being offered, say) is for the router to decide; staleness is decided here only.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from enum import Enum
from typing import ClassVar

__all__ = [
    "AnnounceDue",
    "CallDeadline",
    "CallbackDue",
    "CallbackOfferDue",
    "CallbackWindowEnd",
    "Deadline",
    "LanguageLapse",
    "MaxWait",
    "OverflowStage",
    "RingTimeout",
    "Scope",
    "Timers",
    "Tokens",
    "WrapUpOver",
    "is_live",
]


class Scope(Enum):
    """What a deadline was set for; it dies with it."""

    VISIT = "visit"  # the call's stay in one queue (widening its reach)
    ON_LINE = "on_line"  # that stay while the caller is on the line (not a callback)
    OFFER = "offer"  # one offer ringing an agent, or one callback being dialled
    PARKED = "parked"  # a callback waiting for its window or its next attempt
    CALLBACK = "callback"  # a callback's window, from the request on
    WRAP_UP = "wrap_up"  # an agent's wrap-up after a call


@dataclass(slots=True)
class Tokens:
    """The token a call or an agent holds for each scope it is in."""

    _held: dict[Scope, int] = field(default_factory=dict)

    def open(self, scope: Scope, token: int) -> int:
        """Enter ``scope`` afresh with ``token``: deadlines of an earlier entry become void."""
        self._held[scope] = token
        return token

    def close(self, scope: Scope) -> None:
        self._held.pop(scope, None)

    def holds(self, scope: Scope, token: int) -> bool:
        return self._held.get(scope) == token


# -- call deadlines -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RingTimeout:
    """The agent did not answer (or the callback's dial ran out) in time."""

    call_id: str
    token: int
    scope: ClassVar[Scope] = Scope.OFFER


@dataclass(frozen=True, slots=True)
class OverflowStage:
    """The queue's overflow rule number ``stage`` (1-based) widens who may take the call."""

    call_id: str
    stage: int
    token: int
    scope: ClassVar[Scope] = Scope.VISIT


@dataclass(frozen=True, slots=True)
class LanguageLapse:
    """The caller waited long enough for an agent speaking their language (PREFER)."""

    call_id: str
    token: int
    scope: ClassVar[Scope] = Scope.VISIT


@dataclass(frozen=True, slots=True)
class MaxWait:
    """The caller waited the queue's maximum: off to the fallback."""

    call_id: str
    token: int
    scope: ClassVar[Scope] = Scope.ON_LINE


@dataclass(frozen=True, slots=True)
class AnnounceDue:
    """Time to tell the caller their position and expected wait."""

    call_id: str
    token: int
    scope: ClassVar[Scope] = Scope.ON_LINE


@dataclass(frozen=True, slots=True)
class CallbackOfferDue:
    """Time to offer the caller a callback that keeps their place."""

    call_id: str
    token: int
    scope: ClassVar[Scope] = Scope.ON_LINE


@dataclass(frozen=True, slots=True)
class CallbackDue:
    """A parked callback's window opened, or its retry delay passed: dial again."""

    call_id: str
    token: int
    scope: ClassVar[Scope] = Scope.PARKED


@dataclass(frozen=True, slots=True)
class CallbackWindowEnd:
    """The callback's window closed: a callback not being dialled is given up."""

    call_id: str
    token: int
    scope: ClassVar[Scope] = Scope.CALLBACK


CallDeadline = (
    RingTimeout
    | OverflowStage
    | LanguageLapse
    | MaxWait
    | AnnounceDue
    | CallbackOfferDue
    | CallbackDue
    | CallbackWindowEnd
)


# -- agent deadlines ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class WrapUpOver:
    """The agent's wrap-up time is over."""

    agent_id: str
    token: int
    scope: ClassVar[Scope] = Scope.WRAP_UP


Deadline = CallDeadline | WrapUpOver


def is_live(deadline: Deadline, tokens: Tokens | None) -> bool:
    """The one staleness rule: the subject (``None``: gone) still holds the token."""
    return tokens is not None and tokens.holds(deadline.scope, deadline.token)


class Timers:
    """The router's deadlines in one heap, and the counters that order its decisions."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Deadline]] = []
        self._seq = 0
        self._last_token = 0

    def ordinal(self) -> int:
        """The next number of one sequence: arrivals, offers and timers keep their order."""
        self._seq += 1
        return self._seq

    def open(self, tokens: Tokens, scope: Scope) -> int:
        """A token, unique in this router, for deadlines set for ``scope`` from now on."""
        self._last_token += 1
        return tokens.open(scope, self._last_token)

    def schedule(self, at: float, deadline: Deadline) -> None:
        heapq.heappush(self._heap, (at, self.ordinal(), deadline))

    def next_at(self) -> float | None:
        return self._heap[0][0] if self._heap else None

    def pop_due(self, now: float) -> Deadline | None:
        """The earliest deadline due by ``now`` (live or stale), or None."""
        if self._heap and self._heap[0][0] <= now:
            return heapq.heappop(self._heap)[2]
        return None
