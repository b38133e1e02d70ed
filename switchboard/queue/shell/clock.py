# -*- test-case-name: tests.queue.test_service -*-
"""A clock whose seconds run ``speed`` times faster than the one it wraps.

The ACD reads time only through an injected ``IReactorTime``. In production that is the
reactor itself; where a whole site runs compressed in time (the demo, load tests) the
ACD gets a :class:`ScaledClock`, so that queue durations (ring timeouts, wrap-ups,
service-level targets) are counted in the same seconds as the PBX's.

Scaling a delay down and the elapsed time back up rounds: a timer could fire with
``seconds()`` a hair before the time it was set for. This clock keeps that promise itself
(``seconds()`` is never earlier than the due time of a timer that fired), so code reading
it (the ACD's shell) needs no allowance for scaled time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from twisted.internet.interfaces import IDelayedCall, IReactorTime
from zope.interface import implementer

__all__ = ["ScaledClock"]


@implementer(IReactorTime)
class ScaledClock:
    """``seconds()`` = ``epoch`` + elapsed inner seconds × ``speed``; delays shrink to match."""

    def __init__(self, inner: IReactorTime, speed: float = 1.0, epoch: float | None = None) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be positive, not {speed!r}")
        self._inner = inner
        self.speed = speed
        self._t0: float = inner.seconds()  # type: ignore[misc]  # zope attribute
        self.epoch = self._t0 if epoch is None else epoch
        self._floor = self.epoch  # the due time of the latest timer fired

    def seconds(self) -> float:
        inner: float = self._inner.seconds()  # type: ignore[misc]
        return max(self._floor, self.epoch + (inner - self._t0) * self.speed)

    def callLater(
        self, delay: float, callable: Callable[..., Any], *args: object, **kw: object
    ) -> IDelayedCall:
        delay = max(0.0, delay)
        due = self.seconds() + delay

        def fire() -> None:
            self._floor = max(self._floor, due)  # rounding must not make it early
            callable(*args, **kw)

        return self._inner.callLater(delay / self.speed, fire)  # type: ignore[misc,arg-type,no-any-return]

    def getDelayedCalls(self) -> list[IDelayedCall]:
        return list(self._inner.getDelayedCalls())  # type: ignore[misc,arg-type]
