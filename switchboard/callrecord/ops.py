# -*- test-case-name: tests.callrecord.test_fold -*-
"""What the call book asks the store to do: frozen write operations, applied in order.

A :class:`RecordWrite` never carries a whole row: each field says how it merges with what
is stored, so a switchboard that restarts in the middle of a call (its new call model
knows less than the row) and facts that come after the call ended both add to the row
instead of overwriting it:

* ``first``: kept when the row already has a value (when it started, the first queue);
* ``last``: replaces the stored value (the last queue, the agent, the hang-up);
* ``add``: added to the stored number (queue wait, offers, holds, transfers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

__all__ = [
    "END_STOPPED",
    "END_UNCLEAN",
    "LegWrite",
    "Op",
    "Reconcile",
    "RecordWrite",
    "Stopped",
]

#: A row found open after a restart, its call no longer live: closed at its last sighting.
END_UNCLEAN: Final = "unclean_stop"
#: The same, when the switchboard before had stopped cleanly (it noted when).
END_STOPPED: Final = "switchboard_stopped"


def _empty() -> Mapping[str, object]:
    return MappingProxyType({})


def _no_amounts() -> Mapping[str, float]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class RecordWrite:
    """Changes to one call's row. ``call_id`` names the row (the ``Linkedid``); a fact's
    write may only know ``queue_call_id`` (the IVR's and the queue's id of the call):
    the store finds the row by it, and such a write never creates one (``creates``)."""

    call_id: str
    queue_call_id: str = ""
    first: Mapping[str, object] = field(default_factory=_empty)
    last: Mapping[str, object] = field(default_factory=_empty)
    add: Mapping[str, float] = field(default_factory=_no_amounts)
    seen_at: float | None = None
    end: tuple[float, str] | None = None  # (ended_at, end_reason): the call is over
    creates: bool = True
    born_at: float = 0.0  # when the write was made (a fact waiting for its row gives up)


@dataclass(frozen=True, slots=True)
class LegWrite:
    """One channel of a call: ``started_at`` and ``answered_at`` merge as first values,
    the rest as last ones (a role only ever goes from ``other`` to what it is)."""

    call_id: str
    uniqueid: str
    channel: str
    role: str
    started_at: float | None = None
    answered_at: float | None = None
    ended_at: float | None = None
    cause: int | None = None
    cause_text: str | None = None


@dataclass(frozen=True, slots=True)
class Reconcile:
    """After a resync: close every open row whose call is not in ``live``. Calls this run
    followed (``followed``) ended unseen during an AMI outage: closed at ``at``. The
    others were left open by an earlier run: ``unclean_stop`` at their last sighting."""

    live: frozenset[str]
    followed: frozenset[str]
    at: float
    vanished_reason: str


@dataclass(frozen=True, slots=True)
class Stopped:
    """A clean stop at ``at`` with ``live`` calls still up: their last sighting, and a
    note that the next start, not a crash, will find them open."""

    live: tuple[str, ...]
    at: float


Op = RecordWrite | LegWrite | Reconcile | Stopped
