# -*- test-case-name: tests.unit.test_ami_pending -*-
"""Sans-I/O ActionID table: which messages answer which action, and when an action is done.

Asterisk interleaves unrelated events with responses, so nothing is matched by order:
a response is matched by ``ActionID``; an event list (``Response: Success`` +
``EventList: start`` ... ``XxxComplete`` with ``EventList: Complete``) is gathered by the
ActionID every list event carries. The table holds no Deferreds and no clock: the adapter
asks it to :meth:`~PendingTable.route` each message and fires whatever completed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from switchboard.cti import names
from switchboard.cti.ami.frames import Message

__all__ = ["Completion", "EventList", "PendingTable", "Routed"]


@dataclass(frozen=True, slots=True)
class EventList:
    """A gathered list: the response, the item events in order, and the complete event."""

    response: Message
    items: tuple[Message, ...] = ()
    complete: Message | None = None

    @property
    def declared_items(self) -> int | None:
        """``ListItems`` of the complete event, if Asterisk sent it."""
        raw = self.complete.get(names.LIST_ITEMS) if self.complete is not None else None
        return int(raw) if raw is not None and raw.strip().isdigit() else None


@dataclass(frozen=True, slots=True)
class Completion:
    """An action is done: ``result`` is the response Message, or an EventList when gathered."""

    action_id: str
    response: Message
    result: Message | EventList

    @property
    def failed(self) -> bool:
        return is_error(self.response)


@dataclass(frozen=True, slots=True)
class Routed:
    """What :meth:`PendingTable.route` decided for one message."""

    consumed: bool  # the message belonged to an action: do not dispatch it as an event
    completion: Completion | None = None


_NOT_OURS = Routed(False)
_ABSORBED = Routed(True)


def is_error(response: Message) -> bool:
    return (response.response or "").lower() == "error"


def is_list_start(response: Message) -> bool:
    value = response.get(names.EVENT_LIST)
    return value is not None and value.lower() == "start"


def is_list_complete(event: Message) -> bool:
    value = event.get(names.EVENT_LIST)
    return value is not None and value.lower() == "complete"


@dataclass(slots=True)
class _Entry:
    gather: bool  # resolve with an EventList rather than the bare response
    waiting: bool = True  # somebody still wants the result (False: drain and forget)
    response: Message | None = None
    items: list[Message] = field(default_factory=list)


class PendingTable:
    """Actions in flight, keyed by ActionID."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def __len__(self) -> int:
        return sum(1 for e in self._entries.values() if e.waiting)

    def __contains__(self, action_id: object) -> bool:
        entry = self._entries.get(action_id) if isinstance(action_id, str) else None
        return entry is not None and entry.waiting

    def register(self, action_id: str, *, gather: bool = False) -> None:
        if action_id in self._entries:
            raise ValueError(f"ActionID {action_id!r} is already in flight")
        self._entries[action_id] = _Entry(gather)

    def abandon(self, action_id: str) -> None:
        """Nobody waits any more (timeout): still swallow the rest of its list, if any."""
        entry = self._entries.get(action_id)
        if entry is None:
            return
        if entry.response is None or is_list_start(entry.response):
            entry.waiting = False  # a tombstone until its late answer ends; cleared on close
        else:
            del self._entries[action_id]

    def clear(self) -> list[str]:
        """Forget everything (connection lost); return the ActionIDs that were awaited."""
        waiting = [aid for aid, e in self._entries.items() if e.waiting]
        self._entries.clear()
        return waiting

    def route(self, msg: Message) -> Routed:
        action_id = msg.action_id
        if action_id is None:
            return _NOT_OURS
        entry = self._entries.get(action_id)
        if entry is None:
            return _NOT_OURS
        if msg.response is not None and entry.response is None:
            return self._on_response(action_id, entry, msg)
        if msg.event is None or entry.response is None or not is_list_start(entry.response):
            return _NOT_OURS  # e.g. OriginateResponse / UserEvent after a plain response
        if not is_list_complete(msg):
            entry.items.append(msg)
            return _ABSORBED
        del self._entries[action_id]
        if not (entry.gather and entry.waiting):
            return _ABSORBED
        result = EventList(entry.response, tuple(entry.items), msg)
        return Routed(True, Completion(action_id, entry.response, result))

    def _on_response(self, action_id: str, entry: _Entry, msg: Message) -> Routed:
        entry.response = msg
        listing = is_list_start(msg) and not is_error(msg)
        if listing and entry.gather:
            return _ABSORBED  # complete when the XxxComplete event arrives
        if not listing:
            del self._entries[action_id]
        if not entry.waiting:
            return _ABSORBED
        entry.waiting = not listing  # a plain send() of a list action: drain the items
        result: Message | EventList = EventList(msg) if entry.gather else msg
        return Routed(True, Completion(action_id, msg, result))
