# -*- test-case-name: tests.web.ws.test_outbox -*-
"""The bounded outbox of one seat socket: what may be written now, what waits (pure).

A message is written at once unless the socket is *syncing* (its snapshot is being
fetched: deltas that raced it must follow it) or *paused* (the transport's buffer is full,
so the peer is slow). Then it is held, at most ``limit`` of them. One more and the backlog
is worthless: it is dropped, the socket turns *stale* and takes nothing until the peer has
drained, when it gets a fresh snapshot instead of the history it missed.
"""

from __future__ import annotations

from collections import deque
from typing import Any

__all__ = ["Outbox"]

Message = dict[str, Any]


class Outbox:
    """Held messages and the state that decides whether a new one is written or held."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"max_buffered_messages must be at least 1, not {limit}")
        self._limit = limit
        self._held: deque[Message] = deque()
        self.paused = False  # the transport asked us to stop writing
        self.syncing = True  # a snapshot is on its way; a new socket starts so
        self.stale = False  # the backlog was dropped: a snapshot must replace it
        self.overflows = 0

    @property
    def held(self) -> int:
        """How many messages wait to be written."""
        return len(self._held)

    def push(self, message: Message) -> bool:
        """A new message: True when it may be written now, False when held or dropped."""
        if self.stale:
            return False
        if not (self.paused or self.syncing):
            return True
        if len(self._held) >= self._limit:
            self._held.clear()
            self.stale = True
            self.overflows += 1
            return False
        self._held.append(message)
        return False

    def pause(self) -> None:
        self.paused = True

    def resume(self) -> bool:
        """The transport drained: True when a fresh snapshot must be fetched now."""
        self.paused = False
        if self.stale and not self.syncing:
            self.stale, self.syncing = False, True
            return True
        return False

    def snapshot_arrived(self, snapshot: Message) -> bool:
        """The fetched snapshot: False when deltas were dropped while it was on its way, so
        it may be older than what they said and another must be fetched."""
        if self.stale:
            self.stale = False
            return False
        self.syncing = False
        self._held.appendleft(snapshot)
        return True

    def next_to_write(self) -> Message | None:
        """The next held message to write, or None while the socket may not write."""
        if self.paused or self.syncing or not self._held:
            return None
        return self._held.popleft()
