# -*- test-case-name: tests.calls.test_model,tests.calls.test_captures -*-
"""The live call model: AMI events in, :mod:`~switchboard.cti.calls.values` changes out.

Sans-I/O and clock-free: :meth:`CallModel.feed` takes one AMI ``Message`` (and the time the
caller wants stamped on it, if any) and returns the changes it caused. Channels are grouped
into calls by ``Linkedid`` (every leg of a call carries the uniqueid of its first channel).

After an AMI (re)connect Asterisk replays nothing, so the owner calls :meth:`begin_resync`
when the link is back, sends ``CoreShowChannels`` and hands the listed channels to
:meth:`resync`: channels neither listed nor seen in an event since ``begin_resync`` are gone,
and a call left with no channel ends with :data:`END_VANISHED` instead of staying a ghost.

Ended calls stay readable for ``grace_s`` (late events for them are ignored) and leave on
:meth:`expire`; at most ``max_ended`` are kept whatever the clock says.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace
from types import MappingProxyType
from typing import Final

from switchboard.cti.ami.frames import Message
from switchboard.cti.calls.values import (
    END_HANGUP,
    END_VANISHED,
    Call,
    CallEnded,
    CallStarted,
    CallUpdated,
    Change,
    ChannelView,
    LegHangup,
)

__all__ = ["EVENTS", "CallModel"]

#: The AMI events the model reads; anything else is ignored by :meth:`CallModel.feed`.
EVENTS: Final = (
    "Newchannel",
    "Newstate",
    "NewCallerid",
    "Hangup",
    "DialBegin",
    "DialEnd",
    "BridgeEnter",
    "BridgeLeave",
    "MixMonitorStart",
    "VarSet",
    "Hold",
    "Unhold",
)

_UNKNOWN: Final = frozenset({"", "<unknown>"})
_NO_NUMBER: Final = frozenset({"", "s"})  # the "s" extension: Asterisk's start, no number
_CALL_FIELDS: Final = tuple(f.name for f in fields(Call))
# "Local/agent1001@switchboard-agents-0000000f;1" -> "Local/agent1001@switchboard-agents",
# "PJSIP/1001-00000012" -> "PJSIP/1001": the device behind a channel instance.
_INSTANCE_SUFFIX: Final = re.compile(r"-[0-9a-fA-F]+(;\d)?$")
_PREFIX: Final = "SWITCHBOARD_"
# Set by Asterisk itself when MixMonitor starts: the file name when the dialplan (an ACD
# recording by EXEC MixMonitor, say) did not set SWITCHBOARD_RECORDING.
_MIXMONITOR_FILENAME: Final = "MIXMONITOR_FILENAME"
_PREFIX_B: Final = _PREFIX.encode()
_MIXMONITOR_FILENAME_B: Final = _MIXMONITOR_FILENAME.encode()


def _known(value: str | None) -> str | None:
    return None if value is None or value in _UNKNOWN else value


def interface_of(channel_name: str) -> str:
    """The device a channel instance belongs to (its name without the instance suffix)."""
    return _INSTANCE_SUFFIX.sub("", channel_name)


def _duration_s(text: str | None) -> float | None:
    """``CoreShowChannel`` ``Duration: HH:MM:SS`` in seconds (None when absent or odd)."""
    parts = (text or "").split(":")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    h, m, s = (int(p) for p in parts)
    return float(h * 3600 + m * 60 + s)


@dataclass(slots=True)
class _Channel:
    name: str
    uniqueid: str
    call_id: str
    state: str
    cid_num: str | None
    cid_name: str | None
    bridge: str | None = None
    exten: str | None = None  # the extension it was created for (Newchannel's Exten)
    held: bool = False  # between AMI Hold and Unhold
    generation: int = 0
    shown: ChannelView | None = None  # the last view published, while it is still true

    def view(self) -> ChannelView:
        """This channel as published: the same value until its name or state change."""
        shown = self.shown
        if shown is None or shown.state != self.state or shown.name != self.name:
            shown = self.shown = ChannelView(self.name, self.uniqueid, self.state)
        return shown


@dataclass(slots=True)
class _Live:
    """A live call: its published snapshot plus the working state behind it."""

    snapshot: Call
    channels: dict[str, _Channel]  # by uniqueid, in order of appearance
    ringing: set[str]
    down_hangup: dict[str, object] | None = None  # the first, of a channel not Up
    held_since: float | None = None  # when the current hold began (None: not on hold)


class CallModel:
    """Channels and calls built from AMI events. Not thread-safe; one per AMI link."""

    def __init__(self, *, grace_s: float = 30.0, max_ended: int = 1000) -> None:
        if grace_s < 0 or max_ended < 0:
            raise ValueError(
                f"CallModel needs grace_s >= 0 and max_ended >= 0 (got {grace_s}, {max_ended})"
            )
        self._grace_s = grace_s
        self._max_ended = max_ended
        self._live: dict[str, _Live] = {}
        self._channels: dict[str, _Channel] = {}
        self._ended: OrderedDict[str, Call] = OrderedDict()
        self._generation = 0
        self._resync_generation: int | None = None
        self._handlers: dict[str, Callable[[Message, float | None], list[Change]]] = {
            "Newchannel": self._on_channel_event,
            "Newstate": self._on_channel_event,
            "NewCallerid": self._on_channel_event,
            "Hangup": self._on_hangup,
            "DialBegin": self._on_dial_begin,
            "DialEnd": self._on_dial_end,
            "BridgeEnter": self._on_bridge_enter,
            "BridgeLeave": self._on_bridge_leave,
            "MixMonitorStart": self._on_mixmonitor_start,
            "VarSet": self._on_varset,
            "Hold": self._on_hold,
            "Unhold": self._on_hold,
        }
        assert tuple(self._handlers) == EVENTS

    # -- queries -----------------------------------------------------------------------
    def live_calls(self) -> tuple[Call, ...]:
        return tuple(live.snapshot for live in self._live.values())

    def ended_calls(self) -> tuple[Call, ...]:
        """Ended calls still within their grace, oldest first."""
        return tuple(self._ended.values())

    def call(self, call_id: str) -> Call | None:
        live = self._live.get(call_id)
        return live.snapshot if live is not None else self._ended.get(call_id)

    # -- events ------------------------------------------------------------------------
    def feed(self, msg: Message, at: float | None = None) -> list[Change]:
        """Apply one AMI event; return what changed. Unrelated messages return ``[]``."""
        handler = self._handlers.get(msg.event or "")
        return handler(msg, at) if handler is not None else []

    def _touch(self, msg: Message) -> _Channel | None:
        """The event's channel, created if this is the first we hear of it (we may have
        joined mid-call); None for events of ended calls or without a channel."""
        uniqueid = msg.get("Uniqueid")
        if not uniqueid:
            return None
        chan = self._channels.get(uniqueid)
        if chan is None:
            call_id = msg.get("Linkedid") or uniqueid
            if call_id in self._ended:
                return None
            chan = _Channel(
                name=msg.get("Channel") or "",
                uniqueid=uniqueid,
                call_id=call_id,
                state=msg.get("ChannelStateDesc") or "",
                cid_num=None,
                cid_name=None,
                exten=msg.get("Exten") if msg.event == "Newchannel" else None,
            )
            self._channels[uniqueid] = chan
            live = self._live.get(call_id)
            if live is None:
                live = self._live[call_id] = _Live(Call(call_id=call_id), {}, set())
            live.channels[uniqueid] = chan
        chan.generation = self._generation
        return chan

    def _on_channel_event(self, msg: Message, at: float | None) -> list[Change]:
        chan = self._touch(msg)
        if chan is None:
            return []
        chan.state = msg.get("ChannelStateDesc") or chan.state
        chan.cid_num = _known(msg.get("CallerIDNum")) or chan.cid_num
        chan.cid_name = _known(msg.get("CallerIDName")) or chan.cid_name
        return self._commit(chan.call_id, at)

    def _on_hangup(self, msg: Message, at: float | None) -> list[Change]:
        chan = self._channels.pop(msg.get("Uniqueid") or "", None)
        if chan is None:
            return []
        live = self._live[chan.call_id]
        del live.channels[chan.uniqueid]
        cause_text = msg.get("Cause") or ""
        cause = int(cause_text) if cause_text.isdigit() else None
        hung: dict[str, object] = {
            "first_hangup": chan.name,
            "hangup_cause": cause,
            "hangup_cause_text": msg.get("Cause-txt"),
        }
        last = LegHangup(chan.name, chan.uniqueid, cause, msg.get("Cause-txt"))
        # A dialled leg that never answered (Cause 0 after NOANSWER) did not end the call:
        # the first channel that was Up names who hung up, else the first channel to go.
        first: dict[str, object] = {}
        if live.snapshot.first_hangup is None:
            if (msg.get("ChannelStateDesc") or chan.state) == "Up":
                first = hung
            elif live.down_hangup is None:
                live.down_hangup = hung
        if live.channels:
            return self._commit(chan.call_id, at, last_hangup=last, **first)
        if live.snapshot.first_hangup is None and not first:
            first = live.down_hangup or hung
        return self._end(chan.call_id, END_HANGUP, at, last_hangup=last, **first)

    def _on_dial_begin(self, msg: Message, at: float | None) -> list[Change]:
        # An Originate's own dial has no caller side (no Channel header): not a call's dial.
        chan = self._touch(msg)
        dest = msg.get("DestChannel")
        if chan is None or not dest:
            return []
        self._live[chan.call_id].ringing.add(interface_of(dest))
        return self._commit(chan.call_id, at)

    def _on_dial_end(self, msg: Message, at: float | None) -> list[Change]:
        chan = self._touch(msg)
        dest = msg.get("DestChannel")
        if chan is None or not dest:
            return []
        live = self._live[chan.call_id]
        peer = interface_of(dest)
        live.ringing.discard(peer)
        if msg.get("DialStatus") != "ANSWER":
            return self._commit(chan.call_id, at)
        answered = live.snapshot.answered_at if live.snapshot.agent is not None else at
        return self._commit(chan.call_id, at, agent=peer, answered_at=answered)

    def _on_bridge_enter(self, msg: Message, at: float | None) -> list[Change]:
        chan = self._touch(msg)
        if chan is None:
            return []
        chan.bridge = msg.get("BridgeUniqueid") or None
        return self._commit(chan.call_id, at)

    def _on_bridge_leave(self, msg: Message, at: float | None) -> list[Change]:
        chan = self._touch(msg)
        if chan is None:
            return []
        chan.bridge = None
        return self._commit(chan.call_id, at)

    def _on_mixmonitor_start(self, msg: Message, at: float | None) -> list[Change]:
        chan = self._touch(msg)
        return [] if chan is None else self._commit(chan.call_id, at, recorded=True)

    def _on_hold(self, msg: Message, at: float | None) -> list[Change]:
        # Asterisk 22 ``Hold`` / ``Unhold`` (channel event headers, ``MusicClass`` on Hold;
        # docs.asterisk.org, Asterisk_22_Documentation/API_Documentation/AMI_Events/Hold):
        # a phone put the call on hold (a re-INVITE) or took it off.
        chan = self._touch(msg)
        if chan is None:
            return []
        chan.held = msg.event == "Hold"
        return self._commit(chan.call_id, at)

    def _on_varset(self, msg: Message, at: float | None) -> list[Change]:
        # VarSet is ~40 % of AMI traffic and nearly all of it is not ours: look for our
        # names in the wire bytes before paying for a header parse (a message built from
        # headers has no bytes: it is parsed).
        raw = msg.raw
        if raw is not None and _PREFIX_B not in raw and _MIXMONITOR_FILENAME_B not in raw:
            return []
        name = (msg.get("Variable") or "").lstrip("_")
        if not name.startswith(_PREFIX) and name != _MIXMONITOR_FILENAME:
            return []
        chan = self._touch(msg)
        if chan is None:
            return []
        value = msg.get("Value") or ""
        call = self._live[chan.call_id].snapshot
        if name == _MIXMONITOR_FILENAME:
            return self._commit(chan.call_id, at, recording=call.recording or value or None)
        return self._commit(chan.call_id, at, **_ivr_fields(call, name, value))

    # -- resync ------------------------------------------------------------------------
    def begin_resync(self) -> None:
        """The AMI link is back: channels seen from now on are live whatever the list says."""
        self._generation += 1
        self._resync_generation = self._generation

    def resync(self, listed: Iterable[Message], at: float | None = None) -> list[Change]:
        """Apply the ``CoreShowChannel`` items of a ``CoreShowChannels`` answer.

        Listed channels are added or refreshed; channels that are not listed and had no
        event since :meth:`begin_resync` are dropped; a call with no channel left ends
        with :data:`END_VANISHED`.
        """
        if self._resync_generation is None:
            self.begin_resync()
        since = self._resync_generation
        self._resync_generation = None
        touched: dict[str, None] = {}
        for item in listed:
            chan = self._touch(item)
            if chan is None:
                continue
            chan.name = item.get("Channel") or chan.name
            chan.state = item.get("ChannelStateDesc") or chan.state
            chan.cid_num = _known(item.get("CallerIDNum")) or chan.cid_num
            chan.cid_name = _known(item.get("CallerIDName")) or chan.cid_name
            chan.bridge = item.get("BridgeId") or None
            live = self._live[chan.call_id]
            duration = _duration_s(item.get("Duration"))
            if at is not None and duration is not None and live.snapshot.started_at is None:
                live.snapshot = replace(live.snapshot, started_at=at - duration)
            touched[chan.call_id] = None
        for chan in [c for c in self._channels.values() if c.generation != since]:
            del self._channels[chan.uniqueid]
            del self._live[chan.call_id].channels[chan.uniqueid]
            touched[chan.call_id] = None
        changes: list[Change] = []
        for call_id in touched:
            if self._live[call_id].channels:
                changes += self._commit(call_id, at)
            else:
                changes += self._end(call_id, END_VANISHED, at)
        return changes

    # -- memory bound ------------------------------------------------------------------
    def expire(self, now: float) -> int:
        """Forget ended calls older than the grace (those with no end time at once);
        returns how many left the model."""
        dropped = 0
        while self._ended:
            oldest = next(iter(self._ended.values()))
            if oldest.ended_at is not None and oldest.ended_at + self._grace_s > now:
                break
            self._ended.popitem(last=False)
            dropped += 1
        return dropped

    # -- snapshots and diffs -----------------------------------------------------------
    def _commit(self, call_id: str, at: float | None, **fields: object) -> list[Change]:
        live = self._live[call_id]
        old = live.snapshot
        changed = self._changes(live, at, fields)
        # One replace() per change, none when nothing changed (most events: a repeated
        # inherited variable ...): replace() is the dearest step of an event here.
        new = live.snapshot = replace(old, **changed) if changed else old  # type: ignore[arg-type]
        if not old.channels:  # a call the model had not published yet
            return [CallStarted(new, at)]
        if not changed:
            return []
        return [CallUpdated(new, tuple(n for n in _CALL_FIELDS if n in changed), at)]

    def _changes(
        self, live: _Live, at: float | None, fields: dict[str, object]
    ) -> dict[str, object]:
        """The snapshot's fields that differ after this event (derived, then ``fields``)."""
        old = live.snapshot
        wanted = {**self._derived(live), **fields}
        if not old.channels and wanted.get("started_at", old.started_at) is None:
            wanted["started_at"] = at
        wanted.update(self._hold(live, at, bool(wanted.get("on_hold"))))
        return {name: value for name, value in wanted.items() if getattr(old, name) != value}

    @staticmethod
    def _hold(live: _Live, at: float | None, held: bool) -> dict[str, object]:
        """The hold fields when the call goes on or off hold (one hold however many of
        its channels are held); an unknown time counts nothing."""
        call = live.snapshot
        if held == call.on_hold:
            return {}
        if held:
            live.held_since = at
            return {"hold_count": call.hold_count + 1}
        since, live.held_since = live.held_since, None
        if since is None or at is None:
            return {}
        return {"hold_s": call.hold_s + max(0.0, at - since)}

    def _derived(self, live: _Live) -> dict[str, object]:
        chans = live.channels.values()
        bridges = [c.bridge for c in chans if c.bridge]
        derived: dict[str, object] = {
            "channels": tuple([c.view() for c in chans]),
            "bridged": len(bridges) != len(set(bridges)),
            "ringing": tuple(sorted(live.ringing)),
            "on_hold": any(c.held for c in chans),
        }
        call = live.snapshot
        origin = live.channels.get(call.call_id)
        if origin is not None and call.dialled_number is None and origin.exten not in _NO_NUMBER:
            derived["dialled_number"] = origin.exten
        source = origin if origin is not None and origin.cid_num else None
        if source is None and call.caller_number is None:
            source = next((c for c in chans if c.cid_num), None)
        if source is not None:
            derived["caller_number"] = source.cid_num
            derived["caller_name"] = source.cid_name
        return derived

    def _end(self, call_id: str, reason: str, at: float | None, **fields: object) -> list[Change]:
        live = self._live.pop(call_id)
        changes = self._changes(live, at, {**fields, "on_hold": False})
        changes.update(ended_at=at, end_reason=reason, ringing=())
        ended = replace(live.snapshot, **changes)  # type: ignore[arg-type]
        for chan in live.channels.values():
            self._channels.pop(chan.uniqueid, None)
        self._ended[call_id] = ended
        while len(self._ended) > self._max_ended:
            self._ended.popitem(last=False)
        return [CallEnded(ended, reason, at)]


def _ivr_fields(call: Call, name: str, value: str) -> dict[str, object]:
    """The :class:`Call` fields a ``SWITCHBOARD_*`` variable sets (name without ``__``)."""
    ivr = call.ivr
    variables = dict(ivr.variables)
    variables[name] = value
    ivr = replace(ivr, variables=MappingProxyType(dict(sorted(variables.items()))))
    out: dict[str, object] = {}
    if name == "SWITCHBOARD_CALLID":
        ivr = replace(ivr, session=value or None)
    elif name == "SWITCHBOARD_IVR_DIGITS":
        ivr = replace(ivr, digits=value)
    elif name == "SWITCHBOARD_LANGUAGE":
        ivr = replace(ivr, language=value or None)
    elif name == "SWITCHBOARD_FALLBACK":
        ivr = replace(ivr, fallback=value or None)
    elif name == "SWITCHBOARD_QUEUE":
        out["queue"] = value or None  # the runner clears it when the flow falls back
    elif name == "SWITCHBOARD_RECORDING":
        out["recording"] = value or None
    elif name == "SWITCHBOARD_CALLER" and call.caller_number is None:
        out["caller_number"] = value or None
    out["ivr"] = ivr
    return out
