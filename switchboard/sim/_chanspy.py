# -*- test-case-name: tests.sim.test_chanspy -*-
"""Supervisor legs: ``Originate Application: ChanSpy`` into ``switchboard-supervisor``.

As the ``ami-supervisor`` capture shows it: the supervisor's ``;2`` answers and loops
a beep ``Playback`` (the supervisor's "voice"); the ``;1`` runs ``ChanSpy(<agent ;1>,
q[w|B]E)``. ``ChanSpyStart`` comes ~100 ms after the answer; ``ChanSpyStop`` when the
supervisor hangs up, or (with ``E``) when the spied-on channel hangs up, after which
both supervisor halves go. The events do not say listen, whisper or barge: the mode is
kept in :attr:`ChanSpy.spies`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from twisted.internet.defer import Deferred

from switchboard.sim.channels import UP, Channel
from switchboard.sim.pbx import Hungup, Pbx, run_background

if TYPE_CHECKING:
    from switchboard.sim._originate import LocalPairs, OriginateRequest

SUPERVISOR_CONTEXT = "switchboard-supervisor"
BEEPS = "&".join(["beep"] * 10)
BEEPS_S = 4.0  # one pass of the beep train, as the capture's Playback took
SPY_START_S = 0.1  # ChanSpyStart after the supervisor leg answers


def spy_mode(options: str) -> str:
    """``listen`` / ``whisper`` (``w``) / ``barge`` (``B``) from ChanSpy's options."""
    return "barge" if "B" in options else "whisper" if "w" in options else "listen"


def repeer(pbx: Pbx, chan: Channel, times: int = 1) -> None:
    """An audiohook came or went on a bridged channel: the bridge sets ``BRIDGEPEER``
    on both of its channels again (what the capture shows at ChanSpy and StopMixMonitor)."""
    bridge = chan.bridge
    if bridge is None or len(bridge.channels) != 2:
        return
    for _ in range(times):
        first, second = bridge.channels
        pbx.setvar(first, "BRIDGEPEER", second.name)
        pbx.setvar(second, "BRIDGEPEER", first.name)


class ChanSpy:
    """The ChanSpy application, and who is spying on whom."""

    def __init__(self, pbx: Pbx) -> None:
        self.pbx = pbx
        self.spies: dict[Channel, tuple[Channel, str]] = {}  # spyer ;1 -> (spied-on, mode)

    async def spy(self, one: Channel, data: str) -> None:
        """``ChanSpy(<channel>,<options>)`` on ``one``; returns when the spying ends."""
        pbx = self.pbx
        target_name, _, options = data.partition(",")
        try:
            await pbx.sleep(SPY_START_S, one)
        except Hungup:
            return
        target = pbx.find_channel(target_name.strip())
        if target is None or target.hung_up or target.soft_hangup:
            return  # nothing to spy on: ChanSpy returns and the leg hangs up
        mode = spy_mode(options)
        self.spies[one] = (target, mode)
        pbx.emit("ChanSpyStart", {"Spyer": one, "Spyee": target})
        repeer(pbx, target, 2 if mode == "barge" else 1)
        ended: Deferred[None] = Deferred()

        def stop(_chan: Channel) -> None:
            if not ended.called:
                ended.callback(None)

        pbx.on_hangup(one, stop)
        if "E" in options:  # E: the spied-on channel's hang-up ends ChanSpy
            pbx.on_hangup(target, stop)
        await ended
        self.spies.pop(one, None)
        if mode == "whisper":
            repeer(pbx, target, 2)
        pbx.emit("ChanSpyStop", {"Spyer": one, "Spyee": target})
        if mode != "whisper":
            repeer(pbx, target)


class SupervisorLegs:
    """Originates into the supervisor context: the supervisor's phone, then ChanSpy."""

    def __init__(self, pbx: Pbx, pairs: LocalPairs) -> None:
        self.pbx, self.pairs = pbx, pairs

    async def originate(
        self, req: OriginateRequest, exten: str, context: str
    ) -> tuple[str, Channel | None]:
        pbx = self.pbx
        # No Variable headers on the supervisor's pair, and no ``/n`` in the dial string.
        one, two = self.pairs.dial(
            req, exten, context, dial_string=f"{exten}@{context}", variables=False
        )
        pbx.newexten(two, "NoOp", f"SUPERVISOR leg {two.name}", 1)
        pbx.newexten(two, "Answer", "", 2)
        pbx.set_state(two, UP)
        pbx.set_state(one, UP)
        pbx.emit("DialEnd", {"Dest": one}, DialStatus="ANSWER")
        run_background(Deferred.fromCoroutine(self._talks(two)), "supervisor")
        if req.application:
            run_background(Deferred.fromCoroutine(self.pairs.run_app(one, req)), "app")
        return self.pairs.result(req, "Success", one, 4)

    async def _talks(self, two: Channel) -> None:
        """``switchboard-supervisor,supervisor`` on ``;2``: beeps until hung up."""
        pbx = self.pbx
        try:
            while True:
                pbx.newexten(two, "Playback", BEEPS, 3)
                await pbx.sleep(BEEPS_S, two)
                pbx.setvar(two, "PLAYBACKSTATUS", "SUCCESS")
                pbx.newexten(two, "Goto", "talk", 4)
        except Hungup:
            pass
        pbx.setvar(two, "PLAYBACKSTATUS", "SUCCESS")
        pbx.soft_hangup_request(two)
        one = two.peer
        if one is not None and not (one.hung_up or one.soft_hangup):
            pbx.hangup_request(one, 0)
        pbx.destroy(two, 0)
        pbx.cdr(two)
