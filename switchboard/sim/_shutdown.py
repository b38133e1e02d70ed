# -*- test-case-name: tests.sim.test_shutdown -*-
"""Stopping the simulated PBX mid-call, the way ``core restart now`` looks on the wire.

The ``ami-reconnect`` capture shows what a connected client sees when Asterisk shuts
down with calls up: every channel gets ``SoftHangupRequest`` with ``Cause: 4`` (the
shutdown flag, not a Q.850 cause), the calls are torn down (``MusicOnHoldStop``,
``Hangup``), a held FastAGI session gets ``HANGUP`` and is closed once its server has
closed, then ``Event: Shutdown`` goes out and the AMI connections are closed.

Here the dialplan coroutines run their own hang-up paths; a FastAGI server that does
not close within half the grace period is cut off, and whatever is still up when the
grace period ends is hung up with ``Cause: 0``. Nothing is left on the clock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog
from twisted.internet import task

if TYPE_CHECKING:
    from switchboard.sim._dialplan import Dialplan
    from switchboard.sim.pbx import Pbx

log = structlog.get_logger(__name__)
SHUTDOWN_CAUSE = 4  # Asterisk's shutdown soft-hangup flag, as in ami-reconnect
TICK_S = 0.01  # clock seconds between checks while calls wind down


async def hang_up_everything(pbx: Pbx, dialplan: Dialplan, grace_s: float = 1.0) -> None:
    """Hang up every live call and wait (at most ``grace_s`` clock seconds) for it."""
    clock = pbx.clock
    pbx.shutting_down = True
    live = [c for c in pbx.channels.values() if not (c.soft_hangup or c.hung_up)]
    log.info("sim_shutting_down", channels=len(live), agi_sessions=len(dialplan.agi_sessions))
    for chan in live:
        pbx.soft_hangup_request(chan, SHUTDOWN_CAUSE)
    for chan in live:  # each held channel's own thread stops its music at once
        if chan.moh:
            chan.moh = False
            pbx.ev("MusicOnHoldStop", chan)
    dialplan.cancel_agi_connects()
    start = clock.seconds()
    while pbx.channels or dialplan.agi_sessions:
        waited = clock.seconds() - start
        if waited >= grace_s / 2:
            for session in list(dialplan.agi_sessions):
                session.abort()  # the FastAGI server did not close after HANGUP
        if waited >= grace_s:
            break
        await task.deferLater(clock, TICK_S, lambda: None)
    for chan in list(pbx.channels.values()):
        log.warning("sim_channel_forced_down", channel=chan.name)
        pbx.destroy(chan, 0)
    # Let the last hang-up deliveries run, then drop whatever is still scheduled.
    for _ in range(3):
        await task.deferLater(clock, 0, lambda: None)
        pbx.cancel_timers()
        if not pbx.pending_timers():
            break
