# -*- test-case-name: tests.unit.test_agi_session -*-
"""One DelayedCall standing in for a deadline that moves all the time.

A FastAGI connection has a deadline at every moment: the environment must arrive, the
command in flight must be answered, an idle session must end. Scheduling and cancelling a
DelayedCall for each of those costs a heap push and a later clean-up in the reactor, for
timers that almost never fire. A :class:`LazyTimer` is set for the earliest deadline so
far; moving a deadline later costs nothing, and when the timer fires its target checks
what is actually due and sets it again for the rest. The protocol hands the timer it used
for the environment on to the session, so a short call makes one DelayedCall in all.
"""

from __future__ import annotations

from collections.abc import Callable
from math import inf

from twisted.internet.interfaces import IDelayedCall, IReactorTime

__all__ = ["LazyTimer"]


def _nothing() -> None:
    pass


class LazyTimer:
    """Calls ``target`` no later than the earliest time passed to :meth:`fire_by`.

    ``at`` is when it will fire (``inf`` when it is not set). It may fire before the
    target's own deadline; the target then calls :meth:`fire_by` for the remainder.
    """

    __slots__ = ("_call", "_clock", "at", "target")

    def __init__(self, clock: IReactorTime, target: Callable[[], None]) -> None:
        self._clock = clock
        self._call: IDelayedCall | None = None
        self.at = inf
        self.target = target

    def fire_by(self, at: float, now: float) -> None:
        """Fire no later than ``at`` (clock time); a timer set for sooner is left alone."""
        if at >= self.at:
            return
        if self._call is not None:
            self._call.cancel()
        self._call = self._clock.callLater(max(at - now, 0.0), self._fired)
        self.at = at

    def cancel(self) -> None:
        """Stop for good. Dropping the target breaks the owner -> timer -> owner cycle, so
        a finished session is freed at once by reference counting, not by the cyclic GC."""
        call, self._call, self.at = self._call, None, inf
        self.target = _nothing
        if call is not None and call.active():
            call.cancel()

    def _fired(self) -> None:
        self._call, self.at = None, inf
        self.target()
