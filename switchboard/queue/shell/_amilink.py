# -*- test-case-name: tests.queue.test_service -*-
"""The ACD's AMI side: device states and answers in, callback originates out.

Events read (see the ``agi-exec-dial`` and ``ami-callback`` captures):

* ``DeviceStateChange`` (and ``DeviceStateList`` after every (re)login): an agent's device
  free or not. Local devices are reported without their ``/n``.
* ``DialEnd`` whose ``Uniqueid`` is a held caller's channel: ``ANSWER`` is the moment the
  agent answered (the AGI's Dial returns only when the conversation ends).
* ``DialBegin`` with the same ``Uniqueid``: its ``DestChannel`` is the ringing agent leg,
  hung up (action ``Hangup``) when the router cancels that offer.
* A callback is originated to the agent's device with ``ChannelId`` = ``<call>-cb<n>``,
  so its ``OriginateResponse`` (``Failure``: reason 3 no answer, 5 busy, 8 congestion,
  0 no channel) and the ``DialEnd`` of the agent leg's dial to the customer (its
  ``Uniqueid`` is that ChannelId) correlate even when the Originate fails. The agent
  leg's ``Hangup`` ends a connected callback.

The callback number is the caller's raw caller ID. It goes into a ``Variable:`` header
(split on commas by Asterisk), the ``CallerID`` quoting and the callback dialplan's
``Dial()``, so anything but a phone number is refused (``acd_callback_refused``; the
attempt ends as ``INVALID_NUMBER``) rather than sent: see :mod:`switchboard.cti.ami.values`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import structlog
from twisted.internet.defer import Deferred

from switchboard.cti.ami import actions, values
from switchboard.cti.ami.frames import Message
from switchboard.queue.core.decisions import OriginateCallback
from switchboard.queue.core.events import (
    CallbackOutcome,
    CallEnded,
    DeviceStateChanged,
    Event,
    OfferNotAnswered,
)

if TYPE_CHECKING:
    from switchboard.queue.shell.hold import HeldCall

__all__ = ["AmiLike", "AmiLink", "CallbackSettings"]

log = structlog.get_logger(__name__)

ORIGINATE_REASONS = {
    "3": "NOANSWER",
    "5": "BUSY",
    "8": "CONGESTION",
    "0": "CHANUNAVAIL",
    "1": "CHANUNAVAIL",
}


class AmiLike(Protocol):
    """The part of :class:`~switchboard.cti.ami.service.AmiClient` the ACD uses."""

    def send(self, action: actions.Action, *, timeout_s: float | None = None) -> Deferred[Any]: ...

    def send_list(
        self, action: actions.Action, *, timeout_s: float | None = None
    ) -> Deferred[Any]: ...

    def subscribe(
        self, event_name: str, callback: Callable[[Message], object]
    ) -> Callable[[], None]: ...

    def on_resynced(self, callback: Callable[[], object]) -> Callable[[], None]: ...


@dataclass(frozen=True, slots=True)
class CallbackSettings:
    """Where an answered agent leg goes to ring the customer (``switchboard-callback,dial``
    in docs/asterisk.md dials ``${CALLBACK_NUMBER}``)."""

    context: str = "switchboard-callback"
    exten: str = "dial"
    caller_id_name: str = "Callback"


@dataclass(slots=True)
class _Callback:
    call_id: str
    agent_id: str
    channel_id: str
    connected: bool = False


def device_key(device: str) -> str:
    """``Local/agent1001@switchboard-agents/n`` and its device state name compare equal."""
    return device.removesuffix("/n")


class AmiLink:
    def __init__(
        self,
        ami: AmiLike,
        feed: Callable[[Event], None],
        find_held: Callable[[str], HeldCall | None],
        devices: list[str],
        settings: CallbackSettings,
    ) -> None:
        self._ami, self._feed, self._find_held = ami, feed, find_held
        self._devices = {device_key(d): d for d in devices if d}
        self._settings = settings
        self._callbacks: dict[str, _Callback] = {}  # by channel id
        self._unsubscribe: list[Callable[[], None]] = []

    def watch(self, devices: list[str]) -> None:
        """The agents' devices changed (a reloaded queue file): follow these from now."""
        self._devices = {device_key(d): d for d in devices if d}

    def start(self) -> None:
        ami = self._ami
        self._unsubscribe = [
            ami.subscribe("DeviceStateChange", self._device_state),
            ami.subscribe("DialBegin", self._dial_begin),
            ami.subscribe("DialEnd", self._dial_end),
            ami.subscribe("OriginateResponse", self._originate_response),
            ami.subscribe("Hangup", self._hangup),
            ami.on_resynced(self._resync),
        ]

    def stop(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []

    # -- in ---------------------------------------------------------------------------------
    def _device_state(self, msg: Message) -> None:
        device = self._devices.get(device_key(msg.get("Device") or ""))
        if device is not None:
            self._feed(DeviceStateChanged(device, (msg.get("State") or "UNKNOWN").upper()))

    def _resync(self) -> None:
        # Asterisk replays nothing missed while we were away: ask for every device state.
        d = self._ami.send_list(actions.device_state_list())
        d.addCallbacks(
            self._device_list,
            lambda f: log.warning("acd_device_states_not_read", error=f.getErrorMessage()),
        )

    def _device_list(self, listing: Any) -> None:
        for msg in getattr(listing, "events", ()):
            if msg.event == "DeviceStateChange":
                self._device_state(msg)

    def _dial_begin(self, msg: Message) -> None:
        uniqueid, dest = msg.get("Uniqueid") or "", msg.get("DestChannel") or ""
        held = self._find_held(uniqueid) if uniqueid and dest else None
        if held is not None:
            held.agent_ringing(dest)

    def _dial_end(self, msg: Message) -> None:
        uniqueid = msg.get("Uniqueid") or ""
        status = (msg.get("DialStatus") or "").upper()
        callback = self._callbacks.get(uniqueid)
        if callback is not None:  # the agent leg's dial to the customer ended
            if status == "ANSWER":
                callback.connected = True
                self._feed(CallbackOutcome(callback.call_id, True, status))
            else:
                self._forget(uniqueid)
                self._feed(CallbackOutcome(callback.call_id, False, status or "FAILED"))
            return
        held = self._find_held(uniqueid) if status == "ANSWER" and uniqueid else None
        if held is not None:
            held.agent_answered()

    def _originate_response(self, msg: Message) -> None:
        channel_id = msg.get("Uniqueid") or ""
        callback = self._callbacks.get(channel_id)
        if callback is None:
            action_id = msg.get("ActionID") or ""
            channel_id = action_id.removeprefix("acd-")
            callback = self._callbacks.get(channel_id)
        if callback is None or (msg.get("Response") or "") == "Success":
            return  # answered by the agent: the customer's DialEnd tells the rest
        reason = ORIGINATE_REASONS.get(msg.get("Reason") or "", "FAILED")
        self._forget(channel_id)
        self._feed(OfferNotAnswered(callback.call_id, callback.agent_id, reason))

    def _hangup(self, msg: Message) -> None:
        callback = self._callbacks.get(msg.get("Uniqueid") or "")
        if callback is not None:
            self._forget(callback.channel_id)
            if callback.connected:
                self._feed(CallEnded(callback.call_id))

    def _forget(self, channel_id: str) -> None:
        self._callbacks.pop(channel_id, None)

    # -- out --------------------------------------------------------------------------------
    def hang_up(self, channel: str) -> bool:
        """Hang up ``channel`` (a ringing agent leg); gone already is fine."""
        self._ami.send(actions.hangup(channel)).addErrback(
            lambda f: log.info("acd_hangup_refused", channel=channel, error=f.getErrorMessage())
        )
        return True

    def originate(self, command: OriginateCallback, ring_timeout_s: float) -> None:
        s = self._settings
        channel_id = f"{command.call_id}-cb{command.attempt}"
        try:
            # The number is the caller's raw caller ID: it reaches a Variable: header, the
            # CallerID quoting and the callback dialplan's Dial(), so it must be a number.
            number = values.phone_number(command.number, "callback number")
            action = actions.originate(
                command.device,
                context=s.context,
                exten=s.exten,
                priority=1,
                timeout_ms=int(ring_timeout_s * 1000),
                caller_id=values.caller_id(f"{s.caller_id_name} {number}", number),
                variables=[
                    ("CALLBACK_NUMBER", number),
                    ("CALLBACK_ID", command.call_id),
                    ("CALLBACK_QUEUE", command.queue),
                ],
                channel_id=channel_id,
                other_channel_id=f"{channel_id}-2",
                action_id=f"acd-{channel_id}",
            )
        except values.UnsafeValue as exc:
            log.warning("acd_callback_refused", call_id=command.call_id, reason=str(exc))
            self._feed(OfferNotAnswered(command.call_id, command.agent_id, "INVALID_NUMBER"))
            return
        self._callbacks[channel_id] = _Callback(command.call_id, command.agent_id, channel_id)
        log.info(
            "acd_callback_originated",
            call_id=command.call_id,
            agent=command.agent_id,
            number=number,
            attempt=command.attempt,
        )

        def refused(failure: Any) -> None:
            log.warning(
                "acd_callback_originate_refused",
                call_id=command.call_id,
                error=failure.getErrorMessage(),
            )
            if channel_id in self._callbacks:
                self._forget(channel_id)
                self._feed(OfferNotAnswered(command.call_id, command.agent_id, "FAILED"))

        self._ami.send(action).addErrback(refused)
