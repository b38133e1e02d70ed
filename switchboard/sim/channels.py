# -*- test-case-name: tests.sim.test_headers,tests.sim.test_caller -*-
"""The simulated PBX's channels and bridges: plain values, no I/O, no clock.

Names and ids follow Asterisk 22 as captured: a Local pair is
``Local/<exten>@<context>-<8 hex>;1`` and ``;2``; a uniqueid is ``<epoch>.<seq>``
(seconds of the PBX start plus a process-wide counter); every leg of one call
shares ``Linkedid``, the uniqueid of the first ``;1``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from switchboard.sim.headers_gen import BRIDGE_FIELDS, SNAPSHOT_FIELDS

STATE_DESC: dict[int, str] = {0: "Down", 4: "Ring", 5: "Ringing", 6: "Up", 7: "Busy"}
DOWN, RING, RINGING, UP, BUSY = 0, 4, 5, 6, 7
UNKNOWN = "<unknown>"


@dataclass(eq=False)
class Channel:
    """One channel's live snapshot (what every channel event repeats)."""

    name: str
    uniqueid: str
    linkedid: str
    context: str
    exten: str
    priority: int = 1
    state: int = DOWN
    caller_num: str = UNKNOWN
    caller_name: str = UNKNOWN
    connected_num: str = UNKNOWN
    connected_name: str = UNKNOWN
    language: str = "en"
    accountcode: str = ""
    variables: dict[str, str] = field(default_factory=dict)
    created_at: float = 0.0
    answered_at: float | None = None
    application: str = ""
    app_data: str = ""
    peer: Channel | None = None  # the other half of a Local pair
    bridge: Bridge | None = None
    hung_up: bool = False
    # (DestinationChannel, Disposition) of each dial attempt, for the CDR forks.
    dials: list[tuple[str, str]] = field(default_factory=list)
    soft_hangup: bool = False
    agi_data: str | None = None  # AGI(...) arguments while the channel is in the AGI
    redirect_to: tuple[str, str, int] | None = None  # a pending AMI Redirect
    recording: str | None = None  # MixMonitor file while one is running
    moh: bool = False  # music on hold started by the AGI (StartMusicOnHold)
    transferred: bool = False  # an agent's transfer is ending its talk (Pbx.end_talk)

    @property
    def half(self) -> int:
        return 2 if self.name.endswith(";2") else 1

    @property
    def pair_base(self) -> str:
        """The name without ``;1``/``;2``."""
        return self.name.rsplit(";", 1)[0]

    def snapshot(self, prefix: str = "") -> list[tuple[str, str]]:
        values = (
            self.name,
            str(self.state),
            STATE_DESC.get(self.state, "Unknown"),
            self.caller_num,
            self.caller_name,
            self.connected_num,
            self.connected_name,
            self.language,
            self.accountcode,
            self.context,
            self.exten,
            str(self.priority),
            self.uniqueid,
            self.linkedid,
        )
        return [(prefix + n, v) for n, v in zip(SNAPSHOT_FIELDS, values, strict=True)]


@dataclass(eq=False)
class Bridge:
    """A basic two-party bridge."""

    uniqueid: str
    channels: list[Channel] = field(default_factory=list)

    def snapshot(self) -> list[tuple[str, str]]:
        values = (
            self.uniqueid,
            "basic",
            "simple_bridge",
            UNKNOWN,
            UNKNOWN,
            str(len(self.channels)),
            "none",
        )
        return list(zip(BRIDGE_FIELDS, values, strict=True))


class IdAllocator:
    """Uniqueids, Local pair suffixes and bridge ids, deterministic for one seed."""

    def __init__(self, epoch: int, local_start: int = 0) -> None:
        self._epoch = epoch
        self._seq = 0
        self._local = local_start  # a capture's PBX may have numbered Local pairs before
        self._bridges = 0

    def uniqueid(self, now: float) -> str:
        uid = f"{int(now)}.{self._seq}"
        self._seq += 1
        return uid

    @property
    def allocated(self) -> int:
        """How many uniqueids were handed out (``CoreProcessedCalls``)."""
        return self._seq

    def local_suffix(self) -> str:
        suffix = f"{self._local:08x}"
        self._local += 1
        return suffix

    def bridge_id(self) -> str:
        self._bridges += 1
        return str(uuid.UUID(int=(self._epoch << 64) + self._bridges, version=4))
