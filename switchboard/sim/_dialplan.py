# -*- test-case-name: tests.sim.test_conformance -*-
"""The captured test PBX's dialplan, replayed as coroutines on simulated channels.

Contexts (described in the captures' README): ``switchboard-ivr`` (Answer, FastAGI,
MixMonitor, Queue), ``switchboard-caller`` (the scripted caller on ``;1``: ``dtmf``,
``silent``, ``abandon``) and ``switchboard-agents`` (ring, answer, talk, hang up).

:class:`Dialplan` is composed of parts, each holding what it needs: the inbound
contexts share :class:`InboundCalls` (FastAGI, ``Queue()``, hang-up), Originates start
with :class:`~._originate.LocalPairs`, and the applications a FastAGI session runs are
:class:`~._applications.Applications`.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import partial
from pathlib import Path
from random import Random
from typing import Any

import structlog
from twisted.internet.defer import Deferred

from switchboard.sim._acd import ACD_CONTEXT, AGENTS_CONTEXT, AcdContext, DialApp
from switchboard.sim._agi import AgiCallProtocol
from switchboard.sim._applications import Applications
from switchboard.sim._callback import CUSTOMER_CONTEXT, DeviceOriginates
from switchboard.sim._caller import Callers, ScriptedPerson
from switchboard.sim._chanspy import SUPERVISOR_CONTEXT, ChanSpy, SupervisorLegs
from switchboard.sim._cli import cli_output
from switchboard.sim._documented import INBOUND_CONTEXT, DocumentedContext
from switchboard.sim._fastagi import AgiConnector, FastAgi
from switchboard.sim._native import NATIVE_CONTEXT, NativeContext, hangup_note
from switchboard.sim._originate import LocalPairs, OriginateRequest
from switchboard.sim._queue import QueueEngine, TalkEnded
from switchboard.sim._recording import Recorder
from switchboard.sim.channels import UP, Channel
from switchboard.sim.pbx import Hungup, Pbx, Redirected, fire_once, run_background

__all__ = ["AgiConnector", "Dialplan", "InboundCalls", "OriginateRequest"]
log = structlog.get_logger(__name__)
Context = Callable[[Channel, Callable[[], None]], Coroutine[Any, Any, None]]


class InboundCalls:
    """``switchboard-ivr,s`` and what every inbound context shares: the answer, the
    FastAGI session, ``Queue()`` (and where a Redirect sends the caller), the hang-up."""

    def __init__(self, pbx: Pbx, queues: QueueEngine, agi: FastAgi, recorder: Recorder) -> None:
        self.pbx, self.queues, self.agi, self.recorder = pbx, queues, agi, recorder
        self.survey_script = ""  # FastAGI script run after Queue() when the agent hangs up

    # -- switchboard-ivr,s (the inbound call on ;2) ------------------------------------
    async def run(self, two: Channel, answered: Callable[[], None]) -> None:
        pbx = self.pbx
        num = two.caller_num
        self.answer_inbound(two, "inbound", answered)
        url = pbx.config.agi_url
        pbx.newexten(two, "AGI", f"{url},{num},{two.language}", 5)
        status = await self.agi.run(two, url, [num, two.language])
        pbx.setvar(two, "AGISTATUS", status)
        # An AMI Redirect pulled the caller out of the AGI (the session saw HANGUP): the
        # channel runs the new context. (AGISTATUS then is not in the captures.)
        if two.redirect_to is not None and not two.soft_hangup:
            await self.queue(two, "", url)
            return
        if status == "HANGUP" or two.soft_hangup:
            await self.hang_up(two)
            return
        queue = two.variables.get("SWITCHBOARD_QUEUE", "")
        pbx.newexten(two, "NoOp", f"AGI done: AGISTATUS={status} SWITCHBOARD_QUEUE={queue}", 6)
        pbx.newexten(two, "GotoIf", f"{0 if queue or status == 'FAILURE' else 1}?done", 7)
        pbx.newexten(two, "GotoIf", f"{1 if status == 'FAILURE' else 0}?fallback", 8)
        if status == "FAILURE":
            pbx.newexten(two, "NoOp", f"No route from AGI (AGISTATUS={status}", 14)
            pbx.newexten(two, "Set", "SWITCHBOARD_QUEUE=sales", 15)
            pbx.setvar(two, "SWITCHBOARD_QUEUE", "sales")
            pbx.newexten(two, "Goto", "queue", 16)
            queue = "sales"
        if queue not in self.queues.queues:  # no route (or no such queue): done, Hangup()
            if queue:
                log.warning("sim_unknown_queue", queue=queue, channel=two.name)
            await self.hang_up(two)
            return
        self.recorder.record_call(two, queue, 9)
        options = "tc" if self.survey_script else "t"  # c: the caller stays for the survey
        pbx.newexten(two, "Queue", f"{queue},{options},,,120", 11)
        await self.queue(two, queue, url)

    def answer_inbound(self, two: Channel, kind: str, answered: Callable[[], None]) -> None:
        """Priorities 1-4 of the captured inbound contexts: NoOp, the two ``__`` Set, Answer."""
        pbx = self.pbx
        name, num = two.caller_name, two.caller_num
        pbx.newexten(
            two,
            "NoOp",
            f'SWITCHBOARD {kind} call from "{name}" <{num}> uniqueid={two.uniqueid} '
            f"linkedid={two.linkedid}",
            1,
        )
        pbx.newexten(two, "Set", f"__SWITCHBOARD_CALLID={two.uniqueid}", 2)
        pbx.setvar(two, "__SWITCHBOARD_CALLID", two.uniqueid)
        pbx.newexten(two, "Set", f"__SWITCHBOARD_CALLER={num}", 3)
        pbx.setvar(two, "__SWITCHBOARD_CALLER", num)
        pbx.newexten(two, "Answer", "", 4)
        pbx.set_state(two, UP)
        answered()

    async def queue(self, two: Channel, queue: str, url: str) -> None:
        """``Queue()`` and where a Redirect sends the caller next (``queue`` empty: the
        channel was redirected before reaching a queue)."""
        pbx = self.pbx
        announced = survey = False
        while True:
            try:
                if not queue:
                    raise Redirected(two.name)
                await self.queues.run(two, queue)
                moved = self._withdrawn_to(two)
                if moved:
                    queue = moved
                    continue
            except Redirected:
                target = two.redirect_to
                two.redirect_to = None
                if target is None or target[0] != "switchboard-transfer":
                    break
                if not queue:  # straight from the AGI: nothing moved the snapshot yet
                    pbx.goto(two, *target)
                queue = target[1]  # switchboard-transfer,<queue>: Set, then Queue()
                if queue not in self.queues.queues:
                    log.warning("sim_unknown_queue", queue=queue, channel=two.name)
                    break
                pbx.newexten(two, "Set", f"SWITCHBOARD_QUEUE={queue}", 2)
                pbx.setvar(two, "SWITCHBOARD_QUEUE", queue)
                pbx.newexten(two, "Queue", f"{queue},t,,,120", 3)
                continue
            except TalkEnded:
                announced = True  # the queue said SoftHangupRequest at the bridge's end
            except Hungup:
                pass
            else:
                survey = bool(self.survey_script) and not two.soft_hangup
            break
        if survey:
            url = f"{url.rsplit('/', 1)[0]}/{self.survey_script}"
            pbx.newexten(two, "AGI", f"{url},{two.caller_num}", 12)
            pbx.setvar(two, "AGISTATUS", await self.agi.run(two, url, [two.caller_num]))
        await self.hang_up(two, announced)

    def _withdrawn_to(self, two: Channel) -> str:
        """docs/asterisk.md's lines after ``Queue()``: a caller withdrawn with a queue as
        ``QUEUE_WITHDRAW_INFO`` is queued there (``QUEUESTATUS`` cleared, as they do)."""
        if two.variables.get("QUEUESTATUS") != "WITHDRAW":
            return ""
        pbx = self.pbx
        target = two.variables.get("QUEUE_WITHDRAW_INFO", "")
        pbx.newexten(two, "GotoIf", '$["${QUEUESTATUS}" = "WITHDRAW"]?moved', 12)
        pbx.newexten(two, "Set", "QUEUESTATUS=", 20)
        pbx.setvar(two, "QUEUESTATUS", "")
        if target not in self.queues.queues:
            log.warning("sim_unknown_queue", queue=target, channel=two.name)
            return ""
        pbx.newexten(two, "Set", f"SWITCHBOARD_QUEUE={target}", 21)
        pbx.setvar(two, "SWITCHBOARD_QUEUE", target)
        pbx.newexten(two, "Queue", f"{target},t,,,120", 22)
        return target

    async def hang_up(
        self, two: Channel, announced: bool = False, *, exec_dials: bool = False
    ) -> None:
        """Hang up the inbound ``;2`` (and its ``;1``). ``exec_dials``: the AGI dialled
        with ``EXEC Dial``, which gives one Cdr per dial and one for the channel itself."""
        pbx = self.pbx
        if not two.soft_hangup:
            pbx.soft_hangup_request(two)
        elif not announced:
            pbx.ev("SoftHangupRequest", two, Cause=16)
        dials = two.dials if exec_dials else two.dials[:-1]
        for dest, disposition in dials:
            pbx.cdr(two, dest_channel=dest, disposition=disposition)
        last = two.dials[-1][0] if two.dials and not exec_dials else ""
        pbx.cdr(two, dest_channel=last)
        if two.context == "switchboard-ivr":  # switchboard-transfer has no h extension
            pbx.goto(two, "switchboard-ivr", "h", 1)
            pbx.newexten(two, "NoOp", f"SWITCHBOARD hangup {two.uniqueid} cause=16 queuestatus=", 1)
        elif two.context == NATIVE_CONTEXT:
            pbx.goto(two, NATIVE_CONTEXT, "h", 1)
            pbx.newexten(two, "NoOp", hangup_note(two), 1)
        one = two.peer
        if one is not None and not one.hung_up:
            if exec_dials and two.dials:  # a Local ;1 whose ;2 bridged by Dial
                pbx.setvar(one, "CHANLOCALSTATUS", "ANSWER")
            pbx.hangup_request(one)
        two.priority = 2
        pbx.destroy(two)
        self.recorder.finish(two)
        if one is not None and not one.hung_up:
            pbx.soft_hangup_request(one)
            pbx.destroy(one)
            pbx.cdr(one)


class Dialplan:
    """Runs the test PBX dialplan on :class:`Pbx` channels."""

    def __init__(self, pbx: Pbx, rng: Random, agi_connect: AgiConnector | None) -> None:
        self.pbx = pbx
        self.rng = rng
        self.queues = QueueEngine(pbx, rng)
        for q in self.queues.queues.values():  # app_queue caches these at load (no event)
            pbx.devices[f"Queue:{q.config.name}_avail"] = "INUSE"
            for m in q.members:
                pbx.devices[f"Queue:{q.config.name}_pause_{m.member.interface}"] = "NOT_INUSE"
        self.recorder = Recorder(pbx)
        self.callers = Callers(pbx)
        self.queues.caller_hangs_up_after = self.callers.hang_up_after
        self.dial = DialApp(pbx, self.callers, self.recorder)
        self.apps = Applications(pbx, self.queues, self.recorder, self.dial)
        self.agi = FastAgi(pbx, rng, agi_connect, self.apps, self.callers)
        self.calls = InboundCalls(pbx, self.queues, self.agi, self.recorder)
        self.contexts: dict[str, Context] = {
            ACD_CONTEXT: AcdContext(self.calls).run,
            NATIVE_CONTEXT: NativeContext(self.calls).run,
            INBOUND_CONTEXT: DocumentedContext(self.calls).run,
        }
        self.chanspy = ChanSpy(pbx)
        self.pairs = LocalPairs(pbx, self.chanspy)
        self.devices = DeviceOriginates(pbx, self.pairs, self.dial)
        self.supervisors = SupervisorLegs(pbx, self.pairs)

    # -- what the AMI actions, the service and the tests reach ---------------------------
    @property
    def survey_script(self) -> str:
        """FastAGI script run after ``Queue()`` when the agent hangs up (empty: none)."""
        return self.calls.survey_script

    @survey_script.setter
    def survey_script(self, script: str) -> None:
        self.calls.survey_script = script

    @property
    def agi_sessions(self) -> set[AgiCallProtocol]:
        return self.agi.sessions

    @property
    def people(self) -> dict[Channel, ScriptedPerson]:
        return self.callers.people

    @property
    def spies(self) -> dict[Channel, tuple[Channel, str]]:
        return self.chanspy.spies

    def cancel_agi_connects(self) -> None:
        """Give up FastAGI connections still being made (the PBX is stopping)."""
        self.agi.cancel_connects()

    def redirect_agi(self, chan: Channel) -> None:
        """An AMI Redirect of ``chan``: if it is held in a FastAGI session, end that."""
        self.agi.redirect(chan)

    def mixmonitor(self, chan: Channel, path: Path) -> None:
        self.recorder.mixmonitor(chan, path)

    def finish_recording(self, chan: Channel) -> None:
        self.recorder.finish(chan)

    def cli(self, command: str) -> list[str] | None:
        return cli_output(self.pbx, self.queues, command)

    # -- originate ---------------------------------------------------------------------
    def originate(self, req: OriginateRequest) -> Deferred[tuple[str, Channel | None]]:
        """Start an Originate; fires with (``Success``|``Failure``, ;1) at answer/failure."""
        return Deferred.fromCoroutine(self._originate(req))

    async def _originate(self, req: OriginateRequest) -> tuple[str, Channel | None]:
        pbx = self.pbx
        tech, _, dest = req.channel.partition("/")
        exten, _, context = dest.partition("@")
        context = context.removesuffix("/n")
        if tech == "Local" and context in (AGENTS_CONTEXT, CUSTOMER_CONTEXT):
            return await self.devices.originate(req, exten, context)
        if tech == "Local" and context == SUPERVISOR_CONTEXT:
            return await self.supervisors.originate(req, exten, context)
        if tech != "Local":
            return self.pairs.result(req, "Failure", None, 0)
        if context not in ("switchboard-ivr", ACD_CONTEXT, NATIVE_CONTEXT, INBOUND_CONTEXT):
            return self.devices.nowhere(req, exten, context)
        language = req.script.language if req.script else "en"
        one, two = self.pairs.dial(req, exten, context, language=language, optimized=True)
        if req.script is not None:
            self.callers.add_person(one, req.script)
        answered: Deferred[None] = Deferred()
        one_answered = partial(fire_once, answered, None)
        ivr = self.contexts.get(context, self.calls.run)
        run_background(Deferred.fromCoroutine(ivr(two, one_answered)), context)
        await answered
        if one.hung_up:
            return self.pairs.result(req, "Failure", None, 0)
        self.pairs.result(req, "Success", one, 4)
        pbx.set_state(one, UP)
        pbx.emit("DialEnd", {"Dest": one}, DialStatus="ANSWER")
        pbx.goto(one, req.context, req.exten, req.priority)
        run_background(Deferred.fromCoroutine(self.callers.run(one)), "caller")
        return "Success", one
