# -*- test-case-name: tests.sim.test_actions -*-
"""Originate to a device (agent phone or customer), as ``ami-callback`` shows it.

``Originate Channel: Local/agentNNNN@switchboard-agents/n`` rings the agent; once the
agent answers, the ``;1`` half runs ``switchboard-callback,dial``, which dials
``Local/${CALLBACK_NUMBER}@switchboard-customer/n,10``. ``OriginateResponse`` reasons:
4 answered, 3 no answer before ``Timeout`` (ms), 5 busy, 8 congestion, 0 no channel.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from twisted.internet.defer import Deferred

from switchboard.sim.channels import BUSY, RINGING, UP, Channel
from switchboard.sim.pbx import Hungup, Pbx, run_background

if TYPE_CHECKING:
    from switchboard.sim._acd import DialApp
    from switchboard.sim._originate import LocalPairs, OriginateRequest

CUSTOMER_CONTEXT = "switchboard-customer"
CALLBACK_CONTEXT = "switchboard-callback"
_FAILING = {"busy": ("Busy", "BUSY", 17, 5), "congested": ("Congestion", "CONGESTION", 34, 8)}


class DeviceOriginates:
    """Originates whose ``Channel`` is an agent phone or a customer line."""

    def __init__(self, pbx: Pbx, pairs: LocalPairs, dial: DialApp) -> None:
        self.pbx, self.pairs, self.dial = pbx, pairs, dial

    async def originate(
        self, req: OriginateRequest, exten: str, context: str
    ) -> tuple[str, Channel | None]:
        pbx = self.pbx
        one, two = self.pairs.dial(req, exten, context)
        failing = _FAILING.get(exten) if context == CUSTOMER_CONTEXT else None
        if failing is not None:
            app, status, cause, reason = failing
            # Busy()/Congestion() answer with their state, then the dialplan ends.
            pbx.newexten(two, app, "10", 1)
            pbx.set_state(two, BUSY)
            pbx.emit("DialEnd", {"Dest": one}, DialStatus=status)
            pbx.hangup_request(two, 0)
            pbx.soft_hangup_request(two)
            pbx.destroy(two, cause)
            pbx.destroy(one, 0)
            pbx.cdr(two, disposition="FAILED")
            pbx.cdr(one, disposition="FAILED")
            return self.pairs.result(req, "Failure", None, reason)
        ring_s = self.dial.device_ring(two, two)
        pbx.set_state(one, RINGING)
        pbx.newexten(two, "Wait", "60" if ring_s is None else str(int(ring_s)))
        pbx.emit("DialState", {"Dest": one}, DialStatus="RINGING")
        wait = req.timeout_s if ring_s is None else min(ring_s, req.timeout_s)
        try:
            await pbx.sleep(wait, two)
        except Hungup:
            return self.pairs.result(req, "Failure", None, 0)
        if ring_s is None or ring_s >= req.timeout_s:
            pbx.hangup_request(two, 19)
            pbx.soft_hangup_request(two)
            pbx.cdr(two)
            pbx.destroy(two, 19)
            pbx.destroy(one, 19)
            pbx.cdr(one)
            return self.pairs.result(req, "Failure", None, 3)
        pbx.newexten(two, "Answer", "", 6)
        pbx.set_state(two, UP)
        pbx.set_state(one, UP)
        pbx.emit("DialEnd", {"Dest": one}, DialStatus="ANSWER")
        run_background(Deferred.fromCoroutine(self._device_talk(two)), "device_talk")
        if req.application:  # Application/Data: ;1 runs it, no dialplan
            run_background(Deferred.fromCoroutine(self.pairs.run_app(one, req)), "app")
        else:
            pbx.goto(one, req.context or "default", req.exten or "s", req.priority)
            run_background(Deferred.fromCoroutine(self._callback_context(one)), "callback")
        return self.pairs.result(req, "Success", one, 4)

    def nowhere(
        self, req: OriginateRequest, exten: str, context: str
    ) -> tuple[str, Channel | None]:
        """A Local channel into a context that does not exist: created, then failed."""
        pbx = self.pbx
        one, two = self.pairs.open(req, exten, context)
        result = self.pairs.result(req, "Failure", None, 0)
        pbx.cdr(two)
        pbx.cdr(one)
        pbx.destroy(two, 0)
        pbx.destroy(one, 0)
        return result

    async def _device_talk(self, two: Channel) -> None:
        """The originated phone talks, then hangs up (agents; customers stay on)."""
        pbx = self.pbx
        if two.context != "switchboard-agents":
            return
        talk, _ = self.dial.agent_talk(two)
        try:
            await pbx.sleep(talk, two)
        except Hungup:
            # The callback side ended first (e.g. the customer never answered).
            if not two.hung_up:
                pbx.soft_hangup_request(two)
                pbx.destroy(two)
                pbx.cdr(two)
            return
        pbx.cdr(two)
        pbx.newexten(two, "StopPlayTones", "", 10)
        pbx.newexten(two, "Hangup", "", 11)
        pbx.soft_hangup_request(two)
        if two.peer is not None and not two.peer.hung_up:
            pbx.hangup_request(two.peer)
        pbx.destroy(two)

    async def _callback_context(self, one: Channel) -> None:
        """``switchboard-callback,dial`` (or any other context: wait for the hang-up)."""
        pbx = self.pbx
        if one.context == CALLBACK_CONTEXT:
            number = one.variables.get("CALLBACK_NUMBER", "")
            callback_id = one.variables.get("CALLBACK_ID", "")
            pbx.newexten(
                one, "NoOp", f"CALLBACK {callback_id}: agent answered, calling customer {number}", 1
            )
            data = f"Local/{number}@{CUSTOMER_CONTEXT}/n,10"
            pbx.newexten(one, "Dial", data, 2)
            await self.dial.dial(one, data)
            if not (one.soft_hangup or one.hung_up):
                status = one.variables.get("DIALSTATUS", "")
                pbx.newexten(one, "NoOp", f"CALLBACK {callback_id} done: DIALSTATUS={status}", 3)
                pbx.newexten(one, "Hangup", "", 4)
        else:
            with contextlib.suppress(Hungup):
                await pbx.sleep(3600.0, one)
        if not one.hung_up:
            pbx.soft_hangup_request(one)
            peer = one.peer
            if peer is not None and not (peer.hung_up or peer.soft_hangup):
                pbx.hangup_request(peer)
            pbx.destroy(one)
            for dest, disposition in one.dials:
                pbx.cdr(one, dest_channel=dest, disposition=disposition)
            pbx.cdr(one)
