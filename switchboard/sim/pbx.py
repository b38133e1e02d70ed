# -*- test-case-name: tests.sim.test_caller,tests.sim.test_ami -*-
"""The simulated PBX core: clock, event bus, channels, variables and hang-ups.

Everything runs on one injected :class:`IReactorTime`. Simulated time runs ``speed``
times faster than that clock: a 12 s ring timeout waits ``12 / speed`` clock seconds,
while event values (uniqueids, ``HoldTime``, ``Cdr`` times) use simulated seconds since
``epoch``. Dialplan behaviours (:mod:`._dialplan`, :mod:`._queue`, :mod:`._agi`) are
coroutines that ``await pbx.sleep(...)``; a hang-up cancels the sleeps of that channel.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import structlog
from twisted.internet import task
from twisted.internet.defer import CancelledError, Deferred
from twisted.internet.interfaces import IDelayedCall, IReactorTime
from twisted.python.failure import Failure

from switchboard.sim._config import (
    DEFAULT_QUEUES,
    AgentBehaviour,
    Member,
    PbxConfig,
    QueueConfig,
)
from switchboard.sim.channels import RING, UNKNOWN, Bridge, Channel, IdAllocator
from switchboard.sim.events import EventSink, Headers, build_event

__all__ = [
    "DEFAULT_QUEUES",
    "AgentBehaviour",
    "Hungup",
    "Member",
    "Pbx",
    "PbxConfig",
    "QueueConfig",
    "Redirected",
    "Transferred",
    "run_background",
]

log = structlog.get_logger(__name__)
_T = TypeVar("_T")

CAUSE_TEXT: dict[int, str] = {
    0: "Unknown",
    16: "Normal Clearing",
    17: "User busy",
    19: "User alerting, no answer",
    34: "Circuit/channel congestion",
}
DEFAULT_EPOCH = 1795369000.0


class Hungup(Exception):
    """The channel a dialplan coroutine runs on was hung up."""


class Redirected(Hungup):
    """The channel left its application for an AMI Redirect (``chan.redirect_to``)."""


class Transferred(Exception):
    """The agent transferred the caller sleeping on this channel: the conversation with
    the agent is over (AMI ``BlindTransfer`` / ``Atxfer``); the caller is still there."""


class Pbx:
    """Shared state of one simulated PBX and the primitives its dialplan uses."""

    def __init__(
        self,
        clock: IReactorTime,
        config: PbxConfig | None = None,
        *,
        speed: float = 1.0,
        epoch: float = DEFAULT_EPOCH,
        talk_time: Callable[[float, float], float] | None = None,
        local_start: int = 0,
    ) -> None:
        self.clock = clock
        self.config = config or PbxConfig()
        self.speed = speed
        self.epoch = epoch
        self._t0 = clock.seconds()
        self.ids = IdAllocator(int(epoch), local_start)
        self.channels: dict[str, Channel] = {}
        self.globals: dict[str, str] = {}
        self.devices: dict[str, str] = {}
        self.astdb: dict[tuple[str, str], str] = {}
        self._sinks: list[EventSink] = []
        self._waits: dict[Channel, set[Deferred[None]]] = {}
        self._hangup_hooks: dict[Channel, list[Callable[[Channel], None]]] = {}
        self._timers: set[IDelayedCall] = set()
        self._sleeps: set[Deferred[None]] = set()
        self.dtmf_listeners: dict[Channel, Callable[[str], None]] = {}
        self.talk_time = talk_time or (lambda lo, hi: (lo + hi) / 2)
        self.started_wall = time.time()
        self.shutting_down = False  # set by a shutdown/restart: hang-ups carry Cause 0

    # -- time --------------------------------------------------------------------------
    def now(self) -> float:
        """Simulated epoch seconds."""
        return self.epoch + (self.clock.seconds() - self._t0) * self.speed

    def sleep(self, seconds: float, chan: Channel | None = None) -> Deferred[None]:
        """Wait ``seconds`` of simulated time; fails with :class:`Hungup` if ``chan`` dies."""
        if chan is not None and (chan.hung_up or chan.soft_hangup):
            d: Deferred[None] = Deferred()
            d.errback(Hungup(chan.name))
            return d
        d = task.deferLater(self.clock, max(0.0, seconds) / self.speed, lambda: None)
        self._sleeps.add(d)
        if chan is None:
            d.addBoth(self._forget_sleep, d)
            return d
        waits = self._waits.setdefault(chan, set())
        waits.add(d)

        def forget(result: object) -> object:
            waits.discard(d)
            self._sleeps.discard(d)
            return result

        def cancelled(failure: Failure) -> None:
            failure.trap(CancelledError)
            if chan.transferred and not chan.soft_hangup:
                chan.transferred = False
                raise Transferred(chan.name)
            if chan.redirect_to is not None and not chan.soft_hangup:
                raise Redirected(chan.name)
            raise Hungup(chan.name)

        d.addBoth(forget)
        d.addErrback(cancelled)
        return d

    def _forget_sleep(self, result: object, d: Deferred[None]) -> object:
        self._sleeps.discard(d)
        return result

    def call_later(self, seconds: float, fn: Callable[[], object]) -> IDelayedCall:
        """``fn`` after ``seconds`` of simulated time (tracked: see :meth:`cancel_timers`)."""
        return self.call_later_real(max(0.0, seconds) / self.speed, fn)

    def call_later_real(self, seconds: float, fn: Callable[[], object]) -> IDelayedCall:
        """``fn`` after ``seconds`` of clock time, tracked like :meth:`call_later`."""
        call: IDelayedCall | None = None

        def run() -> None:
            self._timers.discard(call)  # type: ignore[arg-type]
            fn()

        call = self.clock.callLater(max(0.0, seconds), run)
        self._timers.add(call)
        return call

    def pending_timers(self) -> int:
        """Timers and sleeps of this PBX that have not fired yet."""
        return sum(1 for c in self._timers if c.active()) + len(self._sleeps)

    def cancel_timers(self) -> None:
        """Cancel every pending timer and sleep (the end of a shutdown)."""
        for call in list(self._timers):
            if call.active():
                call.cancel()
        self._timers.clear()
        for d in list(self._sleeps):
            d.cancel()
        self._sleeps.clear()

    # -- events ------------------------------------------------------------------------
    def subscribe(self, sink: EventSink) -> Callable[[], None]:
        self._sinks.append(sink)
        return lambda: self._sinks.remove(sink) if sink in self._sinks else None

    def emit(
        self,
        name: str,
        snapshots: dict[str, Channel] | None = None,
        bridge: Bridge | None = None,
        /,
        **fields: object,
    ) -> Headers:
        headers = build_event(name, snapshots, bridge, **fields)
        self.publish(headers)
        return headers

    def publish(self, headers: Headers) -> None:
        for sink in list(self._sinks):
            sink(headers)

    def ev(self, name: str, chan: Channel, /, **fields: object) -> None:
        """An event with one channel snapshot."""
        self.emit(name, {"": chan}, **fields)

    # -- channels ----------------------------------------------------------------------
    def new_local_pair(
        self,
        exten: str,
        context: str,
        linkedid: str | None = None,
        *,
        ids: tuple[str, str | None] | None = None,
        announce: bool = True,
        language: str = "en",
    ) -> tuple[Channel, Channel]:
        """Create ``Local/<exten>@<context>-<hex>;1`` and ``;2`` (Newchannel x2)."""
        now = self.now()
        base = f"Local/{exten}@{context}-{self.ids.local_suffix()}"
        uid1 = ids[0] if ids else self.ids.uniqueid(now)
        uid2 = ids[1] if ids and ids[1] else self.ids.uniqueid(now)
        lid = linkedid or uid1
        one = Channel(f"{base};1", uid1, lid, context, exten, created_at=now)
        two = Channel(f"{base};2", uid2, lid, context, exten, state=RING, created_at=now)
        one.peer, two.peer = two, one
        one.language = two.language = language
        for chan in (one, two):
            self.channels[chan.name] = chan
            if announce:
                self.ev("Newchannel", chan)
        return one, two

    def newexten(
        self, chan: Channel, app: str, data: str = "", priority: int | None = None
    ) -> None:
        if priority is not None:
            chan.priority = priority
        chan.application, chan.app_data = app, data
        self.ev("Newexten", chan, Extension=chan.exten, Application=app, AppData=data)

    def goto(self, chan: Channel, context: str, exten: str, priority: int = 1) -> None:
        chan.context, chan.exten, chan.priority = context, exten, priority

    def setvar(self, chan: Channel, name: str, value: str) -> None:
        if name.endswith(")"):
            self.write_function(chan, name, value)
            return
        chan.variables[name.lstrip("_")] = value
        self.ev("VarSet", chan, Variable=name, Value=value)

    def write_function(self, chan: Channel, name: str, value: str) -> None:
        """A dialplan function set like a variable: main/pbx_variables.c
        (``pbx_builtin_setvar_helper``) hands a name ending in ``)`` to the function's
        write callback, so no ``VarSet`` event is raised for it."""
        if name == "CHANNEL(language)":
            chan.language = value
        elif name == "CALLERID(num)":
            self.set_callerid(chan, value, chan.caller_name)
        elif name == "CALLERID(name)":
            self.set_callerid(chan, chan.caller_num, value)
        else:
            log.warning("sim_function_write_not_simulated", function=name, channel=chan.name)

    def read_function(self, chan: Channel, name: str) -> str | None:
        """The functions the simulated dialplan can read (``None`` for any other)."""
        return {
            "CALLERID(num)": chan.caller_num,
            "CALLERID(name)": chan.caller_name,
            "CALLERID(all)": f'"{chan.caller_name}" <{chan.caller_num}>',
            "CHANNEL(language)": chan.language,
            "CHANNEL(linkedid)": chan.linkedid,
            "CHANNEL(uniqueid)": chan.uniqueid,
            "UNIQUEID": chan.uniqueid,
            "CHANNEL": chan.name,
        }.get(name)

    def set_global(self, name: str, value: str) -> None:
        self.globals[name] = value
        self.emit("VarSet", None, Channel="none", Uniqueid="none", Variable=name, Value=value)

    def getvar(self, chan: Channel | None, name: str) -> str | None:
        if chan is not None and name in chan.variables:
            return chan.variables[name]
        return self.globals.get(name)

    def set_callerid(self, chan: Channel, num: str, name: str) -> None:
        chan.caller_num, chan.caller_name = num, name
        self.ev(
            "NewCallerid", chan, **{"CID-CallingPres": "0 (Presentation Allowed, Not Screened)"}
        )

    def set_connected(self, chan: Channel, num: str, name: str) -> None:
        chan.connected_num, chan.connected_name = num, name
        self.ev("NewConnectedLine", chan)

    def set_state(self, chan: Channel, state: int) -> None:
        if chan.state != state:
            chan.state = state
            if state == 6 and chan.answered_at is None:
                chan.answered_at = self.now()
            self.ev("Newstate", chan)

    def on_hangup(self, chan: Channel, hook: Callable[[Channel], None]) -> None:
        self._hangup_hooks.setdefault(chan, []).append(hook)

    def interrupt(self, chan: Channel) -> None:
        """Mark ``chan`` soft-hung-up and wake every coroutine sleeping on it."""
        if chan.soft_hangup:
            return
        chan.soft_hangup = True

        # Delivered on the next tick, as from another channel thread: no re-entrancy.
        def deliver() -> None:
            for d in list(self._waits.pop(chan, ())):
                d.cancel()
            for hook in self._hangup_hooks.pop(chan, []):
                hook(chan)

        self.call_later_real(0, deliver)

    def redirect(self, chan: Channel, context: str, exten: str, priority: int) -> None:
        """Pull ``chan`` out of its application (AMI Redirect); coroutines see Redirected."""
        chan.redirect_to = (context, exten, priority)

        def deliver() -> None:
            for d in list(self._waits.pop(chan, ())):
                d.cancel()

        self.call_later_real(0, deliver)

    def end_talk(self, chan: Channel) -> None:
        """The agent transferred ``chan``: its talk (a sleep) ends with :class:`Transferred`."""
        chan.transferred = True

        def deliver() -> None:
            for d in list(self._waits.pop(chan, ())):
                d.cancel()

        self.call_later_real(0, deliver)

    def soft_hangup_request(self, chan: Channel, cause: int = 16) -> None:
        self.ev("SoftHangupRequest", chan, Cause=cause)
        self.interrupt(chan)

    def hangup_request(self, chan: Channel, cause: int = 16) -> None:
        self.ev("HangupRequest", chan, Cause=cause)
        self.interrupt(chan)

    def destroy(self, chan: Channel, cause: int = 16) -> None:
        """The final ``Hangup`` event of a channel."""
        if chan.hung_up:
            return
        chan.hung_up = True
        self.interrupt(chan)
        self.channels.pop(chan.name, None)
        self.dtmf_listeners.pop(chan, None)
        self.ev("Hangup", chan, Cause=cause, Cause_txt=CAUSE_TEXT.get(cause, "Unknown"))

    def cdr(self, chan: Channel, *, dest_channel: str = "", disposition: str | None = None) -> None:
        """The ``Cdr`` record of one channel (sent from Asterisk's CDR thread)."""
        end = self.now()
        answered = chan.answered_at
        fmt = "%Y-%m-%d %H:%M:%S"
        self.emit(
            "Cdr",
            None,
            AccountCode="",
            Source=chan.caller_num if chan.caller_num != UNKNOWN else "",
            Destination=chan.exten,
            DestinationContext=chan.context,
            CallerID=f'"{chan.caller_name}" <{chan.caller_num}>',
            Channel=chan.name,
            DestinationChannel=dest_channel,
            LastApplication=chan.application,
            LastData=chan.app_data,
            StartTime=time.strftime(fmt, time.gmtime(chan.created_at)),
            AnswerTime=time.strftime(fmt, time.gmtime(answered)) if answered else "",
            EndTime=time.strftime(fmt, time.gmtime(end)),
            Duration=int(end - chan.created_at),
            BillableSeconds=int(end - answered) if answered else 0,
            Disposition=disposition or ("ANSWERED" if answered else "NO ANSWER"),
            AMAFlags="DOCUMENTATION",
            UniqueID=chan.uniqueid,
            UserField="",
        )

    async def send_dtmf(self, sender: Channel, digits: str, between_s: float = 0.25) -> None:
        """``SendDTMF`` on one half of a Local pair: the other half receives each digit."""
        # agi-failures case f: 0.1 s of silence, then each 0.1 s tone followed by
        # ``between_s`` of silence (the ``,250`` of SendDTMF(12#,250)).
        target = sender.peer
        await self.sleep(0.1, sender)
        for digit in digits:
            if target is None or target.hung_up:
                return
            self.ev("DTMFBegin", target, Digit=digit, Direction="Received")
            await self.sleep(0.1, sender)
            self.ev("DTMFEnd", target, Digit=digit, DurationMs=100, Direction="Received")
            listener = self.dtmf_listeners.get(target)
            if listener is not None:
                listener(digit)
            await self.sleep(between_s, sender)

    def device_state(self, device: str, state: str) -> None:
        if device.startswith("Queue:"):  # only these stay in the device state cache
            self.devices[device] = state
        self.emit("DeviceStateChange", None, Device=device, State=state)

    def find_channel(self, name: str) -> Channel | None:
        return self.channels.get(name)


def fire_once(d: Deferred[_T], value: _T) -> None:
    """Fire ``d`` with ``value`` unless something (a digit, a hang-up) already did."""
    if not d.called:
        d.callback(value)


def run_background(d: Deferred[object], what: str) -> None:
    """Log any failure of a background dialplan coroutine (never silently lost)."""

    def failed(failure: Failure) -> None:
        if failure.check(Hungup, CancelledError):
            return
        log.error("sim_background_failed", what=what, failure=failure.getTraceback())

    d.addErrback(failed)
