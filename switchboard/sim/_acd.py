# -*- test-case-name: tests.sim.test_acd -*-
"""The ACD-without-app_queue dialplan: ``switchboard-acd-ivr`` and ``EXEC Dial``.

``switchboard-acd-ivr,s`` (see the captures' README) does not answer: the FastAGI
script does, and then holds the caller (music on hold while it idles) and dials agent
devices itself with ``EXEC Dial <Local/agentNNNN@switchboard-agents/n>,<timeout>[,g]``.
Dial returns ``0`` for NOANSWER/BUSY or, with ``g``, when the callee hung up, and ``-1``
when Dial wants the channel hung up (callee hung up without ``g``, caller gone, or the
channel already dead); ``DIALSTATUS`` tells ANSWER / NOANSWER / CANCEL / BUSY.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from switchboard.sim import _agent_phone as agent_phone
from switchboard.sim._app_args import separate_args
from switchboard.sim.channels import RINGING, UP, Bridge, Channel
from switchboard.sim.pbx import Hungup, Pbx, Transferred

if TYPE_CHECKING:
    from switchboard.sim._caller import Callers
    from switchboard.sim._dialplan import InboundCalls
    from switchboard.sim._recording import Recorder

_DIAL_VARS = (
    "DIALSTATUS",
    "DIALEDPEERNUMBER",
    "DIALEDPEERNAME",
    "ANSWEREDTIME",
    "ANSWEREDTIME_MS",
    "DIALEDTIME",
    "DIALEDTIME_MS",
    "RINGTIME",
    "RINGTIME_MS",
    "PROGRESSTIME",
    "PROGRESSTIME_MS",
)
AGENTS_CONTEXT = "switchboard-agents"
ACD_CONTEXT = "switchboard-acd-ivr"


def parse_dial(data: str) -> tuple[str, float, str]:
    """``Local/x@ctx/n,12,g`` → (target, timeout seconds, options)."""
    parts = [p.strip() for p in separate_args(data)]
    target = parts[0] if parts else ""
    timeout = float(parts[1]) if len(parts) > 1 and parts[1].replace(".", "", 1).isdigit() else 0
    return target, timeout or 3600.0, parts[2] if len(parts) > 2 else ""


class AcdContext:
    """``switchboard-acd-ivr,s``: the FastAGI script answers, holds and dials."""

    def __init__(self, calls: InboundCalls) -> None:
        self.calls = calls

    async def run(self, two: Channel, answered: Callable[[], None]) -> None:
        pbx = self.calls.pbx
        variant = two.variables.get("ACD_VARIANT", "")
        pbx.newexten(
            two,
            "NoOp",
            f'ACD inbound call from "{two.caller_name}" <{two.caller_num}> '
            f"uniqueid={two.uniqueid} variant={variant}",
            1,
        )
        pbx.newexten(two, "Set", f"__SWITCHBOARD_CALLID={two.uniqueid}", 2)
        pbx.setvar(two, "__SWITCHBOARD_CALLID", two.uniqueid)
        url = pbx.config.agi_url
        pbx.newexten(two, "AGI", f"{url},{variant}", 3)
        status = await self.calls.agi.run(two, url, [variant], on_answer=answered)
        if not two.answered_at:
            answered()  # never answered by the script: the originate still completes
        pbx.setvar(two, "AGISTATUS", status)
        # An AMI Redirect pulled the caller out of the AGI (the session saw HANGUP): the
        # channel runs the new context, as on the switchboard-ivr path.
        if two.redirect_to is not None and not two.soft_hangup:
            await self.calls.queue(two, "", url)
            return
        dialstatus = two.variables.get("DIALSTATUS", "")
        if status == "SUCCESS" and not two.soft_hangup:
            recording = two.variables.get("ACD_RECORDING", "")
            pbx.newexten(
                two,
                "NoOp",
                f"ACD AGI done: AGISTATUS={status} DIALSTATUS={dialstatus} "
                f"ACD_RECORDING={recording}",
                4,
            )
            survey = self.calls.survey_script
            if dialstatus == "ANSWER" and survey:  # docs/asterisk.md section 5: the agent
                survey_url = f"{url.rsplit('/', 1)[0]}/{survey}"  # hung up, the caller rates
                pbx.newexten(two, "AGI", f"{survey_url},{two.caller_num}", 5)
                rated = await self.calls.agi.run(two, survey_url, [two.caller_num])
                pbx.setvar(two, "AGISTATUS", rated)
            pbx.newexten(two, "Hangup", "", 6 if survey else 5)
            pbx.soft_hangup_request(two)
        else:
            pbx.ev("SoftHangupRequest", two, Cause=16)
        pbx.goto(two, ACD_CONTEXT, "h", 1)
        pbx.newexten(
            two,
            "NoOp",
            f"ACD hangup {two.uniqueid} cause=16 agistatus={status} dialstatus={dialstatus}",
        )
        one = two.peer
        if one is not None and not one.hung_up:
            pbx.setvar(one, "CHANLOCALSTATUS", "ANSWER")
            pbx.hangup_request(one)
            pbx.soft_hangup_request(one)
            pbx.destroy(one)
            pbx.cdr(one)
        for dest, disposition in two.dials:
            pbx.cdr(two, dest_channel=dest, disposition=disposition)
        pbx.cdr(two)
        pbx.destroy(two, 0 if pbx.shutting_down else 16)
        self.calls.recorder.finish(two)


class DialApp:
    """The Dial application (``EXEC Dial`` from FastAGI, the callback context), and the
    agent phone or customer line it rings."""

    def __init__(self, pbx: Pbx, callers: Callers, recorder: Recorder) -> None:
        self.pbx, self.callers, self.recorder = pbx, callers, recorder

    async def dial(self, two: Channel, data: str) -> int:
        """``EXEC Dial``: ring one agent device; the AGI result code."""
        pbx = self.pbx
        target, timeout_s, options = parse_dial(data)
        for var in _DIAL_VARS:
            pbx.setvar(two, var, "")
        if two.soft_hangup or two.hung_up:
            pbx.setvar(two, "DIALSTATUS", "CANCEL")
            return -1
        tech, _, rest = target.partition("/")
        exten, _, context = rest.partition("@")
        context = context.removesuffix("/n")
        if tech != "Local" or context not in (AGENTS_CONTEXT, "switchboard-customer"):
            pbx.setvar(two, "DIALSTATUS", "CHANUNAVAIL")
            return 0
        peer_number = rest
        a1, a2 = pbx.new_local_pair(exten, context, two.linkedid)
        # ``__`` variables are inherited by the dialled channels, the latest set first.
        inherited = [
            (f"__{name}", two.variables[name])
            for name in ("SWITCHBOARD_CALLER", "SWITCHBOARD_CALLID")
            if name in two.variables
        ]
        for chan in (a1, a2):
            pbx.setvar(chan, "DIALEDPEERNUMBER", peer_number)
            for name, value in inherited:
                pbx.setvar(chan, name, value)
            if chan is a1:
                pbx.goto(a1, context, "s", 1)
                pbx.newexten(a1, "AppDial", "(Outgoing Line)")
            pbx.set_callerid(chan, two.caller_num, two.caller_name)
            pbx.set_connected(chan, two.caller_num, two.caller_name)
        pbx.goto(a1, context, exten, 1)
        pbx.emit(
            "LocalBridge",
            {"LocalOne": a1, "LocalTwo": a2},
            Context=context,
            Exten=exten,
            LocalOptimization="No",
        )
        pbx.goto(a1, context, "s", 1)
        pbx.emit("DialBegin", {"": two, "Dest": a1}, DialString=peer_number)
        started = pbx.now()
        ring_s = self.device_ring(a2, two)
        pbx.set_state(a1, RINGING)
        if a2.context == AGENTS_CONTEXT:  # the customer context said its own Wait
            pbx.newexten(a2, "Wait", _secs(ring_s if ring_s is not None else 60.0))
        pbx.setvar(two, "RINGTIME", "0")
        pbx.setvar(two, "RINGTIME_MS", "2")
        pbx.emit("DialState", {"": two, "Dest": a1}, DialStatus="RINGING")
        ring = pbx.sleep(min(ring_s if ring_s is not None else timeout_s, timeout_s), two)

        def leg_hung_up(_chan: Channel) -> None:  # AMI Hangup of the ringing agent leg
            if not ring.called:
                ring.cancel()

        pbx.on_hangup(a1, leg_hung_up)
        try:
            await ring
        except Hungup:
            if a1.soft_hangup and not (two.soft_hangup or two.hung_up):  # the leg alone
                pbx.emit("DialEnd", {"": two, "Dest": a1}, DialStatus="NOANSWER")
                pbx.destroy(a1)
                pbx.hangup_request(a2)
                pbx.destroy(a2)
                pbx.setvar(two, "DIALSTATUS", "NOANSWER")
                pbx.cdr(a2, disposition="NO ANSWER")
                two.dials.append((a1.name, "NO ANSWER"))
                return 0
            pbx.emit("DialEnd", {"": two, "Dest": a1}, DialStatus="CANCEL")
            pbx.hangup_request(a2, 0)
            pbx.destroy(a1, 0)
            pbx.setvar(two, "DIALSTATUS", "CANCEL")
            pbx.cdr(a2, disposition="NO ANSWER")
            pbx.soft_hangup_request(a2, 0)
            pbx.destroy(a2, 0)
            return -1
        if ring_s is None or ring_s >= timeout_s:
            pbx.emit("DialEnd", {"": two, "Dest": a1}, DialStatus="NOANSWER")
            pbx.hangup_request(a2, 0)
            pbx.soft_hangup_request(a2, 0)
            pbx.destroy(a2, 0)
            pbx.destroy(a1, 0)
            pbx.setvar(two, "DIALSTATUS", "NOANSWER")
            pbx.cdr(a2, disposition="NO ANSWER")
            two.dials.append((a1.name, "NO ANSWER"))
            return 0
        return await self._answered(two, a1, a2, started, options)

    async def _answered(
        self, two: Channel, a1: Channel, a2: Channel, started: float, options: str
    ) -> int:
        pbx = self.pbx
        pbx.newexten(a2, "Answer", "", 6)
        pbx.set_state(a2, UP)
        pbx.set_state(a1, UP)
        pbx.setvar(two, "DIALSTATUS", "ANSWER")
        pbx.setvar(two, "DIALEDPEERNAME", a1.name)
        pbx.setvar(two, "DIALEDPEERNUMBER", a1.variables.get("DIALEDPEERNUMBER", ""))
        pbx.emit("DialEnd", {"": two, "Dest": a1}, DialStatus="ANSWER")
        bridge = Bridge(pbx.ids.bridge_id())
        pbx.emit("BridgeCreate", None, bridge)
        pbx.goto(a1, AGENTS_CONTEXT, "", 1)
        pbx.newexten(a1, "AppDial", "(Outgoing Line)")
        agent_phone.join(pbx, bridge, a1, two)
        if a2.context == AGENTS_CONTEXT:
            talk, caller_ends = self.agent_talk(a2)
        else:  # switchboard-customer: stays on the line
            pbx.newexten(a2, "Wait", "120", 7)
            talk, caller_ends = 3600.0, False
        bridged_at = pbx.now()
        caller_left = False
        try:
            if caller_ends:
                self.callers.hang_up_after(two, talk)
                await pbx.sleep(talk + 3600.0, two)
            else:
                await pbx.sleep(talk, two)
        except Transferred:  # the agent's leg goes as when the agent hangs up
            pass
        except Hungup:
            caller_left = True
        self.recorder.add_bridged(two, pbx.now() - bridged_at)

        def unbridge(chan: Channel) -> None:
            bridge.channels.remove(chan)
            chan.bridge = None
            pbx.emit("BridgeLeave", {"": chan}, bridge)

        def dial_times() -> None:
            answered_s = pbx.now() - bridged_at
            dialed_s = pbx.now() - started
            pbx.setvar(two, "ANSWEREDTIME", str(int(answered_s)))
            pbx.setvar(two, "ANSWEREDTIME_MS", str(int(answered_s * 1000)))
            pbx.setvar(two, "DIALEDTIME", str(int(dialed_s)))
            pbx.setvar(two, "DIALEDTIME_MS", str(int(dialed_s * 1000)))
            pbx.setvar(two, "DIALSTATUS", "ANSWER")

        if caller_left:
            pbx.setvar(two, "BRIDGEPEER", "")
            pbx.setvar(a1, "BRIDGEPEER", "")
            unbridge(two)
            dial_times()
            unbridge(a1)
            pbx.emit("BridgeDestroy", None, bridge)
            pbx.hangup_request(a2)
            pbx.destroy(a1)
            pbx.cdr(a2)
            pbx.soft_hangup_request(a2)
            pbx.destroy(a2)
            return -1
        pbx.newexten(a2, "StopPlayTones", "", 10)
        pbx.cdr(a2)
        pbx.newexten(a2, "Hangup", "", 11)
        pbx.soft_hangup_request(a2)
        pbx.hangup_request(a1)
        pbx.destroy(a2)
        pbx.setvar(a1, "BRIDGEPEER", "")
        pbx.setvar(two, "BRIDGEPEER", "")
        unbridge(a1)
        unbridge(two)
        pbx.destroy(a1)
        pbx.emit("BridgeDestroy", None, bridge)
        dial_times()
        two.dials.append((a1.name, "ANSWERED"))
        self.callers.after_talk(two)
        return 0 if "g" in options else -1

    # -- the agent phone (switchboard-agents on the agent's ;2) ------------------------
    def device_ring(self, a2: Channel, two: Channel) -> float | None:
        """Start the device's context; seconds until it answers (``None``: never)."""
        pbx = self.pbx
        exten = a2.exten
        if a2.context != AGENTS_CONTEXT:  # switchboard-customer: rings 2 s, then answers
            never = pbx.globals.get(f"NOANSWER_{exten}") == "yes"
            pbx.newexten(a2, "NoOp", f"CUSTOMER {exten} called", 1)
            pbx.newexten(a2, "GotoIf", f"{int(never)}?noanswer", 2)
            pbx.newexten(a2, "Ringing", "", 3)
            pbx.newexten(a2, "Wait", "600" if never else "2", 4)
            return None if never else 2.0
        answer_s = agent_phone.offer(pbx, a2, two)
        a2.priority = 13 if answer_s is None else 5
        return answer_s

    def agent_talk(self, a2: Channel) -> tuple[float, bool]:
        """Start talking; (seconds until someone hangs up, whether the caller does)."""
        pbx = self.pbx
        behaviour = pbx.config.agents.get(a2.exten, pbx.config.default_agent)
        talk = behaviour.talk_s if behaviour.talk_s is not None else agent_phone.talk_time(pbx)
        return agent_phone.talk(pbx, a2, talk), behaviour.hangs_up == "caller"


def _secs(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)
