# -*- test-case-name: tests.sim.test_conformance -*-
"""The captured test PBX's dialplan, replayed as coroutines on simulated channels.

Contexts (described in the captures' README): ``switchboard-ivr`` (Answer, FastAGI,
MixMonitor, Queue), ``switchboard-caller`` (the scripted caller on ``;1``: ``dtmf``,
``silent``, ``abandon``) and ``switchboard-agents`` (ring, answer, talk, hang up).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from random import Random

import structlog
from twisted.internet.defer import Deferred

from switchboard.sim._acd import ACD_CONTEXT, AcdDialplan
from switchboard.sim._agi import AgiCallProtocol, agi_environment
from switchboard.sim._agi_commands import DEFAULT_PROMPT_S, PROMPTS, CommandRunner
from switchboard.sim._callback import CUSTOMER_CONTEXT, CallbackDialplan
from switchboard.sim._caller import CallerDialplan, ScriptedPerson
from switchboard.sim._chanspy import SUPERVISOR_CONTEXT, ChanSpyDialplan
from switchboard.sim._cli import cli_output
from switchboard.sim._documented import INBOUND_CONTEXT, DocumentedDialplan
from switchboard.sim._native import NATIVE_CONTEXT, NativeDialplan, hangup_note
from switchboard.sim._queue import QueueEngine, TalkEnded
from switchboard.sim._recording import write_wav
from switchboard.sim.channels import UP, Channel
from switchboard.sim.pbx import Hungup, Pbx, Redirected, run_background
from switchboard.sim.scenario import ScriptedCall

log = structlog.get_logger(__name__)
VOICEMAIL_S = 6.0
# The option letters ``core show application Queue`` lists on Asterisk 22.10.1
# (agi-failures/queue-options.cli.txt): ``c`` continues after the agent hangs up.
QUEUE_OPTIONS = frozenset("bBCcdFhHiIkKmnrRtTxX")

AgiConnector = Callable[[AgiCallProtocol], Deferred[object]]


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


class Dialplan(
    AcdDialplan,
    CallbackDialplan,
    CallerDialplan,
    ChanSpyDialplan,
    DocumentedDialplan,
    NativeDialplan,
):
    """Runs the test PBX dialplan on :class:`Pbx` channels."""

    def __init__(self, pbx: Pbx, rng: Random, agi_connect: AgiConnector | None) -> None:
        self.pbx = pbx
        self.rng = rng
        self.agi_connect = agi_connect
        self.queues = QueueEngine(pbx, rng)
        self.queues.caller_hangs_up_after = self.caller_hangs_up_after
        for q in self.queues.queues.values():  # app_queue caches these at load (no event)
            pbx.devices[f"Queue:{q.config.name}_avail"] = "INUSE"
            for m in q.members:
                pbx.devices[f"Queue:{q.config.name}_pause_{m.member.interface}"] = "NOT_INUSE"
        self._recordings: dict[Channel, Path] = {}
        self.people: dict[Channel, ScriptedPerson] = {}  # by the caller's ;1
        self.survey_script = ""  # FastAGI script run after Queue() when the agent hangs up
        self.agi_sessions: set[AgiCallProtocol] = set()  # open FastAGI sessions
        self.spies: dict[Channel, tuple[Channel, str]] = {}
        self._connecting: set[Deferred[object]] = set()

    def cancel_agi_connects(self) -> None:
        """Give up FastAGI connections still being made (the PBX is stopping)."""
        for d in list(self._connecting):
            d.cancel()

    # -- originate ---------------------------------------------------------------------
    def open_originated_pair(
        self, req: OriginateRequest, exten: str, context: str, language: str = "en"
    ) -> tuple[Channel, Channel]:
        """The Originate's Local pair (with the ids it asked for), ``;1`` in ``AppDial2``."""
        ids = (req.channel_id, req.other_channel_id) if req.channel_id else None
        one, two = self.pbx.new_local_pair(exten, context, ids=ids, language=language)
        self.pbx.newexten(one, "AppDial2", "(Outgoing Line)")
        return one, two

    def dial_originated_pair(
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
        one, two = self.open_originated_pair(req, exten, context, language)
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

    def originate(self, req: OriginateRequest) -> Deferred[tuple[str, Channel | None]]:
        """Start an Originate; fires with (``Success``|``Failure``, ;1) at answer/failure."""
        return Deferred.fromCoroutine(self._originate(req))

    async def _originate(self, req: OriginateRequest) -> tuple[str, Channel | None]:
        pbx = self.pbx
        tech, _, dest = req.channel.partition("/")
        exten, _, context = dest.partition("@")
        context = context.removesuffix("/n")
        if tech == "Local" and context in ("switchboard-agents", CUSTOMER_CONTEXT):
            return await self.originate_device(req, exten, context)
        if tech == "Local" and context == SUPERVISOR_CONTEXT:
            return await self.originate_supervisor(req, exten, context)
        if tech != "Local":
            if req.on_result:
                req.on_result("Failure", None, 0)
            return "Failure", None
        if context not in ("switchboard-ivr", ACD_CONTEXT, NATIVE_CONTEXT, INBOUND_CONTEXT):
            return self.originate_nowhere(req, exten, context)
        language = req.script.language if req.script else "en"
        one, two = self.dial_originated_pair(
            req, exten, context, language=language, optimized=True
        )
        if req.script is not None:
            self.add_person(one, req.script)
        answered: Deferred[None] = Deferred()
        one_answered = lambda: answered.called or answered.callback(None)  # noqa: E731
        ivr = {
            ACD_CONTEXT: self.acd_ivr,
            NATIVE_CONTEXT: self.native_ivr,
            INBOUND_CONTEXT: self.inbound,
        }.get(context, self.ivr)
        run_background(Deferred.fromCoroutine(ivr(two, one_answered)), context)
        await answered
        if one.hung_up:
            if req.on_result:
                req.on_result("Failure", None, 0)
            return "Failure", None
        if req.on_result:
            req.on_result("Success", one, 4)
        pbx.set_state(one, UP)
        pbx.emit("DialEnd", {"Dest": one}, DialStatus="ANSWER")
        pbx.goto(one, req.context, req.exten, req.priority)
        run_background(Deferred.fromCoroutine(self.caller(one)), "caller")
        return "Success", one

    # -- switchboard-ivr,s (the inbound call on ;2) ------------------------------------
    async def ivr(self, two: Channel, answered: Callable[[], None]) -> None:
        pbx = self.pbx
        num = two.caller_num
        self.answer_inbound(two, "inbound", answered)
        url = pbx.config.agi_url
        pbx.newexten(two, "AGI", f"{url},{num},{two.language}", 5)
        status = await self._agi(two, url, [num, two.language])
        pbx.setvar(two, "AGISTATUS", status)
        # An AMI Redirect pulled the caller out of the AGI (the session saw HANGUP): the
        # channel runs the new context. (AGISTATUS then is not in the captures.)
        if two.redirect_to is not None and not two.soft_hangup:
            await self._queue(two, "", url)
            return
        if status == "HANGUP" or two.soft_hangup:
            await self._hangup_ivr(two)
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
            await self._hangup_ivr(two)
            return
        self.record_call(two, queue, 9)
        options = "tc" if self.survey_script else "t"  # c: the caller stays for the survey
        pbx.newexten(two, "Queue", f"{queue},{options},,,120", 11)
        await self._queue(two, queue, url)

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

    def record_call(self, two: Channel, queue: str, priority: int | None = None) -> None:
        """``Set(SWITCHBOARD_RECORDING=…)`` and ``MixMonitor(…,b)`` before ``Queue()``."""
        pbx = self.pbx
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(pbx.now()))
        path = pbx.config.spool_dir / "monitor" / f"{queue}-{stamp}-{two.uniqueid}.wav"
        pbx.newexten(two, "Set", f"SWITCHBOARD_RECORDING={path}", priority)
        pbx.setvar(two, "SWITCHBOARD_RECORDING", str(path))
        pbx.newexten(two, "MixMonitor", f"{path},b", priority and priority + 1)
        self.mixmonitor(two, path)

    async def _queue(self, two: Channel, queue: str, url: str) -> None:
        """``Queue()`` and where a Redirect sends the caller next (``queue`` empty: the
        channel was redirected before reaching a queue)."""
        pbx = self.pbx
        announced = survey = False
        while True:
            try:
                if not queue:
                    raise Redirected(two.name)
                await self.queues.run(two, queue)
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
            pbx.setvar(two, "AGISTATUS", await self._agi(two, url, [two.caller_num]))
        await self._hangup_ivr(two, announced)

    async def _hangup_ivr(
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
        self.finish_recording(two)
        if one is not None and not one.hung_up:
            pbx.soft_hangup_request(one)
            pbx.destroy(one)
            pbx.cdr(one)

    def finish_recording(self, chan: Channel) -> None:
        """Write the call's WAV: with ``,b`` only bridged audio (capped, files stay short)."""
        path = self._recordings.pop(chan, None)
        chan.recording = None
        if path is not None:
            write_wav(path, min(3.0, float(chan.variables.get("__bridged_s", 0))))

    def add_bridged(self, chan: Channel, seconds: float) -> None:
        total = float(chan.variables.get("__bridged_s", 0)) + seconds
        chan.variables["__bridged_s"] = str(total)

    def mixmonitor(self, chan: Channel, path: Path) -> None:
        self.pbx.setvar(chan, "MIXMONITOR_FILENAME", str(path))
        self.pbx.ev("MixMonitorStart", chan)
        self._recordings[chan] = path
        chan.recording = str(path)

    def cli(self, command: str) -> list[str] | None:
        return cli_output(self.pbx, self.queues, command)

    async def _agi(
        self,
        two: Channel,
        url: str,
        args: list[str],
        on_answer: Callable[[], None] | None = None,
    ) -> str:
        if self.agi_connect is None:
            return "FAILURE"
        runner = CommandRunner(self.pbx, two, self.rng, self.exec_app, on_answer=on_answer)
        runner.on_prompt = lambda prompt: self.prompt_started(two, prompt)
        env = agi_environment(two, url, args, self.rng.randrange(10**14, 10**15))
        proto = AgiCallProtocol(runner, env)
        two.agi_data = ",".join([url, *args])
        connecting = self.agi_connect(proto)
        self._connecting.add(connecting)
        try:
            await connecting
        except Exception:  # refused, timed out or cancelled by a shutdown: AGISTATUS
            two.agi_data = None
            return "FAILURE"
        finally:
            self._connecting.discard(connecting)
        self.agi_sessions.add(proto)
        try:
            return await proto.finished
        finally:
            self.agi_sessions.discard(proto)
            two.agi_data = None

    def redirect_agi(self, chan: Channel) -> None:
        """An AMI Redirect of ``chan``: if it is held in a FastAGI session, end that."""
        for proto in self.agi_sessions:
            if proto.runner.chan is chan:
                proto.runner.leave_for_redirect()

    async def exec_app(self, chan: Channel, command: str) -> int:
        name, _, data = command.partition(" ")
        app = name.lower()
        if not self.pbx.config.has_application(app):  # res_agi: "Could not find application"
            log.warning("sim_no_such_application", application=name, channel=chan.name)
            return -2
        chan.application, chan.app_data = name, data  # CoreShowChannel shows the last EXEC
        if app == "playback":
            return await self.playback(chan, data)
        if app == "queue":
            return await self.exec_queue(chan, data)
        if app == "mixmonitor":
            path = Path(data.split(",")[0].strip('"'))
            self.mixmonitor(chan, path)
            return 0
        if app == "dial":
            return await self.dial(chan, data)
        if app == "startmusiconhold":
            chan.moh = True
            self.pbx.ev("MusicOnHoldStart", chan, Class=data or "default")
            return 0
        if app == "stopmusiconhold":
            if chan.moh:
                chan.moh = False
                self.pbx.ev("MusicOnHoldStop", chan)
            return 0
        if app == "wait":
            await self.pbx.sleep(float(data or 0), chan)
            return 0
        if app == "voicemail":  # greeting, beep and a short message, then the caller is done
            await self.pbx.sleep(VOICEMAIL_S, chan)
            return 0
        return 0  # loaded, and not simulated: done at once

    async def playback(self, chan: Channel, data: str) -> int:
        """``Playback(file)``: a missing file is no failure of the session, only
        ``PLAYBACKSTATUS=FAILED`` (agi-failures case b)."""
        name = data.split(",")[0].split("&")[0]
        if not self.pbx.config.has_sound(name, chan.language):
            log.warning("sim_sound_missing", file=name, language=chan.language)
            self.pbx.setvar(chan, "PLAYBACKSTATUS", "FAILED")
            return 0
        try:
            await self.pbx.sleep(PROMPTS.get(name, DEFAULT_PROMPT_S), chan)
        except Hungup:
            return -1
        self.pbx.setvar(chan, "PLAYBACKSTATUS", "SUCCESS")
        return 0

    async def exec_queue(self, chan: Channel, data: str) -> int:
        """``Queue(name,options,...)``: unknown option letters are only logged (there is
        no ``g``); an unknown queue sets ``QUEUESTATUS=UNKNOWN`` (agi-failures case e)."""
        parts = data.split(",")
        name, options = parts[0], parts[1] if len(parts) > 1 else ""
        for letter in options:
            if letter not in QUEUE_OPTIONS:
                log.warning("sim_queue_unrecognized_option", option=letter, channel=chan.name)
        for var in ("ANSWEREDTIME", "ANSWEREDTIME_MS", "DIALEDTIME", "DIALEDTIME_MS"):
            self.pbx.setvar(chan, var, "")
        if name not in self.queues.queues:
            self.pbx.setvar(chan, "QUEUEWAIT", "")
            self.pbx.setvar(chan, "QUEUEWAIT_MS", "")
            self.pbx.setvar(chan, "QUEUESTATUS", "UNKNOWN")
            return 0
        try:
            await self.queues.run(chan, name)
        except (Hungup, TalkEnded):
            return -1
        return 0
