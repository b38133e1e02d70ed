# -*- test-case-name: tests.queue.test_router -*-
"""The one way a call or an agent changes state: a (state, trigger) pair in its table.

A pair missing from the table is a bug in the router, not bad input from outside (events
that make no sense are refused with ``Rejected`` before any state changes), so it raises.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

__all__ = ["IllegalTransition", "next_state"]

State = TypeVar("State")


class IllegalTransition(LookupError):
    """The router tried a state change its table does not allow."""


def next_state(
    table: Mapping[tuple[State, str], State], what: str, state: State, trigger: str
) -> State:
    """The state ``trigger`` leads ``what`` to from ``state``; raises if there is none."""
    try:
        return table[(state, trigger)]
    except KeyError:
        raise IllegalTransition(
            f"{what}: no transition {trigger!r} from {getattr(state, 'value', state)!r}"
        ) from None
