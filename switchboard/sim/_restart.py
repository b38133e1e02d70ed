# -*- test-case-name: tests.sim.test_reconnect,tests.sim.test_restart_loopback -*-
"""``core restart now``: the simulated Asterisk goes down and comes back on the same port.

What the ``ami-reconnect`` capture shows, from the moment the Command arrives (which
gets no response at all):

* every live channel gets ``SoftHangupRequest`` with ``Cause: 4`` within ms and the calls
  are torn down (``MusicOnHoldStop``, ``Hangup`` with ``Cause: 0``); a FastAGI session
  holding a caller gets ``HANGUP``;
* a Login in the meantime gets the banner, then ``Response: Error`` / ``Message:
  Asterisk is shutting down`` and the connection is closed;
* at +1.10 s every logged-in session gets ``Event: Shutdown`` (``Restart: True``), and at
  +1.13 s every AMI connection is closed, with no ``Goodbye``;
* at +1.50 s the new process accepts logins (``FullyBooted`` at once) with nothing of
  the old one left: no channels, no globals, uniqueids and Local pairs numbered afresh.

The times are simulated seconds (``RestartTiming``), so a fast simulator restarts fast.
``boot`` builds the new process's :class:`ActionHandler` (a fresh PBX and dialplan).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import structlog
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IDelayedCall, IReactorTime

from switchboard.sim._actions import ActionHandler
from switchboard.sim._shutdown import hang_up_everything
from switchboard.sim.ami import AmiServerFactory
from switchboard.sim.pbx import run_background

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class RestartTiming:
    """Simulated seconds after ``core restart now`` (the capture's values by default)."""

    shutdown_event_s: float = 1.10
    close_s: float = 1.13
    boot_s: float = 1.50
    hangup_grace_s: float = 1.0  # how long the old process waits for calls to end


class Restarter:
    """Runs ``core restart now`` for the AMI server ``factory``.

    Args:
        clock: the clock the PBX runs on.
        factory: the AMI server factory; its ``handler`` is swapped for the new process's.
        boot: builds the new process's action handler (fresh PBX and dialplan).
        speed: the PBX's time compression factor.
        timing: when each step happens, in simulated seconds.
        on_booted: told the new handler once it accepts logins.
    """

    def __init__(
        self,
        clock: IReactorTime,
        factory: AmiServerFactory[ActionHandler],
        boot: Callable[[], ActionHandler],
        *,
        speed: float = 1.0,
        timing: RestartTiming | None = None,
        on_booted: Callable[[ActionHandler], None] | None = None,
    ) -> None:
        self._clock = clock
        self._factory = factory
        self._boot = boot
        self._speed = speed
        self.timing = timing or RestartTiming()
        self._on_booted = on_booted
        self._timers: list[IDelayedCall] = []
        self.restarts = 0
        self.attach(factory.handler)

    @property
    def restarting(self) -> bool:
        return any(t.active() for t in self._timers)

    def attach(self, handler: ActionHandler) -> None:
        """Let ``handler``'s ``Command: core restart now`` restart the PBX."""
        handler.on_restart = self.restart

    def restart(self) -> None:
        """Start the restart (idempotent while one is under way)."""
        old = self._factory.handler
        if self.restarting or old.shutting_down:
            return
        old.shutting_down = True
        log.info("sim_restart_requested", channels=len(old.pbx.channels))
        t = self.timing
        d = Deferred.fromCoroutine(
            hang_up_everything(old.pbx, old.dialplan, t.hangup_grace_s / self._speed)
        )
        run_background(d, "restart_hangups")  # type: ignore[arg-type]
        self._later(t.shutdown_event_s, lambda: self._factory.broadcast_shutdown(restart=True))
        self._later(t.close_s, self._factory.close_all)
        self._later(t.boot_s, self._booted)

    def _later(self, sim_s: float, fn: Callable[[], object]) -> None:
        self._timers.append(self._clock.callLater(sim_s / self._speed, fn))

    def _booted(self) -> None:
        self._timers = [t for t in self._timers if t.active()]
        handler = self._boot()
        self.attach(handler)
        self._factory.handler = handler
        self.restarts += 1
        log.info("sim_restarted", restarts=self.restarts)
        if self._on_booted is not None:
            self._on_booted(handler)

    def cancel(self) -> None:
        """Drop a restart under way (the service is stopping)."""
        for timer in self._timers:
            if timer.active():
                timer.cancel()
        self._timers.clear()
