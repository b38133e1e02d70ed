# -*- test-case-name: tests.calls.test_model -*-
"""Frozen values of the live call model: a call's snapshot and the changes it goes through.

The changes are published on the event hub, topic ``call``
(:data:`switchboard.hub.CALL`), whose versioned JSON form is built from these fields
(``docs/events.md``): add fields with defaults freely, never rename or drop one without
raising the hub's version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

__all__ = [
    "END_HANGUP",
    "END_VANISHED",
    "Call",
    "CallEnded",
    "CallNews",
    "CallStarted",
    "CallUpdated",
    "CallsResynced",
    "Change",
    "ChannelView",
    "IvrSession",
    "LegHangup",
]

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


@dataclass(frozen=True, slots=True)
class LegHangup:
    """The last channel of a call that hung up, and why (its ``Hangup`` event)."""

    channel: str
    uniqueid: str
    cause: int | None = None  # Q.850 (16: normal clearing; 0 for a dial that never answered)
    cause_text: str | None = None


def _no_variables() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class IvrSession:
    """What the IVR left on the call: the ``SWITCHBOARD_*`` channel variables it set.

    ``session`` is ``SWITCHBOARD_CALLID`` (the uniqueid of the channel that ran the IVR);
    ``variables`` holds every ``SWITCHBOARD_*`` name seen, without the inheritance ``__``
    prefix, sorted by name (read-only).
    """

    session: str | None = None
    digits: str | None = None
    language: str | None = None
    fallback: str | None = None
    variables: Mapping[str, str] = field(default_factory=_no_variables)


@dataclass(frozen=True, slots=True)
class Call:
    """A call: every channel sharing one ``Linkedid``, seen as one thing.

    ``agent`` is the interface (channel name without its ``-0000001a;1`` suffix) of the peer
    that answered a dial placed by one of the call's channels: the agent on an inbound call.
    ``first_hangup`` names the first channel whose ``Hangup`` was seen while it was Up
    (else the first at all) and ``hangup_cause`` its cause: the order in which Asterisk tore
    the legs down, which in the captures is the side that hung up, but an AMI ``Hangup`` of
    the caller can tear the agent's legs down first.
    ``on_hold`` is true while a channel of the call is on hold (AMI ``Hold`` until its
    ``Unhold``); ``hold_count`` counts the holds and ``hold_s`` the seconds of those that
    ended (a hold still on at the end of the call ends with it). ``dialled_number`` is the
    first channel's ``Exten`` (``s``, Asterisk's "no number", is unknown). ``last_hangup``
    is the leg that hung up last, with its cause (each leg's, as they go).
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
    dialled_number: str | None = None
    on_hold: bool = False
    hold_count: int = 0
    hold_s: float = 0.0
    last_hangup: LegHangup | None = None

    @property
    def ended(self) -> bool:
        return self.end_reason is not None


@dataclass(frozen=True, slots=True)
class CallStarted:
    """A call the model had not seen (first channel, or found live by a resync)."""

    call: Call
    at: float | None = None
    kind: str = field(default="call_started", init=False)


@dataclass(frozen=True, slots=True)
class CallUpdated:
    """Something a user would see changed: ``changed`` names the :class:`Call` fields."""

    call: Call
    changed: tuple[str, ...]
    at: float | None = None
    kind: str = field(default="call_updated", init=False)


@dataclass(frozen=True, slots=True)
class CallEnded:
    """The call is over; ``reason`` is :data:`END_HANGUP` or :data:`END_VANISHED`."""

    call: Call
    reason: str
    at: float | None = None
    kind: str = field(default="call_ended", init=False)


@dataclass(frozen=True, slots=True)
class CallsResynced:
    """The model was rebuilt from ``CoreShowChannels`` after an AMI (re)login; ``live``
    holds the ids of every call live now (in the order the model has them). Published
    after the resync's own changes, so a subscriber can close what it holds open and is
    not listed: calls that ended while nobody was listening."""

    live: tuple[str, ...]
    at: float | None = None
    kind: str = field(default="calls_resynced", init=False)


Change = CallStarted | CallUpdated | CallEnded
#: What the hub's ``call`` topic carries: a change of one call, or the end of a resync.
CallNews = Change | CallsResynced
