# -*- test-case-name: tests.sim.test_conformance -*-
"""Compare an AMI event transcript with a real Asterisk capture, call by call.

Events are grouped into calls by ``Linkedid`` (or ``LocalOneLinkedid``/``DestLinkedid``;
bridge events follow their channels, ``Cdr`` and ``OriginateResponse`` follow their
uniqueid). Inside a call every channel is renamed by order of first appearance
(``L0;1``, ``L0;2``, ``L1;1`` ...), so ids, hex suffixes and which agent answered do not
matter. Each event is reduced to a :class:`Sig`: event name, ordered header names and a
few *kind* values that change the meaning (``VarSet`` variable name, ``Newexten``
application, ``DialEnd`` status, AGI command verb).

Asterisk runs each channel in its own thread, so two real calls of the same shape can
interleave their channels' events differently. The default comparison therefore checks,
per channel, the exact sequence of signatures (``per_channel=True``); the strict mode
compares the whole call as one sequence. Events named in ``floating`` are checked per
call as a multiset, not for position: by default ``Cdr`` (Asterisk's CDR thread emits
it "sometimes before its Hangup") and ``OriginateResponse`` (the originating thread
races the channel's own ``Newstate``: the captures show both orders).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from switchboard.cti.ami.frames import AmiParser, Message

_KIND_HEADER: dict[str, str] = {
    "VarSet": "Variable",
    "Newexten": "Application",
    "DialEnd": "DialStatus",
    "DialState": "DialStatus",
    "AgentComplete": "Reason",
    "OriginateResponse": "Response",
}
_CHANNEL_HEADERS = ("Channel", "DestChannel", "LocalOneChannel", "SpyerChannel")
FLOATING: frozenset[str] = frozenset({"Cdr", "OriginateResponse"})


@dataclass(frozen=True, slots=True)
class Sig:
    """What must agree between a simulated and a real event."""

    channel: str
    event: str
    headers: tuple[str, ...]
    kind: str

    def __str__(self) -> str:
        kind = f"[{self.kind}]" if self.kind else ""
        return f"{self.channel} {self.event}{kind}"


@dataclass(frozen=True, slots=True)
class Difference:
    """The first disagreement, in words a test failure can print."""

    call: str
    where: str
    index: int
    expected: Sig | None
    actual: Sig | None
    context: tuple[str, ...]

    def __str__(self) -> str:
        lines = [f"call {self.call}, {self.where}, event #{self.index}:"]
        lines.append(f"  expected: {self.expected}")
        lines.append(f"  actual:   {self.actual}")
        if self.expected and self.actual and self.expected.headers != self.actual.headers:
            exp, act = set(self.expected.headers), set(self.actual.headers)
            lines.append(f"  missing headers: {sorted(exp - act)}; extra: {sorted(act - exp)}")
            if exp == act:
                lines.append("  (same headers, different order)")
        if self.context:
            lines.append("  preceded by: " + ", ".join(self.context))
        return "\n".join(lines)


def parse_transcript(raw: bytes) -> list[Message]:
    """Messages of a ``from-asterisk`` byte stream (banner dropped, frame errors skipped)."""
    parser = AmiParser(expect_banner=raw.startswith(b"Asterisk Call Manager"))
    return [m for m in parser.feed(raw) if isinstance(m, Message)]


def group_calls(messages: Iterable[Message]) -> dict[str | None, list[Message]]:
    """Events by call (Linkedid); events that belong to no call go under ``None``."""
    events = [m for m in messages if m.event is not None]
    by_uid: dict[str, str] = {}
    by_bridge: dict[str, str] = {}
    for m in events:
        for prefix in ("", "Dest", "LocalOne", "LocalTwo"):
            uid, lid = m.get(prefix + "Uniqueid"), m.get(prefix + "Linkedid")
            if uid and lid:
                by_uid.setdefault(uid, lid)
        bridge, lid = m.get("BridgeUniqueid"), m.get("Linkedid")
        if bridge and lid:
            by_bridge.setdefault(bridge, lid)
    calls: dict[str | None, list[Message]] = defaultdict(list)
    for m in events:
        key = (
            m.get("Linkedid")
            or m.get("LocalOneLinkedid")
            or m.get("DestLinkedid")
            or m.get("SpyerLinkedid")
        )
        if key is None and m.get("BridgeUniqueid"):
            key = by_bridge.get(m.get("BridgeUniqueid") or "")
        if key is None and m.event == "Cdr":
            key = by_uid.get(m.get("UniqueID") or "")
        if key is None and m.event == "OriginateResponse":
            key = by_uid.get(m.get("Uniqueid") or "")
        calls[key].append(m)
    return dict(calls)


def call_label(events: Sequence[Message]) -> str:
    """A stable name for a call: the first known caller number (else its linkedid)."""
    for m in events:
        for name in ("CallerIDNum", "LocalTwoCallerIDNum", "DestCallerIDNum"):
            value = m.get(name)
            if value and value != "<unknown>":
                return value
    for m in events:  # no caller: the first channel, without its per-run hex suffix
        name = m.get("Channel") or m.get("LocalOneChannel") or ""
        if name.startswith("Local/"):
            return name.rsplit("-", 1)[0]
    return events[0].get("Linkedid") or "?" if events else "?"


def signatures(events: Sequence[Message], ignore: frozenset[str] = frozenset()) -> list[Sig]:
    """Normalised signatures of one call's events, channels renamed by appearance."""
    pairs: dict[str, str] = {}
    bridges: dict[str, str] = {}

    def role(name: str) -> str:
        base, _, half = name.rpartition(";")
        if not base:
            return name
        pairs.setdefault(base, f"L{len(pairs)}")
        return f"{pairs[base]};{half}"

    out: list[Sig] = []
    for m in events:
        assert m.event is not None
        if m.event in ignore:
            continue
        channel = next((m.get(h) for h in _CHANNEL_HEADERS if m.get(h)), None)
        if m.event in ("BridgeCreate", "BridgeDestroy") or (
            channel is None and m.get("BridgeUniqueid")
        ):
            bridge = m.get("BridgeUniqueid") or ""
            bridges.setdefault(bridge, f"B{len(bridges)}")
            where = bridges[bridge]
        else:
            where = role(channel) if channel else "-"
        kind = m.get(_KIND_HEADER.get(m.event, ""), "") or ""
        if m.event.startswith("AGIExec"):
            kind = (m.get("Command") or "").split(" ")[0]
        headers = tuple(n for n, _ in m.headers if n != "Event")
        out.append(Sig(where, m.event, headers, kind))
    return out


def compare_call(
    label: str,
    expected: Sequence[Message],
    actual: Sequence[Message],
    *,
    per_channel: bool = True,
    ignore: frozenset[str] = frozenset(),
    floating: frozenset[str] = FLOATING,
) -> Difference | None:
    """The first difference between two calls' events, or ``None``."""
    exp, act = signatures(expected, ignore), signatures(actual, ignore)
    exp_float = sorted((s for s in exp if s.event in floating), key=str)
    act_float = sorted((s for s in act if s.event in floating), key=str)
    exp = [s for s in exp if s.event not in floating]
    act = [s for s in act if s.event not in floating]
    floated = _first_difference(label, "floating events (any position)", exp_float, act_float)
    if floated is not None:
        return floated
    if not per_channel:
        return _first_difference(label, "whole call", exp, act)
    streams: dict[str, tuple[list[Sig], list[Sig]]] = {}
    for sig in exp:
        streams.setdefault(sig.channel, ([], []))[0].append(sig)
    for sig in act:
        streams.setdefault(sig.channel, ([], []))[1].append(sig)
    # A call already up when the capture's events were switched on (Events: off at
    # login) shows only the end of each channel, and where it starts is a race between
    # the client and the call: compare the ends both transcripts saw.
    partial = bool(exp) and exp[0].event != "Newchannel"
    for where in sorted(streams):
        want, got = streams[where]
        if partial:
            n = min(len(want), len(got))
            want, got = want[len(want) - n :], got[len(got) - n :]
        diff = _first_difference(label, f"channel {where}", want, got)
        if diff is not None:
            return diff
    return None


def _first_difference(label: str, where: str, exp: list[Sig], act: list[Sig]) -> Difference | None:
    for i in range(max(len(exp), len(act))):
        e = exp[i] if i < len(exp) else None
        a = act[i] if i < len(act) else None
        if e != a:
            context = tuple(str(s) for s in exp[max(0, i - 3) : i])
            return Difference(label, where, i, e, a, context)
    return None


def _by_label(
    calls: dict[str | None, list[Message]], label: Callable[[Sequence[Message]], str]
) -> dict[str, list[Message]]:
    """Calls by label; a repeated label (the same caller again) gets ``#2``, ``#3`` ..."""
    out: dict[str, list[Message]] = {}
    for key, events in calls.items():
        if key is None:
            continue
        name = label(events)
        n = 1
        while (name if n == 1 else f"{name}#{n}") in out:
            n += 1
        out[name if n == 1 else f"{name}#{n}"] = events
    return out


def compare_transcripts(
    expected: Iterable[Message],
    actual: Iterable[Message],
    *,
    per_channel: bool = True,
    ignore: frozenset[str] = frozenset(),
    floating: frozenset[str] = FLOATING,
    label: Callable[[Sequence[Message]], str] = call_label,
) -> list[Difference]:
    """Compare two transcripts call by call (calls paired by :func:`call_label`).

    Also checks that events outside calls (device states, queue members, global
    ``VarSet``) use only layouts the real capture used. Returns every call's first
    difference; an empty list means conformant.
    """
    exp_calls, act_calls = group_calls(expected), group_calls(actual)
    exp_by = _by_label(exp_calls, label)
    act_by = _by_label(act_calls, label)
    diffs: list[Difference] = []
    for name in sorted(set(exp_by) | set(act_by)):
        if name not in act_by or name not in exp_by:
            missing = "simulator" if name not in act_by else "capture"
            diffs.append(Difference(name, f"call absent from the {missing}", 0, None, None, ()))
            continue
        diff = compare_call(
            name,
            exp_by[name],
            act_by[name],
            per_channel=per_channel,
            ignore=ignore,
            floating=floating,
        )
        if diff is not None:
            diffs.append(diff)
    known = {(s.event, s.headers) for s in signatures(exp_calls.get(None, []), ignore)}
    for i, sig in enumerate(signatures(act_calls.get(None, []), ignore)):
        if (sig.event, sig.headers) not in known:
            diffs.append(Difference("(no call)", "layout not in capture", i, None, sig, ()))
            break
    return diffs
