# -*- test-case-name: tests.ivr.test_runner,tests.ivr.test_documented_dialplan -*-
"""The channel variables switchboard leaves for the dialplan (see docs/asterisk.md).

``SWITCHBOARD_ROUTE`` is what the dialplan decides on after the AGI: switchboard sets it
to ``failed`` as soon as a session starts and to ``routed`` or ``failed`` when it ends,
so a session that breaks off half-way reads ``failed`` and a switchboard that never
answered leaves it unset (``AGISTATUS`` then says ``FAILURE``). ``AGISTATUS`` alone
cannot tell those apart: Asterisk also sets ``FAILURE`` when any one command failed in a
session that went on normally (res_agi.c ``run_agi``; the agi-failures capture).

``SWITCHBOARD_RECORDING_MUTE`` is the other way round: a flow (or the dialplan) sets it to
``1:<who>`` to pause the call's recording and ``0:<who>`` to resume it; the recorder sees
the ``VarSet`` on AMI and sends ``MixMonitorMute`` (docs/recorder.md).
"""

from __future__ import annotations

from typing import Final

from switchboard.cti.names import VAR_SWITCHBOARD_QUEUE

__all__ = [
    "FAILED",
    "FALLBACK_VARIABLE",
    "QUEUE_VARIABLE",
    "RECORDING_MUTE_VARIABLE",
    "ROUTED",
    "ROUTE_VARIABLE",
]

ROUTE_VARIABLE: Final = "SWITCHBOARD_ROUTE"
ROUTED: Final = "routed"  # switchboard decided: Queue(${SWITCHBOARD_QUEUE}) if set, else done
FAILED: Final = "failed"  # switchboard could not decide: the dialplan's fallback
QUEUE_VARIABLE: Final = VAR_SWITCHBOARD_QUEUE
FALLBACK_VARIABLE: Final = "SWITCHBOARD_FALLBACK"  # why, when the route is failed
RECORDING_MUTE_VARIABLE: Final = "SWITCHBOARD_RECORDING_MUTE"  # "1:<who>" / "0:<who>"
