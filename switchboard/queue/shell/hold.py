# -*- test-case-name: tests.queue.test_hold -*-
"""One caller held in the ACD over their own AGI session, from joining to leaving.

:class:`HeldCall` keeps the session the IVR handed over: music on hold while nothing
is sent (Asterisk keeps it playing on its own), announcements and the callback offer
between stretches of music, and, when the router offers the call, the agent's device
dialled from this session (``EXEC Dial``) after recording has started. What the router
asks arrives in an inbox; a caller hanging up arrives there too, from a ``sleep`` that
watches the session for the whole hold.

Rules, from the ``agi-exec-dial`` capture:

* A DIALSTATUS of ANSWER means the agent answered, whoever hung up; Dial returns only
  when the conversation is over, so the answer itself is learnt from AMI (``DialEnd``)
  when there is AMI, else when Dial returns.
* NOANSWER, BUSY, CHANUNAVAIL, CONGESTION: not answered, the caller goes back to their
  place. CANCEL, or a HANGUP notice: the caller is gone.
* An offer the router cancels while its Dial rings (agent logged out, ring deadline) is
  stopped by hanging up the agent leg over AMI (``DestChannel`` of the ``DialBegin``);
  whatever that Dial then returns is not fed to the router, and the caller waits again.
  Without AMI the Dial rings on (logged).
* Digits pressed between commands are dropped, so the callback offer is a STREAM FILE
  with ``1`` as escape digit followed by a short WAIT FOR DIGIT.

When the caller leaves the ACD still on the line, SWITCHBOARD_QUEUE is cleared (the ACD
has dealt with them: the dialplan must not ``Queue()`` them again) and SWITCHBOARD_ROUTE
says ``routed``, or ``failed`` when the fallback is to take over. What the IVR already
did (ANSWER, SWITCHBOARD_QUEUE) is not sent again, and music on hold starts only if the
caller has to wait.
"""

from __future__ import annotations

import math
from collections import deque
from datetime import datetime
from typing import Any, Protocol

from twisted.internet.defer import CancelledError, Deferred

from switchboard.cti.agi.channel import AgiChannel
from switchboard.cti.agi.errors import AgiCommandFailed, AgiError, AgiHangup, AgiUnknownCommand
from switchboard.cti.agi.wire import Quoted
from switchboard.cti.ami.values import UnsafeValue, phone_number
from switchboard.dialplan_vars import FAILED, QUEUE_VARIABLE, ROUTE_VARIABLE, ROUTED
from switchboard.queue.core.decisions import (
    Announce,
    CancelOffer,
    Command,
    MoveToQueue,
    OfferCall,
    OfferCallbackChoice,
    SendToFallback,
)
from switchboard.queue.core.events import (
    CallbackRequested,
    CallEnded,
    CallerAbandoned,
    Event,
    OfferAnswered,
    OfferNotAnswered,
)
from switchboard.queue.core.model import WaitingCall
from switchboard.queue.shell._holdtypes import AcdPrompts, HoldOptions, QueueOutcome, QueueRequest
from switchboard.recording_names import render

__all__ = ["AcdPrompts", "HeldCall", "HoldOptions", "QueueOutcome", "QueueRequest"]

# The watch on the session is renewed this often (it ends at once on a hang-up).
WATCH_S = 3600.0
NOT_ANSWERED = frozenset({"NOANSWER", "BUSY", "CHANUNAVAIL", "CONGESTION"})
FALLBACK_OUTCOMES = frozenset({"overflowed", "error"})


class HoldShell(Protocol):
    """What a held call needs from the ACD service."""

    def feed(self, event: Event) -> None: ...

    def now(self) -> float: ...

    def arrive(self, held: HeldCall) -> None: ...

    def hang_up(self, channel: str) -> bool: ...


class _Gone:
    """The inbox item for "the caller hung up"."""


GONE = _Gone()


class HeldCall:
    def __init__(
        self,
        shell: HoldShell,
        channel: AgiChannel,
        call: WaitingCall,
        music_class: str,
        options: HoldOptions,
        log: Any,
        *,
        answered: bool = False,
        queue_variable_set: bool = False,
    ) -> None:
        self.shell, self.channel, self.call = shell, channel, call
        self._needs_answer, self._queue_variable_set = not answered, queue_variable_set
        self.queue, self.music_class = call.queue, music_class
        self.options, self.log = options, log
        self.inbox: deque[tuple[float, Command | _Gone]] = deque()
        self.dialing_agent = ""
        self.answered = False
        self.offer: OfferCall | None = None  # the offer being carried out
        self.cancelled = False  # ... and the router has cancelled it
        self.dest_channel = ""  # the agent leg its Dial rings (AMI DialBegin)
        self.recording = ""
        self.arrived = False
        self._left = False
        self._moh = False
        self._wake: Deferred[None] | None = None
        self._watch: Deferred[None] | None = None
        self._say_number = True

    @property
    def call_id(self) -> str:
        return self.call.id

    # -- fed by the service -----------------------------------------------------------
    def deliver(self, item: Command | _Gone) -> None:
        if isinstance(item, CancelOffer) and self._cancel(item):
            return
        self.inbox.append((self.shell.now(), item))
        wake, self._wake = self._wake, None
        if wake is not None and not wake.called:
            wake.callback(None)

    def agent_answered(self) -> None:
        """AMI saw the agent answer (DialEnd ANSWER on this caller's channel)."""
        if self.dialing_agent and not self.answered and not self.cancelled:
            self.answered = True
            self.shell.feed(OfferAnswered(self.call_id, self.dialing_agent))

    def agent_ringing(self, dest_channel: str) -> None:
        """AMI saw this caller's Dial begin (DialBegin): ``dest_channel`` is the agent leg."""
        if self.dialing_agent and dest_channel:
            self.dest_channel = dest_channel
            if self.cancelled:  # cancelled before the leg was known
                self._stop_ringing()

    def _cancel(self, item: CancelOffer) -> bool:
        """Cancel the offer being carried out, or one still in the inbox; False if neither."""
        offer, log = self.offer, self.log.bind(agent=item.agent_id)
        if offer and offer.agent_id == item.agent_id and not (self.answered or self.cancelled):
            self.cancelled = True
            log.info("acd_offer_cancelled", dialing=bool(self.dialing_agent))
            if self.dialing_agent:
                self._stop_ringing()
            return True
        queued = [
            i for i in self.inbox if isinstance(i[1], OfferCall) and i[1].agent_id == item.agent_id
        ]
        if queued:  # not started yet: drop it
            self.inbox.remove(queued[-1])
            log.info("acd_offer_cancelled", dialing=False)
        return bool(queued)

    def _stop_ringing(self) -> None:
        if self.dest_channel and self.shell.hang_up(self.dest_channel):
            self.log.info("acd_cancelled_offer_hung_up", dest_channel=self.dest_channel)
        else:  # no AMI, or no DialBegin seen (yet)
            self.log.warning("acd_cancelled_offer_rings_on", dest_channel=self.dest_channel)

    # -- the hold -----------------------------------------------------------------------
    async def run(self) -> QueueOutcome:
        outcome = await self._hold()
        if not outcome.caller_gone:
            await self._hand_back(outcome.outcome)
        return outcome

    async def _hand_back(self, outcome: str) -> None:
        route = FAILED if outcome in FALLBACK_OUTCOMES else ROUTED
        try:
            await self.channel.set_variable(QUEUE_VARIABLE, Quoted(""))
            await self.channel.set_variable(ROUTE_VARIABLE, route)
        except AgiError as exc:
            self.log.info("acd_route_not_set", route=route, error=str(exc))

    async def _hold(self) -> QueueOutcome:
        self._watch = Deferred.fromCoroutine(self._watch_hangup())
        self._watch.addErrback(lambda f: f.trap(CancelledError))
        try:
            if self._needs_answer:
                await self.channel.answer()
            if not self._queue_variable_set:
                await self.channel.set_variable(QUEUE_VARIABLE, self.queue)
            self.arrived = True
            self.shell.arrive(self)
            if not self.inbox:  # an agent free at once: no music to stop straight away
                await self._start_moh()
            while True:
                _at, item = await self._next()
                outcome = await self._handle(_at, item)
                if outcome is not None:
                    return outcome
        except AgiHangup:
            return self._abandoned()
        except Exception as exc:  # a bug or an AGI surprise: never a lost call
            self.log.exception("acd_hold_failed", error=f"{type(exc).__name__}: {exc}")
            if self.arrived and not self._left:
                self._left = True
                self.shell.feed(CallerAbandoned(self.call_id))
            await self._set_fallback("acd_error")
            return self._outcome("error")
        finally:
            self._watch.cancel()

    async def _watch_hangup(self) -> None:
        try:
            while True:
                await self.channel.sleep(WATCH_S)
        except AgiHangup:
            self.deliver(GONE)

    async def _next(self) -> tuple[float, Command | _Gone]:
        while not self.inbox:
            self._wake = Deferred()
            await self._wake
        return self.inbox.popleft()

    async def _handle(self, at: float, item: Command | _Gone) -> QueueOutcome | None:
        if isinstance(item, _Gone):
            return self._abandoned()
        if isinstance(item, OfferCall):
            return await self._offer(item, at)
        if isinstance(item, Announce):
            await self._announce(item)
        elif isinstance(item, OfferCallbackChoice):
            return await self._offer_callback()
        elif isinstance(item, MoveToQueue):
            self.log.info("acd_call_moved", queue=item.queue, previous=self.queue)
            self.queue, self.music_class = item.queue, item.music_class
            await self.channel.set_variable(QUEUE_VARIABLE, item.queue)
            await self._stop_moh()
            await self._start_moh()
        elif isinstance(item, SendToFallback):
            return await self._fallback(item)
        elif isinstance(item, CancelOffer):  # an offer already over
            self.log.debug("acd_offer_cancel_ignored", agent=item.agent_id)
        return None

    # -- offers ---------------------------------------------------------------------------
    async def _offer(self, offer: OfferCall, at: float) -> QueueOutcome | None:
        self.offer, self.cancelled, self.dest_channel = offer, False, ""
        try:
            return await self._dial(offer, at)
        finally:
            self.offer, self.cancelled, self.dest_channel = None, False, ""

    async def _dial(self, offer: OfferCall, at: float) -> QueueOutcome | None:
        log = self.log.bind(agent=offer.agent_id, device=offer.device)
        await self._stop_moh()
        if not self.recording:
            opts = self.options
            path = render(
                opts.recording_dir,
                opts.recording_name,
                datetime.fromtimestamp(self.shell.now(), opts.timezone),
                queue=offer.queue,
                call_id=self.call_id,
                agent=offer.agent_id,
                caller=self.call.caller_number,
            )
            await self.channel.exec("MixMonitor", f"{path},b")
            await self.channel.set_variable("SWITCHBOARD_RECORDING", path)
            self.recording = path
        # The router's ring timeout started when it offered; time spent since is gone.
        ring_s = max(self.options.min_ring_s, offer.ring_timeout_s - (self.shell.now() - at))
        timeout = str(math.ceil(ring_s))
        options = ",".join(p for p in (timeout, self.options.dial_options) if p)
        if self.cancelled:  # while recording started: never dial
            await self._start_moh()
            return None
        self.dialing_agent, self.answered = offer.agent_id, False
        log.info("acd_agent_dialled", ring_timeout_s=timeout)
        try:
            outcome = await self.channel.dial(offer.device, options)
        finally:
            self.dialing_agent = ""
        status = outcome.status.upper()
        log = log.bind(dial_status=status, caller_hung_up=outcome.caller_hung_up)
        gone = outcome.caller_hung_up or status == "CANCEL" or self.channel.caller_gone
        if self.cancelled and not gone:  # the router has moved on: wait again
            log.info("acd_cancelled_offer_ended")
            await self._start_moh()
            return None
        if status == "ANSWER":
            if not self.answered:
                self.answered = True
                self.shell.feed(OfferAnswered(self.call_id, offer.agent_id))
            self._left = True
            self.shell.feed(CallEnded(self.call_id))
            log.info("acd_call_completed")
            return self._outcome("answered", offer.agent_id, outcome.caller_hung_up)
        if gone:
            return self._abandoned()
        if status not in NOT_ANSWERED:
            log.warning("acd_dial_status_unknown")
            status = "CHANUNAVAIL"
        log.info("acd_agent_not_answered")
        self.shell.feed(OfferNotAnswered(self.call_id, offer.agent_id, status))
        await self._start_moh()
        return None

    # -- what the caller hears while waiting --------------------------------------------
    async def _announce(self, item: Announce) -> None:
        p = self.options.prompts
        await self._stop_moh()
        try:
            if item.position <= 1:
                await self.channel.stream_file(p.first_in_line)
            else:
                await self.channel.stream_file(p.position_intro)
                await self._number(item.position)
                await self.channel.stream_file(p.position_outro)
            if item.expected_wait_s >= 60:
                await self.channel.stream_file(p.hold_time)
                await self._number(math.ceil(item.expected_wait_s / 60))
                await self.channel.stream_file(p.minutes)
            await self.channel.stream_file(p.thank_you)
        except AgiHangup:
            raise
        except AgiError as exc:  # a missing sound file must not cost the caller their place
            self.log.warning("acd_announcement_failed", error=str(exc))
        await self._start_moh()

    async def _number(self, number: int) -> None:
        if self._say_number:
            try:
                await self.channel.say_number(number)
                return
            except AgiUnknownCommand:
                self.log.info("acd_say_number_unsupported")
                self._say_number = False
        await self.channel.say_digits(str(number))

    async def _offer_callback(self) -> QueueOutcome | None:
        number = self.call.caller_number
        if not number:
            self.log.info("acd_callback_not_offered", reason="no caller number")
            return None
        try:  # only a number Asterisk can dial back is worth offering ("5551234,DB(...)")
            phone_number(number, "caller number")
        except UnsafeValue as refused:
            self.log.info("acd_callback_not_offered", reason=str(refused))
            return None
        p, digit_wanted = self.options.prompts, self.options.callback_digit
        await self._stop_moh()
        try:
            played = await self.channel.stream_file(p.callback_offer, digit_wanted)
        except AgiCommandFailed:  # the prompt is missing: an offer nobody hears is no offer
            self.log.warning("acd_prompt_missing", prompt=p.callback_offer)
            await self._start_moh()
            return None
        digit = played.digit or await self.channel.wait_for_digit(self.options.callback_wait_ms)
        if digit != digit_wanted:
            await self._start_moh()
            return None
        self._left = True
        self.shell.feed(CallbackRequested(self.call_id, number))
        self.log.info("acd_callback_requested", number=number)
        await self._play_quietly(p.callback_booked)
        return self._outcome("callback")

    async def _fallback(self, item: SendToFallback) -> QueueOutcome:
        self._left = True
        self.log.info("acd_sent_to_fallback", kind=item.kind, target=item.target)
        await self._stop_moh()
        if item.kind == "voicemail":
            if item.target:
                await self.channel.exec("VoiceMail", item.target)
            return self._outcome("voicemail")
        if item.kind == "callback":
            await self._play_quietly(self.options.prompts.callback_booked)
            return self._outcome("callback")
        parts = [p.strip() for p in item.target.split(",") if p.strip()]
        if len(parts) >= 2:
            await self.channel.command("SET CONTEXT", parts[0])
            await self.channel.command("SET EXTENSION", parts[1])
            await self.channel.command("SET PRIORITY", parts[2] if len(parts) > 2 else "1")
        await self._set_fallback("acd_" + (item.kind or "exit"))
        return self._outcome("overflowed")

    # -- small pieces ---------------------------------------------------------------------
    async def _play_quietly(self, prompt: str) -> None:
        try:
            await self.channel.stream_file(prompt)
        except AgiError as exc:
            self.log.info("acd_prompt_not_played", prompt=prompt, error=str(exc))

    async def _start_moh(self) -> None:
        await self.channel.exec("StartMusicOnHold", self.music_class)
        self._moh = True

    async def _stop_moh(self) -> None:
        if self._moh:
            self._moh = False
            await self.channel.exec("StopMusicOnHold")

    async def _set_fallback(self, reason: str) -> None:
        try:
            await self.channel.set_variable("SWITCHBOARD_FALLBACK", reason)
        except AgiError as exc:
            self.log.info("acd_fallback_not_set", error=str(exc))

    def _abandoned(self) -> QueueOutcome:
        if self.arrived and not self._left:
            self._left = True
            self.shell.feed(CallerAbandoned(self.call_id))
            self.log.info("acd_caller_abandoned")
        return self._outcome("abandoned", caller_gone=True)

    def _outcome(self, outcome: str, agent_id: str = "", caller_gone: bool = False) -> QueueOutcome:
        return QueueOutcome(
            outcome,
            self.call_id,
            self.queue,
            agent_id,
            self.recording,
            caller_gone or self.channel.caller_gone,
        )
