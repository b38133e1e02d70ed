# -*- test-case-name: tests.seat.test_actions -*-
"""Which customer records an agent may read: those offered to them (the pop found the
customer), those their own search returned, and those they created.

Kept in memory, per agent, bounded: a restart of switchboard forgets it, and an agent then
searches again for a customer from before (the search is the permitted way to a record).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Final

__all__ = ["CustomerAccess"]

PER_AGENT: Final = 500  # the oldest grants go first beyond this


class CustomerAccess:
    def __init__(self, per_agent: int = PER_AGENT) -> None:
        self._granted: dict[str, OrderedDict[int, None]] = {}
        self._per_agent = per_agent

    def grant(self, agent_id: str, customer_id: int) -> None:
        granted = self._granted.setdefault(agent_id, OrderedDict())
        granted[customer_id] = None
        granted.move_to_end(customer_id)
        while len(granted) > self._per_agent:
            granted.popitem(last=False)

    def allowed(self, agent_id: str, customer_id: int) -> bool:
        return customer_id in self._granted.get(agent_id, ())
