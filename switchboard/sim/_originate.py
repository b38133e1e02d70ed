# -*- test-case-name: tests.sim.test_actions,tests.sim.test_conformance -*-
"""An AMI Originate's request, and the Local pair every Originate starts with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from switchboard.sim.channels import Channel
from switchboard.sim.pbx import Hungup, Pbx
from switchboard.sim.scenario import ScriptedCall

if TYPE_CHECKING:
    from switchboard.sim._chanspy import ChanSpy


@dataclass
class OriginateRequest:
    channel: str  # Local/s@switchboard-ivr
    context: str = ""
    exten: str = ""
    priority: int = 1
    caller_num: str = ""
    caller_name: str = ""
    variables: list[tuple[str, str]] = field(default_factory=list)
    action_id: str | None = None
    channel_id: str | None = None
    other_channel_id: str | None = None
    timeout_s: float = 30.0
    # Called at the moment Asterisk sends OriginateResponse (before ;1 goes Up).
    on_result: Callable[[str, Channel | None, int], None] | None = None
    application: str = ""  # Application/Data instead of Context/Exten
    data: str = ""
    # The scripted person behind the call (language, callback wish, CSAT), if any.
    script: ScriptedCall | None = None


class LocalPairs:
    """Sets up an Originate's Local pair, reports its result, runs its Application."""

    def __init__(self, pbx: Pbx, chanspy: ChanSpy) -> None:
        self.pbx, self.chanspy = pbx, chanspy

    def open(
        self, req: OriginateRequest, exten: str, context: str, language: str = "en"
    ) -> tuple[Channel, Channel]:
        """The Originate's Local pair (with the ids it asked for), ``;1`` in ``AppDial2``."""
        ids = (req.channel_id, req.other_channel_id) if req.channel_id else None
        one, two = self.pbx.new_local_pair(exten, context, ids=ids, language=language)
        self.pbx.newexten(one, "AppDial2", "(Outgoing Line)")
        return one, two

    def dial(
        self,
        req: OriginateRequest,
        exten: str,
        context: str,
        *,
        language: str = "en",
        optimized: bool = False,
        dial_string: str = "",
        variables: bool = True,
    ) -> tuple[Channel, Channel]:
        """An Originate's Local pair up to its dial, in the captured order: the pair, the
        ``Variable:`` headers and caller ID on both halves, LocalBridge, DialBegin
        (``dial_string`` by default ``exten@context``, ``/n`` unless ``optimized``)."""
        pbx = self.pbx
        one, two = self.open(req, exten, context, language)
        for chan, values in ((one, reversed(req.variables)), (two, iter(req.variables))):
            for name, value in values if variables else ():
                pbx.setvar(chan, name, value)
            if req.caller_num:
                pbx.set_callerid(chan, req.caller_num, req.caller_name)
                pbx.set_connected(chan, req.caller_num, req.caller_name)
        pbx.emit(
            "LocalBridge",
            {"LocalOne": one, "LocalTwo": two},
            Context=context,
            Exten=exten,
            LocalOptimization="Yes" if optimized else "No",
        )
        if not dial_string:
            dial_string = f"{exten}@{context}" if optimized else f"{exten}@{context}/n"
        pbx.emit("DialBegin", {"Dest": one}, DialString=dial_string)
        return one, two

    def result(
        self, req: OriginateRequest, outcome: str, one: Channel | None, reason: int
    ) -> tuple[str, Channel | None]:
        """Tell the requester (``OriginateResponse``); the Originate's own result."""
        if req.on_result:
            req.on_result(outcome, one, reason)
        return outcome, one

    async def run_app(self, one: Channel, req: OriginateRequest) -> None:
        """The Originate's ``Application`` on the answered ``;1`` (``Wait``, ``ChanSpy``)."""
        pbx = self.pbx
        app = req.application.lower()
        try:
            if app == "chanspy":
                await self.chanspy.spy(one, req.data)
            elif app == "wait":
                await pbx.sleep(float(req.data or 0), one)
            else:
                await pbx.sleep(3600.0, one)
        except Hungup:  # the far end hung up first
            if not one.hung_up:
                pbx.soft_hangup_request(one)
                pbx.destroy(one)
                pbx.cdr(one)
            return
        two = one.peer
        if two is not None and not (two.hung_up or two.soft_hangup):
            pbx.hangup_request(two, 0)
        pbx.destroy(one, 0)
        pbx.cdr(one)
