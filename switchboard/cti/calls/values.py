# -*- test-case-name: tests.unit.test_calls_model -*-
"""Frozen values of the live call model: a call's snapshot and the changes it goes through.

Every change has a stable JSON form carrying a schema version (``"v": 1``) because changes
are published on the event hub (topic ``call``): add keys freely, never rename or drop one
without raising the version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

__all__ = [
    "END_HANGUP",
    "END_VANISHED",
    "SCHEMA_VERSION",
    "Call",
    "CallEnded",
    "CallStarted",
    "CallUpdated",
    "Change",
    "ChannelView",
    "IvrSession",
]

SCHEMA_VERSION: Final = 1
TOPIC: Final = "call"

#: Every channel of the call hung up (the ``Hangup`` events were seen).
END_HANGUP: Final = "hangup"
#: The call was live when the AMI link dropped and gone from ``CoreShowChannels`` after it.
END_VANISHED: Final = "vanished during AMI outage"


@dataclass(frozen=True, slots=True)
class ChannelView:
    """One live channel of a call, as last reported."""

    name: str
    uniqueid: str
    state: str  # ChannelStateDesc: Down, Ring, Ringing, Up ...

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "uniqueid": self.uniqueid, "state": self.state}


@dataclass(frozen=True, slots=True)
class IvrSession:
    """What the IVR left on the call: the ``SWITCHBOARD_*`` channel variables it set.

    ``session`` is ``SWITCHBOARD_CALLID`` (the uniqueid of the channel that ran the IVR);
    ``variables`` holds every ``SWITCHBOARD_*`` name seen, without the inheritance ``__``
    prefix, sorted by name.
    """

    session: str | None = None
    digits: str | None = None
    language: str | None = None
    fallback: str | None = None
    variables: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "session": self.session,
            "digits": self.digits,
            "language": self.language,
            "fallback": self.fallback,
            "variables": dict(self.variables),
        }


@dataclass(frozen=True, slots=True)
class Call:
    """A call: every channel sharing one ``Linkedid``, seen as one thing.

    ``agent`` is the interface (channel name without its ``-0000001a;1`` suffix) of the peer
    that answered a dial placed by one of the call's channels: the agent on an inbound call.
    ``first_hangup`` names the first channel whose ``Hangup`` was seen while it was Up
    (else the first at all) and ``hangup_cause`` its cause: the order in which Asterisk tore
    the legs down, which in the captures is the side that hung up, but an AMI ``Hangup`` of
    the caller can tear the agent's legs down first.
    Times are whatever the feeder passed as ``at`` (epoch seconds); ``None`` when unknown.
    """

    call_id: str
    started_at: float | None = None
    caller_number: str | None = None
    caller_name: str | None = None
    ivr: IvrSession = field(default_factory=IvrSession)
    queue: str | None = None
    ringing: tuple[str, ...] = ()  # interfaces a channel of the call is dialling now
    agent: str | None = None
    answered_at: float | None = None
    bridged: bool = False
    recording: str | None = None
    recorded: bool = False  # MixMonitor started on a channel of the call
    channels: tuple[ChannelView, ...] = ()
    first_hangup: str | None = None
    hangup_cause: int | None = None
    hangup_cause_text: str | None = None
    ended_at: float | None = None
    end_reason: str | None = None

    @property
    def ended(self) -> bool:
        return self.end_reason is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "started_at": self.started_at,
            "caller_number": self.caller_number,
            "caller_name": self.caller_name,
            "ivr": self.ivr.to_json(),
            "queue": self.queue,
            "ringing": list(self.ringing),
            "agent": self.agent,
            "answered_at": self.answered_at,
            "bridged": self.bridged,
            "recording": self.recording,
            "recorded": self.recorded,
            "channels": [c.to_json() for c in self.channels],
            "first_hangup": self.first_hangup,
            "hangup_cause": self.hangup_cause,
            "hangup_cause_text": self.hangup_cause_text,
            "ended_at": self.ended_at,
            "end_reason": self.end_reason,
        }


@dataclass(frozen=True, slots=True)
class CallStarted:
    """A call the model had not seen (first channel, or found live by a resync)."""

    call: Call
    at: float | None = None
    kind: str = field(default="call_started", init=False)

    def to_json(self) -> dict[str, Any]:
        return _envelope(self.kind, self.at, self.call)


@dataclass(frozen=True, slots=True)
class CallUpdated:
    """Something a user would see changed: ``changed`` names the :class:`Call` fields."""

    call: Call
    changed: tuple[str, ...]
    at: float | None = None
    kind: str = field(default="call_updated", init=False)

    def to_json(self) -> dict[str, Any]:
        return {**_envelope(self.kind, self.at, self.call), "changed": list(self.changed)}


@dataclass(frozen=True, slots=True)
class CallEnded:
    """The call is over; ``reason`` is :data:`END_HANGUP` or :data:`END_VANISHED`."""

    call: Call
    reason: str
    at: float | None = None
    kind: str = field(default="call_ended", init=False)

    def to_json(self) -> dict[str, Any]:
        return {**_envelope(self.kind, self.at, self.call), "reason": self.reason}


Change = CallStarted | CallUpdated | CallEnded


def _envelope(kind: str, at: float | None, call: Call) -> dict[str, Any]:
    return {"v": SCHEMA_VERSION, "topic": TOPIC, "type": kind, "at": at, "call": call.to_json()}
